// protocol_bench's samples: what a village gateway's SMSC link carries (long UCS-2 reports in
// UDH parts, short GSM 7-bit texts, replies in sar parts, receipts).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "protocol/pdu.hpp"
#include "protocol/segment.hpp"
#include "tests/bench/protocol_bench.hpp"

namespace protocol_bench {

namespace sms = lianxin::sms;

namespace {

// 165 characters: three UCS-2 parts (67 + 67 + 31) with an 8-bit concatenation UDH.
const std::string long_report =
    "村口两盏路灯杆被大风刮倒了，电线垂在路边，晚上孩子放学要从那里经过，老人也经常在那里散步，"
    "非常危险。请尽快派人来处理一下，把电线收好，把灯杆扶起来或者先拉上警戒线。另外村东头的水渠"
    "也有一段堵住了，下雨天水漫到路上，麻烦一起看看。这几天晚上风还很大，我们怕再出事，希望村里"
    "能在天黑之前安排人过来看一下。谢谢！——住在村口第三户的老王";
const std::string reply_text =
    "Your report #2031 (street lamp down at the village entrance) was assigned to Wang Jun, grid "
    "member for group 3. He will call you within 2 hours. Reply 1 if solved, 2 if not, or rate "
    "the service 1-5 after it is fixed.";

sms::Segmented segment_or_die(const std::string& text, std::uint16_t ref, sms::ConcatMode mode,
                              std::size_t expected_parts) {
  sms::SegmentOptions options;
  options.mode = mode;
  sms::Segmented segmented = sms::segment(text, ref, options);
  if (segmented.error || segmented.parts.size() != expected_parts)
    throw std::runtime_error("segmenting the sample text gave " +
                             std::to_string(segmented.parts.size()) + " parts, expected " +
                             std::to_string(expected_parts) + " " + segmented.detail);
  return segmented;
}

smpp::Pdu make_deliver_part(const sms::Part& part, std::uint32_t sequence) {
  smpp::DeliverSm mo;
  mo.source = smpp::Address{1, 1, "8613800000001"};
  mo.destination = smpp::Address{0, 1, "10658012345"};
  mo.esm_class = part.udhi ? sms::esm_class_udhi : 0;
  mo.data_coding = part.data_coding;
  mo.short_message = part.short_message;
  return smpp::Pdu{smpp::status::ok, sequence, mo};
}

}  // namespace

// deliver_sm parts of the villager's long UCS-2 report, concatenated with a UDH.
std::vector<smpp::Pdu> deliver_ucs2_udh_parts() {
  std::vector<smpp::Pdu> out;
  const sms::Segmented segmented = segment_or_die(long_report, 0x5A, sms::ConcatMode::udh, 3);
  for (std::size_t i = 0; i < segmented.parts.size(); ++i)
    out.push_back(make_deliver_part(segmented.parts[i], 1000 + static_cast<std::uint32_t>(i)));
  return out;
}

// A short GSM 7-bit MO in one part.
smpp::Pdu deliver_gsm7_single() {
  const sms::Segmented segmented =
      segment_or_die("BX 3 road lamp broken at the school gate", 0, sms::ConcatMode::udh, 1);
  return make_deliver_part(segmented.parts[0], 999);
}

// submit_sm parts of a reply, concatenated with sar TLVs.
std::vector<smpp::Pdu> submit_sar_parts() {
  std::vector<smpp::Pdu> out;
  const sms::Segmented segmented = segment_or_die(reply_text, 0x1234, sms::ConcatMode::sar, 2);
  std::uint32_t sequence = 2000;
  for (const sms::Part& part : segmented.parts) {
    smpp::SubmitSm mt;
    mt.source = smpp::Address{0, 1, "10658012345"};
    mt.destination = smpp::Address{1, 1, "8613800000001"};
    mt.registered_delivery = 1;
    mt.data_coding = part.data_coding;
    mt.short_message = part.short_message;
    mt.tlvs.sar_msg_ref_num = part.sar->ref;
    mt.tlvs.sar_total_segments = part.sar->total;
    mt.tlvs.sar_segment_seqnum = part.sar->seq;
    out.push_back(smpp::Pdu{smpp::status::ok, sequence++, mt});
  }
  return out;
}

smpp::Pdu submit_sm_resp() {
  return smpp::Pdu{smpp::status::ok, 3000, smpp::SubmitSmResp{"6f1c0a3e-20240611-000417"}};
}

smpp::Pdu enquire_link() {
  return smpp::Pdu{smpp::status::ok, 4000, smpp::EnquireLink{}};
}

// A delivery receipt as SMSCs send them: the text form and the TLVs.
smpp::Pdu deliver_receipt() {
  smpp::DeliverSm receipt;
  receipt.source = smpp::Address{1, 1, "8613800000001"};
  receipt.destination = smpp::Address{0, 1, "10658012345"};
  receipt.esm_class = 0x04;
  const std::string text =
      "id:6f1c0a3e sub:001 dlvrd:001 submit date:2406111532 done date:2406111533 stat:DELIVRD "
      "err:000 text:Your report #2031";
  receipt.short_message.assign(text.begin(), text.end());
  receipt.tlvs.receipted_message_id = "6f1c0a3e";
  receipt.tlvs.message_state = 2;  // DELIVERED
  receipt.tlvs.network_error_code = smpp::NetworkErrorCode{3, 0};
  return smpp::Pdu{smpp::status::ok, 5000, receipt};
}

Bytes encode_or_die(const smpp::Pdu& pdu) {
  smpp::EncodeResult encoded = smpp::encode(pdu);
  if (encoded.error)
    throw std::runtime_error("encoding " + smpp::command_name(pdu.command_id()) +
                             " failed: " + encoded.detail);
  return std::move(encoded.bytes);
}

}  // namespace protocol_bench
