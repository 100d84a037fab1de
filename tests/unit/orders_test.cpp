// The four orders (网格点单 → 平台派单 → 团长接单 → 群众验单), reports on behalf of residents (代),
// and the residents' own commands on such tickets (查询, 取消, 退订). Clock-driven, no I/O.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using namespace testing;  // fixture phones and make_directory

const TimePoint kStart = TimePoint{} + 20574 * 24h + 2h;  // 2026-05-01 10:00 in Shanghai

constexpr const char* kRepairLeaderPhone = "+8613800000601";
constexpr const char* kZhangSanPhone = "+8613800000602";
constexpr const char* kLiSiPhone = "+8613800000603";
constexpr const char* kWangWuPhone = "+8613800000604";
constexpr const char* kZhaoPhone = "+8613800000103";  // 赵红梅, helper (代办员) in 大溪边村
constexpr const char* kNewResident = "+8613900000009";  // not in the directory

// The fixture's directory plus a repair team (aliases 维修, 水电) with three members.
Directory orders_directory() {
  const Directory base = make_directory();
  std::vector<Member> members = base.members();
  members.push_back({"m-repair-lead", "钱队长", kRepairLeaderPhone, {}, {Role::team_leader}, true});
  members.push_back({"m-repair-1", "张三", kZhangSanPhone, {}, {Role::member}, true});
  members.push_back({"m-repair-2", "李四", kLiSiPhone, {}, {Role::member}, true});
  members.push_back({"m-repair-3", "王五", kWangWuPhone, {}, {Role::member}, false});
  std::vector<Team> teams = base.teams();
  teams.push_back({"repair",
                   "青石镇水电维修服务队",
                   "m-repair-lead",
                   {"m-repair-lead", "m-repair-1", "m-repair-2", "m-repair-3"},
                   {"维修", "水电"}});
  return Directory(base.grids(), std::move(members), base.residents(), std::move(teams),
                   base.duty_desks());
}

class OrdersTest : public ::testing::Test {
 protected:
  OrdersTest() : engine_(::lianxin::domain::testing::test_settings(), orders_directory()) {}

  Effects sms(std::string_view from, std::string_view text) {
    Effects effects = engine_.on_sms(from, text, now_, ++inbound_);
    check(effects);
    return effects;
  }

  // Every SMS: signature first, villagers get one SMS, nobody else's full number.
  void check(const Effects& effects) {
    const std::string& signature = engine_.settings().signature;
    for (const OutgoingSms& out : effects.sms) {
      EXPECT_TRUE(out.text.starts_with(signature)) << out.text;
      if (out.audience == Audience::resident) {
        EXPECT_LE(utf16_length(out.text), kSingleUcs2SmsUnits) << out.text;
      }
      for (const Member& member : engine_.directory().members()) {
        if (member.phone != out.to) {
          EXPECT_EQ(out.text.find(member.phone.substr(3)), std::string::npos) << out.text;
        }
      }
      for (const char* resident : {kZhangPhone, kNewResident}) {
        if (out.to != resident) {
          EXPECT_EQ(out.text.find(std::string(resident).substr(3)), std::string::npos) << out.text;
        }
      }
    }
    EXPECT_TRUE(engine_.check_indexes());
  }

  static std::vector<std::string> texts_to(const Effects& effects, std::string_view phone) {
    std::vector<std::string> out;
    for (const OutgoingSms& s : effects.sms) {
      if (s.to == phone) out.push_back(s.text);
    }
    return out;
  }

  static std::string only_text_to(const Effects& effects, std::string_view phone) {
    std::vector<std::string> texts = texts_to(effects, phone);
    EXPECT_EQ(texts.size(), 1u) << "SMS to " << phone;
    return texts.empty() ? std::string() : texts.front();
  }

