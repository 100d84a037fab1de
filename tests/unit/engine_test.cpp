#include "daemon/domain/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/engine_harness.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // fixture phones and make_directory

TEST_F(EngineTest, WholeLifeOfATicket) {
  // Report → dispatch.
  Effects reported = sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  ASSERT_EQ(reported.tickets.size(), 1u);
  const Ticket& created = reported.tickets[0].ticket;
  EXPECT_TRUE(reported.tickets[0].created);
  EXPECT_EQ(created.number, 1);
  EXPECT_EQ(created.category, "streetlight");
  EXPECT_EQ(created.grid, "g-daxi");
  EXPECT_EQ(created.state, TicketState::dispatched);
  EXPECT_EQ(created.assignee, "m-wang");
  EXPECT_EQ(created.inbound_id, inbound_);
  EXPECT_EQ(reported.next_ticket_number, 2);
  ASSERT_EQ(reported.events.size(), 2u);
  EXPECT_FALSE(reported.events[0].from.has_value());
  EXPECT_EQ(reported.events[0].to, TicketState::new_);
  EXPECT_TRUE(contains(reported.events[0].reason, "category streetlight"))
      << reported.events[0].reason;
  EXPECT_EQ(reported.events[1].from, TicketState::new_);
  EXPECT_EQ(reported.events[1].to, TicketState::dispatched);
  EXPECT_EQ(reported.events[1].at, now_);

  std::string dispatch = only_text_to(reported, kWangPhone);
  EXPECT_EQ(dispatch,
            "【连心桥】新工单1：大溪边村，路灯。村口两盏路灯杆被大风刮倒了（报告人139****0001）"
            "回复 接1 接单");
  std::string confirmation = only_text_to(reported, kZhangPhone);
  EXPECT_TRUE(contains(confirmation, "工单号1")) << confirmation;

  // Accept.
  now_ += 10min;
  Effects accepted = sms(kWangPhone, "接1");
  EXPECT_EQ(ticket(1).state, TicketState::accepted);
  EXPECT_EQ(ticket(1).accepted_at, now_);
  EXPECT_EQ(states(accepted), std::vector{TicketState::accepted});
  EXPECT_EQ(accepted.events[0].actor, "m-wang");
  EXPECT_TRUE(contains(only_text_to(accepted, kWangPhone), "已接单1"));
  EXPECT_TRUE(texts_to(accepted, kZhangPhone).empty());

  // Resolve with a note → the villager is asked to rate; verification window armed.
  now_ += 2h;
  Effects resolved = sms(kWangPhone, "完成1 已扶正两根灯杆");
  EXPECT_EQ(ticket(1).state, TicketState::resolved);
  EXPECT_EQ(ticket(1).resolution, "已扶正两根灯杆");
  std::string ask = only_text_to(resolved, kZhangPhone);
  EXPECT_TRUE(contains(ask, "回复5表示满意")) << ask;
  EXPECT_TRUE(contains(ask, "工单1")) << ask;
  std::vector<TimerRequest> verification = timers_of(resolved, TimerKind::verification);
  ASSERT_EQ(verification.size(), 1u);
  EXPECT_EQ(verification[0].at, now_ + 72h);
  EXPECT_FALSE(verification[0].cancel);
  // The resolve deadline's timers are no longer needed.
  for (TimerKind kind : {TimerKind::resolve_reminder, TimerKind::resolve_overdue}) {
    std::vector<TimerRequest> sla = timers_of(resolved, kind);
    ASSERT_EQ(sla.size(), 1u) << to_string(kind);
    EXPECT_TRUE(sla[0].cancel);
  }

  // Rate 5 → closed as rated, points for the member.
  now_ += 1h;
  Effects rated = sms(kZhangPhone, "５");
  const Ticket& closed = ticket(1);
  EXPECT_EQ(closed.state, TicketState::closed);
  EXPECT_EQ(closed.close_reason, CloseReason::rated);
  EXPECT_EQ(closed.rating, 5);
  EXPECT_EQ(closed.closed_at, now_);
  ASSERT_EQ(rated.points.size(), 1u);
  EXPECT_EQ(rated.points[0].member, "m-wang");
  EXPECT_EQ(rated.points[0].ticket, 1);
  EXPECT_EQ(rated.points[0].points, 10);  // 5 stars × 2
  EXPECT_EQ(engine_.points_of("m-wang"), 10);
  EXPECT_TRUE(contains(only_text_to(rated, kWangPhone), "评价5分"));
  EXPECT_TRUE(contains(only_text_to(rated, kZhangPhone), "谢谢"));
  ASSERT_EQ(rated.timers.size(), 1u);
  EXPECT_EQ(rated.timers[0].kind, TimerKind::verification);
  EXPECT_TRUE(rated.timers[0].cancel);
  ASSERT_EQ(rated.tickets.size(), 1u);
  EXPECT_FALSE(rated.tickets[0].created);

  // The member sees the points.
  Effects points = sms(kWangPhone, "积分");
  EXPECT_EQ(only_text_to(points, kWangPhone), "【连心桥】您的积分：10分。");
  // And no open tickets.
  EXPECT_TRUE(contains(only_text_to(sms(kWangPhone, "我的"), kWangPhone), "没有待办"));
  // The late verification timer is stale now.
  now_ += 72h;
  Effects late = timer(1, TimerKind::verification);
  EXPECT_TRUE(late.events.empty());
  EXPECT_EQ(ticket(1).close_reason, CloseReason::rated);
}

