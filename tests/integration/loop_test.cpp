// The whole ticket loop through the real lianxind and the simulator: reports and member
// commands (loop_fixture.hpp says how).
#include "tests/integration/loop_fixture.hpp"

namespace lianxin::testing {
namespace {

using namespace loop;

// ---- Reports ----

TEST_F(LoopTest, ThreePartChineseReportOutOfOrderIsOneTicket) {
  ASSERT_NO_FATAL_FAILURE(start());
  // 16-bit UDH references, parts arriving 3, 1, 2.
  ASSERT_TRUE(deliver_command(Json::object({{"from", kWang},
                                            {"text", kLongReport},
                                            {"encoding", "ucs2"},
                                            {"split", "udh16"},
                                            {"order", Json::array({3, 1, 2})}})));
  const auto confirmation = sms_to(kWang, "工单号");
  ASSERT_TRUE(confirmation);
  const auto tickets = tickets_of(kWang);
  ASSERT_EQ(tickets.size(), 1u);
  const domain::Ticket& t = tickets.front();
  EXPECT_EQ(t.text, kLongReport);
  EXPECT_EQ(t.grid, std::optional<std::string>("g-daxi"));
  EXPECT_EQ(t.state, TicketState::dispatched);
  EXPECT_EQ(number_after(*confirmation, "工单号"), std::optional<TicketNo>(t.number));

  // The dispatch SMS (itself several parts) carries the whole report, the village, and the
  // villager's number masked.
  const auto dispatch =
      sim_->wait_for("message", [&](const Json& e) { return !ends_with(e["to"].str(), kWang); });
  ASSERT_TRUE(dispatch);
  const std::string text = (*dispatch)["text"].str();
  EXPECT_TRUE(ends_with((*dispatch)["to"].str(), kMemberPhones.at(*t.assignee))) << text;
  EXPECT_GT((*dispatch)["parts"].integer(), 1) << dispatch->dump();
  EXPECT_TRUE(contains(text, "新工单" + std::to_string(t.number) + "：大溪边村")) << text;
  EXPECT_TRUE(contains(text, kLongReport)) << text;
  EXPECT_TRUE(contains(text, "138****0053")) << text;
  EXPECT_FALSE(contains(text, kWang)) << text;
  EXPECT_EQ(inbox_rows_from(kWang), 3);
}

// ---- Member commands ----

TEST_F(LoopTest, AcceptInEveryForm) {
  ASSERT_NO_FATAL_FAILURE(start());
  struct Case {
    const char* villager;
    const char* report;
    std::string (*command)(const std::string& ticket);
  };
  const Case cases[] = {
      {kZhang, "村口路灯坏了，晚上很黑", [](const std::string& n) { return "接 " + n; }},
      {kLi, "石塘村祠堂边的水管漏水了", [](const std::string& n) { return "JD " + n; }},
      {kZhao, "下淤村桥头的垃圾好几天没人清运了", [](const std::string& n) { return "接单" + n; }},
      {kSun, "白沙街路面塌了一个大坑", [](const std::string& n) { return "接" + full_width(n); }},
  };
  for (const Case& c : cases) {
    const auto filed = report(c.villager, c.report);
    ASSERT_TRUE(filed) << c.report;
    const std::string command = c.command(filed->ticket);
    const auto reply = exchange(filed->member, command, "已接单" + filed->ticket);
    ASSERT_TRUE(reply) << command;
    EXPECT_TRUE(contains(*reply, "完成" + filed->ticket)) << *reply;
    ASSERT_TRUE(wait_state(filed->number, TicketState::accepted)) << command;
    const auto t = ticket(filed->number);
    EXPECT_TRUE(t->accepted_at) << command;
    const auto events = history(filed->number);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().to, TicketState::accepted);
    EXPECT_EQ(events.back().actor, filed->member_id);
  }
}

TEST_F(LoopTest, ResolveFormsAndRatingsCloseTicketsAndEarnPoints) {
  ASSERT_NO_FATAL_FAILURE(start());
  struct Case {
    const char* villager;
    const char* report;
    const char* resolve;  // {} is the ticket number
    const char* resolution;
    const char* rating;
    int stars;
  };
  const Case cases[] = {
      {kZhang, "村口路灯坏了，晚上很黑", "完成 {} 已修复", "已修复", "5", 5},
      {kLi, "石塘村祠堂边的水管漏水了", "办结{}", "", "５", 5},
      {kWang, "老樟树下的垃圾桶满了没人清运", "WC {} ok", "ok", "五", 5},
      {kZhao, "下淤村桥头的路灯不亮了", "完成{} 换了灯泡", "换了灯泡", "满意", 5},
      {kSun, "白沙街路面塌了一个大坑", "办结 {} 已填平", "已填平", "1", 1},
  };
  std::map<std::string, long long> expected_points;
  for (const Case& c : cases) {
    const auto filed = report(c.villager, c.report);
    ASSERT_TRUE(filed) << c.report;
    std::string resolve = c.resolve;
    resolve.replace(resolve.find("{}"), 2, filed->ticket);

    ASSERT_TRUE(deliver(filed->member, resolve));
    const auto done = sms_to(filed->member, "工单" + filed->ticket + "已办结");
    ASSERT_TRUE(done) << resolve;
    const auto ask = sms_to(c.villager, "（工单" + filed->ticket + "）。回复5表示满意");
    ASSERT_TRUE(ask) << resolve;
    ASSERT_TRUE(wait_state(filed->number, TicketState::resolved)) << resolve;
    EXPECT_EQ(ticket(filed->number)->resolution, c.resolution) << resolve;

    const auto thanks = exchange(c.villager, c.rating, "谢谢您的评价！工单" + filed->ticket);
    ASSERT_TRUE(thanks) << c.rating;
    // The default rating points, signed around a neutral 3.
    const int points = std::array{-5, -3, 0, 5, 10}[static_cast<std::size_t>(c.stars - 1)];
    const auto rated =
        sms_to(filed->member, "工单" + filed->ticket + "群众评价" + std::to_string(c.stars) +
                                  "分，积分" + (points >= 0 ? "+" : "") + std::to_string(points));
    EXPECT_TRUE(rated) << c.rating;
    ASSERT_TRUE(wait_state(filed->number, TicketState::closed)) << c.rating;
    const auto t = ticket(filed->number);
    EXPECT_EQ(t->rating, std::optional<int>(c.stars)) << c.rating;
    EXPECT_EQ(t->close_reason, domain::CloseReason::rated) << c.rating;
    expected_points[filed->member_id] += points;
  }
  for (const auto& [member, points] : expected_points) EXPECT_EQ(points_of(member), points);
}

TEST_F(LoopTest, HandBackGoesToTheNextCandidate) {
  ASSERT_NO_FATAL_FAILURE(start());
  const auto filed = report(kZhang, "大溪边村老樟树下的路灯杆歪了");
  ASSERT_TRUE(filed);

  // 退 N reason: the next member of the grid gets it, with the reason.
  ASSERT_TRUE(deliver(filed->member, "退 " + filed->ticket + " 不在村"));
  const auto handed = sms_to(filed->member, "工单" + filed->ticket + "已退回，改派");
  ASSERT_TRUE(handed);
  const auto over = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "转来工单" + filed->ticket + "（前一位退回：不在村）");
  });
  ASSERT_TRUE(over);
  const std::string second = (*over)["to"].str().substr((*over)["to"].str().size() - 11);
  EXPECT_NE(second, filed->member);
  EXPECT_TRUE(contains((*over)["text"].str(), masked(kZhang))) << (*over)["text"].str();
  auto t = ticket(filed->number);
  ASSERT_TRUE(t && t->assignee);
  EXPECT_EQ(kMemberPhones.at(*t->assignee), second);
  EXPECT_EQ(t->state, TicketState::dispatched);
  EXPECT_EQ(t->tried, (std::vector<std::string>{filed->member_id, *t->assignee}));

  // TH N without a reason: a third member.
  ASSERT_TRUE(deliver(second, "TH" + filed->ticket));
  ASSERT_TRUE(sms_to(second, "工单" + filed->ticket + "已退回"));
  const auto third_sms = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "转来工单" + filed->ticket + "（前一位退回：未说明）");
  });
  ASSERT_TRUE(third_sms);
  t = ticket(filed->number);
  ASSERT_TRUE(t && t->assignee);
  const std::string third = kMemberPhones.at(*t->assignee);
  EXPECT_TRUE(ends_with((*third_sms)["to"].str(), third));
  EXPECT_NE(third, filed->member);
  EXPECT_NE(third, second);
  EXPECT_EQ(t->tried.size(), 3u);

  // The first member no longer holds it.
  const auto not_yours =
      exchange(filed->member, "接 " + filed->ticket, "工单" + filed->ticket + "不是派给您的");
  EXPECT_TRUE(not_yours);
  EXPECT_EQ(ticket(filed->number)->state, TicketState::dispatched);
}

