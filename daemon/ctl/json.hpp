// JSON output of lianxinctl, through nlohmann-json: members keep the order they are set in,
// UTF-8 stays readable, and a list prints one element per line (grep-able, still one JSON text).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace lianxin::ctl {

using Json = nlohmann::ordered_json;

inline std::string json_text(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// An array as "[\n {…},\n {…}]\n".
inline std::string json_lines(const Json& array) {
  std::string out = "[";
  for (std::size_t i = 0; i < array.size(); ++i) out += (i ? ",\n " : "\n ") + json_text(array[i]);
  return out + "]\n";
}

}  // namespace lianxin::ctl
