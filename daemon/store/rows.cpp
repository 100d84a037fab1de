#include "daemon/store/rows.hpp"

#include <sqlite3.h>

#include <set>
#include <string>
#include <vector>

namespace lianxin::store::internal {

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

// ---- Row readers ----

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

TicketColumns TicketColumns::all() {
  TicketColumns columns;
  columns.present.set();
  return columns;
}

TicketColumns TicketColumns::of(SQLite::Database& db) {
  std::set<std::string> names;
  SQLite::Statement info(db, "SELECT name FROM pragma_table_info('tickets')");
  while (info.executeStep()) names.insert(info.getColumn(0).getString());
  TicketColumns columns;
  for (std::size_t i = 0; i < kTicketLaterColumns.size(); ++i)
    columns.present[i] = names.contains(kTicketLaterColumns[i]);
  return columns;
}

std::string TicketColumns::select_list() const {
  std::string list = kTicketBaseColumns;
  for (std::size_t i = 0; i < kTicketLaterColumns.size(); ++i) {
    if (present[i]) list += std::string(", ") + kTicketLaterColumns[i];
  }
  return list;
}

namespace {

std::vector<std::string> strings_column(const SQLite::Column& c, domain::TicketNo number,
                                        const char* what) {
  if (c.isNull()) return {};
  auto strings = codec::decode_strings(c.getText());
  if (!strings) throw DataError("ticket " + std::to_string(number) + ": unreadable " + what);
  return std::move(*strings);
}

// Column i of kTicketLaterColumns into the ticket.
void read_later_column(std::size_t i, const SQLite::Column& c, domain::Ticket& t) {
  switch (i) {
    case 0:
      t.accept_deadline = opt_ms(c);
      break;
    case 1:
      t.resolve_deadline = opt_ms(c);
      break;
    case 2:
      t.escalation_level = c.getInt();  // NULL reads as 0
      break;
    case 3:
      t.reopen_count = c.getInt();
      break;
    case 4:
      t.handback_count = c.getInt();
      break;
    case 5:
      t.problem = c.getInt() != 0;
      break;
    case 6:
      t.reminded_for = opt_ms(c);
      break;
    case 7: {
      const std::string kind = c.getString();
      auto parsed = domain::ticket_kind_from_string(kind);
      if (!parsed)
        throw DataError("ticket " + std::to_string(t.number) + ": unknown kind '" + kind + "'");
      t.kind = *parsed;
      break;
    }
    case 8:
      t.raised_by = opt_text(c);
      break;
    case 9:
      t.team = opt_text(c);
      break;
    case 10:
      t.confidence = c.isNull() ? 1 : c.getDouble();
      break;
    case 11:
      t.needs_review = c.getInt() != 0;
      break;
    case 12:
      t.complaint_about = strings_column(c, t.number, "complaint_about");
      break;
  }
}

}  // namespace

domain::Ticket read_ticket(const SQLite::Statement& q, const TicketColumns& columns) {
  domain::Ticket t;
  t.number = q.getColumn(0).getInt64();
  t.reporter = q.getColumn(1).getString();
  t.text = q.getColumn(2).getString();
  t.category = q.getColumn(3).getString();
  t.grid = opt_text(q.getColumn(4));
  t.urgent = q.getColumn(5).getInt() != 0;
  t.state = ticket_state_from_name(q.getColumn(6).getText());
  t.assignee = opt_text(q.getColumn(7));
  t.tried = strings_column(q.getColumn(8), t.number, "tried list");
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
  int index = 22;
  for (std::size_t i = 0; i < kTicketLaterColumns.size(); ++i) {
    if (columns.present[i]) read_later_column(i, q.getColumn(index++), t);
  }
  return t;
}

domain::TicketEvent read_ticket_event(const SQLite::Statement& q) {
  domain::TicketEvent e;
  e.ticket = q.getColumn(0).getInt64();
  if (!q.getColumn(1).isNull()) e.from = ticket_state_from_name(q.getColumn(1).getText());
  e.to = ticket_state_from_name(q.getColumn(2).getText());
  e.actor = q.getColumn(3).getString();
  e.at = from_ms(q.getColumn(4).getInt64());
  e.reason = q.getColumn(5).getString();
  return e;
}

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
}  // namespace lianxin::store::internal