TEST_F(EngineTest, ReopenGoesBackToTheAssignee) {
  TicketNo n = report_streetlight();
  sms(kWangPhone, "接");
  now_ += 1h;
  sms(kWangPhone, "完成 修好了");
  const TimePoint first_deadline = *ticket(n).verification_deadline;
  now_ += 1h;
  Effects reopened = sms(kZhangPhone, "没修好");
  EXPECT_EQ(ticket(n).state, TicketState::reopened);
  EXPECT_EQ(ticket(n).assignee, "m-wang");
  EXPECT_EQ(states(reopened), std::vector{TicketState::reopened});
  EXPECT_EQ(reopened.events[0].actor, kZhangPhone);
  std::string again = only_text_to(reopened, kWangPhone);
  EXPECT_TRUE(contains(again, "没解决")) << again;
  EXPECT_TRUE(contains(again, "接1")) << again;
  EXPECT_TRUE(contains(only_text_to(reopened, kZhangPhone), "重新交办"));
  ASSERT_EQ(timers_of(reopened, TimerKind::verification).size(), 1u);
  EXPECT_TRUE(timers_of(reopened, TimerKind::verification)[0].cancel);
  // A new round: new accept and resolve deadlines for the member, their timers armed.
  EXPECT_EQ(ticket(n).accept_deadline, now_ + 24h);
  EXPECT_EQ(ticket(n).resolve_deadline, now_ + 72h);
  EXPECT_EQ(ticket(n).reopen_count, 1);
  ASSERT_EQ(timers_of(reopened, TimerKind::accept_overdue).size(), 1u);
  EXPECT_EQ(timers_of(reopened, TimerKind::accept_overdue)[0].at, now_ + 24h);
  EXPECT_TRUE(engine_.points_of("m-wang") == 0);

  // The member can take it up again without the number, and resolve again.
  sms(kWangPhone, "接单");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  now_ += 30min;
  sms(kWangPhone, "办结 这次换了新灯杆");
  EXPECT_EQ(ticket(n).state, TicketState::resolved);
  // The first verification deadline passes: that timer is stale, the ticket stays resolved.
  now_ = first_deadline;
  EXPECT_TRUE(timer(n, TimerKind::verification).events.empty());
  EXPECT_EQ(ticket(n).state, TicketState::resolved);
  // "0" also reopens; the second reopen escalates (verification.escalate_on_reopen: 2): the
  // grid leader gets it, the member is told it is no longer theirs.
  Effects second = sms(kZhangPhone, "0");
  EXPECT_EQ(ticket(n).reopen_count, 2);
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_EQ(ticket(n).assignee, "m-leader-daxi");
  EXPECT_EQ(ticket(n).escalation_level, 1);
  EXPECT_EQ(states(second), (std::vector{TicketState::reopened, TicketState::dispatched}));
  EXPECT_TRUE(contains(second.events[1].reason, "escalated to m-leader-daxi (grid_leader"));
  std::string to_leader = only_text_to(second, kDaxiLeaderPhone);
  EXPECT_TRUE(contains(to_leader, "督办工单1")) << to_leader;
  EXPECT_TRUE(contains(to_leader, "2次反映未解决")) << to_leader;
  EXPECT_TRUE(contains(to_leader, "139****0001")) << to_leader;  // reporter masked
  EXPECT_TRUE(contains(only_text_to(second, kWangPhone), "不用再处理"));
  // The escalated party's deadline: escalation.accept_within (2h).
  EXPECT_EQ(ticket(n).accept_deadline, now_ + 2h);
  EXPECT_FALSE(ticket(n).problem);
}

