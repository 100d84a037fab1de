#include "protocol/receipt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "protocol/text.hpp"

namespace lianxin::sms {
namespace {

TEST(ReceiptText, SpecForm) {
  const DeliveryReceipt r = parse_receipt_text(
      "id:0123456789 sub:001 dlvrd:001 submit date:2401151030 done date:2401151031 "
      "stat:DELIVRD err:000 text:\xE6\x9D\x91\xE5\x8F\xA3 hello");
  EXPECT_EQ(r.message_id, "0123456789");
  EXPECT_EQ(r.submitted, 1u);
  EXPECT_EQ(r.delivered, 1u);
  ASSERT_TRUE(r.submit_date);
  EXPECT_EQ(*r.submit_date, (ReceiptTime{2024, 1, 15, 10, 30, 0}));
  ASSERT_TRUE(r.done_date);
  EXPECT_EQ(*r.done_date, (ReceiptTime{2024, 1, 15, 10, 31, 0}));
  EXPECT_EQ(r.stat, "DELIVRD");
  EXPECT_EQ(r.state, DeliveryState::delivered);
  EXPECT_EQ(r.error, "000");
  EXPECT_EQ(r.text, "村口 hello");
}

struct TextCase {
  const char* name;
  std::string text;
  std::string id;
  std::optional<DeliveryState> state;
  std::string error;
  std::optional<ReceiptTime> done;
};

class ReceiptVariants : public ::testing::TestWithParam<TextCase> {};

TEST_P(ReceiptVariants, Parse) {
  const TextCase& c = GetParam();
  const DeliveryReceipt r = parse_receipt_text(c.text);
  EXPECT_EQ(r.message_id, c.id);
  EXPECT_EQ(r.state, c.state);
  EXPECT_EQ(r.error, c.error);
  EXPECT_EQ(r.done_date, c.done);
}

INSTANTIATE_TEST_SUITE_P(
    FieldVariants, ReceiptVariants,
    ::testing::Values(
        TextCase{"upper_case",
                 "ID:A1B2C3 SUB:001 DLVRD:001 SUBMIT DATE:2312312359 DONE DATE:2312312359 "
                 "STAT:UNDELIV ERR:034 TEXT:",
                 "A1B2C3", DeliveryState::undeliverable, "034",
                 ReceiptTime{2023, 12, 31, 23, 59, 0}},
        TextCase{"seconds_in_dates",
                 "id:77 sub:001 dlvrd:000 submit date:240115103005 done date:240115113005 "
                 "stat:EXPIRED err:000 text:",
                 "77", DeliveryState::expired, "000", ReceiptTime{2024, 1, 15, 11, 30, 5}},
        TextCase{"four_digit_year", "id:77 done date:20240115113005 stat:DELETED", "77",
                 DeliveryState::deleted, "", ReceiptTime{2024, 1, 15, 11, 30, 5}},
        TextCase{"missing_fields", "id:5f3e stat:REJECTD", "5f3e", DeliveryState::rejected, "",
                 std::nullopt},
        TextCase{"extra_spaces",
                 "  id:  c0ffee   sub:001  dlvrd:001  submit date: 2401151030  "
                 "done  date:2401151031   stat: ACCEPTD   err: 0  text: x",
                 "c0ffee", DeliveryState::accepted, "0", ReceiptTime{2024, 1, 15, 10, 31, 0}},
        TextCase{"underscores", "id:9 submit_date:2401151030 done_date:2401151031 stat:ENROUTE",
                 "9", DeliveryState::enroute, "", ReceiptTime{2024, 1, 15, 10, 31, 0}},
        TextCase{"fields_reordered", "stat:UNKNOWN err:1 id:abc-123", "abc-123",
                 DeliveryState::unknown, "1", std::nullopt},
        TextCase{"spelled_out", "id:1 stat:DELIVERED", "1", DeliveryState::delivered, "",
                 std::nullopt},
        TextCase{"failed_word", "id:1 stat:FAILED err:069", "1", DeliveryState::undeliverable,
                 "069", std::nullopt},
        TextCase{"numeric_stat", "id:1 stat:2", "1", DeliveryState::delivered, "", std::nullopt},
        TextCase{"unknown_stat", "id:1 stat:WHATEVER", "1", std::nullopt, "", std::nullopt},
        TextCase{"bad_date", "id:1 done date:2413451030 stat:DELIVRD", "1",
                 DeliveryState::delivered, "", std::nullopt},
        TextCase{"empty_id_before_label", "id: sub:001 stat:DELIVRD", "", DeliveryState::delivered,
                 "", std::nullopt},
        TextCase{"text_contains_labels", "id:1 stat:DELIVRD text:stat:REJECTD id:2", "1",
                 DeliveryState::delivered, "", std::nullopt},
        TextCase{"not_a_receipt", "村口两盏路灯杆被大风刮倒了", "", std::nullopt, "", std::nullopt},
        TextCase{"empty", "", "", std::nullopt, "", std::nullopt}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ReceiptState, StatWordsAndTlvValuesMapToOneEnum) {
  const std::pair<const char*, int> table[] = {
      {"ENROUTE", 1}, {"DELIVRD", 2}, {"EXPIRED", 3}, {"DELETED", 4},
      {"UNDELIV", 5}, {"ACCEPTD", 6}, {"UNKNOWN", 7}, {"REJECTD", 8},
  };
  for (const auto& [word, value] : table) {
    const auto from_tlv = delivery_state_from_tlv(static_cast<std::uint8_t>(value));
    ASSERT_TRUE(from_tlv) << value;
    EXPECT_EQ(delivery_state_from_stat(word), from_tlv) << word;
    EXPECT_EQ(std::string(delivery_state_name(*from_tlv)), word);
    std::string lower = word;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    EXPECT_EQ(delivery_state_from_stat(lower), from_tlv) << lower;
  }
  EXPECT_FALSE(delivery_state_from_tlv(0));
  EXPECT_FALSE(delivery_state_from_tlv(9));
  EXPECT_FALSE(delivery_state_from_stat(""));
}

TEST(ReceiptState, FinalAndSuccess) {
  EXPECT_TRUE(is_final(DeliveryState::delivered));
  EXPECT_TRUE(is_final(DeliveryState::undeliverable));
  EXPECT_TRUE(is_final(DeliveryState::rejected));
  EXPECT_FALSE(is_final(DeliveryState::enroute));
  EXPECT_FALSE(is_final(DeliveryState::unknown));
  EXPECT_TRUE(is_success(DeliveryState::delivered));
  EXPECT_TRUE(is_success(DeliveryState::accepted));
  EXPECT_FALSE(is_success(DeliveryState::expired));
}

TEST(ReceiptEsmClass, RecognisesReceiptTypes) {
  EXPECT_TRUE(is_receipt_esm_class(0x04));
  EXPECT_TRUE(is_receipt_esm_class(0x20));
  EXPECT_TRUE(is_receipt_esm_class(0x44));  // with UDHI
  EXPECT_FALSE(is_receipt_esm_class(0x00));
  EXPECT_FALSE(is_receipt_esm_class(0x40));
  EXPECT_FALSE(is_receipt_esm_class(0x08));  // SME delivery acknowledgement
}

TEST(ParseReceipt, TlvsOnly) {
  ReceiptTlvs tlvs;
  tlvs.receipted_message_id = "5F3E9A";
  tlvs.message_state = 5;
  tlvs.network_error_code = ReceiptNetworkError{3, 0x0022};
  const ParsedReceipt p = parse_receipt(tlvs, "");
  ASSERT_FALSE(p.error);
  ASSERT_TRUE(p.receipt);
  EXPECT_EQ(p.receipt->message_id, "5F3E9A");
  EXPECT_EQ(p.receipt->state, DeliveryState::undeliverable);
  EXPECT_EQ(p.receipt->stat, "UNDELIV");
  EXPECT_EQ(p.receipt->network_error, (ReceiptNetworkError{3, 0x0022}));
}

TEST(ParseReceipt, TlvsWinOverText) {
  ReceiptTlvs tlvs;
  tlvs.receipted_message_id = "1a2b";
  tlvs.message_state = 2;
  const ParsedReceipt p =
      parse_receipt(tlvs,
                    "id:6699 sub:001 dlvrd:001 submit date:2401151030 done date:2401151031 "
                    "stat:ENROUTE err:000 text:");
  ASSERT_TRUE(p.receipt);
  EXPECT_EQ(p.receipt->message_id, "1a2b");
  EXPECT_EQ(p.receipt->state, DeliveryState::delivered);
  EXPECT_EQ(p.receipt->stat, "ENROUTE");  // the text's word, kept as written
  EXPECT_TRUE(p.receipt->done_date);      // the text still fills the rest
}

TEST(ParseReceipt, TextOnlyAndUnknownTlvState) {
  ReceiptTlvs tlvs;
  tlvs.message_state = 42;  // not a state: the text decides
  const ParsedReceipt p = parse_receipt(tlvs, "id:12 stat:DELIVRD");
  ASSERT_TRUE(p.receipt);
  EXPECT_EQ(p.receipt->message_id, "12");
  EXPECT_EQ(p.receipt->state, DeliveryState::delivered);
}

TEST(ParseReceipt, NoIdIsNotAReceipt) {
  const ParsedReceipt p = parse_receipt({}, "hello there");
  EXPECT_EQ(p.error, SmsError::not_a_receipt);
  EXPECT_FALSE(p.receipt);
  ReceiptTlvs blank;
  blank.receipted_message_id = "  ";
  EXPECT_EQ(parse_receipt(blank, "stat:DELIVRD").error, SmsError::not_a_receipt);
}

struct IdCase {
  const char* a;
  const char* b;
  bool same;
};

class MessageIds : public ::testing::TestWithParam<IdCase> {};

TEST_P(MessageIds, Match) {
  const IdCase& c = GetParam();
  EXPECT_EQ(same_message_id(c.a, c.b), c.same) << c.a << " ~ " << c.b;
  EXPECT_EQ(same_message_id(c.b, c.a), c.same) << c.b << " ~ " << c.a;
  // Storage lookup: the stored normal form of one is among the variants of the other.
  const auto variants = message_id_variants(c.b);
  const bool found =
      std::find(variants.begin(), variants.end(), normalize_message_id(c.a)) != variants.end();
  EXPECT_EQ(found, c.same) << c.a << " in variants of " << c.b;
}

INSTANTIATE_TEST_SUITE_P(
    HexDecimalCaseZeros, MessageIds,
    ::testing::Values(IdCase{"1a2b", "6699", true},  // hex in the response, decimal in receipt
                      IdCase{"6699", "1A2B", true},
                      IdCase{"0000001A2B", "1a2b", true},  // leading zeros, case
                      IdCase{"ABCDEF", "abcdef", true}, IdCase{"00123", "123", true},
                      IdCase{"10", "16", true},  // "10" in hex is 16
                      IdCase{" 42 ", "42", true},
                      IdCase{"ffffffffffffffff", "18446744073709551615", true},
                      IdCase{"1a2b", "6698", false},
                      IdCase{"1a", "38", false},  // 0x1a = 26; 38 = 0x26: not the same
                      IdCase{"abc-123", "abc-124", false}, IdCase{"abc-123", "ABC-123", true},
                      IdCase{"0", "000", true}, IdCase{"", "", false},
                      IdCase{"99999999999999999999999", "99999999999999999999999", true}));

TEST(MessageIdVariants, ListsTheSpellings) {
  EXPECT_EQ(message_id_variants("006699"), (std::vector<std::string>{"6699", "1a2b", "26265"}));
  EXPECT_EQ(message_id_variants("1A2B"), (std::vector<std::string>{"1a2b", "6699"}));
  EXPECT_EQ(message_id_variants("msg-1"), (std::vector<std::string>{"msg-1"}));
  EXPECT_EQ(normalize_message_id("  00AbC "), "abc");
}

}  // namespace
}  // namespace lianxin::sms
