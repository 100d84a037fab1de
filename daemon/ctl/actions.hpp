// lianxinctl's actions: requests to the running lianxind over its control socket (the daemon
// stays the only writer of the database). Protocol: daemon/app/control_protocol.hpp.
//
//   status | invalidate N --reason R | reassign N --to MEMBER --reason R | close N --reason R
//   note N --text T | send --to NUMBER TEXT... | broadcast (--grids g1,g2 | --all) TEXT...
//   broadcast-status ID
// Common options: --config FILE (its control_socket key names the socket), --socket PATH
// (overrides), --as NAME (operator name in the history; default $SUDO_USER, else $USER), --json
// (print the daemon's final reply as JSON).
//
// Exit status (kExit*): 0 done; 1 the daemon refused (unknown ticket, bad member, ...);
// 2 wrong usage; 3 the daemon is not running (no socket, connection refused); 4 permission
// denied on the socket; 5 the connection failed or broke (timeout, malformed answer).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNotRunning = 3;
inline constexpr int kExitPermission = 4;
inline constexpr int kExitConnection = 5;

// Whether `name` is one of the action commands.
bool is_action(std::string_view name);
// One usage line per action command.
std::string actions_usage();

// A parsed action command line.
struct ActionCall {
  nlohmann::json request;   // {"cmd":...} to send
  std::string config_path;  // where to read control_socket (when no --socket)
  std::string socket;       // --socket, or empty
  bool json = false;        // --json
  std::string error;        // set: wrong usage (the message says what)
};

// Parses `args` (after the command word). `environment` gives SUDO_USER / USER.
ActionCall parse_action(std::string_view command, const std::vector<std::string_view>& args,
                        const std::map<std::string, std::string>& environment,
                        const std::string& default_config);

// The result of talking to the daemon.
struct Exchange {
  int exit_code = kExitOk;
  std::string error;                    // for exit codes 3..5: what went wrong, for the operator
  std::optional<nlohmann::json> reply;  // the final line
};

// Connects to `socket_path`, sends `request`, calls `on_progress` for each progress line and
// returns the final line. `line_timeout`: longest wait for any line.
Exchange exchange(const std::string& socket_path, const nlohmann::json& request,
                  const std::function<void(const nlohmann::json&)>& on_progress,
                  std::chrono::milliseconds line_timeout);

// The whole command: parse, find the socket, exchange, print. Returns the exit status.
int action_command(std::string_view command, const std::vector<std::string_view>& args,
                   std::ostream& out, std::ostream& err);

// How a final reply reads for an operator (one or a few lines).
std::string render_reply(std::string_view command, const nlohmann::json& reply);
// A progress line of a broadcast.
std::string render_progress(const nlohmann::json& progress);

}  // namespace lianxin::ctl
