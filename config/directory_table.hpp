// One directory CSV file as a table: its header mapped to the known columns of its kind (see
// directory_csv.hpp for the columns), its rows trimmed, its problems reported by file and row.
// Shared by the loader (directory_csv.cpp) and `lianxinctl directory import`, which tells the
// kind of a file from its header.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/directory_csv.hpp"
#include "config/spreadsheet_text.hpp"

namespace lianxin::config {

enum class DirectoryKind { grids, members, residents, teams, duty_desks };
inline constexpr DirectoryKind kDirectoryKinds[] = {DirectoryKind::grids, DirectoryKind::members,
                                                    DirectoryKind::residents, DirectoryKind::teams,
                                                    DirectoryKind::duty_desks};

// "grids", "members", "residents", "teams", "duty_desks" (the keys of `directory:`).
std::string_view kind_name(DirectoryKind kind);

// The configured path / the source of one kind.
std::filesystem::path& file_of(DirectoryFiles& files, DirectoryKind kind);
std::optional<CsvSource>& source_of(DirectorySources& sources, DirectoryKind kind);

struct ColumnSpec {
  std::string_view key;
  std::vector<std::string_view> names;  // accepted header names besides the key
  bool required;
};

const std::vector<ColumnSpec>& columns_of(DirectoryKind kind);

// Trims ASCII white space, U+3000 (ideographic space) and U+00A0 (no-break space).
std::string trim(std::string_view s);
std::string ascii_lower(std::string_view s);
std::string in_quotes(std::string_view s);
// Splits a list cell on ; ； 、 , ， and trims; empty items are dropped.
std::vector<std::string> split_list(std::string_view cell);

// Diagnostics of the directory, at most kMaxErrorsPerFile per file.
class Errors {
 public:
  static constexpr std::size_t kMaxErrorsPerFile = 50;
  explicit Errors(std::vector<Diagnostic>& sink) : sink_(sink) {}
  void add(const std::string& file, std::size_t line, std::string message);
  bool any() const { return !sink_.empty(); }

 private:
  std::vector<Diagnostic>& sink_;
  std::map<std::string, std::size_t> per_file_;
};

class Table {
 public:
  struct Row {
    std::size_t line;
    std::vector<std::string> cells;  // trimmed
  };

  // Decodes and parses the source (spreadsheet_text.hpp), then maps its header.
  Table(const CsvSource& source, const std::vector<ColumnSpec>& specs, Errors& errors);
  // The same from a file already read.
  Table(std::string file, const SpreadsheetCsv& parsed, const std::vector<ColumnSpec>& specs,
        Errors& errors);

  // False when the file could not be read as a table (encoding, CSV syntax, header): its
  // problems are reported, it has no rows, and checks of other files against it are pointless.
  bool ok() const { return ok_; }
  const std::vector<Row>& rows() const { return rows_; }
  const std::string& file() const { return file_; }

  const std::string& cell(const Row& row, std::string_view key) const;
  // "手机" as the user wrote it in the header, or the key when the column is absent.
  std::string label(std::string_view key) const;

  void error(const Row& row, std::string_view key, const std::string& message);
  void error(std::size_t line, std::string message);
  // The cell of a required column, with an error when it is empty.
  std::optional<std::string> required(const Row& row, std::string_view key);

 private:
  void read(const SpreadsheetCsv& parsed);
  void map_header(const CsvRecord& header);
  void add_row(const CsvRecord& record);

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

// The kinds whose header the records' first non-blank row fits (all required columns, no
// unknown one); usually exactly one.
std::vector<DirectoryKind> kinds_fitting(const SpreadsheetCsv& parsed);

}  // namespace lianxin::config
