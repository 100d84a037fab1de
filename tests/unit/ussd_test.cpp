// The USSD menu engine (domain/ussd.hpp) on an injected clock, driven against the real ticket
// engine through a port like the daemon's, plus the SMPP value dialects (protocol/ussd.hpp).
#include "daemon/domain/ussd.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon/domain/engine.hpp"
#include "protocol/ussd.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/ussd_engine_port.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;
using testing::EnginePort;
using ::testing::HasSubstr;
using testing::kStrangerPhone;
using testing::kZhangPhone;
using ::testing::Not;
using ::testing::StartsWith;

UssdMenu test_menu() {
  UssdMenu menu = default_ussd_menu();
  menu.enabled = true;
  menu.session_timeout = 60s;
  menu.categories = {{"streetlight", "路灯", {"路灯不亮", "灯杆倒了"}},
                     {"water", "漏水", {}},
                     {"sanitation", "垃圾", {}}};
  // A submenu with an information leaf, to walk the tree.
  menu.resident.children.push_back({"办事指南",
                                    "办事指南",
                                    UssdAction::none,
                                    {{"办证", "请带身份证到村委会办理。", UssdAction::none, {}}}});
  return menu;
}

class UssdDialogue : public ::testing::Test {
 protected:
  UssdDialogue()
      : engine_(make_settings(), testing::make_directory()), port_(engine_), ussd_(test_menu()) {}

  static Settings make_settings() {
    Settings s = ::lianxin::domain::testing::test_settings();
    s.ussd = test_menu();
    return s;
  }

  UssdReply step(const std::string& phone, UssdStep kind, const std::string& text,
                 std::optional<std::uint16_t> info = std::nullopt) {
    UssdReply reply = ussd_.handle(UssdInput{phone, kind, text, info}, port_, now_);
    if (reply.send) {
      EXPECT_TRUE(ussd_length(reply.text).fits()) << reply.text;
      screens_.push_back(reply.text);
    }
    return reply;
  }
  UssdReply dial(const std::string& phone, const std::string& code = "*123#") {
    return step(phone, UssdStep::begin, code);
  }
  UssdReply press(const std::string& phone, const std::string& digits) {
    return step(phone, UssdStep::answer, digits);
  }
  std::vector<OutgoingSms> sms_to(const std::string& phone) const {
    std::vector<OutgoingSms> out;
    for (const Effects& e : port_.effects)
      for (const OutgoingSms& sms : e.sms)
        if (sms.to == phone) out.push_back(sms);
    return out;
  }

  TimePoint now_ = TimePoint{} + std::chrono::hours(24 * 365 * 56);
  Engine engine_;
  EnginePort port_;
  UssdEngine ussd_;
  std::vector<std::string> screens_;
};

TEST_F(UssdDialogue, ResidentReportsByDigitsAndGetsATicketAndAnSmsConfirmation) {
  UssdReply r = dial(kZhangPhone);
  EXPECT_FALSE(r.end);
  EXPECT_EQ(r.text, "连心桥为您服务\n1 反映问题\n2 我的工单\n3 评价服务\n4 办事指南");
  r = press(kZhangPhone, "1");
  EXPECT_EQ(r.text, "请选择问题类型：\n1 路灯\n2 漏水\n3 垃圾\n0 返回");
  r = press(kZhangPhone, "1");
  // 张大爷 is a resident of 大溪边村 in the directory: confirm rather than pick.
  EXPECT_EQ(r.text, "您是大溪边村的吗？\n1 是\n2 选择其他村");
  r = press(kZhangPhone, "1");
  EXPECT_EQ(r.text, "请选择问题描述：\n1 路灯不亮\n2 灯杆倒了\n0 不选，直接提交");
  r = press(kZhangPhone, "2");
  EXPECT_EQ(r.text, "路灯｜大溪边村｜灯杆倒了\n1 确认提交\n2 取消");
  EXPECT_EQ(port_.actions, 0);
  r = press(kZhangPhone, "1");
  EXPECT_TRUE(r.end);
  EXPECT_TRUE(r.acted);
  ASSERT_EQ(port_.actions, 1);
  const TicketNo number = engine_.next_ticket_number() - 1;
  EXPECT_EQ(r.text, "已受理，工单号" + std::to_string(number) + "，稍后短信通知您。");
  const Ticket* ticket = engine_.find(number);
  ASSERT_NE(ticket, nullptr);
  EXPECT_EQ(ticket->category, "streetlight");
  EXPECT_EQ(ticket->grid, "g-daxi");
  EXPECT_EQ(ticket->text, "灯杆倒了");
  EXPECT_EQ(ticket->state, TicketState::dispatched);
  // The usual SMS confirmation with the number, and the dispatch to a member of the grid.
  const auto confirmations = sms_to(kZhangPhone);
  ASSERT_EQ(confirmations.size(), 1u);
  EXPECT_THAT(confirmations[0].text, HasSubstr(std::to_string(number)));
  EXPECT_TRUE(ticket->assignee);
  EXPECT_FALSE(ussd_.has_session(kZhangPhone));
}

