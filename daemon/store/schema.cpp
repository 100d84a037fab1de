#include "daemon/store/schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include "daemon/store/error.hpp"

namespace lianxin::store {

namespace {

// Times are integer milliseconds since the Unix epoch (UTC), in columns named *_ms.
constexpr const char* kV1 = R"sql(
CREATE TABLE inbox (
  id INTEGER PRIMARY KEY,
  connection TEXT NOT NULL,
  source TEXT NOT NULL,
  destination TEXT NOT NULL,
  data_coding INTEGER NOT NULL,
  esm_class INTEGER NOT NULL,
  payload BLOB NOT NULL,
  concat_ref INTEGER,
  concat_total INTEGER,
  concat_seq INTEGER,
  ussd_op INTEGER,
  ussd_session INTEGER,
  is_receipt INTEGER NOT NULL DEFAULT 0,
  content_hash INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  processed_at_ms INTEGER
);
CREATE INDEX inbox_content ON inbox(content_hash, received_at_ms);
CREATE INDEX inbox_unprocessed ON inbox(id) WHERE processed_at_ms IS NULL;

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  source TEXT NOT NULL,
  text TEXT NOT NULL,
  ticket INTEGER,
  audience TEXT NOT NULL,
  urgent INTEGER NOT NULL DEFAULT 0,
  in_reply_to INTEGER,
  -- (Comparisons, not IN: a CHECK with IN builds a temp b-tree on every row written.)
  state TEXT NOT NULL CHECK (state = 'queued' OR state = 'sending' OR state = 'submitted'
                             OR state = 'delivered' OR state = 'failed' OR state = 'expired'),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  connection TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
-- Only the queue is indexed by state: 'sending' rows are looked for once, at start-up.
CREATE INDEX outbox_queue ON outbox(urgent DESC, id) WHERE state = 'queued';

CREATE TABLE outbox_parts (
  outbox_id INTEGER NOT NULL REFERENCES outbox(id),
  part INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state = 'submitted' OR state = 'delivered' OR state = 'failed'
                             OR state = 'expired'),
  updated_at_ms INTEGER NOT NULL,
  PRIMARY KEY (outbox_id, part)
) WITHOUT ROWID;
CREATE INDEX outbox_parts_message ON outbox_parts(message_id);
)sql";

constexpr const char* kV2 = R"sql(
CREATE TABLE tickets (
  number INTEGER PRIMARY KEY,
  reporter TEXT NOT NULL,
  text TEXT NOT NULL,
  category TEXT NOT NULL,
  grid TEXT,
  urgent INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  assignee TEXT,
  tried TEXT NOT NULL DEFAULT '[]',
  notes TEXT NOT NULL DEFAULT '[]',
  resolution TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  dispatched_at_ms INTEGER,
  accepted_at_ms INTEGER,
  resolved_at_ms INTEGER,
  closed_at_ms INTEGER,
  location_deadline_ms INTEGER,
  verification_deadline_ms INTEGER,
  close_reason TEXT NOT NULL DEFAULT 'none',
  rating INTEGER CHECK (rating IS NULL OR rating BETWEEN 0 AND 5),
  inbound_id INTEGER
);
-- No index on state: every upsert rewrites it, and open tickets are read once, at start-up.

CREATE TABLE ticket_events (
  id INTEGER PRIMARY KEY,
  ticket INTEGER NOT NULL REFERENCES tickets(number),
  from_state TEXT,
  to_state TEXT NOT NULL,
  actor TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket, id);

CREATE TABLE points_ledger (
  id INTEGER PRIMARY KEY,
  member TEXT NOT NULL,
  ticket INTEGER,
  points INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  at_ms INTEGER NOT NULL
);
CREATE INDEX points_ledger_member ON points_ledger(member);

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE subscriptions (
  phone TEXT PRIMARY KEY,
  subscribed INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// Quiet hours hold member SMS until morning; validity drops SMS that are too old to matter.
constexpr const char* kV3 = R"sql(
ALTER TABLE outbox ADD COLUMN not_before_ms INTEGER;
ALTER TABLE outbox ADD COLUMN expires_at_ms INTEGER;
)sql";

constexpr const char* kV4 = R"sql(
ALTER TABLE inbox ADD COLUMN link_session INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 5 (this session's one migration; every area appends its statements here).
constexpr const char* kV5 = R"sql(
-- broadcasts (lianxinctl broadcast): one row per notice; its SMS are outbox rows naming it.
-- Broadcast SMS are queued with urgent = -1, behind every other SMS in the queue's index.
CREATE TABLE broadcasts (
  id INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  audience TEXT NOT NULL,
  operator TEXT NOT NULL,
  recipients INTEGER NOT NULL,
  skipped INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);
ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES broadcasts(id);
CREATE INDEX outbox_broadcast ON outbox(broadcast_id) WHERE broadcast_id IS NOT NULL;

-- meetings (lianxinctl meeting create) and who signed in by SMS (签到 CODE), once per member.
CREATE TABLE meetings (
  code TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  starts_at_ms INTEGER NOT NULL,
  ends_at_ms INTEGER NOT NULL,
  grids TEXT NOT NULL DEFAULT '[]',  -- JSON list of invited grid ids; [] invites every member
  created_by TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE meeting_attendance (
  meeting TEXT NOT NULL REFERENCES meetings(code),
  member TEXT NOT NULL,
  signed_in_at_ms INTEGER NOT NULL,
  PRIMARY KEY (meeting, member)
) WITHOUT ROWID;

-- SLA and escalation: the stored deadlines (pending timers are re-armed from them after a
-- restart), the escalation step, reopen/hand-back counts, the problem-ticket flag (问题工单) and
-- the deadline the last reminder was for (so no reminder is sent twice). Four orders: kind,
-- who raised it, the service team.
ALTER TABLE tickets ADD COLUMN accept_deadline_ms INTEGER;
ALTER TABLE tickets ADD COLUMN resolve_deadline_ms INTEGER;
ALTER TABLE tickets ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN handback_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN problem INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN reminded_for_ms INTEGER;
ALTER TABLE tickets ADD COLUMN kind TEXT NOT NULL DEFAULT 'report';
ALTER TABLE tickets ADD COLUMN raised_by TEXT;
ALTER TABLE tickets ADD COLUMN team TEXT;
)sql";

// Version 6: how the text was read (the category's confidence, 过滤核实) and the operators'
// category corrections, which `lianxinctl train --with-corrections` adds to the corpus.
constexpr const char* kV6 = R"sql(
ALTER TABLE tickets ADD COLUMN confidence REAL NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN needs_review INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_review ON tickets(number) WHERE needs_review = 1;
CREATE TABLE category_corrections (
  id INTEGER PRIMARY KEY,
  ticket INTEGER NOT NULL,
  text TEXT NOT NULL,
  from_category TEXT NOT NULL,
  to_category TEXT NOT NULL,
  urgent INTEGER NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_ms INTEGER NOT NULL
);
)sql";

