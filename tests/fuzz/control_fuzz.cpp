// libFuzzer target for the control socket's protocol (daemon/app/control_protocol.hpp): bytes in
// any chunking through the line buffer, each line parsed as a request and its fields read the way
// the commands read them. Properties: nothing crashes; a request either parses or says why; the
// buffer never hands out a line longer than its limit.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "daemon/app/control_protocol.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using namespace lianxin::control;

using lianxin::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kLimit = 4096;
  LineBuffer lines(kLimit);
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t chunk = 1 + static_cast<unsigned char>(bytes[at]) % 97;
    lines.append(bytes.substr(at, chunk));
    at += chunk;
    while (auto line = lines.next()) {
      require(line->size() <= kLimit, "a line within the limit");
      ParsedRequest parsed = parse_request(*line);
      require(parsed.request.has_value() != !parsed.error.empty(), "request xor error");
      if (!parsed.request) continue;
      Fields fields(parsed.request->body);
      (void)fields.string("operator", false, 64);
      (void)fields.string("text", true, 1000);
      (void)fields.integer("ticket", true, 1, INT64_MAX);
      (void)fields.boolean("wait");
      (void)fields.strings("grids", 5000);
      require(fields.ok() == fields.error().empty(), "an error exactly when not ok");
      (void)to_line(error_reply(parsed.request->cmd));
    }
    if (lines.overflow()) break;
  }
  return 0;
}
