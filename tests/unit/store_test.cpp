// Storage: migrations, inbox dedupe and reload, outbox life and receipts, tickets and their
// history, points, counters, filters, crash survival and rollback.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "daemon/store/codec.hpp"
#include "daemon/store/reports.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store.hpp"

namespace lianxin::store {
namespace {

using domain::Ticket;
using domain::TicketEvent;
using domain::TicketState;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2024-03-01 08:00:00 UTC plus `s` seconds.
TimePoint at(std::int64_t s) {
  return TimePoint{} + seconds(1709280000 + s);
}

Bytes bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

InboxPart sms_part(std::string_view text, TimePoint received, std::string from = "+8613900000001") {
  InboxPart p;
  p.connection = "cmcc-1";
  p.source = std::move(from);
  p.destination = "106575000";
  p.data_coding = 8;
  p.payload = bytes(text);
  p.received_at = received;
  return p;
}

OutboxRequest sms_to(std::string to, std::string text, TimePoint created, bool urgent = false) {
  OutboxRequest r;
  r.destination = std::move(to);
  r.source = "106575000";
  r.text = std::move(text);
  r.created_at = created;
  r.urgent = urgent;
  return r;
}

Ticket full_ticket(domain::TicketNo number) {
  Ticket t;
  t.number = number;
  t.reporter = "+8613900000001";
  t.text = "村口两盏路灯杆被大风刮倒了";
  t.category = "streetlight";
  t.grid = "g-daxi";
  t.urgent = true;
  t.state = TicketState::resolved;
  t.assignee = "m-wang";
  t.tried = {"m-li", "m-wang"};
  t.notes = {{at(60), "m-li", "不在村, \"明天\" 回来\n第二行\t\\"},
             {at(120), "system", std::string("ctl\x01\x1f end")}};
  t.resolution = "已修复";
  t.created_at = at(0);
  t.updated_at = at(500);
  t.dispatched_at = at(1);
  t.accepted_at = at(200);
  t.resolved_at = at(400);
  t.closed_at = std::nullopt;
  t.location_deadline = at(7200);
  t.verification_deadline = at(3 * 86400);
  t.close_reason = domain::CloseReason::none;
  t.rating = std::nullopt;
  t.inbound_id = 42;
  // ---- SLA ---- (v5) and the four orders' columns
  t.accept_deadline = at(3600);
  t.resolve_deadline = at(2 * 86400);
  t.escalation_level = 2;
  t.reopen_count = 1;
  t.handback_count = 3;
  t.problem = true;
  t.reminded_for = at(2 * 86400);
  t.kind = domain::TicketKind::order;
  t.raised_by = "m-li";
  t.team = "volunteers";
  // ---- language ---- (v6)
  t.confidence = 0.42;
  t.needs_review = true;
  return t;
}

void expect_same_ticket(const Ticket& a, const Ticket& b) {
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.reporter, b.reporter);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.category, b.category);
  EXPECT_EQ(a.grid, b.grid);
  EXPECT_EQ(a.urgent, b.urgent);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.assignee, b.assignee);
  EXPECT_EQ(a.tried, b.tried);
  ASSERT_EQ(a.notes.size(), b.notes.size());
  for (std::size_t i = 0; i < a.notes.size(); ++i) {
    EXPECT_EQ(a.notes[i].at, b.notes[i].at);
    EXPECT_EQ(a.notes[i].author, b.notes[i].author);
    EXPECT_EQ(a.notes[i].text, b.notes[i].text);
  }
  EXPECT_EQ(a.resolution, b.resolution);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.dispatched_at, b.dispatched_at);
  EXPECT_EQ(a.accepted_at, b.accepted_at);
  EXPECT_EQ(a.resolved_at, b.resolved_at);
  EXPECT_EQ(a.closed_at, b.closed_at);
  EXPECT_EQ(a.location_deadline, b.location_deadline);
  EXPECT_EQ(a.verification_deadline, b.verification_deadline);
  EXPECT_EQ(a.close_reason, b.close_reason);
  EXPECT_EQ(a.rating, b.rating);
  EXPECT_EQ(a.inbound_id, b.inbound_id);
  EXPECT_EQ(a.accept_deadline, b.accept_deadline);
  EXPECT_EQ(a.resolve_deadline, b.resolve_deadline);
  EXPECT_EQ(a.escalation_level, b.escalation_level);
  EXPECT_EQ(a.reopen_count, b.reopen_count);
  EXPECT_EQ(a.handback_count, b.handback_count);
  EXPECT_EQ(a.problem, b.problem);
  EXPECT_EQ(a.reminded_for, b.reminded_for);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.raised_by, b.raised_by);
  EXPECT_EQ(a.team, b.team);
  EXPECT_DOUBLE_EQ(a.confidence, b.confidence);
  EXPECT_EQ(a.needs_review, b.needs_review);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lianxin-store-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

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
    auto taken = store.take_sendable(at(10), 10);
    ASSERT_TRUE(taken) << taken.message;
    ASSERT_EQ(taken.value.size(), 1u);
    EXPECT_EQ(taken.value[0].id, 3);
    EXPECT_EQ(taken.value[0].request.audience, domain::Audience::member);
    EXPECT_FALSE(taken.value[0].request.not_before);
    EXPECT_FALSE(taken.value[0].request.expires_at);

    // A receipt for the SMS submitted before the upgrade still matches (decimal of 0x1a2b).
    auto receipt =
        store.apply_receipt({"cmcc-2", "6699", sms::DeliveryState::delivered, "", at(20)});
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
  auto first = store.insert_inbox(on_bind(sms_part("路灯坏了", at(0)), 1));
  ASSERT_TRUE(first) << first.message;
  EXPECT_FALSE(first.value.duplicate);

  auto again = store.insert_inbox(on_bind(sms_part("路灯坏了", at(90)), 2));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value.duplicate);
  EXPECT_EQ(again.value.id, first.value.id);

  auto later = store.insert_inbox(on_bind(sms_part("路灯坏了", at(121)), 3));
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
  auto first = store.insert_inbox(part);
  part.received_at = at(5);
  auto second = store.insert_inbox(part);
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
  ASSERT_FALSE(store.insert_inbox(base).value.duplicate);

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
    auto r = store.insert_inbox(variants[i]);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r.value.duplicate) << "variant " << i;
  }
  EXPECT_TRUE(store.insert_inbox(resent).value.duplicate);
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
    ASSERT_TRUE(store.mark_processed({done_id}, at(5)));
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

  auto first = store.take_sendable(at(3), 2);
  ASSERT_TRUE(first) << first.message;
  ASSERT_EQ(first.value.size(), 2u);
  EXPECT_EQ(first.value[0].id, urgent);  // urgent first, then oldest
  EXPECT_EQ(first.value[1].id, a);
  EXPECT_EQ(first.value[0].state, OutboxState::sending);
  EXPECT_EQ(first.value[0].attempts, 1);
  EXPECT_EQ(first.value[1].request.text, "a");

  auto second = store.take_sendable(at(3), 10);
  ASSERT_EQ(second.value.size(), 1u);
  EXPECT_EQ(second.value[0].id, b);
  EXPECT_TRUE(store.take_sendable(at(3), 10).value.empty());

  ASSERT_TRUE(store.mark_submitted({urgent, "cmcc-1", {"abc"}, at(4)}));
  ASSERT_TRUE(store.mark_retry({a, "ESME_RTHROTTLED", at(60), at(4)}));
  ASSERT_TRUE(store.mark_failed({b, "ESME_RINVDSTADR", at(4)}));

  EXPECT_EQ(store.find_outbox(urgent).value->state, OutboxState::submitted);
  EXPECT_EQ(store.find_outbox(urgent).value->connection, "cmcc-1");
  auto failed = store.find_outbox(b).value;
  EXPECT_EQ(failed->state, OutboxState::failed);
  EXPECT_EQ(failed->last_error, "ESME_RINVDSTADR");

  // The retry waits for its time, then goes out again as attempt 2.
  EXPECT_TRUE(store.take_sendable(at(59), 10).value.empty());
  auto retry = store.take_sendable(at(60), 10);
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
    ASSERT_TRUE(store.mark_submitted({submitted, "cmcc-1", {"77"}, at(2)}));
  }  // "crash": the SMSC never answered for in_flight

  Store store = Store::open(path);
  auto recovered = store.recover(at(100));
  ASSERT_TRUE(recovered) << recovered.message;
  EXPECT_EQ(recovered.value, 1u);
  EXPECT_EQ(store.outbox_counts().value[OutboxState::sending], 0);

  auto again = store.take_sendable(at(100), 10);
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

  EXPECT_TRUE(store.take_sendable(at(61), 10).value.empty());
  EXPECT_EQ(store.find_outbox(stale_id).value->state, OutboxState::expired);
  EXPECT_EQ(store.find_outbox(night_id).value->state, OutboxState::queued);

  auto morning = store.take_sendable(at(8 * 3600), 10);
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
  ASSERT_TRUE(store.apply_effects(effects, "10086", at(0)));
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

