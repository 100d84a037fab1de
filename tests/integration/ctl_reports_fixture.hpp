// The fixture of the tests that run lianxinctl's read-only commands as an operator does: the
// real binary on a copy of the demo configuration (in a temp directory, removed afterwards) and
// a database the test writes through store::Store (what lianxind writes).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lianxin::testing {

struct CtlRun {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A shell word that stays one word whatever it holds.
inline std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class CtlReportsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / "lianxin-ctl-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    fs::copy(fs::path(LIANXIN_SOURCE_DIR) / "config" / "demo", dir_ / "conf",
             fs::copy_options::recursive);
    fs::permissions(dir_ / "conf" / "smpp.password", fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    config_ = (dir_ / "conf" / "demo.yaml").string();
    db_ = (dir_ / "lianxin.db").string();
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Runs a program to its end (it exits by itself), stdout and stderr apart.
  CtlRun program(const std::vector<std::string>& argv) {
    std::string command;
    for (const std::string& a : argv) command += (command.empty() ? "" : " ") + quoted(a);
    const std::filesystem::path out = dir_ / "out.txt", err = dir_ / "err.txt";
    command += " >" + quoted(out.string()) + " 2>" + quoted(err.string());
    CtlRun run;
    const int raw = std::system(command.c_str());
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    run.out = slurp(out);
    run.err = slurp(err);
    return run;
  }
  CtlRun ctl(std::vector<std::string> args) {
    args.insert(args.begin(), LIANXINCTL_PATH);
    return program(args);
  }

  std::filesystem::path dir_;
  std::string config_, db_;
};

}  // namespace lianxin::testing
