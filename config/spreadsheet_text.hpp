// Directory files as Excel on a Chinese Windows PC saves them: the encoding detected and the text
// decoded to UTF-8 before the CSV reader (csv.hpp) sees it.
//
//   - UTF-8, with or without a byte order mark ("CSV UTF-8"): taken as it is.
//   - GBK/GB18030 (plain "CSV" on a Chinese PC, "ANSI"): any file that is not valid UTF-8 is
//     decoded as GB18030 (a superset of GBK) with glibc's iconv(3).
//   - UTF-16LE/BE with a byte order mark (Excel's "Unicode text", tab-separated): decoded.
//   - A file mixing encodings (rows pasted in from another file): the rows in the minority
//     encoding are refused one by one, by row, since their names would come out as mojibake.
//   - A workbook (.xlsx, .xls) or bytes that are none of these: one error saying how to save as
//     CSV UTF-8.
// Line numbers are those of the file as the clerk sees it (decoding keeps every line break).
// Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/csv.hpp"

namespace lianxin::config {

enum class TextEncoding { utf8, utf8_bom, gb18030, utf16le, utf16be };

// "UTF-8", "UTF-8 with BOM", "GBK/GB18030", "UTF-16LE", "UTF-16BE".
std::string_view encoding_name(TextEncoding encoding);

struct DecodedText {
  std::string text;  // UTF-8, without a byte order mark
  TextEncoding encoding = TextEncoding::utf8;
  // Located problems (line 0: the whole file; column 0: the whole row). Not empty: `text` must
  // not be used.
  std::vector<CsvError> errors;
};

DecodedText decode_spreadsheet_text(std::string_view bytes);

// Tab when the first non-empty line holds a tab and no comma (Excel's "Unicode text" and "Text
// (tab delimited)"), else comma.
char detect_separator(std::string_view text);

// A whole file from its bytes: decoded, separator detected, parsed.
struct SpreadsheetCsv {
  std::vector<CsvRecord> records;
  TextEncoding encoding = TextEncoding::utf8;
  char separator = ',';
  std::vector<CsvError> errors;  // not empty: `records` must not be used
};

SpreadsheetCsv read_spreadsheet_csv(std::string_view bytes);

}  // namespace lianxin::config