// ---------------------------------------------------------------- receipts

struct ReceiptCase {
  const char* submitted_id;
  const char* receipt_id;
};

class StoreReceiptIds : public ::testing::TestWithParam<ReceiptCase> {};

TEST_P(StoreReceiptIds, MatchesEverySpelling) {
  Store store = Store::open(":memory:");
  const std::int64_t id = store.enqueue(sms_to("+8613900000001", "x", at(0))).value;
  ASSERT_EQ(store.take_sendable(at(0), 1).value.size(), 1u);
  ASSERT_TRUE(store.mark_submitted({id, "cmcc-1", {GetParam().submitted_id}, at(1)}));
  auto match = store.apply_receipt(
      {"cmcc-1", GetParam().receipt_id, sms::DeliveryState::delivered, "", at(2)});
  ASSERT_TRUE(match) << match.message;
  ASSERT_TRUE(match.value.outbox_id) << GetParam().submitted_id << " vs " << GetParam().receipt_id;
  EXPECT_EQ(*match.value.outbox_id, id);
  EXPECT_EQ(match.value.message_state, OutboxState::delivered);
  EXPECT_EQ(store.find_outbox(id).value->state, OutboxState::delivered);
}

INSTANTIATE_TEST_SUITE_P(Variants, StoreReceiptIds,
                         ::testing::Values(ReceiptCase{"1a2b", "6699"},   // hex → decimal
                                           ReceiptCase{"6699", "1A2B"},   // decimal → hex
                                           ReceiptCase{"000123", "123"},  // leading zeros
                                           ReceiptCase{"123", "0000123"},
                                           ReceiptCase{"ABCDEF01", "abcdef01"},  // case
                                           ReceiptCase{" 42 ", "42"},
                                           ReceiptCase{"f3e1c0d2-77", "F3E1C0D2-77"}));

