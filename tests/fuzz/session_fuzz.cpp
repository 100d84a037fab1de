// libFuzzer target for the SMPP session state machine (protocol/session.hpp), sans-io: bound to
// a fake SMSC, then driven by the input as a sequence of events — bytes from the SMSC in any
// chunking, timers, submits, acknowledgements, disconnects, reconnects, a stop. Properties:
// nothing crashes; every byte it writes frames and decodes as PDUs; the window and the queue are
// never exceeded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "protocol/pdu.hpp"
#include "protocol/session.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using namespace lianxin::smpp;

using lianxin::fuzz::require;

// Everything the session wrote must be whole PDUs we can decode.
void check_output(Session& session) {
  const Bytes out = session.take_output();
  ByteView rest(out.data(), out.size());
  while (!rest.empty()) {
    const auto length = peek_command_length(rest);
    require(length && *length >= 16 && *length <= rest.size(), "framed output");
    const DecodeResult decoded = decode(rest.subspan(0, *length));
    require(decoded.pdu.has_value(), "output decodes");
    rest = rest.subspan(*length);
  }
}

Bytes bind_resp(std::uint32_t sequence) {
  Pdu pdu;
  pdu.sequence_number = sequence;
  pdu.body = BindResp{BindMode::transceiver, "fuzz-smsc", std::nullopt};
  return encode(pdu).bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  SessionConfig config;
  config.system_id = "lianxin";
  config.password = "pw";
  config.window = 3;
  config.queue_limit = 5;
  Session session(config, {}, [] { return 0.5; });
  TimePoint now{};
  session.start(now);
  session.connected(now);
  check_output(session);  // the bind, sequence 1
  const Bytes bound = bind_resp(1);
  session.received(ByteView(bound.data(), bound.size()), now);
  check_output(session);

  std::vector<InboundId> inbound;
  SubmitToken token = 0;
  std::size_t at = 0;
  while (at < size) {
    const std::uint8_t op = data[at++];
    switch (op % 8) {
      case 0:
      case 1: {  // bytes from the SMSC, a chunk of the input
        const std::size_t n = std::min<std::size_t>(size - at, 1 + (op >> 3) * 8);
        session.received(ByteView(data + at, n), now);
        at += n;
        break;
      }
      case 2:
        now += std::chrono::milliseconds(static_cast<int>(op) * 97);
        session.timer_fired(now);
        break;
      case 3: {
        SubmitSm sm;
        sm.source.addr = "106900001234";
        sm.destination.addr = "8613800000001";
        sm.short_message.assign(op >> 3, 'x');
        (void)session.submit(sm, ++token, now);
        break;
      }
      case 4:
        if (!inbound.empty()) {
          session.acknowledge(inbound.back(), (op & 8) != 0, now);
          inbound.pop_back();
        }
        break;
      case 5:
        session.disconnected("fuzz", now);
        break;
      case 6:
        if (session.wants_connection()) session.connected(now);
        break;
      case 7:
        if (op > 240) session.stop(now);
        break;
    }
    check_output(session);
    for (SessionEvent& e : session.take_events()) {
      if (auto* in = std::get_if<event::Inbound>(&e)) inbound.push_back(in->id);
    }
    require(session.in_flight() <= config.window, "window kept");
    require(session.queued() <= config.queue_limit, "queue bounded");
  }
  return 0;
}
