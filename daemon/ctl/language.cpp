#include "daemon/ctl/language.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/daemon_config.hpp"
#include "daemon/ctl/explain.hpp"
#include "daemon/domain/classify.hpp"
#include "daemon/domain/language.hpp"
#include "daemon/language/load.hpp"
#include "daemon/language/train.hpp"
#include "daemon/store/reports.hpp"

namespace lianxin::ctl {
namespace {

constexpr const char* kDefaultConfig = "/etc/lianxin/lianxind.yaml";

struct Parsed {
  std::optional<std::string> config, db, from, out;
  std::vector<std::string> corpus;
  bool json = false, with_corrections = false;
  std::vector<std::string> words;
};

// Options of the language commands; false (after a message) on bad usage.
bool parse(const Args& args, std::string_view command, Parsed& p, std::ostream& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    std::optional<std::string>* single = arg == "--config" ? &p.config
                                         : arg == "--db"   ? &p.db
                                         : arg == "--from" ? &p.from
                                         : arg == "--out"  ? &p.out
                                                           : nullptr;
    if (single != nullptr || arg == "--corpus") {
      if (i + 1 >= args.size()) {
        err << "lianxinctl " << command << ": " << arg << " needs a value\n";
        return false;
      }
      if (single != nullptr)
        *single = std::string(args[++i]);
      else
        p.corpus.emplace_back(args[++i]);
    } else if (arg == "--json") {
      p.json = true;
    } else if (arg == "--with-corrections") {
      p.with_corrections = true;
    } else if (arg.starts_with("--")) {
      err << "lianxinctl " << command << ": unknown option " << arg << "\n" << language_usage();
      return false;
    } else {
      p.words.emplace_back(arg);
    }
  }
  return true;
}

std::optional<config::DaemonConfig> load_config(const std::string& path, bool directory,
                                                std::ostream& err) {
  config::LoadOptions options;
  options.load_directory = directory;
  options.secrets = config::Secrets::skip;  // only lianxind needs the SMPP password
  config::LoadResult loaded = config::load_config(path, options);
  if (!loaded.config) {
    err << config::format_diagnostics(loaded.errors) << "lianxinctl: cannot load " << path << "\n";
    return std::nullopt;
  }
  return std::move(*loaded.config);
}

// The configuration with its language model attached; `warn`: say which categories the model
// does not know (what explain is for).
std::optional<config::DaemonConfig> load_with_model(const std::string& path, std::ostream& err,
                                                    bool warn) {
  std::optional<config::DaemonConfig> config = load_config(path, true, err);
  if (!config) return std::nullopt;
  try {
    language::LoadedModel loaded = language::load_model(config->language.model, config->settings);
    config->settings.language.model = std::move(loaded.model);
    if (warn) {
      for (const std::string& warning : loaded.warnings) err << "warning: " << warning << "\n";
    }
  } catch (const language::ModelError& e) {
    err << "lianxinctl: " << e.what() << "\n";
    return std::nullopt;
  }
  return config;
}

std::string percent(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", p * 100);
  return buf;
}

}  // namespace

std::string language_usage() {
  return "usage: lianxinctl explain [--config FILE] [--json] --from NUMBER TEXT...\n"
         "       lianxinctl triage [--config FILE] [--db PATH] [--json]\n"
         "       lianxinctl train [--config FILE] [--corpus PATH]... [--with-corrections "
         "[--db PATH]] [--out FILE]\n";
}

int explain_command(const Args& args, std::ostream& out, std::ostream& err) {
  Parsed p;
  if (!parse(args, "explain", p, err)) return 2;
  std::string text;
  for (const std::string& w : p.words) text += (text.empty() ? "" : " ") + w;
  if (!p.from || text.empty()) {
    err << "lianxinctl explain: give the sender with --from and the SMS text\n" << language_usage();
    return 2;
  }
  auto config = load_with_model(p.config.value_or(kDefaultConfig), err, true);
  if (!config) return 1;
  SmsExplanation e = explain_sms(config->settings, config->directory, *p.from, text);
  out << (p.json ? to_json(e) : to_text(e));
  return 0;
}