TEST_F(EngineTest, HandBackWalksTheCandidates) {
  Settings settings = ::lianxin::domain::testing::test_settings();
  settings.escalation.problem_after = 0;  // no problem tickets: walk every candidate
  engine_.reload(settings, make_directory());
  TicketNo n = report_streetlight();
  now_ += 5min;
  Effects back = sms(kWangPhone, "退1 人在外地");
  EXPECT_EQ(ticket(n).assignee, "m-li");
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_EQ(ticket(n).tried, (std::vector<std::string>{"m-wang", "m-li"}));
  ASSERT_EQ(back.events.size(), 1u);
  EXPECT_EQ(back.events[0].from, TicketState::dispatched);
  EXPECT_TRUE(contains(back.events[0].reason, "人在外地"));
  std::string to_li = only_text_to(back, kLiPhone);
  EXPECT_TRUE(contains(to_li, "人在外地")) << to_li;
  EXPECT_TRUE(contains(to_li, "接1")) << to_li;
  EXPECT_TRUE(contains(only_text_to(back, kWangPhone), "李秀英"));
  EXPECT_TRUE(texts_to(back, kZhangPhone).empty());  // villager not bothered

  sms(kLiPhone, "接1");
  sms(kLiPhone, "TH1");  // an accepted ticket can be handed back too
  EXPECT_EQ(ticket(n).assignee, "m-leader-daxi");
  sms(kDaxiLeaderPhone, "退1 请镇里协调");
  EXPECT_EQ(ticket(n).assignee, "m-desk");
  sms(kDeskPhone, "退 1");
  EXPECT_EQ(ticket(n).assignee, "m-county");
  Effects stuck = sms("+8613800000999", "退1");
  EXPECT_EQ(ticket(n).assignee, "m-county");
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_TRUE(contains(only_text_to(stuck, "+8613800000999"), "仍由您处理"));
  ASSERT_FALSE(stuck.logs.empty());
  EXPECT_TRUE(std::any_of(stuck.logs.begin(), stuck.logs.end(),
                          [](const LogLine& l) { return l.level == LogLevel::warning; }));
}

TEST_F(EngineTest, FewestOpenTicketsSpreadsNewReports) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  Effects second = sms("+8613900000011", "大溪边村垃圾桶满了好几天没人清运");
  ASSERT_EQ(second.tickets.size(), 1u);
  EXPECT_EQ(second.tickets[0].ticket.number, 2);
  EXPECT_EQ(second.tickets[0].ticket.assignee, "m-li");
  EXPECT_EQ(second.tickets[0].ticket.category, "sanitation");
}

TEST_F(EngineTest, RepeatWithinWindowIsADuplicate) {
  TicketNo n = report_streetlight();
  now_ += 5min;
  Effects repeat = sms(kZhangPhone, " 村口两盏路灯杆被大风刮倒了！ ");
  EXPECT_TRUE(repeat.tickets.empty());
  EXPECT_FALSE(repeat.next_ticket_number.has_value());
  EXPECT_TRUE(contains(only_text_to(repeat, kZhangPhone), "不用重复发送"));
  EXPECT_TRUE(texts_to(repeat, kWangPhone).empty());
  EXPECT_EQ(engine_.tickets().size(), 1u);
  EXPECT_EQ(ticket(n).notes.size(), 0u);
}

TEST_F(EngineTest, NewTextWithinWindowJoinsTheTicketAsANote) {
  TicketNo n = report_streetlight();
  now_ += 20min;
  Effects note = sms(kZhangPhone, "灯杆还压着一辆电瓶车");
  EXPECT_EQ(engine_.tickets().size(), 1u);
  ASSERT_EQ(ticket(n).notes.size(), 1u);
  EXPECT_EQ(ticket(n).notes[0].text, "灯杆还压着一辆电瓶车");
  EXPECT_EQ(ticket(n).notes[0].author, kZhangPhone);
  ASSERT_EQ(note.events.size(), 1u);
  EXPECT_EQ(note.events[0].from, note.events[0].to);
  EXPECT_TRUE(contains(only_text_to(note, kWangPhone), "灯杆还压着一辆电瓶车"));
  EXPECT_TRUE(contains(only_text_to(note, kZhangPhone), "工单1"));
  // Repeating the note is a duplicate too.
  now_ += 1min;
  Effects again = sms(kZhangPhone, "灯杆还压着一辆电瓶车");
  EXPECT_TRUE(contains(only_text_to(again, kZhangPhone), "不用重复发送"));
  EXPECT_EQ(ticket(n).notes.size(), 1u);
  // After the window a new text is a new ticket.
  now_ += 2h;
  Effects later = sms(kZhangPhone, "村口的水管爆了");
  ASSERT_EQ(later.tickets.size(), 1u);
  EXPECT_EQ(later.tickets[0].ticket.number, 2);
  EXPECT_EQ(later.tickets[0].ticket.category, "water");
}

