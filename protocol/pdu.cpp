// SMPP 3.4 PDU codec: libsmpp34 behind a guard, plus a native codec for what it cannot take.
//
// This is the only file that includes libsmpp34. Every frame is first checked and fully parsed by
// the native decoder below (bounded reads, NUL terminators, sm_length, TLV list walk with exact
// integer lengths). Only frames proven to be within libsmpp34's comfort zone are then handed to
// smpp34_unpack2 (copied, NUL-padded); the rest (vendor status codes, sequence 0, error responses
// with or without bodies, unknown TLVs, long payloads, ...) keep the native reading, so the
// session always gets a usable PDU. Encoding mirrors this: libsmpp34 packs what it can pack
// faithfully (every length checked first, so it never truncates); the native encoder writes the
// rest. smpp34_strerror (phone numbers, passwords) is wiped after every library call and never
// read; smpp34_errno is never read; smpp34_dumpPdu/dumpBuf are never called.
#include "protocol/pdu.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

// Order matters: the structs header needs smpp34.h, the params header needs the structs.
extern "C" {
#include <smpp34.h>

#include <smpp34_structs.h>

#include <smpp34_params.h>
}

namespace lianxin::smpp {

namespace {

// Spec limits: characters before the terminating NUL (SMPP 3.4 section 4).
namespace limit {
constexpr std::size_t system_id = 15;
constexpr std::size_t password = 8;
constexpr std::size_t system_type = 12;
constexpr std::size_t address_range = 40;
constexpr std::size_t service_type = 5;
constexpr std::size_t sm_address = 20;
constexpr std::size_t data_sm_address = 64;
constexpr std::size_t time = 16;
constexpr std::size_t message_id = 64;
constexpr std::size_t short_message = 255;  // 254 by the spec, 255 tolerated (see pdu.hpp)
constexpr std::size_t receipted_message_id = 64;
constexpr std::size_t tlv_value = 0xFFFF;
}  // namespace limit

// What libsmpp34 takes without misbehaving (see ENGINEERING.md).
namespace lib_limit {
// It logs ~55 bytes per TLV into smpp34_strerror[2048]; ~29 TLVs overflow it.
constexpr std::size_t tlv_count = 10;
constexpr std::size_t tlv_value = MAX_TLV_SIZE;
// Its pack refuses sm_length >= 254 (its unpack takes 254; one limit keeps both sides equal).
constexpr std::size_t short_message = 253;
// data_sm source_addr is 21 octets in its struct although the spec allows 65.
constexpr std::size_t data_sm_source = ADDRESS_LENGTH - 1;
// Zero bytes kept after every frame handed to it: its unpacker strlen()s before bounds checks.
constexpr std::size_t padding = 8;
}  // namespace lib_limit

constexpr std::uint16_t tag_sc_interface_version = 0x0210;

struct Failure {
  CodecError code = CodecError::malformed_body;
  std::string detail;
};

std::string hex(std::uint32_t value, int width) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%0*X", width, value);
  return text;
}

std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// ---------------------------------------------------------------------------------------------
// Native decoding.

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

struct NativeDecoded {
  Pdu pdu;
  bool libsmpp34_safe = true;  // wire-level facts; libsmpp34_handles() adds the PDU-level ones
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

Header read_header(ByteView frame) {
  return Header{be32(frame.data()), be32(frame.data() + 4), be32(frame.data() + 8),
                be32(frame.data() + 12)};
}

// Length checks done before anything reads the body. Sets `header` when the length is sane.
bool check_frame(ByteView frame, DecodeResult& result) {
  if (frame.size() < header_size) {
    result.error = CodecError::truncated_header;
    result.detail = "frame of " + std::to_string(frame.size()) + " octets, a header needs 16";
    return false;
  }
  const Header header = read_header(frame);
  if (header.command_length < header_size || header.command_length > max_command_length) {
    result.error = CodecError::bad_command_length;
    result.detail = "command_length " + std::to_string(header.command_length) + " outside 16.." +
                    std::to_string(max_command_length);
    return false;
  }
  result.header = header;
  if (header.command_length != frame.size()) {
    result.error = CodecError::bad_command_length;
    result.detail = "command_length " + std::to_string(header.command_length) +
                    " but the frame has " + std::to_string(frame.size()) + " octets";
    return false;
  }
  return true;
}

bool decode_native(const Header& header, ByteView frame, NativeDecoded& out, Failure& failure) {
  BodyParser parser(header, frame.subspan(header_size));
  if (parser.parse(out)) return true;
  failure = parser.failure();
  return false;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by both encoders.

class FieldChecker {
 public:
  bool text(const char* field, const std::string& value, std::size_t max_length) {
    if (value.find('\0') != std::string::npos) {
      return fail(CodecError::invalid_field, std::string(field) + " contains a NUL character");
    }
    if (value.size() > max_length) {
      return fail(CodecError::field_too_long,
                  std::string(field) + " has " + std::to_string(value.size()) +
                      " characters, at most " + std::to_string(max_length) + " allowed");
    }
    return true;
  }
  bool octets(const char* field, std::size_t size, std::size_t max_size) {
    if (size <= max_size) return true;
    return fail(CodecError::field_too_long, std::string(field) + " has " + std::to_string(size) +
                                                " octets, at most " + std::to_string(max_size) +
                                                " allowed");
  }
  bool tlvs(const Tlvs& tlvs) {
    if (tlvs.receipted_message_id &&
        !text("receipted_message_id", *tlvs.receipted_message_id, limit::receipted_message_id)) {
      return false;
    }
    if (tlvs.message_payload &&
        !octets("message_payload", tlvs.message_payload->size(), limit::tlv_value)) {
      return false;
    }
    for (const RawTlv& raw : tlvs.unknown) {
      if (!octets("optional parameter", raw.value.size(), limit::tlv_value)) return false;
    }
    return true;
  }
  bool pdu(const Pdu& pdu) {
    return std::visit([this](const auto& body) { return check(body); }, pdu.body);
  }
  const Failure& failure() const { return failure_; }

 private:
  bool fail(CodecError code, std::string detail) {
    failure_ = {code, std::move(detail)};
    return false;
  }
  bool check(const Bind& b) {
    return text("system_id", b.system_id, limit::system_id) &&
           text("password", b.password, limit::password) &&
           text("system_type", b.system_type, limit::system_type) &&
           text("address_range", b.address_range.addr, limit::address_range);
  }
  bool check(const BindResp& b) { return text("system_id", b.system_id, limit::system_id); }
  // Named overloads: the catch-all template below would beat a derived-to-base conversion.
  bool check(const SubmitSm& m) { return check_message(m); }
  bool check(const DeliverSm& m) { return check_message(m); }
  bool check_message(const ShortMessage& m) {
    return text("service_type", m.service_type, limit::service_type) &&
           text("source_addr", m.source.addr, limit::sm_address) &&
           text("destination_addr", m.destination.addr, limit::sm_address) &&
           text("schedule_delivery_time", m.schedule_delivery_time, limit::time) &&
           text("validity_period", m.validity_period, limit::time) &&
           octets("short_message", m.short_message.size(), limit::short_message) && tlvs(m.tlvs);
  }
  bool check(const DataSm& m) {
    return text("service_type", m.service_type, limit::service_type) &&
           text("source_addr", m.source.addr, limit::data_sm_address) &&
           text("destination_addr", m.destination.addr, limit::data_sm_address) && tlvs(m.tlvs);
  }
  bool check(const SubmitSmResp& r) { return text("message_id", r.message_id, limit::message_id); }
  bool check(const DataSmResp& r) {
    return text("message_id", r.message_id, limit::message_id) && tlvs(r.tlvs);
  }
  template <class HeaderOnly>
  bool check(const HeaderOnly&) {
    return true;
  }

  Failure failure_;
};

// Optional parameters in the one order both encoders write them.
std::vector<RawTlv> tlv_list(const Tlvs& tlvs) {
  std::vector<RawTlv> list;
  auto u8 = [&](std::uint16_t type, const std::optional<std::uint8_t>& v) {
    if (v) list.push_back(RawTlv{type, Bytes{*v}});
  };
  auto u16 = [&](std::uint16_t type, const std::optional<std::uint16_t>& v) {
    if (v) {
      list.push_back(RawTlv{
          type, Bytes{static_cast<std::uint8_t>(*v >> 8), static_cast<std::uint8_t>(*v & 0xFF)}});
    }
  };
  u16(tag::sar_msg_ref_num, tlvs.sar_msg_ref_num);
  u8(tag::sar_total_segments, tlvs.sar_total_segments);
  u8(tag::sar_segment_seqnum, tlvs.sar_segment_seqnum);
  u16(tag::user_message_reference, tlvs.user_message_reference);
  if (tlvs.receipted_message_id) {
    Bytes value(tlvs.receipted_message_id->begin(), tlvs.receipted_message_id->end());
    value.push_back(0);
    list.push_back(RawTlv{tag::receipted_message_id, std::move(value)});
  }
  u8(tag::message_state, tlvs.message_state);
  if (tlvs.network_error_code) {
    const auto& code = *tlvs.network_error_code;
    list.push_back(RawTlv{tag::network_error_code,
                          Bytes{code.network_type, static_cast<std::uint8_t>(code.error_code >> 8),
                                static_cast<std::uint8_t>(code.error_code & 0xFF)}});
  }
  u8(tag::ussd_service_op, tlvs.ussd_service_op);
  u16(tag::its_session_info, tlvs.its_session_info);
  if (tlvs.message_payload) list.push_back(RawTlv{tag::message_payload, *tlvs.message_payload});
  list.insert(list.end(), tlvs.unknown.begin(), tlvs.unknown.end());
  return list;
}

std::vector<RawTlv> bind_resp_tlv_list(const BindResp& resp) {
  std::vector<RawTlv> list;
  if (resp.sc_interface_version) {
    list.push_back(RawTlv{tag_sc_interface_version, Bytes{*resp.sc_interface_version}});
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Native encoding.

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v & 0xFF));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v & 0xFFFF));
  }
  void cstring(const std::string& s) {
    out_.insert(out_.end(), s.begin(), s.end());
    u8(0);
  }
  void octets(const Bytes& b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void address(const Address& a) {
    u8(a.ton);
    u8(a.npi);
    cstring(a.addr);
  }
  void tlvs(const std::vector<RawTlv>& list) {
    for (const RawTlv& t : list) {
      u16(t.tag);
      u16(static_cast<std::uint16_t>(t.value.size()));
      octets(t.value);
    }
  }
  Bytes finish() {
    const auto length = static_cast<std::uint32_t>(out_.size());
    for (int i = 0; i < 4; ++i) out_[i] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
    return std::move(out_);
  }

  void body(const Pdu&, const Bind& b) {
    cstring(b.system_id);
    cstring(b.password);
    cstring(b.system_type);
    u8(b.interface_version);
    address(b.address_range);
  }
  void body(const Pdu&, const BindResp& r) {
    cstring(r.system_id);
    tlvs(bind_resp_tlv_list(r));
  }
  // Named overloads: the catch-all template below would beat a derived-to-base conversion.
  void body(const Pdu&, const SubmitSm& m) { message(m); }
  void body(const Pdu&, const DeliverSm& m) { message(m); }
  void message(const ShortMessage& m) {
    cstring(m.service_type);
    address(m.source);
    address(m.destination);
    u8(m.esm_class);
    u8(m.protocol_id);
    u8(m.priority_flag);
    cstring(m.schedule_delivery_time);
    cstring(m.validity_period);
    u8(m.registered_delivery);
    u8(m.replace_if_present_flag);
    u8(m.data_coding);
    u8(m.sm_default_msg_id);
    u8(static_cast<std::uint8_t>(m.short_message.size()));
    octets(m.short_message);
    tlvs(tlv_list(m.tlvs));
  }
  void body(const Pdu& pdu, const SubmitSmResp& r) {
    // The spec returns no body with an error status; a message_id given anyway is kept.
    if (pdu.command_status == status::ok || !r.message_id.empty()) cstring(r.message_id);
  }
  void body(const Pdu&, const DeliverSmResp&) { u8(0); }  // message_id: unused, NULL
  void body(const Pdu&, const DataSm& m) {
    cstring(m.service_type);
    address(m.source);
    address(m.destination);
    u8(m.esm_class);
    u8(m.registered_delivery);
    u8(m.data_coding);
    tlvs(tlv_list(m.tlvs));
  }
  void body(const Pdu&, const DataSmResp& r) {
    cstring(r.message_id);
    tlvs(tlv_list(r.tlvs));
  }
  template <class HeaderOnly>
  void body(const Pdu&, const HeaderOnly&) {}

 private:
  Bytes out_;
};

