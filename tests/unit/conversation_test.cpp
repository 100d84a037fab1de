// Conversations as people hold them: the rating question answered in words, a member's own report,
// a member's 收到, automatic replies, and a second problem inside the join window.
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon/ctl/reports.hpp"
#include "daemon/domain/answers.hpp"
#include "tests/unit/engine_harness.hpp"

namespace lianxin::domain {
namespace {

using namespace testing;

// ---- the words (answers.hpp) ----

TEST(Answers, RatingInAShortReply) {
  struct Row {
    const char* text;
    std::optional<int> score;
  };
  for (const Row& row :
       {Row{"4分吧", 4}, Row{"给5分", 5}, Row{"打个三分", 3}, Row{"五星", 5}, Row{"就3吧", 3},
        Row{"满意 5", 5}, Row{"0", 0}, Row{"给你们打5分谢谢", 5}, Row{"４分", 4},
        Row{"6", std::nullopt}, Row{"10分", std::nullopt}, Row{"3号楼", std::nullopt},
        Row{"一直没人来", std::nullopt}, Row{"村口路灯坏了3天了还没有人来修", std::nullopt},
        Row{"13800000000", std::nullopt}, Row{"", std::nullopt}}) {
    EXPECT_EQ(rating_in_reply(row.text), row.score) << row.text;
  }
}

TEST(Answers, UnhappyAutoRepliesAndMembersAcknowledgements) {
  for (const char* text : {"差评", "不好", "太慢了", "服务态度不好", "差评！"})
    EXPECT_TRUE(sounds_unhappy(text)) << text;
  for (const char* text : {"满意", "谢谢", "好的"}) EXPECT_FALSE(sounds_unhappy(text)) << text;

  for (const char* text : {"【自动回复】我正在开车，稍后回复您", "自动回复：您好，我现在不方便接听",
                           "[Auto Reply] out of office", "我正在开会，稍后联系"})
    EXPECT_TRUE(is_auto_reply(text)) << text;
  for (const char* text : {"网格员电话一直不能接听，事情没人管", "村口路灯坏了", "谢谢"})
    EXPECT_FALSE(is_auto_reply(text)) << text;

  for (const char* text : {"收到", "好的", "OK", "ok", "收到，马上去", "好的收到", "收到了"})
    EXPECT_TRUE(is_member_acknowledgement(text)) << text;
  for (const char* text : {"", "收到一个问题村口路灯坏了", "接12", "帮助"})
    EXPECT_FALSE(is_member_acknowledgement(text)) << text;
}

TEST(Answers, ThanksYesNoAndLabelsOnAScreen) {
  for (const char* text : {"谢谢", "好的", "修好了谢谢", "辛苦了", "点赞", "好的谢谢你们", "很好"})
    EXPECT_TRUE(sounds_thankful(text)) << text;
  for (const char* text : {"你好", "差评", "不好", "谢谢，路灯又坏了", "", "5"})
    EXPECT_FALSE(sounds_thankful(text)) << text;

  struct YesNo {
    const char* text;
    std::optional<bool> yes;
  };
  for (const YesNo& row :
       {YesNo{"是", true}, YesNo{"是的", true}, YesNo{"对啊", true}, YesNo{"确认", true},
        YesNo{"不是", false}, YesNo{"算了吧", false}, YesNo{"取消", false}, YesNo{"不对", false},
        YesNo{"是不是", std::nullopt}, YesNo{"路灯", std::nullopt}}) {
    EXPECT_EQ(yes_or_no(row.text), row.yes) << row.text;
  }

  const std::string rate =
      "请为工单12评分：\n5 很满意 4 满意 3 一般\n2 不满意 1 很不满意\n0 没解决";
  struct Label {
    const char* typed;
    std::optional<std::size_t> option;
  };
  for (const Label& row : {Label{"很满意", 5}, Label{"满意", 4}, Label{"不满意", 2},
                           Label{"没解决", 0}, Label{"没解决。", 0}, Label{"12", std::nullopt},
                           Label{"评分", std::nullopt}, Label{"", std::nullopt}}) {
    EXPECT_EQ(option_by_label(rate, row.typed), row.option) << row.typed;
  }
  EXPECT_EQ(option_by_label("请选择：\n1 路灯\n2 漏水\n0 返回", "返回"),
            std::optional<std::size_t>(0));
}

// ---- the engine ----

class ConversationTest : public EngineTest {
 protected:
  // 张大爷's fallen light, accepted and resolved by whoever got it: the rating question is out.
  TicketNo resolved_report() {
    now_ += 24h;  // outside every join window
    const TicketNo n = report_streetlight();
    const Member* member = engine_.directory().find_member(*ticket(n).assignee);
    sms(member->phone, "完成" + std::to_string(n));
    EXPECT_EQ(ticket(n).state, TicketState::resolved);
    return n;
  }
  std::string phone_of(TicketNo n) {
    return engine_.directory().find_member(*ticket(n).assignee)->phone;
  }
};

TEST_F(ConversationTest, TheRatingQuestionIsAnsweredInWords) {
  enum Outcome { rated, reopened, asked_if_fixed, asked_again, new_ticket };
  struct Row {
    const char* text;
    Outcome outcome;
    int rating = 0;
  };
  for (const Row& row :
       {Row{"谢谢", rated, 5}, Row{"好的", rated, 5}, Row{"修好了谢谢", rated, 5},
        Row{"4分吧", rated, 4}, Row{"给5分", rated, 5}, Row{"打个三分", rated, 3},
        Row{"满意", rated, 5}, Row{"不满意", rated, 2}, Row{"0", reopened}, Row{"没修好", reopened},
        Row{"差评", asked_if_fixed}, Row{"还是不行", asked_if_fixed}, Row{"你好", asked_again},
        Row{"6", asked_again}, Row{"石塘村后山的水管爆了到处是水", new_ticket},
        Row{"屋里冒烟了", new_ticket}}) {
    const TicketNo n = resolved_report();
    const std::size_t before = engine_.tickets().size();
    Effects e = sms(kZhangPhone, row.text);
    const std::string reply = texts_to(e, kZhangPhone).empty() ? "" : texts_to(e, kZhangPhone)[0];
    switch (row.outcome) {
      case rated:
        EXPECT_EQ(ticket(n).rating, row.rating) << row.text;
        EXPECT_EQ(ticket(n).state, TicketState::closed) << row.text;
        EXPECT_TRUE(contains(reply, "谢谢")) << row.text << " → " << reply;
        break;
      case reopened:
        EXPECT_EQ(ticket(n).state, TicketState::reopened) << row.text;
        break;
      case asked_if_fixed:
        EXPECT_EQ(ticket(n).state, TicketState::resolved) << row.text;
        EXPECT_TRUE(contains(reply, "没解决请回复0")) << row.text << " → " << reply;
        break;
      case asked_again:
        EXPECT_EQ(ticket(n).state, TicketState::resolved) << row.text;
        EXPECT_TRUE(contains(reply, "回复5表示满意")) << row.text << " → " << reply;
        break;
      case new_ticket:
        EXPECT_EQ(ticket(n).state, TicketState::resolved) << row.text;
        EXPECT_EQ(engine_.tickets().size(), before + 1) << row.text;
        break;
    }
    if (row.outcome != new_ticket) {
      EXPECT_EQ(engine_.tickets().size(), before) << row.text;
    }
    if (ticket(n).state == TicketState::resolved) sms(kZhangPhone, "5");  // closes it
  }
}

TEST_F(ConversationTest, UnhappyTwiceReopensAndAnythingElseIsAskedOnlyOnce) {
  const TicketNo n = resolved_report();
  EXPECT_TRUE(contains(only_text_to(sms(kZhangPhone, "差评"), kZhangPhone), "回复0"));
  Effects again = sms(kZhangPhone, "差评");
  EXPECT_EQ(ticket(n).state, TicketState::reopened);
  EXPECT_TRUE(contains(only_text_to(again, kZhangPhone), "重新交办"));

  const TicketNo m = resolved_report();
  EXPECT_EQ(texts_to(sms(kZhangPhone, "你好"), kZhangPhone).size(), 1u);
  EXPECT_TRUE(texts_to(sms(kZhangPhone, "在吗"), kZhangPhone).empty());  // no loop
  EXPECT_EQ(ticket(m).state, TicketState::resolved);
}

TEST_F(ConversationTest, DissatisfactionNeverRaisesPointsAndRatingsAreSignedAroundThree) {
  const auto& rules = engine_.settings().points;
  EXPECT_EQ(rules.points_for_rating(5), 10);
  EXPECT_EQ(rules.points_for_rating(4), 5);
  EXPECT_EQ(rules.points_for_rating(3), 0);
  EXPECT_EQ(rules.points_for_rating(2), -3);
  EXPECT_EQ(rules.points_for_rating(1), -5);
  const std::string line = ctl::points_rules_line(rules);  // shown under lianxinctl points
  EXPECT_TRUE(line.starts_with("rules: rating 5→+10 4→+5 3→0 2→-3 1→-5")) << line;
  const TicketNo n = resolved_report();
  Effects unhappy = sms(kZhangPhone, "不满意");
  ASSERT_FALSE(unhappy.points.empty());
  EXPECT_EQ(unhappy.points.front().reason, "rating 2");
  EXPECT_LT(unhappy.points.front().points, 0);
  EXPECT_EQ(ticket(n).rating, 2);
}

TEST_F(ConversationTest, AMembersOwnReportGoesToAColleagueAndEarnsHerNoRatingPoints) {
  Effects e = sms(kWangPhone, "村口两盏路灯杆被大风刮倒了");
  ASSERT_EQ(e.tickets.size(), 1u);
  const TicketNo n = e.tickets.front().ticket.number;
  EXPECT_NE(ticket(n).assignee, std::optional<std::string>("m-wang"));
  EXPECT_EQ(texts_to(e, kWangPhone).size(), 1u);  // the confirmation, not a dispatch too
  EXPECT_TRUE(contains(texts_to(e, kWangPhone).front(), "工单号"));
  const std::string colleague = phone_of(n);
  sms(colleague, "完成" + std::to_string(n));
  Effects rated = sms(kWangPhone, "5");
  EXPECT_EQ(ticket(n).rating, 5);
  for (const PointsEntry& p : rated.points) EXPECT_NE(p.member, "m-wang");
  EXPECT_TRUE(texts_to(rated, kWangPhone).size() == 1u);  // thanks for the rating only
}

TEST_F(ConversationTest, AMembersShortReplyAcceptsHerOneNewDispatchOrGetsAHint) {
  Effects nothing = sms(kWangPhone, "收到");
  const std::string hint = only_text_to(nothing, kWangPhone);
  EXPECT_LE(sms::utf8_to_code_points(hint).size(), 30u + 5u) << hint;  // + the signature
  EXPECT_TRUE(contains(hint, "接12"));
  const TicketNo n = report_streetlight();
  const std::string member = phone_of(n);
  Effects ok = sms(member, "好的");
  EXPECT_EQ(ticket(n).state, TicketState::accepted);
  EXPECT_TRUE(contains(only_text_to(ok, member), "已接单"));
  EXPECT_TRUE(contains(only_text_to(sms(member, "帮助"), member), "完成123"));  // full help
}

TEST_F(ConversationTest, AutomaticRepliesAreStoredAndNeverAnswered) {
  const TicketNo n = report_streetlight();
  const std::string member = phone_of(n);
  for (const std::string& from : {member, std::string(kZhangPhone), std::string(kStrangerPhone)}) {
    Effects e = sms(from, "【自动回复】我正在开车，稍后回复您");
    EXPECT_TRUE(e.sms.empty()) << from;
    EXPECT_TRUE(e.tickets.empty()) << from;
    EXPECT_TRUE(e.events.empty()) << from;
    ASSERT_FALSE(e.logs.empty());
    EXPECT_TRUE(contains(e.logs.front().message, "automatic reply")) << e.logs.front().message;
  }
}

TEST_F(ConversationTest, InsideTheJoinWindowOnlyTheSameProblemJoins) {
  const TicketNo n = report_streetlight();
  struct Row {
    const char* text;
    bool joins;
  };
  for (const Row& row : {Row{"就在村口大樟树那边", true}, Row{"村口两盏路灯杆被大风刮倒了", true},
                         Row{"还有我家门口的垃圾好几天没人收了", false}}) {
    const std::size_t before = engine_.tickets().size();
    sms(kZhangPhone, row.text);
    EXPECT_EQ(engine_.tickets().size(), row.joins ? before : before + 1) << row.text;
  }
  EXPECT_EQ(ticket(n).state, TicketState::dispatched);
  // Two problems now open: more about the first (the light) joins the first, not the newest.
  const std::size_t notes = ticket(n).notes.size();
  sms(kZhangPhone, "路灯晚上还是不亮，黑漆漆的");
  EXPECT_EQ(engine_.tickets().size(), 2u);
  EXPECT_EQ(ticket(n).notes.size(), notes + 1);
}

// A short follow-up naming the ticket's subject (水沟) joins it even when the model is sure it is
// something else; a text naming nothing of it, read surely as another category, does not.
TEST_F(ConversationTest, AFollowUpNamingTheTicketsSubjectJoinsItWhateverTheModelSays) {
  auto model = std::make_shared<ScriptedModel>();
  auto sure = [](const char* label) { return ModelScores{{{label, 0.9}, {"other", 0.1}}, 0}; };
  model->script("后门水沟堵死了，一下雨水就漫进院子", sure("sanitation"));
  model->script("水沟的事：我拍了照片", sure("conduct"));
  model->script("我家自来水管子破了", sure("water"));
  Settings s = engine_.settings();
  s.language.model = model;
  engine_.reload(s, make_directory());
  Effects first = sms(kZhangPhone, "后门水沟堵死了，一下雨水就漫进院子");
  ASSERT_EQ(first.tickets.size(), 1u);
  const TicketNo n = first.tickets[0].ticket.number;
  sms(kZhangPhone, "水沟的事：我拍了照片");
  EXPECT_EQ(engine_.tickets().size(), 1u);
  EXPECT_EQ(ticket(n).notes.size(), 1u);
  sms(kZhangPhone, "我家自来水管子破了");
  EXPECT_EQ(engine_.tickets().size(), 2u);
}

TEST_F(ConversationTest, QueryListsOpenTicketsFirstAndCountsTheRest) {
  std::vector<TicketNo> numbers;
  for (int i = 0; i < 12; ++i) {
    now_ += 24h;
    numbers.push_back(report_streetlight());
  }
  for (int i = 0; i < 3; ++i) {  // three finished: resolved and rated
    const TicketNo n = numbers[static_cast<std::size_t>(i)];
    sms(phone_of(n), "完成" + std::to_string(n));
    sms(kZhangPhone, "5");
  }
  const std::string list = only_text_to(sms(kZhangPhone, "查询"), kZhangPhone);
  EXPECT_TRUE(contains(list, "您的工单：" + std::to_string(numbers.back()) + "号已派人处理"))
      << list;                                       // newest open first
  EXPECT_FALSE(contains(list, "已结束；")) << list;  // no finished one listed while some are open
  EXPECT_TRUE(contains(list, "件在办")) << list;     // the open ones that did not fit, counted
  EXPECT_TRUE(contains(list, "另有3件已结束")) << list;
}

// Texts read as unhappy feedback ("还是不亮") reach the member as notes do: batched, held back
// while the number floods, all stored.
TEST_F(ConversationTest, ABurstOfUnhappyFeedbackIsBatchedLikeNotes) {
  auto text = [](int i) { return "还是不亮，都" + std::to_string(i + 2) + "天了"; };
  auto model = std::make_shared<ScriptedModel>();
  for (int i = 0; i < 30; ++i)
    model->script(text(i), ModelScores{{{"feedback_bad", 0.95}, {"streetlight", 0.05}}, 0});
  Settings s = engine_.settings();
  s.language.model = model;
  engine_.reload(s, make_directory());
  const TicketNo n = report_streetlight();
  const std::string member = phone_of(n);
  std::size_t to_member = 0;
  for (int i = 0; i < 30; ++i) {
    now_ += 10ms;
    to_member += texts_to(sms(kZhangPhone, text(i)), member).size();
  }
  EXPECT_EQ(engine_.tickets().size(), 1u);
  EXPECT_EQ(ticket(n).notes.size(), 30u);
  EXPECT_EQ(to_member, 1u);
}

TEST_F(ConversationTest, ABurstIsAttachedAndForwardedInBatchesAndAFloodIsThrottled) {
  const TicketNo n = report_streetlight();
  const std::string member = phone_of(n);
  std::size_t to_member = 0, to_villager = 0;
  std::vector<TimerRequest> batch_timers;
  for (int i = 0; i < 50; ++i) {  // 50 different texts within a second
    now_ += 10ms;
    Effects e = sms(kZhangPhone, "村口路灯那边补充第" + std::string(i % 2 ? "二" : "一") +
                                     "点情况" + std::string(static_cast<std::size_t>(i), 'x'));
    to_member += texts_to(e, member).size();
    to_villager += texts_to(e, kZhangPhone).size();
    for (const TimerRequest& t : timers_of(e, TimerKind::note_batch)) batch_timers.push_back(t);
    EXPECT_TRUE(e.tickets.size() <= 1u);
  }
  EXPECT_EQ(engine_.tickets().size(), 1u);  // everything attached to the one ticket
  EXPECT_EQ(ticket(n).notes.size(), 50u);
  EXPECT_EQ(to_member, 1u);     // the first note at once, the rest wait for the batch
  EXPECT_LE(to_villager, 10u);  // answers stop once the number floods
  EXPECT_EQ(engine_.throttled_senders(now_), 1u);
  ASSERT_EQ(batch_timers.size(), 1u);

  // The batch is due while the number floods again: it waits; once it is quiet, one SMS.
  now_ = batch_timers[0].at - 30s;
  for (int i = 0; i < 12; ++i)
    sms(kZhangPhone, "又一条补充" + std::string(static_cast<std::size_t>(i), 'y'));
  now_ = batch_timers[0].at;
  Effects early = timer(n, TimerKind::note_batch);
  EXPECT_TRUE(texts_to(early, member).empty());
  now_ += 2min;
  EXPECT_EQ(engine_.throttled_senders(now_), 0u);
  Effects batch = timer(n, TimerKind::note_batch);
  const std::string joined = only_text_to(batch, member);
  EXPECT_TRUE(contains(joined, "群众补充")) << joined;
  EXPECT_TRUE(contains(joined, "条，见工单记录")) << joined;  // 49 notes do not fit: counted
}

TEST_F(ConversationTest, AComplaintAboutAMemberNeverReachesHerOrHerGrid) {
  for (RouteKind route : {RouteKind::duty_desk, RouteKind::grid}) {
    Settings s = engine_.settings();
    for (Category& c : s.categories)
      if (c.id == "conduct") c.route = route;  // even a county that routes it by grid
    engine_.reload(s, make_directory());
    now_ += 24h;
    Effects e = sms(kZhangPhone, "王建国态度恶劣，报了三次路灯都不来");
    ASSERT_EQ(e.tickets.size(), 1u);
    const Ticket& t = ticket(e.tickets.front().ticket.number);
    EXPECT_EQ(t.category, "conduct");
    ASSERT_TRUE(t.assignee);
    EXPECT_NE(*t.assignee, "m-wang");
    EXPECT_NE(*t.assignee, "m-li");  // the grid the complaint came from
    EXPECT_EQ(*t.assignee, "m-desk");
    EXPECT_TRUE(texts_to(e, kWangPhone).empty());  // she never sees the complainant's number
    // Counted against her in `lianxinctl stats --by member`, not against her grid colleague.
    EXPECT_EQ(t.complaint_about, std::vector<std::string>{"m-wang"});
  }
}

// Who a complaint names, as villagers name people: full names anywhere, else surname and title
// within the grid it came from; nobody when it names nobody (it still avoids the whole grid).
TEST_F(ConversationTest, AComplaintNamesMembersByFullNameOrBySurnameAndTitle) {
  struct Row {
    const char* text;
    std::vector<std::string> named;
  };
  for (const Row& row : {
           Row{"李书记吃拿卡要，收了我两条烟才给办", {"m-li"}},
           Row{"王建国和李秀英都不作为，态度恶劣", {"m-wang", "m-li"}},
           Row{"网格员态度恶劣，说了也不来", {}},
           Row{"孙主任吃拿卡要，收了红包才给办事", {}},  // 孙立 is of another grid
       }) {
    now_ += 24h;
    Effects e = sms(kZhangPhone, row.text);
    ASSERT_EQ(e.tickets.size(), 1u) << row.text;
    const Ticket& t = ticket(e.tickets.front().ticket.number);
    ASSERT_EQ(t.category, "conduct") << row.text;
    std::vector<std::string> named = t.complaint_about;
    std::sort(named.begin(), named.end());
    std::vector<std::string> expected = row.named;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(named, expected) << row.text;
    ASSERT_TRUE(t.assignee);
    EXPECT_EQ(*t.assignee, "m-desk") << row.text;
  }
}

}  // namespace
}  // namespace lianxin::domain
