#include "daemon/domain/sla_clocks.hpp"

#include <algorithm>
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

namespace {

// The SLA kinds in slot order: the one definition of which kind has which slot.
constexpr std::array kSlotKinds{TimerKind::accept_reminder, TimerKind::accept_overdue,
                                TimerKind::resolve_reminder, TimerKind::resolve_overdue};

// The slot of `kind` in ArmedSlaTimers::Slots; nullopt for a kind that is not an SLA timer.
std::optional<std::size_t> slot(TimerKind kind) {
  const auto* at = std::find(kSlotKinds.begin(), kSlotKinds.end(), kind);
  if (at == kSlotKinds.end()) return std::nullopt;
  return static_cast<std::size_t>(at - kSlotKinds.begin());
}

}  // namespace

ArmedSlaTimers::Slots ArmedSlaTimers::slots_of(const Settings& settings, const Ticket& ticket) {
  Slots slots = kNoSlots;
  for (const TimerRequest& timer : sla_timers_of(settings, ticket))
    slots[*slot(timer.kind)] = timer.at;  // sla_timers_of gives SLA kinds only
  return slots;
}

void ArmedSlaTimers::restore(const Settings& settings, const std::vector<Ticket>& tickets) {
  armed_.clear();
  for (const Ticket& ticket : tickets) {
    Slots slots = slots_of(settings, ticket);
    if (slots != kNoSlots) armed_[ticket.number] = slots;
  }
}

std::vector<TimerRequest> ArmedSlaTimers::sync(const Settings& settings, const Ticket& ticket,
                                               TimePoint now) {
  std::vector<TimerRequest> requests;
  const Slots wanted = slots_of(settings, ticket);
  const bool wants_none = wanted == kNoSlots;
  auto it = armed_.find(ticket.number);
  if (it == armed_.end()) {
    if (wants_none) return requests;
    it = armed_.emplace(ticket.number, kNoSlots).first;
  }
  Slots& armed = it->second;
  // Cancels first, then arms, each in kind order.
  for (std::size_t i = 0; i < kSlotKinds.size(); ++i) {
    if (armed[i] != kNone && wanted[i] == kNone) {
      requests.push_back({ticket.number, kSlotKinds[i], now, true});
    }
  }
  for (std::size_t i = 0; i < kSlotKinds.size(); ++i) {
    if (wanted[i] != kNone && armed[i] != wanted[i]) {
      requests.push_back({ticket.number, kSlotKinds[i], wanted[i], false});
    }
  }
  if (wants_none) {
    armed_.erase(it);
  } else {
    armed = wanted;
  }
  return requests;
}

void ArmedSlaTimers::fired(TicketNo ticket, TimerKind kind) {
  const std::optional<std::size_t> index = slot(kind);
  if (!index) return;
  if (auto it = armed_.find(ticket); it != armed_.end()) it->second[*index] = kNone;
}

void ArmedSlaTimers::forget(TicketNo ticket) {
  armed_.erase(ticket);
}

bool is_sla_kind(TimerKind kind) {
  return slot(kind).has_value();
}

bool is_accept_phase(TimerKind kind) {
  return kind == TimerKind::accept_reminder || kind == TimerKind::accept_overdue;
}

bool is_reminder(TimerKind kind) {
  return kind == TimerKind::accept_reminder || kind == TimerKind::resolve_reminder;
}

std::optional<TimePoint> ArmedSlaTimers::at(TicketNo ticket, TimerKind kind) const {
  const std::optional<std::size_t> index = slot(kind);
  auto it = armed_.find(ticket);
  if (!index || it == armed_.end() || it->second[*index] == kNone) return std::nullopt;
  return it->second[*index];
}

void ArmedSlaTimers::append_armed(TicketNo ticket, std::vector<TimerRequest>& out) const {
  auto it = armed_.find(ticket);
  if (it == armed_.end()) return;
  for (std::size_t i = 0; i < kSlotKinds.size(); ++i) {
    if (it->second[i] != kNone) out.push_back({ticket, kSlotKinds[i], it->second[i], false});
  }
}

}  // namespace lianxin::domain
