// protocol_bench's shared pieces. One executable, one file per job:
//   protocol_bench.cpp           options, figures (medians, percentiles, formatting), main
//   protocol_bench_messages.cpp  the realistic PDUs both parts measure
//   protocol_bench_codec.cpp     1. codec round trips per second
//   protocol_bench_smsc.cpp      the in-process load SMSC (protocol_bench_smsc.hpp)
//   protocol_bench_mo.cpp        2. MO acknowledged per second through SmppTransport
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/pdu.hpp"

namespace protocol_bench {

namespace smpp = lianxin::smpp;
using lianxin::smpp::Bytes;
using lianxin::smpp::ByteView;
using SteadyClock = std::chrono::steady_clock;

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

struct Summary {
  double median = 0, min = 0, max = 0;
};

Summary summarize(std::vector<double> values);
// Nearest-rank percentile of nanosecond samples (sorts them).
double percentile_ms(std::vector<std::int64_t>& ns, double p);
std::string fixed(double value, int decimals);
// 1234567 -> "1,234,567"
std::string grouped(double value);
std::string pad(std::string text, std::size_t width, bool left = false);

// protocol_bench_messages.cpp: the samples (comments there).
std::vector<smpp::Pdu> deliver_ucs2_udh_parts();
smpp::Pdu deliver_gsm7_single();
std::vector<smpp::Pdu> submit_sar_parts();
smpp::Pdu submit_sm_resp();
smpp::Pdu enquire_link();
smpp::Pdu deliver_receipt();
Bytes encode_or_die(const smpp::Pdu& pdu);

bool run_codec(const Options& options);          // protocol_bench_codec.cpp
bool run_mo_benchmarks(const Options& options);  // protocol_bench_mo.cpp

}  // namespace protocol_bench