Bytes encode_native(const Pdu& pdu) {
  Writer writer;
  writer.u32(0);  // command_length, patched by finish()
  writer.u32(pdu.command_id());
  writer.u32(pdu.command_status);
  writer.u32(pdu.sequence_number);
  std::visit([&](const auto& body) { writer.body(pdu, body); }, pdu.body);
  return writer.finish();
}

// ---------------------------------------------------------------------------------------------
// libsmpp34 bridge. Everything that reaches it has been checked above.

// Wipes the library's global trace (it holds phone numbers and passwords) when a call is done.
class LibraryTraceWiper {
 public:
  LibraryTraceWiper() = default;
  LibraryTraceWiper(const LibraryTraceWiper&) = delete;
  LibraryTraceWiper& operator=(const LibraryTraceWiper&) = delete;
  ~LibraryTraceWiper() { std::memset(smpp34_strerror, 0, sizeof smpp34_strerror); }
};

// Owns a TLV list built by the library (also the partial list a failed unpack leaves behind).
class LibTlvList {
 public:
  explicit LibTlvList(tlv_t*& head) : head_(head) {}
  LibTlvList(const LibTlvList&) = delete;
  LibTlvList& operator=(const LibTlvList&) = delete;
  ~LibTlvList() {
    destroy_tlv(head_);
    head_ = nullptr;
  }

