// Log lines for operators: to journald with a priority and structured fields when stderr is the
// journal (systemd sets JOURNAL_STREAM), else one readable line on stderr. Every message and
// field passes one masking step (domain::mask_numbers_in_text: personal numbers however written)
// and is kept to one line; callers quote free text (domain::quote_for_log) so it cannot look
// like a field. Passwords are never given to it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/log_level.hpp"

namespace lianxin::app {

struct Field {
  std::string name;  // journald field name: TICKET_ID, SMSC, DIRECTION, ...
  std::string value;
};

// "1 part", "3 parts": counts in log lines.
std::string count_of(std::size_t n, const char* one, const char* many);

class Journal {
 public:
  // threshold: lines less severe than this are dropped.
  explicit Journal(LogLevel threshold = LogLevel::info);

  void log(LogLevel priority, std::string_view message, const std::vector<Field>& fields = {});
  void set_threshold(LogLevel threshold) { threshold_ = threshold; }
  bool to_journald() const { return journald_; }

 private:
  LogLevel threshold_;
  bool journald_;
};

}  // namespace lianxin::app
