// Ticket statistics (daemon/domain/stats.hpp): every rate on hand-built ticket histories at
// fixed times, the unrated rule, medians, grouping per level, points totals and period parsing.
#include "daemon/domain/stats.hpp"

#include <gtest/gtest.h>

namespace lianxin::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using State = TicketState;

Days day(int y, unsigned m, unsigned d) {
  return Days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

// 2026-11-02 00:00 UTC.
const TimePoint T = TimePoint{day(2026, 11, 2).time_since_epoch()};
const StatsPeriod kNovember{TimePoint{day(2026, 11, 1).time_since_epoch()},
                            TimePoint{day(2026, 12, 1).time_since_epoch()}};
const TimePoint kNow = TimePoint{day(2026, 12, 5).time_since_epoch()};

Settings test_settings() {
  Settings s;
  Category light;
  light.id = "streetlight";
  light.name = "路灯";
  light.accept_within = SlaLimit::hours(24);
  light.resolve_within = SlaLimit::hours(72);
  Category water = light;
  water.id = "water";
  water.name = "漏水";
  water.accept_within = SlaLimit::hours(2);
  s.categories = {light, water};
  return s;
}

Directory test_directory() {
  return Directory({Grid{"g1", "大溪边村网格", "大溪边村", "青石镇", {}, "m1"},
                    Grid{"g2", "石塘村网格", "石塘村", "白沙乡", {}, "m2"}},
                   {Member{"m1", "王建国", "+8613800000001", {"g1"}, {Role::member}, true},
                    Member{"m2", "孙立", "+8613800000002", {"g2"}, {Role::member}, true},
                    Member{"m3", "李秀英", "+8613800000003", {}, {Role::member}, true}},
                   {}, {}, {});
}

// Builds tickets and their histories.
struct Book {
  std::vector<Ticket> tickets;
  EventsByTicket events;

  Ticket& add(TicketNo number, TimePoint created, std::string grid = "g1",
              std::string member = "m1", std::string category = "streetlight") {
    Ticket t;
    t.number = number;
    t.created_at = created;
    t.grid = std::move(grid);
    t.assignee = std::move(member);
    t.category = std::move(category);
    tickets.push_back(t);
    events[number].push_back({number, std::nullopt, State::new_, "+8613900000001", created, ""});
    return tickets.back();
  }
  // A transition of the last added ticket (or of `number`), also setting its current state.
  void go(TicketNo number, State to, TimePoint at) {
    auto& list = events[number];
    const State from = list.back().to;
    list.push_back({number, from, to, "m1", at, ""});
    for (Ticket& t : tickets)
      if (t.number == number) t.state = to;
  }
  Ticket& ticket(TicketNo number) {
    for (Ticket& t : tickets)
      if (t.number == number) return t;
    throw std::logic_error("no ticket");
  }
  void close_rated(TicketNo number, int rating, TimePoint at) {
    go(number, State::closed, at);
    ticket(number).close_reason = CloseReason::rated;
    ticket(number).rating = rating;
    ticket(number).closed_at = at;
  }
  void close_unrated(TicketNo number, TimePoint at) {
    go(number, State::closed, at);
    ticket(number).close_reason = CloseReason::unrated;
    ticket(number).closed_at = at;
  }
};

// The November book of the tests; comments give what each ticket contributes.
Book november() {
  Book b;
  // 1: fast, on time, rated 5. Accept 59m after dispatch, resolved 5h after creation.
  b.add(1, T);
  b.go(1, State::dispatched, T + minutes(1));
  b.go(1, State::accepted, T + hours(1));
  b.go(1, State::resolved, T + hours(5));
  b.close_rated(1, 5, T + hours(6));
  // 2: accepted late (30h > 24h), resolved on time (40h), closed unrated.
  b.add(2, T);
  b.go(2, State::dispatched, T);
  b.go(2, State::accepted, T + hours(30));
  b.go(2, State::resolved, T + hours(40));
  b.close_unrated(2, T + hours(112));
  // 3: reopened, resolved again late (80h > 72h), rated 2.
  b.add(3, T);
  b.go(3, State::dispatched, T);
  b.go(3, State::accepted, T + hours(2));
  b.go(3, State::resolved, T + hours(10));
  b.go(3, State::reopened, T + hours(20));
  b.go(3, State::accepted, T + hours(21));
  b.go(3, State::resolved, T + hours(80));
  b.close_rated(3, 2, T + hours(90));
  // 4: dispatched, never accepted: late on both, overdue.
  b.add(4, T);
  b.go(4, State::dispatched, T);
  // 5: invalid; 6: cancelled.
  b.add(5, T);
  b.go(5, State::invalid, T + hours(1));
  b.add(6, T);
  b.go(6, State::dispatched, T);
  b.go(6, State::cancelled, T + hours(1));
  // 7: stored deadlines win over the category: accept by 2h (accepted at 3h: late), resolve by
  // 100h (resolved at 4h: on time). Resolved, waiting for the rating.
  b.add(7, T).accept_deadline = T + hours(2);
  b.ticket(7).resolve_deadline = T + hours(100);
  b.go(7, State::dispatched, T);
  b.go(7, State::accepted, T + hours(3));
  b.go(7, State::resolved, T + hours(4));
  // 8: from October, still open past its resolve deadline: overdue, not received.
  const TimePoint october = T - hours(24 * 13);
  b.add(8, october);
  b.go(8, State::dispatched, october);
  b.go(8, State::accepted, october + hours(1));
  // 9: another township, grid, member and category; resolved without 接 (counts as the
  // acceptance), rated 4.
  b.add(9, T, "g2", "m2", "water");
  b.go(9, State::dispatched, T);
  b.go(9, State::resolved, T + hours(1));
  b.close_rated(9, 4, T + hours(2));
  return b;
}

TEST(Stats, CountyFiguresFollowTheDefinitions) {
  Book b = november();
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::county, kNovember, kNow);
  ASSERT_EQ(r.rows.size(), 1u);
  const StatsRow& c = r.rows[0];
  EXPECT_EQ(c.key, "county");
  EXPECT_EQ(c.received, 6);  // 1 2 3 4 7 9
  EXPECT_EQ(c.invalid, 1);
  EXPECT_EQ(c.cancelled, 1);
  EXPECT_EQ(c.handled, 5);  // all but 4
  EXPECT_EQ(c.handling.count, 5);
  EXPECT_EQ(c.handling.of, 6);
  EXPECT_NEAR(*c.handling.rate(), 5.0 / 6.0, 1e-9);
  EXPECT_EQ(c.accept_on_time.count, 3);  // 1 3 9
  EXPECT_EQ(c.accept_on_time.of, 6);
  EXPECT_EQ(c.resolve_on_time.count, 4);  // 1 2 7 9
  EXPECT_EQ(c.resolve_on_time.of, 6);
  EXPECT_EQ(c.satisfied.count, 2);  // 1 (5) and 9 (4); 3 rated 2
  EXPECT_EQ(c.satisfied.of, 3);     // 2 closed unrated: not counted at all
  EXPECT_EQ(c.redone.count, 1);     // 3
  EXPECT_EQ(c.redone.of, 5);        // 1 2 3 7 9 were resolved
  EXPECT_EQ(c.overdue, 2);          // 4, and 8 from October
  // Accept: 59m, 30h, 2h, 3h, 1h → median 2h. Resolve: 5h, 40h, 80h, 4h, 1h → 5h.
  ASSERT_TRUE(c.median_accept);
  EXPECT_EQ(*c.median_accept, hours(2));
  ASSERT_TRUE(c.median_resolve);
  EXPECT_EQ(*c.median_resolve, hours(5));
  EXPECT_EQ(r.total.received, 6);
  EXPECT_EQ(r.as_of, kNovember.to);
}

