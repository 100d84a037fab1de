#include "daemon/ctl/explain.hpp"

#include <cstdio>
#include <type_traits>
#include <variant>

#include "daemon/ctl/json.hpp"
#include "daemon/domain/classify.hpp"
#include "daemon/domain/grammar.hpp"
#include "daemon/domain/phone.hpp"
#include "daemon/domain/routing.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;

// Fills kind/command/ticket from a parsed command of either grammar.
template <typename Command>
void describe_command(SmsExplanation& out, const Command& command) {
  out.command = std::string(command_name(command));
  std::visit(
      [&out](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, Report> || std::is_same_v<T, MemberReport>) {
          out.kind = "report";
        } else if constexpr (std::is_same_v<T, Unrecognized>) {
          out.kind = "unrecognized";
          out.command_note = "the member gets a one-line help";
        } else {
          out.kind = "command";
          if constexpr (requires { c.ticket; }) {
            if (c.ticket) out.ticket = *c.ticket;
          }
          if constexpr (std::is_same_v<T, Rate> || std::is_same_v<T, Reopen>) {
            out.command_note = "applies to the sender's ticket awaiting verification, if any";
          }
        }
      },
      command);
}

void explain_report(SmsExplanation& out, const Settings& settings, const Directory& directory,
                    std::string_view text) {
  Classification classification = classify(settings, directory, out.from, text);
  const CategoryMatch& category = classification.category;
  out.category_id = category.category;
  const Category* found = settings.find_category(category.category);
  out.category = found ? found->name : category.category;
  out.category_reason = category.explanation;
  if (category.winner) out.keyword = category.winner->keyword;

  const LocationMatch& location = classification.location;
  out.grid = location.grid;
  out.grid_reason = location.explanation;
  if (location.grid) {
    if (const Grid* grid = directory.find_grid(*location.grid)) out.grid_name = grid->name;
  }

  // Nobody's open tickets are known here: the daemon's choice among equals may differ.
  RouteDecision route = route_ticket(directory, RouteRequest{found, location.grid, {}}, {});
  out.assignee = route.member;
  out.route_step = std::string(to_string(route.step));
  out.route_trace = route.trace;
  if (route.member) {
    if (const Member* member = directory.find_member(*route.member))
      out.assignee_name = member->name;
  }
}

std::string json_optional(const std::optional<std::string>& value) {
  return value ? json_string(*value) : "null";
}

}  // namespace

SmsExplanation explain_sms(const Settings& settings, const Directory& directory,
                           std::string_view from, std::string_view text) {
  SmsExplanation out;
  std::optional<std::string> e164 = normalize_e164(from, settings.default_country);
  out.from = e164 ? *e164 : std::string(from);
  out.sender_role = "unknown";
  out.text = std::string(text);

  if (const Member* member = directory.member_by_phone(out.from)) {
    out.sender_role = "member";
    out.sender_name = member->name;
    describe_command(out, parse_member_message(text));
  } else {
    if (const Resident* resident = directory.resident_by_phone(out.from)) {
      out.sender_role = "resident";
      out.sender_name = resident->name;
    }
    ResidentCommand command = parse_resident_message(text);
    describe_command(out, command);
    if (const auto* report = std::get_if<Report>(&command); report && report->command_like) {
      out.kind = "unrecognized";
      out.command_note = "looks like a mistyped command: the sender gets a one-line help";
    }
  }
  if (out.kind == "report") explain_report(out, settings, directory, text);
  return out;
}

std::string to_text(const SmsExplanation& e) {
  std::string out;
  auto line = [&out](std::string_view label, std::string_view value) {
    out += std::string(label) + std::string(value) + "\n";
  };
  std::string sender = e.from + " (" + e.sender_role;
  if (!e.sender_name.empty()) sender += ": " + e.sender_name;
  line("from:      ", sender + ")");
  if (e.kind == "command") {
    std::string command = e.command;
    if (e.ticket) command += " ticket " + std::to_string(*e.ticket);
    line("reads as:  command ", command);
  } else if (e.kind == "unrecognized") {
    line("reads as:  not understood (", e.command + ")");
  } else {
    line("reads as:  ", "a new report");
  }
  if (!e.command_note.empty()) line("note:      ", e.command_note);
  if (e.kind != "report") return out;
  line("category:  ", e.category + " (" + e.category_id + ") — " + e.category_reason);
  line("grid:      ",
       e.grid ? e.grid_name + " (" + *e.grid + ") — " + e.grid_reason
              : "unknown — " + e.grid_reason + "; the villager is asked 请问您在哪个村?");
  line("goes to:   ", e.assignee ? e.assignee_name + " (" + *e.assignee + ") as " + e.route_step
                                 : std::string("nobody: no eligible member or duty desk"));
  for (const std::string& step : e.route_trace) line("  route:   ", step);
  return out;
}

std::string to_json(const SmsExplanation& e) {
  std::string trace = "[";
  for (std::size_t i = 0; i < e.route_trace.size(); ++i)
    trace += (i ? "," : "") + json_string(e.route_trace[i]);
  trace += "]";
  std::string out = "{";
  out += "\"from\":" + json_string(e.from);
  out += ",\"sender_role\":" + json_string(e.sender_role);
  out += ",\"sender_name\":" + json_string(e.sender_name);
  out += ",\"text\":" + json_string(e.text);
  out += ",\"kind\":" + json_string(e.kind);
  out += ",\"command\":" + json_string(e.command);
  out += ",\"ticket\":" + (e.ticket ? std::to_string(*e.ticket) : std::string("null"));
  out += ",\"note\":" + json_string(e.command_note);
  if (e.kind == "report") {
    out += ",\"category\":" + json_string(e.category);
    out += ",\"category_id\":" + json_string(e.category_id);
    out += ",\"keyword\":" + json_string(e.keyword);
    out += ",\"category_reason\":" + json_string(e.category_reason);
    out += ",\"grid\":" + json_optional(e.grid);
    out += ",\"grid_name\":" + json_string(e.grid_name);
    out += ",\"grid_reason\":" + json_string(e.grid_reason);
    out += ",\"assignee\":" + json_optional(e.assignee);
    out += ",\"assignee_name\":" + json_string(e.assignee_name);
    out += ",\"route_step\":" + json_string(e.route_step);
    out += ",\"route\":" + trace;
  }
  return out + "}\n";
}

}  // namespace lianxin::ctl