TEST(StoreReceipts, MultipartIsDeliveredWhenEveryPartIs) {
  Store store = Store::open(":memory:");
  const std::int64_t id = store.enqueue(sms_to("+8613900000001", "long", at(0))).value;
  store.take_sendable(at(0), 1);
  ASSERT_TRUE(store.mark_submitted({id, "cmcc-1", {"100", "101", "102"}, at(1)}));

  auto r1 = store.apply_receipt({"cmcc-1", "101", sms::DeliveryState::delivered, "", at(2)});
  EXPECT_EQ(r1.value.outbox_id, id);
  EXPECT_EQ(r1.value.part, 1);
  EXPECT_EQ(r1.value.message_state, OutboxState::submitted);
  auto r2 = store.apply_receipt({"cmcc-1", "64", sms::DeliveryState::delivered, "", at(3)});
  EXPECT_EQ(r2.value.part, 0);  // 0x64 == 100
  EXPECT_EQ(r2.value.message_state, OutboxState::submitted);
  // An intermediate notification matches but changes nothing.
  auto enroute = store.apply_receipt({"cmcc-1", "102", sms::DeliveryState::enroute, "", at(4)});
  EXPECT_EQ(enroute.value.part, 2);
  EXPECT_EQ(enroute.value.message_state, OutboxState::submitted);
  auto r3 = store.apply_receipt({"cmcc-2", "102", sms::DeliveryState::delivered, "", at(5)});
  EXPECT_EQ(r3.value.message_state, OutboxState::delivered);

  auto row = store.find_outbox(id).value;
  ASSERT_EQ(row->parts.size(), 3u);
  for (const OutboxPart& p : row->parts) EXPECT_EQ(p.state, OutboxState::delivered);
  EXPECT_EQ(row->parts[2].message_id, "102");
}

