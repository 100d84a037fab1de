// lianxind: the lianxin SMS gateway daemon. See usage_text() and README.md.
//
// One io_context thread runs everything: the SMPP links, the ticket loop (Gateway), timers and
// signals. Under systemd (Type=notify) it reports READY once the store is open and the links are
// started (not bound: an SMSC outage must not fail the start), a STATUS line, WATCHDOG pings and
// STOPPING.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/daemon_config.hpp"
#include "daemon/app/connections.hpp"
#include "daemon/app/control.hpp"
#include "daemon/app/control_commands.hpp"
#include "daemon/app/gateway.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/notify.hpp"
#include "daemon/app/options.hpp"
#include "daemon/language/load.hpp"
#include "daemon/store/store.hpp"
#include "protocol/asio.hpp"
#include "protocol/esme.hpp"

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using lianxin::LogLevel;
using lianxin::app::CommandLine;
using lianxin::app::Field;
using lianxin::app::Journal;

// Problems lianxind would meet at start-up that load_config() does not look for.
std::vector<std::string> runtime_checks(const lianxin::config::DaemonConfig& config) {
  std::vector<std::string> problems;
  const fs::path& db = config.storage.path;
  if (db != ":memory:") {
    fs::path dir = db.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      problems.push_back(config.file.string() + ": storage.path: directory " + dir.string() +
                         " does not exist");
  }
  return problems;
}

std::string summary(const lianxin::config::DaemonConfig& config) {
  const auto& d = config.directory;
  return std::to_string(config.smpp.size()) + " SMPP connection(s), " +
         std::to_string(d.grids().size()) + " grids, " + std::to_string(d.members().size()) +
         " members, " + std::to_string(d.residents().size()) + " residents, " +
         std::to_string(d.teams().size()) + " teams, " +
         std::to_string(config.settings.categories.size()) + " categories; database " +
         config.storage.path.string();
}

// Loads the configured language model into the settings; false (and the reason in `error`)
// when it cannot be used. Warnings: categories the model does not know.
bool attach_model(lianxin::config::DaemonConfig& config, std::string& error,
                  std::vector<std::string>& warnings) {
  try {
    lianxin::language::LoadedModel loaded =
        lianxin::language::load_model(config.language.model, config.settings);
    config.settings.language.model = std::move(loaded.model);
    warnings = std::move(loaded.warnings);
    return true;
  } catch (const lianxin::language::ModelError& e) {
    error = config.file.string() + ": language.model: " + e.what();
    return false;
  }
}

int check_config(const CommandLine& command) {
  // The SMPP password is read when it can be; a systemd credential outside systemd is checked
  // against the installed unit's LoadCredential= (the notes say what was checked).
  lianxin::config::LoadOptions options;
  options.secrets = lianxin::config::Secrets::check;
  lianxin::config::LoadResult loaded = lianxin::config::load_config(command.config_path, options);
  for (const std::string& note : loaded.notes) std::cout << "note: " << note << "\n";
  if (!loaded.config) {
    std::cerr << lianxin::config::format_diagnostics(loaded.errors);
    std::cerr << "lianxind: " << command.config_path << ": " << loaded.errors.size()
              << (loaded.errors.size() == 1 ? " error" : " errors") << "\n";
    return 1;
  }
  std::vector<std::string> problems = runtime_checks(*loaded.config);
  std::string model_error;
  std::vector<std::string> warnings;
  if (!attach_model(*loaded.config, model_error, warnings)) problems.push_back(model_error);
  for (const std::string& warning : warnings) std::cerr << "warning: " << warning << "\n";
  for (const std::string& problem : problems) std::cerr << problem << "\n";
  if (!problems.empty()) return 1;
  if (command.render) std::cout << lianxin::config::render_config(*loaded.config);
  std::cout << "lianxind: " << command.config_path << " is valid: " << summary(*loaded.config)
            << "\n";
  return 0;
}

