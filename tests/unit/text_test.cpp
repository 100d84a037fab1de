#include "protocol/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lianxin::sms {
namespace {

Bytes bytes_of(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

const std::string chinese_report = "村口两盏路灯杆被大风刮倒了";
const Bytes chinese_report_ucs2 = {0x67, 0x51, 0x53, 0xE3, 0x4E, 0x24, 0x76, 0xCF, 0x8D,
                                   0xEF, 0x70, 0x6F, 0x67, 0x46, 0x88, 0xAB, 0x59, 0x27,
                                   0x98, 0xCE, 0x52, 0x2E, 0x50, 0x12, 0x4E, 0x86};

struct GsmVector {
  std::string utf8;
  Bytes septets;
};

class Gsm7Vectors : public ::testing::TestWithParam<GsmVector> {};

TEST_P(Gsm7Vectors, EncodesAndDecodes) {
  const auto& v = GetParam();
  const Encoded encoded = encode(v.utf8, Encoding::gsm7);
  EXPECT_EQ(encoded.bytes, v.septets);
  EXPECT_EQ(encoded.replaced, 0u);
  EXPECT_EQ(decode(data_coding::smsc_default, v.septets), v.utf8);
  EXPECT_EQ(count_units(v.utf8, Encoding::gsm7), v.septets.size());
}

INSTANTIATE_TEST_SUITE_P(
    Gsm0338, Gsm7Vectors,
    ::testing::Values(
        GsmVector{"@£$¥", {0x00, 0x01, 0x02, 0x03}}, GsmVector{"€", {0x1B, 0x65}},
        GsmVector{"{}[]~\\|^",
                  {0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x3C, 0x1B, 0x3E, 0x1B, 0x3D, 0x1B, 0x2F, 0x1B,
                   0x40, 0x1B, 0x14}},
        GsmVector{"ΔΦΓΛΩΠΨΣΘΞ", {0x10, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A}},
        GsmVector{"Hello, World!", bytes_of("Hello, World!")},
        GsmVector{
            "èéùìòÇØøÅåÆæßÉ",
            {0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0B, 0x0C, 0x0E, 0x0F, 0x1C, 0x1D, 0x1E, 0x1F}},
        GsmVector{
            "¤¡ÄÖÑÜ§¿äöñüà_",
            {0x24, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60, 0x7B, 0x7C, 0x7D, 0x7E, 0x7F, 0x11}},
        GsmVector{"a\r\nb\f", {0x61, 0x0D, 0x0A, 0x62, 0x1B, 0x0A}}, GsmVector{"", {}}));

TEST(Gsm7, EverySeptetRoundTrips) {
  for (int septet = 0; septet < 128; ++septet) {
    if (septet == 0x1B) continue;
    const Bytes one = {static_cast<std::uint8_t>(septet)};
    const std::string text = decode_gsm7(one);
    EXPECT_EQ(encode(text, Encoding::gsm7).bytes, one) << "septet " << septet;
  }
}

TEST(Gsm7, UnknownCharactersBecomeQuestionMarks) {
  const Encoded encoded = encode("a\tb村", Encoding::gsm7);
  EXPECT_EQ(encoded.bytes, (Bytes{0x61, 0x3F, 0x62, 0x3F}));
  EXPECT_EQ(encoded.replaced, 2u);
}

TEST(Gsm7, DecodesEscapesTolerantly) {
  // Escape + a code without an extension character shows the default character.
  EXPECT_EQ(decode_gsm7(Bytes{0x1B, 0x41}), "A");
  EXPECT_EQ(decode_gsm7(Bytes{0x1B, 0x1B}), " ");
  EXPECT_EQ(decode_gsm7(Bytes{0x61, 0x1B}), "a\uFFFD");  // lone escape at the end
  EXPECT_EQ(decode_gsm7(Bytes{0x80, 0x61}), "\uFFFDa");
}

TEST(DataCodingZero, HighBytesAreReadAsUtf8OrLatin1) {
  // Not septets: some SMSCs send UTF-8 or Latin-1 under data_coding 0.
  EXPECT_EQ(decode(0x00, bytes_of("caf\xC3\xA9")), "café");
  EXPECT_EQ(decode(0x00, bytes_of("caf\xE9")), "café");
  // Pure septets: '$' is 0x02 and 0x24 is the currency sign.
  EXPECT_EQ(decode(0x00, Bytes{0x02, 0x24}), "$¤");
}

TEST(Ucs2, EncodesChinese) {
  const Encoded encoded = encode(chinese_report, Encoding::ucs2);
  EXPECT_EQ(encoded.bytes, chinese_report_ucs2);
  EXPECT_EQ(decode(data_coding::ucs2, chinese_report_ucs2), chinese_report);
  EXPECT_EQ(count_units(chinese_report, Encoding::ucs2), 13u);
}

TEST(Ucs2, EmojiTravelsAsSurrogatePair) {
  const Bytes thumbs = {0xD8, 0x3D, 0xDC, 0x4D};
  EXPECT_EQ(encode("👍", Encoding::ucs2).bytes, thumbs);
  EXPECT_EQ(decode(data_coding::ucs2, thumbs), "👍");
  EXPECT_EQ(count_units("好👍", Encoding::ucs2), 3u);
}

TEST(Ucs2, DecodesBrokenInputTolerantly) {
  EXPECT_EQ(decode_ucs2(Bytes{0x00, 0x41, 0x00}), "A\uFFFD");        // odd length
  EXPECT_EQ(decode_ucs2(Bytes{0xD8, 0x3D, 0x00, 0x41}), "\uFFFDA");  // high surrogate alone
  EXPECT_EQ(decode_ucs2(Bytes{0xDC, 0x4D, 0x00, 0x41}), "\uFFFDA");  // low surrogate first
  EXPECT_EQ(decode_ucs2(Bytes{0x00, 0x41, 0xD8, 0x3D}), "A\uFFFD");  // high at the end
  EXPECT_EQ(decode_ucs2(Bytes{}), "");
}

TEST(Latin1, RoundTrips) {
  const Bytes cafe = {0x63, 0x61, 0x66, 0xE9};
  EXPECT_EQ(encode("café", Encoding::latin1).bytes, cafe);
  EXPECT_EQ(decode(data_coding::latin1, cafe), "café");
  const Encoded euro = encode("5€", Encoding::latin1);
  EXPECT_EQ(euro.bytes, (Bytes{0x35, 0x3F}));
  EXPECT_EQ(euro.replaced, 1u);
}

TEST(DataCoding, AlphabetOfEachValue) {
  EXPECT_EQ(alphabet_of(0x00), Alphabet::gsm7);
  EXPECT_EQ(alphabet_of(0x01), Alphabet::latin1);
  EXPECT_EQ(alphabet_of(0x02), Alphabet::octets);
  EXPECT_EQ(alphabet_of(0x03), Alphabet::latin1);
  EXPECT_EQ(alphabet_of(0x04), Alphabet::octets);
  EXPECT_EQ(alphabet_of(0x08), Alphabet::ucs2);
  EXPECT_EQ(alphabet_of(0x0E), Alphabet::octets);
  EXPECT_EQ(alphabet_of(0x10), Alphabet::gsm7);    // flash, GSM
  EXPECT_EQ(alphabet_of(0x18), Alphabet::ucs2);    // flash, UCS-2
  EXPECT_EQ(alphabet_of(0x14), Alphabet::octets);  // class 0, 8-bit
  EXPECT_EQ(alphabet_of(0x38), Alphabet::octets);  // compressed
  EXPECT_EQ(alphabet_of(0x48), Alphabet::ucs2);    // auto-deletion group, UCS-2
  EXPECT_EQ(alphabet_of(0xC0), Alphabet::gsm7);
  EXPECT_EQ(alphabet_of(0xE8), Alphabet::ucs2);
  EXPECT_EQ(alphabet_of(0xF0), Alphabet::gsm7);
  EXPECT_EQ(alphabet_of(0xF4), Alphabet::octets);
  EXPECT_EQ(alphabet_of(0x90), Alphabet::octets);  // reserved
}

TEST(DataCoding, FlashUcs2AndBinaryDecode) {
  EXPECT_EQ(decode(0x18, chinese_report_ucs2), chinese_report);
  // Octet data is read one character per byte, losslessly.
  const Bytes binary = {0x00, 0x7F, 0x80, 0xFF};
  const std::string text = decode(0x04, binary);
  EXPECT_EQ(text, std::string("\x00\x7F\xC2\x80\xC3\xBF", 6));
  EXPECT_EQ(encode(text, Encoding::latin1).bytes, binary);
}

TEST(DataCoding, ValuesOfEncodings) {
  EXPECT_EQ(data_coding_of(Encoding::gsm7), 0);
  EXPECT_EQ(data_coding_of(Encoding::latin1), 3);
  EXPECT_EQ(data_coding_of(Encoding::ucs2), 8);
}

TEST(ChooseEncoding, SmallestThatHoldsTheText) {
  EXPECT_EQ(choose_encoding("Hello"), Encoding::gsm7);
  EXPECT_EQ(choose_encoding("Price: 5€ {ok}"), Encoding::gsm7);
  EXPECT_EQ(choose_encoding("café"), Encoding::gsm7);  // é is in the GSM table
  EXPECT_EQ(choose_encoding(""), Encoding::gsm7);
  EXPECT_EQ(choose_encoding("naïve"), Encoding::ucs2);
  EXPECT_EQ(choose_encoding("naïve", true), Encoding::latin1);
  EXPECT_EQ(choose_encoding("a\tb"), Encoding::ucs2);  // tab is not in GSM 03.38
  EXPECT_EQ(choose_encoding("a\tb", true), Encoding::latin1);
  EXPECT_EQ(choose_encoding(chinese_report, true), Encoding::ucs2);
  EXPECT_EQ(choose_encoding("ok 👍"), Encoding::ucs2);
  EXPECT_EQ(choose_encoding("【连心桥】您的问题已受理"), Encoding::ucs2);
}

TEST(CountUnits, CountsEscapesAndSurrogates) {
  EXPECT_EQ(count_units("€a", Encoding::gsm7), 3u);
  EXPECT_EQ(count_units("[x]", Encoding::gsm7), 5u);
  EXPECT_EQ(count_units("👍", Encoding::ucs2), 2u);
  EXPECT_EQ(count_units("naïve", Encoding::latin1), 5u);
  EXPECT_EQ(count_units(chinese_report, Encoding::gsm7), 13u);  // 13 '?'
}

struct Utf8Case {
  std::string input;
  std::u32string expected;
};

class InvalidUtf8 : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(InvalidUtf8, BecomesReplacementCharacters) {
  const auto& c = GetParam();
  EXPECT_EQ(utf8_to_code_points(c.input), c.expected);
  EXPECT_FALSE(is_valid_utf8(c.input));
  EXPECT_TRUE(is_valid_utf8(sanitize_utf8(c.input)));
  // Encoding invalid input never fails: UCS-2 carries U+FFFD, GSM a '?'.
  EXPECT_EQ(encode(c.input, Encoding::ucs2).bytes.size(), 2 * c.expected.size());
  EXPECT_GE(encode(c.input, Encoding::gsm7).replaced, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Utf8, InvalidUtf8,
    ::testing::Values(Utf8Case{"\xC0\xAF", U"\uFFFD\uFFFD"},            // overlong '/'
                      Utf8Case{"a\xE6\x9D", U"a\uFFFD"},                // truncated 村
                      Utf8Case{"\xED\xA0\x80", U"\uFFFD\uFFFD\uFFFD"},  // encoded surrogate
                      Utf8Case{"\xF4\x90\x80\x80", U"\uFFFD\uFFFD\uFFFD\uFFFD"},  // > U+10FFFF
                      Utf8Case{"\x80x", U"\uFFFDx"},  // stray continuation
                      Utf8Case{"\xFF", U"\uFFFD"}, Utf8Case{"\xE6\x9Dx", U"\uFFFDx"}));

TEST(Utf8, ValidInputRoundTrips) {
  const std::string text = "Aé村👍\uFFFD";
  EXPECT_TRUE(is_valid_utf8(text));
  EXPECT_EQ(utf8_to_code_points(text), U"Aé村👍\uFFFD");
  EXPECT_EQ(code_points_to_utf8(utf8_to_code_points(text)), text);
  std::string out;
  append_utf8(out, 0xD800);
  EXPECT_EQ(out, "\uFFFD");
}

TEST(SmsError, HasMessages) {
  const std::error_code ec = SmsError::too_many_parts;
  EXPECT_EQ(ec.category().name(), std::string("lianxin.sms"));
  EXPECT_NE(ec.message().find("255"), std::string::npos);
}

}  // namespace
}  // namespace lianxin::sms
