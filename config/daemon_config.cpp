#include "config/daemon_config.hpp"

#include <arpa/inet.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "config/csv.hpp"
#include "config/ussd_menu.hpp"
#include "daemon/domain/phone.hpp"
#include "daemon/domain/templates.hpp"

namespace lianxin::config {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

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
                                       bool secret = false) {
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

// ---- sections ----

struct CategoryRefs {
  std::string id;
  std::optional<YAML::Mark> team_mark;              // set when the YAML names the team
  std::map<std::string, YAML::Mark> keyword_marks;  // keywords written in the YAML
};

class Loader {
 public:
  Loader(Context& ctx, fs::path base, const LoadOptions& options, std::vector<std::string>& notes)
      : ctx_(ctx), base_(std::move(base)), options_(options), notes_(notes) {}

  void load(const YAML::Node& root, DaemonConfig& config) {
    Map top(ctx_, root, "", root.Mark(),
            {"signature", "default_country", "time_zone", "quiet_hours", "log_level", "smpp",
             "storage", "directory", "categories", "fallback_category", "templates", "windows",
             "loop_protection", "points", "first_ticket_number", "member_list_limit",
             // ---- SLA ----
             "holidays", "workdays", "reminder", "escalation", "verification", "validity",
             "control_socket", "ussd", "language", "broadcast_repeat_window", "metrics"});
    if (!top.valid()) return;
    domain::Settings& s = config.settings;
    s = domain::default_settings();

    if (auto f = top.get("signature")) {
      if (auto v = read_string(ctx_, *f)) {
        if (auto bad = domain::control_character(*v)) {
          ctx_.error(f->mark, "signature: " + *bad + " (an SMS cannot carry it)");
        } else {
          s.signature = *v;
        }
      }
      signature_mark_ = f->mark;
    }
    if (auto f = top.get("default_country")) {
      if (auto v = read_string(ctx_, *f)) {
        bool digits =
            !v->empty() && v->size() <= 3 && (*v)[0] != '0' &&
            std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits) {
          s.default_country = *v;
        } else {
          ctx_.error(f->mark, f->path +
                                  ": expected a country calling code of 1 to 3 digits such "
                                  "as \"86\", got " +
                                  in_quotes(*v));
        }
      }
    }
    if (auto f = top.get("time_zone")) time_zone(*f, config);
    if (auto f = top.get("quiet_hours")) quiet_hours(*f, config);
    if (auto f = top.get("log_level")) {
      if (auto i = read_choice(ctx_, *f, {"debug", "info", "notice", "warning", "error"})) {
        config.log_level = static_cast<LogLevel>(*i);
      }
    }
    if (auto f = top.require("smpp")) smpp(*f, s.default_country, config);
    if (auto f = top.require("storage")) storage(*f, config);
    if (auto f = top.get("control_socket")) {
      if (auto v = read_string(ctx_, *f))
        config.control_socket = v->empty() ? fs::path() : resolve(*v);
    }
    if (auto f = top.get("metrics")) metrics(*f, config);
    if (auto f = top.require("directory")) directory(*f, config);
    if (auto f = top.get("categories")) categories(*f, s);
    categories_mark_ = top.key_mark("categories");
    if (auto f = top.get("fallback_category")) {
      if (auto v = read_nonempty(ctx_, *f)) s.fallback_category = *v;
      fallback_mark_ = f->mark;
    }
    if (!s.find_category(s.fallback_category)) {
      ctx_.error(fallback_mark_ ? *fallback_mark_ : top.mark(),
                 "fallback_category: no category has the id " + in_quotes(s.fallback_category));
    }
    if (auto f = top.get("templates")) templates(*f, s);
    check_templates(s);
    if (auto f = top.get("windows")) windows(*f, s.windows);
    if (auto f = top.get("language")) language(*f, config);
    if (auto f = top.get("broadcast_repeat_window")) {
      if (auto v = read_duration(ctx_, *f, 0s, std::chrono::hours(24 * 30)))
        config.broadcast_repeat_window = *v;
    }
    if (auto f = top.get("loop_protection")) {
      Map m(ctx_, f->node, f->path, f->mark, {"max_repeats", "period", "sender_per_minute"});
      if (auto g = m.get("sender_per_minute")) {
        if (auto v = read_integer(ctx_, *g, 1, 10000))
          s.loop_protection.sender_per_minute = static_cast<int>(*v);
      }
      if (auto g = m.get("max_repeats")) {
        if (auto v = read_integer(ctx_, *g, 1, 1000))
          s.loop_protection.max_repeats = static_cast<int>(*v);
      }
      if (auto g = m.get("period")) {
        if (auto v = read_duration_in(ctx_, *g, std::chrono::minutes{1},
                                      std::chrono::minutes{24 * 60})) {
          s.loop_protection.period = *v;
        }
      }
    }
    if (auto f = top.get("points")) points(*f, s.points);
    sla(top, config);
    if (auto f = top.get("first_ticket_number")) {
      if (auto v = read_integer(ctx_, *f, 1, 1'000'000'000'000)) s.first_ticket_number = *v;
    }
    if (auto f = top.get("member_list_limit")) {
      if (auto v = read_integer(ctx_, *f, 1, 50))
        s.member_list_limit = static_cast<std::size_t>(*v);
    }
    // ---- USSD ---- the menu (config/ussd_menu.cpp); after the categories it refers to.
    if (auto f = top.get("ussd"))
      read_ussd_menu(f->node, f->mark, s, [&](const YAML::Mark& m, std::string message) {
        ctx_.error(m, std::move(message));
      });
  }

  // Loads the directory CSV files and checks what the YAML refers to in them.
  void cross_check(DaemonConfig& config) {
    if (!options_.load_directory || !directory_complete_ || !directory_files_exist(config)) return;
    DirectoryLoadResult loaded = load_directory(
        config.directory_files, config.settings.default_country, options_.directory_replacements);
    for (Diagnostic& d : loaded.errors) ctx_.errors().push_back(std::move(d));
    if (!loaded.directory) return;
    config.directory = std::move(*loaded.directory);
    std::vector<std::string_view> team_ids;
    for (const domain::Team& team : config.directory.teams()) team_ids.push_back(team.id);
    for (const domain::Category& category : config.settings.categories) {
      // An empty team was reported already ("route: team needs a team: key").
      if (category.route != domain::RouteKind::team || category.team.empty()) continue;
      if (config.directory.find_team(category.team)) continue;
      std::string message = "categories: " + category.id + ": route to team " +
                            in_quotes(category.team) + ", which is not in " +
                            (config.directory_files.teams.empty()
                                 ? std::string("the directory (no teams file is configured)")
                                 : config.directory_files.teams.string());
      std::string suggestion = closest_match(category.team, team_ids);
      if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
      const CategoryRefs* refs = find_refs(category.id);
      if (refs && refs->team_mark) {
        ctx_.error(*refs->team_mark, message);
      } else {
        ctx_.error(categories_mark_, message +
                                         " (a built-in category: add the team or override "
                                         "the category's route)");
      }
    }
  }

 private:
  const CategoryRefs* find_refs(std::string_view id) const {
    for (const CategoryRefs& r : category_refs_) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }

  fs::path resolve(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative() && !base_.empty()) p = base_ / p;
    return p.lexically_normal();
  }

  void time_zone(const Field& f, DaemonConfig& config) {
    auto v = read_nonempty(ctx_, f);
    if (!v) return;
    bool shape = (*v)[0] != '/' && v->find("..") == std::string::npos &&
                 std::all_of(v->begin(), v->end(), [](char c) {
                   return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '+';
                 });
    // Deadlines and quiet hours need the zone's offset: only zones without daylight saving
    // time are known (China has none), each with its fixed UTC offset.
    auto zone = shape ? domain::find_time_zone(*v) : std::nullopt;
    if (!zone) {
      std::string known;
      for (std::string_view name : domain::known_time_zones()) {
        known += (known.empty() ? "" : ", ") + std::string(name);
      }
      ctx_.error(f.mark, f.path + ": unknown time zone " + in_quotes(*v) +
                             " (lianxin knows zones without daylight saving time: " + known + ")");
      return;
    }
    config.time_zone = *v;
    config.settings.sla.time_zone = *zone;
  }

  void quiet_hours(const Field& f, DaemonConfig& config) {
    auto v = read_string(ctx_, f);
    if (!v) return;
    if (v->empty() || *v == "off" || *v == "none" || *v == "false" || *v == "no") {
      config.quiet_hours.reset();
      return;
    }
    std::string why;
    if (auto q = parse_quiet_hours(*v, why)) {
      config.quiet_hours = *q;
    } else {
      ctx_.error(f.mark, f.path + ": " + why);
    }
  }

  void smpp(const Field& f, const std::string& country, DaemonConfig& config) {
    if (!f.node.IsSequence() || f.node.size() == 0) {
      ctx_.error(f.mark, "smpp: expected a list of at least one SMSC connection (- name: ...)");
      return;
    }
    std::map<std::string, int> names;
    for (std::size_t i = 0; i < f.node.size(); ++i) {
      const YAML::Node item = f.node[i];
      YAML::Mark mark = item.Mark().line >= 0 ? item.Mark() : f.mark;
      Map m(ctx_, item, "smpp[" + std::to_string(i) + "]", mark,
            {"name",
             "host",
             "port",
             "system_id",
             "password",
             "password_file",
             "password_credential",
             "system_type",
             "bind",
             "priority",
             "source_address",
             "source_ton",
             "source_npi",
             "concat",
             "tps",
             "window",
             "enquire_link_interval",
             "response_timeout",
             "reconnect_min",
             "reconnect_max",
             "ussd"});
      if (!m.valid()) continue;
      SmppConnection c;
      if (auto g = m.require("name")) {
        if (auto v = read_nonempty(ctx_, *g)) {
          c.name = *v;
          auto [it, inserted] = names.emplace(*v, g->mark.line + 1);
          if (!inserted) {
            ctx_.error(g->mark, g->path + ": duplicate connection name " + in_quotes(*v) +
                                    " (first on line " + std::to_string(it->second) + ")");
          }
        }
      }
      if (auto g = m.require("host")) {
        if (auto v = read_nonempty(ctx_, *g)) c.host = *v;
      }
      if (auto g = m.get("port")) {
        if (auto v = read_integer(ctx_, *g, 1, 65535)) c.port = static_cast<std::uint16_t>(*v);
      }
      if (auto g = m.require("system_id")) {
        if (auto v = read_nonempty(ctx_, *g)) {
          if (v->size() > 15) {
            ctx_.error(g->mark, g->path + ": at most 15 characters (SMPP 3.4), got " +
                                    std::to_string(v->size()));
          }
          c.system_id = *v;
        }
      }
      password(m, c);
      if (auto g = m.get("system_type")) {
        if (auto v = read_string(ctx_, *g)) {
          if (v->size() > 12) {
            ctx_.error(g->mark, g->path + ": at most 12 characters (SMPP 3.4), got " +
                                    std::to_string(v->size()));
          }
          c.system_type = *v;
        }
      }
      if (auto g = m.get("bind")) {
        if (auto v = read_choice(ctx_, *g, {"transceiver", "transmitter+receiver"})) {
          c.bind = static_cast<BindMode>(*v);
        }
      }
      if (auto g = m.get("priority")) {
        if (auto v = read_integer(ctx_, *g, 0, 100)) c.priority = static_cast<int>(*v);
      }
      if (auto g = m.get("source_ton")) {
        if (auto v = read_integer(ctx_, *g, 0, 6)) c.source_ton = static_cast<std::uint8_t>(*v);
      }
      if (auto g = m.get("source_npi")) {
        if (auto v = read_integer(ctx_, *g, 0, 18)) c.source_npi = static_cast<std::uint8_t>(*v);
      }
      if (auto g = m.require("source_address")) source_address(*g, country, c);
      if (auto g = m.get("concat")) {
        if (auto v = read_choice(ctx_, *g, {"udh", "sar", "payload"})) {
          c.concat = static_cast<ConcatMode>(*v);
        }
      }
      if (auto g = m.get("tps")) {
        if (auto v = read_number(ctx_, *g, 0, 10'000)) c.tps = *v;
      }
      if (auto g = m.get("window")) {
        if (auto v = read_integer(ctx_, *g, 1, 1000)) c.window = static_cast<std::size_t>(*v);
      }
      if (auto g = m.get("enquire_link_interval")) {
        if (auto v = read_duration(ctx_, *g, 1s, 1h)) c.enquire_link_interval = *v;
      }
      if (auto g = m.get("response_timeout")) {
        if (auto v = read_duration(ctx_, *g, 1s, 5min)) c.response_timeout = *v;
      }
      auto min_field = m.get("reconnect_min");
      auto max_field = m.get("reconnect_max");
      if (min_field) {
        if (auto v = read_duration(ctx_, *min_field, 100ms, 1h)) c.reconnect_min = *v;
      }
      if (max_field) {
        if (auto v = read_duration(ctx_, *max_field, 100ms, 1h)) c.reconnect_max = *v;
      }
      if (c.reconnect_max < c.reconnect_min) {
        ctx_.error(max_field   ? max_field->mark
                   : min_field ? min_field->mark
                               : m.mark(),
                   m.path() + ": reconnect_max (" + format_duration(c.reconnect_max) +
                       ") is shorter than reconnect_min (" + format_duration(c.reconnect_min) +
                       ")");
      }
      if (auto g = m.get("ussd"))  // ---- USSD ---- what this SMSC's USSD values mean
        read_ussd_dialect(
            g->node, g->mark, g->path, c.ussd,
            [&](const YAML::Mark& mk, std::string message) { ctx_.error(mk, std::move(message)); });
      config.smpp.push_back(std::move(c));
    }
  }

  void source_address(const Field& f, const std::string& country, SmppConnection& c) {
    auto v = read_nonempty(ctx_, f);
    if (!v) return;
    constexpr std::uint8_t kAlphanumeric = 5;
    if (c.source_ton == kAlphanumeric) {
      if (domain::code_point_count(*v) > 11) {
        ctx_.error(f.mark, f.path +
                               ": an alphanumeric sender (source_ton 5) has at most 11 "
                               "characters, got " +
                               in_quotes(*v));
        return;
      }
    } else if (v->size() > 20 || !domain::parse_phone_number(*v, country)) {
      ctx_.error(f.mark, f.path + ": " + in_quotes(*v) +
                             " is not a valid phone or service number (such as \"106900001234\")");
      return;
    }
    c.source_address = *v;
  }

  void password(const Map& m, SmppConnection& c) {
    auto inline_field = m.get("password");
    auto file_field = m.get("password_file");
    auto credential_field = m.get("password_credential");
    int given = (inline_field ? 1 : 0) + (file_field ? 1 : 0) + (credential_field ? 1 : 0);
    if (given == 0) {
      ctx_.error(m.mark(), m.path() +
                               ": missing the password: give password_file, "
                               "password_credential or password");
      return;
    }
    if (given > 1) {
      ctx_.error(m.mark(), m.path() +
                               ": give only one of password_file, password_credential "
                               "and password");
      return;
    }
    std::optional<std::string> secret;
    YAML::Mark mark;
    std::string what;
    if (inline_field) {
      mark = inline_field->mark;
      what = inline_field->path;
      secret = read_scalar(ctx_, *inline_field, "text", /*secret=*/true);
      c.password_origin = "inline in the configuration";
    } else if (file_field) {
      mark = file_field->mark;
      what = file_field->path;
      auto path = read_nonempty(ctx_, *file_field);
      if (!path) return;
      fs::path resolved = resolve(*path);
      c.password_origin = "file " + resolved.string();
      if (options_.secrets == Secrets::skip) return;  // only the daemon reads it
      secret = read_secret_file(resolved, mark, what);
    } else {
      mark = credential_field->mark;
      what = credential_field->path;
      auto name = read_nonempty(ctx_, *credential_field);
      if (!name) return;
      if (name->find('/') != std::string::npos || *name == "." || *name == "..") {
        ctx_.error(mark, what + ": a credential name cannot contain '/', got " + in_quotes(*name));
        return;
      }
      c.password_origin = "credential " + *name;
      if (options_.secrets == Secrets::skip) return;  // only the daemon reads it
      std::optional<fs::path> dir = options_.credentials_directory;
      if (!dir) {
        if (const char* env = std::getenv("CREDENTIALS_DIRECTORY"); env && *env) dir = env;
      }
      if (!dir && options_.secrets == Secrets::check) {
        secret = credential_source(*name, mark, what);
        if (!secret) return;
      } else if (!dir) {
        ctx_.error(mark, what +
                             ": $CREDENTIALS_DIRECTORY is not set (systemd sets it for "
                             "LoadCredential=/SetCredential=; outside systemd use "
                             "password_file)");
        return;
      } else {
        secret = read_secret_file(*dir / *name, mark, what);
      }
    }
    if (!secret) return;
    // What the checks below say never includes the secret itself.
    if (secret->empty()) {
      ctx_.error(mark, what + ": the password is empty");
    } else if (secret->size() > 8) {
      ctx_.error(mark, what + ": the password is longer than 8 characters (the SMPP 3.4 limit)");
    } else if (std::any_of(secret->begin(), secret->end(),
                           [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
      ctx_.error(mark, what + ": the password contains control characters");
    } else {
      c.password = std::move(*secret);
    }
  }

  // --check-config outside systemd: the credential is read when lianxind runs under systemd.
  // The installed unit's LoadCredential= says from which file: it must exist (and, when this
  // user may read it, hold a valid password). Without an installed unit naming it, a note.
  std::optional<std::string> credential_source(const std::string& name, const YAML::Mark& mark,
                                               const std::string& what) {
    for (const fs::path& unit : options_.unit_files) {
      std::vector<Diagnostic> ignored;
      auto text = read_text_file(unit, ignored, 1u << 20);
      if (!text) continue;
      std::istringstream lines(*text);
      for (std::string line; std::getline(lines, line);) {
        const std::string key = "LoadCredential=" + name + ":";
        if (!line.starts_with(key)) continue;
        const fs::path source = line.substr(key.size());
        std::error_code ec;
        if (!fs::exists(source, ec)) {
          ctx_.error(mark, what + ": " + unit.string() + " loads the credential " + name +
                               " from " + source.string() +
                               ", which does not exist: write the password there (mode 0600)");
          return std::nullopt;
        }
        if (::access(source.c_str(), R_OK) != 0) {
          notes_.push_back(what + ": read under systemd from " + source.string() + " (" +
                           unit.string() + "); it exists (not readable by this user)");
          return std::nullopt;
        }
        notes_.push_back(what + ": read under systemd from " + source.string() + " (" +
                         unit.string() + ")");
        return read_secret_file(source, mark, what);
      }
    }
    notes_.push_back(what + ": read from $CREDENTIALS_DIRECTORY/" + name +
                     " when lianxind runs under systemd (no installed lianxind.service names it "
                     "with LoadCredential=" +
                     name + ":FILE)");
    return std::nullopt;
  }

  std::optional<std::string> read_secret_file(const fs::path& path, const YAML::Mark& mark,
                                              const std::string& what) {
    std::vector<Diagnostic> problems;
    auto text = read_text_file(path, problems, 4096);
    if (!text) {
      ctx_.error(mark, what + ": " + path.string() + ": " +
                           (problems.empty() ? std::string("cannot read") : problems[0].message));
      return std::nullopt;
    }
    // Files written with echo/editors end in a line break; it is not part of the password.
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    return text;
  }

  void storage(const Field& f, DaemonConfig& config) {
    Map m(ctx_, f.node, f.path, f.mark, {"path", "synchronous", "inbox_dedupe_window"});
    if (!m.valid()) return;
    if (auto g = m.require("path")) {
      if (auto v = read_nonempty(ctx_, *g)) config.storage.path = resolve(*v);
    }
    if (auto g = m.get("synchronous")) {
      if (auto v = read_choice(ctx_, *g, {"full", "normal"})) {
        config.storage.synchronous = static_cast<SyncMode>(*v);
      }
    }
    if (auto g = m.get("inbox_dedupe_window")) {
      if (auto v = read_duration(ctx_, *g, 0s, 24h)) config.storage.inbox_dedupe_window = *v;
    }
  }

  void metrics(const Field& f, DaemonConfig& config) {
    Map m(ctx_, f.node, f.path, f.mark, {"address", "port"});
    if (!m.valid()) return;
    MetricsEndpoint endpoint;
    if (auto g = m.get("address")) {
      if (auto v = read_nonempty(ctx_, *g)) {
        in6_addr any;
        if (inet_pton(AF_INET, v->c_str(), &any) == 1 || inet_pton(AF_INET6, v->c_str(), &any) == 1)
          endpoint.address = *v;
        else
          ctx_.error(g->mark, g->path + ": expected an IP address such as \"127.0.0.1\", got " +
                                  in_quotes(*v));
      }
    }
    if (auto g = m.get("port")) {
      if (auto v = read_integer(ctx_, *g, 1, 65535)) endpoint.port = static_cast<std::uint16_t>(*v);
    }
    config.metrics = endpoint;
  }

  void directory(const Field& f, DaemonConfig& config) {
    Map m(ctx_, f.node, f.path, f.mark, {"grids", "members", "residents", "teams", "duty_desks"});
    if (!m.valid()) return;
    bool complete = true;
    auto path = [&](std::string_view key, bool required, fs::path& into) {
      auto g = required ? m.require(key) : m.get(key);
      if (!g) {
        complete = complete && !required;
        return;
      }
      if (auto v = read_nonempty(ctx_, *g)) {
        into = resolve(*v);
        directory_fields_.emplace_back(into, *g);
      } else {
        complete = false;
      }
    };
    path("grids", true, config.directory_files.grids);
    path("members", true, config.directory_files.members);
    path("residents", false, config.directory_files.residents);
    path("teams", false, config.directory_files.teams);
    path("duty_desks", true, config.directory_files.duty_desks);
    directory_complete_ = complete;
  }

  // A directory file that is not there is reported at the YAML line naming it.
  bool directory_files_exist(const DaemonConfig& config) {
    bool ok = true;
    const DirectoryFiles replaced =
        replaced_files(config.directory_files, options_.directory_replacements);
    for (const auto& [file, field] : directory_fields_) {
      if (file == replaced.grids || file == replaced.members || file == replaced.residents ||
          file == replaced.teams || file == replaced.duty_desks) {
        continue;
      }
      std::error_code ec;
      if (!fs::is_regular_file(file, ec)) {
        ctx_.error(field.mark,
                   field.path + ": " + file.string() +
                       (fs::exists(file, ec) ? ": not a regular file" : ": no such file"));
        ok = false;
      }
    }
    return ok;
  }

  void categories(const Field& f, domain::Settings& s) {
    if (f.node.IsNull()) return;
    if (!f.node.IsSequence()) {
      ctx_.error(f.mark, "categories: expected a list of categories (- id: ...), got " +
                             std::string(kind_of(f.node)));
      return;
    }
    std::map<std::string, int> seen;  // id → line
    for (std::size_t i = 0; i < f.node.size(); ++i) {
      const YAML::Node item = f.node[i];
      YAML::Mark mark = item.Mark().line >= 0 ? item.Mark() : f.mark;
      Map m(ctx_, item, "categories[" + std::to_string(i) + "]", mark,
            {"id", "name", "keywords", "add_keywords", "route", "team", "urgent", "complaint",
             "accept_within", "resolve_within", "reminder", "enabled"});
      if (!m.valid()) continue;
      auto id_field = m.require("id");
      if (!id_field) continue;
      auto id = read_nonempty(ctx_, *id_field);
      if (!id) continue;
      if (!std::all_of(id->begin(), id->end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
          })) {
        ctx_.error(id_field->mark, id_field->path +
                                       ": an id is lower-case letters, digits and "
                                       "'_' (such as \"streetlight\"), got " +
                                       in_quotes(*id));
        continue;
      }
      auto [it, inserted] = seen.emplace(*id, id_field->mark.line + 1);
      if (!inserted) {
        ctx_.error(id_field->mark, id_field->path + ": duplicate category id " + in_quotes(*id) +
                                       " (first on line " + std::to_string(it->second) + ")");
        continue;
      }
      auto existing = std::find_if(s.categories.begin(), s.categories.end(),
                                   [&](const domain::Category& c) { return c.id == *id; });
      if (auto g = m.get("enabled")) {
        auto enabled = read_bool(ctx_, *g);
        if (enabled && !*enabled) {
          if (existing != s.categories.end()) s.categories.erase(existing);
          continue;
        }
      }
      domain::Category category;
      if (existing != s.categories.end()) {
        category = *existing;
      } else {
        category.id = *id;
        if (!m.get("name")) {
          ctx_.error(m.mark(), m.path() + ": a new category (" + in_quotes(*id) +
                                   " is not built in) needs a name");
        }
      }
      CategoryRefs refs{*id, std::nullopt, {}};
      if (auto g = m.get("name")) {
        if (auto v = read_nonempty(ctx_, *g)) category.name = *v;
      }
      auto add = [&](std::string_view key, bool replace) {
        auto g = m.get(key);
        if (!g) return;
        auto list = read_string_list(ctx_, *g);
        if (!list) return;
        if (replace) category.keywords.clear();
        for (auto& [word, word_mark] : *list) {
          if (std::find(category.keywords.begin(), category.keywords.end(), word) ==
              category.keywords.end()) {
            category.keywords.push_back(word);
          }
          refs.keyword_marks.emplace(word, word_mark);
        }
      };
      add("keywords", true);
      add("add_keywords", false);
      std::optional<Field> route_field = m.get("route");
      if (route_field) {
        if (auto v = read_choice(ctx_, *route_field, {"grid", "team", "duty_desk"})) {
          category.route = static_cast<domain::RouteKind>(*v);
          if (category.route != domain::RouteKind::team) category.team.clear();
        }
      }
      if (auto g = m.get("team")) {
        if (auto v = read_nonempty(ctx_, *g)) {
          category.team = *v;
          refs.team_mark = g->mark;
          if (category.route != domain::RouteKind::team) {
            ctx_.error(g->mark, m.path() + ": team is only used with route: team (route is " +
                                    std::string(domain::to_string(category.route)) + ")");
          }
        }
      }
      if (category.route == domain::RouteKind::team && category.team.empty()) {
        ctx_.error(route_field ? route_field->mark : m.mark(),
                   m.path() + ": route: team needs a team: key naming a team id of teams.csv");
      }
      if (auto g = m.get("urgent")) {
        if (auto v = read_bool(ctx_, *g)) category.urgent = *v;
      }
      if (auto g = m.get("complaint")) {
        if (auto v = read_bool(ctx_, *g)) category.complaint = *v;
      }
      auto accept = m.get("accept_within");
      auto resolve = m.get("resolve_within");
      if (accept) {
        if (auto v = read_sla_limit(ctx_, *accept)) category.accept_within = *v;
      }
      if (resolve) {
        if (auto v = read_sla_limit(ctx_, *resolve)) category.resolve_within = *v;
      }
      if (auto g = m.get("reminder")) {
        if (auto v = read_reminder(ctx_, *g)) category.reminder = *v;
      }
      if (category.accept_within.nominal() > category.resolve_within.nominal()) {
        ctx_.error(accept    ? accept->mark
                   : resolve ? resolve->mark
                             : m.mark(),
                   m.path() + ": accept_within (" + category.accept_within.to_string() +
                       ") is longer than resolve_within (" + category.resolve_within.to_string() +
                       ")");
      }
      if (existing != s.categories.end()) {
        *existing = std::move(category);
      } else {
        s.categories.push_back(std::move(category));
      }
      category_refs_.push_back(std::move(refs));
    }
    // One keyword in two categories makes classification a coin toss: refuse it when the YAML
    // wrote one of them.
    std::map<std::string, std::string> owner;
    for (const domain::Category& c : s.categories) {
      for (const std::string& word : c.keywords) {
        auto [it, inserted] = owner.emplace(word, c.id);
        if (inserted || it->second == c.id) continue;
        const CategoryRefs* mine = find_refs(c.id);
        const CategoryRefs* theirs = find_refs(it->second);
        const YAML::Mark* mark = nullptr;
        if (mine && mine->keyword_marks.contains(word)) mark = &mine->keyword_marks.at(word);
        if (!mark && theirs && theirs->keyword_marks.contains(word)) {
          mark = &theirs->keyword_marks.at(word);
        }
        if (!mark) continue;  // both built in: not the operator's doing
        ctx_.error(*mark, "categories: keyword " + in_quotes(word) + " is in both " + it->second +
                              " and " + c.id);
      }
    }
  }

  void templates(const Field& f, domain::Settings& s) {
    if (f.node.IsNull()) return;
    if (!f.node.IsMap()) {
      ctx_.error(f.mark,
                 "templates: expected a mapping (name: text), got " + std::string(kind_of(f.node)));
      return;
    }
    std::vector<std::string_view> keys;
    for (const domain::TemplateField& t : domain::template_fields()) keys.push_back(t.key);
    Map m(ctx_, f.node, "templates", f.mark, keys);
    for (const domain::TemplateField& t : domain::template_fields()) {
      auto g = m.get(t.key);
      if (!g) continue;
      auto v = read_string(ctx_, *g);
      if (!v) continue;
      if (auto problem = domain::check_template(t, *v, s.signature)) {
        ctx_.error(g->mark, "templates: " + *problem);
        continue;
      }
      s.templates.*(t.field) = *v;
      overridden_templates_.insert(std::string(t.key));
    }
  }

  // Built-in templates must still fit one SMS with the configured signature.
  void check_templates(const domain::Settings& s) {
    for (const domain::TemplateField& t : domain::template_fields()) {
      if (overridden_templates_.contains(std::string(t.key))) continue;
      if (auto problem = domain::check_template(t, s.templates.*(t.field), s.signature)) {
        ctx_.error(signature_mark_ ? *signature_mark_ : YAML::Mark::null_mark(),
                   "signature " + in_quotes(s.signature) +
                       " is too long for the built-in template " + *problem +
                       "; shorten it or override the template");
      }
    }
  }

  // ---- SLA ---- points rules
  void points(const Field& f, domain::PointsRules& p) {
    Map m(ctx_, f.node, f.path, f.mark,
          {"per_star", "rating_1", "rating_2", "rating_3", "rating_4", "rating_5", "resolved",
           "on_time", "reopened", "overdue_accept", "overdue_resolve"});
    auto integer = [&](std::string_view key, int& out) {
      if (auto g = m.get(key)) {
        if (auto v = read_integer(ctx_, *g, -1000, 1000)) out = static_cast<int>(*v);
      }
    };
    // per_star: (n - 3) × per_star for n stars, around a neutral 3; rating_N then overrides one.
    if (auto g = m.get("per_star")) {
      if (auto v = read_integer(ctx_, *g, 0, 100)) {
        for (int stars = 1; stars <= 5; ++stars) {
          p.rating[static_cast<std::size_t>(stars - 1)] = (stars - 3) * static_cast<int>(*v);
        }
      }
    }
    for (int stars = 1; stars <= 5; ++stars) {
      integer("rating_" + std::to_string(stars), p.rating[static_cast<std::size_t>(stars - 1)]);
    }
    integer("resolved", p.resolved);
    integer("on_time", p.on_time);
    integer("reopened", p.reopened);
    integer("overdue_accept", p.overdue_accept);
    integer("overdue_resolve", p.overdue_resolve);
  }

  // ---- SLA ---- calendar, reminder, escalation chain, verification rules, validity; quiet
  // hours and time zone (read earlier) are copied into the domain settings here.
  void sla(const Map& top, DaemonConfig& config) {
    domain::Settings& s = config.settings;
    std::set<domain::Days> holidays;
    std::set<domain::Days> workdays;
    if (auto f = top.get("holidays")) {
      if (auto v = read_dates(ctx_, *f)) holidays = std::move(*v);
    }
    if (auto f = top.get("workdays")) {
      if (auto v = read_dates(ctx_, *f)) {
        workdays = std::move(*v);
        for (domain::Days day : workdays) {
          if (holidays.contains(day)) {
            ctx_.error(f->mark, f->path + ": " + domain::format_date(day) +
                                    " is both a holiday and a make-up working day");
          }
        }
      }
    }
    s.sla.calendar = domain::WorkCalendar(std::move(holidays), std::move(workdays));
    if (auto f = top.get("reminder")) {
      if (auto v = read_reminder(ctx_, *f)) s.sla.reminder = *v;
    }
    if (auto f = top.get("escalation")) {
      Map m(ctx_, f->node, f->path, f->mark,
            {"chain", "accept_within", "resolve_within", "problem_after"});
      if (auto g = m.get("chain")) {
        if (auto list = read_string_list(ctx_, *g)) {
          std::vector<domain::EscalationStep> chain;
          for (const auto& [word, mark] : *list) {
            auto step = domain::escalation_step_from_string(word);
            if (!step) {
              ctx_.error(mark, g->path + ": unknown step " + in_quotes(word) +
                                   "; steps are grid_leader, township_desk, county_desk");
              continue;
            }
            if (std::find(chain.begin(), chain.end(), *step) != chain.end()) {
              ctx_.error(mark, g->path + ": step " + in_quotes(word) + " appears twice");
              continue;
            }
            chain.push_back(*step);
          }
          if (list->empty()) ctx_.error(g->mark, g->path + ": the chain needs at least one step");
          if (!chain.empty()) s.escalation.chain = std::move(chain);
        }
      }
      if (auto g = m.get("accept_within")) {
        if (auto v = read_sla_limit(ctx_, *g)) s.escalation.accept_within = *v;
      }
      if (auto g = m.get("resolve_within")) {
        if (auto v = read_sla_limit(ctx_, *g)) s.escalation.resolve_within = *v;
      }
      if (auto g = m.get("problem_after")) {
        if (auto v = read_integer(ctx_, *g, 0, 100)) {
          s.escalation.problem_after = static_cast<int>(*v);
        }
      }
    }
    if (auto f = top.get("verification")) {
      Map m(ctx_, f->node, f->path, f->mark, {"escalate_on_reopen"});
      if (auto g = m.get("escalate_on_reopen")) {
        if (auto v = read_integer(ctx_, *g, 0, 100)) {
          s.verification.escalate_on_reopen = static_cast<int>(*v);
        }
      }
    }
    if (auto f = top.get("validity")) {
      Map m(ctx_, f->node, f->path, f->mark,
            {"reply", "notice", "dispatch", "reminder", "escalation", "verification"});
      auto read = [&](std::string_view key, std::chrono::seconds& out) {
        if (auto g = m.get(key)) {
          // 0s: never expires.
          if (auto v = read_duration(ctx_, *g, 0ms, std::chrono::hours{24 * 30})) {
            out = std::chrono::duration_cast<std::chrono::seconds>(*v);
          }
        }
      };
      read("reply", s.sla.validity.reply);
      read("notice", s.sla.validity.notice);
      read("dispatch", s.sla.validity.dispatch);
      read("reminder", s.sla.validity.reminder);
      read("escalation", s.sla.validity.escalation);
      read("verification", s.sla.validity.verification);
    }
    if (config.quiet_hours) {
      s.sla.quiet_hours = domain::QuietPeriod{config.quiet_hours->start, config.quiet_hours->end};
    } else {
      s.sla.quiet_hours.reset();
    }
  }

  void language(const Field& f, DaemonConfig& config) {
    Map m(ctx_, f.node, f.path, f.mark, {"model", "corpus", "review_below", "urgent_at"});
    if (!m.valid()) return;
    if (auto g = m.get("model")) {
      if (auto v = read_nonempty(ctx_, *g)) config.language.model = resolve(*v);
    }
    if (auto g = m.get("corpus")) {
      if (auto v = read_nonempty(ctx_, *g)) config.language.corpus = resolve(*v);
    }
    // Probabilities: 0.6 or 60%.
    auto probability = [&](std::string_view key, double& into) {
      auto g = m.get(key);
      if (!g) return;
      if (auto text = read_string(ctx_, *g); text && text->ends_with('%')) {
        char* end = nullptr;
        const std::string number = text->substr(0, text->size() - 1);
        const double v = std::strtod(number.c_str(), &end);
        if (end != number.c_str() && *end == '\0' && v >= 0 && v <= 100) {
          into = v / 100;
        } else {
          ctx_.error(g->mark,
                     g->path + ": expected a percentage from 0% to 100%, got " + in_quotes(*text));
        }
      } else if (auto v = read_number(ctx_, *g, 0, 1)) {
        into = *v;
      }
    };
    probability("review_below", config.settings.language.review_below);
    probability("urgent_at", config.settings.language.urgent_at);
  }

  void windows(const Field& f, domain::Windows& w) {
    using std::chrono::hours;
    using std::chrono::minutes;
    Map m(
        ctx_, f.node, f.path, f.mark,
        {"duplicate_join", "location_followup", "verification", "closed_retention", "note_batch"});
    if (auto g = m.get("note_batch")) {
      if (auto v = read_duration_in(ctx_, *g, std::chrono::seconds{0}, std::chrono::seconds{86400}))
        w.note_batch = *v;
    }
    if (auto g = m.get("duplicate_join")) {
      if (auto v = read_duration_in(ctx_, *g, minutes{0}, minutes{7 * 24 * 60}))
        w.duplicate_join = *v;
    }
    if (auto g = m.get("location_followup")) {
      if (auto v = read_duration_in(ctx_, *g, minutes{1}, minutes{7 * 24 * 60}))
        w.location_followup = *v;
    }
    if (auto g = m.get("verification")) {
      if (auto v = read_duration_in(ctx_, *g, hours{1}, hours{24 * 90})) w.verification = *v;
    }
    if (auto g = m.get("closed_retention")) {
      if (auto v = read_duration_in(ctx_, *g, hours{0}, hours{24 * 365})) w.closed_retention = *v;
    }
  }

  Context& ctx_;
  fs::path base_;
  const LoadOptions& options_;
  std::vector<std::string>& notes_;
  bool directory_complete_ = false;  // set when directory: names every required file
  std::vector<std::pair<fs::path, Field>> directory_fields_;
  std::optional<YAML::Mark> signature_mark_;
  std::optional<YAML::Mark> fallback_mark_;
  YAML::Mark categories_mark_ = YAML::Mark::null_mark();
  std::vector<CategoryRefs> category_refs_;
  std::set<std::string> overridden_templates_;
};

}  // namespace

std::string_view to_string(BindMode mode) {
  return mode == BindMode::transceiver ? "transceiver" : "transmitter+receiver";
}
std::string_view to_string(ConcatMode mode) {
  switch (mode) {
    case ConcatMode::udh:
      return "udh";
    case ConcatMode::sar:
      return "sar";
    case ConcatMode::payload:
      return "payload";
  }
  return "?";
}
std::string_view to_string(SyncMode mode) {
  return mode == SyncMode::full ? "full" : "normal";
}
std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::notice:
      return "notice";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

bool QuietHours::contains(std::chrono::minutes t) const {
  if (start < end) return t >= start && t < end;
  return t >= start || t < end;  // wraps past midnight
}

std::string QuietHours::to_string() const {
  auto hhmm = [](std::chrono::minutes m) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", static_cast<int>(m.count() / 60),
                  static_cast<int>(m.count() % 60));
    return std::string(buffer);
  };
  return hhmm(start) + "-" + hhmm(end);
}

