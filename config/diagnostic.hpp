// Diagnostics of the configuration and directory loaders: "file:line:column: message".
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::config {

struct Diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 = the whole file
  int column = 0;  // 1-based; 0 = the whole line
  std::string message;
};

// "file:line:column: message", "file:line: message" (no column) or "file: message" (no line).
std::string to_string(const Diagnostic& diagnostic);

// One diagnostic per line, each ending in '\n'.
std::string format_diagnostics(const std::vector<Diagnostic>& diagnostics);

// The candidate closest to `word` (edit distance over code points, case-insensitive for ASCII)
// when it is close enough to be a likely typo; empty otherwise. For "did you mean" hints.
std::string closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace lianxin::config
