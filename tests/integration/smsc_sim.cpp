#include "tests/integration/smsc_sim.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#ifndef LIANXIN_SOURCE_DIR
#error "LIANXIN_SOURCE_DIR must be defined (tests/integration/CMakeLists.txt does it)"
#endif

namespace lianxin::sim {
namespace {

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw system_error("writing to the SMSC simulator");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

std::string default_script_path() {
  return std::string(LIANXIN_SOURCE_DIR) + "/scripts/smsc-sim/smsc.js";
}

SmscSim::SmscSim(std::vector<std::string> args, std::string script) {
  const std::string dir = script.substr(0, script.rfind('/'));
  if (!exists(script)) throw std::runtime_error("SMSC simulator not found at " + script);
  if (!exists(dir + "/node_modules/smpp"))
    throw std::runtime_error(
        "the SMSC simulator's npm packages are missing: run scripts/setup (npm ci in " + dir + ")");
  const char* node_env = std::getenv("LIANXIN_NODE");
  const std::string node = node_env && *node_env ? node_env : "node";

  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_storage{node, script};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  int to_child[2];
  int from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) throw system_error("pipe");
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    throw system_error("pipe");
  }
  // A write to a simulator that died must fail with EPIPE, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]}) ::close(fd);
    throw system_error("fork");
  }
  if (pid_ == 0) {
    // Die with the test process, even if it is killed before its destructors run.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (::dup2(to_child[0], STDIN_FILENO) < 0 || ::dup2(from_child[1], STDOUT_FILENO) < 0)
      ::_exit(127);
    ::execvp(argv[0], argv.data());
    const char message[] = "smsc_sim: cannot exec node\n";
    [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  stdin_fd_ = to_child[1];
  stdout_fd_ = from_child[0];
  reader_ = std::thread([this] { read_loop(); });

  const auto listening = wait_for("listening", {}, std::chrono::seconds(20));
  if (!listening || (*listening)["port"].integer() <= 0) {
    const std::string log = transcript();
    stop_process();
    throw std::runtime_error("the SMSC simulator did not report its port; output so far:\n" + log);
  }
  port_ = static_cast<std::uint16_t>((*listening)["port"].integer());
}

SmscSim::~SmscSim() {
  stop_process();
}

void SmscSim::stop_process() {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);  // the simulator exits when its stdin closes
    stdin_fd_ = -1;
  }
  if (pid_ > 0) {
    int status = 0;
    bool reaped = false;
    for (int i = 0; i < 200 && !reaped; ++i) {  // up to 2 s for a clean exit
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR))
        reaped = true;
      else
        ::usleep(10'000);
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }
  stop_reading_ = true;
  if (reader_.joinable()) reader_.join();
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
}

void SmscSim::read_loop() {
  std::string buffer;
  char chunk[65536];
  for (;;) {
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (stop_reading_) break;  // the process is gone; do not wait for stray writers
      continue;
    }
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(n));
    std::size_t newline;
    bool added = false;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::string line = buffer.substr(0, newline);
      buffer.erase(0, newline + 1);
      std::string error;
      auto event = Json::parse(line, &error);
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
      if (event && event->is_object()) {
        std::string name = (*event)["event"].str();
        events_.push_back(Entry{std::move(*event), std::move(name), false});
      } else {
        events_.push_back(
            Entry{Json::object({{"event", "unparsable_line"}, {"line", line}, {"error", error}}),
                  "unparsable_line", false});
      }
      added = true;
    }
    if (added) changed_.notify_all();
  }
  std::lock_guard lock(mutex_);
  eof_ = true;
  changed_.notify_all();
}

void SmscSim::send(const Json& command) {
  if (stdin_fd_ < 0) throw std::runtime_error("the SMSC simulator is stopped");
  write_all(stdin_fd_, command.dump() + "\n");
}

Json SmscSim::command(Json command, std::chrono::milliseconds timeout) {
  const std::int64_t req = next_req_++;
  command.set("req", req);
  send(command);
  const auto reply = wait_for(
      "",
      [req](const Json& e) {
        return (e["event"].str() == "ack" || e["event"].str() == "error") &&
               e["req"].integer() == req;
      },
      timeout);
  if (!reply) throw std::runtime_error("no answer from the SMSC simulator to " + command.dump());
  if ((*reply)["event"].str() == "error")
    throw std::runtime_error("the SMSC simulator refused " + command.dump() + ": " +
                             (*reply)["message"].str());
  return *reply;
}

std::optional<Json> SmscSim::take_locked(std::string_view name, const Predicate& predicate) {
  for (auto& entry : events_) {
    if (entry.taken || (!name.empty() && entry.name != name)) continue;
    if (predicate && !predicate(entry.event)) continue;
    entry.taken = true;
    return entry.event;
  }
  return std::nullopt;
}

std::optional<Json> SmscSim::wait_for(std::string_view name, const Predicate& predicate,
                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (auto found = take_locked(name, predicate)) return found;
    if (eof_ || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    if (pump_) {
      lock.unlock();
      pump_();
      lock.lock();
    } else {
      changed_.wait_until(lock, deadline);
    }
  }
}

std::vector<Json> SmscSim::events(std::string_view name) const {
  std::lock_guard lock(mutex_);
  std::vector<Json> out;
  for (const auto& entry : events_)
    if (entry.name == name) out.push_back(entry.event);
  return out;
}

std::string SmscSim::transcript() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& line : lines_) out += line + "\n";
  return out;
}

bool SmscSim::running() const {
  std::lock_guard lock(mutex_);
  return !eof_;
}

Json SmscSim::ussd(const std::string& from, const std::string& text, const std::string& step,
                   const Json& map, const std::string& to) {
  Json command =
      Json::object({{"cmd", "ussd"}, {"from", from}, {"to", to}, {"text", text}, {"step", step}});
  if (!map.is_null()) command.set("map", map);
  const Json ack = this->command(command);
  const std::string id = ack["id"].str();
  auto done = wait_for("deliver_done", [&](const Json& e) { return e["id"].str() == id; });
  if (!done) throw std::runtime_error("USSD step " + step + " \"" + text + "\" not answered");
  return *done;
}

std::optional<Json> SmscSim::ussd_screen(const std::string& to, std::chrono::milliseconds timeout) {
  return wait_for(
      "ussd_screen",
      [&](const Json& e) {
        const std::string& number = e["to"].str();
        return number.size() >= to.size() &&
               number.compare(number.size() - to.size(), to.size(), to) == 0;
      },
      timeout);
}

}  // namespace lianxin::sim
