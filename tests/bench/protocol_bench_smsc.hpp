// protocol_bench's load SMSC (protocol_bench_smsc.cpp), driven by the MO runs
// (protocol_bench_mo.cpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "protocol/asio.hpp"
#include "tests/bench/protocol_bench.hpp"

namespace protocol_bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

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
  explicit LoadSmsc(std::vector<Bytes> frames);
  ~LoadSmsc();

  LoadSmsc(const LoadSmsc&) = delete;
  LoadSmsc& operator=(const LoadSmsc&) = delete;

  std::uint16_t port() const { return port_; }
  // The ESME's local port, known once the SMSC accepted it (before it answers the bind).
  std::uint16_t peer_port() const { return peer_port_.load(); }

  // Accepts the next connection and runs `plan` on it. `done` runs on the SMSC thread once every
  // MO was acknowledged (or the connection failed); the result then becomes ready.
  std::future<LoadResult> expect(LoadPlan plan, std::function<void()> done);

  // Gives up on the current run (the ESME hung); its result reports `why`.
  void abort(const std::string& why);

 private:
  struct Conn;  // one run's connection (protocol_bench_smsc.cpp)

  std::vector<Bytes> frames_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::atomic<std::uint16_t> peer_port_{0};
  std::shared_ptr<Conn> conn_;  // SMSC thread only
};

}  // namespace protocol_bench
