// The gateway's timers: engine deadlines (one Asio timer for the earliest), reassembly timeouts,
// the outbox retry and the outbox poll. Each wait holds a weak_ptr to the gateway's life token,
// so a wait that completes after the gateway is gone does nothing.
#include <chrono>

#include "daemon/app/gateway.hpp"

namespace lianxin::app {

// ---- timers ----

void Gateway::arm_engine_timer(const domain::TimerRequest& request) {
  engine_timers_.apply(request);
  rearm_engine_timer();
}

void Gateway::rearm_engine_timer() {
  if (stopping_) return;
  const std::optional<SystemTime> earliest = engine_timers_.earliest();
  if (!earliest) {
    if (engine_timer_at_) engine_timer_.cancel();
    engine_timer_at_.reset();
    return;
  }
  const SystemTime at = *earliest;
  if (engine_timer_at_ == at) return;
  engine_timer_at_ = at;
  engine_timer_.expires_at(at);
  std::weak_ptr<bool> alive = alive_;
  engine_timer_.async_wait([this, alive](const boost::system::error_code& error) {
    if (error || alive.expired()) return;
    engine_timer_fired();
  });
}

void Gateway::engine_timer_fired() {
  engine_timer_at_.reset();
  if (stopping_ || failed_) return;
  const SystemTime now = domain::Clock::now();
  for (const EngineTimers::Key& key : engine_timers_.take_due(now)) {
    journal_.log(LogLevel::debug, "timer " + std::string(domain::to_string(key.second)) + " fired",
                 {{"TICKET_ID", std::to_string(key.first)}});
    apply(engine_.on_timer(key.first, key.second, now), now);
  }
  rearm_engine_timer();
}

void Gateway::rearm_reassembly_timer() {
  if (stopping_) return;
  const auto deadline = assembler_.next_deadline();
  if (!deadline) return;  // a stale wait finds nothing to expire
  if (reassembly_timer_at_ == deadline) return;
  reassembly_timer_at_ = deadline;
  reassembly_timer_.expires_at(*deadline);
  std::weak_ptr<bool> alive = alive_;
  reassembly_timer_.async_wait([this, alive](const boost::system::error_code& error) {
    if (error || alive.expired()) return;
    reassembly_timer_fired();
  });
}

void Gateway::reassembly_timer_fired() {
  reassembly_timer_at_.reset();
  if (stopping_ || failed_) return;
  const SystemTime now = domain::Clock::now();
  for (const transport::InboundSms& sms : assembler_.expire(std::chrono::steady_clock::now()))
    process(sms, now);
  rearm_reassembly_timer();
}

void Gateway::arm_retry_timer(SystemTime at) {
  if (stopping_) return;
  if (retry_timer_at_ && *retry_timer_at_ <= at) return;
  retry_timer_at_ = at;
  retry_timer_.expires_at(at);
  std::weak_ptr<bool> alive = alive_;
  retry_timer_.async_wait([this, alive](const boost::system::error_code& error) {
    if (error || alive.expired()) return;
    retry_timer_at_.reset();
    want_take_ = true;
    if (may_take()) schedule_flush();
  });
}

void Gateway::arm_poll_timer() {
  if (stopping_) return;
  poll_timer_.expires_after(options_.outbox_poll);
  std::weak_ptr<bool> alive = alive_;
  poll_timer_.async_wait([this, alive](const boost::system::error_code& error) {
    if (error || alive.expired() || stopping_) return;
    want_take_ = true;
    if (may_take()) schedule_flush();
    update_status();
    arm_poll_timer();
  });
}

}  // namespace lianxin::app
