// The engine's SLA: deadlines at dispatch, reminders, escalation up the chain, problem tickets,
// quiet hours and validity, points rules, and deadlines surviving a restart through the Store.
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon/domain/engine.hpp"
#include "daemon/store/store.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/store_steps.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // fixture phones and make_directory
using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

// A wall-clock time in Shanghai (UTC+8).
TimePoint shanghai(unsigned m, unsigned d, int hour, int minute = 0) {
  return TimePoint{Days{year{2026} / month{m} / day{d}}} + std::chrono::hours{hour} +
         std::chrono::minutes{minute} - 8h;
}

// May Day 2026: 1–5 May off, Saturday 9 May a make-up working day. Street lights: accept within
// 4 hours, resolve within 3 working days; points for every rule.
Settings sla_settings() {
  Settings s = ::lianxin::domain::testing::test_settings();
  std::set<Days> holidays;
  for (unsigned d = 1; d <= 5; ++d) holidays.insert(Days{year{2026} / month{5} / day{d}});
  s.sla.calendar = WorkCalendar(holidays, {Days{year{2026} / month{5} / day{9}}});
  for (Category& c : s.categories) {
    if (c.id == "streetlight") {
      c.accept_within = SlaLimit::hours(4);
      c.resolve_within = SlaLimit::days_of_work(3);
    }
  }
  s.points.resolved = 1;
  s.points.on_time = 2;
  s.points.reopened = -4;
  s.points.overdue_accept = -3;
  s.points.overdue_resolve = -5;
  s.points.rating[0] = -2;  // rating_1
  return s;
}

class EngineSlaTest : public ::testing::Test {
 protected:
  explicit EngineSlaTest(Settings settings = sla_settings())
      : engine_(std::move(settings), make_directory()) {}

  Effects sms(std::string_view from, std::string_view text) {
    Effects e = engine_.on_sms(from, text, now_, ++inbound_);
    EXPECT_TRUE(engine_.check_indexes());
    return e;
  }
  Effects timer(TicketNo ticket, TimerKind kind) { return engine_.on_timer(ticket, kind, now_); }

  const Ticket& ticket(TicketNo number) { return *engine_.find(number); }

  static std::vector<const OutgoingSms*> to(const Effects& e, std::string_view phone) {
    std::vector<const OutgoingSms*> out;
    for (const OutgoingSms& s : e.sms) {
      if (s.to == phone) out.push_back(&s);
    }
    return out;
  }
  static std::string text_to(const Effects& e, std::string_view phone) {
    auto list = to(e, phone);
    EXPECT_EQ(list.size(), 1u) << "SMS to " << phone;
    return list.empty() ? "" : list.front()->text;
  }
  static std::optional<TimerRequest> armed(const Effects& e, TimerKind kind) {
    std::optional<TimerRequest> last;
    for (const TimerRequest& t : e.timers) {
      if (t.kind == kind) last = t;
    }
    return last;
  }
  static bool has(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }
  static std::vector<std::string> reasons(const Effects& e) {
    std::vector<std::string> out;
    for (const TicketEvent& ev : e.events) out.push_back(ev.reason);
    return out;
  }
  static std::vector<std::pair<std::string, int>> ledger(const Effects& e) {
    std::vector<std::pair<std::string, int>> out;
    for (const PointsEntry& p : e.points) out.emplace_back(p.reason, p.points);
    return out;
  }

  Engine engine_;
  TimePoint now_ = shanghai(5, 1, 16);  // a Friday afternoon, and a public holiday
  std::int64_t inbound_ = 1;
};

