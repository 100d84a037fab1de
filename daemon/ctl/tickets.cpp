#include "daemon/ctl/tickets.hpp"

#include <cstdint>
#include <cstdio>
#include <ctime>

#include "daemon/ctl/json.hpp"
#include "daemon/domain/normalize.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;

std::string local_time(TimePoint at) {
  if (at == TimePoint{}) return "";
  std::time_t seconds = std::chrono::system_clock::to_time_t(at);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &local);
  return text;
}

bool is_wide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1FAFF) ||
         (c >= 0x20000 && c <= 0x3FFFD);
}

// At most `columns` display columns of `text`, with "…" when cut.
std::string shorten(std::string_view text, std::size_t columns) {
  if (display_width(text) <= columns) return std::string(text);
  std::string out;
  std::size_t width = 0;
  for (char32_t c : sms::utf8_to_code_points(text)) {
    std::size_t w = is_wide(c) ? 2 : 1;
    if (width + w + 1 > columns) break;
    out += sms::code_points_to_utf8(std::u32string(1, c));
    width += w;
  }
  return out + "…";
}

std::string pad(std::string_view text, std::size_t columns) {
  std::string out(text);
  for (std::size_t w = display_width(text); w < columns; ++w) out += ' ';
  return out;
}

std::string csv_cell(std::string_view text) {
  if (text.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

struct Row {
  std::string number, state, category, village, assignee, rating, created, text;
};

Row row_of(const Ticket& t, const Settings& settings, const Directory& directory) {
  Row row;
  row.number = std::to_string(t.number);
  row.state = std::string(to_string(t.state));
  if (t.state == TicketState::closed && t.close_reason == CloseReason::unrated)
    row.state += " (unrated)";
  const Category* category = settings.find_category(t.category);
  row.category = category ? category->name : t.category;
  if (t.grid) {
    const Grid* grid = directory.find_grid(*t.grid);
    row.village = grid ? grid->village : *t.grid;
  }
  if (t.assignee) {
    const Member* member = directory.find_member(*t.assignee);
    row.assignee = member ? member->name : *t.assignee;
  }
  if (t.rating) row.rating = std::to_string(*t.rating);
  row.created = local_time(t.created_at);
  row.text = t.text;
  return row;
}

}  // namespace

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  for (char32_t c : sms::utf8_to_code_points(utf8)) width += is_wide(c) ? 2 : 1;
  return width;
}

std::string render_tickets(const std::vector<Ticket>& tickets, const Settings& settings,
                           const Directory& directory, Format format) {
  std::vector<Row> rows;
  rows.reserve(tickets.size());
  for (const Ticket& t : tickets) rows.push_back(row_of(t, settings, directory));

  std::string out;
  if (format == Format::csv) {
    out = "number,state,category,village,assignee,rating,created,text\n";
    for (const Row& r : rows) {
      out += r.number + "," + csv_cell(r.state) + "," + csv_cell(r.category) + "," +
             csv_cell(r.village) + "," + csv_cell(r.assignee) + "," + r.rating + "," + r.created +
             "," + csv_cell(r.text) + "\n";
    }
    return out;
  }
  if (format == Format::json) {
    Json array = Json::array();
    for (const Row& r : rows)
      array.push_back(Json{{"number", std::stoll(r.number)},
                           {"state", r.state},
                           {"category", r.category},
                           {"village", r.village},
                           {"assignee", r.assignee},
                           {"rating", r.rating.empty() ? Json(nullptr) : Json(std::stoi(r.rating))},
                           {"created", r.created},
                           {"text", r.text}});
    return json_lines(array);
  }

  const std::vector<std::string> headers = {"编号",   "状态", "类别",     "村",
                                            "承办人", "评分", "报告时间", "内容"};
  std::vector<std::size_t> widths;
  for (const std::string& h : headers) widths.push_back(display_width(h));
  auto cells = [](const Row& r) {
    return std::vector<std::string>{r.number,   r.state,  r.category, r.village,
                                    r.assignee, r.rating, r.created,  shorten(r.text, 30)};
  };
  for (const Row& r : rows) {
    std::vector<std::string> c = cells(r);
    for (std::size_t i = 0; i < c.size(); ++i) widths[i] = std::max(widths[i], display_width(c[i]));
  }
  auto line = [&](const std::vector<std::string>& c) {
    std::string text;
    for (std::size_t i = 0; i < c.size(); ++i)
      text += (i + 1 < c.size() ? pad(c[i], widths[i]) + "  " : c[i]);
    return text + "\n";
  };
  out = line(headers);
  for (const Row& r : rows) out += line(cells(r));
  out += "(" + std::to_string(rows.size()) + " tickets)\n";
  return out;
}

std::string render_history(const Ticket& ticket, const std::vector<TicketEvent>& events,
                           const Settings& settings, const Directory& directory) {
  Row row = row_of(ticket, settings, directory);
  std::string out = "ticket " + row.number + ": " + row.state + ", " + row.category;
  if (!row.village.empty()) out += ", " + row.village;
  if (!row.assignee.empty()) out += ", " + row.assignee;
  if (!row.rating.empty()) out += ", rated " + row.rating;
  out += "\nreport: " + ticket.text + "\n";
  if (!ticket.resolution.empty()) out += "resolution: " + ticket.resolution + "\n";
  // Service orders, SLA and escalation (schema version 5; absent fields print nothing).
  auto member_name = [&](const std::string& id) {
    const Member* member = directory.find_member(id);
    return member ? member->name : id;
  };
  if (ticket.kind == TicketKind::order) {
    out += "order (网格点单)";
    if (ticket.raised_by) out += " raised by " + member_name(*ticket.raised_by);
    if (ticket.team) {
      const Team* team = directory.find_team(*ticket.team);
      out += " for " + (team ? team->name : *ticket.team);
    }
    out += "\n";
  } else if (ticket.raised_by) {
    out += "reported on behalf by " + member_name(*ticket.raised_by) + "\n";
  }
  std::string sla;
  if (ticket.accept_deadline) sla += "accept by " + local_time(*ticket.accept_deadline);
  if (ticket.resolve_deadline)
    sla += (sla.empty() ? "" : ", ") + std::string("resolve by ") +
           local_time(*ticket.resolve_deadline);
  if (ticket.escalation_level > 0)
    sla += (sla.empty() ? "" : ", ") + std::string("escalated ") +
           std::to_string(ticket.escalation_level) + "x";
  if (ticket.reopen_count > 0)
    sla += (sla.empty() ? "" : ", ") + std::string("reopened ") +
           std::to_string(ticket.reopen_count) + "x";
  if (ticket.handback_count > 0)
    sla += (sla.empty() ? "" : ", ") + std::string("handed back ") +
           std::to_string(ticket.handback_count) + "x";
  if (ticket.problem) sla += (sla.empty() ? "" : ", ") + std::string("问题工单 (problem ticket)");
  if (!sla.empty()) out += "sla: " + sla + "\n";
  for (const TicketEvent& e : events) {
    std::string actor = e.actor;
    if (const Member* member = directory.find_member(e.actor)) actor = member->name;
    // Events that change no state (a note, a reminder, an escalation, a reassignment) show the
    // state once.
    std::string change =
        !e.from           ? "created → " + std::string(to_string(e.to))
        : *e.from == e.to ? "· " + std::string(to_string(e.to))
                          : std::string(to_string(*e.from)) + " → " + std::string(to_string(e.to));
    out += "  " + local_time(e.at) + "  " + change + "  by " + actor;
    if (!e.reason.empty()) out += ": " + e.reason;
    out += "\n";
  }
  return out;
}

}  // namespace lianxin::ctl
