// language_eval: how well lianxin reads villagers' texts (scripts/eval-language runs it).
//
// Takes the model the build trained (--model FILE; the build trains it from the training split
// exactly as `lianxinctl train` does), or trains one from --train, then reads every
// held-out text through the daemon's own reader (domain::read_text with the shipped categories)
// and prints intent accuracy, category accuracy with per-category precision/recall and the
// confusion matrix, urgency recall and false-urgent rate, time per text, model size and the
// memory a loaded model takes. --kfold K adds K-fold cross-validation: over the training split
// alone (--kfold-on train, the one to tune hyper-parameters on; --show-errors lists its
// mistakes) or over the whole corpus (--kfold-on all). Held-out mistakes are never listed: the
// held-out split is for measuring, not for tuning.
//
// Exit status 1 when a held-out figure is under its floor (--floor-*), 2 on bad usage or data.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/domain/language.hpp"
#include "daemon/domain/settings.hpp"
#include "daemon/language/corpus.hpp"
#include "daemon/language/fasttext_model.hpp"

namespace {

using lianxin::domain::Intent;
using lianxin::domain::Reading;
using lianxin::domain::Settings;
using lianxin::language::Example;
using lianxin::language::FastTextModel;
using lianxin::language::TrainOptions;

struct Options {
  std::vector<std::filesystem::path> train{"config/language/train"};
  std::vector<std::filesystem::path> heldout{"config/language/heldout"};
  std::optional<std::filesystem::path> model;
  int kfold = 0;
  bool kfold_all = false;
  bool show_errors = false;
  bool confusion = true;
  TrainOptions train_options;
  double review_below = -1, urgent_at = -1;
  double floor_category = 0, floor_intent = 0, floor_urgent_recall = 0, max_false_urgent = 1;
};

bool is_report(const Example& e) {
  return !lianxin::domain::intent_from_label(e.label).has_value();
}
Intent gold_intent(const Example& e) {
  return lianxin::domain::intent_from_label(e.label).value_or(Intent::report);
}
// The intents: report, acknowledgement, greeting, feedback (good or bad is its
// polarity, scored apart).
int intent_class(Intent i) {
  return i == Intent::feedback_bad ? static_cast<int>(Intent::feedback_good) : static_cast<int>(i);
}

struct Scores {
  int texts = 0, intent_ok = 0, reports = 0, category_ok = 0, reviewed = 0, reviewed_ok = 0;
  int feedback = 0, polarity_ok = 0, reports_lost = 0, non_reports_filed = 0;
  int urgent = 0, urgent_found = 0, calm = 0, calm_flagged = 0;
  std::map<std::string, std::map<std::string, int>> confusion;  // gold → predicted
  std::vector<std::string> errors;

