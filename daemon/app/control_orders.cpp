// lianxinctl's four orders and meetings through the control socket (the engine's order and
// meeting API): raise an order for a team, create a meeting, list who signed in.
#include <chrono>

#include "daemon/app/control_commands.hpp"
#include "daemon/domain/sla.hpp"

namespace lianxin::app {

using control::Json;

namespace {

// "2026-12-01 19:30" (or with a T) in the configured zone → a time point.
std::optional<domain::TimePoint> parse_local_time(std::string_view text,
                                                  const domain::TimeZone& zone) {
  if (text.size() != 16 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':')
    return std::nullopt;
  const auto day = domain::parse_date(text.substr(0, 10));
  auto two = [&](std::size_t at) -> int {
    const char a = text[at], b = text[at + 1];
    if (a < '0' || a > '9' || b < '0' || b > '9') return -1;
    return (a - '0') * 10 + (b - '0');
  };
  const int hour = two(11), minute = two(14);
  if (!day || hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
  return domain::TimePoint(*day) + std::chrono::hours(hour) + std::chrono::minutes(minute) -
         zone.utc_offset;
}

}  // namespace

void ControlCommands::order(const control::Request& request,
                            const std::shared_ptr<ControlReply>& reply,
                            const std::string& operator_name) {
  control::Fields fields(request.body);
  const auto team = fields.string("team", true, 64);
  const auto text = fields.string("text", true, kMaxReason);
  const auto by = fields.string("by", false, 64);
  const auto resident = fields.string("resident", false, 32);
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  const std::string raised_by = by && !by->empty() ? *by : "operator:" + operator_name;
  auto result = std::make_shared<Json>();
  domain::Effects effects = gateway_.operator_call(
      [&](domain::Engine& engine, Gateway::SystemTime now) {
        return engine.raise_order(raised_by, *team, *text, resident, now);
      },
      [reply, result](bool stored) {
        if (stored)
          reply->finish(control::ok_reply(*result));
        else
          reply->fail("storage failed: the order was not recorded (lianxind restarts)");
      });
  if (effects.error) {
    reply->fail(effects.diagnostic.empty() ? effects.error.message() : effects.diagnostic);
    return;
  }
  for (const domain::TicketChange& change : effects.tickets) {
    if (!change.created) continue;
    (*result)["ticket"] = change.ticket.number;
    (*result)["state"] = std::string(domain::to_string(change.ticket.state));
    if (change.ticket.assignee) (*result)["assignee"] = *change.ticket.assignee;
  }
  (*result)["sms"] = effects.sms.size();
  journal_.log(LogLevel::notice, "control: order for team " + *team + " raised by " + raised_by,
               {{"OPERATOR", operator_name}});
}

void ControlCommands::meeting_create(const control::Request& request,
                                     const std::shared_ptr<ControlReply>& reply,
                                     const std::string& operator_name) {
  control::Fields fields(request.body);
  const auto code = fields.string("code", true, 32);
  const auto title = fields.string("title", true, kMaxReason);
  const auto from = fields.string("from", true, 32);
  const auto to = fields.string("to", true, 32);
  const auto grids = fields.strings("grids", kMaxGrids);
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  const domain::TimeZone& zone = gateway_.engine().settings().sla.time_zone;
  const auto starts = parse_local_time(*from, zone);
  const auto ends = parse_local_time(*to, zone);
  if (!starts || !ends) {
    reply->fail("times are \"YYYY-MM-DD HH:MM\" in " + zone.name + ", e.g. \"2026-12-01 19:30\"");
    return;
  }
  domain::Meeting meeting;
  meeting.code = *code;
  meeting.title = *title;
  meeting.starts_at = *starts;
  meeting.ends_at = *ends;
  if (grids) meeting.grids = *grids;
  auto result = std::make_shared<Json>();
  domain::Effects effects = gateway_.operator_call(
      [&](domain::Engine& engine, Gateway::SystemTime now) {
        return engine.create_meeting(meeting, operator_name, now);
      },
      [reply, result](bool stored) {
        if (stored)
          reply->finish(control::ok_reply(*result));
        else
          reply->fail("storage failed: the meeting was not recorded (lianxind restarts)");
      });
  if (effects.error) {
    reply->fail(effects.diagnostic.empty() ? effects.error.message() : effects.diagnostic);
    return;
  }
  for (const domain::Meeting& created : effects.meetings) {
    (*result)["code"] = created.code;
    (*result)["title"] = created.title;
  }
  journal_.log(LogLevel::notice, "control: meeting " + *code + " created by " + operator_name,
               {{"OPERATOR", operator_name}});
}

void ControlCommands::meeting_attendance(const control::Request& request,
                                         const std::shared_ptr<ControlReply>& reply) {
  control::Fields fields(request.body);
  const auto code = fields.string("code", true, 32);
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  const auto normalized = domain::normalize_meeting_code(*code);
  const auto report = normalized ? gateway_.engine().attendance(*normalized)
                                 : std::optional<domain::AttendanceReport>();
  if (!report) {
    reply->fail("no meeting " + *code + " (unknown, or ended long ago)");
    return;
  }
  auto rows = [](const std::vector<domain::AttendanceRow>& list) {
    Json out = Json::array();
    for (const domain::AttendanceRow& row : list) {
      Json item{{"member", row.member}, {"name", row.name}, {"phone", row.phone}};
      if (row.signed_in_at)
        item["signed_in_at_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      row.signed_in_at->time_since_epoch())
                                      .count();
      out.push_back(std::move(item));
    }
    return out;
  };
  reply->finish(control::ok_reply(Json{{"code", report->meeting.code},
                                       {"title", report->meeting.title},
                                       {"invited", report->invited},
                                       {"present", rows(report->present)},
                                       {"missing", rows(report->missing)}}));
}

}  // namespace lianxin::app
