#include "tests/integration/sim_json.hpp"

#include <stdexcept>

namespace lianxin::sim {

Json::Json(const Array& value) : value_(nlohmann::ordered_json::array()) {
  for (const Json& item : value) value_.push_back(item.value_);
}

Json::Json(const Object& value) : value_(nlohmann::ordered_json::object()) {
  for (const auto& [key, member] : value) value_[key] = member.value_;
}

Json Json::wrap(nlohmann::ordered_json value) {
  Json out;
  out.value_ = std::move(value);
  return out;
}

std::optional<Json> Json::parse(std::string_view text, std::string* error) {
  try {
    return wrap(nlohmann::ordered_json::parse(text));
  } catch (const nlohmann::ordered_json::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

std::string Json::dump() const {
  return value_.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Json Json::operator[](std::string_view key) const {
  if (!value_.is_object()) return {};
  auto it = value_.find(key);
  return it == value_.end() ? Json{} : wrap(*it);
}

Json Json::operator[](std::size_t index) const {
  if (!value_.is_array() || index >= value_.size()) return {};
  return wrap(value_[index]);
}

bool Json::has(std::string_view key) const {
  return value_.is_object() && value_.contains(key);
}

std::string Json::str() const {
  return value_.is_string() ? value_.get<std::string>() : std::string();
}

double Json::number() const {
  return value_.is_number() ? value_.get<double>() : 0.0;
}

std::int64_t Json::integer() const {
  if (value_.is_number_integer()) return value_.get<std::int64_t>();
  return static_cast<std::int64_t>(number());
}

bool Json::boolean() const {
  return value_.is_boolean() && value_.get<bool>();
}

Json::Array Json::items() const {
  Array out;
  if (value_.is_array())
    for (const auto& item : value_) out.push_back(wrap(item));
  return out;
}

Json::Object Json::members() const {
  Object out;
  if (value_.is_object())
    for (const auto& [key, member] : value_.items()) out.emplace_back(key, wrap(member));
  return out;
}

std::vector<std::string> Json::strings() const {
  std::vector<std::string> out;
  for (const Json& item : items()) out.push_back(item.str());
  return out;
}

Json& Json::set(const std::string& key, const Json& value) {
  if (value_.is_null()) value_ = nlohmann::ordered_json::object();
  // Throws on a non-object, as a misuse in a test should.
  if (!value_.is_object()) throw std::logic_error("Json::set on a non-object");
  value_[key] = value.value_;
  return *this;
}

}  // namespace lianxin::sim
