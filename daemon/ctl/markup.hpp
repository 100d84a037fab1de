// Text for the markup lianxinctl writes (HTML, SVG, the spreadsheet's XML): one cleaning and one
// escaping function for every renderer.
#pragma once

#include <string>
#include <string_view>

#include "daemon/domain/normalize.hpp"

namespace lianxin::ctl {

// Valid UTF-8 (bad bytes become U+FFFD) without control characters (each becomes a space; tab
// and line breaks too): XML 1.0 forbids most of them and a spreadsheet rejects the file.
inline std::string clean_text(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (char32_t c : sms::utf8_to_code_points(utf8)) {
    if (c < 0x20 || c == 0x7F || c == 0xFFFE || c == 0xFFFF) c = U' ';
    sms::append_utf8(out, c);
  }
  return out;
}

// `utf8` cleaned and escaped for element text and attribute values alike.
inline std::string escape_xml(std::string_view utf8) {
  std::string out;
  for (char c : clean_text(utf8)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace lianxin::ctl