  // Appends in wire order (build_tlv prepends, so the caller adds the list back to front).
  bool push_front(const RawTlv& raw) {
    tlv_t node{};
    node.tag = raw.tag;
    node.length = static_cast<std::uint16_t>(raw.value.size());
    const std::size_t length = std::min(raw.value.size(), sizeof node.value.octet);
    if (length > 0) std::memcpy(node.value.octet, raw.value.data(), length);
    if (is_u16_tag(raw.tag) && raw.value.size() == 2) node.value.val16 = be16(raw.value.data());
    node.next = nullptr;
    return build_tlv(&head_, &node) == 0;
  }

  // The integer parameters libsmpp34's message tables store as host-order uint16.
  static bool is_u16_tag(std::uint16_t type) {
    return type == tag::user_message_reference || type == tag::sar_msg_ref_num ||
           type == tag::its_session_info;
  }

 private:
  tlv_t*& head_;
};

bool lib_tlvs_from(const std::vector<RawTlv>& list, LibTlvList& lib) {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!lib.push_front(*it)) return false;
  }
  return true;
}

template <std::size_t N>
std::string lib_text(const std::uint8_t (&field)[N]) {
  const char* text = reinterpret_cast<const char*>(field);
  return std::string(text, strnlen(text, N));
}

template <std::size_t N>
void set_lib_text(std::uint8_t (&field)[N], const std::string& value) {
  const std::size_t length = std::min(value.size(), N - 1);  // lengths were checked before
  std::memcpy(field, value.data(), length);
  field[length] = 0;
}

