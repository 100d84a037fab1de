// protocol_bench part 1: encode + decode round trips per second, per PDU type and overall, and
// the same split by codec engine (libsmpp34 or native).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/pdu.hpp"
#include "tests/bench/protocol_bench.hpp"

namespace protocol_bench {

namespace {

struct CodecCase {
  std::string name;
  std::vector<smpp::Pdu> variants;  // cycled through
};

std::vector<CodecCase> codec_mix() {
  return {
      {"deliver_sm UCS-2, 3-part UDH", deliver_ucs2_udh_parts()},
      {"submit_sm with sar TLVs (2 parts)", submit_sar_parts()},
      {"submit_sm_resp", {submit_sm_resp()}},
      {"enquire_link", {enquire_link()}},
      {"deliver_sm receipt with TLVs", {deliver_receipt()}},
  };
}

// Operations per second over `count` calls of `op` cycling through `items`.
template <typename Item, typename Op>
double time_ops(const std::vector<Item>& items, std::size_t count, Op op) {
  const auto start = SteadyClock::now();
  for (std::size_t i = 0; i < count; ++i) op(items[i % items.size()]);
  const std::chrono::duration<double> elapsed = SteadyClock::now() - start;
  return static_cast<double>(count) / elapsed.count();
}

}  // namespace

bool run_codec(const Options& options) {
  const std::vector<CodecCase> mix = codec_mix();
  // Every sample must survive the round trip unchanged, or its figure means nothing.
  for (const CodecCase& c : mix) {
    for (const smpp::Pdu& pdu : c.variants) {
      const Bytes bytes = encode_or_die(pdu);
      const smpp::DecodeResult decoded = smpp::decode(bytes);
      if (!decoded.pdu || !(*decoded.pdu == pdu)) {
        std::cerr << "protocol_bench: " << c.name
                  << " does not survive encode+decode: " << decoded.detail << "\n";
        return false;
      }
    }
  }

  // Row t < mix.size(): one type, cycling its variants. Last row: the five types in turn.
  std::vector<std::vector<const smpp::Pdu*>> rows(mix.size() + 1);
  std::size_t longest = 0;
  for (std::size_t t = 0; t < mix.size(); ++t) {
    for (const smpp::Pdu& pdu : mix[t].variants) rows[t].push_back(&pdu);
    longest = std::max(longest, mix[t].variants.size());
  }
  for (std::size_t round = 0; round < longest * 2; ++round)
    for (const CodecCase& c : mix) rows.back().push_back(&c.variants[round % c.variants.size()]);
  std::vector<std::vector<Bytes>> frames(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (const smpp::Pdu* pdu : rows[r]) frames[r].push_back(encode_or_die(*pdu));

  std::uint64_t sink = 0;  // keeps the optimiser from dropping the work
  const auto round_trip = [&sink](const smpp::Pdu* pdu) {
    const smpp::EncodeResult encoded = smpp::encode(*pdu);
    if (encoded.error) throw std::runtime_error("encode failed: " + encoded.detail);
    const smpp::DecodeResult decoded = smpp::decode(encoded.bytes);
    if (!decoded.pdu) throw std::runtime_error("decode failed: " + decoded.detail);
    sink += encoded.bytes.size() + decoded.pdu->sequence_number;
  };
  const auto encode_only = [&sink](const smpp::Pdu* pdu) {
    const smpp::EncodeResult encoded = smpp::encode(*pdu);
    if (encoded.error) throw std::runtime_error("encode failed: " + encoded.detail);
    sink += encoded.bytes.size();
  };
  const auto decode_only = [&sink](const Bytes& frame) {
    const smpp::DecodeResult decoded = smpp::decode(frame);
    if (!decoded.pdu) throw std::runtime_error("decode failed: " + decoded.detail);
    sink += decoded.pdu->sequence_number;
  };

  for (const auto& row : rows) time_ops(row, options.codec_count / 10 + 1, round_trip);  // warm
  std::vector<std::vector<double>> trips(rows.size()), encodes(rows.size()), decodes(rows.size());
  for (int run = 0; run < options.runs; ++run) {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::size_t count =
          r < mix.size() ? options.codec_count : options.codec_count * mix.size();
      trips[r].push_back(time_ops(rows[r], count, round_trip));
      encodes[r].push_back(time_ops(rows[r], count, encode_only));
      decodes[r].push_back(time_ops(frames[r], count, decode_only));
    }
  }

  std::cout << "\n1. Codec: encode + decode round trips per second (one thread; "
            << grouped(static_cast<double>(options.codec_count)) << " per type per run, "
            << options.runs << " runs; rt = round trip)\n";
  std::cout << pad("PDU", 36, true) << pad("bytes", 7) << pad("median rt/s", 13)
            << pad("min rt/s", 11) << pad("max rt/s", 11) << pad("us/rt", 8) << pad("enc us", 8)
            << pad("dec us", 8) << "\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Summary s = summarize(trips[r]);
    std::string name = "overall (the five types in turn)", bytes;
    if (r < mix.size()) {
      name = mix[r].name;
      std::size_t total = 0;
      for (const Bytes& frame : frames[r]) total += frame.size();
      bytes = std::to_string(total / frames[r].size());
    }
    std::cout << pad(name, 36, true) << pad(bytes, 7) << pad(grouped(s.median), 13)
              << pad(grouped(s.min), 11) << pad(grouped(s.max), 11)
              << pad(fixed(1e6 / s.median, 2), 8)
              << pad(fixed(1e6 / summarize(encodes[r]).median, 2), 8)
              << pad(fixed(1e6 / summarize(decodes[r]).median, 2), 8) << "\n";
  }
  std::cout << "   (us/rt, enc us, dec us: microseconds per operation at the median rate)\n";

