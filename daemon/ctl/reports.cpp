#include "daemon/ctl/reports.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <set>

#include "config/daemon_config.hpp"
#include "config/diagnostic.hpp"
#include "daemon/ctl/json.hpp"
#include "daemon/ctl/report_command.hpp"
#include "daemon/ctl/report_options.hpp"
#include "daemon/domain/phone.hpp"
#include "daemon/store/reports.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;
using std::chrono::sys_days;

// "unknown grid g9 (did you mean g1?)" for ids not in `known`.
bool check_known(std::string_view what, const std::string& value,
                 const std::vector<std::string>& known, std::ostream& err) {
  if (std::find(known.begin(), known.end(), value) != known.end()) return true;
  std::vector<std::string_view> candidates(known.begin(), known.end());
  std::string hint = config::closest_match(value, candidates);
  err << "lianxinctl: unknown " << what << " " << value;
  if (!hint.empty()) err << " (did you mean " << hint << "?)";
  err << "\n";
  return false;
}

std::vector<std::string> grid_ids(const Directory& d) {
  std::vector<std::string> out;
  for (const Grid& g : d.grids()) out.push_back(g.id);
  return out;
}
std::vector<std::string> member_ids(const Directory& d) {
  std::vector<std::string> out;
  for (const Member& m : d.members()) out.push_back(m.id);
  return out;
}
std::vector<std::string> townships(const Directory& d) {
  std::vector<std::string> out;
  for (const Grid& g : d.grids())
    if (std::find(out.begin(), out.end(), g.township) == out.end()) out.push_back(g.township);
  return out;
}
std::vector<std::string> category_ids(const Settings& s) {
  std::vector<std::string> out;
  for (const Category& c : s.categories) out.push_back(c.id);
  return out;
}

// Filters of `tickets` and `stats` into a query; false (message written) when one is unknown.
bool build_query(const Options& options, const config::DaemonConfig& config,
                 store::TicketQuery& query, std::ostream& err) {
  const Directory& directory = config.directory;
  for (const auto& [name, value] : options.values) {
    if (name == "--state") {
      auto state = ticket_state_from_string(value);
      if (!state) {
        err << "lianxinctl: unknown state " << value
            << " (new, awaiting_location, dispatched, accepted, resolved, closed, reopened, "
               "invalid, cancelled)\n";
        return false;
      }
      query.states.push_back(*state);
    }
  }
  std::optional<std::string> grid = options.value("--grid"), township = options.value("--township");
  if (grid && !check_known("grid", *grid, grid_ids(directory), err)) return false;
  if (township && !check_known("township", *township, townships(directory), err)) return false;
  if (grid || township) {
    query.grids_given = true;
    for (const Grid& g : directory.grids()) {
      if (grid && g.id != *grid) continue;
      if (township && g.township != *township) continue;
      query.grids.push_back(g.id);
    }
  }
  if (auto member = options.value("--member")) {
    if (!check_known("member", *member, member_ids(directory), err)) return false;
    query.assignee = member;
  }
  if (auto category = options.value("--category")) {
    if (!check_known("category", *category, category_ids(config.settings), err)) return false;
    query.category = category;
  }
  return true;
}

}  // namespace

