// Tickets in the store: the TicketBook on its own (summaries, reading back, release), and an
// engine that reads its tickets from a repository answering exactly as one that holds them all.
#include "daemon/domain/ticket_book.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/stored_tickets.hpp"

namespace lianxin::domain::testing {
namespace {

using namespace std::chrono_literals;

const TimePoint kT0 = TimePoint{} + 20574 * 24h + 8h;

std::string timers_digest(std::vector<TimerRequest> timers) {
  Effects effects;
  effects.timers = std::move(timers);
  return digest(effects);
}

Ticket open_ticket(TicketNo number) {
  Ticket t;
  t.number = number;
  t.reporter = kZhangPhone;
  t.state = TicketState::dispatched;
  t.assignee = "m-wang";
  t.accept_deadline = kT0 + 4h;
  t.resolve_deadline = kT0 + 72h;
  return t;
}

TEST(TicketBook, WithARepositoryTicketsLeaveMemoryOnReleaseAndAreReadBack) {
  StoredTickets stored;
  TicketBook book(&stored);
  Ticket& t = book.put(open_ticket(1));
  t.state = TicketState::accepted;
  t.accepted_at = kT0 + 1h;
  book.changed(t);
  stored.tickets[1] = t;  // what the daemon committed
  EXPECT_EQ(book.in_memory(), 1u);

  book.release();
  EXPECT_EQ(book.in_memory(), 0u);
  ASSERT_NE(book.summary(1), nullptr);  // still tracked, by its summary
  EXPECT_EQ(book.summary(1)->state, TicketState::accepted);
  EXPECT_TRUE(book.summary(1)->accepted);
  EXPECT_EQ(stored.loads, 0u);
  const Ticket* back = book.find(1);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->accepted_at, kT0 + 1h);
  EXPECT_EQ(stored.loads, 1u);
  EXPECT_EQ(book.get(1), back);  // read once until the next release
  EXPECT_EQ(stored.loads, 1u);
  EXPECT_TRUE(book.summaries_match());
}

TEST(TicketBook, ATicketItDoesNotTrackIsNeverReadFromTheRepository) {
  StoredTickets stored;
  stored.tickets[5] = open_ticket(5);  // in the store, but pruned (or never restored)
  TicketBook book(&stored);
  EXPECT_EQ(book.find(5), nullptr);
  EXPECT_EQ(stored.loads, 0u);
  book.put(open_ticket(6));
  book.erase(6);
  EXPECT_EQ(book.find(6), nullptr);
  EXPECT_EQ(book.size(), 0u);
}

TEST(TicketBook, WithoutARepositoryTheBookIsTheOnlyCopyAndKeepsIt) {
  TicketBook book(nullptr);
  book.restore({open_ticket(3), open_ticket(2)});
  book.release();
  EXPECT_EQ(book.in_memory(), 2u);
  ASSERT_NE(book.find(2), nullptr);
  EXPECT_EQ(book.numbers(), (std::vector<TicketNo>{2, 3}));
}

TEST(TicketBook, TheSummaryCarriesTheDeadlineOfTheStateItIsIn) {
  Ticket t = open_ticket(1);
  t.location_deadline = kT0 + 1h;
  t.verification_deadline = kT0 + 2h;
  EXPECT_EQ(TicketSummary::of(t).state_deadline, TicketSummary::kNone);  // dispatched: neither
  t.state = TicketState::awaiting_location;
  EXPECT_EQ(TicketSummary::of(t).state_deadline, kT0 + 1h);
  t.state = TicketState::resolved;
  EXPECT_EQ(TicketSummary::of(t).state_deadline, kT0 + 2h);
  t.needs_review = true;
  EXPECT_TRUE(TicketSummary::of(t).needs_review);
  EXPECT_NE(TicketSummary::of(t), TicketSummary::of(open_ticket(1)));
}

// Two engines, the same calls: one holds its tickets, the other reads them back from a repository
// holding what its Effects said changed, releasing them after every call as lianxind does after
// every commit. Every answer must be the same.
class ReadingEngineTest : public ::testing::Test {
 protected:
  ReadingEngineTest()
      : holding_(test_settings(), make_directory()),
        reading_(test_settings(), make_directory(), &stored_) {}

