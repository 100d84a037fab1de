#include "daemon/domain/meetings.hpp"

#include <algorithm>
#include <utility>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

class MeetingErrorCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "lianxin.meetings"; }
  std::string message(int value) const override {
    switch (static_cast<MeetingError>(value)) {
      case MeetingError::invalid_code:
        return "invalid meeting code";
      case MeetingError::empty_title:
        return "meeting title is empty";
      case MeetingError::bad_window:
        return "bad meeting time window";
      case MeetingError::unknown_grid:
        return "unknown grid";
      case MeetingError::duplicate_code:
        return "meeting code already used";
      case MeetingError::unknown_meeting:
        return "unknown meeting";
    }
    return "unknown meeting error";
  }
};

MeetingCheck problem(MeetingError error, std::string diagnostic) {
  return {make_error_code(error), std::move(diagnostic)};
}

}  // namespace

const std::error_category& meeting_error_category() {
  static const MeetingErrorCategory category;
  return category;
}

std::error_code make_error_code(MeetingError error) {
  return {static_cast<int>(error), meeting_error_category()};
}

std::optional<std::string> normalize_meeting_code(std::string_view text) {
  std::string code;
  for (char32_t c : sms::utf8_to_code_points(text)) {
    c = text::to_half_width(c);
    if (c == U'-' || text::is_space(c)) continue;
    if (!text::is_ascii_alpha(c) && !text::is_ascii_digit(c)) return std::nullopt;
    code.push_back(static_cast<char>(text::to_upper_ascii(c)));
  }
  if (code.empty() || code.size() > kMaxMeetingCodeLength) return std::nullopt;
  return code;
}

MeetingCheck check_meeting(const Meeting& meeting, const Directory& directory, TimePoint now) {
  if (normalize_meeting_code(meeting.code) != meeting.code) {
    return problem(MeetingError::invalid_code, "meeting code '" + meeting.code + "' must be 1.." +
                                                   std::to_string(kMaxMeetingCodeLength) +
                                                   " Latin letters or digits");
  }
  if (meeting.title.find_first_not_of(" \t\r\n") == std::string::npos) {
    return problem(MeetingError::empty_title, "meeting " + meeting.code + " has no title");
  }
  if (meeting.ends_at <= meeting.starts_at) {
    return problem(MeetingError::bad_window,
                   "meeting " + meeting.code + " must end after it starts");
  }
  if (meeting.ends_at - meeting.starts_at > kMaxMeetingLength) {
    return problem(MeetingError::bad_window, "meeting " + meeting.code + " lasts more than " +
                                                 std::to_string(kMaxMeetingLength.count() / 24) +
                                                 " days");
  }
  if (meeting.ends_at <= now) {
    return problem(MeetingError::bad_window, "meeting " + meeting.code + " is already over");
  }
  for (const std::string& grid : meeting.grids) {
    if (directory.find_grid(grid) == nullptr) {
      return problem(MeetingError::unknown_grid,
                     "meeting " + meeting.code + ": grid '" + grid + "' is not in the directory");
    }
  }
  return {};
}

bool is_invited(const Meeting& meeting, const Member& member) {
  if (meeting.grids.empty()) {
    // Everyone but the duty desks, which are offices rather than people.
    return std::any_of(member.roles.begin(), member.roles.end(),
                       [](Role role) { return role != Role::duty_desk; });
  }
  return std::any_of(meeting.grids.begin(), meeting.grids.end(),
                     [&](const std::string& grid) { return member.serves_grid(grid); });
}

std::string_view to_string(SignInResult result) {
  switch (result) {
    case SignInResult::signed_in:
      return "signed_in";
    case SignInResult::already_signed_in:
      return "already_signed_in";
    case SignInResult::unknown_meeting:
      return "unknown_meeting";
    case SignInResult::not_invited:
      return "not_invited";
    case SignInResult::too_early:
      return "too_early";
    case SignInResult::closed:
      return "closed";
  }
  return "?";
}

// ---- MeetingBook ----

void MeetingBook::restore(std::vector<Meeting> meetings, const std::vector<Attendance>& attendance,
                          std::vector<std::string> past_codes) {
  meetings_.clear();
  signed_.clear();
  past_codes_.clear();
  for (Meeting& meeting : meetings) {
    std::string code = meeting.code;
    meetings_.insert_or_assign(std::move(code), std::move(meeting));
  }
  for (const Attendance& a : attendance) {
    if (!meetings_.contains(a.meeting)) continue;
    auto& members = signed_[a.meeting];
    auto [it, inserted] = members.try_emplace(a.member, a.at);
    if (!inserted) it->second = std::min(it->second, a.at);
  }
  for (std::string& code : past_codes) {
    if (!meetings_.contains(code)) past_codes_.insert(std::move(code));
  }
}

