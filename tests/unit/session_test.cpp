// The SMPP link state machine, driven with bytes made by our codec and an injected clock.
#include "protocol/session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lianxin::smpp {
namespace {

using namespace std::chrono_literals;

Bytes wire(const Pdu& pdu) {
  EncodeResult encoded = encode(pdu);
  EXPECT_FALSE(encoded.error) << encoded.detail;
  return encoded.bytes;
}

// Cuts a byte stream into PDUs; fails the test on anything undecodable.
std::vector<Pdu> parse(const Bytes& bytes) {
  std::vector<Pdu> out;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const ByteView rest(bytes.data() + offset, bytes.size() - offset);
    const auto length = peek_command_length(rest);
    if (!length || *length > rest.size() || *length < header_size) {
      ADD_FAILURE() << "bad framing in output at offset " << offset;
      break;
    }
    DecodeResult decoded = decode(rest.first(*length));
    if (!decoded.pdu) {
      ADD_FAILURE() << "undecodable output: " << decoded.detail;
    } else {
      out.push_back(std::move(*decoded.pdu));
    }
    offset += *length;
  }
  return out;
}

Bytes raw_header(std::uint32_t length, std::uint32_t command_id, std::uint32_t status,
                 std::uint32_t sequence) {
  Bytes out;
  for (const std::uint32_t value : {length, command_id, status, sequence})
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(value >> shift));
  return out;
}

template <class T>
std::vector<T> only(const std::vector<SessionEvent>& events) {
  std::vector<T> out;
  for (const SessionEvent& event : events)
    if (const T* e = std::get_if<T>(&event)) out.push_back(*e);
  return out;
}

SubmitSm text_submit(const std::string& text, const std::string& to = "8613800000001") {
  SubmitSm submit;
  submit.source = Address{0, 0, "10690001"};
  submit.destination = Address{1, 1, to};
  submit.short_message.assign(text.begin(), text.end());
  return submit;
}

DeliverSm text_deliver(const std::string& text) {
  DeliverSm deliver;
  deliver.source = Address{1, 1, "8613800000002"};
  deliver.destination = Address{0, 0, "10690001"};
  deliver.short_message.assign(text.begin(), text.end());
  return deliver;
}

SessionConfig test_config() {
  SessionConfig config;
  config.name = "test";
  config.system_id = "lianxin";
  config.password = "s3cr3t!";
  config.enquire_link_interval = 30s;
  config.response_timeout = 10s;
  config.bind_timeout = 5s;
  config.window = 10;
  config.queue_limit = 100;
  config.reconnect_min = 1s;
  config.reconnect_max = 60s;
  config.reconnect_jitter = 0.2;
  config.unbind_grace = 5s;
  return config;
}

struct Harness {
  explicit Harness(SessionConfig c = test_config())
      : config(c),
        session(c,
                protocol::Logger(
                    [this](const protocol::LogRecord& record) { logs.push_back(record.line()); },
                    LogLevel::debug),
                [this] { return jitter; }) {}

  std::vector<Pdu> sent() { return parse(session.take_output()); }
  std::vector<SessionEvent> events() { return session.take_events(); }
  void feed(const Pdu& pdu) { session.received(wire(pdu), now); }
  // Moves the clock to the next deadline (if it is before `limit`) and fires the timer.
  bool fire_next(TimePoint limit = TimePoint::max()) {
    const auto deadline = session.next_deadline();
    if (!deadline || *deadline > limit) return false;
    now = std::max(now, *deadline);
    session.timer_fired(now);
    return true;
  }
  void advance(Millis by) {
    now += by;
    session.timer_fired(now);
  }

  // Connects and binds; returns the bind PDU that was sent.
  Pdu bind() {
    session.start(now);
    EXPECT_TRUE(session.wants_connection());
    session.connected(now);
    auto out = sent();
    EXPECT_EQ(out.size(), 1u);
    Pdu bind = out.empty() ? Pdu{} : out.front();
    BindResp resp;
    resp.mode = config.bind_mode;
    resp.system_id = "SMSC";
    feed(Pdu{status::ok, bind.sequence_number, resp});
    EXPECT_EQ(session.state(), LinkState::bound);
    events();
    return bind;
  }

