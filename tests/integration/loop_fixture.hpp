// The whole ticket loop through the real lianxind and the independent node-smpp SMSC simulator.
//
// Each test starts the simulator and lianxind on a fresh database with the demo directory
// (config/demo), plays villagers and members by SMS and checks the SMS exactly as the simulator
// decoded them (recipient, ticket numbers, masked numbers) and the database (through lianxin's
// Store, and the raw inbox table through sqlite3). TearDown checks that every SMS lianxind sent
// came from the service number and starts with the signature.
//
// Note: lianxind stores each inbound part before acknowledging it. The same delivery (same
// sender, bytes, coding) on a LATER bind within storage.inbox_dedupe_window is an SMSC
// re-delivery and stored once; on the same bind it is a person sending it again.
//
// This header holds what the loop tests share (the demo directory's numbers, the configuration,
// the LoopTest fixture); the tests are in loop_test.cpp (reports, members) and
// loop_villagers_test.cpp (villagers, garbage, re-delivery).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <array>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/smsc_sim.hpp"

namespace lianxin::testing::loop {

using namespace std::chrono_literals;
using domain::TicketNo;
using domain::TicketState;
using sim::Json;
using sim::SmscSim;
namespace fs = std::filesystem;

constexpr const char* kServiceNumber = "106900001234";
constexpr const char* kSignature = "【连心桥】";

// Demo directory (config/demo/members.csv): member id → national number.
const std::map<std::string, std::string> kMemberPhones = {
    {"m-chen", "13800000001"},  {"m-wang", "13800000002"},  {"m-li", "13800000003"},
    {"m-zhou", "13800000004"},  {"m-sun", "13800000005"},   {"m-wu", "13800000006"},
    {"m-zhao", "13800000007"},  {"m-zheng", "13800000008"}, {"m-qian", "13800000009"},
    {"m-he", "13800000010"},    {"m-feng", "13800000011"},  {"m-liu", "13800000012"},
    {"m-huang", "13800000013"}, {"m-yang", "13800000014"},  {"m-xu", "13800000015"},
};

// Demo residents (config/demo/residents.csv) and their grids.
constexpr const char* kZhang = "13800000051";  // g-daxi 大溪边村
constexpr const char* kLi = "13800000052";     // g-shitang 石塘村
constexpr const char* kWang = "13800000053";   // g-daxi
constexpr const char* kZhao = "13800000054";   // g-xiayu 下淤村
constexpr const char* kSun = "13800000055";    // g-baisha 白沙村

// 165 characters: three UCS-2 parts.
const std::string kLongReport =
    "村口两盏路灯杆被大风刮倒了，电线垂在路边，晚上孩子放学要从那里经过，老人也经常在那里散步，"
    "非常危险。请尽快派人来处理一下，把电线收好，把灯杆扶起来或者先拉上警戒线。另外村东头的水渠"
    "也有一段堵住了，下雨天水漫到路上，麻烦一起看看。这几天晚上风还很大，我们怕再出事，希望村里"
    "能在天黑之前安排人过来看一下。谢谢！——住在村口第三户的老王";

inline std::string demo(const char* name) {
  return std::string(LIANXIN_SOURCE_DIR) + "/config/demo/" + name;
}

inline std::string config_yaml(std::uint16_t port, const std::string& inbox_dedupe_window) {
  std::string yaml = std::string("# lianxind loop test\n") + "signature: \"" + kSignature +
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
                     "    reconnect_max: 2s\n"
                     // Every reopen goes back to the member here (ReopenWith... checks both
                     // words); escalation on a second reopen is engine_sla_test's.
                     "verification:\n"
                     "  escalate_on_reopen: 0\n"
                     "language:\n  model: " LIANXIN_MODEL_PATH
                     "\n"
                     "storage:\n"
                     "  path: lianxin.db\n"
                     "  synchronous: normal\n";
  if (!inbox_dedupe_window.empty()) yaml += "  inbox_dedupe_window: " + inbox_dedupe_window + "\n";
  yaml += "directory:\n  grids: " + demo("grids.csv") + "\n  members: " + demo("members.csv") +
          "\n  residents: " + demo("residents.csv") + "\n  teams: " + demo("teams.csv") +
          "\n  duty_desks: " + demo("duty_desks.csv") + "\n";
  return yaml;
}

inline bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// "123" → "１２３" (full-width digits, as Chinese input methods type them).
inline std::string full_width(const std::string& digits) {
  std::string out;
  for (char c : digits) {
    out += "\xEF\xBC";
    out += static_cast<char>(0x90 + (c - '0'));
  }
  return out;
}

// 138****0051: how other people's numbers appear in SMS.
inline std::string masked(const std::string& national) {
  return national.substr(0, 3) + "****" + national.substr(national.size() - 4);
}

inline std::string e164(const std::string& national) {
  return "+86" + national;
}

// The digits right after `marker` in `text` (e.g. the ticket number after "工单号").
inline std::optional<TicketNo> number_after(const std::string& text, const std::string& marker) {
  const std::size_t at = text.find(marker);
  if (at == std::string::npos) return std::nullopt;
  std::size_t p = at + marker.size();
  const std::size_t start = p;
  while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p;
  if (p == start) return std::nullopt;
  return std::stoll(text.substr(start, p - start));
}

// A report that was confirmed and dispatched.
struct Filed {
  TicketNo number = 0;
  std::string ticket;     // the number as text
  std::string member;     // national number of the assignee
  std::string member_id;  // as in the database
  std::string dispatch;   // the dispatch SMS as decoded
};

class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<SmscSim>(std::vector<std::string>{"--password", "secret"});
    write_file(dir_ / "smpp.password", "secret\n");
    notify_ = std::make_unique<NotifySocket>(dir_ / "notify.sock");
  }

  void TearDown() override {
    // Every SMS lianxind sent: from the service number, signature first.
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

  // lianxind started and bound to the simulator.
  void start(const std::string& inbox_dedupe_window = "") {
    const fs::path config = dir_ / "lianxind.yaml";
    write_file(config, config_yaml(sim_->port(), inbox_dedupe_window));
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{LIANXIND_PATH, "--config", config.string()}, dir_ / "lianxind.log",
        std::vector<std::string>{"NOTIFY_SOCKET=" + notify_->path().string()});
    ASSERT_TRUE(notify_->wait_for("READY=1", 5s)) << "no READY=1";
    ASSERT_TRUE(sim_->wait_for("bind", [](const Json& e) { return e["status"].integer() == 0; }))
        << "never bound";
    ASSERT_TRUE(notify_->wait_for("STATUS=bound to 1/1 SMSC", 5s, true)) << "no bound status";
  }

  // One MO through the simulator; true once lianxind acknowledged every part with ESME_ROK
  // (it does so only after storing them). `command` holds the deliver fields but cmd and to.
  bool deliver_command(Json command) {
    command.set("cmd", "deliver").set("to", kServiceNumber);
    const Json ack = sim_->command(command);
    const auto done = sim_->wait_for(
        "deliver_done", [&](const Json& e) { return e["id"].str() == ack["id"].str(); });
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
  bool deliver_hex(const std::string& from, const std::string& hex, int data_coding) {
    return deliver_command(
        Json::object({{"from", from}, {"hex", hex}, {"data_coding", data_coding}}));
  }

  // The next SMS to `national` whose text contains `needle` (as the simulator reassembled and
  // decoded it).
  std::optional<std::string> sms_to(const std::string& national, const std::string& needle,
                                    std::chrono::milliseconds timeout = 5s) {
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

  // A villager reports; returns the ticket once the villager has the confirmation with its
  // number and a member has the dispatch SMS naming it.
  std::optional<Filed> report(const std::string& villager, const std::string& text,
                              const char* split = "udh8") {
    if (!deliver(villager, text, split)) return std::nullopt;
    const auto confirmation = sms_to(villager, "工单号");
    if (!confirmation) {
      ADD_FAILURE() << "no confirmation to " << villager;
      return std::nullopt;
    }
    Filed filed;
    const auto number = number_after(*confirmation, "工单号");
    if (!number) {
      ADD_FAILURE() << "no ticket number in " << *confirmation;
      return std::nullopt;
    }
    filed.number = *number;
    filed.ticket = std::to_string(*number);
    const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
      return contains(e["text"].str(), "新工单" + filed.ticket + "：");
    });
    if (!dispatch) {
      ADD_FAILURE() << "no dispatch SMS for ticket " << filed.ticket;
      return std::nullopt;
    }
    filed.dispatch = (*dispatch)["text"].str();
    const std::string to = (*dispatch)["to"].str();
    filed.member = to.substr(to.size() - 11);
    const auto t = ticket(filed.number);
    if (!t || !t->assignee) {
      ADD_FAILURE() << "ticket " << filed.ticket << " not stored with an assignee";
      return std::nullopt;
    }
    filed.member_id = *t->assignee;
    // The member who got the SMS is the assignee in the database.
    EXPECT_EQ(kMemberPhones.at(filed.member_id), filed.member) << filed.member_id;
    EXPECT_EQ(t->reporter, e164(villager));
    EXPECT_EQ(t->text, text);
    // The villager's number is masked in the member's SMS.
    EXPECT_TRUE(contains(filed.dispatch, "报告人" + masked(villager))) << filed.dispatch;
    EXPECT_FALSE(contains(filed.dispatch, villager)) << filed.dispatch;
    return filed;
  }

  store::Store open_store() { return store::Store::open((dir_ / "lianxin.db").string()); }

  std::optional<domain::Ticket> ticket(TicketNo number) {
    store::Store store = open_store();
    auto found = store.find_ticket(number);
    return found ? found.value : std::nullopt;
  }

  std::vector<domain::Ticket> tickets_of(const std::string& national) {
    store::Store store = open_store();
    store::TicketFilter filter;
    filter.reporter = e164(national);
    auto found = store.list_tickets(filter);
    return found ? found.value : std::vector<domain::Ticket>{};
  }

  std::vector<domain::TicketEvent> history(TicketNo number) {
    store::Store store = open_store();
    auto found = store.ticket_history(number);
    return found ? found.value : std::vector<domain::TicketEvent>{};
  }

  long long points_of(const std::string& member_id) {
    store::Store store = open_store();
    auto found = store.points_of(member_id);
    return found ? found.value : -1;
  }

  std::optional<bool> subscribed(const std::string& national) {
    store::Store store = open_store();
    auto found = store.is_subscribed(e164(national));
    if (!found) return std::nullopt;
    return found.value;
  }

  // Rows of the raw inbox whose source ends with `national` (-1 on error).
  long long inbox_rows_from(const std::string& national) {
    sqlite3* db = nullptr;
    long long count = -1;
    if (sqlite3_open_v2((dir_ / "lianxin.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
        SQLITE_OK) {
      sqlite3_busy_timeout(db, 2000);
      sqlite3_stmt* q = nullptr;
      const std::string pattern = "%" + national;
      if (sqlite3_prepare_v2(db, "SELECT count(*) FROM inbox WHERE source LIKE ?1", -1, &q,
                             nullptr) == SQLITE_OK &&
          sqlite3_bind_text(q, 1, pattern.c_str(), -1, SQLITE_TRANSIENT) == SQLITE_OK &&
          sqlite3_step(q) == SQLITE_ROW)
        count = sqlite3_column_int64(q, 0);
      sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return count;
  }

  bool wait_state(TicketNo number, TicketState state, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto t = ticket(number);
      if (t && t->state == state) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  TempDir dir_;
  std::unique_ptr<SmscSim> sim_;
  std::unique_ptr<NotifySocket> notify_;
  std::unique_ptr<ChildProcess> daemon_;
};

}  // namespace lianxin::testing::loop
