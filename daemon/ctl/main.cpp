// lianxinctl: the operator's command-line tool.
//
//   lianxinctl explain [--config FILE] [--json] --from NUMBER TEXT...
//
// Exit status: 0 done, 1 the configuration could not be loaded, 2 wrong usage.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/ctl/explain.hpp"

namespace {

constexpr const char* kDefaultConfig = "/etc/lianxin/lianxind.yaml";

void usage(std::ostream& out) {
  out << "usage: lianxinctl explain [--config FILE] [--json] --from NUMBER TEXT...\n"
         "\n"
         "  explain   how lianxind would read an SMS from NUMBER: command or report, category\n"
         "            and the keyword that chose it, grid and why, who it would go to.\n"
         "            Reads the configuration and directory only; changes nothing.\n"
         "\n"
         "  --config FILE   the daemon's configuration (default "
      << kDefaultConfig
      << ")\n"
         "  --json          one JSON object instead of text\n";
}

int explain(const std::vector<std::string_view>& args) {
  std::string config_path = kDefaultConfig;
  std::string from;
  bool json = false;
  std::string text;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if ((arg == "--config" || arg == "--from") && i + 1 < args.size()) {
      (arg == "--config" ? config_path : from) = std::string(args[++i]);
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    } else if (arg.starts_with("--")) {
      std::cerr << "lianxinctl explain: unknown option " << arg << "\n";
      usage(std::cerr);
      return 2;
    } else {
      if (!text.empty()) text += ' ';
      text += arg;
    }
  }
  if (from.empty() || text.empty()) {
    std::cerr << "lianxinctl explain: give the sender with --from and the SMS text\n";
    usage(std::cerr);
    return 2;
  }
  lianxin::config::LoadResult loaded = lianxin::config::load_config(config_path);
  if (!loaded.config) {
    std::cerr << lianxin::config::format_diagnostics(loaded.errors);
    std::cerr << "lianxinctl: cannot load " << config_path << "\n";
    return 1;
  }
  lianxin::ctl::SmsExplanation explanation =
      lianxin::ctl::explain_sms(loaded.config->settings, loaded.config->directory, from, text);
  std::cout << (json ? lianxin::ctl::to_json(explanation) : lianxin::ctl::to_text(explanation));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  std::string_view command = args[0];
  args.erase(args.begin());
  if (command == "explain") return explain(args);
  std::cerr << "lianxinctl: unknown command " << command << "\n";
  usage(std::cerr);
  return 2;
}
