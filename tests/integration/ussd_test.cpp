// USSD through the real lianxind, with the node-smpp simulator playing the carrier's USSD
// gateway (its "ussd" command): deliver_sm with ussd_service_op / its_session_info in, submit_sm
// with ussd_service_op out ("ussd_screen" events). The demo directory (config/demo) supplies the
// villagers and members.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "tests/integration/daemon_site.hpp"

namespace lianxin::testing {
namespace {

using namespace std::chrono_literals;
using sim::Json;
namespace fs = std::filesystem;

// The menu under test: a service code, a short timeout, three report categories.
ConfigExtras ussd_site(const std::string& dialect) {
  ConfigExtras extra;
  extra.connection = dialect;
  extra.top =
      "ussd:\n"
      "  service_code: \"*123#\"\n"
      "  session_timeout: 2s\n"
      "  report_categories:\n"
      "    - category: streetlight\n"
      "      descriptions: [路灯不亮, 灯杆倒了]\n"
      "    - category: road\n"
      "    - category: sanitation\n";
  return extra;
}

class UssdTest : public DaemonSite {
 protected:
  // `dialect`: extra lines under the connection (its `ussd:` mapping), or "".
  void start(const std::string& dialect = "") { DaemonSite::start(ussd_site(dialect)); }

  // One step and the screen that answers it.
  Json step(const std::string& from, const std::string& text, const std::string& kind = "answer",
            const Json& map = {}) {
    const Json done = sim_->ussd(from, text, kind, map);
    EXPECT_TRUE(done["ok"].boolean()) << "deliver_sm not acknowledged: " << done.dump();
    const auto screen = sim_->ussd_screen(from);
    if (!screen) {
      ADD_FAILURE() << "no USSD screen to " << from << " after \"" << text << "\"";
      return Json();
    }
    return *screen;
  }
};

TEST_F(UssdTest, FullReportDialogueMakesATicketAndAnSmsConfirmation) {
  start();
  Json s = step(kZhang, "*123#", "begin");
  EXPECT_EQ(s["text"].str(), "连心桥为您服务\n1 反映问题\n2 我的工单\n3 评价服务");
  EXPECT_EQ(s["op"].integer(), 2);  // USSR request: an answer is expected
  EXPECT_FALSE(s["end"].boolean());
  EXPECT_EQ(s["from"].str(), "*123#");
  // Same session number as the gateway's, next sequence number, no end bit.
  EXPECT_EQ(s["session_info"].integer() & 0xFF, 2);

  s = step(kZhang, "1");
  EXPECT_EQ(s["text"].str(), "请选择问题类型：\n1 路灯\n2 道路/交通\n3 垃圾/环境卫生\n0 返回");
  s = step(kZhang, "1");
  EXPECT_EQ(s["text"].str(), "您是大溪边村的吗？\n1 是\n2 选择其他村");
  s = step(kZhang, "1");
  EXPECT_EQ(s["text"].str(), "请选择问题描述：\n1 路灯不亮\n2 灯杆倒了\n0 不选，直接提交");
  s = step(kZhang, "2");
  EXPECT_EQ(s["text"].str(), "路灯｜大溪边村｜灯杆倒了\n1 确认提交\n2 取消");
  s = step(kZhang, "1");
  EXPECT_TRUE(s["end"].boolean());
  EXPECT_EQ(s["op"].integer(), 17);  // PSSR response: the dialogue ends
  EXPECT_EQ(s["session_info"].integer() & 1, 1);
  const auto number = number_after(s["text"].str(), "工单号");
  ASSERT_TRUE(number) << s.dump();

  // The ticket is like any other: the SMS confirmation with its number, a dispatch to a member.
  const auto confirmation = sms_to(kZhang, "工单号" + std::to_string(*number));
  ASSERT_TRUE(confirmation);
  EXPECT_EQ(confirmation->rfind("【连心桥】", 0), 0u);
  const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "新工单" + std::to_string(*number) + "：") &&
           contains(e["text"].str(), "灯杆倒了") && contains(e["text"].str(), "大溪边村");
  });
  ASSERT_TRUE(dispatch);
  // "My tickets" shows it, in the villager's words (as her SMS 查询 reply would).
  step(kZhang, "*123#", "begin");
  s = step(kZhang, "2");
  EXPECT_TRUE(contains(s["text"].str(), std::to_string(*number) + " 路灯 已派人处理")) << s.dump();
}

TEST_F(UssdTest, InvalidInputReshowsTheScreenWithAHint) {
  start();
  const Json menu = step(kZhao, "*123#", "begin");
  Json s = step(kZhao, "7");
  EXPECT_EQ(s["text"].str(), "输入有误，请按数字选择。\n" + menu["text"].str());
  EXPECT_FALSE(s["end"].boolean());
  s = step(kZhao, "好的");
  EXPECT_EQ(s["text"].str(), "输入有误，请按数字选择。\n" + menu["text"].str());
  s = step(kZhao, "1");
  EXPECT_TRUE(contains(s["text"].str(), "请选择问题类型")) << s.dump();
}

