// Outbound submits: the queue, the window of unacknowledged submits, TPS pacing (GCRA), and the
// pause-and-retry on throttling responses.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>
#include <variant>

#include "protocol/session.hpp"
#include "protocol/session_internal.hpp"

namespace lianxin::smpp {

using session_detail::hex;

// ---------------------------------------------------------------- submits

Admission Session::submit(OutboundMessage message, SubmitToken token, TimePoint now) {
  if (stopping_) return Admission::stopping;
  if (state_ != LinkState::bound || !can_transmit()) return Admission::not_bound;
  if (queue_.size() >= config_.queue_limit) return Admission::queue_full;
  queue_.push_back(QueuedSubmit{next_order_++, token, std::move(message), 0});
  pump_queue(now);
  return Admission::accepted;
}

std::optional<TimePoint> Session::queue_ready_at(TimePoint now) const {
  if (queue_.empty() || state_ != LinkState::bound || submits_in_flight_ >= config_.window)
    return std::nullopt;
  TimePoint ready = std::max(now, paused_until_);
  if (config_.tps > 0) {
    const auto interval =
        std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(1e9 / config_.tps)));
    ready = std::max(ready, pacing_tat_ - interval * (config_.tps_burst - 1));
  }
  return ready;
}

void Session::pump_queue(TimePoint now) {
  while (!queue_.empty()) {
    const auto ready = queue_ready_at(now);
    if (!ready || *ready > now) return;
    QueuedSubmit submit = std::move(queue_.front());
    queue_.pop_front();
    const std::uint32_t sequence = next_sequence_number();
    Body body = std::visit([](auto& message) -> Body { return message; }, submit.message);
    std::string error;
    if (!send(Pdu{status::ok, sequence, std::move(body)}, &error)) {
      events_.push_back(event::SubmitResult{
          submit.token, SubmitOutcome::failed_permanent, 0, {}, "cannot encode: " + error});
      continue;
    }
    if (config_.tps > 0) {
      const auto interval =
          std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(1e9 / config_.tps)));
      pacing_tat_ = std::max(pacing_tat_, now) + interval;
    }
    outstanding_[sequence] =
        Outstanding{RequestKind::submit, now + config_.response_timeout, std::move(submit)};
    ++submits_in_flight_;
  }
}

void Session::requeue(QueuedSubmit submit) {
  const auto position = std::find_if(queue_.begin(), queue_.end(),
                                     [&](const QueuedSubmit& q) { return q.order > submit.order; });
  queue_.insert(position, std::move(submit));
}

void Session::handle_submit_response(QueuedSubmit submit, std::uint32_t command_status,
                                     std::string message_id, TimePoint now) {
  switch (classify_submit_status(command_status)) {
    case StatusClass::ok:
      current_pause_ = Millis{0};
      events_.push_back(event::SubmitResult{
          submit.token, SubmitOutcome::accepted, command_status, std::move(message_id), {}});
      break;
    case StatusClass::pause_and_retry:
      if (now >= paused_until_) {
        current_pause_ = current_pause_.count() == 0
                             ? config_.throttle_pause
                             : std::min(current_pause_ * 2, config_.throttle_pause_max);
        paused_until_ = now + current_pause_;
        log(LogLevel::warning, "SMSC says " + hex(command_status) + "; pausing submits for " +
                                   std::to_string(current_pause_.count()) + " ms");
      }
      if (stopping_ || submit.retries >= config_.max_throttle_retries) {
        events_.push_back(event::SubmitResult{
            submit.token,
            SubmitOutcome::failed_retryable,
            command_status,
            {},
            stopping_ ? "throttled while stopping" : "throttled too many times"});
      } else {
        ++submit.retries;
        requeue(std::move(submit));
      }
      break;
    case StatusClass::retryable:
      events_.push_back(event::SubmitResult{
          submit.token, SubmitOutcome::failed_retryable, command_status, {}, "temporary error"});
      break;
    case StatusClass::permanent:
      events_.push_back(event::SubmitResult{submit.token,
                                            SubmitOutcome::failed_permanent,
                                            command_status,
                                            {},
                                            "rejected by the SMSC"});
      break;
  }
}

}  // namespace lianxin::smpp
