#pragma once
// Phone numbers: one canonical form per person so that "13800000001" from the SMSC, "+86 138-
// 0000-0001" from a spreadsheet and "８６１３８００００００００１" typed by hand are one resident.
//
// Rules of normalize_e164(raw, default_country_code):
//  1. Full-width digits and `＋` become ASCII; spaces (incl. U+3000), `-`, `.`, `(`, `)`, `/`
//     and their full-width forms are dropped. Anything else (letters, `*`, `#`, a `+` that is not
//     first, invalid UTF-8) makes the number garbage → nullopt. At most 24 digits.
//  2. `+CC...` and `00CC...` are international: the digits are taken as they are (E.164, 8..15
//     digits in all). For +86 the national part must be a valid Chinese number (rule 4 or 5).
//  3. Otherwise the number is national in the default country. Only "86" has a numbering plan
//     built in; for any other default country a leading trunk `0` is dropped and the number must
//     make 8..15 digits with the country code; 3..6 digits are service numbers.
//  4. China mobile: 11 digits `1[3-9]xxxxxxxxx`, also written `86` + those 11 digits
//     (13 digits) → `+86` + 11 digits. 12..13 digits starting `86` are read as `+86...`.
//  5. China landline: trunk `0` + area code + subscriber, 10..12 digits (`0571-87654321`,
//     `010-12345678`) → `+86` + digits without the `0`. After `+86` the same without the `0`
//     (9..11 digits, first digit 1 (only `10` Beijing) or 2..9).
//  6. Service numbers (not people): 3..6 digits starting with `1` (`110`, `12345`, `10086`),
//     5..8 digits starting with `9` (`95588`, `96166`), or `106` + 2..18 digits (SMS ports such
//     as `106900001234`). They are returned as the bare digits, without `+`:
//     is_service_number() tells them apart. They are never masked.
//  7. Anything else (e.g. an 8-digit local number without area code, 12 digits starting with 1)
//     → nullopt.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lianxin::domain {

// `other`: a valid E.164 number outside a built-in numbering plan (another country, or any
// national number when the default country is not 86).
enum class NumberKind { mobile, landline, service, other };

struct PhoneNumber {
  std::string canonical;  // "+8613800000001", or bare digits for a service number
  NumberKind kind;
  bool operator==(const PhoneNumber&) const = default;
};

std::optional<PhoneNumber> parse_phone_number(std::string_view raw,
                                              std::string_view default_country_code = "86");

// The canonical form of parse_phone_number: "+8613800000001", "+8657187654321", or "12345".
std::optional<std::string> normalize_e164(std::string_view raw,
                                          std::string_view default_country_code = "86");

// True for a canonical service number (no leading '+').
bool is_service_number(std::string_view canonical);

// National form for SMS and tables: "+8613800000001" → "13800000001", "+8657187654321" →
// "057187654321" (trunk 0 restored), other countries stay international ("+85291234567"),
// service numbers unchanged. With another default country its own numbers are shown as "0" +
// national number. Anything that does not normalise is returned as given.
std::string display_national(std::string_view number, std::string_view country_code = "86");

// The national form with 4 digits before the last 4 masked: "138****0001", "0571****4321";
// 7..10 digits keep 2 at each end ("87****21"); service numbers are not personal and stay
// readable; anything shorter or unparsable becomes all '*' (never leaks what it cannot parse).
std::string mask_number(std::string_view number, std::string_view country_code = "86");

// ---- Free text in logs ----
// Every personal number written anywhere in `text` masked as mask_number() does: mobiles with or
// without +86/0086/86, with spaces or dashes between digit groups, in full-width digits too, and
// landlines with their area code. Digits that belong to a word (an id such as "a1380000000b")
// and numbers that are not personal (ticket numbers, dates, service numbers) stay.
std::string mask_numbers_in_text(std::string_view text, std::string_view country_code = "86");

// Free text someone typed, as it goes into a log line: numbers masked, in double quotes, with
// quotes, backslashes and control characters escaped (so it can never look like another field
// or a new line), cut to `max_code_points` with "…".
std::string quote_for_log(std::string_view text, std::size_t max_code_points = 160);

}  // namespace lianxin::domain