TEST_F(EngineTest, FollowUpQuestionAnswered) {
  Effects asked = sms(kStrangerPhone, "村口路灯坏了好几天了");
  ASSERT_EQ(asked.tickets.size(), 1u);
  const TicketNo n = asked.tickets[0].ticket.number;
  EXPECT_EQ(ticket(n).state, TicketState::awaiting_location);
  EXPECT_EQ(states(asked), (std::vector{TicketState::new_, TicketState::awaiting_location}));
  std::string question = only_text_to(asked, kStrangerPhone);
  EXPECT_TRUE(contains(question, "请问您在哪个村")) << question;
  EXPECT_EQ(asked.sms.size(), 1u);  // nobody dispatched yet
  ASSERT_EQ(asked.timers.size(), 1u);
  EXPECT_EQ(asked.timers[0].kind, TimerKind::location_followup);
  EXPECT_EQ(asked.timers[0].at, now_ + 120min);

  now_ += 10min;
  Effects answered = sms(kStrangerPhone, "石塘村");
  EXPECT_EQ(ticket(n).grid, "g-shitang");
  EXPECT_EQ(ticket(n).assignee, "m-sun");
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_TRUE(contains(only_text_to(answered, kSunPhone), "石塘村"));
  EXPECT_TRUE(contains(only_text_to(answered, kStrangerPhone), "工单号1"));
  EXPECT_TRUE(std::any_of(answered.timers.begin(), answered.timers.end(),
                          [](const TimerRequest& t) { return t.cancel; }));
  EXPECT_EQ(engine_.tickets().size(), 1u);
  // The timer firing anyway changes nothing.
  now_ += 2h;
  EXPECT_TRUE(timer(n, TimerKind::location_followup).events.empty());
}

TEST_F(EngineTest, FollowUpAnswerCanAlsoTellTheCategory) {
  Effects asked = sms(kStrangerPhone, "快来看看吧，坏了好几天了");
  const TicketNo n = asked.tickets.at(0).ticket.number;
  EXPECT_EQ(ticket(n).category, "other");
  sms(kStrangerPhone, "大溪边，水管漏水");
  EXPECT_EQ(ticket(n).category, "water");
  EXPECT_FALSE(ticket(n).urgent);  // a leak outside is no danger
  EXPECT_EQ(ticket(n).grid, "g-daxi");
}

TEST_F(EngineTest, FollowUpAnswerWithoutAVillageGoesToTheDesk) {
  Effects asked = sms(kStrangerPhone, "村口路灯坏了");
  const TicketNo n = asked.tickets.at(0).ticket.number;
  Effects answered = sms(kStrangerPhone, "就在山那边");
  EXPECT_EQ(ticket(n).assignee, "m-county");
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_TRUE(contains(only_text_to(answered, kStrangerPhone), "值班"));
  EXPECT_EQ(texts_to(answered, "+8613800000999").size(), 1u);
}

TEST_F(EngineTest, FollowUpTimeoutGoesToTheDesk) {
  Effects asked = sms(kStrangerPhone, "村口路灯坏了");
  const TicketNo n = asked.tickets.at(0).ticket.number;
  now_ += 119min;
  EXPECT_TRUE(timer(n, TimerKind::location_followup).events.empty());  // early: stale
  EXPECT_EQ(ticket(n).state, TicketState::awaiting_location);
  now_ += 1min;
  Effects timed_out = timer(n, TimerKind::location_followup);
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_EQ(ticket(n).assignee, "m-county");
  ASSERT_EQ(timed_out.events.size(), 1u);
  EXPECT_EQ(timed_out.events[0].from, TicketState::awaiting_location);
  EXPECT_EQ(timed_out.events[0].actor, "system");
  EXPECT_TRUE(contains(only_text_to(timed_out, kStrangerPhone), "值班"));
  EXPECT_EQ(texts_to(timed_out, "+8613800000999").size(), 1u);
  EXPECT_FALSE(ticket(n).location_deadline.has_value());
}

TEST_F(EngineTest, NoRatingClosesAsUnrated) {
  TicketNo n = report_streetlight();
  sms(kWangPhone, "完成1");
  now_ += 72h;
  Effects closed = timer(n, TimerKind::verification);
  EXPECT_EQ(ticket(n).state, TicketState::closed);
  EXPECT_EQ(ticket(n).close_reason, CloseReason::unrated);
  EXPECT_FALSE(ticket(n).rating.has_value());
  EXPECT_TRUE(closed.points.empty());  // never counts as satisfied
  EXPECT_EQ(engine_.points_of("m-wang"), 0);
  // A rating that comes too late has nothing to rate.
  Effects late = sms(kZhangPhone, "满意");
  EXPECT_TRUE(late.events.empty());
  EXPECT_TRUE(contains(only_text_to(late, kZhangPhone), "没有待评价"));
}

