// protocol_bench: how fast lianxin's SMPP protocol layer is, shown as figures (never asserted).
//
//  1. Codec: encode + decode round trips per second for a realistic mix of PDUs, per type and
//     overall.
//  2. MO acknowledged per second over loopback: an in-process load SMSC (its own thread and
//     io_context, raw bytes, pre-encoded deliver_sm frames, a window of unacknowledged ones)
//     streams MOs to lianxin's SmppTransport, which runs as the ESME on this thread and
//     acknowledges every inbound part as soon as it arrives (no storage: the protocol path only).
//     The SMSC counts deliver_sm_resp and measures each message's ack latency, at full speed
//     and paced at a steady rate. The ESME socket's TCP_NODELAY is read back with getsockopt, and
//     an optional control run (--nagle-control) turns it off to show what it is worth.
//
// Every figure is the median of several runs (with min and max). The machine may be shared:
// the load average is printed next to the figures.
//
// Usage: protocol_bench [--runs N] [--count N] [--window N] [--rate N] [--paced-count N]
//                       [--burst N] [--codec-count N] [--nagle-control] [--quick] [--verbose]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "protocol/asio.hpp"
#include "protocol/esme.hpp"
#include "protocol/pdu.hpp"
#include "protocol/segment.hpp"
#include "protocol/transport.hpp"

#ifndef LIANXIN_BUILD_TYPE
#define LIANXIN_BUILD_TYPE "unknown"
#endif

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using lianxin::smpp::Bytes;
using lianxin::smpp::ByteView;
using SteadyClock = std::chrono::steady_clock;

// ------------------------------------------------------------------ options and statistics

struct Options {
  int runs = 5;
  std::size_t codec_count = 20'000;  // round trips per PDU type per run
  std::size_t count = 200'000;       // MOs per full-speed run
  std::size_t window = 64;           // unacknowledged deliver_sm the SMSC keeps on the wire
  double rate = 200;                 // MO/s of the paced runs
  std::size_t paced_count = 2'000;   // MOs per paced run
  std::size_t burst = 3;             // MOs back to back per tick in the burst scenarios
  bool control = false;              // also run the bursts with Nagle forced on the ESME socket
  bool quick = false;
  bool verbose = false;  // per-run figures on stderr
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "protocol_bench: " << why << "\n"
            << "usage: protocol_bench [--runs N] [--count N] [--window N] [--rate N]\n"
               "                      [--paced-count N] [--burst N] [--codec-count N]\n"
               "                      [--nagle-control] [--quick] [--verbose]\n"
               "  --runs N         runs per figure; medians are printed (default 5)\n"
               "  --count N        MOs per full-speed run (default 200000)\n"
               "  --window N       unacknowledged deliver_sm kept by the SMSC (default 64)\n"
               "  --rate N         MO/s of the paced latency runs (default 200)\n"
               "  --paced-count N  MOs per paced run (default 2000)\n"
               "  --burst N        MOs back to back per tick in the burst runs (default 3)\n"
               "  --codec-count N  round trips per PDU type per codec run (default 20000)\n"
               "  --nagle-control  also run the bursts with TCP_NODELAY turned off on the ESME\n"
               "                   socket by the bench (a control: what the option is worth)\n"
               "  --quick          small counts, a smoke run of a few seconds\n"
               "  --verbose        also print every MO run's figures (on stderr)\n";
  std::exit(2);
}

