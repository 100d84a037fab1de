// Reading a villager's text: what it is (intent) before what it is about (category), and
// whether it describes a danger (urgency). Pure: the statistical part sits behind TextModel
// (fastText in daemon/language/, a fake in tests), so the decisions here are tested without a
// model file.
//
// Order of decisions for a text that the SMS grammar did not take as a command:
//  1. Intent, from the model: the probabilities of the category labels add up to "a report";
//     the intent labels (ack, greeting, feedback_good, feedback_bad) stand for themselves; the
//     largest wins. Only a report opens a ticket.
//  2. Category: a configured keyword (an operator override) wins and the explanation says so;
//     else the model's best category the configuration knows, with its probability among the
//     categories as the confidence. Below Language::review_below the ticket is not guessed: it
//     goes to filter/verify (过滤核实) with the two best guesses.
//  3. Urgency, whatever the category: the danger lexicon (danger.hpp) or the model's urgency
//     probability at or above Language::urgent_at.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::domain {

struct Settings;
struct Category;

enum class Intent { report, acknowledgement, greeting, feedback_good, feedback_bad };
std::string_view to_string(Intent intent);
// The model's label for an intent that is not a report ("ack", ...); nullopt for report.
std::optional<Intent> intent_from_label(std::string_view label);
std::string_view label_of(Intent intent);

struct LabelScore {
  std::string label;  // a category id or an intent label
  double probability = 0;
};

struct ModelScores {
  std::vector<LabelScore> labels;  // every label the model knows, best first; sums to ~1
  double urgency = 0;              // probability that the text describes a danger now
};

// The statistical reader. Implementations are immutable after loading and cheap to call.
class TextModel {
 public:
  virtual ~TextModel() = default;
  virtual ModelScores score(std::string_view text) const = 0;
};

// What the reader is told by the configuration.
struct Language {
  std::shared_ptr<const TextModel> model;  // null: configured keywords only (tests, explain -k)
  double review_below = 0.6;               // category confidence under which 过滤核实
  double urgent_at = 0.3;                  // urgency probability that marks a report urgent
};

// The model's input: one token per Han character (and other symbol), Latin words lower-cased,
// digits dropped, full-width folded, punctuation dropped except ? and !, a character
// repeated more than twice cut to two ("嗯嗯嗯嗯" → "嗯 嗯"). Training and prediction both use
// exactly this, so it lives here, once.
std::string model_tokens(std::string_view text);

struct Reading {
  Intent intent = Intent::report;
  double intent_probability = 1;
  // For a report (and the best guess for feedback): the category id, its confidence among the
  // categories (1 for a keyword override) and the three best categories.
  std::string category;
  double confidence = 0;
  std::vector<LabelScore> candidates;
  bool keyword_override = false;
  std::string keyword;  // the configured keyword that decided, when keyword_override
  bool needs_review = false;
  bool urgent = false;
  std::string urgency_reason;  // "danger: 冒烟 (fire or smoke)", "model 0.83", "category 供水"
  std::string explanation;     // one line for logs, events and `lianxinctl explain`
};

Reading read_text(const Settings& settings, std::string_view text);

}  // namespace lianxin::domain