TEST(Stats, AnEscalatedTicketIsLateEvenIfTheNextPartyMeetsItsNewDeadline) {
  Book b;
  // Accept due at 2h, missed: escalated with a new deadline of 4h, accepted at 3h.
  b.add(1, T).accept_deadline = T + hours(4);
  b.go(1, State::dispatched, T);
  b.events[1].push_back({1, State::dispatched, State::dispatched, "system", T + hours(2),
                         "overdue: not accepted by 11-02 02:00"});
  b.go(1, State::accepted, T + hours(3));
  // The same shape without the overdue event is on time.
  b.add(2, T).accept_deadline = T + hours(4);
  b.go(2, State::dispatched, T);
  b.go(2, State::accepted, T + hours(3));
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::county, kNovember, kNow);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].accept_on_time.of, 2);
  EXPECT_EQ(r.rows[0].accept_on_time.count, 1);
}

TEST(Stats, UnratedClosesNeverCountAsSatisfied) {
  Book b;
  for (TicketNo n = 1; n <= 3; ++n) {
    b.add(n, T);
    b.go(n, State::dispatched, T);
    b.go(n, State::resolved, T + hours(1));
    b.close_unrated(n, T + hours(73));
  }
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::county, kNovember, kNow);
  EXPECT_EQ(r.total.handled, 3);
  EXPECT_EQ(r.total.satisfied.of, 0);
  EXPECT_EQ(r.total.satisfied.count, 0);
  EXPECT_FALSE(r.total.satisfied.rate().has_value()) << "no real rating: undefined, not 0%";
  // One real rating of 5 makes it 100%, whatever the unrated ones.
  b.add(4, T);
  b.go(4, State::dispatched, T);
  b.go(4, State::resolved, T + hours(1));
  b.close_rated(4, 5, T + hours(2));
  r = compute_stats(b.tickets, b.events, test_settings(), test_directory(), StatsLevel::county,
                    kNovember, kNow);
  EXPECT_EQ(r.total.satisfied.of, 1);
  EXPECT_DOUBLE_EQ(*r.total.satisfied.rate(), 1.0);
}

