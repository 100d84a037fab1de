#include "config/ussd_menu.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "config/daemon_config.hpp"
#include "config/diagnostic.hpp"
#include "daemon/domain/templates.hpp"

namespace lianxin::config::detail {
namespace {

using domain::UssdNode;
using domain::UssdTexts;

constexpr std::size_t kMaxDepth = 6;
constexpr std::size_t kMaxChoices = 9;

YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback) {
  return node.Mark().line >= 0 ? node.Mark() : fallback;
}

// 0..255, decimal or 0x-hexadecimal.
std::optional<std::uint8_t> parse_octet(const std::string& text) {
  int base = 10;
  std::string_view digits = text;
  if (digits.starts_with("0x") || digits.starts_with("0X")) {
    base = 16;
    digits.remove_prefix(2);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value > 255)
    return std::nullopt;
  return static_cast<std::uint8_t>(value);
}

std::string limit_message(const domain::UssdLength& length) {
  return std::to_string(length.length) + (length.gsm7 ? " GSM 7-bit characters" : " UCS-2 units") +
         ", the limit is " + std::to_string(length.limit) +
         (length.gsm7 ? "" : " (160 octets; one Chinese character makes the whole screen UCS-2)");
}

class MenuReader {
 public:
  MenuReader(Context& ctx, domain::Settings& settings) : ctx_(ctx), settings_(settings) {}

  void read(const Field& f) {
    domain::UssdMenu menu = domain::default_ussd_menu();
    menu.enabled = true;
    const Map keys(ctx_, f.node, f.path, f.mark,
                   {"enabled", "service_code", "session_timeout", "resident_menu", "member_menu",
                    "report_categories", "texts"});
    if (!keys.valid()) return;
    if (auto g = keys.get("enabled")) {
      if (auto v = read_bool(ctx_, *g)) menu.enabled = *v;
    }
    if (auto g = keys.get("service_code")) {
      if (auto v = read_string(ctx_, *g)) {
        const bool shape = v->size() >= 3 && v->size() <= 20 && (*v)[0] == '*' &&
                           v->back() == '#' &&
                           std::all_of(v->begin() + 1, v->end() - 1,
                                       [](char c) { return (c >= '0' && c <= '9') || c == '*'; });
        if (shape) {
          menu.service_code = *v;
        } else {
          ctx_.error(g->mark,
                     g->path + ": expected a code such as \"*123#\", got " + in_quotes(*v));
        }
      }
    }
    if (auto g = keys.get("session_timeout")) {
      if (auto d = read_duration(ctx_, *g, std::chrono::seconds(1), std::chrono::minutes(30)))
        menu.session_timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
    }
    // Texts first: every screen check below uses the hint and the "back" label.
    if (auto g = keys.get("texts")) read_texts(*g, menu.texts);
    if (auto g = keys.get("resident_menu")) {
      menu.resident = UssdNode{};
      read_node(*g, menu.resident, 0, true);
    }
    if (auto g = keys.get("member_menu")) {
      menu.member = UssdNode{};
      read_node(*g, menu.member, 0, true);
    }
    if (auto g = keys.get("report_categories")) {
      read_categories(*g, menu);
    } else {
      default_categories(menu);
    }
    // The shipped trees are checked too (against texts that may have been made longer).
    if (!keys.get("resident_menu"))
      check_tree(menu.resident, true, f.mark, "ussd (default resident menu)");
    if (!keys.get("member_menu"))
      check_tree(menu.member, true, f.mark, "ussd (default member menu)");
    check_fixed_screens(menu, keys.get("texts") ? keys.get("texts")->mark : f.mark);
    settings_.ussd = std::move(menu);
  }

