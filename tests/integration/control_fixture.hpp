// The fixture of the tests that drive the real lianxind with lianxinctl: the node-smpp simulator,
// lianxind on the demo directory with a control socket, lianxinctl runs, villagers' SMS in and
// the SMS the simulator received out, and a raw control-socket client.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/smsc_sim.hpp"
#include "tests/integration/synthetic_site.hpp"

namespace lianxin::testing {

using namespace std::chrono_literals;
using domain::TicketNo;
using domain::TicketState;
using sim::Json;
using sim::SmscSim;
using NJson = nlohmann::json;
namespace fs = std::filesystem;

inline constexpr const char* kServiceNumber = "106900001234";
inline constexpr const char* kSignature = "【连心桥】";

inline std::string demo(const char* name) {
  return std::string(LIANXIN_SOURCE_DIR) + "/config/demo/" + name;
}

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}
inline bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

inline std::optional<TicketNo> number_after(const std::string& text, const std::string& marker) {
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return std::nullopt;
  std::size_t p = at + marker.size();
  const std::size_t start = p;
  while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p;
  if (p == start) return std::nullopt;
  return std::stoll(text.substr(start, p - start));
}

// The last line of lianxinctl's output that parses as a JSON object with "ok".
inline std::optional<NJson> final_json(const std::string& output) {
  std::optional<NJson> last;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    NJson line = NJson::parse(output.substr(start, end - start), nullptr, false);
    if (!line.is_discarded() && line.is_object() && line.contains("ok")) last = line;
    start = end + 1;
  }
  return last;
}

