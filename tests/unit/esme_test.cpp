// The Asio SMPP transport against a small fake SMSC on 127.0.0.1 (port 0), built from our codec.
#include "protocol/esme.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "protocol/asio.hpp"
#include "protocol/text.hpp"

// g++ 12 with -fsanitize=address,undefined -O2 reports a false -Wmismatched-new-delete when it
// inlines the creation of an Asio 1.74 awaitable frame (its recycling allocator) into a caller.
// The coroutines below are ordinary Asio coroutines.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace lianxin::smpp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Accepts one connection at a time and answers like a well-behaved SMSC.
class FakeSmsc {
 public:
  explicit FakeSmsc(asio::io_context& io)
      : io_(io), acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    asio::co_spawn(io_, serve(this), [](std::exception_ptr e) {
      if (e) ADD_FAILURE() << "fake SMSC coroutine threw";
    });
  }
  ~FakeSmsc() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    drop();
  }

  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }

  void send(const Pdu& pdu) {
    ASSERT_TRUE(socket_) << "no client connected";
    EncodeResult encoded = encode(pdu);
    ASSERT_FALSE(encoded.error) << encoded.detail;
    boost::system::error_code ec;
    asio::write(*socket_, asio::buffer(encoded.bytes), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  void drop() {
    if (!socket_) return;
    boost::system::error_code ignored;
    socket_->shutdown(tcp::socket::shutdown_both, ignored);
    socket_->close(ignored);
    socket_.reset();
  }

  template <class Body>
  std::vector<Pdu> received_of() const {
    std::vector<Pdu> out;
    for (const Pdu& pdu : received)
      if (std::holds_alternative<Body>(pdu.body)) out.push_back(pdu);
    return out;
  }

  std::uint32_t bind_status = status::ok;
  std::vector<Pdu> received;
  int connections = 0;
  int submits = 0;
  bool client_closed = false;

 private:
  static asio::awaitable<void> serve(FakeSmsc* self) {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await self->acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      self->socket_ = shared;
      ++self->connections;
      self->client_closed = false;
      asio::co_spawn(self->io_, read_frames(self, shared), [](std::exception_ptr e) {
        if (e) ADD_FAILURE() << "fake SMSC reader threw";
      });
    }
  }

  static asio::awaitable<void> read_frames(FakeSmsc* self, std::shared_ptr<tcp::socket> socket) {
    Bytes input;
    std::array<std::uint8_t, 4096> buffer;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await socket->async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (self->socket_ == socket) self->client_closed = true;
        co_return;
      }
      input.insert(input.end(), buffer.begin(), buffer.begin() + n);
      for (;;) {
        const auto length = peek_command_length(input);
        if (!length || input.size() < *length) break;
        DecodeResult decoded = decode(ByteView(input).first(*length));
        input.erase(input.begin(), input.begin() + *length);
        if (!decoded.pdu) {
          ADD_FAILURE() << "client sent an undecodable PDU: " << decoded.detail;
          continue;
        }
        self->answer(*decoded.pdu);
        if (self->socket_ != socket) co_return;
      }
    }
  }

  void answer(const Pdu& pdu) {
    received.push_back(pdu);
    const std::uint32_t seq = pdu.sequence_number;
    if (const auto* bind = std::get_if<Bind>(&pdu.body)) {
      send(Pdu{bind_status, seq, BindResp{bind->mode, "FAKESMSC", std::nullopt}});
    } else if (std::holds_alternative<SubmitSm>(pdu.body)) {
      send(Pdu{status::ok, seq, SubmitSmResp{"id" + std::to_string(++submits)}});
    } else if (std::holds_alternative<EnquireLink>(pdu.body)) {
      send(Pdu{status::ok, seq, EnquireLinkResp{}});
    } else if (std::holds_alternative<Unbind>(pdu.body)) {
      send(Pdu{status::ok, seq, UnbindResp{}});  // the client closes
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<tcp::socket> socket_;
};

template <class Predicate>
bool run_until(asio::io_context& io, Predicate done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_for(5ms);
    if (io.stopped()) io.restart();
  }
  return true;
}

