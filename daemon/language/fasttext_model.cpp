#include "daemon/language/fasttext_model.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <fasttext/args.h>
#include <fasttext/fasttext.h>

namespace lianxin::language {
namespace {

// fastText's softmax is sure of itself on vague texts ("村口那个东西": 100% sanitation). Its
// probabilities are softened by a temperature (p^(1/T), renormalised), chosen by cross-validation
// on the training split: at T = 2 the reports under 60% (过滤核实, ~7%) hold most of the
// mistakes, and those filed without review are right 95% of the time (T = 1: 93.5%).
constexpr double kTemperature = 2.0;
constexpr std::string_view kUrgent = "urgent";
constexpr std::string_view kCalm = "calm";
constexpr std::string_view kLabelPrefix = "__label__";

// The trailer after the two .ftz images: magic, the two lengths, a checksum of both images.
constexpr std::array<char, 8> kMagic{'L', 'X', 'L', 'A', 'N', 'G', '0', '1'};
constexpr std::size_t kTrailerSize = kMagic.size() + 3 * 8;
// Corruption check (FNV-1a 64), not a signature: whoever can write the file can run the daemon.
std::uint64_t fnv1a(std::string_view a, std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::string_view part : {a, b}) {
    for (unsigned char c : part) h = (h ^ c) * 0x100000001b3ULL;
  }
  return h;
}

void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
std::uint64_t get_u64(std::string_view in) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// fastText's own file header: magic number and format version (0.9.2 writes 12). Its
// loadModel(istream&) expects them already read, as its loadModel(filename) does.
constexpr std::array<unsigned char, 8> kFastTextHeader{0xBA, 0x16, 0x4F, 0x2F, 12, 0, 0, 0};

std::unique_ptr<fasttext::FastText> load_image(const std::string& image) {
  if (image.size() <= kFastTextHeader.size() ||
      std::memcmp(image.data(), kFastTextHeader.data(), kFastTextHeader.size()) != 0) {
    throw std::invalid_argument("a part is not a fastText 0.9 model");
  }
  auto model = std::make_unique<fasttext::FastText>();
  std::istringstream in(image.substr(kFastTextHeader.size()));
  model->loadModel(in);
  if (!in) throw std::invalid_argument("a model image is shorter than it says");
  return model;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A scratch directory for fastText, which trains from a file and saves to a file.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "lianxin-train-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw ModelError("cannot create a temporary directory: " + std::string(strerror(errno)));
    }
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string train_one(const ScratchDir& dir, std::string_view name,
                      const std::vector<std::pair<std::string, std::string>>& lines,
                      const TrainOptions& options, int epoch, const std::string& vectors) {
  const std::string input = dir.file(std::string(name) + ".txt");
  {
    std::ofstream out(input, std::ios::binary);
    for (const auto& [label, tokens] : lines) {
      out << kLabelPrefix << label << ' ' << tokens << '\n';
    }
    if (!out) throw ModelError("cannot write " + input);
  }
  fasttext::Args args;
  args.input = input;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.epoch = epoch;
  args.lr = options.lr;
  args.dim = options.dim;
  args.wordNgrams = options.word_ngrams;
  args.bucket = options.bucket;
  args.minCount = options.min_count;
  args.minn = 0;  // tokens are single characters: no subwords
  args.maxn = 0;
  args.thread = 1;
  args.seed = options.seed;
  args.verbose = 0;
  args.pretrainedVectors = vectors;
  fasttext::FastText model;
  model.train(args);
  if (options.quantize) {
    fasttext::Args q = args;
    q.qnorm = true;
    q.retrain = false;
    q.cutoff = options.cutoff;
    q.dsub = options.dsub;
    q.qout = false;
    model.quantize(q);
  }
  const std::string output = dir.file(std::string(name) + ".ftz");
  model.saveModel(output);
  return read_file(output);
}

// Noisy copies of each example (a character dropped or doubled): villagers' typos, and a
// smoother model from a small corpus.
void augment(std::vector<std::pair<std::string, std::string>>& lines, const TrainOptions& options) {
  std::minstd_rand rng(static_cast<unsigned>(options.seed));
  const std::size_t n = lines.size();
  for (std::size_t i = 0; i < n && options.augment > 0; ++i) {
    std::vector<std::string> tokens;
    std::istringstream split(lines[i].second);
    for (std::string t; split >> t;) tokens.push_back(t);
    if (tokens.size() < 4) continue;
    for (int k = 0; k < options.augment; ++k) {
      std::vector<std::string> copy = tokens;
      const std::size_t at = rng() % copy.size();
      if (rng() % 2) {
        copy.erase(copy.begin() + static_cast<std::ptrdiff_t>(at));
      } else {
        copy.insert(copy.begin() + static_cast<std::ptrdiff_t>(at), copy[at]);
      }
      std::string joined;
      for (const std::string& t : copy) joined += (joined.empty() ? "" : " ") + t;
      lines.emplace_back(lines[i].first, std::move(joined));
    }
  }
}

}  // namespace