TEST(StoreReceipts, AReceiptBeforeItsIdIsKeptAndAppliedWhenTheIdComes) {
  TempDir dir;
  Store store = Store::open(dir.file("early.sqlite"));
  const std::int64_t id = store.enqueue(sms_to("+8613900000001", "long", at(0))).value;
  store.take_sendable(at(0), 1);
  // Part 1 was accepted and delivered while part 3 still waited for the link's TPS: its
  // receipt names an id no segment has yet.
  WriteBatch early;
  early.receipts.push_back({"cmcc-1", "100", sms::DeliveryState::delivered, "", at(1)});
  early.receipts.push_back({"cmcc-1", "999", sms::DeliveryState::enroute, "", at(1)});
  CommitResult first = store.commit(early);
  ASSERT_TRUE(first);
  ASSERT_EQ(first.receipts.size(), 2u);
  EXPECT_FALSE(first.receipts[0].outbox_id);
  EXPECT_TRUE(first.receipts[0].kept);
  EXPECT_FALSE(first.receipts[1].kept);  // not final: nothing to keep
  // The last submit_sm_resp gives every part its id (decimal 256 is 0x100): applied at once.
  WriteBatch submitted;
  submitted.submitted.push_back({id, "cmcc-1", {"256", "257", "258"}, at(2)});
  CommitResult second = store.commit(submitted);
  ASSERT_TRUE(second);
  ASSERT_EQ(second.early_receipts.size(), 1u);
  EXPECT_EQ(second.early_receipts[0].match.outbox_id, id);
  EXPECT_EQ(second.early_receipts[0].match.part, 0);
  EXPECT_EQ(second.early_receipts[0].state, "DELIVRD");
  EXPECT_EQ(second.early_receipts[0].match.message_state, OutboxState::submitted);
  ASSERT_TRUE(store.apply_receipt({"cmcc-1", "257", sms::DeliveryState::delivered, "", at(3)}));
  auto last = store.apply_receipt({"cmcc-1", "258", sms::DeliveryState::delivered, "", at(4)});
  EXPECT_EQ(last.value.message_state, OutboxState::delivered);
  // Used once: a later message reusing the id does not get it again.
  SQLite::Database db(dir.file("early.sqlite"));
  EXPECT_EQ(db.execAndGet("SELECT count(*) FROM early_receipts").getInt(), 0);
}

TEST(StoreReceipts, TheTicketsSmsShowHowFarEachPartGot) {
  TempDir dir;
  const std::string path = dir.file("sms.sqlite");
  {
    Store store = Store::open(path);
    OutboxRequest long_one = sms_to("+8613900000001", "long", at(0));
    long_one.ticket = 7;
    OutboxRequest short_one = sms_to("+8613900000002", "short", at(1));
    short_one.ticket = 7;
    const std::int64_t a = store.enqueue(long_one).value;
    const std::int64_t b = store.enqueue(short_one).value;
    store.take_sendable(at(2), 2);
    ASSERT_TRUE(store.mark_submitted({a, "c", {"1", "2", "3"}, at(3)}));
    ASSERT_TRUE(store.mark_submitted({b, "c", {"4"}, at(3)}));
    ASSERT_TRUE(store.apply_receipt({"c", "1", sms::DeliveryState::delivered, "", at(4)}));
    ASSERT_TRUE(store.apply_receipt({"c", "3", sms::DeliveryState::delivered, "", at(4)}));
  }
  store::ReportReader reader = store::ReportReader::open(path);
  auto sms = reader.sms_of(7);
  ASSERT_TRUE(sms) << sms.message;
  ASSERT_EQ(sms.value.size(), 2u);
  EXPECT_EQ(sms.value[0].to, "+8613900000001");
  EXPECT_EQ(sms.value[0].state, "submitted");  // part 2 is not delivered yet
  EXPECT_EQ(sms.value[0].parts, 3);
  EXPECT_EQ(sms.value[0].parts_delivered, 2);
  EXPECT_EQ(sms.value[1].parts, 1);
  EXPECT_TRUE(reader.sms_of(8).value.empty());
}

TEST(StoreReceipts, KeptReceiptsAreDroppedAfterADay) {
  TempDir dir;
  Store store = Store::open(dir.file("old.sqlite"));
  ASSERT_TRUE(store.apply_receipt({"c", "1", sms::DeliveryState::delivered, "", at(0)}));
  ASSERT_TRUE(store.apply_receipt({"c", "2", sms::DeliveryState::delivered, "",
                                   at(0) + store::kEarlyReceiptKeep + std::chrono::seconds(1)}));
  SQLite::Database db(dir.file("old.sqlite"));
  EXPECT_EQ(db.execAndGet("SELECT group_concat(message_id) FROM early_receipts").getString(), "2");
}

TEST(StoreReceipts, OneFailedPartFailsTheMessage) {
  Store store = Store::open(":memory:");
  const std::int64_t id = store.enqueue(sms_to("+8613900000001", "long", at(0))).value;
  store.take_sendable(at(0), 1);
  ASSERT_TRUE(store.mark_submitted({id, "cmcc-1", {"a1", "a2"}, at(1)}));
  auto r =
      store.apply_receipt({"cmcc-1", "A2", sms::DeliveryState::undeliverable, "err:005", at(2)});
  EXPECT_EQ(r.value.message_state, OutboxState::failed);
  auto row = store.find_outbox(id).value;
  EXPECT_EQ(row->state, OutboxState::failed);
  EXPECT_EQ(row->last_error, "err:005");
  // A late success for the other part does not resurrect it.
  auto late = store.apply_receipt({"cmcc-1", "a1", sms::DeliveryState::delivered, "", at(3)});
  EXPECT_EQ(late.value.message_state, OutboxState::failed);
}