TEST_F(LoopTest, MyTicketsPointsAndSignIn) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string zhou = kMemberPhones.at("m-zhou");
  EXPECT_TRUE(exchange(zhou, "我的", "您目前没有待办工单。"));
  EXPECT_TRUE(exchange(zhou, "积分", "您的积分：0分。"));

  const auto filed = report(kLi, "石塘村祠堂边的路灯不亮了");
  ASSERT_TRUE(filed);
  const auto list = exchange(filed->member, "WD", "您有1件工单：");
  ASSERT_TRUE(list);
  EXPECT_TRUE(contains(*list, filed->ticket + "号待接单")) << *list;

  ASSERT_TRUE(exchange(filed->member, "接" + filed->ticket, "已接单" + filed->ticket));
  const auto accepted_list = exchange(filed->member, "我的工单", "您有1件工单：");
  ASSERT_TRUE(accepted_list);
  EXPECT_TRUE(contains(*accepted_list, filed->ticket + "号处理中")) << *accepted_list;

  ASSERT_TRUE(exchange(filed->member, "完成" + filed->ticket + " 换了灯泡", "已办结"));
  ASSERT_TRUE(exchange(kLi, "满意", "谢谢您的评价"));
  ASSERT_TRUE(wait_state(filed->number, TicketState::closed));
  EXPECT_TRUE(exchange(filed->member, "JF", "您的积分：10分。"));
  EXPECT_EQ(points_of(filed->member_id), 10);

  // No meeting was created (lianxinctl meeting create): the member is told, nothing is recorded.
  const auto sign_in = exchange(filed->member, "签到 M12", "没有会议M12");
  ASSERT_TRUE(sign_in);
  EXPECT_EQ(*sign_in, std::string(kSignature) + "没有会议M12，请核对会议编号。");
  EXPECT_TRUE(exchange(filed->member, "QD m7", "没有会议M7"));
}

