// lianxind's control socket: a Unix stream socket on the daemon's io_context where lianxinctl
// sends operator actions (the daemon stays the only writer of the database). The protocol is in
// control_protocol.hpp; what each command does is the handler's business (control_commands.hpp).
//
// The socket file is created with mode 0660 (owner and group: the daemon's user and group; give
// operators that group). A stale file left by a crashed daemon is replaced at start; a file on
// which another process still answers is left alone (start refused); the file is removed at
// stop. At most max_connections clients at once; when all are taken, the connection idle for
// longest makes room for a new one (an operator can always get in while a forgotten session
// sits open), and a connection idle for idle_timeout is closed. One request at a time per
// connection, each line at most kMaxLineBytes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemon/app/control_protocol.hpp"
#include "daemon/app/journal.hpp"
#include "protocol/asio.hpp"

namespace lianxin::app {

struct ControlOptions {
  std::filesystem::path path;
  std::size_t max_connections = 16;
  std::size_t max_line = control::kMaxLineBytes;
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
};

// Who is on the other end (SO_PEERCRED): the actor of every action, whatever the client says.
struct ControlPeer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string login;  // the uid's login name, "uid 1000" when it has none
};

// The answer channel of one request. progress() lines may come first; exactly one finish().
// Calls after the client went away (or after finish) are ignored; closed() tells.
class ControlReply {
 public:
  virtual ~ControlReply() = default;
  virtual void progress(const control::Json& progress) = 0;
  virtual void finish(const control::Json& reply) = 0;
  virtual bool closed() const = 0;
  virtual const ControlPeer& peer() const = 0;

  void fail(std::string_view message) { finish(control::error_reply(message)); }
};

using ControlHandler =
    std::function<void(const control::Request&, std::shared_ptr<ControlReply> reply)>;

class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, Journal& journal, ControlOptions options,
                ControlHandler handler);
  ~ControlServer();  // stop()
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds and listens. False (with `error` set) when the socket cannot be created, e.g. another
  // daemon answers on it or the directory does not exist.
  bool start(std::string& error);
  // Closes the listener and every connection, removes the socket file.
  void stop();

  std::size_t connections() const { return sessions_.size(); }
  const std::filesystem::path& path() const { return options_.path; }

  class Session;  // one client connection (control.cpp)

 private:
  void accept();
  void finished(Session* session);

  boost::asio::io_context& io_;
  Journal& journal_;
  ControlOptions options_;
  ControlHandler handler_;
  std::optional<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::set<std::shared_ptr<Session>> sessions_;
  bool listening_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lianxin::app