  // Submits one message and returns the PDU that went out.
  Pdu submit_one(SubmitToken token, const std::string& text = "hi") {
    EXPECT_EQ(session.submit(text_submit(text), token, now), Admission::accepted);
    auto out = sent();
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? Pdu{} : out.front();
  }

  SessionConfig config;
  std::vector<std::string> logs;
  double jitter = 0.5;
  TimePoint now = TimePoint{} + 1000h;
  Session session;
};

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

// ---------------------------------------------------------------- submits

TEST(Session, SubmitAcceptedCarriesMessageId) {
  Harness h;
  h.bind();
  const Pdu submit = h.submit_one(42, "hello");
  EXPECT_EQ(std::get<SubmitSm>(submit.body).short_message, Bytes({'h', 'e', 'l', 'l', 'o'}));
  EXPECT_EQ(h.session.in_flight(), 1u);
  h.feed(Pdu{status::ok, submit.sequence_number, SubmitSmResp{"1a2b"}});
  auto results = only<event::SubmitResult>(h.events());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].token, 42u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::accepted);
  EXPECT_EQ(results[0].message_id, "1a2b");
  EXPECT_EQ(h.session.in_flight(), 0u);
}

TEST(Session, DataSmIsAnsweredByDataSmResp) {
  Harness h;
  h.bind();
  DataSm data;
  data.source = Address{0, 0, "10690001"};
  data.destination = Address{1, 1, "8613800000001"};
  data.tlvs.message_payload = Bytes{'o', 'k'};
  ASSERT_EQ(h.session.submit(data, 5, h.now), Admission::accepted);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<DataSm>(out[0].body));
  // A submit_sm_resp does not answer a data_sm.
  h.feed(Pdu{status::ok, out[0].sequence_number, SubmitSmResp{"x"}});
  EXPECT_TRUE(only<event::SubmitResult>(h.events()).empty());
  h.feed(Pdu{status::ok, out[0].sequence_number, DataSmResp{"d1", {}}});
  auto results = only<event::SubmitResult>(h.events());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].message_id, "d1");
}

TEST(Session, SubmitRefusedWhenNotBoundOrReceiverOnly) {
  Harness h;
  EXPECT_EQ(h.session.submit(text_submit("x"), 1, h.now), Admission::not_bound);
  SessionConfig config = test_config();
  config.bind_mode = BindMode::receiver;
  Harness rx(config);
  rx.bind();
  EXPECT_EQ(rx.session.submit(text_submit("x"), 1, rx.now), Admission::not_bound);
  EXPECT_EQ(rx.session.capacity(), 0u);
}

TEST(Session, ResponseTimeoutReportsUnknownThenDeclaresLinkDead) {
  Harness h;
  h.bind();
  h.submit_one(1);
  h.advance(10s);
  auto results = only<event::SubmitResult>(h.events());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::unknown);
  EXPECT_TRUE(h.session.is_bound()) << "one timeout is not enough to drop the link";
  // A late response to the timed-out submit is ignored.
  h.feed(Pdu{status::ok, 2, SubmitSmResp{"late"}});
  EXPECT_TRUE(only<event::SubmitResult>(h.events()).empty());

  // A late answer does not count as an answer: two more timeouts make three in a row.
  for (SubmitToken token = 2; token <= 3; ++token) {
    h.submit_one(token);
    h.advance(10s);
  }
  auto events = h.events();
  EXPECT_EQ(only<event::SubmitResult>(events).size(), 2u);
  auto down = only<event::LinkDown>(events);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0].reason, DownReason::response_timeout);
}

TEST(Session, WindowHoldsFurtherSubmitsUntilAResponseArrives) {
  SessionConfig config = test_config();
  config.window = 2;
  Harness h(config);
  h.bind();
  for (SubmitToken token = 1; token <= 3; ++token)
    EXPECT_EQ(h.session.submit(text_submit("m" + std::to_string(token)), token, h.now),
              Admission::accepted);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 2u) << "both fit in one coalesced buffer";
  EXPECT_EQ(h.session.in_flight(), 2u);
  EXPECT_EQ(h.session.queued(), 1u);
  h.feed(Pdu{status::ok, out[0].sequence_number, SubmitSmResp{"a"}});
  auto third = h.sent();
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(std::get<SubmitSm>(third[0].body).short_message, Bytes({'m', '3'}));
}

