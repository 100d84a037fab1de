// lianxind's command line, parsed without side effects (so it can be unit-tested).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lianxin::app {

struct CommandLine {
  enum class Mode { run, check_config, version, help, invalid };
  Mode mode = Mode::invalid;
  std::string config_path;  // run and check_config
  bool render = false;      // check_config: also print the effective configuration
  std::string error;        // invalid: what is wrong
};

CommandLine parse_command_line(const std::vector<std::string_view>& args);  // without argv[0]

std::string usage_text();
std::string version_text();

}  // namespace lianxin::app
