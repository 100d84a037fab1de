// Operator actions on tickets (engine_operator.cpp): reassign, close, note.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using namespace testing;

const TimePoint kStart = TimePoint{} + 20574 * 24h + 8h;  // 2026-05-01 08:00 UTC

class EngineOperatorTest : public ::testing::Test {
 protected:
  EngineOperatorTest() : engine_(::lianxin::domain::testing::test_settings(), make_directory()) {}

  // 张大爷's street light: dispatched to 王建国 (m-wang).
  TicketNo report() {
    Effects e = engine_.on_sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了", now_, ++inbound_);
    EXPECT_EQ(e.tickets.size(), 1u);
    EXPECT_EQ(engine_.find(e.tickets.front().ticket.number)->assignee, "m-wang");
    return e.tickets.front().ticket.number;
  }
  static std::vector<std::string> texts_to(const Effects& effects, std::string_view phone) {
    std::vector<std::string> out;
    for (const OutgoingSms& s : effects.sms)
      if (s.to == phone) out.push_back(s.text);
    return out;
  }
  static bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }

  Engine engine_;
  TimePoint now_ = kStart;
  std::int64_t inbound_ = 1;
};

TEST_F(EngineOperatorTest, ReassignTellsBothMembersAndRecordsTheOperator) {
  const TicketNo n = report();
  const auto first_accept_deadline = engine_.find(n)->accept_deadline;
  const auto resolve_deadline = engine_.find(n)->resolve_deadline;
  ASSERT_TRUE(first_accept_deadline);
  now_ += 10min;
  // By phone number, as an operator might type it.
  Effects e = engine_.reassign(n, "138 0000 0102", "alice", "熟悉情况", now_);
  ASSERT_FALSE(e.error) << e.diagnostic;
  const Ticket& t = *engine_.find(n);
  EXPECT_EQ(t.assignee, "m-li");
  EXPECT_EQ(t.state, TicketState::dispatched);
  EXPECT_EQ(t.dispatched_at, now_);
  EXPECT_EQ(t.tried, (std::vector<std::string>{"m-wang", "m-li"}));
  // The new member gets the full time to accept; the resolve deadline does not move.
  ASSERT_TRUE(t.accept_deadline);
  EXPECT_EQ(*t.accept_deadline - *first_accept_deadline, 10min);
  EXPECT_EQ(t.resolve_deadline, resolve_deadline);
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_EQ(e.events[0].actor, "operator:alice");
  EXPECT_TRUE(contains(e.events[0].reason, "reassigned to m-li (was m-wang): 熟悉情况"));
  ASSERT_EQ(texts_to(e, kWangPhone).size(), 1u);
  EXPECT_TRUE(contains(texts_to(e, kWangPhone)[0], "已改派他人"));
  ASSERT_EQ(texts_to(e, kLiPhone).size(), 1u);
  EXPECT_TRUE(contains(texts_to(e, kLiPhone)[0], "新工单" + std::to_string(n)));
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_TRUE(engine_.check_indexes());
  // The new assignee may accept it by SMS.
  Effects accept = engine_.on_sms(kLiPhone, "接" + std::to_string(n), now_, ++inbound_);
  EXPECT_EQ(engine_.find(n)->state, TicketState::accepted);
}

TEST_F(EngineOperatorTest, ReassignRefusals) {
  const TicketNo n = report();
  struct Case {
    TicketNo ticket;
    std::string member;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{{n, "m-nobody", "no member m-nobody"},
                                         {n, "m-wang", "already with m-wang"},
                                         {999, "m-li", "999"}}) {
    Effects e = engine_.reassign(c.ticket, c.member, "alice", "x", now_);
    EXPECT_TRUE(e.error) << c.member;
    EXPECT_TRUE(contains(e.diagnostic, c.says)) << e.diagnostic;
    EXPECT_TRUE(e.events.empty());
    EXPECT_TRUE(e.sms.empty());
  }
  EXPECT_EQ(engine_.find(n)->assignee, "m-wang");
  // Resolved and waiting for the villager: not reassignable.
  engine_.on_sms(kWangPhone, "完成" + std::to_string(n) + " 已修好", now_, ++inbound_);
  ASSERT_EQ(engine_.find(n)->state, TicketState::resolved);
  Effects e = engine_.reassign(n, "m-li", "alice", "x", now_);
  EXPECT_TRUE(e.error);
  EXPECT_TRUE(contains(e.diagnostic, "rating"));
}