// Reads a library TLV list (newest first) back in wire order. `u16_as_int`: the PDU's table
// stores our 16-bit parameters as integers (otherwise as raw octets).
void tlvs_from_lib(const tlv_t* head, bool u16_as_int, Tlvs* tlvs,
                   std::optional<std::uint8_t>* sc_interface_version) {
  std::vector<const tlv_t*> nodes;
  for (const tlv_t* node = head; node != nullptr; node = node->next) nodes.push_back(node);
  Tlvs scratch;
  Tlvs& into = tlvs != nullptr ? *tlvs : scratch;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    const tlv_t& node = **it;
    const std::size_t length = std::min<std::size_t>(node.length, sizeof node.value.octet);
    const std::uint8_t* octets = node.value.octet;
    auto u16 = [&] { return u16_as_int ? node.value.val16 : be16(octets); };
    switch (node.tag) {
      case tag::user_message_reference:
        into.user_message_reference = u16();
        break;
      case tag::sar_msg_ref_num:
        into.sar_msg_ref_num = u16();
        break;
      case tag::its_session_info:
        into.its_session_info = u16();
        break;
      case tag::sar_total_segments:
        into.sar_total_segments = node.value.val08;
        break;
      case tag::sar_segment_seqnum:
        into.sar_segment_seqnum = node.value.val08;
        break;
      case tag::message_state:
        into.message_state = node.value.val08;
        break;
      case tag::ussd_service_op:
        into.ussd_service_op = node.value.val08;
        break;
      case tag::network_error_code:
        into.network_error_code = NetworkErrorCode{octets[0], be16(octets + 1)};
        break;
      case tag::message_payload:
        into.message_payload = Bytes(octets, octets + length);
        break;
      case tag::receipted_message_id: {
        const char* text = reinterpret_cast<const char*>(octets);
        into.receipted_message_id = std::string(text, strnlen(text, length));
        break;
      }
      default:
        if (node.tag == tag_sc_interface_version && sc_interface_version != nullptr) {
          *sc_interface_version = node.value.val08;
        } else {
          into.unknown.push_back(RawTlv{node.tag, Bytes(octets, octets + length)});
        }
        break;
    }
  }
}

template <class LibPdu>
void header_from_lib(const LibPdu& lib, Pdu& pdu) {
  pdu.command_status = lib.command_status;
  pdu.sequence_number = lib.sequence_number;
}

template <class LibPdu>
void header_to_lib(const Pdu& pdu, LibPdu& lib) {
  lib.command_length = 0;  // pack computes it
  lib.command_id = pdu.command_id();
  lib.command_status = pdu.command_status;
  lib.sequence_number = pdu.sequence_number;
}

template <class LibBind>
Bind bind_from_lib(const LibBind& lib, BindMode mode) {
  Bind bind;
  bind.mode = mode;
  bind.system_id = lib_text(lib.system_id);
  bind.password = lib_text(lib.password);
  bind.system_type = lib_text(lib.system_type);
  bind.interface_version = lib.interface_version;
  bind.address_range = Address{lib.addr_ton, lib.addr_npi, lib_text(lib.address_range)};
  return bind;
}

template <class LibBind>
void bind_to_lib(const Bind& bind, LibBind& lib) {
  set_lib_text(lib.system_id, bind.system_id);
  set_lib_text(lib.password, bind.password);
  set_lib_text(lib.system_type, bind.system_type);
  lib.interface_version = bind.interface_version;
  lib.addr_ton = bind.address_range.ton;
  lib.addr_npi = bind.address_range.npi;
  set_lib_text(lib.address_range, bind.address_range.addr);
}

template <class Message, class LibMessage>
Message message_from_lib(const LibMessage& lib) {
  Message m;
  m.service_type = lib_text(lib.service_type);
  m.source = Address{lib.source_addr_ton, lib.source_addr_npi, lib_text(lib.source_addr)};
  m.destination = Address{lib.dest_addr_ton, lib.dest_addr_npi, lib_text(lib.destination_addr)};
  m.esm_class = lib.esm_class;
  m.protocol_id = lib.protocol_id;
  m.priority_flag = lib.priority_flag;
  m.schedule_delivery_time = lib_text(lib.schedule_delivery_time);
  m.validity_period = lib_text(lib.validity_period);
  m.registered_delivery = lib.registered_delivery;
  m.replace_if_present_flag = lib.replace_if_present_flag;
  m.data_coding = lib.data_coding;
  m.sm_default_msg_id = lib.sm_default_msg_id;
  const std::size_t length = std::min<std::size_t>(lib.sm_length, sizeof lib.short_message);
  m.short_message.assign(lib.short_message, lib.short_message + length);
  tlvs_from_lib(lib.tlv, true, &m.tlvs, nullptr);
  return m;
}