TEST_F(EngineSlaTest, DeadlinesAndTimersAtDispatch) {
  Effects e = sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  const Ticket& t = ticket(1);
  EXPECT_EQ(t.assignee, "m-wang");
  EXPECT_EQ(t.accept_deadline, shanghai(5, 1, 20));
  // 3 working days from the holiday: 6, 7 and 8 May (the holiday and the weekend do not count).
  EXPECT_EQ(t.resolve_deadline, shanghai(5, 9, 0));
  ASSERT_TRUE(armed(e, TimerKind::accept_reminder));
  EXPECT_EQ(armed(e, TimerKind::accept_reminder)->at, shanghai(5, 1, 19));  // 25% of 4 h left
  EXPECT_EQ(armed(e, TimerKind::accept_overdue)->at, shanghai(5, 1, 20));
  EXPECT_EQ(armed(e, TimerKind::resolve_reminder)->at, shanghai(5, 8, 6));  // 25% of 72 h
  EXPECT_EQ(armed(e, TimerKind::resolve_overdue)->at, shanghai(5, 9, 0));
  // pending_timers() says the same (what a restart re-arms).
  std::vector<TimerRequest> pending = engine_.pending_timers();
  EXPECT_EQ(pending.size(), 4u);

  // Accepting ends the accept phase: its timers are cancelled, the resolve ones stay.
  now_ += 1h;
  Effects accepted = sms(kWangPhone, "接1");
  ASSERT_TRUE(armed(accepted, TimerKind::accept_overdue));
  EXPECT_TRUE(armed(accepted, TimerKind::accept_overdue)->cancel);
  EXPECT_TRUE(armed(accepted, TimerKind::accept_reminder)->cancel);
  EXPECT_FALSE(armed(accepted, TimerKind::resolve_overdue));  // unchanged: not re-sent
  EXPECT_EQ(engine_.pending_timers().size(), 2u);
}

TEST_F(EngineSlaTest, ReminderThenEscalationUpTheChain) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  now_ = shanghai(5, 1, 19);
  Effects reminder = timer(1, TimerKind::accept_reminder);
  std::string text = text_to(reminder, kWangPhone);
  EXPECT_TRUE(has(text, "提醒：工单1请于5月1日20:00前签收")) << text;
  EXPECT_EQ(reminder.sms.front().expires_at, now_ + 4h);  // reminders are short-lived
  ASSERT_EQ(reminder.events.size(), 1u);
  EXPECT_TRUE(has(reminder.events[0].reason, "reminder: accept by 5月1日20:00"));
  EXPECT_EQ(ticket(1).reminded_for, ticket(1).accept_deadline);
  // The same timer again (a duplicate, or after a restart): nothing.
  Effects again = timer(1, TimerKind::accept_reminder);
  EXPECT_TRUE(again.sms.empty());
  EXPECT_TRUE(again.events.empty());

  // Overdue: an event, points off, the grid leader gets it with a new deadline.
  now_ = shanghai(5, 1, 20);
  Effects overdue = timer(1, TimerKind::accept_overdue);
  EXPECT_EQ(ticket(1).assignee, "m-leader-daxi");
  EXPECT_EQ(ticket(1).escalation_level, 1);
  EXPECT_EQ(ticket(1).state, TicketState::dispatched);
  ASSERT_EQ(overdue.events.size(), 2u);
  EXPECT_TRUE(has(overdue.events[0].reason, "overdue: not accepted by 5月1日20:00"))
      << overdue.events[0].reason;
  EXPECT_TRUE(has(overdue.events[1].reason, "escalated to m-leader-daxi (grid_leader, level 1)"));
  std::string to_leader = text_to(overdue, kDaxiLeaderPhone);
  EXPECT_TRUE(has(to_leader, "督办工单1（超时未签收）")) << to_leader;
  EXPECT_TRUE(has(to_leader, "大溪边村")) << to_leader;
  EXPECT_TRUE(has(to_leader, "路灯杆被大风刮倒")) << to_leader;
  EXPECT_TRUE(has(to_leader, "139****0001")) << to_leader;
  EXPECT_TRUE(has(to_leader, "5月1日22:00前")) << to_leader;  // escalation.accept_within 2h
  EXPECT_TRUE(has(text_to(overdue, kWangPhone), "陈书记"));
  EXPECT_EQ(ledger(overdue), (std::vector<std::pair<std::string, int>>{{"overdue accept", -3}}));
  EXPECT_EQ(overdue.points[0].member, "m-wang");
  EXPECT_EQ(engine_.points_of("m-wang"), -3);
  EXPECT_EQ(armed(overdue, TimerKind::accept_overdue)->at, shanghai(5, 1, 22));
  // The old deadline's timer firing again is stale.
  EXPECT_TRUE(timer(1, TimerKind::accept_overdue).events.empty());

  // Nobody accepts: the township desk, then the county desk.
  now_ = shanghai(5, 1, 22);
  Effects township = timer(1, TimerKind::accept_overdue);
  EXPECT_EQ(ticket(1).assignee, "m-desk");
  EXPECT_EQ(ticket(1).escalation_level, 2);
  EXPECT_TRUE(has(text_to(township, kDeskPhone), "督办工单1"));
  now_ = shanghai(5, 2, 0);
  timer(1, TimerKind::accept_overdue);
  EXPECT_EQ(ticket(1).assignee, "m-county");
  EXPECT_EQ(ticket(1).escalation_level, 3);

  // At the top: recorded and logged, the accept clock stops, nothing further to send.
  now_ = shanghai(5, 2, 2);
  Effects top = timer(1, TimerKind::accept_overdue);
  EXPECT_EQ(ticket(1).assignee, "m-county");
  EXPECT_FALSE(ticket(1).accept_deadline);
  EXPECT_TRUE(top.sms.empty());
  ASSERT_EQ(top.events.size(), 2u);
  EXPECT_TRUE(has(top.events[1].reason, "nobody further up the escalation chain"));
  EXPECT_TRUE(std::any_of(top.logs.begin(), top.logs.end(),
                          [](const LogLine& l) { return l.level == LogLevel::error; }));
  for (const TimerRequest& t : engine_.pending_timers()) {
    EXPECT_TRUE(t.kind == TimerKind::resolve_reminder || t.kind == TimerKind::resolve_overdue)
        << to_string(t.kind);
  }
  // The county desk accepts; the escalated resolve deadline (24 h) still runs.
  Effects accepted = sms("+8613800000999", "接1");
  EXPECT_EQ(ticket(1).state, TicketState::accepted);
  EXPECT_EQ(ticket(1).resolve_deadline, shanghai(5, 3, 0));
}

