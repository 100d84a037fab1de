// e2e_bench: the whole of lianxind, measured from outside, as an SMSC sees it.
//
// A fast load SMSC (in this process, its own thread and io_context, raw SMPP over loopback;
// deliver_sm frames pre-encoded with lianxin's codec) binds lianxind, which runs as a child
// process on a generated configuration: a synthetic county (100 grids, 500 members, 20,000
// residents, tests/integration/synthetic_site.hpp) and a fresh database with synchronous=FULL
// (WAL; every commit survives power loss). Every MO is a distinct report from a resident of a
// known grid, so each one opens a ticket and makes lianxind submit two SMS: the confirmation to
// the villager ("...工单号N...") and the dispatch to a member ("新工单N..."). A report counts as
// done when the SMSC has received both (every part); its latency runs from the deliver_sm written
// to the last of those submit_sm read. The SMSC answers every submit_sm at once.
//
// Scenarios (each on a fresh daemon and database):
//  1. sustained: --count MOs as fast as lianxind acknowledges them (at most --window
//     unacknowledged), --runs times; reports / (first MO written → last report done), median of
//     runs (the rate between 10% and 90% of completions is printed too).
//  2. paced: --paced-count MOs at a steady --rate per second; latency p50/p99/max.
//  3. backlog: --burst MOs as fast as they are acknowledged; lianxind's VmRSS sampled every
//     50 ms, VmHWM during and after the drain, and the backlog (acknowledged, not yet done).
// Figures, then the targets they are compared with. Peak RSS is VmHWM of /proc/PID/status.
//
// Usage: e2e_bench --lianxind PATH [--runs N] [--count N] [--window N] [--smpp-window N]
//                  [--rate R] [--paced-count N] [--burst N] [--log-level L] [--sync full|normal]
//                  [--timeout S] [--only sustained,paced,backlog] [--quick] [--keep DIR]
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
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/synthetic_site.hpp"

#ifndef LIANXIN_BUILD_TYPE
#define LIANXIN_BUILD_TYPE "unknown"
#endif
#ifndef LIANXIND_PATH
#define LIANXIND_PATH ""
#endif

namespace {

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

std::size_t parse_size(std::string_view flag, const char* value) {
  std::size_t n = 0;
  const std::string_view text(value);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0)
    usage_error(std::string(flag) + " needs a positive integer");
  return n;
}

Options parse_options(int argc, char** argv) {
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

void append_header(Bytes& out, std::uint32_t length, smpp::CommandId id, std::uint32_t status,
                   std::uint32_t sequence) {
  const std::size_t at = out.size();
  out.resize(at + 16);
  write_be32(&out[at], length);
  write_be32(&out[at + 4], static_cast<std::uint32_t>(id));
  write_be32(&out[at + 8], status);
  write_be32(&out[at + 12], sequence);
}

std::string national(std::string_view address) {
  std::string digits;
  for (char c : address)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  return digits;
}

// The ticket number after "工单号" (confirmation) or "新工单" (dispatch); 0 when absent.
std::uint64_t ticket_in(std::string_view text) {
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

ProcStatus proc_status(pid_t pid) {
  ProcStatus s;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) s.rss_kb = std::strtol(line.c_str() + 6, nullptr, 10);
    if (line.starts_with("VmHWM:")) s.hwm_kb = std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return s;
}

double percentile_ms(std::vector<std::int64_t> ns, double p) {
  if (ns.empty()) return std::nan("");
  std::sort(ns.begin(), ns.end());
  const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * ns.size()));
  return static_cast<double>(ns[std::min(ns.size() - 1, rank == 0 ? 0 : rank - 1)]) / 1e6;
}