TEST_F(EngineOperatorTest, CloseTellsAssigneeAndReporterAndIsNeverARating) {
  const TicketNo n = report();
  now_ += 1h;
  Effects e = engine_.close_ticket(n, "bob", "已现场处理", now_);
  ASSERT_FALSE(e.error) << e.diagnostic;
  const Ticket& t = *engine_.find(n);
  EXPECT_EQ(t.state, TicketState::closed);
  EXPECT_EQ(t.close_reason, CloseReason::none);
  EXPECT_FALSE(t.rating);
  EXPECT_EQ(t.closed_at, now_);
  ASSERT_EQ(texts_to(e, kWangPhone).size(), 1u);
  EXPECT_TRUE(contains(texts_to(e, kWangPhone)[0], "已由平台关闭：已现场处理"));
  ASSERT_EQ(texts_to(e, kZhangPhone).size(), 1u);
  EXPECT_TRUE(contains(texts_to(e, kZhangPhone)[0], "已办结关闭"));
  EXPECT_TRUE(e.points.empty());
  EXPECT_EQ(e.events.at(0).actor, "operator:bob");
  EXPECT_TRUE(engine_.check_indexes());
  // Twice: refused, nothing changes.
  Effects again = engine_.close_ticket(n, "bob", "x", now_);
  EXPECT_EQ(again.error, make_error_code(EngineError::ticket_finished));
  EXPECT_TRUE(again.sms.empty());
}

TEST_F(EngineOperatorTest, CloseWhileWaitingForTheRatingDisarmsTheVerificationTimer) {
  const TicketNo n = report();
  engine_.on_sms(kWangPhone, "完成" + std::to_string(n) + " 已修好", now_, ++inbound_);
  Effects e = engine_.close_ticket(n, "bob", "群众电话确认", now_);
  ASSERT_FALSE(e.error);
  bool disarmed = false;
  for (const TimerRequest& timer : e.timers)
    disarmed = disarmed || (timer.kind == TimerKind::verification && timer.cancel);
  EXPECT_TRUE(disarmed);
  EXPECT_FALSE(engine_.find(n)->verification_deadline);
  // The assignee is done with it already: only the reporter is told.
  EXPECT_TRUE(texts_to(e, kWangPhone).empty());
  EXPECT_EQ(texts_to(e, kZhangPhone).size(), 1u);
}

TEST_F(EngineOperatorTest, NoteIsAHistoryRowWithoutSms) {
  const TicketNo n = report();
  Effects e = engine_.add_note(n, "alice", "已电话联系", now_);
  ASSERT_FALSE(e.error);
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_EQ(e.events[0].from, TicketState::dispatched);
  EXPECT_EQ(e.events[0].to, TicketState::dispatched);
  EXPECT_EQ(e.events[0].reason, "note: 已电话联系");
  EXPECT_TRUE(e.sms.empty());
  ASSERT_EQ(engine_.find(n)->notes.size(), 1u);
  EXPECT_EQ(engine_.find(n)->notes[0].author, "operator:alice");
  // Also on a finished ticket still in memory.
  engine_.close_ticket(n, "alice", "x", now_);
  EXPECT_FALSE(engine_.add_note(n, "alice", "补记", now_).error);
  EXPECT_EQ(engine_.add_note(77, "alice", "x", now_).error,
            make_error_code(EngineError::unknown_ticket));
}

}  // namespace
}  // namespace lianxin::domain
