#include "daemon/domain/stats.hpp"

#include <algorithm>
#include <charconv>
#include <map>

namespace lianxin::domain {
namespace {

using std::chrono::seconds;

constexpr std::pair<StatsLevel, std::string_view> kLevelNames[] = {
    {StatsLevel::county, "county"}, {StatsLevel::township, "township"}, {StatsLevel::grid, "grid"},
    {StatsLevel::member, "member"}, {StatsLevel::category, "category"},
};

bool is_open(TicketState state) {
  return state == TicketState::new_ || state == TicketState::awaiting_location ||
         state == TicketState::dispatched || state == TicketState::accepted ||
         state == TicketState::reopened;
}

// What one ticket's history says as of a moment.
struct Facts {
  TicketState state = TicketState::new_;
  std::optional<TimePoint> first_dispatch;
  std::optional<TimePoint> first_acceptance;
  std::optional<TimePoint> last_resolution;
  bool resolved_once = false;
  bool reopened_once = false;
  bool rated = false;  // closed as rated by as_of
  // A deadline passed (an "overdue: not accepted/resolved" event): escalation moves the stored
  // deadline on, so the ticket's columns alone would call a late ticket on time.
  bool missed_accept = false;
  bool missed_resolve = false;
};

Facts facts_of(const Ticket& t, const std::vector<TicketEvent>* events, TimePoint as_of) {
  Facts f;
  if (events == nullptr || events->empty()) {
    // No history rows: the ticket's own (latest) timestamps.
    f.state = t.state;
    auto upto = [&](const std::optional<TimePoint>& at) {
      return at && *at <= as_of ? at : std::nullopt;
    };
    f.first_dispatch = upto(t.dispatched_at);
    f.first_acceptance = upto(t.accepted_at ? t.accepted_at : t.resolved_at);
    f.last_resolution = upto(t.resolved_at);
    f.resolved_once = f.last_resolution.has_value() || t.reopen_count > 0;
    f.reopened_once = t.reopen_count > 0;
    if (t.state == TicketState::closed && t.closed_at && *t.closed_at > as_of)
      f.state = TicketState::resolved;
    f.rated = f.state == TicketState::closed && t.close_reason == CloseReason::rated;
    return f;
  }
  bool seen = false;
  for (const TicketEvent& e : *events) {
    if (e.at > as_of) break;
    seen = true;
    f.state = e.to;
    if (e.to == TicketState::dispatched && !f.first_dispatch) f.first_dispatch = e.at;
    const bool from_waiting =
        e.from && (*e.from == TicketState::dispatched || *e.from == TicketState::reopened);
    if (from_waiting && !f.first_acceptance &&
        (e.to == TicketState::accepted || e.to == TicketState::resolved)) {
      f.first_acceptance = e.at;
    }
    if (e.to == TicketState::resolved && e.from != TicketState::resolved) {
      f.last_resolution = e.at;
      f.resolved_once = true;
    }
    if (e.to == TicketState::reopened && e.from != TicketState::reopened) f.reopened_once = true;
    if (e.reason.starts_with("overdue: not accepted")) f.missed_accept = true;
    if (e.reason.starts_with("overdue: not resolved")) f.missed_resolve = true;
  }
  if (!seen) f.state = TicketState::new_;
  f.rated = f.state == TicketState::closed && t.close_reason == CloseReason::rated;
  return f;
}

std::optional<TimePoint> due(const std::optional<TimePoint>& stored,
                             const std::optional<TimePoint>& first_dispatch, const SlaLimit& within,
                             const Settings& settings) {
  if (stored) return stored;
  if (first_dispatch)
    return add_limit(*first_dispatch, within, settings.sla.calendar, settings.sla.time_zone);
  return std::nullopt;
}

std::optional<seconds> median(std::vector<seconds> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  if (n % 2 == 1) return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2;
}

// A row being filled, with the samples for its medians.
struct Accumulator {
  StatsRow row;
  std::vector<seconds> accept_times, resolve_times;