struct Fixture : ::testing::Test {
  Fixture() : smsc(io) {}

  ConnectionConfig connection() {
    ConnectionConfig config;
    config.host = "127.0.0.1";
    config.port = smsc.port();
    config.session.name = "smsc1";
    config.session.system_id = "lianxin";
    config.session.password = "pw123456";
    config.session.reconnect_min = 20ms;
    config.session.reconnect_max = 100ms;
    config.session.unbind_grace = 1s;
    config.default_source = Address{0, 0, "10690001"};
    return config;
  }

  void make_transport(std::vector<ConnectionConfig> connections) {
    transport = std::make_unique<SmppTransport>(
        io, std::move(connections),
        protocol::Logger(
            [this](const protocol::LogRecord& record) { logs.push_back(record.line()); },
            LogLevel::debug));
    transport->set_handlers(transport::Transport::Handlers{
        [this](const transport::InboundPart& part) { inbound.push_back(part); },
        [this](const transport::SendResult& result) { results.push_back(result); },
        [this](const transport::LinkStatus& status) { link_events.push_back(status); },
    });
  }

  bool up() const { return !link_events.empty() && link_events.back().up; }

  void start_bound() {
    make_transport({connection()});
    transport->start();
    ASSERT_TRUE(run_until(io, [&] { return up(); }));
  }

  asio::io_context io;
  FakeSmsc smsc;
  std::unique_ptr<SmppTransport> transport;
  std::vector<std::string> logs;
  std::vector<transport::InboundPart> inbound;
  std::vector<transport::SendResult> results;
  std::vector<transport::LinkStatus> link_events;
};

DeliverSm deliver_text(const std::string& utf8, std::uint8_t esm_class = 0) {
  DeliverSm deliver;
  deliver.source = Address{1, 1, "8613800000002"};
  deliver.destination = Address{0, 0, "10690001"};
  deliver.esm_class = esm_class;
  deliver.data_coding = sms::data_coding::ucs2;
  deliver.short_message = sms::encode(utf8, sms::Encoding::ucs2).bytes;
  return deliver;
}

TEST_F(Fixture, BindsAndSubmitsOneMessage) {
  start_bound();
  EXPECT_EQ(link_events.back().connection, "smsc1");
  ASSERT_EQ(smsc.received_of<Bind>().size(), 1u);
  EXPECT_EQ(std::get<Bind>(smsc.received_of<Bind>()[0].body).mode, BindMode::transceiver);
  EXPECT_TRUE(transport->can_send());

  transport::OutboundSms sms;
  sms.id = 7;
  sms.to = "+8613800000001";
  sms.text = "【连心桥】您的工单123已受理";
  ASSERT_EQ(transport->send(sms), transport::SendAdmission::accepted);
  ASSERT_TRUE(run_until(io, [&] { return !results.empty(); }));
  EXPECT_EQ(results[0].id, 7u);
  EXPECT_EQ(results[0].status, transport::SendStatus::submitted);
  EXPECT_EQ(results[0].message_ids, std::vector<std::string>{"id1"});
  EXPECT_EQ(results[0].connection, "smsc1");

  auto submits = smsc.received_of<SubmitSm>();
  ASSERT_EQ(submits.size(), 1u);
  const auto& submit = std::get<SubmitSm>(submits[0].body);
  EXPECT_EQ(submit.destination, (Address{1, 1, "8613800000001"}));
  EXPECT_EQ(submit.source.addr, "10690001");
  EXPECT_EQ(submit.data_coding, sms::data_coding::ucs2);
  EXPECT_EQ(submit.registered_delivery, 1);
  EXPECT_EQ(sms::decode(submit.data_coding, submit.short_message), sms.text);
}

