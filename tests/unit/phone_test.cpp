#include "daemon/domain/phone.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

namespace lianxin::domain {
namespace {

struct PhoneCase {
  std::string raw;
  std::optional<std::string> canonical;
  NumberKind kind = NumberKind::mobile;
};

std::ostream& operator<<(std::ostream& os, const PhoneCase& c) {
  return os << "raw=" << c.raw;
}

const std::vector<PhoneCase> kChinaCases = {
    // One mobile, every way people and SMSCs write it.
    {"13800000001", "+8613800000001"},
    {"8613800000001", "+8613800000001"},
    {"+8613800000001", "+8613800000001"},
    {"008613800000001", "+8613800000001"},
    {"+86 138-0000-0001", "+8613800000001"},
    {"+86 138 0000 0001", "+8613800000001"},
    {"138 0000 0001", "+8613800000001"},
    {"138-0000-0001", "+8613800000001"},
    {"(+86) 13800000001", "+8613800000001"},
    {"  13800000001  ", "+8613800000001"},
    {"１３８０００００００１", "+8613800000001"},
    {"１３８００００００００１", std::nullopt},  // 12 digits: one zero too many
    {"＋８６１３８０００００００１", "+8613800000001"},
    {"１３８－００００－０００１", "+8613800000001"},
    {"138\u30000000\u30000001", "+8613800000001"},  // ideographic spaces
    {"0086 138 0000 0001", "+8613800000001"},
    {"+0086 138 0000 0001", "+8613800000001"},  // '+' and the international prefix both
    {"19912345678", "+8619912345678"},
    {"15057112345", "+8615057112345"},
    // Landlines with area code.
    {"0571-87654321", "+8657187654321", NumberKind::landline},
    {"057187654321", "+8657187654321", NumberKind::landline},
    {"(0571) 87654321", "+8657187654321", NumberKind::landline},
    {"010-12345678", "+861012345678", NumberKind::landline},
    {"021-61234567", "+862161234567", NumberKind::landline},
    {"0570-6012345", "+865706012345", NumberKind::landline},
    {"+86 571 8765 4321", "+8657187654321", NumberKind::landline},
    {"+86 (0)571 87654321", "+8657187654321", NumberKind::landline},
    {"8657187654321", "+8657187654321", NumberKind::landline},
    {"０５７１－８７６５４３２１", "+8657187654321", NumberKind::landline},
    // Service numbers are kept as they are.
    {"12345", "12345", NumberKind::service},
    {"110", "110", NumberKind::service},
    {"10086", "10086", NumberKind::service},
    {"95588", "95588", NumberKind::service},
    {"106900001234", "106900001234", NumberKind::service},
    {"10690000123", "10690000123", NumberKind::service},
    {"1069 0000 1234 5678", "1069000012345678", NumberKind::service},
    {"１２３４５", "12345", NumberKind::service},
    // Other countries, written internationally.
    {"+85291234567", "+85291234567", NumberKind::other},
    {"+1 415 555 2671", "+14155552671", NumberKind::other},
    {"0044 20 7946 0958", "+442079460958", NumberKind::other},
    // Garbage.
    {"", std::nullopt},
    {"   ", std::nullopt},
    {"abc", std::nullopt},
    {"138O0000001", std::nullopt},  // letter O
    {"+", std::nullopt},
    {"++8613800000001", std::nullopt},
    {"138+00000001", std::nullopt},
    {"*123#", std::nullopt},
    {"1380000000", std::nullopt},    // 10 digits
    {"138000000012", std::nullopt},  // 12 digits
    {"12800000001", std::nullopt},   // no 12x mobile block
    {"87654321", std::nullopt},      // local number without area code
    {"0571", std::nullopt},
    {"+86 12345", std::nullopt},
    {"+0123456789", std::nullopt},
    {"+1234567", std::nullopt},  // too short for E.164
    {"1234567890123456789012345", std::nullopt},
    {"张三", std::nullopt},
    {"13800000001 张三", std::nullopt},
    {std::string("1380000\xff"
                 "0001"),
     std::nullopt},
    {std::string("\xe4\xb8", 2), std::nullopt},
};

class ChinaNumbers : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(ChinaNumbers, Normalise) {
  const PhoneCase& c = GetParam();
  EXPECT_EQ(normalize_e164(c.raw), c.canonical);
  const auto parsed = parse_phone_number(c.raw);
  ASSERT_EQ(parsed.has_value(), c.canonical.has_value());
  if (parsed) {
    EXPECT_EQ(parsed->kind, c.kind);
    EXPECT_EQ(is_service_number(parsed->canonical), c.kind == NumberKind::service);
    // Canonical forms are fixed points.
    EXPECT_EQ(normalize_e164(parsed->canonical), parsed->canonical);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ChinaNumbers, ::testing::ValuesIn(kChinaCases));

TEST(Phone, OtherDefaultCountry) {
  EXPECT_EQ(normalize_e164("020 7946 0958", "44"), "+442079460958");
  EXPECT_EQ(normalize_e164("91234567", "852"), "+85291234567");
  EXPECT_EQ(normalize_e164("+8613800000001", "44"), "+8613800000001");
  EXPECT_EQ(normalize_e164("999", "44"), "999");
  EXPECT_EQ(normalize_e164("123", "44"), "123");
  EXPECT_EQ(normalize_e164("12", "44"), std::nullopt);
  // A bad default country code is refused, not guessed.
  EXPECT_EQ(normalize_e164("13800000001", ""), std::nullopt);
  EXPECT_EQ(normalize_e164("13800000001", "+86"), std::nullopt);
  EXPECT_EQ(normalize_e164("13800000001", "0086"), std::nullopt);
}

TEST(Phone, DisplayNational) {
  EXPECT_EQ(display_national("+8613800000001"), "13800000001");
  EXPECT_EQ(display_national("8613800000001"), "13800000001");
  EXPECT_EQ(display_national("+8657187654321"), "057187654321");
  EXPECT_EQ(display_national("+861012345678"), "01012345678");
  EXPECT_EQ(display_national("+85291234567"), "+85291234567");
  EXPECT_EQ(display_national("12345"), "12345");
  EXPECT_EQ(display_national("not a number"), "not a number");
  EXPECT_EQ(display_national("+442079460958", "44"), "02079460958");
}

TEST(Phone, Mask) {
  EXPECT_EQ(mask_number("+8613800000001"), "138****0001");
  EXPECT_EQ(mask_number("13800000001"), "138****0001");
  EXPECT_EQ(mask_number("+86 139-1234-5678"), "139****5678");
  EXPECT_EQ(mask_number("+8657187654321"), "0571****4321");
  EXPECT_EQ(mask_number("+861012345678"), "010****5678");
  EXPECT_EQ(mask_number("+85291234567"), "+852****4567");
  EXPECT_EQ(mask_number("+14155552671"), "+141****2671");
  // Service numbers are not people.
  EXPECT_EQ(mask_number("12345"), "12345");
  EXPECT_EQ(mask_number("106900001234"), "106900001234");
  // Never leak what cannot be parsed.
  EXPECT_EQ(mask_number("13800000001x"), "************");
  EXPECT_EQ(mask_number(""), "****");
  EXPECT_EQ(mask_number("张三的电话"), "*****");
  for (const PhoneCase& c : kChinaCases) {
    const std::string masked = mask_number(c.raw);
    if (!c.canonical || c.kind == NumberKind::service) continue;
    // The middle digits never survive masking.
    const std::string national = display_national(*c.canonical);
    EXPECT_NE(masked, national) << c.raw;
    EXPECT_EQ(masked.size(), national.size()) << c.raw;
    EXPECT_NE(masked.find("****"), std::string::npos) << c.raw;
  }
}

}  // namespace
}  // namespace lianxin::domain

namespace lianxin::domain {
namespace {

TEST(MaskNumbersInText, EveryWayANumberIsWritten) {
  struct Row {
    const char* text;
    const char* masked;
  };
  for (const Row& row : {
           Row{"请联系13800001234", "请联系138****1234"},
           Row{"+8613800001234 来电", "138****1234 来电"},
           Row{"0086 138 0000 1234", "138****1234"},
           Row{"86-138-0000-1234。", "138****1234。"},
           Row{"打１３８００００１２３４", "打138****1234"},
           Row{"座机0571-87654321找王", "座机0571****4321找王"},
           Row{"退 12 13800001234 不在村", "退 12 138****1234 不在村"},
           Row{"两个号13800001234和13900005678", "两个号138****1234和139****5678"},
       }) {
    EXPECT_EQ(mask_numbers_in_text(row.text), row.masked) << row.text;
  }
}

// What the text fuzzer found (tests/fuzz/text_fuzz.cpp): a '+' between a letter and the number,
// and digits left beside a masked number that chained into another readable number.
TEST(MaskNumbersInText, NoReadableMobileSurvivesWhatTheFuzzerFound) {
  auto readable = [](const std::string& masked) {
    std::string digits;
    for (char c : masked) {
      if (c == ' ' || c == '-') continue;
      digits.push_back(c);
    }
    for (std::size_t i = 0; i + 11 <= digits.size(); ++i) {
      const std::string run = digits.substr(i, 11);
      if (run[0] == '1' && run[1] >= '3' && run[1] <= '9' &&
          std::all_of(run.begin(), run.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return true;
      }
    }
    return false;
  };
  for (const char* text :
       {"x+8613800001234", "id:a+13800001234", "+86 138 0000 1234 5678 9012",
        "13800001234-13900005678-1", "2026+86139000003x+008613900000003", "+0086 139 0000 0003"}) {
    const std::string masked = mask_numbers_in_text(text);
    EXPECT_FALSE(readable(masked)) << text << " → " << masked;
  }
}

TEST(MaskNumbersInText, WhatIsNoPersonalNumberStays) {
  for (const char* text : {"工单12已派", "2026-12-07 08:00", "打110报警", "拨12345热线",
                           "106900001234", "message id a13800001234f", "M12", "第3组5号", ""}) {
    EXPECT_EQ(mask_numbers_in_text(text), text);
  }
}

TEST(QuoteForLog, QuotedEscapedMaskedAndCut) {
  EXPECT_EQ(quote_for_log("不在村"), "\"不在村\"");
  EXPECT_EQ(quote_for_log("a\"b\\c\nd\te"), "\"a\\\"b\\\\c\\nd\\te\"");
  EXPECT_EQ(quote_for_log("x\x01y"), "\"x\\u0001y\"");
  EXPECT_EQ(quote_for_log("电话13800001234"), "\"电话138****1234\"");
  EXPECT_EQ(quote_for_log("一二三四五", 3), "\"一二三…\"");
  // A forged second log line stays inside the quotes of the first.
  EXPECT_EQ(quote_for_log("ok\n2026-12-07 error fake"), "\"ok\\n2026-12-07 error fake\"");
}

}  // namespace
}  // namespace lianxin::domain