TEST_F(UssdDialogue, StrangerPicksAVillageOrLeavesItToTheSmsQuestion) {
  dial(kStrangerPhone);
  press(kStrangerPhone, "1");
  UssdReply r = press(kStrangerPhone, "2");  // 漏水: no presets
  EXPECT_EQ(r.text, "请选择所在村：\n1 大溪边村\n2 石塘村\n3 下淤村\n0 不在列表中");
  r = press(kStrangerPhone, "2");
  EXPECT_EQ(r.text, "漏水｜石塘村｜无\n1 确认提交\n2 取消");
  press(kStrangerPhone, "1");
  const Ticket* first = engine_.find(engine_.next_ticket_number() - 1);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->grid, "g-shitang");
  EXPECT_EQ(first->category, "water");

  // "Not listed": the ticket waits for the answer to the usual SMS question.
  dial(kStrangerPhone);
  press(kStrangerPhone, "1");
  press(kStrangerPhone, "3");
  r = press(kStrangerPhone, "0");
  EXPECT_EQ(r.text, "垃圾｜待确认｜无\n1 确认提交\n2 取消");
  press(kStrangerPhone, "1");
  const Ticket* second = engine_.find(engine_.next_ticket_number() - 1);
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_EQ(second->state, TicketState::awaiting_location);
}

TEST_F(UssdDialogue, InvalidDigitsReshowTheScreenWithAHintAndChangeNothing) {
  dial(kZhangPhone);
  const std::string menu = screens_.back();
  for (const char* bad : {"7", "abc", "", "123", "0"}) {
    UssdReply r = press(kZhangPhone, bad);
    EXPECT_FALSE(r.end) << bad;
    EXPECT_EQ(r.text, "输入有误，请按数字选择。\n" + menu) << bad;  // one hint, never stacked
  }
  // Full-width digits are digits.
  UssdReply r = press(kZhangPhone, "１");
  EXPECT_THAT(r.text, StartsWith("请选择问题类型"));
  EXPECT_EQ(port_.actions, 0);
}

// Callers who type words instead of digits: a label on the screen, 是/不是 on the two yes/no
// screens, and on the rating screen a rating in words (the screen's labels first: 满意 is 4 there).
TEST_F(UssdDialogue, WordsInPlaceOfDigitsChooseWhatTheyObviouslyMean) {
  dial(kZhangPhone);
  UssdReply r = press(kZhangPhone, "反映问题");
  EXPECT_THAT(r.text, StartsWith("请选择问题类型"));
  r = press(kZhangPhone, "路灯");
  EXPECT_EQ(r.text, "您是大溪边村的吗？\n1 是\n2 选择其他村");
  r = press(kZhangPhone, "是的");
  EXPECT_THAT(r.text, StartsWith("请选择问题描述"));
  r = press(kZhangPhone, "灯杆倒了");
  EXPECT_EQ(r.text, "路灯｜大溪边村｜灯杆倒了\n1 确认提交\n2 取消");
  r = press(kZhangPhone, "算了");
  EXPECT_EQ(r.text, "已取消，谢谢。");
  EXPECT_EQ(port_.actions, 0);

  dial(kZhangPhone);
  press(kZhangPhone, "1");
  press(kZhangPhone, "1");
  r = press(kZhangPhone, "不是");  // pick another village
  EXPECT_THAT(r.text, StartsWith("请选择所在村"));
  r = press(kZhangPhone, "不在列表中");
  r = press(kZhangPhone, "不选，直接提交");
  r = press(kZhangPhone, "确认");
  EXPECT_TRUE(r.acted);
  EXPECT_EQ(port_.actions, 1);
  // Words that are no option still get the hint, never a guess.
  dial(kZhangPhone);
  r = press(kZhangPhone, "村口路灯坏了");
  EXPECT_THAT(r.text, StartsWith("输入有误"));
}

