// Loading the configured model for lianxind, `lianxind --check-config` and `lianxinctl explain`,
// with the warnings an operator needs: configured categories the model has never heard of.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "daemon/domain/settings.hpp"
#include "daemon/language/fasttext_model.hpp"

namespace lianxin::language {

struct LoadedModel {
  std::shared_ptr<const FastTextModel> model;
  // "category livestock is not in the language model and has no keywords: …"
  std::vector<std::string> warnings;
};

// Throws ModelError naming the file (missing, unreadable, corrupt).
LoadedModel load_model(const std::filesystem::path& path, const domain::Settings& settings);

}  // namespace lianxin::language
