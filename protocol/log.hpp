// A logger hook for the protocol layer: a level threshold and a sink the owner provides (the
// daemon routes it to journald with the link as a field; tests capture the lines). Messages never
// contain passwords.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/log_level.hpp"

namespace lianxin::protocol {

// One protocol log line with its fields: the link it is about (empty when none) and the
// message. The daemon gives the link to journald as a field; line() is the readable form.
struct LogRecord {
  LogLevel level = LogLevel::info;
  std::string_view link;
  std::string_view message;

  std::string line() const {
    if (link.empty()) return std::string(message);
    std::string out = "smpp[";
    out.append(link).append("] ").append(message);
    return out;
  }
};

using LogSink = std::function<void(const LogRecord&)>;

class Logger {
 public:
  Logger() = default;
  explicit Logger(LogSink sink, LogLevel threshold = LogLevel::info)
      : sink_(std::move(sink)), threshold_(threshold) {}

  bool enabled(LogLevel level) const { return sink_ && level <= threshold_; }
  void log(LogLevel level, std::string_view message) const { log(level, {}, message); }
  void log(LogLevel level, std::string_view link, std::string_view message) const {
    if (enabled(level)) sink_(LogRecord{level, link, message});
  }

 private:
  LogSink sink_;
  LogLevel threshold_ = LogLevel::info;
};

}  // namespace lianxin::protocol
