// Storage: receipts matched to the outbox, tickets and their history, points, counters,
// filters, subscriptions, the column encodings.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/store/codec.hpp"
#include "daemon/store/reports.hpp"
#include "daemon/store/store.hpp"
#include "tests/unit/store_fixture.hpp"
#include "tests/unit/store_steps.hpp"

namespace lianxin::store {
namespace {

using namespace testing;  // store_fixture.hpp: times, parts, tickets, the names they use

// ---------------------------------------------------------------- receipts

struct ReceiptCase {
  const char* submitted_id;
  const char* receipt_id;
};

class StoreReceiptIds : public ::testing::TestWithParam<ReceiptCase> {};

TEST_P(StoreReceiptIds, MatchesEverySpelling) {
  Store store = Store::open(":memory:");
  const std::int64_t id = store.enqueue(sms_to("+8613900000001", "x", at(0))).value;
  ASSERT_EQ(take_sendable(store, at(0), 1).value.size(), 1u);
  ASSERT_TRUE(mark_submitted(store, {id, "cmcc-1", {GetParam().submitted_id}, at(1)}));
  auto match = apply_receipt(
      store, {"cmcc-1", GetParam().receipt_id, sms::DeliveryState::delivered, "", at(2)});
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
  take_sendable(store, at(0), 1);
  ASSERT_TRUE(mark_submitted(store, {id, "cmcc-1", {"100", "101", "102"}, at(1)}));

  auto r1 = apply_receipt(store, {"cmcc-1", "101", sms::DeliveryState::delivered, "", at(2)});
  EXPECT_EQ(r1.value.outbox_id, id);
  EXPECT_EQ(r1.value.part, 1);
  EXPECT_EQ(r1.value.message_state, OutboxState::submitted);
  auto r2 = apply_receipt(store, {"cmcc-1", "64", sms::DeliveryState::delivered, "", at(3)});
  EXPECT_EQ(r2.value.part, 0);  // 0x64 == 100
  EXPECT_EQ(r2.value.message_state, OutboxState::submitted);
  // An intermediate notification matches but changes nothing.
  auto enroute = apply_receipt(store, {"cmcc-1", "102", sms::DeliveryState::enroute, "", at(4)});
  EXPECT_EQ(enroute.value.part, 2);
  EXPECT_EQ(enroute.value.message_state, OutboxState::submitted);
  auto r3 = apply_receipt(store, {"cmcc-2", "102", sms::DeliveryState::delivered, "", at(5)});
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
  take_sendable(store, at(0), 1);
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
  ASSERT_TRUE(apply_receipt(store, {"cmcc-1", "257", sms::DeliveryState::delivered, "", at(3)}));
  auto last = apply_receipt(store, {"cmcc-1", "258", sms::DeliveryState::delivered, "", at(4)});
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
    take_sendable(store, at(2), 2);
    ASSERT_TRUE(mark_submitted(store, {a, "c", {"1", "2", "3"}, at(3)}));
    ASSERT_TRUE(mark_submitted(store, {b, "c", {"4"}, at(3)}));
    ASSERT_TRUE(apply_receipt(store, {"c", "1", sms::DeliveryState::delivered, "", at(4)}));
    ASSERT_TRUE(apply_receipt(store, {"c", "3", sms::DeliveryState::delivered, "", at(4)}));
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
  ASSERT_TRUE(apply_receipt(store, {"c", "1", sms::DeliveryState::delivered, "", at(0)}));
  ASSERT_TRUE(apply_receipt(store, {"c", "2", sms::DeliveryState::delivered, "",
                                    at(0) + store::kEarlyReceiptKeep + std::chrono::seconds(1)}));
  SQLite::Database db(dir.file("old.sqlite"));
  EXPECT_EQ(db.execAndGet("SELECT group_concat(message_id) FROM early_receipts").getString(), "2");
}

TEST(StoreReceipts, OneFailedPartFailsTheMessage) {
  Store store = Store::open(":memory:");
  const std::int64_t id = store.enqueue(sms_to("+8613900000001", "long", at(0))).value;
  take_sendable(store, at(0), 1);
  ASSERT_TRUE(mark_submitted(store, {id, "cmcc-1", {"a1", "a2"}, at(1)}));
  auto r =
      apply_receipt(store, {"cmcc-1", "A2", sms::DeliveryState::undeliverable, "err:005", at(2)});
  EXPECT_EQ(r.value.message_state, OutboxState::failed);
  auto row = store.find_outbox(id).value;
  EXPECT_EQ(row->state, OutboxState::failed);
  EXPECT_EQ(row->last_error, "err:005");
  // A late success for the other part does not resurrect it.
  auto late = apply_receipt(store, {"cmcc-1", "a1", sms::DeliveryState::delivered, "", at(3)});
  EXPECT_EQ(late.value.message_state, OutboxState::failed);
}

TEST(StoreReceipts, UnknownIdsMatchNothingAndExactBeatsAnotherSpelling) {
  Store store = Store::open(":memory:");
  // The exact match is the older row, so "newest first" alone would pick the wrong one.
  const std::int64_t dec16 = store.enqueue(sms_to("+8613900000002", "q", at(0))).value;
  const std::int64_t hex10 = store.enqueue(sms_to("+8613900000001", "p", at(0))).value;
  take_sendable(store, at(0), 2);
  // "10" read as hex is 16: both rows are candidates for a receipt saying "16".
  ASSERT_TRUE(mark_submitted(store, {hex10, "cmcc-1", {"10"}, at(1)}));
  ASSERT_TRUE(mark_submitted(store, {dec16, "cmcc-1", {"16"}, at(1)}));
  auto exact = apply_receipt(store, {"cmcc-1", "16", sms::DeliveryState::delivered, "", at(2)});
  EXPECT_EQ(exact.value.outbox_id, dec16);

  auto none =
      apply_receipt(store, {"cmcc-1", "deadbeefcafe", sms::DeliveryState::delivered, "", at(3)});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value.outbox_id);
  auto blank = apply_receipt(store, {"cmcc-1", "  ", sms::DeliveryState::delivered, "", at(3)});
  EXPECT_FALSE(blank.value.outbox_id);
  EXPECT_EQ(store.find_outbox(hex10).value->state, OutboxState::submitted);
}

TEST(StoreReceipts, SameIdOnTwoLinksPrefersTheReceiptsLink) {
  Store store = Store::open(":memory:");
  const std::int64_t one = store.enqueue(sms_to("+8613900000001", "p", at(0))).value;
  const std::int64_t two = store.enqueue(sms_to("+8613900000002", "q", at(0))).value;
  take_sendable(store, at(0), 2);
  ASSERT_TRUE(mark_submitted(store, {one, "cmcc-1", {"555"}, at(1)}));
  ASSERT_TRUE(mark_submitted(store, {two, "unicom-1", {"555"}, at(1)}));
  auto r = apply_receipt(store, {"cmcc-1", "555", sms::DeliveryState::delivered, "", at(2)});
  EXPECT_EQ(r.value.outbox_id, one);
  r = apply_receipt(store, {"unicom-1", "555", sms::DeliveryState::expired, "", at(2)});
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
