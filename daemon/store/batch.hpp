// What the daemon stores: inbound parts, outbound SMS and their state changes, and the ticket
// engine's effects, gathered into one WriteBatch per event-loop turn and committed in one
// transaction (one fsync), before any response is sent.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/effects.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/store/error.hpp"
#include "protocol/receipt.hpp"

namespace lianxin::store {

using TimePoint = domain::TimePoint;  // system_clock; stored as integer milliseconds
using Bytes = std::vector<std::uint8_t>;

// ---- Inbox ----

// Concatenation info of a part (UDH 8/16-bit reference or sar_* TLVs).
struct ConcatInfo {
  std::uint16_t ref = 0;
  std::uint8_t total = 0;
  std::uint8_t seq = 0;
  friend bool operator==(const ConcatInfo&, const ConcatInfo&) = default;
};

struct UssdInfo {
  std::uint8_t op = 0;                   // ussd_service_op
  std::optional<std::uint16_t> session;  // its_session_info
  friend bool operator==(const UssdInfo&, const UssdInfo&) = default;
};

// One inbound deliver_sm/data_sm as received, before any decoding.
struct InboxPart {
  std::string connection;  // the SMSC link it came from
  std::string source;      // source_addr as sent
  std::string destination;
  std::uint8_t data_coding = 0;
  std::uint8_t esm_class = 0;
  Bytes payload;  // short_message or message_payload, UDH included
  std::optional<ConcatInfo> concat;
  std::optional<UssdInfo> ussd;
  bool receipt = false;  // a delivery receipt, not a message
  // Names the bind the part arrived on (e.g. the bind time in ms). An SMSC re-sends a part only
  // when our answer may not have reached it, which means on a LATER bind: the same content on
  // the same bind is a person sending the same text again, and is not deduplicated.
  std::int64_t link_session = 0;
  TimePoint received_at{};
  // Set when nothing remains to do for the part once the batch commits (e.g. a receipt applied
  // in the same batch). Unset parts come back from Store::unprocessed_inbox() after a restart.
  std::optional<TimePoint> processed_at;
  friend bool operator==(const InboxPart&, const InboxPart&) = default;
};

struct InboxRecord {
  std::int64_t id = 0;
  InboxPart part;
};

// Where an inbound part went. duplicate: the same delivery was stored earlier (within the
// dedupe window) as row `id`; ack it, do not process it again.
struct InboxInsert {
  std::int64_t id = 0;
  bool duplicate = false;
};

// Marks parts processed once the engine's effects for them are in the same batch.
struct InboxProcessed {
  std::int64_t id = 0;
  TimePoint at{};
};

// ---- Outbox ----

enum class OutboxState { queued, sending, submitted, delivered, failed, expired };
std::string_view to_string(OutboxState state);
std::optional<OutboxState> outbox_state_from_string(std::string_view text);
bool is_final(OutboxState state);  // delivered, failed, expired

std::string_view to_string(domain::Audience audience);
std::optional<domain::Audience> audience_from_string(std::string_view text);

// A new outbound SMS.
struct OutboxRequest {
  std::string destination;  // E.164
  std::string source;       // the service number
  std::string text;         // UTF-8, signature included
  std::optional<domain::TicketNo> ticket;
  domain::Audience audience = domain::Audience::resident;
  bool urgent = false;
  std::optional<std::int64_t> in_reply_to;  // inbox id
  TimePoint created_at{};
  std::optional<TimePoint> not_before;  // held until then (quiet hours)
  std::optional<TimePoint> expires_at;  // not sent after then (validity)
  // Part of this broadcast (lianxinctl broadcast): queued behind every other SMS, so a notice to
  // thousands never delays a dispatch or a reply.
  std::optional<std::int64_t> broadcast_id;
  friend bool operator==(const OutboxRequest&, const OutboxRequest&) = default;