  double intent_accuracy() const { return texts ? double(intent_ok) / texts : 0; }
  double category_accuracy() const { return reports ? double(category_ok) / reports : 0; }
  double urgent_recall() const { return urgent ? double(urgent_found) / urgent : 1; }
  double false_urgent() const { return calm ? double(calm_flagged) / calm : 0; }
  void add(const Scores& o) {
    texts += o.texts, intent_ok += o.intent_ok, reports += o.reports;
    feedback += o.feedback, polarity_ok += o.polarity_ok;
    reports_lost += o.reports_lost, non_reports_filed += o.non_reports_filed;
    category_ok += o.category_ok, reviewed += o.reviewed, reviewed_ok += o.reviewed_ok;
    urgent += o.urgent, urgent_found += o.urgent_found, calm += o.calm;
    calm_flagged += o.calm_flagged;
    for (const auto& [g, row] : o.confusion)
      for (const auto& [p, n] : row) confusion[g][p] += n;
    errors.insert(errors.end(), o.errors.begin(), o.errors.end());
  }
};

Settings settings_with(std::shared_ptr<const lianxin::domain::TextModel> model,
                       const Options& options) {
  Settings settings = lianxin::domain::default_settings();
  settings.language.model = std::move(model);
  if (options.review_below >= 0) settings.language.review_below = options.review_below;
  if (options.urgent_at >= 0) settings.language.urgent_at = options.urgent_at;
  return settings;
}

Scores evaluate(const Settings& settings, const std::vector<Example>& examples, bool keep_errors) {
  Scores s;
  for (const Example& e : examples) {
    Reading r = lianxin::domain::read_text(settings, e.text);
    ++s.texts;
    const Intent gold = gold_intent(e);
    const bool intent_ok = intent_class(r.intent) == intent_class(gold);
    s.reports_lost += gold == Intent::report && r.intent != Intent::report;
    s.non_reports_filed += gold != Intent::report && r.intent == Intent::report;
    s.intent_ok += intent_ok;
    if (intent_class(gold) == intent_class(Intent::feedback_good) && intent_ok) {
      ++s.feedback;
      s.polarity_ok += r.intent == gold;
    }
    std::string predicted =
        r.intent == Intent::report ? r.category : std::string(label_of(r.intent));
    s.confusion[e.label][predicted]++;
    bool ok = intent_ok;
    if (is_report(e)) {
      ++s.reports;
      const bool category_ok = r.intent == Intent::report && r.category == e.label;
      s.category_ok += category_ok;
      ok = category_ok;
      if (r.needs_review) {
        ++s.reviewed;
        s.reviewed_ok += category_ok;
      }
      if (e.urgent) {
        ++s.urgent;
        s.urgent_found += r.urgent;
        ok = ok && r.urgent;
      } else {
        ++s.calm;
        s.calm_flagged += r.urgent;
        ok = ok && !r.urgent;
      }
    }
    if (!ok && keep_errors) {
      s.errors.push_back(e.source + "  gold " + e.label + (e.urgent ? "+urgent" : "") + "  read " +
                         r.explanation + "\n    " + e.text);
    }
  }
  return s;
}

std::string pct(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", v * 100);
  return buf;
}

void print_scores(const Scores& s, const std::string& title, bool confusion) {
  std::printf("%s\n", title.c_str());
  std::printf(
      "  intent accuracy     %s  (%d/%d texts; report, acknowledgement, greeting, "
      "feedback)\n",
      pct(s.intent_accuracy()).c_str(), s.intent_ok, s.texts);
  std::printf("  reports read as not a report %d (no ticket); not a report read as one %d\n",
              s.reports_lost, s.non_reports_filed);
  std::printf("  feedback polarity   %s  (%d/%d feedback texts read as feedback: good or bad)\n",
              pct(s.feedback ? double(s.polarity_ok) / s.feedback : 1).c_str(), s.polarity_ok,
              s.feedback);
  std::printf(
      "  category accuracy   %s  (%d/%d reports; a report read as a non-report counts "
      "wrong)\n",
      pct(s.category_accuracy()).c_str(), s.category_ok, s.reports);
  std::printf("  sent to 过滤核实     %s of reports (%d; %d of them guessed right)\n",
              pct(s.reports ? double(s.reviewed) / s.reports : 0).c_str(), s.reviewed,
              s.reviewed_ok);
  const int filed = s.reports - s.reviewed;
  std::printf("  filed without review %s right  (%d/%d reports dispatched on the model's guess)\n",
              pct(filed ? double(s.category_ok - s.reviewed_ok) / filed : 0).c_str(),
              s.category_ok - s.reviewed_ok, filed);
  std::printf("  urgent recall       %s  (%d/%d urgent reports marked urgent)\n",
              pct(s.urgent_recall()).c_str(), s.urgent_found, s.urgent);
  std::printf("  false urgent        %s  (%d/%d calm reports marked urgent)\n",
              pct(s.false_urgent()).c_str(), s.calm_flagged, s.calm);
  if (!confusion) return;
  std::vector<std::string> labels;
  for (const auto& [gold, row] : s.confusion) {
    if (std::find(labels.begin(), labels.end(), gold) == labels.end()) labels.push_back(gold);
    for (const auto& [p, n] : row)
      if (std::find(labels.begin(), labels.end(), p) == labels.end()) labels.push_back(p);
  }
  std::sort(labels.begin(), labels.end());
  std::printf("  per label            precision  recall   n\n");
  for (const std::string& l : labels) {
    int tp = 0, gold_n = 0, pred_n = 0;
    for (const auto& [g, row] : s.confusion)
      for (const auto& [p, n] : row) {
        if (g == l) gold_n += n;
        if (p == l) pred_n += n;
        if (g == l && p == l) tp += n;
      }
    std::printf("    %-18s %8s %8s %4d\n", l.c_str(),
                pred_n ? pct(double(tp) / pred_n).c_str() : "-",
                gold_n ? pct(double(tp) / gold_n).c_str() : "-", gold_n);
  }
  std::printf("  confusion (rows: gold, columns: read as; in label order above)\n      ");
  for (std::size_t i = 0; i < labels.size(); ++i) std::printf("%4zu", i + 1);
  std::printf("\n");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    std::printf("  %2zu %-16s", i + 1, labels[i].substr(0, 16).c_str());
    for (const std::string& p : labels) {
      auto row = s.confusion.find(labels[i]);
      int n = 0;
      if (row != s.confusion.end()) {
        auto cell = row->second.find(p);
        if (cell != row->second.end()) n = cell->second;
      }
      if (n)
        std::printf("%4d", n);
      else
        std::printf("   .");
    }
    std::printf("\n");
  }
}