TEST(StoreReceipts, UnknownIdsMatchNothingAndExactBeatsAnotherSpelling) {
  Store store = Store::open(":memory:");
  // The exact match is the older row, so "newest first" alone would pick the wrong one.
  const std::int64_t dec16 = store.enqueue(sms_to("+8613900000002", "q", at(0))).value;
  const std::int64_t hex10 = store.enqueue(sms_to("+8613900000001", "p", at(0))).value;
  store.take_sendable(at(0), 2);
  // "10" read as hex is 16: both rows are candidates for a receipt saying "16".
  ASSERT_TRUE(store.mark_submitted({hex10, "cmcc-1", {"10"}, at(1)}));
  ASSERT_TRUE(store.mark_submitted({dec16, "cmcc-1", {"16"}, at(1)}));
  auto exact = store.apply_receipt({"cmcc-1", "16", sms::DeliveryState::delivered, "", at(2)});
  EXPECT_EQ(exact.value.outbox_id, dec16);

  auto none =
      store.apply_receipt({"cmcc-1", "deadbeefcafe", sms::DeliveryState::delivered, "", at(3)});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value.outbox_id);
  auto blank = store.apply_receipt({"cmcc-1", "  ", sms::DeliveryState::delivered, "", at(3)});
  EXPECT_FALSE(blank.value.outbox_id);
  EXPECT_EQ(store.find_outbox(hex10).value->state, OutboxState::submitted);
}

TEST(StoreReceipts, SameIdOnTwoLinksPrefersTheReceiptsLink) {
  Store store = Store::open(":memory:");
  const std::int64_t one = store.enqueue(sms_to("+8613900000001", "p", at(0))).value;
  const std::int64_t two = store.enqueue(sms_to("+8613900000002", "q", at(0))).value;
  store.take_sendable(at(0), 2);
  ASSERT_TRUE(store.mark_submitted({one, "cmcc-1", {"555"}, at(1)}));
  ASSERT_TRUE(store.mark_submitted({two, "unicom-1", {"555"}, at(1)}));
  auto r = store.apply_receipt({"cmcc-1", "555", sms::DeliveryState::delivered, "", at(2)});
  EXPECT_EQ(r.value.outbox_id, one);
  r = store.apply_receipt({"unicom-1", "555", sms::DeliveryState::expired, "", at(2)});
  EXPECT_EQ(r.value.outbox_id, two);
  EXPECT_EQ(r.value.message_state, OutboxState::expired);
}

// ---------------------------------------------------------------- tickets

TEST(StoreTickets, UpsertRoundTripsEveryField) {
  TempDir dir;
  const std::string path = dir.file("t.sqlite");
  Ticket t = full_ticket(7);
  Ticket closed = full_ticket(8);
  closed.state = TicketState::closed;
  closed.grid.reset();
  closed.assignee.reset();
  closed.tried.clear();
  closed.notes.clear();
  closed.dispatched_at.reset();
  closed.location_deadline.reset();
  closed.closed_at = at(900);
  closed.close_reason = domain::CloseReason::rated;
  closed.rating = 4;
  closed.inbound_id.reset();
  closed.urgent = false;
  {
    Store store = Store::open(path);
    WriteBatch batch;
    batch.tickets = {t, closed};
    ASSERT_TRUE(store.commit(batch));
  }
  Store store = Store::open(path);
  auto loaded = store.find_ticket(7);
  ASSERT_TRUE(loaded) << loaded.message;
  ASSERT_TRUE(loaded.value);
  expect_same_ticket(*loaded.value, t);
  auto loaded_closed = store.find_ticket(8);
  ASSERT_TRUE(loaded_closed.value);
  expect_same_ticket(*loaded_closed.value, closed);
  EXPECT_FALSE(store.find_ticket(9).value);

  // Upsert replaces the row: the last version in a batch wins.
  Ticket accepted = t;
  accepted.state = TicketState::accepted;
  accepted.notes.push_back({at(700), "m-wang", "到了"});
  Ticket closed_again = accepted;
  closed_again.state = TicketState::closed;
  closed_again.rating = 5;
  WriteBatch batch;
  batch.tickets = {accepted, closed_again};
  ASSERT_TRUE(store.commit(batch));
  expect_same_ticket(*store.find_ticket(7).value, closed_again);
}

