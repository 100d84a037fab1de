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
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "tests/bench/protocol_bench.hpp"

#ifndef LIANXIN_BUILD_TYPE
#define LIANXIN_BUILD_TYPE "unknown"
#endif

namespace protocol_bench {

namespace {

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

}  // namespace

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

std::string pad(std::string text, std::size_t width, bool left) {
  if (text.size() >= width) return text;
  const std::string spaces(width - text.size(), ' ');
  return left ? text + spaces : spaces + text;
}

}  // namespace protocol_bench

using protocol_bench::fixed;
using protocol_bench::load_average;
using protocol_bench::Options;
using protocol_bench::parse_options;
using protocol_bench::peak_rss_kb;
using protocol_bench::run_codec;
using protocol_bench::run_mo_benchmarks;

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
