#include "daemon/ctl/actions.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "config/daemon_config.hpp"

namespace lianxin::ctl {

using Json = nlohmann::json;

namespace {

struct ActionSpec {
  std::string_view name;
  std::string_view usage;  // after "lianxinctl NAME "
};

constexpr ActionSpec kActions[] = {
    {"status", ""},
    {"reload", ""},
    {"invalidate", "TICKET --reason REASON"},
    {"reassign", "TICKET --to MEMBER --reason REASON"},
    {"close", "TICKET --reason REASON"},
    {"note", "TICKET --text TEXT"},
    {"recategorize", "TICKET CATEGORY [--reason REASON]"},
    {"send", "--to NUMBER TEXT..."},
    {"broadcast", "(--grids G1,G2 | --all) [--no-wait] [--valid HOURS] [--again] TEXT..."},
    {"broadcast-status", "ID"},
    {"order", "--team TEAM [--by MEMBER] [--for RESIDENT] TEXT..."},
    {"meeting",
     "create CODE --title TITLE --from \"YYYY-MM-DD HH:MM\" --to \"YYYY-MM-DD HH:MM\" "
     "[--grids G1,G2] | meeting attendance CODE"},
};

const ActionSpec* find_action(std::string_view name) {
  for (const ActionSpec& spec : kActions)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::string usage_line(const ActionSpec& spec) {
  std::string line = "lianxinctl " + std::string(spec.name);
  if (!spec.usage.empty()) line += " " + std::string(spec.usage);
  return line + " [--config FILE | --socket PATH] [--as NAME] [--json]";
}

std::optional<long long> positive_number(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value <= 0) return std::nullopt;
  return value;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string item(text.substr(start, end - start));
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

long long count_of(const Json& reply, const char* key) {
  auto it = reply.find(key);
  return it != reply.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

std::string string_of(const Json& reply, const char* key) {
  auto it = reply.find(key);
  return it != reply.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string seconds_of(const Json& reply) {
  auto it = reply.find("seconds");
  if (it == reply.end() || !it->is_number()) return "";
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << it->get<double>() << " s";
  return out.str();
}

}  // namespace

bool is_action(std::string_view name) {
  return find_action(name) != nullptr;
}

std::string actions_usage() {
  std::string out;
  for (const ActionSpec& spec : kActions) out += "       " + usage_line(spec) + "\n";
  return out;
}

ActionCall parse_action(std::string_view command, const std::vector<std::string_view>& args,
                        const std::map<std::string, std::string>& environment,
                        const std::string& default_config) {
  ActionCall call;
  call.config_path = default_config;
  const ActionSpec* spec = find_action(command);
  if (spec == nullptr) {
    call.error = "unknown command " + std::string(command);
    return call;
  }
  auto usage_error = [&](const std::string& what) {
    call.error = what + "\nusage: " + usage_line(*spec);
    return call;
  };
  std::string operator_name;
  for (const char* variable : {"SUDO_USER", "USER"}) {
    auto it = environment.find(variable);
    if (it != environment.end() && !it->second.empty()) {
      operator_name = it->second;
      break;
    }
  }
  std::optional<std::string> reason, to, text_option, grids, valid, team, by, resident, title, from;
  bool all = false, no_wait = false, again = false;
  std::vector<std::string> words;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const bool has_value = i + 1 < args.size();
    auto value = [&](std::optional<std::string>& into) { into = std::string(args[++i]); };
    if (arg == "--config" && has_value) {
      call.config_path = std::string(args[++i]);
    } else if (arg == "--socket" && has_value) {
      call.socket = std::string(args[++i]);
    } else if (arg == "--as" && has_value) {
      operator_name = std::string(args[++i]);
    } else if (arg == "--json") {
      call.json = true;
    } else if (arg == "--reason" && has_value) {
      value(reason);
    } else if (arg == "--to" && has_value) {
      value(to);
    } else if (arg == "--text" && has_value) {
      value(text_option);
    } else if (arg == "--grids" && has_value) {
      value(grids);
    } else if (arg == "--valid" && has_value) {
      value(valid);
    } else if (arg == "--team" && has_value) {
      value(team);
    } else if (arg == "--by" && has_value) {
      value(by);
    } else if (arg == "--for" && has_value) {
      value(resident);
    } else if (arg == "--title" && has_value) {
      value(title);
    } else if (arg == "--from" && has_value) {
      value(from);
    } else if (arg == "--all") {
      all = true;
    } else if (arg == "--no-wait") {
      no_wait = true;
    } else if (arg == "--again") {
      again = true;
    } else if (arg == "--") {
      for (++i; i < args.size(); ++i) words.emplace_back(args[i]);
    } else if (arg.starts_with("--")) {
      return usage_error("unknown or incomplete option " + std::string(arg));
    } else {
      words.emplace_back(arg);
    }
  }
  auto joined = [&](std::size_t from) {
    std::string text;
    for (std::size_t i = from; i < words.size(); ++i) text += (text.empty() ? "" : " ") + words[i];
    return text;
  };

  Json& request = call.request;
  request = Json::object();
  request["cmd"] = std::string(command);
  if (!operator_name.empty()) request["operator"] = operator_name;

  if (command == "status" || command == "reload") {
    if (!words.empty()) return usage_error(std::string(command) + " takes no arguments");
    return call;
  }
  if (command == "invalidate" || command == "close" || command == "reassign" || command == "note") {
    if (words.empty()) return usage_error("which ticket? give its number");
    auto number = positive_number(words[0]);
    if (!number) return usage_error("not a ticket number: " + words[0]);
    request["ticket"] = *number;
    if (command == "note") {
      std::string text = text_option.value_or(joined(1));
      if (text_option && words.size() > 1) return usage_error("give the note once");
      if (text.empty()) return usage_error("the note is empty: give --text TEXT");
      request["text"] = text;
      return call;
    }
    if (words.size() > 1) return usage_error("unexpected " + words[1] + " (quote the reason)");
    if (!reason || reason->empty()) return usage_error("give the reason with --reason");
    request["reason"] = *reason;
    if (command == "reassign") {
      if (!to || to->empty()) return usage_error("give the member with --to (id or phone)");
      request["to"] = *to;
    }
    return call;
  }
  if (command == "recategorize") {
    if (words.empty()) return usage_error("which ticket? give its number");
    auto number = positive_number(words[0]);
    if (!number) return usage_error("not a ticket number: " + words[0]);
    if (words.size() < 2) return usage_error("give the category id (e.g. streetlight)");
    if (words.size() > 2) return usage_error("unexpected " + words[2] + " (quote the reason)");
    request["ticket"] = *number;
    request["category"] = words[1];
    request["reason"] = reason.value_or("");
    return call;
  }
  if (command == "send") {
    if (!to || to->empty()) return usage_error("give the number with --to");
    const std::string text = text_option.value_or(joined(0));
    if (text.empty()) return usage_error("the SMS text is empty");
    request["to"] = *to;
    request["text"] = text;
    return call;
  }
  if (command == "broadcast") {
    if (all == grids.has_value()) return usage_error("choose --grids G1,G2 or --all");
    if (grids) {
      std::vector<std::string> list = split_commas(*grids);
      if (list.empty()) return usage_error("--grids names no grid");
      request["grids"] = list;
    } else {
      request["all"] = true;
    }
    const std::string text = text_option.value_or(joined(0));
    if (text.empty()) return usage_error("the notice text is empty");
    request["text"] = text;
    request["wait"] = !no_wait;
    if (again) request["again"] = true;
    if (valid) {
      auto hours = positive_number(*valid);
      if (!hours || *hours > 24 * 30) return usage_error("--valid takes hours, 1 to 720");
      request["valid_hours"] = *hours;
    }
    return call;
  }
  if (command == "order") {
    if (!team || team->empty()) return usage_error("give the service team with --team");
    const std::string text = text_option.value_or(joined(0));
    if (text.empty()) return usage_error("say what is needed (the order's text)");
    request["team"] = *team;
    request["text"] = text;
    if (by) request["by"] = *by;
    if (resident) request["resident"] = *resident;
    return call;
  }
  if (command == "meeting") {
    if (words.size() != 2 || (words[0] != "create" && words[0] != "attendance"))
      return usage_error("meeting create CODE ... or meeting attendance CODE");
    request["code"] = words[1];
    if (words[0] == "attendance") {
      request["cmd"] = "meeting-attendance";
      return call;
    }
    request["cmd"] = "meeting-create";
    if (!title || title->empty()) return usage_error("give the meeting's --title");
    if (!from || !to) return usage_error("give the time window with --from and --to");
    request["title"] = *title;
    request["from"] = *from;
    request["to"] = *to;
    if (grids) request["grids"] = split_commas(*grids);
    return call;
  }
  // broadcast-status
  if (words.size() != 1) return usage_error("which broadcast? give its id");
  auto id = positive_number(words[0]);
  if (!id) return usage_error("not a broadcast id: " + words[0]);
  request["id"] = *id;
  return call;
}

Exchange exchange(const std::string& socket_path, const Json& request,
                  const std::function<void(const Json&)>& on_progress,
                  std::chrono::milliseconds line_timeout) {
  Exchange result;
  auto fail = [&](int code, std::string message) {
    result.exit_code = code;
    result.error = std::move(message);
    return result;
  };
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof address.sun_path)
    return fail(kExitUsage, "bad control socket path \"" + socket_path + "\"");
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(kExitConnection, std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    const std::string hint = "; is lianxind running? see: systemctl status lianxind";
    if (error == ENOENT || error == ENOTDIR)
      return fail(kExitNotRunning,
                  "lianxind is not running: no control socket at " + socket_path + hint);
    if (error == ECONNREFUSED)
      return fail(kExitNotRunning, "lianxind is not running: nothing listens on " + socket_path +
                                       " (a socket left behind)" + hint);
    if (error == EACCES || error == EPERM)
      return fail(kExitPermission, "permission denied on " + socket_path +
                                       ": operators need to be in the socket's group (ls -l " +
                                       socket_path + "), or run lianxinctl with sudo");
    return fail(kExitConnection,
                "cannot connect to " + socket_path + ": " + std::strerror(error) + hint);
  }
  std::string line = request.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  std::size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(kExitConnection, std::string("cannot send the request: ") + std::strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string buffer;
  char chunk[4096];
  for (;;) {
    std::size_t end;
    while ((end = buffer.find('\n')) != std::string::npos) {
      const std::string text = buffer.substr(0, end);
      buffer.erase(0, end + 1);
      Json message = Json::parse(text, nullptr, false);
      if (message.is_discarded() || !message.is_object())
        return fail(kExitConnection,
                    "lianxind sent something that is not a JSON object: " + text.substr(0, 200));
      if (message.contains("ok")) {
        result.reply = std::move(message);
        result.exit_code = (*result.reply)["ok"] == true ? kExitOk : kExitRefused;
        return result;
      }
      if (message.contains("progress") && on_progress) on_progress(message["progress"]);
    }
    if (buffer.size() > (1u << 20)) return fail(kExitConnection, "lianxind's answer is too long");
    pollfd waiting{fd, POLLIN, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(line_timeout.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0)
      return fail(kExitConnection, "lianxind did not answer within " +
                                       std::to_string(line_timeout.count() / 1000) + " s");
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return fail(kExitConnection,
                  "lianxind closed the connection before answering (it may be stopping)");
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string render_progress(const Json& p) {
  std::ostringstream out;
  out << "broadcast " << count_of(p, "id") << ": ";
  if (p.contains("total")) {
    out << count_of(p, "submitted") + count_of(p, "delivered") + count_of(p, "failed") +
               count_of(p, "expired")
        << "/" << count_of(p, "total") << " sent, " << count_of(p, "delivered") << " delivered, "
        << count_of(p, "failed") + count_of(p, "expired") << " failed, " << count_of(p, "pending")
        << " pending";
    if (auto s = seconds_of(p); !s.empty()) out << " (" << s << ")";
  } else {
    out << count_of(p, "queued") << " SMS queued";
    if (count_of(p, "skipped")) out << ", " << count_of(p, "skipped") << " opted out (退订)";
  }
  return out.str();
}

std::string render_reply(std::string_view command, const Json& reply) {
  std::ostringstream out;
  if (command == "reload") {
    out << "lianxind reloaded: " << string_of(reply, "reloaded") << "\n";
    return out.str();
  }
  if (command == "status") {
    out << "lianxind: " << string_of(reply, "status") << "\n";
    if (reply.contains("outbox") && reply["outbox"].is_object()) {
      out << "outbox:";
      for (auto& [state, n] : reply["outbox"].items()) out << " " << state << " " << n;
      out << "\n";
    }
    return out.str();
  }
  if (command == "send") {
    out << "SMS to " << string_of(reply, "to") << " queued\n";
    return out.str();
  }
  if (command == "broadcast" && !reply.contains("total")) {
    const long long id = count_of(reply, "id");
    out << "broadcast " << id << " queued: " << count_of(reply, "recipients") << " SMS";
    if (count_of(reply, "skipped")) out << ", " << count_of(reply, "skipped") << " opted out";
    out << "\nfollow it with: lianxinctl broadcast-status " << id << "\n";
    return out.str();
  }
  if (command == "broadcast" || command == "broadcast-status") {
    const long long failed = count_of(reply, "failed") + count_of(reply, "expired");
    out << "broadcast " << count_of(reply, "id");
    if (command == "broadcast-status") {
      out << " (" << string_of(reply, "audience") << ", by " << string_of(reply, "operator")
          << "): " << string_of(reply, "text") << "\n  ";
    } else {
      out << (reply.value("done", false) ? " done" : " finished waiting");
      if (auto s = seconds_of(reply); !s.empty()) out << " in " << s;
      out << ": ";
    }
    out << count_of(reply, "total") << " SMS, " << count_of(reply, "delivered") << " delivered, "
        << failed << " failed, " << count_of(reply, "pending") << " pending";
    if (count_of(reply, "skipped")) out << " (" << count_of(reply, "skipped") << " opted out)";
    out << "\n";
    if (auto note = string_of(reply, "note"); !note.empty()) out << "  " << note << "\n";
    return out.str();
  }
  if (command == "meeting" && reply.contains("invited")) {
    const auto& present = reply["present"];
    const auto& missing = reply["missing"];
    out << "meeting " << string_of(reply, "code") << " " << string_of(reply, "title") << ": "
        << present.size() << " of " << count_of(reply, "invited") << " signed in\n";
    for (const Json& row : present)
      out << "  present  " << string_of(row, "name") << " (" << string_of(row, "member") << ")\n";
    for (const Json& row : missing)
      out << "  missing  " << string_of(row, "name") << " (" << string_of(row, "member") << ") "
          << string_of(row, "phone") << "\n";
    return out.str();
  }
  if (command == "meeting") {
    out << "meeting " << string_of(reply, "code") << " created: " << string_of(reply, "title")
        << "\n";
    return out.str();
  }
  if (command == "order") out << "order: ";
  // ticket actions
  out << "ticket " << count_of(reply, "ticket");
  if (auto state = string_of(reply, "state"); !state.empty()) out << ": now " << state;
  if (auto assignee = string_of(reply, "assignee"); !assignee.empty() && command == "reassign")
    out << ", with " << assignee;
  if (count_of(reply, "sms")) out << " (" << count_of(reply, "sms") << " SMS queued)";
  out << "\n";
  return out.str();
}

int action_command(std::string_view command, const std::vector<std::string_view>& args,
                   std::ostream& out, std::ostream& err) {
  std::map<std::string, std::string> environment;
  for (const char* name : {"SUDO_USER", "USER"})
    if (const char* value = std::getenv(name)) environment[name] = value;
  ActionCall call = parse_action(command, args, environment, "/etc/lianxin/lianxind.yaml");
  if (!call.error.empty()) {
    err << "lianxinctl " << command << ": " << call.error << "\n";
    return kExitUsage;
  }
  std::string socket = call.socket;
  if (socket.empty()) {
    std::string error;
    auto path = config::read_control_socket(call.config_path, error);
    if (!path) {
      err << "lianxinctl: cannot read the control socket's path: " << error
          << "\n  (give --config FILE or --socket PATH)\n";
      return kExitUsage;
    }
    if (path->empty()) {
      err << "lianxinctl: " << call.config_path
          << " disables the control socket (control_socket: \"\")\n";
      return kExitNotRunning;
    }
    socket = path->string();
  }
  const bool terminal = ::isatty(STDOUT_FILENO) == 1;
  bool progress_shown = false;
  std::optional<long long> broadcast_id;  // known from the first progress line
  auto on_progress = [&](const Json& progress) {
    if (progress.contains("id") && progress["id"].is_number_integer()) {
      broadcast_id = progress["id"].get<long long>();
    }
    if (call.json) {
      out << Json{{"progress", progress}}.dump() << "\n" << std::flush;
      return;
    }
    // On a terminal one line updated in place; in a file or pipe one line each.
    out << (terminal ? "\r\033[K" : "") << render_progress(progress) << (terminal ? "" : "\n")
        << std::flush;
    progress_shown = true;
  };
  Exchange result = exchange(socket, call.request, on_progress, std::chrono::seconds(60));
  if (progress_shown && terminal) out << "\n";
  if (!result.reply) {
    err << "lianxinctl " << command << ": " << result.error << "\n";
    if (broadcast_id) {
      // It is stored: it goes on when lianxind is back. Sending it again would send it twice.
      err << "broadcast " << *broadcast_id
          << " is stored and continues when lianxind runs again (systemctl status lianxind);"
             " follow it with: lianxinctl broadcast-status "
          << *broadcast_id << "\ndo not send it again: every member would get it twice\n";
    }
    return result.exit_code;
  }
  const Json& reply = *result.reply;
  if (result.exit_code != kExitOk) {
    err << "lianxinctl " << command << ": " << string_of(reply, "error") << "\n";
    if (call.json) out << reply.dump() << "\n";
    return kExitRefused;
  }
  out << (call.json ? reply.dump() + "\n" : render_reply(command, reply));
  return kExitOk;
}

}  // namespace lianxin::ctl