TEST_F(EngineTest, CancelByTheReporter) {
  TicketNo n = report_streetlight();
  Effects cancelled = sms(kZhangPhone, "取消1");
  EXPECT_EQ(ticket(n).state, TicketState::cancelled);
  EXPECT_EQ(ticket(n).close_reason, CloseReason::cancelled);
  EXPECT_TRUE(contains(only_text_to(cancelled, kWangPhone), "取消"));
  EXPECT_TRUE(contains(only_text_to(cancelled, kZhangPhone), "工单1已取消"));
  // Cancelling again says how it stands.
  EXPECT_TRUE(contains(only_text_to(sms(kZhangPhone, "取消1"), kZhangPhone), "已取消"));
  // Nobody can cancel someone else's ticket.
  Effects other = sms(kLiNainaiPhone, "取消1");
  EXPECT_TRUE(other.events.empty());
  EXPECT_TRUE(contains(only_text_to(other, kLiNainaiPhone), "没有找到"));
}

TEST_F(EngineTest, CancelWithoutNumber) {
  Effects none = sms(kZhangPhone, "取消");
  EXPECT_TRUE(contains(only_text_to(none, kZhangPhone), "没有在办"));
  TicketNo first = report_streetlight();
  sms(kZhangPhone, "取消");
  EXPECT_EQ(ticket(first).state, TicketState::cancelled);
  // Two open tickets: ask which one.
  now_ += 3h;
  sms(kZhangPhone, "村口路灯又坏了");
  now_ += 3h;
  sms(kZhangPhone, "家门口水管爆了");
  Effects which = sms(kZhangPhone, "取消");
  EXPECT_TRUE(which.events.empty());
  EXPECT_TRUE(contains(only_text_to(which, kZhangPhone), "取消3")) << which.sms.at(0).text;
}

TEST_F(EngineTest, CancelWhileAwaitingLocationDisarmsTheTimer) {
  Effects asked = sms(kStrangerPhone, "村口路灯坏了");
  const TicketNo n = asked.tickets.at(0).ticket.number;
  Effects cancelled = sms(kStrangerPhone, "取消");
  EXPECT_EQ(ticket(n).state, TicketState::cancelled);
  ASSERT_EQ(cancelled.timers.size(), 1u);
  EXPECT_TRUE(cancelled.timers[0].cancel);
  EXPECT_EQ(cancelled.timers[0].kind, TimerKind::location_followup);
}

TEST_F(EngineTest, QueryShowsMyTickets) {
  EXPECT_TRUE(contains(only_text_to(sms(kZhangPhone, "查询"), kZhangPhone), "没有在办"));
  TicketNo n = report_streetlight();
  sms(kWangPhone, "接1");
  std::string status = only_text_to(sms(kZhangPhone, "查询"), kZhangPhone);
  EXPECT_EQ(status, "【连心桥】您的工单：1号处理中");
  EXPECT_EQ(only_text_to(sms(kZhangPhone, "CX 1"), kZhangPhone), "【连心桥】您的工单：1号处理中");
  sms(kWangPhone, "完成1");
  EXPECT_TRUE(contains(only_text_to(sms(kZhangPhone, "查询1"), kZhangPhone), "待您评价"));
  // Somebody else's ticket is "not found", not disclosed.
  std::string other = only_text_to(sms(kLiNainaiPhone, "查询1"), kLiNainaiPhone);
  EXPECT_TRUE(contains(other, "没有找到")) << other;
  EXPECT_EQ(ticket(n).state, TicketState::resolved);
}

TEST_F(EngineTest, QueryListsAsManyTicketsAsFitInOneSms) {
  for (int i = 0; i < 12; ++i) {
    sms(kZhangPhone, "第" + std::to_string(i) + "件事：村口路灯坏了");
    now_ += 2h;  // outside the duplicate window
  }
  std::string status = only_text_to(sms(kZhangPhone, "查询"), kZhangPhone);
  EXPECT_LE(utf16_length(status), kSingleUcs2SmsUnits);
  EXPECT_TRUE(contains(status, "12号")) << status;    // newest first
  EXPECT_FALSE(contains(status, "；1号")) << status;  // the oldest did not fit
}

