// One SMPP 3.4 ESME link as a sans-io state machine.
//
// The session owns no socket and reads no clock: the driver (esme.hpp, or a test) feeds it
// events with the current time and then polls what to do — bytes to write (all PDUs produced by
// one call coalesced into one buffer), when to call timer_fired() next, whether a socket should
// be open — and the events for the owner (bound, link down, inbound messages, submit results).
//
// Life of a link: idle → connecting → binding → bound → (draining → unbinding) → stopped,
// with waiting_to_reconnect (capped exponential backoff with jitter) after every failure.
// Several sessions side by side give transmitter + receiver pairs or several SMSCs; choosing
// among them is the owner's job.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/log.hpp"
#include "protocol/pdu.hpp"

namespace lianxin::smpp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

struct SessionConfig {
  std::string name = "smsc";  // names the link in logs
  BindMode bind_mode = BindMode::transceiver;
  std::string system_id;
  std::string password;  // never logged
  std::string system_type;
  Address address_range;
  std::uint8_t interface_version = 0x34;

  Millis connect_timeout{10'000};
  Millis bind_timeout{10'000};
  Millis enquire_link_interval{30'000};   // probe after this long without receiving anything
  Millis response_timeout{10'000};        // per request
  unsigned max_consecutive_timeouts = 3;  // submit timeouts in a row before the link is dead

  std::size_t window = 10;        // unacknowledged submits on the wire
  std::size_t queue_limit = 100;  // submits waiting for the window, the throttle or a pause
  double tps = 0;                 // submits per second; 0 = unlimited
  unsigned tps_burst = 1;         // submits allowed back to back before pacing applies

  Millis throttle_pause{1'000};  // after ESME_RTHROTTLED / ESME_RMSGQFUL, doubled while it lasts
  Millis throttle_pause_max{30'000};
  unsigned max_throttle_retries = 10;  // then the submit is reported as failed (retryable)

  Millis reconnect_min{1'000};
  Millis reconnect_max{60'000};
  double reconnect_jitter = 0.2;  // each delay is shortened by up to this fraction

  Millis unbind_grace{5'000};  // stop(): wait this long for in-flight responses and acks

  // The first sequence number used; later ones count up to 0x7FFFFFFF and wrap to 1.
  std::uint32_t initial_sequence_number = 1;
};

enum class LinkState {
  idle,                  // not started
  waiting_to_reconnect,  // backing off; no socket
  connecting,            // the driver should open a socket now
  binding,               // bind sent
  bound,
  draining,   // stop(): waiting for in-flight responses and inbound acks
  unbinding,  // unbind sent
  stopped,
};
std::string_view to_string(LinkState state);

enum class DownReason {
  connect_failed,
  closed_by_peer,
  unbound_by_smsc,
  bind_failed,
  bind_timeout,
  response_timeout,
  enquire_link_timeout,
  protocol_error,  // garbage framing
};
std::string_view to_string(DownReason reason);

// What became of a submit. `unknown`: it was sent but no answer came (timeout or link lost);
// the SMSC may have taken it, so re-sending it may duplicate it.
enum class SubmitOutcome { accepted, failed_permanent, failed_retryable, unknown };
std::string_view to_string(SubmitOutcome outcome);

// Whether submit() took the message.
enum class Admission { accepted, queue_full, not_bound, stopping };

using SubmitToken = std::uint64_t;
using InboundId = std::uint64_t;
using OutboundMessage = std::variant<SubmitSm, DataSm>;
using InboundMessage = std::variant<DeliverSm, DataSm>;

namespace event {
struct Bound {
  std::string smsc_system_id;
};
// The SMSC refused the bind. `permanent`: wrong credentials; retrying will not help until the
// configuration changes (the session still retries, at the longest backoff).
struct BindFailed {
  std::uint32_t status = 0;
  bool permanent = false;
};
struct LinkDown {
  DownReason reason{};
  std::string detail;
  TimePoint reconnect_at;
};
// A message from the SMSC. Answer with Session::acknowledge(id, ...) once it is stored.
struct Inbound {
  InboundId id = 0;
  InboundMessage message;
  std::uint32_t sequence_number = 0;
};
struct SubmitResult {
  SubmitToken token = 0;
  SubmitOutcome outcome{};
  std::uint32_t status = 0;  // command_status from the SMSC, when it answered
  std::string message_id;    // set when accepted
  std::string detail;
};
// A PDU we could frame but not decode; it was answered with an error status. The raw bytes are
// kept so the owner can log or store them.
struct Undecodable {
  Header header;
  Bytes raw;
  std::string detail;
};
struct Stopped {};
}  // namespace event

using SessionEvent = std::variant<event::Bound, event::BindFailed, event::LinkDown, event::Inbound,
                                  event::SubmitResult, event::Undecodable, event::Stopped>;

// How a submit_sm_resp / data_sm_resp status is treated.
enum class StatusClass { ok, pause_and_retry, retryable, permanent };
StatusClass classify_submit_status(std::uint32_t command_status);
bool is_permanent_bind_failure(std::uint32_t command_status);

class Session {
 public:
  // Uniform in [0, 1); the jitter source (injected so tests are deterministic).
  using RandomUnit = std::function<double()>;

  explicit Session(SessionConfig config, protocol::Logger logger = {}, RandomUnit random = {});

  // ---- inputs ----
  void start(TimePoint now);  // connect at once
  void connected(TimePoint now);
  void connect_failed(std::string_view detail, TimePoint now);
  void received(ByteView bytes, TimePoint now);  // any chunking
  void disconnected(std::string_view detail, TimePoint now);
  void timer_fired(TimePoint now);  // harmless when early
  Admission submit(OutboundMessage message, SubmitToken token, TimePoint now);
  // The owner stored (stored = true) or failed to store the inbound message: answer the SMSC
  // with ok, or with ESME_RX_T_APPN so it delivers again later.
  void acknowledge(InboundId id, bool stored, TimePoint now);
  void stop(TimePoint now);

  // ---- outputs ----
  Bytes take_output();  // everything to write, in order; empty when nothing
  bool has_output() const { return !output_.empty(); }
  std::vector<SessionEvent> take_events();
  std::optional<TimePoint> next_deadline() const;
  // True while a socket should be open. A change of connection_attempt() while true means:
  // drop any old socket and open a new one. When it turns false, write what take_output()
  // returned, then close.
  bool wants_connection() const;
  std::uint64_t connection_attempt() const { return connection_attempt_; }

  // ---- state ----
  LinkState state() const { return state_; }
  bool is_bound() const { return state_ == LinkState::bound; }
  bool can_transmit() const { return config_.bind_mode != BindMode::receiver; }
  std::size_t in_flight() const { return submits_in_flight_; }
  std::size_t queued() const { return queue_.size(); }
  // Submits that would be accepted now (0 when not bound or full).
  std::size_t capacity() const;
  const SessionConfig& config() const { return config_; }
  std::optional<TimePoint> reconnect_at() const;

 private:
  enum class RequestKind { bind, submit, enquire_link, unbind };
  struct QueuedSubmit {
    std::uint64_t order = 0;  // submission order, kept when a throttled submit is retried
    SubmitToken token = 0;
    OutboundMessage message;
    unsigned retries = 0;
  };
  struct Outstanding {
    RequestKind kind{};
    TimePoint deadline;
    std::optional<QueuedSubmit> submit;  // for kind == submit
  };
  struct PendingInbound {
    std::uint32_t sequence_number = 0;
    std::uint32_t response_id = 0;  // deliver_sm_resp or data_sm_resp
    std::uint64_t connection = 0;   // acks for an older connection are not sent
  };

  void log(LogLevel level, const std::string& message) const;
  std::uint32_t next_sequence_number();
  bool send(const Pdu& pdu, std::string* error = nullptr);
  void send_response(std::uint32_t command_id, std::uint32_t command_status,
                     std::uint32_t sequence_number);
  void send_generic_nack(std::uint32_t command_status, std::uint32_t sequence_number);
  void send_request(RequestKind kind, Body body, TimePoint now);

  void handle_frame(ByteView frame, TimePoint now);
  void handle_undecodable(const Header& header, ByteView frame, const std::string& detail,
                          TimePoint now);
  void handle_request(const Header& header, Pdu pdu, TimePoint now);
  void handle_inbound_message(InboundMessage message, std::uint32_t response_id,
                              std::uint32_t sequence_number);
  void handle_response(std::uint32_t command_id, std::uint32_t command_status,
                       std::uint32_t sequence_number, const Body* body, TimePoint now);
  void handle_submit_response(QueuedSubmit submit, std::uint32_t command_status,
                              std::string message_id, TimePoint now);
  void handle_timeouts(TimePoint now);

  void pump_queue(TimePoint now);
  std::optional<TimePoint> queue_ready_at(TimePoint now) const;
  void requeue(QueuedSubmit submit);
  void check_drained(TimePoint now);
  void fail_link(DownReason reason, const std::string& detail, TimePoint now);
  void finish_stop();
  void report_lost_submits(const char* why);
  Millis next_backoff();
  bool connected_state() const;

  SessionConfig config_;
  protocol::Logger logger_;
  RandomUnit random_;

  LinkState state_ = LinkState::idle;
  std::uint64_t connection_attempt_ = 0;
  TimePoint state_deadline_{};  // connect timeout, reconnect time, or end of the stop grace
  unsigned failures_ = 0;       // consecutive link failures; sets the backoff
  bool stopping_ = false;

  Bytes input_;
  Bytes output_;
  std::vector<SessionEvent> events_;

  std::uint32_t next_sequence_ = 1;
  std::map<std::uint32_t, Outstanding> outstanding_;
  std::size_t submits_in_flight_ = 0;
  bool enquire_link_in_flight_ = false;
  unsigned consecutive_timeouts_ = 0;
  TimePoint last_received_{};

  std::deque<QueuedSubmit> queue_;
  std::uint64_t next_order_ = 0;
  TimePoint paused_until_{};
  Millis current_pause_{0};
  TimePoint pacing_tat_{};  // GCRA theoretical arrival time for the TPS limit

  InboundId next_inbound_id_ = 1;
  std::map<InboundId, PendingInbound> pending_inbound_;
};

}  // namespace lianxin::smpp
