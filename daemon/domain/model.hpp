// The directory (who is who) and the ticket types of the pure domain.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lianxin::domain {

// Same alias as grammar.hpp (a redeclaration to the same type is legal).
using TicketNo = std::int64_t;
// Wall-clock time: ticket timestamps and deadlines are stored and shown to people.
using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

enum class Role { member, grid_leader, team_leader, duty_desk, helper };
std::string_view to_string(Role role);
std::optional<Role> role_from_string(std::string_view text);

struct Grid {
  std::string id;
  std::string name;      // e.g. 大溪边村第一网格
  std::string village;   // e.g. 大溪边村
  std::string township;  // e.g. 青石镇
  std::vector<std::string> aliases;
  std::string leader;  // member id of the grid leader; may be empty
};

struct Member {
  std::string id;
  std::string name;
  std::string phone;  // E.164, "+8613800000001"
  std::vector<std::string> grids;
  std::vector<Role> roles;
  bool on_duty = true;

  bool has_role(Role role) const;
  bool serves_grid(std::string_view grid_id) const;
};

struct Resident {
  std::string phone;  // E.164
  std::string name;
  std::string grid;  // grid id; may be empty when unknown
};

struct Team {
  std::string id;
  std::string name;
  std::string leader;                // member id
  std::vector<std::string> members;  // member ids (the leader may be listed too)
  // ---- four orders ---- other words members use for the team in `点单 维修 …` ("维修", "水电")
  std::vector<std::string> aliases{};
};

// The desk that takes what nobody else can. An empty township means the county desk.
struct DutyDesk {
  std::string township;
  std::string member;  // member id
};

// Immutable snapshot of grids, members, residents, teams and duty desks. Replaced as a whole on
// reload; lookups keep directory order, which is the stable tie-break order for routing.
class Directory {
 public:
  Directory() = default;
  Directory(std::vector<Grid> grids, std::vector<Member> members, std::vector<Resident> residents,
            std::vector<Team> teams, std::vector<DutyDesk> duty_desks);

  const std::vector<Grid>& grids() const { return grids_; }
  const std::vector<Member>& members() const { return members_; }
  const std::vector<Resident>& residents() const { return residents_; }
  const std::vector<Team>& teams() const { return teams_; }
  const std::vector<DutyDesk>& duty_desks() const { return duty_desks_; }

  const Grid* find_grid(std::string_view id) const;
  const Member* find_member(std::string_view id) const;
  const Member* member_by_phone(std::string_view e164) const;
  const Resident* resident_by_phone(std::string_view e164) const;
  const Team* find_team(std::string_view id) const;
  // Member ids of the duty desks of exactly `township` ("" = the county desk), directory order.
  std::vector<std::string> duty_desk_members(std::string_view township) const;

 private:
  std::vector<Grid> grids_;
  std::vector<Member> members_;
  std::vector<Resident> residents_;
  std::vector<Team> teams_;
  std::vector<DutyDesk> duty_desks_;
  std::unordered_map<std::string, std::size_t> grid_index_;
  std::unordered_map<std::string, std::size_t> member_index_;
  std::unordered_map<std::string, std::size_t> member_phone_index_;
  std::unordered_map<std::string, std::size_t> resident_phone_index_;
  std::unordered_map<std::string, std::size_t> team_index_;
};

enum class TicketState {
  new_,  // "new": created, not yet located or dispatched
  awaiting_location,
  dispatched,
  accepted,
  resolved,  // done by the member, waiting for the villager's verification
  closed,
  reopened,  // the villager said it is not solved; back with the assignee
  invalid,
  cancelled,
};
std::string_view to_string(TicketState state);
std::optional<TicketState> ticket_state_from_string(std::string_view text);
// closed, invalid and cancelled: nothing more happens to the ticket.
bool is_terminal(TicketState state);
// dispatched, accepted, reopened: the assignee has work to do.
bool is_with_assignee(TicketState state);

enum class CloseReason { none, rated, unrated, cancelled, invalid };
std::string_view to_string(CloseReason reason);
std::optional<CloseReason> close_reason_from_string(std::string_view text);

// A villager's report, or a service order a grid member raised for a team (网格点单).
enum class TicketKind { report, order };
std::string_view to_string(TicketKind kind);
std::optional<TicketKind> ticket_kind_from_string(std::string_view text);

struct TicketNote {
  TimePoint at;
  std::string author;  // member id, reporter phone, or "system"
  std::string text;
};

struct Ticket {
  TicketNo number = 0;
  std::string reporter;  // E.164 of the villager
  std::string text;      // the report as received
  std::string category;  // category id
  std::optional<std::string> grid;
  bool urgent = false;
  TicketState state = TicketState::new_;
  std::optional<std::string> assignee;  // member id
  std::vector<std::string> tried;       // member ids already dispatched to, in order
  std::vector<TicketNote> notes;
  std::string resolution;  // the member's note on 完成
  TimePoint created_at{};
  TimePoint updated_at{};
  std::optional<TimePoint> dispatched_at;
  std::optional<TimePoint> accepted_at;
  std::optional<TimePoint> resolved_at;
  std::optional<TimePoint> closed_at;
  // Deadlines of the timers the daemon arms; a timer firing before its deadline is stale.
  std::optional<TimePoint> location_deadline;
  std::optional<TimePoint> verification_deadline;
  CloseReason close_reason = CloseReason::none;
  std::optional<int> rating;               // 1..5 when rated
  std::optional<std::int64_t> inbound_id;  // the inbound SMS that created it

  // ---- SLA and escalation (stored; see sla.hpp) ----
  std::optional<TimePoint> accept_deadline;   // accept by then, else remind/escalate
  std::optional<TimePoint> resolve_deadline;  // resolve by then, else remind/escalate
  int escalation_level = 0;                   // steps taken up the escalation chain
  int reopen_count = 0;                       // times the villager said "not solved"
  int handback_count = 0;                     // times a member handed it back (退)
  bool problem = false;                       // 问题工单: reopened/handed back too often
  std::optional<TimePoint> reminded_for;      // the deadline the last SLA reminder was for

  // ---- Four orders and reports on behalf of others ----
  TicketKind kind = TicketKind::report;
  std::optional<std::string> raised_by;  // member id: who raised the order / reported for someone
  std::optional<std::string> team;       // team id of a service order

  // ---- Language ---- how the text was read (language.hpp)
  double confidence = 1;      // of the category when it was read (1: keyword, menu, operator)
  bool needs_review = false;  // 过滤核实: waits at the duty desk for an operator's category

  // ---- Complaints (作风投诉) ---- the members a complaint names, counted per member in stats
  std::vector<std::string> complaint_about;
};

// One row of a ticket's history. from == to for events that change no state (a note, a
// reassignment); from is empty for creation.
struct TicketEvent {
  TicketNo ticket = 0;
  std::optional<TicketState> from;
  TicketState to = TicketState::new_;
  std::string actor;  // member id, reporter phone, "system" or "operator:<name>"
  TimePoint at{};
  std::string reason;
};

// An operator's correction of a category (过滤核实): stored as training data for
// `lianxinctl train --with-corrections`.
struct Correction {
  TicketNo ticket = 0;
  std::string text;  // the report as received
  std::string from_category, to_category;
  bool urgent = false;
  std::string actor;  // "operator:NAME"
  std::string reason;
  TimePoint at{};
};

}  // namespace lianxin::domain
