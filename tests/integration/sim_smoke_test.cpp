// The simulator harness itself: the SMSC simulator starts, reports its port, answers a bind
// built with our codec over a plain socket, and the control channel reports errors clearly.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <stdexcept>

#include "protocol/pdu.hpp"
#include "tests/integration/sim_json.hpp"
#include "tests/integration/smsc_sim.hpp"

namespace lianxin::sim {
namespace {

using namespace std::chrono_literals;
namespace smpp = lianxin::smpp;

// A blocking loopback client with a receive timeout, enough to exchange a few PDUs.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("connect");
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void write(const smpp::Pdu& pdu) {
    const smpp::EncodeResult encoded = smpp::encode(pdu);
    ASSERT_FALSE(encoded.error) << encoded.detail;
    ASSERT_EQ(::send(fd_, encoded.bytes.data(), encoded.bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(encoded.bytes.size()));
  }

  // One whole frame, decoded; nullopt on timeout or close.
  std::optional<smpp::DecodeResult> read() {
    smpp::Bytes frame(4);
    if (!read_exactly(frame.data(), 4)) return std::nullopt;
    const auto length = smpp::peek_command_length(frame);
    if (!length || *length < smpp::header_size || *length > smpp::max_command_length)
      return std::nullopt;
    frame.resize(*length);
    if (!read_exactly(frame.data() + 4, *length - 4)) return std::nullopt;
    return smpp::decode(frame);
  }

 private:
  bool read_exactly(std::uint8_t* out, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::recv(fd_, out, size, 0);
      if (n <= 0) return false;
      out += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_ = -1;
};

smpp::Pdu bind_pdu(std::string system_id, std::string password, std::uint32_t sequence_number) {
  smpp::Bind bind;
  bind.mode = smpp::BindMode::transceiver;
  bind.system_id = std::move(system_id);
  bind.password = std::move(password);
  bind.system_type = "lianxin";
  return smpp::Pdu{smpp::status::ok, sequence_number, bind};
}

TEST(SmscSimSmoke, StartsAndReportsItsPort) {
  SmscSim sim;
  EXPECT_GT(sim.port(), 0);
  EXPECT_TRUE(sim.running());
  const Json stats = sim.command(Json::object({{"cmd", "stats"}}));
  EXPECT_EQ(stats["counts"]["connections"].integer(), 0);
  EXPECT_TRUE(stats["sessions"].items().empty());
}

TEST(SmscSimSmoke, TwoSimulatorsListenOnDifferentPorts) {
  SmscSim first;
  SmscSim second;
  EXPECT_NE(first.port(), second.port());
}

TEST(SmscSimSmoke, BindBuiltWithOurCodecGetsBindResp) {
  SmscSim sim;
  RawClient client(sim.port());
  client.write(bind_pdu("lianxin", "pw", 7));
  const auto reply = client.read();
  ASSERT_TRUE(reply.has_value());
  ASSERT_FALSE(reply->error) << reply->detail;
  ASSERT_TRUE(reply->pdu.has_value());
  EXPECT_EQ(reply->pdu->command_id(),
            static_cast<std::uint32_t>(smpp::CommandId::bind_transceiver_resp));
  EXPECT_EQ(reply->pdu->command_status, smpp::status::ok);
  EXPECT_EQ(reply->pdu->sequence_number, 7u);
  const auto* resp = std::get_if<smpp::BindResp>(&reply->pdu->body);
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(resp->system_id, "LIANXINSIM");

  const auto bind = sim.wait_for("bind");
  ASSERT_TRUE(bind) << sim.transcript();
  EXPECT_EQ((*bind)["system_id"].str(), "lianxin");
  EXPECT_EQ((*bind)["mode"].str(), "transceiver");
  EXPECT_EQ((*bind)["result"].str(), "ESME_ROK");
}

TEST(SmscSimSmoke, WrongPasswordIsRefusedWithInvalidPassword) {
  SmscSim sim({"--password", "secret"});
  RawClient client(sim.port());
  client.write(bind_pdu("lianxin", "wrong", 1));
  const auto reply = client.read();
  ASSERT_TRUE(reply.has_value());
  ASSERT_TRUE(reply->header.has_value()) << reply->detail;
  EXPECT_EQ(reply->header->command_status, smpp::status::invalid_password);
  EXPECT_EQ(reply->header->command_id,
            static_cast<std::uint32_t>(smpp::CommandId::bind_transceiver_resp));
  const auto bind = sim.wait_for("bind");
  ASSERT_TRUE(bind);
  EXPECT_EQ((*bind)["result"].str(), "ESME_RINVPASWD");
}

TEST(SmscSimSmoke, EnquireLinkAndUnbindAreAnswered) {
  SmscSim sim;
  RawClient client(sim.port());
  client.write(bind_pdu("lianxin", "pw", 1));
  ASSERT_TRUE(client.read());
  client.write(smpp::Pdu{smpp::status::ok, 2, smpp::EnquireLink{}});
  auto reply = client.read();
  ASSERT_TRUE(reply && reply->pdu);
  EXPECT_EQ(reply->pdu->command_id(),
            static_cast<std::uint32_t>(smpp::CommandId::enquire_link_resp));
  EXPECT_EQ(reply->pdu->sequence_number, 2u);
  client.write(smpp::Pdu{smpp::status::ok, 3, smpp::Unbind{}});
  reply = client.read();
  ASSERT_TRUE(reply && reply->pdu);
  EXPECT_EQ(reply->pdu->command_id(), static_cast<std::uint32_t>(smpp::CommandId::unbind_resp));
  EXPECT_TRUE(sim.wait_for("enquire_link"));
  EXPECT_TRUE(sim.wait_for("unbind"));
}

TEST(SmscSimSmoke, SubmitBeforeBindIsRefused) {
  SmscSim sim;
  RawClient client(sim.port());
  smpp::SubmitSm submit;
  submit.source.addr = "12345";
  submit.destination.addr = "13800000001";
  submit.short_message = {'h', 'i'};
  client.write(smpp::Pdu{smpp::status::ok, 5, submit});
  const auto reply = client.read();
  ASSERT_TRUE(reply && reply->header);
  EXPECT_EQ(reply->header->command_status, smpp::status::invalid_bind_status);
}

TEST(SmscSimSmoke, ControlChannelReportsBadCommands) {
  SmscSim sim;
  EXPECT_THROW(sim.command(Json::object({{"cmd", "no_such_command"}})), std::runtime_error);
  EXPECT_THROW(sim.command(Json::object({{"cmd", "set"}, {"no_such_setting", 1}})),
               std::runtime_error);
  // Nobody is bound: nothing to deliver to.
  EXPECT_THROW(
      sim.command(Json::object({{"cmd", "deliver"}, {"from", "1"}, {"to", "2"}, {"text", "x"}})),
      std::runtime_error);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sim.wait_for("message", {}, 200ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(SmscSimSmoke, DestructorKillsASimulatorThatIgnoresItsStdin) {
  pid_t pid = 0;
  const auto start = std::chrono::steady_clock::now();
  {
    SmscSim sim({"--keep-running"});
    pid = sim.pid();
    ASSERT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1) << "the simulator outlived its harness";
  EXPECT_EQ(errno, ESRCH);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(SmscSimSmoke, WaitingOnAStoppedSimulatorReturnsAtOnce) {
  SmscSim sim;
  sim.command(Json::object({{"cmd", "quit"}}));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sim.wait_for("message", {}, 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_FALSE(sim.running());
}

TEST(SmscSimSmoke, MissingScriptIsAClearError) {
  try {
    SmscSim sim({}, "/nonexistent/smsc.js");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/smsc.js"), std::string::npos);
  }
}

TEST(SimJson, ParsesEventsWithUnicodeAndNesting) {
  const auto parsed = Json::parse(
      R"({"event":"message","text":"村口\u8def\u706f 😀 \ud83d\ude00","parts":3,"ok":true,)"
      R"("ids":["5a000001","5a000002"],"udh":{"ref":-1.5e1},"none":null})");
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed)["text"].str(), "村口路灯 😀 😀");
  EXPECT_EQ((*parsed)["parts"].integer(), 3);
  EXPECT_TRUE((*parsed)["ok"].boolean());
  EXPECT_EQ((*parsed)["ids"].strings(), (std::vector<std::string>{"5a000001", "5a000002"}));
  EXPECT_EQ((*parsed)["udh"]["ref"].number(), -15.0);
  EXPECT_TRUE((*parsed)["none"].is_null());
  EXPECT_TRUE((*parsed)["missing"]["deeper"].is_null());
  EXPECT_FALSE(parsed->has("missing"));
}

TEST(SimJson, RejectsMalformedText) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "\"unterminated", "{\"a\":1} x", "tru",
                          "01x", "\"\\q\"", "{\"a\" 1}"}) {
    std::string error;
    EXPECT_FALSE(Json::parse(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(SimJson, DumpsCommandsOnOneLineAndRoundTrips) {
  Json command = Json::object({{"cmd", "deliver"},
                               {"text", "line\n\"quoted\" 村"},
                               {"order", std::vector<int>{3, 1, 2}},
                               {"parts", 3},
                               {"mute", false}});
  command.set("req", 42);
  const std::string line = command.dump();
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(
      line,
      R"({"cmd":"deliver","text":"line\n\"quoted\" 村","order":[3,1,2],"parts":3,"mute":false,"req":42})");
  const auto back = Json::parse(line);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, command);
}

}  // namespace
}  // namespace lianxin::sim