  static bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }

  const Ticket& ticket(TicketNo number) {
    const Ticket* t = engine_.find(number);
    EXPECT_NE(t, nullptr) << "ticket " << number;
    static const Ticket kNone;
    return t ? *t : kNone;
  }

  // 王建国 (grid member of 大溪边村) raises an order for the repair team: its number.
  TicketNo raise_repair_order(std::string_view text = "点单 维修 王大妈家水管爆了") {
    Effects e = sms(kWangPhone, text);
    EXPECT_EQ(e.tickets.size(), 1u);
    return e.tickets.empty() ? 0 : e.tickets.front().ticket.number;
  }

  Engine engine_;
  TimePoint now_ = kStart;
  std::int64_t inbound_ = 5000;
};

// ---------------------------------------------------------------- 网格点单 and 平台派单

TEST_F(OrdersTest, OrderGoesToTheTeamLeaderWhoMayAssign) {
  Effects e = sms(kWangPhone, "点单 维修 王大妈家水管爆了");
  ASSERT_EQ(e.tickets.size(), 1u);
  const Ticket& t = e.tickets[0].ticket;
  EXPECT_TRUE(e.tickets[0].created);
  EXPECT_EQ(t.kind, TicketKind::order);
  EXPECT_EQ(t.raised_by, "m-wang");
  EXPECT_EQ(t.team, "repair");
  EXPECT_EQ(t.reporter, kWangPhone);  // no resident named: the member verifies
  EXPECT_EQ(t.text, "王大妈家水管爆了");
  EXPECT_EQ(t.category, "water");  // by keywords, even though the route is the team
  EXPECT_EQ(t.grid, "g-daxi");     // the member's grid
  EXPECT_EQ(t.state, TicketState::dispatched);
  EXPECT_EQ(t.assignee, "m-repair-lead");  // 平台派单: to the team leader
  ASSERT_EQ(e.events.size(), 2u);
  EXPECT_FALSE(e.events[0].from);
  EXPECT_EQ(e.events[0].to, TicketState::new_);
  EXPECT_EQ(e.events[0].actor, "m-wang");
  EXPECT_TRUE(contains(e.events[0].reason, "order for team repair raised by m-wang"))
      << e.events[0].reason;
  EXPECT_EQ(e.events[1].to, TicketState::dispatched);
  EXPECT_TRUE(contains(e.events[1].reason, "team_leader")) << e.events[1].reason;

  const std::string dispatch = only_text_to(e, kRepairLeaderPhone);
  EXPECT_TRUE(contains(dispatch, "新工单1（青石镇水电维修服务队）")) << dispatch;
  EXPECT_TRUE(contains(dispatch, "王大妈家水管爆了")) << dispatch;
  EXPECT_TRUE(contains(dispatch, "派1 队员姓名")) << dispatch;
  EXPECT_EQ(only_text_to(e, kWangPhone), "【连心桥】点单已受理，工单1已派青石镇水电维修服务队。");
}

struct TeamCase {
  std::string text;
  std::string team;
  std::string need;
};

class OrderTeamChoice : public OrdersTest, public ::testing::WithParamInterface<TeamCase> {};

TEST_P(OrderTeamChoice, FindsTheTeam) {
  const TeamCase& c = GetParam();
  const TicketNo number = raise_repair_order(c.text);
  ASSERT_NE(number, 0) << c.text;
  EXPECT_EQ(ticket(number).team, c.team) << c.text;
  EXPECT_EQ(ticket(number).text, c.need) << c.text;
  EXPECT_EQ(ticket(number).kind, TicketKind::order);
}

INSTANTIATE_TEST_SUITE_P(
    Table, OrderTeamChoice,
    ::testing::Values(
        TeamCase{"点单 维修 王大妈家水管爆了", "repair", "王大妈家水管爆了"},  // alias
        TeamCase{"DD 水电 厕所水箱一直漏", "repair", "厕所水箱一直漏"},        // other alias
        TeamCase{"点单 repair 水管爆了", "repair", "水管爆了"},                // team id
        TeamCase{"点单 青石镇水电维修服务队 水管爆了", "repair", "水管爆了"},  // full name
        TeamCase{"点单维修王大妈家水管爆了", "repair", "王大妈家水管爆了"},    // glued
        TeamCase{"点单 水电维修 水管爆了", "repair", "水管爆了"},              // part of the name
        TeamCase{"dd 志愿服务队 独居老人要送医", "volunteers", "独居老人要送医"},
        // no team word: the need's category routes to the volunteer team (困难求助)
        TeamCase{"点单 帮帮忙 独居老人摔倒了没人照顾", "volunteers",
                 "帮帮忙 独居老人摔倒了没人照顾"}));

