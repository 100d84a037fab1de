// The native decoder: every frame's body is read here first (bounded reads, NUL terminators,
// sm_length, TLV list walk with exact integer lengths), noting whether libsmpp34 could take it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/pdu.hpp"
#include "protocol/pdu_internal.hpp"

namespace lianxin::smpp::pdu_detail {

namespace {

class Reader {
 public:
  explicit Reader(ByteView bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - pos_; }
  bool empty() const { return remaining() == 0; }

  bool u8(std::uint8_t& value) {
    if (remaining() < 1) return false;
    value = bytes_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& value) {
    if (remaining() < 2) return false;
    value = be16(bytes_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool take(std::size_t count, ByteView& out) {
    if (remaining() < count) return false;
    out = bytes_.subspan(pos_, count);
    pos_ += count;
    return true;
  }
  // A C-octet string: the characters before the next NUL, which must lie inside the frame.
  bool cstring(std::string_view& out) {
    const auto rest = bytes_.subspan(pos_);
    const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
    if (nul == rest.end()) return false;
    const auto length = static_cast<std::size_t>(nul - rest.begin());
    out = std::string_view(reinterpret_cast<const char*>(rest.data()), length);
    pos_ += length + 1;
    return true;
  }

 private:
  ByteView bytes_;
  std::size_t pos_ = 0;
};

// Which optional parameters a body keeps, and which of them libsmpp34 would read correctly.
enum class TlvContext {
  message,        // submit_sm, deliver_sm, data_sm: our Tlvs
  data_sm_resp,   // our Tlvs; libsmpp34's data_sm_resp has no TLV list at all
  bind_resp,      // sc_interface_version only
  no_parameters,  // the spec gives this PDU none: tolerated and dropped
};

class BodyParser {
 public:
  BodyParser(const Header& header, ByteView body) : header_(header), in_(body) {}

  bool parse(NativeDecoded& out) {
    out.pdu.command_status = header_.command_status;
    out.pdu.sequence_number = header_.sequence_number;
    switch (static_cast<CommandId>(header_.command_id)) {
      case CommandId::bind_transmitter:
        return bind(BindMode::transmitter, out);
      case CommandId::bind_receiver:
        return bind(BindMode::receiver, out);
      case CommandId::bind_transceiver:
        return bind(BindMode::transceiver, out);
      case CommandId::bind_transmitter_resp:
        return bind_resp(BindMode::transmitter, out);
      case CommandId::bind_receiver_resp:
        return bind_resp(BindMode::receiver, out);
      case CommandId::bind_transceiver_resp:
        return bind_resp(BindMode::transceiver, out);
      case CommandId::submit_sm:
        return short_message<SubmitSm>(out);
      case CommandId::deliver_sm:
        return short_message<DeliverSm>(out);
      case CommandId::submit_sm_resp:
        return submit_sm_resp(out);
      case CommandId::deliver_sm_resp:
        return deliver_sm_resp(out);
      case CommandId::data_sm:
        return data_sm(out);
      case CommandId::data_sm_resp:
        return data_sm_resp(out);
      case CommandId::unbind:
        return header_only(Unbind{}, out);
      case CommandId::unbind_resp:
        return header_only(UnbindResp{}, out);
      case CommandId::enquire_link:
        return header_only(EnquireLink{}, out);
      case CommandId::enquire_link_resp:
        return header_only(EnquireLinkResp{}, out);
      case CommandId::generic_nack:
        return header_only(GenericNack{}, out);
    }
    return fail(CodecError::unknown_command, "command_id " + hex(header_.command_id, 8) + " (" +
                                                 command_name(header_.command_id) +
                                                 ") is not handled");
  }

  const Failure& failure() const { return failure_; }

 private:
  bool fail(CodecError code, std::string detail) {
    failure_ = {code, std::move(detail)};
    return false;
  }

  bool cstring(const char* field, std::size_t max_length, std::string& out) {
    std::string_view text;
    if (!in_.cstring(text))
      return fail(CodecError::malformed_body, std::string(field) + " lacks its NUL terminator");
    if (text.size() > max_length) {
      return fail(CodecError::malformed_body,
                  std::string(field) + " has " + std::to_string(text.size()) +
                      " characters, at most " + std::to_string(max_length) + " allowed");
    }
    out.assign(text);
    return true;
  }

  bool u8(const char* field, std::uint8_t& out) {
    if (!in_.u8(out))
      return fail(CodecError::malformed_body, std::string("body ends before ") + field);
    return true;
  }

  bool address(const char* field, std::size_t max_length, Address& out) {
    return u8(field, out.ton) && u8(field, out.npi) && cstring(field, max_length, out.addr);
  }

  template <class HeaderOnly>
  bool header_only(HeaderOnly body, NativeDecoded& out) {
    out.pdu.body = body;
    if (!in_.empty()) {
      return fail(CodecError::malformed_body, command_name(header_.command_id) + " carries " +
                                                  std::to_string(in_.remaining()) +
                                                  " body octets but has no body");
    }
    return true;
  }

  bool bind(BindMode mode, NativeDecoded& out) {
    Bind bind;
    bind.mode = mode;
    if (!cstring("system_id", limit::system_id, bind.system_id) ||
        !cstring("password", limit::password, bind.password) ||
        !cstring("system_type", limit::system_type, bind.system_type) ||
        !u8("interface_version", bind.interface_version) ||
        !u8("addr_ton", bind.address_range.ton) || !u8("addr_npi", bind.address_range.npi) ||
        !cstring("address_range", limit::address_range, bind.address_range.addr)) {
      return false;
    }
    out.pdu.body = std::move(bind);
    return tlvs(TlvContext::no_parameters, nullptr, nullptr, out);
  }

  bool bind_resp(BindMode mode, NativeDecoded& out) {
    BindResp resp;
    resp.mode = mode;
    if (in_.empty()) {
      // An error response without a body: libsmpp34 would read past the frame.
      out.libsmpp34_safe = false;
      out.pdu.body = std::move(resp);
      return true;
    }
    if (!cstring("system_id", limit::system_id, resp.system_id)) return false;
    if (!tlvs(TlvContext::bind_resp, nullptr, &resp.sc_interface_version, out)) return false;
    out.pdu.body = std::move(resp);
    return true;
  }

  template <class Message>
  bool short_message(NativeDecoded& out) {
    Message message;
    std::uint8_t sm_length = 0;
    ByteView text;
    if (!cstring("service_type", limit::service_type, message.service_type) ||
        !address("source_addr", limit::sm_address, message.source) ||
        !address("destination_addr", limit::sm_address, message.destination) ||
        !u8("esm_class", message.esm_class) || !u8("protocol_id", message.protocol_id) ||
        !u8("priority_flag", message.priority_flag) ||
        !cstring("schedule_delivery_time", limit::time, message.schedule_delivery_time) ||
        !cstring("validity_period", limit::time, message.validity_period) ||
        !u8("registered_delivery", message.registered_delivery) ||
        !u8("replace_if_present_flag", message.replace_if_present_flag) ||
        !u8("data_coding", message.data_coding) ||
        !u8("sm_default_msg_id", message.sm_default_msg_id) || !u8("sm_length", sm_length)) {
      return false;
    }
    if (!in_.take(sm_length, text)) {
      return fail(CodecError::malformed_body,
                  "sm_length " + std::to_string(sm_length) + " runs past the end of the PDU (" +
                      std::to_string(in_.remaining()) + " octets left)");
    }
    message.short_message.assign(text.begin(), text.end());
    if (!tlvs(TlvContext::message, &message.tlvs, nullptr, out)) return false;
    out.pdu.body = std::move(message);
    return true;
  }

  bool submit_sm_resp(NativeDecoded& out) {
    SubmitSmResp resp;
    const bool error_status = header_.command_status != status::ok;
    if (in_.empty()) {
      // The spec's error form; a success without a message_id is tolerated (native only).
      out.libsmpp34_safe = out.libsmpp34_safe && error_status;
    } else {
      // libsmpp34 skips the body of an error response and then fails on the length.
      out.libsmpp34_safe = out.libsmpp34_safe && !error_status;
      if (!cstring("message_id", limit::message_id, resp.message_id)) return false;
    }
    out.pdu.body = std::move(resp);
    return tlvs(TlvContext::no_parameters, nullptr, nullptr, out);
  }

  bool deliver_sm_resp(NativeDecoded& out) {
    out.pdu.body = DeliverSmResp{};
    if (in_.empty()) {
      out.libsmpp34_safe = false;  // it insists on the (unused) message_id octet
      return true;
    }
    std::string unused_message_id;
    if (!cstring("message_id", limit::message_id, unused_message_id)) return false;
    if (!unused_message_id.empty()) out.libsmpp34_safe = false;
    return tlvs(TlvContext::no_parameters, nullptr, nullptr, out);
  }

  bool data_sm(NativeDecoded& out) {
    DataSm message;
    if (!cstring("service_type", limit::service_type, message.service_type) ||
        !address("source_addr", limit::data_sm_address, message.source) ||
        !address("destination_addr", limit::data_sm_address, message.destination) ||
        !u8("esm_class", message.esm_class) ||
        !u8("registered_delivery", message.registered_delivery) ||
        !u8("data_coding", message.data_coding)) {
      return false;
    }
    if (!tlvs(TlvContext::message, &message.tlvs, nullptr, out)) return false;
    out.pdu.body = std::move(message);
    return true;
  }

  bool data_sm_resp(NativeDecoded& out) {
    DataSmResp resp;
    if (in_.empty()) {
      out.libsmpp34_safe = false;
    } else {
      if (!cstring("message_id", limit::message_id, resp.message_id)) return false;
      if (!tlvs(TlvContext::data_sm_resp, &resp.tlvs, nullptr, out)) return false;
    }
    out.pdu.body = std::move(resp);
    return true;
  }

  bool exact_length(std::uint16_t type, std::uint16_t length, std::uint16_t expected) {
    if (length == expected) return true;
    return fail(CodecError::bad_tlv, "optional parameter " + hex(type, 4) + " has length " +
                                         std::to_string(length) + ", expected " +
                                         std::to_string(expected));
  }

  // Walks the optional parameters up to the end of the frame. `keep` receives ours (nullptr: the
  // body has no Tlvs and they are dropped); integer parameters must have exactly their size.
  bool tlvs(TlvContext context, Tlvs* keep, std::optional<std::uint8_t>* sc_interface_version,
            NativeDecoded& out) {
    std::size_t count = 0;
    while (!in_.empty()) {
      std::uint16_t type = 0;
      std::uint16_t length = 0;
      ByteView value;
      if (!in_.u16(type) || !in_.u16(length)) {
        return fail(CodecError::bad_tlv,
                    "optional parameter header truncated at the end of the PDU");
      }
      if (!in_.take(length, value)) {
        return fail(CodecError::bad_tlv, "optional parameter " + hex(type, 4) + " length " +
                                             std::to_string(length) + " runs past the end (" +
                                             std::to_string(in_.remaining()) + " octets left)");
      }
      ++count;
      bool known = true;
      Tlvs scratch;
      Tlvs& into = keep != nullptr ? *keep : scratch;
      switch (type) {
        case tag::user_message_reference:
          if (!exact_length(type, length, 2)) return false;
          into.user_message_reference = be16(value.data());
          break;
        case tag::sar_msg_ref_num:
          if (!exact_length(type, length, 2)) return false;
          into.sar_msg_ref_num = be16(value.data());
          break;
        case tag::its_session_info:
          if (!exact_length(type, length, 2)) return false;
          into.its_session_info = be16(value.data());
          break;
        case tag::sar_total_segments:
          if (!exact_length(type, length, 1)) return false;
          into.sar_total_segments = value[0];
          break;
        case tag::sar_segment_seqnum:
          if (!exact_length(type, length, 1)) return false;
          into.sar_segment_seqnum = value[0];
          break;
        case tag::message_state:
          if (!exact_length(type, length, 1)) return false;
          into.message_state = value[0];
          break;
        case tag::ussd_service_op:
          if (!exact_length(type, length, 1)) return false;
          into.ussd_service_op = value[0];
          break;
        case tag::network_error_code:
          if (!exact_length(type, length, 3)) return false;
          into.network_error_code = NetworkErrorCode{value[0], be16(value.data() + 1)};
          break;
        case tag::message_payload:
          into.message_payload = Bytes(value.begin(), value.end());
          if (length > lib_limit::tlv_value) out.libsmpp34_safe = false;
          break;
        case tag::receipted_message_id: {
          // A C-octet string; a missing NUL is tolerated, anything after one is not ours.
          const auto nul = std::find(value.begin(), value.end(), std::uint8_t{0});
          const auto characters = static_cast<std::size_t>(nul - value.begin());
          if (length > limit::receipted_message_id + 1 ||
              characters > limit::receipted_message_id) {
            return fail(CodecError::bad_tlv, "receipted_message_id has length " +
                                                 std::to_string(length) + ", at most 65 allowed");
          }
          into.receipted_message_id = std::string(value.begin(), nul);
          break;
        }
        case tag_sc_interface_version:
          if (sc_interface_version == nullptr) {
            known = false;
            break;
          }
          if (!exact_length(type, length, 1)) return false;
          *sc_interface_version = value[0];
          break;
        default:
          known = false;
          break;
      }
      if (!known) into.unknown.push_back(RawTlv{type, Bytes(value.begin(), value.end())});
      // libsmpp34 reads the parameters of each PDU by its own table; only ours are safe there.
      const bool ours_here =
          known && (context == TlvContext::message ||
                    (context == TlvContext::bind_resp && type == tag_sc_interface_version));
      if (!ours_here) out.libsmpp34_safe = false;
    }
    if (count > lib_limit::tlv_count) out.libsmpp34_safe = false;
    return true;
  }

  Header header_;
  Reader in_;
  Failure failure_;
};

}  // namespace

bool decode_native(const Header& header, ByteView frame, NativeDecoded& out, Failure& failure) {
  BodyParser parser(header, frame.subspan(header_size));
  if (parser.parse(out)) return true;
  failure = parser.failure();
  return false;
}

}  // namespace lianxin::smpp::pdu_detail