TEST_F(LoopTest, NumberOmittedWithOneOpenTicketAndWrongNumbers) {
  ASSERT_NO_FATAL_FAILURE(start());
  // Grid members take tickets (the grid leader is a fallback): 石塘村 has one (m-sun), 下淤村
  // has one (m-zhao). So m-sun gets one ticket and m-zhao two.
  const auto one = report(kLi, "石塘村祠堂边的路灯不亮了");
  ASSERT_TRUE(one);
  const Filed& single = *one;
  EXPECT_EQ(single.member_id, "m-sun");
  std::vector<Filed> two;
  for (const auto& [villager, text] : {std::pair{kZhao, "下淤村桥头的路灯不亮了"},
                                       std::pair{"13900000062", "下淤村村口的垃圾没人清运"}}) {
    const auto f = report(villager, text);
    ASSERT_TRUE(f) << text;
    two.push_back(*f);
  }
  const std::string busy = two[0].member;
  ASSERT_EQ(two[1].member, busy) << "both 下淤村 tickets go to its one grid member";
  ASSERT_NE(busy, single.member);

  // Exactly one open ticket: the number may be omitted.
  EXPECT_TRUE(exchange(single.member, "接", "已接单" + single.ticket));
  ASSERT_TRUE(wait_state(single.number, TicketState::accepted));
  EXPECT_TRUE(exchange(single.member, "完成，已修好", "工单" + single.ticket + "已办结"));
  ASSERT_TRUE(wait_state(single.number, TicketState::resolved));
  EXPECT_EQ(ticket(single.number)->resolution, "已修好");

  // Two open tickets: the reply lists them and shows the command with a number.
  const auto which = exchange(busy, "接单", "您有2件工单：");
  ASSERT_TRUE(which);
  for (const Filed& f : two) EXPECT_TRUE(contains(*which, f.ticket)) << *which;
  EXPECT_TRUE(contains(*which, "如：接" + two[0].ticket)) << *which;
  for (const Filed& f : two) EXPECT_EQ(ticket(f.number)->state, TicketState::dispatched);

  // Someone else's ticket, and a ticket that does not exist: clear replies, nothing changes.
  EXPECT_TRUE(
      exchange(busy, "完成 " + single.ticket + " 修好了", "工单" + single.ticket + "不是派给您的"));
  EXPECT_EQ(ticket(single.number)->state, TicketState::resolved);
  EXPECT_TRUE(exchange(busy, "JD 99999", "没有工单99999"));
  EXPECT_FALSE(ticket(99999));
}

}  // namespace
}  // namespace lianxin::testing
