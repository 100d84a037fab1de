// lianxinctl's read-only reports: tickets (with filters), one ticket's history, stats, points,
// and the directory (list, check). They read the configuration and, read-only, the daemon's
// database (the daemon stays the only writer).
//
// Command functions take the arguments after the command word and return the exit status:
// 0 done, 1 a runtime failure (configuration, database, directory errors found), 2 wrong usage.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/ctl/tickets.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"
#include "daemon/domain/sla.hpp"
#include "daemon/domain/stats.hpp"

namespace lianxin::ctl {

using Args = std::vector<std::string_view>;

int tickets_command(const Args& args, std::ostream& out, std::ostream& err);
int ticket_command(const Args& args, std::ostream& out, std::ostream& err);
int stats_command(const Args& args, std::ostream& out, std::ostream& err);
int points_command(const Args& args, std::ostream& out, std::ostream& err);
int directory_command(const Args& args, std::ostream& out, std::ostream& err);

// Usage lines of the commands above, for `lianxinctl --help`.
std::string reports_usage();

// ---- Pure parts (tested directly) ----

// A period in local time: [from, to) and how to show it ("2026-11-01 – 2026-11-30", "all").
struct ResolvedPeriod {
  std::optional<domain::TimePoint> from, to;  // nullopt: open
  std::string label;
};

// "2026-11-05".
std::string day_text(std::chrono::sys_days day);
// Local midnight of a day in the (fixed-offset) zone, and the local day of a moment.
domain::TimePoint local_midnight(std::chrono::sys_days day, const domain::TimeZone& zone);
std::chrono::sys_days local_day(domain::TimePoint at, const domain::TimeZone& zone);

// --period, or --from/--to (days, both inclusive); at most one of the two forms. `error` set
// (and nullopt) when they are wrong.
std::optional<ResolvedPeriod> resolve_period(const std::optional<std::string>& period,
                                             const std::optional<std::string>& from,
                                             const std::optional<std::string>& to,
                                             domain::TimePoint now, const domain::TimeZone& zone,
                                             std::string& error);

std::string render_stats(const domain::StatsReport& report, const std::string& period_label,
                         Format format);
// The points rules in force, one line under `lianxinctl points`.
std::string points_rules_line(const domain::PointsRules& rules);
std::string render_points(const std::vector<domain::PointsRow>& rows, domain::PointsLevel level,
                          const std::string& period_label, Format format);
// what: "grids", "members", "residents", "teams", "duty-desks"; "" = a count of each.
std::string render_directory(const domain::Directory& directory, std::string_view what,
                             Format format);

// A time as the operator's terminal shows it (local time, strftime format).
std::string local_text(domain::TimePoint at, const char* format);
// A rate as the reports show it: "97.5%"; "-" when there is nothing to count (never 0%).
std::string percent_text(const domain::Ratio& ratio);
// "45m", "3h12m", "2d4h"; "-" when none.
std::string format_duration(std::optional<std::chrono::seconds> duration);
// RFC 4180 cell: quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view text);

}  // namespace lianxin::ctl
