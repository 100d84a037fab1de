// lianxinctl: the operator's command-line tool.
//
//   lianxinctl explain [--config FILE] [--json] --from NUMBER TEXT...
//   lianxinctl tickets [--config FILE] [--db PATH] [--state S]... [--grid G] [--member M]
//                      [--category C] [--limit N] [--csv|--json]
//   lianxinctl ticket  [--config FILE] [--db PATH] NUMBER
//   lianxinctl report  [--config FILE] [--db PATH] [PERIOD] [--html FILE] [--xlsx FILE]
//
// Reports read the configuration and the database; actions (status, invalidate, reassign, close,
// note, send, broadcast, broadcast-status) go to the running lianxind over its control socket
// (daemon/ctl/actions.hpp). Every command is one line of kCommands below.
//
// Exit status: 0 done; 1 failed (configuration or database unreadable, or the daemon refused
// the action); 2 wrong usage; 3 lianxind is not running; 4 permission denied on the control
// socket; 5 the connection to lianxind failed or broke.
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
#include "daemon/ctl/actions.hpp"
#include "daemon/ctl/directory_import.hpp"
#include "daemon/ctl/explain.hpp"
#include "daemon/ctl/language.hpp"
#include "daemon/ctl/report_command.hpp"
#include "daemon/ctl/reports.hpp"
#include "daemon/ctl/tickets.hpp"
#include "daemon/store/store.hpp"

namespace {

constexpr const char* kDefaultConfig = "/etc/lianxin/lianxind.yaml";

void usage(std::ostream& out) {
  out << lianxin::ctl::language_usage() << lianxin::ctl::directory_import_usage()
      << lianxin::ctl::reports_usage() << lianxin::ctl::report_usage()
      << "\n"
         "  explain   how lianxind would read an SMS from NUMBER: command, report or not\n"
         "            (thanks, greeting, feedback), the three likeliest categories, a\n"
         "            keyword override, urgency and why, grid and why, who it would go to.\n"
         "            Reads the configuration, directory and model; changes nothing.\n"
         "  triage    reports the model was unsure of, waiting for 过滤核实 at the duty desk\n"
         "  train     a new language model from the corpus (language.corpus) and, with\n"
         "            --with-corrections, the categories operators corrected; writes\n"
         "            --out (default language.model)\n"
         "  tickets   tickets in the daemon's database, newest first (state: new,\n"
         "            awaiting_location, dispatched, accepted, resolved, closed, reopened,\n"
         "            invalid, cancelled; grid, member and category by id)\n"
         "  ticket    one ticket and its history: every transition, who, when, why\n"
         "  stats     received, handled, 办理率, 按时签收率, 按时办结率, 满意率, 发回重办率,\n"
         "            median times, overdue, per county/township/grid/member/category\n"
         "  points    points totals per member or grid, from the ledger\n"
         "  directory list what the directory holds; check validates the CSV files;\n"
         "            export --xlsx writes it as a workbook to edit (a sheet per CSV file)\n"
         "  report    the period's report for township secretaries: --html (one page,\n"
         "            charts, prints on A4) and/or --xlsx (a sheet per table)\n"
         "            import installs files a clerk saved from Excel (CSV UTF-8 or GBK,\n"
         "            Unicode text) where the configuration expects them, after checking\n"
         "            them with the rest (nothing is written if anything is wrong)\n"
         "\n"
         "Actions, done by the running lianxind (recorded with your name: --as NAME, else\n"
         "$SUDO_USER or $USER):\n"
      << lianxin::ctl::actions_usage()
      << "\n"
         "  status            what lianxind's status line says, outbox counts\n"
         "  reload            re-read the configuration, directory and model (as SIGHUP), and\n"
         "                    say why when they are refused (the unit's ExecReload=)\n"
         "  invalidate        the report is not a real case (reporter and member are told)\n"
         "  reassign          hand the ticket to another member (id or phone)\n"
         "  close             close the ticket as it is (not counted as rated)\n"
         "  note              an internal note in the ticket's history (no SMS)\n"
         "  send              one SMS through the outbox (the signature is added)\n"
         "  broadcast         a notice to the members of some grids or all, skipping who\n"
         "                    opted out (退订); shows progress and the delivered / failed /\n"
         "                    pending counts from delivery receipts (--no-wait: just queue it)\n"
         "  broadcast-status  the counts of an earlier broadcast\n"
         "  order             网格点单 for a service team, on behalf of a member (--by) or\n"
         "                    of the county for a resident (--for); the leader is told\n"
         "  meeting           create a meeting members sign in to by SMS (签到 CODE), or\n"
         "                    show its attendance: who signed in, who is missing\n"
         "  --socket PATH     the control socket (default: control_socket of the\n"
         "                    configuration, else /run/lianxind/control.sock)\n"
         "\n"
         "Exit status: 0 done; 1 failed or refused by lianxind; 2 wrong usage; 3 lianxind is\n"
         "not running; 4 permission denied on the control socket; 5 connection failed.\n"
         "\n"
         "  --config FILE   the daemon's configuration (default "
      << kDefaultConfig
      << ")\n"
         "  --db PATH       the database (default: storage.path of the configuration)\n"
         "  --json, --csv   machine-readable output\n";
}

// `directory import` writes files (directory_import.hpp); `directory list|check` are reports.
// The word is the first argument that is neither an option nor the value of one.
int directory(const lianxin::ctl::Args& args, std::ostream& out, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" || args[i] == "--db") {
      ++i;
    } else if (!args[i].starts_with("-")) {
      if (args[i] != "import") break;
      lianxin::ctl::Args rest(args.begin(), args.end());
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
      return lianxin::ctl::directory_import_command(rest, out, err);
    }
  }
  return lianxin::ctl::directory_command(args, out, err);
}

