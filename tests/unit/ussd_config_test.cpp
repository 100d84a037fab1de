// The `ussd:` section and the per-connection `smpp[].ussd` dialect (config/ussd_menu.cpp), through
// the main loader so that positions are the file's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/daemon_config.hpp"

namespace lianxin::config {
namespace {

using ::testing::HasSubstr;

// Line numbers matter: the cases below point into the appended text.
const std::string kBase =
    "smpp:\n"                                 // 1
    "  - name: sim\n"                         // 2
    "    host: 127.0.0.1\n"                   // 3
    "    system_id: lianxin\n"                // 4
    "    password: pw\n"                      // 5
    "    source_address: \"106900001234\"\n"  // 6
    "storage:\n"                              // 7
    "  path: test.db\n"                       // 8
    "directory:\n"                            // 9
    "  grids: grids.csv\n"                    // 10
    "  members: members.csv\n"                // 11
    "  duty_desks: duty_desks.csv\n";         // 12

LoadResult load(const std::string& text) {
  LoadOptions options;
  options.load_directory = false;
  return load_config_text(text, "lianxind.yaml", "/nonexistent", options);
}

std::string errors_of(const LoadResult& r) {
  return format_diagnostics(r.errors);
}

TEST(UssdConfig, AbsentMeansDisabled) {
  LoadResult r = load(kBase);
  ASSERT_TRUE(r.config) << errors_of(r);
  EXPECT_FALSE(r.config->settings.ussd.enabled);
  EXPECT_EQ(r.config->smpp[0].ussd, ussd::Dialect{});
}

TEST(UssdConfig, MenuTreeCategoriesAndTexts) {
  LoadResult r = load(kBase +
                      "ussd:\n"
                      "  service_code: \"*456#\"\n"
                      "  session_timeout: 90s\n"
                      "  resident_menu:\n"
                      "    text: 连心桥\n"
                      "    choices:\n"
                      "      - {label: 反映问题, action: report}\n"
                      "      - label: 办事指南\n"
                      "        text: 办事指南\n"
                      "        choices:\n"
                      "          - {label: 办证, text: 请到村委会办理。}\n"
                      "  report_categories:\n"
                      "    - category: streetlight\n"
                      "      descriptions: [路灯不亮, 灯杆倒了]\n"
                      "    - {category: water, label: 漏水}\n"
                      "  texts:\n"
                      "    invalid_hint: 请按数字。\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const domain::UssdMenu& menu = r.config->settings.ussd;
  EXPECT_TRUE(menu.enabled);
  EXPECT_EQ(menu.service_code, "*456#");
  EXPECT_EQ(menu.session_timeout, std::chrono::seconds(90));
  ASSERT_EQ(menu.resident.children.size(), 2u);
  EXPECT_EQ(menu.resident.children[0].action, domain::UssdAction::report);
  ASSERT_EQ(menu.resident.children[1].children.size(), 1u);
  EXPECT_EQ(menu.resident.children[1].children[0].text, "请到村委会办理。");
  // The member menu was not given: the shipped one.
  EXPECT_EQ(menu.member.children.size(), domain::default_ussd_menu().member.children.size());
  ASSERT_EQ(menu.categories.size(), 2u);
  EXPECT_EQ(menu.categories[0].label, "路灯");  // the category's name
  EXPECT_EQ(menu.categories[0].descriptions.size(), 2u);
  EXPECT_EQ(menu.categories[1].label, "漏水");
  EXPECT_EQ(menu.texts.invalid_hint, "请按数字。");
}

TEST(UssdConfig, DefaultCategoriesAreThoseThatFitOneScreen) {
  LoadResult r = load(kBase + "ussd:\n  enabled: true\n");
  ASSERT_TRUE(r.config) << errors_of(r);
  const domain::UssdMenu& menu = r.config->settings.ussd;
  ASSERT_FALSE(menu.categories.empty());
  EXPECT_EQ(menu.categories[0].category, r.config->settings.categories[0].id);
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& c : menu.categories) labels.emplace_back(c.category, c.label);
  EXPECT_TRUE(domain::ussd_length(domain::render_ussd_categories(labels, menu.texts)).fits());
}

struct BadCase {
  const char* name;
  std::string yaml;  // appended to kBase
  int line, column;
  const char* fragment;
};

class BadUssd : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadUssd, IsRefusedAtFileLineColumn) {
  const BadCase& c = GetParam();
  LoadResult r = load(kBase + c.yaml);
  EXPECT_FALSE(r.config);
  ASSERT_FALSE(r.errors.empty());
  const Diagnostic& first = r.errors.front();
  EXPECT_EQ(first.file, "lianxind.yaml");
  EXPECT_EQ(first.line, c.line) << to_string(first);
  EXPECT_EQ(first.column, c.column) << to_string(first);
  EXPECT_THAT(first.message, HasSubstr(c.fragment)) << to_string(first);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadUssd,
    ::testing::Values(
        BadCase{"menu_screen_too_long",
                "ussd:\n"                                                       // 13
                "  resident_menu:\n"                                            // 14
                "    text: 连心桥为您服务欢迎使用村级网格化治理便民服务平台\n"  // 15
                "    choices:\n"                                                // 16
                "      - {label: 反映问题请按这里并按提示逐步选择, action: report}\n"
                "      - {label: 查询我的全部工单的处理进度和结果, action: my_tickets}\n"
                "      - {label: 对已经办结的工单进行满意度评价, action: rate}\n",
                15, 5, "too long for USSD: 93 UCS-2 units, the limit is 80"},
        BadCase{
            "submenu_too_long",
            "ussd:\n"                                  // 13
            "  resident_menu:\n"                       // 14
            "    text: 连心桥\n"                       // 15
            "    choices:\n"                           // 16
            "      - {label: 反映, action: report}\n"  // 17
            "      - label: 指南\n"                    // 18
            "        text: 办事指南\n"                 // 19
            "        choices:\n"                       // 20
            "          - {label: 办证, text: "
            "请带身份证户口本结婚证房产证和村委会证明材料到镇便民服务中心一楼三号窗口办理相关手续谢"
            "谢合作祝您生活愉快身体健康万事如意阖家幸福工作日上午八点半到十一点半下午两点到五点}\n",
            21, 13, "ussd.resident_menu.choices[1].choices[0].text: too long"},
        BadCase{"unknown_action",
                "ussd:\n"
                "  resident_menu:\n"
                "    choices:\n"
                "      - {label: 反映, action: reprot}\n",  // 16
                16, 29, "must be one of report"},
        BadCase{"unknown_category",
                "ussd:\n"
                "  report_categories:\n"
                "    - category: streetlite\n",  // 15
                15, 17, "did you mean \"streetlight\""},
        BadCase{"description_screen_too_long",
                "ussd:\n"
                "  report_categories:\n"
                "    - category: streetlight\n"
                "      descriptions: [路灯不亮已经很多天了, 灯杆倒了压到了路边的菜地, "  // 16
                "晚上黑漆漆的老人出门不方便, 太阳能板被偷了]\n",
                16, 21, "description screen is too long"},
        BadCase{"text_too_long",
                "ussd:\n"
                "  texts:\n"
                "    report_done: "  // 15
                "已受理，工单号{ticket}，稍后短信通知您。我们会尽快安排网格员上门处理，"
                "请保持电话畅通，如有疑问请拨打镇便民服务中心电话咨询，工作日上午八点半到下午五点，"
                "节假日除外。\n",
                15, 18, "ussd.texts.report_done: too long"},
        BadCase{"bad_service_code", "ussd:\n  service_code: \"123\"\n", 14, 17,
                "expected a code such as"},
        BadCase{"unknown_key", "ussd:\n  servce_code: \"*123#\"\n", 14, 3,
                "did you mean \"service_code\""},
        // The same mapping reader as every other section: a repeated key is not silently
        // overwritten, and durations share one grammar and one range message.
        BadCase{"duplicate_key", "ussd:\n  service_code: \"*1#\"\n  service_code: \"*2#\"\n", 15, 3,
                "duplicate key \"service_code\" (first on line 14)"},
        BadCase{"timeout_out_of_range", "ussd:\n  session_timeout: 2h\n", 14, 20,
                "ussd.session_timeout: must be between 1s and 30m, got 2h"},
        BadCase{
            "too_many_choices",
            "ussd:\n"
            "  member_menu:\n"
            "    choices: [{label: a, action: accept}, {label: b, action: accept}, "  // 15
            "{label: c, action: accept}, {label: d, action: accept}, {label: e, action: accept}, "
            "{label: f, action: accept}, {label: g, action: accept}, {label: h, action: accept}, "
            "{label: i, action: accept}, {label: j, action: accept}]\n",
            15, 14, "at most 9 choices"}));

TEST(UssdDialectConfig, VendorValuesInDecimalOrHex) {
  std::string text = kBase;
  text.insert(text.find("storage:"),
              "    ussd:\n"
              "      service_type: USSD\n"
              "      begin_ops: [1]\n"
              "      answer_ops: [0x12]\n"
              "      release_ops: [0x81, 0x82]\n"
              "      reply_continue_op: 0x12\n"
              "      reply_end_op: 0x81\n"
              "      session_end_bit: false\n");
  LoadResult r = load(text);
  ASSERT_TRUE(r.config) << errors_of(r);
  const ussd::Dialect& d = r.config->smpp[0].ussd;
  EXPECT_EQ(d.service_type, "USSD");
  EXPECT_EQ(d.answer, std::vector<std::uint8_t>{0x12});
  EXPECT_EQ(d.release, (std::vector<std::uint8_t>{0x81, 0x82}));
  EXPECT_EQ(d.reply_continue, 0x12);
  EXPECT_EQ(d.reply_end, 0x81);
  EXPECT_FALSE(d.session_end_bit);
}

TEST(UssdDialectConfig, BadValuesAreRefusedWithTheirPosition) {
  std::string text = kBase;
  text.insert(text.find("storage:"),
              "    ussd:\n"                      // 7
              "      answer_ops: [18, 0x100]\n"  // 8
              "      release_ops: [18]\n");      // 9
  LoadResult r = load(text);
  ASSERT_FALSE(r.config);
  const std::string all = errors_of(r);
  EXPECT_THAT(all, HasSubstr("lianxind.yaml:8:24: smpp[0].ussd.answer_ops[1]: expected a "
                             "ussd_service_op value 0..255"));
  EXPECT_THAT(all, HasSubstr("ussd_service_op 18 is listed under two meanings"));
}

}  // namespace
}  // namespace lianxin::config
