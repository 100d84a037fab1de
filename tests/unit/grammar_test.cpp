#include "daemon/domain/grammar.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

std::string ticket_str(const std::optional<TicketNo>& t) {
  return t ? std::to_string(*t) : std::string("-");
}

// Readable form of a parse result, so a failing row says what came out.
std::string describe(const MemberCommand& c) {
  struct Visitor {
    std::string operator()(const Accept& a) const { return "Accept(" + ticket_str(a.ticket) + ")"; }
    std::string operator()(const Resolve& r) const {
      return "Resolve(" + ticket_str(r.ticket) + ", \"" + r.note + "\")";
    }
    std::string operator()(const HandBack& h) const {
      return "HandBack(" + ticket_str(h.ticket) + ", \"" + h.reason + "\")";
    }
    std::string operator()(const MyTickets&) const { return "MyTickets"; }
    std::string operator()(const MyPoints&) const { return "MyPoints"; }
    std::string operator()(const SignIn& s) const { return "SignIn(" + s.meeting_code + ")"; }
    std::string operator()(const Unsubscribe&) const { return "Unsubscribe"; }
    std::string operator()(const Unrecognized& u) const { return "Unrecognized(" + u.text + ")"; }
    std::string operator()(const MemberReport& r) const { return "MemberReport(" + r.text + ")"; }
    std::string operator()(const RaiseOrder& o) const {
      return "RaiseOrder(\"" + o.service + "\", \"" + o.resident + "\", \"" + o.text + "\")";
    }
    std::string operator()(const Assign& a) const {
      return "Assign(" + ticket_str(a.ticket) + ", \"" + a.assignee + "\")";
    }
    std::string operator()(const OnBehalf& b) const {
      return "OnBehalf(\"" + b.resident + "\", \"" + b.text + "\")";
    }
  };
  return std::visit(Visitor{}, c);
}

std::string describe(const ResidentCommand& c) {
  struct Visitor {
    std::string operator()(const Rate& r) const { return "Rate(" + std::to_string(r.score) + ")"; }
    std::string operator()(const Reopen&) const { return "Reopen"; }
    std::string operator()(const Query& q) const { return "Query(" + ticket_str(q.ticket) + ")"; }
    std::string operator()(const Cancel& c) const {
      return "Cancel(" + ticket_str(c.ticket) + ", \"" + c.reason + "\")";
    }
    std::string operator()(const Unsubscribe&) const { return "Unsubscribe"; }
    std::string operator()(const Report& r) const {
      return std::string(r.command_like ? "Report*(" : "Report(") + r.text + ")";
    }
  };
  return std::visit(Visitor{}, c);
}

// ---------------------------------------------------------------------------------------------
// Member grammar

struct MemberCase {
  std::string text;
  MemberCommand expected;
};

std::ostream& operator<<(std::ostream& os, const MemberCase& c) {
  return os << "\"" << c.text << "\" → " << describe(c.expected);
}

