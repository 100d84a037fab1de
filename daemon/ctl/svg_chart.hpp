// Charts as inline SVG for lianxinctl's HTML report: grouped bars (per township, per category)
// and lines (the daily trend). Pure: data in, markup out; every text is escaped (markup.hpp).
//
// Each bar is <rect class="bar sK"> with its height proportional to its value (the axis runs
// from 0 to a round number at or above the largest value) and a <title> naming group, series
// and value; each line is <polyline class="line sK">. Without data the chart says so.
#pragma once

#include <string>
#include <vector>

namespace lianxin::ctl {

struct ChartSeries {
  std::string name;               // shown in the legend, e.g. "受理"
  std::vector<long long> values;  // one per label; negative values are drawn as 0
};

struct ChartData {
  std::string title;                // the accessible name of the chart
  std::vector<std::string> labels;  // groups (bars) or points (lines) along the x axis
  std::vector<ChartSeries> series;  // at most 4 are drawn (one colour each)
};

struct ChartSize {
  int width = 640;
  int height = 260;
};

std::string bar_chart_svg(const ChartData& chart, ChartSize size = {});
std::string line_chart_svg(const ChartData& chart, ChartSize size = {});

// The axis of a chart whose largest value is `largest`: ticks at 0, step, 2·step … up to `top`
// (a round step: 1, 2 or 5 × 10^k, about four ticks; top ≥ largest, top ≥ 1).
struct Axis {
  long long step = 1;
  long long top = 1;
};
Axis axis_for(long long largest);

}  // namespace lianxin::ctl
