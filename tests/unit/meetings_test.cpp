// Meetings: codes, windows, sign-in by SMS (签到 M12) once per member, attendance with who is
// missing, and what survives a restart. Clock-driven, no I/O.
#include "daemon/domain/meetings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/sla.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // fixture phones and make_directory

// 2026-05-01 01:00 UTC = 09:00 in Shanghai.
const TimePoint kStart = TimePoint{} + 20574 * 24h + 1h;

// ---------------------------------------------------------------- codes and checks

struct CodeCase {
  std::string typed;
  std::optional<std::string> code;
};

class MeetingCodes : public ::testing::TestWithParam<CodeCase> {};

TEST_P(MeetingCodes, NormaliseLikeTheSmsGrammar) {
  EXPECT_EQ(normalize_meeting_code(GetParam().typed), GetParam().code) << GetParam().typed;
}

INSTANTIATE_TEST_SUITE_P(Table, MeetingCodes,
                         ::testing::Values(CodeCase{"M12", "M12"}, CodeCase{"m12", "M12"},
                                           CodeCase{"Ｍ１２", "M12"},
                                           CodeCase{"M-2024-12", "M202412"},
                                           CodeCase{" m 12 ", "M12"}, CodeCase{"2024A", "2024A"},
                                           CodeCase{"", std::nullopt}, CodeCase{"-", std::nullopt},
                                           CodeCase{"M12!", std::nullopt},
                                           CodeCase{"会议1", std::nullopt},
                                           CodeCase{"ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLMNOP"},
                                           CodeCase{"ABCDEFGHIJKLMNOPQ", std::nullopt}));

Meeting meeting(std::string code, TimePoint starts, std::chrono::minutes length,
                std::vector<std::string> grids = {}) {
  Meeting m;
  m.code = std::move(code);
  m.title = "党员冬训学习会";
  m.starts_at = starts;
  m.ends_at = starts + length;
  m.grids = std::move(grids);
  return m;
}

TEST(MeetingCheck, FirstProblemIsReported) {
  const Directory directory = make_directory();
  const TimePoint start = kStart + 2h;
  EXPECT_FALSE(check_meeting(meeting("M12", start, 90min), directory, kStart).error);
  EXPECT_FALSE(check_meeting(meeting("M12", start, 90min, {"g-daxi"}), directory, kStart).error);

  const auto error_of = [&](const Meeting& m) { return check_meeting(m, directory, kStart).error; };
  EXPECT_EQ(error_of(meeting("M-12", start, 90min)), MeetingError::invalid_code);
  Meeting untitled = meeting("M12", start, 90min);
  untitled.title = "  ";
  EXPECT_EQ(error_of(untitled), MeetingError::empty_title);
  EXPECT_EQ(error_of(meeting("M12", start, 0min)), MeetingError::bad_window);
  EXPECT_EQ(error_of(meeting("M12", start, -10min)), MeetingError::bad_window);
  EXPECT_EQ(error_of(meeting("M12", kStart - 3h, 90min)), MeetingError::bad_window);  // over
  EXPECT_EQ(error_of(meeting("M12", start, 32 * 24h)), MeetingError::bad_window);
  EXPECT_EQ(error_of(meeting("M12", start, 90min, {"g-nowhere"})), MeetingError::unknown_grid);
  const MeetingCheck check =
      check_meeting(meeting("M12", start, 90min, {"g-x"}), directory, kStart);
  EXPECT_NE(check.diagnostic.find("g-x"), std::string::npos) << check.diagnostic;
  EXPECT_EQ(check.error.category().name(), std::string("lianxin.meetings"));
}

// ---------------------------------------------------------------- the book

