#include "daemon/domain/guards.hpp"

#include <algorithm>
#include <functional>

namespace lianxin::domain {

// ---- ReplyLoopGuard ----

bool ReplyLoopGuard::allow(std::string_view to, std::string_view text, TimePoint now) {
  prune(now);
  // Two hashes mixed (boost::hash_combine's recipe), so ("ab", "c") and ("a", "bc") differ.
  std::uint64_t key = std::hash<std::string_view>{}(to);
  key ^= std::hash<std::string_view>{}(text) + 0x9e3779b97f4a7c15ULL + (key << 6) + (key >> 2);
  SendTimes& times = sent_[key];
  auto expired = std::find_if(times.begin(), times.end(),
                              [&](TimePoint at) { return at > now - rules_.period; });
  times.erase(times.begin(), expired);
  if (rules_.max_repeats > 0 && times.size() >= static_cast<std::size_t>(rules_.max_repeats)) {
    return false;
  }
  times.push_back(now);
  return true;
}

void ReplyLoopGuard::prune(TimePoint now) {
  // Forget whole conversations that went quiet, at most once per period.
  if (now - last_prune_ < rules_.period) return;
  last_prune_ = now;
  std::erase_if(sent_, [&](const auto& entry) {
    return entry.second.empty() || entry.second.back() <= now - rules_.period;
  });
}

// ---- SenderRateGuard ----

namespace {
constexpr auto kMinute = std::chrono::minutes(1);
constexpr std::size_t kRememberedSenders = 20000;  // then numbers quiet for a minute are forgotten
}  // namespace

bool SenderRateGuard::note(const std::string& from, TimePoint now) {
  if (from.empty()) return false;
  SendTimes& times = times_[from];
  times.erase(times.begin(), std::find_if(times.begin(), times.end(),
                                          [now](TimePoint t) { return t + kMinute > now; }));
  times.push_back(now);
  const std::size_t keep = static_cast<std::size_t>(std::max(rules_.sender_per_minute, 0)) + 1;
  if (times.size() > keep) times.erase(times.begin(), times.end() - static_cast<long>(keep));
  if (times_.size() > kRememberedSenders) {
    std::erase_if(times_, [now](const auto& entry) {
      return entry.second.empty() || entry.second.back() + kMinute <= now;
    });
  }
  return flooding(from, now);
}

bool SenderRateGuard::flooding(const std::string& phone, TimePoint now) const {
  auto it = times_.find(phone);
  if (it == times_.end()) return false;
  const auto recent = std::count_if(it->second.begin(), it->second.end(),
                                    [now](TimePoint t) { return t + kMinute > now; });
  return recent > rules_.sender_per_minute;
}

std::size_t SenderRateGuard::flooding_count(TimePoint now) const {
  return static_cast<std::size_t>(std::count_if(
      times_.begin(), times_.end(), [&](const auto& e) { return flooding(e.first, now); }));
}

}  // namespace lianxin::domain
