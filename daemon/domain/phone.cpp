#include "daemon/domain/phone.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {

namespace {

constexpr std::size_t kMaxRawDigits = 24;
constexpr std::string_view kChina = "86";

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool is_china_mobile(std::string_view n) {
  return n.size() == 11 && n[0] == '1' && n[1] >= '3' && n[1] <= '9';
}

// National significant number of a landline, without the trunk 0: area code 10 or 2x (then 8
// digits) or a 3-digit area code 3xx..9xx (then 7 or 8 digits).
bool is_china_landline(std::string_view n) {
  if (starts_with(n, "10") || starts_with(n, "2")) return n.size() == 10;
  return n.size() >= 10 && n.size() <= 11 && n[0] >= '3' && n[0] <= '9';
}

bool is_china_service(std::string_view d) {
  if (starts_with(d, "106")) return d.size() >= 5 && d.size() <= 21;
  if (d[0] == '1') return d.size() >= 3 && d.size() <= 6;
  if (d[0] == '9') return d.size() >= 5 && d.size() <= 8;
  return false;
}

std::optional<PhoneNumber> china_after_country_code(std::string_view n) {
  if (is_china_mobile(n)) return PhoneNumber{"+86" + std::string(n), NumberKind::mobile};
  if (starts_with(n, "0")) n.remove_prefix(1);  // "+86 (0)571 ..." is written in the wild
  if (is_china_landline(n)) return PhoneNumber{"+86" + std::string(n), NumberKind::landline};
  return std::nullopt;
}

std::optional<PhoneNumber> international(std::string_view d) {
  if (starts_with(d, kChina)) return china_after_country_code(d.substr(kChina.size()));
  if (d.empty() || d[0] == '0' || d.size() < 8 || d.size() > 15) return std::nullopt;
  return PhoneNumber{"+" + std::string(d), NumberKind::other};
}

std::optional<PhoneNumber> china_national(std::string_view d) {
  if (is_china_mobile(d)) return PhoneNumber{"+86" + std::string(d), NumberKind::mobile};
  if (starts_with(d, kChina) && d.size() >= 12 && d.size() <= 13) {
    return china_after_country_code(d.substr(kChina.size()));
  }
  if (d[0] == '0') {
    const std::string_view n = d.substr(1);
    if (is_china_landline(n)) return PhoneNumber{"+86" + std::string(n), NumberKind::landline};
    return std::nullopt;
  }
  if (is_china_service(d)) return PhoneNumber{std::string(d), NumberKind::service};
  return std::nullopt;
}

std::optional<PhoneNumber> other_national(std::string_view d, std::string_view cc) {
  if (d[0] != '0' && d.size() >= 3 && d.size() <= 6) {
    return PhoneNumber{std::string(d), NumberKind::service};
  }
  if (d[0] == '0') d.remove_prefix(1);
  const std::size_t total = cc.size() + d.size();
  if (d.empty() || d[0] == '0' || total < 8 || total > 15) return std::nullopt;
  return PhoneNumber{"+" + std::string(cc) + std::string(d), NumberKind::other};
}

// Digits of the raw text, or nullopt when it holds anything but digits, one leading '+' and
// separators.
struct RawDigits {
  std::string digits;
  bool plus = false;
};

std::optional<RawDigits> extract_digits(std::string_view raw) {
  RawDigits out;
  text::Utf8Reader reader(raw);
  while (!reader.done()) {
    const char32_t c = text::to_half_width(reader.next());
    if (text::is_ascii_digit(c)) {
      if (out.digits.size() >= kMaxRawDigits) return std::nullopt;
      out.digits.push_back(static_cast<char>(c));
    } else if (c == U'+' && out.digits.empty() && !out.plus) {
      out.plus = true;
    } else if (text::is_space(c) || c == U'-' || c == U'.' || c == U'(' || c == U')' || c == U'/' ||
               c == U'\u2010' || c == U'\u2013' || c == U'\u2014') {
      continue;
    } else {
      return std::nullopt;
    }
  }
  if (out.digits.empty()) return std::nullopt;
  return out;
}

std::string mask_digits(std::string_view d) {
  const std::size_t n = d.size();
  if (n >= 11) {
    return std::string(d.substr(0, n - 8)) + "****" + std::string(d.substr(n - 4));
  }
  if (n >= 7)
    return std::string(d.substr(0, 2)) + std::string(n - 4, '*') + std::string(d.substr(n - 2));
  return std::string(n, '*');
}

}  // namespace

std::optional<PhoneNumber> parse_phone_number(std::string_view raw,
                                              std::string_view default_country_code) {
  if (!all_digits(default_country_code) || default_country_code.size() > 3 ||
      default_country_code[0] == '0') {
    return std::nullopt;
  }
  const auto raw_digits = extract_digits(raw);
  if (!raw_digits) return std::nullopt;
  std::string_view d = raw_digits->digits;
  // "+0086 ..." (a '+' and the international prefix both) is written in the wild too.
  if (starts_with(d, "00")) return international(d.substr(2));
  if (raw_digits->plus) return international(d);
  if (default_country_code == kChina) return china_national(d);
  return other_national(d, default_country_code);
}

std::optional<std::string> normalize_e164(std::string_view raw,
                                          std::string_view default_country_code) {
  auto parsed = parse_phone_number(raw, default_country_code);
  if (!parsed) return std::nullopt;
  return std::move(parsed->canonical);
}

bool is_service_number(std::string_view canonical) {
  return !canonical.empty() && canonical[0] != '+' && all_digits(canonical);
}

