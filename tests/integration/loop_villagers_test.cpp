// The whole ticket loop through the real lianxind and the simulator: villagers (reopen, query,
// cancel, duplicates, villages, ratings, help), garbage and re-delivery (loop_fixture.hpp says
// how).
#include "tests/integration/loop_fixture.hpp"

namespace lianxin::testing {
namespace {

using namespace loop;

// ---- Villagers ----

TEST_F(LoopTest, ReopenWithZeroAndWeiJieJueGoesBackToTheMember) {
  ASSERT_NO_FATAL_FAILURE(start());
  const auto filed = report(kWang, "老樟树下的路灯一直闪，晚上看不清路");
  ASSERT_TRUE(filed);
  ASSERT_TRUE(exchange(filed->member, "接 " + filed->ticket, "已接单"));
  ASSERT_TRUE(exchange(filed->member, "完成 " + filed->ticket + " 换了新灯泡", "已办结"));
  ASSERT_TRUE(sms_to(kWang, "回复5表示满意"));

  struct Round {
    const char* reopen;
    std::string accept;
    std::string resolve;
  };
  const Round rounds[] = {
      {"0", "JD" + filed->ticket, "办结" + filed->ticket},
      {"未解决", "", ""},
  };
  int reopened = 0;
  for (const Round& round : rounds) {
    const auto told = exchange(kWang, round.reopen, "工单" + filed->ticket + "已重新交办");
    ASSERT_TRUE(told) << round.reopen;
    ASSERT_TRUE(wait_state(filed->number, TicketState::reopened)) << round.reopen;
    ++reopened;
    const auto again = sms_to(filed->member, "工单" + filed->ticket + "群众反映没解决，请再处理");
    ASSERT_TRUE(again) << round.reopen;
    EXPECT_TRUE(contains(*again, masked(kWang))) << *again;
    EXPECT_TRUE(contains(*again, "接" + filed->ticket)) << *again;
    const auto t = ticket(filed->number);
    EXPECT_EQ(t->assignee, std::optional<std::string>(filed->member_id));
    EXPECT_FALSE(t->rating);
    if (round.accept.empty()) break;
    ASSERT_TRUE(exchange(filed->member, round.accept, "已接单" + filed->ticket));
    ASSERT_TRUE(wait_state(filed->number, TicketState::accepted));
    ASSERT_TRUE(exchange(filed->member, round.resolve, "已办结"));
    ASSERT_TRUE(sms_to(kWang, "回复5表示满意"));
  }
  int reopen_events = 0;
  for (const auto& e : history(filed->number))
    if (e.to == TicketState::reopened) ++reopen_events;
  EXPECT_EQ(reopen_events, reopened);
  EXPECT_EQ(reopened, 2);
  EXPECT_EQ(tickets_of(kWang).size(), 1u);
}

TEST_F(LoopTest, QueryCancelAndUnsubscribe) {
  ASSERT_NO_FATAL_FAILURE(start());
  EXPECT_TRUE(exchange(kSun, "查询", "您目前没有在办的工单"));
  const auto filed = report(kSun, "白沙街路面塌了一个大坑");
  ASSERT_TRUE(filed);
  const auto status = exchange(kSun, "CX", "您的工单：");
  ASSERT_TRUE(status);
  EXPECT_TRUE(contains(*status, filed->ticket + "号已派人处理")) << *status;

  // Someone else cannot cancel it.
  EXPECT_TRUE(exchange(kLi, "取消 " + filed->ticket, "没有找到您的工单" + filed->ticket));
  EXPECT_EQ(ticket(filed->number)->state, TicketState::dispatched);

  EXPECT_TRUE(exchange(kSun, "取消 " + filed->ticket, "工单" + filed->ticket + "已取消。"));
  EXPECT_TRUE(sms_to(filed->member, "工单" + filed->ticket + "已被群众取消"));
  ASSERT_TRUE(wait_state(filed->number, TicketState::cancelled));
  EXPECT_EQ(ticket(filed->number)->close_reason, domain::CloseReason::cancelled);
  const auto after = exchange(kSun, "查询 " + filed->ticket, "您的工单：");
  ASSERT_TRUE(after);
  EXPECT_TRUE(contains(*after, filed->ticket + "号")) << *after;
  EXPECT_FALSE(contains(*after, "已派人处理")) << *after;
  // 查询 lists what is open first and counts the rest.
  const auto second = report(kSun, "白沙街的路灯晚上都不亮");
  ASSERT_TRUE(second);
  const auto listed = exchange(kSun, "查询", "另有1件已结束");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(contains(*listed, "您的工单：" + second->ticket + "号已派人处理")) << *listed;

  // 退订 (villager) and TD (member): recorded, confirmed.
  EXPECT_EQ(subscribed(kSun), std::optional<bool>(true));
  EXPECT_TRUE(exchange(kSun, "退订", "已退订通知。"));
  EXPECT_TRUE(exchange(filed->member, "TD", "已退订通知。"));
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline &&
         (subscribed(kSun) != std::optional<bool>(false) ||
          subscribed(filed->member) != std::optional<bool>(false)))
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(subscribed(kSun), std::optional<bool>(false));
  EXPECT_EQ(subscribed(filed->member), std::optional<bool>(false));
  EXPECT_EQ(subscribed(kZhang), std::optional<bool>(true));
}

TEST_F(LoopTest, DuplicateReportAndAddedTextJoinTheTicket) {
  ASSERT_NO_FATAL_FAILURE(start("0s"));
  const std::string text = "村口两盏路灯杆被大风刮倒了";
  const auto filed = report(kZhang, text);
  ASSERT_TRUE(filed);

  const auto duplicate =
      exchange(kZhang, text, "工单" + filed->ticket + "已在处理中，不用重复发送");
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(inbox_rows_from(kZhang), 2);  // both stored: the engine saw the repeat

  const std::string note = "两盏灯都不亮了，小孩放学要经过";  // the same problem
  const auto joined = exchange(kZhang, note, "您补充的内容已转给工单" + filed->ticket);
  ASSERT_TRUE(joined);
  const auto forwarded = sms_to(filed->member, "工单" + filed->ticket + "群众补充：" + note);
  EXPECT_TRUE(forwarded);

  const auto tickets = tickets_of(kZhang);
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets.front().text, text);
  bool noted = false;
  for (const auto& n : tickets.front().notes) noted = noted || n.text == note;
  EXPECT_TRUE(noted);
  // One dispatch only: no SMS other than the note reached any other member.
  std::size_t dispatches = 0;
  for (const Json& e : sim_->events("message"))
    if (contains(e["text"].str(), "新工单")) ++dispatches;
  EXPECT_EQ(dispatches, 1u);