template <const char* Name>
int action(const lianxin::ctl::Args& args, std::ostream& out, std::ostream& err) {
  return lianxin::ctl::action_command(Name, args, out, err);
}
constexpr char kRecategorize[] = "recategorize", kReload[] = "reload";
constexpr char kStatus[] = "status", kInvalidate[] = "invalidate", kReassign[] = "reassign",
               kClose[] = "close", kNote[] = "note", kSend[] = "send", kBroadcast[] = "broadcast",
               kBroadcastStatus[] = "broadcast-status", kOrder[] = "order", kMeeting[] = "meeting";

// Every command: its word and its function (the arguments after the word → exit status).
using CommandFn = int (*)(const lianxin::ctl::Args&, std::ostream&, std::ostream&);
const std::pair<std::string_view, CommandFn> kCommands[] = {
    // ---- language (daemon/ctl/language.hpp): configuration, model, database ----
    {"explain", lianxin::ctl::explain_command},
    {"triage", lianxin::ctl::triage_command},
    {"train", lianxin::ctl::train_command},
    // ---- reports (daemon/ctl/reports.hpp): read the configuration and the database ----
    {"tickets", lianxin::ctl::tickets_command},
    {"ticket", lianxin::ctl::ticket_command},
    {"stats", lianxin::ctl::stats_command},
    {"points", lianxin::ctl::points_command},
    {"directory", directory},
    {"report", lianxin::ctl::report_command},
    // ---- actions (daemon/ctl/actions.hpp): through lianxind's control socket ----
    {"status", action<kStatus>},
    {"reload", action<kReload>},
    {"invalidate", action<kInvalidate>},
    {"reassign", action<kReassign>},
    {"close", action<kClose>},
    {"note", action<kNote>},
    {"recategorize", action<kRecategorize>},
    {"send", action<kSend>},
    {"broadcast", action<kBroadcast>},
    {"broadcast-status", action<kBroadcastStatus>},
    {"order", action<kOrder>},
    {"meeting", action<kMeeting>},
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  std::string_view command = args[0];
  args.erase(args.begin());
  for (const auto& [name, run] : kCommands)
    if (command == name) return run(args, std::cout, std::cerr);
  std::cerr << "lianxinctl: unknown command " << command << "\n";
  usage(std::cerr);
  return 2;
}