  void finish() {
    row.handling = {row.handled, row.received};
    row.complained.of = row.received;
    row.median_accept = median(std::move(accept_times));
    row.median_resolve = median(std::move(resolve_times));
  }
};

void add(Accumulator& acc, const Ticket& t, const Facts& f, const Settings& settings,
         StatsPeriod period, TimePoint as_of) {
  StatsRow& row = acc.row;
  const Category* category = settings.find_category(t.category);
  const SlaLimit accept_within = category ? category->accept_within : Category{}.accept_within;
  const SlaLimit resolve_within = category ? category->resolve_within : Category{}.resolve_within;
  const auto accept_due = due(t.accept_deadline, f.first_dispatch, accept_within, settings);
  const auto resolve_due = due(t.resolve_deadline, f.first_dispatch, resolve_within, settings);

  if (t.created_at < as_of && is_open(f.state)) {
    const bool late_accept = !f.first_acceptance && accept_due && *accept_due < as_of;
    const bool late_resolve = resolve_due && *resolve_due < as_of;
    if (late_accept || late_resolve) ++row.overdue;
  }

  const bool in_period = t.created_at >= period.from && t.created_at < period.to;
  if (!in_period) return;
  if (t.state == TicketState::invalid) {
    ++row.invalid;
    return;
  }
  if (t.state == TicketState::cancelled) {
    ++row.cancelled;
    return;
  }
  ++row.received;
  const bool handled = f.state == TicketState::resolved || f.state == TicketState::closed;
  if (handled) ++row.handled;

  if (accept_due && (f.first_acceptance || *accept_due <= as_of)) {
    ++row.accept_on_time.of;
    if (f.first_acceptance && *f.first_acceptance <= *accept_due && !f.missed_accept)
      ++row.accept_on_time.count;
  }
  if (resolve_due && (handled || *resolve_due <= as_of)) {
    ++row.resolve_on_time.of;
    if (handled && f.last_resolution && *f.last_resolution <= *resolve_due && !f.missed_resolve)
      ++row.resolve_on_time.count;
  }
  if (f.rated && t.rating && *t.rating >= 1 && *t.rating <= 5) {
    ++row.satisfied.of;
    if (*t.rating >= 4) ++row.satisfied.count;
  }
  if (f.resolved_once) {
    ++row.redone.of;
    if (f.reopened_once) ++row.redone.count;
  }
  if (f.first_acceptance) {
    const TimePoint start = f.first_dispatch ? *f.first_dispatch : t.created_at;
    acc.accept_times.push_back(std::chrono::duration_cast<seconds>(*f.first_acceptance - start));
  }
  if (handled && f.last_resolution) {
    acc.resolve_times.push_back(
        std::chrono::duration_cast<seconds>(*f.last_resolution - t.created_at));
  }
}

// A complaint (作风投诉) received in the period and still a matter to handle.
bool is_counted_complaint(const Ticket& t, const Settings& settings, StatsPeriod period) {
  const Category* category = settings.find_category(t.category);
  return category != nullptr && category->complaint && t.created_at >= period.from &&
         t.created_at < period.to && t.state != TicketState::invalid &&
         t.state != TicketState::cancelled;
}

// The group key of a ticket at `level`, and its readable name.
std::pair<std::string, std::string> group_of(const Ticket& t, StatsLevel level,
                                             const Settings& settings, const Directory& directory) {
  switch (level) {
    case StatsLevel::county:
      return {"county", "全县"};
    case StatsLevel::township: {
      const Grid* grid = t.grid ? directory.find_grid(*t.grid) : nullptr;
      if (grid == nullptr || grid->township.empty()) return {"", "(未定位)"};
      return {grid->township, grid->township};
    }
    case StatsLevel::grid: {
      if (!t.grid) return {"", "(未定位)"};
      const Grid* grid = directory.find_grid(*t.grid);
      return {*t.grid, grid ? grid->name : *t.grid};
    }
    case StatsLevel::member: {
      if (!t.assignee) return {"", "(未派单)"};
      const Member* member = directory.find_member(*t.assignee);
      return {*t.assignee, member ? member->name : *t.assignee};
    }
    case StatsLevel::category: {
      const Category* category = settings.find_category(t.category);
      return {t.category, category ? category->name : t.category};
    }
  }
  return {"", ""};
}

// Position of a key in the directory/settings order (unknown keys after, by key; "" last).
std::vector<std::string> key_order(StatsLevel level, const Settings& settings,
                                   const Directory& directory) {
  std::vector<std::string> order;
  switch (level) {
    case StatsLevel::county:
      order.push_back("county");
      break;
    case StatsLevel::township:
      for (const Grid& g : directory.grids()) {
        if (!g.township.empty() && std::find(order.begin(), order.end(), g.township) == order.end())
          order.push_back(g.township);
      }
      break;
    case StatsLevel::grid:
      for (const Grid& g : directory.grids()) order.push_back(g.id);
      break;
    case StatsLevel::member:
      for (const Member& m : directory.members()) order.push_back(m.id);
      break;
    case StatsLevel::category:
      for (const Category& c : settings.categories) order.push_back(c.id);
      break;
  }
  return order;
}

}  // namespace

std::string_view to_string(StatsLevel level) {
  for (const auto& [value, name] : kLevelNames)
    if (value == level) return name;
  return "county";
}

std::optional<StatsLevel> stats_level_from_string(std::string_view text) {
  for (const auto& [value, name] : kLevelNames)
    if (name == text) return value;
  return std::nullopt;
}

std::optional<double> Ratio::rate() const {
  if (of == 0) return std::nullopt;
  return static_cast<double>(count) / static_cast<double>(of);
}

StatsReport compute_stats(const std::vector<Ticket>& tickets, const EventsByTicket& events,
                          const Settings& settings, const Directory& directory, StatsLevel level,
                          StatsPeriod period, TimePoint now) {
  StatsReport report;
  report.level = level;
  report.period = period;
  report.as_of = std::min(period.to, now);

  std::map<std::string, Accumulator> groups;
  Accumulator total;
  total.row.key = "total";
  total.row.name = "合计";
  for (const Ticket& t : tickets) {
    auto found = events.find(t.number);
    const Facts f = facts_of(t, found == events.end() ? nullptr : &found->second, report.as_of);
    auto [key, name] = group_of(t, level, settings, directory);
    Accumulator& acc = groups[key];
    acc.row.key = key;
    acc.row.name = name;
    add(acc, t, f, settings, period, report.as_of);
    add(total, t, f, settings, period, report.as_of);
    if (!is_counted_complaint(t, settings, period)) continue;
    ++total.row.complained.count;
    if (level != StatsLevel::member) {
      ++acc.row.complained.count;
      continue;
    }
    for (const std::string& member_id : t.complaint_about) {
      Accumulator& about = groups[member_id];
      about.row.key = member_id;
      const Member* member = directory.find_member(member_id);
      about.row.name = member ? member->name : member_id;
      ++about.row.complained.count;
    }
  }

  const std::vector<std::string> order = key_order(level, settings, directory);
  auto rank = [&](const std::string& key) {
    auto it = std::find(order.begin(), order.end(), key);
    if (key.empty()) return order.size() + 1;
    return it == order.end() ? order.size() : static_cast<std::size_t>(it - order.begin());
  };
  for (auto& [key, acc] : groups) {
    // Groups with nothing in the period and nothing overdue say nothing.
    const StatsRow& r = acc.row;
    if (r.received == 0 && r.invalid == 0 && r.cancelled == 0 && r.overdue == 0 &&
        r.complained.count == 0)
      continue;
    acc.finish();
    report.rows.push_back(std::move(acc.row));
  }
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [&](const StatsRow& a, const StatsRow& b) {
                     const std::size_t ra = rank(a.key), rb = rank(b.key);
                     return ra != rb ? ra < rb : a.key < b.key;
                   });
  total.finish();
  report.total = std::move(total.row);
  return report;
}

