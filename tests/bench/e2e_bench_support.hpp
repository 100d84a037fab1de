// e2e_bench's options and small helpers (bytes, numbers in texts, /proc, SQLite counts).
#pragma once

#include <signal.h>
#include <sqlite3.h>
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
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "protocol/asio.hpp"
#include "protocol/pdu.hpp"
#include "protocol/segment.hpp"
#include "protocol/text.hpp"
#include "tests/bench/smpp_frames.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/synthetic_site.hpp"

#ifndef LIANXIN_BUILD_TYPE
#define LIANXIN_BUILD_TYPE "unknown"
#endif
#ifndef LIANXIND_PATH
#define LIANXIND_PATH ""
#endif

namespace lianxin::bench::e2e {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using namespace lianxin;
using SteadyClock = std::chrono::steady_clock;
using smpp::Bytes;

constexpr const char* kServiceNumber = "106900001234";

// ------------------------------------------------------------------ options

struct Options {
  std::string lianxind = LIANXIND_PATH;
  int runs = 3;
  std::size_t count = 20'000;       // MOs per sustained run
  std::size_t window = 256;         // unacknowledged deliver_sm the SMSC allows
  std::size_t smpp_window = 100;    // lianxind's submit window (it keeps 2x in flight)
  double rate = 200;                // paced MO/s
  std::size_t paced_count = 2'000;  // MOs of the paced run
  std::size_t burst = 100'000;      // MOs of the backlog run
  std::string log_level = "info";   // lianxind's log_level (its log goes to a file)
  bool sync_full = true;
  double timeout_s = 300;  // per run
  bool sustained = true, paced = true, backlog = true;
  std::optional<fs::path> keep;  // keep the run directories under here
  testing::SiteShape shape{.grids = 100, .members_per_grid = 5, .residents = 20'000};
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "e2e_bench: " << message
            << "\nusage: e2e_bench --lianxind PATH [--runs N] [--count N] [--window N] "
               "[--smpp-window N] [--rate R] [--paced-count N] [--burst N] [--log-level L] "
               "[--sync full|normal] [--timeout S] [--only sustained,paced,backlog] [--quick] "
               "[--keep DIR]\n";
  std::exit(2);
}

inline std::size_t parse_size(std::string_view flag, const char* value) {
  std::size_t n = 0;
  const std::string_view text(value);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0)
    usage_error(std::string(flag) + " needs a positive integer");
  return n;
}

inline Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--lianxind")
      o.lianxind = value();
    else if (flag == "--runs")
      o.runs = static_cast<int>(parse_size(flag, value()));
    else if (flag == "--count")
      o.count = parse_size(flag, value());
    else if (flag == "--window")
      o.window = parse_size(flag, value());
    else if (flag == "--smpp-window")
      o.smpp_window = parse_size(flag, value());
    else if (flag == "--rate")
      o.rate = static_cast<double>(parse_size(flag, value()));
    else if (flag == "--paced-count")
      o.paced_count = parse_size(flag, value());
    else if (flag == "--burst")
      o.burst = parse_size(flag, value());
    else if (flag == "--log-level")
      o.log_level = value();
    else if (flag == "--timeout")
      o.timeout_s = static_cast<double>(parse_size(flag, value()));
    else if (flag == "--sync") {
      const std::string_view v = value();
      if (v != "full" && v != "normal") usage_error("--sync is full or normal");
      o.sync_full = v == "full";
    } else if (flag == "--only") {
      const std::string v = value();
      o.sustained = v.find("sustained") != std::string::npos;
      o.paced = v.find("paced") != std::string::npos;
      o.backlog = v.find("backlog") != std::string::npos;
    } else if (flag == "--keep") {
      o.keep = fs::path(value());
    } else if (flag == "--quick") {
      o.runs = 1;
      o.count = 2'000;
      o.paced_count = 200;
      o.burst = 3'000;
      o.timeout_s = 60;
    } else {
      usage_error("unknown argument " + std::string(flag));
    }
  }
  if (o.lianxind.empty()) usage_error("--lianxind PATH is required");
  return o;
}

// ------------------------------------------------------------------ small helpers

inline std::string national(std::string_view address) {
  std::string digits;
  for (char c : address)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  return digits;
}

// The ticket number after "工单号" (confirmation) or "新工单" (dispatch); 0 when absent.
inline std::uint64_t ticket_in(std::string_view text) {
  for (std::string_view marker : {std::string_view("工单号"), std::string_view("新工单")}) {
    const std::size_t at = text.find(marker);
    if (at == std::string_view::npos) continue;
    std::uint64_t n = 0;
    const char* begin = text.data() + at + marker.size();
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), n);
    if (ec == std::errc() && end != begin) return n;
  }
  return 0;
}

struct ProcStatus {
  long rss_kb = -1;
  long hwm_kb = -1;
};

inline ProcStatus proc_status(pid_t pid) {
  ProcStatus s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) s.rss_kb = std::strtol(line.c_str() + 6, nullptr, 10);
    if (line.starts_with("VmHWM:")) s.hwm_kb = std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return s;
}

// User plus system CPU time the process has used, in seconds (/proc/PID/stat); NaN if unreadable.
inline double proc_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return std::nan("");
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // utime is field 14, stime 15
    if (i >= 14) ticks += std::strtod(field.c_str(), nullptr);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

inline double percentile_ms(std::vector<std::int64_t> ns, double p) {
  if (ns.empty()) return std::nan("");
  std::sort(ns.begin(), ns.end());
  const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * ns.size()));
  return static_cast<double>(ns[std::min(ns.size() - 1, rank == 0 ? 0 : rank - 1)]) / 1e6;
}

inline std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

inline std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

inline long long count_rows(const fs::path& db_path, const char* sql) {
  sqlite3* db = nullptr;
  long long n = -1;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
      n = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace lianxin::bench::e2e
