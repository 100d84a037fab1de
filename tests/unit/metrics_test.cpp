// /metrics and /healthz: the exposition text (daemon/app/metrics.hpp) on fixed figures, and the
// HTTP server (daemon/app/http_server.hpp) on loopback against clients that misbehave.
#include "daemon/app/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "daemon/app/http_server.hpp"

namespace lianxin::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TEST(Histogram, CountsAreCumulativeAndTheSumIsKept) {
  Histogram h({0.5, 0.1, 1});  // unsorted on purpose
  for (double v : {0.05, 0.1, 0.3, 0.7, 2.0}) h.observe(v);
  EXPECT_EQ(h.bounds(), (std::vector<double>{0.1, 0.5, 1}));
  EXPECT_EQ(h.cumulative(), (std::vector<std::uint64_t>{2, 3, 4}));  // 0.1 is in "le 0.1"
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum(), 3.15);
}

TEST(RenderMetrics, FamiliesLabelsAndValues) {
  GatewayCounters counters;
  counters.mo_parts["stored"] = 7;
  counters.mt_messages["submitted"] = 3;
  counters.receipts["undeliverable"] = 1;
  counters.reconnects["cmcc"] = 2;
  counters.commit_seconds.observe(0.002);
  counters.classifier_confidence.observe(0.97);
  MetricsSnapshot s;
  s.version = "1.2.3";
  s.counters = &counters;
  s.links_up = {{"cmcc", true}, {"unicom \"b\"\n", false}};
  s.outbox = {{"queued", 4}, {"sending", 1}};
  s.oldest_queued_seconds = 12.5;
  s.tickets = {{"dispatched", 5}, {"closed", 9}};
  s.overdue_tickets = 2;
  s.throttled_senders = 1;
  const std::string text = render_metrics(s);

  EXPECT_THAT(text, StartsWith("# HELP lianxin_build_info "));
  EXPECT_THAT(text, HasSubstr("lianxin_build_info{version=\"1.2.3\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE lianxin_mo_parts_total counter\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_mo_parts_total{result=\"stored\"} 7\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_mo_parts_total{result=\"refused\"} 0\n"));  // always shown
  EXPECT_THAT(text, HasSubstr("lianxin_mt_messages_total{result=\"expired\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_receipts_total{state=\"undeliverable\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_smpp_link_up{connection=\"cmcc\"} 1\n"));
  // Label values escaped: quote, backslash-free newline.
  EXPECT_THAT(text, HasSubstr("lianxin_smpp_link_up{connection=\"unicom \\\"b\\\"\\n\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_smpp_reconnects_total{connection=\"cmcc\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_outbox_messages{state=\"queued\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_outbox_oldest_queued_age_seconds 12.5\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_tickets{state=\"dispatched\"} 5\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_tickets_overdue 2\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_senders_throttled 1\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_store_commit_duration_seconds_bucket{le=\"0.001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_store_commit_duration_seconds_bucket{le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_store_commit_duration_seconds_bucket{le=\"+Inf\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_store_commit_duration_seconds_count 1\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_classifier_confidence_ratio_bucket{le=\"0.95\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_classifier_confidence_ratio_bucket{le=\"0.99\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("lianxin_storage_ok 1\n"));
  // Every family once: a HELP and a TYPE line per name, never repeated.
  std::size_t types = 0;
  for (std::size_t at = text.find("# TYPE "); at != std::string::npos;
       at = text.find("# TYPE ", at + 1))
    ++types;
  EXPECT_EQ(types, 14u);
}

// ---- the HTTP server ----

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpOptions options) {
    server_.emplace(io_, std::move(options), [this](std::string_view target) {
      ++requests_;
      if (target == "/metrics") return HttpAnswer{200, "text/plain", "lianxin_up 1\n"};
      return HttpAnswer{404, "text/plain", "not found\n"};
    });
    std::string error;
    ASSERT_TRUE(server_->start(error)) << error;
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }
  tcp::socket connect() {
    tcp::socket socket(client_io_);
    socket.connect({asio::ip::make_address("127.0.0.1"), server_->port()});
    return socket;
  }
  // Sends `request` and reads until the server closes: the whole answer ("" when none).
  std::string exchange(const std::string& request) {
    tcp::socket socket = connect();
    asio::write(socket, asio::buffer(request));
    return read_all(socket);
  }
  static std::string read_all(tcp::socket& socket) {
    std::string out;
    boost::system::error_code ec;
    char buf[4096];
    for (;;) {
      const std::size_t n = socket.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) return out;
    }
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  asio::io_context client_io_;
  std::optional<HttpServer> server_;
  std::thread thread_;
  std::atomic<int> requests_{0};
};

TEST_F(HttpServerTest, AnswersGetAndClosesTheConnection) {
  start(HttpOptions{"127.0.0.1", 0});
  const std::string answer = exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(answer, HasSubstr("Connection: close"));
  EXPECT_THAT(answer, HasSubstr("\r\n\r\nlianxin_up 1\n"));
  EXPECT_THAT(exchange("GET /other HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 404"));
  EXPECT_THAT(exchange("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
              StartsWith("HTTP/1.1 405"));
}

TEST_F(HttpServerTest, GarbageAndHugeHeadersGetABadRequestNotACrash) {
  start(HttpOptions{"127.0.0.1", 0});
  EXPECT_THAT(exchange("\x16\x03\x01 not http at all\r\n\r\n"), StartsWith("HTTP/1.1 400"));
  const std::string huge = "GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
  tcp::socket socket = connect();
  boost::system::error_code ec;
  asio::write(socket, asio::buffer(huge), ec);  // the server may close before all is written
  EXPECT_THAT(read_all(socket), Not(HasSubstr("200 OK")));
  EXPECT_THAT(exchange("GET /metrics HTTP/1.1\r\n\r\n"), StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpServerTest, SilentClientsAreCutOffAndExtraConnectionsClosed) {
  HttpOptions options{"127.0.0.1", 0};
  options.max_connections = 2;
  options.timeout = std::chrono::milliseconds(300);
  start(options);
  std::vector<tcp::socket> silent;
  for (int i = 0; i < 2; ++i) silent.push_back(connect());  // never send anything
  // Full: a third client is closed at once, without an answer.
  tcp::socket third = connect();
  EXPECT_EQ(read_all(third), "");
  // The silent ones are closed by the timeout; then the server answers again.
  for (tcp::socket& s : silent) EXPECT_EQ(read_all(s), "");
  std::string answer;
  for (int attempt = 0; attempt < 50 && answer.empty(); ++attempt) {
    answer = exchange("GET /metrics HTTP/1.1\r\n\r\n");
    if (answer.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200"));
  EXPECT_EQ(requests_.load(), 1);
}

TEST_F(HttpServerTest, AnAddressInUseOrNotAnAddressIsRefusedWithAReason) {
  start(HttpOptions{"127.0.0.1", 0});
  asio::io_context other;
  HttpServer taken(other, HttpOptions{"127.0.0.1", server_->port()},
                   [](std::string_view) { return HttpAnswer{}; });
  std::string error;
  EXPECT_FALSE(taken.start(error));
  EXPECT_THAT(error, HasSubstr("cannot listen on 127.0.0.1:"));
  HttpServer bad(other, HttpOptions{"localhost", 0}, [](std::string_view) { return HttpAnswer{}; });
  EXPECT_FALSE(bad.start(error));
  EXPECT_THAT(error, HasSubstr("not an IP address"));
}

}  // namespace
}  // namespace lianxin::app
