// Classification of a report: its category (by configured keywords) and its grid (by the
// resident directory, else by grid/village names and aliases in the text). Every result says
// why, for logs and `lianxinctl explain`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::domain {

struct KeywordHit {
  std::string category;  // category id
  std::string keyword;
  std::size_t position = 0;  // code point offset in the normalised text
};

struct CategoryMatch {
  std::string category;  // category id; the fallback category when nothing matched
  std::optional<KeywordHit> winner;
  std::vector<KeywordHit> hits;  // every keyword found, in category order
  std::string explanation;
};

// Matching ignores spaces, width (full/half) and Latin case. The category with the longest
// matching keyword wins; ties go to more matched characters in total, then more keywords, then
// the earliest keyword in the text, then configuration order.
CategoryMatch classify_category(const std::vector<Category>& categories,
                                std::string_view fallback_category, std::string_view text);

enum class LocationSource { resident_directory, grid_name, village_name, alias, none };
std::string_view to_string(LocationSource source);

struct LocationMatch {
  std::optional<std::string> grid;  // grid id
  LocationSource source = LocationSource::none;
  std::string matched;  // the name or alias found in the text
  std::string explanation;
};

// The grid recorded for the reporter in the resident directory.
LocationMatch locate_by_reporter(const Directory& directory, std::string_view reporter);

// A grid named in the text: grid names, village names (also without the trailing 村) and
// aliases. The longest name found wins; among grids sharing it, the first in directory order.
LocationMatch locate_in_text(const Directory& directory, std::string_view text);

// The directory first, then the text.
LocationMatch locate(const Directory& directory, std::string_view reporter, std::string_view text);

struct Classification {
  CategoryMatch category;
  LocationMatch location;
};

Classification classify(const Settings& settings, const Directory& directory,
                        std::string_view reporter, std::string_view text);

}  // namespace lianxin::domain
