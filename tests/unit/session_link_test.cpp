// The SMPP link state machine, driven with bytes made by our codec and an injected clock: bind,
// keepalive, link loss, unbind, stop and reconnect backoff (traffic: session_traffic_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/session.hpp"
#include "tests/unit/session_harness.hpp"

namespace lianxin::smpp::testing {
namespace {

// ---------------------------------------------------------------- bind

TEST(Session, BindsAsTransceiverAndReportsBound) {
  Harness h;
  h.session.start(h.now);
  EXPECT_TRUE(h.session.wants_connection());
  EXPECT_EQ(h.session.connection_attempt(), 1u);
  EXPECT_TRUE(h.sent().empty()) << "nothing is written before the socket is connected";
  h.session.connected(h.now);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::bind_transceiver));
  const auto& bind = std::get<Bind>(out[0].body);
  EXPECT_EQ(bind.system_id, "lianxin");
  EXPECT_EQ(bind.password, "s3cr3t!");
  EXPECT_EQ(bind.interface_version, 0x34);
  EXPECT_EQ(h.session.state(), LinkState::binding);

  BindResp resp{BindMode::transceiver, "SMSC01", std::nullopt};
  h.feed(Pdu{status::ok, out[0].sequence_number, resp});
  auto bound = only<event::Bound>(h.events());
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].smsc_system_id, "SMSC01");
  EXPECT_TRUE(h.session.is_bound());
  for (const std::string& line : h.logs) EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << line;
}

TEST(Session, BindModesUseTheirCommands) {
  for (auto [mode, command] : {std::pair{BindMode::transmitter, CommandId::bind_transmitter},
                               std::pair{BindMode::receiver, CommandId::bind_receiver}}) {
    SessionConfig config = test_config();
    config.bind_mode = mode;
    Harness h(config);
    const Pdu bind = h.bind();
    EXPECT_EQ(bind.command_id(), static_cast<std::uint32_t>(command));
  }
}

TEST(Session, WrongPasswordIsAPermanentBindFailureWithLongestBackoff) {
  Harness h;
  h.session.start(h.now);
  h.session.connected(h.now);
  const Pdu bind = h.sent().at(0);
  h.feed(Pdu{status::invalid_password, bind.sequence_number, BindResp{}});
  const auto events = h.events();
  auto failed = only<event::BindFailed>(events);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].status, 0x0Eu);
  EXPECT_TRUE(failed[0].permanent);
  auto down = only<event::LinkDown>(events);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].reason, DownReason::bind_failed);
  EXPECT_FALSE(h.session.wants_connection());
  EXPECT_EQ(h.session.state(), LinkState::waiting_to_reconnect);
  // 60 s shortened by jitter 0.2 * 0.5.
  EXPECT_EQ(*h.session.reconnect_at() - h.now, 54s);
}

TEST(Session, TransientBindFailureRetriesSoon) {
  Harness h;
  h.session.start(h.now);
  h.session.connected(h.now);
  const Pdu bind = h.sent().at(0);
  h.feed(Pdu{status::system_error, bind.sequence_number, GenericNack{}});
  auto failed = only<event::BindFailed>(h.events());
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_FALSE(failed[0].permanent);
  EXPECT_EQ(*h.session.reconnect_at() - h.now, 900ms);
}

TEST(Session, BindTimeoutDropsTheLink) {
  Harness h;
  h.session.start(h.now);
  h.session.connected(h.now);
  h.sent();
  EXPECT_EQ(*h.session.next_deadline(), h.now + 5s);
  h.advance(4999ms);
  EXPECT_TRUE(h.events().empty());
  h.advance(1ms);
  auto down = only<event::LinkDown>(h.events());
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].reason, DownReason::bind_timeout);
  EXPECT_FALSE(h.session.wants_connection());
}

TEST(Session, ConnectTimeoutCountsAsConnectFailure) {
  Harness h;
  h.session.start(h.now);
  ASSERT_TRUE(h.fire_next());
  auto down = only<event::LinkDown>(h.events());
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].reason, DownReason::connect_failed);
}

