#include "tests/integration/daemon_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace lianxin::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::system_error errno_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// fork + exec with stdout/stderr to `out_fd`; only async-signal-safe calls after fork.
pid_t spawn(const std::vector<std::string>& argv_in, int out_fd,
            const std::vector<std::string>& environment) {
  std::vector<std::string> argv_storage = argv_in;
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = name == "NOTIFY_SOCKET" || name == "JOURNAL_STREAM" ||
                    name == "WATCHDOG_USEC" || name == "WATCHDOG_PID";
    for (const std::string& extra : environment)
      if (extra.substr(0, extra.find('=')) == name) replaced = true;
    if (!replaced) env_storage.push_back(entry);
  }
  env_storage.insert(env_storage.end(), environment.begin(), environment.end());
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw errno_error("fork");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);  // its own process group: the guard kills what it started too
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(out_fd, STDOUT_FILENO) < 0 ||
        ::dup2(out_fd, STDERR_FILENO) < 0)
      ::_exit(127);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

// ---- TempDir ----

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/lianxind-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw errno_error("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_file(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// ---- run_program ----

ProgramResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  TempDir dir;
  ProgramResult result;
  {
    ChildProcess child(argv, dir / "output");
    const auto code = child.wait_exit(timeout);
    result.exit_code = code.value_or(-1);
    result.output = child.log();
  }
  return result;
}

// ---- NotifySocket ----

NotifySocket::NotifySocket(fs::path path) : path_(std::move(path)) {
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw errno_error("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string name = path_.string();
  if (name.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long");
  std::memcpy(address.sun_path, name.c_str(), name.size() + 1);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw errno_error("bind " + name);
}

NotifySocket::~NotifySocket() {
  if (fd_ >= 0) ::close(fd_);
}

void NotifySocket::drain(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  int wait_ms = static_cast<int>(timeout.count());
  while (::poll(&p, 1, wait_ms) > 0) {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received_.emplace_back(buffer, static_cast<std::size_t>(n));
    wait_ms = 0;
  }
}

std::optional<std::string> NotifySocket::wait_for(std::string_view line,
                                                  std::chrono::milliseconds timeout, bool prefix) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t checked = 0;
  for (;;) {
    for (; checked < received_.size(); ++checked) {
      std::istringstream lines(received_[checked]);
      for (std::string l; std::getline(lines, l);)
        if (prefix ? l.starts_with(line) : l == line) return l;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    drain(std::min<std::chrono::milliseconds>(
        50ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
  }
}

// ---- ChildProcess ----

ChildProcess::ChildProcess(const std::vector<std::string>& argv, fs::path log_file,
                           const std::vector<std::string>& environment)
    : log_file_(std::move(log_file)) {
  const int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw errno_error("open " + log_file_.string());
  try {
    pid_ = spawn(argv, fd, environment);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) ::kill(-pid_, SIGKILL);  // the group: whatever the program started
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = exit_code_of(status);
    return false;
  }
  return r == 0;
}

void ChildProcess::signal(int signal) {
  if (running()) ::kill(pid_, signal);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
  return exit_code_;
}

bool ChildProcess::wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (log().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace lianxin::testing
