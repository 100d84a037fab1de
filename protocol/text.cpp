#include "protocol/text.hpp"

#include <array>
#include <optional>

namespace lianxin::sms {

namespace {

constexpr std::uint8_t gsm_escape = 0x1B;

// GSM 03.38 default alphabet, septet -> code point. 0x1B is the escape to the extension table;
// its slot holds a placeholder that the encoder skips.
constexpr std::array<char32_t, 128> gsm_default = {
    U'@',      U'\u00A3', U'$',      U'\u00A5', U'\u00E8', U'\u00E9', U'\u00F9', U'\u00EC',
    U'\u00F2', U'\u00C7', U'\n',     U'\u00D8', U'\u00F8', U'\r',     U'\u00C5', U'\u00E5',
    U'\u0394', U'_',      U'\u03A6', U'\u0393', U'\u039B', U'\u03A9', U'\u03A0', U'\u03A8',
    U'\u03A3', U'\u0398', U'\u039E', U'\u00A0', U'\u00C6', U'\u00E6', U'\u00DF', U'\u00C9',
    U' ',      U'!',      U'"',      U'#',      U'\u00A4', U'%',      U'&',      U'\'',
    U'(',      U')',      U'*',      U'+',      U',',      U'-',      U'.',      U'/',
    U'0',      U'1',      U'2',      U'3',      U'4',      U'5',      U'6',      U'7',
    U'8',      U'9',      U':',      U';',      U'<',      U'=',      U'>',      U'?',
    U'\u00A1', U'A',      U'B',      U'C',      U'D',      U'E',      U'F',      U'G',
    U'H',      U'I',      U'J',      U'K',      U'L',      U'M',      U'N',      U'O',
    U'P',      U'Q',      U'R',      U'S',      U'T',      U'U',      U'V',      U'W',
    U'X',      U'Y',      U'Z',      U'\u00C4', U'\u00D6', U'\u00D1', U'\u00DC', U'\u00A7',
    U'\u00BF', U'a',      U'b',      U'c',      U'd',      U'e',      U'f',      U'g',
    U'h',      U'i',      U'j',      U'k',      U'l',      U'm',      U'n',      U'o',
    U'p',      U'q',      U'r',      U's',      U't',      U'u',      U'v',      U'w',
    U'x',      U'y',      U'z',      U'\u00E4', U'\u00F6', U'\u00F1', U'\u00FC', U'\u00E0',
};

struct ExtensionEntry {
  std::uint8_t code;
  char32_t cp;
};
// GSM 03.38 extension table (after 0x1B).
constexpr std::array<ExtensionEntry, 10> gsm_extension = {{
    {0x0A, U'\f'},
    {0x14, U'^'},
    {0x28, U'{'},
    {0x29, U'}'},
    {0x2F, U'\\'},
    {0x3C, U'['},
    {0x3D, U'~'},
    {0x3E, U']'},
    {0x40, U'|'},
    {0x65, U'\u20AC'},
}};

// Reverse of gsm_default for code points below U+0400 (all of them are, Greek included).
struct GsmReverse {
  std::array<std::int16_t, 0x400> code{};
  GsmReverse() {
    code.fill(-1);
    for (std::size_t i = 0; i < gsm_default.size(); ++i) {
      if (i != gsm_escape) code[gsm_default[i]] = static_cast<std::int16_t>(i);
    }
  }
};

std::optional<std::uint8_t> gsm_default_code(char32_t cp) {
  static const GsmReverse reverse;
  if (cp >= reverse.code.size() || reverse.code[cp] < 0) return std::nullopt;
  return static_cast<std::uint8_t>(reverse.code[cp]);
}

std::optional<std::uint8_t> gsm_extension_code(char32_t cp) {
  for (const auto& e : gsm_extension) {
    if (e.cp == cp) return e.code;
  }
  return std::nullopt;
}

bool is_surrogate(char32_t cp) {
  return cp >= 0xD800 && cp <= 0xDFFF;
}

}  // namespace

std::uint8_t data_coding_of(Encoding encoding) {
  switch (encoding) {
    case Encoding::gsm7:
      return data_coding::smsc_default;
    case Encoding::latin1:
      return data_coding::latin1;
    case Encoding::ucs2:
      return data_coding::ucs2;
  }
  return data_coding::smsc_default;
}

const char* encoding_name(Encoding encoding) {
  switch (encoding) {
    case Encoding::gsm7:
      return "gsm7";
    case Encoding::latin1:
      return "latin1";
    case Encoding::ucs2:
      return "ucs2";
  }
  return "?";
}

Alphabet alphabet_of(std::uint8_t dc) {
  if (dc <= 0x0F) {  // SMPP 3.4 values
    switch (dc) {
      case data_coding::smsc_default:
        return Alphabet::gsm7;
      case data_coding::ia5:
      case data_coding::latin1:
        return Alphabet::latin1;
      case data_coding::ucs2:
        return Alphabet::ucs2;
      default:
        return Alphabet::octets;
    }
  }
  // GSM 03.38 coding groups.
  const std::uint8_t group = dc >> 4;
  if (group <= 0x7) {  // general data coding, with or without automatic deletion
    if (dc & 0x20) return Alphabet::octets;  // compressed
    switch ((dc >> 2) & 0x3) {
      case 0:
        return Alphabet::gsm7;
      case 2:
        return Alphabet::ucs2;
      default:
        return Alphabet::octets;
    }
  }
  if (group == 0xC || group == 0xD) return Alphabet::gsm7;  // message waiting, discard/store
  if (group == 0xE) return Alphabet::ucs2;                  // message waiting, UCS-2
  if (group == 0xF) return (dc & 0x04) ? Alphabet::octets : Alphabet::gsm7;
  return Alphabet::octets;  // reserved groups 0x8-0xB
}

// --- error category --------------------------------------------------------------------------

namespace {
class SmsCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lianxin.sms"; }
  std::string message(int ev) const override {
    switch (static_cast<SmsError>(ev)) {
      case SmsError::too_many_parts:
        return "text needs more than 255 parts";
      case SmsError::payload_too_long:
        return "text exceeds 65535 octets of message_payload";
      case SmsError::malformed_udh:
        return "malformed user data header";
      case SmsError::not_a_receipt:
        return "not a delivery receipt";
    }
    return "unknown sms error";
  }
};
}  // namespace

