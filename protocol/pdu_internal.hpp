// Private to the PDU codec (protocol/pdu*.cpp; see pdu.cpp for the files): the spec's limits,
// the byte helpers, and the seams between the native codec, the libsmpp34 bridge and the public
// entry points. Includes no libsmpp34 header, so the native codec never sees its macros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "protocol/pdu.hpp"

namespace lianxin::smpp::pdu_detail {

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

// What libsmpp34 takes without misbehaving (docs/ARCHITECTURE.md, its hazards). The two values its
// headers fix are spelled out here so the native decoder needs none of them; pdu_libsmpp34.hpp
// checks them against MAX_TLV_SIZE and ADDRESS_LENGTH at compile time.
namespace lib_limit {
// It logs ~55 bytes per TLV into smpp34_strerror[2048]; ~29 TLVs overflow it.
constexpr std::size_t tlv_count = 10;
constexpr std::size_t tlv_value = 1024;  // MAX_TLV_SIZE
// Its pack refuses sm_length >= 254 (its unpack takes 254; one limit keeps both sides equal).
constexpr std::size_t short_message = 253;
// data_sm source_addr is 21 octets in its struct although the spec allows 65.
constexpr std::size_t data_sm_source = 20;  // ADDRESS_LENGTH - 1
// Zero bytes kept after every frame handed to it: its unpacker strlen()s before bounds checks.
constexpr std::size_t padding = 8;
}  // namespace lib_limit

constexpr std::uint16_t tag_sc_interface_version = 0x0210;

struct Failure {
  CodecError code = CodecError::malformed_body;
  std::string detail;
};

inline std::string hex(std::uint32_t value, int width) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%0*X", width, value);
  return text;
}

inline std::uint16_t be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

inline std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct NativeDecoded {
  Pdu pdu;
  bool libsmpp34_safe = true;  // wire-level facts; libsmpp34_handles() adds the PDU-level ones
};

// pdu_decode.cpp: the native reading of a body (the frame's length is checked already).
bool decode_native(const Header& header, ByteView frame, NativeDecoded& out, Failure& failure);

// pdu_encode.cpp: the field checks both encoders rely on, the native encoder, and the optional
// parameters in the one order both encoders write them.
std::optional<EncodeResult> check_for_encode(const Pdu& pdu);
EncodeResult finish_encode(Bytes bytes);
Bytes encode_native(const Pdu& pdu);
std::vector<RawTlv> tlv_list(const Tlvs& tlvs);
std::vector<RawTlv> bind_resp_tlv_list(const BindResp& resp);

// pdu_lib_decode.cpp: unpacks one checked frame with libsmpp34; nullopt when it refuses.
std::optional<Pdu> decode_lib(ByteView frame);
// pdu_lib_encode.cpp: packs a PDU libsmpp34_handles() accepted (encode_failed when it refuses).
EncodeResult encode_lib_checked(const Pdu& pdu);

}  // namespace lianxin::smpp::pdu_detail
