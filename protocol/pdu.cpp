// SMPP 3.4 PDU codec: libsmpp34 behind a guard, plus a native codec for what it cannot take.
//
// Every frame is first checked and fully parsed by the native decoder (bounded reads, NUL
// terminators, sm_length, TLV list walk with exact integer lengths). Only frames proven to be
// within libsmpp34's comfort zone are then handed to smpp34_unpack2 (copied, NUL-padded); the rest
// (vendor status codes, sequence 0, error responses with or without bodies, unknown TLVs, long
// payloads, ...) keep the native reading, so the session always gets a usable PDU. Encoding mirrors
// this: libsmpp34 packs what it can pack faithfully (every length checked first, so it never
// truncates); the native encoder writes the rest. smpp34_strerror (phone numbers, passwords) is
// wiped after every library call and never read; smpp34_errno is never read; smpp34_dumpPdu/dumpBuf
// are never called.
//
// The codec's files (all private but pdu.hpp):
//   pdu.cpp             the public entry points: frame checks, choice of engine, command_id
//   pdu_names.cpp       command names and the codec's error category
//   pdu_decode.cpp      the native decoder (bodies, the TLV walk)
//   pdu_encode.cpp      the field checks both encoders share, TLV order, the native encoder
//   pdu_lib_decode.cpp  libsmpp34 unpacking
//   pdu_lib_encode.cpp  libsmpp34 packing, and which PDUs it takes faithfully
//   pdu_internal.hpp    limits and the seams between these files; no libsmpp34
//   pdu_libsmpp34.hpp   the libsmpp34 include block: only the two pdu_lib_*.cpp include it
#include "protocol/pdu.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "protocol/pdu_internal.hpp"

namespace lianxin::smpp {

using pdu_detail::be32;
using pdu_detail::check_for_encode;
using pdu_detail::decode_lib;
using pdu_detail::decode_native;
using pdu_detail::encode_lib_checked;
using pdu_detail::encode_native;
using pdu_detail::Failure;
using pdu_detail::finish_encode;
using pdu_detail::NativeDecoded;

namespace {

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

namespace backends {

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
