// Training a model file from the corpus (and an operator's corrections): what `lianxinctl train`
// and the build's lianxin-train run. Deterministic: the same examples give the same file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/language/corpus.hpp"
#include "daemon/language/fasttext_model.hpp"

namespace lianxin::language {

struct TrainSummary {
  std::size_t examples = 0;     // from the corpus files
  std::size_t corrections = 0;  // from the database
  std::map<std::string, std::size_t> per_label;
  std::uintmax_t bytes = 0;  // of the model file
  double seconds = 0;
};

// Corrections as examples: the corrected category is the label.
std::vector<Example> examples_from(const std::vector<domain::Correction>& corrections);

// Reads the corpus (files or directories of *.tsv), adds `extra`, trains and writes `out`.
// Throws ModelError (with every corpus error, file:line) when it cannot.
TrainSummary train_model_file(const std::vector<std::filesystem::path>& corpus,
                              const std::vector<Example>& extra, const std::filesystem::path& out,
                              const TrainOptions& options = {});

}  // namespace lianxin::language
