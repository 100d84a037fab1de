// What the daemon sees of an SMS carrier link: messages, acknowledgements and results, never
// PDUs. SMPP implements it (esme.hpp); CMPP, SGIP or SMGP can be added beside it.
//
// Inbound durability: each inbound PART is handed to the owner on its own, with its
// concatenation info. The owner stores it and then calls acknowledge(part.ack, stored); only then
// does the carrier get its answer (or a "temporary error, retry" when storing failed). Whole
// messages are assembled by the owner over stored parts with InboundAssembler (below), which it
// can re-feed from its database after a restart.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/log.hpp"
#include "protocol/reassembly.hpp"
#include "protocol/receipt.hpp"
#include "protocol/segment.hpp"
#include "protocol/text.hpp"

namespace lianxin::transport {

using Bytes = sms::Bytes;

// USSD over SMS transports (SMPP ussd_service_op / its_session_info).
struct UssdInfo {
  std::uint8_t service_op = 0;  // SMPP: 1 PSSR indication, 2 USSR request, 3 USSN request, 17 PSSR
                                // response, 18 USSR confirm, ...
  std::optional<std::uint16_t> session_info;
  friend bool operator==(const UssdInfo&, const UssdInfo&) = default;
};

struct OutboundSms {
  std::uint64_t id = 0;  // the owner's id (its outbox row); echoed in SendResult
  std::string from;      // empty: the connection's default source address
  std::string to;
  std::string text;  // UTF-8; split into parts by the transport as the connection is configured
  bool request_receipt = true;
  std::optional<UssdInfo> ussd;  // a USSD message rather than an SMS
  std::string connection;        // prefer this connection (e.g. answer USSD where it came from)
};

// Names one inbound part for acknowledge(); opaque to the owner.
struct AckToken {
  std::uint64_t link = 0;
  std::uint64_t id = 0;
  friend bool operator==(const AckToken&, const AckToken&) = default;
};

struct InboundPart {
  std::string connection;  // which carrier link it came from
  AckToken ack;
  std::string from;
  std::string to;
  std::uint8_t data_coding = 0;
  Bytes body;        // user data without the UDH; reassemble from these bytes
  std::string text;  // body decoded; a part of a longer message may end mid-character
  std::optional<sms::ConcatInfo> concat;        // a part of a longer message
  std::optional<sms::DeliveryReceipt> receipt;  // a delivery receipt, not a text from a person
  std::optional<UssdInfo> ussd;
};

enum class SendStatus {
  submitted,  // every part accepted by the carrier; message_ids hold their ids
  retry,      // not (entirely) accepted; send again later, maybe over another link
  failed,     // refused for good (invalid number, message too long, ...)
};
const char* send_status_name(SendStatus status);

struct SendResult {
  std::uint64_t id = 0;
  SendStatus status = SendStatus::retry;
  // Some part went out without an answer (timeout, link lost): a retry may duplicate it.
  bool possibly_sent = false;
  std::vector<std::string> message_ids;  // one per part, in part order ("" for a failed part)
  std::string connection;
  std::uint32_t error = 0;  // the carrier's status code of the first failing part, 0 if none
  std::string detail;
};

struct LinkStatus {
  std::string connection;
  bool up = false;
  std::string detail;
};

enum class SendAdmission {
  accepted,  // a SendResult will follow
  busy,      // back-pressure: every usable link is full; try again after a SendResult
  no_link,   // no link can send now
  invalid,   // cannot be sent at all (e.g. too long); mark it failed
  stopping,
};
const char* send_admission_name(SendAdmission admission);

class Transport {
 public:
  struct Handlers {
    // Must be answered with acknowledge(part.ack, stored), once the part is committed.
    std::function<void(const InboundPart&)> inbound;
    std::function<void(const SendResult&)> sent;
    std::function<void(const LinkStatus&)> link;
  };

  virtual ~Transport() = default;
  virtual void set_handlers(Handlers handlers) = 0;
  virtual void start() = 0;
  virtual SendAdmission send(const OutboundSms& sms) = 0;
  virtual void acknowledge(const AckToken& token, bool stored) = 0;
  // Clean shutdown with a bounded wait for in-flight work; `done` runs once everything closed.
  virtual void stop(std::function<void()> done) = 0;
  // Whether send() would find a link now.
  virtual bool can_send() const = 0;
};

inline const char* send_status_name(SendStatus status) {
  switch (status) {
    case SendStatus::submitted:
      return "submitted";
    case SendStatus::retry:
      return "retry";
    case SendStatus::failed:
      return "failed";
  }
  return "?";
}

inline const char* send_admission_name(SendAdmission admission) {
  switch (admission) {
    case SendAdmission::accepted:
      return "accepted";
    case SendAdmission::busy:
      return "busy";
    case SendAdmission::no_link:
      return "no_link";
    case SendAdmission::invalid:
      return "invalid";
    case SendAdmission::stopping:
      return "stopping";
  }
  return "?";
}

// ---- whole messages from parts (for the demo, the tests and the daemon) ----

struct InboundSms {
  std::string connection;
  std::string from;
  std::string to;
  std::string text;
  bool complete = true;                // false: released after a timeout with parts missing
  std::vector<std::uint64_t> handles;  // the owner's handles of the parts, in part order
  std::optional<UssdInfo> ussd;
};

// Feeds stored parts to a sms::Reassembler and returns messages as they become whole (or time
// out). Delivery receipts are not messages: add() ignores them.
class InboundAssembler {
 public:
  using TimePoint = sms::Reassembler::TimePoint;

  explicit InboundAssembler(sms::ReassemblerOptions options = {})
      : reassembler_(std::move(options)) {}

  std::vector<InboundSms> add(const InboundPart& part, std::uint64_t handle, TimePoint now) {
    std::vector<InboundSms> out;
    if (part.receipt) return out;
    if (!part.concat) {
      out.push_back(
          InboundSms{part.connection, part.from, part.to, part.text, true, {handle}, part.ussd});
      return out;
    }
    sms::InboundPart piece;
    piece.sender = part.from;
    piece.receiver = part.to;
    piece.link = part.connection;
    piece.ref = part.concat->ref;
    piece.total = part.concat->total;
    piece.seq = part.concat->seq;
    piece.data_coding = part.data_coding;
    piece.body = part.body;
    piece.handle = handle;
    sms::AddResult result = reassembler_.add(std::move(piece), now);
    // A part that arrived twice belongs to no message: the owner still has to close its record.
    if (result.outcome == sms::AddOutcome::duplicate) duplicates_.push_back(handle);
    for (sms::ReassembledMessage& message : result.released) out.push_back(convert(message));
    return out;
  }

  // Handles of parts add() recognised as copies of parts it already had, since the last call.
  std::vector<std::uint64_t> take_duplicates() { return std::exchange(duplicates_, {}); }

  std::vector<InboundSms> expire(TimePoint now) {
    std::vector<InboundSms> out;
    for (sms::ReassembledMessage& message : reassembler_.expire(now))
      out.push_back(convert(message));
    return out;
  }

  std::optional<TimePoint> next_deadline() const { return reassembler_.next_deadline(); }
  const sms::Reassembler& reassembler() const { return reassembler_; }

 private:
  static InboundSms convert(sms::ReassembledMessage& message) {
    InboundSms sms{
        message.link, message.sender, message.receiver, std::move(message.text), message.complete(),
        {},           std::nullopt};
    for (const sms::ReceivedPart& part : message.parts) sms.handles.push_back(part.handle);
    return sms;
  }

  sms::Reassembler reassembler_;
  std::vector<std::uint64_t> duplicates_;
};

}  // namespace lianxin::transport
