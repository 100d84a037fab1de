// systemd readiness protocol (sd_notify): READY, STATUS, RELOADING, STOPPING, WATCHDOG.
// Harmless outside systemd: without $NOTIFY_SOCKET every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace lianxin::app {

class Notifier {
 public:
  void ready(std::string_view status);
  // Sends STATUS= only when it changed since the last one.
  void status(std::string_view status);
  void reloading();
  void stopping(std::string_view status);
  void watchdog();

  // How often to send WATCHDOG=1 (half of WatchdogSec), or nullopt when systemd does not watch.
  static std::optional<std::chrono::microseconds> watchdog_period();

 private:
  void send(const std::string& state);
  std::string last_status_;
};

}  // namespace lianxin::app
