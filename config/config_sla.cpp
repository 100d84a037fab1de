// lianxind.yaml's time: the time zone, quiet hours, the SLA calendar (holidays, workdays),
// reminders, escalation, verification, validity, and the engine's windows.
#include <algorithm>

#include "config/config_loader.hpp"

namespace lianxin::config::detail {

using namespace std::chrono_literals;

void Loader::time_zone(const Field& f, DaemonConfig& config) {
  auto v = read_nonempty(ctx_, f);
  if (!v) return;
  bool shape = (*v)[0] != '/' && v->find("..") == std::string::npos &&
               std::all_of(v->begin(), v->end(), [](char c) {
                 return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '+';
               });
  // Deadlines and quiet hours need the zone's offset: only zones without daylight saving
  // time are known (China has none), each with its fixed UTC offset.
  auto zone = shape ? domain::find_time_zone(*v) : std::nullopt;
  if (!zone) {
    std::string known;
    for (std::string_view name : domain::known_time_zones()) {
      known += (known.empty() ? "" : ", ") + std::string(name);
    }
    ctx_.error(f.mark, f.path + ": unknown time zone " + in_quotes(*v) +
                           " (lianxin knows zones without daylight saving time: " + known + ")");
    return;
  }
  config.time_zone = *v;
  config.settings.sla.time_zone = *zone;
}

void Loader::quiet_hours(const Field& f, DaemonConfig& config) {
  auto v = read_string(ctx_, f);
  if (!v) return;
  if (v->empty() || *v == "off" || *v == "none" || *v == "false" || *v == "no") {
    config.quiet_hours.reset();
    return;
  }
  std::string why;
  if (auto q = parse_quiet_hours(*v, why)) {
    config.quiet_hours = *q;
  } else {
    ctx_.error(f.mark, f.path + ": " + why);
  }
}

void Loader::sla(const Map& top, DaemonConfig& config) {
  domain::Settings& s = config.settings;
  std::set<domain::Days> holidays;
  std::set<domain::Days> workdays;
  if (auto f = top.get("holidays")) {
    if (auto v = read_dates(ctx_, *f)) holidays = std::move(*v);
  }
  if (auto f = top.get("workdays")) {
    if (auto v = read_dates(ctx_, *f)) {
      workdays = std::move(*v);
      for (domain::Days day : workdays) {
        if (holidays.contains(day)) {
          ctx_.error(f->mark, f->path + ": " + domain::format_date(day) +
                                  " is both a holiday and a make-up working day");
        }
      }
    }
  }
  s.sla.calendar = domain::WorkCalendar(std::move(holidays), std::move(workdays));
  if (auto f = top.get("reminder")) {
    if (auto v = read_reminder(ctx_, *f)) s.sla.reminder = *v;
  }
  if (auto f = top.get("escalation")) {
    Map m(ctx_, f->node, f->path, f->mark,
          {"chain", "accept_within", "resolve_within", "problem_after"});
    if (auto g = m.get("chain")) {
      if (auto list = read_string_list(ctx_, *g)) {
        std::vector<domain::EscalationStep> chain;
        for (const auto& [word, mark] : *list) {
          auto step = domain::escalation_step_from_string(word);
          if (!step) {
            ctx_.error(mark, g->path + ": unknown step " + in_quotes(word) +
                                 "; steps are grid_leader, township_desk, county_desk");
            continue;
          }
          if (std::find(chain.begin(), chain.end(), *step) != chain.end()) {
            ctx_.error(mark, g->path + ": step " + in_quotes(word) + " appears twice");
            continue;
          }
          chain.push_back(*step);
        }
        if (list->empty()) ctx_.error(g->mark, g->path + ": the chain needs at least one step");
        if (!chain.empty()) s.escalation.chain = std::move(chain);
      }
    }
    if (auto g = m.get("accept_within")) {
      if (auto v = read_sla_limit(ctx_, *g)) s.escalation.accept_within = *v;
    }
    if (auto g = m.get("resolve_within")) {
      if (auto v = read_sla_limit(ctx_, *g)) s.escalation.resolve_within = *v;
    }
    if (auto g = m.get("problem_after")) {
      if (auto v = read_integer(ctx_, *g, 0, 100)) {
        s.escalation.problem_after = static_cast<int>(*v);
      }
    }
  }
  if (auto f = top.get("verification")) {
    Map m(ctx_, f->node, f->path, f->mark, {"escalate_on_reopen"});
    if (auto g = m.get("escalate_on_reopen")) {
      if (auto v = read_integer(ctx_, *g, 0, 100)) {
        s.verification.escalate_on_reopen = static_cast<int>(*v);
      }
    }
  }
  if (auto f = top.get("validity")) {
    Map m(ctx_, f->node, f->path, f->mark,
          {"reply", "notice", "dispatch", "reminder", "escalation", "verification"});
    auto read = [&](std::string_view key, std::chrono::seconds& out) {
      if (auto g = m.get(key)) {
        // 0s: never expires.
        if (auto v = read_duration(ctx_, *g, 0ms, std::chrono::hours{24 * 30})) {
          out = std::chrono::duration_cast<std::chrono::seconds>(*v);
        }
      }
    };
    read("reply", s.sla.validity.reply);
    read("notice", s.sla.validity.notice);
    read("dispatch", s.sla.validity.dispatch);
    read("reminder", s.sla.validity.reminder);
    read("escalation", s.sla.validity.escalation);
    read("verification", s.sla.validity.verification);
  }
  if (config.quiet_hours) {
    s.sla.quiet_hours = domain::QuietPeriod{config.quiet_hours->start, config.quiet_hours->end};
  } else {
    s.sla.quiet_hours.reset();
  }
}

void Loader::windows(const Field& f, domain::Windows& w) {
  using std::chrono::hours;
  using std::chrono::minutes;
  Map m(ctx_, f.node, f.path, f.mark,
        {"duplicate_join", "location_followup", "verification", "closed_retention", "note_batch"});
  if (auto g = m.get("note_batch")) {
    if (auto v = read_duration_in(ctx_, *g, std::chrono::seconds{0}, std::chrono::seconds{86400}))
      w.note_batch = *v;
  }
  if (auto g = m.get("duplicate_join")) {
    if (auto v = read_duration_in(ctx_, *g, minutes{0}, minutes{7 * 24 * 60}))
      w.duplicate_join = *v;
  }
  if (auto g = m.get("location_followup")) {
    if (auto v = read_duration_in(ctx_, *g, minutes{1}, minutes{7 * 24 * 60}))
      w.location_followup = *v;
  }
  if (auto g = m.get("verification")) {
    if (auto v = read_duration_in(ctx_, *g, hours{1}, hours{24 * 90})) w.verification = *v;
  }
  if (auto g = m.get("closed_retention")) {
    if (auto v = read_duration_in(ctx_, *g, hours{0}, hours{24 * 365})) w.closed_retention = *v;
  }
}

}  // namespace lianxin::config::detail
