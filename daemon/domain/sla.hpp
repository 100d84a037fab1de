// Service-level time: deadlines in elapsed time or in working days, the holiday calendar (with
// the make-up working days on weekends that China has, 调休), local time in a fixed-offset zone,
// quiet hours and SMS validity. Pure: every function takes the time it works on.
//
// Time zones: China has had no daylight saving time since 1991, so a named zone maps to one
// fixed UTC offset (Asia/Shanghai = UTC+8). Only zones without DST are known; others are refused
// rather than silently computed wrong.
#pragma once

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/model.hpp"

namespace lianxin::domain {

using Days = std::chrono::sys_days;

struct TimeZone {
  std::string name = "Asia/Shanghai";
  std::chrono::minutes utc_offset{8 * 60};
};

// The known fixed-offset zone, or nullopt (a zone with DST or a misspelling).
std::optional<TimeZone> find_time_zone(std::string_view name);
// The names find_time_zone() knows, for error messages.
std::vector<std::string_view> known_time_zones();

// "2026-10-01" → the day. nullopt for anything else (also 2026-02-30).
std::optional<Days> parse_date(std::string_view text);
std::string format_date(Days day);  // "2026-10-01"

// Working days: Monday to Friday, except holidays, plus make-up working days (调休) that fall on
// a weekend.
class WorkCalendar {
 public:
  WorkCalendar() = default;
  WorkCalendar(std::set<Days> holidays, std::set<Days> workdays)
      : holidays_(std::move(holidays)), workdays_(std::move(workdays)) {}
  bool is_working_day(Days day) const;
  const std::set<Days>& holidays() const { return holidays_; }
  const std::set<Days>& workdays() const { return workdays_; }

 private:
  std::set<Days> holidays_;
  std::set<Days> workdays_;
};

// A deadline length: elapsed time (hours, minutes, even seconds for tests), or working days.
// N working days = the moment N × 24 hours of working-day time have passed since the start, in
// local time: Friday 15:00 + 1 working day = Monday 15:00; Saturday 10:00 + 1 = Tuesday 00:00
// (the end of Monday). Holidays and weekends do not count; make-up working days do.
struct SlaLimit {
  std::chrono::seconds elapsed{0};  // used when working_days == 0
  int working_days = 0;

  static SlaLimit hours(long long h) { return {std::chrono::hours{h}, 0}; }
  static SlaLimit days_of_work(int n) { return {std::chrono::seconds{0}, n}; }
  // The nominal length: elapsed, or working_days × 24 h (for reminder fractions, comparisons).
  std::chrono::seconds nominal() const;
  std::string to_string() const;  // "4h", "30m", "45s", "3wd"
  bool operator==(const SlaLimit&) const = default;
};

// "4h", "90m", "30s", "2d" (elapsed days), "1h30m", "3wd" (working days). nullopt and a reason.
std::optional<SlaLimit> parse_sla_limit(std::string_view text, std::string& error);

// `from` plus the limit, in the zone, on the calendar.
TimePoint add_limit(TimePoint from, const SlaLimit& limit, const WorkCalendar& calendar,
                    const TimeZone& zone);

// When the reminder before a deadline goes out: either a fraction of the limit before it
// ("25%": when a quarter of the time is left) or a fixed time before it ("1h").
struct Reminder {
  double fraction = 0.25;  // used when before == 0
  std::chrono::seconds before{0};
  std::string to_string() const;
  bool operator==(const Reminder&) const = default;
};
std::optional<Reminder> parse_reminder(std::string_view text, std::string& error);
// The reminder time for a deadline set with `limit`; nullopt when it would come at or before the
// start of the period (a limit too short to remind).
std::optional<TimePoint> reminder_time(TimePoint deadline, const SlaLimit& limit,
                                       const Reminder& reminder);

// Quiet hours in local time, [start, end), possibly wrapping past midnight ("22:00-07:00").
struct QuietPeriod {
  std::chrono::minutes start{22 * 60};
  std::chrono::minutes end{7 * 60};
  bool operator==(const QuietPeriod&) const = default;
};
// The end of the quiet period `now` is in, or nullopt when `now` is not quiet.
std::optional<TimePoint> quiet_until(TimePoint now, const QuietPeriod& quiet, const TimeZone& zone);

// "5月2日 16:00" in local time, for SMS.
std::string format_local(TimePoint at, const TimeZone& zone);

}  // namespace lianxin::domain