std::size_t parse_count(std::string_view flag, const char* value, std::size_t min) {
  if (!value) usage(("missing value after " + std::string(flag)).c_str());
  std::size_t n = 0;
  const std::string_view text(value);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < min)
    usage(("bad value for " + std::string(flag) + ": " + std::string(text)).c_str());
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  bool runs_given = false, count_given = false, paced_given = false, codec_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg(argv[i]);
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (arg == "--runs") {
      o.runs = static_cast<int>(parse_count(arg, value, 1));
      runs_given = true;
      ++i;
    } else if (arg == "--count") {
      o.count = parse_count(arg, value, 1);
      count_given = true;
      ++i;
    } else if (arg == "--window") {
      o.window = parse_count(arg, value, 1);
      ++i;
    } else if (arg == "--rate") {
      o.rate = static_cast<double>(parse_count(arg, value, 1));
      ++i;
    } else if (arg == "--paced-count") {
      o.paced_count = parse_count(arg, value, 1);
      paced_given = true;
      ++i;
    } else if (arg == "--codec-count") {
      o.codec_count = parse_count(arg, value, 1);
      codec_given = true;
      ++i;
    } else if (arg == "--burst") {
      o.burst = parse_count(arg, value, 1);
      ++i;
    } else if (arg == "--nagle-control") {
      o.control = true;
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "--quick") {
      o.quick = true;
    } else if (arg == "--help" || arg == "-h") {
      usage("help");
    } else {
      usage(("unknown argument " + std::string(arg)).c_str());
    }
  }
  if (o.quick) {  // explicit flags still win
    if (!runs_given) o.runs = 3;
    if (!count_given) o.count = 5'000;
    if (!paced_given) o.paced_count = 100;
    if (!codec_given) o.codec_count = 2'000;
  }
  return o;
}

struct Summary {
  double median = 0, min = 0, max = 0;
};

Summary summarize(std::vector<double> values) {
  Summary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.min = values.front();
  s.max = values.back();
  return s;
}

