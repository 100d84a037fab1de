// Storage: migrations, inbox dedupe and reload, the outbox's life. (Receipts and tickets:
// store_tickets_test.cpp; group commit and crashes: store_commit_test.cpp.)
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/store/reports.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store.hpp"
#include "tests/unit/store_fixture.hpp"
#include "tests/unit/store_steps.hpp"

namespace lianxin::store {
namespace {

using namespace testing;  // store_fixture.hpp: times, parts, tickets, the names they use

// ---------------------------------------------------------------- schema and migrations

TEST(StoreSchema, FreshDatabaseGetsEveryStep) {
  Store store = Store::open(":memory:");
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_EQ(store.applied_migrations().size(), migrations().size());
  for (std::size_t i = 0; i < migrations().size(); ++i) {
    EXPECT_EQ(migrations()[i].version, static_cast<int>(i) + 1);
  }
}

TEST(StoreSchema, ReopeningAppliesNothing) {
  TempDir dir;
  { Store::open(dir.file("db.sqlite")); }
  Store again = Store::open(dir.file("db.sqlite"));
  EXPECT_TRUE(again.applied_migrations().empty());
  EXPECT_EQ(again.schema_version(), kSchemaVersion);
}

TEST(StoreSchema, FileIsInWalModeWithFullSyncAndForeignKeys) {
  TempDir dir;
  const std::string path = dir.file("db.sqlite");
  Store store = Store::open(path);
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(raw.execAndGet("PRAGMA application_id").getInt(), kApplicationId);
  // Foreign keys are per connection: prove ours enforces them through a failing batch.
  WriteBatch batch;
  batch.events.push_back({12345, std::nullopt, TicketState::new_, "system", at(0), "orphan"});
  CommitResult r = store.commit(batch);
  EXPECT_EQ(r.error, StoreError::constraint);
}

// Rows an older lianxind left behind, written with that version's columns.
void insert_v1_rows(SQLite::Database& db) {
  db.exec(
      "INSERT INTO inbox (id, connection, source, destination, data_coding, esm_class, payload, "
      "concat_ref, concat_total, concat_seq, is_receipt, content_hash, received_at_ms) VALUES "
      "(7, 'cmcc-1', '+8613900000001', '106575000', 8, 64, x'4F60', 300, 2, 1, 0, 99, "
      "1709280000000)");
  db.exec(
      "INSERT INTO outbox (id, destination, source, text, ticket, audience, urgent, state, "
      "attempts, next_attempt_at_ms, created_at_ms, updated_at_ms) VALUES "
      "(3, '+8613800000101', '106575000', '【连心桥】请处理', NULL, 'member', 0, 'queued', 0, 0, "
      "1709280000000, 1709280000000)");
  db.exec(
      "INSERT INTO outbox (id, destination, source, text, audience, state, attempts, "
      "next_attempt_at_ms, connection, created_at_ms, updated_at_ms) VALUES "
      "(4, '+8613900000001', '106575000', 'hi', 'resident', 'submitted', 1, 0, 'cmcc-1', "
      "1709280000000, 1709280000000)");
  db.exec(
      "INSERT INTO outbox_parts (outbox_id, part, message_id, state, updated_at_ms) VALUES "
      "(4, 0, '1a2b', 'submitted', 1709280000000)");
}

void insert_v2_rows(SQLite::Database& db) {
  db.exec(
      "INSERT INTO tickets (number, reporter, text, category, grid, urgent, state, assignee, "
      "tried, notes, created_at_ms, updated_at_ms, dispatched_at_ms) VALUES (12, "
      "'+8613900000001', '漏水', 'leak', 'g-daxi', 1, 'dispatched', 'm-wang', '[\"m-wang\"]', "
      "'[]', 1709280000000, 1709280001000, 1709280001000)");
  db.exec(
      "INSERT INTO ticket_events (ticket, from_state, to_state, actor, at_ms, reason) VALUES "
      "(12, NULL, 'new', '+8613900000001', 1709280000000, 'report'), "
      "(12, 'new', 'dispatched', 'system', 1709280001000, 'grid')");
  db.exec(
      "INSERT INTO points_ledger (member, ticket, points, reason, at_ms) VALUES "
      "('m-wang', 11, 10, 'rating 5', 1709280000000)");
  db.exec("INSERT INTO counters (name, value) VALUES ('next_ticket_number', 13)");
}

class StoreMigration : public ::testing::TestWithParam<int> {};

TEST_P(StoreMigration, FromEarlierVersionKeepsData) {
  const int from = GetParam();
  TempDir dir;
  const std::string path = dir.file("old.sqlite");
  if (from > 0) {
    create_database_at_version(path, from);
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    EXPECT_EQ(raw.execAndGet("PRAGMA user_version").getInt(), from);
    if (from >= 1) insert_v1_rows(raw);
    if (from >= 2) insert_v2_rows(raw);
  }

  Store store = Store::open(path);
  EXPECT_EQ(store.schema_version(), kSchemaVersion);
  EXPECT_EQ(store.applied_migrations().size(), static_cast<std::size_t>(kSchemaVersion - from));

  if (from >= 1) {
    auto inbox = store.unprocessed_inbox();
    ASSERT_TRUE(inbox) << inbox.message;
    ASSERT_EQ(inbox.value.size(), 1u);
    EXPECT_EQ(inbox.value[0].id, 7);
    EXPECT_EQ(inbox.value[0].part.payload, (Bytes{0x4F, 0x60}));
    ASSERT_TRUE(inbox.value[0].part.concat);
    EXPECT_EQ(inbox.value[0].part.concat->ref, 300);

    // v3 columns exist and are empty for old rows; the old queued SMS is still sendable.
    auto taken = take_sendable(store, at(10), 10);
    ASSERT_TRUE(taken) << taken.message;
    ASSERT_EQ(taken.value.size(), 1u);
    EXPECT_EQ(taken.value[0].id, 3);
    EXPECT_EQ(taken.value[0].request.audience, domain::Audience::member);
    EXPECT_FALSE(taken.value[0].request.not_before);
    EXPECT_FALSE(taken.value[0].request.expires_at);

    // A receipt for the SMS submitted before the upgrade still matches (decimal of 0x1a2b).
    auto receipt =
        apply_receipt(store, {"cmcc-2", "6699", sms::DeliveryState::delivered, "", at(20)});
    ASSERT_TRUE(receipt) << receipt.message;
    EXPECT_EQ(receipt.value.outbox_id, 4);
    EXPECT_EQ(receipt.value.message_state, OutboxState::delivered);
  }
  if (from >= 2) {
    auto ticket = store.find_ticket(12);
    ASSERT_TRUE(ticket) << ticket.message;
    ASSERT_TRUE(ticket.value);
    EXPECT_EQ(ticket.value->state, TicketState::dispatched);
    EXPECT_EQ(ticket.value->tried, std::vector<std::string>{"m-wang"});
    // ---- SLA ---- (v5 columns): an old ticket has no deadlines, no steps, and is a report.
    EXPECT_FALSE(ticket.value->accept_deadline);
    EXPECT_FALSE(ticket.value->resolve_deadline);
    EXPECT_FALSE(ticket.value->reminded_for);
    EXPECT_EQ(ticket.value->escalation_level, 0);
    EXPECT_EQ(ticket.value->reopen_count, 0);
    EXPECT_EQ(ticket.value->handback_count, 0);
    EXPECT_FALSE(ticket.value->problem);
    EXPECT_EQ(ticket.value->kind, domain::TicketKind::report);
    EXPECT_FALSE(ticket.value->raised_by);
    EXPECT_FALSE(ticket.value->team);
    auto history = store.ticket_history(12);
    ASSERT_TRUE(history);
    ASSERT_EQ(history.value.size(), 2u);
    EXPECT_EQ(history.value[1].to, TicketState::dispatched);
    EXPECT_EQ(store.points_of("m-wang").value, 10);
    EXPECT_EQ(store.next_ticket_number().value, 13);
  }
  // Everything current works on the upgraded file.
  WriteBatch batch;
  batch.tickets.push_back(full_ticket(100));
  batch.outbox.push_back(sms_to("+8613900000009", "ok", at(30)));
  batch.outbox.back().not_before = at(3600);
  // ---- meetings ---- (v5): the tables exist and take rows.
  batch.meetings.push_back(
      {"M12", "党员冬训", at(3600), at(7200), {"g-daxi"}, "operator:x", at(0)});
  batch.attendance.push_back({"M12", "m-wang", at(3000)});
  CommitResult r = store.commit(batch);
  ASSERT_TRUE(r) << r.message;
  EXPECT_EQ(store.list_meetings().value.size(), 1u);
  EXPECT_EQ(store.meeting_attendance("M12").value.size(), 1u);
  // ---- SLA ---- every v5 ticket column round-trips on the upgraded file.
  auto upgraded = store.find_ticket(100);
  ASSERT_TRUE(upgraded) << upgraded.message;
  ASSERT_TRUE(upgraded.value);
  expect_same_ticket(*upgraded.value, full_ticket(100));
}

TEST(StoreSchema, MeetingTablesExistAfterMigrating) {
  TempDir dir;
  const std::string path = dir.file("v4.sqlite");
  create_database_at_version(path, 4);
  { Store upgraded = Store::open(path); }
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  for (const char* table : {"meetings", "meeting_attendance"}) {
    EXPECT_EQ(raw.execAndGet(std::string("SELECT count(*) FROM sqlite_schema WHERE type = "
                                         "'table' AND name = '") +
                             table + "'")
                  .getInt(),
              1)
        << table;
  }
  // Attendance names an existing meeting, once per member.
  EXPECT_EQ(raw.execAndGet("SELECT count(*) FROM pragma_foreign_key_list('meeting_attendance') "
                           "WHERE \"table\" = 'meetings'")
                .getInt(),
            1);
  EXPECT_EQ(raw.execAndGet("SELECT count(*) FROM pragma_index_list('meeting_attendance') "
                           "WHERE origin = 'pk'")
                .getInt(),
            1);
}

TEST(StoreMeetings, RoundTripAndRestoredState) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  batch.meetings.push_back({"OLD", "去年的会", at(0), at(3600), {}, "operator:a", at(0)});
  batch.meetings.push_back({"M12",
                            "党员冬训",
                            at(30 * 86400),
                            at(30 * 86400 + 5400),
                            {"g-daxi", "g-shitang"},
                            "operator:b",
                            at(86400)});
  batch.attendance.push_back({"OLD", "m-li", at(100)});
  batch.attendance.push_back({"M12", "m-wang", at(30 * 86400 + 60)});
  batch.attendance.push_back({"M12", "m-li", at(30 * 86400 - 600)});
  ASSERT_TRUE(store.commit(batch));
  // A repeat is ignored: the first time stays.
  batch.clear();
  batch.attendance.push_back({"M12", "m-wang", at(30 * 86400 + 999)});
  EXPECT_FALSE(batch.empty());
  ASSERT_TRUE(store.commit(batch));

