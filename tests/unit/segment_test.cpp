#include "protocol/segment.hpp"

#include <gtest/gtest.h>

#include <string>

namespace lianxin::sms {
namespace {

std::string repeat(std::string_view unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += unit;
  return s;
}

Bytes body_of(const Part& part) {
  if (!part.udhi) return part.short_message;
  return Bytes(part.short_message.begin() + 1 + part.short_message[0], part.short_message.end());
}

// Decoding the parts one by one must give the text back: nothing was split mid-character.
std::string reassemble(const Segmented& s) {
  std::string text;
  for (const Part& p : s.parts) {
    text += decode(p.data_coding, p.message_payload ? *p.message_payload : body_of(p));
  }
  return text;
}

const SegmentOptions udh{ConcatMode::udh, false, std::nullopt};
const SegmentOptions sar{ConcatMode::sar, false, std::nullopt};
const SegmentOptions payload{ConcatMode::payload, false, std::nullopt};

TEST(Segment, Exactly160GsmCharactersIsOnePlainPart) {
  const std::string text = repeat("a", 160);
  const Segmented s = segment(text, 7, udh);
  ASSERT_FALSE(s.error);
  ASSERT_EQ(s.parts.size(), 1u);
  EXPECT_EQ(s.encoding, Encoding::gsm7);
  EXPECT_FALSE(s.parts[0].udhi);
  EXPECT_FALSE(s.parts[0].sar);
  EXPECT_FALSE(s.parts[0].message_payload);
  EXPECT_EQ(s.parts[0].data_coding, 0);
  EXPECT_EQ(s.parts[0].short_message, Bytes(160, 'a'));
}

TEST(Segment, OneMoreGsmCharacterMakesTwoUdhParts) {
  const std::string text = repeat("a", 161);
  const Segmented s = segment(text, 0x1234, udh);
  ASSERT_FALSE(s.error);
  ASSERT_EQ(s.parts.size(), 2u);
  for (std::uint8_t i = 0; i < 2; ++i) {
    const Part& p = s.parts[i];
    EXPECT_TRUE(p.udhi);
    ASSERT_GE(p.short_message.size(), 6u);
    // 8-bit reference IE: the low byte of the reference.
    EXPECT_EQ(Bytes(p.short_message.begin(), p.short_message.begin() + 6),
              (Bytes{0x05, 0x00, 0x03, 0x34, 0x02, static_cast<std::uint8_t>(i + 1)}));
  }
  EXPECT_EQ(s.parts[0].short_message.size(), 6u + 153u);
  EXPECT_EQ(s.parts[1].short_message.size(), 6u + 8u);
  EXPECT_EQ(reassemble(s), text);
}

TEST(Segment, SeventyChineseCharactersIsOnePart) {
  const std::string text = repeat("灯", 70);
  const Segmented s = segment(text, 1, udh);
  ASSERT_EQ(s.parts.size(), 1u);
  EXPECT_EQ(s.encoding, Encoding::ucs2);
  EXPECT_EQ(s.parts[0].data_coding, 8);
  EXPECT_EQ(s.parts[0].short_message.size(), 140u);
  EXPECT_FALSE(s.parts[0].udhi);
}

TEST(Segment, SeventyOneChineseCharactersSplitAt67) {
  const std::string text = repeat("灯", 71);
  const Segmented s = segment(text, 1, udh);
  ASSERT_EQ(s.parts.size(), 2u);
  EXPECT_EQ(s.parts[0].short_message.size(), 6u + 134u);
  EXPECT_EQ(s.parts[1].short_message.size(), 6u + 8u);
  EXPECT_EQ(reassemble(s), text);
}

TEST(Segment, NeverSplitsAGsmEscapePair) {
  // 152 septets, then the euro sign (2 septets) would straddle septet 153.
  const std::string text = repeat("a", 152) + "€" + repeat("b", 10);
  ASSERT_EQ(count_units(text, Encoding::gsm7), 164u);
  const Segmented s = segment(text, 9, udh);
  ASSERT_EQ(s.parts.size(), 2u);
  const Bytes first = body_of(s.parts[0]);
  const Bytes second = body_of(s.parts[1]);
  EXPECT_EQ(first, Bytes(152, 'a'));
  ASSERT_GE(second.size(), 2u);
  EXPECT_EQ(second[0], 0x1B);
  EXPECT_EQ(second[1], 0x65);
  EXPECT_EQ(reassemble(s), text);
}

TEST(Segment, EscapePairEndingExactlyAt153Stays) {
  const std::string text = repeat("a", 151) + "€" + repeat("b", 10);
  const Segmented s = segment(text, 9, udh);
  ASSERT_EQ(s.parts.size(), 2u);
  EXPECT_EQ(body_of(s.parts[0]).size(), 153u);
  EXPECT_EQ(body_of(s.parts[0]).back(), 0x65);
  EXPECT_EQ(reassemble(s), text);
}

TEST(Segment, NeverSplitsASurrogatePair) {
  // 66 units, then 👍 (two units) would straddle unit 67.
  const std::string text = repeat("村", 66) + "👍" + repeat("口", 10);
  const Segmented s = segment(text, 2, udh);
  ASSERT_EQ(s.parts.size(), 2u);
  const Bytes first = body_of(s.parts[0]);
  const Bytes second = body_of(s.parts[1]);
  EXPECT_EQ(first.size(), 132u);
  ASSERT_GE(second.size(), 4u);
  EXPECT_EQ(Bytes(second.begin(), second.begin() + 4), (Bytes{0xD8, 0x3D, 0xDC, 0x4D}));
  EXPECT_EQ(reassemble(s), text);
}

TEST(Segment, Exactly255PartsIsTheLimit) {
  const Segmented at_limit = segment(repeat("x", 153 * 255), 3, udh);
  ASSERT_FALSE(at_limit.error);
  ASSERT_EQ(at_limit.parts.size(), 255u);
  EXPECT_EQ(at_limit.parts.back().short_message[4], 255);
  EXPECT_EQ(at_limit.parts.back().short_message[5], 255);

  const Segmented over = segment(repeat("x", 153 * 255 + 1), 3, udh);
  EXPECT_EQ(over.error, SmsError::too_many_parts);
  EXPECT_TRUE(over.parts.empty());
  EXPECT_FALSE(over.detail.empty());

  EXPECT_EQ(segment(repeat("灯", 67 * 255), 3, sar).parts.size(), 255u);
  EXPECT_EQ(segment(repeat("灯", 67 * 255 + 1), 3, sar).error, SmsError::too_many_parts);
}

TEST(Segment, SarModeUsesTlvsAndNoUdh) {
  const std::string text = repeat("a", 161);
  const Segmented s = segment(text, 0x1234, sar);
  ASSERT_EQ(s.parts.size(), 2u);
  for (std::uint8_t i = 0; i < 2; ++i) {
    EXPECT_FALSE(s.parts[i].udhi);
    ASSERT_TRUE(s.parts[i].sar);
    EXPECT_EQ(*s.parts[i].sar, (SarInfo{0x1234, 2, static_cast<std::uint8_t>(i + 1)}));
  }
  // Multipart sizes: the SMSC adds the UDH on the air interface.
  EXPECT_EQ(s.parts[0].short_message, Bytes(153, 'a'));
  EXPECT_EQ(s.parts[1].short_message, Bytes(8, 'a'));
}

TEST(Segment, PayloadModeSendsOneMessagePayload) {
  const std::string text = repeat("村口路灯倒了", 40);  // 240 characters
  const Segmented s = segment(text, 5, payload);
  ASSERT_FALSE(s.error);
  ASSERT_EQ(s.parts.size(), 1u);
  ASSERT_TRUE(s.parts[0].message_payload);
  EXPECT_TRUE(s.parts[0].short_message.empty());
  EXPECT_FALSE(s.parts[0].udhi);
  EXPECT_EQ(s.parts[0].message_payload->size(), 480u);
  EXPECT_EQ(decode(8, *s.parts[0].message_payload), text);

  // A short text stays a plain short_message.
  const Segmented short_text = segment("ok", 5, payload);
  ASSERT_EQ(short_text.parts.size(), 1u);
  EXPECT_FALSE(short_text.parts[0].message_payload);
  EXPECT_EQ(short_text.parts[0].short_message, (Bytes{'o', 'k'}));

  EXPECT_FALSE(segment(repeat("灯", 32767), 5, payload).error);
  EXPECT_EQ(segment(repeat("灯", 32768), 5, payload).error, SmsError::payload_too_long);
}

TEST(Segment, Latin1WhenAllowed) {
  const SegmentOptions latin{ConcatMode::udh, true, std::nullopt};
  const std::string text = repeat("ï", 141);
  const Segmented s = segment(text, 1, latin);
  EXPECT_EQ(s.encoding, Encoding::latin1);
  ASSERT_EQ(s.parts.size(), 2u);
  EXPECT_EQ(s.parts[0].data_coding, 3);
  EXPECT_EQ(body_of(s.parts[0]).size(), 134u);
  EXPECT_EQ(body_of(s.parts[1]).size(), 7u);
  EXPECT_EQ(reassemble(s), text);
  // Without permission, the same text goes as UCS-2.
  EXPECT_EQ(segment(text, 1, udh).encoding, Encoding::ucs2);
  EXPECT_EQ(segment(repeat("ï", 140), 1, latin).parts.size(), 1u);
}

TEST(Segment, ForcedEncodingCountsReplacements) {
  const SegmentOptions forced{ConcatMode::udh, false, Encoding::gsm7};
  const Segmented s = segment("路灯 ok", 1, forced);
  EXPECT_EQ(s.replaced, 2u);
  ASSERT_EQ(s.parts.size(), 1u);
  EXPECT_EQ(s.parts[0].short_message, (Bytes{'?', '?', ' ', 'o', 'k'}));
}

TEST(Segment, EmptyTextIsOneEmptyPart) {
  const Segmented s = segment("", 1, udh);
  ASSERT_EQ(s.parts.size(), 1u);
  EXPECT_TRUE(s.parts[0].short_message.empty());
}

TEST(Segment, InvalidUtf8IsReplacedNotRejected) {
  const Segmented s = segment(
      "a\xFF"
      "b",
      1, udh);
  ASSERT_FALSE(s.error);
  EXPECT_EQ(s.encoding, Encoding::ucs2);  // U+FFFD is not in GSM 03.38
  EXPECT_EQ(decode(8, s.parts[0].short_message), "a\uFFFDb");
}

TEST(Segment, UnitLimits) {
  EXPECT_EQ(single_part_units(Encoding::gsm7), 160u);
  EXPECT_EQ(single_part_units(Encoding::ucs2), 70u);
  EXPECT_EQ(single_part_units(Encoding::latin1), 140u);
  EXPECT_EQ(multipart_units(Encoding::gsm7), 153u);
  EXPECT_EQ(multipart_units(Encoding::ucs2), 67u);
  EXPECT_EQ(multipart_units(Encoding::latin1), 134u);
}

// --- inbound ---------------------------------------------------------------------------------

TEST(ParseConcat, Udh8BitReference) {
  const Bytes sm = {0x05, 0x00, 0x03, 0xA7, 0x03, 0x02, 'h', 'i'};
  const ParsedUserData p = parse_concat(0x40, sm);
  ASSERT_FALSE(p.error);
  ASSERT_TRUE(p.concat);
  EXPECT_EQ(*p.concat, (ConcatInfo{0xA7, 3, 2, false, false}));
  EXPECT_EQ(p.body, (Bytes{'h', 'i'}));
}

TEST(ParseConcat, Udh16BitReference) {
  const Bytes sm = {0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01, 0x67, 0x51};
  const ParsedUserData p = parse_concat(0x40 | 0x03, sm);
  ASSERT_TRUE(p.concat);
  EXPECT_EQ(*p.concat, (ConcatInfo{0x1234, 2, 1, true, false}));
  EXPECT_EQ(p.body, (Bytes{0x67, 0x51}));
}

TEST(ParseConcat, SkipsOtherInformationElements) {
  // Application port addressing (IE 0x05) before the concatenation IE.
  const Bytes sm = {0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x00, 0x03, 0x11, 0x02, 0x01, 'x'};
  const ParsedUserData p = parse_concat(0x40, sm);
  ASSERT_FALSE(p.error);
  ASSERT_TRUE(p.concat);
  EXPECT_EQ(*p.concat, (ConcatInfo{0x11, 2, 1, false, false}));
  EXPECT_EQ(p.body, (Bytes{'x'}));
}

TEST(ParseConcat, UdhWithoutConcatenationIsPlain) {
  const Bytes sm = {0x03, 0x24, 0x01, 0x01, 'x'};  // national language shift only
  const ParsedUserData p = parse_concat(0x40, sm);
  EXPECT_FALSE(p.error);
  EXPECT_FALSE(p.concat);
  EXPECT_EQ(p.body, (Bytes{'x'}));
}

TEST(ParseConcat, ConcatenationIeOfWrongLengthIsIgnored) {
  const Bytes sm = {0x04, 0x00, 0x02, 0x11, 0x02, 'x'};
  const ParsedUserData p = parse_concat(0x40, sm);
  EXPECT_FALSE(p.error);
  EXPECT_FALSE(p.concat);
  EXPECT_EQ(p.body, (Bytes{'x'}));
}

struct MalformedCase {
  const char* name;
  Bytes short_message;
};

class MalformedUdh : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedUdh, IsReportedAndKeptWhole) {
  const Bytes& sm = GetParam().short_message;
  const ParsedUserData p = parse_concat(0x40, sm);
  EXPECT_EQ(p.error, SmsError::malformed_udh);
  EXPECT_FALSE(p.detail.empty());
  EXPECT_FALSE(p.concat);
  EXPECT_EQ(p.body, sm);
}

INSTANTIATE_TEST_SUITE_P(
    Udh, MalformedUdh,
    ::testing::Values(MalformedCase{"length_past_end", {0x10, 0x00, 0x03, 0x01, 0x02}},
                      MalformedCase{"ie_past_udh", {0x03, 0x00, 0x03, 0x11, 'x', 'y'}},
                      MalformedCase{"empty", {}}, MalformedCase{"only_length", {0x01}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ParseConcat, SarTlvs) {
  const Bytes sm = {'a', 'b'};
  const ParsedUserData p = parse_concat(0x00, sm, SarTlvs{0xBEEF, 4, 3});
  ASSERT_TRUE(p.concat);
  EXPECT_EQ(*p.concat, (ConcatInfo{0xBEEF, 4, 3, true, true}));
  EXPECT_EQ(p.body, sm);

  // Incomplete sar TLVs are not concatenation.
  EXPECT_FALSE(parse_concat(0x00, sm, SarTlvs{0xBEEF, 4, std::nullopt}).concat);
  // Plain message.
  const ParsedUserData plain = parse_concat(0x00, sm);
  EXPECT_FALSE(plain.concat);
  EXPECT_EQ(plain.body, sm);
}

TEST(ParseConcat, MalformedUdhStillUsesSarTlvs) {
  const Bytes sm = {0x09, 'a'};
  const ParsedUserData p = parse_concat(0x40, sm, SarTlvs{7, 2, 2});
  EXPECT_EQ(p.error, SmsError::malformed_udh);
  ASSERT_TRUE(p.concat);
  EXPECT_TRUE(p.concat->from_sar);
}

TEST(ParseConcat, ReadsWhatSegmentWrote) {
  const std::string text = repeat("村口两盏路灯杆被大风刮倒了", 12);
  const Segmented s = segment(text, 0xAB, udh);
  ASSERT_EQ(s.parts.size(), 3u);
  std::string joined;
  for (std::size_t i = 0; i < s.parts.size(); ++i) {
    const ParsedUserData p = parse_concat(esm_class_udhi, s.parts[i].short_message);
    ASSERT_TRUE(p.concat);
    EXPECT_EQ(p.concat->ref, 0xAB);
    EXPECT_EQ(p.concat->total, 3);
    EXPECT_EQ(p.concat->seq, i + 1);
    joined += decode(s.parts[i].data_coding, p.body);
  }
  EXPECT_EQ(joined, text);
}

}  // namespace
}  // namespace lianxin::sms
