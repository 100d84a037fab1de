// A logger hook for the protocol layer: a level threshold and a sink the owner provides (the
// daemon routes it to journald; tests capture the lines). Messages never contain passwords.
#pragma once

#include <functional>
#include <string_view>
#include <utility>

namespace lianxin::protocol {

// Ordered like syslog priorities, most severe first.
enum class LogLevel { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

constexpr std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::error:
      return "error";
    case LogLevel::warning:
      return "warning";
    case LogLevel::notice:
      return "notice";
    case LogLevel::info:
      return "info";
    case LogLevel::debug:
      return "debug";
  }
  return "?";
}

using LogSink = std::function<void(LogLevel, std::string_view)>;

class Logger {
 public:
  Logger() = default;
  explicit Logger(LogSink sink, LogLevel threshold = LogLevel::info)
      : sink_(std::move(sink)), threshold_(threshold) {}

  bool enabled(LogLevel level) const { return sink_ && level <= threshold_; }
  void log(LogLevel level, std::string_view message) const {
    if (enabled(level)) sink_(level, message);
  }

 private:
  LogSink sink_;
  LogLevel threshold_ = LogLevel::info;
};

}  // namespace lianxin::protocol