// Nearest-rank percentile of nanosecond samples (sorts them).
double percentile_ms(std::vector<std::int64_t>& ns, double p) {
  if (ns.empty()) return 0;
  std::sort(ns.begin(), ns.end());
  std::size_t rank =
      static_cast<std::size_t>(p / 100.0 * static_cast<double>(ns.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, ns.size());
  return static_cast<double>(ns[rank - 1]) / 1e6;
}

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// 1234567 -> "1,234,567"
std::string grouped(double value) {
  const long long n = std::llround(value);
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string pad(std::string text, std::size_t width, bool left = false) {
  if (text.size() >= width) return text;
  const std::string spaces(width - text.size(), ' ');
  return left ? text + spaces : spaces + text;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "?";
  return a + " " + b + " " + c;
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;  // kilobytes on Linux
}

// ------------------------------------------------------------------ realistic messages

namespace smpp = lianxin::smpp;
namespace sms = lianxin::sms;

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

// ------------------------------------------------------------------ 1. codec

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

// ------------------------------------------------------------------ 2. the load SMSC

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void write_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

void append_header(Bytes& out, std::uint32_t length, std::uint32_t id, std::uint32_t status,
                   std::uint32_t sequence) {
  const std::size_t at = out.size();
  out.resize(at + 16);
  write_be32(&out[at], length);
  write_be32(&out[at + 4], id);
  write_be32(&out[at + 8], status);
  write_be32(&out[at + 12], sequence);
}

struct LoadPlan {
  std::size_t total = 0;
  std::size_t window = 64;
  double rate = 0;        // MO/s; 0 = as fast as the window allows
  std::size_t burst = 1;  // paced: MOs sent back to back at each tick
};

struct LoadResult {
  std::string error;  // empty on success
  std::size_t acked = 0;
  std::size_t rejected = 0;  // deliver_sm_resp with a non-zero status
  double seconds = 0;        // first deliver_sm written .. last deliver_sm_resp read
  std::vector<std::int64_t> latency_ns;
  // Paced runs: how late the SMSC thread's pacing timer woke up. Not lianxin's doing: a gauge of
  // CPU contention on this machine while the latencies were measured.
  std::vector<std::int64_t> wake_late_ns;
  std::size_t enquire_links = 0;
};

// A minimal SMSC that only produces load: accepts one bind_transceiver per run, answers
// enquire_link and unbind, and streams pre-encoded deliver_sm frames (only the sequence number
// is patched), keeping at most `window` unacknowledged. All of it runs on its own thread.
class LoadSmsc {
 public:
  explicit LoadSmsc(std::vector<Bytes> frames)
      : frames_(std::move(frames)),
        acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        work_(asio::make_work_guard(io_)) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~LoadSmsc() {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      if (conn_) conn_->close();
      conn_.reset();
      work_.reset();
    });
    thread_.join();
  }

  LoadSmsc(const LoadSmsc&) = delete;
  LoadSmsc& operator=(const LoadSmsc&) = delete;

  std::uint16_t port() const { return port_; }
  // The ESME's local port, known once the SMSC accepted it (before it answers the bind).
  std::uint16_t peer_port() const { return peer_port_.load(); }

  // Accepts the next connection and runs `plan` on it. `done` runs on the SMSC thread once every
  // MO was acknowledged (or the connection failed); the result then becomes ready.
  std::future<LoadResult> expect(LoadPlan plan, std::function<void()> done) {
    auto promise = std::make_shared<std::promise<LoadResult>>();
    std::future<LoadResult> future = promise->get_future();
    peer_port_ = 0;
    asio::post(io_, [this, plan, promise, done = std::move(done)]() mutable {
      if (conn_) conn_->close();
      conn_ = std::make_shared<Conn>(io_, frames_, plan, std::move(promise), std::move(done));
      acceptor_.async_accept(conn_->socket, [this, conn = conn_](boost::system::error_code ec) {
        if (ec) {
          conn->finish("accept: " + ec.message());
          return;
        }
        boost::system::error_code ignored;
        conn->socket.set_option(tcp::no_delay(true), ignored);
        peer_port_ = conn->socket.remote_endpoint(ignored).port();
        conn->start();
      });
    });
    return future;
  }

  // Gives up on the current run (the ESME hung); its result reports `why`.
  void abort(const std::string& why) {
    asio::post(io_, [this, why] {
      if (conn_) conn_->finish(why);
      if (conn_) conn_->close();
    });
  }

 private:
  struct Conn : std::enable_shared_from_this<Conn> {
    Conn(asio::io_context& io, const std::vector<Bytes>& frame_set, LoadPlan load_plan,
         std::shared_ptr<std::promise<LoadResult>> result_promise, std::function<void()> on_done)
        : socket(io),
          pacer(io),
          frames(frame_set),
          plan(load_plan),
          promise(std::move(result_promise)),
          done(std::move(on_done)) {
      sent_at.resize(plan.total);
      result.latency_ns.reserve(plan.total);
    }

    void start() {
      read();
      // Streaming starts once the bind is answered (see handle_frame).
    }

    void close() {
      boost::system::error_code ignored;
      pacer.cancel();
      if (socket.is_open()) socket.close(ignored);
    }

    void finish(const std::string& error) {
      if (finished) return;
      finished = true;
      result.error = error;
      result.acked = acked;
      // `done` first: the ESME side keeps its io_context alive until the result is ready.
      if (done) done();
      promise->set_value(std::move(result));
    }

    void read() {
      socket.async_read_some(asio::buffer(buffer),
                             [self = shared_from_this()](boost::system::error_code ec,
                                                         std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(boost::system::error_code ec, std::size_t n) {
      if (ec) {
        if (!finished)
          finish("connection lost after " + std::to_string(acked) + " acks: " + ec.message());
        close();
        return;
      }
      const auto now = SteadyClock::now();
      input.insert(input.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
      std::size_t offset = 0;
      while (input.size() - offset >= 16) {
        const std::uint8_t* frame = input.data() + offset;
        const std::uint32_t length = read_be32(frame);
        if (length < 16 || length > smpp::max_command_length) {
          finish("bad command_length " + std::to_string(length) + " from the ESME");
          close();
          return;
        }
        if (input.size() - offset < length) break;
        handle_frame(read_be32(frame + 4), read_be32(frame + 8), read_be32(frame + 12), now);
        offset += length;
      }
      input.erase(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(offset));
      if (!close_after_write) send_more(now);
      flush();
      if (socket.is_open()) read();
    }

    void handle_frame(std::uint32_t id, std::uint32_t status, std::uint32_t sequence,
                      SteadyClock::time_point now) {
      using smpp::CommandId;
      switch (static_cast<CommandId>(id)) {
        case CommandId::bind_transceiver: {
          static constexpr char system_id[] = "loadsmsc";
          append_header(out, 16 + sizeof system_id,
                        static_cast<std::uint32_t>(CommandId::bind_transceiver_resp), 0, sequence);
          out.insert(out.end(), system_id, system_id + sizeof system_id);  // with its NUL
          bound = true;
          if (plan.rate > 0) {
            pace_start = now;
            pace();
          }
          return;
        }
        case CommandId::enquire_link:
          append_header(out, 16, static_cast<std::uint32_t>(CommandId::enquire_link_resp), 0,
                        sequence);
          ++result.enquire_links;
          return;
        case CommandId::unbind:
          append_header(out, 16, static_cast<std::uint32_t>(CommandId::unbind_resp), 0, sequence);
          close_after_write = true;
          return;
        case CommandId::deliver_sm_resp: {
          if (sequence == 0 || sequence > sent) {
            finish("deliver_sm_resp for unknown sequence " + std::to_string(sequence));
            return;
          }
          std::int64_t& at = sent_at[sequence - 1];
          if (at < 0) {
            finish("second deliver_sm_resp for sequence " + std::to_string(sequence));
            return;
          }
          result.latency_ns.push_back(
              std::chrono::duration_cast<std::chrono::nanoseconds>(now - first_sent).count() - at);
          at = -1;
          if (status != smpp::status::ok) ++result.rejected;
          ++acked;
          if (acked == plan.total) {
            result.seconds = std::chrono::duration<double>(now - first_sent).count();
            finish("");
          }
          return;
        }
        default:
          if (!smpp::is_response(id))
            append_header(out, 16, static_cast<std::uint32_t>(CommandId::generic_nack),
                          smpp::status::invalid_cmd_id, sequence);
          return;
      }
    }

    // Appends the next deliver_sm, its sequence number patched; returns false when the plan or
    // the window says not now.
    bool append_mo(SteadyClock::time_point now) {
      if (!bound || sent >= plan.total || sent - acked >= plan.window) return false;
      const Bytes& frame = frames[sent % frames.size()];
      const std::size_t at = out.size();
      out.insert(out.end(), frame.begin(), frame.end());
      ++sent;
      write_be32(&out[at + 12], static_cast<std::uint32_t>(sent));
      if (sent == 1) first_sent = now;
      sent_at[sent - 1] =
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - first_sent).count();
      return true;
    }

    void send_more(SteadyClock::time_point now) {
      if (plan.rate > 0) return;  // the pacer sends
      while (append_mo(now)) {
      }
    }

    // Sends `burst` MOs at each tick of a fixed schedule (start + k * burst / rate), so the rate
    // does not drift. Each MO of a burst is its own write (its own TCP segment), as when an SMSC
    // forwards the parts of a long message back to back. A tick that finds the window full is
    // skipped.
    void pace() {
      if (finished || sent >= plan.total) return;
      const auto period =
          std::chrono::duration<double>(static_cast<double>(plan.burst) / plan.rate);
      pacer.expires_at(pace_start + std::chrono::duration_cast<SteadyClock::duration>(
                                        period * static_cast<double>(ticks)));
      pacer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->finished) return;
        self->result.wake_late_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                SteadyClock::now() - self->pacer.expiry())
                                                .count());
        ++self->ticks;
        for (std::size_t i = 0; i < self->plan.burst; ++i) {
          if (!self->append_mo(SteadyClock::now())) break;
          if (self->writing) continue;  // an answer is being written; this MO follows it
          boost::system::error_code write_error;
          asio::write(self->socket, asio::buffer(self->out), write_error);
          self->out.clear();
          if (write_error) {
            self->finish("write: " + write_error.message());
            self->close();
            return;
          }
        }
        self->flush();
        self->pace();
      });
    }

    void flush() {
      if (writing || out.empty() || !socket.is_open()) return;
      writing = true;
      std::swap(out, being_written);
      out.clear();
      asio::async_write(socket, asio::buffer(being_written),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->writing = false;
                          self->being_written.clear();
                          if (ec) {
                            self->finish("write: " + ec.message());
                            self->close();
                            return;
                          }
                          if (self->close_after_write && self->out.empty()) {
                            self->close();
                            return;
                          }
                          self->flush();
                        });
    }

    tcp::socket socket;
    asio::steady_timer pacer;
    const std::vector<Bytes>& frames;
    LoadPlan plan;
    std::shared_ptr<std::promise<LoadResult>> promise;
    std::function<void()> done;

    std::array<std::uint8_t, 65536> buffer{};
    Bytes input, out, being_written;
    bool writing = false, bound = false, close_after_write = false, finished = false;
    std::size_t sent = 0, acked = 0, ticks = 0;
    SteadyClock::time_point first_sent{}, pace_start{};
    std::vector<std::int64_t> sent_at;  // ns after first_sent, -1 once acknowledged
    LoadResult result;
  };

  std::vector<Bytes> frames_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint16_t> peer_port_{0};
  std::shared_ptr<Conn> conn_;  // SMSC thread only
};