std::optional<QuietHours> parse_quiet_hours(std::string_view text, std::string& error) {
  auto time_of_day = [](std::string_view t) -> std::optional<std::chrono::minutes> {
    std::size_t colon = t.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || t.size() - colon != 3) {
      return std::nullopt;
    }
    int h = 0, m = 0;
    auto [e1, c1] = std::from_chars(t.data(), t.data() + colon, h);
    auto [e2, c2] = std::from_chars(t.data() + colon + 1, t.data() + t.size(), m);
    if (c1 != std::errc() || e1 != t.data() + colon || c2 != std::errc() ||
        e2 != t.data() + t.size() || h < 0 || h > 23 || m < 0 || m > 59) {
      return std::nullopt;
    }
    return std::chrono::minutes{h * 60 + m};
  };
  std::size_t dash = text.find('-');
  std::optional<std::chrono::minutes> start, end;
  if (dash != std::string_view::npos) {
    start = time_of_day(text.substr(0, dash));
    end = time_of_day(text.substr(dash + 1));
  }
  if (!start || !end) {
    error =
        "expected quiet hours as HH:MM-HH:MM on a 24-hour clock, such as \"22:00-07:00\", got " +
        in_quotes(text);
    return std::nullopt;
  }
  if (*start == *end) {
    error = "quiet hours start and end at the same time (" + std::string(text) + ")";
    return std::nullopt;
  }
  return QuietHours{*start, *end};
}

