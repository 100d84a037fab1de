// libFuzzer target for the SMS text layer: the input is a program of operations on one
// Reassembler (add a part, parse a random UDH and add what it yields, advance time and expire),
// interleaved with decoding/encoding/segmenting random text and parsing random receipts.
// Invariants are checked with abort(), so libFuzzer reports them as crashes.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "protocol/reassembly.hpp"
#include "protocol/receipt.hpp"
#include "protocol/segment.hpp"
#include "protocol/text.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using namespace lianxin::sms;
using namespace std::chrono_literals;
using lianxin::fuzz::require;

std::uint8_t pick_coding(FuzzedDataProvider& in) {
  static constexpr std::uint8_t codings[] = {0x00, 0x01, 0x03, 0x04, 0x08, 0x18, 0xF4};
  const auto i = in.ConsumeIntegralInRange<std::size_t>(0, std::size(codings));
  return i < std::size(codings) ? codings[i] : in.ConsumeIntegral<std::uint8_t>();
}

void check_released(const std::vector<ReassembledMessage>& released, const Reassembler& r,
                    Reassembler::TimePoint now) {
  for (const auto& m : released) {
    require(is_valid_utf8(m.text), "released text is valid UTF-8");
    require(!m.parts.empty(), "a released message has at least one part");
    for (std::size_t i = 1; i < m.parts.size(); ++i) {
      require(m.parts[i - 1].seq < m.parts[i].seq, "parts are in seq order");
    }
    switch (m.release) {
      case Release::complete:
        require(m.missing.empty() && m.parts.size() == m.total, "complete has every part");
        break;
      case Release::expired:
        require(m.first_seen + r.options().timeout <= now, "expired only after the timeout");
        [[fallthrough]];
      case Release::evicted:
        require(m.parts.size() + m.missing.size() == m.total, "parts + missing == total");
        require(!m.missing.empty(), "incomplete lacks a part");
        break;
      case Release::single:
      case Release::malformed:
        require(m.parts.size() == 1, "released alone");
        break;
    }
  }
}

void check_bounds(const Reassembler& r) {
  require(r.pending() <= r.options().max_pending, "pending bounded");
  require(r.pending() <= 1 || r.pending_octets() <= r.options().max_pending_octets,
          "pending octets bounded");
  require(r.pending() == 0 || r.next_deadline().has_value(), "deadline while pending");
}

void check_text(std::uint8_t dc, const Bytes& bytes) {
  const std::string text = decode(dc, bytes);
  require(is_valid_utf8(text), "decode gives valid UTF-8");
  const std::u32string cps = utf8_to_code_points(text);
  require(decode(data_coding::ucs2, encode(text, Encoding::ucs2).bytes) == text,
          "UCS-2 round trip");
  const Encoding chosen = choose_encoding(cps, true);
  const Encoded encoded = encode(text, chosen);
  require(encoded.replaced == 0, "chosen encoding is lossless");
  require(decode(data_coding_of(chosen), encoded.bytes) == text, "chosen encoding round trips");
  require(count_units(text, chosen) * (chosen == Encoding::ucs2 ? 2 : 1) == encoded.bytes.size(),
          "units match octets");
  // Latin-1 and octet data decode one character per byte, losslessly.
  if (alphabet_of(dc) == Alphabet::latin1 || alphabet_of(dc) == Alphabet::octets) {
    require(encode(text, Encoding::latin1).bytes == bytes, "Latin-1 lossless");
  }
}

