// What the engine does with a text once the language reader has said what it is: no ticket for
// thanks and greetings, feedback on the latest ticket, 过滤核实 for unsure readings, urgency,
// places named in everyday words.
#include <gtest/gtest.h>

#include <memory>

#include "tests/unit/engine_harness.hpp"

namespace lianxin::domain {
namespace {

using namespace testing;

ModelScores unsure() {  // a report, but no category stands out
  return ModelScores{{{"road", 0.40}, {"streetlight", 0.35}, {"other", 0.20}, {"ack", 0.05}}, 0};
}

class LanguageEngineTest : public EngineTest {
 protected:
  LanguageEngineTest() : EngineTest(settings_with_script()) {}

  static Settings settings_with_script() {
    Settings s = test_settings();
    auto model = std::make_shared<ScriptedModel>();
    model->script("桥头那边不太对劲", unsure());
    model->script("后山那边不太对劲", unsure());
    s.language.model = model;
    return s;
  }

  std::size_t ticket_count() const { return engine_.tickets().size(); }
};

TEST_F(LanguageEngineTest, PleasantriesOpenNoTicketAndGetNoReply) {
  for (const char* text : {"谢谢", "好的", "收到", "嗯", "知道了", "谢谢你们"}) {
    Effects e = sms(kZhangPhone, text);
    EXPECT_TRUE(e.tickets.empty()) << text;
    EXPECT_TRUE(e.sms.empty()) << text;  // a reply to a thank-you invites another thank-you
    ASSERT_FALSE(e.logs.empty());
    EXPECT_TRUE(contains(e.logs.back().message, "acknowledgement")) << e.logs.back().message;
  }
  EXPECT_EQ(ticket_count(), 0u);
}

TEST_F(LanguageEngineTest, AGreetingGetsOneLineOnHowToReport) {
  for (const char* text : {"你好", "在吗", "喂", "能帮我做什么"}) {
    Effects e = sms(kStrangerPhone, text);
    EXPECT_TRUE(e.tickets.empty()) << text;
    const std::string reply = only_text_to(e, kStrangerPhone);
    EXPECT_TRUE(contains(reply, "请直接发送您要反映的问题")) << reply;
    EXPECT_LE(utf16_length(reply), kSingleUcs2SmsUnits);
  }
  EXPECT_EQ(ticket_count(), 0u);
}

TEST_F(LanguageEngineTest, UnhappyFeedbackGoesOnTheLatestTicketAndToItsMember) {
  const TicketNo n = report_streetlight();
  now_ += 3h;  // outside the duplicate window: not a note by accident
  Effects e = sms(kZhangPhone, "还是不亮");
  EXPECT_EQ(ticket_count(), 1u);
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_EQ(e.events[0].ticket, n);
  EXPECT_TRUE(contains(e.events[0].reason, "not satisfied")) << e.events[0].reason;
  EXPECT_TRUE(contains(only_text_to(e, kWangPhone), "还是不亮"));  // the member hears it
  EXPECT_TRUE(contains(only_text_to(e, kZhangPhone), "已记下")) << only_text_to(e, kZhangPhone);
}

TEST_F(LanguageEngineTest, GoodFeedbackIsRecordedQuietly) {
  const TicketNo n = report_streetlight();
  sms(kWangPhone, "接" + std::to_string(n));  // someone is on it
  Effects e = sms(kZhangPhone, "修好了谢谢");
  EXPECT_EQ(ticket_count(), 1u);
  ASSERT_EQ(e.events.size(), 1u);
  EXPECT_EQ(e.events[0].ticket, n);
  EXPECT_TRUE(contains(e.events[0].reason, "good")) << e.events[0].reason;
  EXPECT_TRUE(e.sms.empty());
}

TEST_F(LanguageEngineTest, GoodNewsAboutAnUntouchedFreshReportIsANote) {
  // Nothing was done yet: "good news" minutes after the report is more about the problem.
  const TicketNo n = report_streetlight();
  Effects e = sms(kZhangPhone, "修好了谢谢");
  EXPECT_TRUE(e.tickets.size() == 1 && e.tickets[0].ticket.number == n);
  EXPECT_TRUE(contains(only_text_to(e, kWangPhone), "修好了谢谢"));  // forwarded as a note
  EXPECT_EQ(ticket(n).notes.size(), 1u);
}

TEST_F(LanguageEngineTest, UnhappyFeedbackWithoutATicketIsAReportAndThanksIsNothing) {
  Effects e = sms(kZhangPhone, "还是不亮");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_TRUE(contains(e.events.front().reason, "no ticket of theirs")) << e.events.front().reason;
  // Thanks with nothing to thank for: no ticket, no reply (谢谢 is often read as praise).
  Effects thanks = sms(kLiNainaiPhone, "修好了谢谢");
  EXPECT_TRUE(thanks.tickets.empty());
  EXPECT_TRUE(thanks.sms.empty());
}

TEST_F(LanguageEngineTest, AThankYouIsNoAnswerToTheVillageQuestion) {
  Effects asked = sms(kStrangerPhone, "村口路灯坏了");
  const TicketNo n = asked.tickets.at(0).ticket.number;
  ASSERT_EQ(ticket(n).state, TicketState::awaiting_location);
  Effects thanks = sms(kStrangerPhone, "好的");
  EXPECT_TRUE(thanks.sms.empty());
  EXPECT_EQ(ticket(n).state, TicketState::awaiting_location);  // still waiting for the village
  Effects hello = sms(kStrangerPhone, "你好");
  EXPECT_TRUE(contains(only_text_to(hello, kStrangerPhone), "哪个村"));  // asked once more
  sms(kStrangerPhone, "大溪边");
  EXPECT_EQ(ticket(n).grid, "g-daxi");
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
}

// 不知道 to "which village?" is an answer: the duty desk finds out now, not after the follow-up.
TEST_F(LanguageEngineTest, DontKnowAnswersTheVillageQuestionWithTheDutyDesk) {
  for (const char* answer : {"不知道", "我也说不清", "不清楚啊"}) {
    now_ += 24h;
    Effects asked = sms(kStrangerPhone, "村口路灯坏了");
    const TicketNo n = asked.tickets.at(0).ticket.number;
    ASSERT_EQ(ticket(n).state, TicketState::awaiting_location) << answer;
    Effects e = sms(kStrangerPhone, answer);
    EXPECT_EQ(ticket(n).state, TicketState::dispatched) << answer;
    EXPECT_EQ(ticket(n).assignee, std::optional<std::string>("m-county")) << answer;
    EXPECT_TRUE(e.tickets.size() == 1 && e.tickets[0].ticket.number == n) << answer;
  }
}

TEST_F(LanguageEngineTest, AnUnsureReadingGoesToTheDutyDeskWithTwoGuesses) {
  Effects e = sms(kZhangPhone, "桥头那边不太对劲");
  ASSERT_EQ(e.tickets.size(), 1u);
  const Ticket& t = e.tickets[0].ticket;
  EXPECT_TRUE(t.needs_review);
  EXPECT_EQ(t.category, "road");  // the best guess, until an operator says otherwise
  EXPECT_NEAR(t.confidence, 0.40 / 0.95, 1e-9);
  EXPECT_EQ(t.assignee, "m-desk");  // the township duty desk, not the grid
  const std::string desk = only_text_to(e, kDeskPhone);
  EXPECT_TRUE(contains(desk, "待核实")) << desk;
  EXPECT_TRUE(contains(desk, "道路/交通(42%)或路灯(37%)")) << desk;
  EXPECT_TRUE(contains(only_text_to(e, kZhangPhone), "工单号"));
  ASSERT_EQ(engine_.review_queue().size(), 1u);
  EXPECT_EQ(engine_.review_queue()[0]->number, t.number);
}

TEST_F(LanguageEngineTest, RecategorizeRoutesAfreshAndKeepsTheCorrection) {
  const TicketNo n = sms(kZhangPhone, "桥头那边不太对劲").tickets.at(0).ticket.number;
  now_ += 10min;
  Effects e = engine_.recategorize(n, "streetlight", "alice", "灯不亮", now_);
  check_invariants(e);
  ASSERT_FALSE(e.error) << e.diagnostic;
  EXPECT_EQ(ticket(n).category, "streetlight");
  EXPECT_FALSE(ticket(n).needs_review);
  EXPECT_EQ(ticket(n).confidence, 1);
  EXPECT_EQ(ticket(n).assignee, "m-wang");  // 大溪边's member now
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  ASSERT_TRUE(ticket(n).accept_deadline);
  EXPECT_EQ(*ticket(n).accept_deadline, now_ + 24h);  // the streetlight deadline, from now
  EXPECT_TRUE(contains(only_text_to(e, kWangPhone), "新工单"));
  EXPECT_TRUE(contains(only_text_to(e, kDeskPhone), "已核实为路灯"));
  ASSERT_EQ(e.corrections.size(), 1u);
  EXPECT_EQ(e.corrections[0].from_category, "road");
  EXPECT_EQ(e.corrections[0].to_category, "streetlight");
  EXPECT_EQ(e.corrections[0].text, "桥头那边不太对劲");
  EXPECT_EQ(e.corrections[0].actor, "operator:alice");
  EXPECT_TRUE(std::any_of(e.events.begin(), e.events.end(), [](const TicketEvent& ev) {
    return ev.actor == "operator:alice" &&
           ev.reason.find("recategorized road → streetlight") != std::string::npos;
  }));
  EXPECT_TRUE(engine_.review_queue().empty());
}

TEST_F(LanguageEngineTest, ConfirmingAnAcceptedTicketKeepsItsAssignee) {
  const TicketNo n = report_streetlight();
  sms(kWangPhone, "接" + std::to_string(n));
  Effects e = engine_.recategorize(n, "road", "bob", "", now_);
  ASSERT_FALSE(e.error);
  EXPECT_EQ(ticket(n).category, "road");
  EXPECT_EQ(ticket(n).assignee, "m-wang");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  EXPECT_TRUE(e.sms.empty());
  EXPECT_EQ(e.corrections.size(), 1u);
}

TEST_F(LanguageEngineTest, RecategorizeRefusesWhatItCannotDo) {
  const TicketNo n = report_streetlight();
  Effects unknown = engine_.recategorize(n, "roads", "alice", "", now_);
  EXPECT_EQ(unknown.error, make_error_code(EngineError::unknown_category));
  EXPECT_TRUE(contains(unknown.diagnostic, "streetlight")) << unknown.diagnostic;  // the choices
  EXPECT_EQ(ticket(n).category, "streetlight");
  EXPECT_EQ(engine_.recategorize(999, "road", "alice", "", now_).error,
            make_error_code(EngineError::unknown_ticket));
  sms(kZhangPhone, "取消" + std::to_string(n));
  EXPECT_EQ(engine_.recategorize(n, "road", "alice", "", now_).error,
            make_error_code(EngineError::ticket_finished));
}

TEST_F(LanguageEngineTest, ADangerGoesOutAtOnceWithTheDeskAlertedAndTheCallNumbers) {
  // 23:00 in Shanghai: quiet hours hold ordinary notices to members, never this.
  Settings s = settings_with_script();
  s.sla.quiet_hours = QuietPeriod{std::chrono::minutes(22 * 60), std::chrono::minutes(7 * 60)};
  engine_.reload(s, make_directory());
  now_ = kStart + 7h;  // 15:00 UTC = 23:00 in Shanghai
  Effects e = sms(kZhangPhone, "隔壁屋里冒烟了门锁着");
  ASSERT_EQ(e.tickets.size(), 1u);
  const Ticket& t = e.tickets[0].ticket;
  EXPECT_TRUE(t.urgent);
  for (const OutgoingSms& out : e.sms) EXPECT_FALSE(out.not_before) << out.text;
  EXPECT_TRUE(contains(only_text_to(e, kZhangPhone), "119")) << only_text_to(e, kZhangPhone);
  EXPECT_TRUE(contains(only_text_to(e, kDeskPhone), "紧急工单"));  // the desk knows at once
  EXPECT_EQ(texts_to(e, kWangPhone).size(), 1u);                   // the dispatch itself
  // An ordinary report at the same hour waits for the morning.
  Effects calm = sms(kLiNainaiPhone, "村口路灯坏了");
  ASSERT_EQ(texts_to(calm, kSunPhone).size(), 1u);
  for (const OutgoingSms& out : calm.sms) {
    if (out.to == kSunPhone) {
      EXPECT_TRUE(out.not_before);
    }
  }
}

TEST_F(LanguageEngineTest, AnUnsureButUrgentReportIsNotHeldForReview) {
  Settings s = settings_with_script();
  auto model = std::make_shared<ScriptedModel>();
  model->script("后山那边不太对劲", ModelScores{unsure().labels, 0.9});  // the model smells danger
  s.language.model = model;
  engine_.reload(s, make_directory());
  Effects e = sms(kZhangPhone, "后山那边不太对劲");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_TRUE(e.tickets[0].ticket.urgent);
  EXPECT_FALSE(e.tickets[0].ticket.needs_review);
  EXPECT_EQ(e.tickets[0].ticket.assignee, "m-wang");
}

TEST_F(LanguageEngineTest, AnUrgentReportFromNowhereGoesToTheDeskAtOnce) {
  Effects e = sms(kStrangerPhone, "有人掉河里了快来人");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.state, TicketState::dispatched);  // no village question first
  EXPECT_EQ(e.tickets[0].ticket.assignee, "m-county");            // no grid: the county desk
  EXPECT_TRUE(contains(only_text_to(e, kStrangerPhone), "110"));
}

TEST_F(LanguageEngineTest, AConfiguredKeywordWinsOverTheModel) {
  Settings s = settings_with_script();
  for (Category& c : s.categories) {
    if (c.id == "road") c.keywords = {"不太对劲"};
  }
  engine_.reload(s, make_directory());
  Effects e = sms(kZhangPhone, "桥头那边不太对劲");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.category, "road");
  EXPECT_FALSE(e.tickets[0].ticket.needs_review);
  EXPECT_TRUE(contains(e.events.front().reason, "operator override")) << e.events.front().reason;
}

