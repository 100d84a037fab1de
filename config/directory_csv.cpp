#include "config/directory_csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "config/cell_checks.hpp"
#include "config/directory_table.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::config {
namespace {

using domain::Role;

const std::vector<std::pair<std::string_view, Role>> kChineseRoles{
    {"党员", Role::member},        {"网格员", Role::member},        {"成员", Role::member},
    {"网格长", Role::grid_leader}, {"支部书记", Role::grid_leader}, {"书记", Role::grid_leader},
    {"团长", Role::team_leader},   {"队长", Role::team_leader},     {"值班", Role::duty_desk},
    {"值班员", Role::duty_desk},   {"值班室", Role::duty_desk},     {"志愿者", Role::helper},
    {"协管员", Role::helper},      {"代办员", Role::helper},
};

// An id is referenced from list cells, so it cannot hold separators or spaces.
bool valid_id(std::string_view id) {
  if (id.empty()) return false;
  for (std::string_view bad : {" ", "\t", ";", ",", "\"", "\xEF\xBC\x9B", "\xE3\x80\x81",
                               "\xEF\xBC\x8C", "\xE3\x80\x80"}) {
    if (id.find(bad) != std::string_view::npos) return false;
  }
  return true;
}

// A reference to check once every file is read.
struct Reference {
  std::string file;
  std::size_t line;
  std::string column;  // as written in the header
  std::string id;
};

std::optional<bool> parse_on_duty(std::string_view text) {
  const std::string t = ascii_lower(text);
  for (std::string_view yes : {"", "yes", "y", "true", "1", "是", "在岗", "在"}) {
    if (t == yes) return true;
  }
  for (std::string_view no : {"no", "n", "false", "0", "否", "不在岗", "休假", "离岗"}) {
    if (t == no) return false;
  }
  return std::nullopt;
}

std::optional<Role> parse_role(std::string_view text) {
  if (auto role = domain::role_from_string(ascii_lower(text))) return role;
  for (const auto& [name, role] : kChineseRoles) {
    if (name == text) return role;
  }
  return std::nullopt;
}

class DirectoryBuilder {
 public:
  DirectoryBuilder(std::string_view default_country, std::vector<Diagnostic>& sink)
      : default_country_(default_country), errors_(sink) {}

  void grids(const CsvSource& source) {
    Table table(source, columns_of(DirectoryKind::grids), errors_);
    grids_read_ = table.ok();
    for (const Table::Row& row : table.rows()) {
      domain::Grid grid;
      auto id = table.required(row, "id");
      auto village = table.required(row, "village");
      if (!readable(table, row, {"name", "village", "township", "aliases"}) || !id || !village) {
        if (id) rejected_grids_.insert(*id);
        continue;
      }
      if (!check_id(table, row, "id", *id) || !unique(grid_lines_, table, row, "id", *id)) continue;
      grid.id = *id;
      grid.village = *village;
      grid.name = table.cell(row, "name").empty() ? *village : table.cell(row, "name");
      grid.township = table.cell(row, "township");
      grid.aliases = split_list(table.cell(row, "aliases"));
      grid.leader = table.cell(row, "leader");
      if (!grid.leader.empty()) {
        member_refs_.push_back({table.file(), row.line, table.label("leader"), grid.leader});
      }
      if (!grid.township.empty()) townships_.insert(grid.township);
      grids_.push_back(std::move(grid));
    }
  }

