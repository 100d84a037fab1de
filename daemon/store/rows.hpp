// Internal to daemon/store: how rows are named, bound and read, and how SQLite errors become
// Outcomes. Included by the store's own .cpp files only.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <array>
#include <bitset>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "daemon/store/codec.hpp"
#include "daemon/store/store.hpp"

namespace lianxin::store::internal {

using codec::from_ms;
using codec::to_ms;
using domain::TicketState;

// A row that cannot be read back (unknown state name, broken JSON): reported as corrupt.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- Names as stored. Owned here (not the domain's to_string) so storage stays stable. ----

const char* state_name(OutboxState state);
const char* ticket_state_name(TicketState state);
TicketState ticket_state_from_name(std::string_view name);  // throws DataError
const char* close_reason_name(domain::CloseReason reason);
domain::CloseReason close_reason_from_name(std::string_view name);  // throws DataError
const char* audience_name(domain::Audience audience);

// ---- Error translation at the edge ----

StoreError classify(int sqlite_code);
// Call inside a catch block only.
std::pair<std::error_code, std::string> current_error();

template <class T, class Body>
Outcome<T> attempt(Body&& body) {
  Outcome<T> out;
  try {
    out.value = body();
  } catch (...) {
    std::tie(out.error, out.message) = current_error();
  }
  return out;
}

// ---- Statement helpers ----

// Resets a cached statement and drops its bindings (which may point into the caller's data)
// when the scope ends, however it ends.
class Use {
 public:
  explicit Use(SQLite::Statement& statement) : statement_(statement) {}
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  ~Use() {
    statement_.tryReset();
    try {
      statement_.clearBindings();
    } catch (...) {  // cannot fail after a reset; never throw from here
    }
  }

 private:
  SQLite::Statement& statement_;
};

inline void bind_int(SQLite::Statement& s, int index, std::int64_t value) {
  s.bind(index, value);
}
inline void bind_ms(SQLite::Statement& s, int index, TimePoint at) {
  s.bind(index, to_ms(at));
}
inline void bind_opt_ms(SQLite::Statement& s, int index, const std::optional<TimePoint>& at) {
  if (at)
    bind_ms(s, index, *at);
  else
    s.bind(index);
}
template <class Int>
inline void bind_opt_int(SQLite::Statement& s, int index, const std::optional<Int>& value) {
  if (value)
    bind_int(s, index, static_cast<std::int64_t>(*value));
  else
    s.bind(index);
}
// The string must outlive the step (it is bound without a copy).
inline void bind_ref(SQLite::Statement& s, int index, const std::string& text) {
  s.bindNoCopy(index, text);
}
inline void bind_opt_ref(SQLite::Statement& s, int index, const std::optional<std::string>& text) {
  if (text)
    bind_ref(s, index, *text);
  else
    s.bind(index);
}
inline void bind_blob_ref(SQLite::Statement& s, int index, const Bytes& bytes) {
  static const char kEmpty = 0;  // a null pointer would bind NULL, not an empty blob
  const void* data = bytes.empty() ? static_cast<const void*>(&kEmpty) : bytes.data();
  s.bindNoCopy(index, data, static_cast<int>(bytes.size()));
}

inline std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
inline std::optional<TimePoint> opt_ms(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return from_ms(c.getInt64());
}
inline std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
inline Bytes blob(const SQLite::Column& c) {
  const auto* data = static_cast<const std::uint8_t*>(c.getBlob());
  const int size = c.getBytes();
  if (data == nullptr || size <= 0) return {};
  return Bytes(data, data + size);
}

// ---- Column lists and row readers (a row that cannot be read throws DataError) ----

constexpr const char* kInboxColumns =
    "id, connection, source, destination, data_coding, esm_class, payload, concat_ref, "
    "concat_total, concat_seq, ussd_op, ussd_session, is_receipt, received_at_ms, "
    "processed_at_ms, link_session";
InboxRecord read_inbox(const SQLite::Statement& q);

constexpr const char* kOutboxColumns =
    "id, destination, source, text, ticket, audience, urgent, in_reply_to, state, attempts, "
    "next_attempt_at_ms, last_error, connection, created_at_ms, updated_at_ms, not_before_ms, "
    "expires_at_ms, broadcast_id";
OutboxMessage read_outbox(const SQLite::Statement& q);

// ---- Tickets: one reader for the daemon and for lianxinctl's reports ----
// The columns every schema version from 2 on has, then those added later, in reading order.
// lianxind migrates before it reads, so it has them all; lianxinctl reads an older database as
// it is, and a later column it lacks reads as its default. A row that cannot be read (unknown
// state, kind or close reason; broken JSON) throws DataError for both.
constexpr const char* kTicketBaseColumns =
    "number, reporter, text, category, grid, urgent, state, assignee, tried, notes, resolution, "
    "created_at_ms, updated_at_ms, dispatched_at_ms, accepted_at_ms, resolved_at_ms, "
    "closed_at_ms, location_deadline_ms, verification_deadline_ms, close_reason, rating, "
    "inbound_id";
constexpr std::array<const char*, 13> kTicketLaterColumns = {
    "accept_deadline_ms", "resolve_deadline_ms",
    "escalation_level",   "reopen_count",
    "handback_count",     "problem",
    "reminded_for_ms",    "kind",
    "raised_by",          "team",
    "confidence",         "needs_review",
    "complaint_about"};

struct TicketColumns {
  std::bitset<kTicketLaterColumns.size()> present;  // per kTicketLaterColumns

  static TicketColumns all();
  static TicketColumns of(SQLite::Database& db);  // those the tickets table has
  std::string select_list() const;                // "number, reporter, ..."
};

domain::Ticket read_ticket(const SQLite::Statement& q, const TicketColumns& columns);

constexpr const char* kTicketEventColumns = "ticket, from_state, to_state, actor, at_ms, reason";
domain::TicketEvent read_ticket_event(const SQLite::Statement& q);

constexpr const char* kBroadcastColumns =
    "id, text, audience, operator, recipients, skipped, created_at_ms";
BroadcastRecord read_broadcast(const SQLite::Statement& q);

constexpr const char* kMeetingColumns =
    "code, title, starts_at_ms, ends_at_ms, grids, created_by, created_at_ms";
domain::Meeting read_meeting(const SQLite::Statement& q);
domain::Attendance read_attendance(const SQLite::Statement& q);

constexpr const char* kNextTicketCounter = "next_ticket_number";

// Builds a WHERE clause for TicketFilter with positional parameters.
struct FilterSql {
  std::string where;
  std::vector<std::variant<std::int64_t, std::string>> params;

  void bind(SQLite::Statement& q) const {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (const auto* n = std::get_if<std::int64_t>(&params[i]))
        q.bind(index, *n);
      else
        q.bind(index, std::get<std::string>(params[i]));
    }
  }
};

FilterSql filter_sql(const TicketFilter& f);

OutboxState part_state_for(sms::DeliveryState state);

}  // namespace lianxin::store::internal