  auto found = store.find_meeting("M12");
  ASSERT_TRUE(found && found.value);
  const domain::Meeting expected{
      "M12",        "党员冬训", at(30 * 86400), at(30 * 86400 + 5400), {"g-daxi", "g-shitang"},
      "operator:b", at(86400)};
  EXPECT_EQ(*found.value, expected);
  EXPECT_FALSE(store.find_meeting("M13").value);
  auto attendance = store.meeting_attendance("M12");
  ASSERT_TRUE(attendance);
  EXPECT_EQ(attendance.value,
            (std::vector<domain::Attendance>{{"M12", "m-li", at(30 * 86400 - 600)},
                                             {"M12", "m-wang", at(30 * 86400 + 60)}}));
  auto listed = store.list_meetings();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed.value.size(), 2u);
  EXPECT_EQ(listed.value[0].code, "OLD");

  // Ten days after OLD ended, with a week's retention: only its code comes back.
  auto state = store.restored_state(at(10 * 86400), hours(24 * 7));
  ASSERT_TRUE(state) << state.message;
  ASSERT_EQ(state.value.meetings.size(), 1u);
  EXPECT_EQ(state.value.meetings[0].code, "M12");
  EXPECT_EQ(state.value.meetings[0].grids, (std::vector<std::string>{"g-daxi", "g-shitang"}));
  EXPECT_EQ(state.value.attendance.size(), 2u);
  EXPECT_EQ(state.value.past_meeting_codes, std::vector<std::string>{"OLD"});