  void members(const CsvSource& source) {
    Table table(source, columns_of(DirectoryKind::members), errors_);
    members_read_ = table.ok();
    for (const Table::Row& row : table.rows()) {
      domain::Member member;
      auto id = table.required(row, "id");
      auto name = table.required(row, "name");
      auto phone = person_phone(table, row);
      if (!readable(table, row, {"name"}) || !id || !name || !phone) {
        if (id) rejected_members_.insert(*id);
        continue;
      }
      if (!check_id(table, row, "id", *id) || !unique(member_lines_, table, row, "id", *id)) {
        continue;
      }
      if (!unique(member_phone_lines_, table, row, "phone", *phone)) continue;
      member.id = *id;
      member.name = *name;
      member.phone = *phone;
      member.grids = split_list(table.cell(row, "grids"));
      for (const std::string& grid : member.grids) {
        grid_refs_.push_back({table.file(), row.line, table.label("grids"), grid});
      }
      bool ok = true;
      for (const std::string& text : split_list(table.cell(row, "roles"))) {
        if (auto role = parse_role(text)) {
          if (!member.has_role(*role)) member.roles.push_back(*role);
        } else {
          table.error(row, "roles",
                      "unknown role " + in_quotes(text) +
                          " (member/党员, grid_leader/网格长, team_leader/团长, duty_desk/值班, "
                          "helper/志愿者/代办员)");
          ok = false;
        }
      }
      if (member.roles.empty()) member.roles.push_back(Role::member);
      if (auto on_duty = parse_on_duty(table.cell(row, "on_duty"))) {
        member.on_duty = *on_duty;
      } else {
        table.error(row, "on_duty",
                    in_quotes(table.cell(row, "on_duty")) + " is not 是/否 (yes/no)");
        ok = false;
      }
      if (ok) members_.push_back(std::move(member));
    }
  }

  void residents(const CsvSource& source) {
    Table table(source, columns_of(DirectoryKind::residents), errors_);
    for (const Table::Row& row : table.rows()) {
      auto phone = person_phone(table, row);
      if (!readable(table, row, {"name"}) || !phone ||
          !unique(resident_phone_lines_, table, row, "phone", *phone))
        continue;
      domain::Resident resident{*phone, table.cell(row, "name"), table.cell(row, "grid")};
      if (!resident.grid.empty()) {
        grid_refs_.push_back({table.file(), row.line, table.label("grid"), resident.grid});
      }
      residents_.push_back(std::move(resident));
    }
  }

  void teams(const CsvSource& source) {
    Table table(source, columns_of(DirectoryKind::teams), errors_);
    for (const Table::Row& row : table.rows()) {
      auto id = table.required(row, "id");
      auto name = table.required(row, "name");
      auto leader = table.required(row, "leader");
      if (!readable(table, row, {"name", "aliases"}) || !id || !name || !leader) continue;
      if (!check_id(table, row, "id", *id) || !unique(team_lines_, table, row, "id", *id)) continue;
      domain::Team team{*id, *name, *leader, split_list(table.cell(row, "members")),
                        split_list(table.cell(row, "aliases"))};
      member_refs_.push_back({table.file(), row.line, table.label("leader"), team.leader});
      for (const std::string& m : team.members) {
        member_refs_.push_back({table.file(), row.line, table.label("members"), m});
      }
      teams_.push_back(std::move(team));
    }
  }

  void duty_desks(const CsvSource& source) {
    Table table(source, columns_of(DirectoryKind::duty_desks), errors_);
    for (const Table::Row& row : table.rows()) {
      auto member = table.required(row, "member");
      if (!member) continue;
      domain::DutyDesk desk{table.cell(row, "township"), *member};
      member_refs_.push_back({table.file(), row.line, table.label("member"), desk.member});
      if (!desk.township.empty()) {
        township_refs_.push_back({table.file(), row.line, table.label("township"), desk.township});
      }
      duty_desks_.push_back(std::move(desk));
    }
    if (table.ok()) {
      bool county = false;
      for (const domain::DutyDesk& desk : duty_desks_) county = county || desk.township.empty();
      if (!county) {
        table.error(0,
                    "no county duty desk (a row with an empty township): tickets whose village "
                    "stays unknown would have nobody to go to");
      }
    }
  }

