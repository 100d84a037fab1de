// libFuzzer target for the configuration loader (config/daemon_config.hpp): any bytes as the YAML
// file (the directory files and secrets are not read). Properties: it never throws or crashes;
// it returns a configuration or located errors, never both, never neither.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config/daemon_config.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using lianxin::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lianxin::config::LoadOptions options;
  options.load_directory = false;
  options.secrets = lianxin::config::Secrets::skip;
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const lianxin::config::LoadResult result =
      lianxin::config::load_config_text(yaml, "fuzz.yaml", "/nonexistent", options);
  require(result.config.has_value() == result.errors.empty(), "a configuration xor errors");
  for (const auto& error : result.errors) {
    require(error.file == "fuzz.yaml", "errors name the file");
    require(!error.message.empty(), "errors say what is wrong");
  }
  return 0;
}