template <class LibMessage>
void message_to_lib(const ShortMessage& m, LibMessage& lib) {
  set_lib_text(lib.service_type, m.service_type);
  lib.source_addr_ton = m.source.ton;
  lib.source_addr_npi = m.source.npi;
  set_lib_text(lib.source_addr, m.source.addr);
  lib.dest_addr_ton = m.destination.ton;
  lib.dest_addr_npi = m.destination.npi;
  set_lib_text(lib.destination_addr, m.destination.addr);
  lib.esm_class = m.esm_class;
  lib.protocol_id = m.protocol_id;
  lib.priority_flag = m.priority_flag;
  set_lib_text(lib.schedule_delivery_time, m.schedule_delivery_time);
  set_lib_text(lib.validity_period, m.validity_period);
  lib.registered_delivery = m.registered_delivery;
  lib.replace_if_present_flag = m.replace_if_present_flag;
  lib.data_coding = m.data_coding;
  lib.sm_default_msg_id = m.sm_default_msg_id;
  const std::size_t length = std::min(m.short_message.size(), sizeof lib.short_message);
  lib.sm_length = static_cast<std::uint8_t>(length);
  if (length > 0) std::memcpy(lib.short_message, m.short_message.data(), length);
}

// Unpacks one checked frame with libsmpp34; nullopt when it refuses.
std::optional<Pdu> decode_lib(ByteView frame) {
  Bytes padded(frame.begin(), frame.end());
  padded.resize(frame.size() + lib_limit::padding, 0);
  const int size = static_cast<int>(frame.size());
  LibraryTraceWiper wiper;
  Pdu pdu;
  auto unpack = [&](auto& lib) {
    if (smpp34_unpack2(&lib, padded.data(), size) != 0) return false;
    header_from_lib(lib, pdu);
    return true;
  };
  switch (static_cast<CommandId>(be32(frame.data() + 4))) {
    case CommandId::bind_transmitter: {
      bind_transmitter_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = bind_from_lib(lib, BindMode::transmitter);
      return pdu;
    }
    case CommandId::bind_receiver: {
      bind_receiver_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = bind_from_lib(lib, BindMode::receiver);
      return pdu;
    }
    case CommandId::bind_transceiver: {
      bind_transceiver_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = bind_from_lib(lib, BindMode::transceiver);
      return pdu;
    }
    case CommandId::bind_transmitter_resp: {
      bind_transmitter_resp_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      BindResp resp{BindMode::transmitter, lib_text(lib.system_id), std::nullopt};
      tlvs_from_lib(lib.tlv, false, nullptr, &resp.sc_interface_version);
      pdu.body = std::move(resp);
      return pdu;
    }
    case CommandId::bind_receiver_resp: {
      bind_receiver_resp_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      BindResp resp{BindMode::receiver, lib_text(lib.system_id), std::nullopt};
      tlvs_from_lib(lib.tlv, false, nullptr, &resp.sc_interface_version);
      pdu.body = std::move(resp);
      return pdu;
    }
    case CommandId::bind_transceiver_resp: {
      bind_transceiver_resp_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      BindResp resp{BindMode::transceiver, lib_text(lib.system_id), std::nullopt};
      tlvs_from_lib(lib.tlv, false, nullptr, &resp.sc_interface_version);
      pdu.body = std::move(resp);
      return pdu;
    }
    case CommandId::submit_sm: {
      submit_sm_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      pdu.body = message_from_lib<SubmitSm>(lib);
      return pdu;
    }
    case CommandId::deliver_sm: {
      deliver_sm_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      pdu.body = message_from_lib<DeliverSm>(lib);
      return pdu;
    }
    case CommandId::submit_sm_resp: {
      submit_sm_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = SubmitSmResp{lib_text(lib.message_id)};
      return pdu;
    }
    case CommandId::deliver_sm_resp: {
      deliver_sm_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = DeliverSmResp{};
      return pdu;
    }
    case CommandId::data_sm: {
      data_sm_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      DataSm m;
      m.service_type = lib_text(lib.service_type);
      m.source = Address{lib.source_addr_ton, lib.source_addr_npi, lib_text(lib.source_addr)};
      m.destination = Address{lib.dest_addr_ton, lib.dest_addr_npi, lib_text(lib.destination_addr)};
      m.esm_class = lib.esm_class;
      m.registered_delivery = lib.registered_delivery;
      m.data_coding = lib.data_coding;
      tlvs_from_lib(lib.tlv, true, &m.tlvs, nullptr);
      pdu.body = std::move(m);
      return pdu;
    }
    case CommandId::data_sm_resp: {
      data_sm_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = DataSmResp{lib_text(lib.message_id), Tlvs{}};
      return pdu;
    }
    case CommandId::unbind: {
      unbind_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = Unbind{};
      return pdu;
    }
    case CommandId::unbind_resp: {
      unbind_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = UnbindResp{};
      return pdu;
    }
    case CommandId::enquire_link: {
      enquire_link_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = EnquireLink{};
      return pdu;
    }
    case CommandId::enquire_link_resp: {
      enquire_link_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = EnquireLinkResp{};
      return pdu;
    }
    case CommandId::generic_nack: {
      generic_nack_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = GenericNack{};
      return pdu;
    }
  }
  return std::nullopt;
}

