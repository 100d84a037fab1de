#include "daemon/language/corpus.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace lianxin::language {
namespace {

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 64) return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

void parse_corpus(std::string_view content, std::string_view source, Corpus& into) {
  std::size_t line_no = 0;
  while (!content.empty()) {
    ++line_no;
    std::size_t end = content.find('\n');
    std::string_view line = content.substr(0, end);
    content.remove_prefix(end == std::string_view::npos ? content.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // BOM
    if (line.empty() || line.front() == '#') continue;
    const std::string where = std::string(source) + ":" + std::to_string(line_no);
    std::size_t tab1 = line.find('\t');
    std::size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos) {
      into.errors.push_back(where + ": expected label<TAB>urgent<TAB>text");
      continue;
    }
    std::string_view label = line.substr(0, tab1);
    std::string_view urgent = line.substr(tab1 + 1, tab2 - tab1 - 1);
    std::string_view text = line.substr(tab2 + 1);
    if (!valid_label(label)) {
      into.errors.push_back(where + ": label '" + std::string(label) +
                            "' must be lower-case letters, digits, _ or -");
    } else if (urgent != "0" && urgent != "1") {
      into.errors.push_back(where + ": urgent must be 0 or 1, not '" + std::string(urgent) + "'");
    } else if (text.find_first_not_of(" \t") == std::string_view::npos) {
      into.errors.push_back(where + ": the text is empty");
    } else {
      into.examples.push_back({std::string(label), urgent == "1", std::string(text), where});
    }
  }
}

Corpus read_corpus(const std::vector<std::filesystem::path>& paths) {
  Corpus corpus;
  std::vector<std::filesystem::path> files;
  for (const std::filesystem::path& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
        if (entry.path().extension() == ".tsv") found.push_back(entry.path());
      }
      if (ec) corpus.errors.push_back(path.string() + ": " + ec.message());
      std::sort(found.begin(), found.end());
      if (found.empty() && !ec) corpus.errors.push_back(path.string() + ": no *.tsv files");
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(path);
    }
  }
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      corpus.errors.push_back(file.string() + ": cannot read");
      continue;
    }
    std::ostringstream content;
    content << in.rdbuf();
    parse_corpus(content.str(), file.string(), corpus);
  }
  return corpus;
}

std::string corpus_line(std::string_view label, bool urgent, std::string_view text) {
  std::string clean(text);
  std::replace_if(
      clean.begin(), clean.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return std::string(label) + "\t" + (urgent ? "1" : "0") + "\t" + clean;
}

}  // namespace lianxin::language