  static OutboxRequest from_sms(const domain::OutgoingSms& sms, std::string_view source,
                                TimePoint now);
};

// One submitted segment of an outbound SMS and what its receipt said.
struct OutboxPart {
  int part = 0;            // 0-based segment index
  std::string message_id;  // as the SMSC gave it, normalised (sms::normalize_message_id)
  OutboxState state = OutboxState::submitted;  // submitted, delivered, failed or expired
  TimePoint updated_at{};
};

struct OutboxMessage {
  std::int64_t id = 0;
  OutboxRequest request;
  OutboxState state = OutboxState::queued;
  int attempts = 0;  // times taken for sending
  std::string last_error;
  std::string connection;  // the link that accepted it (empty until submitted)
  TimePoint next_attempt_at{};
  TimePoint updated_at{};
  std::vector<OutboxPart> parts;  // filled by find_outbox(), empty in take results
};

// submit_sm_resp OK for every segment: one message id per segment, in segment order.
struct OutboxSubmitted {
  std::int64_t id = 0;
  std::string connection;
  std::vector<std::string> message_ids;
  TimePoint at{};
};

// A transient failure (throttled, link down): back to queued, not before next_attempt_at.
struct OutboxRetry {
  std::int64_t id = 0;
  std::string error;
  TimePoint next_attempt_at{};
  TimePoint at{};
};

// A permanent failure: the SMS will not be sent.
struct OutboxFailure {
  std::int64_t id = 0;
  std::string error;
  TimePoint at{};
};

// A delivery receipt. The message id is matched in every spelling (decimal/hex, leading zeros,
// case) and across links, preferring an exact match and then the same link.
struct ReceiptUpdate {
  std::string connection;
  std::string message_id;
  std::optional<sms::DeliveryState> state;  // absent or non-final: recorded as a match only
  std::string error;                        // err: or network error, for failures
  TimePoint at{};
};

struct ReceiptMatch {
  std::optional<std::int64_t> outbox_id;  // unset: no outbound segment has that id (yet)
  int part = 0;
  OutboxState message_state = OutboxState::submitted;  // the SMS's state after the receipt
  // No segment has the id yet: the (final) receipt is kept for kEarlyReceiptKeep and applied
  // when a submit_sm_resp gives a segment that id.
  bool kept = false;
};

// How long a receipt for an id no segment has yet is kept (then it is dropped as unknown).
inline constexpr std::chrono::hours kEarlyReceiptKeep{24};

// A kept receipt that a newly recorded message id matched, applied in the same commit.
struct EarlyReceiptApplied {
  std::string message_id;
  std::string connection;
  ReceiptMatch match;
  std::string state;  // the delivery state's name, "DELIVRD"
};

// Ask the commit to hand out up to `limit` queued rows due at `now` (marking them sending).
// Rows past their expiry met on the way are marked expired instead.
struct TakeRequest {
  TimePoint now{};
  std::size_t limit = 0;
};

// ---- Broadcasts ----

// A notice to many members (lianxinctl broadcast); its SMS are outbox rows with its id.
struct BroadcastRecord {
  std::int64_t id = 0;        // chosen by the daemon (the only writer): last id + 1
  std::string text;           // as sent, signature included
  std::string audience;       // "all", or the grid ids joined by ","
  std::string operator_name;  // who sent it
  long long recipients = 0;   // SMS queued
  long long skipped = 0;      // members who opted out (退订)
  TimePoint created_at{};
  friend bool operator==(const BroadcastRecord&, const BroadcastRecord&) = default;
};

// ---- The batch ----

// A plain value: append during one event-loop turn, commit once, clear, reuse.
struct WriteBatch {
  std::vector<InboxPart> inbox;
  std::vector<InboxProcessed> processed;
  std::vector<domain::Ticket> tickets;  // upserts, applied in order (the last one wins)
  std::vector<domain::TicketEvent> events;
  std::vector<domain::PointsEntry> points;
  std::vector<domain::SubscriptionChange> subscriptions;
  std::vector<domain::Correction> corrections;  // 过滤核实: training data
  std::optional<domain::TicketNo> next_ticket_number;
  std::vector<domain::Meeting> meetings;       // ---- meetings ---- new ones (inserted)
  std::vector<domain::Attendance> attendance;  // sign-ins (a repeat is ignored)
  std::vector<BroadcastRecord> broadcasts;     // before the outbox rows that name them
  std::vector<OutboxRequest> outbox;
  std::vector<OutboxSubmitted> submitted;
  std::vector<OutboxRetry> retries;
  std::vector<OutboxFailure> failures;
  std::vector<ReceiptUpdate> receipts;
  std::optional<TakeRequest> take;

  // Appends the engine's persistent effects: tickets, events, points, subscriptions, the ticket
  // counter, meetings and sign-ins, and `sms` (from `source`) into the outbox. Held SMS, timers
  // and logs are not stored.
  void add(const domain::Effects& effects, std::string_view source, TimePoint now);

  // Appends what `later` holds after this batch's own rows (later upserts win); its take is
  // used only when this batch has none.
  void append(WriteBatch&& later);

  bool empty() const;
  void clear();  // keeps capacity
};

// Applied in this order: inbox, processed, tickets, events, points, subscriptions, counter,
// meetings, attendance, broadcasts, outbox, submitted, retries, failures, receipts, take. Result
// vectors are parallel to the batch's; on error nothing was stored and they are empty.
struct CommitResult {
  std::error_code error;
  std::string message;
  std::vector<InboxInsert> inbox;
  std::vector<std::int64_t> outbox;  // ids of the new outbox rows
  std::vector<ReceiptMatch> receipts;
  std::vector<OutboxMessage> taken;  // now 'sending': submit them
  // submitted/retry/failure updates naming a row that is gone or in a state where the update
  // no longer applies (e.g. already final). They change nothing.
  std::size_t stale_updates = 0;
  // Queued rows the take found past their validity (expires_at): now 'expired', never sent.
  std::vector<OutboxMessage> expired;
  // Receipts that had come before their segment's id and were applied now.
  std::vector<EarlyReceiptApplied> early_receipts;

  explicit operator bool() const { return !error; }
};

}  // namespace lianxin::store