std::error_code MeetingBook::add(Meeting meeting) {
  if (code_taken(meeting.code)) return make_error_code(MeetingError::duplicate_code);
  std::string code = meeting.code;
  meetings_.emplace(std::move(code), std::move(meeting));
  return {};
}

const Meeting* MeetingBook::find(std::string_view code) const {
  auto it = meetings_.find(code);
  return it == meetings_.end() ? nullptr : &it->second;
}

bool MeetingBook::code_taken(std::string_view code) const {
  return meetings_.contains(code) || past_codes_.contains(code);
}

SignInOutcome MeetingBook::sign_in(std::string_view code, const Member& member, TimePoint now) {
  SignInOutcome outcome;
  auto meeting = meetings_.find(code);
  if (meeting == meetings_.end()) {
    // A meeting pruned from memory ended long ago.
    if (past_codes_.contains(code)) outcome.result = SignInResult::closed;
    return outcome;
  }
  outcome.meeting = &meeting->second;
  auto& members = signed_[meeting->first];
  if (auto it = members.find(member.id); it != members.end()) {
    outcome.result = SignInResult::already_signed_in;
    outcome.signed_at = it->second;
    return outcome;
  }
  if (!is_invited(meeting->second, member)) {
    outcome.result = SignInResult::not_invited;
  } else if (now < meeting->second.starts_at - kSignInOpensBefore) {
    outcome.result = SignInResult::too_early;
  } else if (now > meeting->second.ends_at) {
    outcome.result = SignInResult::closed;
  } else {
    members.emplace(member.id, now);
    outcome.result = SignInResult::signed_in;
    outcome.signed_at = now;
  }
  return outcome;
}

std::vector<Attendance> MeetingBook::attendance(std::string_view code) const {
  std::vector<Attendance> out;
  auto it = signed_.find(code);
  if (it == signed_.end()) return out;
  for (const auto& [member, at] : it->second) out.push_back({it->first, member, at});
  std::stable_sort(out.begin(), out.end(),
                   [](const Attendance& a, const Attendance& b) { return a.at < b.at; });
  return out;
}

std::vector<Meeting> MeetingBook::meetings() const {
  std::vector<Meeting> out;
  out.reserve(meetings_.size());
  for (const auto& [code, meeting] : meetings_) out.push_back(meeting);
  std::stable_sort(out.begin(), out.end(), [](const Meeting& a, const Meeting& b) {
    return a.starts_at < b.starts_at;  // codes are already in order among equal starts
  });
  return out;
}

std::size_t MeetingBook::prune(TimePoint cutoff) {
  std::size_t pruned = 0;
  for (auto it = meetings_.begin(); it != meetings_.end();) {
    if (it->second.ends_at >= cutoff) {
      ++it;
      continue;
    }
    signed_.erase(it->first);
    past_codes_.insert(it->first);
    it = meetings_.erase(it);
    ++pruned;
  }
  return pruned;
}

// ---- Report ----

AttendanceReport attendance_report(const Meeting& meeting,
                                   const std::vector<Attendance>& attendance,
                                   const Directory& directory) {
  AttendanceReport report;
  report.meeting = meeting;
  std::vector<Attendance> in_order = attendance;
  std::stable_sort(in_order.begin(), in_order.end(),
                   [](const Attendance& a, const Attendance& b) { return a.at < b.at; });
  std::set<std::string, std::less<>> present;
  for (const Attendance& a : in_order) {
    if (a.meeting != meeting.code || !present.insert(a.member).second) continue;
    AttendanceRow row{a.member, "", "", a.at};
    if (const Member* member = directory.find_member(a.member)) {
      row.name = member->name;
      row.phone = member->phone;
    }
    report.present.push_back(std::move(row));
  }
  for (const Member& member : directory.members()) {
    if (!is_invited(meeting, member)) continue;
    ++report.invited;
    if (!present.contains(member.id)) {
      report.missing.push_back({member.id, member.name, member.phone, std::nullopt});
    }
  }
  return report;
}

}  // namespace lianxin::domain
