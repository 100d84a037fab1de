#include "daemon/app/http_server.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace lianxin::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::uint32_t kHeaderLimit = 8 * 1024;

}  // namespace

// One client: read one request, answer it, close. Every step runs under the server's timeout.
class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& server, tcp::socket socket)
      : server_(&server),
        alive_(server.alive_),
        timeout_(server.options_.timeout),
        stream_(std::move(socket)) {}
  ~Session() {
    if (alive_.lock()) server_->forget(this);
  }

  void start() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(0);  // GET has no body
    stream_.expires_after(timeout_);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) {
                       self->on_read(error);
                     });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void on_read(beast::error_code error) {
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == asio::error::operation_aborted || error == asio::error::eof ||
        error == asio::error::connection_reset) {
      return close();
    }
    if (error) {  // not HTTP, headers too long, a body: say so once and close
      return answer(HttpAnswer{400, "text/plain; charset=utf-8", "bad request\n"}, 11);
    }
    const auto& request = parser_->get();
    if (request.method() != http::verb::get) {
      return answer(HttpAnswer{405, "text/plain; charset=utf-8", "only GET\n"}, request.version());
    }
    if (!alive_.lock()) return close();
    answer(server_->handler_(std::string_view(request.target().data(), request.target().size())),
           request.version());
  }

  void answer(HttpAnswer answer, unsigned version) {
    response_.emplace(static_cast<http::status>(answer.status), version);
    response_->set(http::field::server, "lianxind");
    response_->set(http::field::content_type, answer.content_type);
    if (answer.status == 405) response_->set(http::field::allow, "GET");
    response_->keep_alive(false);
    response_->body() = std::move(answer.body);
    response_->prepare_payload();
    stream_.expires_after(timeout_);
    http::async_write(
        stream_, *response_,
        [self = shared_from_this()](beast::error_code, std::size_t) { self->close(); });
  }

  HttpServer* server_;
  std::weak_ptr<bool> alive_;
  std::chrono::milliseconds timeout_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
};

HttpServer::HttpServer(asio::io_context& io, HttpOptions options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)), acceptor_(io), retry_(io) {}

HttpServer::~HttpServer() {
  stop();
  alive_.reset();
}

bool HttpServer::start(std::string& error) {
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options_.address, ec);
  if (ec) {
    error = "not an IP address: " + options_.address;
    return false;
  }
  const tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + options_.address + ":" + std::to_string(options_.port) + ": " +
            ec.message();
    acceptor_.close(ec);
    return false;
  }
  bound_port_ = acceptor_.local_endpoint(ec).port();
  accept();
  return true;
}

void HttpServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
  for (Session* session : std::set<Session*>(sessions_)) session->close();
}

void HttpServer::accept() {
  std::weak_ptr<bool> alive = alive_;
  acceptor_.async_accept([this, alive](boost::system::error_code error, tcp::socket socket) {
    if (!alive.lock() || !acceptor_.is_open()) return;
    if (error) {  // e.g. out of file descriptors: try again shortly rather than spin
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this, alive](boost::system::error_code e) {
        if (!e && alive.lock() && acceptor_.is_open()) accept();
      });
      return;
    }
    {
      if (sessions_.size() >= options_.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);  // full: this client tries again at its next scrape
      } else {
        auto session = std::make_shared<Session>(*this, std::move(socket));
        sessions_.insert(session.get());
        session->start();
      }
    }
    accept();
  });
}

}  // namespace lianxin::app
