// A small RFC 4180 CSV reader for the spreadsheet-edited directory files (UTF-8 text; files in
// other encodings are decoded first by config/spreadsheet_text.hpp).
//
// What spreadsheets write is accepted: an optional UTF-8 byte order mark (Excel's "CSV UTF-8"),
// CRLF, LF or lone CR line ends, quoted fields with "" escapes, separators and line breaks
// inside quotes, and a last line with or without a line end. Completely empty lines are skipped.
// The separator is ',' unless told otherwise (Excel's "Unicode text" uses tabs).
// Refused, with the line and column: invalid UTF-8, NUL bytes, an unterminated quote, and text
// after a closing quote. A stray quote inside an unquoted field is kept as a character (what a
// person typing the file meant).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/text.hpp"

namespace lianxin::config {

struct CsvRecord {
  std::size_t line = 0;  // 1-based physical line where the record starts
  std::vector<std::string> fields;
};

struct CsvError {
  std::size_t line = 0;    // 1-based
  std::size_t column = 0;  // 1-based, in code points
  std::string message;
};

struct CsvParseResult {
  std::vector<CsvRecord> records;
  std::optional<CsvError> error;  // set: records are incomplete and must not be used
};

CsvParseResult parse_csv(std::string_view text, char separator = ',');

// Code points in valid UTF-8 (what CsvError::column counts).
std::size_t code_points_in(std::string_view utf8);

// Byte offset of the first invalid UTF-8 sequence (the one decoder's: protocol/text.hpp).
using sms::find_invalid_utf8;

}  // namespace lianxin::config
