#include "daemon/ctl/report_html.hpp"

#include "daemon/ctl/markup.hpp"

namespace lianxin::ctl {
namespace {

// Charts fill the page's width (they scale down on a narrow screen and on paper).
constexpr ChartSize kChartSize{940, 280};

// Screen and print (A4): CJK fonts first, tables that repeat their header on every page, charts
// and figure cards never split across pages.
constexpr const char* kStyle = R"(
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
       "Microsoft YaHei", "PingFang SC", sans-serif; color: #222; font-size: 14px;
       line-height: 1.5; max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin: 0; }
.subtitle { color: #555; margin: 2px 0 6px; }
.meta { color: #555; font-size: 13px; margin: 0; }
h2 { font-size: 18px; border-bottom: 2px solid #2f6fb0; padding-bottom: 2px; margin: 28px 0 8px;
     break-after: avoid; }
h2 .en { font-size: 13px; font-weight: normal; color: #666; margin-left: 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }
.card { border: 1px solid #c9d3e0; border-radius: 6px; padding: 6px 10px; break-inside: avoid; }
.card .label { font-size: 14px; }
.card .en { font-size: 11px; color: #777; }
.card .value { font-size: 22px; font-weight: bold; color: #1d4f86; }
.card .detail { font-size: 11px; color: #777; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
table.narrow { width: auto; min-width: 40%; }
th, td { border: 1px solid #c8c8c8; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef3f9; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f4f4f4; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; font-family: inherit; }
.empty, .more { color: #777; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  .page-break { break-before: page; }
  thead { display: table-header-group; }
  tr, .card, svg.chart { break-inside: avoid; }
}
)";

// "各乡镇 By township" → 各乡镇 <span class="en">By township</span>: Chinese first, English
// smaller, split at the first space before a Latin letter.
std::string heading(const std::string& title) {
  const std::size_t space = title.find(' ');
  if (space == std::string::npos) return escape_xml(title);
  return escape_xml(title.substr(0, space)) + "<span class=\"en\">" +
         escape_xml(title.substr(space + 1)) + "</span>";
}

std::string table_html(const ReportTable& table, std::size_t max_rows = 0) {
  if (table.rows.empty()) return "<p class=\"empty\">无 (none)</p>\n";
  // A few columns of numbers (the days) stay narrow instead of spreading out over the page.
  bool narrow = table.headers.size() <= 3;
  for (const auto& row : table.rows)
    for (std::size_t c = 1; c < row.size(); ++c) narrow = narrow && row[c].number.has_value();
  std::string out = narrow ? "<table class=\"narrow\">\n<thead><tr>" : "<table>\n<thead><tr>";
  for (const std::string& h : table.headers) out += "<th>" + escape_xml(h) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  const std::size_t shown =
      max_rows == 0 ? table.rows.size() : std::min(max_rows, table.rows.size());
  for (std::size_t r = 0; r < shown; ++r) {
    const bool total = table.ends_with_total && r + 1 == table.rows.size();
    out += total ? "<tr class=\"total\">" : "<tr>";
    for (const ReportCell& cell : table.rows[r]) {
      // Numbers, and rates shown as "-", line up on the right.
      const bool numeric = cell.number.has_value() || cell.text == "-";
      out += (numeric ? "<td class=\"n\">" : "<td>") + escape_xml(cell.text) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
  if (shown < table.rows.size()) {
    out += "<p class=\"more\">另有 " + std::to_string(table.rows.size() - shown) +
           " 行，见 --xlsx 工作簿 (" + std::to_string(table.rows.size() - shown) +
           " more rows in the workbook)</p>\n";
  }
  return out;
}

// One card per headline figure: label, English, value, and count/of for rates.
std::string cards_html(const ReportTable& headline) {
  std::string out = "<div class=\"cards\">\n";
  for (const auto& row : headline.rows) {
    if (row.size() < 5) continue;
    out += "<div class=\"card\"><div class=\"label\">" + escape_xml(row[0].text) +
           "</div><div class=\"en\">" + escape_xml(row[1].text) + "</div><div class=\"value\">" +
           escape_xml(row[2].text) + "</div>";
    if (!row[4].text.empty())
      out += "<div class=\"detail\">" + escape_xml(row[3].text) + " / " + escape_xml(row[4].text) +
             "</div>";
    out += "</div>\n";
  }
  return out + "</div>\n";
}

std::string section(const ReportTable& table, const std::string& body, bool new_page = false) {
  return std::string(new_page ? "<section class=\"page-break\">" : "<section>") + "\n<h2>" +
         heading(table.title) + "</h2>\n" + body + "</section>\n";
}

}  // namespace

std::string render_report_html(const Report& report) {
  const std::string title = report.title + " " + report.period_label;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Nothing may be loaded or run: the file is complete in itself.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
      "'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      escape_xml(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + escape_xml(title) + "</h1>\n<p class=\"subtitle\">" +
         escape_xml(report.subtitle) +
         "</p>\n<p class=\"meta\">统计期 Period: " + escape_xml(report.period_label) +
         " · 截至 As of: " + escape_xml(report.as_of) +
         " · 生成 Generated: " + escape_xml(report.generated_at) + "</p>\n</header>\n";
  out += section(report.headline, cards_html(report.headline));
  out += section(report.townships,
                 bar_chart_svg(report.township_chart, kChartSize) + table_html(report.townships));
  out += section(report.categories,
                 bar_chart_svg(report.category_chart, kChartSize) + table_html(report.categories));
  out += section(report.daily,
                 line_chart_svg(report.daily_chart, kChartSize) + table_html(report.daily), true);
  out += section(report.oldest_open, table_html(report.oldest_open), true);
  out += section(report.points, table_html(report.points, kPointsShown));
  out += section(report.notes, table_html(report.notes), true);
  out += "<footer>lianxinctl report · " + escape_xml(report.generated_at) + "</footer>\n";
  return out + "</body>\n</html>\n";
}

}  // namespace lianxin::ctl
