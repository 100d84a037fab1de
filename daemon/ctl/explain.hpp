// `lianxinctl explain`: how the daemon would read one SMS, without changing anything. Operators
// use it to tune category keywords and village aliases.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/language.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::ctl {

struct SmsExplanation {
  std::string from;         // E.164, or the raw text when it does not normalise
  std::string sender_role;  // "member", "resident" (in the directory) or "unknown"
  std::string sender_name;
  std::string text;     // the SMS as given
  std::string kind;     // "report", "command" or "unrecognized"
  std::string command;  // grammar name: "accept", "rate", "report", ...
  std::string command_note;
  std::optional<long long> ticket;  // the ticket number the command names
  // How the text reads (language.hpp): intent for every text that is no command ("command"
  // for a command), the rest for reports (and the best guess for feedback).
  std::string intent;
  domain::Reading reading;
  std::string category_id;
  std::string category;  // its display name
  std::string category_reason;
  std::string keyword;  // the configured keyword that decided, empty when none
  std::optional<std::string> grid;
  std::string grid_name;
  std::string grid_reason;
  std::optional<std::string> assignee;  // member id
  std::string assignee_name;
  std::string route_step;
  std::vector<std::string> route_trace;
  std::string what_happens;  // for a text that is not a report: what the sender gets
};

// `from` is any spelling of a phone number; `text` the SMS as the villager would send it.
SmsExplanation explain_sms(const domain::Settings& settings, const domain::Directory& directory,
                           std::string_view from, std::string_view text);

std::string to_text(const SmsExplanation& explanation);
std::string to_json(const SmsExplanation& explanation);

}  // namespace lianxin::ctl
