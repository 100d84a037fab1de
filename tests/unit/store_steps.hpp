// One write step, one commit: what the store tests (and a few others) do a row at a time. The
// daemon itself only commits whole batches (Store::commit), so these live with the tests. In
// namespace lianxin::store so a call such as take_sendable(store, now, 10) finds them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/store/store.hpp"

namespace lianxin::store {

namespace steps_detail {
inline Status status(const CommitResult& r) {
  return {r.error, r.message};
}
}  // namespace steps_detail

inline Outcome<InboxInsert> insert_inbox(Store& store, const InboxPart& part) {
  WriteBatch batch;
  batch.inbox.push_back(part);
  CommitResult r = store.commit(batch);
  if (!r) return {{}, r.error, r.message};
  return {r.inbox.front(), {}, {}};
}

inline Status mark_processed(Store& store, const std::vector<std::int64_t>& ids, TimePoint at) {
  WriteBatch batch;
  for (std::int64_t id : ids) batch.processed.push_back({id, at});
  return steps_detail::status(store.commit(batch));
}

inline Outcome<std::vector<OutboxMessage>> take_sendable(Store& store, TimePoint now,
                                                         std::size_t limit) {
  WriteBatch batch;
  batch.take = TakeRequest{now, limit};
  CommitResult r = store.commit(batch);
  if (!r) return {{}, r.error, r.message};
  return {std::move(r.taken), {}, {}};
}

inline Status mark_submitted(Store& store, const OutboxSubmitted& submitted) {
  WriteBatch batch;
  batch.submitted.push_back(submitted);
  return steps_detail::status(store.commit(batch));
}

inline Status mark_retry(Store& store, const OutboxRetry& retry) {
  WriteBatch batch;
  batch.retries.push_back(retry);
  return steps_detail::status(store.commit(batch));
}

inline Status mark_failed(Store& store, const OutboxFailure& failure) {
  WriteBatch batch;
  batch.failures.push_back(failure);
  return steps_detail::status(store.commit(batch));
}

inline Outcome<ReceiptMatch> apply_receipt(Store& store, const ReceiptUpdate& receipt) {
  WriteBatch batch;
  batch.receipts.push_back(receipt);
  CommitResult r = store.commit(batch);
  if (!r) return {{}, r.error, r.message};
  return {r.receipts.front(), {}, {}};
}

inline Status apply_effects(Store& store, const domain::Effects& effects, std::string_view source,
                            TimePoint now) {
  WriteBatch batch;
  batch.add(effects, source, now);
  return steps_detail::status(store.commit(batch));
}

}  // namespace lianxin::store
