// lianxinctl report's pure parts: SVG charts (daemon/ctl/svg_chart.hpp), the report's tables
// (report_tables.hpp), the HTML page (report_html.hpp) and the directory as sheets that load
// back as CSV (report_command.hpp).
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "config/directory_csv.hpp"
#include "daemon/ctl/markup.hpp"
#include "daemon/ctl/report_command.hpp"
#include "daemon/ctl/report_html.hpp"
#include "daemon/ctl/reports.hpp"
#include "daemon/ctl/svg_chart.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The value of attribute `name` of every element that starts with `element`.
std::vector<double> attribute_values(const std::string& svg, const std::string& element,
                                     const std::string& name) {
  std::vector<double> out;
  const std::regex tag("<" + element + "[^>]*>");
  const std::regex attribute(" " + name + "=\"([-0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator();
       ++it) {
    std::smatch value;
    const std::string found = it->str();
    if (std::regex_search(found, value, attribute)) out.push_back(std::stod(value[1]));
  }
  return out;
}

TEST(SvgChart, BarsHaveHeightsProportionalToTheirValues) {
  ChartData chart{
      "各乡镇", {"青石镇", "白沙乡", "东岭乡"}, {{"受理", {12, 3, 0}}, {"办结", {6, 3, 1}}}};
  const std::string svg = bar_chart_svg(chart);
  EXPECT_EQ(count_of(svg, "<rect class=\"bar "), 6u);
  EXPECT_EQ(count_of(svg, "<rect class=\"bar s0\""), 3u);
  const auto heights = attribute_values(svg, "rect class=\"bar", "height");
  ASSERT_EQ(heights.size(), 6u);
  // Drawn group by group: 12, 6 | 3, 3 | 0, 1.
  EXPECT_NEAR(heights[0] / heights[1], 2.0, 0.02);
  EXPECT_NEAR(heights[0] / heights[2], 4.0, 0.05);
  EXPECT_DOUBLE_EQ(heights[2], heights[3]);
  EXPECT_EQ(heights[4], 0.0);
  EXPECT_GT(heights[5], 0.0);
  // The largest bar reaches the top tick (12 on an axis of 0..15 in steps of 5).
  EXPECT_NE(svg.find(">15</text>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>青石镇 受理: 12</title>"), std::string::npos);
}

