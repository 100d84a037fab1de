// Typed SMPP 3.4 PDUs and their wire codec.
//
// The codec is implemented over libsmpp34, sealed in pdu_lib_decode.cpp and pdu_lib_encode.cpp
// (the only files that include it; pdu.cpp lists the codec's files). Everything received is
// checked (command_length against the bytes and the spec's limits, header fields, NUL
// terminators) before libsmpp34 sees it, and every failure is an error value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace lianxin::smpp {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

enum class CommandId : std::uint32_t {
  generic_nack = 0x80000000,
  bind_receiver = 0x00000001,
  bind_receiver_resp = 0x80000001,
  bind_transmitter = 0x00000002,
  bind_transmitter_resp = 0x80000002,
  submit_sm = 0x00000004,
  submit_sm_resp = 0x80000004,
  deliver_sm = 0x00000005,
  deliver_sm_resp = 0x80000005,
  unbind = 0x00000006,
  unbind_resp = 0x80000006,
  bind_transceiver = 0x00000009,
  bind_transceiver_resp = 0x80000009,
  enquire_link = 0x00000015,
  enquire_link_resp = 0x80000015,
  data_sm = 0x00000103,
  data_sm_resp = 0x80000103,
};

constexpr bool is_response(std::uint32_t command_id) {
  return (command_id & 0x80000000u) != 0;
}

// Command status values used by this project (SMPP 3.4 section 5.1.3).
namespace status {
inline constexpr std::uint32_t ok = 0x00;
inline constexpr std::uint32_t invalid_msg_length = 0x01;
inline constexpr std::uint32_t invalid_cmd_length = 0x02;
inline constexpr std::uint32_t invalid_cmd_id = 0x03;
inline constexpr std::uint32_t invalid_bind_status = 0x04;
inline constexpr std::uint32_t already_bound = 0x05;
inline constexpr std::uint32_t system_error = 0x08;
inline constexpr std::uint32_t invalid_dest_addr = 0x0B;
inline constexpr std::uint32_t bind_failed = 0x0D;
inline constexpr std::uint32_t invalid_password = 0x0E;
inline constexpr std::uint32_t invalid_system_id = 0x0F;
inline constexpr std::uint32_t message_queue_full = 0x14;
inline constexpr std::uint32_t throttled = 0x58;
inline constexpr std::uint32_t temporary_app_error = 0x64;  // ESME_RX_T_APPN: "store failed, retry"
inline constexpr std::uint32_t permanent_app_error = 0x65;
inline constexpr std::uint32_t invalid_optional_param_stream = 0xC0;
inline constexpr std::uint32_t invalid_param_length = 0xC2;
inline constexpr std::uint32_t unknown_error = 0xFF;
}  // namespace status

// Optional parameter tags (SMPP 3.4 section 5.3.2).
namespace tag {
inline constexpr std::uint16_t user_message_reference = 0x0204;
inline constexpr std::uint16_t sar_msg_ref_num = 0x020C;
inline constexpr std::uint16_t sar_total_segments = 0x020E;
inline constexpr std::uint16_t sar_segment_seqnum = 0x020F;
inline constexpr std::uint16_t message_payload = 0x0424;
inline constexpr std::uint16_t receipted_message_id = 0x001E;
inline constexpr std::uint16_t message_state = 0x0427;
inline constexpr std::uint16_t network_error_code = 0x0423;
inline constexpr std::uint16_t ussd_service_op = 0x0501;
inline constexpr std::uint16_t its_session_info = 0x1383;
}  // namespace tag

constexpr std::size_t header_size = 16;
// Far above any legal PDU (a data_sm with a 64 KB payload); anything larger is garbage or an
// attack, and the link is dropped rather than buffering it.
constexpr std::uint32_t max_command_length = 70000;

struct Header {
  std::uint32_t command_length = 0;
  std::uint32_t command_id = 0;
  std::uint32_t command_status = 0;
  std::uint32_t sequence_number = 0;
};

// An optional parameter we do not model; kept so nothing is lost and so it can be logged.
struct RawTlv {
  std::uint16_t tag = 0;
  Bytes value;
  friend bool operator==(const RawTlv&, const RawTlv&) = default;
};

struct NetworkErrorCode {
  std::uint8_t network_type = 0;
  std::uint16_t error_code = 0;
  friend bool operator==(const NetworkErrorCode&, const NetworkErrorCode&) = default;
};

// The optional parameters this project understands, plus whatever else arrived.
struct Tlvs {
  std::optional<std::uint16_t> user_message_reference;
  std::optional<std::uint16_t> sar_msg_ref_num;
  std::optional<std::uint8_t> sar_total_segments;
  std::optional<std::uint8_t> sar_segment_seqnum;
  std::optional<Bytes> message_payload;
  std::optional<std::string> receipted_message_id;
  std::optional<std::uint8_t> message_state;
  std::optional<NetworkErrorCode> network_error_code;
  std::optional<std::uint8_t> ussd_service_op;
  std::optional<std::uint16_t> its_session_info;
  std::vector<RawTlv> unknown;
  friend bool operator==(const Tlvs&, const Tlvs&) = default;
};

struct Address {
  std::uint8_t ton = 0;
  std::uint8_t npi = 0;
  std::string addr;  // at most 20 characters on the wire
  friend bool operator==(const Address&, const Address&) = default;
};

enum class BindMode : std::uint8_t { transmitter, receiver, transceiver };

struct Bind {
  BindMode mode = BindMode::transceiver;
  std::string system_id;  // at most 15
  std::string password;   // at most 8
  std::string system_type;
  std::uint8_t interface_version = 0x34;
  Address address_range;
  friend bool operator==(const Bind&, const Bind&) = default;
};