  // Another problem inside the window is not a note: its own ticket, to its own member.
  ASSERT_TRUE(deliver(kZhang, "还有我家门口的垃圾好几天没人收了"));
  ASSERT_TRUE(sms_to(kZhang, "工单号" + std::to_string(filed->number + 1)));
  EXPECT_EQ(tickets_of(kZhang).size(), 2u);
}

TEST_F(LoopTest, FollowUpQuestionAnsweredWithAVillageName) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string stranger = "13900000071";  // not in the directory
  const std::string text = "家门口的路灯坏了好几天了";
  ASSERT_TRUE(deliver(stranger, text));
  const auto question = sms_to(stranger, "请问您在哪个村");
  ASSERT_TRUE(question);
  const auto number = number_after(*question, "工单号");
  ASSERT_TRUE(number) << *question;
  const std::string ticket_no = std::to_string(*number);
  ASSERT_TRUE(wait_state(*number, TicketState::awaiting_location));
  EXPECT_FALSE(ticket(*number)->grid);
  EXPECT_FALSE(ticket(*number)->assignee);

  ASSERT_TRUE(deliver(stranger, "我在石塘村"));
  const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "新工单" + ticket_no + "：石塘村");
  });
  ASSERT_TRUE(dispatch);
  const std::string member = (*dispatch)["to"].str();
  EXPECT_TRUE(ends_with(member, kMemberPhones.at("m-zhou")) ||
              ends_with(member, kMemberPhones.at("m-sun")))
      << member;
  EXPECT_TRUE(contains((*dispatch)["text"].str(), text));
  EXPECT_TRUE(contains((*dispatch)["text"].str(), "139****0071"));
  EXPECT_TRUE(sms_to(stranger, "工单号" + ticket_no));
  ASSERT_TRUE(wait_state(*number, TicketState::dispatched));
  const auto t = ticket(*number);
  EXPECT_EQ(t->grid, std::optional<std::string>("g-shitang"));
  EXPECT_EQ(tickets_of(stranger).size(), 1u);
}