// The MO mix the SMSC streams: a short GSM 7-bit text, then the three UDH parts of a long UCS-2
// report, then a delivery receipt (what an SMSC sends a gateway, in rough proportion).
std::vector<Bytes> mo_frames() {
  std::vector<Bytes> frames;
  frames.push_back(encode_or_die(deliver_gsm7_single()));
  for (const smpp::Pdu& part : deliver_ucs2_udh_parts()) frames.push_back(encode_or_die(part));
  frames.push_back(encode_or_die(deliver_receipt()));
  return frames;
}

// ------------------------------------------------------------------ 2. the ESME side

// Finds this process's socket with the given local and peer ports (the ESME's, which
// SmppTransport keeps private) so its TCP_NODELAY can be read back.
std::optional<int> find_tcp_socket(std::uint16_t local_port, std::uint16_t peer_port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_in local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        local.sin_family != AF_INET)
      continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    if (ntohs(local.sin_port) == local_port && ntohs(peer.sin_port) == peer_port) return fd;
  }
  return std::nullopt;
}

struct MoRun {
  LoadResult load;
  std::optional<bool> esme_nodelay;  // read back from the ESME socket after the bind
  std::size_t inbound_parts = 0;     // seen by the handler
  std::size_t empty_texts = 0;       // parts that reached the handler without text (a bug)
};

