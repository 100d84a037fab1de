#include "config/spreadsheet_text.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdio>
#include <optional>

namespace lianxin::config {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kSaveAsCsvUtf8 =
    "in Excel: 文件 → 另存为 → 「CSV UTF-8(逗号分隔)(*.csv)」";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string hex_byte(char c) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(c));
  return hex;
}

// A physical line [begin, end) of the bytes and its 1-based number; line breaks are CRLF, LF or
// a lone CR, as the CSV reader counts them.
struct Line {
  std::size_t begin, end, number;
};

std::vector<Line> physical_lines(std::string_view bytes) {
  std::vector<Line> lines;
  std::size_t begin = 0, number = 1;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\n' && bytes[i] != '\r') continue;
    lines.push_back({begin, i, number++});
    if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
    begin = i + 1;
  }
  if (begin < bytes.size()) lines.push_back({begin, bytes.size(), number});
  return lines;
}

// The error at the end of `utf8` (what was decoded before a problem): its line and column.
CsvError error_after(std::string_view utf8, std::string message) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if (utf8[i] != '\n' && utf8[i] != '\r') continue;
    if (utf8[i] == '\r' && i + 1 < utf8.size() && utf8[i + 1] == '\n') ++i;
    ++line;
    line_start = i + 1;
  }
  return CsvError{line, code_points_in(utf8.substr(line_start)) + 1, std::move(message)};
}

// Three-byte UTF-8 sequences of CJK ideographs (U+3400..U+9FFF) in valid UTF-8: two of them on
// one line almost never happen by chance in GBK bytes, so such a line is UTF-8.
std::size_t cjk_sequences(std::string_view utf8) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c >= 0xE3 && c <= 0xE9 && i + 2 < utf8.size()) {
      count += (c > 0xE3 || static_cast<unsigned char>(utf8[i + 1]) >= 0x90) ? 1 : 0;
      i += 2;
    }
  }
  return count;
}

// What glibc's iconv(3) made of the bytes: the UTF-8 up to where it stopped, if it did.
struct Conversion {
  std::string utf8;
  std::optional<std::size_t> stopped_at;  // byte offset of the input
  bool cut_short = false;                 // the input ends inside a character
};

Conversion convert_to_utf8(std::string_view bytes, const char* from) {
  Conversion result;
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {  // glibc always has these; never expected
    result.stopped_at = 0;
    return result;
  }
  struct Closer {
    iconv_t cd;
    ~Closer() { iconv_close(cd); }
  } closer{cd};
  char* in = const_cast<char*>(bytes.data());  // iconv does not write through it
  std::size_t in_left = bytes.size();
  std::string& out = result.utf8;
  out.resize(bytes.size() * 2 + 16);  // UTF-16 and GB18030 grow at most 1.5 times
  std::size_t used = 0;
  while (in_left > 0) {
    char* out_ptr = out.data() + used;
    std::size_t out_left = out.size() - used;
    const std::size_t rc = iconv(cd, &in, &in_left, &out_ptr, &out_left);
    used = static_cast<std::size_t>(out_ptr - out.data());
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    result.stopped_at = bytes.size() - in_left;
    result.cut_short = errno == EINVAL;
    break;
  }
  out.resize(used);
  return result;
}

DecodedText utf16(std::string_view body, const char* name, TextEncoding encoding) {
  DecodedText result;
  result.encoding = encoding;
  Conversion converted = convert_to_utf8(body, name);
  if (converted.stopped_at) {
    result.errors.push_back(error_after(
        converted.utf8, converted.cut_short
                            ? "the file ends inside a character: a UTF-16 file cut short?"
                            : "not valid UTF-16 (a broken character); save the sheet again " +
                                  std::string(kSaveAsCsvUtf8)));
    return result;
  }
  result.text = std::move(converted.utf8);
  return result;
}