lianxin::store::StoreOptions store_options(const lianxin::config::StorageConfig& storage) {
  lianxin::store::StoreOptions options;
  options.synchronous = storage.synchronous == lianxin::config::SyncMode::full
                            ? lianxin::store::Synchronous::full
                            : lianxin::store::Synchronous::normal;
  options.inbox_dedupe_window = storage.inbox_dedupe_window;
  return options;
}

lianxin::app::GatewayOptions gateway_options(const lianxin::config::DaemonConfig& config) {
  lianxin::app::GatewayOptions options;
  const auto ordered = config.by_priority();
  if (!ordered.empty()) options.service_number = ordered.front()->source_address;
  std::size_t room = 0;
  for (const auto& connection : config.smpp) {
    options.connections.push_back(connection.name);
    options.ussd_dialects[connection.name] = connection.ussd;
    room += 2 * connection.window;  // the window plus as many waiting in the session's queue
  }
  options.max_in_flight = std::max<std::size_t>(room, 1);
  return options;
}

class Daemon {
 public:
  Daemon(std::string config_path, Journal& journal)
      : config_path_(std::move(config_path)), journal_(journal) {}

  int run() {
    lianxin::config::LoadResult loaded = lianxin::config::load_config(config_path_);
    if (!loaded.config) {
      for (const auto& error : loaded.errors)
        journal_.log(LogLevel::error, lianxin::config::to_string(error));
      journal_.log(LogLevel::error, "configuration " + config_path_ + " refused; not starting");
      return 1;
    }
    config_ = std::move(*loaded.config);
    journal_.set_threshold(config_.log_level);
    {
      std::string error;
      std::vector<std::string> warnings;
      if (!attach_model(config_, error, warnings)) {
        journal_.log(LogLevel::error, error + "; not starting");
        return 1;
      }
      for (const std::string& warning : warnings) journal_.log(LogLevel::warning, warning);
      journal_.log(LogLevel::info, "language model " + config_.language.model.string());
    }

    std::optional<lianxin::store::Store> store;
    try {
      store.emplace(lianxin::store::Store::open(config_.storage.path.string(),
                                                store_options(config_.storage)));
    } catch (const lianxin::store::StoreOpenError& error) {
      journal_.log(LogLevel::error,
                   "storage: cannot open " + config_.storage.path.string() + ": " + error.what());
      return 1;
    }
    for (const std::string& step : store->applied_migrations())
      journal_.log(LogLevel::notice, "storage: applied migration: " + step);

    lianxin::smpp::SmppTransport transport(
        io_, lianxin::app::connection_configs(config_),
        lianxin::protocol::Logger(
            [this](const lianxin::protocol::LogRecord& record) {
              std::vector<Field> fields;
              if (!record.link.empty()) fields.push_back({"SMSC", std::string(record.link)});
              journal_.log(record.level, record.line(), fields);
            },
            lianxin::LogLevel::debug));
    journal_.log(LogLevel::notice, "lianxind starting: " + summary(config_));
    // The directory moves into the engine: one copy in memory (20,000 residents are megabytes).
    lianxin::app::Gateway gateway(io_, journal_, *store, transport, config_.settings,
                                  std::exchange(config_.directory, {}), gateway_options(config_));
    gateway_ = &gateway;
    gateway.on_status([this](const std::string& line) { notifier_.status(line); });
    gateway.on_fatal([this] {
      // Posted: the gateway is in the middle of a flush.
      asio::post(io_, [this] { shutdown("storage failure"); });
    });

    if (!gateway.start()) {
      gateway_ = nullptr;
      return 1;
    }
    // The control socket (lianxinctl): after the gateway has its state, before READY.
    lianxin::app::ControlCommandsOptions command_options;
    command_options.broadcast_repeat_window =
        std::chrono::duration_cast<std::chrono::seconds>(config_.broadcast_repeat_window);
    lianxin::app::ControlCommands commands(io_, journal_, gateway, command_options);
    // `lianxinctl reload` (the unit's ExecReload=): a reload whose refusal the caller sees, so
    // `systemctl reload` fails visibly when the new configuration is refused.
    commands.add_command("reload", [this](const lianxin::control::Request&,
                                          const std::shared_ptr<lianxin::app::ControlReply>& reply,
                                          const std::string& operator_name) {
      const std::vector<std::string> refused = reload("reload by " + operator_name);
      if (refused.empty()) {
        reply->finish(lianxin::control::ok_reply({{"reloaded", summary(config_)}}));
        return;
      }
      std::string message = "refused, the running configuration stays:";
      for (const std::string& reason : refused) message += "\n" + reason;
      reply->fail(message);
    });
    std::optional<lianxin::app::ControlServer> control;
    if (!config_.control_socket.empty()) {
      control.emplace(io_, journal_, lianxin::app::ControlOptions{config_.control_socket},
                      [&commands](const lianxin::control::Request& request,
                                  std::shared_ptr<lianxin::app::ControlReply> reply) {
                        commands.handle(request, std::move(reply));
                      });
      std::string error;
      if (control->start(error)) {
        journal_.log(LogLevel::info, "control socket " + config_.control_socket.string());
      } else {
        journal_.log(LogLevel::warning,
                     "control socket: " + error + "; lianxinctl actions are unavailable");
        control.reset();
      }
    }
    control_ = control ? &*control : nullptr;
    // ---- metrics ---- /metrics and /healthz for the county's monitoring (off unless configured).
    std::optional<lianxin::app::HttpServer> metrics;
    if (config_.metrics) {
      metrics.emplace(io_,
                      lianxin::app::HttpOptions{config_.metrics->address, config_.metrics->port},
                      [&gateway](std::string_view target) {
                        return lianxin::app::answer_http(gateway, target);
                      });
      std::string error;
      const std::string where =
          config_.metrics->address + ":" + std::to_string(config_.metrics->port);
      if (metrics->start(error)) {
        journal_.log(LogLevel::info, "metrics on http://" + where + "/metrics");
      } else {
        journal_.log(LogLevel::warning, "metrics: " + error + "; /metrics is unavailable");
        metrics.reset();
      }
    }
    metrics_ = metrics ? &*metrics : nullptr;
    notifier_.ready(gateway.status_line());
    journal_.log(LogLevel::info, "ready");
    wait_for_signals();
    start_watchdog();
    io_.run();
    control_ = nullptr;
    metrics_ = nullptr;
    gateway_ = nullptr;
    journal_.log(exit_code_ == 0 ? LogLevel::info : LogLevel::error,
                 "lianxind exits with status " + std::to_string(exit_code_));
    return exit_code_;
  }