 private:
  void read_texts(const Field& f, UssdTexts& texts) {
    struct Text {
      std::string_view key;
      std::string UssdTexts::*member;
    };
    static const Text fields[] = {
        {"invalid_hint", &UssdTexts::invalid_hint},
        {"back", &UssdTexts::back},
        {"more", &UssdTexts::more},
        {"category_prompt", &UssdTexts::category_prompt},
        {"village_confirm", &UssdTexts::village_confirm},
        {"village_prompt", &UssdTexts::village_prompt},
        {"village_unknown", &UssdTexts::village_unknown},
        {"description_prompt", &UssdTexts::description_prompt},
        {"description_skip", &UssdTexts::description_skip},
        {"report_confirm", &UssdTexts::report_confirm},
        {"report_done", &UssdTexts::report_done},
        {"report_failed", &UssdTexts::report_failed},
        {"cancelled", &UssdTexts::cancelled},
        {"no_tickets", &UssdTexts::no_tickets},
        {"tickets", &UssdTexts::tickets},
        {"rate_prompt", &UssdTexts::rate_prompt},
        {"nothing_to_rate", &UssdTexts::nothing_to_rate},
        {"rated", &UssdTexts::rated},
        {"reopened", &UssdTexts::reopened},
        {"member_no_tickets", &UssdTexts::member_no_tickets},
        {"member_tickets", &UssdTexts::member_tickets},
        {"accept_prompt", &UssdTexts::accept_prompt},
        {"done_prompt", &UssdTexts::done_prompt},
        {"accepted", &UssdTexts::accepted},
        {"done", &UssdTexts::done},
        {"action_failed", &UssdTexts::action_failed},
        {"expired", &UssdTexts::expired},
        {"unknown_village", &UssdTexts::unknown_village},
        {"no_description", &UssdTexts::no_description},
    };
    std::vector<std::string_view> allowed;
    for (const Text& t : fields) allowed.push_back(t.key);
    const Map keys(ctx_, f.node, f.path, f.mark, allowed);
    if (!keys.valid()) return;
    for (const Text& t : fields) {
      auto g = keys.get(t.key);
      if (!g) continue;
      auto v = read_nonempty(ctx_, *g);
      if (!v) continue;
      texts.*(t.member) = *v;
      text_marks_[std::string(t.key)] = g->mark;
    }
  }

  void read_node(const Field& f, UssdNode& out, std::size_t depth, bool root) {
    const std::string& path = f.path;
    if (depth > kMaxDepth) {
      ctx_.error(f.mark,
                 path + ": menus nest at most " + std::to_string(kMaxDepth) + " levels deep");
      return;
    }
    const Map keys(ctx_, f.node, path, f.mark,
                   root ? std::vector<std::string_view>{"text", "choices"}
                        : std::vector<std::string_view>{"label", "text", "action", "choices"});
    if (!keys.valid()) return;
    if (!root) {
      if (auto g = keys.require("label")) {
        if (auto v = read_nonempty(ctx_, *g)) out.label = *v;
      }
    }
    if (auto g = keys.get("text")) {
      if (auto v = read_string(ctx_, *g)) out.text = *v;
    }
    const auto action = keys.get("action");
    if (action) {
      if (auto v = read_string(ctx_, *action)) {
        if (auto a = domain::ussd_action_from_string(*v)) {
          out.action = *a;
        } else {
          ctx_.error(action->mark, action->path +
                                       ": must be one of report, my_tickets, rate, "
                                       "member_tickets, accept, done; got " +
                                       in_quotes(*v));
        }
      }
    }
    const auto choices = keys.get("choices");
    if (choices) {
      const YAML::Node& list = choices->node;
      if (!list.IsSequence() || list.size() == 0) {
        ctx_.error(choices->mark,
                   choices->path + ": expected a list of at least one choice (- label: ...)");
      } else if (list.size() > kMaxChoices) {
        ctx_.error(choices->mark, choices->path + ": at most " + std::to_string(kMaxChoices) +
                                      " choices (digits 1-9; 0 goes back), got " +
                                      std::to_string(list.size()));
      } else {
        for (std::size_t i = 0; i < list.size(); ++i) {
          UssdNode child;
          read_node(element(*choices, i), child, depth + 1, false);
          out.children.push_back(std::move(child));
        }
      }
    }
    if (root && out.children.empty() && !choices) {
      ctx_.error(f.mark, path + ": a menu needs choices");
      return;
    }
    if (!root && out.action != domain::UssdAction::none && !out.children.empty()) {
      ctx_.error(action->mark, path + ": a choice has an action or choices, not both");
    }
    if (!root && out.action == domain::UssdAction::none && out.children.empty() &&
        out.text.empty() && !action && !choices) {
      ctx_.error(f.mark, path + ": a choice needs an action, choices, or a text to show");
    }
    marks_[path] = f.mark;
    if (depth == 0) check_tree(out, root, f.mark, path);
  }