TEST_F(Fixture, LongMessageGoesInPartsWithOneResult) {
  start_bound();
  transport::OutboundSms sms;
  sms.id = 300;
  sms.to = "8613800000001";
  for (int i = 0; i < 10; ++i) sms.text += "村口两盏路灯杆被大风刮倒了";  // 130 characters
  ASSERT_EQ(transport->send(sms), transport::SendAdmission::accepted);
  ASSERT_TRUE(run_until(io, [&] { return !results.empty(); }));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, transport::SendStatus::submitted);
  EXPECT_EQ(results[0].message_ids, (std::vector<std::string>{"id1", "id2"}));
  auto submits = smsc.received_of<SubmitSm>();
  ASSERT_EQ(submits.size(), 2u);
  for (const Pdu& pdu : submits)
    EXPECT_EQ(std::get<SubmitSm>(pdu.body).esm_class & sms::esm_class_udhi, sms::esm_class_udhi);
}

TEST_F(Fixture, InboundIsAcknowledgedOnlyAfterTheOwnerStoresIt) {
  start_bound();
  smsc.send(Pdu{status::ok, 100, deliver_text("村口路灯坏了")});
  ASSERT_TRUE(run_until(io, [&] { return !inbound.empty(); }));
  const transport::InboundPart part = inbound[0];
  EXPECT_EQ(part.connection, "smsc1");
  EXPECT_EQ(part.from, "8613800000002");
  EXPECT_EQ(part.text, "村口路灯坏了");
  EXPECT_FALSE(part.concat);
  EXPECT_FALSE(part.receipt);
  io.run_for(50ms);
  EXPECT_TRUE(smsc.received_of<DeliverSmResp>().empty()) << "no answer before acknowledge()";

  transport->acknowledge(part.ack, true);
  ASSERT_TRUE(run_until(io, [&] { return !smsc.received_of<DeliverSmResp>().empty(); }));
  const Pdu resp = smsc.received_of<DeliverSmResp>()[0];
  EXPECT_EQ(resp.sequence_number, 100u);
  EXPECT_EQ(resp.command_status, status::ok);

  smsc.send(Pdu{status::ok, 101, deliver_text("again")});
  ASSERT_TRUE(run_until(io, [&] { return inbound.size() == 2; }));
  transport->acknowledge(inbound[1].ack, false);
  ASSERT_TRUE(run_until(io, [&] { return smsc.received_of<DeliverSmResp>().size() == 2; }));
  EXPECT_EQ(smsc.received_of<DeliverSmResp>()[1].command_status, status::temporary_app_error);
}

TEST_F(Fixture, ConcatenatedPartsAreAssembledByTheOwner) {
  start_bound();
  const std::string first = "村口两盏路灯杆";
  const std::string second = "被大风刮倒了";
  for (std::uint8_t seq : {std::uint8_t{2}, std::uint8_t{1}}) {
    DeliverSm deliver = deliver_text(seq == 1 ? first : second, sms::esm_class_udhi);
    const Bytes udh{0x05, 0x00, 0x03, 0x2A, 0x02, seq};
    deliver.short_message.insert(deliver.short_message.begin(), udh.begin(), udh.end());
    smsc.send(Pdu{status::ok, 200u + seq, deliver});
  }
  ASSERT_TRUE(run_until(io, [&] { return inbound.size() == 2; }));
  transport::InboundAssembler assembler;
  std::vector<transport::InboundSms> whole;
  for (std::size_t i = 0; i < inbound.size(); ++i) {
    ASSERT_TRUE(inbound[i].concat);
    EXPECT_EQ(inbound[i].concat->ref, 0x2A);
    transport->acknowledge(inbound[i].ack, true);
    for (auto& sms : assembler.add(inbound[i], 1000 + i, std::chrono::steady_clock::now()))
      whole.push_back(sms);
  }
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].text, first + second);
  EXPECT_TRUE(whole[0].complete);
  EXPECT_EQ(whole[0].handles, (std::vector<std::uint64_t>{1001, 1000}));
  ASSERT_TRUE(run_until(io, [&] { return smsc.received_of<DeliverSmResp>().size() == 2; }));
}

