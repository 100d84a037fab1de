// Internal to daemon/store: the statements prepared once per database and Store::Impl, the
// write path (store_write.cpp) that Store's methods (store.cpp) call.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/rows.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store.hpp"

namespace lianxin::store {

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
                      "team, confidence, needs_review, complaint_about) VALUES (?1, ?2, ?3, ?4, "
                      "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
                      "?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35) "
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
                      "confidence = excluded.confidence, needs_review = excluded.needs_review, "
                      "complaint_about = excluded.complaint_about"),
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
                 internal::kOutboxColumns),
        // The engine reads a ticket it does not hold with this (StoredTickets).
        ticket_find(db, "SELECT " + internal::TicketColumns::all().select_list() +
                            " FROM tickets WHERE number = ?1") {}

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
  SQLite::Statement ticket_find;
};

class Store::Impl {
 public:
  Impl(const std::string& path, StoreOptions opts);  // opens, sets the pragmas, migrates

  // `after_inbox` (may be empty) runs inside the transaction once the inbox parts are inserted;
  // it may append to `batch` (see Store::commit with a Decide), whose other rows are read after.
  using AfterInbox = std::function<void(const std::vector<InboxInsert>& inserted)>;
  CommitResult commit(const WriteBatch& batch, const AfterInbox& after_inbox);

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

}  // namespace lianxin::store
