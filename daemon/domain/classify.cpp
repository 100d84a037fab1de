#include "daemon/domain/classify.hpp"

#include <algorithm>
#include <tuple>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

// Half-width, upper-case Latin, no whitespace at all: "路 灯 坏了" matches 路灯.
std::u32string matching_form(std::string_view utf8) {
  std::u32string decoded = sms::utf8_to_code_points(text::normalize_for_matching(utf8));
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

namespace {

// A name without its administrative suffix, when at least two characters remain: 大溪边村 →
// 大溪边, 青石镇 → 青石. Villagers write the short form ("我是大溪边的", "青石那边").
std::u32string stem(const std::u32string& name,
                    std::initializer_list<std::u32string_view> suffixes) {
  for (std::u32string_view suffix : suffixes) {
    if (name.size() >= suffix.size() + 2 && std::u32string_view(name).ends_with(suffix)) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return {};
}

bool names(const std::u32string& haystack, const std::u32string& needle) {
  return !needle.empty() && haystack.find(needle) != std::u32string::npos;
}

}  // namespace

LocationMatch locate_in_text(const Directory& directory, std::string_view text) {
  const std::u32string haystack = matching_form(text);
  LocationMatch result;

  // Townships named in the text (full name or stem), longest first wins.
  std::size_t township_length = 0;
  for (const Grid& grid : directory.grids()) {
    const std::u32string full = matching_form(grid.township);
    for (const std::u32string& form :
         {full, stem(full, {U"街道办事处", U"办事处", U"街道", U"镇", U"乡"})}) {
      if (form.size() > township_length && names(haystack, form)) {
        township_length = form.size();
        result.township = grid.township;
      }
    }
  }

  // Each grid's longest name in the text.
  struct Candidate {
    const Grid* grid;
    std::size_t length;
    LocationSource source;
    std::string matched;
  };
  std::vector<Candidate> found;
  for (const Grid& grid : directory.grids()) {
    Candidate best{&grid, 0, LocationSource::none, ""};
    auto consider = [&](std::string_view name, LocationSource source) {
      const std::u32string needle = matching_form(name);
      if (needle.size() > best.length && names(haystack, needle)) {
        best = {&grid, needle.size(), source, std::string(name)};
      }
    };
    consider(grid.name, LocationSource::grid_name);
    consider(grid.village, LocationSource::village_name);
    const std::u32string short_village =
        stem(matching_form(grid.village), {U"居委会", U"社区", U"村"});
    if (!short_village.empty())
      consider(sms::code_points_to_utf8(short_village), LocationSource::village_name);
    for (const std::string& alias : grid.aliases) consider(alias, LocationSource::alias);
    if (best.length > 0) found.push_back(best);
  }
  std::size_t longest = 0;
  for (const Candidate& c : found) longest = std::max(longest, c.length);
  std::erase_if(found, [longest](const Candidate& c) { return c.length < longest; });
  if (result.township && std::any_of(found.begin(), found.end(), [&](const Candidate& c) {
        return c.grid->township == *result.township;
      })) {
    std::erase_if(found, [&](const Candidate& c) { return c.grid->township != *result.township; });
  }

  if (found.empty()) {
    result.explanation = "no grid, village or alias named in the text";
    if (result.township) result.explanation += " (township " + *result.township + " is)";
    return result;
  }
  const Candidate& first = found.front();
  const bool one_township = std::all_of(found.begin(), found.end(), [&](const Candidate& c) {
    return c.grid->township == first.grid->township;
  });
  if (!one_township) {
    for (const Candidate& c : found) result.ambiguous.push_back(c.grid->id);
    result.matched = first.matched;
    result.source = first.source;
    result.explanation = quoted(first.matched) + " is in several townships:";
    for (const Candidate& c : found) {
      result.explanation += " " + c.grid->id + " (" + c.grid->township + ")";
    }
    result.explanation += "; the reporter is asked which";
    return result;
  }
  result.grid = first.grid->id;
  result.source = first.source;
  result.matched = first.matched;
  result.explanation = "grid " + first.grid->id + " (" + first.grid->name + ") by " +
                       std::string(to_string(first.source)) + " " + quoted(first.matched) +
                       " in the text";
  if (result.township && found.size() < directory.grids().size()) {
    result.explanation += ", township " + *result.township;
  }
  if (found.size() > 1) {
    result.explanation += "; also names";
    for (std::size_t i = 1; i < found.size(); ++i) result.explanation += " " + found[i].grid->id;
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

}  // namespace lianxin::domain
