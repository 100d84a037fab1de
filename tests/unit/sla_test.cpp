#include "daemon/domain/sla.hpp"

#include <gtest/gtest.h>

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

const TimeZone kShanghai = *find_time_zone("Asia/Shanghai");

// A wall-clock time in Shanghai (UTC+8).
TimePoint shanghai(int y, unsigned m, unsigned d, int hour, int minute = 0) {
  return TimePoint{Days{year{y} / month{m} / day{d}}} + std::chrono::hours{hour} +
         std::chrono::minutes{minute} - 8h;
}

Days date(int y, unsigned m, unsigned d) {
  return Days{year{y} / month{m} / day{d}};
}

// National Day 2026 as the State Council would publish it: 1–7 October off (Thursday to
// Wednesday), Sunday 27 September and Saturday 10 October are make-up working days (调休).
WorkCalendar national_day_2026() {
  std::set<Days> holidays;
  for (unsigned d = 1; d <= 7; ++d) holidays.insert(date(2026, 10, d));
  return WorkCalendar(holidays, {date(2026, 9, 27), date(2026, 10, 10)});
}

TEST(TimeZones, KnownZonesHaveFixedOffsets) {
  EXPECT_EQ(kShanghai.utc_offset, 8h);
  EXPECT_EQ(find_time_zone("Asia/Urumqi")->utc_offset, 6h);
  EXPECT_EQ(find_time_zone("UTC")->utc_offset, 0min);
  EXPECT_EQ(find_time_zone("Asia/Kolkata")->utc_offset, 5h + 30min);
  // Zones with daylight saving time, or misspelt, are refused rather than computed wrong.
  EXPECT_FALSE(find_time_zone("America/New_York"));
  EXPECT_FALSE(find_time_zone("Europe/Berlin"));
  EXPECT_FALSE(find_time_zone("asia/shanghai"));
  EXPECT_FALSE(find_time_zone(""));
}

TEST(Calendar, WeekendsHolidaysAndMakeUpDays) {
  WorkCalendar calendar = national_day_2026();
  EXPECT_TRUE(calendar.is_working_day(date(2026, 9, 25)));    // Friday
  EXPECT_FALSE(calendar.is_working_day(date(2026, 9, 26)));   // Saturday
  EXPECT_TRUE(calendar.is_working_day(date(2026, 9, 27)));    // Sunday, make-up day
  EXPECT_FALSE(calendar.is_working_day(date(2026, 10, 1)));   // Thursday, holiday
  EXPECT_FALSE(calendar.is_working_day(date(2026, 10, 7)));   // Wednesday, holiday
  EXPECT_TRUE(calendar.is_working_day(date(2026, 10, 8)));    // Thursday
  EXPECT_TRUE(calendar.is_working_day(date(2026, 10, 10)));   // Saturday, make-up day
  EXPECT_FALSE(calendar.is_working_day(date(2026, 10, 11)));  // Sunday
}

TEST(Dates, ParseAndFormat) {
  EXPECT_EQ(parse_date("2026-10-01"), date(2026, 10, 1));
  EXPECT_EQ(format_date(date(2026, 1, 5)), "2026-01-05");
  for (const char* bad : {"2026-02-30", "2026-13-01", "2026-1-01", "26-10-01", "2026/10/01", ""}) {
    EXPECT_FALSE(parse_date(bad)) << bad;
  }
}

struct DeadlineCase {
  const char* name;
  TimePoint from;
  SlaLimit limit;
  bool with_calendar;
  TimePoint expected;
};

class Deadlines : public ::testing::TestWithParam<DeadlineCase> {};

TEST_P(Deadlines, AddLimit) {
  const DeadlineCase& c = GetParam();
  WorkCalendar calendar = c.with_calendar ? national_day_2026() : WorkCalendar();
  EXPECT_EQ(add_limit(c.from, c.limit, calendar, kShanghai), c.expected)
      << format_local(add_limit(c.from, c.limit, calendar, kShanghai), kShanghai);
}

INSTANTIATE_TEST_SUITE_P(
    Sla, Deadlines,
    ::testing::Values(
        // Hours are elapsed time, whatever the day.
        DeadlineCase{"hours_ignore_weekends", shanghai(2026, 9, 25, 20), SlaLimit::hours(4), true,
                     shanghai(2026, 9, 26, 0)},
        DeadlineCase{"seconds_for_tests", shanghai(2026, 9, 25, 20), SlaLimit{30s, 0}, true,
                     shanghai(2026, 9, 25, 20) + 30s},
        // Friday afternoon + 1 working day: the weekend does not count...
        DeadlineCase{"friday_plain_weekend", shanghai(2026, 9, 25, 15), SlaLimit::days_of_work(1),
                     false, shanghai(2026, 9, 28, 15)},
        // ... unless Sunday is a make-up working day.
        DeadlineCase{"friday_make_up_sunday", shanghai(2026, 9, 25, 15), SlaLimit::days_of_work(1),
                     true, shanghai(2026, 9, 27, 15)},
        // Reported on a Saturday: the whole next working day counts.
        DeadlineCase{"saturday_start", shanghai(2026, 9, 26, 10), SlaLimit::days_of_work(1), true,
                     shanghai(2026, 9, 28, 0)},
        // The eve of the National Day holiday: the week off does not count.
        DeadlineCase{"across_the_holiday", shanghai(2026, 9, 30, 10), SlaLimit::days_of_work(1),
                     true, shanghai(2026, 10, 8, 10)},
        // 3 working days from 30 September: 8 and 9 October, then the make-up Saturday.
        DeadlineCase{"holiday_then_make_up_saturday", shanghai(2026, 9, 30, 10),
                     SlaLimit::days_of_work(3), true, shanghai(2026, 10, 10, 10)},
        // Without the calendar the same span ends on Monday 5 October.
        DeadlineCase{"no_calendar", shanghai(2026, 9, 30, 10), SlaLimit::days_of_work(3), false,
                     shanghai(2026, 10, 5, 10)},
        // Local midnight, not UTC midnight, divides the days: 07:30 local is 23:30 UTC the day
        // before.
        DeadlineCase{"local_day_boundary", shanghai(2026, 9, 28, 7, 30), SlaLimit::days_of_work(5),
                     false, shanghai(2026, 10, 5, 7, 30)}),
    [](const ::testing::TestParamInfo<DeadlineCase>& info) { return info.param.name; });

