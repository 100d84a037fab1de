// Runs the real lianxind (or any program) from integration tests.
//
// Every process started here is killed (SIGKILL) and reaped when its guard goes away, and dies
// with the test process if that is killed first (PR_SET_PDEATHSIG), so a failing test never
// leaves a daemon behind. Output goes to a file the test can read while the process runs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path);

struct ProgramResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string output;  // stdout and stderr together
};

// Runs a program to its end (killed after `timeout`).
ProgramResult run_program(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(20));

// A datagram socket standing in for systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Waits for a datagram containing the line `line` (e.g. "READY=1"), or a line starting with
  // it when `prefix`; every datagram received so far counts. Returns that line.
  std::optional<std::string> wait_for(std::string_view line, std::chrono::milliseconds timeout,
                                      bool prefix = false);
  const std::vector<std::string>& received() const { return received_; }

 private:
  void drain(std::chrono::milliseconds timeout);
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> received_;
};

class ChildProcess {
 public:
  // Starts argv[0] with stdout and stderr appended to `log_file`; `environment` entries
  // ("NAME=value") are added to (or replace) the inherited environment.
  ChildProcess(const std::vector<std::string>& argv, std::filesystem::path log_file,
               const std::vector<std::string>& environment = {});
  ~ChildProcess();  // SIGKILL + reap if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int signal);
  // The exit code (128 + signal when killed), or nullopt if still running after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  std::string log() const { return read_file(log_file_); }
  // Waits until the log contains `needle`.
  bool wait_for_log(std::string_view needle, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path log_file_;
};

}  // namespace lianxin::testing