void check_segment(const std::string& raw, std::uint16_t ref, ConcatMode mode, bool latin1) {
  const Segmented s = segment(raw, ref, SegmentOptions{mode, latin1, std::nullopt});
  if (s.error) {
    require(s.parts.empty(), "no parts on error");
    return;
  }
  require(!s.parts.empty() && s.parts.size() <= max_parts, "part count");
  require(s.replaced == 0, "chosen encoding replaces nothing");
  Bytes joined;
  std::string separately;
  for (std::size_t i = 0; i < s.parts.size(); ++i) {
    const Part& p = s.parts[i];
    require(p.short_message.size() <= 6 + 160, "short_message fits");
    if (p.message_payload) {
      joined.insert(joined.end(), p.message_payload->begin(), p.message_payload->end());
      continue;
    }
    const ParsedUserData parsed =
        parse_concat(p.udhi ? esm_class_udhi : 0, p.short_message,
                     p.sar ? SarTlvs{p.sar->ref, p.sar->total, p.sar->seq} : SarTlvs{});
    require(!parsed.error, "own UDH parses");
    if (s.parts.size() > 1) {
      require(
          parsed.concat && parsed.concat->seq == i + 1 && parsed.concat->total == s.parts.size(),
          "own concatenation info");
    }
    // No character is split: decoding part by part gives what decoding the whole gives.
    separately += decode(p.data_coding, parsed.body);
    joined.insert(joined.end(), parsed.body.begin(), parsed.body.end());
  }
  require(decode(s.parts[0].data_coding, joined) == sanitize_utf8(raw),
          "segments join to the text");
  if (!s.parts[0].message_payload) require(separately == sanitize_utf8(raw), "parts decode alone");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  ReassemblerOptions options;
  options.timeout = 60s;
  options.max_pending = 8;
  options.max_pending_octets = 512;
  Reassembler r(options);
  auto now = Reassembler::TimePoint{} + 1000h;
  static const char* const senders[] = {"+8613800000001", "+8613800000002", "10086"};

  while (in.remaining_bytes() > 0) {
    switch (in.ConsumeIntegralInRange<int>(0, 6)) {
      case 0: {  // add a part with fields from the input
        InboundPart p;
        p.sender = senders[in.ConsumeIntegralInRange<int>(0, 2)];
        p.receiver = in.ConsumeBool() ? "12345" : "12346";
        p.link = in.ConsumeBool() ? "a" : "b";
        p.ref = in.ConsumeIntegralInRange<std::uint16_t>(0, 3);
        p.total = in.ConsumeIntegralInRange<std::uint8_t>(0, 5);
        p.seq = in.ConsumeIntegralInRange<std::uint8_t>(0, 6);
        p.data_coding = pick_coding(in);
        const std::string body = in.ConsumeRandomLengthString(300);
        p.body.assign(body.begin(), body.end());
        const AddResult res = r.add(std::move(p), now);
        check_released(res.released, r, now);
        if (res.outcome == AddOutcome::stored || res.outcome == AddOutcome::duplicate) {
          for (const auto& m : res.released)
            require(m.release == Release::evicted, "only evictions");
        }
        check_bounds(r);
        break;
      }
      case 1: {  // parse a random UDH and feed what it yields
        const std::uint8_t esm = in.ConsumeIntegral<std::uint8_t>();
        SarTlvs sar;
        if (in.ConsumeBool()) {
          sar = SarTlvs{in.ConsumeIntegral<std::uint16_t>(), in.ConsumeIntegral<std::uint8_t>(),
                        in.ConsumeIntegral<std::uint8_t>()};
        }
        const std::string sm = in.ConsumeRandomLengthString(260);
        const Bytes bytes(sm.begin(), sm.end());
        const ParsedUserData parsed = parse_concat(esm, bytes, sar);
        require(parsed.body.size() <= bytes.size(), "body within the message");
        if (parsed.error || !(esm & esm_class_udhi)) {
          require(parsed.body == bytes, "plain or malformed keeps everything");
        } else {
          require(std::equal(parsed.body.rbegin(), parsed.body.rend(), bytes.rbegin()),
                  "body is the tail");
        }
        if (parsed.concat) {
          InboundPart p;
          p.sender = senders[0];
          p.ref = parsed.concat->ref;
          p.total = parsed.concat->total;
          p.seq = parsed.concat->seq;
          p.data_coding = pick_coding(in);
          p.body = parsed.body;
          const AddResult res = r.add(std::move(p), now);
          check_released(res.released, r, now);
          check_bounds(r);
        }
        break;
      }
      case 2: {  // time passes
        now += std::chrono::seconds(in.ConsumeIntegralInRange<int>(0, 90));
        const auto released = r.expire(now);
        check_released(released, r, now);
        for (const auto& m : released) require(m.release == Release::expired, "expire expires");
        require(!r.next_deadline() || *r.next_deadline() > now, "nothing overdue after expire");
        check_bounds(r);
        break;
      }
      case 3: {  // decode random bytes
        const std::uint8_t dc = pick_coding(in);
        const std::string raw = in.ConsumeRandomLengthString(400);
        check_text(dc, Bytes(raw.begin(), raw.end()));
        break;
      }
      case 4: {  // segment random text
        const auto mode = static_cast<ConcatMode>(in.ConsumeIntegralInRange<int>(0, 2));
        const bool latin1 = in.ConsumeBool();
        const auto ref = in.ConsumeIntegral<std::uint16_t>();
        check_segment(in.ConsumeRandomLengthString(1200), ref, mode, latin1);
        break;
      }
      case 5: {  // receipts and message ids
        const std::string text = in.ConsumeRandomLengthString(300);
        ReceiptTlvs tlvs;
        if (in.ConsumeBool()) tlvs.message_state = in.ConsumeIntegral<std::uint8_t>();
        if (in.ConsumeBool()) tlvs.receipted_message_id = in.ConsumeRandomLengthString(70);
        const ParsedReceipt parsed = parse_receipt(tlvs, text);
        require(parsed.receipt.has_value() != static_cast<bool>(parsed.error), "receipt or error");
        if (parsed.receipt) require(!parsed.receipt->message_id.empty(), "receipt has an id");
        const std::string other = in.ConsumeRandomLengthString(30);
        const std::string& id = parsed.receipt ? parsed.receipt->message_id : text;
        require(same_message_id(id, other) == same_message_id(other, id), "id match symmetric");
        if (!normalize_message_id(id).empty())
          require(same_message_id(id, id), "id matches itself");
        const auto variants = message_id_variants(other);
        const bool listed =
            std::find(variants.begin(), variants.end(), normalize_message_id(id)) != variants.end();
        require(listed == same_message_id(id, other), "variants agree with same_message_id");
        break;
      }
      default: {  // a burst of parts of one message, shuffled by the input
        const std::uint8_t total = in.ConsumeIntegralInRange<std::uint8_t>(2, 6);
        const auto ref = in.ConsumeIntegralInRange<std::uint16_t>(0, 3);
        for (int i = 0; i < total + 1 && in.remaining_bytes() > 0; ++i) {
          InboundPart p;
          p.sender = senders[1];
          p.ref = ref;
          p.total = total;
          p.seq = in.ConsumeIntegralInRange<std::uint8_t>(1, total);
          p.data_coding = data_coding::ucs2;
          p.body = encode("村口", Encoding::ucs2).bytes;
          p.body.push_back(p.seq);
          const AddResult res = r.add(std::move(p), now);
          check_released(res.released, r, now);
          check_bounds(r);
        }
        break;
      }
    }
  }
  return 0;
}