// Packs a PDU that libsmpp34_handles() accepted; nullopt when the library refuses.
class LibEncoder {
 public:
  explicit LibEncoder(const Pdu& pdu) : pdu_(pdu) {}

  std::optional<Bytes> run() {
    return std::visit([this](const auto& body) { return encode(body); }, pdu_.body);
  }

 private:
  template <class LibPdu>
  std::optional<Bytes> pack(LibPdu& lib, std::size_t tlv_octets) {
    header_to_lib(pdu_, lib);
    // Mandatory fields stay under 512 octets; the library wants spare room after the last one.
    Bytes buffer(512 + tlv_octets);
    int length = 0;
    LibraryTraceWiper wiper;
    if (smpp34_pack2(buffer.data(), static_cast<int>(buffer.size()), &length, &lib) != 0) {
      return std::nullopt;
    }
    if (length < static_cast<int>(header_size) || length > static_cast<int>(buffer.size())) {
      return std::nullopt;
    }
    buffer.resize(static_cast<std::size_t>(length));
    return buffer;
  }

  static std::size_t octets_of(const std::vector<RawTlv>& list) {
    std::size_t total = 0;
    for (const RawTlv& t : list) total += 4 + t.value.size();
    return total;
  }

  template <class LibPdu>
  std::optional<Bytes> pack_with_tlvs(LibPdu& lib, const std::vector<RawTlv>& list) {
    LibTlvList owner(lib.tlv);
    if (!lib_tlvs_from(list, owner)) return std::nullopt;
    return pack(lib, octets_of(list));
  }

  std::optional<Bytes> encode(const Bind& bind) {
    switch (bind.mode) {
      case BindMode::transmitter: {
        bind_transmitter_t lib{};
        bind_to_lib(bind, lib);
        return pack(lib, 0);
      }
      case BindMode::receiver: {
        bind_receiver_t lib{};
        bind_to_lib(bind, lib);
        return pack(lib, 0);
      }
      case BindMode::transceiver: {
        bind_transceiver_t lib{};
        bind_to_lib(bind, lib);
        return pack(lib, 0);
      }
    }
    return std::nullopt;
  }
  std::optional<Bytes> encode(const BindResp& resp) {
    switch (resp.mode) {
      case BindMode::transmitter:
        return encode_bind_resp<bind_transmitter_resp_t>(resp);
      case BindMode::receiver:
        return encode_bind_resp<bind_receiver_resp_t>(resp);
      case BindMode::transceiver:
        return encode_bind_resp<bind_transceiver_resp_t>(resp);
    }
    return std::nullopt;
  }
  template <class LibBindResp>
  std::optional<Bytes> encode_bind_resp(const BindResp& resp) {
    LibBindResp lib{};
    set_lib_text(lib.system_id, resp.system_id);
    return pack_with_tlvs(lib, bind_resp_tlv_list(resp));
  }
  std::optional<Bytes> encode(const SubmitSm& m) {
    submit_sm_t lib{};
    message_to_lib(m, lib);
    return pack_with_tlvs(lib, tlv_list(m.tlvs));
  }
  std::optional<Bytes> encode(const DeliverSm& m) {
    deliver_sm_t lib{};
    message_to_lib(m, lib);
    return pack_with_tlvs(lib, tlv_list(m.tlvs));
  }
  std::optional<Bytes> encode(const DataSm& m) {
    data_sm_t lib{};
    set_lib_text(lib.service_type, m.service_type);
    lib.source_addr_ton = m.source.ton;
    lib.source_addr_npi = m.source.npi;
    set_lib_text(lib.source_addr, m.source.addr);
    lib.dest_addr_ton = m.destination.ton;
    lib.dest_addr_npi = m.destination.npi;
    set_lib_text(lib.destination_addr, m.destination.addr);
    lib.esm_class = m.esm_class;
    lib.registered_delivery = m.registered_delivery;
    lib.data_coding = m.data_coding;
    return pack_with_tlvs(lib, tlv_list(m.tlvs));
  }
  std::optional<Bytes> encode(const SubmitSmResp& r) {
    submit_sm_resp_t lib{};
    set_lib_text(lib.message_id, r.message_id);
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const DeliverSmResp&) {
    deliver_sm_resp_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const DataSmResp& r) {
    data_sm_resp_t lib{};
    set_lib_text(lib.message_id, r.message_id);
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const Unbind&) {
    unbind_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const UnbindResp&) {
    unbind_resp_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const EnquireLink&) {
    enquire_link_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const EnquireLinkResp&) {
    enquire_link_resp_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const GenericNack&) {
    generic_nack_t lib{};
    return pack(lib, 0);
  }

  const Pdu& pdu_;
};

// The library's own validators (pure functions writing into `text`), so our notion of what it
// accepts cannot drift from its tables.
bool lib_accepts_status(std::uint32_t command_status) {
  char text[SMALL_BUFF] = {};
  return str_command_status(command_status, text)[0] != '\0';
}
bool lib_accepts_address(const Address& address) {
  char text[SMALL_BUFF] = {};
  if (str_addr_ton(address.ton, text)[0] == '\0') return false;
  return str_addr_npi(address.npi, text)[0] != '\0';
}

