// What lianxinctl prints for reports: text tables, CSV and JSON of statistics, points and the
// directory. Pure: no database, no configuration file.
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

std::string fraction(const Ratio& ratio) {  // CSV: 0.9750, empty when undefined
  auto rate = ratio.rate();
  if (!rate) return "";
  char text[16];
  std::snprintf(text, sizeof text, "%.4f", *rate);
  return text;
}

// The rate as the CSV prints it (four decimals), or null.
Json json_rate(const Ratio& ratio) {
  std::string f = fraction(ratio);
  return f.empty() ? Json(nullptr) : Json(std::stod(f));
}

Json json_seconds(std::optional<std::chrono::seconds> s) {
  return s ? Json(s->count()) : Json(nullptr);
}

std::string csv_seconds(std::optional<std::chrono::seconds> s) {
  return s ? std::to_string(s->count()) : "";
}

}  // namespace

std::string percent_text(const Ratio& ratio) {
  auto rate = ratio.rate();
  if (!rate) return "-";
  char text[16];
  std::snprintf(text, sizeof text, "%.1f%%", *rate * 100.0);
  return text;
}

std::string local_text(TimePoint at, const char* format) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[40];
  std::strftime(text, sizeof text, format, &local);
  return text;
}

namespace {

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

std::string dir_cell_list(const std::vector<std::string>& items) {
  return join(items, ";");
}

std::string roles_text(const Member& m) {
  std::vector<std::string> names;
  for (Role r : m.roles) names.emplace_back(to_string(r));
  return join(names, ";");
}

}  // namespace

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
                                "complaints",
                                "complaint_rate",
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
                       std::to_string(r->complained.count),
                       fraction(r->complained),
                       csv_seconds(r->median_accept),
                       csv_seconds(r->median_resolve),
                       std::to_string(r->overdue),
                       std::to_string(r->invalid),
                       std::to_string(r->cancelled)});
    }
    return out;
  }
  if (format == Format::json) {
    auto ratio = [](const Ratio& r) {
      return Json{{"count", r.count}, {"of", r.of}, {"rate", json_rate(r)}};
    };
    auto row_json = [&](const StatsRow& r) {
      return Json{{"key", r.key},
                  {"name", r.name},
                  {"received", r.received},
                  {"handled", r.handled},
                  {"handling", ratio(r.handling)},
                  {"on_time_acceptance", ratio(r.accept_on_time)},
                  {"on_time_resolution", ratio(r.resolve_on_time)},
                  {"satisfaction", ratio(r.satisfied)},
                  {"redo", ratio(r.redone)},
                  {"complaints", ratio(r.complained)},
                  {"median_accept_seconds", json_seconds(r.median_accept)},
                  {"median_resolve_seconds", json_seconds(r.median_resolve)},
                  {"overdue", r.overdue},
                  {"invalid", r.invalid},
                  {"cancelled", r.cancelled}};
    };
    Json rows_json = Json::array();
    for (const StatsRow& r : report.rows) rows_json.push_back(row_json(r));
    const Json head{{"level", to_string(report.level)},
                    {"period", period_label},
                    {"as_of", local_text(report.as_of, "%Y-%m-%dT%H:%M:%S%z")}};
    // One row per line inside one object: {"level":…,"as_of":…,\n "rows":[…],\n "total":{…}}.
    std::string out = json_text(head);
    out.pop_back();
    std::string rows_text = json_lines(rows_json);
    rows_text.pop_back();
    return out + ",\n \"rows\":" + rows_text +
           ",\n \"total\":" + json_text(row_json(report.total)) + "}\n";
  }

  Table table;
  table.headers = {"名称",   "受理", "办结",     "办理率",   "按时签收率", "按时办结率", "满意率",
                   "重办率", "投诉", "签收用时", "办结用时", "超期",       "无效",       "撤销"};
  table.right = {false, true, true, true, true, true, true,
                 true,  true, true, true, true, true, true};
  for (const StatsRow* r : rows) {
    table.rows.push_back({r->name, std::to_string(r->received), std::to_string(r->handled),
                          percent_text(r->handling), percent_text(r->accept_on_time),
                          percent_text(r->resolve_on_time), percent_text(r->satisfied),
                          percent_text(r->redone), std::to_string(r->complained.count),
                          format_duration(r->median_accept), format_duration(r->median_resolve),
                          std::to_string(r->overdue), std::to_string(r->invalid),
                          std::to_string(r->cancelled)});
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
    Json rows_json = Json::array();
    for (const PointsRow& r : rows)
      rows_json.push_back(
          Json{{"key", r.key}, {"name", r.name}, {"points", r.points}, {"entries", r.entries}});
    std::string out = json_text(Json{{"by", level_name}, {"period", period_label}});
    out.pop_back();
    std::string rows_text = json_lines(rows_json);
    rows_text.pop_back();
    return out + ",\"rows\":" + rows_text + "}\n";
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
    Json array = Json::array();
    for (const auto& row : rows) {
      Json object = Json::object();
      for (std::size_t c = 0; c < headers.size(); ++c) {
        const bool number = what.empty() && c == 1;  // the counts
        object[headers[c]] = number ? Json(std::stoll(row[c])) : Json(row[c]);
      }
      array.push_back(std::move(object));
    }
    return json_lines(array);
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

}  // namespace lianxin::ctl