TEST(Stats, GroupsPerTownshipGridMemberAndCategory) {
  Book b = november();
  const Settings settings = test_settings();
  const Directory directory = test_directory();
  auto rows = [&](StatsLevel level) {
    return compute_stats(b.tickets, b.events, settings, directory, level, kNovember, kNow).rows;
  };
  auto township = rows(StatsLevel::township);
  ASSERT_EQ(township.size(), 2u);
  EXPECT_EQ(township[0].key, "青石镇");  // directory order
  EXPECT_EQ(township[0].received, 5);
  EXPECT_EQ(township[0].overdue, 2);
  EXPECT_EQ(township[1].key, "白沙乡");
  EXPECT_EQ(township[1].received, 1);
  EXPECT_EQ(township[1].satisfied.count, 1);

  auto grid = rows(StatsLevel::grid);
  ASSERT_EQ(grid.size(), 2u);
  EXPECT_EQ(grid[0].name, "大溪边村网格");
  EXPECT_EQ(grid[1].key, "g2");
  EXPECT_EQ(*grid[1].median_accept, hours(1));

  auto member = rows(StatsLevel::member);
  ASSERT_EQ(member.size(), 2u);
  EXPECT_EQ(member[0].name, "王建国");
  EXPECT_EQ(member[0].handled, 4);
  EXPECT_EQ(member[1].name, "孙立");

  auto category = rows(StatsLevel::category);
  ASSERT_EQ(category.size(), 2u);
  EXPECT_EQ(category[0].name, "路灯");
  EXPECT_EQ(category[1].name, "漏水");
  // water's accept_within is 2h: ticket 9 resolved (accepted) at 1h is on time.
  EXPECT_EQ(category[1].accept_on_time.count, 1);
  // The rows add up to the total.
  long long received = 0;
  for (const StatsRow& r : category) received += r.received;
  EXPECT_EQ(received, 6);
}