TEST_F(EngineSlaTest, ResolveOverdueEscalatesAndCostsPoints) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  sms(kWangPhone, "接1");
  now_ = shanghai(5, 8, 6);
  Effects reminder = timer(1, TimerKind::resolve_reminder);
  EXPECT_TRUE(has(text_to(reminder, kWangPhone), "请于5月9日00:00前办结"));
  now_ = shanghai(5, 9, 0);
  Effects overdue = timer(1, TimerKind::resolve_overdue);
  EXPECT_EQ(ticket(1).assignee, "m-leader-daxi");
  EXPECT_EQ(ticket(1).state, TicketState::dispatched);  // the leader must accept it
  EXPECT_EQ(ledger(overdue), (std::vector<std::pair<std::string, int>>{{"overdue resolve", -5}}));
  EXPECT_TRUE(has(text_to(overdue, kDaxiLeaderPhone), "超时未办结"));
}

TEST_F(EngineSlaTest, OverdueTimersRestoredAfterDowntimeFireOnceAndSkipTheLateReminder) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  // Down from 17:00 to 21:00: both the reminder (19:00) and the deadline (20:00) passed.
  now_ = shanghai(5, 1, 21);
  std::vector<TimerRequest> pending = engine_.pending_timers();
  std::sort(pending.begin(), pending.end(),
            [](const TimerRequest& a, const TimerRequest& b) { return a.at < b.at; });
  std::vector<Effects> fired;
  for (const TimerRequest& t : pending) {
    if (t.at <= now_) fired.push_back(timer(t.ticket, t.kind));  // what the daemon does
  }
  ASSERT_EQ(fired.size(), 2u);
  EXPECT_TRUE(fired[0].sms.empty());  // "accept by 20:00" at 21:00 helps nobody
  EXPECT_EQ(ticket(1).assignee, "m-leader-daxi");
  EXPECT_EQ(ticket(1).accept_deadline, shanghai(5, 1, 23));
}

TEST_F(EngineSlaTest, ThreeHandBacksMakeAProblemTicketForTheTopOfTheChain) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  sms(kWangPhone, "退1 不在村");
  EXPECT_EQ(ticket(1).assignee, "m-li");
  sms(kLiPhone, "退1 不会修");
  EXPECT_EQ(ticket(1).assignee, "m-leader-daxi");
  EXPECT_FALSE(ticket(1).problem);
  Effects third = sms(kDaxiLeaderPhone, "退1 需要县里协调");
  EXPECT_EQ(ticket(1).handback_count, 3);
  EXPECT_TRUE(ticket(1).problem);
  EXPECT_EQ(ticket(1).assignee, "m-county");  // straight to the top, past the township
  EXPECT_EQ(ticket(1).escalation_level, 3);
  std::vector<std::string> why = reasons(third);
  ASSERT_EQ(why.size(), 3u);
  EXPECT_TRUE(has(why[0], "handed back: 需要县里协调"));
  EXPECT_TRUE(has(why[1], "problem ticket (问题工单): handed back 3 times"));
  EXPECT_TRUE(has(why[2], "escalated to m-county (county_desk, level 3)"));
  EXPECT_TRUE(has(text_to(third, "+8613800000999"), "督办工单1（问题工单）"));
  EXPECT_TRUE(has(text_to(third, kDaxiLeaderPhone), "县值班室"));
}

