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
#include "daemon/domain/phone.hpp"
#include "daemon/store/reports.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;
using std::chrono::sys_days;

constexpr const char* kDefaultConfig = "/etc/lianxin/lianxind.yaml";

// ---- Text tables ----

struct Table {
  std::vector<std::string> headers;
  std::vector<bool> right;  // right-aligned columns (numbers)
  std::vector<std::vector<std::string>> rows;

  std::string render() const {
    std::vector<std::size_t> widths;
    for (const std::string& h : headers) widths.push_back(display_width(h));
    for (const auto& row : rows)
      for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
        widths[i] = std::max(widths[i], display_width(row[i]));
    auto line = [&](const std::vector<std::string>& cells) {
      std::string text;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::size_t fill = widths[i] - display_width(cells[i]);
        const bool last = i + 1 == cells.size();
        if (right[i])
          text += std::string(fill, ' ') + cells[i];
        else
          text += cells[i] + (last ? "" : std::string(fill, ' '));
        if (!last) text += "  ";
      }
      return text + "\n";
    };
    std::string out = line(headers);
    for (const auto& row : rows) out += line(row);
    return out;
  }
};

std::string csv_line(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
  return out + "\n";
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? std::string(separator) : "") + items[i];
  return out;
}

std::string percent(const Ratio& ratio) {
  auto rate = ratio.rate();
  if (!rate) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", *rate * 100.0);
  return text;
}

std::string fraction(const Ratio& ratio) {  // CSV: 0.9750, empty when undefined
  auto rate = ratio.rate();
  if (!rate) return "";
  char text[16];
  std::snprintf(text, sizeof text, "%.4f", *rate);
  return text;
}

std::string json_rate(const Ratio& ratio) {
  std::string f = fraction(ratio);
  return f.empty() ? "null" : f;
}

std::string json_seconds(std::optional<std::chrono::seconds> s) {
  return s ? std::to_string(s->count()) : "null";
}

std::string csv_seconds(std::optional<std::chrono::seconds> s) {
  return s ? std::to_string(s->count()) : "";
}

std::string local_text(TimePoint at, const char* format) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  std::strftime(text, sizeof text, format, &local);
  return text;
}

std::string day_text(sys_days day) {
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

std::string level_name_zh(StatsLevel level) {
  switch (level) {
    case StatsLevel::county:
      return "全县";
    case StatsLevel::township:
      return "按乡镇";
    case StatsLevel::grid:
      return "按网格";
    case StatsLevel::member:
      return "按党员";
    case StatsLevel::category:
      return "按类别";
  }
  return "";
}

// ---- Options shared by the commands ----

struct Options {
  std::string config = kDefaultConfig;
  std::string db;
  Format format = Format::table;
  std::optional<std::string> period, from, to;
  std::vector<std::string> positional;
  // Command-specific options with a value: name → value(s).
  std::vector<std::pair<std::string, std::string>> values;

  std::optional<std::string> value(std::string_view name) const {
    std::optional<std::string> found;
    for (const auto& [n, v] : values)
      if (n == name) found = v;
    return found;
  }
};

// Parses the common options plus `valued` ones (each takes one value); false on bad usage.
bool parse_options(const Args& args, const std::set<std::string_view>& valued, bool formats,
                   bool periods, Options& options, std::ostream& err, std::string_view command) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    auto take = [&]() { return std::string(args[++i]); };
    if (arg == "--config" || arg == "--db" ||
        (periods && (arg == "--period" || arg == "--from" || arg == "--to")) || valued.count(arg)) {
      if (!has_value) {
        err << "lianxinctl " << command << ": " << arg << " needs a value\n";
        return false;
      }
      if (arg == "--config")
        options.config = take();
      else if (arg == "--db")
        options.db = take();
      else if (arg == "--period")
        options.period = take();
      else if (arg == "--from")
        options.from = take();
      else if (arg == "--to")
        options.to = take();
      else
        options.values.emplace_back(std::string(arg), take());
    } else if (formats && arg == "--csv") {
      options.format = Format::csv;
    } else if (formats && arg == "--json") {
      options.format = Format::json;
    } else if (arg.starts_with("--")) {
      err << "lianxinctl " << command << ": unknown option " << arg
          << " (lianxinctl --help lists them)\n";
      return false;
    } else {
      options.positional.emplace_back(arg);
    }
  }
  return true;
}

