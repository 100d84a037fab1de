// lianxinctl: the operator's command-line tool.
//
//   lianxinctl explain [--config FILE] [--json] --from NUMBER TEXT...
//   lianxinctl tickets [--config FILE] [--db PATH] [--state S]... [--grid G] [--member M]
//                      [--category C] [--limit N] [--csv|--json]
//   lianxinctl ticket  [--config FILE] [--db PATH] NUMBER
//
// Exit status: 0 done, 1 the configuration could not be loaded, 2 wrong usage.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>

#include "config/daemon_config.hpp"
#include "daemon/ctl/explain.hpp"
#include "daemon/ctl/tickets.hpp"
#include "daemon/store/store.hpp"

namespace {

constexpr const char* kDefaultConfig = "/etc/lianxin/lianxind.yaml";

void usage(std::ostream& out) {
  out << "usage: lianxinctl explain [--config FILE] [--json] --from NUMBER TEXT...\n"
         "       lianxinctl tickets [--config FILE] [--db PATH] [--state S]... [--grid G]\n"
         "                          [--member M] [--category C] [--limit N] [--csv|--json]\n"
         "       lianxinctl ticket [--config FILE] [--db PATH] NUMBER\n"
         "\n"
         "  explain   how lianxind would read an SMS from NUMBER: command or report, category\n"
         "            and the keyword that chose it, grid and why, who it would go to.\n"
         "            Reads the configuration and directory only; changes nothing.\n"
         "  tickets   tickets in the daemon's database, newest first (state: new,\n"
         "            awaiting_location, dispatched, accepted, resolved, closed, reopened,\n"
         "            invalid, cancelled; grid, member and category by id)\n"
         "  ticket    one ticket and its history: every transition, who, when, why\n"
         "\n"
         "  --config FILE   the daemon's configuration (default "
      << kDefaultConfig
      << ")\n"
         "  --db PATH       the database (default: storage.path of the configuration)\n"
         "  --json, --csv   machine-readable output\n";
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

// The configuration (for names) and the store, opened read-mostly; exits on failure.
struct Context {
  lianxin::config::DaemonConfig config;
  std::optional<lianxin::store::Store> store;
};

std::optional<Context> open_context(const std::string& config_path, const std::string& db_path) {
  lianxin::config::LoadResult loaded = lianxin::config::load_config(config_path);
  if (!loaded.config) {
    std::cerr << lianxin::config::format_diagnostics(loaded.errors);
    std::cerr << "lianxinctl: cannot load " << config_path << "\n";
    return std::nullopt;
  }
  Context context{std::move(*loaded.config), std::nullopt};
  std::filesystem::path path =
      db_path.empty() ? context.config.storage.path : std::filesystem::path(db_path);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::cerr << "lianxinctl: no database at " << path.string()
              << " (has lianxind run with this configuration?)\n";
    return std::nullopt;
  }
  try {
    context.store.emplace(lianxin::store::Store::open(path.string()));
  } catch (const lianxin::store::StoreOpenError& e) {
    std::cerr << "lianxinctl: " << e.what() << "\n";
    return std::nullopt;
  }
  // Times as the county reads them.
  setenv("TZ", context.config.time_zone.c_str(), 1);
  tzset();
  return context;
}

int tickets(const std::vector<std::string_view>& args, bool one) {
  std::string config_path = kDefaultConfig, db_path;
  lianxin::store::TicketFilter filter;
  filter.limit = 200;
  lianxin::ctl::Format format = lianxin::ctl::Format::table;
  std::optional<long long> number;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    bool has_value = i + 1 < args.size();
    std::string value = has_value ? std::string(args[i + 1]) : std::string();
    if (arg == "--config" && has_value) {
      config_path = value, ++i;
    } else if (arg == "--db" && has_value) {
      db_path = value, ++i;
    } else if (!one && arg == "--state" && has_value) {
      auto state = lianxin::domain::ticket_state_from_string(value);
      if (!state) {
        std::cerr << "lianxinctl: unknown state " << value << "\n";
        return 2;
      }
      filter.states.push_back(*state), ++i;
    } else if (!one && arg == "--grid" && has_value) {
      filter.grid = value, ++i;
    } else if (!one && arg == "--member" && has_value) {
      filter.assignee = value, ++i;
    } else if (!one && arg == "--category" && has_value) {
      filter.category = value, ++i;
    } else if (!one && arg == "--limit" && has_value) {
      filter.limit = std::strtoul(value.c_str(), nullptr, 10), ++i;
    } else if (!one && arg == "--csv") {
      format = lianxin::ctl::Format::csv;
    } else if (!one && arg == "--json") {
      format = lianxin::ctl::Format::json;
    } else if (one && !number && !arg.starts_with("-")) {
      char* end = nullptr;
      std::string text(arg);
      long long n = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || n <= 0) {
        std::cerr << "lianxinctl ticket: not a ticket number: " << arg << "\n";
        return 2;
      }
      number = n;
    } else {
      std::cerr << "lianxinctl: unknown or incomplete option " << arg << "\n";
      usage(std::cerr);
      return 2;
    }
  }
  if (one && !number) {
    std::cerr << "lianxinctl ticket: which ticket? give its number\n";
    return 2;
  }
  std::optional<Context> context = open_context(config_path, db_path);
  if (!context) return 1;
  const auto& settings = context->config.settings;
  const auto& directory = context->config.directory;
  if (!one) {
    auto listed = context->store->list_tickets(filter);
    if (!listed) {
      std::cerr << "lianxinctl: " << listed.message << "\n";
      return 1;
    }
    std::cout << lianxin::ctl::render_tickets(listed.value, settings, directory, format);
    return 0;
  }
  auto found = context->store->find_ticket(*number);
  if (!found) {
    std::cerr << "lianxinctl: " << found.message << "\n";
    return 1;
  }
  if (!found.value) {
    std::cerr << "lianxinctl: no ticket " << *number << "\n";
    return 1;
  }
  auto history = context->store->ticket_history(*number);
  if (!history) {
    std::cerr << "lianxinctl: " << history.message << "\n";
    return 1;
  }
  std::cout << lianxin::ctl::render_history(*found.value, history.value, settings, directory);
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
  if (command == "tickets") return tickets(args, false);
  if (command == "ticket") return tickets(args, true);
  std::cerr << "lianxinctl: unknown command " << command << "\n";
  usage(std::cerr);
  return 2;
}
