// Broadcasts in the store: the broadcasts table, outbox rows naming their broadcast, counts by
// state from receipts, and the queue order (a broadcast never delays other SMS).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/unit/store_steps.hpp"

namespace lianxin::store {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = TimePoint{} + 20574 * 24h + 8h;

OutboxRequest sms(const std::string& to, std::optional<std::int64_t> broadcast = std::nullopt,
                  bool urgent = false) {
  OutboxRequest r;
  r.destination = to;
  r.source = "106900001234";
  r.text = "【连心桥】通知";
  r.audience = domain::Audience::member;
  r.created_at = kNow;
  r.urgent = urgent;
  r.broadcast_id = broadcast;
  return r;
}

BroadcastRecord record(std::int64_t id, long long recipients) {
  BroadcastRecord b;
  b.id = id;
  b.text = "【连心桥】防汛通知";
  b.audience = "g1,g2";
  b.operator_name = "alice";
  b.recipients = recipients;
  b.skipped = 2;
  b.created_at = kNow;
  return b;
}

TEST(StoreBroadcast, RecordAndCountsFollowTheReceipts) {
  Store store = Store::open(":memory:");
  ASSERT_EQ(store.last_broadcast_id().value, 0);
  WriteBatch batch;
  batch.broadcasts.push_back(record(1, 3));
  for (const char* to : {"+8613700000001", "+8613700000002", "+8613700000003"})
    batch.outbox.push_back(sms(to, 1));
  batch.outbox.push_back(sms("+8613900000001"));  // not part of it
  CommitResult committed = store.commit(batch);
  ASSERT_TRUE(committed) << committed.message;
  ASSERT_EQ(committed.outbox.size(), 4u);

  EXPECT_EQ(store.last_broadcast_id().value, 1);
  auto found = store.find_broadcast(1);
  ASSERT_TRUE(found && found.value);
  EXPECT_EQ(*found.value, record(1, 3));
  EXPECT_FALSE(store.find_broadcast(2).value);
  EXPECT_EQ(store.broadcast_counts(1).value,
            (std::map<OutboxState, long long>{{OutboxState::queued, 3}}));

  // Sent: two delivered, one failed by receipt.
  auto taken = take_sendable(store, kNow, 10);
  ASSERT_EQ(taken.value.size(), 4u);
  for (const OutboxMessage& m : taken.value) {
    ASSERT_TRUE(mark_submitted(store, {m.id, "smsc", {"id" + std::to_string(m.id)}, kNow}));
  }
  const std::int64_t a = committed.outbox[0], b = committed.outbox[1], c = committed.outbox[2];
  for (auto [id, state] :
       {std::pair{a, sms::DeliveryState::delivered}, std::pair{b, sms::DeliveryState::delivered},
        std::pair{c, sms::DeliveryState::undeliverable}}) {
    ReceiptUpdate update{"smsc", "id" + std::to_string(id), state, "", kNow};
    ASSERT_TRUE(apply_receipt(store, update));
  }
  EXPECT_EQ(
      store.broadcast_counts(1).value,
      (std::map<OutboxState, long long>{{OutboxState::delivered, 2}, {OutboxState::failed, 1}}));
  // A taken row knows its broadcast.
  for (const OutboxMessage& m : taken.value) {
    if (m.id == a) {
      EXPECT_EQ(m.request.broadcast_id, 1);
    }
    if (m.id == committed.outbox[3]) {
      EXPECT_FALSE(m.request.broadcast_id);
    }
  }
}

TEST(StoreBroadcast, BroadcastRowsQueueBehindEveryOtherSms) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  batch.broadcasts.push_back(record(7, 5));
  for (int i = 0; i < 5; ++i) batch.outbox.push_back(sms("+861370000000" + std::to_string(i), 7));
  ASSERT_TRUE(store.commit(batch));
  // Ordinary SMS queued later still go first; urgent ones before them.
  WriteBatch later;
  later.outbox.push_back(sms("+8613900000001"));
  later.outbox.push_back(sms("+8613900000002", std::nullopt, true));
  ASSERT_TRUE(store.commit(later));
  auto taken = take_sendable(store, kNow, 3);
  ASSERT_EQ(taken.value.size(), 3u);
  EXPECT_EQ(taken.value[0].request.destination, "+8613900000002");
  EXPECT_TRUE(taken.value[0].request.urgent);
  EXPECT_EQ(taken.value[1].request.destination, "+8613900000001");
  EXPECT_EQ(taken.value[2].request.broadcast_id, 7);
  EXPECT_FALSE(taken.value[2].request.urgent);  // queued as -1, read back as not urgent
  EXPECT_EQ(taken.value[2].request.destination, "+8613700000000");
}

TEST(StoreBroadcast, OutboxRowNamingAMissingBroadcastIsRefused) {
  Store store = Store::open(":memory:");
  WriteBatch batch;
  batch.outbox.push_back(sms("+8613700000001", 42));
  CommitResult result = store.commit(batch);
  EXPECT_FALSE(result);  // foreign key: a broadcast row must come with it
}

}  // namespace
}  // namespace lianxin::store
