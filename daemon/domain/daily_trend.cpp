#include "daemon/domain/daily_trend.hpp"

#include <algorithm>

namespace lianxin::domain {
namespace {

using std::chrono::sys_days;

bool is_handled(TicketState state) {
  return state == TicketState::resolved || state == TicketState::closed;
}

sys_days local_day_of(TimePoint at, const TimeZone& zone) {
  return std::chrono::floor<std::chrono::days>(at + zone.utc_offset);
}

// When the ticket last became handled, if it is handled as of `as_of`.
std::optional<TimePoint> handled_at(const Ticket& t, const std::vector<TicketEvent>* events,
                                    TimePoint as_of) {
  if (events == nullptr || events->empty()) {
    std::optional<TimePoint> at = t.resolved_at ? t.resolved_at : t.closed_at;
    if (!is_handled(t.state) || !at || *at > as_of) return std::nullopt;
    return at;
  }
  std::optional<TimePoint> at;
  bool handled = false;
  for (const TicketEvent& e : *events) {
    if (e.at > as_of) break;
    const bool now_handled = is_handled(e.to);
    if (now_handled && !handled) at = e.at;
    handled = now_handled;
  }
  return handled ? at : std::nullopt;
}

}  // namespace

std::vector<DailyCount> daily_counts(const std::vector<Ticket>& tickets,
                                     const EventsByTicket& events, DayRange days,
                                     const TimeZone& zone, TimePoint as_of) {
  const sys_days last = std::min(days.last, local_day_of(as_of, zone));
  std::vector<DailyCount> out;
  for (sys_days d = days.first; d <= last; d += std::chrono::days{1}) out.push_back({d});
  auto slot = [&](sys_days day) -> DailyCount* {
    if (day < days.first || day > last) return nullptr;
    return &out[static_cast<std::size_t>((day - days.first).count())];
  };
  for (const Ticket& t : tickets) {
    if (t.state == TicketState::invalid || t.state == TicketState::cancelled) continue;
    if (t.created_at > as_of) continue;
    DailyCount* created = slot(local_day_of(t.created_at, zone));
    if (created == nullptr) continue;  // not received in these days
    ++created->received;
    auto found = events.find(t.number);
    if (auto at = handled_at(t, found == events.end() ? nullptr : &found->second, as_of)) {
      if (DailyCount* handled = slot(local_day_of(*at, zone))) ++handled->handled;
    }
  }
  return out;
}

}  // namespace lianxin::domain