const std::error_category& sms_category() {
  static const SmsCategory category;
  return category;
}

std::error_code make_error_code(SmsError e) {
  return {static_cast<int>(e), sms_category()};
}

// --- UTF-8 -----------------------------------------------------------------------------------

// Invalid input yields U+FFFD and consumes the maximal invalid subpart (at least one byte).
char32_t next_code_point(std::string_view s, std::size_t& pos) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t lead = byte(pos++);
  if (lead < 0x80) return lead;
  int need = 0;
  char32_t cp = 0;
  std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return replacement_character;
  }
  for (int i = 0; i < need; ++i) {
    if (pos >= s.size()) return replacement_character;
    const std::uint8_t c = byte(pos);
    const std::uint8_t min = i == 0 ? lo : 0x80;
    const std::uint8_t max = i == 0 ? hi : 0xBF;
    if (c < min || c > max) return replacement_character;  // the byte starts the next sequence
    cp = (cp << 6) | (c & 0x3F);
    ++pos;
  }
  return cp;
}

std::u32string utf8_to_code_points(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  std::size_t pos = 0;
  while (pos < utf8.size()) out.push_back(next_code_point(utf8, pos));
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (is_surrogate(cp) || cp > 0x10FFFF) cp = replacement_character;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string code_points_to_utf8(std::u32string_view code_points) {
  std::string out;
  out.reserve(code_points.size());
  for (char32_t cp : code_points) append_utf8(out, cp);
  return out;
}

std::optional<std::size_t> find_invalid_utf8(std::string_view bytes) {
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t start = pos;
    const char32_t cp = next_code_point(bytes, pos);
    // A genuine U+FFFD in the input is three bytes EF BF BD; a replacement for invalid input is
    // produced from a different byte count or different bytes.
    if (cp == replacement_character && bytes.substr(start, pos - start) != "\xEF\xBF\xBD")
      return start;
  }
  return std::nullopt;
}

bool is_valid_utf8(std::string_view bytes) {
  return !find_invalid_utf8(bytes);
}

std::string sanitize_utf8(std::string_view bytes) {
  return code_points_to_utf8(utf8_to_code_points(bytes));
}

// --- decoding --------------------------------------------------------------------------------

std::string decode_gsm7(ByteView septets) {
  std::string out;
  out.reserve(septets.size());
  for (std::size_t i = 0; i < septets.size(); ++i) {
    const std::uint8_t c = septets[i];
    if (c >= 0x80) {
      append_utf8(out, replacement_character);
    } else if (c != gsm_escape) {
      append_utf8(out, gsm_default[c]);
    } else if (i + 1 >= septets.size()) {
      append_utf8(out, replacement_character);  // a lone escape at the end
    } else {
      const std::uint8_t next = septets[++i];
      char32_t cp = replacement_character;
      if (next < 0x80) {
        // 03.38: an escape code without an extension character shows the default character;
        // escape-escape (reserved for a further table) shows a space.
        cp = next == gsm_escape ? U' ' : gsm_default[next];
        for (const auto& e : gsm_extension) {
          if (e.code == next) cp = e.cp;
        }
      }
      append_utf8(out, cp);
    }
  }
  return out;
}

