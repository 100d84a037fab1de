// Conversations as people hold them, end to end: the real lianxind with the model the build
// trained and the node-smpp simulator. The rating question answered in words; a member's own
// report goes to a colleague; a burst makes one forward and a throttled sender; a phone's
// automatic reply is never answered; a second problem opens its own ticket; a member's 收到
// accepts; 查询 lists open tickets first; a complaint about a member never reaches her and is
// counted against her in `lianxinctl stats --by member`.
#include "daemon/domain/normalize.hpp"
#include "tests/integration/control_fixture.hpp"

namespace lianxin::testing {
namespace {

constexpr const char* kZhang = "13800000051";  // 张大爷, 大溪边村
constexpr const char* kLi = "13800000052";     // 李奶奶, 石塘村
constexpr const char* kWang = "13800000002";   // 王建国, member of 大溪边村
constexpr const char* kQingshiDesk = "13800000016";

class ConversationTest : public ControlTest {
 protected:
  bool silent_to(const std::string& national, const std::string& needle,
                 std::chrono::milliseconds window) {
    return !sms_to(national, needle, window);
  }
  std::size_t messages_to(const std::string& national, const std::string& needle) {
    std::size_t n = 0;
    for (const Json& e : sim_->events("message"))
      if (ends_with(e["to"].str(), national) && contains(e["text"].str(), needle)) ++n;
    return n;
  }
  // A report by `villager`, accepted-and-done by whoever got it: the rating question is out.
  TicketNo resolved(const std::string& villager, const std::string& text) {
    const auto [number, member] = report(villager, text);
    EXPECT_GT(number, 0);
    EXPECT_TRUE(deliver(member, "完成" + std::to_string(number)));
    EXPECT_TRUE(sms_to(villager, "（工单" + std::to_string(number) + "）。回复5表示满意"));
    return number;
  }
};

TEST_F(ConversationTest, TheRatingQuestionIsAnsweredWithThanksOrDissatisfaction) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const TicketNo first = resolved(kZhang, "村口路灯坏了好几天了");
  ASSERT_TRUE(deliver(kZhang, "谢谢"));
  const auto thanked = sms_to(kZhang, "已按满意（5分）");
  ASSERT_TRUE(thanked);
  EXPECT_TRUE(contains(*thanked, "工单" + std::to_string(first))) << *thanked;
  const auto rated = ticket(first);
  ASSERT_TRUE(rated);
  EXPECT_EQ(rated->rating, std::optional<int>(5));
  EXPECT_EQ(rated->state, TicketState::closed);
  EXPECT_EQ(open_store().list_tickets({}).value.size(), 1u);  // 谢谢 opened nothing

  const TicketNo second = resolved(kLi, "家里自来水管子漏水了");
  ASSERT_TRUE(deliver(kLi, "差评"));
  EXPECT_TRUE(sms_to(kLi, "没解决请回复0"));
  EXPECT_EQ(ticket(second)->state, TicketState::resolved);
  ASSERT_TRUE(deliver(kLi, "4分吧"));
  EXPECT_TRUE(sms_to(kLi, "谢谢您的评价"));
  EXPECT_EQ(ticket(second)->rating, std::optional<int>(4));
  EXPECT_EQ(open_store().list_tickets({}).value.size(), 2u);
}

TEST_F(ConversationTest, AMembersOwnReportGoesToAColleagueAndSheGetsOneSms) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ASSERT_TRUE(deliver(kWang, "村口两盏路灯都不亮了"));
  const auto confirmation = sms_to(kWang, "工单号");
  ASSERT_TRUE(confirmation);
  const TicketNo n = number_after(*confirmation, "工单号").value_or(0);
  const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "新工单" + std::to_string(n) + "：");
  });
  ASSERT_TRUE(dispatch);
  EXPECT_FALSE(ends_with((*dispatch)["to"].str(), kWang)) << "dispatched to herself";
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(messages_to(kWang, ""), 1u) << "one SMS: the confirmation";
  EXPECT_NE(ticket(n)->assignee, std::optional<std::string>("m-wang"));
}

TEST_F(ConversationTest, ABurstMakesOneForwardAndTheSenderIsThrottled) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const auto [n, member] = report(kLi, "家门口的垃圾堆了好几天没人收");
  ASSERT_GT(n, 0);
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(deliver(kLi, "垃圾那边再补充一下第" + std::to_string(i + 1) + "条情况"));
  }
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(messages_to(member, "群众补充"), 1u);  // the rest wait for the batch
  EXPECT_LE(messages_to(kLi, "您补充的内容"), 1u);
  const auto tickets = open_store().list_tickets({});
  ASSERT_TRUE(tickets);
  EXPECT_EQ(tickets.value.size(), 1u);
  EXPECT_EQ(ticket(n)->notes.size(), 30u);  // nothing anyone sent is lost
  ProgramResult status = ctl({"status"});
  EXPECT_TRUE(contains(status.output, "1 sender throttled")) << status.output;
  EXPECT_TRUE(contains(daemon_->log(), "throttled")) << "the operator sees it in the log";
}

