#include "config/csv.hpp"

#include <cstdint>
#include <cstdio>

namespace lianxin::config {
namespace {

class Parser {
 public:
  Parser(std::string_view text, char separator) : text_(text), separator_(separator) {}

  CsvParseResult run() {
    CsvParseResult result;
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
    if (auto bad = find_invalid_utf8(text_)) {
      locate(*bad);
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text_[*bad]));
      fail(result, *bad,
           std::string("not valid UTF-8 (byte ") + hex +
               "); save the spreadsheet as \"CSV UTF-8\", not GBK/ANSI");
      return result;
    }
    if (auto nul = text_.find('\0'); nul != std::string_view::npos) {
      locate(nul);
      fail(result, nul,
           "NUL byte: this is not a text CSV file (UTF-16 without a byte order mark, or a "
           "workbook?); save it as \"CSV UTF-8\"");
      return result;
    }
    while (pos_ < text_.size()) {
      if (at_line_end()) {  // an empty line
        skip_line_end();
        continue;
      }
      CsvRecord record;
      record.line = line_;
      if (!read_record(record, result)) return result;
      result.records.push_back(std::move(record));
    }
    return result;
  }

 private:
  bool at_line_end() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }

  void skip_line_end() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
    line_start_ = pos_;
  }

  // Moves line_/line_start_ to the line holding byte `offset` (only forward, before parsing).
  void locate(std::size_t offset) {
    while (pos_ < offset) {
      if (at_line_end()) {
        skip_line_end();
      } else {
        ++pos_;
      }
    }
  }

  void fail(CsvParseResult& result, std::size_t offset, std::string message) {
    std::size_t column = code_points_in(text_.substr(line_start_, offset - line_start_)) + 1;
    result.error = CsvError{line_, column, std::move(message)};
  }

  // Reads fields up to and including the record's line end (or the end of the text).
  bool read_record(CsvRecord& record, CsvParseResult& result) {
    for (;;) {
      std::string field;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        if (!read_quoted(field, result)) return false;
      } else {
        while (pos_ < text_.size() && text_[pos_] != separator_ && !at_line_end())
          field += text_[pos_++];
      }
      record.fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return true;
      if (text_[pos_] == separator_) {
        ++pos_;
        continue;
      }
      skip_line_end();
      return true;
    }
  }

  bool read_quoted(std::string& field, CsvParseResult& result) {
    const std::size_t open = pos_;
    const std::size_t open_line = line_, open_line_start = line_start_;
    ++pos_;
    for (;;) {
      if (pos_ >= text_.size()) {
        line_ = open_line, line_start_ = open_line_start;
        fail(result, open, "quote opened here is never closed");
        return false;
      }
      char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
          continue;
        }
        ++pos_;
        break;
      }
      if (c == '\r' || c == '\n') {
        // A line break inside quotes belongs to the field; keep it as '\n'.
        field += '\n';
        skip_line_end();
        continue;
      }
      field += c;
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] != separator_ && !at_line_end()) {
      fail(result, pos_,
           "unexpected text after a closing quote (a quote inside a quoted field is written \"\")");
      return false;
    }
    return true;
  }

  std::string_view text_;
  char separator_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t line_start_ = 0;
};

}  // namespace

CsvParseResult parse_csv(std::string_view text, char separator) {
  return Parser(text, separator).run();
}

std::size_t code_points_in(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return count;
}

}  // namespace lianxin::config
