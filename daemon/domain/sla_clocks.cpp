#include "daemon/domain/sla_clocks.hpp"

#include <utility>

namespace lianxin::domain {

namespace {

const SlaLimit& accept_limit_of(const Settings& settings, const Ticket& ticket) {
  if (ticket.escalation_level > 0) return settings.escalation.accept_within;
  static const Category kDefault;
  const Category* category = settings.find_category(ticket.category);
  return (category ? *category : kDefault).accept_within;
}

const SlaLimit& resolve_limit_of(const Settings& settings, const Ticket& ticket) {
  if (ticket.escalation_level > 0) return settings.escalation.resolve_within;
  static const Category kDefault;
  const Category* category = settings.find_category(ticket.category);
  return (category ? *category : kDefault).resolve_within;
}

const Reminder& reminder_of(const Settings& settings, const Ticket& ticket) {
  const Category* category = settings.find_category(ticket.category);
  return category && category->reminder ? *category->reminder : settings.sla.reminder;
}

bool waits_for_accept(TicketState state) {
  return state == TicketState::dispatched || state == TicketState::reopened;
}

bool is_accept_phase(TimerKind kind) {
  return kind == TimerKind::accept_reminder || kind == TimerKind::accept_overdue;
}

// The reminder before `deadline` unless it was sent already.
std::optional<TimePoint> reminder_for(const Settings& settings, const Ticket& t, TimePoint deadline,
                                      bool accept_phase) {
  if (t.reminded_for == deadline) return std::nullopt;
  return reminder_time(deadline,
                       accept_phase ? accept_limit_of(settings, t) : resolve_limit_of(settings, t),
                       reminder_of(settings, t));
}

}  // namespace

void start_sla_clocks(const Settings& settings, Ticket& ticket, TimePoint now,
                      bool restart_resolve) {
  const Sla& sla = settings.sla;
  ticket.accept_deadline =
      add_limit(now, accept_limit_of(settings, ticket), sla.calendar, sla.time_zone);
  if (restart_resolve || !ticket.resolve_deadline) {
    ticket.resolve_deadline =
        add_limit(now, resolve_limit_of(settings, ticket), sla.calendar, sla.time_zone);
  }
}

std::vector<TimerRequest> sla_timers_of(const Settings& settings, const Ticket& t) {
  std::vector<TimerRequest> out;
  if (waits_for_accept(t.state) && t.accept_deadline) {
    if (auto at = reminder_for(settings, t, *t.accept_deadline, true)) {
      out.push_back({t.number, TimerKind::accept_reminder, *at, false});
    }
    out.push_back({t.number, TimerKind::accept_overdue, *t.accept_deadline, false});
  }
  if (is_with_assignee(t.state) && t.resolve_deadline) {
    if (auto at = reminder_for(settings, t, *t.resolve_deadline, false)) {
      out.push_back({t.number, TimerKind::resolve_reminder, *at, false});
    }
    out.push_back({t.number, TimerKind::resolve_overdue, *t.resolve_deadline, false});
  }
  return out;
}

std::optional<TimePoint> sla_due(const Settings& settings, const Ticket& ticket, TimerKind kind) {
  const bool accept_phase = is_accept_phase(kind);
  const std::optional<TimePoint>& deadline =
      accept_phase ? ticket.accept_deadline : ticket.resolve_deadline;
  const bool in_phase =
      accept_phase ? waits_for_accept(ticket.state) : is_with_assignee(ticket.state);
  if (!in_phase || !deadline) return std::nullopt;
  if (kind == TimerKind::accept_overdue || kind == TimerKind::resolve_overdue) return deadline;
  return reminder_for(settings, ticket, *deadline, accept_phase);
}

void ArmedSlaTimers::restore(const Settings& settings, const std::map<TicketNo, Ticket>& tickets) {
  armed_.clear();
  for (const auto& [number, ticket] : tickets) {
    for (const TimerRequest& timer : sla_timers_of(settings, ticket)) {
      armed_[number][timer.kind] = timer.at;
    }
  }
}

std::vector<TimerRequest> ArmedSlaTimers::sync(const Settings& settings, const Ticket& ticket,
                                               TimePoint now) {
  std::vector<TimerRequest> requests;
  std::map<TimerKind, TimePoint> wanted;
  for (const TimerRequest& timer : sla_timers_of(settings, ticket)) wanted[timer.kind] = timer.at;
  auto it = armed_.find(ticket.number);
  if (it == armed_.end() && wanted.empty()) return requests;
  std::map<TimerKind, TimePoint> armed;
  if (it != armed_.end()) armed = std::move(it->second);
  for (const auto& [kind, at] : armed) {
    if (!wanted.contains(kind)) requests.push_back({ticket.number, kind, now, true});
  }
  for (const auto& [kind, at] : wanted) {
    auto old = armed.find(kind);
    if (old == armed.end() || old->second != at) {
      requests.push_back({ticket.number, kind, at, false});
    }
  }
  if (wanted.empty()) {
    armed_.erase(ticket.number);
  } else {
    armed_[ticket.number] = std::move(wanted);
  }
  return requests;
}

void ArmedSlaTimers::fired(TicketNo ticket, TimerKind kind) {
  if (auto it = armed_.find(ticket); it != armed_.end()) it->second.erase(kind);
}

void ArmedSlaTimers::forget(TicketNo ticket) {
  armed_.erase(ticket);
}

}  // namespace lianxin::domain
