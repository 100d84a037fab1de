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

namespace lianxin::config {
namespace {

using domain::UssdNode;
using domain::UssdTexts;

constexpr std::size_t kMaxDepth = 6;
constexpr std::size_t kMaxChoices = 9;

YAML::Mark mark_of(const YAML::Node& node, const YAML::Mark& fallback) {
  return node.Mark().line >= 0 ? node.Mark() : fallback;
}

std::string in_quotes(std::string_view s) {
  return "\"" + domain::truncate_code_points(s, 40) + "\"";
}

// Reads a mapping with a fixed set of keys; reports unknown keys. Returns key → (key, value).
class Keys {
 public:
  Keys(const YAML::Node& node, const YAML::Mark& mark, std::string path,
       std::vector<std::string_view> allowed, const UssdErrorSink& error)
      : path_(std::move(path)), error_(error) {
    if (node.IsNull()) {
      valid_ = true;
      return;
    }
    if (!node.IsMap()) {
      error_(mark, path_ + ": expected a mapping (key: value lines)");
      return;
    }
    valid_ = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key = it->first;
      const std::string name = key.IsScalar() ? key.Scalar() : "";
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        std::string message = path_ + ": unknown key " + in_quotes(name);
        std::string suggestion = closest_match(name, allowed);
        if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
        error_(mark_of(key, mark), message);
        continue;
      }
      entries_[name] = {key, it->second};
    }
  }
  bool valid() const { return valid_; }
  bool has(const std::string& key) const { return entries_.contains(key); }
  const YAML::Node* value(const std::string& key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second.second;
  }
  YAML::Mark mark(const std::string& key, const YAML::Mark& fallback) const {
    auto it = entries_.find(key);
    if (it == entries_.end()) return fallback;
    const YAML::Node& v = it->second.second;
    return v.IsNull() ? mark_of(it->second.first, fallback) : mark_of(v, fallback);
  }
  std::string path(const std::string& key) const { return path_ + "." + key; }

  std::optional<std::string> text(const std::string& key, const YAML::Mark& fallback) const {
    const YAML::Node* v = value(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsScalar()) {
      error_(mark(key, fallback), path(key) + ": expected text");
      return std::nullopt;
    }
    return v->Scalar();
  }