TEST(StoreTickets, CorrectionsAreKeptForTraining) {
  TempDir dir;
  const std::string path = dir.file("c.sqlite");
  {
    Store store = Store::open(path);
    domain::Effects effects;
    effects.corrections.push_back(
        {7, "桥头那边不太对劲", "road", "safety", true, "operator:alice", "桥要塌", at(60)});
    effects.corrections.push_back(
        {8, "灯一闪一闪", "other", "streetlight", false, "operator:bob", "", at(120)});
    WriteBatch batch;
    batch.add(effects, "test", at(120));
    EXPECT_FALSE(batch.empty());
    ASSERT_TRUE(store.commit(batch));
  }
  store::ReportReader reader = store::ReportReader::open(path);
  auto corrections = reader.corrections();
  ASSERT_TRUE(corrections) << corrections.message;
  ASSERT_EQ(corrections.value.size(), 2u);
  EXPECT_EQ(corrections.value[0].ticket, 7);
  EXPECT_EQ(corrections.value[0].text, "桥头那边不太对劲");
  EXPECT_EQ(corrections.value[0].from_category, "road");
  EXPECT_EQ(corrections.value[0].to_category, "safety");
  EXPECT_TRUE(corrections.value[0].urgent);
  EXPECT_EQ(corrections.value[0].actor, "operator:alice");
  EXPECT_EQ(corrections.value[0].reason, "桥要塌");
  EXPECT_EQ(corrections.value[0].at, at(60));
  EXPECT_EQ(corrections.value[1].to_category, "streetlight");
}

TEST(StoreTickets, ReviewQueueFromTheReportReader) {
  TempDir dir;
  const std::string path = dir.file("r.sqlite");
  {
    Store store = Store::open(path);
    Ticket waiting = full_ticket(1);
    waiting.state = TicketState::dispatched;
    Ticket sure = full_ticket(2);
    sure.needs_review = false;
    WriteBatch batch;
    batch.tickets = {waiting, sure};
    ASSERT_TRUE(store.commit(batch));
  }
  store::ReportReader reader = store::ReportReader::open(path);
  store::TicketQuery query;
  query.review_only = true;
  auto found = reader.tickets(query);
  ASSERT_TRUE(found) << found.message;
  ASSERT_EQ(found.value.size(), 1u);
  EXPECT_EQ(found.value[0].number, 1);
  EXPECT_TRUE(found.value[0].needs_review);
  EXPECT_DOUBLE_EQ(found.value[0].confidence, 0.42);
}

TEST(StoreTickets, HistoryKeepsOrderAcrossBatches) {
  Store store = Store::open(":memory:");
  Ticket t = full_ticket(1);
  WriteBatch first;
  first.tickets.push_back(t);
  first.events.push_back({1, std::nullopt, TicketState::new_, "+8613900000001", at(0), "report"});
  first.events.push_back({1, TicketState::new_, TicketState::dispatched, "system", at(0), "grid"});
  ASSERT_TRUE(store.commit(first));
  WriteBatch second;
  second.events.push_back({1, TicketState::dispatched, TicketState::accepted, "m-wang", at(9), ""});
  second.events.push_back(
      {1, TicketState::accepted, TicketState::accepted, "m-wang", at(10), "note: 马上到"});
  ASSERT_TRUE(store.commit(second));

  auto history = store.ticket_history(1);
  ASSERT_TRUE(history) << history.message;
  ASSERT_EQ(history.value.size(), 4u);
  EXPECT_FALSE(history.value[0].from);
  EXPECT_EQ(history.value[0].to, TicketState::new_);
  EXPECT_EQ(history.value[0].actor, "+8613900000001");
  EXPECT_EQ(history.value[1].to, TicketState::dispatched);
  EXPECT_EQ(history.value[2].actor, "m-wang");
  EXPECT_EQ(history.value[2].at, at(9));
  EXPECT_EQ(history.value[3].reason, "note: 马上到");
  EXPECT_TRUE(store.ticket_history(2).value.empty());
}

TEST(StoreTickets, PointsTotalsAndLedger) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  batch.points = {{"m-wang", 1, 10, "rating 5", at(0)},
                  {"m-li", 2, 4, "rating 2", at(1)},
                  {"m-wang", 3, 6, "rating 3", at(2)},
                  {"m-wang", 0, -2, "meeting absence", at(3)}};
  ASSERT_TRUE(store.commit(batch));
  auto totals = store.points_totals();
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals.value.size(), 2u);
  EXPECT_EQ(totals.value["m-wang"], 14);
  EXPECT_EQ(totals.value["m-li"], 4);
  EXPECT_EQ(store.points_of("m-wang").value, 14);
  EXPECT_EQ(store.points_of("m-nobody").value, 0);
  auto ledger = store.points_history("m-wang").value;
  ASSERT_EQ(ledger.size(), 3u);
  EXPECT_EQ(ledger[2].ticket, 0);
  EXPECT_EQ(ledger[2].points, -2);
  EXPECT_EQ(ledger[1].reason, "rating 3");
  EXPECT_EQ(ledger[1].at, at(2));
}