const std::vector<MemberCase> kMemberCases = {
    // accept
    {"接 123", Accept{123}},
    {"接123", Accept{123}},
    {"接单123", Accept{123}},
    {"接单 123", Accept{123}},
    {"JD123", Accept{123}},
    {"jd 123", Accept{123}},
    {"Jd123", Accept{123}},
    {"ＪＤ１２３", Accept{123}},
    {"接１２３", Accept{123}},
    {"接，１２３。", Accept{123}},
    {"接:123", Accept{123}},
    {"  接   123  ", Accept{123}},
    {"接\u3000123", Accept{123}},
    {"接123号", Accept{123}},
    {"接 #123", Accept{123}},
    {"接#123", Accept{123}},
    {"接第123号", Accept{123}},
    {"接 NO.123", Accept{123}},
    {"接单 一百二十三", Accept{123}},
    {"接一二三", Accept{123}},
    {"接单五", Accept{5}},
    {"接 0123", Accept{123}},
    {"接", Accept{std::nullopt}},
    {"接单", Accept{std::nullopt}},
    {"接单了", Accept{std::nullopt}},
    {"接！", Accept{std::nullopt}},
    {"JD", Accept{std::nullopt}},
    {"接123 马上去", Accept{123}},
    {"接123，好的", Accept{123}},
    // resolve
    {"完成 123 已修复", Resolve{123, "已修复"}},
    {"完成123已修复", Resolve{123, "已修复"}},
    {"办结123", Resolve{123, ""}},
    {"WC123 ok", Resolve{123, "ok"}},
    {"wc123 OK", Resolve{123, "OK"}},
    {"wc 123", Resolve{123, ""}},
    {"完成，已修复", Resolve{std::nullopt, "已修复"}},
    {"完成", Resolve{std::nullopt, ""}},
    {"已完成", Resolve{std::nullopt, ""}},
    {"已完成 45 路灯已换新", Resolve{45, "路灯已换新"}},
    {"完成１２３，路灯已换，村民满意。", Resolve{123, "路灯已换，村民满意"}},
    {"完成 #88 换了2个灯泡", Resolve{88, "换了2个灯泡"}},
    {"完成 一切正常", Resolve{std::nullopt, "一切正常"}},
    {"完成两盏灯都修好了", Resolve{std::nullopt, "两盏灯都修好了"}},
    {"完成 十二 水管接好了", Resolve{12, "水管接好了"}},
    {"办结 7号 纠纷已调解", Resolve{7, "纠纷已调解"}},
    {"BJ7", Resolve{7, ""}},
    {"完成维修", Resolve{std::nullopt, "维修"}},
    // hand back
    {"退 123 不在村", HandBack{123, "不在村"}},
    {"退123不在村", HandBack{123, "不在村"}},
    {"TH123", HandBack{123, ""}},
    {"th 123 人在外地", HandBack{123, "人在外地"}},
    {"退单123 人在外地", HandBack{123, "人在外地"}},
    {"退回 9 不归我管", HandBack{9, "不归我管"}},
    {"退，生病住院了", HandBack{std::nullopt, "生病住院了"}},
    {"退", HandBack{std::nullopt, ""}},
    {"TH", HandBack{std::nullopt, ""}},
    {"退 12", HandBack{12, ""}},
    {"退十二", HandBack{12, ""}},
    // lists, points
    {"我的", MyTickets{}},
    {"WD", MyTickets{}},
    {"wd", MyTickets{}},
    {"我的。", MyTickets{}},
    {"我 的", MyTickets{}},
    {"我的工单", MyTickets{}},
    {"积分", MyPoints{}},
    {"JF", MyPoints{}},
    {"ｊｆ", MyPoints{}},
    {"我的积分", MyPoints{}},
    {"积分？", MyPoints{}},
    {"退订，谢谢", Unsubscribe{}},
    {"完成 第 12 号", Resolve{12, ""}},
    {"完成 12 号 已修", Resolve{12, "已修"}},
    // sign in
    {"签到 M12", SignIn{"M12"}},
    {"QD M12", SignIn{"M12"}},
    {"qd m12", SignIn{"M12"}},
    {"签到m12", SignIn{"M12"}},
    {"签到：Ｍ１２", SignIn{"M12"}},
    {"签到 M-12", SignIn{"M12"}},
    {"签到 m12 张三", SignIn{"M12"}},
    {"签到 2024A", SignIn{"2024A"}},
    // unsubscribe vs hand back
    {"退订", Unsubscribe{}},
    {"TD", Unsubscribe{}},
    {"td", Unsubscribe{}},
    {"退订。", Unsubscribe{}},
    {"退 订", Unsubscribe{}},
    {"退订12", Unrecognized{"退订12"}},
    {"TD 12", Unrecognized{"TD 12"}},
    {"TD12", Unrecognized{"TD12"}},
    // malformed command attempts
    {"接 abc", Unrecognized{"接 abc"}},
    {"接 12a", Unrecognized{"接 12a"}},
    {"接 12 13", Unrecognized{"接 12 13"}},
    {"接 0", Unrecognized{"接 0"}},
    {"接 1234567890123", Unrecognized{"接 1234567890123"}},
    {"完成完成", Unrecognized{"完成完成"}},
    {"接单完成", Unrecognized{"接单完成"}},
    {"接 123 退", Unrecognized{"接 123 退"}},
    {"JDX", Unrecognized{"JDX"}},
    {"QDM12", Unrecognized{"QDM12"}},
    {"签到", Unrecognized{"签到"}},
    {"签到了", Unrecognized{"签到了"}},
    {"123", Unrecognized{"123"}},
    {"#123", Unrecognized{"#123"}},
    {"ok", Unrecognized{"ok"}},
    {"收到", Unrecognized{"收到"}},
    {"好的，收到", Unrecognized{"好的，收到"}},
    {"收到，我马上过去处理，大概半小时后到，请村民稍等一下",
     Unrecognized{"收到，我马上过去处理，大概半小时后到，请村民稍等一下"}},
    {"已经修好了", Unrecognized{"已经修好了"}},
    {"123号已经修好了请查看", Unrecognized{"123号已经修好了请查看"}},
    {"路灯坏了", Unrecognized{"路灯坏了"}},
    {"", Unrecognized{""}},
    {"   ", Unrecognized{""}},
    {"  接 abc  ", Unrecognized{"接 abc"}},
    // members are villagers too
    {"我家门口的路灯坏了，接线的地方冒火花，请尽快完成维修",
     MemberReport{"我家门口的路灯坏了，接线的地方冒火花，请尽快完成维修"}},
    {"接线盒进水了，整条街都停电了", MemberReport{"接线盒进水了，整条街都停电了"}},
    {"退休金这个月还没有到账", MemberReport{"退休金这个月还没有到账"}},
    {"3号楼漏水很严重，请派人来看看", MemberReport{"3号楼漏水很严重，请派人来看看"}},
    {"村口两盏路灯杆被大风刮倒了", MemberReport{"村口两盏路灯杆被大风刮倒了"}},
    {"  村口垃圾三天没人清运了  ", MemberReport{"村口垃圾三天没人清运了"}},
    {"水管正在漏水，马上要淹到屋里了", MemberReport{"水管正在漏水，马上要淹到屋里了"}},
    // 网格点单: a grid member raises a need for a service team
    {"点单 维修 王大妈家水管爆了", RaiseOrder{"维修", "", "王大妈家水管爆了"}},
    {"点单维修 王大妈家水管爆了", RaiseOrder{"维修", "", "王大妈家水管爆了"}},
    {"点单：维修，王大妈家水管爆了。", RaiseOrder{"维修", "", "王大妈家水管爆了"}},
    {"点单维修王大妈家水管爆了", RaiseOrder{"维修王大妈家水管爆了", "", ""}},
    {"DD 维修 王大妈家水管爆了", RaiseOrder{"维修", "", "王大妈家水管爆了"}},
    {"dd　志愿服务队　独居老人要送医", RaiseOrder{"志愿服务队", "", "独居老人要送医"}},
    {"ＤＤ维修，厕所堵了", RaiseOrder{"维修", "", "厕所堵了"}},
    {"点单 维修 13800000001 王大妈家水管爆了",
     RaiseOrder{"维修", "13800000001", "王大妈家水管爆了"}},
    {"点单 13800000001 维修 王大妈家水管爆了",
     RaiseOrder{"维修", "13800000001", "王大妈家水管爆了"}},
    {"点单 维修 138 0000 0001 水管爆了", RaiseOrder{"维修", "13800000001", "水管爆了"}},
    {"点单 维修 3号楼水管爆了", RaiseOrder{"维修", "", "3号楼水管爆了"}},
    {"点单 维修", RaiseOrder{"维修", "", ""}},
    {"点单", RaiseOrder{"", "", ""}},
    {"点单的事情什么时候有人管", RaiseOrder{"的事情什么时候有人管", "", ""}},
    // 团长派单: a team leader hands a ticket to a team member
    {"派 123 张三", Assign{123, "张三"}},
    {"派123张三", Assign{123, "张三"}},
    {"派单 123 张三", Assign{123, "张三"}},
    {"派单123 张三 今天去", Assign{123, "张三 今天去"}},
    {"PD123 张三", Assign{123, "张三"}},
    {"pd 12 m-vol-1", Assign{12, "m-vol-1"}},
    {"派 一二三 张三", Assign{123, "张三"}},
    {"派，１２３，张三。", Assign{123, "张三"}},
    {"派 #123 张三", Assign{123, "张三"}},
    {"派 张三", Assign{std::nullopt, "张三"}},
    {"派 123", Assign{123, ""}},
    {"派", Assign{std::nullopt, ""}},
    {"派 12a 张三", Unrecognized{"派 12a 张三"}},
    // 代办: a helper reports for a resident
    {"代 13800000001 想办残疾证", OnBehalf{"13800000001", "想办残疾证"}},
    {"代13800000001想办残疾证", OnBehalf{"13800000001", "想办残疾证"}},
    {"代 138-0000-0001 想办残疾证", OnBehalf{"13800000001", "想办残疾证"}},
    {"代 +86 138 0000 0001 低保没到账", OnBehalf{"+8613800000001", "低保没到账"}},
    {"代 8613800000001 低保没到账", OnBehalf{"8613800000001", "低保没到账"}},
    {"代 0571-87654321 路灯坏了", OnBehalf{"057187654321", "路灯坏了"}},
    {"代，１３８０００００００１，想办残疾证", OnBehalf{"13800000001", "想办残疾证"}},
    {"代办 13800000001 想办残疾证", OnBehalf{"13800000001", "想办残疾证"}},
    {"代报13800000001 家里漏水", OnBehalf{"13800000001", "家里漏水"}},
    {"DB 13800000001 想办残疾证", OnBehalf{"13800000001", "想办残疾证"}},
    {"代 13800000001 3号楼漏水", OnBehalf{"13800000001", "3号楼漏水"}},
    {"代 12345 路灯坏了", OnBehalf{"", "12345 路灯坏了"}},
    {"代 王大妈 想办残疾证", OnBehalf{"", "王大妈 想办残疾证"}},
    {"代", OnBehalf{"", ""}},
    // ... and prose that starts with the same characters stays a report
    {"派出所民警来过了，纠纷已经调解好了", MemberReport{"派出所民警来过了，纠纷已经调解好了"}},
    {"派人来看看吧，村口路灯杆倒了", MemberReport{"派人来看看吧，村口路灯杆倒了"}},
    {"代表来了说要修村里的路", MemberReport{"代表来了说要修村里的路"}},
    {"代办证件需要带什么材料", MemberReport{"代办证件需要带什么材料"}},
    {"代报名的老人名单还没有交", MemberReport{"代报名的老人名单还没有交"}},
    {"DDR内存条坏了电脑开不了机", MemberReport{"DDR内存条坏了电脑开不了机"}},
};