TEST(SvgChart, EveryTextIsEscaped) {
  ChartData chart{"<b>\"标题\"</b> & 'x'", {"<script>alert(1)</script>"}, {{"a&b", {1}}}};
  for (const std::string& svg : {bar_chart_svg(chart), line_chart_svg(chart)}) {
    EXPECT_EQ(svg.find("<script"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("<b>"), std::string::npos);
    EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(svg.find("aria-label=\"&lt;b&gt;&quot;标题&quot;&lt;/b&gt; &amp; &#39;x&#39;\""),
              std::string::npos)
        << svg;
    EXPECT_NE(svg.find(">a&amp;b<"), std::string::npos);
  }
  // Control characters and broken UTF-8 never reach the markup.
  EXPECT_EQ(escape_xml(std::string("a\x01\x1b"
                                   "b\xff",
                                   5)),
            "a  b\xEF\xBF\xBD");
}

TEST(SvgChart, ALineHasAPointPerDayAtTheHeightOfItsValue) {
  ChartData chart{"每日", {"11-01", "11-02", "11-03", "11-04"}, {{"受理", {2, 4, 0, 4}}}};
  const std::string svg = line_chart_svg(chart);
  ASSERT_EQ(count_of(svg, "<polyline class=\"line s0\""), 1u);
  const auto ys = attribute_values(svg, "circle", "cy");
  ASSERT_EQ(ys.size(), 4u);
  EXPECT_LT(ys[1], ys[0]) << "4 is drawn higher than 2";
  EXPECT_DOUBLE_EQ(ys[1], ys[3]);
  EXPECT_GT(ys[2], ys[0]);
  const auto xs = attribute_values(svg, "circle", "cx");
  EXPECT_NEAR(xs[1] - xs[0], xs[3] - xs[2], 0.11) << "days are evenly spaced";
}

TEST(SvgChart, WithoutDataTheChartSaysSo) {
  ChartData chart{"空", {}, {{"受理", {}}}};
  EXPECT_NE(bar_chart_svg(chart).find("无数据"), std::string::npos);
  EXPECT_NE(line_chart_svg(chart).find("无数据"), std::string::npos);
  EXPECT_EQ(count_of(bar_chart_svg(chart), "class=\"bar "), 0u);
}

TEST(SvgChart, AxesEndOnARoundNumberAtOrAboveTheLargestValue) {
  auto axis = [](long long largest) {
    const Axis a = axis_for(largest);
    return std::to_string(a.step) + "/" + std::to_string(a.top);
  };
  EXPECT_EQ(axis(0), "1/1");
  EXPECT_EQ(axis(3), "1/3");
  EXPECT_EQ(axis(7), "2/8");
  EXPECT_EQ(axis(10), "5/10");
  EXPECT_EQ(axis(37), "10/40");
  EXPECT_EQ(axis(1234), "500/1500");
}

// ---- The report ----

Settings test_settings() {
  Settings s;
  Category light;
  light.id = "streetlight";
  light.name = "路灯";
  s.categories = {light};
  return s;
}

Directory test_directory() {
  return Directory(
      {Grid{"g1", "大溪边村网格", "大溪边村", "青石镇", {"溪边", "老樟树"}, "m1"},
       Grid{"g2", "石塘村网格", "石塘村", "白沙乡", {}, ""}},
      {Member{"m1", "王建国", "+8613800000001", {"g1"}, {Role::grid_leader}, true},
       Member{"m2", "孙立", "+8613800000002", {"g2"}, {Role::member}, false},
       Member{"m3", "李秀英", "+8613800000003", {"g1", "g2"}, {Role::member, Role::helper}, true}},
      {Resident{"+8613900000051", "张大爷", "g1"}},
      {Team{"volunteers", "志愿服务队", "m3", {"m3", "m1"}, {"维修", "水电"}}},
      {DutyDesk{"", "m1"}, DutyDesk{"青石镇", "m3"}});
}

ReportInput test_input() {
  ReportInput input;
  input.period_label = "2026-11-01 – 2026-11-30";
  input.generated_at = TimePoint{} + std::chrono::seconds(1796000000);
  StatsRow qingshi;
  qingshi.key = qingshi.name = "青石镇";
  qingshi.received = 3;
  qingshi.handled = 2;
  qingshi.handling = {2, 3};
  qingshi.satisfied = {0, 0};  // nobody rated: "-", never 0%
  input.by_township.rows = {qingshi};
  input.by_township.total = qingshi;
  input.by_township.total.name = "合计";
  input.by_category = input.by_township;
  input.daily = {{std::chrono::sys_days{std::chrono::year{2026} / 11 / 1}, 2, 0},
                 {std::chrono::sys_days{std::chrono::year{2026} / 11 / 2}, 1, 2}};
  Ticket open;
  open.number = 7;
  open.text = "<b>路灯</b>坏了，电话13812345678";
  open.category = "streetlight";
  open.grid = "g1";
  open.assignee = "m1";
  open.state = TicketState::dispatched;
  open.escalation_level = 1;
  open.created_at = input.generated_at - std::chrono::hours(50);
  Ticket newer = open;
  newer.number = 3;  // a lower number created later: the oldest comes first all the same
  newer.created_at = open.created_at + std::chrono::hours(1);
  input.open_tickets = {newer, open};
  input.points = {{"m1", "王建国", 15, 2}, {"m3", "李秀英", 15, 1}, {"m2", "孙立", -3, 1}};
  return input;
}

TEST(Report, TablesFormatEachFigureOnceWithItsNumber) {
  const Report report = build_report(test_input(), test_settings(), test_directory());
  const auto& headline = report.headline.rows;
  ASSERT_GE(headline.size(), 7u);
  EXPECT_EQ(headline[2][0].text, "处置率");
  EXPECT_EQ(headline[2][2].text, "66.7%");
  ASSERT_TRUE(headline[2][2].number);
  EXPECT_NEAR(*headline[2][2].number, 2.0 / 3.0, 1e-9);
  EXPECT_TRUE(headline[2][2].percent);
  EXPECT_EQ(headline[5][0].text, "满意率");
  EXPECT_EQ(headline[5][2].text, "-");
  EXPECT_FALSE(headline[5][2].number) << "a rate with nothing to count has no number";
  // Equal points share a rank.
  ASSERT_EQ(report.points.rows.size(), 3u);
  EXPECT_EQ(report.points.rows[0][0].text, "1");
  EXPECT_EQ(report.points.rows[1][0].text, "1");
  EXPECT_EQ(report.points.rows[2][0].text, "3");
  EXPECT_EQ(report.points.rows[1][3].text, "大溪边村网格、石塘村网格");
  // The open ticket: waited 2 days 2 hours, escalated once, the typed number masked.
  ASSERT_EQ(report.oldest_open.rows.size(), 2u);
  EXPECT_EQ(report.oldest_open.rows[1][0].text, "3");
  const auto& open = report.oldest_open.rows.at(0);
  EXPECT_EQ(open[0].text, "7");
  EXPECT_EQ(open[2].text, "2d2h");
  EXPECT_EQ(open[8].text, "升级1级");
  EXPECT_EQ(open[9].text.find("13812345678"), std::string::npos) << open[9].text;
  EXPECT_NE(open[9].text.find("138****5678"), std::string::npos) << open[9].text;
  EXPECT_EQ(report.tables().size(), 7u);
  EXPECT_EQ(zoned_text(TimePoint{} + std::chrono::seconds(1796000000), TimeZone{}),
            "2026-11-30 08:53")
      << "00:53:20 UTC in Shanghai";
}

TEST(Report, TheHtmlPageIsSelfContainedWithChartsTablesAndNotes) {
  const std::string html =
      render_report_html(build_report(test_input(), test_settings(), test_directory()));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find(" src="), std::string::npos);
  EXPECT_EQ(html.find(" href="), std::string::npos);
  EXPECT_EQ(count_of(html, "<svg "), 3u) << "township, category, daily";
  EXPECT_EQ(count_of(html, "<polyline"), 2u);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  // The villager's text is escaped: the <b> they typed is text, not markup.
  EXPECT_EQ(html.find("<b>路灯</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;路灯&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"n\">-</td>"), std::string::npos);
  EXPECT_EQ(html.find("0.0%"), std::string::npos) << "no rate is invented";
  for (const char* definition : {"处置率", "按时签收率", "按时办结率", "满意率", "发回重办率"})
    EXPECT_GE(count_of(html, definition), 2u) << definition << " as a figure and in the notes";
  EXPECT_NE(html.find("<tr class=\"total\">"), std::string::npos);
}

