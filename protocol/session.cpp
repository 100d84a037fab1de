// The session's names and status classes, its construction and accessors, and its output (every
// PDU it writes goes through send()). The rest of the state machine:
//   session_link.cpp    connect, bind, stop, reconnect backoff, timers and keepalive
//   session_submit.cpp  the submit queue: window, TPS pacing, throttling pauses
//   session_input.cpp   what the SMSC sends: framing, requests, responses, inbound acks
#include "protocol/session.hpp"

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "protocol/session_internal.hpp"

namespace lianxin::smpp {

namespace {

constexpr std::uint32_t max_sequence_number = 0x7FFFFFFF;
constexpr std::uint32_t submit_failed_status = 0x45;        // ESME_RSUBMITFAIL
constexpr std::uint32_t invalid_system_type_status = 0x53;  // ESME_RINVSYSTYP

Session::RandomUnit default_random() {
  auto engine = std::make_shared<std::minstd_rand>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace

using session_detail::cmd;
using session_detail::hex;

std::string_view to_string(LinkState state) {
  switch (state) {
    case LinkState::idle:
      return "idle";
    case LinkState::waiting_to_reconnect:
      return "waiting_to_reconnect";
    case LinkState::connecting:
      return "connecting";
    case LinkState::binding:
      return "binding";
    case LinkState::bound:
      return "bound";
    case LinkState::draining:
      return "draining";
    case LinkState::unbinding:
      return "unbinding";
    case LinkState::stopped:
      return "stopped";
  }
  return "?";
}

std::string_view to_string(DownReason reason) {
  switch (reason) {
    case DownReason::connect_failed:
      return "connect_failed";
    case DownReason::closed_by_peer:
      return "closed_by_peer";
    case DownReason::unbound_by_smsc:
      return "unbound_by_smsc";
    case DownReason::bind_failed:
      return "bind_failed";
    case DownReason::bind_timeout:
      return "bind_timeout";
    case DownReason::response_timeout:
      return "response_timeout";
    case DownReason::enquire_link_timeout:
      return "enquire_link_timeout";
    case DownReason::protocol_error:
      return "protocol_error";
  }
  return "?";
}

std::string_view to_string(SubmitOutcome outcome) {
  switch (outcome) {
    case SubmitOutcome::accepted:
      return "accepted";
    case SubmitOutcome::failed_permanent:
      return "failed_permanent";
    case SubmitOutcome::failed_retryable:
      return "failed_retryable";
    case SubmitOutcome::unknown:
      return "unknown";
  }
  return "?";
}

StatusClass classify_submit_status(std::uint32_t command_status) {
  switch (command_status) {
    case status::ok:
      return StatusClass::ok;
    case status::throttled:
    case status::message_queue_full:
      return StatusClass::pause_and_retry;
    // The SMSC's own trouble, or it thinks we are not bound: worth trying again later.
    case status::system_error:
    case status::invalid_bind_status:
    case status::temporary_app_error:
    case status::unknown_error:
    case submit_failed_status:
      return StatusClass::retryable;
    default:
      return StatusClass::permanent;
  }
}

bool is_permanent_bind_failure(std::uint32_t command_status) {
  return command_status == status::invalid_password ||
         command_status == status::invalid_system_id ||
         command_status == invalid_system_type_status;
}

Session::Session(SessionConfig config, protocol::Logger logger, RandomUnit random)
    : config_(std::move(config)),
      logger_(std::move(logger)),
      random_(random ? std::move(random) : default_random()) {
  if (config_.window == 0) config_.window = 1;
  if (config_.tps_burst == 0) config_.tps_burst = 1;
  if (config_.reconnect_max < config_.reconnect_min) config_.reconnect_max = config_.reconnect_min;
  config_.reconnect_jitter = std::clamp(config_.reconnect_jitter, 0.0, 1.0);
  next_sequence_ = config_.initial_sequence_number;
  if (next_sequence_ == 0 || next_sequence_ > max_sequence_number) next_sequence_ = 1;
}

void Session::log(LogLevel level, const std::string& message) const {
  if (logger_.enabled(level)) logger_.log(level, config_.name, message);
}

bool Session::connected_state() const {
  return state_ == LinkState::binding || state_ == LinkState::bound ||
         state_ == LinkState::draining || state_ == LinkState::unbinding;
}

bool Session::wants_connection() const {
  return state_ == LinkState::connecting || connected_state();
}

std::optional<TimePoint> Session::reconnect_at() const {
  if (state_ == LinkState::waiting_to_reconnect) return state_deadline_;
  return std::nullopt;
}

std::size_t Session::capacity() const {
  if (state_ != LinkState::bound || !can_transmit()) return 0;
  return queue_.size() >= config_.queue_limit ? 0 : config_.queue_limit - queue_.size();
}

Bytes Session::take_output() {
  return std::exchange(output_, {});
}

std::vector<SessionEvent> Session::take_events() {
  return std::exchange(events_, {});
}

std::uint32_t Session::next_sequence_number() {
  for (;;) {
    const std::uint32_t candidate = next_sequence_;
    next_sequence_ = candidate >= max_sequence_number ? 1 : candidate + 1;
    if (!outstanding_.contains(candidate)) return candidate;
  }
}

// ---------------------------------------------------------------- output

bool Session::send(const Pdu& pdu, std::string* error) {
  EncodeResult encoded = encode(pdu);
  if (encoded.error) {
    const std::string what = command_name(pdu.command_id()) + ": " + encoded.error.message() +
                             (encoded.detail.empty() ? "" : " (" + encoded.detail + ")");
    if (error) *error = what;
    log(LogLevel::error, "cannot encode " + what);
    return false;
  }
  output_.insert(output_.end(), encoded.bytes.begin(), encoded.bytes.end());
  return true;
}

void Session::send_response(std::uint32_t command_id, std::uint32_t command_status,
                            std::uint32_t sequence_number) {
  Body body;
  switch (command_id) {
    case cmd(CommandId::deliver_sm_resp):
      body = DeliverSmResp{};
      break;
    case cmd(CommandId::data_sm_resp):
      body = DataSmResp{};
      break;
    case cmd(CommandId::enquire_link_resp):
      body = EnquireLinkResp{};
      break;
    case cmd(CommandId::unbind_resp):
      body = UnbindResp{};
      break;
    default:
      body = GenericNack{};
      break;
  }
  send(Pdu{command_status, sequence_number, std::move(body)});
}

void Session::send_generic_nack(std::uint32_t command_status, std::uint32_t sequence_number) {
  log(LogLevel::warning,
      "generic_nack status " + hex(command_status) + " seq " + std::to_string(sequence_number));
  send(Pdu{command_status, sequence_number, GenericNack{}});
}

void Session::send_request(RequestKind kind, Body body, TimePoint now) {
  const std::uint32_t sequence = next_sequence_number();
  Pdu pdu{status::ok, sequence, std::move(body)};
  std::string error;
  if (!send(pdu, &error)) {
    if (kind == RequestKind::bind) {
      // A configuration problem (e.g. a password over 8 characters): retrying cannot help.
      events_.push_back(event::BindFailed{status::bind_failed, true});
      failures_ = 64;
      fail_link(DownReason::bind_failed, error, now);
    } else if (kind == RequestKind::unbind) {
      finish_stop();
    }
    return;
  }
  const Millis timeout =
      kind == RequestKind::bind ? config_.bind_timeout : config_.response_timeout;
  outstanding_[sequence] = Outstanding{kind, now + timeout, std::nullopt};
  if (kind == RequestKind::enquire_link) enquire_link_in_flight_ = true;
}

}  // namespace lianxin::smpp