  // Attendance for a meeting that does not exist is refused (and the batch with it).
  batch.clear();
  batch.attendance.push_back({"NOPE", "m-wang", at(5)});
  EXPECT_FALSE(store.commit(batch));
}

INSTANTIATE_TEST_SUITE_P(EveryEarlierVersion, StoreMigration, ::testing::Range(0, kSchemaVersion));

TEST(StoreSchema, NewerDatabaseIsRefused) {
  TempDir dir;
  const std::string path = dir.file("future.sqlite");
  { Store::open(path); }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  }
  try {
    Store::open(path);
    FAIL() << "a newer schema must be refused";
  } catch (const StoreOpenError& e) {
    EXPECT_EQ(e.code(), StoreError::schema_too_new);
    EXPECT_NE(std::string(e.what()).find(std::to_string(kSchemaVersion + 1)), std::string::npos)
        << e.what();
  }
  // And left untouched.
  SQLite::Database raw(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(raw.execAndGet("PRAGMA user_version").getInt(), kSchemaVersion + 1);
}

TEST(StoreSchema, ForeignDatabaseIsRefused) {
  TempDir dir;
  const std::string path = dir.file("other.sqlite");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
  }
  try {
    Store::open(path);
    FAIL() << "a database with unknown tables must be refused";
  } catch (const StoreOpenError& e) {
    EXPECT_EQ(e.code(), StoreError::not_our_database);
  }
}

