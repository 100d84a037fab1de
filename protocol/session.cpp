#include "protocol/session.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <utility>

namespace lianxin::smpp {

namespace {

constexpr std::uint32_t max_sequence_number = 0x7FFFFFFF;
constexpr std::uint32_t response_bit = 0x80000000u;
constexpr std::uint32_t submit_failed_status = 0x45;        // ESME_RSUBMITFAIL
constexpr std::uint32_t invalid_system_type_status = 0x53;  // ESME_RINVSYSTYP
constexpr std::uint32_t cmd(CommandId id) {
  return static_cast<std::uint32_t>(id);
}

std::string_view mode_name(BindMode mode) {
  switch (mode) {
    case BindMode::transmitter:
      return "transmitter";
    case BindMode::receiver:
      return "receiver";
    case BindMode::transceiver:
      return "transceiver";
  }
  return "?";
}

std::string hex(std::uint32_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "0x";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    const auto nibble = (value >> shift) & 0xF;
    if (nibble != 0 || started || shift == 0) {
      out += digits[nibble];
      started = true;
    }
  }
  return out;
}

bool is_bind_response(std::uint32_t command_id) {
  return command_id == cmd(CommandId::bind_receiver_resp) ||
         command_id == cmd(CommandId::bind_transmitter_resp) ||
         command_id == cmd(CommandId::bind_transceiver_resp);
}

std::uint32_t read_be32(ByteView bytes, std::size_t at) {
  return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
         (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
}

Session::RandomUnit default_random() {
  auto engine = std::make_shared<std::minstd_rand>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

}  // namespace

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

// ---------------------------------------------------------------- inbound acks

void Session::acknowledge(InboundId id, bool stored, TimePoint now) {
  const auto it = pending_inbound_.find(id);
  if (it == pending_inbound_.end()) {
    log(LogLevel::debug, "ack for unknown or expired inbound " + std::to_string(id));
    return;
  }
  const PendingInbound pending = it->second;
  pending_inbound_.erase(it);
  if (!connected_state() || pending.connection != connection_attempt_) {
    log(LogLevel::info, "inbound " + std::to_string(id) +
                            " acknowledged after its link went down; the SMSC will resend it");
    return;
  }
  send_response(pending.response_id, stored ? status::ok : status::temporary_app_error,
                pending.sequence_number);
  if (!stored)
    log(LogLevel::warning, "inbound " + std::to_string(id) +
                               " not stored; answered "
                               "ESME_RX_T_APPN so the SMSC retries");
  check_drained(now);
}

// ---------------------------------------------------------------- input

void Session::received(ByteView bytes, TimePoint now) {
  if (!connected_state()) {
    log(LogLevel::debug, "ignoring " + std::to_string(bytes.size()) + " bytes in state " +
                             std::string(to_string(state_)));
    return;
  }
  input_.insert(input_.end(), bytes.begin(), bytes.end());
  const std::uint64_t attempt = connection_attempt_;
  std::size_t offset = 0;
  for (;;) {
    const ByteView rest(input_.data() + offset, input_.size() - offset);
    const auto length = peek_command_length(rest);
    if (!length) break;
    if (*length < header_size || *length > max_command_length) {
      const std::uint32_t sequence = rest.size() >= header_size ? read_be32(rest, 12) : 0;
      send_generic_nack(status::invalid_cmd_length, sequence);
      fail_link(DownReason::protocol_error, "command_length " + std::to_string(*length), now);
      return;
    }
    if (rest.size() < *length) break;
    const Bytes frame(rest.begin(), rest.begin() + *length);
    offset += *length;
    handle_frame(frame, now);
    if (!connected_state() || attempt != connection_attempt_) return;  // input_ was reset
  }
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
}

void Session::handle_frame(ByteView frame, TimePoint now) {
  last_received_ = now;
  DecodeResult decoded = decode(frame);
  if (decoded.pdu) {
    Pdu& pdu = *decoded.pdu;
    const std::uint32_t command_id = pdu.command_id();
    if (is_response(command_id)) {
      handle_response(command_id, pdu.command_status, pdu.sequence_number, &pdu.body, now);
    } else {
      Header header{static_cast<std::uint32_t>(frame.size()), command_id, pdu.command_status,
                    pdu.sequence_number};
      handle_request(header, std::move(pdu), now);
    }
    return;
  }
  const std::string detail =
      decoded.error.message() + (decoded.detail.empty() ? "" : ": " + decoded.detail);
  if (!decoded.header) {
    // Cannot happen for a frame we cut ourselves; logged rather than trusted.
    log(LogLevel::warning, "undecodable frame without header: " + detail);
    return;
  }
  handle_undecodable(*decoded.header, frame, detail, now);
}

void Session::handle_undecodable(const Header& header, ByteView frame, const std::string& detail,
                                 TimePoint now) {
  const std::uint32_t command_id = header.command_id;
  log(LogLevel::warning, "cannot decode " + command_name(command_id) + " (" + hex(command_id) +
                             ") seq " + std::to_string(header.sequence_number) + ": " + detail);
  if (is_response(command_id)) {
    // Correlate on the header alone: its status says what happened to our request.
    handle_response(command_id, header.command_status, header.sequence_number, nullptr, now);
    return;
  }
  switch (command_id) {
    case cmd(CommandId::deliver_sm):
    case cmd(CommandId::data_sm): {
      const bool allowed = (state_ == LinkState::bound || state_ == LinkState::draining ||
                            state_ == LinkState::unbinding) &&
                           config_.bind_mode != BindMode::transmitter;
      send_response(command_id | response_bit,
                    allowed ? status::temporary_app_error : status::invalid_bind_status,
                    header.sequence_number);
      events_.push_back(event::Undecodable{header, Bytes(frame.begin(), frame.end()), detail});
      return;
    }
    case cmd(CommandId::enquire_link):
      handle_request(header, Pdu{status::ok, header.sequence_number, EnquireLink{}}, now);
      return;
    case cmd(CommandId::unbind):
      handle_request(header, Pdu{status::ok, header.sequence_number, Unbind{}}, now);
      return;
    default:
      send_generic_nack(status::invalid_cmd_id, header.sequence_number);
      return;
  }
}

void Session::handle_request(const Header& header, Pdu pdu, TimePoint now) {
  const std::uint32_t sequence = header.sequence_number;
  const bool inbound_allowed = (state_ == LinkState::bound || state_ == LinkState::draining ||
                                state_ == LinkState::unbinding) &&
                               config_.bind_mode != BindMode::transmitter;
  if (auto* deliver = std::get_if<DeliverSm>(&pdu.body)) {
    if (!inbound_allowed) {
      log(LogLevel::warning, "deliver_sm in state " + std::string(to_string(state_)));
      send_response(cmd(CommandId::deliver_sm_resp), status::invalid_bind_status, sequence);
      return;
    }
    handle_inbound_message(std::move(*deliver), cmd(CommandId::deliver_sm_resp), sequence);
  } else if (auto* data = std::get_if<DataSm>(&pdu.body)) {
    if (!inbound_allowed) {
      log(LogLevel::warning, "data_sm in state " + std::string(to_string(state_)));
      send_response(cmd(CommandId::data_sm_resp), status::invalid_bind_status, sequence);
      return;
    }
    handle_inbound_message(std::move(*data), cmd(CommandId::data_sm_resp), sequence);
  } else if (std::holds_alternative<EnquireLink>(pdu.body)) {
    send_response(cmd(CommandId::enquire_link_resp), status::ok, sequence);
  } else if (std::holds_alternative<Unbind>(pdu.body)) {
    send_response(cmd(CommandId::unbind_resp), status::ok, sequence);
    if (stopping_) {
      finish_stop();
    } else {
      fail_link(DownReason::unbound_by_smsc, "the SMSC unbound", now);
    }
  } else {
    // bind_*, submit_sm: requests an SMSC never sends to an ESME.
    send_generic_nack(status::invalid_cmd_id, sequence);
  }
}

void Session::handle_inbound_message(InboundMessage message, std::uint32_t response_id,
                                     std::uint32_t sequence_number) {
  const InboundId id = next_inbound_id_++;
  pending_inbound_[id] = PendingInbound{sequence_number, response_id, connection_attempt_};
  events_.push_back(event::Inbound{id, std::move(message), sequence_number});
}

void Session::handle_response(std::uint32_t command_id, std::uint32_t command_status,
                              std::uint32_t sequence_number, const Body* body, TimePoint now) {
  const auto it = outstanding_.find(sequence_number);
  if (it == outstanding_.end()) {
    log(LogLevel::info, "unexpected " + command_name(command_id) + " seq " +
                            std::to_string(sequence_number) + " ignored");
    return;
  }
  const bool nack = command_id == cmd(CommandId::generic_nack);
  bool matches = nack;
  switch (it->second.kind) {
    case RequestKind::bind:
      matches = matches || is_bind_response(command_id);
      break;
    case RequestKind::enquire_link:
      matches = matches || command_id == cmd(CommandId::enquire_link_resp);
      break;
    case RequestKind::unbind:
      matches = matches || command_id == cmd(CommandId::unbind_resp);
      break;
    case RequestKind::submit: {
      const bool is_data = std::holds_alternative<DataSm>(it->second.submit->message);
      matches = matches ||
                command_id == cmd(is_data ? CommandId::data_sm_resp : CommandId::submit_sm_resp);
      break;
    }
  }
  if (!matches) {
    log(LogLevel::warning, "response " + command_name(command_id) + " does not match request seq " +
                               std::to_string(sequence_number) + "; ignored");
    return;
  }
  Outstanding request = std::move(it->second);
  outstanding_.erase(it);
  consecutive_timeouts_ = 0;
  // A generic_nack without an error status still means the request was not served.
  const std::uint32_t effective_status =
      nack && command_status == status::ok ? status::system_error : command_status;

  switch (request.kind) {
    case RequestKind::bind:
      if (!nack && command_status == status::ok) {
        state_ = LinkState::bound;
        failures_ = 0;
        std::string smsc_id;
        if (body) {
          if (const auto* resp = std::get_if<BindResp>(body)) smsc_id = resp->system_id;
        }
        log(LogLevel::notice,
            "bound as " + std::string(mode_name(config_.bind_mode)) + " to SMSC '" + smsc_id + "'");
        events_.push_back(event::Bound{smsc_id});
        pump_queue(now);
      } else {
        const bool permanent = is_permanent_bind_failure(effective_status);
        events_.push_back(event::BindFailed{effective_status, permanent});
        if (permanent) failures_ = 64;  // straight to the longest backoff
        fail_link(DownReason::bind_failed,
                  "bind refused with status " + hex(effective_status) +
                      (permanent ? " (check system_id/password)" : ""),
                  now);
      }
      return;
    case RequestKind::enquire_link:
      enquire_link_in_flight_ = false;
      return;
    case RequestKind::unbind:
      finish_stop();
      return;
    case RequestKind::submit: {
      --submits_in_flight_;
      std::string message_id;
      if (body) {
        if (const auto* resp = std::get_if<SubmitSmResp>(body)) message_id = resp->message_id;
        if (const auto* resp = std::get_if<DataSmResp>(body)) message_id = resp->message_id;
      }
      handle_submit_response(std::move(*request.submit), effective_status, std::move(message_id),
                             now);
      if (state_ == LinkState::draining) {
        check_drained(now);
      } else {
        pump_queue(now);
      }
      return;
    }
  }
}

}  // namespace lianxin::smpp
