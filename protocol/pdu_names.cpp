// Names for logs and errors: SMPP command names and the codec's error category.
#include <cstdint>
#include <string>
#include <system_error>

#include "protocol/pdu.hpp"
#include "protocol/pdu_internal.hpp"

namespace lianxin::smpp {

using pdu_detail::hex;

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

}  // namespace lianxin::smpp