TEST(StoreSchema, UnopenablePathThrows) {
  try {
    Store::open("/nonexistent-dir/for/sure/db.sqlite");
    FAIL();
  } catch (const StoreOpenError& e) {
    EXPECT_EQ(e.code(), StoreError::cannot_open);
  }
}

// ---------------------------------------------------------------- inbox

TEST(StoreInbox, DuplicateWithinWindowIsStoredOnce) {
  StoreOptions options;
  options.inbox_dedupe_window = minutes(2);
  Store store = Store::open(":memory:", options);

  // Received on bind 1, re-sent by the SMSC on bind 2 (after a reconnect or a restart).
  auto on_bind = [](InboxPart part, std::int64_t session) {
    part.link_session = session;
    return part;
  };
  auto first = insert_inbox(store, on_bind(sms_part("路灯坏了", at(0)), 1));
  ASSERT_TRUE(first) << first.message;
  EXPECT_FALSE(first.value.duplicate);

  auto again = insert_inbox(store, on_bind(sms_part("路灯坏了", at(90)), 2));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value.duplicate);
  EXPECT_EQ(again.value.id, first.value.id);

  auto later = insert_inbox(store, on_bind(sms_part("路灯坏了", at(121)), 3));
  ASSERT_TRUE(later);
  EXPECT_FALSE(later.value.duplicate);
  EXPECT_NE(later.value.id, first.value.id);

  EXPECT_EQ(store.unprocessed_inbox().value.size(), 2u);
}

TEST(StoreInbox, SameTextOnTheSameBindIsAPersonSendingItAgain) {
  // The SMSC had our answer to the first one (same bind): this is a new message, and the engine
  // decides what a repeated text means.
  Store store = Store::open(":memory:");
  InboxPart part = sms_part("路灯坏了", at(0));
  part.link_session = 7;
  auto first = insert_inbox(store, part);
  part.received_at = at(5);
  auto second = insert_inbox(store, part);
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(second.value.duplicate);
  EXPECT_NE(second.value.id, first.value.id);
  auto rows = store.unprocessed_inbox();
  ASSERT_EQ(rows.value.size(), 2u);
  EXPECT_EQ(rows.value[0].part.link_session, 7);
}

