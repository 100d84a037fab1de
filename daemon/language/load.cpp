#include "daemon/language/load.hpp"

#include <algorithm>

namespace lianxin::language {

LoadedModel load_model(const std::filesystem::path& path, const domain::Settings& settings) {
  LoadedModel loaded;
  loaded.model = FastTextModel::load(path);
  const std::vector<std::string> labels = loaded.model->labels();
  for (const domain::Category& category : settings.categories) {
    if (std::find(labels.begin(), labels.end(), category.id) != labels.end()) continue;
    if (category.id == settings.fallback_category) continue;
    loaded.warnings.push_back(
        "category " + category.id + " (" + category.name + ") is not in the language model " +
        path.string() +
        (category.keywords.empty()
             ? " and has no keywords: no report will be filed under it (give it keywords, or "
               "add examples to the corpus and run lianxinctl train)"
             : ": only its configured keywords put reports under it"));
  }
  return loaded;
}

}  // namespace lianxin::language
