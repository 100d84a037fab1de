#include "daemon/app/options.hpp"

namespace lianxin::app {

#ifndef LIANXIN_VERSION
#define LIANXIN_VERSION "0.0.0"
#endif

CommandLine parse_command_line(const std::vector<std::string_view>& args) {
  CommandLine out;
  auto fail = [&](std::string why) {
    out = CommandLine{};
    out.error = std::move(why);
    return out;
  };
  bool have_mode = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    auto set_mode = [&](CommandLine::Mode mode) {
      if (have_mode && out.mode != mode) return false;
      have_mode = true;
      out.mode = mode;
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      if (!set_mode(CommandLine::Mode::help)) return fail("--help takes no other option");
    } else if (arg == "--version") {
      if (!set_mode(CommandLine::Mode::version)) return fail("--version takes no other option");
    } else if (arg == "--render") {
      out.render = true;
    } else if (arg == "--config" || arg == "-c" || arg == "--check-config") {
      const CommandLine::Mode mode =
          arg == "--check-config" ? CommandLine::Mode::check_config : CommandLine::Mode::run;
      if (!set_mode(mode)) return fail("use either --config or --check-config, once");
      if (i + 1 >= args.size() || args[i + 1].empty())
        return fail(std::string(arg) + " needs a file name");
      if (!out.config_path.empty()) return fail(std::string(arg) + " given twice");
      out.config_path = std::string(args[++i]);
    } else if (arg.starts_with("--config=")) {
      if (!set_mode(CommandLine::Mode::run)) return fail("use either --config or --check-config");
      out.config_path = std::string(arg.substr(9));
      if (out.config_path.empty()) return fail("--config needs a file name");
    } else if (arg.starts_with("--check-config=")) {
      if (!set_mode(CommandLine::Mode::check_config))
        return fail("use either --config or --check-config");
      out.config_path = std::string(arg.substr(15));
      if (out.config_path.empty()) return fail("--check-config needs a file name");
    } else {
      return fail("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (!have_mode) return fail("--config FILE is required");
  if (out.render && out.mode != CommandLine::Mode::check_config)
    return fail("--render goes with --check-config");
  return out;
}

std::string usage_text() {
  return "usage: lianxind --config FILE          run the gateway (under systemd: Type=notify)\n"
         "       lianxind --check-config FILE [--render]\n"
         "                                      validate the configuration and the directory\n"
         "                                      files it names; --render prints the effective\n"
         "                                      configuration (passwords replaced by their "
         "origin)\n"
         "       lianxind --version | --help\n"
         "signals: SIGHUP re-reads the configuration and directory (the old one stays if the new\n"
         "         one is invalid); SIGTERM/SIGINT unbind cleanly and exit.\n"
         "exit status: 0 ok, 1 configuration/storage/runtime failure, 2 bad arguments\n";
}

std::string version_text() {
  return std::string("lianxind ") + LIANXIN_VERSION + "\n";
}

}  // namespace lianxin::app
