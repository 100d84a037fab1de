// A JSON value for talking to the SMSC simulator (scripts/smsc-sim) over JSON lines: a thin
// face over nlohmann::ordered_json (object members keep their order) with the lenient
// accessors the tests read events with.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  Json(int value) : value_(value) {}
  Json(long value) : value_(value) {}
  Json(long long value) : value_(value) {}
  Json(unsigned value) : value_(value) {}
  Json(unsigned long value) : value_(value) {}
  Json(unsigned long long value) : value_(value) {}
  Json(double value) : value_(value) {}
  Json(const char* value) : value_(std::string(value)) {}
  Json(std::string value) : value_(std::move(value)) {}
  Json(std::string_view value) : value_(std::string(value)) {}
  Json(const Array& value);
  Json(const Object& value);
  template <typename T>
  Json(const std::vector<T>& values) : Json(Array(values.begin(), values.end())) {}

  static Json object(std::initializer_list<Member> members) { return Json(Object(members)); }
  static Json array(std::initializer_list<Json> items) { return Json(Array(items)); }

  // Parses one JSON text; nullopt (and `error`, if given) when it is not valid JSON.
  static std::optional<Json> parse(std::string_view text, std::string* error = nullptr);
  // Compact, single-line JSON (non-ASCII stays UTF-8).
  std::string dump() const;

  bool is_null() const { return value_.is_null(); }
  bool is_bool() const { return value_.is_boolean(); }
  bool is_number() const { return value_.is_number(); }
  bool is_string() const { return value_.is_string(); }
  bool is_array() const { return value_.is_array(); }
  bool is_object() const { return value_.is_object(); }

  // Lenient accessors: a missing member or an element of the wrong type reads as null, "", 0,
  // false or empty, so test predicates stay short; assert with has()/is_*() where it matters.
  // They return copies: a reference into a temporary cannot dangle.
  Json operator[](std::string_view key) const;
  Json operator[](std::size_t index) const;
  bool has(std::string_view key) const;
  std::string str() const;
  double number() const;
  std::int64_t integer() const;
  bool boolean() const;
  Array items() const;
  Object members() const;
  // Strings of an array member (e.g. "message_ids").
  std::vector<std::string> strings() const;

  // Builder: sets (or replaces) a member; turns null into an object.
  Json& set(const std::string& key, const Json& value);

  friend bool operator==(const Json& a, const Json& b) { return a.value_ == b.value_; }

 private:
  static Json wrap(nlohmann::ordered_json value);
  nlohmann::ordered_json value_;
};

}  // namespace lianxin::sim
