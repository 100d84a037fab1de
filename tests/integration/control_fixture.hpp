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
#include "tests/integration/daemon_site.hpp"
#include "tests/integration/synthetic_site.hpp"

namespace lianxin::testing {

using namespace std::chrono_literals;
using domain::TicketNo;
using domain::TicketState;
using sim::Json;
using NJson = nlohmann::json;
namespace fs = std::filesystem;

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

class ControlTest : public DaemonSite {
 protected:
  ControlTest() { sim_args_.push_back("--dlr"); }  // automatic DELIVRD receipts

  static std::string tail(const std::string& text, std::size_t n) {
    return text.size() <= n ? text : text.substr(text.size() - n);
  }

  // lianxind on the demo directory with a control socket; `extra` is appended to its YAML.
  void start_demo_daemon(const std::string& extra = "") {
    start(ConfigExtras{"control_socket: control.sock\n" + extra, "", ""});
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
};

}  // namespace lianxin::testing
