#include "daemon/app/engine_timers.hpp"

#include <algorithm>
#include <utility>

namespace lianxin::app {

namespace {

constexpr unsigned kKindBits = 3;  // TimerKind has seven values

bool later(const auto& a, const auto& b) {
  return a.at > b.at;
}

}  // namespace

std::uint64_t EngineTimers::pack(const Key& key) {
  return (static_cast<std::uint64_t>(key.first) << kKindBits) |
         static_cast<std::uint64_t>(key.second);
}

EngineTimers::Key EngineTimers::unpack(std::uint64_t key) {
  return {static_cast<domain::TicketNo>(key >> kKindBits),
          static_cast<domain::TimerKind>(key & ((1U << kKindBits) - 1))};
}

bool EngineTimers::live(const Entry& entry) const {
  auto it = at_.find(entry.key);
  return it != at_.end() && it->second == entry.at;
}

void EngineTimers::push(Entry entry) {
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(), later<Entry, Entry>);
}

void EngineTimers::pop() {
  std::pop_heap(heap_.begin(), heap_.end(), later<Entry, Entry>);
  heap_.pop_back();
}

void EngineTimers::drop_stale_top() {
  while (!heap_.empty() && !live(heap_.front())) pop();
}

void EngineTimers::apply(const domain::TimerRequest& request) {
  const std::uint64_t key = pack({request.ticket, request.kind});
  if (request.cancel) {
    at_.erase(key);  // its heap entry is stale now
    return;
  }
  auto [it, inserted] = at_.try_emplace(key, request.at);
  if (!inserted) {
    if (it->second == request.at) return;  // armed for then already
    it->second = request.at;
  }
  push({request.at, key});
  // Re-arming leaves stale entries behind: sweep them when they are more than the live ones.
  if (heap_.size() > 2 * at_.size() + 64) {
    std::vector<Entry> kept;
    kept.reserve(at_.size());
    for (const auto& [armed_key, at] : at_) kept.push_back({at, armed_key});
    std::make_heap(kept.begin(), kept.end(), later<Entry, Entry>);
    heap_ = std::move(kept);
  }
}

std::optional<domain::TimePoint> EngineTimers::earliest() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().at;
}

std::vector<EngineTimers::Key> EngineTimers::take_due(domain::TimePoint now) {
  std::vector<Key> due;
  for (drop_stale_top(); !heap_.empty() && heap_.front().at <= now; drop_stale_top()) {
    const std::uint64_t key = heap_.front().key;
    pop();
    at_.erase(key);  // a second entry for the same key and time (cancelled, re-armed) is stale
    due.push_back(unpack(key));
  }
  return due;
}

}  // namespace lianxin::app