// Text that is not valid UTF-8 throughout: rows pasted in from a file in another encoding (some
// lines clearly UTF-8, or a UTF-8 byte order mark), else GBK/GB18030 as a whole.
DecodedText not_utf8(std::string_view body, bool bom) {
  DecodedText result;
  std::vector<Line> utf8_lines, bad_lines;
  std::vector<std::size_t> bad_offsets;
  for (const Line& line : physical_lines(body)) {
    const std::string_view text = body.substr(line.begin, line.end - line.begin);
    if (auto bad = find_invalid_utf8(text)) {
      bad_lines.push_back(line);
      bad_offsets.push_back(*bad);
    } else if (cjk_sequences(text) >= 2) {
      utf8_lines.push_back(line);
    }
  }
  if (bom || (!utf8_lines.empty() && utf8_lines.size() >= bad_lines.size())) {
    result.encoding = bom ? TextEncoding::utf8_bom : TextEncoding::utf8;
    for (std::size_t i = 0; i < bad_lines.size(); ++i) {
      const Line& line = bad_lines[i];
      const std::string_view before = body.substr(line.begin, bad_offsets[i]);
      result.errors.push_back(
          {line.number, code_points_in(before) + 1,
           "not valid UTF-8 (byte " + hex_byte(body[line.begin + bad_offsets[i]]) +
               ") like the rest of the file: a row in another encoding (GBK?) pasted in, whose "
               "names would come out as mojibake (乱码); type the row again"});
    }
    return result;
  }
  if (!utf8_lines.empty()) {
    result.encoding = TextEncoding::gb18030;
    for (const Line& line : utf8_lines) {
      result.errors.push_back({line.number, 0,
                               "this row is UTF-8 but the rest of the file is GBK: a row pasted "
                               "in from another file, whose names would come out as mojibake "
                               "(乱码); type the row again, then save the file " +
                                   std::string(kSaveAsCsvUtf8)});
    }
    return result;
  }
  result.encoding = TextEncoding::gb18030;
  Conversion converted = convert_to_utf8(body, "GB18030");
  if (converted.stopped_at) {
    result.errors.push_back(error_after(
        converted.utf8, "neither UTF-8 nor GBK (byte " + hex_byte(body[*converted.stopped_at]) +
                            "): save the sheet " + std::string(kSaveAsCsvUtf8)));
    return result;
  }
  result.text = std::move(converted.utf8);
  return result;
}

}  // namespace

std::string_view encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::utf8:
      return "UTF-8";
    case TextEncoding::utf8_bom:
      return "UTF-8 with BOM";
    case TextEncoding::gb18030:
      return "GBK/GB18030";
    case TextEncoding::utf16le:
      return "UTF-16LE";
    case TextEncoding::utf16be:
      return "UTF-16BE";
  }
  return "?";
}

DecodedText decode_spreadsheet_text(std::string_view bytes) {
  DecodedText result;
  if (starts_with(bytes, "PK\x03\x04") || starts_with(bytes, "\xD0\xCF\x11\xE0")) {
    result.errors.push_back({0, 0,
                             std::string("an Excel workbook (.xlsx/.xls), not a CSV file: save "
                                         "each sheet ") +
                                 std::string(kSaveAsCsvUtf8)});
    return result;
  }
  if (starts_with(bytes, "\xFF\xFE"))
    return utf16(bytes.substr(2), "UTF-16LE", TextEncoding::utf16le);
  if (starts_with(bytes, "\xFE\xFF"))
    return utf16(bytes.substr(2), "UTF-16BE", TextEncoding::utf16be);
  const bool bom = starts_with(bytes, kUtf8Bom);
  const std::string_view body = bom ? bytes.substr(kUtf8Bom.size()) : bytes;
  if (find_invalid_utf8(body)) return not_utf8(body, bom);
  result.text = std::string(body);
  result.encoding = bom ? TextEncoding::utf8_bom : TextEncoding::utf8;
  return result;
}

char detect_separator(std::string_view text) {
  std::size_t begin = 0;
  while (begin < text.size() && (text[begin] == '\n' || text[begin] == '\r')) ++begin;
  const std::size_t end = text.find_first_of("\r\n", begin);
  const std::string_view first =
      text.substr(begin, end == std::string_view::npos ? end : end - begin);
  return first.find('\t') != std::string_view::npos && first.find(',') == std::string_view::npos
             ? '\t'
             : ',';
}

SpreadsheetCsv read_spreadsheet_csv(std::string_view bytes) {
  SpreadsheetCsv result;
  DecodedText decoded = decode_spreadsheet_text(bytes);
  result.encoding = decoded.encoding;
  if (!decoded.errors.empty()) {
    result.errors = std::move(decoded.errors);
    return result;
  }
  result.separator = detect_separator(decoded.text);
  CsvParseResult parsed = parse_csv(decoded.text, result.separator);
  if (parsed.error) {
    result.errors.push_back(std::move(*parsed.error));
    return result;
  }
  result.records = std::move(parsed.records);
  return result;
}

}  // namespace lianxin::config
