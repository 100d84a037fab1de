// /metrics and /healthz of the real lianxind against the node-smpp simulator: the figures follow
// the SMS that went through, `promtool check metrics` (Prometheus's own checker) accepts the
// text, health says why when the SMSC is gone, and a flood of silent or garbage connections to
// the metrics port never holds up an SMS.
#include <fstream>

#include "protocol/asio.hpp"

#include "tests/integration/control_fixture.hpp"

namespace lianxin::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr const char* kZhang = "13800000051";

// A port nobody listens on now (the kernel picks it; closed again at once).
std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

class MetricsTest : public ControlTest {
 protected:
  void start() {
    port_ = free_port();
    ASSERT_NO_FATAL_FAILURE(start_demo_daemon(
        "metrics:\n  address: 127.0.0.1\n  port: " + std::to_string(port_) + "\n"));
  }
  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    return socket;
  }
  // The whole answer to `GET target` ("" when the server closed without one).
  std::string get(const std::string& target) {
    tcp::socket socket = connect();
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    asio::write(socket, asio::buffer(request));
    std::string out;
    boost::system::error_code ec;
    char buf[8192];
    while (!ec) out.append(buf, socket.read_some(asio::buffer(buf), ec));
    return out;
  }
  static std::string body_of(const std::string& answer) {
    const std::size_t at = answer.find("\r\n\r\n");
    return at == std::string::npos ? "" : answer.substr(at + 4);
  }
  // The value of one sample line ("name{labels} value"), -1 when absent.
  static double sample(const std::string& text, const std::string& series) {
    const std::size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }
  std::string wait_for_health(const std::string& status) {
    std::string answer;
    for (int i = 0; i < 100; ++i) {
      answer = get("/healthz");
      if (answer.starts_with("HTTP/1.1 " + status)) return answer;
      std::this_thread::sleep_for(100ms);
    }
    return answer;
  }

  asio::io_context io_;
  std::uint16_t port_ = 0;
};

TEST_F(MetricsTest, FiguresFollowTheSmsAndPromtoolAcceptsThem) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string healthy = wait_for_health("200");
  ASSERT_TRUE(healthy.starts_with("HTTP/1.1 200")) << healthy;
  EXPECT_TRUE(contains(body_of(healthy), "ok: bound to 1/1 SMSC")) << healthy;

  const auto [n, member] = report(kZhang, "村口路灯坏了好几天了");
  ASSERT_GT(n, 0);
  std::string text;
  for (int i = 0; i < 50; ++i) {  // the submit results come back asynchronously
    text = body_of(get("/metrics"));
    if (sample(text, "lianxin_mt_messages_total{result=\"submitted\"}") >= 2) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(sample(text, "lianxin_mo_parts_total{result=\"stored\"}"), 1) << text;
  EXPECT_GE(sample(text, "lianxin_mt_messages_total{result=\"submitted\"}"), 2) << text;
  EXPECT_EQ(sample(text, "lianxin_tickets{state=\"dispatched\"}"), 1) << text;
  EXPECT_EQ(sample(text, "lianxin_smpp_link_up{connection=\"sim\"}"), 1) << text;
  EXPECT_EQ(sample(text, "lianxin_classifier_confidence_ratio_count"), 1) << text;
  EXPECT_GE(sample(text, "lianxin_store_commit_duration_seconds_count"), 1) << text;
  EXPECT_EQ(sample(text, "lianxin_tickets_overdue"), 0) << text;

  const fs::path file = dir_ / "metrics.txt";
  write_file(file, text);
  const ProgramResult promtool =
      run_program({"/bin/sh", "-c", "promtool check metrics < '" + file.string() + "'"});
  EXPECT_EQ(promtool.exit_code, 0) << promtool.output;
  EXPECT_EQ(promtool.output, "") << "promtool has remarks on the metric names";

  EXPECT_TRUE(get("/nothing").starts_with("HTTP/1.1 404")) << "unknown paths are 404";
}

TEST_F(MetricsTest, HealthSaysWhyWhenTheSmscIsGone) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_TRUE(wait_for_health("200").starts_with("HTTP/1.1 200"));
  sim_.reset();  // the SMSC goes away
  const std::string answer = wait_for_health("503");
  ASSERT_TRUE(answer.starts_with("HTTP/1.1 503")) << answer;
  EXPECT_EQ(body_of(answer), "no SMSC connection is bound\n");
  EXPECT_EQ(sample(body_of(get("/metrics")), "lianxin_smpp_link_up{connection=\"sim\"}"), 0);
}

TEST_F(MetricsTest, AFloodOfSilentAndGarbageConnectionsNeverHoldsUpAnSms) {
  ASSERT_NO_FATAL_FAILURE(start());
  ASSERT_TRUE(wait_for_health("200").starts_with("HTTP/1.1 200"));
  std::vector<tcp::socket> flood;
  for (int i = 0; i < 200; ++i) {
    flood.push_back(connect());
    if (i % 4 == 0) {
      boost::system::error_code ec;
      asio::write(flood.back(), asio::buffer(std::string(3000, '\x01')), ec);
    }
  }
  // The SMS path answers as usual while the metrics port is full.
  const auto [n, member] = report(kZhang, "村口路灯坏了好几天了");
  EXPECT_GT(n, 0);
  EXPECT_FALSE(member.empty());
  // The silent connections are cut off by the timeout; then /metrics answers again.
  flood.clear();
  std::string answer;
  for (int i = 0; i < 100 && !answer.starts_with("HTTP/1.1 200"); ++i) {
    answer = get("/metrics");
    if (!answer.starts_with("HTTP/1.1 200")) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
  EXPECT_FALSE(contains(daemon_->log(), " error ")) << daemon_->log();
}

}  // namespace
}  // namespace lianxin::testing
