#include "daemon/ctl/xlsx.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <system_error>

#include "daemon/ctl/markup.hpp"
#include "daemon/ctl/tickets.hpp"

namespace lianxin::ctl {
namespace {

constexpr double kMaxColumnWidth = 60;  // characters; longer texts wrap in the cell

// The C workbook, freed (not written) unless it was closed: a failure leaves no file behind.
class Workbook {
 public:
  Workbook(const std::filesystem::path& target, const std::filesystem::path& partial)
      : target_(target), partial_(partial) {
    workbook_ = workbook_new(partial_.c_str());
    if (workbook_ == nullptr) fail("cannot start the workbook");
    header_ = workbook_add_format(workbook_);
    percent_ = workbook_add_format(workbook_);
    wrap_ = workbook_add_format(workbook_);
    if (header_ == nullptr || percent_ == nullptr || wrap_ == nullptr) fail("out of memory");
    format_set_bold(header_);
    format_set_bg_color(header_, 0xEEF3F9);
    format_set_border(header_, LXW_BORDER_THIN);
    format_set_num_format(percent_, "0.0%");
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;
  ~Workbook() {
    if (workbook_ != nullptr) lxw_workbook_free(workbook_);
  }

  void add(const ReportTable& table) {
    const std::string name = clean_text(table.sheet);
    check(workbook_validate_sheet_name(workbook_, name.c_str()), "sheet name " + name);
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name.c_str());
    if (sheet == nullptr) fail("cannot add the sheet " + name);
    std::vector<double> widths(table.headers.size(), 4);
    auto widen = [&](std::size_t column, const std::string& text) {
      if (column < widths.size())
        widths[column] = std::max(widths[column], static_cast<double>(display_width(text)) + 2);
    };
    for (std::size_t c = 0; c < table.headers.size(); ++c) {
      const std::string text = clean_text(table.headers[c]);
      check(worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), text.c_str(), header_),
            "sheet " + name);
      widen(c, text);
    }
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      const auto row = static_cast<lxw_row_t>(r + 1);
      for (std::size_t c = 0; c < table.rows[r].size(); ++c) {
        const ReportCell& cell = table.rows[r][c];
        const auto column = static_cast<lxw_col_t>(c);
        if (cell.number) {
          check(worksheet_write_number(sheet, row, column, *cell.number,
                                       cell.percent ? percent_ : nullptr),
                "sheet " + name);
        } else {
          const std::string text = clean_text(cell.text);
          check(worksheet_write_string(sheet, row, column, text.c_str(), wrap_), "sheet " + name);
        }
        widen(c, cell.text);
      }
    }
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const auto column = static_cast<lxw_col_t>(c);
      check(worksheet_set_column(sheet, column, column, std::min(widths[c], kMaxColumnWidth),
                                 nullptr),
            "sheet " + name);
    }
    worksheet_freeze_panes(sheet, 1, 0);
  }

  void close() {
    lxw_workbook* workbook = std::exchange(workbook_, nullptr);
    const lxw_error error = workbook_close(workbook);  // writes the file and frees the workbook
    if (error != LXW_NO_ERROR) {
      std::error_code ignored;
      std::filesystem::remove(partial_, ignored);
      throw XlsxError(target_.string() + ": " + lxw_strerror(error));
    }
    std::error_code renamed;
    std::filesystem::rename(partial_, target_, renamed);
    if (renamed) {
      std::error_code ignored;
      std::filesystem::remove(partial_, ignored);
      throw XlsxError(target_.string() + ": " + renamed.message());
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw XlsxError(target_.string() + ": " + what);
  }
  void check(lxw_error error, const std::string& where) {
    if (error != LXW_NO_ERROR) fail(where + ": " + lxw_strerror(error));
  }

  std::filesystem::path target_, partial_;
  lxw_workbook* workbook_ = nullptr;
  lxw_format *header_ = nullptr, *percent_ = nullptr, *wrap_ = nullptr;
};

}  // namespace

void write_xlsx(const std::filesystem::path& path, const std::vector<const ReportTable*>& tables) {
  std::filesystem::path partial = path;
  partial += ".partial";
  Workbook workbook(path, partial);
  for (const ReportTable* table : tables) workbook.add(*table);
  workbook.close();
}

}  // namespace lianxin::ctl