TEST(StoreInbox, AnyDifferenceInTheKeyIsANewPart) {
  Store store = Store::open(":memory:");
  const InboxPart base = [] {
    InboxPart p = sms_part("part", at(0));
    p.concat = ConcatInfo{77, 3, 1};
    p.link_session = 1;
    return p;
  }();
  ASSERT_FALSE(insert_inbox(store, base).value.duplicate);

  InboxPart resent = base;
  resent.link_session = 2;
  std::vector<InboxPart> variants(8, resent);
  variants[0].concat->seq = 2;
  variants[1].concat->ref = 78;
  variants[2].connection = "cmcc-2";
  variants[3].source = "+8613900000002";
  variants[4].destination = "106575001";
  variants[5].data_coding = 0;
  variants[6].payload.push_back('!');
  variants[7].concat.reset();
  for (std::size_t i = 0; i < variants.size(); ++i) {
    auto r = insert_inbox(store, variants[i]);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r.value.duplicate) << "variant " << i;
  }
  EXPECT_TRUE(insert_inbox(store, resent).value.duplicate);
}

TEST(StoreInbox, DuplicateInsideOneBatchAndUssdIsNeverDeduplicated) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  batch.inbox.push_back(sms_part("同一条", at(0)));
  batch.inbox.push_back(sms_part("同一条", at(1)));
  batch.inbox.back().link_session = 1;  // re-sent after a reconnect, within the same batch
  InboxPart ussd = sms_part("1", at(2));
  ussd.ussd = UssdInfo{1, 0x0102};
  batch.inbox.push_back(ussd);
  batch.inbox.push_back(ussd);
  CommitResult r = store.commit(batch);
  ASSERT_TRUE(r) << r.message;
  ASSERT_EQ(r.inbox.size(), 4u);
  EXPECT_FALSE(r.inbox[0].duplicate);
  EXPECT_TRUE(r.inbox[1].duplicate);
  EXPECT_EQ(r.inbox[1].id, r.inbox[0].id);
  EXPECT_FALSE(r.inbox[2].duplicate);
  EXPECT_FALSE(r.inbox[3].duplicate);
  EXPECT_NE(r.inbox[2].id, r.inbox[3].id);
}

TEST(StoreInbox, UnprocessedPartsComeBackAfterRestartWithEveryField) {
  TempDir dir;
  const std::string path = dir.file("inbox.sqlite");
  InboxPart concat = sms_part("第一段", at(0));
  concat.esm_class = 0x40;
  concat.concat = ConcatInfo{0xBEEF, 2, 1};
  InboxPart ussd = sms_part("*123#", at(1));
  ussd.ussd = UssdInfo{1, 0x0042};
  InboxPart empty = sms_part("", at(2));
  InboxPart receipt = sms_part("id:1 stat:DELIVRD", at(3));
  receipt.receipt = true;
  receipt.esm_class = 0x04;
  receipt.processed_at = at(3);
  InboxPart done = sms_part("已处理", at(4));

  std::int64_t done_id = 0;
  {
    Store store = Store::open(path);
    WriteBatch batch;
    batch.inbox = {concat, ussd, empty, receipt, done};
    CommitResult r = store.commit(batch);
    ASSERT_TRUE(r) << r.message;
    done_id = r.inbox[4].id;
    ASSERT_TRUE(mark_processed(store, {done_id}, at(5)));
  }
  Store store = Store::open(path);
  auto rows = store.unprocessed_inbox();
  ASSERT_TRUE(rows) << rows.message;
  ASSERT_EQ(rows.value.size(), 3u);
  EXPECT_EQ(rows.value[0].part, concat);
  EXPECT_EQ(rows.value[1].part, ussd);
  EXPECT_EQ(rows.value[2].part, empty);
  EXPECT_LT(rows.value[0].id, rows.value[1].id);
  EXPECT_LT(rows.value[1].id, rows.value[2].id);

  auto processed = store.find_inbox(done_id);
  ASSERT_TRUE(processed && processed.value);
  EXPECT_EQ(processed.value->part.processed_at, at(5));
}