TEST(Session, BoundedQueueReportsBackPressure) {
  SessionConfig config = test_config();
  config.window = 1;
  config.queue_limit = 2;
  Harness h(config);
  h.bind();
  EXPECT_EQ(h.session.capacity(), 2u);
  EXPECT_EQ(h.session.submit(text_submit("1"), 1, h.now), Admission::accepted);  // on the wire
  EXPECT_EQ(h.session.submit(text_submit("2"), 2, h.now), Admission::accepted);
  EXPECT_EQ(h.session.submit(text_submit("3"), 3, h.now), Admission::accepted);
  EXPECT_EQ(h.session.capacity(), 0u);
  EXPECT_EQ(h.session.submit(text_submit("4"), 4, h.now), Admission::queue_full);
}

TEST(Session, TpsThrottleSpreadsSubmitsOverTime) {
  SessionConfig config = test_config();
  config.tps = 10;
  config.window = 1000;
  config.queue_limit = 1000;
  Harness h(config);
  h.bind();
  const TimePoint start = h.now;
  for (SubmitToken token = 1; token <= 30; ++token)
    ASSERT_EQ(h.session.submit(text_submit("x"), token, h.now), Admission::accepted);
  std::size_t in_first_second = h.sent().size();
  EXPECT_EQ(in_first_second, 1u);
  while (h.fire_next(start + 999ms)) in_first_second += h.sent().size();
  EXPECT_EQ(in_first_second, 10u);
  std::size_t in_second_second = 0;
  while (h.fire_next(start + 1999ms)) in_second_second += h.sent().size();
  EXPECT_EQ(in_second_second, 10u);
  EXPECT_EQ(h.session.queued(), 10u);
}

TEST(Session, ThrottledSubmitIsPausedAndResentAutomatically) {
  Harness h;
  h.bind();
  const Pdu first = h.submit_one(7, "again");
  h.feed(Pdu{status::throttled, first.sequence_number, SubmitSmResp{}});
  EXPECT_TRUE(only<event::SubmitResult>(h.events()).empty()) << "no result: it will be retried";
  EXPECT_EQ(h.session.queued(), 1u);
  // Further submits wait behind it during the pause.
  EXPECT_EQ(h.session.submit(text_submit("later"), 8, h.now), Admission::accepted);
  EXPECT_TRUE(h.sent().empty());
  EXPECT_EQ(*h.session.next_deadline(), h.now + 1s);
  h.advance(1s);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<SubmitSm>(out[0].body).short_message,
            std::get<SubmitSm>(first.body).short_message)
      << "the throttled message goes first";
  EXPECT_NE(out[0].sequence_number, first.sequence_number);
  h.feed(Pdu{status::ok, out[0].sequence_number, SubmitSmResp{"m7"}});
  auto results = only<event::SubmitResult>(h.events());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].token, 7u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::accepted);
}

TEST(Session, RepeatedQueueFullDoublesThePauseUpToTheCap) {
  SessionConfig config = test_config();
  config.throttle_pause = 1s;
  config.throttle_pause_max = 3s;
  config.max_throttle_retries = 3;
  Harness h(config);
  h.bind();
  Pdu pdu = h.submit_one(1);
  for (Millis expected : {1000ms, 2000ms, 3000ms}) {
    h.feed(Pdu{status::message_queue_full, pdu.sequence_number, SubmitSmResp{}});
    EXPECT_EQ(*h.session.next_deadline() - h.now, expected);
    h.advance(expected);
    auto out = h.sent();
    ASSERT_EQ(out.size(), 1u);
    pdu = out[0];
  }
  h.feed(Pdu{status::message_queue_full, pdu.sequence_number, SubmitSmResp{}});
  auto results = only<event::SubmitResult>(h.events());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::failed_retryable);
  EXPECT_EQ(results[0].status, status::message_queue_full);
}

TEST(Session, StatusesAreClassified) {
  struct Case {
    std::uint32_t status;
    SubmitOutcome outcome;
  };
  for (const Case& c : {Case{status::invalid_dest_addr, SubmitOutcome::failed_permanent},
                        Case{status::invalid_msg_length, SubmitOutcome::failed_permanent},
                        Case{status::system_error, SubmitOutcome::failed_retryable},
                        Case{status::temporary_app_error, SubmitOutcome::failed_retryable}}) {
    Harness h;
    h.bind();
    const Pdu submit = h.submit_one(9);
    h.feed(Pdu{c.status, submit.sequence_number, SubmitSmResp{}});
    auto results = only<event::SubmitResult>(h.events());
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, c.outcome) << c.status;
    EXPECT_EQ(results[0].status, c.status);
  }
}