TEST_F(EngineTest, MemberWithOneOpenTicketMayOmitTheNumber) {
  TicketNo n = report_streetlight();
  sms(kWangPhone, "JD");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  sms(kWangPhone, "WC 已处理");
  EXPECT_EQ(ticket(n).state, TicketState::resolved);
  EXPECT_EQ(ticket(n).resolution, "已处理");
}

TEST_F(EngineTest, MemberWithSeveralTicketsMustGiveTheNumber) {
  report_streetlight();                                 // → 王建国
  sms("+8613900000011", "大溪边村垃圾桶满了没人清运");  // → 李秀英
  sms("+8613900000012", "大溪边村的水管爆了");  // → 王建国 again (tie: directory order)
  ASSERT_EQ(ticket(3).assignee, "m-wang");
  Effects which = sms(kWangPhone, "接");
  EXPECT_TRUE(which.events.empty());
  std::string reply = only_text_to(which, kWangPhone);
  EXPECT_TRUE(contains(reply, "2件")) << reply;
  EXPECT_TRUE(contains(reply, "1、3")) << reply;
  EXPECT_TRUE(contains(reply, "接1")) << reply;
  // 我的 lists them with their states.
  sms(kWangPhone, "接3");
  std::string mine = only_text_to(sms(kWangPhone, "我的"), kWangPhone);
  EXPECT_TRUE(contains(mine, "1号待接单")) << mine;
  EXPECT_TRUE(contains(mine, "3号处理中")) << mine;
}

TEST_F(EngineTest, WrongTicketNumberGetsAClearReply) {
  TicketNo n = report_streetlight();  // assigned to 王建国
  Effects not_yours = sms(kLiPhone, "接1");
  EXPECT_TRUE(not_yours.events.empty());
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_TRUE(contains(only_text_to(not_yours, kLiPhone), "不是派给您的"));
  Effects missing = sms(kWangPhone, "完成 999 修好了");
  EXPECT_TRUE(missing.events.empty());
  EXPECT_TRUE(contains(only_text_to(missing, kWangPhone), "没有工单999"));
  // Accepting a resolved ticket says where it stands.
  sms(kWangPhone, "完成1");
  std::string state = only_text_to(sms(kWangPhone, "接1"), kWangPhone);
  EXPECT_TRUE(contains(state, "待评价")) << state;
}

TEST_F(EngineTest, UnknownMemberCommandGetsOneLineHelp) {
  Effects help = sms(kWangPhone, "帮助");
  std::string text = only_text_to(help, kWangPhone);
  EXPECT_EQ(text, "【连心桥】" + default_templates().member_help);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_TRUE(help.events.empty());
}

TEST_F(EngineTest, UnknownResidentShortTextGetsHelpNotATicket) {
  Effects help = sms(kStrangerPhone, "ok");
  EXPECT_TRUE(help.tickets.empty());
  EXPECT_TRUE(contains(only_text_to(help, kStrangerPhone), "文字说明"));
  Effects rating = sms(kStrangerPhone, "满意");
  EXPECT_TRUE(rating.tickets.empty());
  EXPECT_TRUE(contains(only_text_to(rating, kStrangerPhone), "没有待评价"));
}

TEST_F(EngineTest, MemberReportBecomesATicket) {
  Effects report = sms(kWangPhone, "石塘村那边的桥梁栏杆被车撞断了");
  ASSERT_EQ(report.tickets.size(), 1u);
  const Ticket& t = report.tickets[0].ticket;
  EXPECT_EQ(t.reporter, kWangPhone);
  EXPECT_EQ(t.grid, "g-shitang");
  EXPECT_EQ(t.assignee, "m-sun");
  EXPECT_EQ(t.category, "road");
}

TEST_F(EngineTest, ADangerDescribedIsUrgentWhateverTheCategory) {
  Effects water = sms(kZhangPhone, "家门口水管爆了，水都灌进屋里了");
  ASSERT_EQ(water.tickets.size(), 1u);
  EXPECT_TRUE(water.tickets[0].ticket.urgent);
  EXPECT_EQ(water.tickets[0].ticket.category, "water");
  // The villager is told to call for help if lives are at risk.
  EXPECT_TRUE(contains(only_text_to(water, kZhangPhone), "110"))
      << only_text_to(water, kZhangPhone);
  ASSERT_EQ(texts_to(water, kWangPhone).size(), 1u);
  for (const OutgoingSms& out : water.sms) {
    if (out.to == kWangPhone) {
      EXPECT_TRUE(out.urgent);
    }
  }
}

