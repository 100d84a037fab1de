// lianxind's configuration: one YAML file (see lianxind.example.yaml for every key) plus the
// directory CSV files it names. load_config() validates everything and reports each problem as
// "file:line:column: message"; it never throws for bad input. Passwords never appear in any
// diagnostic or rendering.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/directory_csv.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"
#include "protocol/log_level.hpp"
#include "protocol/ussd.hpp"

namespace lianxin::config {

using Millis = std::chrono::milliseconds;

enum class BindMode { transceiver, transmitter_receiver };
enum class ConcatMode { udh, sar, payload };
enum class SyncMode { full, normal };

std::string_view to_string(BindMode mode);    // "transceiver", "transmitter+receiver"
std::string_view to_string(ConcatMode mode);  // "udh", "sar", "payload"
std::string_view to_string(SyncMode mode);    // "full", "normal"

struct SmppConnection {
  std::string name;  // names the link in logs
  std::string host;
  std::uint16_t port = 2775;
  std::string system_id;
  std::string password;         // the secret itself: never log or print it
  std::string password_origin;  // where it came from, printable: "file /etc/…", "credential x"
  std::string system_type;
  BindMode bind = BindMode::transceiver;
  int priority = 0;  // failover order: lower is preferred, equal priorities share the load
  std::string source_address;  // the service number MT messages come from
  std::uint8_t source_ton = 0;
  std::uint8_t source_npi = 1;
  ConcatMode concat = ConcatMode::udh;
  double tps = 0;  // submits per second; 0 = unlimited
  std::size_t window = 10;
  Millis enquire_link_interval{30'000};
  Millis response_timeout{10'000};
  Millis reconnect_min{1'000};
  Millis reconnect_max{60'000};
  ussd::Dialect ussd;  // ---- USSD ---- what its ussd_service_op values mean (standard default)
};

struct StorageConfig {
  std::filesystem::path path;
  SyncMode synchronous = SyncMode::full;
  // A deliver_sm repeated by the SMSC (same sender, text and id) within this window is the same
  // inbound message.
  Millis inbox_dedupe_window{std::chrono::minutes{10}};
};

// Where lianxind serves /metrics and /healthz (HTTP). Off unless configured; the default address
// is loopback only: expose it further on purpose, behind the county's own firewall.
struct MetricsEndpoint {
  std::string address = "127.0.0.1";
  std::uint16_t port = 9464;
};

// Quiet hours "22:00-07:00": non-urgent SMS to members are held between start and end (local
// time); the range may wrap past midnight.
struct QuietHours {
  std::chrono::minutes start{0};  // since local midnight
  std::chrono::minutes end{0};
  bool contains(std::chrono::minutes since_midnight) const;
  std::string to_string() const;  // "22:00-07:00"
};

// Parses "HH:MM-HH:MM" (24-hour clock, start != end). nullopt and a reason in `error` otherwise.
std::optional<QuietHours> parse_quiet_hours(std::string_view text, std::string& error);

// "500ms", "30s", "10m", "2h", "7d", or sums such as "1h30m". nullopt and a reason otherwise.
std::optional<Millis> parse_duration(std::string_view text, std::string& error);

inline constexpr const char* kDefaultControlSocket = "/run/lianxind/control.sock";

// Where the shipped model and corpus are installed (CMake sets the prefix).
#ifndef LIANXIN_DATA_DIR
#define LIANXIN_DATA_DIR "/usr/share/lianxin"
#endif
struct LanguageFiles {
  std::filesystem::path model = LIANXIN_DATA_DIR "/language.ftz";
  std::filesystem::path corpus = LIANXIN_DATA_DIR "/language/train";
};

struct DaemonConfig {
  std::filesystem::path file;  // the YAML file it was loaded from
  domain::Settings settings;
  std::vector<SmppConnection> smpp;  // in file order; see by_priority()
  StorageConfig storage;
  DirectoryFiles directory_files;  // absolute or relative to the working directory
  domain::Directory directory;     // loaded from directory_files
  std::string time_zone = "Asia/Shanghai";
  std::optional<QuietHours> quiet_hours;  // nullopt: no quiet hours
  LogLevel log_level = LogLevel::info;
  // ---- control socket ---- where lianxinctl reaches the daemon (absolute, or relative to the
  // configuration's directory); empty: no control socket.
  std::filesystem::path control_socket = kDefaultControlSocket;
  std::optional<MetricsEndpoint> metrics;  // ---- metrics ---- nullopt: no HTTP endpoint
  // ---- language ---- the model lianxind and lianxinctl explain load (written by lianxinctl
  // train), and the corpus lianxinctl train learns from. The loader only records the paths:
  // daemon/language loads the model (settings.language.model stays null here).
  LanguageFiles language;
  // The same broadcast text to the same audience within this time is refused unless the
  // operator says --again (0: never refused).
  Millis broadcast_repeat_window{std::chrono::hours(24)};

  // Connections ordered by priority (stable: file order among equals).
  std::vector<const SmppConnection*> by_priority() const;
};

// What to do with the SMPP password. Only the running daemon needs it.
enum class Secrets {
  read,   // lianxind: read it (a credential outside systemd is an error)
  check,  // --check-config: read it when it can; a systemd credential outside systemd is
          // checked against the unit's LoadCredential= source file when the unit is installed
  skip,   // lianxinctl: never touch it
};

struct LoadOptions {
  // Where systemd credentials are; nullopt: $CREDENTIALS_DIRECTORY.
  std::optional<std::filesystem::path> credentials_directory;
  Secrets secrets = Secrets::read;
  // Where --check-config looks for the unit's LoadCredential= (tests point it elsewhere).
  std::vector<std::filesystem::path> unit_files{
      "/etc/systemd/system/lianxind.service", "/usr/local/lib/systemd/system/lianxind.service",
      "/lib/systemd/system/lianxind.service", "/usr/lib/systemd/system/lianxind.service"};
  // Also load and cross-check the directory CSV files (lianxind always does).
  bool load_directory = true;
  // Files checked in place of the configured ones of the same kind (a configured file replaced
  // need not exist yet): what `lianxinctl directory import` is about to install.
  DirectorySources directory_replacements;
};

struct LoadResult {
  std::optional<DaemonConfig> config;  // set only when there are no errors
  std::vector<Diagnostic> errors;
  std::vector<std::string> notes;  // for --check-config: "smpp[0]: the password is read …"
};

LoadResult load_config(const std::filesystem::path& path, const LoadOptions& options = {});

// The same from YAML text; `file_name` names it in diagnostics and relative paths are resolved
// against `base_directory`.
LoadResult load_config_text(std::string_view yaml, const std::string& file_name,
                            const std::filesystem::path& base_directory,
                            const LoadOptions& options = {});

// Only the control_socket key of the YAML file at `path` (resolved like load_config() does), for
// lianxinctl, which may not read the rest (passwords). The default when the file has no such
// key; nullopt with `error` set when the file cannot be read or parsed.
std::optional<std::filesystem::path> read_control_socket(const std::filesystem::path& path,
                                                         std::string& error);

// The effective configuration as YAML-like text for `lianxind --check-config`, passwords
// replaced by where they come from.
std::string render_config(const DaemonConfig& config);

}  // namespace lianxin::config