  // Where the time goes: encode() and decode() pick between libsmpp34 and the native codec
  // (pdu.hpp, backends); decode() reads every frame natively first, then again with libsmpp34
  // where libsmpp34 takes it.
  using smpp::backends::Engine;
  const auto native_encode = [&sink](const smpp::Pdu* pdu) {
    sink += smpp::backends::encode_with(Engine::native, *pdu)->bytes.size();
  };
  const auto lib_encode = [&sink](const smpp::Pdu* pdu) {
    const auto encoded = smpp::backends::encode_with(Engine::libsmpp34, *pdu);
    sink += encoded ? encoded->bytes.size() : 0;
  };
  const auto native_decode = [&sink](const Bytes& frame) {
    const auto decoded = smpp::backends::decode_with(Engine::native, frame);
    sink += decoded && decoded->pdu ? decoded->pdu->sequence_number : 0;
  };
  std::cout << "\n   Codec engines, microseconds per operation (median of " << options.runs
            << " runs):\n"
            << pad("   PDU", 39, true) << pad("libsmpp34", 11) << pad("native", 9)
            << pad("encode()", 10) << pad("native", 9) << pad("decode()", 10) << "\n"
            << pad("", 39, true) << pad("encode", 11) << pad("encode", 9) << pad("", 10)
            << pad("decode", 9) << pad("", 10) << "\n";
  for (std::size_t r = 0; r < mix.size(); ++r) {
    const bool lib_takes = smpp::backends::libsmpp34_handles(*rows[r].front());
    std::vector<double> lib_enc, nat_enc, nat_dec;
    for (int run = 0; run < options.runs; ++run) {
      if (lib_takes) lib_enc.push_back(time_ops(rows[r], options.codec_count, lib_encode));
      nat_enc.push_back(time_ops(rows[r], options.codec_count, native_encode));
      nat_dec.push_back(time_ops(frames[r], options.codec_count, native_decode));
    }
    std::cout << pad("   " + mix[r].name, 39, true)
              << pad(lib_takes ? fixed(1e6 / summarize(lib_enc).median, 2) : "n/a", 11)
              << pad(fixed(1e6 / summarize(nat_enc).median, 2), 9)
              << pad(fixed(1e6 / summarize(encodes[r]).median, 2), 10)
              << pad(fixed(1e6 / summarize(nat_dec).median, 2), 9)
              << pad(fixed(1e6 / summarize(decodes[r]).median, 2), 10) << "\n";
  }
  if (sink == 0) std::cerr << "protocol_bench: the codec produced nothing\n";  // uses `sink`
  return true;
}

}  // namespace protocol_bench
