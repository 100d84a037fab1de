// Where the engine finds its tickets. The store holds them; the engine keeps in memory only a
// summary of each ticket it tracks (open, or finished within windows.closed_retention: what the
// full scans need, 40 bytes) and the full tickets it read or changed since the daemon
// last committed. Those stay until release(): a later call in the same commit must see an
// earlier call's change, which is not in the database yet.
//
// Without a repository (the pure tests, tools) the book is the only copy of the tickets, and
// release() keeps them.
#pragma once

#include <cstddef>
#include <optional>
#include <unordered_map>
#include <vector>

#include "daemon/domain/model.hpp"

namespace lianxin::domain {

// Reads a stored ticket by number (the daemon: the store, on the connection that commits).
class TicketRepository {
 public:
  virtual ~TicketRepository() = default;
  virtual std::optional<Ticket> load(TicketNo number) = 0;
};

// What the engine's scans over every tracked ticket need (ticket_counts, review_queue,
// pending_timers) and a reporter's lookups (fresh_ticket) need without reading the tickets.
struct TicketSummary {
  static constexpr TimePoint kNone = TimePoint::min();
  TimePoint accept_deadline = kNone;
  TimePoint resolve_deadline = kNone;
  // location_deadline while awaiting_location, verification_deadline while resolved.
  TimePoint state_deadline = kNone;
  TimePoint created_at{};
  TicketState state = TicketState::new_;
  bool accepted = false;  // accepted_at is set
  bool needs_review = false;

  static TicketSummary of(const Ticket& ticket);
  friend bool operator==(const TicketSummary&, const TicketSummary&) = default;
};

class TicketBook {
 public:
  explicit TicketBook(TicketRepository* repository) : repository_(repository) {}

  // Replaces everything: `tickets` are the ones to track (kept in memory only without a
  // repository).
  void restore(std::vector<Ticket> tickets);

  // The tracked ticket, read from the repository when not in memory; null when the book does
  // not track it (never existed, or pruned) or the repository no longer has it. The pointer
  // stays valid until release() or erase().
  Ticket* get(TicketNo number);
  const Ticket* find(TicketNo number) const;
  // Tracks a new ticket (or replaces one) and returns the copy in memory.
  Ticket& put(Ticket ticket);
  // The ticket changed: its summary follows.
  void changed(const Ticket& ticket);
  void erase(TicketNo number);
  // Everything changed so far is stored: with a repository, the tickets leave memory.
  void release();

  const TicketSummary* summary(TicketNo number) const;
  const std::unordered_map<TicketNo, TicketSummary>& summaries() const { return summaries_; }
  std::vector<TicketNo> numbers() const;  // tracked, ascending
  std::size_t size() const { return summaries_.size(); }
  std::size_t in_memory() const { return loaded_.size(); }
  // True when every ticket in memory has the summary it is tracked with. For tests.
  bool summaries_match() const;

 private:
  TicketRepository* repository_;
  std::unordered_map<TicketNo, TicketSummary> summaries_;
  // Read lazily by const lookups too: what is in memory is a cache of the repository.
  mutable std::unordered_map<TicketNo, Ticket> loaded_;
};

}  // namespace lianxin::domain
