// Storage: group commit (engine effects with the inbox and the take, decisions inside the
// transaction, rollback, a busy database, corrupt rows) and surviving kill -9.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/unit/store_fixture.hpp"
#include "tests/unit/store_steps.hpp"

namespace lianxin::store {
namespace {

using namespace testing;  // store_fixture.hpp: times, parts, tickets, the names they use

// ---------------------------------------------------------------- engine effects, group commit

TEST(StoreBatch, EngineEffectsGoInOneCommitWithTheInboxAndTheTake) {
  Store store = Store::open(":memory:");
  auto inbound = insert_inbox(store, sms_part("路灯坏了", at(0)));
  ASSERT_TRUE(inbound);

  domain::Effects effects;
  Ticket t = full_ticket(1);
  t.inbound_id = inbound.value.id;
  effects.tickets.push_back({t, true});
  effects.events.push_back({1, std::nullopt, TicketState::new_, t.reporter, at(1), "report"});
  effects.sms.push_back({"+8613800000101", "【连心桥】新工单1", domain::Audience::member, 1, true,
                         inbound.value.id, std::nullopt, std::nullopt});
  effects.sms.push_back({t.reporter, "【连心桥】已受理, 编号1", domain::Audience::resident, 1,
                         false, inbound.value.id, std::nullopt, std::nullopt});
  effects.next_ticket_number = 2;
  effects.logs.push_back({LogLevel::info, "ticket 1 created", 1});

  WriteBatch batch;
  batch.inbox.push_back(sms_part("另一条", at(1), "+8613900000002"));
  batch.processed.push_back({inbound.value.id, at(1)});
  batch.add(effects, "106575000", at(1));
  batch.take = TakeRequest{at(1), 100};
  EXPECT_FALSE(batch.empty());
  CommitResult r = store.commit(batch);
  ASSERT_TRUE(r) << r.message;
  ASSERT_EQ(r.outbox.size(), 2u);
  ASSERT_EQ(r.taken.size(), 2u);
  EXPECT_EQ(r.taken[0].request.audience, domain::Audience::member);  // urgent first
  EXPECT_EQ(r.taken[0].request.in_reply_to, inbound.value.id);
  EXPECT_EQ(r.taken[1].request.source, "106575000");
  EXPECT_EQ(r.taken[1].request.ticket, 1);

  auto unprocessed = store.unprocessed_inbox().value;
  ASSERT_EQ(unprocessed.size(), 1u);
  EXPECT_EQ(unprocessed[0].id, r.inbox[0].id);
  EXPECT_EQ(store.find_ticket(1).value->inbound_id, inbound.value.id);
  EXPECT_EQ(store.next_ticket_number().value, 2);

  batch.clear();
  EXPECT_TRUE(batch.empty());
}

TEST(StoreBatch, ADecisionOnTheInboxIsCommittedWithIt) {
  // One commit per report: the parts are inserted, the decision sees their ids and which were
  // repeats, and what it appends (ticket, events, outbox rows, the take) commits with them.
  Store store = Store::open(":memory:");
  InboxPart earlier = sms_part("早一条", at(0));
  earlier.link_session = 1;
  ASSERT_TRUE(insert_inbox(store, earlier));
  WriteBatch batch;
  batch.inbox.push_back(sms_part("路灯坏了", at(1)));
  InboxPart repeated = earlier;  // the SMSC repeating a stored part after a reconnect
  repeated.link_session = 2;
  repeated.received_at = at(1);
  batch.inbox.push_back(repeated);
  std::vector<InboxInsert> seen;
  CommitResult r =
      store.commit(batch, [&](const std::vector<InboxInsert>& inserted, WriteBatch& decided) {
        seen = inserted;
        // Inside the transaction: another connection would not see the rows yet, this one does.
        EXPECT_EQ(store.unprocessed_inbox().value.size(), 2u);
        Ticket t = full_ticket(1);
        t.inbound_id = inserted[0].id;
        decided.tickets.push_back(t);
        decided.events.push_back({1, std::nullopt, TicketState::new_, t.reporter, at(1), "report"});
        decided.processed.push_back({inserted[0].id, at(1)});
        decided.outbox.push_back(sms_to(t.reporter, "已受理, 编号1", at(1)));
        decided.outbox.push_back(sms_to("+8613800000101", "新工单1", at(1), true));
        decided.next_ticket_number = 2;
        decided.take = TakeRequest{at(1), 10};
      });
  ASSERT_TRUE(r) << r.message;
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].duplicate);
  EXPECT_TRUE(seen[1].duplicate);
  EXPECT_EQ(r.inbox.size(), 2u);
  EXPECT_EQ(r.outbox.size(), 2u);  // parallel to the batch, appended rows included
  ASSERT_EQ(batch.outbox.size(), 2u);
  EXPECT_EQ(r.taken.size(), 2u);  // the take saw the rows the decision added
  EXPECT_EQ(store.find_ticket(1).value->inbound_id, seen[0].id);
  EXPECT_EQ(store.next_ticket_number().value, 2);
  EXPECT_EQ(store.unprocessed_inbox().value.size(), 1u);  // the earlier part only
}

TEST(StoreBatch, AFailingDecisionStoresNothingNotEvenTheParts) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  batch.inbox.push_back(sms_part("路灯坏了", at(1)));
  CommitResult r = store.commit(batch, [](const std::vector<InboxInsert>&, WriteBatch& decided) {
    decided.outbox.push_back(sms_to("+8613900000001", "确认", at(1)));
    decided.events.push_back({999, std::nullopt, TicketState::new_, "system", at(1), "no 999"});
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, StoreError::constraint);
  EXPECT_TRUE(store.unprocessed_inbox().value.empty());
  EXPECT_TRUE(store.outbox_counts().value.empty());
}