int triage_command(const Args& args, std::ostream& out, std::ostream& err) {
  Parsed p;
  if (!parse(args, "triage", p, err)) return 2;
  if (!p.words.empty()) {
    err << "lianxinctl triage: unexpected " << p.words.front() << "\n" << language_usage();
    return 2;
  }
  auto config = load_with_model(p.config.value_or(kDefaultConfig), err, false);
  if (!config) return 1;
  std::optional<store::ReportReader> reader;
  const std::string db = p.db.value_or(config->storage.path.string());
  try {
    reader.emplace(store::ReportReader::open(db));
  } catch (const store::StoreOpenError& e) {
    err << "lianxinctl: " << e.what() << "\n";
    return 1;
  }
  store::TicketQuery query;
  query.review_only = true;
  query.newest_first = false;
  for (domain::TicketState s : {domain::TicketState::new_, domain::TicketState::awaiting_location,
                                domain::TicketState::dispatched, domain::TicketState::accepted,
                                domain::TicketState::reopened}) {
    query.states.push_back(s);
  }
  auto tickets = reader->tickets(query);
  if (!tickets) {
    err << "lianxinctl: " << tickets.message << "\n";
    return 1;
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const domain::Ticket& t : tickets.value) {
    const domain::Reading reading = domain::read_text(config->settings, t.text);
    const domain::Grid* grid = t.grid ? config->directory.find_grid(*t.grid) : nullptr;
    if (p.json) {
      nlohmann::ordered_json guesses = nlohmann::ordered_json::array();
      for (const domain::LabelScore& c : reading.candidates) {
        guesses.push_back({{"category_id", c.label}, {"probability", c.probability}});
      }
      list.push_back({{"ticket", t.number},
                      {"state", std::string(domain::to_string(t.state))},
                      {"grid", t.grid ? nlohmann::ordered_json(*t.grid) : nullptr},
                      {"text", t.text},
                      {"category_id", t.category},
                      {"assignee", t.assignee ? nlohmann::ordered_json(*t.assignee) : nullptr},
                      {"candidates", guesses}});
      continue;
    }
    std::string guesses;
    for (const domain::LabelScore& c : reading.candidates) {
      guesses += (guesses.empty() ? "" : ", ") + c.label + " " + percent(c.probability);
    }
    out << "工单 " << t.number << "  " << (grid ? grid->village : "村未知") << "  "
        << domain::to_string(t.state) << (t.assignee ? " → " + *t.assignee : "") << "\n"
        << "  " << t.text << "\n"
        << "  可能是: " << guesses << "\n";
  }
  if (p.json) {
    out << list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (tickets.value.empty()) {
    out << "nothing waits for 过滤核实\n";
  } else {
    out << tickets.value.size() << " ticket(s) wait for 过滤核实: confirm or correct with "
        << "lianxinctl recategorize N CATEGORY [--reason …]\n";
  }
  return 0;
}

int train_command(const Args& args, std::ostream& out, std::ostream& err) {
  Parsed p;
  if (!parse(args, "train", p, err)) return 2;
  if (!p.words.empty()) {
    err << "lianxinctl train: unexpected " << p.words.front() << "\n" << language_usage();
    return 2;
  }
  // The configuration says where the corpus, the model and the database are; everything can
  // also be given on the command line (then no configuration is needed).
  std::optional<config::DaemonConfig> config;
  const bool needs_config = p.config || p.corpus.empty() || !p.out || (p.with_corrections && !p.db);
  if (needs_config) {
    config = load_config(p.config.value_or(kDefaultConfig), false, err);
    if (!config) return 1;
  }
  std::vector<std::filesystem::path> corpus(p.corpus.begin(), p.corpus.end());
  if (corpus.empty()) corpus.push_back(config->language.corpus);
  const std::filesystem::path model =
      p.out ? std::filesystem::path(*p.out) : config->language.model;

  std::vector<language::Example> extra;
  if (p.with_corrections) {
    const std::string db = p.db.value_or(config ? config->storage.path.string() : "");
    try {
      store::ReportReader reader = store::ReportReader::open(db);
      auto corrections = reader.corrections();
      if (!corrections) {
        err << "lianxinctl: " << corrections.message << "\n";
        return 1;
      }
      extra = language::examples_from(corrections.value);
    } catch (const store::StoreOpenError& e) {
      err << "lianxinctl: " << e.what() << "\n";
      return 1;
    }
  }
  try {
    out << "training on " << corpus.front().string() << (corpus.size() > 1 ? " …" : "")
        << (p.with_corrections ? " and the county's corrections" : "") << " (one thread)…\n";
    out.flush();
    const language::TrainSummary s = language::train_model_file(corpus, extra, model);
    out << "lianxinctl train: " << s.examples << " corpus texts + " << s.corrections
        << " corrections, " << s.per_label.size() << " labels → " << model.string() << " ("
        << s.bytes / 1000 << " kB, " << static_cast<int>(s.seconds) << " s)\n";
    out << "next: make language.model in the configuration name this file, then "
           "`systemctl reload lianxind` (lianxinctl explain uses it at once)\n";
    return 0;
  } catch (const language::ModelError& e) {
    err << "lianxinctl train: " << e.what() << "\n";
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    err << "lianxinctl train: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace lianxin::ctl