std::optional<config::DaemonConfig> load(const Options& options, std::ostream& err) {
  config::LoadOptions load_options;
  load_options.secrets = config::Secrets::skip;  // only lianxind needs the SMPP password
  config::LoadResult loaded = config::load_config(options.config, load_options);
  if (!loaded.config) {
    err << config::format_diagnostics(loaded.errors);
    err << "lianxinctl: cannot load " << options.config << "\n";
    return std::nullopt;
  }
  // Dates and times as the county reads them.
  setenv("TZ", loaded.config->time_zone.c_str(), 1);
  tzset();
  return std::move(*loaded.config);
}

std::optional<store::ReportReader> open_reader(const Options& options,
                                               const config::DaemonConfig& config,
                                               std::ostream& err) {
  const std::string path = options.db.empty() ? config.storage.path.string() : options.db;
  try {
    return store::ReportReader::open(path);
  } catch (const store::StoreOpenError& e) {
    err << "lianxinctl: " << e.what() << "\n";
    return std::nullopt;
  }
}

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

std::string dir_cell_list(const std::vector<std::string>& items) {
  return join(items, ";");
}

std::string roles_text(const Member& m) {
  std::vector<std::string> names;
  for (Role r : m.roles) names.emplace_back(to_string(r));
  return join(names, ";");
}

}  // namespace

// ---- Pure parts ----

