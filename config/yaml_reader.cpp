#include "config/yaml_reader.hpp"

#include <charconv>
#include <cstdlib>

#include "daemon/domain/phone.hpp"

namespace lianxin::config::detail {

using namespace std::chrono_literals;

std::string in_quotes(std::string_view s) {
  // Long values are cut so one bad value cannot flood the output.
  std::string text = domain::truncate_code_points(s, 40);
  return "\"" + text + "\"";
}

std::string format_duration(Millis d) {
  auto ms = d.count();
  if (ms == 0) return "0s";
  struct Unit {
    long long ms;
    const char* suffix;
  };
  for (Unit unit :
       {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1'000, "s"}}) {
    if (ms % unit.ms == 0) return std::to_string(ms / unit.ms) + unit.suffix;
  }
  return std::to_string(ms) + "ms";
}

std::string_view kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a value";
  }
}

// ---- typed readers: each reports its own error and returns nullopt on a bad value ----

std::optional<std::string> read_scalar(Context& ctx, const Field& f, std::string_view expected,
                                       bool secret) {
  if (f.node.IsScalar()) return f.node.Scalar();
  (void)secret;  // a non-scalar carries no secret text: the message never shows values
  ctx.error(f.mark, f.path + ": expected " + std::string(expected) + ", got " +
                        std::string(kind_of(f.node)));
  return std::nullopt;
}

std::optional<std::string> read_string(Context& ctx, const Field& f) {
  return read_scalar(ctx, f, "text");
}