bool lib_accepts_tlvs(const Tlvs& tlvs) {
  if (!tlvs.unknown.empty()) return false;
  return !tlvs.message_payload || tlvs.message_payload->size() <= lib_limit::tlv_value;
}

struct LibBodyCheck {
  const Pdu& pdu;

  bool operator()(const Bind& b) const {
    return b.interface_version == SMPP_VERSION && lib_accepts_address(b.address_range);
  }
  bool operator()(const BindResp&) const { return true; }
  bool operator()(const SubmitSm& m) const { return message(m); }
  bool operator()(const DeliverSm& m) const {
    // Its deliver_sm has one-octet time fields.
    return message(m) && m.schedule_delivery_time.empty() && m.validity_period.empty();
  }
  bool operator()(const DataSm& m) const {
    return lib_accepts_address(m.source) && lib_accepts_address(m.destination) &&
           m.source.addr.size() <= lib_limit::data_sm_source && lib_accepts_tlvs(m.tlvs);
  }
  bool operator()(const SubmitSmResp& r) const {
    // It neither writes nor reads the body of an error response.
    return pdu.command_status == status::ok || r.message_id.empty();
  }
  bool operator()(const DataSmResp& r) const { return r.tlvs == Tlvs{}; }
  template <class HeaderOnly>
  bool operator()(const HeaderOnly&) const {
    return true;
  }

  bool message(const ShortMessage& m) const {
    return lib_accepts_address(m.source) && lib_accepts_address(m.destination) &&
           m.short_message.size() <= lib_limit::short_message && lib_accepts_tlvs(m.tlvs);
  }
};

EncodeResult encode_failure(const Failure& failure) {
  EncodeResult result;
  result.error = failure.code;
  result.detail = failure.detail;
  return result;
}

std::optional<EncodeResult> check_for_encode(const Pdu& pdu) {
  FieldChecker checker;
  if (!checker.pdu(pdu)) return encode_failure(checker.failure());
  return std::nullopt;
}

EncodeResult finish_encode(Bytes bytes) {
  EncodeResult result;
  if (bytes.size() > max_command_length) {
    result.error = CodecError::field_too_long;
    result.detail = "PDU of " + std::to_string(bytes.size()) + " octets exceeds " +
                    std::to_string(max_command_length);
    return result;
  }
  result.bytes = std::move(bytes);
  return result;
}

EncodeResult encode_lib_checked(const Pdu& pdu) {
  auto bytes = LibEncoder(pdu).run();
  if (!bytes) {
    EncodeResult result;
    result.error = CodecError::encode_failed;
    result.detail = "libsmpp34 refused to pack " + command_name(pdu.command_id());
    return result;
  }
  return finish_encode(std::move(*bytes));
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// Public interface.

std::uint32_t Pdu::command_id() const {
  struct Visitor {
    std::uint32_t operator()(const Bind& b) const { return bind_id(b.mode); }
    static std::uint32_t bind_id(BindMode mode) {
      switch (mode) {
        case BindMode::transmitter:
          return static_cast<std::uint32_t>(CommandId::bind_transmitter);
        case BindMode::receiver:
          return static_cast<std::uint32_t>(CommandId::bind_receiver);
        case BindMode::transceiver:
          break;
      }
      return static_cast<std::uint32_t>(CommandId::bind_transceiver);
    }
    std::uint32_t operator()(const BindResp& b) const { return bind_id(b.mode) | 0x80000000u; }
    std::uint32_t operator()(const SubmitSm&) const { return id(CommandId::submit_sm); }
    std::uint32_t operator()(const SubmitSmResp&) const { return id(CommandId::submit_sm_resp); }
    std::uint32_t operator()(const DeliverSm&) const { return id(CommandId::deliver_sm); }
    std::uint32_t operator()(const DeliverSmResp&) const { return id(CommandId::deliver_sm_resp); }
    std::uint32_t operator()(const DataSm&) const { return id(CommandId::data_sm); }
    std::uint32_t operator()(const DataSmResp&) const { return id(CommandId::data_sm_resp); }
    std::uint32_t operator()(const Unbind&) const { return id(CommandId::unbind); }
    std::uint32_t operator()(const UnbindResp&) const { return id(CommandId::unbind_resp); }
    std::uint32_t operator()(const EnquireLink&) const { return id(CommandId::enquire_link); }
    std::uint32_t operator()(const EnquireLinkResp&) const {
      return id(CommandId::enquire_link_resp);
    }
    std::uint32_t operator()(const GenericNack&) const { return id(CommandId::generic_nack); }
    static std::uint32_t id(CommandId c) { return static_cast<std::uint32_t>(c); }
  };
  return std::visit(Visitor{}, body);
}

namespace {

class CodecCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lianxin.smpp.codec"; }
  std::string message(int value) const override {
    switch (static_cast<CodecError>(value)) {
      case CodecError::truncated_header:
        return "PDU shorter than its 16-octet header";
      case CodecError::bad_command_length:
        return "command_length out of range or not matching the frame";
      case CodecError::unknown_command:
        return "unsupported command_id";
      case CodecError::malformed_body:
        return "malformed PDU body";
      case CodecError::bad_tlv:
        return "malformed optional parameter";
      case CodecError::field_too_long:
        return "field longer than SMPP 3.4 allows";
      case CodecError::encode_failed:
        return "libsmpp34 failed to encode the PDU";
      case CodecError::invalid_field:
        return "field value cannot be encoded";
    }
    return "unknown SMPP codec error";
  }
};

}  // namespace