TEST_F(OrdersTest, UnknownTeamGetsTheListOfTeamsAndNoTicket) {
  Effects e = sms(kWangPhone, "点单 修路 村口路面塌了一个大坑");
  EXPECT_TRUE(e.tickets.empty());
  EXPECT_EQ(engine_.next_ticket_number(), 1);
  EXPECT_EQ(only_text_to(e, kWangPhone),
            "【连心桥】没有找到服务队“修路”。可点单：青石镇志愿服务队、青石镇水电维修服务队。"
            "格式：点单 队名 需求");
}

TEST_F(OrdersTest, MissingPartsGetTheUsage) {
  for (const char* text : {"点单", "点单 维修", "DD 维修。"}) {
    Effects e = sms(kWangPhone, text);
    EXPECT_TRUE(e.tickets.empty()) << text;
    EXPECT_TRUE(contains(only_text_to(e, kWangPhone), "格式：点单 队名 需求")) << text;
  }
}

TEST_F(OrdersTest, OrderForANamedResidentIsTheirsToVerify) {
  Effects e = sms(kWangPhone, "点单 维修 139 0000 0009 屋顶漏水");
  ASSERT_EQ(e.tickets.size(), 1u);
  const TicketNo n = e.tickets[0].ticket.number;
  EXPECT_EQ(ticket(n).reporter, kNewResident);
  EXPECT_EQ(ticket(n).raised_by, "m-wang");
  EXPECT_EQ(ticket(n).grid, "g-daxi");  // unknown resident: the member's grid
  EXPECT_EQ(only_text_to(e, kNewResident),
            "【连心桥】网格员已为您向青石镇水电维修服务队点单，工单号1，我们已安排专人处理。");
  EXPECT_TRUE(contains(only_text_to(e, kWangPhone), "工单1"));

  // 团长接单 himself, 完成: the resident is asked to rate (群众验单) and rates.
  now_ += 5min;
  Effects accepted = sms(kRepairLeaderPhone, "接 1");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  now_ += 2h;
  Effects done = sms(kRepairLeaderPhone, "完成 1 换了水管");
  EXPECT_EQ(ticket(n).state, TicketState::resolved);
  EXPECT_TRUE(contains(only_text_to(done, kNewResident), "回复5表示满意"));
  EXPECT_TRUE(texts_to(done, kWangPhone).empty());  // the member who raised it is not asked
  now_ += 1h;
  Effects rated = sms(kNewResident, "5");
  EXPECT_EQ(ticket(n).state, TicketState::closed);
  EXPECT_EQ(ticket(n).rating, 5);
  EXPECT_EQ(engine_.points_of("m-repair-lead"), engine_.settings().points.points_for_rating(5));
  EXPECT_FALSE(rated.points.empty());
}

TEST_F(OrdersTest, InvalidResidentNumberIsRefused) {
  Effects e = sms(kWangPhone, "点单 维修 1234567 屋顶漏水");
  EXPECT_TRUE(e.tickets.empty());
  EXPECT_EQ(only_text_to(e, kWangPhone), "【连心桥】手机号不对，请核对后重发。");
}

// ---------------------------------------------------------------- 团长接单: 派

