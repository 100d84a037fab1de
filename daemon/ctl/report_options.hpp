// What lianxinctl's read-only reports share: their options (--config, --db, the period, --csv,
// --json and command-specific ones), loading the configuration and opening the database
// read-only, each failure written as one clear line.
#pragma once

#include <iosfwd>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/ctl/reports.hpp"
#include "daemon/ctl/tickets.hpp"
#include "daemon/store/reports.hpp"

namespace lianxin::ctl {

constexpr const char* kDefaultConfigPath = "/etc/lianxin/lianxind.yaml";

struct Options {
  std::string config = kDefaultConfigPath;
  std::string db;
  Format format = Format::table;
  std::optional<std::string> period, from, to;
  std::vector<std::string> positional;
  // Command-specific options with a value: name → value(s).
  std::vector<std::pair<std::string, std::string>> values;

  std::optional<std::string> value(std::string_view name) const;
};

// Parses the common options plus `valued` ones (each takes one value); false on bad usage (the
// reason written to `err` for `command`).
bool parse_options(const Args& args, const std::set<std::string_view>& valued, bool formats,
                   bool periods, Options& options, std::ostream& err, std::string_view command);

// The configuration without secrets; also sets TZ to its time zone (dates as the county reads
// them). nullopt after writing the diagnostics.
std::optional<config::DaemonConfig> load_report_config(const Options& options, std::ostream& err);

// The database (--db, else storage.path) read-only; nullopt after writing why not.
std::optional<store::ReportReader> open_reader(const Options& options,
                                               const config::DaemonConfig& config,
                                               std::ostream& err);

}  // namespace lianxin::ctl
