// Meetings in the engine: operators create them (lianxinctl), members sign in by SMS (签到 M12),
// operators ask who came and who is missing. The rules are in meetings.hpp; here they meet the
// directory, the templates and the Effects that persist them.
#include <utility>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"
#include "daemon/domain/sla.hpp"

namespace lianxin::domain {

Effects Engine::create_meeting(Meeting meeting, std::string_view operator_name, TimePoint now) {
  Call call(*this, now, "", std::nullopt);
  meetings_.prune(now - settings_.windows.closed_retention);
  const auto fail = [&](std::error_code error, std::string diagnostic) {
    call.effects.error = error;
    call.effects.diagnostic = std::move(diagnostic);
    return call.finish();
  };
  const std::optional<std::string> code = normalize_meeting_code(meeting.code);
  if (!code) {
    return fail(make_error_code(MeetingError::invalid_code),
                "meeting code '" + meeting.code + "' must be 1.." +
                    std::to_string(kMaxMeetingCodeLength) +
                    " Latin letters or digits (what members text after 签到)");
  }
  meeting.code = *code;
  const auto first = meeting.title.find_first_not_of(" \t\r\n");
  const auto last = meeting.title.find_last_not_of(" \t\r\n");
  meeting.title = first == std::string::npos ? "" : meeting.title.substr(first, last - first + 1);
  meeting.created_by = "operator:" + std::string(operator_name);
  meeting.created_at = now;
  if (MeetingCheck check = check_meeting(meeting, *directory_, now); check.error) {
    return fail(check.error, std::move(check.diagnostic));
  }
  if (meetings_.code_taken(meeting.code)) {
    return fail(make_error_code(MeetingError::duplicate_code),
                "meeting code " + meeting.code + " was used before; choose another");
  }
  std::size_t invited = 0;
  for (const Member& member : directory_->members()) invited += is_invited(meeting, member);
  call.log(LogLevel::notice, "meeting " + meeting.code + " created by " + meeting.created_by +
                                 ": " + meeting.title + ", " +
                                 format_local(meeting.starts_at, settings_.sla.time_zone) + " - " +
                                 format_local(meeting.ends_at, settings_.sla.time_zone) + ", " +
                                 std::to_string(invited) + " members invited");
  meetings_.add(meeting);
  call.effects.meetings.push_back(std::move(meeting));
  return call.finish();
}

std::optional<AttendanceReport> Engine::attendance(std::string_view code) const {
  const std::optional<std::string> normalized = normalize_meeting_code(code);
  if (!normalized) return std::nullopt;
  const Meeting* meeting = meetings_.find(*normalized);
  if (meeting == nullptr) return std::nullopt;
  return attendance_report(*meeting, meetings_.attendance(*normalized), *directory_);
}

std::vector<Meeting> Engine::meetings() const {
  return meetings_.meetings();
}

void Engine::member_sign_in(Call& call, const Member& member, const std::string& code) {
  const Templates& t = settings_.templates;
  meetings_.prune(call.now - settings_.windows.closed_retention);
  const SignInOutcome outcome = meetings_.sign_in(code, member, call.now);
  const TimeZone& zone = settings_.sla.time_zone;
  TemplateValues values;
  values.set("meeting", code);
  call.log(outcome.result == SignInResult::signed_in ? LogLevel::info : LogLevel::notice,
           "sign-in to " + quote_for_log(code) + " by " + member.id + ": " +
               std::string(to_string(outcome.result)));
  switch (outcome.result) {
    case SignInResult::signed_in:
      call.effects.attendance.push_back({code, member.id, call.now});
      values.set("title", outcome.meeting->title).set("time", format_local(call.now, zone));
      call.reply(t.member_signed_in, values);
      return;
    case SignInResult::already_signed_in:
      values.set("time", format_local(outcome.signed_at.value_or(call.now), zone));
      call.reply(t.member_sign_in_repeat, values);
      return;
    case SignInResult::unknown_meeting:
      call.reply(t.member_sign_in_unknown, values);
      return;
    case SignInResult::not_invited:
      call.reply(t.member_sign_in_not_invited, values);
      return;
    case SignInResult::too_early:
      values.set("time", format_local(outcome.meeting->starts_at - kSignInOpensBefore, zone));
      call.reply(t.member_sign_in_early, values);
      return;
    case SignInResult::closed:
      call.reply(t.member_sign_in_closed, values);
      return;
  }
}

}  // namespace lianxin::domain