std::string fixed(double value, int decimals) {
  if (std::isnan(value)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

long long count_rows(const fs::path& db_path, const char* sql) {
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

// ------------------------------------------------------------------ the load

// One run's MOs: pre-encoded deliver_sm frames (sequence number patched when sent) and the
// resident each comes from.
struct MoPlan {
  std::vector<Bytes> frames;
  std::vector<std::string> from;  // national number
  std::size_t window = 256;
  double rate = 0;  // MO/s; 0 = as fast as the window allows
};

MoPlan make_plan(std::size_t count, std::size_t first_serial, std::size_t residents,
                 std::size_t window, double rate) {
  MoPlan plan;
  plan.window = window;
  plan.rate = rate;
  plan.frames.reserve(count);
  plan.from.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t serial = first_serial + i;
    smpp::DeliverSm mo;
    mo.source = smpp::Address{1, 1, testing::resident_number(serial % residents)};
    mo.destination = smpp::Address{0, 1, kServiceNumber};
    mo.data_coding = sms::data_coding_of(sms::Encoding::ucs2);
    mo.short_message = sms::encode(testing::report_text(serial), sms::Encoding::ucs2).bytes;
    smpp::EncodeResult encoded = smpp::encode(smpp::Pdu{smpp::status::ok, 1, mo});
    if (encoded.error) throw std::runtime_error("encoding a deliver_sm: " + encoded.detail);
    plan.frames.push_back(std::move(encoded.bytes));
    plan.from.push_back(mo.source.addr);
  }
  return plan;
}

// What the SMSC measured; read by the main thread once `finished` (or for progress, the atomics).
struct RunResult {
  std::string error;
  std::vector<std::int64_t> latency_ns;  // per report done: MO written → both SMS read
  std::vector<std::int64_t> ack_ns;      // per MO: written → deliver_sm_resp read
  std::vector<std::int64_t> done_at_ns;  // when each report was done (since the first MO)
  std::size_t rejected = 0;              // deliver_sm_resp with an error status
  std::size_t submits = 0, other_sms = 0, unmatched = 0;
  std::int64_t first_sent_ns = 0, last_sent_ns = 0;
};

// The SMSC's view of one run. Atomics are what the main thread polls.
struct RunState {
  explicit RunState(MoPlan p) : plan(std::move(p)) {
    sent_ns.assign(plan.frames.size(), -1);
    result.latency_ns.reserve(plan.frames.size());
    result.ack_ns.reserve(plan.frames.size());
    result.done_at_ns.reserve(plan.frames.size());
  }
  MoPlan plan;
  std::atomic<std::size_t> sent{0}, acked{0}, done{0};
  std::atomic<bool> bound{false}, finished{false};
  // SMSC thread only:
  SteadyClock::time_point start{};
  std::vector<std::int64_t> sent_ns;
  std::unordered_map<std::string, std::deque<std::uint32_t>> waiting_confirmation;  // by resident
  struct Ticket {
    std::int64_t mo = -1;  // index, once its confirmation named it
    std::int64_t confirmation_ns = -1, dispatch_ns = -1;
    bool counted = false;
  };
  std::unordered_map<std::uint64_t, Ticket> tickets;
  struct Partial {
    std::uint64_t ticket = 0;
    int seen = 0;
  };
  std::map<std::pair<std::string, std::uint16_t>, Partial> parts;  // (to, ref) of a multipart SMS
  RunResult result;
};

class LoadSmsc {
 public:
  LoadSmsc()
      : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        pacer_(io_),
        work_(asio::make_work_guard(io_)) {
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoadSmsc() {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      pacer_.cancel();
      close();
      work_.reset();
    });
    thread_.join();
  }
  LoadSmsc(const LoadSmsc&) = delete;
  LoadSmsc& operator=(const LoadSmsc&) = delete;

  std::uint16_t port() const { return port_; }

  // The next bind gets this run (the MOs start flowing once it is bound and start() is called).
  void prepare(std::shared_ptr<RunState> run) {
    asio::post(io_, [this, run] { run_ = std::move(run); });
  }
  void start() {
    asio::post(io_, [this] {
      if (!run_ || !run_->bound) return;
      run_->start = SteadyClock::now();
      streaming_ = true;
      if (run_->plan.rate > 0)
        pace(0);
      else
        send_more();
      flush();
    });
  }
  // Stops streaming and hands the result over (on the SMSC thread, so nothing races).
  RunResult finish() {
    std::promise<RunResult> promise;
    auto future = promise.get_future();
    asio::post(io_, [this, &promise] {
      streaming_ = false;
      pacer_.cancel();
      RunResult result;
      if (run_) result = std::move(run_->result);
      promise.set_value(std::move(result));
    });
    return future.get();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      close();
      socket_.emplace(std::move(socket));
      boost::system::error_code ignored;
      socket_->set_option(tcp::no_delay(true), ignored);
      input_.clear();
      out_.clear();
      read();
      accept();
    });
  }

  void close() {
    boost::system::error_code ignored;
    if (socket_ && socket_->is_open()) socket_->close(ignored);
    streaming_ = false;
  }

  void read() {
    socket_->async_read_some(
        asio::buffer(buffer_),
        [this, socket = &*socket_](boost::system::error_code ec, std::size_t n) {
          if (!socket_ || &*socket_ != socket) return;  // an old connection
          if (ec) {
            if (run_ && !run_->finished && streaming_)
              run_->result.error = "connection lost: " + ec.message();
            close();
            return;
          }
          on_read(n);
        });
  }

  void on_read(std::size_t n) {
    const auto now = SteadyClock::now();
    input_.insert(input_.end(), buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    std::size_t offset = 0;
    while (input_.size() - offset >= 16) {
      const std::uint32_t length = read_be32(&input_[offset]);
      if (length < 16 || length > smpp::max_command_length) {
        if (run_) run_->result.error = "bad command_length from lianxind";
        close();
        return;
      }
      if (input_.size() - offset < length) break;
      handle(smpp::ByteView(&input_[offset], length), now);
      offset += length;
    }
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
    if (streaming_ && run_ && run_->plan.rate <= 0) send_more();
    flush();
    if (socket_ && socket_->is_open()) read();
  }

  std::int64_t since_start(SteadyClock::time_point t) const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - run_->start).count();
  }

  void handle(smpp::ByteView frame, SteadyClock::time_point now) {
    using smpp::CommandId;
    const auto id = static_cast<CommandId>(read_be32(frame.data() + 4));
    const std::uint32_t status = read_be32(frame.data() + 8);
    const std::uint32_t sequence = read_be32(frame.data() + 12);
    switch (id) {
      case CommandId::bind_transceiver: {
        static constexpr char system_id[] = "loadsmsc";
        append_header(out_, 16 + sizeof system_id, CommandId::bind_transceiver_resp, 0, sequence);
        out_.insert(out_.end(), system_id, system_id + sizeof system_id);
        if (run_) run_->bound = true;
        return;
      }
      case CommandId::enquire_link:
        append_header(out_, 16, CommandId::enquire_link_resp, 0, sequence);
        return;
      case CommandId::unbind:
        append_header(out_, 16, CommandId::unbind_resp, 0, sequence);
        return;
      case CommandId::submit_sm:
        on_submit(frame, sequence, now);
        return;
      case CommandId::deliver_sm_resp:
        on_deliver_resp(sequence, status, now);
        return;
      default:
        if (!smpp::is_response(static_cast<std::uint32_t>(id)))
          append_header(out_, 16, CommandId::generic_nack, smpp::status::invalid_cmd_id, sequence);
        return;
    }
  }

  void on_deliver_resp(std::uint32_t sequence, std::uint32_t status, SteadyClock::time_point now) {
    if (!run_ || sequence == 0 || sequence > run_->sent_ns.size()) return;
    std::int64_t& sent = run_->sent_ns[sequence - 1];
    if (sent < 0) return;
    run_->result.ack_ns.push_back(since_start(now) - sent);
    if (status != smpp::status::ok) ++run_->result.rejected;
    ++run_->acked;
  }

  void on_submit(smpp::ByteView frame, std::uint32_t sequence, SteadyClock::time_point now) {
    char message_id[16];
    const int length = std::snprintf(message_id, sizeof message_id, "%x", next_message_id_++);
    append_header(out_, static_cast<std::uint32_t>(16 + length + 1),
                  smpp::CommandId::submit_sm_resp, 0, sequence);
    out_.insert(out_.end(), message_id, message_id + length + 1);
    if (!run_) return;
    RunState& run = *run_;
    ++run.result.submits;
    const smpp::DecodeResult decoded = smpp::decode(frame);
    const auto* submit = decoded.pdu ? std::get_if<smpp::SubmitSm>(&decoded.pdu->body) : nullptr;
    if (!submit) {
      ++run.result.unmatched;
      return;
    }
    const sms::ParsedUserData user_data =
        sms::parse_concat(submit->esm_class, submit->short_message);
    const std::string to = national(submit->destination.addr);
    std::uint64_t ticket = 0;
    bool complete = true;
    if (user_data.concat && user_data.concat->total > 1) {
      auto& partial = run.parts[{to, user_data.concat->ref}];
      if (user_data.concat->seq == 1)
        partial.ticket = ticket_in(sms::decode(submit->data_coding, user_data.body));
      complete = ++partial.seen == user_data.concat->total;
      ticket = partial.ticket;
      if (complete) run.parts.erase({to, user_data.concat->ref});
    } else {
      ticket = ticket_in(sms::decode(submit->data_coding, user_data.body));
    }
    if (!complete) return;
    if (ticket == 0) {
      ++run.result.other_sms;
      return;
    }
    RunState::Ticket& t = run.tickets[ticket];
    const std::int64_t at = since_start(now);
    if (to.starts_with("139")) {  // a resident: the confirmation
      t.confirmation_ns = at;
      auto it = run.waiting_confirmation.find(to);
      if (it != run.waiting_confirmation.end() && !it->second.empty()) {
        t.mo = it->second.front();
        it->second.pop_front();
      } else {
        ++run.result.unmatched;
      }
    } else {
      t.dispatch_ns = at;
    }
    if (!t.counted && t.mo >= 0 && t.confirmation_ns >= 0 && t.dispatch_ns >= 0) {
      t.counted = true;
      run.result.latency_ns.push_back(std::max(t.confirmation_ns, t.dispatch_ns) -
                                      run.sent_ns[static_cast<std::size_t>(t.mo)]);
      run.result.done_at_ns.push_back(at);
      ++run.done;
      run.tickets.erase(ticket);
    }
  }

  // Appends the next MO; false when the plan or the window says not now.
  bool append_mo(SteadyClock::time_point now) {
    RunState& run = *run_;
    const std::size_t sent = run.sent;
    if (sent >= run.plan.frames.size() || sent - run.acked >= run.plan.window) return false;
    const Bytes& frame = run.plan.frames[sent];
    const std::size_t at = out_.size();
    out_.insert(out_.end(), frame.begin(), frame.end());
    write_be32(&out_[at + 12], static_cast<std::uint32_t>(sent + 1));
    run.sent_ns[sent] = since_start(now);
    if (sent == 0) run.result.first_sent_ns = run.sent_ns[sent];
    run.result.last_sent_ns = run.sent_ns[sent];
    run.waiting_confirmation[run.plan.from[sent]].push_back(static_cast<std::uint32_t>(sent));
    run.sent = sent + 1;
    return true;
  }

  void send_more() {
    const auto now = SteadyClock::now();
    while (append_mo(now)) {
    }
  }

  // Paced: MO k is due at start + k / rate; a tick sends whatever is due (window permitting).
  void pace(std::size_t tick) {
    RunState& run = *run_;
    if (!streaming_ || run.sent >= run.plan.frames.size()) return;
    pacer_.expires_at(run.start + std::chrono::duration_cast<SteadyClock::duration>(
                                      std::chrono::duration<double>(tick / run.plan.rate)));
    pacer_.async_wait([this, tick](boost::system::error_code ec) {
      if (ec || !streaming_ || !run_) return;
      const auto now = SteadyClock::now();
      const double elapsed = std::chrono::duration<double>(now - run_->start).count();
      const std::size_t due = std::min(run_->plan.frames.size(),
                                       static_cast<std::size_t>(elapsed * run_->plan.rate) + 1);
      while (run_->sent < due && append_mo(now)) {
      }
      flush();
      pace(std::max(tick + 1, run_->sent.load()));
    });
  }

  void flush() {
    if (writing_ || out_.empty() || !socket_ || !socket_->is_open()) return;
    writing_ = true;
    std::swap(out_, being_written_);
    out_.clear();
    asio::async_write(*socket_, asio::buffer(being_written_),
                      [this](boost::system::error_code ec, std::size_t) {
                        writing_ = false;
                        being_written_.clear();
                        if (ec) {
                          close();
                          return;
                        }
                        flush();
                      });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer pacer_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::optional<tcp::socket> socket_;
  std::array<std::uint8_t, 65536> buffer_{};
  Bytes input_, out_, being_written_;
  bool writing_ = false, streaming_ = false;
  std::uint32_t next_message_id_ = 0x10000000;
  std::shared_ptr<RunState> run_;
};