// 作风投诉率: by member a complaint counts for the members it names, not for the desk handling
// it; by grid like any ticket; a withdrawn (cancelled) or October complaint counts nowhere.
TEST(Stats, ComplaintsCountForTheMembersTheyNameNotTheDesk) {
  Book b = november();
  Settings settings = test_settings();
  Category conduct;
  conduct.id = "conduct";
  conduct.name = "作风投诉";
  conduct.complaint = true;
  settings.categories.push_back(conduct);
  b.add(20, T, "g1", "m3", "conduct").complaint_about = {"m1"};
  b.go(20, State::dispatched, T);
  b.add(21, T, "g2", "m3", "conduct").complaint_about = {"m1", "m2"};
  b.go(21, State::dispatched, T);
  b.add(22, T, "g1", "m3", "conduct").complaint_about = {"m1"};
  b.go(22, State::cancelled, T + hours(1));
  b.add(23, T - hours(24 * 10), "g1", "m3", "conduct").complaint_about = {"m2"};
  const Directory directory = test_directory();
  auto report = [&](StatsLevel level) {
    return compute_stats(b.tickets, b.events, settings, directory, level, kNovember, kNow);
  };

  const StatsReport by_member = report(StatsLevel::member);
  ASSERT_EQ(by_member.rows.size(), 3u);
  EXPECT_EQ(by_member.rows[0].key, "m1");
  EXPECT_EQ(by_member.rows[0].complained.count, 2);
  EXPECT_EQ(by_member.rows[0].complained.of, 5);  // 王建国's tickets received in November
  EXPECT_EQ(by_member.rows[1].key, "m2");
  EXPECT_EQ(by_member.rows[1].complained.count, 1);
  EXPECT_EQ(by_member.rows[2].key, "m3");  // the desk: handles both, complained about in none
  EXPECT_EQ(by_member.rows[2].received, 2);
  EXPECT_EQ(by_member.rows[2].complained.count, 0);
  EXPECT_EQ(by_member.total.complained.count, 2);  // tickets, not names

  const StatsReport by_grid = report(StatsLevel::grid);
  ASSERT_EQ(by_grid.rows.size(), 2u);
  EXPECT_EQ(by_grid.rows[0].complained.count, 1);
  EXPECT_EQ(by_grid.rows[1].complained.count, 1);
  ASSERT_TRUE(by_grid.rows[1].complained.rate());
  EXPECT_DOUBLE_EQ(*by_grid.rows[1].complained.rate(), 0.5);  // 1 of g2's 2 tickets
}

// A member named only in a complaint, with no tickets of her own, still has a row.
TEST(Stats, AMemberWithOnlyComplaintsHasARowWithAnUndefinedRate) {
  Book b;
  Settings settings = test_settings();
  Category conduct;
  conduct.id = "conduct";
  conduct.complaint = true;
  settings.categories.push_back(conduct);
  b.add(1, T, "g2", "m3", "conduct").complaint_about = {"m2"};
  const StatsReport r = compute_stats(b.tickets, b.events, settings, test_directory(),
                                      StatsLevel::member, kNovember, kNow);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].key, "m2");
  EXPECT_EQ(r.rows[0].complained.count, 1);
  EXPECT_FALSE(r.rows[0].complained.rate());
}

TEST(Stats, TicketsWithoutGridOrAssigneeGoToTheirOwnRowLast) {
  Book b;
  b.add(1, T, "g1");
  b.add(2, T, "");
  b.ticket(2).grid.reset();
  b.ticket(2).assignee.reset();
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::grid, kNovember, kNow);
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].key, "g1");
  EXPECT_EQ(r.rows[1].key, "");
  EXPECT_EQ(r.rows[1].name, "(未定位)");
}

TEST(Stats, MediansOfEvenCountsAreTheMeanOfTheMiddleTwo) {
  Book b;
  const hours accept[] = {hours(1), hours(2), hours(4), hours(10)};
  for (TicketNo n = 1; n <= 4; ++n) {
    b.add(n, T);
    b.go(n, State::dispatched, T);
    b.go(n, State::accepted, T + accept[n - 1]);
  }
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::county, kNovember, kNow);
  EXPECT_EQ(*r.total.median_accept, hours(3));
  EXPECT_FALSE(r.total.median_resolve.has_value());
}

