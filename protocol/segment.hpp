// Concatenated SMS: splitting outbound text into SMPP-ready parts, and reading the concatenation
// information of inbound parts.
//
// Outbound modes (per connection):
//  - udh:     each part starts with a user data header holding the concatenation IE 0x00
//             (8-bit reference: the low 8 bits of the caller's reference); set the UDHI bit 0x40
//             in esm_class for parts whose `udhi` is true.
//  - sar:     each part carries sar_msg_ref_num (the full 16-bit reference), sar_total_segments
//             and sar_segment_seqnum TLVs, and no UDH.
//  - payload: a text that does not fit one short_message travels whole in one message_payload
//             TLV (short_message empty); at most 65535 octets.
//
// Sizes, in the units of text.hpp: a single part holds 160 GSM septets, 70 UCS-2 units or 140
// Latin-1 octets; a part of a multipart message 153 / 67 / 134 (six octets go to the UDH).
// sar parts use the multipart sizes too, although they carry no UDH on SMPP: the SMSC must add
// the concatenation UDH on the air interface, and a 160-septet sar part would not fit beside it
// (SMSCs then reject or re-split the part).
//
// A text is split only between characters, so a GSM escape pair (0x1B + code) or a UTF-16
// surrogate pair never straddles two parts. A text that fits one part is sent as one plain part
// (no UDH, no sar TLVs, no message_payload) in every mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "protocol/text.hpp"

namespace lianxin::sms {

inline constexpr std::uint8_t esm_class_udhi = 0x40;
inline constexpr std::size_t max_parts = 255;
inline constexpr std::size_t max_message_payload = 65535;

// IEs of the user data header (3GPP 23.040 9.2.3.24).
namespace iei {
inline constexpr std::uint8_t concat_8bit = 0x00;
inline constexpr std::uint8_t concat_16bit = 0x08;
}  // namespace iei

enum class ConcatMode : std::uint8_t { udh, sar, payload };

struct SarInfo {
  std::uint16_t ref = 0;
  std::uint8_t total = 0;
  std::uint8_t seq = 0;
  friend bool operator==(const SarInfo&, const SarInfo&) = default;
};

// One submit_sm worth of a text.
struct Part {
  Bytes short_message;  // includes the UDH when udhi
  bool udhi = false;    // set esm_class |= esm_class_udhi
  std::optional<SarInfo> sar;
  std::optional<Bytes> message_payload;
  std::uint8_t data_coding = 0;
};

struct SegmentOptions {
  ConcatMode mode = ConcatMode::udh;
  bool allow_latin1 = false;         // see choose_encoding()
  std::optional<Encoding> encoding;  // force an alphabet instead of choosing one
};

struct Segmented {
  std::vector<Part> parts;  // empty on error
  Encoding encoding = Encoding::gsm7;
  std::size_t replaced = 0;  // characters written as '?' (only with a forced encoding)
  std::error_code error;     // too_many_parts, payload_too_long
  std::string detail;
};

// Splits a UTF-8 text (invalid sequences become U+FFFD) into parts. `reference` identifies the
// message among the sender's concatenated messages; the caller keeps it unique per destination.
Segmented segment(std::string_view utf8, std::uint16_t reference, const SegmentOptions& options);

// The limits above, for callers that want to show "n parts" before sending.
std::size_t single_part_units(Encoding encoding);
std::size_t multipart_units(Encoding encoding);

// --- inbound ---------------------------------------------------------------------------------

struct ConcatInfo {
  std::uint16_t ref = 0;
  std::uint8_t total = 0;
  std::uint8_t seq = 0;
  bool ref_is_16bit = false;
  bool from_sar = false;  // from sar_* TLVs rather than the UDH
  friend bool operator==(const ConcatInfo&, const ConcatInfo&) = default;
};

struct SarTlvs {
  std::optional<std::uint16_t> msg_ref_num;
  std::optional<std::uint8_t> total_segments;
  std::optional<std::uint8_t> segment_seqnum;
};

struct ParsedUserData {
  std::optional<ConcatInfo> concat;  // absent: not (recognisably) a part of a longer message
  Bytes body;                        // the user data without the UDH
  std::error_code error;             // malformed_udh: body is then the whole short_message
  std::string detail;
};

// Reads the concatenation information of an inbound short_message (or message_payload).
// With UDHI (esm_class 0x40) the UDH is stripped; IE 0x00 (8-bit reference) and IE 0x08 (16-bit
// reference) are read, other IEs (ports, national language shifts, ...) skipped, a concatenation
// IE of the wrong length ignored. A UDH whose length runs past the end is reported as
// malformed_udh and the message is returned whole as plain user data, so nothing is lost.
// Without a concatenation IE (malformed UDH included), sar TLVs are used when all three are
// present. The values are not
// validated here (seq 0, seq > total, total <= 1): the Reassembler handles them.
ParsedUserData parse_concat(std::uint8_t esm_class, ByteView short_message,
                            const SarTlvs& sar = {});

}  // namespace lianxin::sms
