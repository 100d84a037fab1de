#include "daemon/domain/grammar.hpp"

#include <algorithm>
#include <array>

#include "daemon/domain/grammar_words.hpp"
#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {

namespace {

using text::is_ascii_alpha;
using text::is_ascii_digit;
using text::is_punctuation;
using text::is_space;
using text::MatchText;
using namespace grammar_words;  // Text, the keyword tables and phrase lists

constexpr std::size_t kMaxTicketDigits = 12;
// Fewer digits than a local number are not a phone number ("代 3号楼…").
constexpr std::size_t kMinPhoneDigits = 7;
// A member's text with this many ideographs is a report even if it mentions an acknowledgement
// somewhere in the middle (unless it starts with one).
constexpr int kLongReportIdeographs = 15;

bool starts_with(Text s, Text prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool ends_with(Text s, Text suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool is_separator(char32_t c) {
  return is_space(c) || is_punctuation(c);
}

std::u32string without_spaces(Text s) {
  std::u32string out;
  for (char32_t c : s) {
    if (!is_space(c)) out.push_back(c);
  }
  return out;
}

int count_ideographs(Text s) {
  return static_cast<int>(std::count_if(s.begin(), s.end(), text::is_cjk_ideograph));
}

bool has_ideograph(Text s) {
  return count_ideographs(s) > 0;
}

bool contains(Text s, Text needle) {
  return s.find(needle) != Text::npos;
}

Text trim_separators(Text s) {
  while (!s.empty() && is_separator(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_separator(s.back())) s.remove_suffix(1);
  return s;
}

std::u32string strip_courtesy(Text compact);

std::size_t skip_separators(Text s, std::size_t i) {
  while (i < s.size() && is_separator(s[i])) ++i;
  return i;
}

// End of a maximal run of Chinese numeral characters starting at i.
std::size_t numeral_run_end(Text s, std::size_t i) {
  while (i < s.size() && text::is_chinese_numeral_char(s[i])) ++i;
  return i;
}

// After a Chinese numeral, the number must end: "接一二三" is 123 but "完成一切正常" is a note.
bool numeral_ends_at(Text s, std::size_t i) {
  return i >= s.size() || is_separator(s[i]) || s[i] == U'号';
}

bool whole_chinese_numeral_at(Text s, std::size_t i) {
  const std::size_t end = numeral_run_end(s, i);
  return end > i && numeral_ends_at(s, end) &&
         text::parse_chinese_number(s.substr(i, end - i)).has_value();
}

bool boundary_ok(Text s, std::size_t i, Boundary boundary) {
  switch (boundary) {
    case Boundary::any:
      return true;
    case Boundary::latin:
      return i >= s.size() || !is_ascii_alpha(s[i]);
    case Boundary::strict:
      return i >= s.size() || is_separator(s[i]) || is_ascii_digit(s[i]) || s[i] == U'第' ||
             whole_chinese_numeral_at(s, i);
  }
  return false;
}

template <std::size_t N>
const Keyword* match_prefix(const std::array<Keyword, N>& table, Text s, bool force_strict) {
  for (const Keyword& k : table) {
    if (!starts_with(s, k.word)) continue;
    Boundary b = k.boundary;
    if (force_strict && b == Boundary::any) b = Boundary::strict;
    if (boundary_ok(s, k.word.size(), b)) return &k;
  }
  return nullptr;
}

template <std::size_t N>
const Keyword* match_whole(const std::array<Keyword, N>& table, Text compact) {
  for (const Keyword& k : table) {
    if (compact == k.word) return &k;
  }
  return nullptr;
}

// Does `s` begin with any command word, with a strict boundary after it?
bool starts_with_command_word(Text s) {
  return match_prefix(kMemberPrefixKeywords, s, true) != nullptr ||
         match_prefix(kMemberWholeWords, s, true) != nullptr ||
         match_prefix(kResidentPrefixKeywords, s, true) != nullptr;
}

enum class NumberStatus { none, found, malformed };

struct NumberScan {
  NumberStatus status = NumberStatus::none;
  TicketNo value = 0;
  std::size_t end = 0;  // where the rest of the message starts
};

// A ticket number at i (after separators): [#|第|NO[.]] digits-or-numeral [号|#].
NumberScan scan_ticket_number(Text s, std::size_t i) {
  NumberScan scan;
  scan.end = i;
  std::size_t j = skip_separators(s, i);
  if (j < s.size() && s[j] == U'第') {
    j = skip_separators(s, j + 1);
  } else if (starts_with(s.substr(j), U"NO") && (j + 2 >= s.size() || !is_ascii_alpha(s[j + 2]))) {
    j = skip_separators(s, j + 2);
  }
  if (j >= s.size()) return scan;
  std::size_t end = j;
  std::optional<std::int64_t> value;
  if (is_ascii_digit(s[j])) {
    while (end < s.size() && is_ascii_digit(s[end])) ++end;
    if (end - j > kMaxTicketDigits || (end < s.size() && is_ascii_alpha(s[end]))) {
      scan.status = NumberStatus::malformed;
      return scan;
    }
    std::int64_t v = 0;
    for (std::size_t k = j; k < end; ++k) v = v * 10 + (s[k] - U'0');
    value = v;
  } else if (text::is_chinese_numeral_char(s[j])) {
    end = numeral_run_end(s, j);
    if (!numeral_ends_at(s, end)) return scan;  // prose, not a number
    value = text::parse_chinese_number(s.substr(j, end - j));
    if (!value) return scan;
  } else {
    return scan;
  }
  if (*value <= 0) {
    scan.status = NumberStatus::malformed;
    return scan;
  }
  std::size_t after = end;  // "12号", "12 号", "12#"
  while (after < s.size() && is_space(s[after])) ++after;
  if (after < s.size() && (s[after] == U'号' || s[after] == U'#')) end = after + 1;
  scan.status = NumberStatus::found;
  scan.value = *value;
  scan.end = end;
  return scan;
}

// The user's own characters from i on, without leading/trailing separators.
std::string rest_of_original(const MatchText& m, std::size_t i) {
  std::size_t b = std::min(i, m.original.size());
  std::size_t e = m.original.size();
  while (b < e && is_separator(text::to_half_width(m.original[b]))) ++b;
  while (e > b && is_separator(text::to_half_width(m.original[e - 1]))) --e;
  return sms::code_points_to_utf8(Text(m.original).substr(b, e - b));
}

Text rest_of_key(const MatchText& m, std::size_t i) {
  const Text key(m.key);
  return key.substr(std::min(skip_separators(key, i), key.size()));
}

std::string trimmed_original(std::string_view text) {
  std::u32string cps = sms::utf8_to_code_points(text);
  std::size_t b = 0, e = cps.size();
  while (b < e && is_space(cps[b])) ++b;
  while (e > b && is_space(cps[e - 1])) --e;
  return sms::code_points_to_utf8(Text(cps).substr(b, e - b));
}

std::optional<TicketNo> ticket_of(const NumberScan& scan) {
  if (scan.status == NumberStatus::found) return scan.value;
  return std::nullopt;
}

bool contains_ascii_alnum(Text s) {
  return std::any_of(s.begin(), s.end(),
                     [](char32_t c) { return is_ascii_alpha(c) || is_ascii_digit(c); });
}

bool contains_ascii_digit(Text s) {
  return std::any_of(s.begin(), s.end(), is_ascii_digit);
}

// ---- member ----

std::optional<MemberCommand> parse_sign_in(const MatchText& m, std::size_t i) {
  const Text key(m.key);
  std::size_t j = skip_separators(key, i);
  std::string code;
  while (j < key.size() && (is_ascii_alpha(key[j]) || is_ascii_digit(key[j]) || key[j] == U'-')) {
    if (key[j] != U'-') code.push_back(static_cast<char>(key[j]));
    ++j;
  }
  if (code.empty() || code.size() > 16) return std::nullopt;
  if (j < key.size() && !is_separator(key[j]) && !text::is_cjk_ideograph(key[j])) {
    return std::nullopt;
  }
  return SignIn{code};
}

struct PhoneScan {
  std::string number;  // ASCII digits, with a leading '+' when typed
  std::size_t end = 0;
};

// A phone number at i (after separators): [+] digit groups. Groups separated by one space or
// '-' are joined while the number is still short of a whole one (11 digits for a mobile, 12 for
// a landline with trunk 0, 13 for 86 + mobile, 15 after '+'), so "138 0000 0001" is one number
// but the "3" of "13800000001 3号楼" is not part of it. Glued to a Latin letter: no number.
std::optional<PhoneScan> scan_phone(Text s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size() && is_separator(s[j]) && s[j] != U'+') ++j;
  PhoneScan scan;
  if (j < s.size() && s[j] == U'+') {
    scan.number.push_back('+');
    j = skip_separators(s, j + 1);  // "+ 86"
  }
  if (j >= s.size() || !is_ascii_digit(s[j])) return std::nullopt;
  std::size_t digits = 0;
  const bool plus = !scan.number.empty();
  const auto whole_length = [&] {
    const std::string_view d = std::string_view(scan.number).substr(plus ? 1 : 0);
    if (d.starts_with("86")) return std::size_t{13};
    if (plus) return std::size_t{15};
    return d.starts_with("0") ? std::size_t{12} : std::size_t{11};
  };
  while (true) {
    while (j < s.size() && is_ascii_digit(s[j])) {
      scan.number.push_back(static_cast<char>(s[j]));
      ++digits;
      ++j;
    }
    const bool joined = j + 1 < s.size() && (s[j] == U' ' || s[j] == U'-') &&
                        is_ascii_digit(s[j + 1]) && digits < whole_length();
    if (!joined) break;
    ++j;
  }
  // "3号楼", "12户": a short number is part of the text, not a phone.
  if (digits < kMinPhoneDigits || (j < s.size() && is_ascii_alpha(s[j]))) return std::nullopt;
  scan.end = j;
  return scan;
}

// The word at i (after separators) up to the next separator: [begin, end) in key positions.
std::pair<std::size_t, std::size_t> word_at(Text s, std::size_t i) {
  const std::size_t begin = skip_separators(s, i);
  std::size_t end = begin;
  while (end < s.size() && !is_separator(s[end])) ++end;
  return {begin, end};
}

std::string original_range(const MatchText& m, std::size_t begin, std::size_t end) {
  end = std::min(end, m.original.size());
  begin = std::min(begin, end);
  return sms::code_points_to_utf8(Text(m.original).substr(begin, end - begin));
}

// 点单 [phone] service [phone] need.
MemberCommand parse_raise_order(const MatchText& m, std::size_t i) {
  const Text key(m.key);
  RaiseOrder order;
  if (auto phone = scan_phone(key, i)) {
    order.resident = phone->number;
    i = phone->end;
  }
  const auto [begin, end] = word_at(key, i);
  order.service = original_range(m, begin, end);
  i = end;
  if (order.resident.empty()) {
    if (auto phone = scan_phone(key, i)) {
      order.resident = phone->number;
      i = phone->end;
    }
  }
  order.text = rest_of_original(m, i);
  return order;
}

// 代 phone report.
MemberCommand parse_on_behalf(const MatchText& m, std::size_t i) {
  OnBehalf report;
  if (auto phone = scan_phone(Text(m.key), i)) {
    report.resident = phone->number;
    i = phone->end;
  }
  report.text = rest_of_original(m, i);
  return report;
}

// 派 [number] name.
std::optional<MemberCommand> parse_assign(const MatchText& m, std::size_t i) {
  const NumberScan scan = scan_ticket_number(Text(m.key), i);
  if (scan.status == NumberStatus::malformed) return std::nullopt;
  return Assign{ticket_of(scan), rest_of_original(m, scan.end)};
}

// nullopt: not a (valid) member command.
std::optional<MemberCommand> parse_member_command(const MatchText& m) {
  const Text key(m.key);
  const std::u32string compact = without_spaces(key);
  const Keyword* whole = match_whole(kMemberWholeWords, compact);
  if (whole == nullptr) whole = match_whole(kMemberWholeWords, strip_courtesy(compact));
  if (const Keyword* k = whole) {
    switch (k->kind) {
      case Kind::my_tickets:
        return MyTickets{};
      case Kind::my_points:
        return MyPoints{};
      default:
        return Unsubscribe{};
    }
  }
  const Keyword* k = match_prefix(kMemberPrefixKeywords, key, false);
  if (k == nullptr) return std::nullopt;
  const std::size_t after_keyword = k->word.size();
  if (k->kind == Kind::sign_in) return parse_sign_in(m, after_keyword);
  if (k->kind == Kind::raise_order) return parse_raise_order(m, after_keyword);
  if (k->kind == Kind::on_behalf) return parse_on_behalf(m, after_keyword);
  if (k->kind == Kind::assign) return parse_assign(m, after_keyword);

  const NumberScan scan = scan_ticket_number(key, after_keyword);
  if (scan.status == NumberStatus::malformed) return std::nullopt;
  const Text rest = rest_of_key(m, scan.end);
  // "完成完成", "接单完成", "接 123 退": two commands in one, or a stutter.
  if (starts_with_command_word(rest)) return std::nullopt;
  const std::optional<TicketNo> ticket = ticket_of(scan);
  switch (k->kind) {
    case Kind::accept:
      // Trailing chatter is fine ("接123 马上去", "接单了"), Latin junk or a second number is not.
      if (ticket ? contains_ascii_digit(rest) : contains_ascii_alnum(rest)) return std::nullopt;
      return Accept{ticket};
    case Kind::resolve:
      return Resolve{ticket, rest_of_original(m, scan.end)};
    case Kind::hand_back:
      return HandBack{ticket, rest_of_original(m, scan.end)};
    default:
      return std::nullopt;
  }
}

bool is_acknowledgement_start(Text compact) {
  return std::any_of(kAcknowledgements.begin(), kAcknowledgements.end(),
                     [&](Text a) { return starts_with(compact, a); });
}

bool contains_acknowledgement(Text compact) {
  return std::any_of(kAcknowledgements.begin(), kAcknowledgements.end(),
                     [&](Text a) { return contains(compact, a); });
}

// Member side: does a text that is not a valid command look like a failed command (help) rather
// than a report? See grammar.hpp.
bool command_attempt(const MatchText& m) {
  const Text key(m.key);
  if (key.empty()) return true;
  if (match_prefix(kMemberPrefixKeywords, key, false) != nullptr) return true;
  if (match_prefix(kMemberWholeWords, key, true) != nullptr) return true;
  const std::u32string compact = without_spaces(key);
  const int ideographs = count_ideographs(compact);
  if (ideographs < kMinReportIdeographs) return true;
  if (is_acknowledgement_start(compact)) return true;
  return ideographs < kLongReportIdeographs && contains_acknowledgement(compact);
}

// ---- resident ----

std::optional<int> digit_rating(Text compact) {
  Text s = compact;
  if (ends_with(s, U"分") || ends_with(s, U"星")) s.remove_suffix(1);
  if (s.size() != 1) return std::nullopt;
  if (s[0] >= U'0' && s[0] <= U'5') return static_cast<int>(s[0] - U'0');
  if (const auto d = text::chinese_digit(s[0]); d && *d <= 5) return *d;
  return std::nullopt;
}

std::optional<int> phrase_rating(Text compact) {
  for (const Score& p : kRatingPhrases) {
    if (compact == p.phrase) return p.score;
  }
  return std::nullopt;
}

std::u32string strip_courtesy(Text compact) {
  std::u32string s(compact);
  for (bool changed = true; changed;) {
    changed = false;
    while (!s.empty() && is_separator(s.back())) {
      s.pop_back();
      changed = true;
    }
    for (Text suffix : kCourtesySuffixes) {
      if (s.size() > suffix.size() && ends_with(s, suffix)) {
        s.resize(s.size() - suffix.size());
        changed = true;
        break;
      }
    }
  }
  return s;
}

std::optional<int> score_of(Text candidate) {
  if (auto score = digit_rating(candidate)) return score;
  if (auto score = phrase_rating(candidate)) return score;
  // A digit and a phrase together, "5分满意", "满意 5分", "0 没修好": the digit decides.
  for (std::size_t k = 1; k < candidate.size(); ++k) {
    const Text head = candidate.substr(0, k);
    const Text tail = trim_separators(candidate.substr(k));
    if (auto digit = digit_rating(trim_separators(head)); digit && phrase_rating(tail))
      return digit;
    if (auto digit = digit_rating(tail); digit && phrase_rating(trim_separators(head)))
      return digit;
  }
  return std::nullopt;
}

std::optional<ResidentCommand> rating_command(int score) {
  if (score == 0) return Reopen{};
  return Rate{score};
}

std::optional<ResidentCommand> rating_of(Text key) {
  const std::u32string compact = without_spaces(key);
  for (const std::u32string& candidate : {compact, strip_courtesy(compact)}) {
    if (auto score = score_of(candidate)) return rating_command(*score);
  }
  // A rating phrase, then a separator and an explanation: "没修好，还是不亮", "满意，师傅辛苦了".
  const auto separator = std::find_if(key.begin(), key.end(), is_separator);
  if (separator != key.end()) {
    const Text head = key.substr(0, static_cast<std::size_t>(separator - key.begin()));
    if (auto score = phrase_rating(strip_courtesy(head))) return rating_command(*score);
  }
  return std::nullopt;
}

std::optional<ResidentCommand> parse_resident_command(const MatchText& m) {
  const Text key(m.key);
  const std::u32string compact = strip_courtesy(without_spaces(key));  // "退订谢谢"
  if (compact == U"退订" || compact == U"TD") return Unsubscribe{};
  if (auto rating = rating_of(key)) return rating;

  const Keyword* k = match_prefix(kResidentPrefixKeywords, key, false);
  if (k == nullptr) return std::nullopt;
  const NumberScan scan = scan_ticket_number(key, k->word.size());
  if (scan.status == NumberStatus::malformed) return std::nullopt;
  const std::optional<TicketNo> ticket = ticket_of(scan);
  const Text rest = rest_of_key(m, scan.end);
  // Without a number only the bare word is a command: "取消低保的事想咨询一下" is a report.
  if (!ticket && !rest.empty()) return std::nullopt;
  if (k->kind == Kind::query) return Query{ticket};
  return Cancel{ticket, rest_of_original(m, scan.end)};
}

bool resident_command_like(const MatchText& m) {
  const Text key(m.key);
  if (key.empty()) return true;
  if (!has_ideograph(key) && key.size() <= 16) return true;
  return starts_with_command_word(key);
}

}  // namespace

MemberCommand parse_member_message(std::string_view text) {
  const MatchText m = text::prepare_for_matching(text);
  if (auto command = parse_member_command(m)) return std::move(*command);
  if (command_attempt(m)) return Unrecognized{trimmed_original(text)};
  return MemberReport{trimmed_original(text)};
}

ResidentCommand parse_resident_message(std::string_view text) {
  const MatchText m = text::prepare_for_matching(text);
  if (auto command = parse_resident_command(m)) return std::move(*command);
  return Report{trimmed_original(text), resident_command_like(m)};
}

bool looks_like_command_attempt(std::string_view text) {
  const MatchText m = text::prepare_for_matching(text);
  return parse_member_command(m).has_value() || command_attempt(m);
}

std::optional<TicketNo> parse_ticket_number(std::string_view text) {
  const MatchText m = text::prepare_for_matching(text);
  const Text key(m.key);
  const NumberScan scan = scan_ticket_number(key, 0);
  if (scan.status != NumberStatus::found) return std::nullopt;
  if (skip_separators(key, scan.end) != key.size()) return std::nullopt;
  return scan.value;
}

std::string_view command_name(const MemberCommand& command) {
  static constexpr std::array<std::string_view, std::variant_size_v<MemberCommand>> kNames{
      "accept",      "resolve",      "hand_back",     "my_tickets",  "my_points", "sign_in",
      "unsubscribe", "unrecognized", "member_report", "raise_order", "assign",    "on_behalf"};
  return kNames[command.index()];
}

std::string_view command_name(const ResidentCommand& command) {
  static constexpr std::array<std::string_view, std::variant_size_v<ResidentCommand>> kNames{
      "rate", "reopen", "query", "cancel", "unsubscribe", "report"};
  return kNames[command.index()];
}

}  // namespace lianxin::domain
