// Where a report is and which configured keyword it names: the grid (by the resident directory,
// else by grid, village and township names and aliases in the text) and the operator's keyword
// overrides of the category (the model's reading is in language.hpp). Every result says why,
// for logs and `lianxinctl explain`.
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
  // The text names a village that exists in several townships (and no township that tells them
  // apart): no grid is guessed; these are the candidates, directory order. Ask which township.
  std::vector<std::string> ambiguous;
  std::optional<std::string> township;  // a township named in the text, as the directory has it
  std::string explanation;
};

// The grid recorded for the reporter in the resident directory.
LocationMatch locate_by_reporter(const Directory& directory, std::string_view reporter);

// A grid named in the text: grid names, village names (also without 村/社区/居委会) and aliases;
// township names (also without 镇/乡/街道/办事处) narrow the choice. The longest name found
// wins; several grids of one village: the first in directory order; the same village name in
// different townships: no guess (LocationMatch::ambiguous).
LocationMatch locate_in_text(const Directory& directory, std::string_view text);

// The directory first, then the text.
LocationMatch locate(const Directory& directory, std::string_view reporter, std::string_view text);

}  // namespace lianxin::domain