TEST_F(LoopTest, RatingWithNothingAwaitingGetsAHintAndNoTicket) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::pair<const char*, const char*> tries[] = {
      {"13900000081", "5"}, {"13900000082", "满意"}, {"13900000083", "0"}, {kZhang, "五"}};
  for (const auto& [who, text] : tries) {
    const auto hint = exchange(who, text, "您没有待评价的工单");
    ASSERT_TRUE(hint) << text;
    EXPECT_TRUE(tickets_of(who).empty()) << text;
  }
  EXPECT_EQ(sim_->events("message").size(), 4u);
}

TEST_F(LoopTest, UnknownCommandsGetOneLineOfHelp) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string member = kMemberPhones.at("m-wang");
  const auto help = exchange(member, "XYZ", "回复：接123");
  ASSERT_TRUE(help);
  EXPECT_EQ(help->rfind(kSignature, 0), 0u) << *help;
  EXPECT_EQ(help->find('\n'), std::string::npos) << *help;
  EXPECT_TRUE(contains(*help, "完成123")) << *help;
  EXPECT_TRUE(contains(*help, "我的")) << *help;

  // A malformed command and a bare acknowledgement are not silence either.
  EXPECT_TRUE(exchange(member, "接 12a", "回复：接123"));
  EXPECT_TRUE(exchange(member, "收到", "接单请回复：接+工单号"));  // one short line
  // A villager's command-shaped junk gets the villagers' help, not a ticket.
  EXPECT_TRUE(exchange("13900000091", "ok", "没看懂您的短信"));
  EXPECT_TRUE(tickets_of("13900000091").empty());
  EXPECT_TRUE(tickets_of(member).empty());
}

// ---- Garbage and re-delivery ----

TEST_F(LoopTest, GarbageInboundIsSurvived) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string member = kMemberPhones.at("m-li");
  // Invalid UTF-8 / 8-bit junk in data_coding 0, from a member and from a villager.
  EXPECT_TRUE(deliver_hex(member, "c328fffe80e4b8", 0));
  EXPECT_TRUE(deliver_hex("13900000092", "ff80c0afeda080", 0));
  // Odd-length UCS-2 and a lone surrogate.
  EXPECT_TRUE(deliver_hex("13900000093", "4e2d4e", 8));
  EXPECT_TRUE(deliver_hex("13900000094", "d800", 8));
  // Empty text.
  EXPECT_TRUE(deliver_hex("13900000095", "", 0));
  EXPECT_TRUE(deliver_hex(member, "", 8));

  // Still serving: a villager and the member are answered.
  EXPECT_TRUE(exchange(kZhao, "查询", "您目前没有在办的工单"));
  EXPECT_TRUE(exchange(member, "WD", "您目前没有待办工单"));
  EXPECT_TRUE(daemon_->running());
  // Stored once each, and never silence for what cannot be read: those senders get help. The
  // odd-length UCS-2 text still holds one ideograph, 中 ("OK" in many villages): read as an
  // acknowledgement, it gets no ticket and no reply, as every 好的 does.
  for (const char* from : {"13900000092", "13900000093", "13900000094", "13900000095"}) {
    EXPECT_EQ(inbox_rows_from(from), 1) << from;
    if (std::string(from) != "13900000093") {
      EXPECT_TRUE(sms_to(from, kSignature)) << from;
    }
  }
  EXPECT_TRUE(tickets_of("13900000093").empty());
  EXPECT_NE(daemon_->log().find("acknowledgement from"), std::string::npos);
  EXPECT_TRUE(sms_to(member, "回复：接123"));
  EXPECT_TRUE(sms_to(member, "回复：接123"));
  store::Store store = open_store();
  const auto unprocessed = store.unprocessed_inbox();
  ASSERT_TRUE(unprocessed);
  EXPECT_TRUE(unprocessed.value.empty());
}