// ---------------------------------------------------------------- outbox

TEST(StoreOutbox, LifecycleQueuedSendingSubmittedRetryFailed) {
  Store store = Store::open(":memory:");
  const std::int64_t a = store.enqueue(sms_to("+8613900000001", "a", at(0))).value;
  const std::int64_t b = store.enqueue(sms_to("+8613900000002", "b", at(1))).value;
  const std::int64_t urgent = store.enqueue(sms_to("+8613800000101", "漏水", at(2), true)).value;

  auto first = take_sendable(store, at(3), 2);
  ASSERT_TRUE(first) << first.message;
  ASSERT_EQ(first.value.size(), 2u);
  EXPECT_EQ(first.value[0].id, urgent);  // urgent first, then oldest
  EXPECT_EQ(first.value[1].id, a);
  EXPECT_EQ(first.value[0].state, OutboxState::sending);
  EXPECT_EQ(first.value[0].attempts, 1);
  EXPECT_EQ(first.value[1].request.text, "a");

  auto second = take_sendable(store, at(3), 10);
  ASSERT_EQ(second.value.size(), 1u);
  EXPECT_EQ(second.value[0].id, b);
  EXPECT_TRUE(take_sendable(store, at(3), 10).value.empty());

  ASSERT_TRUE(mark_submitted(store, {urgent, "cmcc-1", {"abc"}, at(4)}));
  ASSERT_TRUE(mark_retry(store, {a, "ESME_RTHROTTLED", at(60), at(4)}));
  ASSERT_TRUE(mark_failed(store, {b, "ESME_RINVDSTADR", at(4)}));

  EXPECT_EQ(store.find_outbox(urgent).value->state, OutboxState::submitted);
  EXPECT_EQ(store.find_outbox(urgent).value->connection, "cmcc-1");
  auto failed = store.find_outbox(b).value;
  EXPECT_EQ(failed->state, OutboxState::failed);
  EXPECT_EQ(failed->last_error, "ESME_RINVDSTADR");

  // The retry waits for its time, then goes out again as attempt 2.
  EXPECT_TRUE(take_sendable(store, at(59), 10).value.empty());
  auto retry = take_sendable(store, at(60), 10);
  ASSERT_EQ(retry.value.size(), 1u);
  EXPECT_EQ(retry.value[0].id, a);
  EXPECT_EQ(retry.value[0].attempts, 2);
  EXPECT_EQ(retry.value[0].last_error, "ESME_RTHROTTLED");

  // Updates that no longer apply change nothing and are counted.
  WriteBatch stale;
  stale.retries.push_back({b, "late", at(70), at(70)});       // already failed
  stale.submitted.push_back({b, "cmcc-1", {"zzz"}, at(70)});  // already failed
  stale.failures.push_back({999, "no such row", at(70)});     // unknown
  CommitResult r = store.commit(stale);
  ASSERT_TRUE(r) << r.message;
  EXPECT_EQ(r.stale_updates, 3u);
  EXPECT_EQ(store.find_outbox(b).value->state, OutboxState::failed);

  auto counts = store.outbox_counts().value;
  EXPECT_EQ(counts[OutboxState::submitted], 1);
  EXPECT_EQ(counts[OutboxState::failed], 1);
  EXPECT_EQ(counts[OutboxState::sending], 1);
}

