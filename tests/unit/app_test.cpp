// lianxind's application layer without sockets: the Gateway driven by a fake transport over an
// in-memory Store, plus the command line and the SMPP connection mapping.
//
// The fake transport checks the two durability invariants at the moment of each call:
//  - acknowledge(part, stored=true) only once that part is in the inbox table;
//  - send(sms) only for an outbox row that is committed and marked 'sending'.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/app/connections.hpp"
#include "daemon/app/gateway.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/options.hpp"
#include "daemon/domain/settings.hpp"
#include "daemon/store/store.hpp"
#include "protocol/asio.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/store_steps.hpp"

namespace lianxin::app {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using domain::testing::kWangPhone;
using domain::testing::kZhangPhone;

// National forms as an SMSC sends them.
const std::string zhang = "13900000001";
const std::string wang = "13800000101";

class FakeTransport : public transport::Transport {
 public:
  FakeTransport(asio::io_context& io, store::Store& store) : io_(io), store_(store) {}

  void set_handlers(Handlers handlers) override { handlers_ = std::move(handlers); }
  void start() override { started = true; }
  transport::SendAdmission send(const transport::OutboundSms& sms) override {
    if (!bound) return transport::SendAdmission::no_link;
    if (busy) return transport::SendAdmission::busy;
    auto row = store_.find_outbox(static_cast<std::int64_t>(sms.id));
    if (!row || !row.value || row.value->state != store::OutboxState::sending)
      violations.push_back("send of outbox " + std::to_string(sms.id) +
                           " not committed as sending");
    sent.push_back(sms);
    return transport::SendAdmission::accepted;
  }
  void acknowledge(const transport::AckToken& token, bool stored) override {
    acks.emplace_back(token.id, stored);
    if (on_ack) on_ack();
    if (!stored) return;
    // The part with this token must be in the inbox already.
    const transport::Bytes& body = bodies.at(token.id);
    bool found = false;
    for (std::int64_t id = 1; id < 1000 && !found; ++id) {
      auto row = store_.find_inbox(id);
      if (!row || !row.value) break;
      found = row.value->part.payload == body;
    }
    if (!found) violations.push_back("ack of part " + std::to_string(token.id) + " before commit");
  }
  void stop(std::function<void()> done) override {
    stopped = true;
    asio::post(io_, std::move(done));
  }
  bool can_send() const override { return bound && !busy; }

  // Plays the SMSC: one part of a message from `from`.
  void deliver(const std::string& from, const std::string& text,
               std::optional<sms::ConcatInfo> concat = std::nullopt, transport::Bytes body = {}) {
    transport::InboundPart part;
    part.connection = "sim";
    part.ack = transport::AckToken{0, next_token_++};
    part.from = from;
    part.to = "106900001234";
    part.data_coding = 8;
    part.text = text;
    part.body = body.empty() ? transport::Bytes(text.begin(), text.end()) : std::move(body);
    part.concat = concat;
    bodies[part.ack.id] = part.body;
    handlers_.inbound(part);
  }
  void result(std::uint64_t id, transport::SendStatus status) {
    transport::SendResult r;
    r.id = id;
    r.status = status;
    r.connection = "sim";
    if (status == transport::SendStatus::submitted) r.message_ids = {"5a" + std::to_string(id)};
    r.detail = "test";
    handlers_.sent(r);
  }
  void link(bool up) { handlers_.link(transport::LinkStatus{"sim", up, up ? "bound" : "down"}); }

  bool started = false;
  bool stopped = false;
  bool bound = true;
  bool busy = false;
  std::vector<transport::OutboundSms> sent;
  std::vector<std::pair<std::uint64_t, bool>> acks;
  std::vector<std::string> violations;
  std::map<std::uint64_t, transport::Bytes> bodies;
  std::function<void()> on_ack;

 private:
  asio::io_context& io_;
  store::Store& store_;
  Handlers handlers_;
  std::uint64_t next_token_ = 1;
};

class GatewayTest : public ::testing::Test {
 protected:
  GatewayTest()
      : store_(store::Store::open(":memory:")),
        transport_(io_, store_),
        journal_(std::getenv("APP_TEST_LOG") ? LogLevel::debug : LogLevel::error) {}