  // A file that did not read (encoding, CSV syntax, header) was reported once; references to
  // what it should have defined are skipped with one line saying so, not reported one by one.
  DirectoryLoadResult finish(std::vector<Diagnostic>& sink) {
    if (members_read_) {
      check_refs(member_refs_, member_lines_, rejected_members_, "member");
    } else if (!member_refs_.empty()) {
      errors_.add("directory", 0,
                  "references to members from the other files not checked: the members file "
                  "did not read");
    }
    if (grids_read_) {
      check_refs(grid_refs_, grid_lines_, rejected_grids_, "grid");
    } else if (!grid_refs_.empty() || !township_refs_.empty()) {
      errors_.add("directory", 0,
                  "references to grids and townships from the other files not checked: the "
                  "grids file did not read");
    }
    for (const Reference& ref : township_refs_) {
      if (grids_read_ && !townships_.contains(ref.id)) {
        errors_.add(ref.file, ref.line,
                    ref.column + ": no grid is in township " + in_quotes(ref.id) +
                        " (check the spelling against grids.csv)");
      }
    }
    DirectoryLoadResult result;
    if (!errors_.any()) {
      result.directory.emplace(std::move(grids_), std::move(members_), std::move(residents_),
                               std::move(teams_), std::move(duty_desks_));
    }
    result.errors = std::move(sink);
    return result;
  }

 private:
  using Lines = std::map<std::string, std::pair<std::string, std::size_t>>;  // key → file, line

  bool check_id(Table& table, const Table::Row& row, std::string_view column,
                const std::string& id) {
    if (valid_id(id)) return true;
    table.error(row, column, in_quotes(id) + " cannot be an id: no spaces, commas or semicolons");
    return false;
  }

  bool unique(Lines& seen, Table& table, const Table::Row& row, std::string_view column,
              const std::string& key) {
    auto [it, inserted] = seen.emplace(key, std::make_pair(table.file(), row.line));
    if (inserted) return true;
    std::string where = it->second.first == table.file()
                            ? "line " + std::to_string(it->second.second)
                            : it->second.first + ":" + std::to_string(it->second.second);
    table.error(row, column, "duplicate " + in_quotes(key) + ", already on " + where);
    return false;
  }

  std::optional<std::string> person_phone(Table& table, const Table::Row& row) {
    auto raw = table.required(row, "phone");
    if (!raw) return std::nullopt;
    // Before normalising: "13800000001.0" would otherwise lose its point and become another
    // number.
    if (auto problem = excel_number_problem(*raw)) {
      table.error(row, "phone", *problem);
      return std::nullopt;
    }
    auto parsed = domain::parse_phone_number(*raw, default_country_);
    if (!parsed) {
      std::string message = in_quotes(*raw) + " is not a valid phone number";
      if (auto fix = lost_leading_zero(*raw, default_country_)) message += ": " + *fix;
      table.error(row, "phone", message);
      return std::nullopt;
    }
    if (parsed->kind == domain::NumberKind::service) {
      table.error(row, "phone", in_quotes(*raw) + " is a service number, not a person's phone");
      return std::nullopt;
    }
    return parsed->canonical;
  }

  // False (with an error per cell) when a text cell is mojibake; the value is not echoed (it may
  // hold control characters).
  bool readable(Table& table, const Table::Row& row, std::initializer_list<std::string_view> keys) {
    bool ok = true;
    for (std::string_view key : keys) {
      if (auto why = mojibake_problem(table.cell(row, key))) {
        table.error(row, key, "mojibake (乱码): " + *why + "; type it again");
        ok = false;
      }
    }
    return ok;
  }

  // Unknown ids are reported; ids whose own row was refused are not (that row's error says why).
  void check_refs(const std::vector<Reference>& refs, const Lines& known,
                  const std::set<std::string>& refused, std::string_view what) {
    for (const Reference& ref : refs) {
      if (known.contains(ref.id) || refused.contains(ref.id)) continue;
      std::vector<std::string_view> ids;
      for (const auto& [id, where] : known) ids.push_back(id);
      std::string message = ref.column + ": unknown " + std::string(what) + " " + in_quotes(ref.id);
      std::string suggestion = closest_match(ref.id, ids);
      if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
      errors_.add(ref.file, ref.line, message);
    }
  }

