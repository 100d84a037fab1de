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
  return rating[static_cast<std::size_t>(stars - 1)];
}

const Category* Settings::find_category(std::string_view id) const {
  for (const Category& category : categories) {
    if (category.id == id) return &category;
  }
  return nullptr;
}

std::vector<Category> default_categories() {
  // No keywords: the category comes from the language model (language.hpp), trained on the
  // shipped corpus. Keywords a county configures are overrides that win over the model.
  auto category = [](std::string id, std::string name, RouteKind route, std::string team,
                     SlaLimit accept, SlaLimit resolve, bool complaint = false) {
    Category c;
    c.id = std::move(id);
    c.name = std::move(name);
    c.route = route;
    c.team = std::move(team);
    c.accept_within = accept;
    c.resolve_within = resolve;
    c.complaint = complaint;
    return c;
  };
  const RouteKind grid = RouteKind::grid;
  return {
      category("streetlight", "路灯", grid, "", SlaLimit::hours(24), SlaLimit::hours(72)),
      category("water", "供水/漏水", grid, "", SlaLimit::hours(2), SlaLimit::hours(24)),
      category("road", "道路/交通", grid, "", SlaLimit::hours(24), SlaLimit::hours(168)),
      category("sanitation", "垃圾/环境卫生", grid, "", SlaLimit::hours(24), SlaLimit::hours(72)),
      category("illegal_building", "违章搭建", grid, "", SlaLimit::hours(48), SlaLimit::hours(336)),
      category("dispute", "邻里纠纷", grid, "", SlaLimit::hours(24), SlaLimit::hours(168)),
      category("paperwork", "办证/代办", grid, "", SlaLimit::hours(24), SlaLimit::hours(168)),
      category("safety", "治安/安全隐患", grid, "", SlaLimit::hours(1), SlaLimit::hours(24)),
      category("hardship", "困难求助", RouteKind::team, "volunteers", SlaLimit::hours(12),
               SlaLimit::hours(72)),
      // A complaint about a member's conduct never goes to that member's grid: the duty desk.
      category("conduct", "作风投诉", RouteKind::duty_desk, "", SlaLimit::hours(24),
               SlaLimit::hours(168), true),
      category("other", "其他", grid, "", SlaLimit::hours(24), SlaLimit::hours(168)),
  };
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
  if (auto bad = control_character(settings.signature)) problems.push_back("signature has " + *bad);
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