TEST_F(OrdersTest, FourOrdersFromRaiseToVerification) {
  const TicketNo n = raise_repair_order();
  ASSERT_EQ(n, 1);

  now_ += 3min;
  Effects assigned = sms(kRepairLeaderPhone, "派 1 张三");
  EXPECT_EQ(ticket(n).assignee, "m-repair-1");
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  EXPECT_EQ(ticket(n).tried, (std::vector<std::string>{"m-repair-lead", "m-repair-1"}));
  EXPECT_EQ(ticket(n).dispatched_at, now_);
  ASSERT_EQ(assigned.events.size(), 1u);
  EXPECT_EQ(assigned.events[0].actor, "m-repair-lead");
  EXPECT_EQ(assigned.events[0].reason, "assigned by team leader m-repair-lead to m-repair-1");
  const std::string to_zhangsan = only_text_to(assigned, kZhangSanPhone);
  EXPECT_TRUE(contains(to_zhangsan, "钱队长派给您工单1：大溪边村")) << to_zhangsan;
  EXPECT_TRUE(contains(to_zhangsan, "回复 接1 接单")) << to_zhangsan;
  EXPECT_EQ(only_text_to(assigned, kRepairLeaderPhone), "【连心桥】工单1已派给张三。");

  now_ += 10min;
  sms(kZhangSanPhone, "接1");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  now_ += 1h;
  Effects done = sms(kZhangSanPhone, "完成1 水管已换");
  EXPECT_EQ(ticket(n).state, TicketState::resolved);
  // 群众验单: the member who raised it for themselves is asked, and answers like a villager.
  EXPECT_TRUE(contains(only_text_to(done, kWangPhone), "回复5表示满意"));
  now_ += 30min;
  Effects rated = sms(kWangPhone, "5");
  EXPECT_EQ(ticket(n).state, TicketState::closed);
  EXPECT_EQ(ticket(n).rating, 5);
  EXPECT_EQ(ticket(n).close_reason, CloseReason::rated);
  EXPECT_EQ(engine_.points_of("m-repair-1"), engine_.settings().points.points_for_rating(5));
  EXPECT_TRUE(contains(only_text_to(rated, kZhangSanPhone), "评价5分"));
  EXPECT_TRUE(contains(only_text_to(rated, kWangPhone), "谢谢您的评价"));
}

TEST_F(OrdersTest, RaisingMemberMayReopen) {
  const TicketNo n = raise_repair_order();
  sms(kRepairLeaderPhone, "派1 李四");
  sms(kLiSiPhone, "接1");
  sms(kLiSiPhone, "完成1");
  Effects reopened = sms(kWangPhone, "没修好");
  EXPECT_EQ(ticket(n).state, TicketState::reopened);
  EXPECT_EQ(ticket(n).assignee, "m-repair-2");
  EXPECT_TRUE(contains(only_text_to(reopened, kLiSiPhone), "群众反映没解决"));
  // A longer answer with an explanation reopens too (it is no new report).
  sms(kLiSiPhone, "接1");
  sms(kLiSiPhone, "完成1 换了阀门");
  Effects again = sms(kWangPhone, "没修好，水还是一直在漏");
  ASSERT_FALSE(again.events.empty());
  EXPECT_EQ(again.events[0].to, TicketState::reopened);  // (the second reopen also escalates)
  EXPECT_TRUE(again.tickets.size() == 1 && !again.tickets[0].created);
  EXPECT_EQ(engine_.next_ticket_number(), 2);
  // With nothing to verify, a member's "5" is still just help.
  Effects help = sms(kSunPhone, "5");
  EXPECT_EQ(only_text_to(help, kSunPhone), "【连心桥】" + default_templates().member_help);
}

struct AssignCase {
  std::string name;
  std::string from;  // phone
  std::string text;  // the 派 message for ticket 1
  std::string reply;
};

class AssignRefusals : public OrdersTest, public ::testing::WithParamInterface<AssignCase> {};

