// A ticket's SLA clocks on their own: deadlines, the timers a stored state asks for, when a fired
// timer is due or stale, and the armed set moving only by the difference.
#include "daemon/domain/sla_clocks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;

// Street lights: accept within 4 h, resolve within 24 h, remind when a quarter is left.
Settings clock_settings() {
  Settings s = default_settings();
  s.sla.calendar = WorkCalendar();
  for (Category& c : s.categories) {
    if (c.id == "streetlight") {
      c.accept_within = SlaLimit::hours(4);
      c.resolve_within = SlaLimit::hours(24);
      c.reminder = Reminder{0.25, 0s};
    }
  }
  s.escalation.accept_within = SlaLimit::hours(1);
  return s;
}

class SlaClocksTest : public ::testing::Test {
 protected:
  SlaClocksTest() {
    ticket.number = 12;
    ticket.category = "streetlight";
    ticket.state = TicketState::dispatched;
    ticket.assignee = "m-wang";
  }
  std::map<TimerKind, TimePoint> wanted() const {
    std::map<TimerKind, TimePoint> out;
    for (const TimerRequest& t : sla_timers_of(settings, ticket)) out[t.kind] = t.at;
    return out;
  }

  const Settings settings = clock_settings();
  const TimePoint t0 = TimePoint{} + 1000h;
  Ticket ticket;
};

TEST_F(SlaClocksTest, ADispatchStartsBothClocksAndARedispatchOnlyTheAcceptOne) {
  start_sla_clocks(settings, ticket, t0, false);
  EXPECT_EQ(ticket.accept_deadline, t0 + 4h);
  EXPECT_EQ(ticket.resolve_deadline, t0 + 24h);
  start_sla_clocks(settings, ticket, t0 + 2h, false);
  EXPECT_EQ(ticket.accept_deadline, t0 + 6h);
  EXPECT_EQ(ticket.resolve_deadline, t0 + 24h);  // kept
  ticket.escalation_level = 1;                   // escalated: the escalation limits
  start_sla_clocks(settings, ticket, t0 + 3h, true);
  EXPECT_EQ(ticket.accept_deadline, t0 + 4h);
  EXPECT_EQ(ticket.resolve_deadline, t0 + 27h);  // restarted on the escalation limit
}

TEST_F(SlaClocksTest, EachPhaseAsksForItsReminderAndItsOverdue) {
  start_sla_clocks(settings, ticket, t0, false);
  EXPECT_EQ(wanted(), (std::map<TimerKind, TimePoint>{{TimerKind::accept_reminder, t0 + 3h},
                                                      {TimerKind::accept_overdue, t0 + 4h},
                                                      {TimerKind::resolve_reminder, t0 + 18h},
                                                      {TimerKind::resolve_overdue, t0 + 24h}}));
  ticket.state = TicketState::accepted;  // the accept phase is over
  EXPECT_EQ(wanted(), (std::map<TimerKind, TimePoint>{{TimerKind::resolve_reminder, t0 + 18h},
                                                      {TimerKind::resolve_overdue, t0 + 24h}}));
  ticket.reminded_for = ticket.resolve_deadline;  // reminded once: not again
  EXPECT_EQ(wanted(), (std::map<TimerKind, TimePoint>{{TimerKind::resolve_overdue, t0 + 24h}}));
  ticket.state = TicketState::resolved;
  EXPECT_TRUE(wanted().empty());
}

TEST_F(SlaClocksTest, AFiredTimerIsStaleOnceItsPhaseIsOverOrItsReminderSent) {
  start_sla_clocks(settings, ticket, t0, false);
  EXPECT_EQ(sla_due(settings, ticket, TimerKind::accept_reminder), t0 + 3h);
  EXPECT_EQ(sla_due(settings, ticket, TimerKind::accept_overdue), t0 + 4h);
  ticket.reminded_for = ticket.accept_deadline;
  EXPECT_FALSE(sla_due(settings, ticket, TimerKind::accept_reminder));
  EXPECT_EQ(sla_due(settings, ticket, TimerKind::accept_overdue), t0 + 4h);
  ticket.state = TicketState::accepted;
  EXPECT_FALSE(sla_due(settings, ticket, TimerKind::accept_overdue));
  EXPECT_EQ(sla_due(settings, ticket, TimerKind::resolve_overdue), t0 + 24h);
  ticket.resolve_deadline.reset();
  EXPECT_FALSE(sla_due(settings, ticket, TimerKind::resolve_overdue));
}

TEST_F(SlaClocksTest, SyncArmsAndCancelsOnlyTheDifference) {
  ArmedSlaTimers armed;
  start_sla_clocks(settings, ticket, t0, false);
  std::vector<TimerRequest> first = armed.sync(settings, ticket, t0);
  EXPECT_EQ(first.size(), 4u);
  EXPECT_TRUE(std::none_of(first.begin(), first.end(), [](auto& r) { return r.cancel; }));
  EXPECT_TRUE(armed.sync(settings, ticket, t0).empty());  // nothing changed

  ticket.state = TicketState::accepted;
  std::vector<TimerRequest> accepted = armed.sync(settings, ticket, t0 + 1h);
  ASSERT_EQ(accepted.size(), 2u);
  for (const TimerRequest& r : accepted) {
    EXPECT_TRUE(r.cancel);
    EXPECT_TRUE(r.kind == TimerKind::accept_reminder || r.kind == TimerKind::accept_overdue);
  }

  armed.fired(ticket.number, TimerKind::resolve_reminder);  // the daemon dropped it: re-armed
  std::vector<TimerRequest> again = armed.sync(settings, ticket, t0 + 18h);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].kind, TimerKind::resolve_reminder);
  EXPECT_FALSE(again[0].cancel);

  ticket.state = TicketState::closed;
  EXPECT_EQ(armed.sync(settings, ticket, t0 + 20h).size(), 2u);  // both resolve timers go
  EXPECT_EQ(armed.size(), 0u);
}

TEST_F(SlaClocksTest, ARestoreCountsWhatTheDaemonArmsFromTheStoredDeadlines) {
  start_sla_clocks(settings, ticket, t0, false);
  ArmedSlaTimers armed;
  armed.restore(settings, {ticket});
  EXPECT_EQ(armed.size(), 1u);
  EXPECT_TRUE(armed.sync(settings, ticket, t0).empty());
  armed.forget(ticket.number);
  EXPECT_EQ(armed.sync(settings, ticket, t0).size(), 4u);
}

}  // namespace
}  // namespace lianxin::domain