TEST_F(EngineTest, HardshipGoesToTheVolunteerTeamLeader) {
  Effects help = sms(kLiNainaiPhone, "隔壁独居老人生病了没人照顾");
  ASSERT_EQ(help.tickets.size(), 1u);
  EXPECT_EQ(help.tickets[0].ticket.assignee, "m-vol-lead");
  EXPECT_EQ(texts_to(help, kVolunteerLeaderPhone).size(), 1u);
}

class LoopProtectionTest : public EngineTest {
 protected:
  static Settings tight() {
    Settings settings = ::lianxin::domain::testing::test_settings();
    settings.loop_protection = {3, std::chrono::minutes(10)};
    return settings;
  }
  LoopProtectionTest() : EngineTest(tight()) {}
};

TEST_F(LoopProtectionTest, SameReplyTooOftenIsHeldAndLogged) {
  for (int i = 0; i < 3; ++i) {
    Effects e = sms(kStrangerPhone, "ok");
    EXPECT_EQ(e.sms.size(), 1u) << i;
    EXPECT_TRUE(e.held.empty()) << i;
    now_ += 1min;
  }
  Effects held = sms(kStrangerPhone, "ok");
  EXPECT_TRUE(held.sms.empty());
  ASSERT_EQ(held.held.size(), 1u);
  EXPECT_EQ(held.held[0].to, kStrangerPhone);
  ASSERT_FALSE(held.logs.empty());
  const LogLine& warning = held.logs.back();
  EXPECT_EQ(warning.level, LogLevel::warning);
  EXPECT_TRUE(contains(warning.message, "139****0003")) << warning.message;
  EXPECT_FALSE(contains(warning.message, "13900000003")) << warning.message;
  // A different text to the same number still goes out.
  EXPECT_EQ(sms(kStrangerPhone, "查询").sms.size(), 1u);
  // Once the window has passed, the reply goes out again.
  now_ += 10min;
  EXPECT_EQ(sms(kStrangerPhone, "ok").sms.size(), 1u);
}

TEST_F(EngineTest, OperatorInvalidates) {
  TicketNo n = report_streetlight();
  Effects invalid = engine_.invalidate(n, "县指挥中心", "重复反映，已在工单外处理", now_);
  check_invariants(invalid);
  EXPECT_FALSE(invalid.error);
  EXPECT_EQ(ticket(n).state, TicketState::invalid);
  EXPECT_EQ(ticket(n).close_reason, CloseReason::invalid);
  ASSERT_EQ(invalid.events.size(), 1u);
  EXPECT_EQ(invalid.events[0].actor, "operator:县指挥中心");
  EXPECT_EQ(invalid.events[0].reason, "重复反映，已在工单外处理");
  EXPECT_TRUE(contains(only_text_to(invalid, kWangPhone), "作废"));
  EXPECT_TRUE(contains(only_text_to(invalid, kZhangPhone), "工单1"));

  Effects again = engine_.invalidate(n, "县指挥中心", "x", now_);
  EXPECT_EQ(again.error, make_error_code(EngineError::ticket_finished));
  EXPECT_TRUE(again.events.empty());
  Effects unknown = engine_.invalidate(404, "县指挥中心", "x", now_);
  EXPECT_EQ(unknown.error, make_error_code(EngineError::unknown_ticket));
  EXPECT_FALSE(unknown.diagnostic.empty());
}

TEST_F(EngineTest, UnsubscribeAndSignIn) {
  Effects resident = sms(kZhangPhone, "退订");
  ASSERT_EQ(resident.subscriptions.size(), 1u);
  EXPECT_EQ(resident.subscriptions[0].phone, kZhangPhone);
  EXPECT_FALSE(resident.subscriptions[0].subscribed);
  EXPECT_TRUE(resident.tickets.empty());
  Effects member = sms(kWangPhone, "TD");
  ASSERT_EQ(member.subscriptions.size(), 1u);
  EXPECT_EQ(member.subscriptions[0].phone, kWangPhone);
  Effects sign_in = sms(kWangPhone, "签到 M12");
  EXPECT_TRUE(contains(only_text_to(sign_in, kWangPhone), "M12"));
}

TEST_F(EngineTest, RedeliveredInboundIsHandledOnce) {
  Effects first = engine_.on_sms(kZhangPhone, "村口路灯坏了", now_, 77);
  EXPECT_EQ(first.tickets.size(), 1u);
  Effects second = engine_.on_sms(kZhangPhone, "村口路灯坏了", now_, 77);
  EXPECT_TRUE(second.tickets.empty());
  EXPECT_TRUE(second.sms.empty());
  EXPECT_EQ(engine_.tickets().size(), 1u);
}