std::string decode_latin1(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::uint8_t b : bytes) append_utf8(out, b);
  return out;
}

std::string decode_ucs2(ByteView bytes) {
  std::string out;
  out.reserve(bytes.size());
  const std::size_t units = bytes.size() / 2;
  for (std::size_t i = 0; i < units; ++i) {
    const char32_t unit = (char32_t{bytes[2 * i]} << 8) | bytes[2 * i + 1];
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 1 < units) {
      const char32_t low = (char32_t{bytes[2 * i + 2]} << 8) | bytes[2 * i + 3];
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        ++i;
        continue;
      }
    }
    append_utf8(out, is_surrogate(unit) ? replacement_character : unit);
  }
  if (bytes.size() % 2 != 0) append_utf8(out, replacement_character);
  return out;
}

std::string decode(std::uint8_t dc, ByteView bytes) {
  switch (alphabet_of(dc)) {
    case Alphabet::gsm7: {
      bool high_bit = false;
      for (std::uint8_t b : bytes) high_bit = high_bit || b >= 0x80;
      if (!high_bit) return decode_gsm7(bytes);
      const std::string_view as_text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      if (is_valid_utf8(as_text)) return std::string(as_text);
      return decode_latin1(bytes);
    }
    case Alphabet::ucs2:
      return decode_ucs2(bytes);
    case Alphabet::latin1:
    case Alphabet::octets:
      return decode_latin1(bytes);
  }
  return decode_latin1(bytes);
}

// --- encoding --------------------------------------------------------------------------------

bool gsm7_has(char32_t cp) {
  return gsm_default_code(cp).has_value() || gsm_extension_code(cp).has_value();
}

bool append_encoded(Bytes& out, char32_t cp, Encoding encoding) {
  switch (encoding) {
    case Encoding::gsm7:
      if (auto code = gsm_default_code(cp)) {
        out.push_back(*code);
        return true;
      }
      if (auto code = gsm_extension_code(cp)) {
        out.push_back(gsm_escape);
        out.push_back(*code);
        return true;
      }
      out.push_back(0x3F);  // '?' in both tables
      return false;
    case Encoding::latin1:
      if (cp <= 0xFF) {
        out.push_back(static_cast<std::uint8_t>(cp));
        return true;
      }
      out.push_back('?');
      return false;
    case Encoding::ucs2: {
      if (is_surrogate(cp) || cp > 0x10FFFF) cp = replacement_character;
      const auto push_unit = [&](char32_t unit) {
        out.push_back(static_cast<std::uint8_t>(unit >> 8));
        out.push_back(static_cast<std::uint8_t>(unit & 0xFF));
      };
      if (cp < 0x10000) {
        push_unit(cp);
      } else {
        const char32_t v = cp - 0x10000;
        push_unit(0xD800 + (v >> 10));
        push_unit(0xDC00 + (v & 0x3FF));
      }
      return true;
    }
  }
  return false;
}

Encoded encode(std::string_view utf8, Encoding encoding) {
  Encoded result;
  result.bytes.reserve(utf8.size() * (encoding == Encoding::ucs2 ? 2 : 1));
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    if (!append_encoded(result.bytes, next_code_point(utf8, pos), encoding)) ++result.replaced;
  }
  return result;
}

Encoding choose_encoding(std::u32string_view code_points, bool allow_latin1) {
  bool gsm = true;
  bool latin1 = true;
  for (char32_t cp : code_points) {
    gsm = gsm && gsm7_has(cp);
    latin1 = latin1 && cp <= 0xFF;
    if (!gsm && !latin1) break;
  }
  if (gsm) return Encoding::gsm7;
  if (allow_latin1 && latin1) return Encoding::latin1;
  return Encoding::ucs2;
}

Encoding choose_encoding(std::string_view utf8, bool allow_latin1) {
  return choose_encoding(utf8_to_code_points(utf8), allow_latin1);
}

std::size_t count_units(std::string_view utf8, Encoding encoding) {
  // In every supported encoding one unit is one octet, except UCS-2 (two octets per unit).
  const std::size_t octets = encode(utf8, encoding).bytes.size();
  return encoding == Encoding::ucs2 ? octets / 2 : octets;
}

}  // namespace lianxin::sms
