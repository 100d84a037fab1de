// SMS text encodings: UTF-8 inside, the SMPP data_coding alphabets outside.
//
// Supported on the wire:
//  - GSM 03.38 default alphabet with its extension table (escape 0x1B), one septet per octet as
//    SMPP carries it (data_coding 0, unpacked; the SMSC packs for the air interface);
//  - UCS-2, read and written as UTF-16BE so characters outside the BMP travel as surrogate pairs
//    (data_coding 8);
//  - Latin-1 (data_coding 3).
//
// Decoding is tolerant: nothing received can make it fail. Invalid sequences become U+FFFD.
// How each data_coding is read (see decode()):
//  - 0x00 SMSC default: GSM 03.38 unpacked. GSM septets never have the high bit set, so a byte
//    >= 0x80 means the SMSC did not send septets: then the whole text is read as UTF-8 if it is
//    valid UTF-8, else as Latin-1 (both seen in the field under data_coding 0).
//  - 0x01 IA5 (ASCII) and 0x03 Latin-1: Latin-1 (a superset of ASCII).
//  - 0x08 UCS-2: UTF-16BE; unpaired surrogates and an odd trailing byte become U+FFFD.
//  - 0x02 / 0x04 octet data, the national codings we do not carry (0x05-0x07, 0x09-0x0F) and
//    reserved values: one character per byte, as Latin-1. This is lossless (encoding the result
//    as Latin-1 gives the bytes back) and keeps the ASCII range readable; the raw bytes are kept
//    by the caller anyway.
//  - 0x10-0xFF: the GSM 03.38 coding groups (message class, flash SMS, message waiting): their
//    alphabet bits choose GSM 7-bit, 8-bit data (as above) or UCS-2. Compressed text is treated
//    as 8-bit data.
//
// Encoding never fails either: a character the chosen alphabet lacks becomes '?', and the number
// of such replacements is reported, so callers that care pick UCS-2 (choose_encoding does).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lianxin::sms {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// SMPP 3.4 data_coding values (section 5.2.19) used by this project.
namespace data_coding {
inline constexpr std::uint8_t smsc_default = 0x00;  // GSM 03.38 for us
inline constexpr std::uint8_t ia5 = 0x01;
inline constexpr std::uint8_t octet_unspecified_2 = 0x02;
inline constexpr std::uint8_t latin1 = 0x03;
inline constexpr std::uint8_t octet_unspecified = 0x04;
inline constexpr std::uint8_t ucs2 = 0x08;
}  // namespace data_coding

// The alphabets we can encode to.
enum class Encoding : std::uint8_t { gsm7, latin1, ucs2 };

// How a data_coding value is read (see the file comment).
enum class Alphabet : std::uint8_t { gsm7, latin1, ucs2, octets };

std::uint8_t data_coding_of(Encoding encoding);
Alphabet alphabet_of(std::uint8_t data_coding);
const char* encoding_name(Encoding encoding);

// Errors of the SMS text layer (segmentation, UDH parsing, receipts).
enum class SmsError {
  too_many_parts = 1,  // more than 255 parts
  payload_too_long,    // more than 65535 octets in one message_payload
  malformed_udh,       // UDH length runs past the end of the message
  not_a_receipt,       // neither TLVs nor text carry a message id
};
const std::error_category& sms_category();
std::error_code make_error_code(SmsError e);

inline constexpr char32_t replacement_character = U'\uFFFD';

// --- UTF-8 -----------------------------------------------------------------------------------

// The one UTF-8 decoder of lianxin, with one policy for invalid input (the Unicode standard's
// "maximal subpart" practice, as browsers do): each maximal invalid subsequence (overlong
// forms, surrogates, values above U+10FFFF, truncated sequences, stray continuation bytes)
// becomes one U+FFFD, and decoding goes on at the next byte that may start a sequence.
//
// Decodes the code point at `pos` (precondition: pos < utf8.size()) and advances `pos`.
char32_t next_code_point(std::string_view utf8, std::size_t& pos);
// Code points of a UTF-8 string.
std::u32string utf8_to_code_points(std::string_view utf8);
// Byte offset of the first invalid sequence, or nullopt when `bytes` is valid UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view bytes);
// Appends the UTF-8 form of `cp`; surrogates and values above U+10FFFF become U+FFFD.
void append_utf8(std::string& out, char32_t cp);
std::string code_points_to_utf8(std::u32string_view code_points);
bool is_valid_utf8(std::string_view bytes);
// Replaces every invalid sequence by U+FFFD.
std::string sanitize_utf8(std::string_view bytes);

// --- decoding --------------------------------------------------------------------------------

std::string decode(std::uint8_t data_coding, ByteView bytes);
std::string decode_gsm7(ByteView septets);  // unpacked, one septet per octet
std::string decode_latin1(ByteView bytes);
std::string decode_ucs2(ByteView bytes);  // UTF-16BE

// --- encoding --------------------------------------------------------------------------------

struct Encoded {
  Bytes bytes;
  std::size_t replaced = 0;  // characters the alphabet lacks, written as '?'
};

Encoded encode(std::string_view utf8, Encoding encoding);

// Appends one character in `encoding`; returns false (and appends '?') when the alphabet lacks
// it. GSM extension characters append two octets (0x1B, code), non-BMP characters in UCS-2 a
// surrogate pair: the unit segmentation must never split.
bool append_encoded(Bytes& out, char32_t cp, Encoding encoding);

// True if the GSM 03.38 default alphabet or its extension table holds `cp`.
bool gsm7_has(char32_t cp);

// The smallest encoding that holds the whole text without loss: GSM 7-bit if every character is
// in the default alphabet or the extension table; else Latin-1 if `allow_latin1` (a per-connection
// choice: not every SMSC or handset handles data_coding 3) and every character is <= U+00FF;
// else UCS-2.
Encoding choose_encoding(std::string_view utf8, bool allow_latin1 = false);
Encoding choose_encoding(std::u32string_view code_points, bool allow_latin1 = false);

// Length in the units the SMS limits are written in: septets for GSM 7-bit (two for an extension
// character, one for a character written as '?'), octets for Latin-1, UTF-16 code units for UCS-2
// (two for a character outside the BMP).
std::size_t count_units(std::string_view utf8, Encoding encoding);

}  // namespace lianxin::sms

template <>
struct std::is_error_code_enum<lianxin::sms::SmsError> : std::true_type {};