TEST_F(UssdDialogue, TheRatingScreenTakesRatingsInWords) {
  struct Row {
    const char* typed;
    std::optional<int> rating;  // nullopt: the screen again with the hint
  };
  std::int64_t inbound = 100;
  for (const Row& row : {Row{"很满意", 5}, Row{"满意", 4}, Row{"一般", 3}, Row{"4分吧", 4},
                         Row{"五星", 5}, Row{"谢谢", 5}, Row{"修好了谢谢", 5}, Row{"没解决", 0},
                         Row{"差评", std::nullopt}, Row{"你好", std::nullopt}}) {
    now_ += 24h;
    Effects opened = engine_.on_sms(kZhangPhone, "村口路灯不亮了", now_, ++inbound);
    ASSERT_EQ(opened.tickets.size(), 1u) << row.typed;
    const TicketNo number = opened.tickets[0].ticket.number;
    const std::string member =
        engine_.directory().find_member(*engine_.find(number)->assignee)->phone;
    engine_.on_sms(member, "完成" + std::to_string(number), now_, ++inbound);
    dial(kZhangPhone);
    press(kZhangPhone, "3");
    const UssdReply r = press(kZhangPhone, row.typed);
    if (!row.rating) {
      EXPECT_THAT(r.text, StartsWith("输入有误")) << row.typed;
      EXPECT_EQ(engine_.find(number)->state, TicketState::resolved) << row.typed;
      press(kZhangPhone, "5");  // a rating, so the next row starts clean
      continue;
    }
    if (*row.rating == 0) {
      EXPECT_EQ(engine_.find(number)->state, TicketState::reopened) << row.typed;
      engine_.on_sms(member, "完成" + std::to_string(number), now_, ++inbound);
      engine_.on_sms(kZhangPhone, "5", now_, ++inbound);
      continue;
    }
    EXPECT_EQ(engine_.find(number)->rating, row.rating) << row.typed;
  }
}

TEST_F(UssdDialogue, TimeoutMidDialogueAsksToDialAgainAndNothingIsReported) {
  dial(kZhangPhone);
  press(kZhangPhone, "1");
  now_ += 59s;  // each step refreshes the timeout
  press(kZhangPhone, "1");
  now_ += 61s;
  UssdReply r = press(kZhangPhone, "1");
  EXPECT_TRUE(r.end);
  EXPECT_EQ(r.text, "操作超时，请重新拨*123#。");
  EXPECT_EQ(port_.actions, 0);
  EXPECT_EQ(ussd_.sessions(), 0u);
  // Dialling again starts afresh.
  r = dial(kZhangPhone);
  EXPECT_THAT(r.text, StartsWith("连心桥为您服务"));
}

TEST_F(UssdDialogue, ExpireDropsIdleSessions) {
  dial(kZhangPhone);
  dial(kStrangerPhone);
  EXPECT_EQ(ussd_.expire(now_ + 59s), 0u);
  EXPECT_EQ(ussd_.expire(now_ + 60s), 2u);
  EXPECT_EQ(ussd_.sessions(), 0u);
}

