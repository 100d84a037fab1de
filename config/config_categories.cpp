// lianxind.yaml's categories (built-in ones changed, new ones added, keywords as overrides),
// templates (each must fit one SMS with the signature) and points rules.
#include <algorithm>

#include "daemon/domain/templates.hpp"

#include "config/config_loader.hpp"

namespace lianxin::config::detail {

using namespace std::chrono_literals;

void Loader::categories(const Field& f, domain::Settings& s) {
  if (f.node.IsNull()) return;
  if (!f.node.IsSequence()) {
    ctx_.error(f.mark, "categories: expected a list of categories (- id: ...), got " +
                           std::string(kind_of(f.node)));
    return;
  }
  std::map<std::string, int> seen;  // id → line
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    const YAML::Node item = f.node[i];
    YAML::Mark mark = item.Mark().line >= 0 ? item.Mark() : f.mark;
    Map m(ctx_, item, "categories[" + std::to_string(i) + "]", mark,
          {"id", "name", "keywords", "add_keywords", "route", "team", "urgent", "complaint",
           "accept_within", "resolve_within", "reminder", "enabled"});
    if (!m.valid()) continue;
    auto id_field = m.require("id");
    if (!id_field) continue;
    auto id = read_nonempty(ctx_, *id_field);
    if (!id) continue;
    if (!std::all_of(id->begin(), id->end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        })) {
      ctx_.error(id_field->mark, id_field->path +
                                     ": an id is lower-case letters, digits and "
                                     "'_' (such as \"streetlight\"), got " +
                                     in_quotes(*id));
      continue;
    }
    auto [it, inserted] = seen.emplace(*id, id_field->mark.line + 1);
    if (!inserted) {
      ctx_.error(id_field->mark, id_field->path + ": duplicate category id " + in_quotes(*id) +
                                     " (first on line " + std::to_string(it->second) + ")");
      continue;
    }
    auto existing = std::find_if(s.categories.begin(), s.categories.end(),
                                 [&](const domain::Category& c) { return c.id == *id; });
    if (auto g = m.get("enabled")) {
      auto enabled = read_bool(ctx_, *g);
      if (enabled && !*enabled) {
        if (existing != s.categories.end()) s.categories.erase(existing);
        continue;
      }
    }
    domain::Category category;
    if (existing != s.categories.end()) {
      category = *existing;
    } else {
      category.id = *id;
      if (!m.get("name")) {
        ctx_.error(m.mark(), m.path() + ": a new category (" + in_quotes(*id) +
                                 " is not built in) needs a name");
      }
    }
    CategoryRefs refs{*id, std::nullopt, {}};
    if (auto g = m.get("name")) {
      if (auto v = read_nonempty(ctx_, *g)) category.name = *v;
    }
    auto add = [&](std::string_view key, bool replace) {
      auto g = m.get(key);
      if (!g) return;
      auto list = read_string_list(ctx_, *g);
      if (!list) return;
      if (replace) category.keywords.clear();
      for (auto& [word, word_mark] : *list) {
        if (std::find(category.keywords.begin(), category.keywords.end(), word) ==
            category.keywords.end()) {
          category.keywords.push_back(word);
        }
        refs.keyword_marks.emplace(word, word_mark);
      }
    };
    add("keywords", true);
    add("add_keywords", false);
    std::optional<Field> route_field = m.get("route");
    if (route_field) {
      if (auto v = read_choice(ctx_, *route_field, {"grid", "team", "duty_desk"})) {
        category.route = static_cast<domain::RouteKind>(*v);
        if (category.route != domain::RouteKind::team) category.team.clear();
      }
    }
    if (auto g = m.get("team")) {
      if (auto v = read_nonempty(ctx_, *g)) {
        category.team = *v;
        refs.team_mark = g->mark;
        if (category.route != domain::RouteKind::team) {
          ctx_.error(g->mark, m.path() + ": team is only used with route: team (route is " +
                                  std::string(domain::to_string(category.route)) + ")");
        }
      }
    }
    if (category.route == domain::RouteKind::team && category.team.empty()) {
      ctx_.error(route_field ? route_field->mark : m.mark(),
                 m.path() + ": route: team needs a team: key naming a team id of teams.csv");
    }
    if (auto g = m.get("urgent")) {
      if (auto v = read_bool(ctx_, *g)) category.urgent = *v;
    }
    if (auto g = m.get("complaint")) {
      if (auto v = read_bool(ctx_, *g)) category.complaint = *v;
    }
    auto accept = m.get("accept_within");
    auto resolve = m.get("resolve_within");
    if (accept) {
      if (auto v = read_sla_limit(ctx_, *accept)) category.accept_within = *v;
    }
    if (resolve) {
      if (auto v = read_sla_limit(ctx_, *resolve)) category.resolve_within = *v;
    }
    if (auto g = m.get("reminder")) {
      if (auto v = read_reminder(ctx_, *g)) category.reminder = *v;
    }
    if (category.accept_within.nominal() > category.resolve_within.nominal()) {
      ctx_.error(accept    ? accept->mark
                 : resolve ? resolve->mark
                           : m.mark(),
                 m.path() + ": accept_within (" + category.accept_within.to_string() +
                     ") is longer than resolve_within (" + category.resolve_within.to_string() +
                     ")");
    }
    if (existing != s.categories.end()) {
      *existing = std::move(category);
    } else {
      s.categories.push_back(std::move(category));
    }
    category_refs_.push_back(std::move(refs));
  }
  // One keyword in two categories makes classification a coin toss: refuse it when the YAML
  // wrote one of them.
  std::map<std::string, std::string> owner;
  for (const domain::Category& c : s.categories) {
    for (const std::string& word : c.keywords) {
      auto [it, inserted] = owner.emplace(word, c.id);
      if (inserted || it->second == c.id) continue;
      const CategoryRefs* mine = find_refs(c.id);
      const CategoryRefs* theirs = find_refs(it->second);
      const YAML::Mark* mark = nullptr;
      if (mine && mine->keyword_marks.contains(word)) mark = &mine->keyword_marks.at(word);
      if (!mark && theirs && theirs->keyword_marks.contains(word)) {
        mark = &theirs->keyword_marks.at(word);
      }
      if (!mark) continue;  // both built in: not the operator's doing
      ctx_.error(*mark, "categories: keyword " + in_quotes(word) + " is in both " + it->second +
                            " and " + c.id);
    }
  }
}

