// Meetings and sign-in by SMS (`签到 M12`): migrant party members sign in to meetings from their
// phones. Pure: no clock, no storage; the engine keeps a MeetingBook and persists what changes.
//
// A meeting has a code (what members text: Latin letters and digits, `-` ignored, compared
// upper-case, at most 16), a title, a time window and the grids it invites (none: every member but
// the duty desks). Sign-in is open from kSignInOpensBefore before the start until the end. A
// member signs in once: a repeat is answered, not recorded again.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "daemon/domain/model.hpp"

namespace lianxin::domain {

inline constexpr std::chrono::minutes kSignInOpensBefore{30};
inline constexpr std::size_t kMaxMeetingCodeLength = 16;
// Longer windows are a typing mistake (a unit, a year), not a meeting.
inline constexpr std::chrono::hours kMaxMeetingLength{24 * 31};

struct Meeting {
  std::string code;  // normalised (normalize_meeting_code): "M12"
  std::string title;
  TimePoint starts_at{};
  TimePoint ends_at{};
  std::vector<std::string> grids;  // invited grid ids; empty: every member but duty desks
  std::string created_by;          // "operator:NAME"
  TimePoint created_at{};
  bool operator==(const Meeting&) const = default;
};

// One member signed in to one meeting.
struct Attendance {
  std::string meeting;  // code
  std::string member;   // member id
  TimePoint at{};
  bool operator==(const Attendance&) const = default;
};

// The code as members text it: half-width, upper-case, `-` and spaces dropped. nullopt unless
// 1..kMaxMeetingCodeLength ASCII letters and digits remain (the rule of the SMS grammar).
std::optional<std::string> normalize_meeting_code(std::string_view text);

enum class MeetingError {
  invalid_code = 1,
  empty_title,
  bad_window,  // ends before it starts, already over, or longer than kMaxMeetingLength
  unknown_grid,
  duplicate_code,
  unknown_meeting,
};
const std::error_category& meeting_error_category();
std::error_code make_error_code(MeetingError error);

struct MeetingCheck {
  std::error_code error;  // empty: fine
  std::string diagnostic;
};

// What is wrong with a new meeting (code normalised already), at `now`: the first problem.
MeetingCheck check_meeting(const Meeting& meeting, const Directory& directory, TimePoint now);

bool is_invited(const Meeting& meeting, const Member& member);

enum class SignInResult {
  signed_in,
  already_signed_in,
  unknown_meeting,
  not_invited,
  too_early,  // before starts_at - kSignInOpensBefore
  closed,     // after ends_at
};
std::string_view to_string(SignInResult result);

struct SignInOutcome {
  SignInResult result = SignInResult::unknown_meeting;
  const Meeting* meeting = nullptr;    // set unless unknown_meeting (or closed long ago)
  std::optional<TimePoint> signed_at;  // signed_in: now; already_signed_in: the first time
};

// The meetings the engine knows, with who signed in when.
class MeetingBook {
 public:
  // Recent meetings with their attendance, and the codes of older ones (never reused).
  void restore(std::vector<Meeting> meetings, const std::vector<Attendance>& attendance,
               std::vector<std::string> past_codes);
  // Adds a meeting that passed check_meeting; duplicate_code when the code was ever used.
  std::error_code add(Meeting meeting);
  const Meeting* find(std::string_view code) const;
  bool code_taken(std::string_view code) const;
  // Records the sign-in when it is allowed (result signed_in).
  SignInOutcome sign_in(std::string_view code, const Member& member, TimePoint now);
  // Who signed in when, in sign-in order; empty for an unknown meeting.
  std::vector<Attendance> attendance(std::string_view code) const;
  std::vector<Meeting> meetings() const;  // by start time, then code
  // Forgets meetings that ended before `cutoff` (their codes stay taken). Returns how many.
  std::size_t prune(TimePoint cutoff);

 private:
  std::map<std::string, Meeting, std::less<>> meetings_;
  std::map<std::string, std::map<std::string, TimePoint>, std::less<>> signed_;  // code → member
  std::set<std::string, std::less<>> past_codes_;
};

struct AttendanceRow {
  std::string member;  // member id
  std::string name;    // from the directory; empty when the member left it
  std::string phone;
  std::optional<TimePoint> signed_in_at;
};

struct AttendanceReport {
  Meeting meeting;
  std::size_t invited = 0;             // invited members now in the directory
  std::vector<AttendanceRow> present;  // in sign-in order
  std::vector<AttendanceRow> missing;  // invited, not signed in; directory order
};

// Who came and who is missing, against the directory as it is now.
AttendanceReport attendance_report(const Meeting& meeting,
                                   const std::vector<Attendance>& attendance,
                                   const Directory& directory);

}  // namespace lianxin::domain

template <>
struct std::is_error_code_enum<lianxin::domain::MeetingError> : std::true_type {};
