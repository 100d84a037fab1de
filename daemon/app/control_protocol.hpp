// The control socket's protocol, shared by lianxind (daemon/app/control.hpp) and lianxinctl.
//
// One JSON object per line, UTF-8, each way. A request names its command:
//   {"cmd":"close","ticket":123,"reason":"重复","operator":"alice"}
// The daemon answers with exactly one final line, {"ok":true,...} or {"ok":false,"error":"..."},
// possibly preceded by progress lines ({"progress":{...}}, no "ok" key) for long commands
// (broadcast). Requests on one connection are answered in order, one at a time.
//
// Limits: a line is at most kMaxLineBytes (the connection is answered with an error and closed
// otherwise) and nests at most kMaxDepth levels; anything that is not a JSON object with a string
// "cmd" gets {"ok":false,...}. Pure code: no sockets here.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::control {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxLineBytes = 64 * 1024;
inline constexpr int kMaxDepth = 8;

// Splits a byte stream into lines ('\n'; a '\r' before it is dropped). A line longer than the
// limit makes the buffer fail for good (the peer is not speaking this protocol).
class LineBuffer {
 public:
  explicit LineBuffer(std::size_t max_line = kMaxLineBytes) : max_line_(max_line) {}

  void append(std::string_view bytes) {
    if (overflow_) return;
    data_.append(bytes);
    if (data_.size() - start_ > max_line_ && data_.find('\n', start_) == std::string::npos)
      overflow_ = true;
  }
  // The next complete line, without its end; nullopt when none is complete yet.
  std::optional<std::string> next() {
    if (overflow_) return std::nullopt;
    const std::size_t end = data_.find('\n', start_);
    if (end == std::string::npos) {
      compact();
      return std::nullopt;
    }
    if (end - start_ > max_line_) {
      overflow_ = true;
      return std::nullopt;
    }
    std::string line = data_.substr(start_, end - start_);
    start_ = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  bool overflow() const { return overflow_; }
  std::size_t pending() const { return data_.size() - start_; }

 private:
  void compact() {
    data_.erase(0, start_);
    start_ = 0;
  }
  std::size_t max_line_;
  std::string data_;
  std::size_t start_ = 0;
  bool overflow_ = false;
};

// Nesting depth of a JSON text, strings skipped; -1 when brackets do not balance.
inline int json_depth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (c == '}' || c == ']') {
      if (--depth < 0) return -1;
    }
  }
  return depth == 0 ? deepest : -1;
}

struct Request {
  std::string cmd;
  Json body;  // the whole object
};

// A request line → Request, or the error to answer with.
struct ParsedRequest {
  std::optional<Request> request;
  std::string error;
};

inline ParsedRequest parse_request(std::string_view line) {
  ParsedRequest out;
  if (line.find_first_not_of(" \t") == std::string_view::npos) {
    out.error = "empty request";
    return out;
  }
  const int depth = json_depth(line);
  if (depth > kMaxDepth) {
    out.error = "request nested too deeply";
    return out;
  }
  Json body = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    out.error = "malformed JSON";
    return out;
  }
  if (!body.is_object()) {
    out.error = "a request is a JSON object";
    return out;
  }
  auto cmd = body.find("cmd");
  if (cmd == body.end() || !cmd->is_string() || cmd->get_ref<const std::string&>().empty()) {
    out.error = "the request has no \"cmd\"";
    return out;
  }
  out.request = Request{cmd->get<std::string>(), std::move(body)};
  return out;
}

// One line to write (JSON + '\n'). Invalid UTF-8 is replaced, never thrown.
inline std::string to_line(const Json& message) {
  return message.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

inline Json ok_reply(Json fields = Json::object()) {
  Json reply = Json::object();
  reply["ok"] = true;
  for (auto& [key, value] : fields.items()) reply[key] = value;
  return reply;
}

inline Json error_reply(std::string_view message) {
  return Json{{"ok", false}, {"error", std::string(message)}};
}

inline Json progress_line(Json progress) {
  return Json{{"progress", std::move(progress)}};
}

// ---- typed access to request fields; each returns nullopt and sets `error` when wrong ----

class Fields {
 public:
  explicit Fields(const Json& body) : body_(body) {}

  std::optional<std::string> string(const char* name, bool required, std::size_t max_bytes) {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) {
      if (required) fail(std::string("missing \"") + name + "\"");
      return std::nullopt;
    }
    if (!it->is_string()) return fail(std::string("\"") + name + "\" must be a string");
    const std::string& value = it->get_ref<const std::string&>();
    if (required && value.find_first_not_of(" \t") == std::string::npos)
      return fail(std::string("\"") + name + "\" is empty");
    if (value.size() > max_bytes)
      return fail(std::string("\"") + name + "\" is longer than " + std::to_string(max_bytes) +
                  " bytes");
    return value;
  }

  std::optional<std::int64_t> integer(const char* name, bool required, std::int64_t min,
                                      std::int64_t max) {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) {
      if (required) fail(std::string("missing \"") + name + "\"");
      return std::nullopt;
    }
    if (!it->is_number_integer())
      return fail_int(std::string("\"") + name + "\" must be an integer");
    const std::int64_t value = it->is_number_unsigned()
                                   ? static_cast<std::int64_t>(std::min<std::uint64_t>(
                                         it->get<std::uint64_t>(), INT64_MAX))
                                   : it->get<std::int64_t>();
    if (value < min || value > max)
      return fail_int(std::string("\"") + name + "\" must be between " + std::to_string(min) +
                      " and " + std::to_string(max));
    return value;
  }

  bool boolean(const char* name) {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) return false;
    if (!it->is_boolean()) {
      fail(std::string("\"") + name + "\" must be true or false");
      return false;
    }
    return it->get<bool>();
  }

  std::optional<std::vector<std::string>> strings(const char* name, std::size_t max_items) {
    auto it = body_.find(name);
    if (it == body_.end() || it->is_null()) return std::nullopt;
    if (!it->is_array() || it->size() > max_items) {
      fail(std::string("\"") + name + "\" must be a list of at most " + std::to_string(max_items) +
           " strings");
      return std::nullopt;
    }
    std::vector<std::string> out;
    for (const Json& item : *it) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
        fail(std::string("\"") + name + "\" must hold non-empty strings");
        return std::nullopt;
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::optional<std::string> fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return std::nullopt;
  }
  std::optional<std::int64_t> fail_int(std::string message) {
    fail(std::move(message));
    return std::nullopt;
  }
  const Json& body_;
  std::string error_;
};

}  // namespace lianxin::control
