// Ticket statistics for a period (`lianxinctl stats`) and points totals (`lianxinctl points`).
// Pure: the caller reads tickets, their events and the points ledger, and passes the time.
//
// Period: [from, to). "as of" = min(to, now): nothing after it is looked at, so a past period
// gives the same figures tomorrow as today (except that a ticket's current state decides whether
// it was invalid/cancelled, and its current grid, assignee and category decide its group).
//
// Definitions (a ticket's history is its events; times from events, falling back to the
// ticket's fields for rows without events):
//   received    tickets created in [from, to), except those now invalid or cancelled (an
//               invalidated report or one the villager withdrew is not a matter to handle; they
//               are counted apart as `invalid` and `cancelled`).
//   handled     received tickets whose state as of `as of` is resolved or closed (办结).
//   handling rate (办理率) = handled / received.
//   first acceptance (签收) A = the first event taking the ticket from dispatched/reopened to
//               accepted or straight to resolved (a member may finish without 接).
//   accept due  = the stored accept_deadline; without one, first dispatch + category
//               accept_within (working days on the settings' calendar). Resolve due likewise:
//               resolve_deadline, else first dispatch + resolve_within. A ticket never
//               dispatched has no due time.
//   on-time acceptance rate (按时签收率) = received tickets with A ≤ accept due / received
//               tickets whose acceptance is decided as of `as of` (accepted by then, or accept due
//               ≤ as of). Tickets still inside their acceptance window are in neither.
//   on-time resolution rate (按时办结率) = handled tickets whose last resolution R ≤ resolve due /
//               received tickets whose resolution is decided (handled, or resolve due ≤ as of).
//               A ticket whose history has an "overdue: not accepted" ("... not resolved")
//               event is never on time for that step, whatever its deadline says now:
//               escalation gives the next party a new deadline.
//   satisfaction rate (满意率) = received tickets with a real rating of 4 or 5 / received tickets
//               with a real rating (1..5, closed as rated by `as of`). A ticket closed unrated
//               after the verification window is never satisfied and is not in the denominator.
//   redo rate (发回重办率) = received tickets reopened at least once (by the villager, 未解决) /
//               received tickets resolved at least once, both as of `as of`.
//   median time to accept = median of A − first dispatch over received tickets accepted by
//               `as of`; median time to resolve = median of R − created over handled tickets.
//               (Median of an even count: the mean of the two middle values.)
//   complaint rate (作风投诉率) = complaints (tickets of a `complaint: true` category received, not
//               invalid or cancelled) about the group / tickets the group received. By member, a
//               complaint counts for each member it names (Ticket::complaint_about), not for the
//               desk that handles it; by grid, township, category or county, like any ticket.
//   overdue     tickets created before `as of` (in the period or earlier) that are open as of
//               `as of` (new, awaiting_location, dispatched, accepted or reopened) and past a due
//               time: not accepted by then and accept due < as of, or resolve due < as of.
//               Counted for every ticket the caller passes, not only those received in the period.
// A rate with a zero denominator is undefined (nullopt), never 0 or 100%.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/domain/effects.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"
#include "daemon/domain/sla.hpp"

namespace lianxin::domain {

enum class StatsLevel { county, township, grid, member, category };
std::string_view to_string(StatsLevel level);
std::optional<StatsLevel> stats_level_from_string(std::string_view text);

struct StatsPeriod {
  TimePoint from;  // inclusive
  TimePoint to;    // exclusive
};

// A count over a denominator; rate() is nullopt when the denominator is 0.
struct Ratio {
  long long count = 0;
  long long of = 0;
  std::optional<double> rate() const;
};

struct StatsRow {
  std::string key;   // grid/member/category id, township name, "county"; "" = none (unknown)
  std::string name;  // as people read it (from the directory and settings); may equal key
  long long received = 0;
  long long handled = 0;
  long long invalid = 0;
  long long cancelled = 0;
  long long overdue = 0;
  Ratio handling;         // handled / received
  Ratio accept_on_time;   // 按时签收
  Ratio resolve_on_time;  // 按时办结
  Ratio satisfied;        // ratings 4..5 / real ratings
  Ratio redone;           // reopened / resolved
  Ratio complained;       // complaints about the group / received
  std::optional<std::chrono::seconds> median_accept;
  std::optional<std::chrono::seconds> median_resolve;
};

struct StatsReport {
  StatsLevel level = StatsLevel::county;
  StatsPeriod period;
  TimePoint as_of;
  std::vector<StatsRow> rows;  // ordered by key as the directory/settings list them
  StatsRow total;              // every ticket together (key "total")
};

using EventsByTicket = std::unordered_map<TicketNo, std::vector<TicketEvent>>;

// `events` oldest first per ticket; tickets without an entry use their own timestamps.
StatsReport compute_stats(const std::vector<Ticket>& tickets, const EventsByTicket& events,
                          const Settings& settings, const Directory& directory, StatsLevel level,
                          StatsPeriod period, TimePoint now);

// ---- Points ----

// A ledger entry with the grid of its ticket (empty when none or unknown).
struct PointsRecord {
  PointsEntry entry;
  std::string ticket_grid;
};

enum class PointsLevel { member, grid };
std::optional<PointsLevel> points_level_from_string(std::string_view text);

struct PointsRow {
  std::string key;  // member or grid id ("" = no grid)
  std::string name;
  long long points = 0;
  long long entries = 0;
};

// Per member: every entry of the member. Per grid: an entry counts for the grid of its ticket;
// an entry without one (no ticket, or a ticket without a grid) counts for the member's first grid
// in the directory, else for "" (no grid). Rows by points, highest first, then key.
std::vector<PointsRow> points_totals(const std::vector<PointsRecord>& records,
                                     const Directory& directory, PointsLevel level);

// ---- Periods ----

// A calendar day range [first, last], both inclusive, in local dates.
struct DayRange {
  std::chrono::sys_days first;
  std::chrono::sys_days last;
};

// "2026-11-05" (a day), "2026-11" (a month), "2026" (a year), "today", "yesterday",
// "this-week" (Monday to today), "this-month", "last-month", "last-N-days" (N days ending today,
// 1..3660), "all" (nullopt range = no limit). `today` is the local date now. A bad text gives
// nullopt and a reason in `error`.
struct PeriodParse {
  bool ok = false;
  std::optional<DayRange> range;  // nullopt with ok: all time
  std::string error;
};
PeriodParse parse_period(std::string_view text, std::chrono::sys_days today);

}  // namespace lianxin::domain