 private:
  std::string path_;
  const UssdErrorSink& error_;
  bool valid_ = false;
  std::map<std::string, std::pair<YAML::Node, YAML::Node>> entries_;
};

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
  MenuReader(domain::Settings& settings, const UssdErrorSink& error)
      : settings_(settings), error_(error) {}

  void read(const YAML::Node& node, const YAML::Mark& mark) {
    domain::UssdMenu menu = domain::default_ussd_menu();
    menu.enabled = true;
    Keys keys(node, mark, "ussd",
              {"enabled", "service_code", "session_timeout", "resident_menu", "member_menu",
               "report_categories", "texts"},
              error_);
    if (!keys.valid()) return;
    if (auto v = keys.text("enabled", mark)) {
      if (*v == "true" || *v == "yes" || *v == "on") {
        menu.enabled = true;
      } else if (*v == "false" || *v == "no" || *v == "off") {
        menu.enabled = false;
      } else {
        error_(keys.mark("enabled", mark),
               "ussd.enabled: expected true or false, got " + in_quotes(*v));
      }
    }
    if (auto v = keys.text("service_code", mark)) {
      const bool shape = v->size() >= 3 && v->size() <= 20 && (*v)[0] == '*' && v->back() == '#' &&
                         std::all_of(v->begin() + 1, v->end() - 1,
                                     [](char c) { return (c >= '0' && c <= '9') || c == '*'; });
      if (shape) {
        menu.service_code = *v;
      } else {
        error_(keys.mark("service_code", mark),
               "ussd.service_code: expected a code such as \"*123#\", got " + in_quotes(*v));
      }
    }
    if (auto v = keys.text("session_timeout", mark)) {
      std::string why;
      auto d = parse_duration(*v, why);
      if (!d) {
        error_(keys.mark("session_timeout", mark), "ussd.session_timeout: " + why);
      } else if (*d < std::chrono::seconds(1) || *d > std::chrono::minutes(30)) {
        error_(keys.mark("session_timeout", mark),
               "ussd.session_timeout: must be between 1s and 30m, got " + *v);
      } else {
        menu.session_timeout = std::chrono::duration_cast<std::chrono::seconds>(*d);
      }
    }
    // Texts first: every screen check below uses the hint and the "back" label.
    if (const YAML::Node* texts = keys.value("texts"))
      read_texts(*texts, keys.mark("texts", mark), menu.texts);
    if (const YAML::Node* r = keys.value("resident_menu")) {
      menu.resident = UssdNode{};
      read_node(*r, keys.mark("resident_menu", mark), "ussd.resident_menu", menu.resident, 0, true);
    }
    if (const YAML::Node* m = keys.value("member_menu")) {
      menu.member = UssdNode{};
      read_node(*m, keys.mark("member_menu", mark), "ussd.member_menu", menu.member, 0, true);
    }
    if (const YAML::Node* c = keys.value("report_categories")) {
      read_categories(*c, keys.mark("report_categories", mark), menu);
    } else {
      default_categories(menu);
    }
    // The shipped trees are checked too (against texts that may have been made longer).
    if (!keys.has("resident_menu"))
      check_tree(menu.resident, true, mark, "ussd (default resident menu)");
    if (!keys.has("member_menu")) check_tree(menu.member, true, mark, "ussd (default member menu)");
    check_fixed_screens(menu, keys.mark("texts", mark));
    settings_.ussd = std::move(menu);
  }

 private:
  void read_texts(const YAML::Node& node, const YAML::Mark& mark, UssdTexts& texts) {
    struct Field {
      std::string_view key;
      std::string UssdTexts::*member;
    };
    static const Field fields[] = {
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
    for (const Field& f : fields) allowed.push_back(f.key);
    Keys keys(node, mark, "ussd.texts", allowed, error_);
    if (!keys.valid()) return;
    for (const Field& f : fields) {
      const std::string key(f.key);
      auto v = keys.text(key, mark);
      if (!v) continue;
      if (v->empty()) {
        error_(keys.mark(key, mark), keys.path(key) + ": must not be empty");
        continue;
      }
      texts.*(f.member) = *v;
      text_marks_[key] = keys.mark(key, mark);
    }
  }

  void read_node(const YAML::Node& node, const YAML::Mark& mark, const std::string& path,
                 UssdNode& out, std::size_t depth, bool root) {
    if (depth > kMaxDepth) {
      error_(mark, path + ": menus nest at most " + std::to_string(kMaxDepth) + " levels deep");
      return;
    }
    Keys keys(node, mark, path,
              root ? std::vector<std::string_view>{"text", "choices"}
                   : std::vector<std::string_view>{"label", "text", "action", "choices"},
              error_);
    if (!keys.valid()) return;
    if (!root) {
      if (auto v = keys.text("label", mark)) {
        out.label = *v;
        if (v->empty()) error_(keys.mark("label", mark), path + ".label: must not be empty");
      } else if (!keys.has("label")) {
        error_(mark, path + ": missing required key \"label\"");
      }
    }
    if (auto v = keys.text("text", mark)) out.text = *v;
    if (auto v = keys.text("action", mark)) {
      if (auto a = domain::ussd_action_from_string(*v)) {
        out.action = *a;
      } else {
        error_(keys.mark("action", mark),
               path +
                   ".action: must be one of report, my_tickets, rate, member_tickets, accept, "
                   "done; got " +
                   in_quotes(*v));
      }
    }
    if (const YAML::Node* choices = keys.value("choices")) {
      const YAML::Mark cmark = keys.mark("choices", mark);
      if (!choices->IsSequence() || choices->size() == 0) {
        error_(cmark, path + ".choices: expected a list of at least one choice (- label: ...)");
      } else if (choices->size() > kMaxChoices) {
        error_(cmark, path + ".choices: at most " + std::to_string(kMaxChoices) +
                          " choices (digits 1-9; 0 goes back), got " +
                          std::to_string(choices->size()));
      } else {
        for (std::size_t i = 0; i < choices->size(); ++i) {
          UssdNode child;
          read_node((*choices)[i], mark_of((*choices)[i], cmark),
                    path + ".choices[" + std::to_string(i) + "]", child, depth + 1, false);
          out.children.push_back(std::move(child));
        }
      }
    }
    if (root && out.children.empty() && !keys.has("choices")) {
      error_(mark, path + ": a menu needs choices");
      return;
    }
    if (!root && out.action != domain::UssdAction::none && !out.children.empty()) {
      error_(keys.mark("action", mark), path + ": a choice has an action or choices, not both");
    }
    if (!root && out.action == domain::UssdAction::none && out.children.empty() &&
        out.text.empty() && !keys.has("action") && !keys.has("choices")) {
      error_(mark, path + ": a choice needs an action, choices, or a text to show");
    }
    marks_[path] = mark;
    if (depth == 0) check_tree(out, root, mark, path);
  }

  void check_tree(const UssdNode& node, bool root, const YAML::Mark& mark,
                  const std::string& path) {
    pending_trees_.push_back({&node, root, mark, path});
  }

  void check_node(const UssdNode& node, const UssdTexts& texts, bool root, const YAML::Mark& mark,
                  const std::string& path) {
    const std::string& where = path;
    auto it = marks_.find(path);
    const YAML::Mark at = it != marks_.end() ? it->second : mark;
    if (!node.children.empty()) {
      const std::string screen = domain::render_ussd_menu(node, texts, root, true);
      const domain::UssdLength length = domain::ussd_length(screen);
      if (!length.fits())
        error_(at, where + ": this menu screen is too long for USSD: " + limit_message(length) +
                       " (counting the invalid-input hint line)");
      for (std::size_t i = 0; i < node.children.size(); ++i)
        check_node(node.children[i], texts, false, at,
                   where + ".choices[" + std::to_string(i) + "]");
    } else if (node.action == domain::UssdAction::none) {
      const domain::UssdLength length = domain::ussd_length(node.text);
      if (!length.fits())
        error_(at, where + ".text: too long for one USSD screen: " + limit_message(length));
    }
  }

  void read_categories(const YAML::Node& node, const YAML::Mark& mark, domain::UssdMenu& menu) {
    if (!node.IsSequence() || node.size() == 0) {
      error_(mark, "ussd.report_categories: expected a list of at least one category");
      return;
    }
    if (node.size() > kMaxChoices) {
      error_(mark, "ussd.report_categories: at most " + std::to_string(kMaxChoices) +
                       " categories fit the digits 1-9, got " + std::to_string(node.size()));
      return;
    }
    std::vector<std::pair<std::string, std::string>> labels;
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = "ussd.report_categories[" + std::to_string(i) + "]";
      const YAML::Mark at = mark_of(node[i], mark);
      Keys keys(node[i], at, path, {"category", "label", "descriptions"}, error_);
      if (!keys.valid()) continue;
      domain::UssdReportCategory c;
      if (auto v = keys.text("category", at)) {
        c.category = *v;
        if (settings_.find_category(*v) == nullptr) {
          std::vector<std::string_view> ids;
          for (const domain::Category& known : settings_.categories) ids.push_back(known.id);
          std::string message = path + ".category: no category has the id " + in_quotes(*v);
          std::string suggestion = closest_match(*v, ids);
          if (!suggestion.empty()) message += "; did you mean " + in_quotes(suggestion) + "?";
          error_(keys.mark("category", at), message);
          continue;
        }
      } else {
        error_(at, path + ": missing required key \"category\"");
        continue;
      }
      if (auto v = keys.text("label", at)) c.label = *v;
      if (c.label.empty()) c.label = settings_.find_category(c.category)->name;
      if (const YAML::Node* d = keys.value("descriptions")) {
        const YAML::Mark dmark = keys.mark("descriptions", at);
        if (!d->IsSequence()) {
          error_(dmark, path + ".descriptions: expected a list such as [路灯不亮, 灯杆倒了]");
        } else if (d->size() > kMaxChoices) {
          error_(dmark, path + ".descriptions: at most " + std::to_string(kMaxChoices) +
                            " (digits 1-9; 0 skips), got " + std::to_string(d->size()));
        } else {
          for (std::size_t j = 0; j < d->size(); ++j) {
            if (!(*d)[j].IsScalar() || (*d)[j].Scalar().empty()) {
              error_(mark_of((*d)[j], dmark),
                     path + ".descriptions[" + std::to_string(j) + "]: expected text");
              continue;
            }
            c.descriptions.push_back((*d)[j].Scalar());
          }
          std::string screen = menu.texts.invalid_hint + "\n" + menu.texts.description_prompt;
          for (std::size_t j = 0; j < c.descriptions.size(); ++j)
            screen += "\n" + std::to_string(j + 1) + " " + c.descriptions[j];
          screen += "\n0 " + menu.texts.description_skip;
          const domain::UssdLength length = domain::ussd_length(screen);
          if (!length.fits())
            error_(dmark, path + ".descriptions: the description screen is too long for USSD: " +
                              limit_message(length));
        }
      }
      labels.emplace_back(c.category, c.label);
      menu.categories.push_back(std::move(c));
    }
    const domain::UssdLength length =
        domain::ussd_length(domain::render_ussd_categories(labels, menu.texts));
    if (!length.fits())
      error_(mark, "ussd.report_categories: the category screen is too long for USSD: " +
                       limit_message(length) + "; list fewer categories or shorter labels");
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
      error_(it != text_marks_.end() ? it->second : texts_mark,
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

  domain::Settings& settings_;
  const UssdErrorSink& error_;
  std::map<std::string, YAML::Mark> text_marks_;
  std::map<std::string, YAML::Mark> marks_;  // by path ("ussd.resident_menu.choices[0]")
  std::vector<PendingTree> pending_trees_;
};

}  // namespace