// ------------------------------------------------------------------ one run

struct Sample {
  double t_s = 0;
  std::size_t acked = 0, done = 0;
  long rss_kb = -1;
};

struct RunFigures {
  std::string name;
  std::string error;
  std::size_t count = 0, done = 0, rejected = 0, other_sms = 0, unmatched = 0;
  long long tickets_in_db = -1;
  double seconds = 0;           // first MO → last report done
  double rate_overall = 0;      // count / seconds
  double rate_middle = 0;       // reports/s between 10% and 90% of completions
  double rate_first_tenth = 0;  // reports/s over the first and last 10% of completions
  double rate_last_tenth = 0;
  double ack_rate = 0;               // MOs acknowledged per second while sending
  double p50 = 0, p99 = 0, max = 0;  // report latency, ms
  double ack_p50 = 0, ack_p99 = 0;
  long idle_rss_kb = -1, hwm_kb = -1, after_rss_kb = -1;
  std::size_t max_backlog = 0;
  std::vector<Sample> samples;
  int exit_code = -1;
};

struct Runner {
  const Options& options;
  LoadSmsc& smsc;
  fs::path site;  // directory CSVs
  int serial = 0;

  RunFigures run(const std::string& name, MoPlan plan, bool sample_rss) {
    RunFigures f;
    f.name = name;
    f.count = plan.frames.size();
    testing::TempDir temp;
    fs::path dir = temp.path();
    if (options.keep) {
      dir = *options.keep / (name + "-" + std::to_string(++serial));
      fs::create_directories(dir);
    }
    for (const char* file :
         {"grids.csv", "members.csv", "residents.csv", "teams.csv", "duty_desks.csv"})
      fs::copy_file(site / file, dir / file, fs::copy_options::overwrite_existing);
    testing::SiteConfig config;
    config.smsc_port = smsc.port();
    config.service_number = kServiceNumber;
    config.synchronous_full = options.sync_full;
    config.window = options.smpp_window;
    config.log_level = options.log_level;
    config.duplicate_join = "0m";
    const fs::path config_path = testing::write_site_config(dir, config);

    auto state = std::make_shared<RunState>(std::move(plan));
    smsc.prepare(state);
    testing::ChildProcess daemon({options.lianxind, "--config", config_path.string()},
                                 dir / "lianxind.log");
    const auto bind_deadline = SteadyClock::now() + 20s;
    while (!state->bound && SteadyClock::now() < bind_deadline && daemon.running())
      std::this_thread::sleep_for(5ms);
    if (!state->bound) {
      f.error = "lianxind never bound; its log:\n" + daemon.log();
      return f;
    }
    std::this_thread::sleep_for(300ms);  // settle after start-up
    f.idle_rss_kb = proc_status(daemon.pid()).rss_kb;

    const auto start = SteadyClock::now();
    smsc.start();
    const auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                                      std::chrono::duration<double>(options.timeout_s));
    const std::size_t count = f.count;
    while (state->done < count && SteadyClock::now() < deadline) {
      if (!daemon.running()) {
        f.error = "lianxind exited during the run; its log (tail):\n" + daemon.log();
        break;
      }
      std::this_thread::sleep_for(sample_rss ? 50ms : 20ms);
      if (sample_rss) {
        Sample s;
        s.t_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
        s.acked = state->acked;
        s.done = state->done;
        s.rss_kb = proc_status(daemon.pid()).rss_kb;
        f.samples.push_back(s);
      }
      f.max_backlog =
          std::max(f.max_backlog, state->acked - std::min(state->acked.load(), state->done.load()));
    }
    if (f.error.empty() && state->done < count)
      f.error = "timed out after " + fixed(options.timeout_s, 0) + " s with " +
                std::to_string(state->done) + " of " + std::to_string(count) + " reports done";
    if (sample_rss) std::this_thread::sleep_for(1s);  // after the drain: idle again
    const ProcStatus status = proc_status(daemon.pid());
    f.hwm_kb = status.hwm_kb;
    f.after_rss_kb = status.rss_kb;