// A raw client of the control socket: lines in, lines out.
class RawClient {
 public:
  explicit RawClient(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }
  // The next line, or nullopt on EOF/timeout.
  std::optional<std::string> line() {
    for (;;) {
      const std::size_t end = buffer_.find('\n');
      if (end != std::string::npos) {
        std::string out = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return out;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  std::optional<NJson> reply() {
    auto text = line();
    if (!text) return std::nullopt;
    NJson parsed = NJson::parse(*text, nullptr, false);
    if (parsed.is_discarded()) return std::nullopt;
    return parsed;
  }
  // True when the daemon closed the connection (EOF within the receive timeout).
  // (Unread bytes of ours make the close a reset: ECONNRESET counts as closed too.)
  bool closed_by_peer() {
    char c;
    const ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override { write_file(dir_ / "smpp.password", "secret\n"); }

  void TearDown() override {
    if (HasFailure() || std::getenv("LIANXIN_TEST_SHOW_LOG")) {
      if (daemon_) std::cerr << "---- lianxind log (tail) ----\n" << tail(daemon_->log(), 6000);
    }
    daemon_.reset();
  }

  static std::string tail(const std::string& text, std::size_t n) {
    return text.size() <= n ? text : text.substr(text.size() - n);
  }

  // The simulator with automatic DELIVRD receipts.
  void start_sim() {
    sim_ = std::make_unique<SmscSim>(std::vector<std::string>{"--password", "secret", "--dlr"});
  }

  // lianxind on the demo directory; `extra` is appended to its YAML.
  void start_demo_daemon(const std::string& extra = "") {
    start_sim();
    const std::string yaml = std::string("signature: \"") + kSignature +
                             "\"\n"
                             "default_country: \"86\"\n"
                             "time_zone: Asia/Shanghai\n"
                             "log_level: debug\n"
                             "control_socket: control.sock\n"
                             "smpp:\n"
                             "  - name: sim\n"
                             "    host: 127.0.0.1\n"
                             "    port: " +
                             std::to_string(sim_->port()) +
                             "\n"
                             "    system_id: lianxin\n"
                             "    password_file: smpp.password\n"
                             "    bind: transceiver\n"
                             "    source_address: \"" +
                             kServiceNumber +
                             "\"\n"
                             "    reconnect_min: 1s\n"
                             "    reconnect_max: 2s\n"
                             "language:\n  model: " LIANXIN_MODEL_PATH
                             "\n"
                             "storage:\n"
                             "  path: lianxin.db\n"
                             "  synchronous: normal\n"
                             "directory:\n  grids: " +
                             demo("grids.csv") + "\n  members: " + demo("members.csv") +
                             "\n  residents: " + demo("residents.csv") +
                             "\n  teams: " + demo("teams.csv") +
                             "\n  duty_desks: " + demo("duty_desks.csv") + "\n" + extra;
    write_file(dir_ / "lianxind.yaml", yaml);
    start_daemon();
  }

  void start_daemon() {
    notify_.reset();
    fs::remove(dir_ / "notify.sock");
    notify_ = std::make_unique<NotifySocket>(dir_ / "notify.sock");
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{LIANXIND_PATH, "--config", (dir_ / "lianxind.yaml").string()},
        dir_ / "lianxind.log",
        std::vector<std::string>{"NOTIFY_SOCKET=" + notify_->path().string()});
    ASSERT_TRUE(notify_->wait_for("READY=1", 20s)) << "no READY=1";
    ASSERT_TRUE(sim_->wait_for(
        "bind", [](const Json& e) { return e["status"].integer() == 0; }, 10s))
        << "never bound";
  }

  fs::path socket_path() const { return dir_ / "control.sock"; }

  // lianxinctl with `args` (the config added unless the test gives --socket or --config).
  ProgramResult ctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 30s) {
    std::vector<std::string> argv{LIANXINCTL_PATH};
    argv.insert(argv.end(), args.begin(), args.end());
    bool has_target = false;
    for (const std::string& arg : args)
      has_target = has_target || arg == "--socket" || arg == "--config";
    if (!has_target) {
      argv.push_back("--config");
      argv.push_back((dir_ / "lianxind.yaml").string());
    }
    return run_program(argv, timeout);
  }

  // The same while this thread drains the notify socket: lianxind's STATUS updates block once a
  // datagram socket nobody reads is full (systemd always reads; a long test must too).
  ProgramResult ctl_draining(std::vector<std::string> args, std::chrono::milliseconds timeout) {
    auto pending = std::async(std::launch::async, [&] { return ctl(args, timeout); });
    while (pending.wait_for(200ms) != std::future_status::ready)
      notify_->wait_for("NOTHING=1", 0ms);
    return pending.get();
  }

  bool deliver(const std::string& from, const std::string& text) {
    const Json ack = sim_->command(Json::object({{"cmd", "deliver"},
                                                 {"from", from},
                                                 {"to", kServiceNumber},
                                                 {"text", text},
                                                 {"encoding", "auto"},
                                                 {"split", "udh8"}}));
    const auto done = sim_->wait_for(
        "deliver_done", [&](const Json& e) { return e["id"].str() == ack["id"].str(); }, 10s);
    return done && (*done)["ok"].boolean();
  }

  std::optional<std::string> sms_to(const std::string& national, const std::string& needle,
                                    std::chrono::milliseconds timeout = 5s) {
    const auto message = sim_->wait_for(
        "message",
        [&](const Json& e) {
          return ends_with(e["to"].str(), national) && contains(e["text"].str(), needle);
        },
        timeout);
    if (!message) return std::nullopt;
    return (*message)["text"].str();
  }

  // A villager's report; the ticket number and the member phone (national) it went to.
  std::pair<TicketNo, std::string> report(const std::string& villager, const std::string& text) {
    EXPECT_TRUE(deliver(villager, text));
    const auto confirmation = sms_to(villager, "工单号");
    EXPECT_TRUE(confirmation) << "no confirmation";
    if (!confirmation) return {0, ""};
    const TicketNo number = number_after(*confirmation, "工单号").value_or(0);
    const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
      return contains(e["text"].str(), "新工单" + std::to_string(number) + "：");
    });
    EXPECT_TRUE(dispatch) << "no dispatch";
    if (!dispatch) return {number, ""};
    const std::string to = (*dispatch)["to"].str();
    return {number, to.substr(to.size() - 11)};
  }

  store::Store open_store() { return store::Store::open((dir_ / "lianxin.db").string()); }
  std::optional<domain::Ticket> ticket(TicketNo number) {
    store::Store store = open_store();
    auto found = store.find_ticket(number);
    return found ? found.value : std::nullopt;
  }
  std::vector<domain::TicketEvent> history(TicketNo number) {
    store::Store store = open_store();
    auto found = store.ticket_history(number);
    return found ? found.value : std::vector<domain::TicketEvent>{};
  }

  TempDir dir_;
  std::unique_ptr<SmscSim> sim_;
  std::unique_ptr<NotifySocket> notify_;
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace lianxin::testing
