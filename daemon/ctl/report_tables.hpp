// The report of `lianxinctl report`: headline figures, tables and charts for a period, built
// once from the statistics and rendered as HTML (report_html.hpp) or as a workbook
// (report_xlsx.hpp). Pure: the caller reads the database and passes what it read.
//
// Every figure has the definition of `lianxinctl stats` (daemon/domain/stats.hpp); the notes
// table says so in the report itself. Numbers are formatted here, once, for every renderer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/ctl/svg_chart.hpp"
#include "daemon/domain/daily_trend.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"
#include "daemon/domain/stats.hpp"

namespace lianxin::ctl {

// One cell: the text as shown, and for a spreadsheet the number behind it (a rate as a
// fraction with `percent` set). A rate with nothing to count is "-" with no number.
struct ReportCell {
  std::string text;
  std::optional<double> number;
  bool percent = false;
};

struct ReportTable {
  std::string sheet;  // the workbook's sheet name (short, Chinese)
  std::string title;  // heading: Chinese, then English
  std::vector<std::string> headers;
  std::vector<std::vector<ReportCell>> rows;
  bool ends_with_total = false;  // the last row is 合计
};

// What the command read, for one period.
struct ReportInput {
  std::string period_label;  // "2026-11-01 – 2026-11-30"
  domain::TimePoint generated_at{};
  domain::StatsReport
      by_township;  // compute_stats of the period's tickets; its total is the county
  domain::StatsReport by_category;
  std::vector<domain::DailyCount> daily;
  std::vector<domain::Ticket> open_tickets;  // open now (the report lists the oldest)
  std::vector<domain::PointsRow> points;     // per member, highest first
};

constexpr std::size_t kOldestOpen = 10;

struct Report {
  std::string title;                              // 连心桥工作月报
  std::string subtitle;                           // English
  std::string period_label, as_of, generated_at;  // local time of the configured zone
  ReportTable headline;                           // 概况: one row per figure
  ReportTable townships;                          // 按乡镇
  ReportTable categories;                         // 按类别
  ReportTable daily;                              // 每日趋势
  ReportTable oldest_open;                        // 最久未办结
  ReportTable points;                             // 积分排名
  ReportTable notes;                              // 指标说明: how each figure is defined
  ChartData township_chart, category_chart, daily_chart;

  // Every table, in the order of the report (one sheet each in the workbook).
  std::vector<const ReportTable*> tables() const;
};

Report build_report(const ReportInput& input, const domain::Settings& settings,
                    const domain::Directory& directory);

// "2026-11-05 14:30" in the zone (fixed offset; no process-wide TZ involved).
std::string zoned_text(domain::TimePoint at, const domain::TimeZone& zone);

}  // namespace lianxin::ctl
