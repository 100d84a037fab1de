#include "protocol/reassembly.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "protocol/segment.hpp"

namespace lianxin::sms {
namespace {

using namespace std::chrono_literals;
using TimePoint = Reassembler::TimePoint;

const TimePoint t0 = TimePoint{} + 1000h;

Bytes ucs2(std::string_view text) {
  return encode(text, Encoding::ucs2).bytes;
}

InboundPart part(std::string sender, std::uint16_t ref, std::uint8_t total, std::uint8_t seq,
                 Bytes body, std::uint8_t dc = data_coding::ucs2) {
  InboundPart p;
  p.sender = std::move(sender);
  p.receiver = "12345";
  p.link = "smsc-a";
  p.ref = ref;
  p.total = total;
  p.seq = seq;
  p.data_coding = dc;
  p.body = std::move(body);
  p.handle = 100u * ref + seq;
  return p;
}

const std::string villager = "+8613800000001";
const std::string neighbour = "+8613800000002";

TEST(Reassembler, InOrder) {
  Reassembler r;
  EXPECT_EQ(r.add(part(villager, 7, 3, 1, ucs2("村口两盏")), t0).outcome, AddOutcome::stored);
  EXPECT_EQ(r.add(part(villager, 7, 3, 2, ucs2("路灯杆被")), t0 + 1s).outcome, AddOutcome::stored);
  EXPECT_EQ(r.pending(), 1u);
  ASSERT_TRUE(r.next_deadline());
  EXPECT_EQ(*r.next_deadline(), t0 + r.options().timeout);
  const AddResult done = r.add(part(villager, 7, 3, 3, ucs2("大风刮倒了")), t0 + 2s);
  EXPECT_EQ(done.outcome, AddOutcome::completed);
  ASSERT_EQ(done.released.size(), 1u);
  const ReassembledMessage& m = done.released[0];
  EXPECT_TRUE(m.complete());
  EXPECT_EQ(m.release, Release::complete);
  EXPECT_EQ(m.text, "村口两盏路灯杆被大风刮倒了");
  EXPECT_EQ(m.sender, villager);
  EXPECT_EQ(m.receiver, "12345");
  EXPECT_EQ(m.link, "smsc-a");
  EXPECT_EQ(m.ref, 7);
  EXPECT_EQ(m.total, 3);
  EXPECT_EQ(m.data_coding, data_coding::ucs2);
  EXPECT_TRUE(m.missing.empty());
  ASSERT_EQ(m.parts.size(), 3u);
  EXPECT_EQ(m.parts[2].handle, 703u);
  EXPECT_EQ(m.first_seen, t0);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_FALSE(r.next_deadline());
  EXPECT_EQ(r.stats().completed, 1u);
}

TEST(Reassembler, OutOfOrder) {
  Reassembler r;
  EXPECT_EQ(r.add(part(villager, 9, 3, 3, ucs2("C")), t0).outcome, AddOutcome::stored);
  EXPECT_EQ(r.add(part(villager, 9, 3, 1, ucs2("A")), t0).outcome, AddOutcome::stored);
  const AddResult done = r.add(part(villager, 9, 3, 2, ucs2("B")), t0);
  ASSERT_EQ(done.released.size(), 1u);
  EXPECT_EQ(done.released[0].text, "ABC");
  EXPECT_EQ(done.released[0].parts[0].seq, 1);
  EXPECT_EQ(done.released[0].parts[2].seq, 3);
}

TEST(Reassembler, DuplicatesAreIgnoredAndCounted) {
  Reassembler r;
  r.add(part(villager, 1, 2, 1, ucs2("前")), t0);
  EXPECT_EQ(r.add(part(villager, 1, 2, 1, ucs2("前")), t0).outcome, AddOutcome::duplicate);
  EXPECT_EQ(r.add(part(villager, 1, 2, 1, ucs2("X")), t0).outcome, AddOutcome::duplicate);
  const AddResult done = r.add(part(villager, 1, 2, 2, ucs2("后")), t0);
  ASSERT_EQ(done.released.size(), 1u);
  EXPECT_EQ(done.released[0].text, "前后");  // the first copy wins
  EXPECT_EQ(done.released[0].duplicates, 2u);
  EXPECT_EQ(r.stats().duplicates, 2u);
}

TEST(Reassembler, LateDuplicateAfterCompletionIsNotAGhostMessage) {
  Reassembler r;
  r.add(part(villager, 1, 2, 1, ucs2("前")), t0);
  ASSERT_EQ(r.add(part(villager, 1, 2, 2, ucs2("后")), t0).released.size(), 1u);
  // The SMSC re-delivers part 2 (it missed our deliver_sm_resp).
  const AddResult again = r.add(part(villager, 1, 2, 2, ucs2("后")), t0 + 10s);
  EXPECT_EQ(again.outcome, AddOutcome::duplicate);
  EXPECT_TRUE(again.released.empty());
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(r.stats().duplicates, 1u);

  // Same reference, new content: a new message.
  EXPECT_EQ(r.add(part(villager, 1, 2, 2, ucs2("新")), t0 + 20s).outcome, AddOutcome::stored);
  EXPECT_EQ(r.pending(), 1u);
}

TEST(Reassembler, LateDuplicatesAreForgottenAfterTheTimeout) {
  ReassemblerOptions options;
  options.timeout = 60s;
  Reassembler r(options);
  r.add(part(villager, 1, 2, 1, ucs2("前")), t0);
  r.add(part(villager, 1, 2, 2, ucs2("后")), t0);
  EXPECT_EQ(r.add(part(villager, 1, 2, 2, ucs2("后")), t0 + 61s).outcome, AddOutcome::stored);
}

TEST(Reassembler, TwoSendersWithTheSameReferenceDoNotMix) {
  Reassembler r;
  r.add(part(villager, 42, 2, 1, ucs2("路灯")), t0);
  r.add(part(neighbour, 42, 2, 1, ucs2("漏水")), t0);
  EXPECT_EQ(r.pending(), 2u);
  const AddResult a = r.add(part(neighbour, 42, 2, 2, ucs2("了")), t0);
  ASSERT_EQ(a.released.size(), 1u);
  EXPECT_EQ(a.released[0].sender, neighbour);
  EXPECT_EQ(a.released[0].text, "漏水了");
  const AddResult b = r.add(part(villager, 42, 2, 2, ucs2("倒了")), t0);
  ASSERT_EQ(b.released.size(), 1u);
  EXPECT_EQ(b.released[0].sender, villager);
  EXPECT_EQ(b.released[0].text, "路灯倒了");
}

TEST(Reassembler, KeyIncludesReceiverLinkAndTotal) {
  Reassembler r;
  InboundPart other_link = part(villager, 5, 2, 1, ucs2("a"));
  other_link.link = "smsc-b";
  InboundPart other_receiver = part(villager, 5, 2, 1, ucs2("b"));
  other_receiver.receiver = "10086";
  r.add(part(villager, 5, 2, 1, ucs2("c")), t0);
  r.add(std::move(other_link), t0);
  r.add(std::move(other_receiver), t0);
  r.add(part(villager, 5, 3, 1, ucs2("d")), t0);
  EXPECT_EQ(r.pending(), 4u);
  EXPECT_EQ(r.stats().duplicates, 0u);
}

TEST(Reassembler, TimeoutReleasesWhatArrivedWithMarkers) {
  ReassemblerOptions options;
  options.timeout = 120s;
  Reassembler r(options);
  r.add(part(villager, 3, 5, 1, ucs2("村口")), t0);
  r.add(part(villager, 3, 5, 4, ucs2("大风")), t0 + 30s);
  EXPECT_TRUE(r.expire(t0 + 119s).empty());
  EXPECT_EQ(*r.next_deadline(), t0 + 120s);
  const auto released = r.expire(t0 + 120s);
  ASSERT_EQ(released.size(), 1u);
  const ReassembledMessage& m = released[0];
  EXPECT_FALSE(m.complete());
  EXPECT_EQ(m.release, Release::expired);
  // Consecutive missing parts (2, 3) share one marker.
  EXPECT_EQ(m.text, "村口…大风…");
  EXPECT_EQ(m.missing, (std::vector<std::uint8_t>{2, 3, 5}));
  ASSERT_EQ(m.parts.size(), 2u);
  EXPECT_EQ(m.parts[1].seq, 4);
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(r.stats().expired, 1u);
}

TEST(Reassembler, ExpireReleasesOnlyOldMessagesOldestFirst) {
  ReassemblerOptions options;
  options.timeout = 60s;
  options.missing_marker = "[?]";
  Reassembler r(options);
  r.add(part(villager, 1, 2, 2, ucs2("b")), t0);
  r.add(part(neighbour, 1, 2, 1, ucs2("a")), t0 + 10s);
  r.add(part("+8613800000003", 1, 2, 1, ucs2("x")), t0 + 100s);
  const auto released = r.expire(t0 + 80s);
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(released[0].sender, villager);
  EXPECT_EQ(released[0].text, "[?]b");
  EXPECT_EQ(released[1].text, "a[?]");
  EXPECT_EQ(r.pending(), 1u);
  EXPECT_EQ(*r.next_deadline(), t0 + 160s);
}

TEST(Reassembler, MemoryIsBoundedByEvictingTheOldest) {
  ReassemblerOptions options;
  options.max_pending = 3;
  Reassembler r(options);
  for (std::uint16_t ref = 1; ref <= 3; ++ref) {
    EXPECT_TRUE(r.add(part(villager, ref, 2, 1, ucs2("x")), t0 + ref * 1s).released.empty());
  }
  const AddResult fourth = r.add(part(villager, 4, 2, 1, ucs2("y")), t0 + 4s);
  EXPECT_EQ(fourth.outcome, AddOutcome::stored);
  ASSERT_EQ(fourth.released.size(), 1u);
  EXPECT_EQ(fourth.released[0].release, Release::evicted);
  EXPECT_EQ(fourth.released[0].ref, 1);
  EXPECT_EQ(fourth.released[0].text, "x…");
  EXPECT_EQ(r.pending(), 3u);
  EXPECT_EQ(r.stats().evicted, 1u);
}

TEST(Reassembler, MemoryIsBoundedInOctets) {
  ReassemblerOptions options;
  options.max_pending_octets = 1000;
  Reassembler r(options);
  for (std::uint16_t ref = 1; ref <= 10; ++ref) {
    r.add(part(villager, ref, 2, 1, Bytes(300, 0x41), data_coding::latin1), t0);
    EXPECT_LE(r.pending_octets(), 1000u);
  }
  EXPECT_EQ(r.pending(), 3u);
  EXPECT_EQ(r.stats().evicted, 7u);
}

TEST(Reassembler, SinglePartMessagesPassStraightThrough) {
  Reassembler r;
  const AddResult single = r.add(part(villager, 1, 1, 1, ucs2("好")), t0);
  EXPECT_EQ(single.outcome, AddOutcome::single);
  ASSERT_EQ(single.released.size(), 1u);
  EXPECT_EQ(single.released[0].text, "好");
  EXPECT_TRUE(single.released[0].complete());
  EXPECT_EQ(r.pending(), 0u);
}

TEST(Reassembler, BadConcatenationInfoIsDeliveredAlone) {
  Reassembler r;
  for (auto [total, seq] : {std::pair{0, 0}, {3, 0}, {3, 4}, {0, 1}, {1, 2}}) {
    const AddResult res = r.add(part(villager, 1, static_cast<std::uint8_t>(total),
                                     static_cast<std::uint8_t>(seq), ucs2("字")),
                                t0);
    EXPECT_EQ(res.outcome, AddOutcome::malformed) << total << "/" << seq;
    ASSERT_EQ(res.released.size(), 1u);
    EXPECT_EQ(res.released[0].release, Release::malformed);
    EXPECT_FALSE(res.released[0].complete());
    EXPECT_EQ(res.released[0].text, "字");
  }
  EXPECT_EQ(r.pending(), 0u);
  EXPECT_EQ(r.stats().malformed, 5u);
}

TEST(Reassembler, SurrogatePairSplitAcrossPartsIsJoined) {
  // Some handsets cut UCS-2 at 67 units regardless of surrogates.
  Reassembler r;
  r.add(part(villager, 8, 2, 1, Bytes{0x59, 0x7D, 0xD8, 0x3D}), t0);  // 好 + high surrogate
  const AddResult done = r.add(part(villager, 8, 2, 2, Bytes{0xDC, 0x4D}), t0);
  ASSERT_EQ(done.released.size(), 1u);
  EXPECT_EQ(done.released[0].text, "好👍");
}

TEST(Reassembler, GsmEscapeSplitAcrossPartsIsJoined) {
  Reassembler r;
  r.add(part(villager, 8, 2, 1, Bytes{'5', 0x1B}, data_coding::smsc_default), t0);
  const AddResult done =
      r.add(part(villager, 8, 2, 2, Bytes{0x65, '!'}, data_coding::smsc_default), t0);
  ASSERT_EQ(done.released.size(), 1u);
  EXPECT_EQ(done.released[0].text, "5€!");
}

TEST(Reassembler, MixedCodingsDecodePerPart) {
  Reassembler r;
  r.add(part(villager, 8, 2, 1, Bytes{'O', 'K', ' '}, data_coding::smsc_default), t0);
  const AddResult done = r.add(part(villager, 8, 2, 2, ucs2("好的")), t0);
  ASSERT_EQ(done.released.size(), 1u);
  EXPECT_EQ(done.released[0].text, "OK 好的");
  EXPECT_EQ(done.released[0].data_coding, data_coding::smsc_default);
}

TEST(Reassembler, ReassemblesWhatSegmentSplit) {
  const std::string text =
      "村口两盏路灯杆被大风刮倒了，晚上很黑，老人出门不方便，请尽快派人来修理。"
      "另外桥头的垃圾也好几天没人清理了，味道很大，夏天苍蝇蚊子特别多，小孩子在旁边玩也不卫生。"
      "上次打电话说过一次，到现在还没有人来。谢谢！👍";
  const Segmented s = segment(text, 0x77, SegmentOptions{});
  ASSERT_GE(s.parts.size(), 2u);
  Reassembler r;
  std::vector<ReassembledMessage> out;
  // Deliver in reverse order, each part twice.
  for (auto it = s.parts.rbegin(); it != s.parts.rend(); ++it) {
    for (int copy = 0; copy < 2; ++copy) {
      const ParsedUserData p = parse_concat(esm_class_udhi, it->short_message);
      ASSERT_TRUE(p.concat);
      InboundPart in =
          part(villager, p.concat->ref, p.concat->total, p.concat->seq, p.body, it->data_coding);
      AddResult res = r.add(std::move(in), t0);
      for (auto& m : res.released) out.push_back(std::move(m));
    }
  }
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].text, text);
  // Copies that arrived while pending count on the message; the copy of the part that completed
  // it is a late duplicate.
  EXPECT_EQ(out[0].duplicates, s.parts.size() - 1);
  EXPECT_EQ(r.stats().duplicates, s.parts.size());
  EXPECT_EQ(r.pending(), 0u);
}

}  // namespace
}  // namespace lianxin::sms