  void make_gateway(GatewayOptions options = {}) {
    options.service_number = "106900001234";
    options.connections = {"sim"};
    gateway_ = std::make_unique<Gateway>(io_, journal_, store_, transport_,
                                         ::lianxin::domain::testing::test_settings(),
                                         domain::testing::make_directory(), options);
    gateway_->on_status([this](const std::string& line) { statuses_.push_back(line); });
  }

  void run() {
    for (int i = 0; i < 50; ++i) {
      io_.restart();
      if (io_.poll() == 0) break;
    }
  }

  std::vector<transport::OutboundSms> sent_to(const std::string& e164) const {
    std::vector<transport::OutboundSms> out;
    for (const auto& sms : transport_.sent)
      if (sms.to == e164) out.push_back(sms);
    return out;
  }

  void TearDown() override {
    EXPECT_TRUE(transport_.violations.empty()) << transport_.violations[0];
  }

  asio::io_context io_;
  store::Store store_;
  FakeTransport transport_;
  Journal journal_;
  std::unique_ptr<Gateway> gateway_;
  std::vector<std::string> statuses_;
};

TEST_F(GatewayTest, ReportIsStoredAckedProcessedAndAnswered) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  EXPECT_TRUE(transport_.started);
  transport_.deliver(zhang, "村口路灯坏了");
  // Nothing happens inside the handler: no ack, no SMS before the flush commits.
  EXPECT_TRUE(transport_.acks.empty());
  run();
  ASSERT_EQ(transport_.acks.size(), 1u);
  EXPECT_TRUE(transport_.acks[0].second);
  // Confirmation to the villager and dispatch to a member of 大溪边村, from the service number.
  ASSERT_EQ(sent_to(kZhangPhone).size(), 1u);
  EXPECT_NE(sent_to(kZhangPhone)[0].text.find("工单号1"), std::string::npos);
  EXPECT_EQ(sent_to(kZhangPhone)[0].from, "106900001234");
  EXPECT_EQ(transport_.sent.size(), 2u);
  auto ticket = store_.find_ticket(1);
  ASSERT_TRUE(ticket && ticket.value);
  EXPECT_EQ(ticket.value->state, domain::TicketState::dispatched);
  EXPECT_TRUE(store_.unprocessed_inbox().value.empty());

  // Submit results reach the outbox.
  for (const auto& sms : transport_.sent)
    transport_.result(sms.id, transport::SendStatus::submitted);
  run();
  auto row = store_.find_outbox(static_cast<std::int64_t>(transport_.sent[0].id));
  ASSERT_TRUE(row && row.value);
  EXPECT_EQ(row.value->state, store::OutboxState::submitted);
}

TEST_F(GatewayTest, AReportIsAcknowledgedOnlyOnceItsTicketAndItsSmsAreStored) {
  // One commit per report: the inbox row, the ticket and both outbox rows are stored together,
  // before deliver_sm_resp, so nothing of an acknowledged report waits for a second commit.
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  bool checked = false;
  transport_.on_ack = [&] {
    checked = true;
    auto ticket = store_.find_ticket(1);
    ASSERT_TRUE(ticket && ticket.value);
    EXPECT_EQ(ticket.value->state, domain::TicketState::dispatched);
    for (std::int64_t id : {1, 2}) {
      auto row = store_.find_outbox(id);
      ASSERT_TRUE(row && row.value) << "outbox row " << id;
      EXPECT_EQ(row.value->request.ticket, std::optional<domain::TicketNo>(1));
    }
    EXPECT_TRUE(store_.unprocessed_inbox().value.empty());
    EXPECT_TRUE(transport_.sent.empty()) << "an SMS was sent before the report was acknowledged";
  };
  transport_.deliver(zhang, "村口路灯坏了");
  run();
  EXPECT_TRUE(checked);
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST_F(GatewayTest, MultipartReportIsOneTicketWithTheWholeText) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  // "路灯坏了" + "好几天" in UCS-2, as two parts sent in reverse order.
  const std::string first = "路灯坏了", second = "好几天";
  auto ucs2 = [](const std::string& text) {
    transport::Bytes out;
    for (char32_t cp : sms::utf8_to_code_points(text)) {
      out.push_back(static_cast<std::uint8_t>(cp >> 8));
      out.push_back(static_cast<std::uint8_t>(cp & 0xFF));
    }
    return out;
  };
  transport_.deliver(zhang, second, sms::ConcatInfo{7, 2, 2}, ucs2(second));
  run();
  EXPECT_TRUE(transport_.sent.empty());
  EXPECT_EQ(store_.unprocessed_inbox().value.size(), 1u);
  transport_.deliver(zhang, first, sms::ConcatInfo{7, 2, 1}, ucs2(first));
  run();
  EXPECT_EQ(transport_.acks.size(), 2u);
  auto ticket = store_.find_ticket(1);
  ASSERT_TRUE(ticket && ticket.value);
  EXPECT_EQ(ticket.value->text, "路灯坏了好几天");
  EXPECT_TRUE(store_.unprocessed_inbox().value.empty());
}

