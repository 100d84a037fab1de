#include "daemon/ctl/report_tables.hpp"

#include <algorithm>
#include <cstdio>

#include "daemon/ctl/reports.hpp"
#include "daemon/domain/engine_call.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;

constexpr std::size_t kTextShown = 40;  // code points of a villager's text in the open-ticket table

ReportCell text_cell(std::string text) {
  return {std::move(text), std::nullopt, false};
}
ReportCell count_cell(long long n) {
  return {std::to_string(n), static_cast<double>(n), false};
}
ReportCell rate_cell(const Ratio& ratio) {
  return {percent_text(ratio), ratio.rate(), true};
}

// The columns of a statistics row (per township, per category), after its name.
const std::vector<std::string> kStatsColumns = {
    "受理", "办结", "处置率", "按时签收率", "按时办结率", "满意率", "发回重办率", "投诉", "超期"};

std::vector<ReportCell> stats_cells(const StatsRow& row) {
  return {text_cell(row.name),      count_cell(row.received),      count_cell(row.handled),
          rate_cell(row.handling),  rate_cell(row.accept_on_time), rate_cell(row.resolve_on_time),
          rate_cell(row.satisfied), rate_cell(row.redone),         count_cell(row.complained.count),
          count_cell(row.overdue)};
}

ReportTable stats_table(std::string sheet, std::string title, std::string first_column,
                        const StatsReport& report) {
  ReportTable table{std::move(sheet), std::move(title), {std::move(first_column)}, {}};
  table.headers.insert(table.headers.end(), kStatsColumns.begin(), kStatsColumns.end());
  for (const StatsRow& row : report.rows) table.rows.push_back(stats_cells(row));
  table.rows.push_back(stats_cells(report.total));
  table.ends_with_total = true;
  return table;
}

// Received and handled per group, for a bar chart.
ChartData stats_chart(std::string title, const StatsReport& report) {
  ChartData chart{std::move(title), {}, {{"受理", {}}, {"办结", {}}}};
  for (const StatsRow& row : report.rows) {
    chart.labels.push_back(row.name);
    chart.series[0].values.push_back(row.received);
    chart.series[1].values.push_back(row.handled);
  }
  return chart;
}

ReportTable headline_table(const StatsRow& total) {
  ReportTable table{
      "概况", "主要指标 Headline figures", {"指标", "Figure", "数值", "分子", "分母"}, {}};
  auto count = [&](const char* zh, const char* en, long long n) {
    table.rows.push_back(
        {text_cell(zh), text_cell(en), count_cell(n), text_cell(""), text_cell("")});
  };
  auto rate = [&](const char* zh, const char* en, const Ratio& r) {
    table.rows.push_back(
        {text_cell(zh), text_cell(en), rate_cell(r), count_cell(r.count), count_cell(r.of)});
  };
  auto duration = [&](const char* zh, const char* en, std::optional<std::chrono::seconds> d) {
    table.rows.push_back({text_cell(zh), text_cell(en), text_cell(format_duration(d)),
                          text_cell(""), text_cell("")});
  };
  count("受理", "Items received", total.received);
  count("办结", "Handled", total.handled);
  rate("处置率", "Handling rate", total.handling);
  rate("按时签收率", "On-time acceptance", total.accept_on_time);
  rate("按时办结率", "On-time resolution", total.resolve_on_time);
  rate("满意率", "Satisfaction", total.satisfied);
  rate("发回重办率", "Redo rate", total.redone);
  rate("作风投诉率", "Complaint rate", total.complained);
  count("超期", "Overdue (open)", total.overdue);
  duration("签收用时", "Median time to accept", total.median_accept);
  duration("办结用时", "Median time to resolve", total.median_resolve);
  count("无效", "Invalid", total.invalid);
  count("撤销", "Cancelled", total.cancelled);
  return table;
}

std::string shortened(std::string_view utf8, std::size_t code_points) {
  const std::u32string cps = sms::utf8_to_code_points(utf8);
  if (cps.size() <= code_points) return std::string(utf8);
  return sms::code_points_to_utf8(std::u32string_view(cps).substr(0, code_points)) + "…";
}