TEST(StoreTickets, CounterNeverGoesBackAndRestoreNeverReusesANumber) {
  Store store = Store::open(":memory:");
  EXPECT_FALSE(store.next_ticket_number().value);
  EXPECT_EQ(store.restored_state(at(0), hours(24)).value.next_ticket_number, 0);

  WriteBatch a;
  a.next_ticket_number = 20;
  ASSERT_TRUE(store.commit(a));
  WriteBatch b;
  b.next_ticket_number = 15;
  ASSERT_TRUE(store.commit(b));
  EXPECT_EQ(store.next_ticket_number().value, 20);

  WriteBatch c;
  c.tickets.push_back(full_ticket(30));  // e.g. imported by an operator
  ASSERT_TRUE(store.commit(c));
  EXPECT_EQ(store.restored_state(at(0), hours(24)).value.next_ticket_number, 31);
}

TEST(StoreTickets, RestoredStateHasOpenAndRecentlyFinishedTickets) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  const auto ticket = [](domain::TicketNo n, TicketState state, TimePoint updated) {
    Ticket t = full_ticket(n);
    t.state = state;
    t.updated_at = updated;
    return t;
  };
  batch.tickets = {ticket(1, TicketState::dispatched, at(0)),
                   ticket(2, TicketState::closed, at(0)),           // long ago
                   ticket(3, TicketState::closed, at(10 * 86400)),  // recent
                   ticket(4, TicketState::awaiting_location, at(0)),
                   ticket(5, TicketState::cancelled, at(0)),
                   ticket(6, TicketState::resolved, at(0))};
  batch.next_ticket_number = 7;
  batch.points = {{"m-wang", 2, 8, "rating 4", at(0)}};
  ASSERT_TRUE(store.commit(batch));

  auto restored = store.restored_state(at(11 * 86400), hours(7 * 24));
  ASSERT_TRUE(restored) << restored.message;
  std::vector<domain::TicketNo> numbers;
  for (const Ticket& t : restored.value.tickets) numbers.push_back(t.number);
  EXPECT_EQ(numbers, (std::vector<domain::TicketNo>{1, 3, 4, 6}));
  EXPECT_EQ(restored.value.next_ticket_number, 7);
  EXPECT_EQ(restored.value.points_totals.at("m-wang"), 8);
}

TEST(StoreTickets, FiltersAndCounts) {
  Store store = Store::open(":memory:");
  struct Row {
    domain::TicketNo number;
    TicketState state;
    const char* grid;
    const char* assignee;
    const char* category;
    std::int64_t created;
    std::optional<int> rating;
  };
  const std::vector<Row> rows{
      {1, TicketState::closed, "g-daxi", "m-wang", "streetlight", 0, 5},
      {2, TicketState::closed, "g-daxi", "m-li", "leak", 100, 3},
      {3, TicketState::dispatched, "g-daxi", "m-wang", "leak", 200, std::nullopt},
      {4, TicketState::accepted, "g-shitang", "m-sun", "garbage", 300, std::nullopt},
      {5, TicketState::closed, "g-shitang", "m-sun", "streetlight", 400, 0},
      {6, TicketState::invalid, "g-shitang", "m-sun", "other", 500, std::nullopt},
  };
  WriteBatch batch;
  for (const Row& row : rows) {
    Ticket t = full_ticket(row.number);
    t.state = row.state;
    t.grid = row.grid;
    t.assignee = row.assignee;
    t.category = row.category;
    t.created_at = at(row.created);
    t.rating = row.rating;
    batch.tickets.push_back(t);
  }
  ASSERT_TRUE(store.commit(batch));

  const auto numbers = [&](const TicketFilter& f) {
    auto listed = store.list_tickets(f);
    EXPECT_TRUE(listed) << listed.message;
    std::vector<domain::TicketNo> out;
    for (const Ticket& t : listed.value) out.push_back(t.number);
    return out;
  };
  using Numbers = std::vector<domain::TicketNo>;
  EXPECT_EQ(numbers({}), (Numbers{6, 5, 4, 3, 2, 1}));
  TicketFilter f;
  f.states = {TicketState::closed};
  EXPECT_EQ(numbers(f), (Numbers{5, 2, 1}));
  f = {};
  f.grid = "g-daxi";
  f.newest_first = false;
  EXPECT_EQ(numbers(f), (Numbers{1, 2, 3}));
  f = {};
  f.assignee = "m-wang";
  EXPECT_EQ(numbers(f), (Numbers{3, 1}));
  f = {};
  f.category = "leak";
  f.states = {TicketState::dispatched, TicketState::accepted};
  EXPECT_EQ(numbers(f), (Numbers{3}));
  f = {};
  f.created_from = at(100);
  f.created_to = at(400);
  EXPECT_EQ(numbers(f), (Numbers{4, 3, 2}));
  f = {};
  f.limit = 2;
  f.offset = 1;
  EXPECT_EQ(numbers(f), (Numbers{5, 4}));
  f = {};
  f.offset = 4;
  EXPECT_EQ(numbers(f), (Numbers{2, 1}));
  f = {};
  f.grid = "g-nowhere";
  EXPECT_TRUE(numbers(f).empty());

  auto all = store.count_tickets({});
  ASSERT_TRUE(all) << all.message;
  EXPECT_EQ(all.value.total, 6);
  EXPECT_EQ(all.value.by_state[TicketState::closed], 3);
  EXPECT_EQ(all.value.by_state[TicketState::invalid], 1);
  EXPECT_EQ(all.value.rated, 2);  // a 0 (reopen) is not a rating
  EXPECT_DOUBLE_EQ(all.value.average_rating(), 4.0);
  TicketFilter shitang;
  shitang.grid = "g-shitang";
  auto counts = store.count_tickets(shitang).value;
  EXPECT_EQ(counts.total, 3);
  EXPECT_EQ(counts.rated, 0);
  EXPECT_DOUBLE_EQ(counts.average_rating(), 0.0);
}

