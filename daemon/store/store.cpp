#include "daemon/store/store.hpp"

#include <sqlite3.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>
#include <variant>

#include "daemon/store/codec.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/transaction.hpp"

namespace lianxin::store {

using codec::from_ms;
using codec::to_ms;
using domain::TicketState;

namespace {

// A row that cannot be read back (unknown state name, broken JSON): reported as corrupt.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- Names as stored. Owned here (not the domain's to_string) so storage stays stable. ----

const char* state_name(OutboxState state) {
  switch (state) {
    case OutboxState::queued:
      return "queued";
    case OutboxState::sending:
      return "sending";
    case OutboxState::submitted:
      return "submitted";
    case OutboxState::delivered:
      return "delivered";
    case OutboxState::failed:
      return "failed";
    case OutboxState::expired:
      return "expired";
  }
  return "queued";
}

const char* ticket_state_name(TicketState state) {
  switch (state) {
    case TicketState::new_:
      return "new";
    case TicketState::awaiting_location:
      return "awaiting_location";
    case TicketState::dispatched:
      return "dispatched";
    case TicketState::accepted:
      return "accepted";
    case TicketState::resolved:
      return "resolved";
    case TicketState::closed:
      return "closed";
    case TicketState::reopened:
      return "reopened";
    case TicketState::invalid:
      return "invalid";
    case TicketState::cancelled:
      return "cancelled";
  }
  return "new";
}

constexpr TicketState kAllTicketStates[] = {
    TicketState::new_,     TicketState::awaiting_location, TicketState::dispatched,
    TicketState::accepted, TicketState::resolved,          TicketState::closed,
    TicketState::reopened, TicketState::invalid,           TicketState::cancelled,
};

TicketState ticket_state_from_name(std::string_view name) {
  for (TicketState state : kAllTicketStates) {
    if (name == ticket_state_name(state)) return state;
  }
  throw DataError("unknown ticket state '" + std::string(name) + "'");
}

const char* close_reason_name(domain::CloseReason reason) {
  switch (reason) {
    case domain::CloseReason::none:
      return "none";
    case domain::CloseReason::rated:
      return "rated";
    case domain::CloseReason::unrated:
      return "unrated";
    case domain::CloseReason::cancelled:
      return "cancelled";
    case domain::CloseReason::invalid:
      return "invalid";
  }
  return "none";
}

domain::CloseReason close_reason_from_name(std::string_view name) {
  for (auto reason :
       {domain::CloseReason::none, domain::CloseReason::rated, domain::CloseReason::unrated,
        domain::CloseReason::cancelled, domain::CloseReason::invalid}) {
    if (name == close_reason_name(reason)) return reason;
  }
  throw DataError("unknown close reason '" + std::string(name) + "'");
}

const char* audience_name(domain::Audience audience) {
  return audience == domain::Audience::member ? "member" : "resident";
}

// ---- Error translation at the edge ----

StoreError classify(int sqlite_code) {
  switch (sqlite_code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError::busy;
    case SQLITE_CONSTRAINT:
      return StoreError::constraint;
    case SQLITE_IOERR:
      return StoreError::io;
    case SQLITE_FULL:
      return StoreError::disk_full;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreError::corrupt;
    case SQLITE_READONLY:
      return StoreError::read_only;
    case SQLITE_CANTOPEN:
      return StoreError::cannot_open;
    default:
      return StoreError::sqlite;
  }
}

// Call inside a catch block only.
std::pair<std::error_code, std::string> current_error() {
  try {
    throw;
  } catch (const SQLite::Exception& e) {
    return {make_error_code(classify(e.getErrorCode())),
            std::string(e.what()) + " (sqlite " + std::to_string(e.getExtendedErrorCode()) + ")"};
  } catch (const DataError& e) {
    return {make_error_code(StoreError::corrupt), e.what()};
  } catch (const std::exception& e) {
    return {make_error_code(StoreError::sqlite), e.what()};
  }
}

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

void bind_int(SQLite::Statement& s, int index, std::int64_t value) {
  s.bind(index, value);
}
void bind_ms(SQLite::Statement& s, int index, TimePoint at) {
  s.bind(index, to_ms(at));
}
void bind_opt_ms(SQLite::Statement& s, int index, const std::optional<TimePoint>& at) {
  if (at)
    bind_ms(s, index, *at);
  else
    s.bind(index);
}
template <class Int>
void bind_opt_int(SQLite::Statement& s, int index, const std::optional<Int>& value) {
  if (value)
    bind_int(s, index, static_cast<std::int64_t>(*value));
  else
    s.bind(index);
}
// The string must outlive the step (it is bound without a copy).
void bind_ref(SQLite::Statement& s, int index, const std::string& text) {
  s.bindNoCopy(index, text);
}
void bind_opt_ref(SQLite::Statement& s, int index, const std::optional<std::string>& text) {
  if (text)
    bind_ref(s, index, *text);
  else
    s.bind(index);
}
void bind_blob_ref(SQLite::Statement& s, int index, const Bytes& bytes) {
  static const char kEmpty = 0;  // a null pointer would bind NULL, not an empty blob
  const void* data = bytes.empty() ? static_cast<const void*>(&kEmpty) : bytes.data();
  s.bindNoCopy(index, data, static_cast<int>(bytes.size()));
}

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
std::optional<TimePoint> opt_ms(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return from_ms(c.getInt64());
}
std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
Bytes blob(const SQLite::Column& c) {
  const auto* data = static_cast<const std::uint8_t*>(c.getBlob());
  const int size = c.getBytes();
  if (data == nullptr || size <= 0) return {};
  return Bytes(data, data + size);
}

// ---- Column lists and row readers ----

constexpr const char* kInboxColumns =
    "id, connection, source, destination, data_coding, esm_class, payload, concat_ref, "
    "concat_total, concat_seq, ussd_op, ussd_session, is_receipt, received_at_ms, "
    "processed_at_ms, link_session";

InboxRecord read_inbox(const SQLite::Statement& q) {
  InboxRecord r;
  r.id = q.getColumn(0).getInt64();
  InboxPart& p = r.part;
  p.connection = q.getColumn(1).getString();
  p.source = q.getColumn(2).getString();
  p.destination = q.getColumn(3).getString();
  p.data_coding = static_cast<std::uint8_t>(q.getColumn(4).getInt());
  p.esm_class = static_cast<std::uint8_t>(q.getColumn(5).getInt());
  p.payload = blob(q.getColumn(6));
  if (!q.getColumn(7).isNull()) {
    p.concat = ConcatInfo{static_cast<std::uint16_t>(q.getColumn(7).getInt()),
                          static_cast<std::uint8_t>(q.getColumn(8).getInt()),
                          static_cast<std::uint8_t>(q.getColumn(9).getInt())};
  }
  if (!q.getColumn(10).isNull()) {
    UssdInfo ussd;
    ussd.op = static_cast<std::uint8_t>(q.getColumn(10).getInt());
    if (auto session = opt_int(q.getColumn(11))) {
      ussd.session = static_cast<std::uint16_t>(*session);
    }
    p.ussd = ussd;
  }
  p.receipt = q.getColumn(12).getInt() != 0;
  p.received_at = from_ms(q.getColumn(13).getInt64());
  p.processed_at = opt_ms(q.getColumn(14));
  p.link_session = q.getColumn(15).getInt64();
  return r;
}

constexpr const char* kOutboxColumns =
    "id, destination, source, text, ticket, audience, urgent, in_reply_to, state, attempts, "
    "next_attempt_at_ms, last_error, connection, created_at_ms, updated_at_ms, not_before_ms, "
    "expires_at_ms, broadcast_id";

OutboxMessage read_outbox(const SQLite::Statement& q) {
  OutboxMessage m;
  m.id = q.getColumn(0).getInt64();
  OutboxRequest& r = m.request;
  r.destination = q.getColumn(1).getString();
  r.source = q.getColumn(2).getString();
  r.text = q.getColumn(3).getString();
  r.ticket = opt_int(q.getColumn(4));
  const std::string audience = q.getColumn(5).getString();
  auto parsed_audience = audience_from_string(audience);
  if (!parsed_audience) throw DataError("unknown audience '" + audience + "'");
  r.audience = *parsed_audience;
  r.urgent = q.getColumn(6).getInt() > 0;  // broadcast rows are queued with -1
  r.in_reply_to = opt_int(q.getColumn(7));
  r.broadcast_id = opt_int(q.getColumn(17));
  const std::string state = q.getColumn(8).getString();
  auto parsed_state = outbox_state_from_string(state);
  if (!parsed_state) throw DataError("unknown outbox state '" + state + "'");
  m.state = *parsed_state;
  m.attempts = q.getColumn(9).getInt();
  m.next_attempt_at = from_ms(q.getColumn(10).getInt64());
  m.last_error = q.getColumn(11).getString();
  m.connection = q.getColumn(12).getString();
  r.created_at = from_ms(q.getColumn(13).getInt64());
  m.updated_at = from_ms(q.getColumn(14).getInt64());
  r.not_before = opt_ms(q.getColumn(15));
  r.expires_at = opt_ms(q.getColumn(16));
  return m;
}

constexpr const char* kTicketColumns =
    "number, reporter, text, category, grid, urgent, state, assignee, tried, notes, resolution, "
    "created_at_ms, updated_at_ms, dispatched_at_ms, accepted_at_ms, resolved_at_ms, "
    "closed_at_ms, location_deadline_ms, verification_deadline_ms, close_reason, rating, "
    "inbound_id, accept_deadline_ms, resolve_deadline_ms, escalation_level, reopen_count, "
    "handback_count, problem, reminded_for_ms, kind, raised_by, team, confidence, needs_review";

domain::Ticket read_ticket(const SQLite::Statement& q) {
  domain::Ticket t;
  t.number = q.getColumn(0).getInt64();
  t.reporter = q.getColumn(1).getString();
  t.text = q.getColumn(2).getString();
  t.category = q.getColumn(3).getString();
  t.grid = opt_text(q.getColumn(4));
  t.urgent = q.getColumn(5).getInt() != 0;
  t.state = ticket_state_from_name(q.getColumn(6).getText());
  t.assignee = opt_text(q.getColumn(7));
  auto tried = codec::decode_strings(q.getColumn(8).getText());
  if (!tried) throw DataError("ticket " + std::to_string(t.number) + ": unreadable tried list");
  t.tried = std::move(*tried);
  auto notes = codec::decode_notes(q.getColumn(9).getText());
  if (!notes) throw DataError("ticket " + std::to_string(t.number) + ": unreadable notes");
  t.notes = std::move(*notes);
  t.resolution = q.getColumn(10).getString();
  t.created_at = from_ms(q.getColumn(11).getInt64());
  t.updated_at = from_ms(q.getColumn(12).getInt64());
  t.dispatched_at = opt_ms(q.getColumn(13));
  t.accepted_at = opt_ms(q.getColumn(14));
  t.resolved_at = opt_ms(q.getColumn(15));
  t.closed_at = opt_ms(q.getColumn(16));
  t.location_deadline = opt_ms(q.getColumn(17));
  t.verification_deadline = opt_ms(q.getColumn(18));
  t.close_reason = close_reason_from_name(q.getColumn(19).getText());
  if (auto rating = opt_int(q.getColumn(20))) t.rating = static_cast<int>(*rating);
  t.inbound_id = opt_int(q.getColumn(21));
  t.accept_deadline = opt_ms(q.getColumn(22));
  t.resolve_deadline = opt_ms(q.getColumn(23));
  t.escalation_level = q.getColumn(24).getInt();
  t.reopen_count = q.getColumn(25).getInt();
  t.handback_count = q.getColumn(26).getInt();
  t.problem = q.getColumn(27).getInt() != 0;
  t.reminded_for = opt_ms(q.getColumn(28));
  const std::string kind = q.getColumn(29).getString();
  auto parsed_kind = domain::ticket_kind_from_string(kind);
  if (!parsed_kind) {
    throw DataError("ticket " + std::to_string(t.number) + ": unknown kind '" + kind + "'");
  }
  t.kind = *parsed_kind;
  t.raised_by = opt_text(q.getColumn(30));
  t.team = opt_text(q.getColumn(31));
  t.confidence = q.getColumn(32).getDouble();
  t.needs_review = q.getColumn(33).getInt() != 0;
  return t;
}

constexpr const char* kNextTicketCounter = "next_ticket_number";

// Statements used on every batch, prepared once.
struct Statements {
  explicit Statements(SQLite::Database& db)
      : inbox_find_duplicate(db,
                             "SELECT id FROM inbox WHERE content_hash = ?13 "
                             "AND received_at_ms BETWEEN ?17 AND ?18 AND connection = ?1 "
                             "AND source = ?2 AND destination = ?3 AND data_coding = ?4 "
                             "AND esm_class = ?5 AND payload = ?6 AND concat_ref IS ?7 "
                             "AND concat_total IS ?8 AND concat_seq IS ?9 "
                             "AND is_receipt = 0 AND ussd_op IS NULL AND link_session <> ?16 "
                             "ORDER BY id LIMIT 1"),
        inbox_insert(db,
                     "INSERT INTO inbox (connection, source, destination, data_coding, "
                     "esm_class, payload, concat_ref, concat_total, concat_seq, ussd_op, "
                     "ussd_session, is_receipt, content_hash, received_at_ms, processed_at_ms, "
                     "link_session) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                     "?16)"),
        inbox_processed(db,
                        "UPDATE inbox SET processed_at_ms = ?2 "
                        "WHERE id = ?1 AND processed_at_ms IS NULL"),
        ticket_upsert(db,
                      "INSERT INTO tickets (number, reporter, text, category, grid, urgent, "
                      "state, assignee, tried, notes, resolution, created_at_ms, updated_at_ms, "
                      "dispatched_at_ms, accepted_at_ms, resolved_at_ms, closed_at_ms, "
                      "location_deadline_ms, verification_deadline_ms, close_reason, rating, "
                      "inbound_id, accept_deadline_ms, resolve_deadline_ms, escalation_level, "
                      "reopen_count, handback_count, problem, reminded_for_ms, kind, raised_by, "
                      "team, confidence, needs_review) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                      "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
                      "?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34) "
                      "ON CONFLICT (number) DO UPDATE SET reporter = excluded.reporter, "
                      "text = excluded.text, category = excluded.category, grid = excluded.grid, "
                      "urgent = excluded.urgent, state = excluded.state, "
                      "assignee = excluded.assignee, tried = excluded.tried, "
                      "notes = excluded.notes, resolution = excluded.resolution, "
                      "created_at_ms = excluded.created_at_ms, "
                      "updated_at_ms = excluded.updated_at_ms, "
                      "dispatched_at_ms = excluded.dispatched_at_ms, "
                      "accepted_at_ms = excluded.accepted_at_ms, "
                      "resolved_at_ms = excluded.resolved_at_ms, "
                      "closed_at_ms = excluded.closed_at_ms, "
                      "location_deadline_ms = excluded.location_deadline_ms, "
                      "verification_deadline_ms = excluded.verification_deadline_ms, "
                      "close_reason = excluded.close_reason, rating = excluded.rating, "
                      "inbound_id = excluded.inbound_id, "
                      "accept_deadline_ms = excluded.accept_deadline_ms, "
                      "resolve_deadline_ms = excluded.resolve_deadline_ms, "
                      "escalation_level = excluded.escalation_level, "
                      "reopen_count = excluded.reopen_count, "
                      "handback_count = excluded.handback_count, problem = excluded.problem, "
                      "reminded_for_ms = excluded.reminded_for_ms, kind = excluded.kind, "
                      "raised_by = excluded.raised_by, team = excluded.team, "
                      "confidence = excluded.confidence, needs_review = excluded.needs_review"),
        correction_insert(db,
                          "INSERT INTO category_corrections (ticket, text, from_category, "
                          "to_category, urgent, actor, reason, at_ms) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        event_insert(db,
                     "INSERT INTO ticket_events (ticket, from_state, to_state, actor, at_ms, "
                     "reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        points_insert(db,
                      "INSERT INTO points_ledger (member, ticket, points, reason, at_ms) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)"),
        subscription_upsert(db,
                            "INSERT INTO subscriptions (phone, subscribed, updated_at_ms) "
                            "VALUES (?1, ?2, ?3) ON CONFLICT (phone) DO UPDATE SET "
                            "subscribed = excluded.subscribed, "
                            "updated_at_ms = excluded.updated_at_ms"),
        // Ticket numbers never go back, whatever a caller says.
        counter_raise(db,
                      "INSERT INTO counters (name, value) VALUES (?1, ?2) "
                      "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)"),
        outbox_insert(db,
                      "INSERT INTO outbox (destination, source, text, ticket, audience, urgent, "
                      "in_reply_to, state, attempts, next_attempt_at_ms, last_error, connection, "
                      "created_at_ms, updated_at_ms, not_before_ms, expires_at_ms, broadcast_id) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'queued', 0, 0, '', '', ?8, ?8, ?9, "
                      "?10, ?11)"),
        broadcast_insert(db,
                         "INSERT INTO broadcasts (id, text, audience, operator, recipients, "
                         "skipped, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        outbox_submitted(db,
                         "UPDATE outbox SET state = 'submitted', connection = ?2, "
                         "last_error = '', updated_at_ms = ?3 "
                         "WHERE id = ?1 AND state IN ('sending', 'queued')"),
        part_insert(db,
                    "INSERT OR REPLACE INTO outbox_parts (outbox_id, part, message_id, state, "
                    "updated_at_ms) VALUES (?1, ?2, ?3, 'submitted', ?4)"),
        outbox_retry(db,
                     "UPDATE outbox SET state = 'queued', last_error = ?2, "
                     "next_attempt_at_ms = ?3, updated_at_ms = ?4 "
                     "WHERE id = ?1 AND state IN ('sending', 'queued')"),
        outbox_fail(db,
                    "UPDATE outbox SET state = 'failed', last_error = ?2, updated_at_ms = ?3 "
                    "WHERE id = ?1 AND state IN ('queued', 'sending', 'submitted')"),
        receipt_lookup(db,
                       "SELECT p.outbox_id, p.part, o.connection = ?2 FROM outbox_parts p "
                       "JOIN outbox o ON o.id = p.outbox_id WHERE p.message_id = ?1"),
        part_update(db,
                    "UPDATE outbox_parts SET state = ?3, updated_at_ms = ?4 "
                    "WHERE outbox_id = ?1 AND part = ?2 AND state = 'submitted'"),
        // The SMS fails with its first failed (or expired) segment and is delivered with its
        // last delivered one. RETURNING: no row when the SMS was no longer 'submitted'.
        outbox_after_receipt(
            db,
            "UPDATE outbox SET state = CASE "
            "WHEN EXISTS (SELECT 1 FROM outbox_parts WHERE outbox_id = ?1 AND state = 'failed') "
            "THEN 'failed' "
            "WHEN EXISTS (SELECT 1 FROM outbox_parts WHERE outbox_id = ?1 AND state = 'expired') "
            "THEN 'expired' "
            "WHEN NOT EXISTS (SELECT 1 FROM outbox_parts WHERE outbox_id = ?1 "
            "AND state <> 'delivered') THEN 'delivered' ELSE 'submitted' END, "
            "last_error = CASE WHEN ?2 <> 'delivered' THEN ?3 ELSE last_error END, "
            "updated_at_ms = ?4 WHERE id = ?1 AND state = 'submitted' RETURNING state"),
        outbox_state(db, "SELECT state FROM outbox WHERE id = ?1"),
        early_insert(db,
                     "INSERT INTO early_receipts (message_id, connection, state, error, "
                     "received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)"),
        early_lookup(db,
                     "SELECT id, connection, state, error, received_at_ms FROM early_receipts "
                     "WHERE message_id = ?1 ORDER BY id"),
        early_delete(db, "DELETE FROM early_receipts WHERE id = ?1"),
        early_prune(db, "DELETE FROM early_receipts WHERE received_at_ms < ?1"),
        // One statement for the whole take: due rows become 'sending', or 'expired' when past
        // their validity. RETURNING gives no order: take() sorts.
        take(db,
             std::string("UPDATE outbox SET "
                         "state = CASE WHEN expires_at_ms <= ?1 THEN 'expired' ELSE 'sending' END, "
                         "attempts = attempts + (expires_at_ms IS NULL OR expires_at_ms > ?1), "
                         "last_error = CASE WHEN expires_at_ms <= ?1 "
                         "THEN 'expired before sending' ELSE last_error END, "
                         "updated_at_ms = ?1 WHERE id IN (SELECT id FROM outbox "
                         "WHERE state = 'queued' AND next_attempt_at_ms <= ?1 "
                         "AND (not_before_ms IS NULL OR not_before_ms <= ?1) "
                         "ORDER BY urgent DESC, id LIMIT ?2) RETURNING ") +
                 kOutboxColumns) {}