long rss_kib();

// The resident memory a loaded model adds, measured in a child process (this one has trained
// models and kept their memory).
double loaded_model_mb(const std::filesystem::path& file) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    const long before = rss_kib();
    auto model = FastTextModel::load(file);
    const long after = rss_kib() - before;
    if (write(fds[1], &after, sizeof after) != sizeof after) _exit(1);
    _exit(model ? 0 : 1);
  }
  close(fds[1]);
  long kib = -1;
  if (read(fds[0], &kib, sizeof kib) != sizeof kib) kib = -1;
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return kib < 0 ? -1 : kib / 1024.0;
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::atol(line.c_str() + 6);
  }
  return 0;
}

std::vector<Example> load(const std::vector<std::filesystem::path>& paths) {
  lianxin::language::Corpus corpus = lianxin::language::read_corpus(paths);
  for (const std::string& e : corpus.errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!corpus.errors.empty()) std::exit(2);
  return corpus.examples;
}

Scores kfold(const std::vector<Example>& all, const Options& options) {
  std::vector<Example> shuffled = all;
  std::mt19937 rng(12345);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  Scores total;
  for (int fold = 0; fold < options.kfold; ++fold) {
    std::vector<Example> train, test;
    for (std::size_t i = 0; i < shuffled.size(); ++i) {
      (static_cast<int>(i % options.kfold) == fold ? test : train).push_back(shuffled[i]);
    }
    TrainOptions fast = options.train_options;
    fast.quantize = false;  // quantising changes little and takes most of the time
    auto model = FastTextModel::train(train, fast);
    total.add(evaluate(settings_with(model, options), test, options.show_errors));
  }
  return total;
}

