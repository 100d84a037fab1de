#include "config/diagnostic.hpp"

#include <algorithm>
#include <cstdint>

#include "protocol/text.hpp"

namespace lianxin::config {
namespace {

// Code points of UTF-8 text, ASCII letters lower-cased.
std::vector<std::uint32_t> code_points(std::string_view text) {
  std::vector<std::uint32_t> out;
  for (char32_t cp : sms::utf8_to_code_points(text))
    out.push_back(cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp);
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
// of neighbours ("phnoe" → "phone" is one edit) each cost 1.
std::size_t edit_distance(const std::vector<std::uint32_t>& a,
                          const std::vector<std::uint32_t>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[n][m];
}

}  // namespace

std::string to_string(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line);
    if (d.column > 0) out += ':' + std::to_string(d.column);
  }
  out += ": ";
  out += d.message;
  return out;
}

std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += to_string(d) + '\n';
  return out;
}

std::string closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  const auto w = code_points(word);
  if (w.empty()) return {};
  std::string best;
  std::size_t best_distance = 0;
  for (std::string_view candidate : candidates) {
    const auto c = code_points(candidate);
    std::size_t distance = edit_distance(w, c);
    // A typo: at most a third of the longer word, and never more than 3 edits.
    std::size_t limit =
        std::min<std::size_t>(3, std::max<std::size_t>(1, std::max(w.size(), c.size()) / 3));
    if (distance <= limit && (best.empty() || distance < best_distance)) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace lianxin::config
