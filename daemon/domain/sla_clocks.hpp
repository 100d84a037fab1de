// A ticket's SLA clocks (pure): when it must be accepted and resolved (its category's limits, the
// escalation limits once escalated), when the reminder before each deadline goes, which timers
// its stored state asks for, and which of them the daemon has armed, so that after any change
// exactly the difference is armed or cancelled. What happens when a clock runs out (reminder SMS,
// penalty points, escalation) is the engine's (engine_sla.cpp).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "daemon/domain/effects.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::domain {

// Sets a new accept deadline from `now`; the resolve deadline too on the first dispatch (none
// yet) or when `restart_resolve`.
void start_sla_clocks(const Settings& settings, Ticket& ticket, TimePoint now,
                      bool restart_resolve);

// accept_reminder, accept_overdue, resolve_reminder, resolve_overdue: the kinds ArmedSlaTimers
// records.
bool is_sla_kind(TimerKind kind);
bool is_accept_phase(TimerKind kind);  // accept_reminder, accept_overdue
bool is_reminder(TimerKind kind);      // accept_reminder, resolve_reminder

// The SLA timers the ticket's stored state asks for: reminder and overdue for the phase it is in
// (accept while dispatched or reopened, resolve while with the assignee); no reminder for a
// deadline already reminded of.
std::vector<TimerRequest> sla_timers_of(const Settings& settings, const Ticket& ticket);

// When an SLA timer of `kind` that fired is due for the ticket as stored; nullopt when it is
// stale (the ticket left that phase, has no such deadline, or was reminded already).
std::optional<TimePoint> sla_due(const Settings& settings, const Ticket& ticket, TimerKind kind);

// The SLA timers the daemon has armed, per ticket.
class ArmedSlaTimers {
 public:
  // After a restore the daemon arms every ticket's sla_timers_of(): that is what is armed then.
  void restore(const Settings& settings, const std::vector<Ticket>& tickets);
  // The arm and cancel requests that make the armed timers what the ticket asks for now (none
  // when nothing changed); records them as armed.
  std::vector<TimerRequest> sync(const Settings& settings, const Ticket& ticket, TimePoint now);
  // The daemon drops a timer when it fires.
  void fired(TicketNo ticket, TimerKind kind);
  void forget(TicketNo ticket);
  // When the SLA timer (ticket, kind) is armed for; nullopt when it is not (or not an SLA kind).
  std::optional<TimePoint> at(TicketNo ticket, TimerKind kind) const;
  // Appends the ticket's armed timers, in kind order (as sla_timers_of gives them).
  void append_armed(TicketNo ticket, std::vector<TimerRequest>& out) const;
  std::size_t size() const { return armed_.size(); }

 private:
  // The four SLA kinds' times, accept_reminder first; kNone where none is armed. A flat array,
  // not a map: there is an entry for every open ticket.
  using Slots = std::array<TimePoint, 4>;
  static constexpr TimePoint kNone = TimePoint::min();
  static constexpr Slots kNoSlots{kNone, kNone, kNone, kNone};
  static Slots slots_of(const Settings& settings, const Ticket& ticket);
  std::unordered_map<TicketNo, Slots> armed_;
};

}  // namespace lianxin::domain
