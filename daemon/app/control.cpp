#include "daemon/app/control.hpp"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <deque>
#include <system_error>
#include <utility>

namespace lianxin::app {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

// A client that does not read its answers gets cut off rather than grow our memory.
constexpr std::size_t kMaxQueuedLines = 1000;

ControlPeer peer_of(local::socket& socket) {
  ControlPeer peer;
  struct ucred credentials {};
  socklen_t length = sizeof credentials;
  if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0) {
    peer.pid = credentials.pid;
    peer.uid = credentials.uid;
    peer.gid = credentials.gid;
  }
  std::array<char, 4096> buffer{};
  struct passwd entry {};
  struct passwd* found = nullptr;
  if (::getpwuid_r(peer.uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
    peer.login = found->pw_name;
  } else {
    peer.login = "uid " + std::to_string(peer.uid);
  }
  return peer;
}

}  // namespace

// ---- one connection ----

class ControlServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ControlServer& server, local::socket socket, std::size_t max_line)
      : server_(server),
        socket_(std::move(socket)),
        lines_(max_line),
        max_line_(max_line),
        idle_timer_(socket_.get_executor()) {
    peer_ = peer_of(socket_);
  }

  void start() {
    touch();
    read();
  }

  // Idle: no request running and nothing sent or received since `since`.
  bool idle() const { return !busy_ && !writing_ && out_.empty(); }
  std::chrono::steady_clock::time_point last_activity() const { return last_activity_; }

  // Answers one line and closes (e.g. too many connections).
  void refuse(std::string_view message) {
    if (eof_) return;  // said once
    eof_ = true;
    write(control::to_line(control::error_reply(message)));
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    idle_timer_.cancel();
    boost::system::error_code ignored;
    socket_.shutdown(local::socket::shutdown_both, ignored);
    socket_.close(ignored);
    server_.finished(this);
  }

  bool closed() const { return closed_; }
  const ControlPeer& peer() const { return peer_; }

  void write(std::string line) {
    if (closed_) return;
    if (out_.size() >= kMaxQueuedLines) {
      close();
      return;
    }
    out_.push_back(std::move(line));
    if (!writing_) write_next();
  }

  // The current request got its final line: take the next one.
  void request_done() {
    busy_ = false;
    if (closed_) return;  // the server may be gone (a reply finished after shutdown)
    touch();
    dispatch();
  }

 private:
  class Reply;

  void read() {
    if (closed_ || eof_) return;
    auto self = shared_from_this();
    socket_.async_read_some(
        asio::buffer(buffer_), [this, self](const boost::system::error_code& error, std::size_t n) {
          if (closed_) return;
          if (error) {
            // The client went away or closed its side: finish what was asked, then close.
            eof_ = true;
            if (error != asio::error::eof) {
              close();
              return;
            }
            maybe_close();
            return;
          }
          lines_.append(std::string_view(buffer_.data(), n));
          touch();
          dispatch();
          if (eof_ || closed_) return;
          // Bounded: while a request runs, at most one line's worth waits unread.
          if (lines_.pending() > max_line_) {
            refuse("request line too long (limit " + std::to_string(max_line_) + " bytes)");
            return;
          }
          read();
        });
  }

  void dispatch();

  // Activity: the idle clock starts again.
  void touch() {
    last_activity_ = std::chrono::steady_clock::now();
    idle_timer_.expires_after(server_.options_.idle_timeout);
    std::weak_ptr<Session> weak = shared_from_this();
    idle_timer_.async_wait([weak](const boost::system::error_code& error) {
      auto self = weak.lock();
      if (error || !self || self->closed_) return;
      if (!self->idle()) {
        self->touch();  // a request is running (a broadcast being followed): not idle
        return;
      }
      self->refuse("closed after " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                      self->server_.options_.idle_timeout)
                                      .count()) +
                   " s without a request");
    });
  }

  void maybe_close() {
    if (eof_ && !busy_ && !writing_ && out_.empty()) close();
  }

  void write_next() {
    if (closed_ || out_.empty()) {
      maybe_close();
      return;
    }
    writing_ = true;
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(out_.front()),
                      [this, self](const boost::system::error_code& error, std::size_t) {
                        writing_ = false;
                        if (closed_) return;
                        if (error) {
                          close();
                          return;
                        }
                        out_.pop_front();
                        write_next();
                      });
  }

  ControlServer& server_;
  local::socket socket_;
  ControlPeer peer_;
  control::LineBuffer lines_;
  std::size_t max_line_;
  std::array<char, 4096> buffer_{};
  std::deque<std::string> out_;
  bool writing_ = false;
  bool busy_ = false;
  bool eof_ = false;
  bool closed_ = false;
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_{};
};

class ControlServer::Session::Reply : public ControlReply {
 public:
  explicit Reply(std::shared_ptr<Session> session) : session_(std::move(session)) {}
  ~Reply() override {
    // A handler that drops its reply without answering must not wedge the connection.
    if (!finished_) finish(control::error_reply("internal error: the command gave no answer"));
  }

