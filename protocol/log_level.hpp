// The one log level of lianxin: the protocol logger, the engine's log lines, the configuration's
// log_level and the journal all use it. Ordered like syslog priorities, most severe first, so
// the value is the journald PRIORITY.
#pragma once

#include <string_view>

#include "protocol/names.hpp"

namespace lianxin {

enum class LogLevel { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

// Least to most severe, as the configuration lists them.
inline constexpr Names<LogLevel, 5> kLogLevelNames{{{LogLevel::debug, "debug"},
                                                    {LogLevel::info, "info"},
                                                    {LogLevel::notice, "notice"},
                                                    {LogLevel::warning, "warning"},
                                                    {LogLevel::error, "error"}}};

constexpr std::string_view level_name(LogLevel level) {
  return name_of(kLogLevelNames, level);
}

}  // namespace lianxin
