// The link's life: connect, bind, stop and drain, failure and reconnect backoff, and the timers
// (connect/bind/response timeouts, enquire_link keepalive).
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "protocol/session.hpp"
#include "protocol/session_internal.hpp"

namespace lianxin::smpp {

using session_detail::mode_name;

// ---------------------------------------------------------------- lifecycle

void Session::start(TimePoint now) {
  if (state_ != LinkState::idle && state_ != LinkState::stopped) return;
  stopping_ = false;
  failures_ = 0;
  state_ = LinkState::connecting;
  ++connection_attempt_;
  state_deadline_ = now + config_.connect_timeout;
  log(LogLevel::info, "connecting");
}

void Session::connected(TimePoint now) {
  if (state_ != LinkState::connecting) {
    log(LogLevel::debug, "connected() ignored in state " + std::string(to_string(state_)));
    return;
  }
  state_ = LinkState::binding;
  input_.clear();
  output_.clear();  // nothing meant for an older socket goes to this one
  last_received_ = now;
  log(LogLevel::info, "connected; binding as " + std::string(mode_name(config_.bind_mode)) +
                          " system_id=" + config_.system_id);
  Bind bind;
  bind.mode = config_.bind_mode;
  bind.system_id = config_.system_id;
  bind.password = config_.password;
  bind.system_type = config_.system_type;
  bind.interface_version = config_.interface_version;
  bind.address_range = config_.address_range;
  send_request(RequestKind::bind, std::move(bind), now);
}

void Session::connect_failed(std::string_view detail, TimePoint now) {
  if (state_ != LinkState::connecting) return;
  fail_link(DownReason::connect_failed, std::string(detail), now);
}

void Session::disconnected(std::string_view detail, TimePoint now) {
  if (state_ == LinkState::connecting) {
    fail_link(DownReason::connect_failed, std::string(detail), now);
  } else if (state_ == LinkState::unbinding) {
    finish_stop();
  } else if (connected_state()) {
    fail_link(DownReason::closed_by_peer, std::string(detail), now);
  }
}

void Session::stop(TimePoint now) {
  switch (state_) {
    case LinkState::stopped:
    case LinkState::draining:
    case LinkState::unbinding:
      return;
    case LinkState::idle:
    case LinkState::waiting_to_reconnect:
    case LinkState::connecting:
    case LinkState::binding:
      stopping_ = true;
      finish_stop();
      return;
    case LinkState::bound:
      break;
  }
  stopping_ = true;
  state_ = LinkState::draining;
  state_deadline_ = now + config_.unbind_grace;
  log(LogLevel::info, "stopping: waiting for " + std::to_string(submits_in_flight_) +
                          " submit(s) and " + std::to_string(pending_inbound_.size()) +
                          " inbound ack(s)");
  for (QueuedSubmit& queued : queue_) {
    events_.push_back(
        event::SubmitResult{queued.token, SubmitOutcome::failed_retryable, 0, {}, "link stopping"});
  }
  queue_.clear();
  check_drained(now);
}

void Session::check_drained(TimePoint now) {
  if (state_ != LinkState::draining) return;
  const bool drained = submits_in_flight_ == 0 && pending_inbound_.empty();
  if (!drained && now < state_deadline_) return;
  if (!drained) log(LogLevel::warning, "stop grace time over; unbinding with work in flight");
  state_ = LinkState::unbinding;
  send_request(RequestKind::unbind, Unbind{}, now);
}

void Session::finish_stop() {
  report_lost_submits("link stopped");
  input_.clear();
  outstanding_.clear();
  pending_inbound_.clear();
  enquire_link_in_flight_ = false;
  stopping_ = false;
  state_ = LinkState::stopped;
  log(LogLevel::info, "stopped");
  events_.push_back(event::Stopped{});
}

void Session::fail_link(DownReason reason, const std::string& detail, TimePoint now) {
  if (stopping_) {
    finish_stop();
    return;
  }
  ++failures_;
  const Millis delay = next_backoff();
  state_ = LinkState::waiting_to_reconnect;
  state_deadline_ = now + delay;
  log(LogLevel::warning, "link down (" + std::string(to_string(reason)) + "): " + detail +
                             "; reconnecting in " + std::to_string(delay.count()) + " ms");
  events_.push_back(event::LinkDown{reason, detail, state_deadline_});
  report_lost_submits("link down");
  input_.clear();
  outstanding_.clear();
  pending_inbound_.clear();  // the SMSC delivers unacknowledged messages again
  enquire_link_in_flight_ = false;
  consecutive_timeouts_ = 0;
}

void Session::report_lost_submits(const char* why) {
  for (auto& [sequence, request] : outstanding_) {
    if (request.kind != RequestKind::submit || !request.submit) continue;
    events_.push_back(event::SubmitResult{request.submit->token,
                                          SubmitOutcome::unknown,
                                          0,
                                          {},
                                          std::string(why) + " before a response"});
  }
  for (QueuedSubmit& queued : queue_) {
    events_.push_back(
        event::SubmitResult{queued.token, SubmitOutcome::failed_retryable, 0, {}, why});
  }
  std::erase_if(outstanding_,
                [](const auto& entry) { return entry.second.kind == RequestKind::submit; });
  queue_.clear();
  submits_in_flight_ = 0;
}

Millis Session::next_backoff() {
  Millis base = config_.reconnect_min;
  for (unsigned i = 1; i < failures_ && base < config_.reconnect_max; ++i) base *= 2;
  base = std::min(base, config_.reconnect_max);
  double unit = random_();
  if (!(unit >= 0.0 && unit < 1.0)) unit = 0.0;
  const auto shortened = static_cast<Millis::rep>(
      std::floor(static_cast<double>(base.count()) * config_.reconnect_jitter * unit));
  return base - Millis{shortened};
}

// ---------------------------------------------------------------- timers

std::optional<TimePoint> Session::next_deadline() const {
  switch (state_) {
    case LinkState::idle:
    case LinkState::stopped:
      return std::nullopt;
    case LinkState::waiting_to_reconnect:
    case LinkState::connecting:
      return state_deadline_;
    default:
      break;
  }
  std::optional<TimePoint> earliest;
  const auto consider = [&earliest](TimePoint t) {
    if (!earliest || t < *earliest) earliest = t;
  };
  for (const auto& [sequence, request] : outstanding_) consider(request.deadline);
  if ((state_ == LinkState::bound || state_ == LinkState::draining) && !enquire_link_in_flight_)
    consider(last_received_ + config_.enquire_link_interval);
  if (state_ == LinkState::draining) consider(state_deadline_);
  if (const auto ready = queue_ready_at(TimePoint{})) consider(*ready);
  return earliest;
}

void Session::timer_fired(TimePoint now) {
  switch (state_) {
    case LinkState::idle:
    case LinkState::stopped:
      return;
    case LinkState::waiting_to_reconnect:
      if (now >= state_deadline_) {
        state_ = LinkState::connecting;
        ++connection_attempt_;
        state_deadline_ = now + config_.connect_timeout;
        log(LogLevel::info, "reconnecting");
      }
      return;
    case LinkState::connecting:
      if (now >= state_deadline_) fail_link(DownReason::connect_failed, "connect timed out", now);
      return;
    default:
      break;
  }
  handle_timeouts(now);
  if (!connected_state()) return;
  if ((state_ == LinkState::bound || state_ == LinkState::draining) && !enquire_link_in_flight_ &&
      now >= last_received_ + config_.enquire_link_interval) {
    log(LogLevel::debug, "idle; sending enquire_link");
    send_request(RequestKind::enquire_link, EnquireLink{}, now);
  }
  check_drained(now);
  pump_queue(now);
}

void Session::handle_timeouts(TimePoint now) {
  std::vector<std::uint32_t> expired;
  for (const auto& [sequence, request] : outstanding_) {
    if (request.deadline <= now) expired.push_back(sequence);
  }
  for (const std::uint32_t sequence : expired) {
    const auto it = outstanding_.find(sequence);
    if (it == outstanding_.end()) continue;
    Outstanding request = std::move(it->second);
    outstanding_.erase(it);
    switch (request.kind) {
      case RequestKind::bind:
        fail_link(DownReason::bind_timeout, "no bind response", now);
        return;
      case RequestKind::enquire_link:
        fail_link(DownReason::enquire_link_timeout, "no enquire_link response", now);
        return;
      case RequestKind::unbind:
        log(LogLevel::warning, "no unbind response; closing");
        finish_stop();
        return;
      case RequestKind::submit:
        --submits_in_flight_;
        ++consecutive_timeouts_;
        log(LogLevel::warning, "no response to submit seq " + std::to_string(sequence));
        events_.push_back(event::SubmitResult{
            request.submit->token, SubmitOutcome::unknown, 0, {}, "no response in time"});
        if (consecutive_timeouts_ >= config_.max_consecutive_timeouts) {
          fail_link(DownReason::response_timeout,
                    std::to_string(consecutive_timeouts_) + " requests without response", now);
          return;
        }
        break;
    }
  }
}

}  // namespace lianxin::smpp