TEST(Stats, APastPeriodIgnoresWhatHappenedAfterIt) {
  Book b;
  b.add(1, T);
  b.go(1, State::dispatched, T);
  b.go(1, State::accepted, T + hours(1));
  b.go(1, State::resolved, T + hours(50));  // after the two-day period
  b.close_rated(1, 5, T + hours(51));
  const StatsPeriod two_days{T, T + hours(48)};
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::county, two_days, kNow);
  EXPECT_EQ(r.as_of, T + hours(48));
  EXPECT_EQ(r.total.received, 1);
  EXPECT_EQ(r.total.handled, 0);
  EXPECT_EQ(r.total.satisfied.of, 0);
  EXPECT_EQ(r.total.accept_on_time.count, 1);
  EXPECT_EQ(r.total.resolve_on_time.of, 0) << "resolve due at 72h: not decided at 48h";
  EXPECT_EQ(r.total.overdue, 0);
  // The same ticket over November: handled, satisfied.
  r = compute_stats(b.tickets, b.events, test_settings(), test_directory(), StatsLevel::county,
                    kNovember, kNow);
  EXPECT_EQ(r.total.handled, 1);
  EXPECT_EQ(r.total.satisfied.count, 1);
}

TEST(Stats, ACurrentPeriodCountsAsOfNowAndLeavesOpenWindowsUndecided) {
  Book b;
  b.add(1, T);
  b.go(1, State::dispatched, T);
  const TimePoint now = T + hours(10);  // inside the 24h acceptance window
  StatsReport r = compute_stats(b.tickets, b.events, test_settings(), test_directory(),
                                StatsLevel::county, kNovember, now);
  EXPECT_EQ(r.as_of, now);
  EXPECT_EQ(r.total.received, 1);
  EXPECT_EQ(r.total.accept_on_time.of, 0);
  EXPECT_FALSE(r.total.accept_on_time.rate().has_value());
  EXPECT_EQ(r.total.overdue, 0);
  r = compute_stats(b.tickets, b.events, test_settings(), test_directory(), StatsLevel::county,
                    kNovember, T + hours(25));
  EXPECT_EQ(r.total.accept_on_time.of, 1);
  EXPECT_EQ(r.total.accept_on_time.count, 0);
  EXPECT_EQ(r.total.overdue, 1);
}

TEST(Stats, TicketsWithoutEventsUseTheirTimestamps) {
  Ticket t;
  t.number = 1;
  t.category = "streetlight";
  t.grid = "g1";
  t.created_at = T;
  t.dispatched_at = T;
  t.accepted_at = T + hours(30);
  t.resolved_at = T + hours(31);
  t.closed_at = T + hours(32);
  t.state = State::closed;
  t.close_reason = CloseReason::rated;
  t.rating = 4;
  t.reopen_count = 1;
  StatsReport r = compute_stats({t}, {}, test_settings(), test_directory(), StatsLevel::county,
                                kNovember, kNow);
  EXPECT_EQ(r.total.handled, 1);
  EXPECT_EQ(r.total.accept_on_time.count, 0);
  EXPECT_EQ(r.total.accept_on_time.of, 1);
  EXPECT_EQ(r.total.resolve_on_time.count, 1);
  EXPECT_EQ(r.total.satisfied.count, 1);
  EXPECT_EQ(r.total.redone.count, 1);
  EXPECT_EQ(*r.total.median_accept, hours(30));
}

TEST(Stats, WorkingDayLimitsUseTheCalendar) {
  Settings settings = test_settings();
  settings.categories[0].accept_within = SlaLimit::days_of_work(1);
  // Friday 2026-11-06 15:00 Shanghai (07:00 UTC) + 1 working day = Monday 15:00.
  const TimePoint friday = TimePoint{day(2026, 11, 6).time_since_epoch()} + hours(7);
  Book b;
  b.add(1, friday);
  b.go(1, State::dispatched, friday);
  b.go(1, State::accepted, friday + hours(71));  // Monday 14:00: on time
  b.add(2, friday);
  b.go(2, State::dispatched, friday);
  b.go(2, State::accepted, friday + hours(73));  // Monday 16:00: late
  StatsReport r = compute_stats(b.tickets, b.events, settings, test_directory(), StatsLevel::county,
                                kNovember, kNow);
  EXPECT_EQ(r.total.accept_on_time.of, 2);
  EXPECT_EQ(r.total.accept_on_time.count, 1);
}

TEST(Stats, LevelNamesRoundTrip) {
  for (StatsLevel level : {StatsLevel::county, StatsLevel::township, StatsLevel::grid,
                           StatsLevel::member, StatsLevel::category}) {
    EXPECT_EQ(stats_level_from_string(to_string(level)), level);
  }
  EXPECT_FALSE(stats_level_from_string("village"));
}

