// Two guards the engine keeps against loops and floods (pure, time injected):
// * ReplyLoopGuard: the same text to the same number more than max_repeats times within the
//   period is held, so two robots answering each other cannot run up an SMS bill;
// * SenderRateGuard: a number that sends more than sender_per_minute texts in a minute is
//   throttled (its texts are stored, not answered) until it slows down.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/container/small_vector.hpp>

#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::domain {

// Send times, oldest first. Most numbers and most texts are seen once in a period, so the first
// time is kept inline: no allocation of its own for an entry of which there are hundreds of
// thousands on a busy evening.
using SendTimes = boost::container::small_vector<TimePoint, 1>;

// Same text to the same number more than max_repeats times within the period → hold.
class ReplyLoopGuard {
 public:
  explicit ReplyLoopGuard(LoopProtection rules) : rules_(rules) {}
  void set_rules(LoopProtection rules) { rules_ = rules; }
  // True when the SMS may go; records it. False: hold it.
  bool allow(std::string_view to, std::string_view text, TimePoint now);

 private:
  void prune(TimePoint now);
  LoopProtection rules_;
  // A 64-bit hash of (destination, text) → send times within the period, oldest first. Every
  // SMS sent in the last period has an entry, so an entry must be small: the hash instead of
  // the text (a collision would at worst count another pair's sends: 1 in 2^64 per pair), and at
  // most max_repeats times.
  std::unordered_map<std::uint64_t, SendTimes> sent_;
  TimePoint last_prune_{};
};

class SenderRateGuard {
 public:
  explicit SenderRateGuard(LoopProtection rules) : rules_(rules) {}
  void set_rules(LoopProtection rules) { rules_ = rules; }
  // Records a text from `from` (nothing for an empty number); true when the number now floods.
  bool note(const std::string& from, TimePoint now);
  bool flooding(const std::string& phone, TimePoint now) const;
  // How many numbers flood in the minute before `now`.
  std::size_t flooding_count(TimePoint now) const;
  std::size_t remembered() const { return times_.size(); }

 private:
  LoopProtection rules_;
  // Each number's send times within the last minute, oldest first, at most per_minute + 1 of
  // them (enough to tell "more than per_minute"), not a deque with its 512-byte chunk.
  std::unordered_map<std::string, SendTimes> times_;
};

}  // namespace lianxin::domain
