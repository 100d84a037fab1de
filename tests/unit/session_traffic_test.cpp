// The SMPP link state machine, driven with bytes made by our codec and an injected clock: submits
// (window, TPS, throttling, statuses) and inbound messages (link: session_link_test.cpp).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/session.hpp"
#include "tests/unit/session_harness.hpp"

namespace lianxin::smpp::testing {
namespace {

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

}  // namespace
}  // namespace lianxin::smpp::testing