TEST(MeetingBook, WindowRepeatsAndInvitations) {
  const Directory directory = make_directory();
  const Member& wang = *directory.find_member("m-wang");  // 大溪边村
  const Member& sun = *directory.find_member("m-sun");    // 石塘村
  MeetingBook book;
  const TimePoint start = kStart + 2h;
  ASSERT_FALSE(book.add(meeting("M12", start, 90min, {"g-daxi"})));
  EXPECT_EQ(book.add(meeting("M12", start, 60min)), MeetingError::duplicate_code);

  EXPECT_EQ(book.sign_in("M12", wang, start - kSignInOpensBefore - 1s).result,
            SignInResult::too_early);
  EXPECT_EQ(book.sign_in("M12", sun, start).result, SignInResult::not_invited);
  EXPECT_EQ(book.sign_in("M13", wang, start).result, SignInResult::unknown_meeting);
  const SignInOutcome first = book.sign_in("M12", wang, start - kSignInOpensBefore);
  EXPECT_EQ(first.result, SignInResult::signed_in);
  EXPECT_EQ(first.signed_at, start - kSignInOpensBefore);
  ASSERT_NE(first.meeting, nullptr);
  EXPECT_EQ(first.meeting->code, "M12");
  const SignInOutcome again = book.sign_in("M12", wang, start + 10min);
  EXPECT_EQ(again.result, SignInResult::already_signed_in);
  EXPECT_EQ(again.signed_at, start - kSignInOpensBefore);  // the first time, not this one
  EXPECT_EQ(book.attendance("M12").size(), 1u);

  const Member& li = *directory.find_member("m-li");
  EXPECT_EQ(book.sign_in("M12", li, start + 90min).result, SignInResult::signed_in);  // at the end
  const Member& leader = *directory.find_member("m-leader-daxi");
  EXPECT_EQ(book.sign_in("M12", leader, start + 90min + 1s).result, SignInResult::closed);
  EXPECT_EQ(book.attendance("M12"),
            (std::vector<Attendance>{{"M12", "m-wang", start - kSignInOpensBefore},
                                     {"M12", "m-li", start + 90min}}));
}

TEST(MeetingBook, PrunedMeetingsKeepTheirCodes) {
  const Directory directory = make_directory();
  MeetingBook book;
  ASSERT_FALSE(book.add(meeting("M1", kStart, 60min)));
  ASSERT_FALSE(book.add(meeting("M2", kStart + 48h, 60min)));
  EXPECT_EQ(book.prune(kStart + 24h), 1u);
  EXPECT_EQ(book.find("M1"), nullptr);
  EXPECT_TRUE(book.code_taken("M1"));
  EXPECT_EQ(book.add(meeting("M1", kStart + 72h, 60min)), MeetingError::duplicate_code);
  EXPECT_EQ(book.sign_in("M1", *directory.find_member("m-wang"), kStart + 25h).result,
            SignInResult::closed);
  ASSERT_EQ(book.meetings().size(), 1u);
  EXPECT_EQ(book.meetings()[0].code, "M2");
}

TEST(MeetingReport, PresentInSignInOrderMissingInDirectoryOrder) {
  const Directory directory = make_directory();
  const Meeting m = meeting("M7", kStart, 60min, {"g-daxi"});
  const std::vector<Attendance> signed_in{
      {"M7", "m-li", kStart + 5min},
      {"M7", "m-wang", kStart + 1min},
      {"M7", "m-wang", kStart + 9min},   // a stored repeat counts once
      {"M8", "m-zhao", kStart + 2min},   // another meeting
      {"M7", "m-gone", kStart + 3min}};  // left the directory since
  const AttendanceReport report = attendance_report(m, signed_in, directory);
  // Members of 大溪边村: 王建国, 李秀英, 赵红梅, 陈书记.
  EXPECT_EQ(report.invited, 4u);
  ASSERT_EQ(report.present.size(), 3u);
  EXPECT_EQ(report.present[0].member, "m-wang");
  EXPECT_EQ(report.present[0].name, "王建国");
  EXPECT_EQ(report.present[0].signed_in_at, kStart + 1min);
  EXPECT_EQ(report.present[1].member, "m-gone");
  EXPECT_EQ(report.present[1].name, "");
  EXPECT_EQ(report.present[2].member, "m-li");
  ASSERT_EQ(report.missing.size(), 2u);
  EXPECT_EQ(report.missing[0].member, "m-zhao");
  EXPECT_EQ(report.missing[0].phone, "+8613800000103");
  EXPECT_EQ(report.missing[1].member, "m-leader-daxi");
  EXPECT_FALSE(report.missing[1].signed_in_at);
}