void read_ussd_menu(const YAML::Node& node, const YAML::Mark& mark, domain::Settings& settings,
                    const UssdErrorSink& error) {
  MenuReader reader(settings, error);
  reader.read(node, mark);
}

void read_ussd_dialect(const YAML::Node& node, const YAML::Mark& mark, const std::string& path,
                       ussd::Dialect& dialect, const UssdErrorSink& error) {
  Keys keys(node, mark, path,
            {"service_type", "begin_ops", "answer_ops", "release_ops", "reply_continue_op",
             "reply_end_op", "session_end_bit"},
            error);
  if (!keys.valid()) return;
  if (auto v = keys.text("service_type", mark)) {
    if (v->size() > 5) {
      error(keys.mark("service_type", mark),
            keys.path("service_type") + ": at most 5 characters (SMPP 3.4), got " + in_quotes(*v));
    } else {
      dialect.service_type = *v;
    }
  }
  auto octet = [&](const YAML::Node& n, const YAML::Mark& at,
                   const std::string& where) -> std::optional<std::uint8_t> {
    if (n.IsScalar()) {
      if (auto value = parse_octet(n.Scalar())) return value;
    }
    error(at, where + ": expected a ussd_service_op value 0..255 (decimal or 0x..), got " +
                  (n.IsScalar() ? in_quotes(n.Scalar()) : std::string("a list or mapping")));
    return std::nullopt;
  };
  auto list = [&](const std::string& key, std::vector<std::uint8_t>& out) {
    const YAML::Node* n = keys.value(key);
    if (n == nullptr) return;
    const YAML::Mark at = keys.mark(key, mark);
    std::vector<std::uint8_t> values;
    if (n->IsScalar()) {
      if (auto v = octet(*n, at, keys.path(key))) values.push_back(*v);
    } else if (n->IsSequence()) {
      for (std::size_t i = 0; i < n->size(); ++i) {
        if (auto v = octet((*n)[i], mark_of((*n)[i], at),
                           keys.path(key) + "[" + std::to_string(i) + "]"))
          values.push_back(*v);
      }
    } else if (!n->IsNull()) {
      error(at, keys.path(key) + ": expected a list of values such as [1] or [0x12]");
    }
    out = std::move(values);
  };
  list("begin_ops", dialect.begin);
  list("answer_ops", dialect.answer);
  list("release_ops", dialect.release);
  for (const auto& [key, field] : {std::pair<std::string, std::uint8_t ussd::Dialect::*>{
                                       "reply_continue_op", &ussd::Dialect::reply_continue},
                                   {"reply_end_op", &ussd::Dialect::reply_end}}) {
    if (const YAML::Node* n = keys.value(key)) {
      if (auto v = octet(*n, keys.mark(key, mark), keys.path(key))) dialect.*field = *v;
    }
  }
  if (auto v = keys.text("session_end_bit", mark)) {
    if (*v == "true" || *v == "yes" || *v == "on") {
      dialect.session_end_bit = true;
    } else if (*v == "false" || *v == "no" || *v == "off") {
      dialect.session_end_bit = false;
    } else {
      error(keys.mark("session_end_bit", mark),
            keys.path("session_end_bit") + ": expected true or false, got " + in_quotes(*v));
    }
  }
  // One value with two meanings cannot be classified.
  std::set<std::uint8_t> seen;
  for (const auto* values : {&dialect.begin, &dialect.answer, &dialect.release}) {
    for (std::uint8_t v : *values) {
      if (!seen.insert(v).second)
        error(mark, path + ": ussd_service_op " + std::to_string(v) +
                        " is listed under two meanings (begin_ops, answer_ops, release_ops)");
    }
  }
}

}  // namespace lianxin::config