struct BindResp {
  BindMode mode = BindMode::transceiver;
  std::string system_id;  // empty when an error response came without a body
  std::optional<std::uint8_t> sc_interface_version;  // other optional parameters are ignored
  friend bool operator==(const BindResp&, const BindResp&) = default;
};

// submit_sm and deliver_sm share one body layout.
struct ShortMessage {
  std::string service_type;
  Address source;
  Address destination;
  std::uint8_t esm_class = 0;
  std::uint8_t protocol_id = 0;
  std::uint8_t priority_flag = 0;
  std::string schedule_delivery_time;
  std::string validity_period;
  std::uint8_t registered_delivery = 0;
  std::uint8_t replace_if_present_flag = 0;
  std::uint8_t data_coding = 0;
  std::uint8_t sm_default_msg_id = 0;
  // At most 254 octets by the spec; 255 (the most sm_length can say) is tolerated because some
  // SMSCs send it. Includes the UDH when esm_class has 0x40.
  Bytes short_message;
  Tlvs tlvs;
  friend bool operator==(const ShortMessage&, const ShortMessage&) = default;
};

struct SubmitSm : ShortMessage {};
struct DeliverSm : ShortMessage {};

struct DataSm {
  std::string service_type;
  Address source;
  Address destination;
  std::uint8_t esm_class = 0;
  std::uint8_t registered_delivery = 0;
  std::uint8_t data_coding = 0;
  Tlvs tlvs;
  friend bool operator==(const DataSm&, const DataSm&) = default;
};

struct SubmitSmResp {
  // Empty on an error response without a body (the spec's form, and then none is encoded).
  std::string message_id;
  friend bool operator==(const SubmitSmResp&, const SubmitSmResp&) = default;
};
struct DeliverSmResp {
  friend bool operator==(const DeliverSmResp&, const DeliverSmResp&) = default;
};
struct DataSmResp {
  std::string message_id;
  Tlvs tlvs;
  friend bool operator==(const DataSmResp&, const DataSmResp&) = default;
};
struct Unbind {
  friend bool operator==(const Unbind&, const Unbind&) = default;
};
struct UnbindResp {
  friend bool operator==(const UnbindResp&, const UnbindResp&) = default;
};
struct EnquireLink {
  friend bool operator==(const EnquireLink&, const EnquireLink&) = default;
};
struct EnquireLinkResp {
  friend bool operator==(const EnquireLinkResp&, const EnquireLinkResp&) = default;
};
struct GenericNack {
  friend bool operator==(const GenericNack&, const GenericNack&) = default;
};

using Body =
    std::variant<Bind, BindResp, SubmitSm, SubmitSmResp, DeliverSm, DeliverSmResp, DataSm,
                 DataSmResp, Unbind, UnbindResp, EnquireLink, EnquireLinkResp, GenericNack>;

struct Pdu {
  std::uint32_t command_status = status::ok;
  std::uint32_t sequence_number = 0;
  Body body;

  // The command_id this body is sent as (bind bodies and their responses depend on mode).
  std::uint32_t command_id() const;
  friend bool operator==(const Pdu&, const Pdu&) = default;
};

// Decoding errors. The header, when it could be read, travels with the error so the session can
// still answer (generic_nack, or a response with an error status) by sequence number.
enum class CodecError {
  truncated_header = 1,  // fewer than 16 bytes
  bad_command_length,    // < 16, > max_command_length, or not what the frame holds
  unknown_command,       // a command_id we do not handle
  malformed_body,        // fields run past the end, a string lacks its NUL, ...
  bad_tlv,               // an optional parameter with a bad length
  field_too_long,        // encode: a field longer than the spec allows
  encode_failed,         // libsmpp34 refused to pack
  invalid_field,         // encode: a value the wire cannot carry (a NUL inside a C-octet string)
};
const std::error_category& codec_category();
std::error_code make_error_code(CodecError e);

struct DecodeResult {
  std::optional<Header> header;  // set whenever 16 header bytes with a sane length were present
  std::optional<Pdu> pdu;        // set on success
  std::error_code error;
  std::string detail;  // human-readable diagnosis; never contains passwords
};

// Reads the 4-byte command_length of the frame at the start of `buffer`, if 4 bytes are there.
std::optional<std::uint32_t> peek_command_length(ByteView buffer);

// Decodes exactly one frame. `frame` must be the whole PDU: frame.size() == command_length.
// Tolerated although libsmpp34 refuses them: sequence number 0, vendor/reserved status codes,
// TON >= 7 and unlisted NPIs, error responses with or without a body, a deliver_sm with
// schedule/validity times, message_payload over 1024 octets, sm_length 255, unknown TLVs.
DecodeResult decode(ByteView frame);

struct EncodeResult {
  Bytes bytes;
  std::error_code error;
  std::string detail;
};

// Encodes one PDU. Over-long fields are errors, never silently truncated.
EncodeResult encode(const Pdu& pdu);

std::string command_name(std::uint32_t command_id);

// The two engines behind decode() and encode(): libsmpp34 takes every PDU it handles correctly,
// a native codec takes the rest (see pdu.cpp). Exposed so tests and the fuzz target can check
// that both agree wherever both apply. Not for production code.
namespace backends {
enum class Engine { libsmpp34, native };
// Whether libsmpp34 can encode this PDU faithfully (decode also checks wire-level facts).
bool libsmpp34_handles(const Pdu& pdu);
// nullopt when the engine does not take this input (libsmpp34 only).
std::optional<DecodeResult> decode_with(Engine engine, ByteView frame);
std::optional<EncodeResult> encode_with(Engine engine, const Pdu& pdu);
}  // namespace backends

}  // namespace lianxin::smpp

template <>
struct std::is_error_code_enum<lianxin::smpp::CodecError> : std::true_type {};