TEST_F(UssdTest, TimeoutMidDialogueAsksToDialAgainAndFilesNothing) {
  start();
  step(kZhao, "*123#", "begin");
  step(kZhao, "1");
  std::this_thread::sleep_for(2500ms);  // session_timeout: 2s
  const Json s = step(kZhao, "1");
  EXPECT_EQ(s["text"].str(), "操作超时，请重新拨*123#。");
  EXPECT_TRUE(s["end"].boolean());
  // No ticket: no SMS at all (screens are "ussd_screen" events, not messages).
  EXPECT_FALSE(sim_->wait_for("message", {}, 500ms));
}

TEST_F(UssdTest, MemberAcceptsATicketByUssd) {
  start();
  // A villager reports by SMS; a member of 大溪边村 gets the dispatch.
  const Json ack = sim_->command(Json::object({{"cmd", "deliver"},
                                               {"from", kZhang},
                                               {"to", kServiceNumber},
                                               {"text", "村口路灯不亮了"},
                                               {"encoding", "auto"}}));
  ASSERT_TRUE(sim_->wait_for("deliver_done",
                             [&](const Json& e) { return e["id"].str() == ack["id"].str(); }));
  const auto confirmation = sms_to(kZhang, "工单号");
  ASSERT_TRUE(confirmation);
  const auto number = number_after(*confirmation, "工单号");
  ASSERT_TRUE(number);
  const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "新工单" + std::to_string(*number) + "：");
  });
  ASSERT_TRUE(dispatch);
  std::string member = (*dispatch)["to"].str();
  if (member.rfind("86", 0) == 0) member = member.substr(2);

  Json s = step(member, "*123#", "begin");
  EXPECT_EQ(s["text"].str(), "连心桥·党员服务\n1 我的工单\n2 接单\n3 办结\n4 反映问题");
  s = step(member, "2");
  EXPECT_TRUE(contains(s["text"].str(), "1 " + std::to_string(*number) + " 路灯 大溪边村 待接单"))
      << s.dump();
  s = step(member, "1");
  EXPECT_EQ(s["text"].str(), "已接单" + std::to_string(*number) + "，请尽快处理。");
  EXPECT_TRUE(s["end"].boolean());
  // The state changed: the member's list says so.
  step(member, "*123#", "begin");
  s = step(member, "1");
  EXPECT_TRUE(contains(s["text"].str(), std::to_string(*number) + " 路灯 大溪边村 处理中"))
      << s.dump();
}

TEST_F(UssdTest, VendorValuesReleaseAndAnUnfamiliarOpAreAnsweredNotRejected) {
  start(
      "    ussd:\n"
      "      begin_ops: [1]\n"
      "      answer_ops: [0x12]\n"
      "      release_ops: [0x81]\n"
      "      reply_continue_op: 0x12\n"
      "      reply_end_op: 0x81\n"
      "      session_end_bit: false\n"
      "      service_type: USSD\n");
  const Json map = Json::object(
      {{"begin", 1}, {"answer", 0x12}, {"abort", 0x81}, {"continue", 0x12}, {"end", 0x81}});
  Json s = step(kZhao, "*123#", "begin", map);
  EXPECT_EQ(s["op"].integer(), 0x12);
  EXPECT_EQ(s["service_type"].str(), "USSD");
  s = step(kZhao, "1", "answer", map);
  EXPECT_TRUE(contains(s["text"].str(), "请选择问题类型")) << s.dump();
  // The user hangs up: acknowledged, no screen; a late answer is told to dial again.
  const Json abort = sim_->ussd(kZhao, "", "abort", map);
  EXPECT_TRUE(abort["ok"].boolean());
  EXPECT_FALSE(sim_->ussd_screen(kZhao, 700ms));
  s = step(kZhao, "1", "answer", map);
  EXPECT_EQ(s["text"].str(), "操作超时，请重新拨*123#。");
  EXPECT_EQ(s["op"].integer(), 0x81);
  // A value this connection does not list (0x33) starting a dialogue: answered with the menu.
  const Json odd = Json::object({{"begin", 0x33}, {"answer", 0x12}, {"end", 0x81}});
  s = step(kZhao, "*123#", "begin", odd);
  EXPECT_TRUE(contains(s["text"].str(), "连心桥为您服务")) << s.dump();
}

// The status words are configured once (templates) and read the same in the villager's SMS
// reply to 查询 and on her USSD "my tickets" screen.
TEST_F(UssdTest, AConfiguredStatusWordReadsTheSameBySmsAndOnTheScreen) {
  ConfigExtras extra = ussd_site("");
  extra.top += "templates:\n  resident_state_dispatched: 已安排人员\n";
  ASSERT_NO_FATAL_FAILURE(DaemonSite::start(extra));
  ASSERT_TRUE(deliver(kZhang, "村口路灯不亮了"));
  const auto confirmation = sms_to(kZhang, "工单号");
  ASSERT_TRUE(confirmation);
  const std::string number = std::to_string(number_after(*confirmation, "工单号").value_or(0));

  const auto status = exchange(kZhang, "查询", "您的工单");
  ASSERT_TRUE(status);
  EXPECT_TRUE(contains(*status, number + "号已安排人员")) << *status;
  step(kZhang, "*123#", "begin");
  const Json screen = step(kZhang, "2");
  EXPECT_TRUE(contains(screen["text"].str(), number + " 路灯 已安排人员")) << screen.dump();
}

}  // namespace
}  // namespace lianxin::testing