std::string day_text(sys_days day) {
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

TimePoint local_midnight(sys_days day, const TimeZone& zone) {
  return TimePoint{day.time_since_epoch()} - zone.utc_offset;
}

sys_days local_day(TimePoint at, const TimeZone& zone) {
  return std::chrono::floor<std::chrono::days>(at + zone.utc_offset);
}

std::optional<ResolvedPeriod> resolve_period(const std::optional<std::string>& period,
                                             const std::optional<std::string>& from,
                                             const std::optional<std::string>& to, TimePoint now,
                                             const TimeZone& zone, std::string& error) {
  ResolvedPeriod out;
  if (period && (from || to)) {
    error = "give either --period or --from/--to, not both";
    return std::nullopt;
  }
  if (period) {
    PeriodParse parsed = parse_period(*period, local_day(now, zone));
    if (!parsed.ok) {
      error = parsed.error;
      return std::nullopt;
    }
    if (!parsed.range) {
      out.label = "all";
      return out;
    }
    out.from = local_midnight(parsed.range->first, zone);
    out.to = local_midnight(parsed.range->last + std::chrono::days{1}, zone);
    out.label = parsed.range->first == parsed.range->last
                    ? day_text(parsed.range->first)
                    : day_text(parsed.range->first) + " – " + day_text(parsed.range->last);
    return out;
  }
  std::optional<sys_days> first, last;
  if (from && !(first = parse_date(*from))) {
    error = "--from needs a date like 2026-11-01: " + *from;
    return std::nullopt;
  }
  if (to && !(last = parse_date(*to))) {
    error = "--to needs a date like 2026-11-30: " + *to;
    return std::nullopt;
  }
  if (first && last && *last < *first) {
    error = "--to " + *to + " is before --from " + *from;
    return std::nullopt;
  }
  if (first) out.from = local_midnight(*first, zone);
  if (last) out.to = local_midnight(*last + std::chrono::days{1}, zone);
  if (!first && !last)
    out.label = "all";
  else
    out.label = (first ? day_text(*first) : "…") + " – " + (last ? day_text(*last) : "…");
  return out;
}

// ---- Commands ----

std::string reports_usage() {
  return "       lianxinctl tickets [--state S]... [--grid G] [--township T] [--member M]\n"
         "                          [--category C] [PERIOD] [--limit N] [--csv|--json]\n"
         "       lianxinctl ticket NUMBER\n"
         "       lianxinctl stats [--by county|township|grid|member|category] [PERIOD]\n"
         "                        [--grid G] [--township T] [--member M] [--category C]\n"
         "                        [--csv|--json]\n"
         "       lianxinctl points [--by member|grid] [PERIOD] [--csv|--json]\n"
         "       lianxinctl directory list [grids|members|residents|teams|duty-desks]\n"
         "                                 [--csv|--json]\n"
         "       lianxinctl directory check\n"
         "       lianxinctl directory export --xlsx FILE\n"
         "       (each also takes --config FILE and, reading the database, --db PATH)\n"
         "  PERIOD: --period 2026-11-05|2026-11|2026|today|yesterday|this-week|this-month|\n"
         "          last-month|last-7-days|all, or --from 2026-11-01 --to 2026-11-30 (inclusive)\n";
}

int tickets_command(const Args& args, std::ostream& out, std::ostream& err) {
  Options options;
  if (!parse_options(args, {"--state", "--grid", "--township", "--member", "--category", "--limit"},
                     true, true, options, err, "tickets") ||
      !options.positional.empty()) {
    if (!options.positional.empty())
      err << "lianxinctl tickets: unexpected " << options.positional.front() << "\n";
    return 2;
  }
  store::TicketQuery query;
  query.limit = 200;
  if (auto limit = options.value("--limit")) {
    char* end = nullptr;
    const long long n = std::strtoll(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || n < 0) {
      err << "lianxinctl tickets: --limit needs a number (0 = all): " << *limit << "\n";
      return 2;
    }
    query.limit = static_cast<std::size_t>(n);
  }
  auto config = load_report_config(options, err);
  if (!config) return 1;
  if (!build_query(options, *config, query, err)) return 2;
  std::string error;
  auto period =
      resolve_period(options.period, options.from, options.to, std::chrono::system_clock::now(),
                     config->settings.sla.time_zone, error);
  if (!period) {
    err << "lianxinctl tickets: " << error << "\n";
    return 2;
  }
  query.created_from = period->from;
  query.created_to = period->to;
  auto reader = open_reader(options, *config, err);
  if (!reader) return 1;
  auto listed = reader->tickets(query);
  if (!listed) {
    err << "lianxinctl: " << listed.message << "\n";
    return 1;
  }
  out << render_tickets(listed.value, config->settings, config->directory, options.format);
  if (options.format == Format::table && query.limit != 0 && listed.value.size() == query.limit)
    out << "(the newest " << query.limit << " only; --limit 0 shows all)\n";
  return 0;
}

int ticket_command(const Args& args, std::ostream& out, std::ostream& err) {
  Options options;
  if (!parse_options(args, {}, false, false, options, err, "ticket")) return 2;
  if (options.positional.size() != 1) {
    err << "lianxinctl ticket: which ticket? give one number\n";
    return 2;
  }
  const std::string& text = options.positional.front();
  char* end = nullptr;
  const long long number = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || number <= 0) {
    err << "lianxinctl ticket: not a ticket number: " << text << "\n";
    return 2;
  }
  auto config = load_report_config(options, err);
  if (!config) return 1;
  auto reader = open_reader(options, *config, err);
  if (!reader) return 1;
  auto found = reader->find_ticket(number);
  if (!found) {
    err << "lianxinctl: " << found.message << "\n";
    return 1;
  }
  if (!found.value) {
    err << "lianxinctl: no ticket " << number << "\n";
    return 1;
  }
  auto history = reader->history(number);
  if (!history) {
    err << "lianxinctl: " << history.message << "\n";
    return 1;
  }
  out << render_history(*found.value, history.value, config->settings, config->directory);
  // The SMS about it and how far each got: a long SMS is delivered when all its parts are.
  if (auto sms = reader->sms_of(number); sms && !sms.value.empty()) {
    out << "sms:\n";
    for (const store::TicketSms& m : sms.value) {
      std::string who = domain::mask_number(m.to, config->settings.default_country);
      if (const domain::Member* member = config->directory.member_by_phone(m.to))
        who = member->name + " " + who;
      out << "  " << local_text(m.created_at, "%m-%d %H:%M") << "  → " << who << "  " << m.state;
      if (m.parts > 1) {
        out << " (" << m.parts_delivered << " of " << m.parts << " parts delivered)";
      }
      out << "\n";
    }
  }
  return 0;
}