TEST(MeetingReport, EveryoneButTheDutyDesksWhenNoGridIsNamed) {
  const Directory directory = make_directory();
  const AttendanceReport report = attendance_report(meeting("ALL", kStart, 60min), {}, directory);
  EXPECT_EQ(report.invited, directory.members().size() - 2);  // 镇值班室, 县值班室
  for (const AttendanceRow& row : report.missing) {
    EXPECT_NE(row.member, "m-desk");
    EXPECT_NE(row.member, "m-county");
  }
}

// ---------------------------------------------------------------- the engine

class MeetingsEngineTest : public ::testing::Test {
 protected:
  MeetingsEngineTest() : engine_(::lianxin::domain::testing::test_settings(), make_directory()) {}

  Effects sms(std::string_view from, std::string_view text) {
    Effects e = engine_.on_sms(from, text, now_, ++inbound_);
    for (const OutgoingSms& out : e.sms) {
      EXPECT_TRUE(out.text.starts_with(engine_.settings().signature)) << out.text;
    }
    return e;
  }

  static std::string only_text_to(const Effects& effects, std::string_view phone) {
    std::vector<std::string> texts;
    for (const OutgoingSms& s : effects.sms) {
      if (s.to == phone) texts.push_back(s.text);
    }
    EXPECT_EQ(texts.size(), 1u) << "SMS to " << phone;
    return texts.empty() ? std::string() : texts.front();
  }

  // Times in SMS are local (Asia/Shanghai): "5月1日09:30".
  std::string local(TimePoint at) const {
    return format_local(at, engine_.settings().sla.time_zone);
  }

  // M12: 10:00-11:30 Shanghai time, for 大溪边村 only.
  Effects create_m12() {
    Meeting m = meeting("m-12", kStart + 1h, 90min, {"g-daxi"});
    m.title = " 党员冬训学习会 ";
    return engine_.create_meeting(m, "county", now_);
  }

  Engine engine_;
  TimePoint now_ = kStart;
  std::int64_t inbound_ = 9000;
};

TEST_F(MeetingsEngineTest, CreateNormalisesAndPersists) {
  Effects e = create_m12();
  ASSERT_FALSE(e.error) << e.diagnostic;
  EXPECT_TRUE(e.sms.empty());
  EXPECT_TRUE(e.tickets.empty());
  ASSERT_EQ(e.meetings.size(), 1u);
  const Meeting& m = e.meetings[0];
  EXPECT_EQ(m.code, "M12");
  EXPECT_EQ(m.title, "党员冬训学习会");
  EXPECT_EQ(m.created_by, "operator:county");
  EXPECT_EQ(m.created_at, now_);
  EXPECT_EQ(m.grids, std::vector<std::string>{"g-daxi"});
  ASSERT_FALSE(e.logs.empty());
  EXPECT_NE(e.logs[0].message.find("4 members invited"), std::string::npos) << e.logs[0].message;
  ASSERT_EQ(engine_.meetings().size(), 1u);

  Effects duplicate = engine_.create_meeting(meeting("M12", kStart + 5h, 60min), "x", now_);
  EXPECT_EQ(duplicate.error, MeetingError::duplicate_code);
  EXPECT_TRUE(duplicate.meetings.empty());
  Effects bad = engine_.create_meeting(meeting("M13", kStart - 2h, 60min), "x", now_);
  EXPECT_EQ(bad.error, MeetingError::bad_window);
  EXPECT_NE(bad.diagnostic.find("over"), std::string::npos) << bad.diagnostic;
  Effects code = engine_.create_meeting(meeting("会议", kStart + 2h, 60min), "x", now_);
  EXPECT_EQ(code.error, MeetingError::invalid_code);
  EXPECT_EQ(engine_.meetings().size(), 1u);
}

