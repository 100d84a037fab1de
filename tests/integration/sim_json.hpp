// A minimal JSON value for talking to the SMSC simulator (scripts/smsc-sim) over JSON lines.
//
// Only what the control channel needs: build a command, dump it on one line, parse an event.
// Numbers are doubles (every integer the simulator sends fits in 53 bits); object members keep
// their order; \uXXXX escapes (surrogate pairs included) become UTF-8.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace lianxin::sim {

class Json {
 public:
  using Array = std::vector<Json>;
  using Member = std::pair<std::string, Json>;
  using Object = std::vector<Member>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool value) : value_(value) {}
  Json(int value) : value_(static_cast<double>(value)) {}
  Json(long value) : value_(static_cast<double>(value)) {}
  Json(long long value) : value_(static_cast<double>(value)) {}
  Json(unsigned value) : value_(static_cast<double>(value)) {}
  Json(unsigned long value) : value_(static_cast<double>(value)) {}
  Json(unsigned long long value) : value_(static_cast<double>(value)) {}
  Json(double value) : value_(value) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(std::string_view value) : value_(std::string(value)) {}
  Json(Array value) : value_(std::move(value)) {}
  Json(Object value) : value_(std::move(value)) {}
  template <typename T>
  Json(const std::vector<T>& values) : value_(Array(values.begin(), values.end())) {}

  static Json object(std::initializer_list<Member> members) { return Json(Object(members)); }
  static Json array(std::initializer_list<Json> items) { return Json(Array(items)); }

  // Parses one JSON text; nullopt (and `error`, if given) when it is not valid JSON.
  static std::optional<Json> parse(std::string_view text, std::string* error = nullptr);
  // Compact, single-line JSON (non-ASCII stays UTF-8).
  std::string dump() const;

  bool is_null() const { return std::holds_alternative<std::nullptr_t>(value_); }
  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_number() const { return std::holds_alternative<double>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_array() const { return std::holds_alternative<Array>(value_); }
  bool is_object() const { return std::holds_alternative<Object>(value_); }

  // Lenient accessors: a missing member or an element of the wrong type reads as null, "", 0,
  // false or empty, so test predicates stay short; assert with has()/is_*() where it matters.
  const Json& operator[](std::string_view key) const;
  const Json& operator[](std::size_t index) const;
  bool has(std::string_view key) const;
  const std::string& str() const;
  double number() const;
  std::int64_t integer() const;
  bool boolean() const;
  const Array& items() const;
  const Object& members() const;
  // Strings of an array member (e.g. "message_ids").
  std::vector<std::string> strings() const;

  // Builder: sets (or replaces) a member; turns null into an object.
  Json& set(std::string key, Json value);

  friend bool operator==(const Json&, const Json&) = default;

 private:
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> value_ = nullptr;
};

}  // namespace lianxin::sim
