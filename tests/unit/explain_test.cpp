// lianxinctl explain over the shipped demo configuration.
#include "daemon/ctl/explain.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/daemon_config.hpp"

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
  EXPECT_EQ(e.category, "路灯");
  EXPECT_EQ(e.keyword, "路灯杆");
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

TEST(Explain, NoKeywordFallsBackToOther) {
  SmsExplanation e = explain("13800000051", "想问一下今年村里的文艺演出什么时候开始");
  EXPECT_EQ(e.kind, "report");
  EXPECT_TRUE(e.keyword.empty());
  EXPECT_EQ(e.category_id, demo_config().settings.fallback_category);
}

TEST(Explain, JsonCarriesTheKeysScriptsUse) {
  std::string json = lianxin::ctl::to_json(explain("13800000051", "路灯不亮\"了\""));
  for (const char* key : {"\"kind\":\"report\"", "\"category\":\"路灯\"", "\"grid\":\"g-daxi\"",
                          "\"assignee\":", "\\\"了\\\""})
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
}

}  // namespace
