// The one end-to-end fixture: the independent node-smpp SMSC simulator, the real lianxind on a
// fresh database with the demo directory (config/demo), and the steps people take by SMS.
//
// A test adds what it is about to the base configuration (ConfigExtras), starts, delivers and
// waits for SMS as the simulator decoded them:
//
//   class MyTest : public DaemonSite {};
//   TEST_F(MyTest, AVillagerGetsATicketNumber) {
//     ASSERT_NO_FATAL_FAILURE(start());
//     ASSERT_TRUE(deliver(kZhang, "村口路灯不亮了"));
//     EXPECT_TRUE(sms_to(kZhang, "工单号"));
//   }
//
// TearDown checks that every SMS lianxind sent came from the service number with the signature
// first, prints the simulator's events and lianxind's log when the test failed, and stops
// lianxind by PID (the simulator stops with its object).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/smsc_sim.hpp"

namespace lianxin::testing {

constexpr const char* kServiceNumber = "106900001234";
constexpr const char* kSignature = "【连心桥】";

// Demo residents (config/demo/residents.csv) and their grids.
constexpr const char* kZhang = "13800000051";  // g-daxi 大溪边村
constexpr const char* kLi = "13800000052";     // g-shitang 石塘村
constexpr const char* kWang = "13800000053";   // g-daxi
constexpr const char* kZhao = "13800000054";   // g-xiayu 下淤村
constexpr const char* kSun = "13800000055";    // g-baisha 白沙村

inline std::string demo(const char* name) {
  return std::string(LIANXIN_SOURCE_DIR) + "/config/demo/" + name;
}

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

inline bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

// The digits right after `marker` in `text` (e.g. the ticket number after "工单号").
inline std::optional<std::int64_t> number_after(const std::string& text,
                                                const std::string& marker) {
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return std::nullopt;
  std::size_t p = at + marker.size();
  const std::size_t start = p;
  while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p;
  if (p == start) return std::nullopt;
  return std::stoll(text.substr(start, p - start));
}

// What a test adds to the base configuration, as YAML lines.
struct ConfigExtras {
  std::string top;         // top-level sections ("categories:", "ussd:", ...)
  std::string connection;  // under the SMPP connection (e.g. its "ussd:" mapping)
  std::string storage;     // under storage: (e.g. inbox_dedupe_window)
};

inline std::string site_yaml(std::uint16_t port, const ConfigExtras& extra) {
  return std::string("# lianxind test site\n") + "signature: \"" + kSignature +
         "\"\n"
         "default_country: \"86\"\n"
         "time_zone: Asia/Shanghai\n"
         "log_level: debug\n"
         "smpp:\n"
         "  - name: sim\n"
         "    host: 127.0.0.1\n"
         "    port: " +
         std::to_string(port) +
         "\n"
         "    system_id: lianxin\n"
         "    password_file: smpp.password\n"
         "    bind: transceiver\n"
         "    source_address: \"" +
         kServiceNumber +
         "\"\n"
         "    reconnect_min: 1s\n"
         "    reconnect_max: 2s\n" +
         extra.connection +
         "language:\n  model: " LIANXIN_MODEL_PATH
         "\n"
         "storage:\n"
         "  path: lianxin.db\n"
         "  synchronous: normal\n" +
         extra.storage + "directory:\n  grids: " + demo("grids.csv") +
         "\n  members: " + demo("members.csv") + "\n  residents: " + demo("residents.csv") +
         "\n  teams: " + demo("teams.csv") + "\n  duty_desks: " + demo("duty_desks.csv") + "\n" +
         extra.top;
}

class DaemonSite : public ::testing::Test {
 protected:
  using Json = sim::Json;

  void SetUp() override {
    sim_ = std::make_unique<sim::SmscSim>(sim_args_);
    write_file(dir_ / "smpp.password", "secret\n");
  }

  void TearDown() override {
    if (sim_) {
      for (const Json& message : sim_->events("message")) {
        EXPECT_EQ(message["from"].str(), kServiceNumber) << message.dump();
        EXPECT_EQ(message["text"].str().rfind(kSignature, 0), 0u) << message.dump();
      }
    }
    if (HasFailure() || std::getenv("LIANXIN_TEST_SHOW_LOG")) {
      if (sim_) std::cerr << "---- simulator events ----\n" << sim_->transcript();
      if (daemon_) std::cerr << "---- lianxind log ----\n" << daemon_->log();
    }
    daemon_.reset();  // SIGKILL if still running
  }

  // Writes the configuration and starts lianxind; returns once it is ready and bound.
  void start(const ConfigExtras& extra = {}) {
    write_config(extra);
    restart();
  }

