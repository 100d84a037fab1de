// lianxin-train: the build's trainer of the shipped model (operators use `lianxinctl train`).
//   lianxin-train --out FILE CORPUS...
#include <cstdio>
#include <string>
#include <vector>

#include "daemon/language/train.hpp"

int main(int argc, char** argv) {
  std::filesystem::path out;
  std::vector<std::filesystem::path> corpus;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else {
      corpus.emplace_back(arg);
    }
  }
  if (out.empty() || corpus.empty()) {
    std::fprintf(stderr, "usage: lianxin-train --out FILE CORPUS...\n");
    return 2;
  }
  try {
    const auto summary = lianxin::language::train_model_file(corpus, {}, out);
    std::printf("lianxin-train: %zu examples, %zu labels → %s (%.2f MB, %.1f s)\n",
                summary.examples, summary.per_label.size(), out.c_str(),
                static_cast<double>(summary.bytes) / 1e6, summary.seconds);
    return 0;
  } catch (const lianxin::language::ModelError& e) {
    std::fprintf(stderr, "lianxin-train: %s\n", e.what());
    return 1;
  }
}
