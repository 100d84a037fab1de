#include "daemon/domain/settings.hpp"

namespace lianxin::domain {

std::string_view to_string(RouteKind kind) {
  switch (kind) {
    case RouteKind::grid:
      return "grid";
    case RouteKind::team:
      return "team";
    case RouteKind::duty_desk:
      return "duty_desk";
  }
  return "?";
}

std::optional<RouteKind> route_kind_from_string(std::string_view text) {
  for (RouteKind kind : {RouteKind::grid, RouteKind::team, RouteKind::duty_desk}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

std::string_view to_string(EscalationStep step) {
  switch (step) {
    case EscalationStep::grid_leader:
      return "grid_leader";
    case EscalationStep::township_desk:
      return "township_desk";
    case EscalationStep::county_desk:
      return "county_desk";
  }
  return "?";
}

std::optional<EscalationStep> escalation_step_from_string(std::string_view text) {
  for (EscalationStep step :
       {EscalationStep::grid_leader, EscalationStep::township_desk, EscalationStep::county_desk}) {
    if (to_string(step) == text) return step;
  }
  return std::nullopt;
}

std::chrono::seconds Validity::of(SmsKind kind) const {
  switch (kind) {
    case SmsKind::reply:
      return reply;
    case SmsKind::notice:
      return notice;
    case SmsKind::dispatch:
      return dispatch;
    case SmsKind::reminder:
      return reminder;
    case SmsKind::escalation:
      return escalation;
    case SmsKind::verification:
      return verification;
  }
  return notice;
}

int PointsRules::points_for_rating(int stars) const {
  if (stars < 1 || stars > 5) return 0;
  const auto& configured = rating[static_cast<std::size_t>(stars - 1)];
  return configured ? *configured : stars * per_star;
}

const Category* Settings::find_category(std::string_view id) const {
  for (const Category& category : categories) {
    if (category.id == id) return &category;
  }
  return nullptr;
}

std::vector<Category> default_categories() {
  std::vector<Category> c;
  // Keywords: the words villagers actually use. The longest matching keyword decides, so
  // specific phrases (路灯杆, 打架斗殴) beat generic ones (灯杆, 打架).
  c.push_back({"streetlight",
               "路灯",
               {"路灯", "灯杆", "灯不亮", "灯坏", "灯灭", "路灯杆", "太阳能灯", "照明", "灯泡",
                "路灯坏", "黑灯瞎火"},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(24),
               SlaLimit::hours(72),
               std::nullopt});
  c.push_back({"water",
               "供水/漏水",
               {"漏水", "水管", "爆管", "停水", "没水", "渗水", "自来水", "水压", "水龙头", "水表",
                "断水", "跑水", "冒水", "水管破", "管道破裂", "水浑", "水质", "供水"},
               RouteKind::grid,
               "",
               true,
               SlaLimit::hours(2),
               SlaLimit::hours(24),
               std::nullopt});
  c.push_back({"road",
               "道路/交通",
               {"道路", "路面", "坑洼", "塌方", "修路", "马路", "桥梁", "红绿灯", "交通", "堵车",
                "路坑", "大坑", "路基", "山体滑坡", "塌陷", "路障", "挡路", "公交"},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(24),
               SlaLimit::hours(168),
               std::nullopt});
  c.push_back({"sanitation",
               "垃圾/环境卫生",
               {"垃圾", "垃圾桶", "垃圾箱", "发臭", "臭味", "污水", "粪便", "卫生", "乱扔", "焚烧",
                "烧垃圾", "苍蝇", "死猫", "死狗", "异味", "化粪池", "漂浮物", "保洁", "脏乱差"},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(24),
               SlaLimit::hours(72),
               std::nullopt});
  c.push_back({"illegal_building",
               "违章搭建",
               {"违章", "违建", "乱搭", "搭建", "私搭", "乱建", "加盖", "违法建筑", "违章建筑",
                "私搭乱建", "占地建房", "乱搭乱建"},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(48),
               SlaLimit::hours(336),
               std::nullopt});
  c.push_back({"dispute",
               "邻里纠纷",
               {"纠纷", "吵架", "打架", "矛盾", "争吵", "和邻居", "跟邻居", "宅基地", "边界",
                "欠钱", "吵闹", "噪音", "扰民", "闹矛盾"},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(24),
               SlaLimit::hours(168),
               std::nullopt});
  c.push_back({"paperwork",
               "办证/代办",
               {"办证", "代办", "身份证", "户口", "社保", "医保", "低保", "开证明", "证件", "补办",
                "养老金", "残疾证", "房产证", "营业执照", "不动产证", "准生证", "办理"},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(24),
               SlaLimit::hours(168),
               std::nullopt});
  c.push_back(
      {"safety",
       "治安/安全隐患",
       {"治安", "安全隐患", "隐患",     "小偷",   "被偷", "偷东西",   "被盗",   "火灾",  "着火",
        "起火", "冒烟",     "电线",     "电线杆", "漏电", "煤气",     "燃气",   "危房",  "倒塌",
        "诈骗", "骗子",     "打架斗殴", "溺水",   "井盖", "井盖没了", "井盖坏", "冒火花"},
       RouteKind::grid,
       "",
       true,
       SlaLimit::hours(1),
       SlaLimit::hours(24),
       std::nullopt});
  c.push_back({"hardship",
               "困难求助",
               {"困难", "孤寡", "独居", "独居老人", "空巢", "残疾", "行动不便", "瘫痪", "没人照顾",
                "无人照顾", "吃不上饭", "看病难", "生活困难", "困难户", "送医", "摔倒", "老人摔"},
               RouteKind::team,
               "volunteers",
               false,
               SlaLimit::hours(12),
               SlaLimit::hours(72),
               std::nullopt});
  c.push_back({"other",
               "其他",
               {},
               RouteKind::grid,
               "",
               false,
               SlaLimit::hours(24),
               SlaLimit::hours(168),
               std::nullopt});
  return c;
}

Settings default_settings() {
  Settings s;
  s.categories = default_categories();
  s.templates = default_templates();
  return s;
}

std::vector<std::string> check_settings(const Settings& settings) {
  std::vector<std::string> problems;
  if (settings.signature.empty()) problems.push_back("signature is empty (carriers require one)");
  if (settings.find_category(settings.fallback_category) == nullptr) {
    problems.push_back("fallback category '" + settings.fallback_category +
                       "' is not among the categories");
  }
  for (std::size_t i = 0; i < settings.categories.size(); ++i) {
    const Category& category = settings.categories[i];
    if (category.id.empty()) problems.push_back("category " + std::to_string(i + 1) + " has no id");
    for (std::size_t j = 0; j < i; ++j) {
      if (settings.categories[j].id == category.id) {
        problems.push_back("category id '" + category.id + "' appears twice");
      }
    }
    if (category.keywords.empty() && category.id != settings.fallback_category) {
      problems.push_back("category '" + category.id + "' has no keywords");
    }
    if (category.route == RouteKind::team && category.team.empty()) {
      problems.push_back("category '" + category.id + "' routes to a team but names none");
    }
  }
  for (const TemplateField& field : template_fields()) {
    if (auto problem = check_template(field, settings.templates.*field.field, settings.signature)) {
      problems.push_back("template " + *problem);
    }
  }
  if (settings.loop_protection.max_repeats < 1) {
    problems.push_back("loop protection max_repeats must be at least 1");
  }
  if (settings.loop_protection.period.count() <= 0) {
    problems.push_back("loop protection period must be positive");
  }
  if (settings.windows.location_followup.count() <= 0 ||
      settings.windows.verification.count() <= 0) {
    problems.push_back("follow-up and verification windows must be positive");
  }
  for (const Category& category : settings.categories) {
    if (category.accept_within.nominal().count() <= 0 ||
        category.resolve_within.nominal().count() <= 0) {
      problems.push_back("category '" + category.id + "' has a deadline that is not positive");
    }
  }
  if (settings.escalation.chain.empty()) problems.push_back("the escalation chain is empty");
  if (settings.escalation.problem_after < 0 || settings.verification.escalate_on_reopen < 0) {
    problems.push_back("problem_after and escalate_on_reopen must not be negative");
  }
  if (settings.first_ticket_number < 1) problems.push_back("first ticket number must be >= 1");
  return problems;
}

}  // namespace lianxin::domain