  std::string default_country_;
  Errors errors_;
  std::vector<domain::Grid> grids_;
  std::vector<domain::Member> members_;
  std::vector<domain::Resident> residents_;
  std::vector<domain::Team> teams_;
  std::vector<domain::DutyDesk> duty_desks_;
  Lines grid_lines_, member_lines_, member_phone_lines_, resident_phone_lines_, team_lines_;
  std::set<std::string> townships_;
  std::set<std::string> rejected_grids_, rejected_members_;
  bool grids_read_ = false, members_read_ = false;
  std::vector<Reference> member_refs_, grid_refs_, township_refs_;
};

}  // namespace

std::optional<std::string> read_text_file(const std::filesystem::path& path,
                                          std::vector<Diagnostic>& errors, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    errors.push_back({path.string(), 0, 0, "cannot read: is a directory"});
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back({path.string(), 0, 0, std::string("cannot read: ") + std::strerror(errno)});
    return std::nullopt;
  }
  std::string text;
  char buffer[8192];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      errors.push_back(
          {path.string(), 0, 0, "file is larger than " + std::to_string(max_bytes >> 20) + " MiB"});
      return std::nullopt;
    }
  }
  if (in.bad()) {
    errors.push_back({path.string(), 0, 0, "read error"});
    return std::nullopt;
  }
  return text;
}

DirectoryLoadResult parse_directory(const DirectorySources& sources,
                                    std::string_view default_country) {
  std::vector<Diagnostic> sink;
  DirectoryBuilder builder(default_country, sink);
  auto missing = [&](std::string_view what) {
    sink.push_back({"directory", 0, 0, "no " + std::string(what) + " file configured"});
  };
  if (sources.grids)
    builder.grids(*sources.grids);
  else
    missing("grids");
  if (sources.members)
    builder.members(*sources.members);
  else
    missing("members");
  if (sources.residents) builder.residents(*sources.residents);
  if (sources.teams) builder.teams(*sources.teams);
  if (sources.duty_desks)
    builder.duty_desks(*sources.duty_desks);
  else
    missing("duty_desks");
  return builder.finish(sink);
}

DirectoryFiles replaced_files(const DirectoryFiles& files, const DirectorySources& replacements) {
  auto pick = [](const std::filesystem::path& path, const std::optional<CsvSource>& replacement) {
    return replacement ? path : std::filesystem::path();
  };
  return DirectoryFiles{
      pick(files.grids, replacements.grids), pick(files.members, replacements.members),
      pick(files.residents, replacements.residents), pick(files.teams, replacements.teams),
      pick(files.duty_desks, replacements.duty_desks)};
}

DirectoryLoadResult load_directory(const DirectoryFiles& files, std::string_view default_country,
                                   const DirectorySources& replacements) {
  DirectoryLoadResult failed;
  DirectorySources sources;
  auto read = [&](const std::filesystem::path& path, const std::optional<CsvSource>& replacement,
                  std::optional<CsvSource>& into) {
    if (replacement) {
      into = replacement;
    } else if (path.empty()) {
      return;
    } else if (auto text = read_text_file(path, failed.errors)) {
      into = CsvSource{path.string(), std::move(*text)};
    }
  };
  read(files.grids, replacements.grids, sources.grids);
  read(files.members, replacements.members, sources.members);
  read(files.residents, replacements.residents, sources.residents);
  read(files.teams, replacements.teams, sources.teams);
  read(files.duty_desks, replacements.duty_desks, sources.duty_desks);
  if (!failed.errors.empty()) return failed;
  return parse_directory(sources, default_country);
}

}  // namespace lianxin::config