TEST_F(Fixture, DeliveryReceiptIsRecognised) {
  start_bound();
  DeliverSm receipt;
  receipt.source = Address{1, 1, "8613800000001"};
  receipt.esm_class = 0x04;
  const std::string text =
      "id:id1 sub:001 dlvrd:001 submit date:2411271200 done date:2411271201 stat:DELIVRD "
      "err:000 text:hello";
  receipt.short_message.assign(text.begin(), text.end());
  smsc.send(Pdu{status::ok, 300, receipt});
  ASSERT_TRUE(run_until(io, [&] { return !inbound.empty(); }));
  ASSERT_TRUE(inbound[0].receipt);
  EXPECT_EQ(inbound[0].receipt->message_id, "id1");
  EXPECT_EQ(inbound[0].receipt->state, sms::DeliveryState::delivered);
  transport::InboundAssembler assembler;
  EXPECT_TRUE(assembler.add(inbound[0], 1, std::chrono::steady_clock::now()).empty());
}

TEST_F(Fixture, ReconnectsAfterTheSmscDropsTheConnection) {
  start_bound();
  smsc.drop();
  ASSERT_TRUE(run_until(io, [&] { return !up(); }));
  EXPECT_FALSE(transport->can_send());
  transport::OutboundSms sms{1, "", "8613800000001", "hi", true, std::nullopt, ""};
  EXPECT_EQ(transport->send(sms), transport::SendAdmission::no_link);
  ASSERT_TRUE(run_until(io, [&] { return up(); }));
  EXPECT_EQ(smsc.connections, 2);
  EXPECT_EQ(smsc.received_of<Bind>().size(), 2u);
  ASSERT_EQ(transport->send(sms), transport::SendAdmission::accepted);
  ASSERT_TRUE(run_until(io, [&] { return !results.empty(); }));
  EXPECT_EQ(results[0].status, transport::SendStatus::submitted);
}

TEST_F(Fixture, FailedBindIsRetriedAndLogged) {
  smsc.bind_status = status::invalid_password;
  make_transport({connection()});
  transport->start();
  ASSERT_TRUE(run_until(io, [&] { return smsc.received_of<Bind>().size() >= 2; }));
  EXPECT_FALSE(up());
  bool logged = false;
  for (const std::string& line : logs) {
    EXPECT_EQ(line.find("pw123456"), std::string::npos) << "password in a log line: " << line;
    logged = logged || line.find("bind refused") != std::string::npos;
  }
  EXPECT_TRUE(logged);
}

TEST_F(Fixture, StopUnbindsCleanly) {
  start_bound();
  bool done = false;
  transport->stop([&] { done = true; });
  EXPECT_EQ(transport->send(transport::OutboundSms{1, "", "1", "x", false, std::nullopt, ""}),
            transport::SendAdmission::stopping);
  ASSERT_TRUE(run_until(io, [&] { return done; }));
  EXPECT_EQ(smsc.received_of<Unbind>().size(), 1u);
  ASSERT_TRUE(run_until(io, [&] { return smsc.client_closed; }));
  EXPECT_EQ(transport->links().at(0).state, LinkState::stopped);
  // Nothing is left running: the io_context runs out of work.
  transport.reset();
  io.restart();
  io.run_for(200ms);
  EXPECT_EQ(smsc.connections, 1);
}

TEST_F(Fixture, FailsOverToTheNextPriorityWhenTheFirstIsDown) {
  ConnectionConfig primary = connection();
  primary.session.name = "primary";
  primary.port = "1";  // nothing listens there: connection refused
  primary.priority = 0;
  ConnectionConfig backup = connection();
  backup.session.name = "backup";
  backup.priority = 1;
  make_transport({primary, backup});
  transport->start();
  ASSERT_TRUE(run_until(io, [&] { return up(); }));
  EXPECT_EQ(link_events.back().connection, "backup");
  transport::OutboundSms sms{5, "", "8613800000001", "hi", false, std::nullopt, ""};
  ASSERT_EQ(transport->send(sms), transport::SendAdmission::accepted);
  ASSERT_TRUE(run_until(io, [&] { return !results.empty(); }));
  EXPECT_EQ(results[0].connection, "backup");
  EXPECT_EQ(std::get<SubmitSm>(smsc.received_of<SubmitSm>()[0].body).registered_delivery, 0);
}

}  // namespace
}  // namespace lianxin::smpp