// ---------------------------------------------------------------- keepalive

TEST(Session, SendsEnquireLinkWhenIdleAndStaysUpWhenAnswered) {
  Harness h;
  h.bind();
  EXPECT_EQ(*h.session.next_deadline(), h.now + 30s);
  h.advance(29s);
  EXPECT_TRUE(h.sent().empty());
  h.advance(1s);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<EnquireLink>(out[0].body));
  h.advance(1s);
  EXPECT_TRUE(h.sent().empty()) << "one enquire_link at a time";
  h.feed(Pdu{status::ok, out[0].sequence_number, EnquireLinkResp{}});
  EXPECT_TRUE(h.session.is_bound());
  EXPECT_EQ(*h.session.next_deadline(), h.now + 30s);
}

TEST(Session, TrafficPostponesEnquireLink) {
  Harness h;
  h.bind();
  h.advance(20s);
  h.feed(Pdu{status::ok, 500, EnquireLink{}});
  h.sent();
  h.advance(20s);
  EXPECT_TRUE(h.sent().empty());
  h.advance(10s);
  ASSERT_EQ(h.sent().size(), 1u);
}

TEST(Session, UnansweredEnquireLinkDropsTheLink) {
  Harness h;
  h.bind();
  h.advance(30s);
  ASSERT_EQ(h.sent().size(), 1u);
  h.advance(10s);
  auto down = only<event::LinkDown>(h.events());
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].reason, DownReason::enquire_link_timeout);
}

TEST(Session, AnswersTheSmscsEnquireLink) {
  Harness h;
  h.bind();
  h.feed(Pdu{status::ok, 77, EnquireLink{}});
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::enquire_link_resp));
  EXPECT_EQ(out[0].sequence_number, 77u);
}

// ---------------------------------------------------------------- link loss, unbind, stop

TEST(Session, UnbindFromSmscIsAnsweredThenClosed) {
  Harness h;
  h.bind();
  h.submit_one(5);
  h.feed(Pdu{status::ok, 3, Unbind{}});
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::unbind_resp));
  EXPECT_EQ(out[0].sequence_number, 3u);
  EXPECT_FALSE(h.session.wants_connection());
  auto events = h.events();
  auto down = only<event::LinkDown>(events);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].reason, DownReason::unbound_by_smsc);
  auto results = only<event::SubmitResult>(events);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::unknown);
}

TEST(Session, DisconnectReportsInFlightAsUnknownAndQueuedAsRetryable) {
  SessionConfig config = test_config();
  config.window = 1;
  Harness h(config);
  h.bind();
  h.submit_one(1);
  ASSERT_EQ(h.session.submit(text_submit("queued"), 2, h.now), Admission::accepted);
  h.session.disconnected("connection reset", h.now);
  auto events = h.events();
  ASSERT_FALSE(events.empty());
  EXPECT_TRUE(std::holds_alternative<event::LinkDown>(events.front())) << "link state first";
  auto results = only<event::SubmitResult>(events);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].token, 1u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::unknown);
  EXPECT_EQ(results[1].token, 2u);
  EXPECT_EQ(results[1].outcome, SubmitOutcome::failed_retryable);
  EXPECT_EQ(h.session.in_flight() + h.session.queued(), 0u);
}