std::optional<Millis> parse_duration(std::string_view text, std::string& error) {
  auto bad = [&] {
    error = "expected a duration such as 30s, 10m, 2h or 1h30m, got " + in_quotes(text);
    return std::nullopt;
  };
  if (text.empty()) return bad();
  long long total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    long long n = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), n);
    if (ec != std::errc() || n < 0) return bad();
    i = static_cast<std::size_t>(end - text.data());
    long long unit = 0;
    if (text.substr(i, 2) == "ms") {
      unit = 1, i += 2;
    } else if (i < text.size()) {
      switch (text[i]) {
        case 's':
          unit = 1'000;
          break;
        case 'm':
          unit = 60'000;
          break;
        case 'h':
          unit = 3'600'000;
          break;
        case 'd':
          unit = 86'400'000;
          break;
        default:
          return bad();
      }
      ++i;
    } else {
      error = "a duration needs a unit (ms, s, m, h or d), such as \"" + std::string(text) + "s\"";
      return std::nullopt;
    }
    if (n > 10'000'000'000LL / unit) return bad();  // beyond ~115 days of any unit: nonsense
    total += n * unit;
    if (total > 100'000'000'000LL) return bad();
  }
  return Millis{total};
}

std::vector<const SmppConnection*> DaemonConfig::by_priority() const {
  std::vector<const SmppConnection*> out;
  for (const SmppConnection& c : smpp) out.push_back(&c);
  std::stable_sort(out.begin(), out.end(), [](const SmppConnection* a, const SmppConnection* b) {
    return a->priority < b->priority;
  });
  return out;
}