TEST(Report, TheHtmlPageShowsTheTopOfALongRanking) {
  ReportInput input = test_input();
  input.points.clear();
  for (int i = 0; i < 45; ++i)
    input.points.push_back({"m" + std::to_string(i), "党员" + std::to_string(i), 100 - i, 1});
  const std::string html =
      render_report_html(build_report(input, test_settings(), test_directory()));
  EXPECT_NE(html.find("党员29"), std::string::npos);
  EXPECT_EQ(html.find("党员30"), std::string::npos);
  EXPECT_NE(html.find("另有 15 行"), std::string::npos);
}

// ---- The directory as sheets ----

std::string as_csv(const ReportTable& table) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
    out += "\n";
  };
  line(table.headers);
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (const ReportCell& cell : row) cells.push_back(cell.text);
    line(cells);
  }
  return out;
}

TEST(DirectoryExport, SheetsSavedAsCsvLoadBackAsTheSameDirectory) {
  const Directory original = test_directory();
  const std::vector<ReportTable> tables = directory_tables(original, "86");
  ASSERT_EQ(tables.size(), 5u);
  EXPECT_EQ(tables[0].sheet, "grids");
  EXPECT_EQ(tables[4].sheet, "duty_desks");
  EXPECT_EQ(tables[1].rows[0][2].text, "13800000001") << "phones as the CSV files have them";
  config::DirectorySources sources;
  sources.grids = config::CsvSource{"grids.csv", as_csv(tables[0])};
  sources.members = config::CsvSource{"members.csv", as_csv(tables[1])};
  sources.residents = config::CsvSource{"residents.csv", as_csv(tables[2])};
  sources.teams = config::CsvSource{"teams.csv", as_csv(tables[3])};
  sources.duty_desks = config::CsvSource{"duty_desks.csv", as_csv(tables[4])};
  const config::DirectoryLoadResult loaded = config::parse_directory(sources, "86");
  ASSERT_TRUE(loaded.directory) << (loaded.errors.empty() ? "" : loaded.errors[0].message);
  // Same content: the sheets of the loaded directory are the sheets of the original.
  const std::vector<ReportTable> again = directory_tables(*loaded.directory, "86");
  for (std::size_t i = 0; i < tables.size(); ++i) EXPECT_EQ(as_csv(again[i]), as_csv(tables[i]));
  EXPECT_FALSE(loaded.directory->find_member("m2")->on_duty);
  EXPECT_EQ(loaded.directory->teams()[0].aliases.size(), 2u);
}

}  // namespace
}  // namespace lianxin::ctl
