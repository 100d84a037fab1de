// The SMPP session test harness: a Session with an injected clock, jitter and logger, bytes made
// and read back by our codec, and helpers to bind, submit and pick events.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "protocol/session.hpp"

namespace lianxin::smpp::testing {

using namespace std::chrono_literals;

inline Bytes wire(const Pdu& pdu) {
  EncodeResult encoded = encode(pdu);
  EXPECT_FALSE(encoded.error) << encoded.detail;
  return encoded.bytes;
}

// Cuts a byte stream into PDUs; fails the test on anything undecodable.
inline std::vector<Pdu> parse(const Bytes& bytes) {
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

inline Bytes raw_header(std::uint32_t length, std::uint32_t command_id, std::uint32_t status,
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

inline SubmitSm text_submit(const std::string& text, const std::string& to = "8613800000001") {
  SubmitSm submit;
  submit.source = Address{0, 0, "10690001"};
  submit.destination = Address{1, 1, to};
  submit.short_message.assign(text.begin(), text.end());
  return submit;
}

inline DeliverSm text_deliver(const std::string& text) {
  DeliverSm deliver;
  deliver.source = Address{1, 1, "8613800000002"};
  deliver.destination = Address{0, 0, "10690001"};
  deliver.short_message.assign(text.begin(), text.end());
  return deliver;
}

inline SessionConfig test_config() {
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

}  // namespace lianxin::smpp::testing