  SQLite::Statement inbox_find_duplicate;
  SQLite::Statement inbox_insert;
  SQLite::Statement inbox_processed;
  SQLite::Statement ticket_upsert;
  SQLite::Statement correction_insert;
  SQLite::Statement event_insert;
  SQLite::Statement points_insert;
  SQLite::Statement subscription_upsert;
  SQLite::Statement counter_raise;
  SQLite::Statement outbox_insert;
  SQLite::Statement broadcast_insert;
  SQLite::Statement outbox_submitted;
  SQLite::Statement part_insert;
  SQLite::Statement outbox_retry;
  SQLite::Statement outbox_fail;
  SQLite::Statement receipt_lookup;
  SQLite::Statement part_update;
  SQLite::Statement outbox_after_receipt;
  SQLite::Statement outbox_state;
  SQLite::Statement early_insert;
  SQLite::Statement early_lookup;
  SQLite::Statement early_delete;
  SQLite::Statement early_prune;
  SQLite::Statement take;
};

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

FilterSql filter_sql(const TicketFilter& f) {
  FilterSql out;
  std::vector<std::string> terms;
  if (!f.states.empty()) {
    std::string in = "state IN (";
    for (std::size_t i = 0; i < f.states.size(); ++i) {
      if (i != 0) in += ", ";
      in += "?";
      out.params.emplace_back(std::string(ticket_state_name(f.states[i])));
    }
    terms.push_back(in + ")");
  }
  const auto text_term = [&](const std::optional<std::string>& value, const char* column) {
    if (!value) return;
    terms.push_back(std::string(column) + " = ?");
    out.params.emplace_back(*value);
  };
  text_term(f.grid, "grid");
  text_term(f.assignee, "assignee");
  text_term(f.category, "category");
  text_term(f.reporter, "reporter");
  if (f.created_from) {
    terms.push_back("created_at_ms >= ?");
    out.params.emplace_back(to_ms(*f.created_from));
  }
  if (f.created_to) {
    terms.push_back("created_at_ms < ?");
    out.params.emplace_back(to_ms(*f.created_to));
  }
  for (std::size_t i = 0; i < terms.size(); ++i) {
    out.where += (i == 0 ? " WHERE " : " AND ") + terms[i];
  }
  return out;
}

OutboxState part_state_for(sms::DeliveryState state) {
  if (sms::is_success(state)) return OutboxState::delivered;
  if (state == sms::DeliveryState::expired) return OutboxState::expired;
  return OutboxState::failed;
}

}  // namespace

// ---- Names ----

std::string_view to_string(OutboxState state) {
  return state_name(state);
}

std::optional<OutboxState> outbox_state_from_string(std::string_view text) {
  for (auto state : {OutboxState::queued, OutboxState::sending, OutboxState::submitted,
                     OutboxState::delivered, OutboxState::failed, OutboxState::expired}) {
    if (text == state_name(state)) return state;
  }
  return std::nullopt;
}

bool is_final(OutboxState state) {
  return state == OutboxState::delivered || state == OutboxState::failed ||
         state == OutboxState::expired;
}

std::string_view to_string(domain::Audience audience) {
  return audience_name(audience);
}

std::optional<domain::Audience> audience_from_string(std::string_view text) {
  if (text == "resident") return domain::Audience::resident;
  if (text == "member") return domain::Audience::member;
  return std::nullopt;
}

// ---- The implementation ----

namespace {

// Process-wide settings that must precede SQLite's initialisation: memory statistics take a
// global mutex on every allocation, and we never read them. Too late (SQLITE_MISUSE) is harmless.
SQLite::Database open_database(const std::string& path, const StoreOptions& options) {
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX,
                          static_cast<int>(options.busy_timeout.count()));
}

}  // namespace