TEST_F(GatewayTest, RedeliveryOnTheNextBindIsAckedButProcessedOnce) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.link(true);
  transport_.deliver(zhang, "水管漏水了");
  run();
  // The link breaks and binds again; the SMSC re-delivers (it missed our resp).
  transport_.link(false);
  transport_.link(true);
  transport_.deliver(zhang, "水管漏水了");
  run();
  EXPECT_EQ(transport_.acks.size(), 2u);
  auto tickets = store_.list_tickets({});
  ASSERT_TRUE(tickets);
  EXPECT_EQ(tickets.value.size(), 1u);
  EXPECT_EQ(sent_to(kZhangPhone).size(), 1u);
  EXPECT_TRUE(store_.unprocessed_inbox().value.empty());
}

TEST_F(GatewayTest, SameTextTwiceOnOneBindIsAPersonRepeatingIt) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.link(true);
  transport_.deliver(zhang, "水管漏水了");
  run();
  transport_.deliver(zhang, "水管漏水了");
  run();
  auto tickets = store_.list_tickets({});
  ASSERT_TRUE(tickets);
  EXPECT_EQ(tickets.value.size(), 1u);
  // The confirmation, then the engine's "already being handled" answer: never silence.
  const auto answers = sent_to(kZhangPhone);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_NE(answers[1].text.find("已在处理中"), std::string::npos) << answers[1].text;
}

TEST_F(GatewayTest, NoLinkKeepsTheBacklogInTheDatabaseUntilBound) {
  transport_.bound = false;
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.deliver(zhang, "垃圾没人清运");
  run();
  EXPECT_EQ(transport_.acks.size(), 1u);  // stored and acked although nothing can be sent
  EXPECT_TRUE(transport_.sent.empty());
  auto counts = store_.outbox_counts();
  EXPECT_EQ(counts.value[store::OutboxState::queued], 2);

  transport_.bound = true;
  transport_.link(true);
  run();
  EXPECT_EQ(transport_.sent.size(), 2u);
  EXPECT_EQ(store_.outbox_counts().value[store::OutboxState::sending], 2);
}

TEST_F(GatewayTest, TakesOnlyWhatTheTransportHasRoomFor) {
  GatewayOptions options;
  options.max_in_flight = 1;
  make_gateway(options);
  ASSERT_TRUE(gateway_->start());
  transport_.deliver(zhang, "路灯坏了");
  run();
  ASSERT_EQ(transport_.sent.size(), 1u);  // two SMS due, room for one
  EXPECT_EQ(store_.outbox_counts().value[store::OutboxState::queued], 1);
  transport_.result(transport_.sent[0].id, transport::SendStatus::submitted);
  run();
  EXPECT_EQ(transport_.sent.size(), 2u);
}

TEST_F(GatewayTest, RetryableFailureGoesBackToTheQueueWithBackoff) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.deliver(zhang, "路灯坏了");
  run();
  ASSERT_EQ(transport_.sent.size(), 2u);
  const auto id = transport_.sent[0].id;
  transport_.result(id, transport::SendStatus::retry);
  transport_.result(transport_.sent[1].id, transport::SendStatus::failed);
  run();
  auto row = store_.find_outbox(static_cast<std::int64_t>(id));
  ASSERT_TRUE(row && row.value);
  EXPECT_EQ(row.value->state, store::OutboxState::queued);
  EXPECT_GT(row.value->next_attempt_at, domain::Clock::now());
  EXPECT_EQ(transport_.sent.size(), 2u);  // not re-sent at once
  EXPECT_EQ(store_.find_outbox(static_cast<std::int64_t>(transport_.sent[1].id)).value->state,
            store::OutboxState::failed);
}