LoadResult load_config_text(std::string_view yaml, const std::string& file_name,
                            const fs::path& base_directory, const LoadOptions& options) {
  LoadResult result;
  Context ctx(file_name, yaml, result.errors);
  if (auto bad = find_invalid_utf8(yaml)) {
    std::string_view before = yaml.substr(0, *bad);
    int line = static_cast<int>(std::count(before.begin(), before.end(), '\n')) + 1;
    std::size_t line_start = before.rfind('\n');
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    int column = static_cast<int>(*bad - line_start) + 1;
    result.errors.push_back({file_name, line, column, "not valid UTF-8; save the file as UTF-8"});
    return result;
  }
  DaemonConfig config;
  config.file = file_name;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsDefined() || root.IsNull()) {
      result.errors.push_back({file_name, 0, 0, "the file is empty"});
      return result;
    }
    Loader loader(ctx, base_directory, options, result.notes);
    loader.load(root, config);
    loader.cross_check(config);
  } catch (const YAML::ParserException& e) {
    ctx.error(e.mark, "YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    ctx.error(e.mark, "cannot read the YAML: " + e.msg);
  } catch (const std::exception& e) {
    result.errors.push_back({file_name, 0, 0, std::string("cannot load: ") + e.what()});
  }
  // The YAML's own problems in file order, then those of the CSV files (already in their order).
  std::stable_partition(result.errors.begin(), result.errors.end(),
                        [&](const Diagnostic& d) { return d.file == file_name; });
  auto yaml_end = std::find_if(result.errors.begin(), result.errors.end(),
                               [&](const Diagnostic& d) { return d.file != file_name; });
  std::stable_sort(result.errors.begin(), yaml_end, [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.line, a.column) < std::pair(b.line, b.column);
  });
  if (result.errors.empty()) result.config = std::move(config);
  return result;
}

LoadResult load_config(const fs::path& path, const LoadOptions& options) {
  LoadResult result;
  auto text = read_text_file(path, result.errors, 4u << 20);
  if (!text) return result;
  fs::path base = path.parent_path();
  if (base.empty()) base = ".";
  return load_config_text(*text, path.string(), base, options);
}

std::optional<fs::path> read_control_socket(const fs::path& path, std::string& error) {
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    const YAML::Node node = root.IsMap() ? root["control_socket"] : YAML::Node();
    if (!node || node.IsNull()) return fs::path(kDefaultControlSocket);
    const std::string value = node.as<std::string>();
    if (value.empty()) return fs::path();
    fs::path p(value);
    fs::path base = path.parent_path();
    if (p.is_relative() && !base.empty()) p = base / p;
    return p.lexically_normal();
  } catch (const YAML::Exception& e) {
    error = path.string() + ": " + e.what();
    return std::nullopt;
  }
}

}  // namespace lianxin::config
