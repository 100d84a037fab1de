// SMS templates: the words lianxin sends, with {placeholders}, Chinese by default.
//
// Every SMS is the configured signature followed by a rendered template. Replies to villagers
// must fit in ONE SMS (70 UTF-16 units, signature included) so elderly readers get one short
// message with one clear instruction; member messages may be longer (dispatch quotes the report).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/domain/model.hpp"

namespace lianxin::domain {

// UCS-2 SMS capacity of a single message.
inline constexpr std::size_t kSingleUcs2SmsUnits = 70;

struct Templates {
  // ---- to villagers (one SMS each) ----
  std::string resident_received;         // {ticket}
  std::string resident_ask_location;     // {ticket}
  std::string resident_sent_to_desk;     // {ticket}
  std::string resident_duplicate;        // {ticket}
  std::string resident_note_added;       // {ticket}
  std::string resident_rate_request;     // {ticket}
  std::string resident_rated;            // {ticket}
  std::string resident_rated_in_words;   // {ticket}: thanks read as a rating of 5
  std::string resident_rate_unhappy;     // {ticket}: "差评" asks once whether it is fixed
  std::string resident_reopened;         // {ticket}
  std::string resident_cancelled;        // {ticket}
  std::string resident_which_ticket;     // {ticket} (an example number)
  std::string resident_status;           // {list} made of resident_status_item
  std::string resident_status_item;      // {ticket} {status}
  std::string resident_no_tickets;       //
  std::string resident_not_found;        // {ticket}
  std::string resident_nothing_to_rate;  //
  std::string resident_unsubscribed;     //
  std::string resident_invalid;          // {ticket}
  std::string resident_help;             //
  // ---- language ---- (language.hpp)
  std::string resident_howto;            // a greeting or a question about the service
  std::string resident_received_urgent;  // {ticket}: a danger described
  std::string resident_feedback_noted;   // {ticket}: "still not fixed" about an open ticket
  std::string resident_ask_township;     // {ticket} {village}: a village in several townships
  // ---- to members ----
  std::string member_dispatch;         // {ticket} {village} {category} {text} {reporter}
  std::string member_handed_over;      // {ticket} {village} {category} {text} {reporter} {reason}
  std::string member_reopened;         // {ticket} {village} {category} {text} {reporter}
  std::string member_note_added;       // {ticket} {note}
  std::string member_accepted;         // {ticket}
  std::string member_resolved;         // {ticket}
  std::string member_handed_back;      // {ticket} {assignee}
  std::string member_handback_nobody;  // {ticket}
  std::string member_rated;            // {ticket} {rating} {points}
  std::string member_cancelled;        // {ticket}
  std::string member_invalid;          // {ticket} {reason}
  std::string member_tickets;          // {count} {list} made of member_ticket_item
  std::string member_ticket_item;      // {ticket} {status}
  std::string member_no_tickets;       //
  std::string member_points;           // {points}
  std::string member_which_ticket;     // {count} {list} {command} {ticket}
  std::string member_not_yours;        // {ticket}
  std::string member_not_found;        // {ticket}
  std::string member_wrong_state;      // {ticket} {status}
  std::string member_help;             //
  std::string member_short_hint;       // 收到/好的 that accepts nothing: one line, not the help
  // ---- language ---- {ticket} {village} {category} {text} {reporter} and:
  std::string member_review;               // {guesses}: 过滤核实, to the duty desk
  std::string member_urgent_alert;         // {assignee}: an urgent report, to the duty desk
  std::string member_sign_in_unavailable;  // {meeting} (unused since meetings exist; old configs)
  std::string member_unsubscribed;         //
  // ---- operator (lianxinctl close / reassign) ----
  std::string member_reassigned;  // {ticket} {reason}: to the member who no longer has it
  std::string member_closed;      // {ticket} {reason}: to the assignee of a closed ticket
  std::string resident_closed;    // {ticket}
  // ---- SLA ---- reminders and escalation (to members)
  std::string member_accept_reminder;   // {ticket} {deadline}
  std::string member_resolve_reminder;  // {ticket} {deadline}
  // {ticket} {village} {category} {text} {reporter} {reason} {deadline}: to the party it goes to
  std::string member_escalated;
  std::string member_escalated_away;  // {ticket} {assignee}: to the member who had it
  // ---- four orders ---- 点单 (order), 派 (assign), 代 (on behalf)
  std::string member_team_dispatch;       // {ticket} {village} {category} {text} {reporter} {team}
  std::string member_order_raised;        // {ticket} {team}: to the member who raised it
  std::string member_order_unknown_team;  // {service} {teams}
  std::string member_order_usage;         // {teams}
  std::string resident_order_received;    // {ticket} {team}: the resident an order is for
  std::string member_bad_phone;           //
  std::string member_assigned;           // {ticket} {village} {category} {text} {reporter} {leader}
  std::string member_assign_done;        // {ticket} {assignee}: to the leader
  std::string member_assign_not_leader;  //
  std::string member_assign_not_team;    // {ticket}
  std::string member_assign_unknown;     // {ticket} {name} {list}
  std::string member_assign_usage;       // {ticket} {list}
  std::string member_assign_off_duty;    // {ticket} {name}
  std::string member_on_behalf_done;     // {ticket} {resident}: to the helper (number masked)
  std::string member_on_behalf_not_helper;  //
  std::string member_on_behalf_usage;       //
  std::string resident_received_on_behalf;  // {ticket} {helper}
  // ---- meetings ---- replies to 签到
  std::string member_signed_in;            // {meeting} {title} {time}
  std::string member_sign_in_repeat;       // {meeting} {time}
  std::string member_sign_in_unknown;      // {meeting}
  std::string member_sign_in_not_invited;  // {meeting}
  std::string member_sign_in_early;        // {meeting} {time}
  std::string member_sign_in_closed;       // {meeting}
  // ---- status words ---- what a ticket's state is called, in SMS replies (查询, {status}) and
  // on USSD screens alike: one table for villagers, one for members.
  std::string resident_state_new;
  std::string resident_state_awaiting_location;
  std::string resident_state_dispatched;
  std::string resident_state_accepted;
  std::string resident_state_resolved;
  std::string resident_state_closed;
  std::string resident_state_reopened;
  std::string resident_state_invalid;
  std::string resident_state_cancelled;
  std::string member_state_new;
  std::string member_state_awaiting_location;
  std::string member_state_dispatched;
  std::string member_state_accepted;
  std::string member_state_resolved;
  std::string member_state_closed;
  std::string member_state_reopened;
  std::string member_state_invalid;
  std::string member_state_cancelled;
};

enum class Audience { resident, member };

// One template of Templates, for loaders (set by key, report unknown keys) and checks.
struct TemplateField {
  std::string_view key;
  std::string Templates::*field;
  Audience audience;
  std::span<const std::string_view> placeholders;  // the ones it may use
  std::size_t max_code_points = 0;                 // a word shown in lists; 0: the SMS limit only
};

std::span<const TemplateField> template_fields();
const TemplateField* find_template_field(std::string_view key);

// The shipped Chinese templates.
Templates default_templates();

// What `state` is called to a villager or to a member (the status words above).
std::string_view status_word(const Templates& templates, Audience audience, TicketState state);

// Values for placeholders, in insertion order. Missing placeholders render as "".
class TemplateValues {
 public:
  TemplateValues& set(std::string_view name, std::string value);
  TemplateValues& set(std::string_view name, long long value);
  const std::string* find(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

// Replaces each {name} by its value. Text that is not a well-formed {name} stays as it is.
std::string render(std::string_view tmpl, const TemplateValues& values);

// Checks a template against the placeholders its key allows; a message saying what is wrong,
// or nullopt when it is fine. A villager template must also fit in one SMS with `signature`
// when rendered with long realistic values (see sample_long_values()).
std::optional<std::string> check_template(const TemplateField& field, std::string_view tmpl,
                                          std::string_view signature);

// Long but realistic values for every placeholder (5-digit ticket, 大溪边村 ...), for checks.
TemplateValues sample_long_values();

// "a control character U+0000 at character 7" when `text` holds one (NUL, a line break, ESC …:
// an SMS signature or template cannot carry them), else nullopt.
std::optional<std::string> control_character(std::string_view text);

// Length in UTF-16 code units (what a UCS-2 SMS counts), of UTF-8 text.
std::size_t utf16_length(std::string_view utf8);

// Number of Unicode code points in UTF-8 text (invalid bytes count one each).
std::size_t code_point_count(std::string_view utf8);

// Cuts UTF-8 text to at most max_code_points code points, adding "…" when cut.
std::string truncate_code_points(std::string_view utf8, std::size_t max_code_points);

}  // namespace lianxin::domain