int stats_command(const Args& args, std::ostream& out, std::ostream& err) {
  Options options;
  if (!parse_options(args, {"--by", "--grid", "--township", "--member", "--category"}, true, true,
                     options, err, "stats") ||
      !options.positional.empty()) {
    if (!options.positional.empty())
      err << "lianxinctl stats: unexpected " << options.positional.front() << "\n";
    return 2;
  }
  StatsLevel level = StatsLevel::county;
  if (auto by = options.value("--by")) {
    auto parsed = stats_level_from_string(*by);
    if (!parsed) {
      err << "lianxinctl stats: --by needs county, township, grid, member or category: " << *by
          << "\n";
      return 2;
    }
    level = *parsed;
  }
  auto config = load_report_config(options, err);
  if (!config) return 1;
  store::TicketQuery query;
  query.limit = 0;
  query.newest_first = false;
  if (!build_query(options, *config, query, err)) return 2;
  const TimePoint now = std::chrono::system_clock::now();
  std::string error;
  auto period = resolve_period(options.period, options.from, options.to, now,
                               config->settings.sla.time_zone, error);
  if (!period) {
    err << "lianxinctl stats: " << error << "\n";
    return 2;
  }
  query.created_from = period->from;
  query.created_to = period->to;
  query.with_carry_over = true;
  auto reader = open_reader(options, *config, err);
  if (!reader) return 1;
  auto tickets = reader->tickets(query);
  if (!tickets) {
    err << "lianxinctl: " << tickets.message << "\n";
    return 1;
  }
  std::vector<TicketNo> numbers;
  for (const Ticket& t : tickets.value) numbers.push_back(t.number);
  auto events = reader->events_of(numbers);
  if (!events) {
    err << "lianxinctl: " << events.message << "\n";
    return 1;
  }
  StatsPeriod stats_period{period->from.value_or(TimePoint{}),
                           period->to.value_or(TimePoint::max())};
  StatsReport report = compute_stats(tickets.value, events.value, config->settings,
                                     config->directory, level, stats_period, now);
  out << render_stats(report, period->label, options.format);
  return 0;
}