TEST(Session, GenericNackAnswersASubmit) {
  Harness h;
  h.bind();
  const Pdu submit = h.submit_one(3);
  h.feed(Pdu{status::invalid_cmd_id, submit.sequence_number, GenericNack{}});
  auto results = only<event::SubmitResult>(h.events());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, SubmitOutcome::failed_permanent);
}

TEST(Session, UnexpectedResponseIsIgnored) {
  Harness h;
  h.bind();
  h.feed(Pdu{status::ok, 999, SubmitSmResp{"nobody"}});
  EXPECT_TRUE(h.events().empty());
  EXPECT_TRUE(h.sent().empty());
  EXPECT_TRUE(h.session.is_bound());
}

TEST(Session, SequenceNumbersWrapTo1) {
  SessionConfig config = test_config();
  config.initial_sequence_number = 0x7FFFFFFE;
  Harness h(config);
  const Pdu bind = h.bind();
  EXPECT_EQ(bind.sequence_number, 0x7FFFFFFEu);
  EXPECT_EQ(h.submit_one(1).sequence_number, 0x7FFFFFFFu);
  EXPECT_EQ(h.submit_one(2).sequence_number, 1u);
  EXPECT_EQ(h.submit_one(3).sequence_number, 2u);
}

// ---------------------------------------------------------------- inbound

TEST(Session, DeliverSmIsAnsweredOnlyAfterAcknowledge) {
  Harness h;
  h.bind();
  h.feed(Pdu{status::ok, 9, text_deliver("路灯坏了")});
  EXPECT_TRUE(h.sent().empty()) << "no deliver_sm_resp before the owner stored it";
  auto inbound = only<event::Inbound>(h.events());
  ASSERT_EQ(inbound.size(), 1u);
  EXPECT_EQ(inbound[0].sequence_number, 9u);
  EXPECT_EQ(std::get<DeliverSm>(inbound[0].message).source.addr, "8613800000002");
  h.session.acknowledge(inbound[0].id, true, h.now);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::deliver_sm_resp));
  EXPECT_EQ(out[0].sequence_number, 9u);
  EXPECT_EQ(out[0].command_status, status::ok);
  h.session.acknowledge(inbound[0].id, true, h.now);
  EXPECT_TRUE(h.sent().empty()) << "a second ack sends nothing";
}

TEST(Session, FailedStoreIsAnsweredWithTemporaryAppError) {
  Harness h;
  h.bind();
  DataSm data;
  data.source = Address{1, 1, "8613800000002"};
  data.tlvs.message_payload = Bytes{'h', 'i'};
  h.feed(Pdu{status::ok, 12, data});
  auto inbound = only<event::Inbound>(h.events());
  ASSERT_EQ(inbound.size(), 1u);
  h.session.acknowledge(inbound[0].id, false, h.now);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::data_sm_resp));
  EXPECT_EQ(out[0].command_status, status::temporary_app_error);
}

TEST(Session, DeliverSmOnATransmitterBindIsRefused) {
  SessionConfig config = test_config();
  config.bind_mode = BindMode::transmitter;
  Harness h(config);
  h.bind();
  h.feed(Pdu{status::ok, 4, text_deliver("x")});
  EXPECT_TRUE(only<event::Inbound>(h.events()).empty());
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_status, status::invalid_bind_status);
}

TEST(Session, DeliverSmBeforeBindRespIsRefused) {
  Harness h;
  h.session.start(h.now);
  h.session.connected(h.now);
  h.sent();
  h.feed(Pdu{status::ok, 4, text_deliver("x")});
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_status, status::invalid_bind_status);
}

TEST(Session, AckAfterReconnectIsNotSentOnTheNewLink) {
  Harness h;
  h.bind();
  h.feed(Pdu{status::ok, 9, text_deliver("x")});
  const auto id = only<event::Inbound>(h.events()).at(0).id;
  h.session.disconnected("reset", h.now);
  ASSERT_TRUE(h.fire_next());  // reconnect time
  h.session.connected(h.now);
  h.sent();
  h.session.acknowledge(id, true, h.now);
  EXPECT_TRUE(h.sent().empty());
}

