// The production TextModel: two fastText classifiers (Facebook's library, Debian
// libfasttext-dev) in one file. This header keeps fastText's headers out of everything else.
//
// The file is what `lianxinctl train` writes: the category/intent model (softmax over the
// labels of the corpus), then the urgency model (urgent / calm), each a quantised fastText model
// (.ftz), then a trailer with both lengths and a 64-bit checksum. fastText itself reads a
// truncated file without noticing (and can loop forever on one), so nothing reaches it before
// the trailer and the checksum have been checked. The first part alone is a plain .ftz: the
// `fasttext` command-line tool can `test` or `predict` with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/language.hpp"
#include "daemon/language/corpus.hpp"

namespace fasttext {
class FastText;
}

namespace lianxin::language {

// A model file that cannot be used; what() names the file and says why.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Hyper-parameters, chosen by k-fold cross-validation on the training split
// (scripts/eval-language --kfold), never on the held-out split.
struct TrainOptions {
  int epoch = 25;
  double lr = 0.5;
  int dim = 48;
  int word_ngrams = 2;   // character bigrams: no word segmentation needed
  int bucket = 1000000;  // bigram hash buckets: at 100,000 "路灯" shared a bucket with road words
  int min_count = 1;
  int seed = 20261207;  // with one thread, the same corpus gives the same model on any machine
  bool quantize = true;
  std::size_t cutoff = 20000;  // rows of the input matrix kept when quantising
  std::size_t dsub = 4;        // dimensions per product-quantiser code
  int urgency_epoch = 40;
  int augment = 2;          // noisy copies of each example (a character dropped or doubled)
  int pretrain_epoch = 10;  // character vectors learnt from the corpus texts first (skip-gram)
};

class FastTextModel final : public domain::TextModel {
 public:
  ~FastTextModel() override;
  FastTextModel(const FastTextModel&) = delete;
  FastTextModel& operator=(const FastTextModel&) = delete;

  // Throws ModelError (missing, unreadable, truncated, corrupt or not a lianxin model).
  static std::shared_ptr<const FastTextModel> load(const std::filesystem::path& path);
  // Trains both models from the examples (deterministic: one thread, fixed seed).
  static std::shared_ptr<const FastTextModel> train(const std::vector<Example>& examples,
                                                    const TrainOptions& options);

  // Writes the model file (to a temporary name, then renamed: a reader never sees half a file).
  void save(const std::filesystem::path& path) const;

  domain::ModelScores score(std::string_view text) const override;
  std::vector<std::string> labels() const;  // the category/intent labels, model order

 private:
  FastTextModel();
  std::unique_ptr<fasttext::FastText> labels_;
  std::unique_ptr<fasttext::FastText> urgency_;
  std::string labels_bytes_, urgency_bytes_;  // the .ftz images, for save()
};

}  // namespace lianxin::language
