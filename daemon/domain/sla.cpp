#include "daemon/domain/sla.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace lianxin::domain {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct ZoneEntry {
  std::string_view name;
  int offset_minutes;
};

// Zones without daylight saving time (none since at least 1992).
constexpr std::array<ZoneEntry, 16> kZones{{
    {"Asia/Shanghai", 480},
    {"Asia/Chongqing", 480},
    {"Asia/Chungking", 480},
    {"Asia/Harbin", 480},
    {"Asia/Urumqi", 360},
    {"Asia/Hong_Kong", 480},
    {"Asia/Macau", 480},
    {"Asia/Taipei", 480},
    {"Asia/Singapore", 480},
    {"Asia/Kuala_Lumpur", 480},
    {"Asia/Manila", 480},
    {"Asia/Tokyo", 540},
    {"Asia/Seoul", 540},
    {"Asia/Kolkata", 330},
    {"UTC", 0},
    {"Etc/UTC", 0},
}};

std::optional<long long> parse_number(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string two_digits(unsigned value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02u", value % 100);
  return buffer;
}

// "1h30m" style elapsed time: a sum of <number><unit> with units d, h, m, s.
std::optional<seconds> parse_elapsed(std::string_view text) {
  if (text.empty()) return std::nullopt;
  seconds total{0};
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t digits = i;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == i || digits == text.size()) return std::nullopt;
    auto n = parse_number(text.substr(i, digits - i));
    if (!n || *n > 1'000'000) return std::nullopt;
    switch (text[digits]) {
      case 'd':
        total += days{*n};
        break;
      case 'h':
        total += hours{*n};
        break;
      case 'm':
        total += minutes{*n};
        break;
      case 's':
        total += seconds{*n};
        break;
      default:
        return std::nullopt;
    }
    i = digits + 1;
  }
  return total;
}

}  // namespace

std::optional<TimeZone> find_time_zone(std::string_view name) {
  for (const ZoneEntry& zone : kZones) {
    if (zone.name == name) return TimeZone{std::string(name), minutes{zone.offset_minutes}};
  }
  return std::nullopt;
}

std::vector<std::string_view> known_time_zones() {
  std::vector<std::string_view> names;
  for (const ZoneEntry& zone : kZones) names.push_back(zone.name);
  return names;
}

std::optional<Days> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = parse_number(text.substr(0, 4));
  auto m = parse_number(text.substr(5, 2));
  auto d = parse_number(text.substr(8, 2));
  if (!y || !m || !d || *y < 1970 || *y > 9999) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(*y)},
                                  std::chrono::month{static_cast<unsigned>(*m)},
                                  std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return Days{ymd};
}

std::string format_date(Days day) {
  std::chrono::year_month_day ymd{day};
  return std::to_string(static_cast<int>(ymd.year())) + "-" +
         two_digits(static_cast<unsigned>(ymd.month())) + "-" +
         two_digits(static_cast<unsigned>(ymd.day()));
}

bool WorkCalendar::is_working_day(Days day) const {
  if (workdays_.contains(day)) return true;
  if (holidays_.contains(day)) return false;
  const std::chrono::weekday wd{day};
  return wd != std::chrono::Saturday && wd != std::chrono::Sunday;
}

seconds SlaLimit::nominal() const {
  return working_days > 0 ? seconds{std::chrono::hours{24 * working_days}} : elapsed;
}

