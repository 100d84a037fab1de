#include "daemon/store/codec.hpp"

#include <charconv>

namespace lianxin::store::codec {

std::int64_t to_ms(TimePoint at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

TimePoint from_ms(std::int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

namespace {

class Fnv1a {
 public:
  void bytes(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) {
      hash_ ^= p[i];
      hash_ *= 0x100000001b3ULL;
    }
  }
  void number(std::uint64_t value) {
    unsigned char le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(value >> (8 * i));
    bytes(le, sizeof le);
  }
  void field(std::string_view text) {
    number(text.size());
    bytes(text.data(), text.size());
  }
  std::uint64_t value() const { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
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
        if (u < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
        } else {
          out.push_back(c);  // UTF-8 passes through
        }
    }
  }
  out.push_back('"');
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A strict reader for the two shapes we write (also accepts what an operator might type by hand:
// whitespace, any JSON string escape).
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }

  std::optional<std::int64_t> integer() {
    skip_space();
    std::int64_t value = 0;
    const char* begin = text_.data() + pos_;
    const auto [end, ec] = std::from_chars(begin, text_.data() + text_.size(), value);
    if (ec != std::errc{}) return std::nullopt;
    pos_ += static_cast<std::size_t>(end - begin);
    return value;
  }

  std::optional<std::string> string() {
    if (!consume('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return std::nullopt;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return std::nullopt;
          std::uint32_t code = *cp;
          if (code >= 0xD800 && code < 0xDC00) {  // a high surrogate needs its low half
            if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
              return std::nullopt;
            }
            pos_ += 2;
            auto low = hex4();
            if (!low || *low < 0xDC00 || *low >= 0xE000) return std::nullopt;
            code = 0x10000 + ((code - 0xD800) << 10) + (*low - 0xDC00);
          } else if (code >= 0xDC00 && code < 0xE000) {
            return std::nullopt;
          }
          append_utf8(out, code);
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;  // unterminated
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }
  std::optional<std::uint32_t> hex4() {
    if (pos_ + 4 > text_.size()) return std::nullopt;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<std::uint32_t>(c - 'A' + 10);
      else
        return std::nullopt;
    }
    return value;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Reads "[ item, item, ... ]" calling read_item for each; false on any syntax error.
template <class ReadItem>
bool read_array(Reader& reader, ReadItem read_item) {
  if (!reader.consume('[')) return false;
  if (reader.consume(']')) return reader.at_end();
  do {
    if (!read_item(reader)) return false;
  } while (reader.consume(','));
  return reader.consume(']') && reader.at_end();
}

}  // namespace

std::int64_t content_hash(const InboxPart& part) {
  Fnv1a h;
  h.field(part.connection);
  h.field(part.source);
  h.field(part.destination);
  h.number(part.data_coding);
  h.number(part.esm_class);
  h.number(part.payload.size());
  h.bytes(part.payload.data(), part.payload.size());
  h.number(part.concat ? 1 : 0);
  if (part.concat) {
    h.number(part.concat->ref);
    h.number(part.concat->total);
    h.number(part.concat->seq);
  }
  h.number(part.receipt ? 1 : 0);
  return static_cast<std::int64_t>(h.value());
}

std::string encode_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_json_string(out, items[i]);
  }
  out.push_back(']');
  return out;
}

std::optional<std::vector<std::string>> decode_strings(std::string_view json) {
  std::vector<std::string> items;
  Reader reader(json);
  const bool ok = read_array(reader, [&](Reader& r) {
    auto s = r.string();
    if (!s) return false;
    items.push_back(std::move(*s));
    return true;
  });
  if (!ok) return std::nullopt;
  return items;
}

std::string encode_notes(const std::vector<domain::TicketNote>& notes) {
  std::string out = "[";
  for (std::size_t i = 0; i < notes.size(); ++i) {
    if (i != 0) out.push_back(',');
    out.push_back('[');
    out += std::to_string(to_ms(notes[i].at));
    out.push_back(',');
    append_json_string(out, notes[i].author);
    out.push_back(',');
    append_json_string(out, notes[i].text);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

std::optional<std::vector<domain::TicketNote>> decode_notes(std::string_view json) {
  std::vector<domain::TicketNote> notes;
  Reader reader(json);
  const bool ok = read_array(reader, [&](Reader& r) {
    if (!r.consume('[')) return false;
    auto at = r.integer();
    if (!at || !r.consume(',')) return false;
    auto author = r.string();
    if (!author || !r.consume(',')) return false;
    auto text = r.string();
    if (!text || !r.consume(']')) return false;
    notes.push_back({from_ms(*at), std::move(*author), std::move(*text)});
    return true;
  });
  if (!ok) return std::nullopt;
  return notes;
}

}  // namespace lianxin::store::codec