TEST_F(EngineSlaTest, ThirdReopenMakesAProblemTicket) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  sms(kWangPhone, "完成1");
  Effects first = sms(kZhangPhone, "没修好");
  EXPECT_EQ(ticket(1).assignee, "m-wang");  // the first time: back to the member
  EXPECT_EQ(ledger(first), (std::vector<std::pair<std::string, int>>{{"reopened", -4}}));
  sms(kWangPhone, "完成1");
  sms(kZhangPhone, "0");
  EXPECT_EQ(ticket(1).assignee, "m-leader-daxi");  // the second: escalated one step
  sms(kDaxiLeaderPhone, "完成1");
  Effects third = sms(kZhangPhone, "未解决");
  EXPECT_TRUE(ticket(1).problem);
  EXPECT_EQ(ticket(1).reopen_count, 3);
  EXPECT_EQ(ticket(1).assignee, "m-county");
  EXPECT_TRUE(has(text_to(third, kZhangPhone), "重新交办"));
}

TEST_F(EngineSlaTest, PointsForEachRule) {
  // Resolved on time and rated 5: rating_5 + resolved + on time.
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  sms(kWangPhone, "完成1 修好了");
  Effects rated = sms(kZhangPhone, "5");
  EXPECT_TRUE(has(text_to(rated, kWangPhone), "积分+10")) << text_to(rated, kWangPhone);
  EXPECT_EQ(ledger(rated), (std::vector<std::pair<std::string, int>>{
                               {"rating 5", 10}, {"resolved", 1}, {"on time", 2}}));
  EXPECT_EQ(engine_.points_of("m-wang"), 13);

  // A configured rating_1 replaces the default.
  sms(kLiNainaiPhone, "石塘村路灯不亮了");
  sms(kSunPhone, "完成2");
  Effects poor = sms(kLiNainaiPhone, "1");
  EXPECT_EQ(ledger(poor).front(), (std::pair<std::string, int>{"rating 1", -2}));
  // The member reads the signed rating points: "积分-2", never "积分+-2".
  EXPECT_TRUE(has(text_to(poor, kSunPhone), "积分-2")) << text_to(poor, kSunPhone);
  EXPECT_FALSE(has(text_to(poor, kSunPhone), "+-")) << text_to(poor, kSunPhone);

  // No rating within the window: resolved and on time, never a rating.
  now_ += 1h;
  sms(kStrangerPhone, "大溪边村路灯坏了");
  ASSERT_EQ(ticket(3).assignee, "m-wang");  // nobody has open tickets: directory order
  sms(kWangPhone, "完成3");
  now_ = *ticket(3).verification_deadline;
  Effects unrated = timer(3, TimerKind::verification);
  EXPECT_EQ(ticket(3).close_reason, CloseReason::unrated);
  EXPECT_EQ(ledger(unrated),
            (std::vector<std::pair<std::string, int>>{{"resolved", 1}, {"on time", 2}}));
  EXPECT_EQ(unrated.points.at(0).member, "m-wang");
  EXPECT_EQ(engine_.points_of("m-wang"), 16);
}

TEST_F(EngineSlaTest, ResolvedLateEarnsNoOnTimePoints) {
  sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  sms(kWangPhone, "接1");
  // Resolved after the deadline, the overdue timer not yet run (a late clock).
  now_ = shanghai(5, 9, 1);
  sms(kWangPhone, "完成1");
  Effects rated = sms(kZhangPhone, "4");
  EXPECT_EQ(ledger(rated),
            (std::vector<std::pair<std::string, int>>{{"rating 4", 5}, {"resolved", 1}}));
}

class QuietHoursTest : public EngineSlaTest {
 protected:
  static Settings quiet() {
    Settings s = sla_settings();
    s.sla.quiet_hours = QuietPeriod{22h, 7h};
    return s;
  }
  QuietHoursTest() : EngineSlaTest(quiet()) { now_ = shanghai(5, 6, 23, 30); }
};