std::string SlaLimit::to_string() const {
  if (working_days > 0) return std::to_string(working_days) + "wd";
  const long long s = elapsed.count();
  if (s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

std::optional<SlaLimit> parse_sla_limit(std::string_view text, std::string& error) {
  if (text.size() > 2 && text.substr(text.size() - 2) == "wd") {
    auto n = parse_number(text.substr(0, text.size() - 2));
    if (!n || *n < 1 || *n > 365) {
      error = "working days are a whole number from 1 to 365 followed by wd, such as \"3wd\"";
      return std::nullopt;
    }
    return SlaLimit::days_of_work(static_cast<int>(*n));
  }
  auto elapsed = parse_elapsed(text);
  if (!elapsed || elapsed->count() <= 0) {
    error = "expected a deadline such as 4h, 30m, 1h30m, 2d or 3wd (working days), got \"" +
            std::string(text) + "\"";
    return std::nullopt;
  }
  return SlaLimit{*elapsed, 0};
}

TimePoint add_limit(TimePoint from, const SlaLimit& limit, const WorkCalendar& calendar,
                    const TimeZone& zone) {
  if (limit.working_days <= 0) return from + limit.elapsed;
  // Walk local days, consuming 24 h of working-day time per working day.
  const auto offset = std::chrono::duration_cast<Clock::duration>(zone.utc_offset);
  const auto local = std::chrono::sys_time<Clock::duration>(from.time_since_epoch() + offset);
  Clock::duration need = std::chrono::duration_cast<Clock::duration>(days{limit.working_days});
  auto cursor = local;
  for (int guard = 0; guard < 366 * 20; ++guard) {
    const Days day = std::chrono::floor<days>(cursor);
    const auto day_end = std::chrono::sys_time<Clock::duration>(day + days{1});
    if (calendar.is_working_day(day)) {
      const Clock::duration available = day_end - cursor;
      if (need <= available) {
        return TimePoint{(cursor + need).time_since_epoch() - offset};
      }
      need -= available;
    }
    cursor = day_end;
  }
  // A calendar without working days for 20 years: treat the limit as elapsed time.
  return from + limit.nominal();
}

std::string Reminder::to_string() const {
  if (before.count() > 0) return SlaLimit{before, 0}.to_string();
  return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%";
}

std::optional<Reminder> parse_reminder(std::string_view text, std::string& error) {
  if (!text.empty() && text.back() == '%') {
    auto n = parse_number(text.substr(0, text.size() - 1));
    if (!n || *n < 1 || *n > 99) {
      error = "a reminder fraction is 1% to 99% of the time left, such as \"25%\"";
      return std::nullopt;
    }
    return Reminder{static_cast<double>(*n) / 100.0, seconds{0}};
  }
  auto before = parse_elapsed(text);
  if (!before || before->count() <= 0) {
    error =
        "expected a reminder such as 25% (of the time, before the deadline) or 1h (before "
        "the deadline), got \"" +
        std::string(text) + "\"";
    return std::nullopt;
  }
  return Reminder{0, *before};
}

std::optional<TimePoint> reminder_time(TimePoint deadline, const SlaLimit& limit,
                                       const Reminder& reminder) {
  const seconds span = limit.nominal();
  seconds before = reminder.before;
  if (before.count() <= 0) {
    before = seconds{static_cast<long long>(
        std::llround(static_cast<double>(span.count()) * reminder.fraction))};
  }
  if (before.count() <= 0 || before >= span) return std::nullopt;
  return deadline - before;
}

std::optional<TimePoint> quiet_until(TimePoint now, const QuietPeriod& quiet,
                                     const TimeZone& zone) {
  if (quiet.start == quiet.end) return std::nullopt;
  const auto offset = std::chrono::duration_cast<Clock::duration>(zone.utc_offset);
  const auto local = std::chrono::sys_time<Clock::duration>(now.time_since_epoch() + offset);
  const Days day = std::chrono::floor<days>(local);
  const auto since_midnight = local - std::chrono::sys_time<Clock::duration>(day);
  const auto start = std::chrono::duration_cast<Clock::duration>(quiet.start);
  const auto end = std::chrono::duration_cast<Clock::duration>(quiet.end);
  std::optional<std::chrono::sys_time<Clock::duration>> until;
  if (quiet.start < quiet.end) {
    if (since_midnight >= start && since_midnight < end) until = day + end;
  } else if (since_midnight >= start) {
    until = day + days{1} + end;  // evening: until tomorrow morning
  } else if (since_midnight < end) {
    until = day + end;  // small hours: until this morning
  }
  if (!until) return std::nullopt;
  return TimePoint{until->time_since_epoch() - offset};
}

std::string format_local(TimePoint at, const TimeZone& zone) {
  const auto offset = std::chrono::duration_cast<Clock::duration>(zone.utc_offset);
  const auto local = std::chrono::sys_time<Clock::duration>(at.time_since_epoch() + offset);
  const Days day = std::chrono::floor<days>(local);
  const std::chrono::year_month_day ymd{day};
  const auto since_midnight = std::chrono::duration_cast<minutes>(local - day);
  return std::to_string(static_cast<unsigned>(ymd.month())) + "月" +
         std::to_string(static_cast<unsigned>(ymd.day())) + "日" +
         two_digits(static_cast<unsigned>(since_midnight.count() / 60)) + ":" +
         two_digits(static_cast<unsigned>(since_midnight.count() % 60));
}

}  // namespace lianxin::domain