TEST_F(GatewayTest, WholeLoopAcceptResolveRate) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.deliver(zhang, "村口路灯坏了");
  run();
  auto ticket = store_.find_ticket(1).value;
  ASSERT_TRUE(ticket && ticket->assignee);
  const domain::Member* member = gateway_->engine().directory().find_member(*ticket->assignee);
  ASSERT_NE(member, nullptr);
  const std::string member_national = member->phone.substr(3);
  transport_.deliver(member_national, "接1");
  run();
  transport_.deliver(member_national, "完成1 已修好");
  run();
  transport_.deliver(zhang, "5");
  run();
  ticket = store_.find_ticket(1).value;
  ASSERT_TRUE(ticket);
  EXPECT_EQ(ticket->state, domain::TicketState::closed);
  EXPECT_EQ(ticket->rating, std::optional<int>(5));
  EXPECT_EQ(store_.points_of(member->id).value, 10);
}

TEST_F(GatewayTest, RestartReprocessesStoredButUnprocessedParts) {
  // A part stored (and acked) by a previous run that stopped before processing it.
  store::InboxPart part;
  part.connection = "sim";
  part.source = zhang;
  part.destination = "106900001234";
  part.data_coding = 8;  // UCS-2
  const std::string text = "路灯坏了";
  for (char32_t cp : sms::utf8_to_code_points(text)) {
    part.payload.push_back(static_cast<std::uint8_t>(cp >> 8));
    part.payload.push_back(static_cast<std::uint8_t>(cp & 0xFF));
  }
  part.received_at = domain::Clock::now();
  ASSERT_TRUE(insert_inbox(store_, part));
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  run();
  EXPECT_TRUE(store_.unprocessed_inbox().value.empty());
  auto ticket = store_.find_ticket(1);
  ASSERT_TRUE(ticket && ticket.value);
  EXPECT_EQ(ticket.value->text, text);
  EXPECT_EQ(sent_to(kZhangPhone).size(), 1u);
}

TEST_F(GatewayTest, ServiceNumbersGetNoReply) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.deliver("10086", "您的话费余额不足");
  run();
  EXPECT_EQ(transport_.acks.size(), 1u);
  EXPECT_TRUE(transport_.sent.empty());
  EXPECT_TRUE(store_.unprocessed_inbox().value.empty());
}

TEST_F(GatewayTest, StopFlushesAndReportsExitStatus) {
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  transport_.deliver(zhang, "路灯坏了");
  int code = -1;
  gateway_->stop([&](int c) { code = c; });
  run();
  EXPECT_TRUE(transport_.stopped);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(transport_.acks.size(), 1u);
  // Its effects were committed on the way out; the SMS wait in the outbox for the next start.
  EXPECT_EQ(store_.outbox_counts().value[store::OutboxState::queued], 2);
}

TEST_F(GatewayTest, StatusLineCountsLinksTicketsAndOutbox) {
  transport_.bound = false;
  make_gateway();
  ASSERT_TRUE(gateway_->start());
  EXPECT_EQ(gateway_->status_line(), "bound to 0/1 SMSC, 0 open tickets, outbox 0 queued");
  transport_.deliver(zhang, "路灯坏了");
  run();
  EXPECT_EQ(gateway_->status_line(), "bound to 0/1 SMSC, 1 open ticket, outbox 2 queued");
  transport_.link(true);
  ASSERT_FALSE(statuses_.empty());
  EXPECT_EQ(statuses_.back().rfind("bound to 1/1 SMSC", 0), 0u);
}

TEST(RetryDelay, DoublesUpToTheCap) {
  EXPECT_EQ(retry_delay(1, 2s, 5min), 2s);
  EXPECT_EQ(retry_delay(2, 2s, 5min), 4s);
  EXPECT_EQ(retry_delay(4, 2s, 5min), 16s);
  EXPECT_EQ(retry_delay(30, 2s, 5min), 5min);
}

