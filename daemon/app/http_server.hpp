// A small HTTP/1.1 server (Boost.Beast) on lianxind's io_context, for /metrics and /healthz.
//
// It must never disturb the SMS path, whatever a client does, so everything is bounded: at most
// max_connections at once (a connection beyond that is closed as soon as it is accepted), one
// request per connection (answered with Connection: close), headers of at most 8 KiB and no
// body, and `timeout` for the whole exchange (a slow or silent client is cut off). The handler
// runs on the io_context and must be quick (it reads counters and a few indexed rows).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "protocol/asio.hpp"

namespace lianxin::app {

struct HttpAnswer {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// Called for each GET or HEAD with the request target ("/metrics").
using HttpHandler = std::function<HttpAnswer(std::string_view target)>;

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (tests); see HttpServer::port()
  std::size_t max_connections = 8;
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpOptions options, HttpHandler handler);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; false (with `error` set) when the address is unusable or taken.
  bool start(std::string& error);
  void stop();

  std::uint16_t port() const { return bound_port_; }
  std::size_t connections() const { return sessions_.size(); }

  class Session;  // one client connection (http_server.cpp)

 private:
  void accept();
  void forget(Session* session) { sessions_.erase(session); }

  HttpOptions options_;
  HttpHandler handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after a failed accept (no file descriptors left)
  std::set<Session*> sessions_;
  std::uint16_t bound_port_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace lianxin::app
