// The daily trend (daemon/domain/daily_trend.hpp): received and handled per local day, days in
// the configured zone, and days that add up to the period's statistics.
#include "daemon/domain/daily_trend.hpp"

#include <gtest/gtest.h>

namespace lianxin::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;
using State = TicketState;

sys_days day(unsigned d) {
  return sys_days{std::chrono::year{2026} / std::chrono::November / std::chrono::day{d}};
}
// Local (UTC+8) time on a November day.
TimePoint local(unsigned d, int hour, int minute = 0) {
  return TimePoint{day(d).time_since_epoch()} + hours(hour) + minutes(minute) - hours(8);
}

const TimeZone kShanghai{"Asia/Shanghai", std::chrono::minutes(8 * 60)};
const DayRange kNovember{day(1), day(30)};

struct Book {
  std::vector<Ticket> tickets;
  EventsByTicket events;

  void add(TicketNo number, TimePoint created) {
    Ticket t;
    t.number = number;
    t.created_at = created;
    t.grid = "g1";
    t.category = "streetlight";
    tickets.push_back(t);
    events[number].push_back({number, std::nullopt, State::new_, "+8613900000001", created, ""});
  }
  void go(TicketNo number, State to, TimePoint at) {
    auto& list = events[number];
    list.push_back({number, list.back().to, to, "m1", at, ""});
    for (Ticket& t : tickets)
      if (t.number == number) t.state = to;
  }
};

const DailyCount& on(const std::vector<DailyCount>& counts, unsigned d) {
  for (const DailyCount& c : counts)
    if (c.day == day(d)) return c;
  throw std::logic_error("day not listed");
}

TEST(DailyTrend, CountsReceivedOnTheLocalDayOfCreationAndHandledOnTheDayItWasDone) {
  Book b;
  b.add(1, local(3, 9));  // received 3rd, resolved 4th (local), closed 5th: handled on the 4th
  b.go(1, State::dispatched, local(3, 9, 1));
  b.go(1, State::resolved, local(4, 7));  // 4th 07:00 local = 3rd 23:00 UTC
  b.go(1, State::closed, local(5, 10));
  b.add(2, local(3, 23, 30));  // 23:30 local on the 3rd is 15:30 UTC: the 3rd
  b.go(2, State::dispatched, local(3, 23, 31));
  b.add(3, local(4, 0, 10));             // 00:10 local on the 4th is the 3rd in UTC: the 4th
  b.go(3, State::invalid, local(4, 1));  // invalid: not received, not handled
  b.add(4, local(4, 8));                 // cancelled
  b.go(4, State::cancelled, local(4, 9));

  const auto counts = daily_counts(b.tickets, b.events, kNovember, kShanghai, local(10, 12));
  ASSERT_EQ(counts.size(), 10u) << "the 1st to the day of as_of (the 10th)";
  EXPECT_EQ(counts.front().day, day(1));
  EXPECT_EQ(on(counts, 3).received, 2);
  EXPECT_EQ(on(counts, 3).handled, 0);
  EXPECT_EQ(on(counts, 4).received, 0);
  EXPECT_EQ(on(counts, 4).handled, 1);
  EXPECT_EQ(on(counts, 5).handled, 0) << "closing a resolved ticket is not handling it again";
}

TEST(DailyTrend, AReopenedTicketCountsOnTheDayOfItsLastResolution) {
  Book b;
  b.add(1, local(2, 9));
  b.go(1, State::dispatched, local(2, 9));
  b.go(1, State::resolved, local(3, 9));
  b.go(1, State::reopened, local(4, 9));
  b.go(1, State::resolved, local(6, 9));
  const auto counts = daily_counts(b.tickets, b.events, kNovember, kShanghai, local(20, 0));
  EXPECT_EQ(on(counts, 3).handled, 0);
  EXPECT_EQ(on(counts, 6).handled, 1);
  // As of the 5th it was reopened: not handled at all.
  const auto earlier = daily_counts(b.tickets, b.events, kNovember, kShanghai, local(5, 12));
  ASSERT_EQ(earlier.size(), 5u);
  for (const DailyCount& c : earlier)
    EXPECT_EQ(c.handled, 0) << "day " << c.day.time_since_epoch().count();
}

TEST(DailyTrend, TicketsOutsideTheDaysAndWithoutEventsAreHandled) {
  Book b;
  b.add(1, local(1, 0) - hours(1));  // October 31st local: not in November
  b.go(1, State::resolved, local(2, 9));
  Ticket plain;  // a row without history: its own timestamps
  plain.number = 2;
  plain.created_at = local(7, 9);
  plain.state = State::closed;
  plain.closed_at = local(8, 9);
  b.tickets.push_back(plain);
  const auto counts = daily_counts(b.tickets, b.events, kNovember, kShanghai, local(30, 23));
  ASSERT_EQ(counts.size(), 30u);
  long long received = 0, handled = 0;
  for (const DailyCount& c : counts) {
    received += c.received;
    handled += c.handled;
  }
  EXPECT_EQ(received, 1);
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(on(counts, 8).handled, 1);
  EXPECT_TRUE(daily_counts(b.tickets, b.events, {day(5), day(4)}, kShanghai, local(30, 0)).empty());
}

TEST(DailyTrend, DaysAddUpToThePeriodsStatistics) {
  Book b;
  // A month of tickets: some resolved days later, some reopened, some still open.
  for (TicketNo n = 1; n <= 60; ++n) {
    const unsigned d = 1 + static_cast<unsigned>(n % 28);
    b.add(n, local(d, static_cast<int>(n % 24)));
    b.go(n, State::dispatched, local(d, static_cast<int>(n % 24), 5));
    if (n % 3 == 0) continue;  // open
    b.go(n, State::resolved, local(d + 1, 10));
    if (n % 5 == 0) b.go(n, State::reopened, local(d + 1, 12));
    if (n % 10 == 0) b.go(n, State::resolved, local(d + 2, 12));
    if (n % 7 == 0) b.go(n, State::closed, local(d + 2, 20));
  }
  const TimePoint now = local(15, 12);  // mid-month: later events are not looked at
  std::erase_if(b.tickets, [&](const Ticket& t) { return t.created_at > now; });  // not yet
  Settings settings;
  Directory directory({}, {}, {}, {}, {});
  const StatsPeriod period{local(1, 0), local(1, 0) + hours(24 * 30)};
  const StatsReport stats =
      compute_stats(b.tickets, b.events, settings, directory, StatsLevel::county, period, now);
  const auto counts = daily_counts(b.tickets, b.events, kNovember, kShanghai, stats.as_of);
  long long received = 0, handled = 0;
  for (const DailyCount& c : counts) {
    received += c.received;
    handled += c.handled;
  }
  EXPECT_EQ(counts.size(), 15u);
  EXPECT_GT(stats.total.handled, 0);
  EXPECT_EQ(received, stats.total.received);
  EXPECT_EQ(handled, stats.total.handled);
}

}  // namespace
}  // namespace lianxin::domain