class Store::Impl {
 public:
  Impl(const std::string& path, StoreOptions opts) : db(open_database(path, opts)), options(opts) {
    const std::string mode = db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal" && mode != "memory") {
      throw StoreOpenError(make_error_code(StoreError::sqlite),
                           "cannot put database " + path + " in WAL mode (got " + mode + ")");
    }
    db.exec(options.synchronous == Synchronous::full ? "PRAGMA synchronous = FULL"
                                                     : "PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA temp_store = MEMORY");
    // 4 MiB: the hot rows (open tickets, the outbox head) fit; the daemon stays small (RSS
    // target 32 MB), and the OS page cache holds the rest.
    db.exec("PRAGMA cache_size = -4096");
    // Checkpoint every ~16 MiB of WAL rather than 4: pages rewritten by consecutive batches
    // (indexes, the outbox queue) are copied into the database once instead of several times.
    db.exec("PRAGMA wal_autocheckpoint = 4000");
    applied = migrate(db);
    statements.emplace(db);
  }

  CommitResult commit(const WriteBatch& batch);

  SQLite::Database db;
  StoreOptions options;
  std::vector<std::string> applied;
  std::optional<Statements> statements;  // declared after db: destroyed before it

 private:
  InboxInsert insert_inbox(const InboxPart& part);
  void upsert_ticket(const domain::Ticket& t);
  void insert_event(const domain::TicketEvent& e);
  bool apply_submitted(const OutboxSubmitted& s, CommitResult& result);
  // A final receipt's state on one segment, and the SMS's state after it.
  OutboxState apply_to_part(std::int64_t id, int part, sms::DeliveryState state,
                            const std::string& error, TimePoint at);
  ReceiptMatch apply_receipt(const ReceiptUpdate& r);
  // Rows found past their validity on the way are marked expired and counted in `expired`.
  std::vector<OutboxMessage> take(const TakeRequest& request, std::vector<OutboxMessage>* expired);
};

