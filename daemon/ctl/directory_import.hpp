// `lianxinctl directory import FILE... [--config F] [--dry-run]`: installs directory files a
// clerk saved from Excel (CSV in UTF-8, GBK or UTF-16 "Unicode text"; see
// config/spreadsheet_text.hpp) where the configuration expects them.
//
// Each FILE's kind (grids, members, residents, teams, duty_desks) is told by its header row.
// The given files, in place of the configured files of the same kinds, are checked together
// with the rest of the configuration exactly as lianxind loads it; if anything is wrong the
// problems are printed (file:row: problem, in the clerk's file) and nothing is written. Else
// each is written as CSV UTF-8 with a BOM and CRLF (what Excel writes as "CSV UTF-8", so the
// clerk can open it again) to the configured path, atomically, the previous file kept as
// PATH.bak, with the previous file's mode and owner. lianxind is not told: the operator runs
// `systemctl reload lianxind` (said at the end).
//
// Exit status: 0 written (or, with --dry-run, would be), 1 problems found or writing failed,
// 2 wrong usage.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/directory_table.hpp"
#include "config/spreadsheet_text.hpp"

namespace lianxin::ctl {

int directory_import_command(const std::vector<std::string_view>& args, std::ostream& out,
                             std::ostream& err);
std::string directory_import_usage();

// ---- Pure parts (tested directly) ----

// A file the clerk gave: decoded, parsed and recognised by its header.
struct RecognisedFile {
  config::SpreadsheetCsv parsed;
  std::optional<config::DirectoryKind> kind;  // nullopt: `errors` say why
  std::vector<config::Diagnostic> errors;
};

// `name` names the file in diagnostics; when the header fits no kind and the name contains a
// kind's name ("members", "grids"…), the header is explained against that kind.
RecognisedFile recognise_directory_file(const std::string& name, std::string_view bytes);

// The records as CSV UTF-8 the way Excel writes it: BOM, commas, CRLF, quotes where needed.
std::string to_csv_utf8(const std::vector<config::CsvRecord>& records);

}  // namespace lianxin::ctl