// One run: a fresh SmppTransport on a fresh io_context on this thread, bound to the load SMSC.
MoRun run_mo(LoadSmsc& smsc, const LoadPlan& plan, bool force_nagle) {
  MoRun run;
  asio::io_context io;
  smpp::ConnectionConfig config;
  config.host = "127.0.0.1";
  config.port = std::to_string(smsc.port());
  config.session.name = "load";
  config.session.system_id = "bench";
  config.session.password = "bench";
  config.session.connect_timeout = 5s;
  config.session.bind_timeout = 5s;
  config.session.response_timeout = 5s;
  config.session.unbind_grace = 2s;
  config.session.reconnect_min = 60s;  // a failed run must not reconnect and muddle the figures
  config.session.reconnect_max = 60s;
  std::vector<std::string> log;
  smpp::SmppTransport transport(
      io, {config},
      lianxin::protocol::Logger(
          [&log](const lianxin::protocol::LogRecord& record) {
            log.push_back(std::string(lianxin::level_name(record.level)) + ": " + record.line());
          },
          lianxin::LogLevel::warning));

  bool stopping = false;
  std::string failure;
  asio::steady_timer watchdog(io);
  const auto stop_transport = [&] {
    if (stopping) return;
    stopping = true;
    transport.stop([&] {
      watchdog.cancel();
      io.stop();
    });
  };

  lianxin::transport::Transport::Handlers handlers;
  handlers.inbound = [&](const lianxin::transport::InboundPart& part) {
    ++run.inbound_parts;
    if (part.text.empty()) ++run.empty_texts;
    transport.acknowledge(part.ack, true);
  };
  handlers.link = [&](const lianxin::transport::LinkStatus& status) {
    if (status.up) {
      const auto fd = find_tcp_socket(smsc.peer_port(), smsc.port());
      if (fd) {
        int value = 0;
        socklen_t length = sizeof value;
        if (getsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &value, &length) == 0)
          run.esme_nodelay = value != 0;
        if (force_nagle) {
          const int off = 0;
          setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &off, sizeof off);
        }
      }
    } else if (!stopping) {
      failure = "link down: " + status.detail;
      stop_transport();
    }
  };
  transport.set_handlers(std::move(handlers));

  std::future<LoadResult> result =
      smsc.expect(plan, [&io, &stop_transport] { asio::post(io, stop_transport); });

  // Generous: only a hang should hit it.
  const double expected_seconds =
      plan.rate > 0 ? static_cast<double>(plan.total) / plan.rate
                    : static_cast<double>(plan.total) / 2'000.0;  // a very slow machine
  watchdog.expires_after(std::chrono::seconds(30 + static_cast<long>(expected_seconds * 3)));
  watchdog.async_wait([&](boost::system::error_code ec) {
    if (ec) return;
    failure = "timed out";
    smsc.abort("the run timed out");
    io.stop();
  });

  transport.start();
  io.run();
  if (result.wait_for(10s) != std::future_status::ready) {
    smsc.abort("no result");
  }
  run.load = result.get();
  if (run.load.error.empty() && !failure.empty()) run.load.error = failure;
  if (!run.load.error.empty())
    for (const std::string& line : log) std::cerr << "  lianxin " << line << "\n";
  return run;
}