  void write_config(const ConfigExtras& extra = {}) {
    write_file(config_path(), site_yaml(sim_->port(), extra));
  }
  std::filesystem::path config_path() const { return dir_ / "lianxind.yaml"; }

  // Starts lianxind again on the same configuration and database (after a kill or a stop).
  void restart() {
    using namespace std::chrono_literals;
    notify_ = std::make_unique<NotifySocket>(dir_ / ("notify" + std::to_string(++starts_)));
    std::vector<std::string> environment = environment_;
    environment.push_back("NOTIFY_SOCKET=" + notify_->path().string());
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{LIANXIND_PATH, "--config", config_path().string()},
        dir_ / "lianxind.log", environment);
    // READY comes once the directory is loaded: 19,000 members take seconds under a sanitizer.
    ASSERT_TRUE(notify_->wait_for("READY=1", 20s)) << "no READY=1";
    // The simulator's bind event is taken here, so a later wait for "bind" sees a new one.
    ASSERT_TRUE(sim_->wait_for(
        "bind", [](const Json& e) { return e["status"].integer() == 0; }, 10s))
        << "never bound";
    ASSERT_TRUE(notify_->wait_for("STATUS=bound to 1/1 SMSC", 5s, true)) << "no bound status";
  }

  // One MO through the simulator; true once lianxind acknowledged every part with ESME_ROK
  // (it does so only after storing them). `command` holds the deliver fields but cmd and to.
  bool deliver_command(Json command) {
    command.set("cmd", "deliver").set("to", kServiceNumber);
    const Json ack = sim_->command(command);
    const auto done = sim_->wait_for(
        "deliver_done", [&](const Json& e) { return e["id"].str() == ack["id"].str(); },
        std::chrono::seconds(10));
    if (!done) {
      ADD_FAILURE() << "deliver_sm not answered: " << command.dump();
      return false;
    }
    EXPECT_TRUE((*done)["ok"].boolean()) << done->dump();
    return (*done)["ok"].boolean();
  }
  bool deliver(const std::string& from, const std::string& text, const char* split = "udh8") {
    return deliver_command(
        Json::object({{"from", from}, {"text", text}, {"encoding", "auto"}, {"split", split}}));
  }

  // The next SMS to `national` whose text contains `needle`.
  std::optional<std::string> sms_to(const std::string& national, const std::string& needle,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto message = sim_->wait_for(
        "message",
        [&](const Json& e) {
          return ends_with(e["to"].str(), national) && contains(e["text"].str(), needle);
        },
        timeout);
    if (!message) return std::nullopt;
    return (*message)["text"].str();
  }

  // Sends `text` from `from` and returns the answer to `from` containing `needle`.
  std::optional<std::string> exchange(const std::string& from, const std::string& text,
                                      const std::string& needle) {
    if (!deliver(from, text)) return std::nullopt;
    return sms_to(from, needle);
  }

  // How many SMS went to `national` so far.
  std::size_t sms_count_to(const std::string& national) const {
    std::size_t count = 0;
    for (const Json& e : sim_->events("message"))
      if (ends_with(e["to"].str(), national)) ++count;
    return count;
  }

  std::filesystem::path database() const { return dir_ / "lianxin.db"; }

  // The daemon's database, opened beside it (WAL: readers do not block lianxind).
  store::Store open_store() { return store::Store::open(database().string()); }

  std::optional<domain::Ticket> ticket(domain::TicketNo number) {
    store::Store store = open_store();
    auto found = store.find_ticket(number);
    return found ? found.value : std::nullopt;
  }

  std::vector<domain::Ticket> tickets_reported_by(const std::string& e164) {
    store::Store store = open_store();
    store::TicketFilter filter;
    filter.reporter = e164;
    auto found = store.list_tickets(filter);
    return found ? found.value : std::vector<domain::Ticket>{};
  }

  std::vector<domain::TicketEvent> history(domain::TicketNo number) {
    store::Store store = open_store();
    auto found = store.ticket_history(number);
    return found ? found.value : std::vector<domain::TicketEvent>{};
  }

  // True once the ticket is in `state` (polled in the database).
  bool wait_state(domain::TicketNo number, domain::TicketState state,
                  std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto t = ticket(number);
      if (t && t->state == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::vector<std::string> sim_args_{"--password", "secret"};  // a fixture may add to them
  std::vector<std::string> environment_;                       // lianxind's, beside NOTIFY_SOCKET
  TempDir dir_;
  std::unique_ptr<sim::SmscSim> sim_;
  std::unique_ptr<NotifySocket> notify_;
  std::unique_ptr<ChildProcess> daemon_;
  int starts_ = 0;
};

}  // namespace lianxin::testing
