// libFuzzer target for the directory's CSV loader (config/csv.hpp, config/spreadsheet_text.hpp,
// config/cell_checks.hpp, config/directory_csv.hpp): any bytes as a file in any encoding, as a
// cell, then as each directory file in turn. Properties: nothing crashes; decoding gives valid
// UTF-8 or located errors; a parse either gives records or a located error; a directory comes
// back only without errors.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/cell_checks.hpp"
#include "config/csv.hpp"
#include "config/directory_csv.hpp"
#include "config/directory_table.hpp"
#include "config/spreadsheet_text.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using namespace lianxin::config;

using lianxin::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const CsvParseResult parsed = parse_csv(text);
  if (parsed.error) require(parsed.error->line >= 1, "errors are located");
  const DecodedText decoded = decode_spreadsheet_text(text);
  if (decoded.errors.empty()) {
    require(!find_invalid_utf8(decoded.text), "decoded text is UTF-8");
  } else {
    require(decoded.text.empty(), "no text with errors");
  }
  const SpreadsheetCsv sheet = read_spreadsheet_csv(text);
  require(sheet.errors.empty() || sheet.records.empty(), "records xor errors");
  if (sheet.errors.empty()) {
    for (const CsvRecord& record : sheet.records) {
      require(record.line >= 1, "records are located");
      for (const std::string& field : record.fields) {
        require(!find_invalid_utf8(field), "fields are UTF-8");
        (void)mojibake_problem(field);
      }
    }
  }
  (void)kinds_fitting(sheet);
  (void)excel_number_problem(text);
  (void)lost_leading_zero(text, "86");
  if (auto problem = mojibake_problem(text)) require(!problem->empty(), "a reason");
  static const std::string grids = "id,name,village,township\ng1,一组,东山村,青石镇\n";
  static const std::string members = "id,name,phone,grids,roles\nm1,张三,13800000001,g1,党员\n";
  static const std::string desks = "township,member\n,m1\n";
  for (int which = 0; which < 4; ++which) {
    DirectorySources sources;
    sources.grids = CsvSource{"grids.csv", which == 0 ? text : grids};
    sources.members = CsvSource{"members.csv", which == 1 ? text : members};
    sources.duty_desks = CsvSource{"duty_desks.csv", which == 2 ? text : desks};
    if (which == 3) sources.residents = CsvSource{"residents.csv", text};
    const DirectoryLoadResult loaded = parse_directory(sources, "86");
    require(loaded.directory.has_value() == loaded.errors.empty(), "a directory xor errors");
  }
  return 0;
}