// Binds the parameters of inbox_insert (1..16) and, with a window, inbox_find_duplicate (1..18).
// (An INSERT ... SELECT ... WHERE NOT EXISTS on the same table would go through a temp table.)
void bind_inbox(SQLite::Statement& q, const InboxPart& p, std::int64_t hash,
                std::optional<std::chrono::milliseconds> window) {
  const std::int64_t received = to_ms(p.received_at);
  bind_ref(q, 1, p.connection);
  bind_ref(q, 2, p.source);
  bind_ref(q, 3, p.destination);
  bind_int(q, 4, p.data_coding);
  bind_int(q, 5, p.esm_class);
  bind_blob_ref(q, 6, p.payload);
  if (p.concat) {
    bind_int(q, 7, p.concat->ref);
    bind_int(q, 8, p.concat->total);
    bind_int(q, 9, p.concat->seq);
  } else {
    q.bind(7);
    q.bind(8);
    q.bind(9);
  }
  if (p.ussd) {
    bind_int(q, 10, p.ussd->op);
    bind_opt_int(q, 11, p.ussd->session);
  } else {
    q.bind(10);
    q.bind(11);
  }
  bind_int(q, 12, p.receipt ? 1 : 0);
  bind_int(q, 13, hash);
  bind_int(q, 14, received);
  bind_opt_ms(q, 15, p.processed_at);
  bind_int(q, 16, p.link_session);
  if (window) {
    bind_int(q, 17, received - window->count());
    bind_int(q, 18, received + window->count());
  }
}

InboxInsert Store::Impl::insert_inbox(const InboxPart& p) {
  Statements& st = *statements;
  const std::int64_t hash = codec::content_hash(p);
  if (!p.ussd && !p.receipt) {
    SQLite::Statement& q = st.inbox_find_duplicate;
    Use use(q);
    bind_inbox(q, p, hash, options.inbox_dedupe_window);
    if (q.executeStep()) return {q.getColumn(0).getInt64(), true};
  }
  SQLite::Statement& q = st.inbox_insert;
  Use use(q);
  bind_inbox(q, p, hash, std::nullopt);
  q.exec();
  return {db.getLastInsertRowid(), false};
}

void Store::Impl::upsert_ticket(const domain::Ticket& t) {
  SQLite::Statement& q = statements->ticket_upsert;
  Use use(q);
  const std::string tried = codec::encode_strings(t.tried);
  const std::string notes = codec::encode_notes(t.notes);
  bind_int(q, 1, t.number);
  bind_ref(q, 2, t.reporter);
  bind_ref(q, 3, t.text);
  bind_ref(q, 4, t.category);
  bind_opt_ref(q, 5, t.grid);
  bind_int(q, 6, t.urgent ? 1 : 0);
  q.bindNoCopy(7, ticket_state_name(t.state));
  bind_opt_ref(q, 8, t.assignee);
  bind_ref(q, 9, tried);
  bind_ref(q, 10, notes);
  bind_ref(q, 11, t.resolution);
  bind_ms(q, 12, t.created_at);
  bind_ms(q, 13, t.updated_at);
  bind_opt_ms(q, 14, t.dispatched_at);
  bind_opt_ms(q, 15, t.accepted_at);
  bind_opt_ms(q, 16, t.resolved_at);
  bind_opt_ms(q, 17, t.closed_at);
  bind_opt_ms(q, 18, t.location_deadline);
  bind_opt_ms(q, 19, t.verification_deadline);
  q.bindNoCopy(20, close_reason_name(t.close_reason));
  bind_opt_int(q, 21, t.rating);
  bind_opt_int(q, 22, t.inbound_id);
  bind_opt_ms(q, 23, t.accept_deadline);
  bind_opt_ms(q, 24, t.resolve_deadline);
  bind_int(q, 25, t.escalation_level);
  bind_int(q, 26, t.reopen_count);
  bind_int(q, 27, t.handback_count);
  bind_int(q, 28, t.problem ? 1 : 0);
  bind_opt_ms(q, 29, t.reminded_for);
  q.bindNoCopy(30, domain::to_string(t.kind).data());
  bind_opt_ref(q, 31, t.raised_by);
  bind_opt_ref(q, 32, t.team);
  q.bind(33, t.confidence);
  bind_int(q, 34, t.needs_review ? 1 : 0);
  q.exec();
}

void Store::Impl::insert_event(const domain::TicketEvent& e) {
  SQLite::Statement& q = statements->event_insert;
  Use use(q);
  bind_int(q, 1, e.ticket);
  if (e.from)
    q.bindNoCopy(2, ticket_state_name(*e.from));
  else
    q.bind(2);
  q.bindNoCopy(3, ticket_state_name(e.to));
  bind_ref(q, 4, e.actor);
  bind_ms(q, 5, e.at);
  bind_ref(q, 6, e.reason);
  q.exec();
}