TEST_F(UssdDialogue, RepeatedAndOutOfOrderStepsGetTheLastScreenAndDoNotActTwice) {
  // its_session_info: session 0x05, sequence numbers in bits 7..1.
  step(kZhangPhone, UssdStep::begin, "*123#", 0x0500);
  step(kZhangPhone, UssdStep::answer, "1", 0x0502);
  step(kZhangPhone, UssdStep::answer, "1", 0x0504);
  step(kZhangPhone, UssdStep::answer, "1", 0x0506);
  step(kZhangPhone, UssdStep::answer, "0", 0x0508);
  UssdReply done = step(kZhangPhone, UssdStep::answer, "1", 0x050A);
  ASSERT_TRUE(done.end);
  EXPECT_EQ(port_.actions, 1);
  // The gateway repeats the last step: the session is gone, the screen is "dial again", but
  // nothing is reported twice.
  UssdReply again = step(kZhangPhone, UssdStep::answer, "1", 0x050A);
  EXPECT_EQ(port_.actions, 1);
  EXPECT_TRUE(again.end);

  // Within a dialogue: the same step twice and an overtaken step.
  step(kStrangerPhone, UssdStep::begin, "*123#", 0x0700);
  UssdReply first = step(kStrangerPhone, UssdStep::answer, "1", 0x0702);
  UssdReply repeat = step(kStrangerPhone, UssdStep::answer, "1", 0x0702);
  EXPECT_TRUE(repeat.repeat);
  EXPECT_EQ(repeat.text, first.text);
  UssdReply stale = step(kStrangerPhone, UssdStep::answer, "2", 0x0700);
  EXPECT_TRUE(stale.repeat);
  EXPECT_EQ(stale.text, first.text);
}

TEST_F(UssdDialogue, NetworkReleaseEndsTheSessionSilently) {
  dial(kZhangPhone);
  press(kZhangPhone, "1");
  UssdReply r = step(kZhangPhone, UssdStep::release, "");
  EXPECT_FALSE(r.send);
  EXPECT_FALSE(ussd_.has_session(kZhangPhone));
  r = press(kZhangPhone, "1");
  EXPECT_EQ(r.text, "操作超时，请重新拨*123#。");
}

TEST_F(UssdDialogue, UnknownOpIsAnAnswerInADialogueAndABeginOutsideOne) {
  UssdReply r = step(kZhangPhone, UssdStep::unknown, "*123#");
  EXPECT_THAT(r.text, StartsWith("连心桥为您服务"));
  r = step(kZhangPhone, UssdStep::unknown, "2");
  EXPECT_EQ(r.text, "您还没有工单。");
  EXPECT_TRUE(r.end);
}

TEST_F(UssdDialogue, ShortcutCodeJumpsStraightToAChoice) {
  UssdReply r = dial(kZhangPhone, "*123*1*2#");
  EXPECT_EQ(r.text, "您是大溪边村的吗？\n1 是\n2 选择其他村");
  r = dial(kZhangPhone, "*123*9#");
  EXPECT_THAT(r.text, StartsWith("输入有误"));
}

TEST_F(UssdDialogue, SubmenusGoDownAndBackAndInformationEndsTheDialogue) {
  dial(kZhangPhone);
  UssdReply r = press(kZhangPhone, "4");
  EXPECT_EQ(r.text, "办事指南\n1 办证\n0 返回");
  r = press(kZhangPhone, "0");
  EXPECT_THAT(r.text, StartsWith("连心桥为您服务"));
  press(kZhangPhone, "4");
  r = press(kZhangPhone, "1");
  EXPECT_TRUE(r.end);
  EXPECT_EQ(r.text, "请带身份证到村委会办理。");
}