const std::error_category& codec_category() {
  static const CodecCategory category;
  return category;
}

std::error_code make_error_code(CodecError e) {
  return {static_cast<int>(e), codec_category()};
}

std::optional<std::uint32_t> peek_command_length(ByteView buffer) {
  if (buffer.size() < 4) return std::nullopt;
  return be32(buffer.data());
}

DecodeResult decode(ByteView frame) {
  DecodeResult result;
  if (!check_frame(frame, result)) return result;
  NativeDecoded native;
  Failure failure;
  if (!decode_native(*result.header, frame, native, failure)) {
    result.error = failure.code;
    result.detail = std::move(failure.detail);
    return result;
  }
  if (native.libsmpp34_safe && backends::libsmpp34_handles(native.pdu)) {
    if (auto pdu = decode_lib(frame)) {
      result.pdu = std::move(*pdu);
      return result;
    }
    // It refused a frame proven to be within its limits: the native reading is checked, keep it.
  }
  result.pdu = std::move(native.pdu);
  return result;
}

EncodeResult encode(const Pdu& pdu) {
  if (auto failure = check_for_encode(pdu)) return std::move(*failure);
  if (backends::libsmpp34_handles(pdu)) return encode_lib_checked(pdu);
  return finish_encode(encode_native(pdu));
}

std::string command_name(std::uint32_t command_id) {
  switch (command_id) {
    case 0x80000000:
      return "generic_nack";
    case 0x00000001:
      return "bind_receiver";
    case 0x80000001:
      return "bind_receiver_resp";
    case 0x00000002:
      return "bind_transmitter";
    case 0x80000002:
      return "bind_transmitter_resp";
    case 0x00000003:
      return "query_sm";
    case 0x80000003:
      return "query_sm_resp";
    case 0x00000004:
      return "submit_sm";
    case 0x80000004:
      return "submit_sm_resp";
    case 0x00000005:
      return "deliver_sm";
    case 0x80000005:
      return "deliver_sm_resp";
    case 0x00000006:
      return "unbind";
    case 0x80000006:
      return "unbind_resp";
    case 0x00000007:
      return "replace_sm";
    case 0x80000007:
      return "replace_sm_resp";
    case 0x00000008:
      return "cancel_sm";
    case 0x80000008:
      return "cancel_sm_resp";
    case 0x00000009:
      return "bind_transceiver";
    case 0x80000009:
      return "bind_transceiver_resp";
    case 0x0000000B:
      return "outbind";
    case 0x00000015:
      return "enquire_link";
    case 0x80000015:
      return "enquire_link_resp";
    case 0x00000021:
      return "submit_multi";
    case 0x80000021:
      return "submit_multi_resp";
    case 0x00000102:
      return "alert_notification";
    case 0x00000103:
      return "data_sm";
    case 0x80000103:
      return "data_sm_resp";
    default:
      return "unknown(" + hex(command_id, 8) + ")";
  }
}

namespace backends {

bool libsmpp34_handles(const Pdu& pdu) {
  // Its header validators refuse sequence 0 and every status code missing from its list
  // (vendor codes 0x400-0x4FF included).
  if (pdu.sequence_number == 0 || !lib_accepts_status(pdu.command_status)) return false;
  return std::visit(LibBodyCheck{pdu}, pdu.body);
}

std::optional<DecodeResult> decode_with(Engine engine, ByteView frame) {
  DecodeResult result;
  if (!check_frame(frame, result))
    return engine == Engine::native ? std::optional(result) : std::nullopt;
  NativeDecoded native;
  Failure failure;
  const bool decoded = decode_native(*result.header, frame, native, failure);
  if (engine == Engine::native) {
    if (decoded) {
      result.pdu = std::move(native.pdu);
    } else {
      result.error = failure.code;
      result.detail = std::move(failure.detail);
    }
    return result;
  }
  if (!decoded || !native.libsmpp34_safe || !libsmpp34_handles(native.pdu)) return std::nullopt;
  if (auto pdu = decode_lib(frame)) {
    result.pdu = std::move(*pdu);
  } else {
    result.error = CodecError::malformed_body;
    result.detail = "libsmpp34 refused a frame within its limits";
  }
  return result;
}

std::optional<EncodeResult> encode_with(Engine engine, const Pdu& pdu) {
  if (auto failure = check_for_encode(pdu)) return std::move(*failure);
  if (engine == Engine::native) return finish_encode(encode_native(pdu));
  if (!libsmpp34_handles(pdu)) return std::nullopt;
  return encode_lib_checked(pdu);
}

}  // namespace backends

}  // namespace lianxin::smpp