struct ScenarioFigures {
  std::string name;
  std::size_t per_run = 0;
  std::vector<double> rates, p50, p99, max_ms, wake_p99;
  std::optional<bool> nodelay;
  bool ok = true;
};

ScenarioFigures run_scenario(LoadSmsc& smsc, const std::string& name, const LoadPlan& plan,
                             int runs, bool force_nagle, bool verbose) {
  ScenarioFigures figures{name, plan.total, {}, {}, {}, {}, {}, std::nullopt, true};
  for (int i = 0; i < runs; ++i) {
    MoRun run = run_mo(smsc, plan, force_nagle);
    LoadResult& load = run.load;
    if (!load.error.empty() || load.acked != plan.total || load.rejected != 0 ||
        run.inbound_parts != plan.total || run.empty_texts != 0) {
      std::cerr << "protocol_bench: " << name << " run " << i + 1
                << " failed: " << (load.error.empty() ? "bad counts" : load.error) << " (acked "
                << load.acked << ", rejected " << load.rejected << ", parts seen "
                << run.inbound_parts << ", without text " << run.empty_texts << ")\n";
      figures.ok = false;
      return figures;
    }
    figures.nodelay = run.esme_nodelay;
    figures.rates.push_back(static_cast<double>(load.acked) / load.seconds);
    figures.p50.push_back(percentile_ms(load.latency_ns, 50));
    figures.p99.push_back(percentile_ms(load.latency_ns, 99));
    figures.max_ms.push_back(percentile_ms(load.latency_ns, 100));
    if (!load.wake_late_ns.empty())
      figures.wake_p99.push_back(percentile_ms(load.wake_late_ns, 99));
    if (verbose) {
      const auto over_1ms = std::count_if(load.latency_ns.begin(), load.latency_ns.end(),
                                          [](std::int64_t ns) { return ns > 1'000'000; });
      std::cerr << "  " << name << " run " << i + 1 << ": " << grouped(figures.rates.back())
                << " MO/s, latency ms p50 " << fixed(figures.p50.back(), 3) << " p90 "
                << fixed(percentile_ms(load.latency_ns, 90), 3) << " p99 "
                << fixed(figures.p99.back(), 3) << " p99.9 "
                << fixed(percentile_ms(load.latency_ns, 99.9), 3) << " max "
                << fixed(figures.max_ms.back(), 3) << ", " << over_1ms << " over 1 ms"
                << (figures.wake_p99.empty()
                        ? std::string()
                        : ", SMSC wake-up late p99 " + fixed(figures.wake_p99.back(), 3) + " ms")
                << ", enquire_link " << load.enquire_links << "\n";
    }
  }
  return figures;
}