TEST_P(AssignRefusals, ClearReplyAndNothingChanges) {
  const AssignCase& c = GetParam();
  raise_repair_order();
  const Ticket before = ticket(1);
  Effects e = sms(c.from, c.text);
  EXPECT_TRUE(e.tickets.empty()) << c.text;
  EXPECT_TRUE(e.events.empty()) << c.text;
  EXPECT_EQ(ticket(1).assignee, before.assignee);
  EXPECT_EQ(only_text_to(e, c.from), "【连心桥】" + c.reply) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AssignRefusals,
    ::testing::Values(AssignCase{"NotALeader", kWangPhone, "派 1 张三", "只有服务队队长可以派单。"},
                      AssignCase{"LeaderOfAnotherTeam", kVolunteerLeaderPhone, "派 1 张三",
                                 "工单1不属于您带领的服务队，不能派单。"},
                      AssignCase{"UnknownName", kRepairLeaderPhone, "派 1 赵六",
                                 "队里没有“赵六”。队员：张三、李四、王五。请回复 派1 姓名"},
                      AssignCase{"MemberOfAnotherTeam", kRepairLeaderPhone, "派 1 王建国",
                                 "队里没有“王建国”。队员：张三、李四、王五。请回复 派1 姓名"},
                      AssignCase{"NoName", kRepairLeaderPhone, "派 1",
                                 "请写明派给谁，如：派1 姓名。队员：张三、李四、王五"},
                      AssignCase{"OffDuty", kRepairLeaderPhone, "派 1 王五",
                                 "王五当前不在岗，工单1请派给其他队员。"},
                      AssignCase{"UnknownTicket", kRepairLeaderPhone, "派 99 张三",
                                 "没有工单99，请核对编号。回复 我的 查看。"}),
    [](const ::testing::TestParamInfo<AssignCase>& info) { return info.param.name; });

TEST_F(OrdersTest, AssignByIdNumeralOrOnlyTicketAndReassign) {
  raise_repair_order();
  // By member id, Chinese numeral ticket number, without a space.
  Effects by_id = sms(kRepairLeaderPhone, "PD 一 m-repair-2");
  EXPECT_EQ(ticket(1).assignee, "m-repair-2");
  EXPECT_EQ(texts_to(by_id, kLiSiPhone).size(), 1u);
  // Re-assigned to 张三 (without the number: the team's ticket 1 is no longer the leader's, so
  // the number is needed; with it): 李四 is told he no longer has it.
  sms(kLiSiPhone, "接1");
  Effects moved = sms(kRepairLeaderPhone, "派1张三，今天去看看");
  EXPECT_EQ(ticket(1).assignee, "m-repair-1");
  EXPECT_EQ(ticket(1).state, TicketState::dispatched);
  EXPECT_TRUE(contains(only_text_to(moved, kLiSiPhone), "已改派他人")) << moved.sms.size();
  EXPECT_EQ(texts_to(moved, kZhangSanPhone).size(), 1u);
  // The same again changes nothing.
  Effects again = sms(kRepairLeaderPhone, "派 1 张三");
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(only_text_to(again, kRepairLeaderPhone), "【连心桥】工单1已派给张三。");

  // A second order: the leader's only open ticket may be named without its number.
  const TicketNo second = raise_repair_order("点单 维修 学校门口水管冒水");
  Effects only = sms(kRepairLeaderPhone, "派 李四");
  EXPECT_EQ(ticket(second).assignee, "m-repair-2");
  EXPECT_EQ(only_text_to(only, kRepairLeaderPhone), "【连心桥】工单2已派给李四。");
}

TEST_F(OrdersTest, ResolvedTicketCannotBeAssigned) {
  raise_repair_order();
  sms(kRepairLeaderPhone, "接1");
  sms(kRepairLeaderPhone, "完成1");
  Effects e = sms(kRepairLeaderPhone, "派 1 张三");
  EXPECT_TRUE(e.events.empty());
  EXPECT_EQ(only_text_to(e, kRepairLeaderPhone), "【连心桥】工单1当前待评价，无需此操作。");
}

TEST_F(OrdersTest, HandBackStaysInTheTeam) {
  raise_repair_order();
  sms(kRepairLeaderPhone, "派 1 张三");
  // 张三 hands back: the order goes on through its team (the least loaded member on duty), not
  // to the grid's members.
  Effects back = sms(kZhangSanPhone, "退1 在外地");
  EXPECT_EQ(ticket(1).assignee, "m-repair-2");
  EXPECT_EQ(texts_to(back, kLiSiPhone).size(), 1u);
}

