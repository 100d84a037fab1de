// The loop and flood guards on their own.
#include "daemon/domain/guards.hpp"

#include <gtest/gtest.h>

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{} + 1000h;

LoopProtection rules(int per_minute) {
  LoopProtection r;
  r.sender_per_minute = per_minute;
  return r;
}

TEST(SenderRateGuard, ANumberFloodsWithMoreThanItsShareInAMinute) {
  SenderRateGuard guard(rules(3));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(guard.note("+8613900000001", t0 + i * 1s));
  EXPECT_TRUE(guard.note("+8613900000001", t0 + 3s));  // the fourth within a minute
  EXPECT_TRUE(guard.flooding("+8613900000001", t0 + 30s));
  EXPECT_FALSE(guard.flooding("+8613900000002", t0 + 30s));
  EXPECT_EQ(guard.flooding_count(t0 + 30s), 1u);
  // A minute after the second text only two are recent: no longer flooding.
  EXPECT_FALSE(guard.flooding("+8613900000001", t0 + 62s));
  EXPECT_EQ(guard.flooding_count(t0 + 62s), 0u);
}

TEST(SenderRateGuard, ALongFloodKeepsOnlyWhatTheRuleNeeds) {
  SenderRateGuard guard(rules(3));
  for (int i = 0; i < 1000; ++i) guard.note("+8613900000001", t0 + i * 10ms);
  EXPECT_TRUE(guard.flooding("+8613900000001", t0 + 10s));
  // It slows down: one text a minute is fine again once the burst is a minute old.
  EXPECT_FALSE(guard.note("+8613900000001", t0 + 80s));
}

TEST(SenderRateGuard, ARuleChangeAppliesToWhatIsRemembered) {
  SenderRateGuard guard(rules(3));
  for (int i = 0; i < 3; ++i) guard.note("+8613900000001", t0 + i * 1s);
  EXPECT_FALSE(guard.flooding("+8613900000001", t0 + 5s));
  guard.set_rules(rules(2));
  EXPECT_TRUE(guard.flooding("+8613900000001", t0 + 5s));
  EXPECT_FALSE(guard.note("", t0));  // no number: never throttled, not remembered
  EXPECT_EQ(guard.remembered(), 1u);
}

TEST(ReplyLoopGuard, TheSameTextToTheSameNumberIsHeldAfterMaxRepeats) {
  LoopProtection r;
  r.max_repeats = 2;
  r.period = 10min;
  ReplyLoopGuard guard(r);
  EXPECT_TRUE(guard.allow("+8613900000001", "帮助", t0));
  EXPECT_TRUE(guard.allow("+8613900000001", "帮助", t0 + 1s));
  EXPECT_FALSE(guard.allow("+8613900000001", "帮助", t0 + 2s));
  EXPECT_TRUE(guard.allow("+8613900000002", "帮助", t0 + 2s));     // another number
  EXPECT_TRUE(guard.allow("+8613900000001", "帮", t0 + 2s));       // another text
  EXPECT_TRUE(guard.allow("+8613900000001", "帮助", t0 + 11min));  // the period has passed
}

}  // namespace
}  // namespace lianxin::domain
