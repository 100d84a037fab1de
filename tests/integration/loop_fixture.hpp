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
// This header holds what the loop tests share (the members' numbers, the LoopTest fixture on
// DaemonSite); the tests are in loop_test.cpp (reports, members) and
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
#include "tests/integration/daemon_site.hpp"

namespace lianxin::testing::loop {

using namespace std::chrono_literals;
using domain::TicketNo;
using domain::TicketState;
using sim::Json;
using sim::SmscSim;
namespace fs = std::filesystem;

// Demo directory (config/demo/members.csv): member id → national number.
const std::map<std::string, std::string> kMemberPhones = {
    {"m-chen", "13800000001"},  {"m-wang", "13800000002"},  {"m-li", "13800000003"},
    {"m-zhou", "13800000004"},  {"m-sun", "13800000005"},   {"m-wu", "13800000006"},
    {"m-zhao", "13800000007"},  {"m-zheng", "13800000008"}, {"m-qian", "13800000009"},
    {"m-he", "13800000010"},    {"m-feng", "13800000011"},  {"m-liu", "13800000012"},
    {"m-huang", "13800000013"}, {"m-yang", "13800000014"},  {"m-xu", "13800000015"},
};

// 165 characters: three UCS-2 parts.
const std::string kLongReport =
    "村口两盏路灯杆被大风刮倒了，电线垂在路边，晚上孩子放学要从那里经过，老人也经常在那里散步，"
    "非常危险。请尽快派人来处理一下，把电线收好，把灯杆扶起来或者先拉上警戒线。另外村东头的水渠"
    "也有一段堵住了，下雨天水漫到路上，麻烦一起看看。这几天晚上风还很大，我们怕再出事，希望村里"
    "能在天黑之前安排人过来看一下。谢谢！——住在村口第三户的老王";

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

// A report that was confirmed and dispatched.
struct Filed {
  TicketNo number = 0;
  std::string ticket;     // the number as text
  std::string member;     // national number of the assignee
  std::string member_id;  // as in the database
  std::string dispatch;   // the dispatch SMS as decoded
};

class LoopTest : public DaemonSite {
 protected:
  // lianxind started and bound to the simulator.
  void start(const std::string& inbox_dedupe_window = "") {
    ConfigExtras extra;
    // Every reopen goes back to the member here (ReopenWith... checks both words); escalation on
    // a second reopen is engine_sla_test's.
    extra.top = "verification:\n  escalate_on_reopen: 0\n";
    if (!inbox_dedupe_window.empty())
      extra.storage = "  inbox_dedupe_window: " + inbox_dedupe_window + "\n";
    DaemonSite::start(extra);
  }

  bool deliver_hex(const std::string& from, const std::string& hex, int data_coding) {
    return deliver_command(
        Json::object({{"from", from}, {"hex", hex}, {"data_coding", data_coding}}));
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

  std::vector<domain::Ticket> tickets_of(const std::string& national) {
    return tickets_reported_by(e164(national));
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
};

}  // namespace lianxin::testing::loop
