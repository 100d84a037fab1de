#include "daemon/store/error.hpp"

namespace lianxin::store {

namespace {

class StoreErrorCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "lianxin.store"; }
  std::string message(int value) const override {
    switch (static_cast<StoreError>(value)) {
      case StoreError::sqlite:
        return "database error";
      case StoreError::busy:
        return "database busy (locked by another process)";
      case StoreError::constraint:
        return "constraint violated; batch rolled back";
      case StoreError::io:
        return "disk I/O error";
      case StoreError::disk_full:
        return "disk full";
      case StoreError::corrupt:
        return "database corrupt or unreadable row";
      case StoreError::read_only:
        return "database is read-only";
      case StoreError::cannot_open:
        return "cannot open database file";
      case StoreError::schema_too_new:
        return "database schema is newer than this program";
      case StoreError::not_our_database:
        return "not a lianxin database";
      case StoreError::invalid_argument:
        return "invalid argument";
    }
    return "unknown storage error";
  }
};

}  // namespace

const std::error_category& store_error_category() {
  static const StoreErrorCategory category;
  return category;
}

std::error_code make_error_code(StoreError error) {
  return {static_cast<int>(error), store_error_category()};
}

}  // namespace lianxin::store
