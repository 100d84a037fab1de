// The directory (grids, members, residents, teams, duty desks) from spreadsheet CSV files.
//
// Files are CSV with a header row, as Excel writes them: UTF-8 with or without a BOM, GBK/GB18030
// or UTF-16 with a BOM ("Unicode text", tab-separated) are detected and decoded
// (spreadsheet_text.hpp), then read as CSV (csv.hpp). Columns are found by name, in any order,
// English or Chinese; text in parentheses after a name is ignored ("别名(用;分隔)"). Cells are
// trimmed. Rows whose cells are all empty are skipped. Lists inside a cell are separated by
// ';', '；', '、', ',' or '，'. Extra columns named note/notes/remark/title/备注/职务/说明, or
// starting with '#', are ignored; any other unknown column is an error (it is usually a typo).
//
//   grids.csv       id(编号)*, name(名称), village(村)*, township(乡镇), aliases(别名),
//                   leader(网格长: a member id)
//   members.csv     id(编号)*, name(姓名)*, phone(手机)*, grids(网格: grid ids),
//                   roles(角色), on_duty(在岗: 是/否, yes/no, 1/0; empty = yes)
//   residents.csv   phone(手机)*, name(姓名), grid(网格: a grid id)
//   teams.csv       id(编号)*, name(名称)*, leader(队长: a member id)*, members(成员: member ids)
//   duty_desks.csv  township(乡镇: empty = the county desk), member(成员: a member id)*
//   (* = required; name of a grid defaults to its village)
//
// Roles: member/党员/网格员, grid_leader/网格长/支部书记/书记, team_leader/团长/队长,
// duty_desk/值班/值班员, helper/志愿者/协管员; an empty cell means member.
// Phone numbers are normalised to E.164 with the default country (13800000001 → +8613800000001).
// Phone numbers Excel turned into numbers (1.38E+10, 13800000001.0, a lost leading 0) are refused
// with the fix (cell_checks.hpp), never normalised into another number; names that are mojibake
// (乱码) are refused.
// Checked: required cells, duplicate ids and phones, references to unknown grids/members, phone
// numbers that do not normalise, townships of duty desks that no grid has, and that a county
// duty desk exists (tickets whose village stays unknown go there). A file that does not read
// (encoding, CSV syntax, header) is reported once and the references into it are not checked
// (one line says so); a reference to a row refused for its own error is not reported again.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "daemon/domain/model.hpp"

namespace lianxin::config {

// Paths of the directory files; residents and teams may be left empty (no such file).
struct DirectoryFiles {
  std::filesystem::path grids;
  std::filesystem::path members;
  std::filesystem::path residents;
  std::filesystem::path teams;
  std::filesystem::path duty_desks;
};

// A file's name (used in diagnostics) and its content.
struct CsvSource {
  std::string name;
  std::string text;
};

struct DirectorySources {
  std::optional<CsvSource> grids, members, residents, teams, duty_desks;
};

struct DirectoryLoadResult {
  std::optional<domain::Directory> directory;  // set only when there are no errors
  std::vector<Diagnostic> errors;
};

// Reads the files and checks them, using a replacement in place of the file of its kind when
// there is one. Never throws for bad input.
DirectoryLoadResult load_directory(const DirectoryFiles& files, std::string_view default_country,
                                   const DirectorySources& replacements = {});

// The paths of `files` whose kind has a replacement; the others empty.
DirectoryFiles replaced_files(const DirectoryFiles& files, const DirectorySources& replacements);

// The same from text already in memory; grids, members and duty_desks are required.
DirectoryLoadResult parse_directory(const DirectorySources& sources,
                                    std::string_view default_country);

// Reads a whole (small) file; nullopt and a diagnostic "cannot read" when it cannot.
std::optional<std::string> read_text_file(const std::filesystem::path& path,
                                          std::vector<Diagnostic>& errors,
                                          std::size_t max_bytes = 64u << 20);

}  // namespace lianxin::config