 private:
  void wait_for_signals() {
    signals_.async_wait([this](const boost::system::error_code& error, int signal) {
      if (error) return;
      if (signal == SIGHUP) {
        reload("SIGHUP");
      } else {
        shutdown(signal == SIGTERM ? "SIGTERM" : "SIGINT");
      }
      if (!stopping_) wait_for_signals();
    });
  }

  void shutdown(const std::string& why) {
    if (stopping_ || !gateway_) return;
    stopping_ = true;
    journal_.log(LogLevel::notice, "stopping (" + why + "): unbinding from the SMSC");
    notifier_.stopping("stopping: " + why);
    signals_.cancel();
    watchdog_.cancel();
    if (control_) control_->stop();  // no new operator actions while the links drain
    if (metrics_) metrics_->stop();
    // Backstop: the links' own unbind grace is bounded; this bounds everything else.
    backstop_.expires_after(std::chrono::seconds(25));
    backstop_.async_wait([this](const boost::system::error_code& error) {
      if (error) return;
      journal_.log(LogLevel::error, "shutdown did not finish in time; exiting anyway");
      exit_code_ = 1;
      io_.stop();
    });
    gateway_->stop([this](int code) {
      exit_code_ = code;
      backstop_.cancel();
      io_.stop();
    });
  }

