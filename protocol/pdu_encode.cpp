// Encoding shared by both engines: the field checks every PDU passes first, the optional
// parameters in wire order, the final length check, and the native encoder.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/pdu.hpp"
#include "protocol/pdu_internal.hpp"

namespace lianxin::smpp::pdu_detail {

namespace {

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

EncodeResult encode_failure(const Failure& failure) {
  EncodeResult result;
  result.error = failure.code;
  result.detail = failure.detail;
  return result;
}

}  // namespace

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

namespace {

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

}  // namespace

Bytes encode_native(const Pdu& pdu) {
  Writer writer;
  writer.u32(0);  // command_length, patched by finish()
  writer.u32(pdu.command_id());
  writer.u32(pdu.command_status);
  writer.u32(pdu.sequence_number);
  std::visit([&](const auto& body) { writer.body(pdu, body); }, pdu.body);
  return writer.finish();
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

}  // namespace lianxin::smpp::pdu_detail