bool Store::Impl::apply_submitted(const OutboxSubmitted& s, CommitResult& result) {
  {
    SQLite::Statement& q = statements->outbox_submitted;
    Use use(q);
    bind_int(q, 1, s.id);
    bind_ref(q, 2, s.connection);
    bind_ms(q, 3, s.at);
    if (q.exec() == 0) return false;
  }
  SQLite::Statement& q = statements->part_insert;
  for (std::size_t i = 0; i < s.message_ids.size(); ++i) {
    Use use(q);
    const std::string id = sms::normalize_message_id(s.message_ids[i]);
    bind_int(q, 1, s.id);
    bind_int(q, 2, static_cast<std::int64_t>(i));
    bind_ref(q, 3, id);
    bind_ms(q, 4, s.at);
    q.exec();
  }
  // Receipts that came before this id was known (an SMSC reports part 1 while part 3 waits for
  // the TPS): applied now, in the commit that records the id.
  Statements& st = *statements;
  for (std::size_t i = 0; i < s.message_ids.size(); ++i) {
    for (const std::string& variant : sms::message_id_variants(s.message_ids[i])) {
      struct Early {
        std::int64_t row;
        std::string connection, state, error;
        TimePoint at;
      };
      std::vector<Early> found;
      {
        SQLite::Statement& q = st.early_lookup;
        Use use(q);
        bind_ref(q, 1, variant);
        while (q.executeStep()) {
          found.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                           q.getColumn(2).getString(), q.getColumn(3).getString(),
                           from_ms(q.getColumn(4).getInt64())});
        }
      }
      for (const Early& e : found) {
        {
          SQLite::Statement& q = st.early_delete;
          Use use(q);
          bind_int(q, 1, e.row);
          q.exec();
        }
        const auto state = sms::delivery_state_from_stat(e.state);
        if (!state) continue;
        ReceiptMatch match;
        match.outbox_id = s.id;
        match.part = static_cast<int>(i);
        match.message_state = apply_to_part(s.id, match.part, *state, e.error, e.at);
        result.early_receipts.push_back({variant, e.connection, match, e.state});
      }
    }
  }
  return true;
}

OutboxState Store::Impl::apply_to_part(std::int64_t id, int part, sms::DeliveryState state,
                                       const std::string& error, TimePoint at) {
  Statements& st = *statements;
  const OutboxState part_state = part_state_for(state);
  {
    SQLite::Statement& q = st.part_update;
    Use use(q);
    bind_int(q, 1, id);
    bind_int(q, 2, part);
    q.bindNoCopy(3, state_name(part_state));
    bind_ms(q, 4, at);
    q.exec();
  }
  {
    SQLite::Statement& q = st.outbox_after_receipt;
    Use use(q);
    const std::string why =
        error.empty() ? std::string("receipt: ") + sms::delivery_state_name(state) : error;
    bind_int(q, 1, id);
    q.bindNoCopy(2, state_name(part_state));
    bind_ref(q, 3, why);
    bind_ms(q, 4, at);
    if (q.executeStep()) {
      if (auto now = outbox_state_from_string(q.getColumn(0).getText())) return *now;
    }
  }
  SQLite::Statement& q = st.outbox_state;
  Use use(q);
  bind_int(q, 1, id);
  if (q.executeStep()) {
    return outbox_state_from_string(q.getColumn(0).getText()).value_or(OutboxState::submitted);
  }
  return OutboxState::submitted;
}

ReceiptMatch Store::Impl::apply_receipt(const ReceiptUpdate& r) {
  Statements& st = *statements;
  ReceiptMatch match;
  const std::vector<std::string> variants = sms::message_id_variants(r.message_id);
  if (variants.empty()) return match;
  // The exact spelling first; among rows with one spelling, the receipt's own link, then the
  // newest (ids are reused by some SMSCs after a while).
  for (const std::string& variant : variants) {
    SQLite::Statement& q = st.receipt_lookup;
    Use use(q);
    bind_ref(q, 1, variant);
    bind_ref(q, 2, r.connection);
    bool best_same_link = false;
    while (q.executeStep()) {
      const std::int64_t outbox_id = q.getColumn(0).getInt64();
      const bool same_link = q.getColumn(2).getInt() != 0;
      if (!match.outbox_id || (same_link && !best_same_link) ||
          (same_link == best_same_link && outbox_id > *match.outbox_id)) {
        match.outbox_id = outbox_id;
        match.part = q.getColumn(1).getInt();
        best_same_link = same_link;
      }
    }
    if (match.outbox_id) break;
  }
  const bool final_receipt = r.state && sms::is_final(*r.state);
  if (!match.outbox_id) {
    if (!final_receipt) return match;
    // Perhaps its segment's id is not known yet: kept until a submit_sm_resp gives it.
    {
      SQLite::Statement& q = st.early_prune;
      Use use(q);
      bind_ms(q, 1, r.at - kEarlyReceiptKeep);
      q.exec();
    }
    SQLite::Statement& q = st.early_insert;
    Use use(q);
    const std::string id = sms::normalize_message_id(r.message_id);
    bind_ref(q, 1, id);
    bind_ref(q, 2, r.connection);
    q.bindNoCopy(3, sms::delivery_state_name(*r.state));
    bind_ref(q, 4, r.error);
    bind_ms(q, 5, r.at);
    q.exec();
    match.kept = true;
    return match;
  }
  const std::int64_t id = *match.outbox_id;
  if (final_receipt) {
    match.message_state = apply_to_part(id, match.part, *r.state, r.error, r.at);
  } else {
    SQLite::Statement& q = st.outbox_state;
    Use use(q);
    bind_int(q, 1, id);
    if (q.executeStep()) {
      match.message_state =
          outbox_state_from_string(q.getColumn(0).getText()).value_or(OutboxState::submitted);
    }
  }
  return match;
}

std::vector<OutboxMessage> Store::Impl::take(const TakeRequest& request,
                                             std::vector<OutboxMessage>* expired) {
  std::vector<OutboxMessage> taken;
  if (request.limit == 0) return taken;
  SQLite::Statement& q = statements->take;
  Use use(q);
  bind_ms(q, 1, request.now);
  bind_int(q, 2,
           static_cast<std::int64_t>(
               std::min<std::size_t>(request.limit, std::numeric_limits<int>::max())));
  while (q.executeStep()) {
    OutboxMessage m = read_outbox(q);
    if (m.state == OutboxState::sending) {
      taken.push_back(std::move(m));
    } else if (m.state == OutboxState::expired && expired != nullptr) {
      expired->push_back(std::move(m));
    }
  }
  std::sort(taken.begin(), taken.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
    if (a.request.urgent != b.request.urgent) return a.request.urgent;
    if (a.request.broadcast_id.has_value() != b.request.broadcast_id.has_value())
      return !a.request.broadcast_id.has_value();
    return a.id < b.id;
  });
  return taken;
}

// ---- meetings ---- (rare writes: prepared when needed, not cached)
namespace {

void insert_meetings(SQLite::Database& db, const std::vector<domain::Meeting>& meetings) {
  if (meetings.empty()) return;
  SQLite::Statement q(db,
                      "INSERT INTO meetings (code, title, starts_at_ms, ends_at_ms, grids, "
                      "created_by, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  for (const domain::Meeting& m : meetings) {
    Use use(q);
    const std::string grids = codec::encode_strings(m.grids);
    bind_ref(q, 1, m.code);
    bind_ref(q, 2, m.title);
    bind_ms(q, 3, m.starts_at);
    bind_ms(q, 4, m.ends_at);
    bind_ref(q, 5, grids);
    bind_ref(q, 6, m.created_by);
    bind_ms(q, 7, m.created_at);
    q.exec();
  }
}

void insert_attendance(SQLite::Database& db, const std::vector<domain::Attendance>& attendance) {
  if (attendance.empty()) return;
  // The engine records a member once; should a repeat arrive anyway, the first time stays.
  SQLite::Statement q(db,
                      "INSERT OR IGNORE INTO meeting_attendance (meeting, member, "
                      "signed_in_at_ms) VALUES (?1, ?2, ?3)");
  for (const domain::Attendance& a : attendance) {
    Use use(q);
    bind_ref(q, 1, a.meeting);
    bind_ref(q, 2, a.member);
    bind_ms(q, 3, a.at);
    q.exec();
  }
}

constexpr const char* kMeetingColumns =
    "code, title, starts_at_ms, ends_at_ms, grids, created_by, created_at_ms";

domain::Meeting read_meeting(const SQLite::Statement& q) {
  domain::Meeting m;
  m.code = q.getColumn(0).getString();
  m.title = q.getColumn(1).getString();
  m.starts_at = from_ms(q.getColumn(2).getInt64());
  m.ends_at = from_ms(q.getColumn(3).getInt64());
  auto grids = codec::decode_strings(q.getColumn(4).getText());
  if (!grids) throw DataError("meeting " + m.code + ": unreadable grid list");
  m.grids = std::move(*grids);
  m.created_by = q.getColumn(5).getString();
  m.created_at = from_ms(q.getColumn(6).getInt64());
  return m;
}

domain::Attendance read_attendance(const SQLite::Statement& q) {
  return {q.getColumn(0).getString(), q.getColumn(1).getString(),
          from_ms(q.getColumn(2).getInt64())};
}

}  // namespace

