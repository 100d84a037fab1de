// Excel workbooks (.xlsx) through libxlsxwriter: one sheet per ReportTable, a bold header row
// kept in view, numbers as numbers (rates as 0.0%), every other cell as text (ids and phone
// numbers stay text). Every libxlsxwriter call is checked; a failure throws XlsxError naming the
// file. The workbook is written next to the target and renamed onto it only when complete.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/ctl/report_tables.hpp"

namespace lianxin::ctl {

class XlsxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `tables`, one sheet each named by ReportTable::sheet, to `path`.
void write_xlsx(const std::filesystem::path& path, const std::vector<const ReportTable*>& tables);

}  // namespace lianxin::ctl
