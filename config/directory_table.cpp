#include "config/directory_table.hpp"

#include <algorithm>
#include <utility>

namespace lianxin::config {
namespace {

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

bool starts_with_at(std::string_view s, std::size_t i, std::string_view p) {
  return s.substr(i, p.size()) == p;
}

bool all_blank(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) {
    if (!trim(f).empty()) return false;
  }
  return true;
}

// Matches a header cell: the part before '(' / '（', case-insensitive for ASCII.
std::string header_key(std::string_view header) {
  std::size_t cut = std::min(header.find('('), header.find("\xEF\xBC\x88"));
  return ascii_lower(trim(header.substr(0, cut)));
}

}  // namespace

std::string_view kind_name(DirectoryKind kind) {
  switch (kind) {
    case DirectoryKind::grids:
      return "grids";
    case DirectoryKind::members:
      return "members";
    case DirectoryKind::residents:
      return "residents";
    case DirectoryKind::teams:
      return "teams";
    case DirectoryKind::duty_desks:
      return "duty_desks";
  }
  return "?";
}

std::filesystem::path& file_of(DirectoryFiles& files, DirectoryKind kind) {
  switch (kind) {
    case DirectoryKind::grids:
      return files.grids;
    case DirectoryKind::members:
      return files.members;
    case DirectoryKind::residents:
      return files.residents;
    case DirectoryKind::teams:
      return files.teams;
    case DirectoryKind::duty_desks:
      break;
  }
  return files.duty_desks;
}

std::optional<CsvSource>& source_of(DirectorySources& sources, DirectoryKind kind) {
  switch (kind) {
    case DirectoryKind::grids:
      return sources.grids;
    case DirectoryKind::members:
      return sources.members;
    case DirectoryKind::residents:
      return sources.residents;
    case DirectoryKind::teams:
      return sources.teams;
    case DirectoryKind::duty_desks:
      break;
  }
  return sources.duty_desks;
}

const std::vector<ColumnSpec>& columns_of(DirectoryKind kind) {
  switch (kind) {
    case DirectoryKind::grids:
      return kGridColumns;
    case DirectoryKind::members:
      return kMemberColumns;
    case DirectoryKind::residents:
      return kResidentColumns;
    case DirectoryKind::teams:
      return kTeamColumns;
    case DirectoryKind::duty_desks:
      break;
  }
  return kDutyDeskColumns;
}

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

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

void Errors::add(const std::string& file, std::size_t line, std::string message) {
  std::size_t& count = per_file_[file];
  ++count;
  if (count > kMaxErrorsPerFile) return;
  if (count == kMaxErrorsPerFile)
    message = "too many errors; the rest of this file is not reported";
  sink_.push_back(Diagnostic{file, static_cast<int>(line), 0, std::move(message)});
}

Table::Table(const CsvSource& source, const std::vector<ColumnSpec>& specs, Errors& errors)
    : Table(source.name, read_spreadsheet_csv(source.text), specs, errors) {}

Table::Table(std::string file, const SpreadsheetCsv& parsed, const std::vector<ColumnSpec>& specs,
             Errors& errors)
    : file_(std::move(file)), specs_(specs), errors_(errors) {
  read(parsed);
}

void Table::read(const SpreadsheetCsv& parsed) {
  if (!parsed.errors.empty()) {
    for (const CsvError& e : parsed.errors) {
      errors_.add(file_, e.line,
                  (e.column == 0 ? "" : "column " + std::to_string(e.column) + ": ") + e.message);
    }
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

const std::string& Table::cell(const Row& row, std::string_view key) const {
  static const std::string kEmpty;
  auto it = index_.find(std::string(key));
  return it == index_.end() ? kEmpty : row.cells[it->second];
}

std::string Table::label(std::string_view key) const {
  auto it = header_names_.find(std::string(key));
  return it == header_names_.end() ? std::string(key) : it->second;
}

void Table::error(const Row& row, std::string_view key, const std::string& message) {
  errors_.add(file_, row.line, label(key) + ": " + message);
}

void Table::error(std::size_t line, std::string message) {
  errors_.add(file_, line, std::move(message));
}

std::optional<std::string> Table::required(const Row& row, std::string_view key) {
  const std::string& value = cell(row, key);
  if (value.empty()) {
    error(row, key, "required, but the cell is empty");
    return std::nullopt;
  }
  return value;
}

void Table::map_header(const CsvRecord& header) {
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
      if (header.fields.size() == 1 && written.find(';') != std::string::npos) {
        message += " (the file seems to use ';': save it as comma-separated CSV UTF-8)";
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

void Table::add_row(const CsvRecord& record) {
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

std::vector<DirectoryKind> kinds_fitting(const SpreadsheetCsv& parsed) {
  std::vector<DirectoryKind> kinds;
  for (DirectoryKind kind : kDirectoryKinds) {
    std::vector<Diagnostic> ignored;
    Errors errors(ignored);
    if (Table("", parsed, columns_of(kind), errors).ok()) kinds.push_back(kind);
  }
  return kinds;
}

}  // namespace lianxin::config
