// The gateway's store of engine timers: arm, re-arm, cancel, the earliest, what is due.
#include "daemon/app/engine_timers.hpp"

#include <gtest/gtest.h>

namespace lianxin::app {
namespace {

using namespace std::chrono_literals;
using domain::TimerKind;
using domain::TimerRequest;
using Key = EngineTimers::Key;

const domain::TimePoint t0 = domain::TimePoint{} + 1000h;

TimerRequest arm(domain::TicketNo ticket, TimerKind kind, domain::TimePoint at) {
  return {ticket, kind, at, false};
}
TimerRequest cancel(domain::TicketNo ticket, TimerKind kind) {
  return {ticket, kind, t0, true};
}

TEST(EngineTimers, DueTimersComeEarliestFirstAndOnlyOnce) {
  EngineTimers timers;
  timers.apply(arm(7, TimerKind::accept_overdue, t0 + 3h));
  timers.apply(arm(5, TimerKind::resolve_reminder, t0 + 1h));
  timers.apply(arm(5, TimerKind::verification, t0 + 2h));
  EXPECT_EQ(timers.earliest(), t0 + 1h);
  EXPECT_TRUE(timers.take_due(t0).empty());
  EXPECT_EQ(timers.take_due(t0 + 2h),
            (std::vector<Key>{{5, TimerKind::resolve_reminder}, {5, TimerKind::verification}}));
  EXPECT_TRUE(timers.take_due(t0 + 2h).empty());
  EXPECT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers.earliest(), t0 + 3h);
}

TEST(EngineTimers, ARearmedTimerFiresAtItsNewTimeOnly) {
  EngineTimers timers;
  timers.apply(arm(1, TimerKind::accept_overdue, t0 + 1h));
  timers.apply(arm(1, TimerKind::accept_overdue, t0 + 5h));  // re-armed later
  EXPECT_EQ(timers.earliest(), t0 + 5h);
  EXPECT_TRUE(timers.take_due(t0 + 2h).empty());
  timers.apply(arm(1, TimerKind::accept_overdue, t0 + 30min));  // and earlier again
  EXPECT_EQ(timers.take_due(t0 + 6h), (std::vector<Key>{{1, TimerKind::accept_overdue}}));
  EXPECT_FALSE(timers.earliest());
}

TEST(EngineTimers, ACancelledTimerNeverFiresEvenWhenArmedAgainForTheSameTime) {
  EngineTimers timers;
  timers.apply(arm(2, TimerKind::location_followup, t0 + 1h));
  timers.apply(cancel(2, TimerKind::location_followup));
  EXPECT_FALSE(timers.earliest());
  EXPECT_TRUE(timers.take_due(t0 + 2h).empty());
  timers.apply(arm(2, TimerKind::location_followup, t0 + 3h));
  timers.apply(cancel(2, TimerKind::location_followup));
  timers.apply(arm(2, TimerKind::location_followup, t0 + 3h));  // two heap entries, one timer
  EXPECT_EQ(timers.take_due(t0 + 4h), (std::vector<Key>{{2, TimerKind::location_followup}}));
  timers.apply(cancel(99, TimerKind::note_batch));  // unknown: nothing happens
  EXPECT_EQ(timers.size(), 0u);
}

TEST(EngineTimers, ManyRearmsKeepWhatIsArmedAndFireEachOnce) {
  EngineTimers timers;
  for (int round = 0; round < 50; ++round) {
    for (domain::TicketNo n = 1; n <= 100; ++n) {
      timers.apply(arm(n, TimerKind::resolve_overdue, t0 + std::chrono::minutes(n + round)));
    }
  }
  EXPECT_EQ(timers.size(), 100u);
  const std::vector<Key> due = timers.take_due(t0 + 1000h);
  ASSERT_EQ(due.size(), 100u);
  for (std::size_t i = 0; i < due.size(); ++i) EXPECT_EQ(due[i].first, static_cast<long>(i + 1));
}

TEST(EngineTimers, LargeTicketNumbersAndEveryKindSurviveThePacking) {
  EngineTimers timers;
  const domain::TicketNo big = 1'000'000'000'000LL;
  timers.apply(arm(big, TimerKind::note_batch, t0));
  timers.apply(arm(big, TimerKind::location_followup, t0 + 1s));
  EXPECT_EQ(timers.take_due(t0 + 1s),
            (std::vector<Key>{{big, TimerKind::note_batch}, {big, TimerKind::location_followup}}));
}

}  // namespace
}  // namespace lianxin::app