TEST_F(QuietHoursTest, MembersWaitForTheMorningUrgentAndVillagersDoNot) {
  Effects e = sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
  auto member = to(e, kWangPhone);
  ASSERT_EQ(member.size(), 1u);
  EXPECT_EQ(member[0]->not_before, shanghai(5, 7, 7));
  EXPECT_EQ(member[0]->expires_at, shanghai(5, 7, 7) + 72h);  // validity counts from 07:00
  auto villager = to(e, kZhangPhone);
  ASSERT_EQ(villager.size(), 1u);
  EXPECT_FALSE(villager[0]->not_before);
  EXPECT_EQ(villager[0]->expires_at, now_ + 72h);

  // Water pouring into a home is urgent: the member is woken.
  Effects urgent = sms(kLiNainaiPhone, "家门口水管爆了水冲进屋里了");
  auto sun = to(urgent, kSunPhone);
  ASSERT_EQ(sun.size(), 1u);
  EXPECT_TRUE(sun[0]->urgent);
  EXPECT_FALSE(sun[0]->not_before);

  // A member who writes at night gets the answer at once.
  Effects mine = sms(kWangPhone, "我的");
  auto answer = to(mine, kWangPhone);
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_FALSE(answer[0]->not_before);
  EXPECT_EQ(answer[0]->expires_at, now_ + 24h);
}

// ---- Restart through the real Store ----

TEST(SlaRestart, PendingDeadlinesSurviveAndFireOnce) {
  const std::string source = "10086";
  TimePoint now = shanghai(5, 1, 16);
  store::Store db = store::Store::open(":memory:");
  Engine before(sla_settings(), make_directory());
  ASSERT_FALSE(apply_effects(db, before.on_sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了", now, 1),
                             source, now)
                   .error);
  std::vector<TimerRequest> expected = before.pending_timers();
  ASSERT_EQ(expected.size(), 4u);

  // Restart at 21:00: the stored deadlines come back.
  now = shanghai(5, 1, 21);
  auto restored = db.restored_state(now, 24h * 7);
  ASSERT_FALSE(restored.error);
  Engine after(sla_settings(), make_directory());
  after.restore(std::move(restored.value));
  std::vector<TimerRequest> pending = after.pending_timers();
  ASSERT_EQ(pending.size(), expected.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    EXPECT_EQ(pending[i].kind, expected[i].kind);
    EXPECT_EQ(pending[i].at, expected[i].at) << to_string(pending[i].kind);
  }
  // Overdue at once: the reminder is skipped, the escalation happens, and it is stored.
  std::sort(pending.begin(), pending.end(),
            [](const TimerRequest& a, const TimerRequest& b) { return a.at < b.at; });
  int escalations = 0;
  for (const TimerRequest& t : pending) {
    if (t.at > now) continue;
    Effects e = after.on_timer(t.ticket, t.kind, now);
    for (const TicketEvent& ev : e.events) escalations += ev.reason.starts_with("escalated");
    ASSERT_FALSE(apply_effects(db, e, source, now).error);
  }
  EXPECT_EQ(escalations, 1);

  // A second restart right after: the new deadline is pending, the old one is gone, and firing
  // the old kinds now does nothing.
  auto again = db.restored_state(now, 24h * 7);
  ASSERT_FALSE(again.error);
  const Ticket stored = again.value.tickets.at(0);
  EXPECT_EQ(stored.assignee, "m-leader-daxi");
  EXPECT_EQ(stored.escalation_level, 1);
  EXPECT_EQ(stored.accept_deadline, shanghai(5, 1, 23));
  EXPECT_EQ(stored.resolve_deadline, shanghai(5, 2, 21));  // escalation.resolve_within 24h
  EXPECT_EQ(stored.kind, TicketKind::report);
  Engine third(sla_settings(), make_directory());
  third.restore(std::move(again.value));
  for (TimerKind kind : {TimerKind::accept_reminder, TimerKind::accept_overdue}) {
    Effects e = third.on_timer(1, kind, now);
    EXPECT_TRUE(e.events.empty()) << to_string(kind);
    EXPECT_TRUE(e.sms.empty()) << to_string(kind);
  }
  EXPECT_EQ(db.points_of("m-wang").value, -3);  // the overdue penalty, stored once
}

}  // namespace
}  // namespace lianxin::domain