    RunResult result = smsc.finish();
    daemon.signal(SIGTERM);
    f.exit_code = daemon.wait_exit(30s).value_or(-1);
    if (f.error.empty() && !result.error.empty()) f.error = result.error;
    f.tickets_in_db = count_rows(dir / "lianxin.db", "SELECT count(*) FROM tickets");

    f.done = result.latency_ns.size();
    f.rejected = result.rejected;
    f.other_sms = result.other_sms;
    f.unmatched = result.unmatched;
    f.p50 = percentile_ms(result.latency_ns, 50);
    f.p99 = percentile_ms(result.latency_ns, 99);
    f.max = percentile_ms(result.latency_ns, 100);
    f.ack_p50 = percentile_ms(result.ack_ns, 50);
    f.ack_p99 = percentile_ms(result.ack_ns, 99);
    std::vector<std::int64_t>& at = result.done_at_ns;
    std::sort(at.begin(), at.end());
    if (!at.empty()) {
      f.seconds = static_cast<double>(at.back() - result.first_sent_ns) / 1e9;
      f.rate_overall = static_cast<double>(at.size()) / f.seconds;
      const auto rate_between = [&](double from, double to) {
        const std::size_t a = static_cast<std::size_t>(from * static_cast<double>(at.size() - 1));
        const std::size_t b = static_cast<std::size_t>(to * static_cast<double>(at.size() - 1));
        const double span = static_cast<double>(at[b] - at[a]) / 1e9;
        return span > 0 ? static_cast<double>(b - a) / span : std::nan("");
      };
      f.rate_middle = rate_between(0.1, 0.9);
      f.rate_first_tenth = rate_between(0.0, 0.1);
      f.rate_last_tenth = rate_between(0.9, 1.0);
    }
    const double sending_s = static_cast<double>(result.last_sent_ns - result.first_sent_ns) / 1e9;
    if (sending_s > 0) f.ack_rate = static_cast<double>(f.count) / sending_s;
    return f;
  }
};