ReportTable oldest_open_table(const ReportInput& input, const Settings& settings,
                              const Directory& directory) {
  ReportTable table{
      "最久未办结",
      "最久未办结的工单 Oldest open tickets",
      {"工单号", "受理时间", "已等待", "状态", "类别", "乡镇", "村", "承办人", "督办", "内容"},
      {}};
  std::vector<const Ticket*> oldest;
  for (const Ticket& t : input.open_tickets) oldest.push_back(&t);
  auto older = [](const Ticket* a, const Ticket* b) {
    return a->created_at != b->created_at ? a->created_at < b->created_at : a->number < b->number;
  };
  const std::size_t shown = std::min(oldest.size(), kOldestOpen);
  std::partial_sort(oldest.begin(), oldest.begin() + static_cast<std::ptrdiff_t>(shown),
                    oldest.end(), older);
  oldest.resize(shown);
  for (const Ticket* ticket : oldest) {
    const Ticket& t = *ticket;
    const Category* category = settings.find_category(t.category);
    const Grid* grid = t.grid ? directory.find_grid(*t.grid) : nullptr;
    const Member* member = t.assignee ? directory.find_member(*t.assignee) : nullptr;
    std::string escalation =
        t.escalation_level > 0 ? "升级" + std::to_string(t.escalation_level) + "级" : std::string();
    if (t.problem) escalation += escalation.empty() ? "问题工单" : " 问题工单";
    // The report is printed and passed on: numbers a villager typed are masked as in the log.
    const std::string text = mask_numbers_in_text(t.text, settings.default_country);
    table.rows.push_back(
        {count_cell(t.number), text_cell(zoned_text(t.created_at, settings.sla.time_zone)),
         text_cell(format_duration(
             std::chrono::duration_cast<std::chrono::seconds>(input.generated_at - t.created_at))),
         text_cell(std::string(status_word(settings.templates, Audience::member, t.state))),
         text_cell(category ? category->name : t.category), text_cell(grid ? grid->township : ""),
         text_cell(grid ? grid->village : "(未定位)"),
         text_cell(member ? member->name : t.assignee.value_or("")), text_cell(escalation),
         text_cell(shortened(text, kTextShown))});
  }
  return table;
}

ReportTable points_table(const std::vector<PointsRow>& rows, const Directory& directory) {
  ReportTable table{"积分排名",
                    "党员积分排名 Members' points",
                    {"名次", "党员", "编号", "网格", "积分", "条目"},
                    {}};
  long long rank = 0, previous = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // Equal points share a rank (1, 1, 3).
    if (i == 0 || rows[i].points != previous) rank = static_cast<long long>(i) + 1;
    previous = rows[i].points;
    std::string grids;
    if (const Member* m = directory.find_member(rows[i].key)) {
      for (const std::string& id : m->grids) {
        const Grid* g = directory.find_grid(id);
        grids += (grids.empty() ? "" : "、") + (g ? g->name : id);
      }
    }
    table.rows.push_back({count_cell(rank), text_cell(rows[i].name), text_cell(rows[i].key),
                          text_cell(grids), count_cell(rows[i].points),
                          count_cell(rows[i].entries)});
  }
  return table;
}

