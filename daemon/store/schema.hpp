// The database schema as numbered forward migrations (PRAGMA user_version holds the number).
//
// Never edit a released step: add a new one. Store::open() applies the missing steps, each in
// its own BEGIN IMMEDIATE transaction together with the new user_version, and refuses a
// database whose version is newer than kSchemaVersion.
#pragma once

#include <string>
#include <vector>

namespace SQLite {
class Database;
}

namespace lianxin::store {

struct Migration {
  int version;              // 1, 2, ... in order
  const char* description;  // for logs
  const char* sql;
};

const std::vector<Migration>& migrations();
inline constexpr int kSchemaVersion = 8;
// PRAGMA application_id of lianxin databases ("LXQ1").
inline constexpr int kApplicationId = 0x4C585131;

// user_version of an open database.
int schema_version(SQLite::Database& db);
// Applies steps (current, target]; returns the descriptions of the steps applied.
// Throws StoreOpenError (schema_too_new, not_our_database) or SQLite::Exception.
std::vector<std::string> migrate(SQLite::Database& db, int target = kSchemaVersion);

// Tests and tools: creates (or upgrades) the file at `path` to exactly `version` (1..current),
// as an older lianxind would have left it. Throws like Store::open().
void create_database_at_version(const std::string& path, int version);

}  // namespace lianxin::store