int points_command(const Args& args, std::ostream& out, std::ostream& err) {
  Options options;
  if (!parse_options(args, {"--by"}, true, true, options, err, "points") ||
      !options.positional.empty()) {
    if (!options.positional.empty())
      err << "lianxinctl points: unexpected " << options.positional.front() << "\n";
    return 2;
  }
  PointsLevel level = PointsLevel::member;
  if (auto by = options.value("--by")) {
    auto parsed = points_level_from_string(*by);
    if (!parsed) {
      err << "lianxinctl points: --by needs member or grid: " << *by << "\n";
      return 2;
    }
    level = *parsed;
  }
  auto config = load_report_config(options, err);
  if (!config) return 1;
  std::string error;
  auto period =
      resolve_period(options.period, options.from, options.to, std::chrono::system_clock::now(),
                     config->settings.sla.time_zone, error);
  if (!period) {
    err << "lianxinctl points: " << error << "\n";
    return 2;
  }
  auto reader = open_reader(options, *config, err);
  if (!reader) return 1;
  auto records = reader->points(period->from, period->to);
  if (!records) {
    err << "lianxinctl: " << records.message << "\n";
    return 1;
  }
  out << render_points(points_totals(records.value, config->directory, level), level, period->label,
                       options.format);
  if (options.format == Format::table) out << points_rules_line(config->settings.points);
  return 0;
}

int directory_command(const Args& args, std::ostream& out, std::ostream& err) {
  Options options;
  if (!parse_options(args, {"--xlsx"}, true, false, options, err, "directory")) return 2;
  const std::vector<std::string>& words = options.positional;
  if (!words.empty() && words[0] == "export") return directory_export_command(options, out, err);
  if (options.value("--xlsx")) {
    err << "lianxinctl directory: --xlsx goes with export\n";
    return 2;
  }
  if (words.empty() || (words[0] != "list" && words[0] != "check")) {
    err << "lianxinctl directory: say list, check, export or import\n" << reports_usage();
    return 2;
  }
  if (words[0] == "check") {
    if (words.size() != 1) {
      err << "lianxinctl directory check: unexpected " << words[1] << "\n";
      return 2;
    }
    config::LoadOptions load_options;
    load_options.secrets = config::Secrets::skip;
    config::LoadResult loaded = config::load_config(options.config, load_options);
    if (!loaded.config) {
      out << config::format_diagnostics(loaded.errors);
      err << "lianxinctl: " << loaded.errors.size() << " problem"
          << (loaded.errors.size() == 1 ? "" : "s") << " in " << options.config
          << " or the directory files it names\n";
      return 1;
    }
    const Directory& d = loaded.config->directory;
    const config::DirectoryFiles& f = loaded.config->directory_files;
    out << "directory ok: " << d.grids().size() << " grids, " << d.members().size() << " members, "
        << d.residents().size() << " residents, " << d.teams().size() << " teams, "
        << d.duty_desks().size() << " duty desks\n";
    for (const auto& [name, path] :
         {std::pair<const char*, const std::filesystem::path*>{"grids", &f.grids},
          {"members", &f.members},
          {"residents", &f.residents},
          {"teams", &f.teams},
          {"duty_desks", &f.duty_desks}}) {
      if (!path->empty()) out << "  " << name << ": " << path->string() << "\n";
    }
    return 0;
  }
  std::string what = words.size() > 1 ? words[1] : "";
  if (words.size() > 2 || !(what.empty() || what == "grids" || what == "members" ||
                            what == "residents" || what == "teams" || what == "duty-desks")) {
    err << "lianxinctl directory list: say grids, members, residents, teams or duty-desks\n";
    return 2;
  }
  auto config = load_report_config(options, err);
  if (!config) return 1;
  out << render_directory(config->directory, what, options.format);
  return 0;
}

}  // namespace lianxin::ctl
