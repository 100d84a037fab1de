#pragma once
// Text normalisation for matching what people type on phones: UTF-8 decoding that never fails,
// full-width → half-width, whitespace and punctuation clean-up, Chinese numerals.
// Pure functions; invalid UTF-8 is replaced by U+FFFD (protocol/text.hpp: the one decoder).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/text.hpp"

namespace lianxin::domain::text {

// Walks UTF-8 one code point at a time with the one decoder (sms::next_code_point: each
// maximal invalid subsequence is one U+FFFD), keeping the byte offset of the next code point.
class Utf8Reader {
 public:
  explicit Utf8Reader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return pos_ >= bytes_.size(); }
  std::size_t position() const { return pos_; }  // byte offset of the next code point
  char32_t next() { return sms::next_code_point(bytes_, pos_); }  // precondition: !done()

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// ---- Character classes ----
bool is_space(char32_t c);        // ASCII whitespace, U+00A0, U+3000, U+2000..U+200B, U+FEFF
bool is_punctuation(char32_t c);  // ASCII and CJK punctuation/symbols (not letters/digits/CJK)
bool is_ascii_digit(char32_t c);
bool is_ascii_alpha(char32_t c);
bool is_cjk_ideograph(char32_t c);  // CJK Unified Ideographs (+ Ext A, compatibility) and 〇
char32_t to_upper_ascii(char32_t c);

// Full-width forms U+FF01..U+FF5E → ASCII, U+3000 → ' ', 。→ '.', 、→ ',', ｡ → '.'; other
// characters unchanged.
char32_t to_half_width(char32_t c);
std::string to_half_width(std::string_view utf8);

// Every run of whitespace becomes one ASCII space; leading/trailing whitespace removed.
std::string collapse_whitespace(std::string_view utf8);

// Removes whitespace and punctuation at both ends ("，接123。" → "接123").
std::string strip_surrounding_punctuation(std::string_view utf8);

// Full clean-up for matching: half-width, Latin upper-cased (pinyin initials "jd" → "JD"),
// whitespace collapsed, surrounding whitespace/punctuation stripped. Invalid bytes → U+FFFD.
std::string normalize_for_matching(std::string_view utf8);

// A message prepared for parsing. `key` is the normalised form (half-width, upper-case,
// whitespace collapsed, surrounding punctuation and whitespace stripped); `original[i]` is the
// code point of the original text that produced key[i] (same length), so notes can be cut
// from the user's own characters.
struct MatchText {
  std::u32string key;
  std::u32string original;
};
MatchText prepare_for_matching(std::string_view utf8);

// ---- Numbers ----
// 0..9 for 〇零一二两三四五六七八九 and the financial forms 壹贰叁肆伍陆柒捌玖 (and 兩); nullopt
// else.
std::optional<int> chinese_digit(char32_t c);
// 10/100/1000/10000/100000000 for 十拾百佰千仟万萬亿億; nullopt else.
std::optional<std::int64_t> chinese_unit(char32_t c);
bool is_chinese_numeral_char(char32_t c);

// The whole string as a Chinese numeral: "五" → 5, "十二" → 12, "一百二十三" → 123, "两" → 2,
// "一百零五" → 105, "一百二" → 120 (colloquial), "两万三" → 23000, "一二三" → 123 (digit by
// digit, as numbers are read aloud), "零"/"〇" → 0. Malformed ("十十", "百") or above
// 999,999,999,999 → nullopt.
std::optional<std::int64_t> parse_chinese_number(std::u32string_view cps);
std::optional<std::int64_t> parse_chinese_number(std::string_view utf8);

// ASCII digits (after half-width folding; at most 12) or a Chinese numeral, the whole string.
std::optional<std::int64_t> parse_number(std::string_view utf8);

}  // namespace lianxin::domain::text