int usage() {
  std::fprintf(
      stderr,
      "usage: language_eval [--model FILE | --train PATH...] [--heldout PATH]... [--kfold K "
      "[--kfold-on train|all] [--show-errors]] [--no-confusion]\n"
      "       [--epoch N] [--lr X] [--dim N] [--ngrams N] [--bucket N] [--cutoff N] "
      "[--urgency-epoch N] [--no-quantize]\n"
      "       [--review-below P] [--urgent-at P] [--floor-category P] "
      "[--floor-intent P] [--floor-urgent-recall P] [--max-false-urgent P]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  bool train_given = false, heldout_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(usage());
      }
      return argv[++i];
    };
    if (a == "--train") {
      if (!train_given) o.train.clear();
      train_given = true;
      o.train.emplace_back(next());
    } else if (a == "--heldout") {
      if (!heldout_given) o.heldout.clear();
      heldout_given = true;
      o.heldout.emplace_back(next());
    } else if (a == "--model") {
      o.model = next();
    } else if (a == "--kfold") {
      o.kfold = std::stoi(next());
    } else if (a == "--kfold-on") {
      o.kfold_all = next() == "all";
    } else if (a == "--show-errors") {
      o.show_errors = true;
    } else if (a == "--no-confusion") {
      o.confusion = false;
    } else if (a == "--epoch") {
      o.train_options.epoch = std::stoi(next());
    } else if (a == "--urgency-epoch") {
      o.train_options.urgency_epoch = std::stoi(next());
    } else if (a == "--lr") {
      o.train_options.lr = std::stod(next());
    } else if (a == "--dim") {
      o.train_options.dim = std::stoi(next());
    } else if (a == "--ngrams") {
      o.train_options.word_ngrams = std::stoi(next());
    } else if (a == "--bucket") {
      o.train_options.bucket = std::stoi(next());
    } else if (a == "--cutoff") {
      o.train_options.cutoff = std::stoul(next());
    } else if (a == "--augment") {
      o.train_options.augment = std::stoi(next());
    } else if (a == "--pretrain") {
      o.train_options.pretrain_epoch = std::stoi(next());
    } else if (a == "--dsub") {
      o.train_options.dsub = std::stoul(next());
    } else if (a == "--no-quantize") {
      o.train_options.quantize = false;
    } else if (a == "--review-below") {
      o.review_below = std::stod(next());
    } else if (a == "--urgent-at") {
      o.urgent_at = std::stod(next());
    } else if (a == "--floor-category") {
      o.floor_category = std::stod(next());
    } else if (a == "--floor-intent") {
      o.floor_intent = std::stod(next());
    } else if (a == "--floor-urgent-recall") {
      o.floor_urgent_recall = std::stod(next());
    } else if (a == "--max-false-urgent") {
      o.max_false_urgent = std::stod(next());
    } else {
      return usage();
    }
  }
  const std::vector<Example> train = load(o.train);
  const std::vector<Example> heldout = load(o.heldout);
  std::printf("corpus: %zu training texts, %zu held-out texts\n", train.size(), heldout.size());

  if (o.kfold > 1) {
    std::vector<Example> pool = train;
    if (o.kfold_all) pool.insert(pool.end(), heldout.begin(), heldout.end());
    Scores cv = kfold(pool, o);
    print_scores(cv,
                 std::to_string(o.kfold) + "-fold cross-validation over " +
                     (o.kfold_all ? "the whole corpus" : "the training split") + " (" +
                     std::to_string(pool.size()) + " texts)",
                 o.confusion);
    for (const std::string& e : cv.errors) std::printf("  ✗ %s\n", e.c_str());
  }

  double train_seconds = -1;
  std::filesystem::path file;
  if (o.model) {
    file = *o.model;
  } else {
    auto started = std::chrono::steady_clock::now();
    auto trained = FastTextModel::train(train, o.train_options);
    train_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    file = std::filesystem::temp_directory_path() /
           ("language_eval_" + std::to_string(getpid()) + ".ftz");
    trained->save(file);
  }
  const auto model_bytes = std::filesystem::file_size(file);
  const double loaded_mb = loaded_model_mb(file);
  auto model = FastTextModel::load(file);  // as lianxind loads it
  if (!o.model) std::filesystem::remove(file);

  const Settings settings = settings_with(model, o);
  Scores held = evaluate(settings, heldout, false);
  print_scores(held, "held-out split (never trained or tuned on)", o.confusion);

  // Time per text: the whole reader (normalisation, both models, keywords, danger lexicon).
  std::vector<double> per_text_us;
  for (int round = 0; round < 7; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    std::size_t sink = 0;
    for (const Example& e : heldout)
      sink += lianxin::domain::read_text(settings, e.text).category.size();
    auto t1 = std::chrono::steady_clock::now();
    per_text_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() /
                          static_cast<double>(std::max<std::size_t>(heldout.size(), 1)));
    if (sink == 0) std::printf(" ");
  }
  std::sort(per_text_us.begin(), per_text_us.end());
  std::printf("speed and size\n");
  std::printf("  time per text       %.1f µs median of 7 rounds (min %.1f, max %.1f)\n",
              per_text_us[per_text_us.size() / 2], per_text_us.front(), per_text_us.back());
  std::printf("  model file          %.2f MB\n", static_cast<double>(model_bytes) / 1e6);
  std::printf("  memory when loaded  %.1f MB resident (measured in a fresh process)\n", loaded_mb);
  if (train_seconds >= 0) {
    std::printf("  training            %.1f s (one thread)\n", train_seconds);
  } else {
    std::printf("  model               %s (trained by the build from the training split)\n",
                file.c_str());
  }

  int failed = 0;
  auto floor = [&failed](const char* what, double value, double limit, bool at_most) {
    if (at_most ? value > limit : value < limit) {
      std::printf("FAIL: %s %s is %s the committed %s\n", what, pct(value).c_str(),
                  at_most ? "above" : "below", pct(limit).c_str());
      ++failed;
    }
  };
  floor("held-out category accuracy", held.category_accuracy(), o.floor_category, false);
  floor("held-out intent accuracy", held.intent_accuracy(), o.floor_intent, false);
  floor("held-out urgent recall", held.urgent_recall(), o.floor_urgent_recall, false);
  floor("held-out false urgent rate", held.false_urgent(), o.max_false_urgent, true);
  return failed ? 1 : 0;
}