FastTextModel::FastTextModel() = default;
FastTextModel::~FastTextModel() = default;

std::shared_ptr<const FastTextModel> FastTextModel::load(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ModelError("cannot read the language model " + name + ": " + std::strerror(errno));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  const auto corrupt = [&name](const std::string& why) {
    return ModelError("the language model " + name + " is not usable: " + why +
                      " (train it again with `lianxinctl train`)");
  };
  if (bytes.size() < kTrailerSize ||
      std::memcmp(bytes.data() + bytes.size() - kTrailerSize, kMagic.data(), kMagic.size()) != 0) {
    throw corrupt("not a lianxin model file, or truncated");
  }
  const std::string_view trailer = std::string_view(bytes).substr(bytes.size() - kTrailerSize);
  const std::uint64_t first = get_u64(trailer.substr(8));
  const std::uint64_t second = get_u64(trailer.substr(16));
  const std::uint64_t checksum = get_u64(trailer.substr(24));
  if (first == 0 || second == 0 || first > bytes.size() || second > bytes.size() ||
      first + second + kTrailerSize != bytes.size()) {
    throw corrupt("its parts do not add up to its size");
  }
  auto model = std::shared_ptr<FastTextModel>(new FastTextModel());
  model->labels_bytes_ = bytes.substr(0, first);
  model->urgency_bytes_ = bytes.substr(first, second);
  if (fnv1a(model->labels_bytes_, model->urgency_bytes_) != checksum) {
    throw corrupt("checksum mismatch");
  }
  try {
    model->labels_ = load_image(model->labels_bytes_);
    model->urgency_ = load_image(model->urgency_bytes_);
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  if (model->urgency_->getDictionary()->nlabels() != 2 ||
      model->urgency_->getLabelId(std::string(kLabelPrefix) + std::string(kUrgent)) < 0) {
    throw corrupt("its urgency part does not know the labels urgent/calm");
  }
  return model;
}

std::shared_ptr<const FastTextModel> FastTextModel::train(const std::vector<Example>& examples,
                                                          const TrainOptions& options) {
  if (examples.empty()) throw ModelError("no examples to train on");
  std::vector<std::pair<std::string, std::string>> labels, urgency;
  labels.reserve(examples.size());
  for (const Example& e : examples) {
    std::string tokens = domain::model_tokens(e.text);
    if (tokens.empty()) continue;
    labels.emplace_back(e.label, tokens);
    // Urgency is learnt from reports only: an intent label is never urgent.
    if (!domain::intent_from_label(e.label)) {
      urgency.emplace_back(std::string(e.urgent ? kUrgent : kCalm), std::move(tokens));
    }
  }
  if (std::none_of(urgency.begin(), urgency.end(),
                   [](const auto& l) { return l.first == kUrgent; }) ||
      std::none_of(urgency.begin(), urgency.end(),
                   [](const auto& l) { return l.first == kCalm; })) {
    throw ModelError("the corpus needs urgent and calm reports to learn urgency");
  }
  ScratchDir dir;
  std::string vectors;
  if (options.pretrain_epoch > 0) {
    const std::string input = dir.file("texts.txt");
    {
      std::ofstream out(input, std::ios::binary);
      for (const auto& [label, tokens] : labels) out << tokens << '\n';
    }
    fasttext::Args args;
    args.input = input;
    args.model = fasttext::model_name::sg;
    args.loss = fasttext::loss_name::ns;
    args.dim = options.dim;
    args.epoch = options.pretrain_epoch;
    args.minCount = 1;
    args.minn = 0;
    args.maxn = 0;
    args.ws = 3;
    args.thread = 1;
    args.seed = options.seed;
    args.verbose = 0;
    args.bucket = 0;
    fasttext::FastText sg;
    sg.train(args);
    vectors = dir.file("texts.vec");
    sg.saveVectors(vectors);
  }
  augment(labels, options);
  augment(urgency, options);
  // fastText reads its input in order and its learning rate falls to zero on the way: a corpus
  // grouped by file (by topic) would let the last files outweigh the first. Shuffled, with the
  // fixed seed, so the same corpus still gives the same model.
  std::minstd_rand rng(static_cast<unsigned>(options.seed) + 1);
  std::shuffle(labels.begin(), labels.end(), rng);
  std::shuffle(urgency.begin(), urgency.end(), rng);
  auto model = std::shared_ptr<FastTextModel>(new FastTextModel());
  model->labels_bytes_ = train_one(dir, "labels", labels, options, options.epoch, vectors);
  model->urgency_bytes_ =
      train_one(dir, "urgency", urgency, options, options.urgency_epoch, vectors);
  model->labels_ = load_image(model->labels_bytes_);
  model->urgency_ = load_image(model->urgency_bytes_);
  return model;
}

void FastTextModel::save(const std::filesystem::path& path) const {
  std::string trailer(kMagic.begin(), kMagic.end());
  put_u64(trailer, labels_bytes_.size());
  put_u64(trailer, urgency_bytes_.size());
  put_u64(trailer, fnv1a(labels_bytes_, urgency_bytes_));
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << labels_bytes_ << urgency_bytes_ << trailer;
    out.flush();
    if (!out) throw ModelError("cannot write " + temporary.string() + ": " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw ModelError("cannot write " + path.string() + ": " + ec.message());
}

namespace {

std::vector<std::pair<fasttext::real, std::string>> predict(const fasttext::FastText& model,
                                                            const std::string& tokens) {
  std::vector<std::pair<fasttext::real, std::string>> out;
  std::istringstream in(tokens + "\n");
  model.predictLine(in, out, model.getDictionary()->nlabels(), 0.0);
  return out;
}

}  // namespace

domain::ModelScores FastTextModel::score(std::string_view text) const {
  domain::ModelScores scores;
  const std::string tokens = domain::model_tokens(text);
  if (tokens.empty()) return scores;  // fastText would answer from its end-of-line token alone
  double sum = 0;
  for (auto& [p, label] : predict(*labels_, tokens)) {
    std::string_view name(label);
    if (name.starts_with(kLabelPrefix)) name.remove_prefix(kLabelPrefix.size());
    const double q = std::pow(std::max<double>(p, 1e-12), 1.0 / kTemperature);
    sum += q;
    scores.labels.push_back({std::string(name), q});
  }
  for (auto& l : scores.labels) l.probability /= sum;
  for (auto& [p, label] : predict(*urgency_, tokens)) {
    if (std::string_view(label).ends_with(kUrgent)) scores.urgency = p;
  }
  return scores;
}

std::vector<std::string> FastTextModel::labels() const {
  std::vector<std::string> out;
  auto dictionary = labels_->getDictionary();
  for (int32_t i = 0; i < dictionary->nlabels(); ++i) {
    std::string label = dictionary->getLabel(i);
    if (std::string_view(label).starts_with(kLabelPrefix)) label.erase(0, kLabelPrefix.size());
    out.push_back(std::move(label));
  }
  return out;
}

}  // namespace lianxin::language
