#include "config/cell_checks.hpp"

#include <algorithm>

#include "daemon/domain/normalize.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::config {
namespace {

constexpr std::string_view kTextColumnFix =
    "format the column as text (设置单元格格式 → 文本), type the numbers again and save as CSV "
    "UTF-8";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length of the run of ASCII digits at s[i...].
std::size_t digits_at(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  while (i + n < s.size() && is_digit(s[i + n])) ++n;
  return n;
}

// "1.38E+10", "1.38001e10", "13800000001E+0": a mantissa, 'E', an optional sign, an exponent.
bool scientific(std::string_view s) {
  std::size_t i = digits_at(s, 0);
  if (i == 0) return false;
  if (i < s.size() && s[i] == '.') {
    const std::size_t fraction = digits_at(s, i + 1);
    if (fraction == 0) return false;
    i += 1 + fraction;
  }
  if (i >= s.size() || (s[i] != 'E' && s[i] != 'e')) return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::size_t exponent = digits_at(s, i);
  return exponent > 0 && i + exponent == s.size();
}

// "13800000001.0", "1380000000.5": digits, one point, one or two digits (no phone number is
// grouped like that; a point between groups is "138.0000.0001").
bool decimal_ending(std::string_view s) {
  const std::size_t whole = digits_at(s, 0);
  if (whole < 5 || whole >= s.size() || s[whole] != '.') return false;
  const std::size_t fraction = digits_at(s, whole + 1);
  return fraction >= 1 && fraction <= 2 && whole + 1 + fraction == s.size();
}

// Windows-1252 characters for bytes 0x80..0x9F: with U+0080..U+00BF they are what UTF-8
// continuation bytes become when UTF-8 is read as Windows-1252.
bool cp1252_continuation(char32_t c) {
  if (c >= 0x80 && c <= 0xBF) return true;
  static constexpr char32_t kHigh[] = {0x20AC, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017D, 0x2018,
                                       0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
                                       0x2122, 0x0161, 0x203A, 0x0153, 0x017E, 0x0178};
  return std::find(std::begin(kHigh), std::end(kHigh), c) != std::end(kHigh);
}

}  // namespace

std::optional<std::string> excel_number_problem(std::string_view cell) {
  if (scientific(cell)) {
    return "\"" + std::string(cell) +
           "\" is a number Excel shows in scientific notation, and its last digits are lost "
           "(Excel 把号码当成了数字): " +
           std::string(kTextColumnFix);
  }
  if (decimal_ending(cell)) {
    return "\"" + std::string(cell) +
           "\" ends in a decimal point: Excel or another program stored the phone number as a "
           "number (Excel 把号码当成了数字); remove the \"." +
           std::string(cell.substr(cell.rfind('.') + 1)) + "\", or " + std::string(kTextColumnFix);
  }
  return std::nullopt;
}

std::optional<std::string> lost_leading_zero(std::string_view cell,
                                             std::string_view default_country) {
  if (cell.empty() || cell[0] == '0' || digits_at(cell, 0) != cell.size()) return std::nullopt;
  if (domain::parse_phone_number(cell, default_country)) return std::nullopt;
  const std::string with_zero = "0" + std::string(cell);
  auto parsed = domain::parse_phone_number(with_zero, default_country);
  if (!parsed || parsed->kind != domain::NumberKind::landline) return std::nullopt;
  return "Excel dropped the leading 0 of " + with_zero +
         " (它把号码当成了数字): " + std::string(kTextColumnFix);
}

std::optional<std::string> mojibake_problem(std::string_view cell) {
  if (cell.find("锟斤拷") != std::string_view::npos) {
    return "holds 锟斤拷, what lost characters (U+FFFD) look like read as GBK";
  }
  const std::u32string cps = sms::utf8_to_code_points(cell);
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    if (c == sms::replacement_character) {
      return std::string("holds \xEF\xBF\xBD (U+FFFD), left where a conversion lost characters");
    }
    if (c >= 0xE000 && c <= 0xF8FF) {
      return "holds a private-use character, what UTF-8 text becomes when read as GBK";
    }
    if (c >= 0x80 && c <= 0x9F) return "holds a control character (U+0080..U+009F)";
    if (c >= 0xC2 && c <= 0xEF && i + 1 < cps.size() && cp1252_continuation(cps[i + 1])) {
      return "looks like UTF-8 read as Latin-1/Windows-1252 (\"å¼ ä¸‰\" for 张三)";
    }
  }
  return std::nullopt;
}

}  // namespace lianxin::config