TEST_F(UssdDialogue, MemberAcceptsAndFinishesThenResidentRatesAndListsTickets) {
  // A ticket by SMS, dispatched to a member of 大溪边村.
  Effects opened = engine_.on_sms(kZhangPhone, "村口路灯不亮了", now_, 1);
  ASSERT_EQ(opened.tickets.size(), 1u);
  const TicketNo number = opened.tickets[0].ticket.number;
  const std::string assignee = *engine_.find(number)->assignee;
  const std::string member_phone = engine_.directory().find_member(assignee)->phone;

  UssdReply r = dial(member_phone);
  EXPECT_EQ(r.text, "连心桥·党员服务\n1 我的工单\n2 接单\n3 办结\n4 反映问题");
  r = press(member_phone, "2");
  // The member's word for a dispatched ticket, the same as in her SMS replies.
  EXPECT_EQ(r.text, "请选择要接的工单：\n1 " + std::to_string(number) + " 路灯 大溪边村 待接单");
  r = press(member_phone, "1");
  EXPECT_TRUE(r.end);
  EXPECT_EQ(r.text, "已接单" + std::to_string(number) + "，请尽快处理。");
  EXPECT_EQ(engine_.find(number)->state, TicketState::accepted);
  EXPECT_TRUE(sms_to(member_phone).empty());  // the screen said it

  dial(member_phone);
  r = press(member_phone, "1");
  EXPECT_EQ(r.text, "待处理工单：\n" + std::to_string(number) + " 路灯 大溪边村 处理中");
  dial(member_phone);
  press(member_phone, "3");
  r = press(member_phone, "1");
  EXPECT_EQ(r.text, "工单" + std::to_string(number) + "已办结，已请群众评价。");
  EXPECT_EQ(engine_.find(number)->state, TicketState::resolved);
  // The villager is asked to rate by SMS as always.
  EXPECT_EQ(sms_to(kZhangPhone).size(), 1u);

  dial(kZhangPhone);
  r = press(kZhangPhone, "3");
  EXPECT_THAT(r.text, StartsWith("请为工单" + std::to_string(number) + "评分"));
  r = press(kZhangPhone, "9");
  EXPECT_THAT(r.text, StartsWith("输入有误"));
  r = press(kZhangPhone, "5");
  EXPECT_EQ(r.text, "感谢评价！工单" + std::to_string(number) + "已结束。");
  EXPECT_EQ(engine_.find(number)->rating, 5);
  EXPECT_EQ(engine_.find(number)->state, TicketState::closed);

  dial(kZhangPhone);
  r = press(kZhangPhone, "2");
  EXPECT_EQ(r.text, "您的工单：\n" + std::to_string(number) + " 路灯 已结束");
  dial(kZhangPhone);
  r = press(kZhangPhone, "3");
  EXPECT_EQ(r.text, "您没有待评价的工单。");
}

// One pair of status-word tables (templates resident_state_* and member_state_*): a word the
// operator changes reads the same in the villager's SMS reply to 查询 and on both USSD lists.
TEST(UssdStatusWords, OneTableForSmsAndUssd) {
  Settings settings = ::lianxin::domain::testing::test_settings();
  settings.ussd = test_menu();
  settings.templates.resident_state_dispatched = "已安排人";
  settings.templates.member_state_dispatched = "请接单";
  Engine engine(settings, testing::make_directory());
  EnginePort port(engine);
  UssdEngine ussd(test_menu());
  const TimePoint now = TimePoint{} + std::chrono::hours(24 * 365 * 56);
  auto screen = [&](const std::string& phone, UssdStep kind, const std::string& text) {
    return ussd.handle(UssdInput{phone, kind, text, std::nullopt}, port, now).text;
  };

  Effects opened = engine.on_sms(kZhangPhone, "村口路灯不亮了", now, 1);
  ASSERT_EQ(opened.tickets.size(), 1u);
  const std::string number = std::to_string(opened.tickets[0].ticket.number);
  const std::string member_phone =
      engine.directory()
          .find_member(*engine.find(opened.tickets[0].ticket.number)->assignee)
          ->phone;

  Effects asked = engine.on_sms(kZhangPhone, "查询", now, 2);
  ASSERT_EQ(asked.sms.size(), 1u);
  EXPECT_THAT(asked.sms[0].text, ::testing::HasSubstr(number + "号已安排人"));
  screen(kZhangPhone, UssdStep::begin, "*123#");
  EXPECT_EQ(screen(kZhangPhone, UssdStep::answer, "2"), "您的工单：\n" + number + " 路灯 已安排人");
  screen(member_phone, UssdStep::begin, "*123#");
  EXPECT_EQ(screen(member_phone, UssdStep::answer, "2"),
            "请选择要接的工单：\n1 " + number + " 路灯 大溪边村 请接单");
}