// Version 7: receipts that arrive before their message id is known. A long SMS's parts are
// answered one by one (at the link's TPS) and an SMSC may report part 1 delivered before part 3
// has its id: such a receipt is kept here and applied in the commit that records the id.
constexpr const char* kV7 = R"sql(
CREATE TABLE early_receipts (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL,
  connection TEXT NOT NULL,
  state TEXT NOT NULL,
  error TEXT NOT NULL,
  received_at_ms INTEGER NOT NULL
);
CREATE INDEX early_receipts_message ON early_receipts(message_id);
)sql";

// Version 8: the members a complaint (作风投诉) names, so `lianxinctl stats --by member` counts
// complaints per member even after the directory changes. Encoded like `tried`.
constexpr const char* kV8 = R"sql(
ALTER TABLE tickets ADD COLUMN complaint_about TEXT NOT NULL DEFAULT '[]';
)sql";

int application_id(SQLite::Database& db) {
  return db.execAndGet("PRAGMA application_id").getInt();
}

void check_is_ours(SQLite::Database& db, int version) {
  const int app = application_id(db);
  if (app != 0 && app != kApplicationId) {
    throw StoreOpenError(make_error_code(StoreError::not_our_database),
                         "database " + db.getFilename() + " belongs to another application " +
                             "(application_id " + std::to_string(app) + ")");
  }
  if (version == 0) {
    const int objects =
        db.execAndGet("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").getInt();
    if (objects != 0) {
      throw StoreOpenError(make_error_code(StoreError::not_our_database),
                           "database " + db.getFilename() +
                               " has tables but no lianxin schema version; refusing to touch it");
    }
  }
}

void check_not_too_new(SQLite::Database& db, int version, int known) {
  if (version > known) {
    throw StoreOpenError(make_error_code(StoreError::schema_too_new),
                         "database " + db.getFilename() + " has schema version " +
                             std::to_string(version) + " but this lianxind knows versions up to " +
                             std::to_string(known) +
                             "; run a newer lianxind or restore a backup made by this one");
  }
}

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> steps{
      {1, "inbox and outbox", kV1},
      {2, "tickets, ticket events, points ledger, counters, subscriptions", kV2},
      {3, "outbox quiet hours (not_before) and validity (expires_at)", kV3},
      {4, "inbox link session (re-delivery is told from a repeated text)", kV4},
      {5, "broadcasts; meetings and attendance; ticket SLA, escalation and order columns", kV5},
      {6, "ticket confidence and review flag; category corrections", kV6},
      {7, "receipts that arrive before their message id is known", kV7},
      {8, "the members a complaint names", kV8},
  };
  return steps;
}

int schema_version(SQLite::Database& db) {
  return db.execAndGet("PRAGMA user_version").getInt();
}

std::vector<std::string> migrate(SQLite::Database& db, int target) {
  if (target < 0 || target > kSchemaVersion) {
    throw StoreOpenError(make_error_code(StoreError::invalid_argument),
                         "no schema version " + std::to_string(target));
  }
  const int initial = schema_version(db);
  check_not_too_new(db, initial, kSchemaVersion);
  check_is_ours(db, initial);

  std::vector<std::string> applied;
  for (const Migration& step : migrations()) {
    if (step.version > target) break;
    if (step.version <= initial) continue;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Re-read under the write lock: another process may have migrated meanwhile.
    const int now_at = schema_version(db);
    check_not_too_new(db, now_at, kSchemaVersion);
    if (now_at >= step.version) continue;
    if (now_at != step.version - 1) {
      throw StoreOpenError(make_error_code(StoreError::sqlite),
                           "schema version " + std::to_string(now_at) + " cannot take step " +
                               std::to_string(step.version));
    }
    db.exec(step.sql);
    if (step.version == 1) db.exec("PRAGMA application_id = " + std::to_string(kApplicationId));
    db.exec("PRAGMA user_version = " + std::to_string(step.version));
    tx.commit();
    applied.emplace_back(step.description);
  }
  return applied;
}

void create_database_at_version(const std::string& path, int version) {
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    db.exec("PRAGMA journal_mode = WAL");
    migrate(db, version);
  } catch (const SQLite::Exception& e) {
    throw StoreOpenError(make_error_code(StoreError::sqlite), e.what());
  }
}

}  // namespace lianxin::store