void print_run(const RunFigures& f) {
  std::printf(
      "  %-12s %6zu reports in %6.2f s: %7.0f/s overall, %7.0f/s middle 80%% (first 10%%: %.0f/s, "
      "last 10%%: %.0f/s); MO intake %.0f/s; latency p50 %s ms p99 %s ms max %s ms; MO ack p50 %s "
      "ms p99 %s ms; VmHWM %ld kB; tickets in db %lld; exit %d\n",
      f.name.c_str(), f.done, f.seconds, f.rate_overall, f.rate_middle, f.rate_first_tenth,
      f.rate_last_tenth, f.ack_rate, fixed(f.p50, 2).c_str(), fixed(f.p99, 2).c_str(),
      fixed(f.max, 1).c_str(), fixed(f.ack_p50, 2).c_str(), fixed(f.ack_p99, 2).c_str(), f.hwm_kb,
      f.tickets_in_db, f.exit_code);
  if (f.rejected || f.other_sms || f.unmatched)
    std::printf("  %-12s note: %zu MOs refused, %zu other SMS, %zu SMS not matched to a report\n",
                "", f.rejected, f.other_sms, f.unmatched);
  if (!f.error.empty()) std::printf("  %-12s ERROR: %s\n", "", f.error.substr(0, 4000).c_str());
  std::fflush(stdout);
}

