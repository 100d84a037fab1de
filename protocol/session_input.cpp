// What the SMSC sends: framing of the byte stream, requests (deliver_sm, data_sm, enquire_link,
// unbind), responses matched to our requests, and the answers to inbound messages once stored.
#include <cstddef>
#include <string>
#include <utility>
#include <variant>

#include "protocol/session.hpp"
#include "protocol/session_internal.hpp"

namespace lianxin::smpp {

using session_detail::cmd;
using session_detail::hex;
using session_detail::mode_name;

namespace {

constexpr std::uint32_t response_bit = 0x80000000u;

bool is_bind_response(std::uint32_t command_id) {
  return command_id == cmd(CommandId::bind_receiver_resp) ||
         command_id == cmd(CommandId::bind_transmitter_resp) ||
         command_id == cmd(CommandId::bind_transceiver_resp);
}

std::uint32_t read_be32(ByteView bytes, std::size_t at) {
  return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
         (std::uint32_t{bytes[at + 2]} << 8) | std::uint32_t{bytes[at + 3]};
}

}  // namespace

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
  // emplace_back: g++ 12 at -O2 takes push_back's temporary variant for maybe-uninitialized here
  // (a false positive that appeared when this function left session.cpp).
  events_.emplace_back(event::Inbound{id, std::move(message), sequence_number});
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
