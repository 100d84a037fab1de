#include "daemon/language/train.hpp"

#include <chrono>

namespace lianxin::language {

std::vector<Example> examples_from(const std::vector<domain::Correction>& corrections) {
  std::vector<Example> out;
  out.reserve(corrections.size());
  for (const domain::Correction& c : corrections) {
    out.push_back({c.to_category, c.urgent, c.text,
                   "correction of ticket " + std::to_string(c.ticket) + " by " + c.actor});
  }
  return out;
}

TrainSummary train_model_file(const std::vector<std::filesystem::path>& corpus,
                              const std::vector<Example>& extra, const std::filesystem::path& out,
                              const TrainOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Corpus read = read_corpus(corpus);
  if (!read.errors.empty()) {
    std::string message = "the corpus has " + std::to_string(read.errors.size()) + " error(s):";
    for (const std::string& e : read.errors) message += "\n  " + e;
    throw ModelError(message);
  }
  TrainSummary summary;
  summary.examples = read.examples.size();
  summary.corrections = extra.size();
  read.examples.insert(read.examples.end(), extra.begin(), extra.end());
  for (const Example& e : read.examples) ++summary.per_label[e.label];
  FastTextModel::train(read.examples, options)->save(out);
  summary.bytes = std::filesystem::file_size(out);
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace lianxin::language