TEST_F(ConversationTest, AnAutomaticReplyIsStoredAndNeverAnswered) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const auto [n, member] = report(kZhang, "村口路灯坏了好几天了");
  ASSERT_GT(n, 0);
  ASSERT_TRUE(deliver(member, "【自动回复】您好，我正在开车，稍后回复您。"));
  ASSERT_TRUE(deliver(kLi, "自动回复：本机主人正在忙，请稍后联系"));
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(messages_to(member, ""), 1u);  // the dispatch only
  EXPECT_EQ(messages_to(kLi, ""), 0u);
  EXPECT_EQ(open_store().list_tickets({}).value.size(), 1u);
  EXPECT_TRUE(contains(daemon_->log(), "automatic reply from"));
}

TEST_F(ConversationTest, AComplaintAboutAMemberGoesToTheDeskNotToHer) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ASSERT_TRUE(deliver(kZhang, "王建国报了三次都不来，电话也不接，态度很差"));
  const auto confirmation = sms_to(kZhang, "工单号");
  ASSERT_TRUE(confirmation);
  const TicketNo n = number_after(*confirmation, "工单号").value_or(0);
  const auto t = ticket(n);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->category, "conduct");
  EXPECT_EQ(t->assignee, std::optional<std::string>("m-desk-qingshi"));
  EXPECT_TRUE(sms_to(kQingshiDesk, std::to_string(n)));
  EXPECT_TRUE(silent_to(kWang, "", 500ms)) << "the member complained about heard of it";

  const ProgramResult stats = ctl({"stats", "--by", "member", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  const NJson figures = NJson::parse(stats.output, nullptr, false);
  ASSERT_FALSE(figures.is_discarded()) << stats.output;
  long long about_wang = -1, about_desk = -1;
  for (const NJson& row : figures["rows"]) {
    if (row["key"] == "m-wang") about_wang = row["complaints"]["count"].get<long long>();
    if (row["key"] == "m-desk-qingshi") about_desk = row["complaints"]["count"].get<long long>();
  }
  EXPECT_EQ(about_wang, 1) << stats.output;
  EXPECT_EQ(about_desk, 0) << stats.output;  // the desk handles it; it is not about the desk
  EXPECT_EQ(figures["total"]["complaints"]["count"], 1) << stats.output;
}

TEST_F(ConversationTest, AnotherProblemInsideTheJoinWindowOpensItsOwnTicket) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const auto [first, member] = report(kZhang, "村口路灯坏了好几天了");
  ASSERT_GT(first, 0);
  ASSERT_TRUE(deliver(kZhang, "我家自来水管子破了，漏水很厉害"));  // another problem
  const auto second = sms_to(kZhang, "工单号", 5s);
  ASSERT_TRUE(second) << "the second problem got no ticket of its own";
  EXPECT_NE(number_after(*second, "工单号").value_or(first), first);
  ASSERT_TRUE(deliver(kZhang, "路灯那边晚上黑漆漆的，老人走路怕摔"));  // the first problem again
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(open_store().list_tickets({}).value.size(), 2u);
  EXPECT_FALSE(ticket(first)->notes.empty()) << "the same problem joins its ticket";
}

TEST_F(ConversationTest, AMembersShortAcknowledgementAcceptsHerOnlyNewTicket) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const auto [n, member] = report(kLi, "家门口的垃圾堆了好几天没人收");
  ASSERT_GT(n, 0);
  ASSERT_TRUE(deliver(member, "收到"));
  EXPECT_TRUE(sms_to(member, "已接单" + std::to_string(n)));
  EXPECT_EQ(ticket(n)->state, TicketState::accepted);
  // Nothing new left to accept: a short hint, not the whole help.
  ASSERT_TRUE(deliver(member, "好的"));
  const auto hint = sms_to(member, "接单请回复");
  ASSERT_TRUE(hint);
  EXPECT_LE(sms::utf8_to_code_points(*hint).size(), 30u) << *hint;
}

TEST_F(ConversationTest, QueryListsOpenTicketsFirstAndCountsTheFinished) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const auto [done, member] = report(kZhang, "村口路灯坏了好几天了");
  ASSERT_GT(done, 0);
  ASSERT_TRUE(deliver(member, "完成" + std::to_string(done)));
  ASSERT_TRUE(sms_to(kZhang, "回复5表示满意"));
  ASSERT_TRUE(deliver(kZhang, "5"));
  ASSERT_TRUE(sms_to(kZhang, "谢谢您的评价"));
  const auto [open, unused] = report(kZhang, "我家自来水管子破了，漏水很厉害");
  ASSERT_GT(open, 0);
  ASSERT_TRUE(deliver(kZhang, "查询"));
  const auto list = sms_to(kZhang, "您的工单：");
  ASSERT_TRUE(list);
  EXPECT_TRUE(contains(*list, "您的工单：" + std::to_string(open) + "号已派人处理")) << *list;
  EXPECT_TRUE(contains(*list, "另有1件已结束")) << *list;
}

}  // namespace
}  // namespace lianxin::testing
