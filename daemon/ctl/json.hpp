// JSON output of lianxinctl: one string-quoting function for every command.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace lianxin::ctl {

// `text` (UTF-8) as a JSON string literal; control characters escaped, the rest kept as is.
inline std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace lianxin::ctl