TEST(StoreBatch, AppendKeepsOrderAndTheLargerCounter) {
  WriteBatch first;
  first.tickets.push_back(full_ticket(1));
  first.next_ticket_number = 5;
  WriteBatch later;
  Ticket newer = full_ticket(1);
  newer.state = TicketState::closed;
  later.tickets.push_back(newer);
  later.next_ticket_number = 4;
  later.take = TakeRequest{at(0), 3};
  first.append(std::move(later));
  ASSERT_EQ(first.tickets.size(), 2u);
  EXPECT_EQ(first.tickets[1].state, TicketState::closed);  // the later upsert wins
  EXPECT_EQ(first.next_ticket_number, 5);
  ASSERT_TRUE(first.take);
  EXPECT_EQ(first.take->limit, 3u);
  EXPECT_TRUE(later.empty());
}

TEST(StoreBatch, AFailingRowRollsBackTheWholeBatch) {
  Store store = Store::open(":memory:");
  WriteBatch bad;
  bad.inbox.push_back(sms_part("会被回滚", at(0)));
  bad.tickets.push_back(full_ticket(1));
  bad.outbox.push_back(sms_to("+8613900000001", "x", at(0)));
  bad.next_ticket_number = 2;
  bad.events.push_back({999, std::nullopt, TicketState::new_, "system", at(0), "no ticket 999"});
  CommitResult r = store.commit(bad);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, StoreError::constraint);
  EXPECT_NE(r.message.find("FOREIGN KEY"), std::string::npos) << r.message;
  EXPECT_TRUE(r.inbox.empty());
  EXPECT_TRUE(r.outbox.empty());

  EXPECT_TRUE(store.unprocessed_inbox().value.empty());
  EXPECT_FALSE(store.find_ticket(1).value);
  EXPECT_TRUE(store.outbox_counts().value.empty());
  EXPECT_FALSE(store.next_ticket_number().value);

  // The store is fine afterwards: the same part is new, not a duplicate of a rolled-back row.
  auto ok = insert_inbox(store, sms_part("会被回滚", at(1)));
  ASSERT_TRUE(ok) << ok.message;
  EXPECT_FALSE(ok.value.duplicate);
  bad.events.clear();
  ASSERT_TRUE(store.commit(bad));
}

TEST(StoreBatch, ABusyDatabaseIsAnErrorValue) {
  TempDir dir;
  const std::string path = dir.file("busy.sqlite");
  StoreOptions options;
  options.busy_timeout = milliseconds(50);
  Store store = Store::open(path, options);
  SQLite::Database other(path, SQLite::OPEN_READWRITE);
  other.exec("BEGIN IMMEDIATE");
  auto r = store.enqueue(sms_to("+8613900000001", "x", at(0)));
  EXPECT_EQ(r.error, StoreError::busy) << r.message;
  other.exec("ROLLBACK");
  EXPECT_TRUE(store.enqueue(sms_to("+8613900000001", "x", at(0))));
}

TEST(StoreBatch, AnUnreadableRowIsReportedAsCorrupt) {
  TempDir dir;
  const std::string path = dir.file("bad.sqlite");
  Store store = Store::open(path);
  WriteBatch batch;
  batch.tickets.push_back(full_ticket(5));
  ASSERT_TRUE(store.commit(batch));
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE tickets SET tried = '[\"m-wang\", oops' WHERE number = 5");
  }
  auto t = store.find_ticket(5);
  EXPECT_EQ(t.error, StoreError::corrupt);
  EXPECT_NE(t.message.find("ticket 5"), std::string::npos) << t.message;
}

TEST(StoreCrash, CommittedBatchSurvivesSigkill) {
  TempDir dir;
  const std::string path = dir.file("crash.sqlite");
  const pid_t child = ::fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // No destructors, no checkpoint, no WAL cleanup: the process just dies after commit().
    try {
      Store store = Store::open(path);
      WriteBatch batch;
      batch.inbox.push_back(sms_part("kill -9 之前", at(0)));
      batch.tickets.push_back(full_ticket(1));
      batch.events.push_back({1, std::nullopt, TicketState::new_, "system", at(0), "report"});
      batch.outbox.push_back(sms_to("+8613900000001", "确认", at(0)));
      batch.take = TakeRequest{at(0), 10};
      if (!store.commit(batch)) ::_exit(3);
      ::kill(::getpid(), SIGKILL);
    } catch (...) {
    }
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  Store store = Store::open(path);
  auto inbox = store.unprocessed_inbox().value;
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(inbox[0].part.payload, bytes("kill -9 之前"));
  expect_same_ticket(*store.find_ticket(1).value, full_ticket(1));
  EXPECT_EQ(store.ticket_history(1).value.size(), 1u);
  EXPECT_EQ(store.recover(at(5)).value, 1u);
  EXPECT_EQ(take_sendable(store, at(5), 10).value.size(), 1u);
}

TEST(StoreCrash, DestroyedWithoutShutdownKeepsData) {
  TempDir dir;
  const std::string path = dir.file("plain.sqlite");
  {
    auto store = std::make_unique<Store>(Store::open(path, {Synchronous::normal}));
    WriteBatch batch;
    batch.tickets.push_back(full_ticket(3));
    ASSERT_TRUE(store->commit(batch));
  }
  Store store = Store::open(path);
  ASSERT_TRUE(store.find_ticket(3).value);
}
}  // namespace
}  // namespace lianxin::store
