// lianxin's storage: one SQLite database (WAL) holding the inbox, the outbox, tickets and their
// history, the points ledger, counters and broadcast subscriptions.
//
// Durability: WAL with synchronous=FULL by default, so a commit survives power loss, not just a
// kill -9. FULL costs one fsync per commit; the daemon therefore gathers everything of one
// event-loop turn into one WriteBatch (group commit) and sends responses only after commit().
//
// One thread only (the io_context thread); not thread-safe. SQLite errors never escape: every
// method returns an error value, except open(), which throws StoreOpenError.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/domain/effects.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/store/batch.hpp"
#include "daemon/store/error.hpp"

namespace lianxin::store {

enum class Synchronous { normal, full };

struct StoreOptions {
  // FULL: survives power loss. NORMAL: survives a process crash; may lose the last commits on
  // power loss (docs/ARCHITECTURE.md, "Threading and durability").
  Synchronous synchronous = Synchronous::full;
  std::chrono::milliseconds busy_timeout{5000};
  // The same delivery (link, addresses, coding, esm_class, bytes, concat info) received again
  // within this window is a re-delivery, not a new message. USSD parts are never deduplicated:
  // a menu answer legitimately repeats ("1", then "1"). Kept short: a villager who sends the same
  // one-part text twice within it gets one answer.
  std::chrono::milliseconds inbox_dedupe_window{std::chrono::minutes(2)};
};

struct TicketFilter {
  std::vector<domain::TicketState> states;  // empty: any
  std::optional<std::string> grid;
  std::optional<std::string> assignee;  // member id
  std::optional<std::string> category;
  std::optional<std::string> reporter;
  std::optional<TimePoint> created_from;  // inclusive
  std::optional<TimePoint> created_to;    // exclusive
  std::size_t limit = 0;                  // 0: no limit
  std::size_t offset = 0;
  bool newest_first = true;
};

struct TicketCounts {
  long long total = 0;
  std::map<domain::TicketState, long long> by_state;
  long long rated = 0;  // tickets with a rating 1..5
  long long rating_sum = 0;
  double average_rating() const {
    return rated == 0 ? 0.0 : static_cast<double>(rating_sum) / static_cast<double>(rated);
  }
};

class Store {
 public:
  // Opens (creating if needed) the database at `path` (":memory:" for tests), sets the pragmas
  // and applies missing migrations. Throws StoreOpenError: cannot open, schema newer than this
  // code, not a lianxin database, migration failed.
  static Store open(const std::string& path, StoreOptions options = {});

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  int schema_version() const;
  // The steps open() applied, e.g. {"inbox and outbox", ...}; empty when up to date.
  const std::vector<std::string>& applied_migrations() const;

  // ---- Group commit ----
  // Everything in `batch` in one BEGIN IMMEDIATE transaction, or nothing.
  CommitResult commit(const WriteBatch& batch);

  // Decides on inbound parts inside the transaction that stores them: called once the batch's
  // inbox parts are inserted (with their ids and which were repeats), it may append anything
  // but inbox parts to the batch, and all of it is committed together. So a report costs one
  // commit: its inbox row, ticket, events and outbox rows, before anything is acknowledged.
  using Decide = std::function<void(const std::vector<InboxInsert>& inserted, WriteBatch& batch)>;
  CommitResult commit(WriteBatch& batch, const Decide& decide);

  // One SMS queued in its own transaction (an operator's lianxinctl send). The tests' one-row
  // steps (take, mark, receipt) are commits of one-item batches: tests/unit/store_steps.hpp.
  Outcome<std::int64_t> enqueue(const OutboxRequest& sms);

  // At start-up, before sending anything: every 'sending' row (in flight when the process
  // stopped) goes back to 'queued', due at once. Returns how many. Their SMS may have reached
  // the SMSC: duplicates are limited to what was in flight.
  Outcome<std::size_t> recover(TimePoint now);

  // ---- Reads ----
  // Parts not yet marked processed, by id: re-feed the reassembler and the engine.
  Outcome<std::vector<InboxRecord>> unprocessed_inbox();
  Outcome<std::optional<InboxRecord>> find_inbox(std::int64_t id);

  Outcome<std::optional<OutboxMessage>> find_outbox(std::int64_t id);
  Outcome<std::map<OutboxState, long long>> outbox_counts();
  // The queue only (its partial index: cheap however large the outbox grows): how many rows are
  // queued and when the oldest of them was created (nullopt: none).
  struct QueueDepth {
    long long queued = 0;
    std::optional<TimePoint> oldest;
  };
  Outcome<QueueDepth> queue_depth();

  // For Engine::restore(): open tickets plus those finished (closed/invalid/cancelled) at or
  // after `now - closed_retention`; the next ticket number (never below max(number) + 1); points;
  // meetings that ended at or after `now - closed_retention` with their sign-ins, and the codes
  // of the older ones.
  Outcome<domain::RestoredState> restored_state(TimePoint now, std::chrono::hours closed_retention);
  Outcome<std::optional<domain::Ticket>> find_ticket(domain::TicketNo number);
  Outcome<std::vector<domain::TicketEvent>> ticket_history(domain::TicketNo number);  // in order
  Outcome<std::vector<domain::Ticket>> list_tickets(const TicketFilter& filter);
  Outcome<TicketCounts> count_tickets(const TicketFilter& filter);  // limit/offset ignored
  Outcome<std::optional<domain::TicketNo>> next_ticket_number();

  Outcome<std::unordered_map<std::string, long long>> points_totals();
  Outcome<long long> points_of(const std::string& member);
  Outcome<std::vector<domain::PointsEntry>> points_history(const std::string& member);

  Outcome<bool> is_subscribed(const std::string& phone);  // true unless opted out
  Outcome<std::vector<std::string>> unsubscribed();

  // ---- meetings ---- (codes as stored: normalised, e.g. "M12")
  Outcome<std::vector<domain::Meeting>> list_meetings();  // by start time
  Outcome<std::optional<domain::Meeting>> find_meeting(const std::string& code);
  // Who signed in when, in sign-in order (domain::attendance_report adds who is missing).
  Outcome<std::vector<domain::Attendance>> meeting_attendance(const std::string& code);

  // ---- broadcasts ----
  Outcome<std::int64_t> last_broadcast_id();  // 0 when none yet
  Outcome<std::optional<BroadcastRecord>> find_broadcast(std::int64_t id);
  // The latest broadcast of exactly this text (signature included) to this audience created at
  // `since` or later: a repeat an operator may not mean.
  Outcome<std::optional<BroadcastRecord>> find_same_broadcast(const std::string& text,
                                                              const std::string& audience,
                                                              TimePoint since);
  // Its outbox rows by state (queued, sending, submitted, delivered, failed, expired).
  Outcome<std::map<OutboxState, long long>> broadcast_counts(std::int64_t id);

 private:
  class Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lianxin::store
