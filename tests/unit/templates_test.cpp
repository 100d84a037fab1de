#include "daemon/domain/templates.hpp"

#include <gtest/gtest.h>

#include <set>

#include "daemon/domain/settings.hpp"
#include "protocol/text.hpp"

namespace lianxin::domain {
namespace {

const std::string kSignature = "【连心桥】";

TEST(Utf16Length, CountsUnitsNotBytes) {
  EXPECT_EQ(utf16_length(""), 0u);
  EXPECT_EQ(utf16_length("abc"), 3u);
  EXPECT_EQ(utf16_length("【连心桥】"), 5u);
  EXPECT_EQ(utf16_length("路灯5"), 3u);
  EXPECT_EQ(utf16_length("\xF0\x9F\x98\x80"), 2u);  // U+1F600 needs a surrogate pair
  // A truncated sequence is one U+FFFD, one unit: what UCS-2 encoding sends for it (one UTF-8
  // decoder, one policy for invalid input; it used to count one unit per byte here).
  EXPECT_EQ(utf16_length("\xE8\xB7"), 1u);
  EXPECT_EQ(utf16_length("\xE8\xB7"),
            sms::encode("\xE8\xB7", sms::Encoding::ucs2).bytes.size() / 2);
}

TEST(TruncateCodePoints, CutsOnCharacterBoundaries) {
  EXPECT_EQ(truncate_code_points("村口路灯坏了", 10), "村口路灯坏了");
  EXPECT_EQ(truncate_code_points("村口路灯坏了", 4), "村口路…");
  EXPECT_EQ(code_point_count(truncate_code_points("村口路灯坏了", 4)), 4u);
  EXPECT_EQ(truncate_code_points("abc", 0), "");
}

TEST(Render, ReplacesPlaceholders) {
  TemplateValues values;
  values.set("ticket", 12345).set("village", "大溪边村");
  EXPECT_EQ(render("工单{ticket}：{village}，再说一次{ticket}", values),
            "工单12345：大溪边村，再说一次12345");
}

TEST(Render, MissingValuesRenderEmptyAndJunkBracesStay) {
  TemplateValues values;
  values.set("ticket", "7");
  EXPECT_EQ(render("{ticket}{note}", values), "7");
  EXPECT_EQ(render("{ {} {ticket {tic-ket} }", values), "{ {} {ticket {tic-ket} }");
  EXPECT_EQ(render("{{ticket}}", values), "{7}");
}

TEST(Render, LaterSetOverridesEarlier) {
  TemplateValues values;
  values.set("points", 1).set("points", 10);
  EXPECT_EQ(render("+{points}", values), "+10");
}

TEST(TemplateFields, CoverEveryDefaultTemplateOnce) {
  const Templates defaults = default_templates();
  std::set<std::string_view> keys;
  for (const TemplateField& field : template_fields()) {
    EXPECT_TRUE(keys.insert(field.key).second) << "duplicate key " << field.key;
    EXPECT_FALSE((defaults.*field.field).empty()) << field.key;
    EXPECT_EQ(find_template_field(field.key), &field);
  }
  EXPECT_EQ(keys.size(), template_fields().size());
  EXPECT_EQ(find_template_field("no_such_template"), nullptr);
  // Templates holds only strings: its size tells whether a field is missing from the table.
  EXPECT_EQ(sizeof(Templates), template_fields().size() * sizeof(std::string));
}

TEST(DefaultTemplates, PassTheirOwnChecks) {
  const Templates defaults = default_templates();
  for (const TemplateField& field : template_fields()) {
    EXPECT_EQ(check_template(field, defaults.*field.field, kSignature), std::nullopt) << field.key;
  }
}

// Every villager reply fits in ONE SMS with the signature, rendered with long realistic values.
TEST(DefaultTemplates, EveryVillagerReplyFitsInOneSms) {
  const Templates defaults = default_templates();
  const std::vector<std::string> tickets{"1", "12345", "99999"};
  const std::vector<std::string> statuses{"已受理", "待确认地点", "重新处理中", "待您评价"};
  int checked = 0;
  for (const TemplateField& field : template_fields()) {
    if (field.audience != Audience::resident) continue;
    for (const std::string& ticket : tickets) {
      for (const std::string& status : statuses) {
        TemplateValues values = sample_long_values();
        values.set("ticket", ticket).set("village", "大溪边村").set("status", status);
        values.set("list", render(defaults.resident_status_item, values));
        std::string sms = kSignature + render(defaults.*field.field, values);
        EXPECT_LE(utf16_length(sms), kSingleUcs2SmsUnits) << field.key << ": " << sms;
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 18 * 12);
}

TEST(DefaultTemplates, VillagerTextsUseAsciiDigitsAndOneRatingInstruction) {
  const Templates defaults = default_templates();
  for (const TemplateField& field : template_fields()) {
    const std::string& text = defaults.*field.field;
    for (const char* full_width_digit :
         {"０", "１", "２", "３", "４", "５", "６", "７", "８", "９"}) {
      EXPECT_EQ(text.find(full_width_digit), std::string::npos) << field.key;
    }
    EXPECT_EQ(text.find('\n'), std::string::npos) << field.key << " must be one line";
  }
  EXPECT_NE(defaults.resident_rate_request.find("回复5表示满意"), std::string::npos);
  EXPECT_NE(defaults.resident_rate_request.find("0表示没解决"), std::string::npos);
  EXPECT_NE(defaults.resident_ask_location.find("请问您在哪个村"), std::string::npos);
  EXPECT_NE(defaults.member_dispatch.find("接{ticket}"), std::string::npos);
}

TEST(CheckTemplate, RejectsUnknownPlaceholders) {
  const TemplateField* field = find_template_field("resident_rated");
  ASSERT_NE(field, nullptr);
  auto error = check_template(*field, "谢谢{reporter}，工单{ticket}已结束。", kSignature);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("{reporter}"), std::string::npos) << *error;
  EXPECT_NE(error->find("{ticket}"), std::string::npos) << *error;  // lists what is allowed
}

TEST(CheckTemplate, RejectsVillagerTemplatesLongerThanOneSms) {
  const TemplateField* field = find_template_field("resident_received");
  ASSERT_NE(field, nullptr);
  std::string long_text =
      "您好，我们已经收到了您通过短信反映的问题，工单号是{ticket}，"
      "我们会在最短的时间里安排网格员上门查看处理，请您耐心等待，谢谢您的支持。";
  auto error = check_template(*field, long_text, kSignature);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("one SMS"), std::string::npos) << *error;
  // The same text is fine for a member: their messages may take several parts.
  const TemplateField* member_field = find_template_field("member_accepted");
  ASSERT_NE(member_field, nullptr);
  EXPECT_EQ(check_template(*member_field, long_text, kSignature), std::nullopt);
}

TEST(CheckTemplate, RejectsEmptyTemplates) {
  EXPECT_TRUE(check_template(*find_template_field("member_help"), "", kSignature));
}

TEST(DefaultSettings, ShipTheDocumentedCategories) {
  Settings settings = default_settings();
  const std::vector<std::pair<std::string, std::string>> expected{{"streetlight", "路灯"},
                                                                  {"water", "供水/漏水"},
                                                                  {"road", "道路/交通"},
                                                                  {"sanitation", "垃圾/环境卫生"},
                                                                  {"illegal_building", "违章搭建"},
                                                                  {"dispute", "邻里纠纷"},
                                                                  {"paperwork", "办证/代办"},
                                                                  {"safety", "治安/安全隐患"},
                                                                  {"hardship", "困难求助"},
                                                                  {"conduct", "作风投诉"},
                                                                  {"other", "其他"}};
  ASSERT_EQ(settings.categories.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(settings.categories[i].id, expected[i].first);
    EXPECT_EQ(settings.categories[i].name, expected[i].second);
    // The model reads the category; keywords are a county's overrides.
    EXPECT_TRUE(settings.categories[i].keywords.empty()) << expected[i].first;
    // Urgency comes from the danger described, not from the category.
    EXPECT_FALSE(settings.categories[i].urgent) << expected[i].first;
  }
  EXPECT_EQ(settings.find_category("hardship")->route, RouteKind::team);
  // A complaint about a member never goes to that member's grid.
  EXPECT_EQ(settings.find_category("conduct")->route, RouteKind::duty_desk);
  EXPECT_NE(settings.find_category(settings.fallback_category), nullptr);
  EXPECT_EQ(settings.signature, kSignature);
}

TEST(CheckSettings, DefaultsAreClean) {
  EXPECT_TRUE(check_settings(default_settings()).empty());
}

TEST(CheckSettings, ReportsEachProblem) {
  Settings settings = default_settings();
  settings.fallback_category = "misc";
  settings.categories.push_back(settings.categories.front());  // duplicate id
  settings.categories[2].route = RouteKind::team;              // team route without a team
  settings.templates.resident_rated = "谢谢{reporter}";
  settings.loop_protection.max_repeats = 0;
  std::vector<std::string> problems = check_settings(settings);
  ASSERT_EQ(problems.size(), 5u);
  EXPECT_NE(problems[0].find("misc"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("'road' routes to a team"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("'streetlight' appears twice"), std::string::npos) << problems[2];
  EXPECT_NE(problems[3].find("{reporter}"), std::string::npos) << problems[3];
  EXPECT_NE(problems[4].find("max_repeats"), std::string::npos) << problems[4];
}

TEST(RouteKindNames, RoundTrip) {
  for (RouteKind kind : {RouteKind::grid, RouteKind::team, RouteKind::duty_desk}) {
    EXPECT_EQ(route_kind_from_string(to_string(kind)), kind);
  }
  EXPECT_FALSE(route_kind_from_string("grids"));
}

}  // namespace
}  // namespace lianxin::domain