std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string format_duration(std::optional<std::chrono::seconds> duration) {
  if (!duration) return "-";
  long long s = duration->count();
  if (s < 0) s = 0;
  const long long minutes = (s + 30) / 60;
  if (minutes < 60) return std::to_string(minutes) + "m";
  const long long hours = minutes / 60, rest_minutes = minutes % 60;
  if (hours < 24) {
    return std::to_string(hours) + "h" + (rest_minutes ? std::to_string(rest_minutes) + "m" : "");
  }
  const long long days = hours / 24, rest_hours = hours % 24;
  return std::to_string(days) + "d" + (rest_hours ? std::to_string(rest_hours) + "h" : "");
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

std::string render_stats(const StatsReport& report, const std::string& period_label,
                         Format format) {
  std::vector<const StatsRow*> rows;
  for (const StatsRow& r : report.rows) rows.push_back(&r);
  const bool add_total = report.level != StatsLevel::county;
  if (add_total) rows.push_back(&report.total);

  if (format == Format::csv) {
    std::string out = csv_line({"level",
                                "key",
                                "name",
                                "received",
                                "handled",
                                "handling_rate",
                                "accepted_on_time",
                                "acceptance_decided",
                                "on_time_acceptance_rate",
                                "resolved_on_time",
                                "resolution_decided",
                                "on_time_resolution_rate",
                                "satisfied",
                                "rated",
                                "satisfaction_rate",
                                "reopened",
                                "resolved",
                                "redo_rate",
                                "median_accept_seconds",
                                "median_resolve_seconds",
                                "overdue",
                                "invalid",
                                "cancelled"});
    for (const StatsRow* r : rows) {
      const std::string level = r == &report.total ? "total" : std::string(to_string(report.level));
      out += csv_line({level,
                       r->key,
                       r->name,
                       std::to_string(r->received),
                       std::to_string(r->handled),
                       fraction(r->handling),
                       std::to_string(r->accept_on_time.count),
                       std::to_string(r->accept_on_time.of),
                       fraction(r->accept_on_time),
                       std::to_string(r->resolve_on_time.count),
                       std::to_string(r->resolve_on_time.of),
                       fraction(r->resolve_on_time),
                       std::to_string(r->satisfied.count),
                       std::to_string(r->satisfied.of),
                       fraction(r->satisfied),
                       std::to_string(r->redone.count),
                       std::to_string(r->redone.of),
                       fraction(r->redone),
                       csv_seconds(r->median_accept),
                       csv_seconds(r->median_resolve),
                       std::to_string(r->overdue),
                       std::to_string(r->invalid),
                       std::to_string(r->cancelled)});
    }
    return out;
  }
  if (format == Format::json) {
    auto ratio = [](const char* name, const Ratio& r) {
      return std::string("\"") + name + "\":{\"count\":" + std::to_string(r.count) +
             ",\"of\":" + std::to_string(r.of) + ",\"rate\":" + json_rate(r) + "}";
    };
    auto row_json = [&](const StatsRow& r) {
      return "{\"key\":" + json_string(r.key) + ",\"name\":" + json_string(r.name) +
             ",\"received\":" + std::to_string(r.received) +
             ",\"handled\":" + std::to_string(r.handled) + "," + ratio("handling", r.handling) +
             "," + ratio("on_time_acceptance", r.accept_on_time) + "," +
             ratio("on_time_resolution", r.resolve_on_time) + "," +
             ratio("satisfaction", r.satisfied) + "," + ratio("redo", r.redone) +
             ",\"median_accept_seconds\":" + json_seconds(r.median_accept) +
             ",\"median_resolve_seconds\":" + json_seconds(r.median_resolve) +
             ",\"overdue\":" + std::to_string(r.overdue) +
             ",\"invalid\":" + std::to_string(r.invalid) +
             ",\"cancelled\":" + std::to_string(r.cancelled) + "}";
    };
    std::string out = "{\"level\":" + json_string(to_string(report.level)) +
                      ",\"period\":" + json_string(period_label) +
                      ",\"as_of\":" + json_string(local_text(report.as_of, "%Y-%m-%dT%H:%M:%S%z")) +
                      ",\n \"rows\":[";
    for (std::size_t i = 0; i < report.rows.size(); ++i)
      out += std::string(i ? ",\n  " : "\n  ") + row_json(report.rows[i]);
    out += "],\n \"total\":" + row_json(report.total) + "}\n";
    return out;
  }

  Table table;
  table.headers = {"名称",   "受理",     "办结",     "办理率", "按时签收率", "按时办结率", "满意率",
                   "重办率", "签收用时", "办结用时", "超期",   "无效",       "撤销"};
  table.right = {false, true, true, true, true, true, true, true, true, true, true, true, true};
  for (const StatsRow* r : rows) {
    table.rows.push_back(
        {r->name, std::to_string(r->received), std::to_string(r->handled), percent(r->handling),
         percent(r->accept_on_time), percent(r->resolve_on_time), percent(r->satisfied),
         percent(r->redone), format_duration(r->median_accept), format_duration(r->median_resolve),
         std::to_string(r->overdue), std::to_string(r->invalid), std::to_string(r->cancelled)});
  }
  std::string out = "统计 " + period_label + " (" + level_name_zh(report.level) + ", 截至 " +
                    local_text(report.as_of, "%Y-%m-%d %H:%M") + ")\n";
  if (rows.empty() || (report.rows.empty() && report.total.received == 0)) {
    return out + "(no tickets in this period)\n";
  }
  out += table.render();
  out +=
      "满意率 counts real ratings only (4-5 of 1-5); unrated closes are not satisfied and not "
      "counted. 用时 = median.\n";
  return out;
}

std::string render_points(const std::vector<PointsRow>& rows, PointsLevel level,
                          const std::string& period_label, Format format) {
  const std::string level_name = level == PointsLevel::member ? "member" : "grid";
  if (format == Format::csv) {
    std::string out = csv_line({level_name, "name", "points", "entries"});
    for (const PointsRow& r : rows)
      out += csv_line({r.key, r.name, std::to_string(r.points), std::to_string(r.entries)});
    return out;
  }
  if (format == Format::json) {
    std::string out = "{\"by\":" + json_string(level_name) +
                      ",\"period\":" + json_string(period_label) + ",\"rows\":[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out += std::string(i ? ",\n " : "\n ") + "{\"key\":" + json_string(rows[i].key) +
             ",\"name\":" + json_string(rows[i].name) +
             ",\"points\":" + std::to_string(rows[i].points) +
             ",\"entries\":" + std::to_string(rows[i].entries) + "}";
    }
    return out + "]}\n";
  }
  Table table;
  table.headers = {level == PointsLevel::member ? "党员" : "网格", "编号", "积分", "条目"};
  table.right = {false, false, true, true};
  long long total = 0;
  for (const PointsRow& r : rows) {
    table.rows.push_back({r.name, r.key, std::to_string(r.points), std::to_string(r.entries)});
    total += r.points;
  }
  std::string out = "积分 " + period_label + "\n";
  if (rows.empty()) return out + "(no points entries)\n";
  return out + table.render() + "(" + std::to_string(rows.size()) + " rows, " +
         std::to_string(total) + " points)\n";
}

std::string points_rules_line(const domain::PointsRules& rules) {
  auto signed_ = [](int n) { return (n > 0 ? "+" : "") + std::to_string(n); };
  std::string out = "rules: rating";
  for (int stars = 5; stars >= 1; --stars) {
    out += " " + std::to_string(stars) + "→" + signed_(rules.points_for_rating(stars));
  }
  out += " (none on one's own ticket), resolved " + signed_(rules.resolved) + ", on time " +
         signed_(rules.on_time) + ", reopened " + signed_(rules.reopened) + ", overdue accept " +
         signed_(rules.overdue_accept) + ", overdue resolve " + signed_(rules.overdue_resolve) +
         "\n";
  return out;
}

std::string render_directory(const Directory& directory, std::string_view what, Format format) {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
  if (what.empty()) {
    headers = {"what", "count"};
    rows = {{"grids", std::to_string(directory.grids().size())},
            {"members", std::to_string(directory.members().size())},
            {"residents", std::to_string(directory.residents().size())},
            {"teams", std::to_string(directory.teams().size())},
            {"duty-desks", std::to_string(directory.duty_desks().size())}};
  } else if (what == "grids") {
    headers = {"id", "name", "village", "township", "leader", "aliases"};
    for (const Grid& g : directory.grids())
      rows.push_back({g.id, g.name, g.village, g.township, g.leader, dir_cell_list(g.aliases)});
  } else if (what == "members") {
    headers = {"id", "name", "phone", "grids", "roles", "on_duty"};
    for (const Member& m : directory.members())
      rows.push_back(
          {m.id, m.name, m.phone, dir_cell_list(m.grids), roles_text(m), m.on_duty ? "yes" : "no"});
  } else if (what == "residents") {
    headers = {"phone", "name", "grid"};
    for (const Resident& r : directory.residents()) rows.push_back({r.phone, r.name, r.grid});
  } else if (what == "teams") {
    headers = {"id", "name", "leader", "members"};
    for (const Team& t : directory.teams())
      rows.push_back({t.id, t.name, t.leader, dir_cell_list(t.members)});
  } else if (what == "duty-desks") {
    headers = {"township", "member"};
    for (const DutyDesk& d : directory.duty_desks())
      rows.push_back({d.township.empty() ? "(county)" : d.township, d.member});
  } else {
    return "";
  }
  if (format == Format::csv) {
    std::string out = csv_line(headers);
    for (const auto& row : rows) out += csv_line(row);
    return out;
  }
  if (format == Format::json) {
    std::string out = "[";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out += i ? ",\n {" : "\n {";
      for (std::size_t c = 0; c < headers.size(); ++c) {
        const bool number = what.empty() && c == 1;
        out += (c ? "," : "") + json_string(headers[c]) + ":" +
               (number ? rows[i][c] : json_string(rows[i][c]));
      }
      out += "}";
    }
    return out + "]\n";
  }
  Table table;
  table.headers = headers;
  table.right.assign(headers.size(), false);
  if (what.empty()) table.right[1] = true;
  table.rows = rows;
  std::string out = table.render();
  if (!what.empty()) out += "(" + std::to_string(rows.size()) + " " + std::string(what) + ")\n";
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
  auto config = load(options, err);
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
  auto config = load(options, err);
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
  auto config = load(options, err);
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
  auto config = load(options, err);
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
  if (!parse_options(args, {}, true, false, options, err, "directory")) return 2;
  const std::vector<std::string>& words = options.positional;
  if (words.empty() || (words[0] != "list" && words[0] != "check")) {
    err << "lianxinctl directory: say list or check\n" << reports_usage();
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
  auto config = load(options, err);
  if (!config) return 1;
  out << render_directory(config->directory, what, options.format);
  return 0;
}

}  // namespace lianxin::ctl
