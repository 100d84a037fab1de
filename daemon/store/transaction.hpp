// RAII write transaction: BEGIN IMMEDIATE takes the write lock up front, so a busy database
// fails at the start (after the busy timeout) rather than half way through a batch.
#pragma once

#include <SQLiteCpp/Database.h>

namespace lianxin::store {

class WriteTransaction {
 public:
  explicit WriteTransaction(SQLite::Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  // Rolls back unless committed. Never throws: after some errors SQLite has already rolled back,
  // and ROLLBACK then fails harmlessly.
  ~WriteTransaction() {
    if (!committed_) db_.tryExec("ROLLBACK");
  }

  void commit() {
    db_.exec("COMMIT");
    committed_ = true;
  }

 private:
  SQLite::Database& db_;
  bool committed_ = false;
};

}  // namespace lianxin::store
