#include "daemon/ctl/report_command.hpp"

#include <fstream>
#include <iostream>
#include <system_error>

#include "daemon/ctl/report_html.hpp"
#include "daemon/ctl/xlsx.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;
using std::chrono::sys_days;

// Writes next to `path` and renames onto it: a reader never sees half a report.
bool write_text_file(const std::filesystem::path& path, const std::string& text,
                     std::string& error) {
  std::filesystem::path partial = path;
  partial += ".partial";
  {
    std::ofstream file(partial, std::ios::binary | std::ios::trunc);
    if (file) file << text;
    if (!file || !file.flush()) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      error = path.string() + ": cannot write (does the directory exist, may you write there?)";
      return false;
    }
  }
  std::error_code renamed;
  std::filesystem::rename(partial, path, renamed);
  if (renamed) {
    std::error_code ignored;
    std::filesystem::remove(partial, ignored);
    error = path.string() + ": " + renamed.message();
    return false;
  }
  return true;
}

// The days of the trend: the period's, or for an open period from its first received ticket.
std::optional<DayRange> trend_days(const ResolvedPeriod& period, const std::vector<Ticket>& tickets,
                                   TimePoint now, const TimeZone& zone) {
  std::optional<sys_days> first, last;
  if (period.from) first = local_day(*period.from, zone);
  if (period.to) last = local_day(*period.to, zone) - std::chrono::days{1};
  if (!first) {
    for (const Ticket& t : tickets)
      if (!period.to || t.created_at < *period.to)
        first = std::min(first.value_or(sys_days::max()), local_day(t.created_at, zone));
  }
  if (!last) last = local_day(now, zone);
  if (!first || *last < *first) return std::nullopt;
  return DayRange{*first, *last};
}

}  // namespace

std::string report_usage() {
  return "       lianxinctl report [PERIOD] [--html FILE] [--xlsx FILE]   (default period:\n"
         "                         this-month; at least one of --html, --xlsx)\n";
}

int report_command(const Args& args, std::ostream& out, std::ostream& err) {
  Options options;
  if (!parse_options(args, {"--html", "--xlsx"}, false, true, options, err, "report")) return 2;
  if (!options.positional.empty()) {
    err << "lianxinctl report: unexpected " << options.positional.front() << "\n";
    return 2;
  }
  const std::optional<std::string> html = options.value("--html"), xlsx = options.value("--xlsx");
  if (!html && !xlsx) {
    err << "lianxinctl report: say where to write it: --html FILE and/or --xlsx FILE\n"
        << report_usage();
    return 2;
  }
  if (!options.period && !options.from && !options.to) options.period = "this-month";
  auto config = load_report_config(options, err);
  if (!config) return 1;
  const Settings& settings = config->settings;
  const TimePoint now = std::chrono::system_clock::now();
  std::string error;
  auto period =
      resolve_period(options.period, options.from, options.to, now, settings.sla.time_zone, error);
  if (!period) {
    err << "lianxinctl report: " << error << "\n";
    return 2;
  }
  auto reader = open_reader(options, *config, err);
  if (!reader) return 1;

  store::TicketQuery query;
  query.newest_first = false;
  query.created_from = period->from;
  query.created_to = period->to;
  query.with_carry_over = true;  // overdue counts tickets from before the period too
  auto failed = [&](const std::string& message) {
    err << "lianxinctl: " << message << "\n";
    return 1;
  };
  auto tickets = reader->tickets(query);
  if (!tickets) return failed(tickets.message);
  std::vector<TicketNo> numbers;
  for (const Ticket& t : tickets.value) numbers.push_back(t.number);
  auto events = reader->events_of(numbers);
  if (!events) return failed(events.message);
  // The tickets open now among those created before the period's end: the report shows the
  // oldest (the backlog is small next to the history).
  store::TicketQuery open_query;
  open_query.created_to = period->to;
  open_query.states = {TicketState::new_, TicketState::awaiting_location, TicketState::dispatched,
                       TicketState::accepted, TicketState::reopened};
  auto open_tickets = reader->tickets(open_query);
  if (!open_tickets) return failed(open_tickets.message);
  auto points = reader->points(period->from, period->to);
  if (!points) return failed(points.message);

  const StatsPeriod stats_period{period->from.value_or(TimePoint{}),
                                 period->to.value_or(TimePoint::max())};
  ReportInput input;
  input.period_label = period->label == "all" ? "全部 (all time)" : period->label;
  input.generated_at = now;
  input.by_township = compute_stats(tickets.value, events.value, settings, config->directory,
                                    StatsLevel::township, stats_period, now);
  input.by_category = compute_stats(tickets.value, events.value, settings, config->directory,
                                    StatsLevel::category, stats_period, now);
  if (auto days = trend_days(*period, tickets.value, now, settings.sla.time_zone))
    input.daily = daily_counts(tickets.value, events.value, *days, settings.sla.time_zone,
                               input.by_township.as_of);
  input.open_tickets = std::move(open_tickets.value);
  input.points = points_totals(points.value, config->directory, PointsLevel::member);
  const Report report = build_report(input, settings, config->directory);

  if (html) {
    if (!write_text_file(*html, render_report_html(report), error)) {
      err << "lianxinctl report: " << error << "\n";
      return 1;
    }
    out << "report written: " << *html << "\n";
  }
  if (xlsx) {
    try {
      write_xlsx(*xlsx, report.tables());
    } catch (const XlsxError& e) {
      err << "lianxinctl report: " << e.what() << "\n";
      return 1;
    }
    out << "workbook written: " << *xlsx << "\n";
  }
  const StatsRow& total = input.by_township.total;
  out << period->label << ": " << total.received << " received, " << total.handled
      << " handled, 处置率 " << percent_text(total.handling) << ", 满意率 "
      << percent_text(total.satisfied) << "\n";
  return 0;
}

}  // namespace lianxin::ctl
