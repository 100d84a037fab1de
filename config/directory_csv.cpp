#include "config/directory_csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "config/csv.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::config {
namespace {

using domain::Role;

constexpr std::size_t kMaxErrorsPerFile = 50;

struct ColumnSpec {
  std::string_view key;
  std::vector<std::string_view> names;  // accepted header names besides the key
  bool required;
};

const std::vector<ColumnSpec> kGridColumns{
    {"id", {"编号", "网格编号", "网格id"}, true},
    {"name", {"名称", "网格名称", "网格名"}, false},
    {"village", {"村", "村名", "行政村", "村庄"}, true},
    {"township", {"乡镇", "镇", "乡", "乡镇街道", "街道"}, false},
    {"aliases", {"别名", "俗称"}, false},
    {"leader", {"网格长", "负责人", "组长"}, false},
};
const std::vector<ColumnSpec> kMemberColumns{
    {"id", {"编号", "成员编号", "人员编号"}, true},
    {"name", {"姓名", "名字"}, true},
    {"phone", {"手机", "手机号", "手机号码", "电话", "联系电话"}, true},
    {"grids", {"网格", "所属网格", "grid"}, false},
    {"roles", {"角色", "role"}, false},
    {"on_duty", {"在岗", "是否在岗"}, false},
};
const std::vector<ColumnSpec> kResidentColumns{
    {"phone", {"手机", "手机号", "手机号码", "电话", "联系电话"}, true},
    {"name", {"姓名", "名字"}, false},
    {"grid", {"网格", "所属网格"}, false},
};
const std::vector<ColumnSpec> kTeamColumns{
    {"id", {"编号", "队伍编号"}, true},           {"name", {"名称", "队名", "队伍名称"}, true},
    {"leader", {"队长", "团长", "负责人"}, true}, {"members", {"成员", "队员"}, false},
    {"aliases", {"别名", "简称", "服务"}, false},
};
const std::vector<ColumnSpec> kDutyDeskColumns{
    {"township", {"乡镇", "镇", "乡", "乡镇街道", "街道"}, false},
    {"member", {"成员", "值班人员", "值班员", "成员编号"}, true},
};

const std::vector<std::string_view> kIgnoredColumns{
    "note", "notes", "remark", "remarks", "comment", "title", "备注", "职务", "说明"};

const std::vector<std::pair<std::string_view, Role>> kChineseRoles{
    {"党员", Role::member},        {"网格员", Role::member},        {"成员", Role::member},
    {"网格长", Role::grid_leader}, {"支部书记", Role::grid_leader}, {"书记", Role::grid_leader},
    {"团长", Role::team_leader},   {"队长", Role::team_leader},     {"值班", Role::duty_desk},
    {"值班员", Role::duty_desk},   {"值班室", Role::duty_desk},     {"志愿者", Role::helper},
    {"协管员", Role::helper},      {"代办员", Role::helper},
};

bool starts_with_at(std::string_view s, std::size_t i, std::string_view p) {
  return s.substr(i, p.size()) == p;
}

// Trims ASCII white space, U+3000 (ideographic space) and U+00A0 (no-break space).
std::string trim(std::string_view s) {
  auto space_len_at_front = [](std::string_view t) -> std::size_t {
    if (t.empty()) return 0;
    if (t[0] == ' ' || t[0] == '\t' || t[0] == '\n' || t[0] == '\r') return 1;
    if (t.substr(0, 3) == "\xE3\x80\x80") return 3;
    if (t.substr(0, 2) == "\xC2\xA0") return 2;
    return 0;
  };
  auto space_len_at_back = [](std::string_view t) -> std::size_t {
    if (t.empty()) return 0;
    char c = t.back();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
    if (t.size() >= 3 && t.substr(t.size() - 3) == "\xE3\x80\x80") return 3;
    if (t.size() >= 2 && t.substr(t.size() - 2) == "\xC2\xA0") return 2;
    return 0;
  };
  while (std::size_t n = space_len_at_front(s)) s.remove_prefix(n);
  while (std::size_t n = space_len_at_back(s)) s.remove_suffix(n);
  return std::string(s);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Splits a list cell on ; ； 、 , ， and trims; empty items are dropped.
std::vector<std::string> split_list(std::string_view cell) {
  static const std::string_view kSeparators[] = {";", ",", "\xEF\xBC\x9B" /*；*/,
                                                 "\xE3\x80\x81" /*、*/, "\xEF\xBC\x8C" /*，*/};
  std::vector<std::string> items;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= cell.size();) {
    std::size_t sep = 0;
    if (i == cell.size()) {
      sep = 1;
    } else {
      for (std::string_view s : kSeparators) {
        if (starts_with_at(cell, i, s)) sep = s.size();
      }
    }
    if (sep == 0) {
      ++i;
      continue;
    }
    std::string item = trim(cell.substr(start, i - start));
    if (!item.empty()) items.push_back(std::move(item));
    i += sep;
    start = i;
  }
  return items;
}

// An id is referenced from list cells, so it cannot hold separators or spaces.
bool valid_id(std::string_view id) {
  if (id.empty()) return false;
  for (std::string_view bad : {" ", "\t", ";", ",", "\"", "\xEF\xBC\x9B", "\xE3\x80\x81",
                               "\xEF\xBC\x8C", "\xE3\x80\x80"}) {
    if (id.find(bad) != std::string_view::npos) return false;
  }
  return true;
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

class Errors {
 public:
  explicit Errors(std::vector<Diagnostic>& sink) : sink_(sink) {}
  void add(const std::string& file, std::size_t line, std::string message) {
    std::size_t& count = per_file_[file];
    ++count;
    if (count > kMaxErrorsPerFile) return;
    if (count == kMaxErrorsPerFile)
      message = "too many errors; the rest of this file is not reported";
    sink_.push_back(Diagnostic{file, static_cast<int>(line), 0, std::move(message)});
  }
  bool any() const { return !sink_.empty(); }

 private:
  std::vector<Diagnostic>& sink_;
  std::map<std::string, std::size_t> per_file_;
};

// One parsed CSV file whose header is mapped to the known columns.
class Table {
 public:
  struct Row {
    std::size_t line;
    std::vector<std::string> cells;  // trimmed
  };

  Table(const CsvSource& source, const std::vector<ColumnSpec>& specs, Errors& errors)
      : file_(source.name), specs_(specs), errors_(errors) {
    CsvParseResult parsed = parse_csv(source.text);
    if (parsed.error) {
      errors_.add(file_, parsed.error->line,
                  "column " + std::to_string(parsed.error->column) + ": " + parsed.error->message);
      ok_ = false;
      return;
    }
    std::size_t i = 0;
    while (i < parsed.records.size() && all_blank(parsed.records[i].fields)) ++i;
    if (i == parsed.records.size()) {
      errors_.add(file_, 0, "the file is empty; the first row must name the columns");
      ok_ = false;
      return;
    }
    map_header(parsed.records[i]);
    if (!ok_) return;
    for (++i; i < parsed.records.size(); ++i) add_row(parsed.records[i]);
  }

  bool ok() const { return ok_; }
  const std::vector<Row>& rows() const { return rows_; }
  const std::string& file() const { return file_; }

  const std::string& cell(const Row& row, std::string_view key) const {
    static const std::string kEmpty;
    auto it = index_.find(std::string(key));
    return it == index_.end() ? kEmpty : row.cells[it->second];
  }

  // "手机" as the user wrote it in the header, or the key when the column is absent.
  std::string label(std::string_view key) const {
    auto it = header_names_.find(std::string(key));
    return it == header_names_.end() ? std::string(key) : it->second;
  }

  void error(const Row& row, std::string_view key, const std::string& message) {
    errors_.add(file_, row.line, label(key) + ": " + message);
  }
  void error(std::size_t line, std::string message) {
    errors_.add(file_, line, std::move(message));
  }

  // The cell of a required column, with an error when it is empty.
  std::optional<std::string> required(const Row& row, std::string_view key) {
    const std::string& value = cell(row, key);
    if (value.empty()) {
      error(row, key, "required, but the cell is empty");
      return std::nullopt;
    }
    return value;
  }

 private:
  static bool all_blank(const std::vector<std::string>& fields) {
    for (const std::string& f : fields) {
      if (!trim(f).empty()) return false;
    }
    return true;
  }

  // Matches a header cell: the part before '(' / '（', case-insensitive for ASCII.
  static std::string header_key(std::string_view header) {
    std::size_t cut = std::min(header.find('('), header.find("\xEF\xBC\x88"));
    return ascii_lower(trim(header.substr(0, cut)));
  }

  void map_header(const CsvRecord& header) {
    header_line_ = header.line;
    width_ = header.fields.size();
    std::vector<std::string_view> all_names;
    for (const ColumnSpec& spec : specs_) {
      all_names.push_back(spec.key);
      for (std::string_view n : spec.names) all_names.push_back(n);
    }
    for (std::size_t col = 0; col < header.fields.size(); ++col) {
      const std::string written = trim(header.fields[col]);
      const std::string key = header_key(written);
      if (key.empty()) {
        unnamed_.push_back(col);
        continue;
      }
      if (key[0] == '#' || std::find(kIgnoredColumns.begin(), kIgnoredColumns.end(),
                                     std::string_view(key)) != kIgnoredColumns.end()) {
        continue;
      }
      const ColumnSpec* found = nullptr;
      for (const ColumnSpec& spec : specs_) {
        if (spec.key == key || std::find(spec.names.begin(), spec.names.end(),
                                         std::string_view(key)) != spec.names.end()) {
          found = &spec;
        }
      }
      if (found == nullptr) {
        std::string message = "unknown column " + in_quotes(written);
        std::string suggestion = closest_match(key, all_names);
        if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
        if (header.fields.size() == 1 &&
            (written.find(';') != std::string::npos || written.find('\t') != std::string::npos)) {
          message += " (the file seems to use ';' or tabs: save it as comma-separated CSV UTF-8)";
        }
        error(header.line, message);
        ok_ = false;
        continue;
      }
      auto [it, inserted] = index_.emplace(std::string(found->key), col);
      if (!inserted) {
        error(header.line, "column " + in_quotes(written) + " appears twice (as " +
                               in_quotes(header_names_[std::string(found->key)]) + " already)");
        ok_ = false;
        continue;
      }
      header_names_[std::string(found->key)] = written;
    }
    for (const ColumnSpec& spec : specs_) {
      if (spec.required && !index_.contains(std::string(spec.key))) {
        std::string names = in_quotes(spec.key);
        if (!spec.names.empty()) names += " or " + in_quotes(spec.names.front());
        error(header.line, "missing column " + names);
        ok_ = false;
      }
    }
  }

  void add_row(const CsvRecord& record) {
    if (all_blank(record.fields)) return;
    if (record.fields.size() != width_) {
      error(record.line, "has " + std::to_string(record.fields.size()) +
                             " cells but the header (line " + std::to_string(header_line_) +
                             ") has " + std::to_string(width_) +
                             " (a comma inside a cell must be quoted)");
      return;
    }
    for (std::size_t col : unnamed_) {
      if (!trim(record.fields[col]).empty()) {
        error(record.line,
              "column " + std::to_string(col + 1) + " has a value but no name in the header row");
        return;
      }
    }
    Row row{record.line, {}};
    row.cells.reserve(record.fields.size());
    for (const std::string& f : record.fields) row.cells.push_back(trim(f));
    rows_.push_back(std::move(row));
  }

  std::string file_;
  const std::vector<ColumnSpec>& specs_;
  Errors& errors_;
  bool ok_ = true;
  std::size_t header_line_ = 0;
  std::size_t width_ = 0;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::string> header_names_;
  std::vector<std::size_t> unnamed_;
  std::vector<Row> rows_;
};

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
    Table table(source, kGridColumns, errors_);
    for (const Table::Row& row : table.rows()) {
      domain::Grid grid;
      auto id = table.required(row, "id");
      auto village = table.required(row, "village");
      if (!id || !village) continue;
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
    Table table(source, kMemberColumns, errors_);
    for (const Table::Row& row : table.rows()) {
      domain::Member member;
      auto id = table.required(row, "id");
      auto name = table.required(row, "name");
      auto phone = person_phone(table, row);
      if (!id || !name || !phone) continue;
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
    Table table(source, kResidentColumns, errors_);
    for (const Table::Row& row : table.rows()) {
      auto phone = person_phone(table, row);
      if (!phone || !unique(resident_phone_lines_, table, row, "phone", *phone)) continue;
      domain::Resident resident{*phone, table.cell(row, "name"), table.cell(row, "grid")};
      if (!resident.grid.empty()) {
        grid_refs_.push_back({table.file(), row.line, table.label("grid"), resident.grid});
      }
      residents_.push_back(std::move(resident));
    }
  }

  void teams(const CsvSource& source) {
    Table table(source, kTeamColumns, errors_);
    for (const Table::Row& row : table.rows()) {
      auto id = table.required(row, "id");
      auto name = table.required(row, "name");
      auto leader = table.required(row, "leader");
      if (!id || !name || !leader) continue;
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
    Table table(source, kDutyDeskColumns, errors_);
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

  DirectoryLoadResult finish(std::vector<Diagnostic>& sink) {
    check_refs(member_refs_, member_lines_, "member");
    check_refs(grid_refs_, grid_lines_, "grid");
    for (const Reference& ref : township_refs_) {
      if (!townships_.contains(ref.id)) {
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
    auto parsed = domain::parse_phone_number(*raw, default_country_);
    if (!parsed) {
      table.error(row, "phone", in_quotes(*raw) + " is not a valid phone number");
      return std::nullopt;
    }
    if (parsed->kind == domain::NumberKind::service) {
      table.error(row, "phone", in_quotes(*raw) + " is a service number, not a person's phone");
      return std::nullopt;
    }
    return parsed->canonical;
  }

  void check_refs(const std::vector<Reference>& refs, const Lines& known, std::string_view what) {
    for (const Reference& ref : refs) {
      if (known.contains(ref.id)) continue;
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

DirectoryLoadResult load_directory(const DirectoryFiles& files, std::string_view default_country) {
  DirectoryLoadResult failed;
  DirectorySources sources;
  auto read = [&](const std::filesystem::path& path, std::optional<CsvSource>& into) {
    if (path.empty()) return;
    if (auto text = read_text_file(path, failed.errors)) {
      into = CsvSource{path.string(), std::move(*text)};
    }
  };
  read(files.grids, sources.grids);
  read(files.members, sources.members);
  read(files.residents, sources.residents);
  read(files.teams, sources.teams);
  read(files.duty_desks, sources.duty_desks);
  if (!failed.errors.empty()) return failed;
  return parse_directory(sources, default_country);
}

}  // namespace lianxin::config