TEST(SlaLimits, Parse) {
  std::string why;
  EXPECT_EQ(parse_sla_limit("4h", why), SlaLimit::hours(4));
  EXPECT_EQ(parse_sla_limit("3wd", why), SlaLimit::days_of_work(3));
  EXPECT_EQ(parse_sla_limit("30s", why), (SlaLimit{30s, 0}));
  EXPECT_EQ(parse_sla_limit("1h30m", why), (SlaLimit{90min, 0}));
  EXPECT_EQ(parse_sla_limit("2d", why), SlaLimit::hours(48));
  for (const char* bad : {"", "4", "4x", "0h", "wd", "0wd", "-3wd", "h4", "3 wd"}) {
    why.clear();
    EXPECT_FALSE(parse_sla_limit(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  EXPECT_EQ(SlaLimit::days_of_work(3).to_string(), "3wd");
  EXPECT_EQ((SlaLimit{90min, 0}.to_string()), "90m");
  EXPECT_EQ((SlaLimit{45s, 0}.to_string()), "45s");
  EXPECT_EQ(SlaLimit::days_of_work(2).nominal(), 48h);
}

TEST(Reminders, FractionOrFixedTimeBeforeTheDeadline) {
  std::string why;
  auto quarter = parse_reminder("25%", why);
  ASSERT_TRUE(quarter);
  auto hour = parse_reminder("1h", why);
  ASSERT_TRUE(hour);
  EXPECT_FALSE(parse_reminder("0%", why));
  EXPECT_FALSE(parse_reminder("100%", why));
  EXPECT_FALSE(parse_reminder("soon", why));

  const TimePoint deadline = shanghai(2026, 10, 8, 10);
  EXPECT_EQ(reminder_time(deadline, SlaLimit::hours(4), *quarter), deadline - 1h);
  EXPECT_EQ(reminder_time(deadline, SlaLimit::days_of_work(3), *quarter), deadline - 18h);
  EXPECT_EQ(reminder_time(deadline, SlaLimit::hours(4), *hour), deadline - 1h);
  // A reminder as long as the limit would come at the start: none.
  EXPECT_FALSE(reminder_time(deadline, SlaLimit{30min, 0}, *hour));
  EXPECT_EQ(quarter->to_string(), "25%");
  EXPECT_EQ(hour->to_string(), "1h");
}

TEST(QuietHours, HeldUntilTheMorningInLocalTime) {
  const QuietPeriod night{22h, 7h};
  // 23:30 in Shanghai: until 07:00 tomorrow.
  EXPECT_EQ(quiet_until(shanghai(2026, 5, 1, 23, 30), night, kShanghai), shanghai(2026, 5, 2, 7));
  // 03:00: until 07:00 the same day.
  EXPECT_EQ(quiet_until(shanghai(2026, 5, 2, 3), night, kShanghai), shanghai(2026, 5, 2, 7));
  // Daytime and the edges: not quiet (the end is not quiet, the start is).
  EXPECT_FALSE(quiet_until(shanghai(2026, 5, 2, 12), night, kShanghai));
  EXPECT_FALSE(quiet_until(shanghai(2026, 5, 2, 7), night, kShanghai));
  EXPECT_EQ(quiet_until(shanghai(2026, 5, 2, 22), night, kShanghai), shanghai(2026, 5, 3, 7));
  // 23:00 UTC is 07:00 in Shanghai: not quiet there although it is night in UTC.
  EXPECT_FALSE(quiet_until(TimePoint{Days{date(2026, 5, 1)}} + 23h, night, kShanghai));
  // A period that does not wrap.
  const QuietPeriod lunch{12h, 14h};
  EXPECT_EQ(quiet_until(shanghai(2026, 5, 2, 13), lunch, kShanghai), shanghai(2026, 5, 2, 14));
  EXPECT_FALSE(quiet_until(shanghai(2026, 5, 2, 14), lunch, kShanghai));
}

TEST(LocalTime, FormatForSms) {
  EXPECT_EQ(format_local(shanghai(2026, 10, 8, 10), kShanghai), "10月8日10:00");
  EXPECT_EQ(format_local(shanghai(2026, 1, 1, 0, 5), kShanghai), "1月1日00:05");
}

}  // namespace
}  // namespace lianxin::domain