bool run_mo_benchmarks(const Options& options) {
  LoadSmsc smsc(mo_frames());
  std::vector<ScenarioFigures> rows;
  const std::string rate = fixed(options.rate, 0) + " MO/s";
  const std::string burst = "bursts of " + std::to_string(options.burst);
  rows.push_back(run_scenario(smsc, "full speed, window " + std::to_string(options.window),
                              LoadPlan{options.count, options.window, 0, 1}, options.runs, false,
                              options.verbose));
  rows.push_back(run_scenario(smsc, "paced " + rate + ", one at a time",
                              LoadPlan{options.paced_count, options.window, options.rate, 1},
                              options.runs, false, options.verbose));
  rows.push_back(
      run_scenario(smsc, "paced " + rate + ", " + burst,
                   LoadPlan{options.paced_count, options.window, options.rate, options.burst},
                   options.runs, false, options.verbose));
  if (options.control)
    rows.push_back(
        run_scenario(smsc, "paced " + rate + ", " + burst + ", Nagle on**",
                     LoadPlan{options.paced_count, options.window, options.rate, options.burst},
                     options.runs, true, options.verbose));

  std::cout << "\n2. MO acknowledged over loopback: one session, fast load SMSC, every part "
               "acknowledged on arrival (no storage)\n"
            << "   MO mix in turn: GSM 7-bit single part, the 3 UCS-2 UDH parts of a long "
               "report, a receipt.\n"
            << "   latency = deliver_sm written -> its deliver_sm_resp read, measured at the "
               "SMSC\n";
  std::cout << pad("scenario", 42, true) << pad("MO/run", 9) << pad("median MO/s", 13)
            << pad("min MO/s", 10) << pad("max MO/s", 10) << pad("p50 ms", 9) << pad("p99 ms", 9)
            << pad("max ms", 9) << pad("wake p99*", 11) << "\n";
  bool ok = true;
  for (const ScenarioFigures& row : rows) {
    if (!row.ok) {
      std::cout << pad(row.name, 42, true) << "  FAILED (see above)\n";
      ok = false;
      continue;
    }
    const bool paced = &row != &rows.front();
    const Summary rates = summarize(row.rates);
    std::cout << pad(row.name, 42, true) << pad(grouped(static_cast<double>(row.per_run)), 9)
              << pad(paced ? "paced" : grouped(rates.median), 13)
              << pad(paced ? "" : grouped(rates.min), 10)
              << pad(paced ? "" : grouped(rates.max), 10)
              << pad(fixed(summarize(row.p50).median, 3), 9)
              << pad(fixed(summarize(row.p99).median, 3), 9)
              << pad(fixed(summarize(row.max_ms).max, 3), 9)
              << pad(paced ? fixed(summarize(row.wake_p99).median, 3) : "", 11) << "\n";
  }
  std::cout << "   p50 and p99 are medians over the runs; max is the worst of all runs.\n"
               "   * wake p99: how late (ms) the SMSC thread's pacing timer woke up, p99 -- "
               "not lianxin's doing:\n"
               "     a gauge of CPU contention on this machine while the latencies were "
               "measured.\n";
  if (options.control)
    std::cout << "   ** control: the bench turns TCP_NODELAY off on the ESME socket after the "
                 "bind, to show what the option is worth.\n";

  const ScenarioFigures& paced = rows[1];
  std::cout << "   ESME socket TCP_NODELAY (getsockopt on SmppTransport's socket): "
            << (!paced.nodelay   ? "not found"
                : *paced.nodelay ? "on"
                                 : "OFF")
            << "\n";
  if (paced.ok && !paced.p99.empty()) {
    const double p99 = summarize(paced.p99).median;
    const double wake = summarize(paced.wake_p99).median;
    std::cout << "   paced p99 " << fixed(p99, 3) << " ms: "
              << (p99 < 1.0 ? "under 1 ms (no Nagle / delayed-ACK stalls)"
                            : "NOT under 1 ms: look for Nagle / delayed-ACK stalls")
              << (p99 >= 1.0 && wake >= 1.0
                      ? " -- but the SMSC thread itself woke " + fixed(wake, 3) +
                            " ms late (p99): the CPU is contended; rerun on a quiet machine"
                      : "")
              << "\n";
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  std::cout << "lianxin protocol benchmark" << (options.quick ? " (--quick: smoke run)" : "")
            << "\n  build " << LIANXIN_BUILD_TYPE << ", " << std::thread::hardware_concurrency()
            << " CPUs, load average " << load_average() << " at start\n  runs " << options.runs
            << ", codec " << options.codec_count << " round trips/type/run, MO " << options.count
            << "/run at full speed, window " << options.window << ", paced "
            << fixed(options.rate, 0) << " MO/s x " << options.paced_count << "/run (bursts of "
            << options.burst << ")\n";
  bool ok = false;
  try {
    ok = run_codec(options);
    ok = run_mo_benchmarks(options) && ok;
  } catch (const std::exception& e) {
    std::cerr << "protocol_bench: " << e.what() << "\n";
    ok = false;
  }
  std::cout << "\nPeak RSS " << fixed(static_cast<double>(peak_rss_kb()) / 1024.0, 1)
            << " MB (getrusage ru_maxrss; the whole process: codec, ESME, load SMSC, latency "
               "samples)\nload average "
            << load_average() << " at end\n";
  return ok ? 0 : 1;
}