// ---- places in everyday words ----

Directory two_shitangs() {
  Directory base = make_directory();
  std::vector<Grid> grids = base.grids();
  grids.push_back({"g-shitang-bs", "白沙石塘网格", "石塘村", "白沙乡", {}, "m-bs"});
  std::vector<Member> members = base.members();
  members.push_back(
      {"m-bs", "白沙网格员", "+8613800000701", {"g-shitang-bs"}, {Role::member}, true});
  return Directory(grids, members, base.residents(), base.teams(), base.duty_desks());
}

TEST_F(LanguageEngineTest, AVillageInTwoTownshipsIsAskedNotGuessed) {
  engine_.reload(engine_.settings(), two_shitangs());
  Effects e = sms(kStrangerPhone, "石塘村口的路灯坏了");
  ASSERT_EQ(e.tickets.size(), 1u);
  const TicketNo n = e.tickets[0].ticket.number;
  EXPECT_EQ(ticket(n).state, TicketState::awaiting_location);
  const std::string question = only_text_to(e, kStrangerPhone);
  EXPECT_TRUE(contains(question, "哪个乡镇")) << question;
  sms(kStrangerPhone, "白沙的");
  EXPECT_EQ(ticket(n).grid, "g-shitang-bs");
  EXPECT_EQ(ticket(n).assignee, "m-bs");
}

TEST_F(LanguageEngineTest, ATownshipNamedBesideTheVillageDecides) {
  engine_.reload(engine_.settings(), two_shitangs());
  Effects e = sms(kStrangerPhone, "我是青石镇石塘的，路灯坏了");
  ASSERT_EQ(e.tickets.size(), 1u);
  EXPECT_EQ(e.tickets[0].ticket.grid, "g-shitang");
  Effects short_names = sms("+8613900000077", "白沙乡石塘路灯坏了好几天");
  ASSERT_EQ(short_names.tickets.size(), 1u);
  EXPECT_EQ(short_names.tickets[0].ticket.grid, "g-shitang-bs");
}

}  // namespace
}  // namespace lianxin::domain