TEST(Session, StopWaitsForInFlightThenUnbinds) {
  Harness h;
  h.bind();
  const Pdu submit = h.submit_one(1);
  h.feed(Pdu{status::ok, 60, text_deliver("x")});
  const auto inbound = only<event::Inbound>(h.events()).at(0);
  h.session.stop(h.now);
  EXPECT_EQ(h.session.state(), LinkState::draining);
  EXPECT_EQ(h.session.submit(text_submit("no"), 2, h.now), Admission::stopping);
  EXPECT_TRUE(h.sent().empty());
  h.feed(Pdu{status::ok, submit.sequence_number, SubmitSmResp{"m1"}});
  EXPECT_TRUE(h.sent().empty()) << "still waiting for the inbound ack";
  h.session.acknowledge(inbound.id, true, h.now);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::deliver_sm_resp));
  EXPECT_TRUE(std::holds_alternative<Unbind>(out[1].body));
  EXPECT_TRUE(h.session.wants_connection());
  h.feed(Pdu{status::ok, out[1].sequence_number, UnbindResp{}});
  EXPECT_EQ(h.session.state(), LinkState::stopped);
  EXPECT_FALSE(h.session.wants_connection());
  EXPECT_FALSE(h.session.next_deadline());
  auto events = h.events();
  EXPECT_EQ(only<event::Stopped>(events).size(), 1u);
  EXPECT_EQ(only<event::SubmitResult>(events).at(0).outcome, SubmitOutcome::accepted);
}

TEST(Session, StopIsBoundedWhenTheSmscNeverAnswers) {
  Harness h;
  h.bind();
  h.submit_one(1);
  h.session.stop(h.now);
  h.advance(5s);  // grace over
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Unbind>(out[0].body));
  // The submit's own timeout (10 s) and the unbind's come later; the session gives up then.
  int guard = 0;
  while (h.session.state() != LinkState::stopped && h.fire_next() && ++guard < 10) {
  }
  EXPECT_EQ(h.session.state(), LinkState::stopped);
  EXPECT_LE(h.now - (TimePoint{} + 1000h), 15s);
  auto events = h.events();
  EXPECT_EQ(only<event::Stopped>(events).size(), 1u);
  auto results = only<event::SubmitResult>(events);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::unknown);
}

TEST(Session, StopWhileDisconnectedIsImmediate) {
  Harness h;
  h.session.start(h.now);
  h.session.connect_failed("refused", h.now);
  h.events();
  h.session.stop(h.now);
  EXPECT_EQ(h.session.state(), LinkState::stopped);
  EXPECT_EQ(only<event::Stopped>(h.events()).size(), 1u);
  EXPECT_FALSE(h.fire_next());
}

TEST(Session, ReconnectBackoffGrowsCapsAndResetsAfterABind) {
  Harness h;
  h.session.start(h.now);
  std::vector<Millis> delays;
  for (int i = 0; i < 9; ++i) {
    h.session.connect_failed("refused", h.now);
    ASSERT_EQ(h.session.state(), LinkState::waiting_to_reconnect);
    delays.push_back(std::chrono::duration_cast<Millis>(*h.session.reconnect_at() - h.now));
    const auto attempt = h.session.connection_attempt();
    ASSERT_TRUE(h.fire_next());
    EXPECT_EQ(h.session.state(), LinkState::connecting);
    EXPECT_EQ(h.session.connection_attempt(), attempt + 1);
  }
  // base 1, 2, 4, ... 60 s, each shortened by 0.2 * 0.5 = 10%.
  const std::vector<Millis> expected{900ms,   1800ms,  3600ms,  7200ms, 14400ms,
                                     28800ms, 54000ms, 54000ms, 54000ms};
  EXPECT_EQ(delays, expected);

  h.session.connected(h.now);
  const Pdu bind = h.sent().at(0);
  h.feed(Pdu{status::ok, bind.sequence_number, BindResp{}});
  h.session.disconnected("reset", h.now);
  EXPECT_EQ(*h.session.reconnect_at() - h.now, 900ms) << "a link that was up retries quickly";
}

TEST(Session, ReconnectJitterStaysInRange) {
  Harness h;
  h.session.start(h.now);
  for (double unit : {0.0, 0.25, 0.999999}) {
    h.jitter = unit;
    h.session.connect_failed("refused", h.now);
    const auto delay = *h.session.reconnect_at() - h.now;
    EXPECT_LE(delay, 1s);
    EXPECT_GT(delay, 800ms);
    h.session.stop(h.now);
    h.session.start(h.now);
  }
}

}  // namespace
}  // namespace lianxin::smpp::testing