class MemberGrammar : public ::testing::TestWithParam<MemberCase> {};

TEST_P(MemberGrammar, Parses) {
  const MemberCase& c = GetParam();
  EXPECT_EQ(describe(parse_member_message(c.text)), describe(c.expected));
  EXPECT_EQ(parse_member_message(c.text), c.expected);
  const bool is_report = std::holds_alternative<MemberReport>(c.expected);
  EXPECT_EQ(looks_like_command_attempt(c.text), !is_report);
}

INSTANTIATE_TEST_SUITE_P(Table, MemberGrammar, ::testing::ValuesIn(kMemberCases));

// ---------------------------------------------------------------------------------------------
// Resident grammar

struct ResidentCase {
  std::string text;
  ResidentCommand expected;
};

std::ostream& operator<<(std::ostream& os, const ResidentCase& c) {
  return os << "\"" << c.text << "\" → " << describe(c.expected);
}

Report report(std::string text, bool command_like = false) {
  return Report{std::move(text), command_like};
}

const std::vector<ResidentCase> kResidentCases = {
    // ratings
    {"5", Rate{5}},
    {"５", Rate{5}},
    {"五", Rate{5}},
    {"5分", Rate{5}},
    {"５分", Rate{5}},
    {"五分", Rate{5}},
    {"5星", Rate{5}},
    {" 5 ", Rate{5}},
    {"5。", Rate{5}},
    {"5!", Rate{5}},
    {"4", Rate{4}},
    {"四", Rate{4}},
    {"3", Rate{3}},
    {"三分", Rate{3}},
    {"2", Rate{2}},
    {"两", Rate{2}},
    {"二", Rate{2}},
    {"1", Rate{1}},
    {"一", Rate{1}},
    {"壹", Rate{1}},
    {"满意", Rate{5}},
    {"满意！", Rate{5}},
    {"满意了", Rate{5}},
    {"满意，谢谢", Rate{5}},
    {"满意谢谢你", Rate{5}},
    {"很满意", Rate{5}},
    {"非常满意", Rate{5}},
    {"非常满意！！！", Rate{5}},
    {"五星好评", Rate{5}},
    {"基本满意", Rate{4}},
    {"比较满意", Rate{4}},
    {"还行", Rate{4}},
    {"一般", Rate{3}},
    {"不满意", Rate{2}},
    {"不满意。", Rate{2}},
    {"不太满意", Rate{2}},
    {"很不满意", Rate{1}},
    {"非常不满意", Rate{1}},
    {"太差", Rate{1}},
    // reopen
    {"0", Reopen{}},
    {"０", Reopen{}},
    {"零", Reopen{}},
    {"〇", Reopen{}},
    {"0分", Reopen{}},
    {"未解决", Reopen{}},
    {"没修好", Reopen{}},
    {"没修好！", Reopen{}},
    {"没有解决", Reopen{}},
    {"还没修", Reopen{}},
    {"还没修好", Reopen{}},
    {"还是坏的", Reopen{}},
    {"还是坏了", Reopen{}},
    {"没解决啊", Reopen{}},
    {"没修好，还是不亮", Reopen{}},
    {"还没修好 晚上还是黑的", Reopen{}},
    {"满意，师傅辛苦了", Rate{5}},
    {"不满意，来得太晚了", Rate{2}},
    {"5分满意", Rate{5}},
    {"满意 5分", Rate{5}},
    {"4分，基本满意", Rate{4}},
    {"0 没修好", Reopen{}},
    {"3，楼道灯坏了", report("3，楼道灯坏了")},
    {"满意度不高的原因是什么", report("满意度不高的原因是什么")},
    {"退订谢谢", Unsubscribe{}},
    {"退订，谢谢！", Unsubscribe{}},
    {"满意呀", Rate{5}},
    {"修好了吗", report("修好了吗")},
    // query
    {"查询", Query{std::nullopt}},
    {"CX", Query{std::nullopt}},
    {"cx", Query{std::nullopt}},
    {"查询 123", Query{123}},
    {"查询123号", Query{123}},
    {"CX123", Query{123}},
    {"cx 45", Query{45}},
    {"查", Query{std::nullopt}},
    {"查 12", Query{12}},
    {"进度", Query{std::nullopt}},
    {"查询低保政策", report("查询低保政策")},
    {"查一下我家低保的事", report("查一下我家低保的事")},
    // cancel
    {"取消 123", Cancel{123, ""}},
    {"取消123", Cancel{123, ""}},
    {"取消１２３", Cancel{123, ""}},
    {"取消", Cancel{std::nullopt, ""}},
    {"取消 12 已经自己修好了", Cancel{12, "已经自己修好了"}},
    {"QX12", Cancel{12, ""}},
    {"取消低保资格的事想咨询一下", report("取消低保资格的事想咨询一下")},
    // unsubscribe
    {"退订", Unsubscribe{}},
    {"TD", Unsubscribe{}},
    {"td", Unsubscribe{}},
    {"ＴＤ", Unsubscribe{}},
    // numbers that are not ratings
    {"6", report("6", true)},
    {"12", report("12", true)},
    {"123", report("123", true)},
    {"９", report("９", true)},
    {"ok", report("ok", true)},
    {"接 123", report("接 123", true)},
    {"退订12", report("退订12", true)},
    {"", report("", true)},
    // reports
    {"3号楼漏水", report("3号楼漏水")},
    {"5号路灯不亮了", report("5号路灯不亮了")},
    {"5组的垃圾好几天没人收", report("5组的垃圾好几天没人收")},
    {"五保户家的屋顶漏雨", report("五保户家的屋顶漏雨")},
    {"满意度调查是什么", report("满意度调查是什么")},
    {"不满意的话怎么投诉", report("不满意的话怎么投诉")},
    {"村口两盏路灯杆被大风刮倒了", report("村口两盏路灯杆被大风刮倒了")},
    {"  村口两盏路灯杆被大风刮倒了\n", report("村口两盏路灯杆被大风刮倒了")},
    {"我家门口的路灯坏了，接线的地方冒火花，请尽快完成维修",
     report("我家门口的路灯坏了，接线的地方冒火花，请尽快完成维修")},
    {"邻居家违建挡住了我家的路。", report("邻居家违建挡住了我家的路。")},
    {"东坑村 王大爷家 水管爆了", report("东坑村 王大爷家 水管爆了")},
    // member-only commands (点单, 派, 代) never turn a villager's report into help ...
    {"派出所的人什么时候来", report("派出所的人什么时候来")},
    {"代表说路会修的，到现在没动静", report("代表说路会修的，到现在没动静")},
    {"点单外卖被骗了200块钱", report("点单外卖被骗了200块钱")},
    {"代办残疾证要去哪里", report("代办残疾证要去哪里")},
    // ... but a villager copying one gets help rather than a ticket
    {"代 13800000001 想办残疾证", report("代 13800000001 想办残疾证", true)},
    {"派 123 张三", report("派 123 张三", true)},
};