TEST_F(EngineTest, RestoreContinuesNumbersAndTimers) {
  TicketNo n = report_streetlight();
  sms(kWangPhone, "完成1");
  std::vector<Ticket> stored = engine_.tickets();

  Engine restarted(::lianxin::domain::testing::test_settings(), make_directory());
  RestoredState state;
  state.tickets = stored;
  state.next_ticket_number = 500;
  state.points_totals = {{"m-wang", 42}};
  restarted.restore(std::move(state));
  EXPECT_EQ(restarted.next_ticket_number(), 500);
  EXPECT_EQ(restarted.points_of("m-wang"), 42);
  std::vector<TimerRequest> timers = restarted.pending_timers();
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].ticket, n);
  EXPECT_EQ(timers[0].kind, TimerKind::verification);
  EXPECT_EQ(timers[0].at, *stored[0].verification_deadline);

  Effects next = restarted.on_sms("+8613900000011", "大溪边村路灯不亮", now_, 1);
  ASSERT_EQ(next.tickets.size(), 1u);
  EXPECT_EQ(next.tickets[0].ticket.number, 500);
  EXPECT_EQ(next.next_ticket_number, 501);
  // The restored ticket still takes its rating.
  Effects rated = restarted.on_sms(kZhangPhone, "4", now_, 2);
  EXPECT_EQ(restarted.find(n)->rating, 4);
  EXPECT_EQ(restarted.points_of("m-wang"), 47);  // 42 + 5 for a rating of 4
  EXPECT_EQ(rated.points.at(0).points, 5);

  // A stale stored counter never reuses a number.
  Engine lagging(::lianxin::domain::testing::test_settings(), make_directory());
  RestoredState lagging_state;
  lagging_state.tickets = stored;
  lagging_state.next_ticket_number = 1;
  lagging.restore(std::move(lagging_state));
  EXPECT_EQ(lagging.next_ticket_number(), n + 1);
}

TEST_F(EngineTest, ClosedTicketsLeaveMemoryAfterRetention) {
  TicketNo n = report_streetlight();
  sms(kZhangPhone, "取消");
  now_ += 24h * 7 + 1min;
  sms(kLiNainaiPhone, "查询");
  EXPECT_EQ(engine_.find(n), nullptr);
}

TEST_F(EngineTest, ExplainSaysWhy) {
  TicketNo n = report_streetlight();
  std::optional<Explanation> why = engine_.explain(n);
  ASSERT_TRUE(why);
  std::string text = why->text();
  EXPECT_TRUE(contains(text, "category streetlight")) << text;
  EXPECT_TRUE(contains(text, "resident directory")) << text;
  EXPECT_TRUE(contains(text, "chose m-wang")) << text;
  EXPECT_FALSE(engine_.explain(999).has_value());
  // After a hand-back the explanation shows why the next one was chosen.
  sms(kWangPhone, "退1");
  text = engine_.explain(n)->text();
  EXPECT_TRUE(contains(text, "m-wang: skipped, already tried")) << text;
  EXPECT_TRUE(contains(text, "chose m-li")) << text;
}

TEST_F(EngineTest, ReloadKeepsTicketsAndUsesTheNewDirectory) {
  TicketNo n = report_streetlight();
  Settings settings = ::lianxin::domain::testing::test_settings();
  settings.signature = "【新签名】";
  engine_.reload(settings, make_directory());
  Effects accepted = sms(kWangPhone, "接1");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  EXPECT_TRUE(only_text_to(accepted, kWangPhone).starts_with("【新签名】"));
}

TEST(Names, RoundTripForStorage) {
  for (TicketState state :
       {TicketState::new_, TicketState::awaiting_location, TicketState::dispatched,
        TicketState::accepted, TicketState::resolved, TicketState::closed, TicketState::reopened,
        TicketState::invalid, TicketState::cancelled}) {
    EXPECT_EQ(ticket_state_from_string(to_string(state)), state);
  }
  EXPECT_EQ(to_string(TicketState::new_), "new");
  EXPECT_FALSE(ticket_state_from_string("open"));
  for (CloseReason reason : {CloseReason::none, CloseReason::rated, CloseReason::unrated,
                             CloseReason::cancelled, CloseReason::invalid}) {
    EXPECT_EQ(close_reason_from_string(to_string(reason)), reason);
  }
  for (TimerKind kind : {TimerKind::location_followup, TimerKind::verification}) {
    EXPECT_EQ(timer_kind_from_string(to_string(kind)), kind);
  }
  EXPECT_EQ(role_from_string("grid_leader"), Role::grid_leader);
  EXPECT_FALSE(role_from_string("boss"));
}

}  // namespace
}  // namespace lianxin::domain
