// The loader of lianxind.yaml (internal to config/): one object per load, its sections spread
// over daemon_config.cpp (the whole file, storage, metrics, directory, language),
// config_sla.cpp (time zone, quiet hours, SLA, windows), config_smpp.cpp (connections and their
// passwords) and config_categories.cpp (categories, templates, points).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/daemon_config.hpp"
#include "config/yaml_reader.hpp"

namespace lianxin::config::detail {

namespace fs = std::filesystem;

struct CategoryRefs {
  std::string id;
  std::optional<YAML::Mark> team_mark;              // set when the YAML names the team
  std::map<std::string, YAML::Mark> keyword_marks;  // keywords written in the YAML
};

class Loader {
 public:
  Loader(Context& ctx, fs::path base, const LoadOptions& options, std::vector<std::string>& notes)
      : ctx_(ctx), base_(std::move(base)), options_(options), notes_(notes) {}

  void load(const YAML::Node& root, DaemonConfig& config);

  // Loads the directory CSV files and checks what the YAML refers to in them.
  void cross_check(DaemonConfig& config);

 private:
  const CategoryRefs* find_refs(std::string_view id) const;

  fs::path resolve(const std::string& path) const;

  void time_zone(const Field& f, DaemonConfig& config);

  void quiet_hours(const Field& f, DaemonConfig& config);

  void smpp(const Field& f, const std::string& country, DaemonConfig& config);

  void source_address(const Field& f, const std::string& country, SmppConnection& c);

  void password(const Map& m, SmppConnection& c);

  // --check-config outside systemd: the credential is read when lianxind runs under systemd.
  // The installed unit's LoadCredential= says from which file: it must exist (and, when this
  // user may read it, hold a valid password). Without an installed unit naming it, a note.
  std::optional<std::string> credential_source(const std::string& name, const YAML::Mark& mark,
                                               const std::string& what);

  std::optional<std::string> read_secret_file(const fs::path& path, const YAML::Mark& mark,
                                              const std::string& what);

  void storage(const Field& f, DaemonConfig& config);

  void metrics(const Field& f, DaemonConfig& config);

  void directory(const Field& f, DaemonConfig& config);

  // A directory file that is not there is reported at the YAML line naming it.
  bool directory_files_exist(const DaemonConfig& config);

  void categories(const Field& f, domain::Settings& s);

  void templates(const Field& f, domain::Settings& s);

  // Built-in templates must still fit one SMS with the configured signature.
  void check_templates(const domain::Settings& s);

  // ---- SLA ---- points rules
  void points(const Field& f, domain::PointsRules& p);

  // ---- SLA ---- calendar, reminder, escalation chain, verification rules, validity; quiet
  // hours and time zone (read earlier) are copied into the domain settings here.
  void sla(const Map& top, DaemonConfig& config);

  void language(const Field& f, DaemonConfig& config);

  void windows(const Field& f, domain::Windows& w);

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

}  // namespace lianxin::config::detail