  // Re-reads the configuration, the directory and the model (SIGHUP, `lianxinctl reload`).
  // The reasons it was refused (the running configuration stays), or an empty list.
  std::vector<std::string> reload(const std::string& why) {
    notifier_.reloading();
    journal_.log(LogLevel::notice, why + ": reloading " + config_path_);
    lianxin::config::LoadResult loaded = lianxin::config::load_config(config_path_);
    std::string model_error;  // the model is reloaded too
    std::vector<std::string> model_warnings;
    std::vector<std::string> refused;
    if (!loaded.config) {
      for (const auto& error : loaded.errors) {
        refused.push_back(lianxin::config::to_string(error));
        journal_.log(LogLevel::warning, refused.back());
      }
      journal_.log(LogLevel::warning, "reload refused: " + std::to_string(loaded.errors.size()) +
                                          " error(s); keeping the running configuration");
    } else if (!attach_model(*loaded.config, model_error, model_warnings)) {
      refused.push_back(model_error);
      journal_.log(LogLevel::warning, model_error);
      journal_.log(LogLevel::warning,
                   "reload refused: the language model cannot be used; keeping the running "
                   "configuration and model");
    } else {
      for (const std::string& warning : model_warnings) journal_.log(LogLevel::warning, warning);
      lianxin::config::DaemonConfig next = std::move(*loaded.config);
      if (!lianxin::app::same_connections(config_.smpp, next.smpp))
        journal_.log(LogLevel::notice,
                     "SMPP connection settings changed; they apply after a restart "
                     "(systemctl restart lianxind); the links stay as they are");
      if (next.storage.path != config_.storage.path ||
          next.storage.synchronous != config_.storage.synchronous)
        journal_.log(LogLevel::notice, "storage settings changed; they apply after a restart");
      journal_.set_threshold(next.log_level);
      journal_.log(LogLevel::notice, "reloaded: " + summary(next));
      gateway_->reload(next.settings, std::exchange(next.directory, {}));
      // Keep what is still in use (links, storage); take the rest.
      next.smpp = config_.smpp;
      next.storage = config_.storage;
      config_ = std::move(next);
    }
    notifier_.ready(gateway_->status_line());
    return refused;
  }

  void start_watchdog() {
    const auto period = lianxin::app::Notifier::watchdog_period();
    if (!period) return;
    watchdog_period_ = *period;
    tick_watchdog();
  }

  void tick_watchdog() {
    notifier_.watchdog();
    watchdog_.expires_after(watchdog_period_);
    watchdog_.async_wait([this](const boost::system::error_code& error) {
      if (!error && !stopping_) tick_watchdog();
    });
  }

  std::string config_path_;
  Journal& journal_;
  lianxin::config::DaemonConfig config_;
  asio::io_context io_;
  asio::signal_set signals_{io_, SIGTERM, SIGINT, SIGHUP};
  asio::steady_timer watchdog_{io_};
  asio::steady_timer backstop_{io_};
  std::chrono::microseconds watchdog_period_{0};
  lianxin::app::Notifier notifier_;
  lianxin::app::Gateway* gateway_ = nullptr;
  lianxin::app::ControlServer* control_ = nullptr;
  lianxin::app::HttpServer* metrics_ = nullptr;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  const CommandLine command = lianxin::app::parse_command_line(args);
  switch (command.mode) {
    case CommandLine::Mode::help:
      std::cout << lianxin::app::usage_text();
      return 0;
    case CommandLine::Mode::version:
      std::cout << lianxin::app::version_text();
      return 0;
    case CommandLine::Mode::invalid:
      std::cerr << "lianxind: " << command.error << "\n" << lianxin::app::usage_text();
      return 2;
    case CommandLine::Mode::check_config:
      return check_config(command);
    case CommandLine::Mode::run:
      break;
  }
  // A peer closing a socket must not kill us; Asio reports EPIPE as an error instead.
  ::signal(SIGPIPE, SIG_IGN);
  // However it is started, what it creates (the database, its -wal and -shm) is never readable
  // by others: the owner writes, the operators' group (lianxin) reads.
  ::umask(0027);
  Journal journal;
  try {
    Daemon daemon(command.config_path, journal);
    return daemon.run();
  } catch (const std::exception& error) {
    journal.log(LogLevel::error, std::string("fatal: ") + error.what());
    return 1;
  }
}