std::optional<PointsLevel> points_level_from_string(std::string_view text) {
  if (text == "member") return PointsLevel::member;
  if (text == "grid") return PointsLevel::grid;
  return std::nullopt;
}

std::vector<PointsRow> points_totals(const std::vector<PointsRecord>& records,
                                     const Directory& directory, PointsLevel level) {
  std::map<std::string, PointsRow> rows;
  for (const PointsRecord& r : records) {
    std::string key;
    if (level == PointsLevel::member) {
      key = r.entry.member;
    } else if (!r.ticket_grid.empty()) {
      key = r.ticket_grid;
    } else if (const Member* m = directory.find_member(r.entry.member); m && !m->grids.empty()) {
      key = m->grids.front();
    }
    PointsRow& row = rows[key];
    row.key = key;
    row.points += r.entry.points;
    ++row.entries;
  }
  std::vector<PointsRow> out;
  for (auto& [key, row] : rows) {
    if (level == PointsLevel::member) {
      const Member* m = directory.find_member(key);
      row.name = m ? m->name : key;
    } else if (key.empty()) {
      row.name = "(无网格)";
    } else {
      const Grid* g = directory.find_grid(key);
      row.name = g ? g->name : key;
    }
    out.push_back(std::move(row));
  }
  std::stable_sort(out.begin(), out.end(), [](const PointsRow& a, const PointsRow& b) {
    return a.points != b.points ? a.points > b.points : a.key < b.key;
  });
  return out;
}