TEST(Session, UnknownCommandGetsGenericNack) {
  Harness h;
  h.bind();
  h.session.received(raw_header(16, 0x00000099, 0, 31), h.now);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<GenericNack>(out[0].body));
  EXPECT_EQ(out[0].command_status, status::invalid_cmd_id);
  EXPECT_EQ(out[0].sequence_number, 31u);
  EXPECT_TRUE(h.session.is_bound());
}

TEST(Session, SubmitSmFromTheSmscGetsGenericNack) {
  Harness h;
  h.bind();
  h.feed(Pdu{status::ok, 8, text_submit("not for us")});
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_status, status::invalid_cmd_id);
}

TEST(Session, UndecodableDeliverSmIsAnsweredAndKeptNotFatal) {
  Harness h;
  h.bind();
  // A deliver_sm whose body is cut in the middle of its first C-string.
  Bytes frame = raw_header(16 + 5, static_cast<std::uint32_t>(CommandId::deliver_sm), 0, 44);
  for (char c : std::string("ABCDE")) frame.push_back(std::uint8_t(c));
  h.session.received(frame, h.now);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].command_id(), static_cast<std::uint32_t>(CommandId::deliver_sm_resp));
  EXPECT_EQ(out[0].command_status, status::temporary_app_error);
  EXPECT_EQ(out[0].sequence_number, 44u);
  auto bad = only<event::Undecodable>(h.events());
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].raw, frame);
  EXPECT_TRUE(h.session.is_bound());
}

TEST(Session, GarbageLengthsFailTheLink) {
  for (std::uint32_t length : {std::uint32_t{8}, std::uint32_t{0}, max_command_length + 1}) {
    Harness h;
    h.bind();
    h.submit_one(1);
    h.session.received(raw_header(length, 0x00000004, 0, 5), h.now);
    auto out = h.sent();
    ASSERT_EQ(out.size(), 1u) << length;
    EXPECT_EQ(out[0].command_status, status::invalid_cmd_length);
    auto events = h.events();
    auto down = only<event::LinkDown>(events);
    ASSERT_EQ(down.size(), 1u);
    EXPECT_EQ(down[0].reason, DownReason::protocol_error);
    EXPECT_FALSE(h.session.wants_connection());
    auto results = only<event::SubmitResult>(events);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, SubmitOutcome::unknown);
  }
}

TEST(Session, FramesArriveInAnyChunks) {
  Harness h;
  h.session.start(h.now);
  h.session.connected(h.now);
  const Pdu bind = h.sent().at(0);
  Bytes stream =
      wire(Pdu{status::ok, bind.sequence_number, BindResp{BindMode::transceiver, "S", {}}});
  const Bytes deliver = wire(Pdu{status::ok, 70, text_deliver("one")});
  const Bytes enquire = wire(Pdu{status::ok, 71, EnquireLink{}});
  stream.insert(stream.end(), deliver.begin(), deliver.end());
  stream.insert(stream.end(), enquire.begin(), enquire.end());
  for (std::uint8_t byte : stream) h.session.received(ByteView(&byte, 1), h.now);
  auto events = h.events();
  EXPECT_EQ(only<event::Bound>(events).size(), 1u);
  ASSERT_EQ(only<event::Inbound>(events).size(), 1u);
  auto out = h.sent();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].sequence_number, 71u);

  // Two PDUs and half of a third in one read.
  Bytes chunk = wire(Pdu{status::ok, 80, EnquireLink{}});
  const Bytes second = wire(Pdu{status::ok, 81, EnquireLink{}});
  const Bytes third = wire(Pdu{status::ok, 82, EnquireLink{}});
  chunk.insert(chunk.end(), second.begin(), second.end());
  chunk.insert(chunk.end(), third.begin(), third.begin() + 10);
  h.session.received(chunk, h.now);
  EXPECT_EQ(h.sent().size(), 2u);
  h.session.received(ByteView(third).subspan(10), h.now);
  auto last = h.sent();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].sequence_number, 82u);
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
}  // namespace lianxin::smpp