  // The i-th item of a list field, marked where it is (or where the list is).
  static Field element(const Field& list, std::size_t i) {
    const YAML::Node item = list.node[i];
    return Field{item, mark_of(item, list.mark), list.path + "[" + std::to_string(i) + "]"};
  }

  void check_tree(const UssdNode& node, bool root, const YAML::Mark& mark,
                  const std::string& path) {
    pending_trees_.push_back({&node, root, mark, path});
  }

  void check_node(const UssdNode& node, const UssdTexts& texts, bool root, const YAML::Mark& mark,
                  const std::string& path) {
    auto it = marks_.find(path);
    const YAML::Mark at = it != marks_.end() ? it->second : mark;
    if (!node.children.empty()) {
      const std::string screen = domain::render_ussd_menu(node, texts, root, true);
      const domain::UssdLength length = domain::ussd_length(screen);
      if (!length.fits())
        ctx_.error(at, path + ": this menu screen is too long for USSD: " + limit_message(length) +
                           " (counting the invalid-input hint line)");
      for (std::size_t i = 0; i < node.children.size(); ++i)
        check_node(node.children[i], texts, false, at,
                   path + ".choices[" + std::to_string(i) + "]");
    } else if (node.action == domain::UssdAction::none) {
      const domain::UssdLength length = domain::ussd_length(node.text);
      if (!length.fits())
        ctx_.error(at, path + ".text: too long for one USSD screen: " + limit_message(length));
    }
  }

  void read_categories(const Field& f, domain::UssdMenu& menu) {
    const YAML::Node& node = f.node;
    if (!node.IsSequence() || node.size() == 0) {
      ctx_.error(f.mark, f.path + ": expected a list of at least one category");
      return;
    }
    if (node.size() > kMaxChoices) {
      ctx_.error(f.mark, f.path + ": at most " + std::to_string(kMaxChoices) +
                             " categories fit the digits 1-9, got " + std::to_string(node.size()));
      return;
    }
    std::vector<std::pair<std::string, std::string>> labels;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const Field item = element(f, i);
      const Map keys(ctx_, item.node, item.path, item.mark, {"category", "label", "descriptions"});
      if (!keys.valid()) continue;
      domain::UssdReportCategory c;
      const auto category = keys.require("category");
      if (!category) continue;
      auto id = read_string(ctx_, *category);
      if (!id) continue;
      if (settings_.find_category(*id) == nullptr) {
        std::vector<std::string_view> ids;
        for (const domain::Category& known : settings_.categories) ids.push_back(known.id);
        std::string message = category->path + ": no category has the id " + in_quotes(*id);
        std::string suggestion = closest_match(*id, ids);
        if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
        ctx_.error(category->mark, message);
        continue;
      }
      c.category = *id;
      if (auto g = keys.get("label")) {
        if (auto v = read_string(ctx_, *g)) c.label = *v;
      }
      if (c.label.empty()) c.label = settings_.find_category(c.category)->name;
      if (auto d = keys.get("descriptions")) read_descriptions(*d, menu.texts, c);
      labels.emplace_back(c.category, c.label);
      menu.categories.push_back(std::move(c));
    }
    const domain::UssdLength length =
        domain::ussd_length(domain::render_ussd_categories(labels, menu.texts));
    if (!length.fits())
      ctx_.error(f.mark, f.path + ": the category screen is too long for USSD: " +
                             limit_message(length) + "; list fewer categories or shorter labels");
  }