TEST(Points, TotalsPerMemberAndPerGrid) {
  auto entry = [](std::string member, TicketNo ticket, int points, std::string grid) {
    PointsRecord r;
    r.entry.member = std::move(member);
    r.entry.ticket = ticket;
    r.entry.points = points;
    r.ticket_grid = std::move(grid);
    return r;
  };
  // m1 earns 10 in g2 (a ticket there) and 4 without a ticket (→ its first grid g1); m3 has no
  // grid at all.
  std::vector<PointsRecord> records{entry("m1", 1, 10, "g2"), entry("m1", 0, 4, ""),
                                    entry("m2", 2, 6, "g2"), entry("m2", 3, -2, "g2"),
                                    entry("m3", 0, 3, "")};
  auto members = points_totals(records, test_directory(), PointsLevel::member);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].key, "m1");
  EXPECT_EQ(members[0].name, "王建国");
  EXPECT_EQ(members[0].points, 14);
  EXPECT_EQ(members[0].entries, 2);
  EXPECT_EQ(members[1].key, "m2");
  EXPECT_EQ(members[1].points, 4);
  EXPECT_EQ(members[2].points, 3);

  auto grids = points_totals(records, test_directory(), PointsLevel::grid);
  ASSERT_EQ(grids.size(), 3u);
  EXPECT_EQ(grids[0].key, "g2");
  EXPECT_EQ(grids[0].points, 14);
  EXPECT_EQ(grids[1].key, "g1");
  EXPECT_EQ(grids[1].points, 4);
  EXPECT_EQ(grids[2].key, "");
  EXPECT_EQ(grids[2].name, "(无网格)");
}

struct PeriodCase {
  const char* text;
  bool ok;
  std::optional<std::pair<Days, Days>> range;
};

TEST(Period, ParsesTheDocumentedForms) {
  const Days today = day(2026, 11, 28);  // a Saturday
  const PeriodCase cases[] = {
      {"2026-11-05", true, {{day(2026, 11, 5), day(2026, 11, 5)}}},
      {"2026-11", true, {{day(2026, 11, 1), day(2026, 11, 30)}}},
      {"2024-02", true, {{day(2024, 2, 1), day(2024, 2, 29)}}},
      {"2026", true, {{day(2026, 1, 1), day(2026, 12, 31)}}},
      {"today", true, {{today, today}}},
      {"yesterday", true, {{day(2026, 11, 27), day(2026, 11, 27)}}},
      {"this-week", true, {{day(2026, 11, 23), today}}},
      {"this-month", true, {{day(2026, 11, 1), today}}},
      {"last-month", true, {{day(2026, 10, 1), day(2026, 10, 31)}}},
      {"last-7-days", true, {{day(2026, 11, 22), today}}},
      {"last-1-days", true, {{today, today}}},
      {"all", true, std::nullopt},
      {"2026-13", false, std::nullopt},
      {"2026-02-30", false, std::nullopt},
      {"last-0-days", false, std::nullopt},
      {"last-x-days", false, std::nullopt},
      {"november", false, std::nullopt},
      {"", false, std::nullopt},
  };
  for (const PeriodCase& c : cases) {
    PeriodParse p = parse_period(c.text, today);
    EXPECT_EQ(p.ok, c.ok) << c.text;
    if (!c.ok) {
      EXPECT_FALSE(p.error.empty()) << c.text;
      continue;
    }
    ASSERT_EQ(p.range.has_value(), c.range.has_value()) << c.text;
    if (c.range) {
      EXPECT_EQ(p.range->first, c.range->first) << c.text;
      EXPECT_EQ(p.range->last, c.range->second) << c.text;
    }
  }
  // January's last month is December of the year before; a Monday's week starts that day.
  EXPECT_EQ(parse_period("last-month", day(2027, 1, 15)).range->first, day(2026, 12, 1));
  EXPECT_EQ(parse_period("this-week", day(2026, 11, 23)).range->first, day(2026, 11, 23));
}

}  // namespace
}  // namespace lianxin::domain
