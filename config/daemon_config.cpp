#include "config/daemon_config.hpp"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "config/config_loader.hpp"
#include "config/csv.hpp"
#include "config/ussd_menu.hpp"

namespace lianxin::config {
namespace detail {

using namespace std::chrono_literals;

void Loader::load(const YAML::Node& root, DaemonConfig& config) {
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
      bool digits = !v->empty() && v->size() <= 3 && (*v)[0] != '0' &&
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
    if (auto i = read_choice(ctx_, *f, names_in(kLogLevelNames))) {
      config.log_level = kLogLevelNames[*i].first;
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
      if (auto v =
              read_duration_in(ctx_, *g, std::chrono::minutes{1}, std::chrono::minutes{24 * 60})) {
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
    if (auto v = read_integer(ctx_, *f, 1, 50)) s.member_list_limit = static_cast<std::size_t>(*v);
  }
  // ---- USSD ---- the menu (config/ussd_menu.cpp); after the categories it refers to.
  if (auto f = top.get("ussd")) read_ussd_menu(ctx_, *f, s);
}

void Loader::cross_check(DaemonConfig& config) {
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

const CategoryRefs* Loader::find_refs(std::string_view id) const {
  for (const CategoryRefs& r : category_refs_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

fs::path Loader::resolve(const std::string& path) const {
  fs::path p(path);
  if (p.is_relative() && !base_.empty()) p = base_ / p;
  return p.lexically_normal();
}

void Loader::storage(const Field& f, DaemonConfig& config) {
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

void Loader::metrics(const Field& f, DaemonConfig& config) {
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

void Loader::directory(const Field& f, DaemonConfig& config) {
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

bool Loader::directory_files_exist(const DaemonConfig& config) {
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

void Loader::language(const Field& f, DaemonConfig& config) {
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

}  // namespace detail

namespace fs = std::filesystem;
using detail::Context;
using detail::in_quotes;
using detail::Loader;

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
