// The training corpus: UTF-8 TSV files, one example a line: `label<TAB>urgent<TAB>text`.
// `label` is a category id or an intent label (ack, greeting, feedback_good, feedback_bad);
// `urgent` is 1 when the text describes a danger now, else 0. Lines starting with `#` and empty
// lines are skipped. A bad line is reported as `file:line: what is wrong`, never skipped silently.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::language {

struct Example {
  std::string label;
  bool urgent = false;
  std::string text;
  std::string source;  // file:line, for error messages and the evaluation's listings
};

struct Corpus {
  std::vector<Example> examples;
  std::vector<std::string> errors;  // "file:line: problem"
};

// Parses one file's content; `source` names it in errors.
void parse_corpus(std::string_view content, std::string_view source, Corpus& into);

// Reads files, or every *.tsv in a directory (sorted by name, so the order and hence a trained
// model are the same on every machine).
Corpus read_corpus(const std::vector<std::filesystem::path>& paths);

// One line of the corpus format for `example` (tabs and line breaks in the text become spaces).
std::string corpus_line(std::string_view label, bool urgent, std::string_view text);

}  // namespace lianxin::language
