// The daemon's contract with the engine's TicketRepository, without SQLite: what an Engine call's
// Effects say changed is stored here, then the engine releases its tickets and reads them back
// from here when it needs them (as lianxind does with the store after each commit).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "daemon/domain/effects.hpp"
#include "daemon/domain/ticket_book.hpp"

namespace lianxin::domain::testing {

class StoredTickets final : public TicketRepository {
 public:
  std::optional<Ticket> load(TicketNo number) override {
    ++loads;
    auto it = tickets.find(number);
    if (it == tickets.end()) return std::nullopt;
    return it->second;
  }
  void store(const Effects& effects) {
    for (const TicketChange& change : effects.tickets)
      tickets[change.ticket.number] = change.ticket;
  }

  std::map<TicketNo, Ticket> tickets;
  std::size_t loads = 0;
};

// What a user or the daemon could tell apart in one call's Effects, as text: two engines given
// the same calls must give the same digests.
inline std::string digest(const Effects& e) {
  std::string out;
  auto time = [](TimePoint t) { return std::to_string(t.time_since_epoch().count()); };
  for (const TicketChange& c : e.tickets) {
    const Ticket& t = c.ticket;
    out += "ticket " + std::to_string(t.number) + (c.created ? " new " : " ") +
           std::string(to_string(t.state)) + " " + t.assignee.value_or("-") + " " + t.category +
           " " + t.grid.value_or("-") + " " + t.text + " notes " + std::to_string(t.notes.size()) +
           " tried " + std::to_string(t.tried.size()) + " rating " +
           std::to_string(t.rating.value_or(-1)) + " updated " + time(t.updated_at) + "\n";
  }
  for (const TicketEvent& ev : e.events)
    out += "event " + std::to_string(ev.ticket) + " " + std::string(to_string(ev.to)) + " " +
           ev.actor + " " + ev.reason + "\n";
  for (const OutgoingSms& s : e.sms) out += "sms " + s.to + " " + s.text + "\n";
  for (const OutgoingSms& s : e.held) out += "held " + s.to + " " + s.text + "\n";
  for (const TimerRequest& t : e.timers)
    out += "timer " + std::to_string(t.ticket) + " " + std::string(to_string(t.kind)) + " " +
           time(t.at) + (t.cancel ? " cancel" : "") + "\n";
  for (const LogLine& l : e.logs) out += "log " + l.message + "\n";
  for (const PointsEntry& p : e.points)
    out += "points " + p.member + " " + std::to_string(p.points) + " " + p.reason + "\n";
  out += "error " + e.error.message() + " " + e.diagnostic + "\n";
  return out;
}

}  // namespace lianxin::domain::testing
