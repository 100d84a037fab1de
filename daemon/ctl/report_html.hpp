// The report of `lianxinctl report --html`: one self-contained HTML file (inline CSS and SVG,
// no script, a Content-Security-Policy that forbids loading anything) that a township
// secretary opens, prints on A4 or sends on. Pure: the report in, the page out.
#pragma once

#include <string>

#include "daemon/ctl/report_tables.hpp"

namespace lianxin::ctl {

// Rows of the points ranking shown on the page (the workbook has them all).
constexpr std::size_t kPointsShown = 30;

std::string render_report_html(const Report& report);

}  // namespace lianxin::ctl