  void read_descriptions(const Field& f, const UssdTexts& texts, domain::UssdReportCategory& c) {
    if (!f.node.IsSequence()) {
      ctx_.error(f.mark, f.path + ": expected a list such as [路灯不亮, 灯杆倒了]");
      return;
    }
    if (f.node.size() > kMaxChoices) {
      ctx_.error(f.mark, f.path + ": at most " + std::to_string(kMaxChoices) +
                             " (digits 1-9; 0 skips), got " + std::to_string(f.node.size()));
      return;
    }
    for (std::size_t j = 0; j < f.node.size(); ++j) {
      if (auto v = read_nonempty(ctx_, element(f, j))) c.descriptions.push_back(*v);
    }
    std::string screen = texts.invalid_hint + "\n" + texts.description_prompt;
    for (std::size_t j = 0; j < c.descriptions.size(); ++j)
      screen += "\n" + std::to_string(j + 1) + " " + c.descriptions[j];
    screen += "\n0 " + texts.description_skip;
    const domain::UssdLength length = domain::ussd_length(screen);
    if (!length.fits())
      ctx_.error(f.mark, f.path + ": the description screen is too long for USSD: " +
                             limit_message(length));
  }

  // Not configured: the configured categories in order, as many as fit on the screen.
  void default_categories(domain::UssdMenu& menu) {
    std::vector<std::pair<std::string, std::string>> labels;
    for (const domain::Category& c : settings_.categories) {
      if (labels.size() == kMaxChoices) break;
      labels.emplace_back(c.id, c.name);
      if (!domain::ussd_length(domain::render_ussd_categories(labels, menu.texts)).fits()) {
        labels.pop_back();
        break;
      }
      menu.categories.push_back({c.id, c.name, {}});
    }
  }

  void check_fixed_screens(const domain::UssdMenu& menu, const YAML::Mark& texts_mark) {
    for (const auto& pending : pending_trees_)
      check_node(*pending.node, menu.texts, pending.root, pending.mark, pending.path);
    // Fixed screens rendered with long but realistic values.
    const domain::TemplateValues values = domain::TemplateValues()
                                              .set("ticket", 99999)
                                              .set("category", "邻里纠纷")
                                              .set("village", "大溪边村第一网格")
                                              .set("description", "路灯杆被大风刮倒了")
                                              .set("code", menu.service_code)
                                              .set("status", "待确认地点")
                                              .set("list", "");
    const UssdTexts& t = menu.texts;
    const std::pair<std::string_view, const std::string*> screens[] = {
        {"village_confirm", &t.village_confirm},
        {"report_confirm", &t.report_confirm},
        {"report_done", &t.report_done},
        {"report_failed", &t.report_failed},
        {"cancelled", &t.cancelled},
        {"no_tickets", &t.no_tickets},
        {"rate_prompt", &t.rate_prompt},
        {"nothing_to_rate", &t.nothing_to_rate},
        {"rated", &t.rated},
        {"reopened", &t.reopened},
        {"member_no_tickets", &t.member_no_tickets},
        {"accepted", &t.accepted},
        {"done", &t.done},
        {"action_failed", &t.action_failed},
        {"expired", &t.expired},
    };
    for (const auto& [key, text] : screens) {
      std::string screen = domain::render(*text, values);
      // Screens that wait for an answer may be re-shown with the hint in front.
      if (key == "village_confirm" || key == "report_confirm" || key == "rate_prompt")
        screen = t.invalid_hint + "\n" + screen;
      const domain::UssdLength length = domain::ussd_length(screen);
      if (length.fits()) continue;
      auto it = text_marks_.find(std::string(key));
      ctx_.error(it != text_marks_.end() ? it->second : texts_mark,
                 "ussd.texts." + std::string(key) +
                     ": too long for one USSD screen: " + limit_message(length));
    }
  }