// The definitions of `lianxinctl stats` (README "Statistics"), for readers of the report.
ReportTable notes_table() {
  ReportTable table{
      "指标说明", "指标说明 How each figure is defined", {"指标", "定义", "Definition"}, {}};
  const char* notes[][3] = {
      {"统计口径",
       "按工单受理时间归入统计期；截至时间为统计期结束与当前时间中较早者，之后的变化不计入。",
       "Tickets count for the period they were created in; figures are as of the earlier of the "
       "period's end and now."},
      {"受理", "统计期内新建的工单，不含无效和撤销的工单（另行计数）。",
       "Tickets created in the period, except those invalid or cancelled (counted apart)."},
      {"办结", "受理工单中截至统计时已办结（已解决或已关闭）的。",
       "Received tickets resolved or closed as of the end."},
      {"处置率", "办结 ÷ 受理。", "Handled / received."},
      {"按时签收率",
       "首次签收不晚于签收期限的工单 ÷ 已签收或已过签收期限的工单；仍在期限内未签收的不计入。",
       "Tickets accepted by their accept deadline / tickets accepted or past that deadline."},
      {"按时办结率", "在办结期限内办结的工单 ÷ 已办结或已过办结期限的工单。",
       "Tickets resolved by their resolve deadline / tickets handled or past that deadline."},
      {"满意率",
       "评价4–5分的工单 ÷ 有评价（1–5分）的工单；超时未评价而关闭的不算满意，也不计入分母。",
       "Ratings 4–5 / real ratings 1–5; tickets closed unrated are in neither."},
      {"发回重办率", "被群众回复“未解决”而重办过的工单 ÷ 办结过的工单。",
       "Tickets reopened at least once / tickets resolved at least once."},
      {"作风投诉率", "作风投诉类工单 ÷ 受理。", "Complaints about conduct / received."},
      {"超期", "截至统计时仍未办结且已过签收或办结期限的工单，含统计期前受理的。",
       "Open tickets past a deadline as of the end, including older tickets."},
      {"用时", "签收用时：首次派单到签收；办结用时：受理到办结；均为中位数。",
       "Median time from first dispatch to acceptance, and from creation to resolution."},
      {"“-”", "没有可计数的工单时比率显示为“-”，不是0%或100%。",
       "A rate with nothing to count is shown as -, never 0% or 100%."},
      {"积分", "统计期内积分台账按党员合计；积分相同名次相同。",
       "Points ledger totals per member in the period; equal points share a rank."},
      {"最久未办结", "当前仍未办结的工单中受理最早的10件；群众短信中的电话号码已隐去。",
       "The ten oldest tickets open now; phone numbers in texts are masked."},
  };
  for (const auto& note : notes)
    table.rows.push_back({text_cell(note[0]), text_cell(note[1]), text_cell(note[2])});
  return table;
}

}  // namespace

std::string zoned_text(TimePoint at, const TimeZone& zone) {
  const auto local = std::chrono::floor<std::chrono::minutes>(at + zone.utc_offset);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const std::chrono::hh_mm_ss time{local - day};
  char text[24];
  std::snprintf(text, sizeof text, " %02d:%02d", static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()));
  return day_text(day) + text;
}

std::vector<const ReportTable*> Report::tables() const {
  return {&headline, &townships, &categories, &daily, &oldest_open, &points, &notes};
}

Report build_report(const ReportInput& input, const Settings& settings,
                    const Directory& directory) {
  Report report;
  report.title = "连心桥工作报告";
  report.subtitle = "Lianxin report: items received, handling, deadlines and satisfaction";
  report.period_label = input.period_label;
  report.as_of = zoned_text(input.by_township.as_of, settings.sla.time_zone);
  report.generated_at = zoned_text(input.generated_at, settings.sla.time_zone);
  report.headline = headline_table(input.by_township.total);
  report.townships = stats_table("按乡镇", "各乡镇 By township", "乡镇", input.by_township);
  report.categories = stats_table("按类别", "各类别 By category", "类别", input.by_category);
  report.township_chart =
      stats_chart("各乡镇受理与办结 Received and handled by township", input.by_township);
  report.category_chart =
      stats_chart("各类别受理与办结 Received and handled by category", input.by_category);

  report.daily = {"每日趋势", "每日受理与办结 Daily trend", {"日期", "受理", "办结"}, {}};
  report.daily_chart = {
      "每日受理与办结 Received and handled per day", {}, {{"受理", {}}, {"办结", {}}}};
  for (const DailyCount& d : input.daily) {
    report.daily.rows.push_back(
        {text_cell(day_text(d.day)), count_cell(d.received), count_cell(d.handled)});
    report.daily_chart.labels.push_back(day_text(d.day).substr(5));  // "11-05"
    report.daily_chart.series[0].values.push_back(d.received);
    report.daily_chart.series[1].values.push_back(d.handled);
  }
  report.oldest_open = oldest_open_table(input, settings, directory);
  report.points = points_table(input.points, directory);
  report.notes = notes_table();
  return report;
}

}  // namespace lianxin::ctl
