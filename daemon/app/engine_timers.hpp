// The engine's timers as the gateway keeps them (sans-io): the earliest of them for the one Asio
// timer, and the ones due. Every open ticket has up to four SLA timers, so nothing is kept twice:
// the SLA timers' times are the engine's record (ArmedSlaTimers, asked through `SlaRecord`), and
// only the other kinds (location follow-up, verification, note batch: few at a time) have their
// times here, in a hash map from a packed 64-bit key. Every arm pushes (time, key) onto a binary
// heap in a vector; an entry whose timer was re-armed or cancelled since is stale: skipped when it
// surfaces, and swept when the heap has doubled since the last sweep.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/domain/effects.hpp"

namespace lianxin::app {

class EngineTimers {
 public:
  using Key = std::pair<domain::TicketNo, domain::TimerKind>;
  // When the SLA timer (ticket, kind) is armed for, by the engine's record; nullopt: not armed.
  using SlaRecord =
      std::function<std::optional<domain::TimePoint>(domain::TicketNo, domain::TimerKind)>;

  explicit EngineTimers(SlaRecord sla) : sla_(std::move(sla)) {}

  // Arms (or re-arms) the request's timer, or cancels it. For an SLA kind the record has
  // already changed; this only makes sure the heap holds its time.
  void apply(const domain::TimerRequest& request);
  // When the earliest armed timer is due.
  std::optional<domain::TimePoint> earliest();
  // The timers due at `now`, earliest first, each once; the other kinds are no longer armed
  // here (the engine clears an SLA timer from its record when it is told it fired).
  std::vector<Key> take_due(domain::TimePoint now);
  std::size_t heap_size() const { return heap_.size(); }

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

  SlaRecord sla_;
  std::unordered_map<std::uint64_t, domain::TimePoint> other_at_;  // the non-SLA kinds
  std::vector<Entry> heap_;     // a min-heap by time (std::push_heap with a greater-than order)
  std::size_t swept_size_ = 0;  // heap entries after the last sweep
};

}  // namespace lianxin::app
