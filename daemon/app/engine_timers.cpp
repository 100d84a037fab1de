#include "daemon/app/engine_timers.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>

#include "daemon/domain/sla_clocks.hpp"

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
  const Key key = unpack(entry.key);
  if (domain::is_sla_kind(key.second)) return sla_(key.first, key.second) == entry.at;
  auto it = other_at_.find(entry.key);
  return it != other_at_.end() && it->second == entry.at;
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
  if (domain::is_sla_kind(request.kind)) {
    if (!request.cancel) push({request.at, key});  // a cancel is in the record already
  } else if (request.cancel) {
    other_at_.erase(key);  // its heap entry is stale now
  } else {
    auto [it, inserted] = other_at_.try_emplace(key, request.at);
    if (!inserted) {
      if (it->second == request.at) return;  // armed for then already
      it->second = request.at;
    }
    push({request.at, key});
  }
  // Re-arming and cancelling leave stale entries behind: sweep them once the heap has doubled.
  if (heap_.size() > 2 * swept_size_ + 64) {
    std::erase_if(heap_, [this](const Entry& entry) { return !live(entry); });
    std::make_heap(heap_.begin(), heap_.end(), later<Entry, Entry>);
    swept_size_ = heap_.size();
  }
}

std::optional<domain::TimePoint> EngineTimers::earliest() {
  drop_stale_top();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().at;
}

std::vector<EngineTimers::Key> EngineTimers::take_due(domain::TimePoint now) {
  std::vector<Key> due;
  std::unordered_set<std::uint64_t> taken;  // a timer cancelled and re-armed for the same time
  for (drop_stale_top(); !heap_.empty() && heap_.front().at <= now; drop_stale_top()) {
    const std::uint64_t key = heap_.front().key;
    pop();
    if (!taken.insert(key).second) continue;  // has two entries: it fires once
    other_at_.erase(key);
    due.push_back(unpack(key));
  }
  return due;
}

}  // namespace lianxin::app
