#include "daemon/store/codec.hpp"

#include <nlohmann/json.hpp>

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

namespace {

using Json = nlohmann::json;

// Compact, UTF-8 kept as is, control characters escaped. Bytes that are not UTF-8 (no decoder
// of ours produces them) become U+FFFD rather than an exception in the middle of a commit.
std::string dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::optional<Json> parse_array(std::string_view text) {
  Json value = Json::parse(text, nullptr, false);
  if (value.is_discarded() || !value.is_array()) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_strings(const std::vector<std::string>& items) {
  return dump(Json(items));
}

std::optional<std::vector<std::string>> decode_strings(std::string_view text) {
  auto array = parse_array(text);
  if (!array) return std::nullopt;
  std::vector<std::string> items;
  items.reserve(array->size());
  for (const Json& item : *array) {
    if (!item.is_string()) return std::nullopt;
    items.push_back(item.get<std::string>());
  }
  return items;
}

std::string encode_notes(const std::vector<domain::TicketNote>& notes) {
  Json array = Json::array();
  for (const domain::TicketNote& note : notes)
    array.push_back(Json::array({to_ms(note.at), note.author, note.text}));
  return dump(array);
}

std::optional<std::vector<domain::TicketNote>> decode_notes(std::string_view text) {
  auto array = parse_array(text);
  if (!array) return std::nullopt;
  std::vector<domain::TicketNote> notes;
  notes.reserve(array->size());
  for (const Json& note : *array) {
    if (!note.is_array() || note.size() != 3 || !note[0].is_number_integer() ||
        !note[1].is_string() || !note[2].is_string())
      return std::nullopt;
    notes.push_back({from_ms(note[0].get<std::int64_t>()), note[1].get<std::string>(),
                     note[2].get<std::string>()});
  }
  return notes;
}

}  // namespace lianxin::store::codec