TEST_F(OrdersTest, ReportsRoutedToATeamCanBeAssignedToo) {
  // A villager's 困难求助 goes to the volunteer team's leader, who may 派 it.
  Effects reported = sms(kZhangPhone, "隔壁独居老人摔倒了，没人照顾");
  ASSERT_EQ(reported.tickets.size(), 1u);
  EXPECT_EQ(ticket(1).kind, TicketKind::report);
  EXPECT_EQ(ticket(1).assignee, "m-vol-lead");
  EXPECT_TRUE(contains(only_text_to(reported, kVolunteerLeaderPhone), "派1 队员姓名"));
  sms(kVolunteerLeaderPhone, "派 1 志愿者乙");
  EXPECT_EQ(ticket(1).assignee, "m-vol-2");
}

// ---------------------------------------------------------------- 代: on behalf of a resident

TEST_F(OrdersTest, HelperReportsForAResidentWhoConfirmsAndVerifies) {
  Effects e = sms(kZhaoPhone, "代 13900000009 想办残疾证");
  ASSERT_EQ(e.tickets.size(), 1u);
  const Ticket& t = e.tickets[0].ticket;
  EXPECT_EQ(t.reporter, kNewResident);  // E.164
  EXPECT_EQ(t.raised_by, "m-zhao");
  EXPECT_EQ(t.kind, TicketKind::report);
  EXPECT_FALSE(t.team);
  EXPECT_EQ(t.category, "paperwork");
  EXPECT_EQ(t.grid, "g-daxi");  // the helper's grid
  EXPECT_EQ(t.assignee, "m-wang");
  EXPECT_EQ(e.events[0].actor, "m-zhao");
  EXPECT_TRUE(contains(e.events[0].reason, "on behalf")) << e.events[0].reason;
  EXPECT_EQ(only_text_to(e, kNewResident),
            "【连心桥】赵红梅已代您反映问题，工单号1，我们已安排专人处理。");
  EXPECT_EQ(only_text_to(e, kZhaoPhone),
            "【连心桥】已代139****0009反映，工单1。群众会收到回执和评价短信。");

  // The same message again (a resend) makes no second ticket.
  now_ += 2min;
  Effects again = sms(kZhaoPhone, "代 139-0000-0009 想办残疾证。");
  EXPECT_TRUE(again.tickets.empty());
  EXPECT_TRUE(contains(only_text_to(again, kZhaoPhone), "工单1"));

  sms(kWangPhone, "接1");
  Effects done = sms(kWangPhone, "完成1 已帮忙递交材料");
  EXPECT_TRUE(contains(only_text_to(done, kNewResident), "回复5表示满意"));
  EXPECT_TRUE(texts_to(done, kZhaoPhone).empty());
  Effects rated = sms(kNewResident, "满意");
  EXPECT_EQ(ticket(1).state, TicketState::closed);
  EXPECT_EQ(ticket(1).rating, 5);
  EXPECT_EQ(texts_to(rated, kNewResident).size(), 1u);
}

TEST_F(OrdersTest, ResidentInTheDirectoryKeepsTheirGrid) {
  // 李奶奶 lives in 石塘村: her grid, not the helper's.
  Effects e = sms(kZhaoPhone, "代 +86 139 0000 0002 低保这个月没到账");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.reporter, kLiNainaiPhone);
  EXPECT_EQ(e.tickets[0].ticket.grid, "g-shitang");
  EXPECT_EQ(e.tickets[0].ticket.assignee, "m-sun");
}

struct OnBehalfCase {
  std::string from;
  std::string text;
  std::string reply;
};

class OnBehalfRefusals : public OrdersTest, public ::testing::WithParamInterface<OnBehalfCase> {};

