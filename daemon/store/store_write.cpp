// Store::Impl: the write path. One transaction per batch (WriteBatch): inbox parts, tickets and
// their events, points, the outbox and its receipts, meetings.
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "daemon/store/codec.hpp"
#include "daemon/store/store_impl.hpp"

namespace lianxin::store {

using namespace internal;

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

Store::Impl::Impl(const std::string& path, StoreOptions opts)
    : db(open_database(path, opts)), options(opts) {
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
  const std::string complaint_about = codec::encode_strings(t.complaint_about);
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
  bind_ref(q, 35, complaint_about);
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

}  // namespace

CommitResult Store::Impl::commit(const WriteBatch& batch, const AfterInbox& after_inbox) {
  CommitResult result;
  try {
    Statements& st = *statements;
    // IMMEDIATE: the write lock up front, so a busy database fails at the start of a batch.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);

    result.inbox.reserve(batch.inbox.size());
    for (const InboxPart& part : batch.inbox) result.inbox.push_back(insert_inbox(part));
    if (after_inbox) after_inbox(result.inbox);

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

}  // namespace lianxin::store