PeriodParse parse_period(std::string_view text, std::chrono::sys_days today) {
  using namespace std::chrono;
  PeriodParse out;
  auto range = [&](sys_days first, sys_days last) {
    out.ok = true;
    out.range = DayRange{first, last};
    return out;
  };
  auto all_digits = [](std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const year_month_day now{today};
  if (text == "all") {
    out.ok = true;
    return out;
  }
  if (text == "today") return range(today, today);
  if (text == "yesterday") return range(today - days{1}, today - days{1});
  if (text == "this-week") {
    const unsigned since_monday = (weekday{today}.c_encoding() + 6) % 7;
    return range(today - days{since_monday}, today);
  }
  if (text == "this-month") return range(sys_days{now.year() / now.month() / 1}, today);
  if (text == "last-month") {
    const year_month last = year_month{now.year(), now.month()} - months{1};
    return range(sys_days{last / 1}, sys_days{last / std::chrono::last});
  }
  if (text.starts_with("last-") && text.ends_with("-days")) {
    std::string_view n = text.substr(5, text.size() - 10);
    int count = 0;
    if (all_digits(n) && n.size() <= 4) {
      std::from_chars(n.data(), n.data() + n.size(), count);
      if (count >= 1 && count <= 3660) return range(today - days{count - 1}, today);
    }
    out.error = "last-N-days needs N from 1 to 3660: " + std::string(text);
    return out;
  }
  if (auto day = parse_date(text)) return range(*day, *day);
  if (text.size() == 7 && text[4] == '-' && all_digits(text.substr(0, 4)) &&
      all_digits(text.substr(5))) {
    const int y =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    const unsigned m = static_cast<unsigned>((text[5] - '0') * 10 + (text[6] - '0'));
    const year_month ym{year{y}, month{m}};
    if (ym.ok()) return range(sys_days{ym / 1}, sys_days{ym / std::chrono::last});
  }
  if (text.size() == 4 && all_digits(text)) {
    const int y =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    return range(sys_days{year{y} / January / 1}, sys_days{year{y} / December / 31});
  }
  out.error = "not a period: " + std::string(text) +
              " (use 2026-11-05, 2026-11, 2026, today, yesterday, this-week, this-month, "
              "last-month, last-7-days or all)";
  return out;
}

}  // namespace lianxin::domain