TEST_P(OnBehalfRefusals, ClearReplyAndNoTicket) {
  const OnBehalfCase& c = GetParam();
  Effects e = sms(c.from, c.text);
  EXPECT_TRUE(e.tickets.empty()) << c.text;
  EXPECT_EQ(engine_.next_ticket_number(), 1) << c.text;
  EXPECT_EQ(only_text_to(e, c.from), "【连心桥】" + c.reply) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, OnBehalfRefusals,
    ::testing::Values(
        OnBehalfCase{kWangPhone, "代 13900000009 想办残疾证",
                     "只有代办员可以代群众反映。您自己的问题请直接发送内容。"},
        OnBehalfCase{kZhaoPhone, "代 1390000000 想办残疾证", "手机号不对，请核对后重发。"},
        OnBehalfCase{kZhaoPhone, "代 95588123 想办残疾证", "手机号不对，请核对后重发。"},
        OnBehalfCase{kZhaoPhone, "代 10086 想办残疾证",
                     "格式：代 手机号 问题，如：代 13800000001 想办残疾证"},
        OnBehalfCase{kZhaoPhone, "代 王大妈 想办残疾证",
                     "格式：代 手机号 问题，如：代 13800000001 想办残疾证"},
        OnBehalfCase{kZhaoPhone, "代 13900000009",
                     "格式：代 手机号 问题，如：代 13800000001 想办残疾证"}));

TEST_F(OrdersTest, ProseStartingLikeACommandIsStillAReport) {
  Effects e = sms(kWangPhone, "派出所民警来过了，纠纷还没有调解好");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.kind, TicketKind::report);
  EXPECT_EQ(e.tickets[0].ticket.category, "dispute");
}

// ---------------------------------------------------------------- 查询, 取消, 退订 (item 7)

TEST_F(OrdersTest, ResidentQueriesAndCancelsWhatAHelperReported) {
  sms(kZhaoPhone, "代 13900000009 想办残疾证");
  Effects query = sms(kNewResident, "查询");
  EXPECT_EQ(only_text_to(query, kNewResident), "【连心桥】您的工单：1号已派人处理");
  Effects one = sms(kNewResident, "CX 1");
  EXPECT_EQ(only_text_to(one, kNewResident), "【连心桥】您的工单：1号已派人处理");
  Effects other = sms(kNewResident, "查询 2");
  EXPECT_TRUE(contains(only_text_to(other, kNewResident), "没有找到您的工单2"));

  Effects cancelled = sms(kNewResident, "取消 1 已经自己办好了");
  EXPECT_EQ(ticket(1).state, TicketState::cancelled);
  EXPECT_EQ(ticket(1).close_reason, CloseReason::cancelled);
  ASSERT_EQ(cancelled.events.size(), 1u);
  EXPECT_EQ(cancelled.events[0].actor, kNewResident);
  EXPECT_EQ(cancelled.events[0].reason, "cancelled by reporter: 已经自己办好了");
  EXPECT_TRUE(contains(only_text_to(cancelled, kWangPhone), "已被群众取消"));
  EXPECT_EQ(only_text_to(cancelled, kNewResident), "【连心桥】工单1已取消。");
  Effects after = sms(kNewResident, "查询");
  EXPECT_EQ(only_text_to(after, kNewResident), "【连心桥】您的工单：1号已取消");
}

TEST_F(OrdersTest, OnlyTheReporterCanCancel) {
  raise_repair_order("点单 维修 13900000009 屋顶漏水");
  Effects stranger = sms(kStrangerPhone, "取消 1");
  EXPECT_EQ(ticket(1).state, TicketState::dispatched);
  EXPECT_TRUE(contains(only_text_to(stranger, kStrangerPhone), "没有找到您的工单1"));
}

TEST_F(OrdersTest, UnsubscribeIsRecordedForResidentsAndMembers) {
  for (const char* phone : {kNewResident, kZhangSanPhone}) {
    Effects e = sms(phone, "退订");
    ASSERT_EQ(e.subscriptions.size(), 1u) << phone;
    EXPECT_EQ(e.subscriptions[0].phone, phone);
    EXPECT_FALSE(e.subscriptions[0].subscribed);
    EXPECT_EQ(e.subscriptions[0].at, now_);
    EXPECT_EQ(only_text_to(e, phone), "【连心桥】已退订通知。");
  }
}