class ResidentGrammar : public ::testing::TestWithParam<ResidentCase> {};

TEST_P(ResidentGrammar, Parses) {
  const ResidentCase& c = GetParam();
  EXPECT_EQ(describe(parse_resident_message(c.text)), describe(c.expected));
  EXPECT_EQ(parse_resident_message(c.text), c.expected);
}

INSTANTIATE_TEST_SUITE_P(Table, ResidentGrammar, ::testing::ValuesIn(kResidentCases));

TEST(Grammar, TicketNumbers) {
  EXPECT_EQ(parse_ticket_number("123"), 123);
  EXPECT_EQ(parse_ticket_number("#123"), 123);
  EXPECT_EQ(parse_ticket_number("１２３号"), 123);
  EXPECT_EQ(parse_ticket_number("第123号"), 123);
  EXPECT_EQ(parse_ticket_number("一百二十三"), 123);
  EXPECT_EQ(parse_ticket_number("No.45"), 45);
  EXPECT_EQ(parse_ticket_number("0"), std::nullopt);
  EXPECT_EQ(parse_ticket_number("12a"), std::nullopt);
  EXPECT_EQ(parse_ticket_number("12 13"), std::nullopt);
  EXPECT_EQ(parse_ticket_number("abc"), std::nullopt);
  EXPECT_EQ(parse_ticket_number(""), std::nullopt);
  EXPECT_EQ(parse_ticket_number("999999999999"), 999999999999);
  EXPECT_EQ(parse_ticket_number("1000000000000"), std::nullopt);
}

