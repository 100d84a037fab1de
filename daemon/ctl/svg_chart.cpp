#include "daemon/ctl/svg_chart.hpp"

#include <algorithm>
#include <cstdio>

#include "daemon/ctl/markup.hpp"
#include "daemon/ctl/tickets.hpp"

namespace lianxin::ctl {
namespace {

// Colours that stay apart in print and for the common colour-vision deficiencies.
constexpr const char* kColours[] = {"#2f6fb0", "#e08a1e", "#3a9a5b", "#b03a48"};
constexpr std::size_t kMaxSeries = std::size(kColours);

// Space around the plot: tick labels left, title and legend above, group labels below.
constexpr double kLeft = 48, kRight = 24, kTop = 40, kBottom = 56;

std::string num(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

struct Frame {
  double width, height;
  double plot_left, plot_top, plot_width, plot_height;
  Axis axis;

  double y_of(long long value) const {
    const double clamped = static_cast<double>(std::max(0LL, value));
    return plot_top + plot_height - clamped / static_cast<double>(axis.top) * plot_height;
  }
};

std::size_t series_count(const ChartData& chart) {
  return std::min(chart.series.size(), kMaxSeries);
}

long long value_at(const ChartSeries& series, std::size_t i) {
  return i < series.values.size() ? std::max(0LL, series.values[i]) : 0;
}

Frame frame_for(const ChartData& chart, ChartSize size) {
  long long largest = 0;
  for (std::size_t s = 0; s < series_count(chart); ++s)
    for (std::size_t i = 0; i < chart.labels.size(); ++i)
      largest = std::max(largest, value_at(chart.series[s], i));
  Frame f;
  f.width = std::max(size.width, 200);
  f.height = std::max(size.height, 140);
  f.plot_left = kLeft;
  f.plot_top = kTop;
  f.plot_width = f.width - kLeft - kRight;
  f.plot_height = f.height - kTop - kBottom;
  f.axis = axis_for(largest);
  return f;
}

// <svg …> with the title, the legend, the y axis with its grid lines and tick labels.
std::string open_chart(const ChartData& chart, const Frame& f, const char* kind) {
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart " + std::string(kind) +
                    "\" viewBox=\"0 0 " + num(f.width) + " " + num(f.height) + "\" width=\"" +
                    num(f.width) + "\" height=\"" + num(f.height) +
                    "\" role=\"img\" aria-label=\"" + escape_xml(chart.title) + "\">\n";
  out += "<title>" + escape_xml(chart.title) + "</title>\n";
  out += "<text class=\"chart-title\" x=\"" + num(f.plot_left) +
         "\" y=\"16\" font-size=\"14\" font-weight=\"bold\">" + escape_xml(chart.title) +
         "</text>\n";
  // Legend: right-aligned under the title, one swatch per series.
  double x = f.width - kRight;
  for (std::size_t s = series_count(chart); s-- > 0;) {
    const std::string name = escape_xml(chart.series[s].name);
    x -= 6.5 * static_cast<double>(display_width(chart.series[s].name)) + 24;
    out += "<rect class=\"legend s" + std::to_string(s) + "\" x=\"" + num(x) +
           "\" y=\"22\" width=\"10\" height=\"10\" fill=\"" + kColours[s] + "\"/>";
    out += "<text x=\"" + num(x + 14) + "\" y=\"31\" font-size=\"11\">" + name + "</text>\n";
  }
  for (long long tick = 0; tick <= f.axis.top; tick += f.axis.step) {
    const std::string y = num(f.y_of(tick));
    out += "<line class=\"grid\" x1=\"" + num(f.plot_left) + "\" x2=\"" +
           num(f.plot_left + f.plot_width) + "\" y1=\"" + y + "\" y2=\"" + y +
           "\" stroke=\"#dddddd\" stroke-width=\"1\"/>";
    out += "<text class=\"tick\" x=\"" + num(f.plot_left - 6) + "\" y=\"" + num(f.y_of(tick) + 4) +
           "\" font-size=\"11\" text-anchor=\"end\">" + std::to_string(tick) + "</text>\n";
  }
  return out;
}

// A label under the x axis at `x`; turned when the labels are crowded.
std::string x_label(const std::string& text, double x, const Frame& f, bool turned) {
  const std::string y = num(f.plot_top + f.plot_height + 16);
  std::string out = "<text class=\"label\" x=\"" + num(x) + "\" y=\"" + y + "\" font-size=\"11\"";
  if (turned)
    out += " text-anchor=\"end\" transform=\"rotate(-35 " + num(x) + " " + y + ")\"";
  else
    out += " text-anchor=\"middle\"";
  return out + ">" + escape_xml(text) + "</text>\n";
}

std::string x_axis(const Frame& f) {
  const std::string y = num(f.plot_top + f.plot_height);
  return "<line class=\"axis\" x1=\"" + num(f.plot_left) + "\" x2=\"" +
         num(f.plot_left + f.plot_width) + "\" y1=\"" + y + "\" y2=\"" + y +
         "\" stroke=\"#333333\"/>\n";
}

std::string no_data(const Frame& f) {
  return "<text class=\"no-data\" x=\"" + num(f.plot_left + f.plot_width / 2) + "\" y=\"" +
         num(f.plot_top + f.plot_height / 2) +
         "\" font-size=\"13\" text-anchor=\"middle\" fill=\"#777777\">无数据 (no data)</text>\n";
}

}  // namespace

Axis axis_for(long long largest) {
  largest = std::max(largest, 1LL);
  // The smallest round step that covers `largest` in at most four steps.
  long long magnitude = 1;
  while (magnitude * 10 <= largest / 4) magnitude *= 10;
  long long step = magnitude;
  for (long long factor : {1, 2, 5, 10}) {
    step = factor * magnitude;
    if (step * 4 >= largest) break;
  }
  Axis axis;
  axis.step = step;
  axis.top = (largest + step - 1) / step * step;
  return axis;
}

std::string bar_chart_svg(const ChartData& chart, ChartSize size) {
  const Frame f = frame_for(chart, size);
  std::string out = open_chart(chart, f, "bars");
  const std::size_t groups = chart.labels.size(), series = series_count(chart);
  if (groups == 0 || series == 0) return out + no_data(f) + "</svg>\n";
  const double group_width = f.plot_width / static_cast<double>(groups);
  const double bar_width = group_width * 0.72 / static_cast<double>(series);
  const bool turned = groups > 8;
  const bool values_shown = groups * series <= 40;
  for (std::size_t g = 0; g < groups; ++g) {
    const double group_left = f.plot_left + group_width * static_cast<double>(g);
    for (std::size_t s = 0; s < series; ++s) {
      const long long value = value_at(chart.series[s], g);
      const double x = group_left + group_width * 0.14 + bar_width * static_cast<double>(s);
      const double y = f.y_of(value);
      const double height = f.plot_top + f.plot_height - y;
      out += "<rect class=\"bar s" + std::to_string(s) + "\" x=\"" + num(x) + "\" y=\"" + num(y) +
             "\" width=\"" + num(bar_width) + "\" height=\"" + num(height) + "\" fill=\"" +
             kColours[s] + "\" data-value=\"" + std::to_string(value) + "\"><title>" +
             escape_xml(chart.labels[g]) + " " + escape_xml(chart.series[s].name) + ": " +
             std::to_string(value) + "</title></rect>";
      if (values_shown) {
        out += "<text class=\"value\" x=\"" + num(x + bar_width / 2) + "\" y=\"" + num(y - 3) +
               "\" font-size=\"10\" text-anchor=\"middle\">" + std::to_string(value) + "</text>";
      }
      out += "\n";
    }
    out += x_label(chart.labels[g], group_left + group_width / 2, f, turned);
  }
  return out + x_axis(f) + "</svg>\n";
}

std::string line_chart_svg(const ChartData& chart, ChartSize size) {
  const Frame f = frame_for(chart, size);
  std::string out = open_chart(chart, f, "lines");
  const std::size_t points = chart.labels.size(), series = series_count(chart);
  if (points == 0 || series == 0) return out + no_data(f) + "</svg>\n";
  auto x_of = [&](std::size_t i) {
    if (points == 1) return f.plot_left + f.plot_width / 2;
    return f.plot_left + f.plot_width * static_cast<double>(i) / static_cast<double>(points - 1);
  };
  // At most 16 labels along the axis: every `every`-th point, counted back from the last (the
  // latest day is always named).
  const std::size_t every = (points + 15) / 16;
  for (std::size_t i = 0; i < points; ++i)
    if ((points - 1 - i) % every == 0) out += x_label(chart.labels[i], x_of(i), f, false);
  const bool dots = points <= 62;
  for (std::size_t s = 0; s < series; ++s) {
    std::string coordinates;
    for (std::size_t i = 0; i < points; ++i)
      coordinates +=
          (i ? " " : "") + num(x_of(i)) + "," + num(f.y_of(value_at(chart.series[s], i)));
    out += "<polyline class=\"line s" + std::to_string(s) + "\" points=\"" + coordinates +
           "\" fill=\"none\" stroke=\"" + kColours[s] + "\" stroke-width=\"2\"/>\n";
    if (!dots) continue;
    for (std::size_t i = 0; i < points; ++i) {
      const long long value = value_at(chart.series[s], i);
      out += "<circle class=\"point s" + std::to_string(s) + "\" cx=\"" + num(x_of(i)) +
             "\" cy=\"" + num(f.y_of(value)) + "\" r=\"2.5\" fill=\"" + kColours[s] + "\"><title>" +
             escape_xml(chart.labels[i]) + " " + escape_xml(chart.series[s].name) + ": " +
             std::to_string(value) + "</title></circle>\n";
    }
  }
  return out + x_axis(f) + "</svg>\n";
}

}  // namespace lianxin::ctl
