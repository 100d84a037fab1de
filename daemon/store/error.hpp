// Storage errors: SQLite's result codes folded into a few kinds the daemon can act on.
//
// Store methods return these as values (std::error_code + a diagnostic). Only Store::open() throws
// (StoreOpenError): a daemon that cannot open or migrate its database cannot start.
#pragma once

#include <stdexcept>
#include <string>
#include <system_error>

namespace lianxin::store {

enum class StoreError {
  sqlite = 1,        // any other SQLite failure
  busy,              // another process holds the write lock past the busy timeout
  constraint,        // a row broke a constraint (the whole batch was rolled back)
  io,                // the disk said no (SQLITE_IOERR)
  disk_full,         // SQLITE_FULL
  corrupt,           // SQLITE_CORRUPT / SQLITE_NOTADB
  read_only,         // SQLITE_READONLY
  cannot_open,       // SQLITE_CANTOPEN
  schema_too_new,    // the database was written by a newer lianxind
  not_our_database,  // tables we did not create, or another application_id
  invalid_argument,  // the caller asked for something impossible
};

const std::error_category& store_error_category();
std::error_code make_error_code(StoreError error);

// Thrown by Store::open() only.
class StoreOpenError : public std::runtime_error {
 public:
  StoreOpenError(std::error_code code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  std::error_code code() const noexcept { return code_; }

 private:
  std::error_code code_;
};

// The outcome of a call that returns nothing but may fail.
struct Status {
  std::error_code error;
  std::string message;
  explicit operator bool() const { return !error; }
};

// The outcome of a call that returns a value: `value` is meaningful only without error.
template <class T>
struct Outcome {
  T value{};
  std::error_code error;
  std::string message;
  explicit operator bool() const { return !error; }
};

}  // namespace lianxin::store

template <>
struct std::is_error_code_enum<lianxin::store::StoreError> : std::true_type {};
