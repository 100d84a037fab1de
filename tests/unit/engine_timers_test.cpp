// The gateway's store of engine timers: arm, re-arm, cancel, the earliest, what is due. The SLA
// kinds' times are the engine's record; the fixture keeps one as the engine does.
#include "daemon/app/engine_timers.hpp"

#include <gtest/gtest.h>

#include <map>

#include "daemon/domain/sla_clocks.hpp"

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

// Stands for the engine's ArmedSlaTimers beside the gateway's EngineTimers: an SLA arm or cancel
// changes the record first, and a timer that fired leaves it (the engine is told it fired).
class EngineTimersTest : public ::testing::Test {
 protected:
  void apply(const TimerRequest& request) {
    if (domain::is_sla_kind(request.kind)) {
      if (request.cancel) {
        record.erase({request.ticket, request.kind});
      } else {
        record[{request.ticket, request.kind}] = request.at;
      }
    }
    timers.apply(request);
  }
  std::vector<Key> take_due(domain::TimePoint now) {
    std::vector<Key> due = timers.take_due(now);
    for (const Key& key : due) record.erase(key);
    return due;
  }

  std::map<Key, domain::TimePoint> record;
  EngineTimers timers{
      [this](domain::TicketNo ticket, TimerKind kind) -> std::optional<domain::TimePoint> {
        auto it = record.find({ticket, kind});
        if (it == record.end()) return std::nullopt;
        return it->second;
      }};
};

TEST_F(EngineTimersTest, DueTimersComeEarliestFirstAndOnlyOnce) {
  apply(arm(7, TimerKind::accept_overdue, t0 + 3h));
  apply(arm(5, TimerKind::resolve_reminder, t0 + 1h));
  apply(arm(5, TimerKind::verification, t0 + 2h));
  EXPECT_EQ(timers.earliest(), t0 + 1h);
  EXPECT_TRUE(take_due(t0).empty());
  EXPECT_EQ(take_due(t0 + 2h),
            (std::vector<Key>{{5, TimerKind::resolve_reminder}, {5, TimerKind::verification}}));
  EXPECT_TRUE(take_due(t0 + 2h).empty());
  EXPECT_EQ(timers.earliest(), t0 + 3h);
}

TEST_F(EngineTimersTest, ARearmedTimerFiresAtItsNewTimeOnly) {
  apply(arm(1, TimerKind::accept_overdue, t0 + 1h));
  apply(arm(1, TimerKind::accept_overdue, t0 + 5h));  // re-armed later
  EXPECT_EQ(timers.earliest(), t0 + 5h);
  EXPECT_TRUE(take_due(t0 + 2h).empty());
  apply(arm(1, TimerKind::accept_overdue, t0 + 30min));  // and earlier again
  EXPECT_EQ(take_due(t0 + 6h), (std::vector<Key>{{1, TimerKind::accept_overdue}}));
  EXPECT_FALSE(timers.earliest());
}

TEST_F(EngineTimersTest, ACancelledTimerNeverFiresEvenWhenArmedAgainForTheSameTime) {
  apply(arm(2, TimerKind::location_followup, t0 + 1h));
  apply(cancel(2, TimerKind::location_followup));
  EXPECT_FALSE(timers.earliest());
  EXPECT_TRUE(take_due(t0 + 2h).empty());
  apply(arm(2, TimerKind::location_followup, t0 + 3h));
  apply(cancel(2, TimerKind::location_followup));
  apply(arm(2, TimerKind::location_followup, t0 + 3h));  // two heap entries, one timer
  EXPECT_EQ(take_due(t0 + 4h), (std::vector<Key>{{2, TimerKind::location_followup}}));
  apply(cancel(99, TimerKind::note_batch));  // unknown: nothing happens
  EXPECT_FALSE(timers.earliest());
}

TEST_F(EngineTimersTest, ManyRearmsKeepWhatIsArmedAndFireEachOnce) {
  for (int round = 0; round < 50; ++round) {
    for (domain::TicketNo n = 1; n <= 100; ++n) {
      apply(arm(n, TimerKind::resolve_overdue, t0 + std::chrono::minutes(n + round)));
    }
  }
  // Stale entries are swept: the heap stays within twice what is armed.
  EXPECT_LE(timers.heap_size(), 2 * 100u + 64u + 1u);
  const std::vector<Key> due = take_due(t0 + 1000h);
  ASSERT_EQ(due.size(), 100u);
  for (std::size_t i = 0; i < due.size(); ++i) EXPECT_EQ(due[i].first, static_cast<long>(i + 1));
}

TEST_F(EngineTimersTest, LargeTicketNumbersAndEveryKindSurviveThePacking) {
  const domain::TicketNo big = 1'000'000'000'000LL;
  apply(arm(big, TimerKind::note_batch, t0));
  apply(arm(big, TimerKind::location_followup, t0 + 1s));
  EXPECT_EQ(take_due(t0 + 1s),
            (std::vector<Key>{{big, TimerKind::note_batch}, {big, TimerKind::location_followup}}));
}

TEST_F(EngineTimersTest, AnSlaTimerFiresOnlyWhileTheRecordHasItForThatTime) {
  apply(arm(3, TimerKind::accept_reminder, t0 + 1h));
  apply(arm(3, TimerKind::accept_overdue, t0 + 2h));
  apply(cancel(3, TimerKind::accept_reminder));  // accepted: the accept phase's timers go
  apply(cancel(3, TimerKind::accept_overdue));
  apply(arm(3, TimerKind::resolve_overdue, t0 + 3h));
  EXPECT_EQ(timers.earliest(), t0 + 3h);
  record[{3, TimerKind::resolve_overdue}] = t0 + 5h;  // the engine moved it (re-armed below)
  apply(arm(3, TimerKind::resolve_overdue, t0 + 5h));
  EXPECT_TRUE(take_due(t0 + 4h).empty());
  apply(cancel(3, TimerKind::resolve_overdue));
  apply(arm(3, TimerKind::resolve_overdue, t0 + 5h));  // two live entries for one timer
  EXPECT_EQ(take_due(t0 + 6h), (std::vector<Key>{{3, TimerKind::resolve_overdue}}));
  EXPECT_FALSE(timers.earliest());
}

}  // namespace
}  // namespace lianxin::app