TEST(UssdStatusWords, AConfiguredWordMustBeShort) {
  const TemplateField* field = find_template_field("member_state_dispatched");
  ASSERT_NE(field, nullptr);
  EXPECT_FALSE(check_template(*field, "请接单", ""));
  auto problem = check_template(*field, "已经派给您请尽快接单处理", "");
  ASSERT_TRUE(problem);
  EXPECT_THAT(*problem, ::testing::HasSubstr("at most 8 characters"));
}

TEST_F(UssdDialogue, MemberCannotAcceptWhatIsNotTheirs) {
  Effects opened = engine_.on_sms(kZhangPhone, "村口路灯不亮了", now_, 1);
  const TicketNo number = opened.tickets[0].ticket.number;
  Engine::UssdOutcome outcome = engine_.ussd_accept(testing::kSunPhone, number, now_);
  EXPECT_EQ(outcome.result.status, UssdActionStatus::not_allowed);
  EXPECT_TRUE(outcome.effects.tickets.empty());
  EXPECT_EQ(engine_.find(number)->state, TicketState::dispatched);
  // Nothing to accept: the member gets a short end screen.
  dial(testing::kSunPhone);
  UssdReply r = press(testing::kSunPhone, "2");
  EXPECT_EQ(r.text, "您没有待处理的工单。");
  EXPECT_TRUE(r.end);
}

TEST_F(UssdDialogue, CancelAtTheConfirmationReportsNothing) {
  dial(kZhangPhone);
  press(kZhangPhone, "1");
  press(kZhangPhone, "2");
  press(kZhangPhone, "1");
  UssdReply r = press(kZhangPhone, "2");
  EXPECT_EQ(r.text, "已取消，谢谢。");
  EXPECT_TRUE(r.end);
  EXPECT_EQ(port_.actions, 0);
  EXPECT_TRUE(engine_.tickets().empty());
}

// ---- a port with many villages: pages ----

class ManyPlaces final : public UssdPort {
 public:
  bool is_member(std::string_view) const override { return false; }
  std::string category_name(std::string_view id) const override { return std::string(id); }
  std::optional<UssdPlace> home_place(std::string_view) const override { return std::nullopt; }
  std::vector<UssdPlace> places() const override {
    std::vector<UssdPlace> out;
    for (int i = 0; i < 30; ++i)
      out.push_back({"g" + std::to_string(i), "第" + std::to_string(i) + "号很长的村名网格"});
    return out;
  }
  std::vector<UssdTicketLine> reporter_tickets(std::string_view) const override { return {}; }
  std::optional<TicketNo> ratable_ticket(std::string_view) const override { return std::nullopt; }
  std::vector<UssdTicketLine> member_tickets(std::string_view, UssdMemberList) const override {
    return {};
  }
  UssdActionResult report(std::string_view, const UssdReport& r, TimePoint) override {
    reported = r;
    return {UssdActionStatus::ok, 7, ""};
  }
  UssdActionResult accept(std::string_view, TicketNo, TimePoint) override { return {}; }
  UssdActionResult done(std::string_view, TicketNo, TimePoint) override { return {}; }
  UssdActionResult rate(std::string_view, TicketNo, int, TimePoint) override { return {}; }
  std::optional<UssdReport> reported;
};

