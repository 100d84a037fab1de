// lianxinctl explain over the shipped demo configuration.
#include "daemon/ctl/explain.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/daemon_config.hpp"
#include "daemon/language/load.hpp"

namespace {

using lianxin::ctl::explain_sms;
using lianxin::ctl::SmsExplanation;

const lianxin::config::DaemonConfig& demo_config() {
  static const lianxin::config::DaemonConfig config = [] {
    std::filesystem::path source = std::filesystem::path(__FILE__).parent_path().parent_path();
    auto loaded = lianxin::config::load_config(source.parent_path() / "config/demo/demo.yaml");
    if (!loaded.config) {
      ADD_FAILURE() << lianxin::config::format_diagnostics(loaded.errors);
      return lianxin::config::DaemonConfig{};
    }
    // The model the build trained from the shipped corpus, as lianxinctl explain loads it.
    loaded.config->settings.language.model =
        lianxin::language::load_model(LIANXIN_TEST_MODEL, loaded.config->settings).model;
    return *loaded.config;
  }();
  return config;
}

SmsExplanation explain(std::string_view from, std::string_view text) {
  return explain_sms(demo_config().settings, demo_config().directory, from, text);
}

TEST(Explain, ResidentReportFromDirectoryGoesToAGridMember) {
  SmsExplanation e = explain("13800000051", "村口两盏路灯杆被大风刮倒了");
  EXPECT_EQ(e.from, "+8613800000051");
  EXPECT_EQ(e.sender_role, "resident");
  EXPECT_EQ(e.kind, "report");
  EXPECT_EQ(e.intent, "report");
  EXPECT_EQ(e.category, "路灯");
  EXPECT_TRUE(e.keyword.empty());  // the model read it: no configured keyword
  EXPECT_GT(e.reading.confidence, demo_config().settings.language.review_below);
  EXPECT_FALSE(e.reading.needs_review);
  EXPECT_FALSE(e.reading.urgent);
  ASSERT_TRUE(e.grid.has_value());
  EXPECT_EQ(*e.grid, "g-daxi");
  ASSERT_TRUE(e.assignee.has_value());
  EXPECT_EQ(e.route_step, "grid_member");
  const auto* member = demo_config().directory.find_member(*e.assignee);
  ASSERT_NE(member, nullptr);
  EXPECT_TRUE(member->serves_grid("g-daxi"));
}

TEST(Explain, VillageNamedInTheTextAndUrgentTeamRoute) {
  SmsExplanation e = explain("+86 138 0000 0060", "石塘村地下室漏水了");
  EXPECT_EQ(e.category_id, "water");
  EXPECT_EQ(e.grid.value_or(""), "g-shitang");
  EXPECT_NE(e.grid_reason.find("石塘"), std::string::npos);
  EXPECT_EQ(e.route_step, "team_leader");
}

TEST(Explain, UnknownVillageIsAskedAndGoesToTheDutyDesk) {
  SmsExplanation e = explain("13912345678", "门口垃圾好几天没人收了");
  EXPECT_EQ(e.sender_role, "unknown");
  EXPECT_FALSE(e.grid.has_value());
  EXPECT_EQ(e.route_step, "duty_desk");
  EXPECT_NE(lianxin::ctl::to_text(e).find("请问您在哪个村"), std::string::npos);
}

TEST(Explain, MemberCommandsAreCommands) {
  SmsExplanation e = explain("13800000002", "接 12");
  EXPECT_EQ(e.sender_role, "member");
  EXPECT_EQ(e.kind, "command");
  EXPECT_EQ(e.command, "accept");
  EXPECT_EQ(e.ticket.value_or(0), 12);
  EXPECT_TRUE(e.category.empty());
}

TEST(Explain, APleasantryIsNoReport) {
  SmsExplanation e = explain("13800000051", "好的谢谢");
  EXPECT_EQ(e.kind, "report");  // not a command: the language model reads it
  EXPECT_EQ(e.intent, "acknowledgement");
  EXPECT_NE(lianxin::ctl::to_text(e).find("no ticket"), std::string::npos)
      << lianxin::ctl::to_text(e);
  EXPECT_FALSE(e.assignee.has_value() && e.intent == "report");
}

TEST(Explain, AConfiguredKeywordOverridesTheModelAndSaysSo) {
  // demo.yaml: livestock keywords [养猪, 养鸡场, 猪圈, 鸡粪]; the model has never heard of it.
  SmsExplanation e = explain("13800000051", "隔壁养猪场臭得没法开窗");
  EXPECT_EQ(e.category_id, "livestock");
  EXPECT_EQ(e.keyword, "养猪");
  EXPECT_TRUE(e.reading.keyword_override);
  EXPECT_NE(lianxin::ctl::to_text(e).find("operator override"), std::string::npos);
}

TEST(Explain, ADangerInPlainWordsIsUrgentAndSaysWhy) {
  SmsExplanation e = explain("13800000051", "隔壁阿婆家灶间一股臭鸡蛋味道，敲门没人应");
  EXPECT_EQ(e.intent, "report");
  EXPECT_TRUE(e.reading.urgent);
  EXPECT_FALSE(e.reading.urgency_reason.empty());
  EXPECT_NE(lianxin::ctl::to_text(e).find("urgent:    yes"), std::string::npos);
}

TEST(Explain, JsonCarriesTheKeysScriptsUse) {
  std::string json = lianxin::ctl::to_json(explain("13800000051", "路灯不亮\"了\""));
  for (const char* key : {"\"kind\":\"report\"", "\"intent\":\"report\"", "\"category\":\"路灯\"",
                          "\"category_id\":\"streetlight\"", "\"confidence\":", "\"candidates\":[{",
                          "\"urgent\":false", "\"urgency_reason\":\"\"", "\"grid\":\"g-daxi\"",
                          "\"assignee\":", "\\\"了\\\""})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
}

}  // namespace