TEST_F(MeetingsEngineTest, SignInOnceWithinTheWindow) {
  ASSERT_FALSE(create_m12().error);
  // 09:00: the meeting starts at 10:00, sign-in opens 09:30.
  ASSERT_NE(local(kStart + 30min).find("09:30"), std::string::npos) << local(kStart + 30min);
  Effects early = sms(kWangPhone, "签到 M12");
  EXPECT_TRUE(early.attendance.empty());
  EXPECT_EQ(only_text_to(early, kWangPhone),
            "【连心桥】会议M12于" + local(kStart + 30min) + "开始签到，请届时再发。");

  now_ = kStart + 40min;
  Effects ok = sms(kWangPhone, "qd m-12");
  ASSERT_EQ(ok.attendance.size(), 1u);
  EXPECT_EQ(ok.attendance[0], (Attendance{"M12", "m-wang", now_}));
  EXPECT_EQ(only_text_to(ok, kWangPhone),
            "【连心桥】签到成功：党员冬训学习会（M12），" + local(now_) + "。");

  now_ += 20min;
  Effects repeat = sms(kWangPhone, "签到M12");
  EXPECT_TRUE(repeat.attendance.empty());
  EXPECT_EQ(only_text_to(repeat, kWangPhone),
            "【连心桥】您已于" + local(kStart + 40min) + "签到M12，无需重复。");

  Effects outsider = sms(kSunPhone, "签到 M12");  // 石塘村
  EXPECT_TRUE(outsider.attendance.empty());
  EXPECT_EQ(only_text_to(outsider, kSunPhone), "【连心桥】您不在会议M12的参会名单中，未签到。");

  Effects unknown = sms(kLiPhone, "签到 M99");
  EXPECT_TRUE(unknown.attendance.empty());
  EXPECT_EQ(only_text_to(unknown, kLiPhone), "【连心桥】没有会议M99，请核对会议编号。");

  now_ = kStart + 1h + 90min + 1s;  // after 11:30
  Effects late = sms(kLiPhone, "签到 M12");
  EXPECT_TRUE(late.attendance.empty());
  EXPECT_EQ(only_text_to(late, kLiPhone), "【连心桥】会议M12已结束，签到已关闭。");

  const std::optional<AttendanceReport> report = engine_.attendance("m12");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->invited, 4u);
  ASSERT_EQ(report->present.size(), 1u);
  EXPECT_EQ(report->present[0].member, "m-wang");
  EXPECT_EQ(report->present[0].signed_in_at, kStart + 40min);
  EXPECT_EQ(report->missing.size(), 3u);
  EXPECT_FALSE(engine_.attendance("M99"));
}

TEST_F(MeetingsEngineTest, RestartKeepsSignInsAndTakenCodes) {
  ASSERT_FALSE(create_m12().error);
  now_ = kStart + 1h;
  Effects signed_in = sms(kLiPhone, "签到 M12");
  ASSERT_EQ(signed_in.attendance.size(), 1u);

  // A new engine restored from what was persisted, plus an old meeting's code.
  Engine restarted(::lianxin::domain::testing::test_settings(), make_directory());
  RestoredState state;
  state.meetings = engine_.meetings();
  state.attendance = signed_in.attendance;
  state.past_meeting_codes = {"OLD1"};
  restarted.restore(std::move(state));
  Effects repeat = restarted.on_sms(kLiPhone, "签到 M12", now_ + 5min, 1);
  EXPECT_TRUE(repeat.attendance.empty());
  EXPECT_NE(only_text_to(repeat, kLiPhone).find("无需重复"), std::string::npos);
  Effects closed = restarted.on_sms(kLiPhone, "签到 OLD1", now_ + 6min, 2);
  EXPECT_NE(only_text_to(closed, kLiPhone).find("已结束"), std::string::npos);
  EXPECT_EQ(restarted.create_meeting(meeting("OLD1", now_ + 2h, 60min), "x", now_).error,
            MeetingError::duplicate_code);
  ASSERT_TRUE(restarted.attendance("M12"));
  EXPECT_EQ(restarted.attendance("M12")->present.size(), 1u);
}

TEST_F(MeetingsEngineTest, MeetingsEndedLongAgoLeaveMemory) {
  ASSERT_FALSE(create_m12().error);
  now_ = kStart + 2h + engine_.settings().windows.closed_retention + 1h;
  Effects late = sms(kWangPhone, "签到 M12");
  EXPECT_EQ(only_text_to(late, kWangPhone), "【连心桥】会议M12已结束，签到已关闭。");
  EXPECT_TRUE(engine_.meetings().empty());
  EXPECT_FALSE(engine_.attendance("M12"));  // read the database for old reports
  EXPECT_EQ(engine_.create_meeting(meeting("M12", now_ + 1h, 60min), "x", now_).error,
            MeetingError::duplicate_code);
}

}  // namespace
}  // namespace lianxin::domain