CommitResult Store::Impl::commit(const WriteBatch& batch) {
  CommitResult result;
  try {
    Statements& st = *statements;
    WriteTransaction tx(db);

    result.inbox.reserve(batch.inbox.size());
    for (const InboxPart& part : batch.inbox) result.inbox.push_back(insert_inbox(part));

    for (const InboxProcessed& p : batch.processed) {
      SQLite::Statement& q = st.inbox_processed;
      Use use(q);
      bind_int(q, 1, p.id);
      bind_ms(q, 2, p.at);
      q.exec();
    }

    for (const domain::Ticket& t : batch.tickets) upsert_ticket(t);
    for (const domain::TicketEvent& e : batch.events) insert_event(e);

    for (const domain::PointsEntry& p : batch.points) {
      SQLite::Statement& q = st.points_insert;
      Use use(q);
      bind_ref(q, 1, p.member);
      if (p.ticket != 0)
        bind_int(q, 2, p.ticket);
      else
        q.bind(2);
      bind_int(q, 3, p.points);
      bind_ref(q, 4, p.reason);
      bind_ms(q, 5, p.at);
      q.exec();
    }

    for (const domain::Correction& c : batch.corrections) {
      SQLite::Statement& q = st.correction_insert;
      Use use(q);
      bind_int(q, 1, c.ticket);
      bind_ref(q, 2, c.text);
      bind_ref(q, 3, c.from_category);
      bind_ref(q, 4, c.to_category);
      bind_int(q, 5, c.urgent ? 1 : 0);
      bind_ref(q, 6, c.actor);
      bind_ref(q, 7, c.reason);
      bind_ms(q, 8, c.at);
      q.exec();
    }

    for (const domain::SubscriptionChange& s : batch.subscriptions) {
      SQLite::Statement& q = st.subscription_upsert;
      Use use(q);
      bind_ref(q, 1, s.phone);
      bind_int(q, 2, s.subscribed ? 1 : 0);
      bind_ms(q, 3, s.at);
      q.exec();
    }

    if (batch.next_ticket_number) {
      SQLite::Statement& q = st.counter_raise;
      Use use(q);
      q.bindNoCopy(1, kNextTicketCounter);
      bind_int(q, 2, *batch.next_ticket_number);
      q.exec();
    }

    insert_meetings(db, batch.meetings);      // ---- meetings ----
    insert_attendance(db, batch.attendance);  // after the meetings they name

    for (const BroadcastRecord& b : batch.broadcasts) {
      SQLite::Statement& q = st.broadcast_insert;
      Use use(q);
      bind_int(q, 1, b.id);
      bind_ref(q, 2, b.text);
      bind_ref(q, 3, b.audience);
      bind_ref(q, 4, b.operator_name);
      bind_int(q, 5, b.recipients);
      bind_int(q, 6, b.skipped);
      bind_ms(q, 7, b.created_at);
      q.exec();
    }

    result.outbox.reserve(batch.outbox.size());
    for (const OutboxRequest& r : batch.outbox) {
      SQLite::Statement& q = st.outbox_insert;
      Use use(q);
      bind_ref(q, 1, r.destination);
      bind_ref(q, 2, r.source);
      bind_ref(q, 3, r.text);
      bind_opt_int(q, 4, r.ticket);
      q.bindNoCopy(5, audience_name(r.audience));
      bind_int(q, 6, r.broadcast_id ? -1 : r.urgent ? 1 : 0);
      bind_opt_int(q, 7, r.in_reply_to);
      bind_ms(q, 8, r.created_at);
      bind_opt_ms(q, 9, r.not_before);
      bind_opt_ms(q, 10, r.expires_at);
      bind_opt_int(q, 11, r.broadcast_id);
      q.exec();
      result.outbox.push_back(db.getLastInsertRowid());
    }

    for (const OutboxSubmitted& s : batch.submitted) {
      if (!apply_submitted(s, result)) ++result.stale_updates;
    }
    for (const OutboxRetry& r : batch.retries) {
      SQLite::Statement& q = st.outbox_retry;
      Use use(q);
      bind_int(q, 1, r.id);
      bind_ref(q, 2, r.error);
      bind_ms(q, 3, r.next_attempt_at);
      bind_ms(q, 4, r.at);
      if (q.exec() == 0) ++result.stale_updates;
    }
    for (const OutboxFailure& f : batch.failures) {
      SQLite::Statement& q = st.outbox_fail;
      Use use(q);
      bind_int(q, 1, f.id);
      bind_ref(q, 2, f.error);
      bind_ms(q, 3, f.at);
      if (q.exec() == 0) ++result.stale_updates;
    }

    result.receipts.reserve(batch.receipts.size());
    for (const ReceiptUpdate& r : batch.receipts) result.receipts.push_back(apply_receipt(r));

    if (batch.take) result.taken = take(*batch.take, &result.expired);

    tx.commit();
  } catch (...) {
    CommitResult failed;
    std::tie(failed.error, failed.message) = current_error();
    return failed;
  }
  return result;
}

// ---- Store ----

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::string& path, StoreOptions options) {
  try {
    return Store(std::make_unique<Impl>(path, options));
  } catch (const StoreOpenError&) {
    throw;
  } catch (const SQLite::Exception& e) {
    throw StoreOpenError(make_error_code(classify(e.getErrorCode())),
                         "cannot open database " + path + ": " + e.what());
  }
}

int Store::schema_version() const {
  return lianxin::store::schema_version(impl_->db);
}

const std::vector<std::string>& Store::applied_migrations() const {
  return impl_->applied;
}

CommitResult Store::commit(const WriteBatch& batch) {
  return impl_->commit(batch);
}

namespace {
template <class T>
Outcome<T> failed_from(const CommitResult& r) {
  Outcome<T> out;
  out.error = r.error;
  out.message = r.message;
  return out;
}
Status status_from(const CommitResult& r) {
  return {r.error, r.message};
}
}  // namespace

Outcome<InboxInsert> Store::insert_inbox(const InboxPart& part) {
  WriteBatch batch;
  batch.inbox.push_back(part);
  CommitResult r = commit(batch);
  if (!r) return failed_from<InboxInsert>(r);
  return {r.inbox.front(), {}, {}};
}

Status Store::mark_processed(const std::vector<std::int64_t>& ids, TimePoint at) {
  WriteBatch batch;
  for (std::int64_t id : ids) batch.processed.push_back({id, at});
  return status_from(commit(batch));
}

Outcome<std::int64_t> Store::enqueue(const OutboxRequest& sms) {
  WriteBatch batch;
  batch.outbox.push_back(sms);
  CommitResult r = commit(batch);
  if (!r) return failed_from<std::int64_t>(r);
  return {r.outbox.front(), {}, {}};
}

Outcome<std::vector<OutboxMessage>> Store::take_sendable(TimePoint now, std::size_t limit) {
  WriteBatch batch;
  batch.take = TakeRequest{now, limit};
  CommitResult r = commit(batch);
  if (!r) return failed_from<std::vector<OutboxMessage>>(r);
  return {std::move(r.taken), {}, {}};
}

Status Store::mark_submitted(const OutboxSubmitted& submitted) {
  WriteBatch batch;
  batch.submitted.push_back(submitted);
  return status_from(commit(batch));
}

Status Store::mark_retry(const OutboxRetry& retry) {
  WriteBatch batch;
  batch.retries.push_back(retry);
  return status_from(commit(batch));
}

Status Store::mark_failed(const OutboxFailure& failure) {
  WriteBatch batch;
  batch.failures.push_back(failure);
  return status_from(commit(batch));
}

