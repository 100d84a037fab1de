// protocol_bench part 2: MOs acknowledged per second over loopback, lianxin's SmppTransport as
// the ESME against the load SMSC, at full speed and paced (with latency percentiles).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <iostream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "protocol/asio.hpp"
#include "protocol/esme.hpp"
#include "protocol/pdu.hpp"
#include "protocol/transport.hpp"
#include "tests/bench/protocol_bench.hpp"
#include "tests/bench/protocol_bench_smsc.hpp"

namespace protocol_bench {

namespace {

using namespace std::chrono_literals;

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

}  // namespace

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

}  // namespace protocol_bench
