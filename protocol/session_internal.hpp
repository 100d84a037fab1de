// Private to the SMPP session (protocol/session*.cpp): the small helpers its files share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/pdu.hpp"

namespace lianxin::smpp::session_detail {

constexpr std::uint32_t cmd(CommandId id) {
  return static_cast<std::uint32_t>(id);
}

inline std::string_view mode_name(BindMode mode) {
  switch (mode) {
    case BindMode::transmitter:
      return "transmitter";
    case BindMode::receiver:
      return "receiver";
    case BindMode::transceiver:
      return "transceiver";
  }
  return "?";
}

inline std::string hex(std::uint32_t value) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "0x";
  bool started = false;
  for (int shift = 28; shift >= 0; shift -= 4) {
    const auto nibble = (value >> shift) & 0xF;
    if (nibble != 0 || started || shift == 0) {
      out += digits[nibble];
      started = true;
    }
  }
  return out;
}

}  // namespace lianxin::smpp::session_detail
