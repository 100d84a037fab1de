#include "daemon/domain/normalize.hpp"

#include <array>

namespace lianxin::domain::text {

namespace {

bool in(char32_t c, char32_t lo, char32_t hi) {
  return c >= lo && c <= hi;
}

}  // namespace

bool is_space(char32_t c) {
  return c == U' ' || in(c, U'\t', U'\r') || c == 0xA0 || c == 0x1680 || in(c, 0x2000, 0x200B) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

bool is_punctuation(char32_t c) {
  if (c < 0x80) {
    return in(c, U'!', U'/') || in(c, U':', U'@') || in(c, U'[', U'`') || in(c, U'{', U'~');
  }
  return in(c, 0xA1, 0xBF) || c == 0xD7 || c == 0xF7 ||     // Latin-1 signs: ¡ · « » × ÷
         in(c, 0x200C, 0x200F) ||                           // joiners and marks
         in(c, 0x2010, 0x2027) || in(c, 0x2030, 0x205E) ||  // general punctuation
         in(c, 0x2190, 0x2BFF) ||                           // arrows, symbols, dingbats
         in(c, 0x3001, 0x3006) ||
         in(c, 0x3008, 0x3020) ||  // CJK punctuation 、。〈〉《》「」【】〔〕
         c == 0x3030 || c == 0x303D || c == 0x30FB ||       // 〰 〽 ・
         in(c, 0xFE00, 0xFE0F) ||                           // variation selectors (emoji)
         in(c, 0xFE10, 0xFE1F) || in(c, 0xFE30, 0xFE6F) ||  // vertical and small forms
         in(c, 0xFF01, 0xFF0F) || in(c, 0xFF1A, 0xFF20) || in(c, 0xFF3B, 0xFF40) ||
         in(c, 0xFF5B, 0xFF65) || in(c, 0xFFE0, 0xFFEE) ||  // full-width punctuation and signs
         in(c, 0x1F000, 0x1FAFF);                           // emoji and pictographs
}

bool is_ascii_digit(char32_t c) {
  return in(c, U'0', U'9');
}
bool is_ascii_alpha(char32_t c) {
  return in(c, U'A', U'Z') || in(c, U'a', U'z');
}

bool is_cjk_ideograph(char32_t c) {
  return in(c, 0x4E00, 0x9FFF) || in(c, 0x3400, 0x4DBF) || in(c, 0xF900, 0xFAFF) ||
         in(c, 0x20000, 0x2FA1F) || c == 0x3007;
}

char32_t to_upper_ascii(char32_t c) {
  return in(c, U'a', U'z') ? c - (U'a' - U'A') : c;
}

char32_t to_half_width(char32_t c) {
  if (in(c, 0xFF01, 0xFF5E)) return c - 0xFEE0;
  switch (c) {
    case 0x3000:
      return U' ';
    case 0x3002:  // 。
    case 0xFF61:  // ｡
      return U'.';
    case 0x3001:  // 、
    case 0xFF64:  // ､
      return U',';
    default:
      return c;
  }
}

std::string to_half_width(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  Utf8Reader reader(utf8);
  while (!reader.done()) sms::append_utf8(out, to_half_width(reader.next()));
  return out;
}

std::string collapse_whitespace(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;
  Utf8Reader reader(utf8);
  while (!reader.done()) {
    const char32_t c = reader.next();
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    sms::append_utf8(out, c);
  }
  return out;
}

namespace {

bool is_trimmable(char32_t c) {
  return is_space(c) || is_punctuation(c);
}

template <typename Str>
Str trim_if(const Str& s, bool (*pred)(char32_t)) {
  std::size_t b = 0, e = s.size();
  while (b < e && pred(s[b])) ++b;
  while (e > b && pred(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::string strip_surrounding_punctuation(std::string_view utf8) {
  return sms::code_points_to_utf8(trim_if(sms::utf8_to_code_points(utf8), &is_trimmable));
}

MatchText prepare_for_matching(std::string_view utf8) {
  MatchText m;
  m.key.reserve(utf8.size());
  m.original.reserve(utf8.size());
  bool pending_space = false;
  Utf8Reader reader(utf8);
  while (!reader.done()) {
    const char32_t raw = reader.next();
    const char32_t half = to_half_width(raw);
    if (is_space(half)) {
      pending_space = !m.key.empty();
      continue;
    }
    if (pending_space) {
      m.key.push_back(U' ');
      m.original.push_back(U' ');
    }
    pending_space = false;
    m.key.push_back(to_upper_ascii(half));
    m.original.push_back(raw);
  }
  std::size_t b = 0, e = m.key.size();
  while (b < e && is_trimmable(m.key[b])) ++b;
  while (e > b && is_trimmable(m.key[e - 1])) --e;
  m.key = m.key.substr(b, e - b);
  m.original = m.original.substr(b, e - b);
  return m;
}

std::string normalize_for_matching(std::string_view utf8) {
  return sms::code_points_to_utf8(prepare_for_matching(utf8).key);
}

std::optional<int> chinese_digit(char32_t c) {
  switch (c) {
    case U'〇':
    case U'零':
      return 0;
    case U'一':
    case U'壹':
      return 1;
    case U'二':
    case U'两':
    case U'兩':
    case U'贰':
      return 2;
    case U'三':
    case U'叁':
      return 3;
    case U'四':
    case U'肆':
      return 4;
    case U'五':
    case U'伍':
      return 5;
    case U'六':
    case U'陆':
      return 6;
    case U'七':
    case U'柒':
      return 7;
    case U'八':
    case U'捌':
      return 8;
    case U'九':
    case U'玖':
      return 9;
    default:
      return std::nullopt;
  }
}

std::optional<std::int64_t> chinese_unit(char32_t c) {
  switch (c) {
    case U'十':
    case U'拾':
      return 10;
    case U'百':
    case U'佰':
      return 100;
    case U'千':
    case U'仟':
      return 1000;
    case U'万':
    case U'萬':
      return 10000;
    case U'亿':
    case U'億':
      return 100000000;
    default:
      return std::nullopt;
  }
}

bool is_chinese_numeral_char(char32_t c) {
  return chinese_digit(c).has_value() || chinese_unit(c).has_value();
}

namespace {

constexpr std::int64_t kMaxNumber = 999'999'999'999;

std::optional<std::int64_t> digit_by_digit(std::u32string_view cps) {
  if (cps.size() > 12) return std::nullopt;
  std::int64_t value = 0;
  for (char32_t c : cps) value = value * 10 + *chinese_digit(c);
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_chinese_number(std::u32string_view cps) {
  if (cps.empty()) return std::nullopt;
  bool has_unit = false;
  for (char32_t c : cps) {
    if (!is_chinese_numeral_char(c)) return std::nullopt;
    if (chinese_unit(c)) has_unit = true;
  }
  if (!has_unit) return digit_by_digit(cps);

  std::int64_t total = 0;    // completed 万/亿 groups
  std::int64_t section = 0;  // below 万
  std::optional<int> pending;
  std::int64_t last_small_unit = 0;  // 十/百/千 of the current section
  std::int64_t last_unit = 0;        // most recent unit of any size
  bool zero_seen = false;            // 零 since the last unit: "一百零五" is 105, not 150
  bool wan_seen = false, yi_seen = false;
  for (char32_t c : cps) {
    if (const auto d = chinese_digit(c)) {
      if (pending) return std::nullopt;  // "一二十"
      if (*d == 0) {
        zero_seen = true;
        continue;
      }
      pending = *d;
      continue;
    }
    const std::int64_t unit = *chinese_unit(c);
    if (unit >= 10000) {
      section += pending.value_or(0);
      pending.reset();
      if (section == 0 && total == 0) return std::nullopt;  // "万"
      if (unit == 10000) {
        if (wan_seen) return std::nullopt;
        wan_seen = true;
        total += section * unit;
      } else {
        if (yi_seen) return std::nullopt;
        yi_seen = true;
        wan_seen = false;
        if (total + section > kMaxNumber / unit) return std::nullopt;
        total = (total + section) * unit;
      }
      section = 0;
      last_small_unit = 0;
    } else {
      if (last_small_unit != 0 && unit >= last_small_unit) return std::nullopt;  // "十十"
      int digit = 0;
      if (pending) {
        digit = *pending;
      } else if (unit == 10 && (section == 0 || zero_seen)) {
        digit = 1;  // "十二" is 12
      } else {
        return std::nullopt;  // "百", "二十百"
      }
      pending.reset();
      section += digit * unit;
      last_small_unit = unit;
    }
    last_unit = unit;
    zero_seen = false;
    if (total > kMaxNumber) return std::nullopt;
  }
  std::int64_t tail = 0;
  if (pending) {
    // Colloquial "一百二" = 120, "两万三" = 23000: a trailing digit right after a unit above 十
    // counts in the next lower place.
    tail = (!zero_seen && last_unit > 10) ? *pending * (last_unit / 10) : *pending;
  }
  const std::int64_t value = total + section + tail;
  if (value > kMaxNumber) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_chinese_number(std::string_view utf8) {
  return parse_chinese_number(sms::utf8_to_code_points(utf8));
}

std::optional<std::int64_t> parse_number(std::string_view utf8) {
  const std::u32string key = prepare_for_matching(utf8).key;
  if (key.empty()) return std::nullopt;
  if (is_ascii_digit(key[0])) {
    if (key.size() > 12) return std::nullopt;
    std::int64_t value = 0;
    for (char32_t c : key) {
      if (!is_ascii_digit(c)) return std::nullopt;
      value = value * 10 + (c - U'0');
    }
    return value;
  }
  return parse_chinese_number(std::u32string_view(key));
}

}  // namespace lianxin::domain::text