TEST(UssdPages, VillagesArePagedToFitAndNineTurnsThePage) {
  ManyPlaces port;
  UssdEngine ussd(test_menu());
  const TimePoint now{};
  auto go = [&](UssdStep step, const std::string& text) {
    UssdReply r = ussd.handle(UssdInput{"+8613900000009", step, text, std::nullopt}, port, now);
    EXPECT_TRUE(ussd_length(r.text).fits()) << r.text;
    EXPECT_TRUE(ussd_length("输入有误，请按数字选择。\n" + r.text).fits()) << r.text;
    return r;
  };
  go(UssdStep::begin, "*123#");
  go(UssdStep::answer, "1");
  UssdReply page1 = go(UssdStep::answer, "3");
  EXPECT_THAT(page1.text, HasSubstr("1 第0号很长的村名网格"));
  EXPECT_THAT(page1.text, HasSubstr("9 下一页"));
  const auto shown = std::count(page1.text.begin(), page1.text.end(), '\n') -
                     2;  // lines after the prompt, less 9 and 0
  ASSERT_GT(shown, 0);
  UssdReply page2 = go(UssdStep::answer, "9");
  EXPECT_THAT(page2.text, HasSubstr("1 第" + std::to_string(shown) + "号很长的村名网格"));
  go(UssdStep::answer, "2");
  go(UssdStep::answer, "1");
  ASSERT_TRUE(port.reported);
  EXPECT_EQ(port.reported->grid, "g" + std::to_string(shown + 1));
  EXPECT_EQ(port.reported->category, "sanitation");
}

// ---- lengths and dialects ----

TEST(UssdLength, GsmSevenBitAndUcs2Limits) {
  EXPECT_EQ(ussd_length(std::string(182, 'a')).limit, 182u);
  EXPECT_TRUE(ussd_length(std::string(182, 'a')).fits());
  EXPECT_FALSE(ussd_length(std::string(183, 'a')).fits());
  // Extension characters take two septets.
  EXPECT_EQ(ussd_length("{}").length, 4u);
  UssdLength chinese = ussd_length("路" + std::string(79, 'a'));
  EXPECT_FALSE(chinese.gsm7);
  EXPECT_EQ(chinese.limit, 80u);
  EXPECT_TRUE(chinese.fits());
  EXPECT_FALSE(ussd_length("路" + std::string(80, 'a')).fits());
}

TEST(UssdDialect, StandardValuesAndTheEndOfSessionBit) {
  const ussd::Dialect standard;
  EXPECT_EQ(ussd::classify(standard, 1, std::nullopt), ussd::Inbound::begin);
  EXPECT_EQ(ussd::classify(standard, 18, std::nullopt), ussd::Inbound::answer);
  EXPECT_EQ(ussd::classify(standard, 0x81, std::nullopt), ussd::Inbound::unknown);
  EXPECT_EQ(ussd::classify(standard, 18, 0x0103), ussd::Inbound::release);  // end bit set
  EXPECT_EQ(standard.reply_continue, 2);
  EXPECT_EQ(standard.reply_end, 17);
  // Same session number, next sequence number, end bit on the last screen.
  EXPECT_EQ(ussd::reply_session_info(standard, 0x0102, false), 0x0104);
  EXPECT_EQ(ussd::reply_session_info(standard, 0x0102, true), 0x0105);
  EXPECT_EQ(ussd::reply_session_info(standard, std::nullopt, true), std::nullopt);
}

TEST(UssdDialect, VendorValues) {
  ussd::Dialect vendor;
  vendor.begin = {0x01};
  vendor.answer = {0x12};
  vendor.release = {0x81};
  vendor.reply_continue = 0x12;
  vendor.reply_end = 0x81;
  vendor.session_end_bit = false;
  EXPECT_EQ(ussd::classify(vendor, 0x12, 0x0103), ussd::Inbound::answer);  // bit ignored
  EXPECT_EQ(ussd::classify(vendor, 0x81, std::nullopt), ussd::Inbound::release);
  EXPECT_EQ(ussd::classify(vendor, 0x33, std::nullopt), ussd::Inbound::unknown);
  EXPECT_EQ(ussd::reply_session_info(vendor, 0x0102, true), 0x0104);
}

TEST(UssdMenuDefaults, EveryShippedScreenFits) {
  UssdMenu menu = default_ussd_menu();
  EXPECT_TRUE(ussd_length(render_ussd_menu(menu.resident, menu.texts, true, true)).fits());
  EXPECT_TRUE(ussd_length(render_ussd_menu(menu.member, menu.texts, true, true)).fits());
  EXPECT_TRUE(ussd_length(menu.texts.invalid_hint + "\n" +
                          render(menu.texts.rate_prompt, TemplateValues().set("ticket", 99999)))
                  .fits());
}

}  // namespace
}  // namespace lianxin::domain