double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  std::printf("e2e_bench: lianxind %s (build %s)\n", options.lianxind.c_str(), LIANXIN_BUILD_TYPE);
  std::printf(
      "  storage: SQLite WAL, synchronous=%s (%s); directory: %zu grids, %zu members, %zu "
      "residents; "
      "log_level %s (to a file)\n",
      options.sync_full ? "FULL" : "NORMAL",
      options.sync_full ? "every commit survives power loss" : "survives kill -9, not power loss",
      options.shape.grids, options.shape.grids * options.shape.members_per_grid,
      options.shape.residents, options.log_level.c_str());
  std::printf(
      "  load SMSC: in-process, loopback, TCP_NODELAY, window %zu MOs; lianxind SMPP window %zu\n",
      options.window, options.smpp_window);
  std::printf("  machine: %u CPUs, load average %s\n", std::thread::hardware_concurrency(),
              load_average().c_str());
  std::fflush(stdout);

  testing::TempDir site;
  testing::write_site_directory(site.path(), options.shape);
  LoadSmsc smsc;
  Runner runner{options, smsc, site.path()};
  bool failed = false;

  std::vector<double> sustained_rates;
  std::vector<RunFigures> sustained;
  if (options.sustained) {
    std::printf("\n1. sustained: %zu reports as fast as lianxind acknowledges them, %d runs\n",
                options.count, options.runs);
    for (int r = 0; r < options.runs; ++r) {
      RunFigures f = runner.run(
          "sustained", make_plan(options.count, 0, options.shape.residents, options.window, 0),
          false);
      print_run(f);
      failed = failed || !f.error.empty();
      if (f.error.empty()) sustained_rates.push_back(f.rate_overall);
      sustained.push_back(std::move(f));
    }
  }

  std::optional<RunFigures> paced;
  if (options.paced) {
    std::printf("\n2. paced: %zu reports at a steady %.0f/s, each from a different resident\n",
                options.paced_count, options.rate);
    paced = runner.run("paced",
                       make_plan(std::min(options.paced_count, options.shape.residents), 0,
                                 options.shape.residents, options.window, options.rate),
                       false);
    print_run(*paced);
    failed = failed || !paced->error.empty();
  }

  std::optional<RunFigures> backlog;
  if (options.backlog) {
    std::printf("\n3. backlog: %zu reports as fast as they are acknowledged; VmRSS sampled\n",
                options.burst);
    backlog = runner.run(
        "backlog", make_plan(options.burst, 0, options.shape.residents, options.window, 0), true);
    print_run(*backlog);
    failed = failed || !backlog->error.empty();
    std::printf(
        "  %-12s idle VmRSS %ld kB before; max backlog %zu reports acknowledged, not yet done\n",
        "", backlog->idle_rss_kb, backlog->max_backlog);
    if (!backlog->samples.empty()) {
      std::printf("  %-12s %8s %8s %8s %10s\n", "", "t (s)", "acked", "done", "VmRSS kB");
      const std::size_t step = std::max<std::size_t>(1, backlog->samples.size() / 10);
      for (std::size_t i = 0; i < backlog->samples.size(); i += step) {
        const Sample& s = backlog->samples[i];
        std::printf("  %-12s %8.1f %8zu %8zu %10ld\n", "", s.t_s, s.acked, s.done, s.rss_kb);
      }
      const Sample& s = backlog->samples.back();
      std::printf("  %-12s %8.1f %8zu %8zu %10ld\n", "", s.t_s, s.acked, s.done, s.rss_kb);
    }
    std::printf("  %-12s after the drain: VmRSS %ld kB, VmHWM %ld kB\n", "", backlog->after_rss_kb,
                backlog->hwm_kb);
  }

  // ---- the table ----
  std::printf("\n%-46s %16s %18s %s\n", "figure", "measured", "target", "");
  const auto row = [](const std::string& what, const std::string& measured,
                      const std::string& target, std::optional<bool> met) {
    std::printf("%-46s %16s %18s %s\n", what.c_str(), measured.c_str(), target.c_str(),
                !met   ? ""
                : *met ? "met"
                       : "MISSED");
  };
  long peak_kb = -1;
  for (const RunFigures& f : sustained) peak_kb = std::max(peak_kb, f.hwm_kb);
  if (paced) peak_kb = std::max(peak_kb, paced->hwm_kb);
  if (options.sustained) {
    const double rate = median(sustained_rates);
    row("sustained reports/s, first MO to last done (median of " +
            std::to_string(sustained_rates.size()) + ")",
        fixed(rate, 0), ">= 15000 (aim 20000)",
        std::isnan(rate) ? std::optional<bool>(false) : rate >= 15000);
  }
  if (paced) {
    row("latency p50 at " + fixed(options.rate, 0) + "/s (ms)", fixed(paced->p50, 2), "",
        std::nullopt);
    row("latency p99 at " + fixed(options.rate, 0) + "/s (ms)", fixed(paced->p99, 2), "<= 2",
        paced->p99 <= 2.0);
  }
  if (peak_kb >= 0)
    row("peak RSS, sustained/paced runs (MB)", fixed(static_cast<double>(peak_kb) / 1024, 1),
        "<= 48", peak_kb <= 48 * 1024);
  if (backlog) {
    row("peak RSS, " + std::to_string(options.burst) + " backlog (MB)",
        fixed(static_cast<double>(backlog->hwm_kb) / 1024, 1), "<= 48, flat",
        backlog->hwm_kb >= 0 && backlog->hwm_kb <= 48 * 1024);
    row("RSS after the backlog drained (MB)",
        fixed(static_cast<double>(backlog->after_rss_kb) / 1024, 1), "", std::nullopt);
  }
  std::printf("load average at the end: %s\n", load_average().c_str());
  return failed ? 1 : 0;
}
