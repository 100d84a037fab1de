#include "daemon/app/notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>

namespace lianxin::app {

void Notifier::send(const std::string& state) {
  sd_notify(0, state.c_str());
}

void Notifier::ready(std::string_view status) {
  last_status_ = std::string(status);
  send("READY=1\nSTATUS=" + last_status_);
}

void Notifier::status(std::string_view status) {
  if (status == last_status_) return;
  last_status_ = std::string(status);
  send("STATUS=" + last_status_);
}

void Notifier::reloading() {
  send("RELOADING=1");
}

void Notifier::stopping(std::string_view status) {
  last_status_ = std::string(status);
  send("STOPPING=1\nSTATUS=" + last_status_);
}

void Notifier::watchdog() {
  send("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> Notifier::watchdog_period() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace lianxin::app