// ---------------------------------------------------------------- lianxinctl order

TEST_F(OrdersTest, ControlSocketRaisesAnOrderForAMember) {
  Effects e = engine_.raise_order("m-li", "维修", " 村委会厕所堵了 ", std::nullopt, now_);
  check(e);
  ASSERT_FALSE(e.error) << e.diagnostic;
  ASSERT_EQ(e.tickets.size(), 1u);
  const Ticket& t = e.tickets[0].ticket;
  EXPECT_EQ(t.kind, TicketKind::order);
  EXPECT_EQ(t.team, "repair");
  EXPECT_EQ(t.raised_by, "m-li");
  EXPECT_EQ(t.reporter, kLiPhone);
  EXPECT_EQ(t.text, "村委会厕所堵了");
  EXPECT_EQ(t.assignee, "m-repair-lead");
  EXPECT_FALSE(t.inbound_id);
  EXPECT_TRUE(contains(only_text_to(e, kLiPhone), "点单已受理，工单1"));
  EXPECT_EQ(texts_to(e, kRepairLeaderPhone).size(), 1u);
}

TEST_F(OrdersTest, ControlSocketRaisesAnOrderForAResidentAsOperator) {
  Effects e = engine_.raise_order("operator:county", "repair", "屋顶漏水", "139-0000-0009", now_);
  check(e);
  ASSERT_FALSE(e.error) << e.diagnostic;
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.reporter, kNewResident);
  EXPECT_EQ(e.tickets[0].ticket.raised_by, "operator:county");
  EXPECT_EQ(e.events[0].actor, "operator:county");
  EXPECT_EQ(texts_to(e, kNewResident).size(), 1u);
}

struct CtlOrderCase {
  std::string raised_by;
  std::string team;
  std::string text;
  std::optional<std::string> resident;
  OrderError error;
};

class ControlSocketOrderErrors : public OrdersTest,
                                 public ::testing::WithParamInterface<CtlOrderCase> {};

TEST_P(ControlSocketOrderErrors, RefusedWithNothingChanged) {
  const CtlOrderCase& c = GetParam();
  Effects e = engine_.raise_order(c.raised_by, c.team, c.text, c.resident, now_);
  EXPECT_EQ(e.error, make_error_code(c.error)) << e.diagnostic;
  EXPECT_EQ(e.error.category().name(), std::string("lianxin.orders"));
  EXPECT_FALSE(e.diagnostic.empty());
  EXPECT_TRUE(e.tickets.empty());
  EXPECT_TRUE(e.sms.empty());
  EXPECT_EQ(engine_.next_ticket_number(), 1);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ControlSocketOrderErrors,
    ::testing::Values(
        CtlOrderCase{"m-nobody", "repair", "水管爆了", std::nullopt, OrderError::unknown_member},
        CtlOrderCase{"m-wang", "roads", "水管爆了", std::nullopt, OrderError::unknown_team},
        CtlOrderCase{"m-wang", "repair", "  ", std::nullopt, OrderError::empty_text},
        CtlOrderCase{"m-wang", "repair", "水管爆了", "12345", OrderError::invalid_phone},
        CtlOrderCase{"operator:county", "repair", "水管爆了", std::nullopt,
                     OrderError::no_reporter}));

TEST_F(OrdersTest, ControlSocketAcceptsAMemberPhone) {
  Effects e =
      engine_.raise_order("13800000101", "青石镇志愿服务队", "帮五保户买药", std::nullopt, now_);
  ASSERT_FALSE(e.error) << e.diagnostic;
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.raised_by, "m-wang");
  EXPECT_EQ(e.tickets[0].ticket.team, "volunteers");
}

}  // namespace
}  // namespace lianxin::domain
