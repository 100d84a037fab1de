// libFuzzer target for the SMPP PDU codec (protocol/pdu.hpp).
//
// Feeds the input to decode() twice: split into frames by peek_command_length as the session
// does, and whole as one frame. Checks properties that must hold for any input:
//   - decode yields exactly one of a PDU or an error from codec_category();
//   - where libsmpp34 takes a frame, it reads the same PDU as the native decoder;
//   - a decoded PDU re-encodes, both engines write the same bytes where both apply, and the bytes
//     decode back to the same PDU.
// ASan/UBSan/LeakSanitizer catch memory errors in the wrapper and libsmpp34's leaks.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "protocol/pdu.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using namespace lianxin::smpp;

using lianxin::fuzz::require;

void check_frame(ByteView frame) {
  const DecodeResult result = decode(frame);
  require(result.pdu.has_value() != static_cast<bool>(result.error), "pdu xor error");
  if (result.error) {
    require(&result.error.category() == &codec_category(), "error category");
    return;
  }
  require(result.header.has_value(), "header set on success");
  const Pdu& pdu = *result.pdu;

  const auto native = backends::decode_with(backends::Engine::native, frame);
  require(native && native->pdu && *native->pdu == pdu, "native engine reads what decode read");
  if (const auto lib = backends::decode_with(backends::Engine::libsmpp34, frame)) {
    require(!lib->error && lib->pdu && *lib->pdu == pdu, "libsmpp34 reads what native read");
  }

  const EncodeResult encoded = encode(pdu);
  if (encoded.error) {
    // Re-encoding may add a missing NUL or message_id octet: only a frame at the size limit may
    // then outgrow it.
    require(encoded.error == CodecError::field_too_long && frame.size() + 2 > max_command_length,
            "a decoded PDU re-encodes");
    return;
  }
  const auto native_bytes = backends::encode_with(backends::Engine::native, pdu);
  require(native_bytes && !native_bytes->error, "native engine encodes");
  require(native_bytes->bytes == encoded.bytes, "native engine writes what encode wrote");
  if (const auto lib = backends::encode_with(backends::Engine::libsmpp34, pdu)) {
    require(!lib->error && lib->bytes == native_bytes->bytes, "both engines write the same bytes");
  }

  const DecodeResult again = decode(encoded.bytes);
  require(!again.error && again.pdu && *again.pdu == pdu, "encode then decode round-trips");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);

  // As a byte stream, framed by command_length the way the session frames it.
  std::size_t offset = 0;
  while (const auto length = peek_command_length(input.subspan(offset))) {
    if (*length < header_size || *length > max_command_length || *length > size - offset) break;
    check_frame(input.subspan(offset, *length));
    offset += *length;
  }

  // And the whole input as one frame, whatever its command_length says.
  check_frame(input);
  return 0;
}
