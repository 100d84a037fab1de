// libFuzzer target for what reads SMS text from any phone: the SMS grammar (member and resident),
// normalisation, the language reader (with the keyword fake: the fastText model is exercised by
// the unit tests), the danger lexicon, places in the text, and the log masking of numbers.
// Properties: nothing crashes or hangs; a reading is well formed; masking is idempotent and a
// quoted log text is one line in quotes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/domain/classify.hpp"
#include "daemon/domain/danger.hpp"
#include "daemon/domain/grammar.hpp"
#include "daemon/domain/language.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/phone.hpp"
#include "tests/fuzz/property.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace {

using namespace lianxin::domain;

using lianxin::fuzz::require;

// A Chinese mobile number (1[3-9] and nine more digits, with or without 86/0086, spaces or
// dashes between digits allowed) that is not part of a word: what masking must never leave.
bool readable_mobile(std::string_view s) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  std::size_t i = 0;
  while (i < s.size()) {
    if (!digit(s[i])) {
      ++i;
      continue;
    }
    const bool letter_before = i > 0 && letter(s[i - 1]);
    std::string run;
    std::size_t j = i;
    while (j < s.size()) {
      if (digit(s[j])) {
        run += s[j++];
      } else if ((s[j] == ' ' || s[j] == '-') && j + 1 < s.size() && digit(s[j + 1])) {
        ++j;
      } else {
        break;
      }
    }
    const bool letter_after = j < s.size() && letter(s[j]);
    std::string national = run;
    if (national.starts_with("0086")) {
      national.erase(0, 4);
    } else if (national.size() == 13 && national.starts_with("86")) {
      national.erase(0, 2);
    }
    if (!letter_before && !letter_after && national.size() == 11 && national[0] == '1' &&
        national[1] >= '3' && national[1] <= '9') {
      return true;
    }
    i = j;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Settings settings = testing::test_settings();
  static const Directory directory = testing::make_directory();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  (void)parse_member_message(text);
  (void)parse_resident_message(text);
  (void)looks_like_command_attempt(text);
  (void)parse_ticket_number(text);
  (void)text::normalize_for_matching(text);
  (void)text::prepare_for_matching(text);
  (void)text::parse_number(text);
  (void)model_tokens(text);
  (void)find_danger(text);
  (void)locate(directory, testing::kStrangerPhone, text);

  const Reading r = read_text(settings, text);
  require(r.confidence >= 0 && r.confidence <= 1.0000001, "confidence in [0, 1]");
  require(r.intent == Intent::report || !r.urgent, "only a report is urgent");
  require(settings.find_category(r.category) != nullptr, "a known category");
  require(r.candidates.size() <= 3, "at most three candidates");

  require(!readable_mobile(text::to_half_width(mask_numbers_in_text(text))),
          "no mobile number left readable");
  const std::string quoted = quote_for_log(text);
  require(quoted.size() >= 2 && quoted.front() == '"' && quoted.back() == '"', "in quotes");
  require(quoted.find('\n') == std::string::npos && quoted.find('\r') == std::string::npos,
          "one line");
  (void)parse_phone_number(text);
  return 0;
}