std::optional<std::string> read_nonempty(Context& ctx, const Field& f) {
  auto s = read_string(ctx, f);
  if (s && s->empty()) {
    ctx.error(f.mark, f.path + ": must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<long long> read_integer(Context& ctx, const Field& f, long long min, long long max) {
  auto s = read_scalar(ctx, f, "a whole number");
  if (!s) return std::nullopt;
  long long value = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), value);
  if (ec == std::errc::result_out_of_range) {
    ctx.error(f.mark, f.path + ": must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", got " + in_quotes(*s));
    return std::nullopt;
  }
  if (ec != std::errc() || end != s->data() + s->size() || s->empty()) {
    ctx.error(f.mark, f.path + ": expected a whole number, got " + in_quotes(*s));
    return std::nullopt;
  }
  if (value < min || value > max) {
    ctx.error(f.mark, f.path + ": must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", got " + *s);
    return std::nullopt;
  }
  return value;
}

std::optional<double> read_number(Context& ctx, const Field& f, double min, double max) {
  auto s = read_scalar(ctx, f, "a number");
  if (!s) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(s->data(), s->data() + s->size(), value);
  if (ec != std::errc() || end != s->data() + s->size() || s->empty() || value != value) {
    ctx.error(f.mark, f.path + ": expected a number, got " + in_quotes(*s));
    return std::nullopt;
  }
  if (value < min || value > max) {
    std::ostringstream range;
    range << min << " and " << max;
    ctx.error(f.mark, f.path + ": must be between " + range.str() + ", got " + *s);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> read_bool(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f, "true or false");
  if (!s) return std::nullopt;
  std::string t = *s;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (t == "true" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "no" || t == "off") return false;
  ctx.error(f.mark, f.path + ": expected true or false, got " + in_quotes(*s));
  return std::nullopt;
}

std::optional<Millis> read_duration(Context& ctx, const Field& f, Millis min, Millis max) {
  auto s = read_scalar(ctx, f, "a duration such as 30s, 10m or 2h");
  if (!s) return std::nullopt;
  std::string why;
  auto d = parse_duration(*s, why);
  if (!d) {
    ctx.error(f.mark, f.path + ": " + why);
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    ctx.error(f.mark, f.path + ": must be between " + format_duration(min) + " and " +
                          format_duration(max) + ", got " + *s);
    return std::nullopt;
  }
  return d;
}

// ---- SLA ---- a deadline: "4h", "30m", "45s" (tests), "1h30m", "2d" or "3wd" (working days).
std::optional<domain::SlaLimit> read_sla_limit(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f, "a deadline such as 4h, 30m or 3wd (working days)");
  if (!s) return std::nullopt;
  std::string why;
  auto limit = domain::parse_sla_limit(*s, why);
  if (!limit) ctx.error(f.mark, f.path + ": " + why);
  return limit;
}

std::optional<domain::Reminder> read_reminder(Context& ctx, const Field& f) {
  auto s = read_scalar(ctx, f, "a reminder such as 25% or 1h");
  if (!s) return std::nullopt;
  std::string why;
  auto reminder = domain::parse_reminder(*s, why);
  if (!reminder) ctx.error(f.mark, f.path + ": " + why);
  return reminder;
}

// Dates "2026-10-01" and ranges "2026-10-01..2026-10-07" (both ends included).
std::optional<std::set<domain::Days>> read_dates(Context& ctx, const Field& f) {
  if (f.node.IsNull()) return std::set<domain::Days>{};
  if (!f.node.IsSequence()) {
    ctx.error(f.mark, f.path +
                          ": expected a list of dates such as [2026-10-01, "
                          "2026-10-02..2026-10-07], got " +
                          std::string(kind_of(f.node)));
    return std::nullopt;
  }
  std::set<domain::Days> days;
  bool ok = true;
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    Field item{f.node[i], f.node[i].Mark(), f.path + "[" + std::to_string(i) + "]"};
    if (item.mark.line < 0) item.mark = f.mark;
    auto text = read_scalar(ctx, item, "a date such as 2026-10-01");
    if (!text) {
      ok = false;
      continue;
    }
    const std::size_t dots = text->find("..");
    auto first = domain::parse_date(std::string_view(*text).substr(0, dots));
    auto last = dots == std::string::npos
                    ? first
                    : domain::parse_date(std::string_view(*text).substr(dots + 2));
    if (!first || !last || *last < *first || *last - *first > std::chrono::days{366}) {
      ctx.error(item.mark, item.path +
                               ": expected a date YYYY-MM-DD or a range "
                               "YYYY-MM-DD..YYYY-MM-DD of at most a year, got " +
                               in_quotes(*text));
      ok = false;
      continue;
    }
    for (domain::Days d = *first; d <= *last; d += std::chrono::days{1}) days.insert(d);
  }
  if (!ok) return std::nullopt;
  return days;
}

std::optional<std::size_t> read_choice(Context& ctx, const Field& f,
                                       std::vector<std::string_view> choices) {
  auto s = read_scalar(ctx, f, "one of the listed words");
  if (!s) return std::nullopt;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == *s) return i;
  }
  std::string list;
  for (std::string_view c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  std::string message = f.path + ": must be one of " + list + "; got " + in_quotes(*s);
  std::string suggestion = closest_match(*s, choices);
  if (!suggestion.empty()) message += " (did you mean " + in_quotes(suggestion) + "?)";
  ctx.error(f.mark, message);
  return std::nullopt;
}

// A list of non-empty text items, with the mark of each.
std::optional<std::vector<std::pair<std::string, YAML::Mark>>> read_string_list(Context& ctx,
                                                                                const Field& f) {
  if (!f.node.IsSequence()) {
    ctx.error(f.mark,
              f.path + ": expected a list such as [a, b], got " + std::string(kind_of(f.node)));
    return std::nullopt;
  }
  std::vector<std::pair<std::string, YAML::Mark>> items;
  bool ok = true;
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    Field item{f.node[i], f.node[i].Mark(), f.path + "[" + std::to_string(i) + "]"};
    if (item.mark.line < 0) item.mark = f.mark;
    auto s = read_nonempty(ctx, item);
    if (s) {
      items.emplace_back(*s, item.mark);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return items;
}

}  // namespace lianxin::config::detail