  std::string both(const std::function<Effects(Engine&)>& call) {
    const std::string held = digest(call(holding_));
    const std::size_t loads_before = stored_.loads;
    const Effects effects = call(reading_);
    call_loads_ = stored_.loads - loads_before;
    const std::string read = digest(effects);
    EXPECT_EQ(held, read);
    stored_.store(effects);
    reading_.release_tickets();
    EXPECT_EQ(reading_.tickets_in_memory(), 0u);
    EXPECT_TRUE(reading_.check_indexes());  // reads every ticket: let them go again
    reading_.release_tickets();
    return read;
  }
  std::string sms(const char* from, const char* text) {
    ++inbound_;
    return both([&](Engine& e) { return e.on_sms(from, text, now_, inbound_); });
  }
  // Fires every timer the engines would arm after a restart, when due.
  void fire_due_timers() {
    std::vector<TimerRequest> timers = holding_.pending_timers();
    ASSERT_EQ(timers_digest(timers), timers_digest(reading_.pending_timers()));
    for (const TimerRequest& t : timers) {
      if (t.at <= now_) both([&](Engine& e) { return e.on_timer(t.ticket, t.kind, now_); });
    }
  }

  StoredTickets stored_;
  Engine holding_;
  Engine reading_;
  TimePoint now_ = kT0;
  std::int64_t inbound_ = 0;
  std::size_t call_loads_ = 0;  // tickets the last call read from the repository
};

TEST_F(ReadingEngineTest, AConversationFromReportToRatingAnswersTheSame) {
  EXPECT_NE(sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了").find("ticket 1 new"), std::string::npos);
  now_ += 2min;
  sms(kZhangPhone, "晚上特别黑，老人走路怕摔");  // joins ticket 1: read back from the store
  sms(kStrangerPhone, "水管爆了");               // where? a follow-up question
  now_ += 10min;
  sms(kStrangerPhone, "石塘村");
  sms(kWangPhone, "我的");
  sms(kWangPhone, "接1");
  sms(kSunPhone, "退2 不在村");
  now_ += 5h;
  fire_due_timers();  // reminders and escalation from the summaries and the armed timers
  sms(kWangPhone, "完成1 已换新灯");
  sms(kZhangPhone, "查询");
  sms(kZhangPhone, "谢谢，修得很好");
  sms(kZhangPhone, "5");
  both([&](Engine& e) { return e.add_note(2, "ops", "已电话联系", now_); });
  both([&](Engine& e) { return e.reassign(2, "m-li", "ops", "熟悉情况", now_); });
  both([&](Engine& e) { return e.recategorize(2, "safety", "ops", "", now_); });
  now_ += 8 * 24h;  // past the closed retention: the finished ticket leaves both engines
  sms(kLiNainaiPhone, "路灯又坏了");
  EXPECT_EQ(holding_.tickets().size(), reading_.tickets().size());
  EXPECT_EQ(holding_.ticket_counts(now_).by_state, reading_.ticket_counts(now_).by_state);
  EXPECT_EQ(holding_.ticket_counts(now_).overdue, reading_.ticket_counts(now_).overdue);
  EXPECT_GT(stored_.loads, 0u);
}

TEST_F(ReadingEngineTest, AMemberWithSeveralTicketsAskedWhichOneReadsNone) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  now_ += 2h;  // past duplicate_join: a new problem is a new ticket
  sms(kZhangPhone, "村里水管爆了，到处是水");
  both([&](Engine& e) { return e.reassign(1, "m-wang", "ops", "", now_); });
  both([&](Engine& e) { return e.reassign(2, "m-wang", "ops", "", now_); });
  ASSERT_EQ(holding_.open_load().at("m-wang"), 2u);
  EXPECT_NE(sms(kWangPhone, "接").find("1、2"), std::string::npos);  // which one? 1 or 2
  EXPECT_EQ(call_loads_, 0u);
  sms(kWangPhone, "收到");  // two waiting: a hint, counted by the summaries
  EXPECT_EQ(call_loads_, 0u);
  sms(kWangPhone, "接2");
  EXPECT_EQ(call_loads_, 1u);
}

TEST_F(ReadingEngineTest, ARestoredEngineKeepsOnlySummariesAndArmsTheSameTimers) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  sms(kStrangerPhone, "水管爆了");
  sms(kWangPhone, "接1");
  RestoredState state;
  for (const auto& [number, ticket] : stored_.tickets) state.tickets.push_back(ticket);
  state.next_ticket_number = holding_.next_ticket_number();
  Engine restarted(test_settings(), make_directory(), &stored_);
  restarted.restore(state);
  EXPECT_EQ(restarted.tickets_in_memory(), 0u);
  EXPECT_EQ(timers_digest(restarted.pending_timers()), timers_digest(holding_.pending_timers()));
  EXPECT_EQ(restarted.review_queue().size(), holding_.review_queue().size());
  ASSERT_NE(restarted.find(1), nullptr);
  EXPECT_EQ(restarted.find(1)->state, TicketState::accepted);
}

}  // namespace
}  // namespace lianxin::domain::testing
