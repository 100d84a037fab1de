#include "daemon/domain/language.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "daemon/domain/classify.hpp"
#include "daemon/domain/danger.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::domain {
namespace {

struct IntentLabel {
  Intent intent;
  std::string_view label;
  std::string_view name;
};
constexpr std::array<IntentLabel, 5> kIntents{{
    {Intent::report, "", "report"},
    {Intent::acknowledgement, "ack", "acknowledgement"},
    {Intent::greeting, "greeting", "greeting"},
    {Intent::feedback_good, "feedback_good", "feedback_good"},
    {Intent::feedback_bad, "feedback_bad", "feedback_bad"},
}};

std::string percent(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", p * 100);
  return buf;
}

std::string display(const Settings& settings, std::string_view id) {
  const Category* category = settings.find_category(id);
  return category ? category->name : std::string(id);
}

}  // namespace

std::string_view to_string(Intent intent) {
  for (const IntentLabel& i : kIntents)
    if (i.intent == intent) return i.name;
  return "?";
}

std::optional<Intent> intent_from_label(std::string_view label) {
  for (const IntentLabel& i : kIntents)
    if (!i.label.empty() && i.label == label) return i.intent;
  return std::nullopt;
}

std::string_view label_of(Intent intent) {
  for (const IntentLabel& i : kIntents)
    if (i.intent == intent) return i.label;
  return "";
}

std::string model_tokens(std::string_view text) {
  std::string out;
  auto token = [&out](std::string_view t) {
    if (!out.empty()) out.push_back(' ');
    out.append(t);
  };
  std::string latin;
  bool digits = false;
  auto flush = [&] {
    if (!latin.empty()) token(latin);
    (void)digits;  // numbers (tickets, phones, house numbers) carry no topic: dropped
    latin.clear();
    digits = false;
  };
  char32_t previous = 0;
  int run = 0;
  text::Utf8Reader reader(text);
  while (!reader.done()) {
    char32_t c = text::to_half_width(reader.next());
    run = c == previous ? run + 1 : 1;
    previous = c;
    if (text::is_ascii_alpha(c)) {
      if (digits) flush();
      latin.push_back(static_cast<char>(c | 0x20));  // lower case
      continue;
    }
    if (text::is_ascii_digit(c)) {
      if (!latin.empty()) flush();
      digits = true;
      continue;
    }
    flush();
    if (c == sms::replacement_character || text::is_space(c) || run > 2) continue;
    if (c == U'?' || c == U'!' || !text::is_punctuation(c) ||
        (c >= 0x1F000 && c <= 0x1FAFF)) {  // emoji carry meaning (👍 🙏)
      std::string one;
      sms::append_utf8(one, c);
      token(one);
    }
  }
  flush();
  return out;
}

Reading read_text(const Settings& settings, std::string_view text) {
  Reading r;
  const Language& language = settings.language;
  ModelScores scores;
  if (language.model) scores = language.model->score(text);

  // 1. Intent: the report labels together against each other intent.
  double report = 0;
  std::array<double, kIntents.size()> intent_p{};
  std::vector<LabelScore> categories;
  for (const LabelScore& s : scores.labels) {
    if (std::optional<Intent> intent = intent_from_label(s.label)) {
      intent_p[static_cast<std::size_t>(*intent)] += s.probability;
    } else if (settings.find_category(s.label) != nullptr) {
      report += s.probability;
      categories.push_back(s);
    }
  }
  intent_p[static_cast<std::size_t>(Intent::report)] = report;
  const std::optional<DangerHit> danger = find_danger(text);
  if (language.model && scores.labels.empty() && !danger) {
    // Nothing readable (punctuation, symbols): answered like a greeting, with how to report.
    r.intent = Intent::greeting;
    r.intent_probability = 0;
  } else if (language.model && !danger) {
    const auto best = std::max_element(intent_p.begin(), intent_p.end());
    r.intent = kIntents[static_cast<std::size_t>(best - intent_p.begin())].intent;
    r.intent_probability = *best;
  } else if (language.model) {
    // A danger described is a report, however it is worded: never filed away as a "thank you".
    r.intent_probability = report;
  }

  // 2. Category: configured keywords first, else the model among the known categories.
  for (LabelScore& s : categories) s.probability = report > 0 ? s.probability / report : 0;
  if (categories.size() > 3) categories.resize(3);
  r.candidates = categories;
  CategoryMatch keywords = classify_category(settings.categories, settings.fallback_category, text);
  if (keywords.winner) {
    r.category = keywords.category;
    r.confidence = 1;
    r.keyword_override = true;
    r.keyword = keywords.winner->keyword;
  } else if (!categories.empty()) {
    r.category = categories.front().label;
    r.confidence = categories.front().probability;
  } else {
    r.category = settings.fallback_category;
    r.confidence = 0;
  }
  r.needs_review = r.intent == Intent::report && !r.keyword_override &&
                   (language.model == nullptr ? false : r.confidence < language.review_below);

  // 3. Urgency, whatever the category.
  if (danger) {
    r.urgent = true;
    r.urgency_reason =
        "danger described: '" + danger->phrase + "' (" + std::string(danger->kind) + ")";
  } else if (language.model && scores.urgency >= language.urgent_at) {
    r.urgent = true;
    r.urgency_reason = "the model reads a danger (" + percent(scores.urgency) + ")";
  } else if (const Category* category = settings.find_category(r.category);
             category && category->urgent) {
    r.urgent = true;
    r.urgency_reason = "category " + category->name + " is configured urgent";
  }
  if (r.intent != Intent::report) {
    r.urgent = false;
    r.urgency_reason.clear();
  }

  // One line for the history, the log and explain.
  std::string& e = r.explanation;
  e = std::string(to_string(r.intent));
  if (language.model) e += " (" + percent(r.intent_probability) + ")";
  if (r.intent == Intent::report || r.intent == Intent::feedback_bad) {
    e += "; category " + r.category + " (" + display(settings, r.category) + ")";
    if (r.keyword_override) {
      e += " by configured keyword '" + r.keyword + "' (operator override)";
    } else if (language.model) {
      e += " " + percent(r.confidence);
    } else {
      e += ": no model and no configured keyword matched";
    }
    for (std::size_t i = r.keyword_override ? 0 : 1; i < r.candidates.size(); ++i) {
      e += i == (r.keyword_override ? 0u : 1u) ? "; then " : ", ";
      e += r.candidates[i].label + " " + percent(r.candidates[i].probability);
    }
    if (r.needs_review) e += "; below " + percent(language.review_below) + ": 过滤核实";
  }
  if (r.urgent) e += "; urgent: " + r.urgency_reason;
  return r;
}

}  // namespace lianxin::domain
