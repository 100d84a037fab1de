#include "daemon/ctl/explain.hpp"

#include <cstdio>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

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

std::string percent(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", p * 100);
  return buf;
}

void explain_report(SmsExplanation& out, const Settings& settings, const Directory& directory,
                    std::string_view text) {
  const Reading& reading = out.reading;
  out.category_id = reading.category;
  const Category* found = settings.find_category(reading.category);
  out.category = found ? found->name : reading.category;
  out.category_reason = reading.explanation;
  if (reading.keyword_override) out.keyword = reading.keyword;

  const LocationMatch location = locate(directory, out.from, text);
  out.grid = location.grid;
  out.grid_reason = location.explanation;
  if (location.grid) {
    if (const Grid* grid = directory.find_grid(*location.grid)) out.grid_name = grid->name;
  }

  // Nobody's open tickets are known here: the daemon's choice among equals may differ.
  Category review;
  const Category* route_category = found;
  if (reading.needs_review && !reading.urgent && found != nullptr) {
    review = *found;  // 过滤核实: the duty desk, whatever the guess's route
    review.route = RouteKind::duty_desk;
    route_category = &review;
  }
  RouteDecision route =
      route_ticket(directory, RouteRequest{route_category, location.grid, {}}, {});
  out.assignee = route.member;
  out.route_step = std::string(to_string(route.step));
  out.route_trace = route.trace;
  if (route.member) {
    if (const Member* member = directory.find_member(*route.member))
      out.assignee_name = member->name;
  }
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
  out.intent = "command";
  if (out.kind == "report") {
    out.reading = read_text(settings, text);
    out.intent = std::string(to_string(out.reading.intent));
    switch (out.reading.intent) {
      case Intent::report:
        break;
      case Intent::acknowledgement:
        out.what_happens = "an acknowledgement: no ticket and no reply";
        break;
      case Intent::greeting:
        out.what_happens = "a greeting or question about the service: a one-line how-to reply";
        break;
      case Intent::feedback_good:
        out.what_happens =
            "feedback: recorded on the sender's latest ticket (no ticket: nothing, like thanks)";
        break;
      case Intent::feedback_bad:
        out.what_happens =
            "feedback: recorded on the sender's latest ticket and passed to its member (no "
            "ticket: read as a report)";
        break;
    }
    explain_report(out, settings, directory, text);
  }
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
  } else if (e.intent == "report") {
    line("reads as:  ", "a new report (" + percent(e.reading.intent_probability) + ")");
  } else {
    line("reads as:  ",
         e.intent + " (" + percent(e.reading.intent_probability) + ") — " + e.what_happens);
  }
  if (!e.command_note.empty()) line("note:      ", e.command_note);
  if (e.kind != "report") return out;
  // Thanks, greetings and good news have no category that matters; unhappy feedback does (it
  // becomes a report when the sender has no ticket).
  if (e.intent != "report" && e.intent != "feedback_bad") return out;
  std::string category = e.category + " (" + e.category_id + ") ";
  if (e.reading.keyword_override) {
    category += "by the configured keyword '" + e.keyword + "' (an operator override)";
  } else {
    category += percent(e.reading.confidence);
  }
  line("category:  ", category);
  for (std::size_t i = 0; i < e.reading.candidates.size(); ++i) {
    line(i == 0 ? "  model:   " : "           ",
         e.reading.candidates[i].label + " " + percent(e.reading.candidates[i].probability));
  }
  if (e.reading.needs_review) {
    line("review:    ",
         "below the confidence for a guess: 过滤核实 at the duty desk, who confirms "
         "or corrects it (lianxinctl recategorize)");
  }
  line("urgent:    ", e.reading.urgent ? "yes — " + e.reading.urgency_reason : "no");
  if (e.intent != "report") return out;
  line("grid:      ",
       e.grid ? e.grid_name + " (" + *e.grid + ") — " + e.grid_reason
              : "unknown — " + e.grid_reason + "; the villager is asked 请问您在哪个村?");
  line("goes to:   ", e.assignee ? e.assignee_name + " (" + *e.assignee + ") as " + e.route_step
                                 : std::string("nobody: no eligible member or duty desk"));
  for (const std::string& step : e.route_trace) line("  route:   ", step);
  return out;
}

std::string to_json(const SmsExplanation& e) {
  nlohmann::ordered_json j;
  j["from"] = e.from;
  j["sender_role"] = e.sender_role;
  j["sender_name"] = e.sender_name;
  j["text"] = e.text;
  j["kind"] = e.kind;
  j["command"] = e.command;
  j["ticket"] = e.ticket ? nlohmann::ordered_json(*e.ticket) : nlohmann::ordered_json();
  j["note"] = e.command_note;
  j["intent"] = e.intent;
  if (e.kind == "report") {
    j["intent_probability"] = e.reading.intent_probability;
    j["what_happens"] = e.what_happens;
    j["category"] = e.category;
    j["category_id"] = e.category_id;
    j["confidence"] = e.reading.confidence;
    auto candidates = nlohmann::ordered_json::array();
    for (const LabelScore& c : e.reading.candidates) {
      candidates.push_back({{"category_id", c.label}, {"probability", c.probability}});
    }
    j["candidates"] = candidates;
    j["keyword_override"] = e.reading.keyword_override;
    j["keyword"] = e.keyword;
    j["needs_review"] = e.reading.needs_review;
    j["urgent"] = e.reading.urgent;
    j["urgency_reason"] = e.reading.urgency_reason;
    j["category_reason"] = e.category_reason;
    j["grid"] = e.grid ? nlohmann::ordered_json(*e.grid) : nlohmann::ordered_json();
    j["grid_name"] = e.grid_name;
    j["grid_reason"] = e.grid_reason;
    j["assignee"] = e.assignee ? nlohmann::ordered_json(*e.assignee) : nlohmann::ordered_json();
    j["assignee_name"] = e.assignee_name;
    j["route_step"] = e.route_step;
    j["route"] = e.route_trace;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace lianxin::ctl