std::string display_national(std::string_view number, std::string_view country_code) {
  const auto parsed = parse_phone_number(number, country_code);
  if (!parsed) return std::string(number);
  const std::string& c = parsed->canonical;
  if (parsed->kind == NumberKind::service) return c;
  const std::string own_prefix = "+" + std::string(country_code);
  if (!starts_with(c, own_prefix)) return c;
  const std::string national = c.substr(own_prefix.size());
  if (parsed->kind == NumberKind::mobile) return national;
  return "0" + national;  // landline, or another country's national number: trunk prefix 0
}

std::string mask_number(std::string_view number, std::string_view country_code) {
  const auto parsed = parse_phone_number(number, country_code);
  if (!parsed) {
    // Never echo what we cannot parse: one '*' per code point, at most 20.
    const std::size_t length = std::min<std::size_t>(sms::utf8_to_code_points(number).size(), 20);
    return std::string(std::max<std::size_t>(length, 4), '*');
  }
  if (parsed->kind == NumberKind::service) return parsed->canonical;
  const std::string shown = display_national(parsed->canonical, country_code);
  if (!shown.empty() && shown[0] == '+')
    return "+" + mask_digits(std::string_view(shown).substr(1));
  return mask_digits(shown);
}

// ---- Free text in logs ----

namespace {

// A run of digits (ASCII or full-width), with a '+' right before it, in code point offsets.
struct DigitGroup {
  std::size_t begin, end;
};

bool digit_like(char32_t c) {
  return text::is_ascii_digit(text::to_half_width(c));
}

bool joins_groups(char32_t c) {  // what people put between digit groups of one number
  c = text::to_half_width(c);
  return c == U' ' || c == U'-' || c == U'.' || c == U'(' || c == U')' || c == U'/';
}

}  // namespace

namespace {

std::string mask_numbers_once(std::string_view text, std::string_view country_code) {
  const std::u32string cps = sms::utf8_to_code_points(text);
  std::vector<DigitGroup> groups;
  for (std::size_t i = 0; i < cps.size();) {
    if (!digit_like(cps[i])) {
      ++i;
      continue;
    }
    const std::size_t first_digit = i;
    while (i < cps.size() && digit_like(cps[i])) ++i;
    // Digits glued to Latin letters are a word (an id such as "a1380000000b"), not a number.
    const bool in_word =
        (first_digit > 0 && text::is_ascii_alpha(text::to_half_width(cps[first_digit - 1]))) ||
        (i < cps.size() && text::is_ascii_alpha(text::to_half_width(cps[i])));
    std::size_t begin = first_digit;
    if (begin > 0 && text::to_half_width(cps[begin - 1]) == U'+') --begin;
    if (!in_word) groups.push_back({begin, i});
  }
  // Groups of one number are separated by at most one joining character.
  auto chained = [&](const DigitGroup& a, const DigitGroup& b) {
    return b.begin == a.end || (b.begin == a.end + 1 && joins_groups(cps[a.end]));
  };
  std::string out;
  std::size_t copied = 0;  // code points of `cps` already in `out`
  for (std::size_t s = 0; s < groups.size();) {
    // The longest chain of groups from s that reads as a personal number.
    std::optional<std::size_t> best;
    std::string masked;
    for (std::size_t e = s; e < groups.size(); ++e) {
      if (e > s && !chained(groups[e - 1], groups[e])) break;
      const std::size_t span = groups[e].end - groups[s].begin;
      if (span > 24) break;
      const std::string raw =
          sms::code_points_to_utf8(std::u32string_view(cps).substr(groups[s].begin, span));
      const auto parsed = parse_phone_number(raw, country_code);
      if (parsed && (parsed->kind == NumberKind::mobile || parsed->kind == NumberKind::landline ||
                     parsed->kind == NumberKind::other)) {
        best = e;
        masked = mask_number(parsed->canonical, country_code);
      }
    }
    if (!best) {
      ++s;
      continue;
    }
    out +=
        sms::code_points_to_utf8(std::u32string_view(cps).substr(copied, groups[s].begin - copied));
    out += masked;
    copied = groups[*best].end;
    s = *best + 1;
  }
  if (copied == 0) return std::string(text);
  out += sms::code_points_to_utf8(std::u32string_view(cps).substr(copied));
  return out;
}

}  // namespace

std::string mask_numbers_in_text(std::string_view text, std::string_view country_code) {
  // Until nothing changes: digits left beside a masked number ("138****1234 5678") could chain
  // into another number. Each pass only turns digits into '*', so it ends.
  std::string out = mask_numbers_once(text, country_code);
  for (int pass = 0; pass < 8; ++pass) {
    std::string again = mask_numbers_once(out, country_code);
    if (again == out) break;
    out = std::move(again);
  }
  return out;
}

std::string quote_for_log(std::string_view text, std::size_t max_code_points) {
  const std::u32string cps = sms::utf8_to_code_points(mask_numbers_in_text(text));
  std::string out = "\"";
  std::size_t n = 0;
  for (char32_t c : cps) {
    if (n++ == max_code_points) {
      out += "…";
      break;
    }
    if (c == U'"' || c == U'\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == U'\n') {
      out += "\\n";
    } else if (c == U'\r') {
      out += "\\r";
    } else if (c == U'\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029) {
      char buf[12];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
      out += buf;
    } else {
      sms::append_utf8(out, c);
    }
  }
  return out + "\"";
}

}  // namespace lianxin::domain
