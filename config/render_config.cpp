// The effective configuration as text, for `lianxind --check-config`.
#include <set>
#include <sstream>

#include "config/daemon_config.hpp"

namespace lianxin::config {
namespace {

std::string duration(Millis d) {
  auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1'000 == 0) return std::to_string(ms / 1'000) + "s";
  return std::to_string(ms) + "ms";
}

// A double-quoted YAML string.
std::string q(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string render_config(const DaemonConfig& c) {
  const domain::Settings& s = c.settings;
  std::ostringstream o;
  o << "# effective configuration of " << c.file.string() << "\n";
  o << "signature: " << q(s.signature) << "\n";
  o << "default_country: " << q(s.default_country) << "\n";
  o << "time_zone: " << c.time_zone << "\n";
  o << "quiet_hours: " << (c.quiet_hours ? q(c.quiet_hours->to_string()) : "off") << "\n";
  o << "log_level: " << level_name(c.log_level) << "\n";
  o << "smpp:\n";
  for (const SmppConnection& x : c.smpp) {
    o << "  - name: " << q(x.name) << "\n"
      << "    host: " << q(x.host) << "\n"
      << "    port: " << x.port << "\n"
      << "    system_id: " << q(x.system_id) << "\n"
      << "    # password: (" << x.password_origin << ")\n"
      << "    system_type: " << q(x.system_type) << "\n"
      << "    bind: " << to_string(x.bind) << "\n"
      << "    priority: " << x.priority << "\n"
      << "    source_address: " << q(x.source_address) << "\n"
      << "    source_ton: " << int{x.source_ton} << "\n"
      << "    source_npi: " << int{x.source_npi} << "\n"
      << "    concat: " << to_string(x.concat) << "\n"
      << "    tps: " << x.tps << "\n"
      << "    window: " << x.window << "\n"
      << "    enquire_link_interval: " << duration(x.enquire_link_interval) << "\n"
      << "    response_timeout: " << duration(x.response_timeout) << "\n"
      << "    reconnect_min: " << duration(x.reconnect_min) << "\n"
      << "    reconnect_max: " << duration(x.reconnect_max) << "\n";
  }
  o << "storage:\n"
    << "  path: " << q(c.storage.path.string()) << "\n"
    << "  synchronous: " << to_string(c.storage.synchronous) << "\n"
    << "  inbox_dedupe_window: " << duration(c.storage.inbox_dedupe_window) << "\n";
  o << "control_socket: " << q(c.control_socket.string()) << "\n";
  if (c.metrics) {
    o << "metrics:\n  address: " << q(c.metrics->address) << "\n  port: " << c.metrics->port
      << "\n";
  }
  const DirectoryFiles& d = c.directory_files;
  o << "directory:  # " << c.directory.grids().size() << " grids, " << c.directory.members().size()
    << " members, " << c.directory.residents().size() << " residents, "
    << c.directory.teams().size() << " teams, " << c.directory.duty_desks().size()
    << " duty desks\n";
  o << "  grids: " << q(d.grids.string()) << "\n  members: " << q(d.members.string()) << "\n";
  if (!d.residents.empty()) o << "  residents: " << q(d.residents.string()) << "\n";
  if (!d.teams.empty()) o << "  teams: " << q(d.teams.string()) << "\n";
  o << "  duty_desks: " << q(d.duty_desks.string()) << "\n";
  o << "fallback_category: " << s.fallback_category << "\n";
  o << "categories:\n";
  for (const domain::Category& cat : s.categories) {
    o << "  - id: " << cat.id << "\n    name: " << q(cat.name) << "\n    keywords: [";
    for (std::size_t i = 0; i < cat.keywords.size(); ++i)
      o << (i ? ", " : "") << q(cat.keywords[i]);
    o << "]\n    route: " << domain::to_string(cat.route) << "\n";
    if (!cat.team.empty()) o << "    team: " << cat.team << "\n";
    o << "    urgent: " << (cat.urgent ? "true" : "false") << "\n"
      << "    complaint: " << (cat.complaint ? "true" : "false") << "\n"
      << "    accept_within: " << cat.accept_within.to_string() << "\n"
      << "    resolve_within: " << cat.resolve_within.to_string() << "\n";
    if (cat.reminder) o << "    reminder: " << q(cat.reminder->to_string()) << "\n";
  }
  o << "windows:\n"
    << "  duplicate_join: " << duration(s.windows.duplicate_join) << "\n"
    << "  location_followup: " << duration(s.windows.location_followup) << "\n"
    << "  verification: " << duration(s.windows.verification) << "\n"
    << "  closed_retention: " << duration(s.windows.closed_retention) << "\n"
    << "  note_batch: " << duration(s.windows.note_batch) << "\n";
  o << "loop_protection:\n  max_repeats: " << s.loop_protection.max_repeats
    << "\n  period: " << duration(s.loop_protection.period)
    << "\n  sender_per_minute: " << s.loop_protection.sender_per_minute << "\n";
  // ---- SLA ----
  const domain::PointsRules& p = s.points;
  o << "points:\n";
  for (std::size_t i = 0; i < p.rating.size(); ++i) {
    o << "  rating_" << i + 1 << ": " << p.rating[i] << "\n";
  }
  o << "  resolved: " << p.resolved << "\n  on_time: " << p.on_time
    << "\n  reopened: " << p.reopened << "\n  overdue_accept: " << p.overdue_accept
    << "\n  overdue_resolve: " << p.overdue_resolve << "\n";
  auto dates = [&](const std::set<domain::Days>& days) {
    std::string list;
    for (domain::Days day : days) list += (list.empty() ? "" : ", ") + domain::format_date(day);
    return "[" + list + "]";
  };
  o << "holidays: " << dates(s.sla.calendar.holidays()) << "\n";
  o << "workdays: " << dates(s.sla.calendar.workdays()) << "\n";
  o << "reminder: " << q(s.sla.reminder.to_string()) << "\n";
  o << "escalation:\n  chain: [";
  for (std::size_t i = 0; i < s.escalation.chain.size(); ++i)
    o << (i ? ", " : "") << domain::to_string(s.escalation.chain[i]);
  o << "]\n  accept_within: " << s.escalation.accept_within.to_string()
    << "\n  resolve_within: " << s.escalation.resolve_within.to_string()
    << "\n  problem_after: " << s.escalation.problem_after << "\n";
  o << "verification:\n  escalate_on_reopen: " << s.verification.escalate_on_reopen << "\n";
  const domain::Validity& v = s.sla.validity;
  o << "validity:\n  reply: " << duration(v.reply) << "\n  notice: " << duration(v.notice)
    << "\n  dispatch: " << duration(v.dispatch) << "\n  reminder: " << duration(v.reminder)
    << "\n  escalation: " << duration(v.escalation)
    << "\n  verification: " << duration(v.verification) << "\n";
  o << "first_ticket_number: " << s.first_ticket_number << "\n";
  o << "member_list_limit: " << s.member_list_limit << "\n";
  o << "templates:\n";
  for (const domain::TemplateField& t : domain::template_fields()) {
    o << "  " << t.key << ": " << q(s.templates.*(t.field)) << "\n";
  }
  return o.str();
}

}  // namespace lianxin::config