void Loader::templates(const Field& f, domain::Settings& s) {
  if (f.node.IsNull()) return;
  if (!f.node.IsMap()) {
    ctx_.error(f.mark,
               "templates: expected a mapping (name: text), got " + std::string(kind_of(f.node)));
    return;
  }
  std::vector<std::string_view> keys;
  for (const domain::TemplateField& t : domain::template_fields()) keys.push_back(t.key);
  Map m(ctx_, f.node, "templates", f.mark, keys);
  for (const domain::TemplateField& t : domain::template_fields()) {
    auto g = m.get(t.key);
    if (!g) continue;
    auto v = read_string(ctx_, *g);
    if (!v) continue;
    if (auto problem = domain::check_template(t, *v, s.signature)) {
      ctx_.error(g->mark, "templates: " + *problem);
      continue;
    }
    s.templates.*(t.field) = *v;
    overridden_templates_.insert(std::string(t.key));
  }
}

void Loader::check_templates(const domain::Settings& s) {
  for (const domain::TemplateField& t : domain::template_fields()) {
    if (overridden_templates_.contains(std::string(t.key))) continue;
    if (auto problem = domain::check_template(t, s.templates.*(t.field), s.signature)) {
      ctx_.error(signature_mark_ ? *signature_mark_ : YAML::Mark::null_mark(),
                 "signature " + in_quotes(s.signature) + " is too long for the built-in template " +
                     *problem + "; shorten it or override the template");
    }
  }
}

void Loader::points(const Field& f, domain::PointsRules& p) {
  Map m(ctx_, f.node, f.path, f.mark,
        {"per_star", "rating_1", "rating_2", "rating_3", "rating_4", "rating_5", "resolved",
         "on_time", "reopened", "overdue_accept", "overdue_resolve"});
  auto integer = [&](std::string_view key, int& out) {
    if (auto g = m.get(key)) {
      if (auto v = read_integer(ctx_, *g, -1000, 1000)) out = static_cast<int>(*v);
    }
  };
  // per_star: (n - 3) × per_star for n stars, around a neutral 3; rating_N then overrides one.
  if (auto g = m.get("per_star")) {
    if (auto v = read_integer(ctx_, *g, 0, 100)) {
      for (int stars = 1; stars <= 5; ++stars) {
        p.rating[static_cast<std::size_t>(stars - 1)] = (stars - 3) * static_cast<int>(*v);
      }
    }
  }
  for (int stars = 1; stars <= 5; ++stars) {
    integer("rating_" + std::to_string(stars), p.rating[static_cast<std::size_t>(stars - 1)]);
  }
  integer("resolved", p.resolved);
  integer("on_time", p.on_time);
  integer("reopened", p.reopened);
  integer("overdue_accept", p.overdue_accept);
  integer("overdue_resolve", p.overdue_resolve);
}

}  // namespace lianxin::config::detail
