// The report's markup (daemon/ctl/markup.hpp, svg_chart.hpp) fed villagers' text of any bytes:
// escaped text is valid UTF-8 with no markup character left, and a chart's structure (its
// tags) does not depend on the text in it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "daemon/ctl/markup.hpp"
#include "daemon/ctl/svg_chart.hpp"
#include "tests/fuzz/property.hpp"

using lianxin::fuzz::require;

namespace {

std::size_t tags(const std::string& markup) {
  return std::count(markup.begin(), markup.end(), '<');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::string escaped = lianxin::ctl::escape_xml(input);
  require(escaped.find_first_of("<>\"'") == std::string::npos, "a markup character survived");
  for (std::size_t at = escaped.find('&'); at != std::string::npos; at = escaped.find('&', at + 1))
    require(escaped.find(';', at) != std::string::npos && escaped.find(';', at) - at <= 5,
            "a bare &");
  const std::string clean = lianxin::ctl::clean_text(input);
  require(lianxin::sms::code_points_to_utf8(lianxin::sms::utf8_to_code_points(clean)) == clean,
          "cleaned text is not valid UTF-8");
  require(std::none_of(clean.begin(), clean.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20; }),
          "a control character survived");

  // The input split into labels (at every '\n') with values from its bytes.
  lianxin::ctl::ChartData chart{input, {}, {{input, {}}, {"办结", {}}}};
  lianxin::ctl::ChartData plain{"title", {}, {{"series", {}}, {"办结", {}}}};
  std::size_t start = 0;
  for (std::size_t i = 0; i <= input.size() && chart.labels.size() < 64; ++i) {
    if (i < input.size() && input[i] != '\n') continue;
    chart.labels.push_back(input.substr(start, i - start));
    plain.labels.push_back("label");
    const long long value = start < input.size() ? static_cast<unsigned char>(input[start]) : 0;
    for (auto* c : {&chart, &plain}) {
      c->series[0].values.push_back(value);
      c->series[1].values.push_back(value / 2);
    }
    start = i + 1;
  }
  require(tags(lianxin::ctl::bar_chart_svg(chart)) == tags(lianxin::ctl::bar_chart_svg(plain)),
          "the text changed the bar chart's structure");
  require(tags(lianxin::ctl::line_chart_svg(chart)) == tags(lianxin::ctl::line_chart_svg(plain)),
          "the text changed the line chart's structure");
  return 0;
}