Outcome<ReceiptMatch> Store::apply_receipt(const ReceiptUpdate& receipt) {
  WriteBatch batch;
  batch.receipts.push_back(receipt);
  CommitResult r = commit(batch);
  if (!r) return failed_from<ReceiptMatch>(r);
  return {r.receipts.front(), {}, {}};
}

Status Store::apply_effects(const domain::Effects& effects, std::string_view source,
                            TimePoint now) {
  WriteBatch batch;
  batch.add(effects, source, now);
  return status_from(commit(batch));
}

Outcome<std::size_t> Store::recover(TimePoint now) {
  return attempt<std::size_t>([&] {
    WriteTransaction tx(impl_->db);
    SQLite::Statement q(impl_->db,
                        "UPDATE outbox SET state = 'queued', next_attempt_at_ms = 0, "
                        "last_error = 'interrupted while sending; re-queued at start-up', "
                        "updated_at_ms = ?1 WHERE state = 'sending'");
    bind_ms(q, 1, now);
    const int changed = q.exec();
    tx.commit();
    return static_cast<std::size_t>(changed);
  });
}

Outcome<std::vector<InboxRecord>> Store::unprocessed_inbox() {
  return attempt<std::vector<InboxRecord>>([&] {
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kInboxColumns +
                                       " FROM inbox WHERE processed_at_ms IS NULL ORDER BY id");
    std::vector<InboxRecord> rows;
    while (q.executeStep()) rows.push_back(read_inbox(q));
    return rows;
  });
}

Outcome<std::optional<InboxRecord>> Store::find_inbox(std::int64_t id) {
  return attempt<std::optional<InboxRecord>>([&]() -> std::optional<InboxRecord> {
    SQLite::Statement q(impl_->db,
                        std::string("SELECT ") + kInboxColumns + " FROM inbox WHERE id = ?1");
    bind_int(q, 1, id);
    if (!q.executeStep()) return std::nullopt;
    return read_inbox(q);
  });
}

Outcome<std::optional<OutboxMessage>> Store::find_outbox(std::int64_t id) {
  return attempt<std::optional<OutboxMessage>>([&]() -> std::optional<OutboxMessage> {
    SQLite::Statement q(impl_->db,
                        std::string("SELECT ") + kOutboxColumns + " FROM outbox WHERE id = ?1");
    bind_int(q, 1, id);
    if (!q.executeStep()) return std::nullopt;
    OutboxMessage m = read_outbox(q);
    SQLite::Statement parts(impl_->db,
                            "SELECT part, message_id, state, updated_at_ms FROM outbox_parts "
                            "WHERE outbox_id = ?1 ORDER BY part");
    bind_int(parts, 1, id);
    while (parts.executeStep()) {
      OutboxPart p;
      p.part = parts.getColumn(0).getInt();
      p.message_id = parts.getColumn(1).getString();
      const std::string state = parts.getColumn(2).getString();
      auto parsed = outbox_state_from_string(state);
      if (!parsed) throw DataError("unknown outbox part state '" + state + "'");
      p.state = *parsed;
      p.updated_at = from_ms(parts.getColumn(3).getInt64());
      m.parts.push_back(std::move(p));
    }
    return m;
  });
}

Outcome<std::map<OutboxState, long long>> Store::outbox_counts() {
  return attempt<std::map<OutboxState, long long>>([&] {
    SQLite::Statement q(impl_->db, "SELECT state, count(*) FROM outbox GROUP BY state");
    std::map<OutboxState, long long> counts;
    while (q.executeStep()) {
      const std::string state = q.getColumn(0).getString();
      auto parsed = outbox_state_from_string(state);
      if (!parsed) throw DataError("unknown outbox state '" + state + "'");
      counts[*parsed] = q.getColumn(1).getInt64();
    }
    return counts;
  });
}

Outcome<domain::RestoredState> Store::restored_state(TimePoint now,
                                                     std::chrono::hours closed_retention) {
  return attempt<domain::RestoredState>([&] {
    domain::RestoredState state;
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kTicketColumns +
                                       " FROM tickets WHERE state NOT IN "
                                       "('closed', 'invalid', 'cancelled') "
                                       "OR updated_at_ms >= ?1 ORDER BY number");
    bind_ms(q, 1, now - closed_retention);
    while (q.executeStep()) state.tickets.push_back(read_ticket(q));

    SQLite::Statement next(impl_->db,
                           "SELECT max(coalesce((SELECT value FROM counters WHERE name = ?1), 0), "
                           "coalesce((SELECT max(number) + 1 FROM tickets), 0))");
    next.bindNoCopy(1, kNextTicketCounter);
    if (next.executeStep()) state.next_ticket_number = next.getColumn(0).getInt64();

    SQLite::Statement points(impl_->db,
                             "SELECT member, sum(points) FROM points_ledger GROUP BY member");
    while (points.executeStep()) {
      state.points_totals[points.getColumn(0).getString()] = points.getColumn(1).getInt64();
    }

    // ---- meetings ---- recent ones with their sign-ins; only the codes of older ones.
    const std::int64_t meetings_from = to_ms(now - closed_retention);
    SQLite::Statement meetings(impl_->db, std::string("SELECT ") + kMeetingColumns +
                                              " FROM meetings ORDER BY starts_at_ms, code");
    while (meetings.executeStep()) {
      domain::Meeting m = read_meeting(meetings);
      if (to_ms(m.ends_at) >= meetings_from) {
        state.meetings.push_back(std::move(m));
      } else {
        state.past_meeting_codes.push_back(std::move(m.code));
      }
    }
    SQLite::Statement attendance(impl_->db,
                                 "SELECT a.meeting, a.member, a.signed_in_at_ms "
                                 "FROM meeting_attendance a JOIN meetings m ON m.code = a.meeting "
                                 "WHERE m.ends_at_ms >= ?1 ORDER BY a.signed_in_at_ms");
    bind_int(attendance, 1, meetings_from);
    while (attendance.executeStep()) state.attendance.push_back(read_attendance(attendance));
    return state;
  });
}

Outcome<std::optional<domain::Ticket>> Store::find_ticket(domain::TicketNo number) {
  return attempt<std::optional<domain::Ticket>>([&]() -> std::optional<domain::Ticket> {
    SQLite::Statement q(
        impl_->db, std::string("SELECT ") + kTicketColumns + " FROM tickets WHERE number = ?1");
    bind_int(q, 1, number);
    if (!q.executeStep()) return std::nullopt;
    return read_ticket(q);
  });
}

Outcome<std::vector<domain::TicketEvent>> Store::ticket_history(domain::TicketNo number) {
  return attempt<std::vector<domain::TicketEvent>>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT ticket, from_state, to_state, actor, at_ms, reason "
                        "FROM ticket_events WHERE ticket = ?1 ORDER BY id");
    bind_int(q, 1, number);
    std::vector<domain::TicketEvent> events;
    while (q.executeStep()) {
      domain::TicketEvent e;
      e.ticket = q.getColumn(0).getInt64();
      if (!q.getColumn(1).isNull()) e.from = ticket_state_from_name(q.getColumn(1).getText());
      e.to = ticket_state_from_name(q.getColumn(2).getText());
      e.actor = q.getColumn(3).getString();
      e.at = from_ms(q.getColumn(4).getInt64());
      e.reason = q.getColumn(5).getString();
      events.push_back(std::move(e));
    }
    return events;
  });
}

Outcome<std::vector<domain::Ticket>> Store::list_tickets(const TicketFilter& filter) {
  return attempt<std::vector<domain::Ticket>>([&] {
    const FilterSql where = filter_sql(filter);
    std::string sql = std::string("SELECT ") + kTicketColumns + " FROM tickets" + where.where +
                      (filter.newest_first ? " ORDER BY number DESC" : " ORDER BY number");
    if (filter.limit != 0 || filter.offset != 0) {
      sql += " LIMIT " + (filter.limit == 0 ? std::string("-1") : std::to_string(filter.limit)) +
             " OFFSET " + std::to_string(filter.offset);
    }
    SQLite::Statement q(impl_->db, sql);
    where.bind(q);
    std::vector<domain::Ticket> tickets;
    while (q.executeStep()) tickets.push_back(read_ticket(q));
    return tickets;
  });
}