TEST(StoreSubscriptions, OptOutAndBackIn) {
  Store store = Store::open(":memory:");
  EXPECT_TRUE(store.is_subscribed("+8613900000001").value);
  WriteBatch batch;
  batch.subscriptions = {{"+8613900000001", false, at(0)}, {"+8613900000002", false, at(1)}};
  ASSERT_TRUE(store.commit(batch));
  EXPECT_FALSE(store.is_subscribed("+8613900000001").value);
  batch.subscriptions = {{"+8613900000002", true, at(2)}};
  ASSERT_TRUE(store.commit(batch));
  EXPECT_EQ(store.unsubscribed().value, std::vector<std::string>{"+8613900000001"});
}

// ---------------------------------------------------------------- engine effects, group commit

TEST(StoreBatch, EngineEffectsGoInOneCommitWithTheInboxAndTheTake) {
  Store store = Store::open(":memory:");
  auto inbound = store.insert_inbox(sms_part("路灯坏了", at(0)));
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
  effects.logs.push_back({domain::LogLevel::info, "ticket 1 created", 1});

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
  auto ok = store.insert_inbox(sms_part("会被回滚", at(1)));
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
  EXPECT_EQ(store.take_sendable(at(5), 10).value.size(), 1u);
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

// ---------------------------------------------------------------- encodings

TEST(StoreCodec, JsonRoundTripsAndReadsHandWrittenEscapes) {
  const std::vector<std::string> items{"", "m-wang", "引号\"和\\反斜杠", "\n\t\x01", "😀"};
  auto back = codec::decode_strings(codec::encode_strings(items));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, items);

  auto hand = codec::decode_strings(R"( [ "\u738b", "\ud83d\ude00" , "a\/b" ] )");
  ASSERT_TRUE(hand);
  EXPECT_EQ(*hand, (std::vector<std::string>{"王", "😀", "a/b"}));

  for (const char* bad :
       {"", "[", "[\"a\"", "[\"a\",]", "[1]", "[\"\\ud83d\"]", "[\"a\"] x", "[\"\\q\"]"}) {
    EXPECT_FALSE(codec::decode_strings(bad)) << bad;
  }
  auto notes = codec::decode_notes(R"([[1709280000123,"m-li","到了"]])");
  ASSERT_TRUE(notes);
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].at, TimePoint{} + milliseconds(1709280000123));
  EXPECT_FALSE(codec::decode_notes(R"([["x","m-li","到了"]])"));
}

TEST(StoreCodec, ContentHashCoversTheKeyAndIsStable) {
  InboxPart a = sms_part("abc", at(0));
  InboxPart b = a;
  b.received_at = at(100);  // time is not part of the key
  EXPECT_EQ(codec::content_hash(a), codec::content_hash(b));
  b.payload = bytes("abd");
  EXPECT_NE(codec::content_hash(a), codec::content_hash(b));
  // Field borders matter: ("ab","c") differs from ("a","bc").
  InboxPart c = a, d = a;
  c.connection = "ab";
  c.source = "c";
  d.connection = "a";
  d.source = "bc";
  EXPECT_NE(codec::content_hash(c), codec::content_hash(d));
}

}  // namespace
}  // namespace lianxin::store