TEST(StoreOutbox, RecoverRequeuesWhatWasInFlightAtTheCrash) {
  TempDir dir;
  const std::string path = dir.file("outbox.sqlite");
  std::int64_t in_flight = 0, submitted = 0, queued = 0;
  {
    Store store = Store::open(path);
    WriteBatch batch;
    batch.outbox = {sms_to("+8613900000001", "1", at(0)), sms_to("+8613900000002", "2", at(0)),
                    sms_to("+8613900000003", "3", at(0))};
    batch.take = TakeRequest{at(1), 2};
    CommitResult r = store.commit(batch);
    ASSERT_TRUE(r) << r.message;
    ASSERT_EQ(r.taken.size(), 2u);
    in_flight = r.taken[0].id;
    submitted = r.taken[1].id;
    queued = r.outbox[2];
    ASSERT_TRUE(mark_submitted(store, {submitted, "cmcc-1", {"77"}, at(2)}));
  }  // "crash": the SMSC never answered for in_flight

  Store store = Store::open(path);
  auto recovered = store.recover(at(100));
  ASSERT_TRUE(recovered) << recovered.message;
  EXPECT_EQ(recovered.value, 1u);
  EXPECT_EQ(store.outbox_counts().value[OutboxState::sending], 0);

  auto again = take_sendable(store, at(100), 10);
  ASSERT_EQ(again.value.size(), 2u);
  EXPECT_EQ(again.value[0].id, in_flight);
  EXPECT_EQ(again.value[0].attempts, 2);
  EXPECT_EQ(again.value[1].id, queued);
  EXPECT_EQ(store.find_outbox(submitted).value->state, OutboxState::submitted);
}

TEST(StoreOutbox, QuietHoursHoldAndExpiredRowsAreNotSent) {
  Store store = Store::open(":memory:");
  OutboxRequest night = sms_to("+8613800000101", "明早处理", at(0));
  night.not_before = at(8 * 3600);
  OutboxRequest stale = sms_to("+8613900000001", "过期", at(0));
  stale.expires_at = at(60);
  const std::int64_t night_id = store.enqueue(night).value;
  const std::int64_t stale_id = store.enqueue(stale).value;

  EXPECT_TRUE(take_sendable(store, at(61), 10).value.empty());
  EXPECT_EQ(store.find_outbox(stale_id).value->state, OutboxState::expired);
  EXPECT_EQ(store.find_outbox(night_id).value->state, OutboxState::queued);

  auto morning = take_sendable(store, at(8 * 3600), 10);
  ASSERT_EQ(morning.value.size(), 1u);
  EXPECT_EQ(morning.value[0].id, night_id);
  EXPECT_EQ(morning.value[0].request.not_before, at(8 * 3600));
}

// ---- SLA ---- the engine's quiet-hours hold and validity reach the outbox; a take reports the
// rows it expired so the daemon can log them.
TEST(StoreOutbox, EngineHoldAndValidityAreStoredAndExpiredRowsReported) {
  Store store = Store::open(":memory:");
  domain::Effects effects;
  domain::OutgoingSms held{
      "+8613800000101", "【连心桥】新工单1", domain::Audience::member, 1, false,
      std::nullopt,     at(8 * 3600),        at(8 * 3600 + 60)};
  effects.sms.push_back(held);
  ASSERT_TRUE(apply_effects(store, effects, "10086", at(0)));
  WriteBatch early;
  early.take = TakeRequest{at(60), 10};
  CommitResult r = store.commit(early);
  ASSERT_TRUE(r) << r.message;
  EXPECT_TRUE(r.taken.empty());  // held until 08:00
  EXPECT_TRUE(r.expired.empty());
  WriteBatch late;
  late.take = TakeRequest{at(9 * 3600), 10};
  r = store.commit(late);
  ASSERT_TRUE(r) << r.message;
  EXPECT_TRUE(r.taken.empty());
  ASSERT_EQ(r.expired.size(), 1u);  // the morning passed without a link: dropped, not sent late
  EXPECT_EQ(r.expired[0].request.not_before, at(8 * 3600));
  EXPECT_EQ(r.expired[0].request.expires_at, at(8 * 3600 + 60));
  EXPECT_EQ(store.outbox_counts().value[OutboxState::expired], 1);
}

}  // namespace
}  // namespace lianxin::store
