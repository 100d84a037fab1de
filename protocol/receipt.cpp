#include "protocol/receipt.hpp"

#include <algorithm>
#include <array>

#include "protocol/text.hpp"

namespace lianxin::sms {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex_digit(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}
char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

std::optional<unsigned> parse_count(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  unsigned v = 0;
  for (char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  return v;
}

int two_digits(std::string_view s, std::size_t at) {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// YYMMDDhhmm, YYMMDDhhmmss or YYYYMMDDhhmmss.
std::optional<ReceiptTime> parse_time(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  ReceiptTime t;
  std::size_t at = 0;
  if (s.size() == 10 || s.size() == 12) {
    t.year = 2000 + two_digits(s, 0);
    at = 2;
  } else if (s.size() == 14) {
    t.year = two_digits(s, 0) * 100 + two_digits(s, 2);
    at = 4;
  } else {
    return std::nullopt;
  }
  t.month = two_digits(s, at);
  t.day = two_digits(s, at + 2);
  t.hour = two_digits(s, at + 4);
  t.minute = two_digits(s, at + 6);
  if (s.size() - at == 10) t.second = two_digits(s, at + 8);
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
      t.second > 60) {
    return std::nullopt;
  }
  return t;
}

// Label as compared: lower case, without spaces, '_' and '-' ("Submit_Date" -> "submitdate").
std::string label_key(std::string_view label) {
  std::string key;
  for (char c : label) {
    if (!is_space(c) && c != '_' && c != '-') key.push_back(to_lower(c));
  }
  return key;
}

std::optional<std::uint64_t> parse_hex(std::string_view s) {
  if (s.empty() || s.size() > 16 || !std::all_of(s.begin(), s.end(), is_hex_digit)) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  for (char c : s) v = (v << 4) | static_cast<std::uint64_t>(is_digit(c) ? c - '0' : c - 'a' + 10);
  return v;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string to_hex(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  do {
    s.push_back(digits[v & 0xF]);
    v >>= 4;
  } while (v != 0);
  std::reverse(s.begin(), s.end());
  return s;
}

}  // namespace

const char* delivery_state_name(DeliveryState state) {
  switch (state) {
    case DeliveryState::enroute:
      return "ENROUTE";
    case DeliveryState::delivered:
      return "DELIVRD";
    case DeliveryState::expired:
      return "EXPIRED";
    case DeliveryState::deleted:
      return "DELETED";
    case DeliveryState::undeliverable:
      return "UNDELIV";
    case DeliveryState::accepted:
      return "ACCEPTD";
    case DeliveryState::unknown:
      return "UNKNOWN";
    case DeliveryState::rejected:
      return "REJECTD";
  }
  return "?";
}

std::optional<DeliveryState> delivery_state_from_tlv(std::uint8_t message_state) {
  if (message_state < 1 || message_state > 8) return std::nullopt;
  return static_cast<DeliveryState>(message_state);
}

std::optional<DeliveryState> delivery_state_from_stat(std::string_view stat) {
  std::string upper;
  for (char c : trim(stat)) upper.push_back(to_upper(c));
  if (upper.empty()) return std::nullopt;
  if (upper.size() == 1 && is_digit(upper[0])) {  // some SMSCs write the message_state number
    return delivery_state_from_tlv(static_cast<std::uint8_t>(upper[0] - '0'));
  }
  struct Prefix {
    std::string_view prefix;
    DeliveryState state;
  };
  // Longest spelling first where one prefix contains another (UNDELIV / DELIV).
  static constexpr std::array<Prefix, 10> prefixes = {{
      {"UNDELIV", DeliveryState::undeliverable},
      {"DELIV", DeliveryState::delivered},
      {"EXPIR", DeliveryState::expired},
      {"DELET", DeliveryState::deleted},
      {"ACCEPT", DeliveryState::accepted},
      {"UNKNOWN", DeliveryState::unknown},
      {"REJECT", DeliveryState::rejected},
      {"ENROUT", DeliveryState::enroute},
      {"FAIL", DeliveryState::undeliverable},
      {"UNDELIVERABLE", DeliveryState::undeliverable},
  }};
  for (const auto& p : prefixes) {
    if (std::string_view(upper).starts_with(p.prefix)) return p.state;
  }
  return std::nullopt;
}

bool is_final(DeliveryState state) {
  return state != DeliveryState::enroute && state != DeliveryState::unknown;
}

bool is_success(DeliveryState state) {
  return state == DeliveryState::delivered || state == DeliveryState::accepted;
}

bool is_receipt_esm_class(std::uint8_t esm_class) {
  const std::uint8_t type = esm_class & 0x3C;
  return type == 0x04 || type == 0x20;
}

DeliveryReceipt parse_receipt_text(std::string_view s) {
  DeliveryReceipt receipt;
  const std::size_t n = s.size();
  std::size_t pos = 0;
  const auto skip_spaces = [&](std::size_t at) {
    while (at < n && is_space(s[at])) ++at;
    return at;
  };
  const auto word_end = [&](std::size_t at) {
    while (at < n && !is_space(s[at]) && s[at] != ':') ++at;
    return at;
  };

  while (pos < n) {
    pos = skip_spaces(pos);
    if (pos >= n) break;
    const std::size_t start = pos;
    pos = word_end(pos);
    if (pos == start) {  // a stray ':'
      ++pos;
      continue;
    }
    std::string label(s.substr(start, pos - start));
    std::size_t look = skip_spaces(pos);
    if (look >= n || s[look] != ':') {
      // "submit date:" and "done date:" are two words.
      const std::string key = label_key(label);
      if (key != "submit" && key != "done") continue;
      const std::size_t second = look;
      const std::size_t second_end = word_end(second);
      look = skip_spaces(second_end);
      if (label_key(s.substr(second, second_end - second)) != "date" || look >= n ||
          s[look] != ':') {
        continue;
      }
      label += "date";
    }
    pos = look + 1;  // past ':'
    const std::string key = label_key(label);

    if (key == "text") {
      receipt.text = std::string(trim(s.substr(pos)));
      break;
    }
    // The value is the next word; spaces after the colon are skipped unless what follows is
    // itself the next label ("id: sub:001" has an empty id).
    std::size_t value_start = pos;
    if (value_start < n && is_space(s[value_start])) {
      const std::size_t next = skip_spaces(value_start);
      const std::size_t next_end = word_end(next);
      if (next_end < n && s[next_end] == ':') continue;
      value_start = next;
    }
    std::size_t value_end = value_start;
    while (value_end < n && !is_space(s[value_end])) ++value_end;
    const std::string_view value = s.substr(value_start, value_end - value_start);
    pos = value_end;

    if (key == "id") {
      receipt.message_id = std::string(value);
    } else if (key == "sub") {
      receipt.submitted = parse_count(value);
    } else if (key == "dlvrd") {
      receipt.delivered = parse_count(value);
    } else if (key == "submitdate") {
      receipt.submit_date = parse_time(value);
    } else if (key == "donedate") {
      receipt.done_date = parse_time(value);
    } else if (key == "stat") {
      receipt.stat = std::string(value);
      receipt.state = delivery_state_from_stat(value);
    } else if (key == "err") {
      receipt.error = std::string(value);
    }
  }
  return receipt;
}

ParsedReceipt parse_receipt(const ReceiptTlvs& tlvs, std::string_view text) {
  ParsedReceipt result;
  DeliveryReceipt receipt = parse_receipt_text(text);
  if (tlvs.receipted_message_id && !trim(*tlvs.receipted_message_id).empty()) {
    receipt.message_id = std::string(trim(*tlvs.receipted_message_id));
  }
  if (tlvs.message_state) {
    if (auto state = delivery_state_from_tlv(*tlvs.message_state)) {
      receipt.state = state;
      if (receipt.stat.empty()) receipt.stat = delivery_state_name(*state);
    }
  }
  if (tlvs.network_error_code) receipt.network_error = tlvs.network_error_code;
  if (receipt.message_id.empty()) {
    result.error = SmsError::not_a_receipt;
    result.detail = "no receipted_message_id TLV and no id: field";
    return result;
  }
  result.receipt = std::move(receipt);
  return result;
}

std::string normalize_message_id(std::string_view id) {
  id = trim(id);
  std::string out;
  out.reserve(id.size());
  for (char c : id) out.push_back(to_lower(c));
  const std::size_t first = out.find_first_not_of('0');
  if (first == std::string::npos) return out.empty() ? out : "0";
  return out.substr(first);
}

std::vector<std::string> message_id_variants(std::string_view id) {
  std::vector<std::string> variants;
  const std::string normal = normalize_message_id(id);
  if (normal.empty()) return variants;
  variants.push_back(normal);
  const auto add = [&](std::string v) {
    if (std::find(variants.begin(), variants.end(), v) == variants.end()) {
      variants.push_back(std::move(v));
    }
  };
  if (auto dec = parse_decimal(normal)) add(to_hex(*dec));
  if (auto hex = parse_hex(normal)) add(std::to_string(*hex));
  return variants;
}

bool same_message_id(std::string_view a, std::string_view b) {
  const std::string na = normalize_message_id(a);
  const std::string nb = normalize_message_id(b);
  if (na.empty() || nb.empty()) return false;
  if (na == nb) return true;
  const auto hex_a = parse_hex(na);
  const auto dec_b = parse_decimal(nb);
  if (hex_a && dec_b && *hex_a == *dec_b) return true;
  const auto dec_a = parse_decimal(na);
  const auto hex_b = parse_hex(nb);
  return dec_a && hex_b && *dec_a == *hex_b;
}

}  // namespace lianxin::sms