// ---- command line ----

TEST(CommandLine, Modes) {
  struct Case {
    std::vector<std::string_view> args;
    CommandLine::Mode mode;
    std::string path;
    bool render;
  };
  const std::vector<Case> cases{
      {{"--config", "/etc/lianxin/lianxind.yaml"},
       CommandLine::Mode::run,
       "/etc/lianxin/lianxind.yaml",
       false},
      {{"--config=/x.yaml"}, CommandLine::Mode::run, "/x.yaml", false},
      {{"--check-config", "a.yaml"}, CommandLine::Mode::check_config, "a.yaml", false},
      {{"--check-config", "a.yaml", "--render"}, CommandLine::Mode::check_config, "a.yaml", true},
      {{"--version"}, CommandLine::Mode::version, "", false},
      {{"--help"}, CommandLine::Mode::help, "", false},
      {{}, CommandLine::Mode::invalid, "", false},
      {{"--config"}, CommandLine::Mode::invalid, "", false},
      {{"--config", "a", "--check-config", "b"}, CommandLine::Mode::invalid, "", false},
      {{"--render", "--config", "a"}, CommandLine::Mode::invalid, "", false},
      {{"--verbose"}, CommandLine::Mode::invalid, "", false},
      {{"--version", "--help"}, CommandLine::Mode::invalid, "", false},
  };
  for (const Case& c : cases) {
    const CommandLine parsed = parse_command_line(c.args);
    EXPECT_EQ(parsed.mode, c.mode) << (c.args.empty() ? "(none)" : c.args[0]);
    EXPECT_EQ(parsed.config_path, c.path);
    EXPECT_EQ(parsed.render, c.render);
    EXPECT_EQ(parsed.mode == CommandLine::Mode::invalid, !parsed.error.empty());
  }
}

// ---- SMPP connections ----

TEST(Connections, TransceiverIsOneLinkTransmitterReceiverTwo) {
  config::DaemonConfig cfg;
  config::SmppConnection a;
  a.name = "unicom";
  a.host = "10.0.0.1";
  a.port = 7890;
  a.system_id = "lx";
  a.password = "pw";
  a.priority = 1;
  a.source_address = "106900001234";
  a.window = 5;
  a.tps = 20;
  a.concat = config::ConcatMode::sar;
  config::SmppConnection b = a;
  b.name = "mobile";
  b.priority = 0;
  b.bind = config::BindMode::transmitter_receiver;
  cfg.smpp = {a, b};
  const auto links = connection_configs(cfg);
  ASSERT_EQ(links.size(), 3u);
  // By priority: mobile (tx, rx) first.
  EXPECT_EQ(links[0].session.name, "mobile/tx");
  EXPECT_EQ(links[0].session.bind_mode, smpp::BindMode::transmitter);
  EXPECT_EQ(links[1].session.name, "mobile/rx");
  EXPECT_EQ(links[1].session.bind_mode, smpp::BindMode::receiver);
  EXPECT_EQ(links[2].session.name, "unicom");
  EXPECT_EQ(links[2].session.bind_mode, smpp::BindMode::transceiver);
  EXPECT_EQ(links[2].host, "10.0.0.1");
  EXPECT_EQ(links[2].port, "7890");
  EXPECT_EQ(links[2].priority, 1);
  EXPECT_EQ(links[2].session.password, "pw");
  EXPECT_EQ(links[2].session.window, 5u);
  EXPECT_EQ(links[2].session.tps, 20);
  EXPECT_EQ(links[2].concat_mode, sms::ConcatMode::sar);
  EXPECT_EQ(links[2].default_source.addr, "106900001234");
  EXPECT_EQ(connection_of_link("mobile/rx"), "mobile");
  EXPECT_EQ(connection_of_link("unicom"), "unicom");

  EXPECT_TRUE(same_connections(cfg.smpp, cfg.smpp));
  auto changed = cfg.smpp;
  changed[1].password = "new";
  EXPECT_FALSE(same_connections(cfg.smpp, changed));
}

}  // namespace
}  // namespace lianxin::app
