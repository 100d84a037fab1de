// Small value encodings used by the store: times as milliseconds, the content hash of inbound
// parts, and JSON for a ticket's tried list and notes (readable with the sqlite3 shell).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/store/batch.hpp"

namespace lianxin::store::codec {

std::int64_t to_ms(TimePoint at);
TimePoint from_ms(std::int64_t ms);

// 64-bit FNV-1a over every field of the dedupe key (length-prefixed), stable across builds.
std::int64_t content_hash(const InboxPart& part);

std::string encode_strings(const std::vector<std::string>& items);  // ["a","b"]
std::optional<std::vector<std::string>> decode_strings(std::string_view json);

std::string encode_notes(const std::vector<domain::TicketNote>& notes);  // [[ms,"author","text"]]
std::optional<std::vector<domain::TicketNote>> decode_notes(std::string_view json);

}  // namespace lianxin::store::codec
