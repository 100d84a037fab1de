// libFuzzer target for the USSD dialogue (daemon/domain/ussd.hpp) over the real engine: the
// shipped menu, callers (villagers and members) sending begins, answers (digits and any bytes),
// releases, repeated and stale session numbers, with the clock moving past timeouts. Properties:
// nothing crashes; every screen sent fits one USSD message; the engine's indexes stay right.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/templates.hpp"
#include "daemon/domain/ussd.hpp"
#include "tests/fuzz/property.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/ussd_engine_port.hpp"

namespace {

using namespace lianxin::domain;

using lianxin::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Settings settings = testing::test_settings();
  settings.ussd = default_ussd_menu();
  Engine engine(settings, testing::make_directory());
  testing::EnginePort port(engine);
  UssdEngine dialogue(settings.ussd);
  TimePoint now = TimePoint{} + std::chrono::hours(24 * 20574);
  const char* const callers[] = {testing::kZhangPhone, testing::kStrangerPhone, testing::kWangPhone,
                                 testing::kVolunteerLeaderPhone};
  std::size_t at = 0;
  while (at + 2 <= size) {
    const std::uint8_t op = data[at++];
    const std::uint8_t arg = data[at++];
    UssdInput input;
    input.phone = callers[op % std::size(callers)];
    input.step = static_cast<UssdStep>((op >> 2) % 4);
    if (op & 0x40) input.session_info = static_cast<std::uint16_t>(arg * 2 + (op >> 7));
    if (op & 0x20) {
      const std::size_t n = std::min<std::size_t>(size - at, arg % 16);
      input.text.assign(reinterpret_cast<const char*>(data + at), n);
      at += n;
    } else {
      input.text = std::to_string(arg % 12);  // a digit, as callers press
    }
    if ((arg & 0xF0) == 0xF0) now += std::chrono::minutes(arg & 0x0F);
    const UssdReply reply = dialogue.handle(input, port, now);
    if (reply.send) {
      require(!reply.text.empty(), "a screen says something");
      const bool gsm = std::all_of(reply.text.begin(), reply.text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      require(utf16_length(reply.text) <= (gsm ? 182u : 80u), "a screen fits one USSD message");
    }
    dialogue.expire(now);
    require(engine.check_indexes(), "engine indexes");
  }
  return 0;
}
