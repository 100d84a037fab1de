#include "daemon/ctl/report_options.hpp"

#include <cstdlib>
#include <ctime>
#include <iostream>

#include "config/diagnostic.hpp"

namespace lianxin::ctl {

std::optional<std::string> Options::value(std::string_view name) const {
  std::optional<std::string> found;
  for (const auto& [n, v] : values)
    if (n == name) found = v;
  return found;
}

bool parse_options(const Args& args, const std::set<std::string_view>& valued, bool formats,
                   bool periods, Options& options, std::ostream& err, std::string_view command) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    auto take = [&]() { return std::string(args[++i]); };
    if (arg == "--config" || arg == "--db" ||
        (periods && (arg == "--period" || arg == "--from" || arg == "--to")) || valued.count(arg)) {
      if (!has_value) {
        err << "lianxinctl " << command << ": " << arg << " needs a value\n";
        return false;
      }
      if (arg == "--config")
        options.config = take();
      else if (arg == "--db")
        options.db = take();
      else if (arg == "--period")
        options.period = take();
      else if (arg == "--from")
        options.from = take();
      else if (arg == "--to")
        options.to = take();
      else
        options.values.emplace_back(std::string(arg), take());
    } else if (formats && arg == "--csv") {
      options.format = Format::csv;
    } else if (formats && arg == "--json") {
      options.format = Format::json;
    } else if (arg.starts_with("--")) {
      err << "lianxinctl " << command << ": unknown option " << arg
          << " (lianxinctl --help lists them)\n";
      return false;
    } else {
      options.positional.emplace_back(arg);
    }
  }
  return true;
}

std::optional<config::DaemonConfig> load_report_config(const Options& options, std::ostream& err) {
  config::LoadOptions load_options;
  load_options.secrets = config::Secrets::skip;  // only lianxind needs the SMPP password
  config::LoadResult loaded = config::load_config(options.config, load_options);
  if (!loaded.config) {
    err << config::format_diagnostics(loaded.errors);
    err << "lianxinctl: cannot load " << options.config << "\n";
    return std::nullopt;
  }
  // Dates and times as the county reads them.
  setenv("TZ", loaded.config->time_zone.c_str(), 1);
  tzset();
  return std::move(*loaded.config);
}

std::optional<store::ReportReader> open_reader(const Options& options,
                                               const config::DaemonConfig& config,
                                               std::ostream& err) {
  const std::string path = options.db.empty() ? config.storage.path.string() : options.db;
  try {
    return store::ReportReader::open(path);
  } catch (const store::StoreOpenError& e) {
    err << "lianxinctl: " << e.what() << "\n";
    return std::nullopt;
  }
}

}  // namespace lianxin::ctl