  void progress(const control::Json& progress) override {
    if (finished_) return;
    if (auto session = session_.lock())
      session->write(control::to_line(control::progress_line(progress)));
  }
  void finish(const control::Json& reply) override {
    if (finished_) return;
    finished_ = true;
    if (auto session = session_.lock()) {
      session->write(control::to_line(reply));
      session->request_done();
    }
  }
  bool closed() const override {
    auto session = session_.lock();
    return !session || session->closed();
  }
  const ControlPeer& peer() const override { return peer_; }

 private:
  std::weak_ptr<Session> session_;
  ControlPeer peer_ = session_.lock() ? session_.lock()->peer() : ControlPeer{};
  bool finished_ = false;
};

void ControlServer::Session::dispatch() {
  while (!busy_ && !closed_) {
    std::optional<std::string> line = lines_.next();
    if (lines_.overflow()) {
      refuse("request line too long (limit " + std::to_string(max_line_) + " bytes)");
      return;
    }
    if (!line) break;
    control::ParsedRequest parsed = control::parse_request(*line);
    if (!parsed.request) {
      write(control::to_line(control::error_reply(parsed.error)));
      continue;
    }
    busy_ = true;
    server_.handler_(*parsed.request, std::make_shared<Reply>(shared_from_this()));
  }
  maybe_close();
}

// ---- the server ----

ControlServer::ControlServer(asio::io_context& io, Journal& journal, ControlOptions options,
                             ControlHandler handler)
    : io_(io), journal_(journal), options_(std::move(options)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  *alive_ = false;
  stop();
}

bool ControlServer::start(std::string& error) {
  namespace fs = std::filesystem;
  const fs::path& path = options_.path;
  const std::string name = path.string();
  // sun_path holds 108 bytes, the terminating zero included.
  if (name.empty() || name.size() >= 108) {
    error = "control socket path " + name + " is empty or longer than 107 bytes";
    return false;
  }
  std::error_code ec;
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) {
    error = "directory " + dir.string() + " of the control socket does not exist";
    return false;
  }
  const fs::file_status status = fs::symlink_status(path, ec);
  if (fs::exists(status)) {
    if (!fs::is_socket(status)) {
      error = name + " exists and is not a socket; not replacing it";
      return false;
    }
    local::socket probe(io_);
    boost::system::error_code connect_error;
    probe.connect(local::endpoint(name), connect_error);
    if (!connect_error) {
      error = "another process answers on " + name + " (is lianxind already running?)";
      return false;
    }
    fs::remove(path, ec);  // stale: left by a daemon that did not stop cleanly
    if (ec) {
      error = "cannot remove the stale socket " + name + ": " + ec.message();
      return false;
    }
  }
  boost::system::error_code bind_error;
  acceptor_.emplace(io_);
  acceptor_->open(local(), bind_error);
  if (!bind_error) {
    // 0660 from the start: no moment where others could connect.
    const mode_t old_mask = ::umask(0117);
    acceptor_->bind(local::endpoint(name), bind_error);
    ::umask(old_mask);
  }
  if (!bind_error) acceptor_->listen(asio::socket_base::max_listen_connections, bind_error);
  if (bind_error) {
    error = "cannot listen on " + name + ": " + bind_error.message();
    acceptor_.reset();
    return false;
  }
  ::chmod(name.c_str(), 0660);
  listening_ = true;
  accept();
  return true;
}

void ControlServer::stop() {
  if (acceptor_) {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    acceptor_.reset();
  }
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (const auto& session : sessions) session->close();
  if (listening_) {
    std::error_code ec;
    std::filesystem::remove(options_.path, ec);
    listening_ = false;
  }
}

void ControlServer::accept() {
  if (!acceptor_) return;
  std::weak_ptr<bool> alive = alive_;
  acceptor_->async_accept(
      [this, alive](const boost::system::error_code& error, local::socket socket) {
        if (alive.expired() || !acceptor_) return;
        if (error) {
          if (error == asio::error::operation_aborted) return;
          journal_.log(LogLevel::warning, "control socket: accept failed: " + error.message());
        } else {
          auto session = std::make_shared<Session>(*this, std::move(socket), options_.max_line);
          bool room = sessions_.size() < options_.max_connections;
          if (!room) {
            // Full: the connection idle for longest makes room, so a new operator gets in.
            std::shared_ptr<Session> oldest;
            for (const auto& s : sessions_) {
              if (s->idle() && (!oldest || s->last_activity() < oldest->last_activity())) {
                oldest = s;
              }
            }
            if (oldest) {
              journal_.log(LogLevel::notice,
                           "control socket: " + std::to_string(options_.max_connections) +
                               " connections; closing the longest idle one (" +
                               oldest->peer().login + ") for a new one");
              oldest->refuse("closed to make room for another operator (limit " +
                             std::to_string(options_.max_connections) + " connections)");
              room = true;
            }
          }
          sessions_.insert(session);
          if (!room) {
            session->refuse("too many control connections, all busy (limit " +
                            std::to_string(options_.max_connections) + "); try again");
          } else {
            session->start();
          }
        }
        accept();
      });
}

void ControlServer::finished(Session* session) {
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == session) {
      // Keep it alive until its handlers have unwound.
      asio::post(io_, [keep = *it] {});
      sessions_.erase(it);
      return;
    }
  }
}

}  // namespace lianxin::app