TEST(Grammar, CommandNames) {
  EXPECT_EQ(command_name(parse_member_message("接 1")), "accept");
  EXPECT_EQ(command_name(parse_member_message("完成 1")), "resolve");
  EXPECT_EQ(command_name(parse_member_message("路灯坏了")), "unrecognized");
  EXPECT_EQ(command_name(parse_member_message("村口两盏路灯杆被大风刮倒了")), "member_report");
  EXPECT_EQ(command_name(parse_member_message("点单 维修 水管爆了")), "raise_order");
  EXPECT_EQ(command_name(parse_member_message("派 1 张三")), "assign");
  EXPECT_EQ(command_name(parse_member_message("代 13800000001 想办残疾证")), "on_behalf");
  EXPECT_EQ(command_name(parse_resident_message("5")), "rate");
  EXPECT_EQ(command_name(parse_resident_message("路灯坏了")), "report");
}

// Invalid UTF-8 and hostile bytes never crash and never produce a command by accident.
TEST(Grammar, InvalidUtf8DoesNotCrash) {
  const std::vector<std::string> inputs = {
      std::string("\xff\xfe\xfd"),
      std::string("\xe6\x8e"),               // truncated 接
      std::string("\xe6\x8e\xa5 \xff 123"),  // 接 <bad> 123
      std::string("\xc0\xaf"),               // overlong '/'
      std::string("\xed\xa0\x80"),           // surrogate
      std::string("\xf4\x90\x80\x80"),       // > U+10FFFF
      std::string("5\x80"),                  // stray continuation
      std::string("\x80\x80\x80\x80 5"),
      std::string("\0\0\0", 3),
      std::string(1000, '\xe4'),
      std::string("完成 12 ") + std::string("\xe5\xb7", 2),
  };
  for (const std::string& in : inputs) {
    const MemberCommand member = parse_member_message(in);
    const ResidentCommand resident = parse_resident_message(in);
    (void)looks_like_command_attempt(in);
    (void)parse_ticket_number(in);
    // Whatever comes back must be valid UTF-8 (the replacement character stands in).
    std::string out = describe(member) + describe(resident);
    const std::u32string round = sms::utf8_to_code_points(out);
    EXPECT_EQ(sms::code_points_to_utf8(round), out);
  }
  // A broken byte in the middle of the number does not make it a different number.
  EXPECT_EQ(parse_member_message(std::string("\xe6\x8e\xa5 1\xff"
                                             "23")),
            (MemberCommand{Unrecognized{"\xe6\x8e\xa5 1\xef\xbf\xbd"
                                        "23"}}));
  EXPECT_EQ(parse_resident_message(std::string("5\x80")),
            (ResidentCommand{report("5\xef\xbf\xbd", true)}));
  // A broken note is kept with replacement characters.
  EXPECT_EQ(parse_member_message(std::string("完成 12 \xff")),
            (MemberCommand{Resolve{12, "\xef\xbf\xbd"}}));
}

