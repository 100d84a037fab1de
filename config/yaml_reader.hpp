// Reading the YAML configuration field by field (internal to config/): where a value is (file,
// line, character column), which keys a mapping may have (unknown and duplicate keys reported
// with a "did you mean"), and typed readers that each report their own error and return nullopt.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/daemon_config.hpp"
#include "config/diagnostic.hpp"

namespace lianxin::config::detail {

std::string in_quotes(std::string_view s);

std::string format_duration(Millis d);

class Context {
 public:
  Context(std::string file, std::string_view text, std::vector<Diagnostic>& errors)
      : file_(std::move(file)), text_(text), errors_(errors) {}

  void error(const YAML::Mark& mark, std::string message) {
    // yaml-cpp marks are 0-based; a null mark (-1) means "somewhere in the file".
    int line = mark.line >= 0 ? mark.line + 1 : 0;
    int column = mark.line >= 0 && mark.column >= 0 ? character_column(mark) : 0;
    errors_.push_back(Diagnostic{file_, line, column, std::move(message)});
  }
  std::vector<Diagnostic>& errors() { return errors_; }

 private:
  // yaml-cpp counts columns in bytes; people (and the CSV diagnostics) count characters.
  int character_column(const YAML::Mark& mark) const {
    std::size_t start = 0;
    for (int l = 0; l < mark.line; ++l) {
      start = text_.find('\n', start);
      if (start == std::string_view::npos) return mark.column + 1;
      ++start;
    }
    if (mark.line == 0 && text_.substr(0, 3) == "\xEF\xBB\xBF") start = 3;
    const auto bytes = static_cast<std::size_t>(mark.column);
    std::string_view line = text_.substr(start, text_.find('\n', start) - start);
    if (bytes > line.size()) return mark.column + 1;
    int column = 1;
    for (char c : line.substr(0, bytes)) column += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return column;
  }

  std::string file_;
  std::string_view text_;
  std::vector<Diagnostic>& errors_;
};

// A value found under a key, with what is needed to report about it.
struct Field {
  YAML::Node node;
  YAML::Mark mark;   // of the value, or of the key when the value is empty
  std::string path;  // "smpp[0].tps"
};

std::string_view kind_of(const YAML::Node& node);

// A YAML mapping with a fixed set of allowed keys. Unknown and duplicate keys are reported
// when it is read.
class Map {
 public:
  Map(Context& ctx, const YAML::Node& node, std::string path, YAML::Mark mark,
      std::vector<std::string_view> allowed)
      : ctx_(ctx), path_(std::move(path)), mark_(mark) {
    if (node.IsNull()) {  // "key:" with everything below commented out
      valid_ = true;
      return;
    }
    if (!node.IsMap()) {
      ctx_.error(mark, (path_.empty() ? std::string("the file") : path_) +
                           ": expected a mapping (key: value lines), got " +
                           std::string(kind_of(node)));
      return;
    }
    valid_ = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;  // a copy: it-> returns a temporary proxy
      if (!key.IsScalar()) {
        ctx_.error(key.Mark(), prefix() + "a key must be a plain word");
        continue;
      }
      const std::string name = key.Scalar();
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string message = prefix() + "unknown key " + in_quotes(name);
        std::string suggestion = closest_match(name, allowed);
        if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
        ctx_.error(key.Mark(), message);
        continue;
      }
      auto [pos, inserted] = entries_.emplace(name, Entry{key, it->second});
      if (!inserted) {
        ctx_.error(key.Mark(), prefix() + "duplicate key " + in_quotes(name) + " (first on line " +
                                   std::to_string(pos->second.key.Mark().line + 1) + ")");
      }
    }
  }

  bool valid() const { return valid_; }
  const YAML::Mark& mark() const { return mark_; }
  const std::string& path() const { return path_; }

  std::optional<Field> get(std::string_view key) const {
    auto it = entries_.find(std::string(key));
    if (it == entries_.end()) return std::nullopt;
    YAML::Mark mark = it->second.value.Mark();
    if (mark.line < 0 || it->second.value.IsNull()) mark = it->second.key.Mark();
    return Field{it->second.value, mark, child(key)};
  }

  // The field, or an error "missing required key" at the mapping.
  std::optional<Field> require(std::string_view key) const {
    auto field = get(key);
    if (!field && valid_) {
      ctx_.error(mark_, (path_.empty() ? std::string() : path_ + ": ") + "missing required key " +
                            in_quotes(key));
    }
    return field;
  }

  YAML::Mark key_mark(std::string_view key) const {
    auto it = entries_.find(std::string(key));
    return it == entries_.end() ? mark_ : it->second.key.Mark();
  }

  std::string child(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

 private:
  struct Entry {
    YAML::Node key;
    YAML::Node value;
  };
  std::string prefix() const { return path_.empty() ? std::string() : path_ + ": "; }

  Context& ctx_;
  std::string path_;
  YAML::Mark mark_;
  bool valid_ = false;
  std::map<std::string, Entry> entries_;
};

// ---- typed readers: each reports its own error and returns nullopt on a bad value ----
std::optional<std::string> read_scalar(Context& ctx, const Field& f, std::string_view expected,
                                       bool secret = false);

std::optional<std::string> read_string(Context& ctx, const Field& f);

std::optional<std::string> read_nonempty(Context& ctx, const Field& f);

std::optional<long long> read_integer(Context& ctx, const Field& f, long long min, long long max);

std::optional<double> read_number(Context& ctx, const Field& f, double min, double max);

std::optional<bool> read_bool(Context& ctx, const Field& f);

std::optional<Millis> read_duration(Context& ctx, const Field& f, Millis min, Millis max);

// A duration that must be a whole number of `Unit` (minutes, hours).
template <typename Unit>
std::optional<Unit> read_duration_in(Context& ctx, const Field& f, Unit min, Unit max) {
  auto d = read_duration(ctx, f, std::chrono::duration_cast<Millis>(min),
                         std::chrono::duration_cast<Millis>(max));
  if (!d) return std::nullopt;
  if (*d % Unit{1} != Millis{0}) {
    ctx.error(f.mark, f.path + ": must be a whole number of " +
                          (Unit{1} == std::chrono::hours{1} ? "hours" : "minutes") + ", got " +
                          format_duration(*d));
    return std::nullopt;
  }
  return std::chrono::duration_cast<Unit>(*d);
}

// ---- SLA ---- a deadline: "4h", "30m", "45s" (tests), "1h30m", "2d" or "3wd" (working days).
std::optional<domain::SlaLimit> read_sla_limit(Context& ctx, const Field& f);

std::optional<domain::Reminder> read_reminder(Context& ctx, const Field& f);

// Dates "2026-10-01" and ranges "2026-10-01..2026-10-07" (both ends included).
std::optional<std::set<domain::Days>> read_dates(Context& ctx, const Field& f);

std::optional<std::size_t> read_choice(Context& ctx, const Field& f,
                                       std::vector<std::string_view> choices);

// A list of non-empty text items, with the mark of each.
std::optional<std::vector<std::pair<std::string, YAML::Mark>>> read_string_list(Context& ctx,
                                                                                const Field& f);

}  // namespace lianxin::config::detail