Outcome<TicketCounts> Store::count_tickets(const TicketFilter& filter) {
  return attempt<TicketCounts>([&] {
    const FilterSql where = filter_sql(filter);
    SQLite::Statement q(impl_->db,
                        "SELECT state, count(*), "
                        "coalesce(sum(rating BETWEEN 1 AND 5), 0), "
                        "coalesce(sum(CASE WHEN rating BETWEEN 1 AND 5 THEN rating END), 0) "
                        "FROM tickets" +
                            where.where + " GROUP BY state");
    where.bind(q);
    TicketCounts counts;
    while (q.executeStep()) {
      const long long n = q.getColumn(1).getInt64();
      counts.by_state[ticket_state_from_name(q.getColumn(0).getText())] = n;
      counts.total += n;
      counts.rated += q.getColumn(2).getInt64();
      counts.rating_sum += q.getColumn(3).getInt64();
    }
    return counts;
  });
}

Outcome<std::optional<domain::TicketNo>> Store::next_ticket_number() {
  return attempt<std::optional<domain::TicketNo>>([&]() -> std::optional<domain::TicketNo> {
    SQLite::Statement q(impl_->db, "SELECT value FROM counters WHERE name = ?1");
    q.bindNoCopy(1, kNextTicketCounter);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getInt64();
  });
}

Outcome<std::unordered_map<std::string, long long>> Store::points_totals() {
  return attempt<std::unordered_map<std::string, long long>>([&] {
    SQLite::Statement q(impl_->db, "SELECT member, sum(points) FROM points_ledger GROUP BY member");
    std::unordered_map<std::string, long long> totals;
    while (q.executeStep()) totals[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
    return totals;
  });
}

Outcome<long long> Store::points_of(const std::string& member) {
  return attempt<long long>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT coalesce(sum(points), 0) FROM points_ledger WHERE member = ?1");
    q.bind(1, member);
    q.executeStep();
    return static_cast<long long>(q.getColumn(0).getInt64());
  });
}

Outcome<std::vector<domain::PointsEntry>> Store::points_history(const std::string& member) {
  return attempt<std::vector<domain::PointsEntry>>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT member, coalesce(ticket, 0), points, reason, at_ms "
                        "FROM points_ledger WHERE member = ?1 ORDER BY id");
    q.bind(1, member);
    std::vector<domain::PointsEntry> entries;
    while (q.executeStep()) {
      domain::PointsEntry e;
      e.member = q.getColumn(0).getString();
      e.ticket = q.getColumn(1).getInt64();
      e.points = q.getColumn(2).getInt();
      e.reason = q.getColumn(3).getString();
      e.at = from_ms(q.getColumn(4).getInt64());
      entries.push_back(std::move(e));
    }
    return entries;
  });
}

Outcome<bool> Store::is_subscribed(const std::string& phone) {
  return attempt<bool>([&] {
    SQLite::Statement q(impl_->db, "SELECT subscribed FROM subscriptions WHERE phone = ?1");
    q.bind(1, phone);
    return !q.executeStep() || q.getColumn(0).getInt() != 0;
  });
}

Outcome<std::vector<std::string>> Store::unsubscribed() {
  return attempt<std::vector<std::string>>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT phone FROM subscriptions WHERE subscribed = 0 ORDER BY phone");
    std::vector<std::string> phones;
    while (q.executeStep()) phones.push_back(q.getColumn(0).getString());
    return phones;
  });
}

// ---- broadcasts ----

Outcome<std::int64_t> Store::last_broadcast_id() {
  return attempt<std::int64_t>([&] {
    return impl_->db.execAndGet("SELECT coalesce(max(id), 0) FROM broadcasts").getInt64();
  });
}

namespace {

constexpr const char* kBroadcastColumns =
    "id, text, audience, operator, recipients, skipped, created_at_ms";

BroadcastRecord read_broadcast(const SQLite::Statement& q) {
  BroadcastRecord b;
  b.id = q.getColumn(0).getInt64();
  b.text = q.getColumn(1).getString();
  b.audience = q.getColumn(2).getString();
  b.operator_name = q.getColumn(3).getString();
  b.recipients = q.getColumn(4).getInt64();
  b.skipped = q.getColumn(5).getInt64();
  b.created_at = TimePoint(std::chrono::milliseconds(q.getColumn(6).getInt64()));
  return b;
}

}  // namespace

Outcome<std::optional<BroadcastRecord>> Store::find_same_broadcast(const std::string& text,
                                                                   const std::string& audience,
                                                                   TimePoint since) {
  return attempt<std::optional<BroadcastRecord>>([&]() -> std::optional<BroadcastRecord> {
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kBroadcastColumns +
                                       " FROM broadcasts WHERE text = ?1 AND audience = ?2 "
                                       "AND created_at_ms >= ?3 ORDER BY id DESC LIMIT 1");
    q.bind(1, text);
    q.bind(2, audience);
    q.bind(3, static_cast<std::int64_t>(to_ms(since)));
    if (!q.executeStep()) return std::nullopt;
    return read_broadcast(q);
  });
}

Outcome<std::optional<BroadcastRecord>> Store::find_broadcast(std::int64_t id) {
  return attempt<std::optional<BroadcastRecord>>([&]() -> std::optional<BroadcastRecord> {
    SQLite::Statement q(impl_->db,
                        "SELECT id, text, audience, operator, recipients, skipped, created_at_ms "
                        "FROM broadcasts WHERE id = ?1");
    q.bind(1, static_cast<std::int64_t>(id));
    if (!q.executeStep()) return std::nullopt;
    BroadcastRecord b;
    b.id = q.getColumn(0).getInt64();
    b.text = q.getColumn(1).getString();
    b.audience = q.getColumn(2).getString();
    b.operator_name = q.getColumn(3).getString();
    b.recipients = q.getColumn(4).getInt64();
    b.skipped = q.getColumn(5).getInt64();
    b.created_at = TimePoint(std::chrono::milliseconds(q.getColumn(6).getInt64()));
    return b;
  });
}

Outcome<std::map<OutboxState, long long>> Store::broadcast_counts(std::int64_t id) {
  return attempt<std::map<OutboxState, long long>>([&] {
    SQLite::Statement q(
        impl_->db, "SELECT state, count(*) FROM outbox WHERE broadcast_id = ?1 GROUP BY state");
    q.bind(1, static_cast<std::int64_t>(id));
    std::map<OutboxState, long long> counts;
    while (q.executeStep()) {
      const std::string state = q.getColumn(0).getString();
      auto parsed = outbox_state_from_string(state);
      if (!parsed) throw DataError("unknown outbox state '" + state + "'");
      counts[*parsed] = q.getColumn(1).getInt64();
    }
    return counts;
  });
}

// ---- meetings ----

Outcome<std::vector<domain::Meeting>> Store::list_meetings() {
  return attempt<std::vector<domain::Meeting>>([&] {
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kMeetingColumns +
                                       " FROM meetings ORDER BY starts_at_ms, code");
    std::vector<domain::Meeting> meetings;
    while (q.executeStep()) meetings.push_back(read_meeting(q));
    return meetings;
  });
}

Outcome<std::optional<domain::Meeting>> Store::find_meeting(const std::string& code) {
  return attempt<std::optional<domain::Meeting>>([&]() -> std::optional<domain::Meeting> {
    SQLite::Statement q(
        impl_->db, std::string("SELECT ") + kMeetingColumns + " FROM meetings WHERE code = ?1");
    q.bind(1, code);
    if (!q.executeStep()) return std::nullopt;
    return read_meeting(q);
  });
}

Outcome<std::vector<domain::Attendance>> Store::meeting_attendance(const std::string& code) {
  return attempt<std::vector<domain::Attendance>>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT meeting, member, signed_in_at_ms FROM meeting_attendance "
                        "WHERE meeting = ?1 ORDER BY signed_in_at_ms, member");
    q.bind(1, code);
    std::vector<domain::Attendance> rows;
    while (q.executeStep()) rows.push_back(read_attendance(q));
    return rows;
  });
}

}  // namespace lianxin::store
