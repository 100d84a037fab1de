#include "daemon/domain/classify.hpp"

#include <algorithm>
#include <tuple>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

// Half-width, upper-case Latin, no whitespace at all: "路 灯 坏了" matches 路灯.
std::u32string matching_form(std::string_view utf8) {
  std::u32string decoded = text::decode_utf8(text::normalize_for_matching(utf8));
  std::u32string out;
  out.reserve(decoded.size());
  for (char32_t c : decoded) {
    if (!text::is_space(c)) out.push_back(c);
  }
  return out;
}

struct CategoryScore {
  std::size_t longest = 0;
  std::size_t total = 0;
  std::size_t count = 0;
  std::size_t earliest = std::u32string::npos;
  std::optional<KeywordHit> best;
};

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

}  // namespace

CategoryMatch classify_category(const std::vector<Category>& categories,
                                std::string_view fallback_category, std::string_view text) {
  const std::u32string haystack = matching_form(text);
  CategoryMatch result;
  std::optional<std::size_t> winner_index;
  CategoryScore winner_score;

  for (std::size_t ci = 0; ci < categories.size(); ++ci) {
    const Category& category = categories[ci];
    CategoryScore score;
    std::vector<std::u32string> seen;
    for (const std::string& keyword : category.keywords) {
      std::u32string needle = matching_form(keyword);
      if (needle.empty() || std::find(seen.begin(), seen.end(), needle) != seen.end()) continue;
      seen.push_back(needle);
      std::size_t pos = haystack.find(needle);
      if (pos == std::u32string::npos) continue;
      KeywordHit hit{category.id, keyword, pos};
      result.hits.push_back(hit);
      score.total += needle.size();
      ++score.count;
      score.earliest = std::min(score.earliest, pos);
      if (needle.size() > score.longest ||
          (needle.size() == score.longest && score.best && pos < score.best->position)) {
        score.longest = needle.size();
        score.best = hit;
      }
    }
    if (score.count == 0) continue;
    // Larger is better for the first three; earlier is better for position. Strict comparison
    // keeps the first category in configuration order on a full tie.
    auto key = [](const CategoryScore& s) {
      return std::make_tuple(s.longest, s.total, s.count, std::u32string::npos - s.earliest);
    };
    if (!winner_index || key(score) > key(winner_score)) {
      winner_index = ci;
      winner_score = score;
    }
  }

  if (!winner_index) {
    result.category = std::string(fallback_category);
    result.explanation = "no keyword matched: category " + result.category;
    return result;
  }
  const Category& winner = categories[*winner_index];
  result.category = winner.id;
  result.winner = winner_score.best;
  result.explanation = "category " + winner.id + " (" + winner.name + ") by keyword " +
                       quoted(winner_score.best->keyword);
  std::string others;
  for (const KeywordHit& hit : result.hits) {
    if (hit.category == winner.id && hit.keyword == winner_score.best->keyword) continue;
    others += others.empty() ? "" : ", ";
    others += hit.category + ":" + quoted(hit.keyword);
  }
  if (!others.empty()) result.explanation += "; also matched " + others;
  return result;
}

std::string_view to_string(LocationSource source) {
  switch (source) {
    case LocationSource::resident_directory:
      return "resident_directory";
    case LocationSource::grid_name:
      return "grid_name";
    case LocationSource::village_name:
      return "village_name";
    case LocationSource::alias:
      return "alias";
    case LocationSource::none:
      return "none";
  }
  return "?";
}

LocationMatch locate_by_reporter(const Directory& directory, std::string_view reporter) {
  LocationMatch result;
  const Resident* resident = directory.resident_by_phone(reporter);
  if (resident == nullptr || resident->grid.empty()) return result;
  const Grid* grid = directory.find_grid(resident->grid);
  if (grid == nullptr) {
    result.explanation = "resident directory names unknown grid " + resident->grid;
    return result;
  }
  result.grid = grid->id;
  result.source = LocationSource::resident_directory;
  result.explanation = "grid " + grid->id + " (" + grid->name + ") from the resident directory";
  return result;
}

LocationMatch locate_in_text(const Directory& directory, std::string_view text) {
  const std::u32string haystack = matching_form(text);
  LocationMatch result;
  std::size_t best_length = 0;
  std::vector<std::string> also;  // other grids sharing the winning name

  auto consider = [&](const Grid& grid, std::string_view name, LocationSource source) {
    std::u32string needle = matching_form(name);
    if (needle.empty() || haystack.find(needle) == std::u32string::npos) return;
    if (needle.size() > best_length) {
      best_length = needle.size();
      result.grid = grid.id;
      result.source = source;
      result.matched = std::string(name);
      also.clear();
    } else if (needle.size() == best_length && result.grid != grid.id &&
               matching_form(result.matched) == needle &&
               std::find(also.begin(), also.end(), grid.id) == also.end()) {
      also.push_back(grid.id);
    }
  };

  static const std::string kVillageSuffix = "村";
  for (const Grid& grid : directory.grids()) {
    consider(grid, grid.name, LocationSource::grid_name);
    consider(grid, grid.village, LocationSource::village_name);
    // "大溪边" names 大溪边村; only when at least two characters remain.
    if (grid.village.size() >= kVillageSuffix.size() + 6 &&
        grid.village.ends_with(kVillageSuffix)) {
      consider(grid, std::string_view(grid.village).substr(0, grid.village.size() - 3),
               LocationSource::village_name);
    }
    for (const std::string& alias : grid.aliases) consider(grid, alias, LocationSource::alias);
  }

  if (!result.grid) {
    result.explanation = "no grid, village or alias named in the text";
    return result;
  }
  const Grid* grid = directory.find_grid(*result.grid);
  result.explanation = "grid " + *result.grid + " (" + (grid ? grid->name : "") + ") by " +
                       std::string(to_string(result.source)) + " " + quoted(result.matched) +
                       " in the text";
  if (!also.empty()) {
    result.explanation += "; also names";
    for (const std::string& id : also) result.explanation += " " + id;
    result.explanation += " (first in directory order wins)";
  }
  return result;
}

LocationMatch locate(const Directory& directory, std::string_view reporter, std::string_view text) {
  LocationMatch by_reporter = locate_by_reporter(directory, reporter);
  if (by_reporter.grid) return by_reporter;
  LocationMatch in_text = locate_in_text(directory, text);
  if (!in_text.grid && !by_reporter.explanation.empty()) {
    in_text.explanation = by_reporter.explanation + "; " + in_text.explanation;
  }
  return in_text;
}

Classification classify(const Settings& settings, const Directory& directory,
                        std::string_view reporter, std::string_view text) {
  return {classify_category(settings.categories, settings.fallback_category, text),
          locate(directory, reporter, text)};
}

}  // namespace lianxin::domain