  struct PendingTree {
    const UssdNode* node;
    bool root;
    YAML::Mark mark;
    std::string path;
  };

  Context& ctx_;
  domain::Settings& settings_;
  std::map<std::string, YAML::Mark> text_marks_;
  std::map<std::string, YAML::Mark> marks_;  // by path ("ussd.resident_menu.choices[0]")
  std::vector<PendingTree> pending_trees_;
};

}  // namespace

void read_ussd_menu(Context& ctx, const Field& f, domain::Settings& settings) {
  MenuReader reader(ctx, settings);
  reader.read(f);
}

void read_ussd_dialect(Context& ctx, const Field& f, ussd::Dialect& dialect) {
  const Map keys(ctx, f.node, f.path, f.mark,
                 {"service_type", "begin_ops", "answer_ops", "release_ops", "reply_continue_op",
                  "reply_end_op", "session_end_bit"});
  if (!keys.valid()) return;
  if (auto g = keys.get("service_type")) {
    if (auto v = read_string(ctx, *g)) {
      if (v->size() > 5) {
        ctx.error(g->mark, g->path + ": at most 5 characters (SMPP 3.4), got " + in_quotes(*v));
      } else {
        dialect.service_type = *v;
      }
    }
  }
  auto octet = [&](const Field& g) -> std::optional<std::uint8_t> {
    if (g.node.IsScalar()) {
      if (auto value = parse_octet(g.node.Scalar())) return value;
    }
    ctx.error(g.mark, g.path + ": expected a ussd_service_op value 0..255 (decimal or 0x..), got " +
                          (g.node.IsScalar() ? in_quotes(g.node.Scalar())
                                             : std::string("a list or mapping")));
    return std::nullopt;
  };
  auto list = [&](std::string_view key, std::vector<std::uint8_t>& out) {
    const auto g = keys.get(key);
    if (!g) return;
    std::vector<std::uint8_t> values;
    if (g->node.IsScalar()) {
      if (auto v = octet(*g)) values.push_back(*v);
    } else if (g->node.IsSequence()) {
      for (std::size_t i = 0; i < g->node.size(); ++i) {
        const YAML::Node item = g->node[i];
        if (auto v =
                octet(Field{item, mark_of(item, g->mark), g->path + "[" + std::to_string(i) + "]"}))
          values.push_back(*v);
      }
    } else if (!g->node.IsNull()) {
      ctx.error(g->mark, g->path + ": expected a list of values such as [1] or [0x12]");
    }
    out = std::move(values);
  };
  list("begin_ops", dialect.begin);
  list("answer_ops", dialect.answer);
  list("release_ops", dialect.release);
  for (const auto& [key, field] : {std::pair<std::string_view, std::uint8_t ussd::Dialect::*>{
                                       "reply_continue_op", &ussd::Dialect::reply_continue},
                                   {"reply_end_op", &ussd::Dialect::reply_end}}) {
    if (auto g = keys.get(key)) {
      if (auto v = octet(*g)) dialect.*field = *v;
    }
  }
  if (auto g = keys.get("session_end_bit")) {
    if (auto v = read_bool(ctx, *g)) dialect.session_end_bit = *v;
  }
  // One value with two meanings cannot be classified.
  std::set<std::uint8_t> seen;
  for (const auto* values : {&dialect.begin, &dialect.answer, &dialect.release}) {
    for (std::uint8_t v : *values) {
      if (!seen.insert(v).second)
        ctx.error(f.mark, f.path + ": ussd_service_op " + std::to_string(v) +
                              " is listed under two meanings (begin_ops, answer_ops, release_ops)");
    }
  }
}

}  // namespace lianxin::config::detail
