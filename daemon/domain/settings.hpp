// Pure configuration of the ticket domain. The YAML loader fills these structs; the domain reads
// them. Defaults (default_settings()) are what the shipped example configuration mirrors.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/language.hpp"
#include "daemon/domain/sla.hpp"
#include "daemon/domain/templates.hpp"
#include "daemon/domain/ussd.hpp"

namespace lianxin::domain {

// Who gets a ticket of a category first.
enum class RouteKind {
  grid,       // the members of the ticket's grid (least open tickets first)
  team,       // a service team, through its leader
  duty_desk,  // straight to the township (or county) duty desk
};
std::string_view to_string(RouteKind kind);
std::optional<RouteKind> route_kind_from_string(std::string_view text);

struct Category {
  std::string id;                     // stable key in storage and config: "streetlight"
  std::string name;                   // shown to people: "路灯"
  std::vector<std::string> keywords;  // operator overrides: a match wins over the model
  RouteKind route = RouteKind::grid;
  std::string team;     // team id when route == team
  bool urgent = false;  // every report of it is urgent (else only those describing a danger)
  // A complaint about members (作风投诉): never routed by grid, never to a member named in it.
  bool complaint = false;
  // SLA: accept within (from dispatch) and resolve within (from the first dispatch), in elapsed
  // time or working days; the reminder before each deadline (nullopt: Sla::reminder).
  SlaLimit accept_within = SlaLimit::hours(24);
  SlaLimit resolve_within = SlaLimit::hours(72);
  std::optional<Reminder> reminder;
};

// ---- SLA, escalation, quiet hours, validity (sla.hpp) ----

// One step of the escalation chain: who takes an overdue ticket next.
enum class EscalationStep {
  grid_leader,    // the leader of the ticket's grid
  township_desk,  // the duty desk of the grid's township
  county_desk,    // the county duty desk
};
std::string_view to_string(EscalationStep step);
std::optional<EscalationStep> escalation_step_from_string(std::string_view text);

struct Escalation {
  std::vector<EscalationStep> chain{EscalationStep::grid_leader, EscalationStep::township_desk,
                                    EscalationStep::county_desk};
  // Deadlines given to the party a ticket is escalated to (from the escalation).
  SlaLimit accept_within = SlaLimit::hours(2);
  SlaLimit resolve_within = SlaLimit::hours(24);
  // Reopened this many times, or handed back this many times: a problem ticket (问题工单),
  // straight to the top of the chain. 0: never.
  int problem_after = 3;
};

// What an SMS is: decides its validity and whether quiet hours hold it.
enum class SmsKind {
  reply,         // an answer to what the person just sent: never held
  notice,        // other information (a note, a cancellation, a rating)
  dispatch,      // a ticket to handle
  reminder,      // an SLA reminder
  escalation,    // an escalated ticket
  verification,  // the request to rate
};

// How long an SMS stays worth sending (from when it may go): after that it is dropped as
// expired rather than delivered late.
struct Validity {
  std::chrono::seconds reply{std::chrono::hours{24}};
  std::chrono::seconds notice{std::chrono::hours{72}};
  std::chrono::seconds dispatch{std::chrono::hours{72}};
  std::chrono::seconds reminder{std::chrono::hours{4}};
  std::chrono::seconds escalation{std::chrono::hours{12}};
  std::chrono::seconds verification{std::chrono::hours{72}};
  std::chrono::seconds of(SmsKind kind) const;
};

struct Sla {
  TimeZone time_zone;                      // Asia/Shanghai
  WorkCalendar calendar;                   // holidays and make-up working days
  std::optional<QuietPeriod> quiet_hours;  // non-urgent SMS to members wait until they end
  Reminder reminder;                       // default reminder: 25% of the time left
  Validity validity;
};

struct Verification {
  // The villager's n-th "not solved" escalates the ticket one step instead of returning it to
  // the same member (0: never).
  int escalate_on_reopen = 2;
};

struct Windows {
  // A new text from a number with an open ticket created this recently joins that ticket.
  std::chrono::minutes duplicate_join{60};
  // How long to wait for the answer to "请问您在哪个村?" before the duty desk takes the ticket.
  std::chrono::minutes location_followup{120};
  // How long a resolved ticket waits for the villager's rating before closing as unrated.
  std::chrono::hours verification{72};
  // Closed tickets stay in the engine's memory this long (for queries), then only in storage.
  std::chrono::hours closed_retention{24 * 7};
  // At most one 群众补充 SMS per ticket this often; notes in between go out together.
  std::chrono::seconds note_batch{120};
};

// Auto-reply loop protection: the same text to the same number more than max_repeats times
// within `period` is held (not sent) and logged.
struct LoopProtection {
  int max_repeats = 5;
  std::chrono::minutes period{10};
  // A number sending more than this many SMS within a minute is throttled: everything it sends
  // is stored and attached to its latest ticket, but nothing is answered or forwarded.
  int sender_per_minute = 10;
};

// The points ledger rules: each applies to the ticket's assignee at that moment.
struct PointsRules {
  // Points for a rating of 1..5, signed around a neutral 3: a dissatisfied villager never raises
  // the points of the member they are unhappy with.
  std::array<int, 5> rating{-5, -3, 0, 5, 10};
  int resolved = 0;         // the ticket closed after the member's 完成 (rated or unrated)
  int on_time = 0;          // ... and it was resolved by its resolve deadline, never overdue
  int reopened = 0;         // the villager said "not solved" (usually negative)
  int overdue_accept = 0;   // not accepted by the accept deadline (usually negative)
  int overdue_resolve = 0;  // not resolved by the resolve deadline (usually negative)
  int points_for_rating(int stars) const;
};

struct Settings {
  std::string signature = "【连心桥】";
  std::string default_country = "86";
  std::vector<Category> categories;
  std::string fallback_category = "other";  // id used when nothing else fits
  Language language;                        // the model and its thresholds (language.hpp)
  Templates templates;
  Windows windows;
  LoopProtection loop_protection;
  PointsRules points;
  Sla sla;
  Escalation escalation;
  Verification verification;
  std::int64_t first_ticket_number = 1;
  std::size_t member_list_limit = 10;  // tickets listed in a 我的 reply
  UssdMenu ussd;  // ---- USSD ---- the menu (ussd.hpp); disabled unless configured

  const Category* find_category(std::string_view id) const;
};

std::vector<Category> default_categories();
Settings default_settings();

// What is wrong with the settings, one message per problem (empty: fine). For the config loader,
// which adds file positions: unknown fallback category, duplicate category ids, a team route
// without a team, templates with unknown placeholders or villager replies over one SMS, ...
std::vector<std::string> check_settings(const Settings& settings);

}  // namespace lianxin::domain
