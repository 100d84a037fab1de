// The engine's timers as the gateway keeps them (sans-io): which (ticket, kind) is armed for when,
// the earliest of them for the one Asio timer, and the ones due. There is an entry for every SLA
// timer of every open ticket (up to four each), so entries are small: a packed 64-bit key and its
// time in a hash map, and a binary heap of (time, key) in a vector whose stale entries (re-armed
// or cancelled timers) are skipped when they surface and swept when they outnumber the live ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/domain/effects.hpp"

namespace lianxin::app {

class EngineTimers {
 public:
  using Key = std::pair<domain::TicketNo, domain::TimerKind>;

  // Arms (or re-arms) the request's timer, or cancels it.
  void apply(const domain::TimerRequest& request);
  // When the earliest armed timer is due.
  std::optional<domain::TimePoint> earliest();
  // The timers due at `now`, earliest first; they are no longer armed.
  std::vector<Key> take_due(domain::TimePoint now);
  std::size_t size() const { return at_.size(); }

 private:
  struct Entry {
    domain::TimePoint at;
    std::uint64_t key;
  };
  static std::uint64_t pack(const Key& key);
  static Key unpack(std::uint64_t key);
  bool live(const Entry& entry) const;
  void push(Entry entry);
  void pop();
  void drop_stale_top();

  std::unordered_map<std::uint64_t, domain::TimePoint> at_;
  std::vector<Entry> heap_;  // a min-heap by time (std::push_heap with a greater-than order)
};

}  // namespace lianxin::app