// Random messages built from keyword fragments, digits, full-width forms and broken bytes: the
// parsers never crash, return valid UTF-8, and ignore surrounding whitespace.
TEST(Grammar, RandomMessagesAreStable) {
  const std::vector<std::string> pieces = {
      "接",   "单",   "完成",     "退",     "订",   "TD", "th",     "JD",   "wc",   "签到",
      "m",    "12",   "１２",     "0",      "5",    "五", "十",     "百",   "号",   "#",
      "，",   "。",   " ",        "\u3000", "满意", "不", "没修好", "查询", "取消", "路灯",
      "坏了", "\xff", "\xe6\x8e", "\x80",   "a",    "?",  "谢谢",   "了"};
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<std::size_t> count(0, 8);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  for (int round = 0; round < 20000; ++round) {
    std::string message;
    for (std::size_t n = count(rng); n > 0; --n) message += pieces[pick(rng)];
    const MemberCommand member = parse_member_message(message);
    const ResidentCommand resident = parse_resident_message(message);
    EXPECT_EQ(member, parse_member_message(" " + message + "\u3000")) << message;
    EXPECT_EQ(resident, parse_resident_message("\t" + message + " ")) << message;
    const std::string out = describe(member) + describe(resident);
    ASSERT_EQ(sms::code_points_to_utf8(sms::utf8_to_code_points(out)), out) << message;
    if (const auto* accept = std::get_if<Accept>(&member); accept && accept->ticket) {
      EXPECT_GT(*accept->ticket, 0) << message;
    }
    if (const auto* rate = std::get_if<Rate>(&resident)) {
      EXPECT_GE(rate->score, 1) << message;
      EXPECT_LE(rate->score, 5) << message;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Normalisation

TEST(Normalize, Utf8Reader) {
  EXPECT_EQ(sms::utf8_to_code_points("a接𠀀"), (std::u32string{U'a', U'接', U'\U00020000'}));
  // A truncated sequence is one U+FFFD (the maximal invalid subpart; the one decoder's policy).
  EXPECT_EQ(sms::utf8_to_code_points("\xe6\x8e"), (std::u32string{sms::replacement_character}));
  EXPECT_EQ(sms::utf8_to_code_points("\xe6\x8e"
                                     "a"),
            (std::u32string{sms::replacement_character, U'a'}));
  EXPECT_EQ(sms::utf8_to_code_points("\xc0\xaf"),
            (std::u32string{sms::replacement_character, sms::replacement_character}));
  EXPECT_EQ(sms::utf8_to_code_points("\xed\xa0\x80").front(), sms::replacement_character);
  EXPECT_EQ(sms::utf8_to_code_points("\xf4\x90\x80\x80").front(), sms::replacement_character);
  EXPECT_EQ(sms::utf8_to_code_points("\xf0\x9f\x98\x80"), std::u32string{U'\U0001F600'});
  EXPECT_EQ(sms::code_points_to_utf8(U"接单123"), "接单123");
  std::string out;
  sms::append_utf8(out, 0xD800);
  sms::append_utf8(out, 0x110000);
  EXPECT_EQ(out, "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(Normalize, HalfWidth) {
  EXPECT_EQ(text::to_half_width("１２３ＡＢＣａｂｃ"), "123ABCabc");
  EXPECT_EQ(text::to_half_width("，。！？：；（）"), ",.!?:;()");
  EXPECT_EQ(text::to_half_width("接\u3000单"), "接 单");
  EXPECT_EQ(text::to_half_width("、"), ",");
  EXPECT_EQ(text::to_half_width("路灯坏了"), "路灯坏了");
}

TEST(Normalize, Whitespace) {
  EXPECT_EQ(text::collapse_whitespace("  接 \t\n 123  "), "接 123");
  EXPECT_EQ(text::collapse_whitespace("\u3000\u3000接\u3000\u3000单\u3000"), "接 单");
  EXPECT_EQ(text::collapse_whitespace(""), "");
  EXPECT_EQ(text::collapse_whitespace(" \u00a0 "), "");
}

TEST(Normalize, SurroundingPunctuation) {
  EXPECT_EQ(text::strip_surrounding_punctuation("，接123。"), "接123");
  EXPECT_EQ(text::strip_surrounding_punctuation("【连心桥】满意！！"), "连心桥】满意");
  EXPECT_EQ(text::strip_surrounding_punctuation("  “满意”  "), "满意");
  EXPECT_EQ(text::strip_surrounding_punctuation("5👍"), "5");
  EXPECT_EQ(text::strip_surrounding_punctuation("!!!"), "");
}

TEST(Normalize, ForMatching) {
  EXPECT_EQ(text::normalize_for_matching("  jd　１２３。 "), "JD 123");
  EXPECT_EQ(text::normalize_for_matching("Qd m12"), "QD M12");
  EXPECT_EQ(text::normalize_for_matching("接，１２３。"), "接,123");
  const text::MatchText m = text::prepare_for_matching(" 完成，ｏｋ！ ");
  EXPECT_EQ(m.key, U"完成,OK");
  EXPECT_EQ(m.original, U"完成，ｏｋ");
}

struct NumeralCase {
  std::string text;
  std::optional<std::int64_t> value;
};

TEST(Normalize, ChineseNumerals) {
  const std::vector<NumeralCase> cases = {
      {"零", 0},
      {"〇", 0},
      {"一", 1},
      {"两", 2},
      {"五", 5},
      {"九", 9},
      {"十", 10},
      {"十二", 12},
      {"二十", 20},
      {"二十三", 23},
      {"一百", 100},
      {"一百零五", 105},
      {"一百一十", 110},
      {"一百二", 120},
      {"一百二十三", 123},
      {"两百", 200},
      {"一千零五十", 1050},
      {"三千四百五十六", 3456},
      {"一万", 10000},
      {"两万三", 23000},
      {"十万", 100000},
      {"一万零一", 10001},
      {"一亿", 100000000},
      {"一二三", 123},
      {"二〇二四", 2024},
      {"壹佰贰拾叁", 123},
      {"九千九百九十九亿九千九百九十九万九千九百九十九", 999999999999},
      {"", std::nullopt},
      {"百", std::nullopt},
      {"十十", std::nullopt},
      {"二十百", std::nullopt},
      {"一二十", std::nullopt},
      {"万", std::nullopt},
      {"一万二万", std::nullopt},
      {"一万亿", std::nullopt},
      {"五个", std::nullopt},
      {"一二三四五六七八九〇一二三", std::nullopt},
  };
  for (const NumeralCase& c : cases) {
    EXPECT_EQ(text::parse_chinese_number(c.text), c.value) << c.text;
  }
  EXPECT_EQ(text::parse_number("１２"), 12);
  EXPECT_EQ(text::parse_number(" 42 "), 42);
  EXPECT_EQ(text::parse_number("十二"), 12);
  EXPECT_EQ(text::parse_number("12a"), std::nullopt);
  EXPECT_EQ(text::parse_number("1234567890123"), std::nullopt);
}

TEST(Normalize, CharacterClasses) {
  EXPECT_TRUE(text::is_cjk_ideograph(U'接'));
  EXPECT_TRUE(text::is_cjk_ideograph(U'〇'));
  EXPECT_FALSE(text::is_cjk_ideograph(U'，'));
  EXPECT_TRUE(text::is_punctuation(U'，'));
  EXPECT_TRUE(text::is_punctuation(U'【'));
  EXPECT_TRUE(text::is_punctuation(U'#'));
  EXPECT_FALSE(text::is_punctuation(U'a'));
  EXPECT_FALSE(text::is_punctuation(sms::replacement_character));
  EXPECT_TRUE(text::is_space(U'\u3000'));
  EXPECT_FALSE(text::is_space(U'_'));
}

}  // namespace
}  // namespace lianxin::domain