TEST_F(LoopTest, SmscRedeliveryAfterReconnectIsStoredOnceAndMakesOneTicket) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string villager = "13900000096";
  const std::string text = "石塘村村口的垃圾好几天没人清运了";
  ASSERT_TRUE(deliver(villager, text));
  ASSERT_TRUE(sms_to(villager, "工单号"));
  // The link breaks; the SMSC did not trust our deliver_sm_resp and sends the MO again on the
  // next bind: that is a re-delivery, stored once and not answered twice.
  sim_->command(Json::object({{"cmd", "drop"}}));
  ASSERT_TRUE(sim_->wait_for(
      "bind", [](const Json& e) { return e["status"].integer() == 0; }, 10s))
      << "never bound again";
  ASSERT_TRUE(notify_->wait_for("STATUS=bound to 1/1 SMSC", 5s, true));
  ASSERT_TRUE(deliver(villager, text));
  ASSERT_TRUE(daemon_->wait_for_log("inbound part repeated by the SMSC", 3s));
  std::this_thread::sleep_for(500ms);  // any second answer would be out by now
  EXPECT_EQ(inbox_rows_from(villager), 1);
  EXPECT_EQ(tickets_of(villager).size(), 1u);
  EXPECT_EQ(sms_count_to(villager), 1u);
}

TEST_F(LoopTest, RepeatedPartOnOneBindIsStoredAndTheReportStaysWhole) {
  ASSERT_NO_FATAL_FAILURE(start());
  // A three-part report with part 2 sent twice on the same bind: every deliver_sm is stored
  // (the reassembler, not the inbox, recognises the copy), one intact ticket, one answer.
  const std::string other = "13900000097";
  const std::string long_text = "石塘村" + kLongReport;
  ASSERT_TRUE(deliver_command(
      Json::object({{"from", other}, {"text", long_text}, {"split", "udh8"}, {"duplicate", 2}})));
  ASSERT_TRUE(sms_to(other, "工单号"));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(inbox_rows_from(other), 4);
  const auto long_tickets = tickets_of(other);
  ASSERT_EQ(long_tickets.size(), 1u);
  EXPECT_EQ(long_tickets.front().text, long_text);
  EXPECT_EQ(sms_count_to(other), 1u);
  // The copy is closed too: nothing is left to re-feed after a restart.
  store::Store store = open_store();
  const auto unprocessed = store.unprocessed_inbox();
  ASSERT_TRUE(unprocessed);
  EXPECT_TRUE(unprocessed.value.empty());
}

// The same text twice from a person on one bind reaches the engine: "already being handled".
TEST_F(LoopTest, IdenticalResendFromAVillagerIsAnsweredNotSilenced) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string text = "村口两盏路灯杆被大风刮倒了";
  const auto filed = report(kZhang, text);
  ASSERT_TRUE(filed);
  EXPECT_TRUE(exchange(kZhang, text, "工单" + filed->ticket + "已在处理中，不用重复发送"));
  EXPECT_EQ(inbox_rows_from(kZhang), 2);
  EXPECT_EQ(tickets_of(kZhang).size(), 1u);
}

}  // namespace
}  // namespace lianxin::testing
