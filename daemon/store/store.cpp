// Store: the public face of the SQLite database; reads here, writes through Store::Impl
// (store_write.cpp).
#include "daemon/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <algorithm>
#include <utility>

#include "daemon/store/codec.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store_impl.hpp"

namespace lianxin::store {

namespace {
// The daemon migrates before it reads: every ticket column is there (lianxinctl's reports ask
// the table instead).
const internal::TicketColumns kAllTicketColumns = internal::TicketColumns::all();
const std::string kTicketSelect = kAllTicketColumns.select_list();
}  // namespace

using namespace internal;

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
  return impl_->commit(batch, nullptr);
}

CommitResult Store::commit(WriteBatch& batch, const Decide& decide) {
  // Impl reads `batch` through a const reference and calls back after the inbox inserts; the
  // rows `decide` appends are read after that call.
  return impl_->commit(batch, [&](const std::vector<InboxInsert>& inserted) {
    if (decide) decide(inserted, batch);
  });
}

namespace {}  // namespace

Outcome<std::int64_t> Store::enqueue(const OutboxRequest& sms) {
  WriteBatch batch;
  batch.outbox.push_back(sms);
  CommitResult r = commit(batch);
  if (!r) return {0, r.error, r.message};
  return {r.outbox.front(), {}, {}};
}

Outcome<std::size_t> Store::recover(TimePoint now) {
  return attempt<std::size_t>([&] {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
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

Outcome<Store::QueueDepth> Store::queue_depth() {
  return attempt<QueueDepth>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT count(*), min(created_at_ms) FROM outbox WHERE state = 'queued'");
    QueueDepth depth;
    if (q.executeStep()) {
      depth.queued = q.getColumn(0).getInt64();
      depth.oldest = opt_ms(q.getColumn(1));
    }
    return depth;
  });
}

Outcome<domain::RestoredState> Store::restored_state(TimePoint now,
                                                     std::chrono::hours closed_retention) {
  return attempt<domain::RestoredState>([&] {
    domain::RestoredState state;
    SQLite::Statement q(impl_->db, "SELECT " + kTicketSelect +
                                       " FROM tickets WHERE state NOT IN "
                                       "('closed', 'invalid', 'cancelled') "
                                       "OR updated_at_ms >= ?1 ORDER BY number");
    bind_ms(q, 1, now - closed_retention);
    while (q.executeStep()) state.tickets.push_back(read_ticket(q, kAllTicketColumns));

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
    SQLite::Statement& q = impl_->statements->ticket_find;
    Use use(q);
    bind_int(q, 1, number);
    if (!q.executeStep()) return std::nullopt;
    return read_ticket(q, kAllTicketColumns);
  });
}

Outcome<std::vector<domain::TicketEvent>> Store::ticket_history(domain::TicketNo number) {
  return attempt<std::vector<domain::TicketEvent>>([&] {
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kTicketEventColumns +
                                       " FROM ticket_events WHERE ticket = ?1 ORDER BY id");
    bind_int(q, 1, number);
    std::vector<domain::TicketEvent> events;
    while (q.executeStep()) events.push_back(read_ticket_event(q));
    return events;
  });
}

Outcome<std::vector<domain::Ticket>> Store::list_tickets(const TicketFilter& filter) {
  return attempt<std::vector<domain::Ticket>>([&] {
    const FilterSql where = filter_sql(filter);
    std::string sql = "SELECT " + kTicketSelect + " FROM tickets" + where.where +
                      (filter.newest_first ? " ORDER BY number DESC" : " ORDER BY number");
    if (filter.limit != 0 || filter.offset != 0) {
      sql += " LIMIT " + (filter.limit == 0 ? std::string("-1") : std::to_string(filter.limit)) +
             " OFFSET " + std::to_string(filter.offset);
    }
    SQLite::Statement q(impl_->db, sql);
    where.bind(q);
    std::vector<domain::Ticket> tickets;
    while (q.executeStep()) tickets.push_back(read_ticket(q, kAllTicketColumns));
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
    SQLite::Statement q(
        impl_->db, std::string("SELECT ") + kBroadcastColumns + " FROM broadcasts WHERE id = ?1");
    q.bind(1, static_cast<std::int64_t>(id));
    if (!q.executeStep()) return std::nullopt;
    return read_broadcast(q);
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
