// Drives the independent SMSC simulator (scripts/smsc-sim/smsc.js) from C++ tests.
//
// SmscSim spawns `node smsc.js` with pipes on its stdin/stdout, waits for its
// {"event":"listening","port":N} line, then sends JSON-line commands and collects JSON-line
// events on a reader thread. The process is killed in the destructor (and dies by itself if this
// process dies: PR_SET_PDEATHSIG, and the simulator exits when its stdin closes), so a test never
// leaves one running. See scripts/smsc-sim/smsc.js for the commands and events.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/integration/sim_json.hpp"

namespace lianxin::sim {

// Where the simulator lives; the integration CMakeLists defines LIANXIN_SOURCE_DIR.
std::string default_script_path();

class SmscSim {
 public:
  using Predicate = std::function<bool(const Json&)>;
  static constexpr std::chrono::milliseconds default_timeout{5000};

  // `args` are extra command-line arguments (e.g. {"--password", "secret"}). Throws
  // std::runtime_error when node or the simulator cannot start or never reports its port.
  explicit SmscSim(std::vector<std::string> args = {}, std::string script = default_script_path());
  ~SmscSim();
  SmscSim(const SmscSim&) = delete;
  SmscSim& operator=(const SmscSim&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends one command line and returns at once.
  void send(const Json& command);
  // Sends `command` with a fresh "req" and waits for its "ack" (returned) or "error" (thrown as
  // std::runtime_error with the simulator's message). Throws on timeout too.
  Json command(Json command, std::chrono::milliseconds timeout = default_timeout);

  // Waits for an event named `name` (matching `predicate`, if any) that no earlier wait_for
  // returned, looking first at everything received since start. nullopt on timeout.
  std::optional<Json> wait_for(std::string_view name, const Predicate& predicate = {},
                               std::chrono::milliseconds timeout = default_timeout);
  // Every event named `name` received so far (returned by wait_for or not).
  std::vector<Json> events(std::string_view name) const;
  // ---- the USSD gateway role ("ussd" command, "ussd_screen" events; see smsc.js) ----
  // One USSD step from `from` ("begin", "answer" or "abort"; `map` overrides the standard
  // ussd_service_op values), sent to `to`; returns the deliver_done event once the ESME answered
  // it (throws on timeout).
  Json ussd(const std::string& from, const std::string& text, const std::string& step = "answer",
            const Json& map = {}, const std::string& to = "*123#");
  // The next screen sent to a number ending in `to`.
  std::optional<Json> ussd_screen(const std::string& to,
                                  std::chrono::milliseconds timeout = default_timeout);

  // All event lines so far, for failure messages.
  std::string transcript() const;
  bool running() const;

  // For tests that run their io_context on the waiting thread: while waiting, `pump` is called
  // repeatedly (it should block briefly, e.g. io.run_for(5ms)) instead of sleeping.
  void set_pump(std::function<void()> pump) { pump_ = std::move(pump); }

 private:
  struct Entry {
    Json event;
    std::string name;
    bool taken = false;
  };

  void read_loop();
  void stop_process();
  std::optional<Json> take_locked(std::string_view name, const Predicate& predicate);

  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
  std::int64_t next_req_ = 1;
  std::function<void()> pump_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Entry> events_;
  std::vector<std::string> lines_;
  bool eof_ = false;
  std::atomic<bool> stop_reading_{false};
  std::thread reader_;
};

}  // namespace lianxin::sim
