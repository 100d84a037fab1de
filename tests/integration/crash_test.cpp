// kill -9 while the SMSC streams reports: nothing acknowledged is lost, nothing is lost at all,
// every report has its ticket, every queued SMS reaches the SMSC, and duplicates stay few.
//
// The independent SMSC simulator (scripts/smsc-sim) streams distinct one-part reports from
// distinct residents of a synthetic county ("stream" command: it re-sends an MO whose connection
// died before its deliver_sm_resp, on the next bind, as real SMSCs do). Meanwhile the test kills
// lianxind with SIGKILL at random-looking moments (fixed seed), restarts it on the same
// configuration and database each time, and finally lets it drain. Then it compares what the
// SMSC saw with the database (read with the sqlite3 C API, read-only, independent of lianxin's
// store code):
//  - every MO the SMSC saw acknowledged (deliver_sm_resp 0) is in the inbox; every MO it sent was
//    eventually acknowledged; every report opened exactly one ticket;
//  - every outbox row was submitted and the SMSC received it (matched by destination and text);
//  - SMS the SMSC received more than once (MT duplicates) and MOs sent more than once are
//    counted and printed; MT duplicates must stay within what may be in flight at each crash.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_process.hpp"
#include "tests/integration/smsc_sim.hpp"
#include "tests/integration/synthetic_site.hpp"

namespace lianxin::testing {
namespace {

using namespace std::chrono_literals;
using sim::Json;
using sim::SmscSim;
using Clock = std::chrono::steady_clock;

// The campaign: quick defaults for scripts/test; a long run from the environment, e.g.
//   LIANXIN_CRASH_KILLS=50 LIANXIN_CRASH_RATE=200 LIANXIN_CRASH_MOS=20000
//   build/tests/integration/crash_test
template <typename T>
T from_environment(const char* name, T fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (*end != '\0' || value <= 0) {
    std::fprintf(stderr, "crash_test: %s=%s is not a positive number; using %g\n", name, text,
                 static_cast<double>(fallback));
    return fallback;
  }
  return static_cast<T>(value);
}
const std::size_t kReports = from_environment<std::size_t>("LIANXIN_CRASH_MOS", 1500);
// MO/s offered by the SMSC (more after each outage: its backlog).
const double kRate = from_environment<double>("LIANXIN_CRASH_RATE", 120);
const int kKills = from_environment<int>("LIANXIN_CRASH_KILLS", 5);
const std::uint32_t kSeed = from_environment<std::uint32_t>("LIANXIN_CRASH_SEED", 20240611);
constexpr std::size_t kWindow = 10;  // SMPP window; lianxind keeps up to 2x that in flight
const char* const kServiceNumber = "106900001234";

// Phone numbers compared by their national digits: "+8613900000001", "8613900000001" and
// "13900000001" are the same phone.
std::string national(const std::string& address) {
  std::string digits;
  for (char c : address)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  return digits;
}

// ---- the database, read-only ----

class Database {
 public:
  explicit Database(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      const std::string error = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw std::runtime_error("open " + path + ": " + error);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Every row of `sql`, each column as text (NULL as "").
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    std::vector<std::vector<std::string>> out;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const unsigned char* text = sqlite3_column_text(statement, i);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE) throw std::runtime_error(sql + ": " + sqlite3_errmsg(db_));
    return out;
  }

  long long count(const std::string& sql) { return std::stoll(rows(sql).at(0).at(0)); }

 private:
  sqlite3* db_ = nullptr;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

class CrashTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) {
      if (daemon_) std::cerr << "---- lianxind log (tail) ----\n" << tail(daemon_->log(), 6000);
    }
    daemon_.reset();  // SIGKILL if still running
  }

  static std::string tail(const std::string& text, std::size_t n) {
    return text.size() <= n ? text : text.substr(text.size() - n);
  }

  void start_daemon() {
    daemon_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{LIANXIND_PATH, "--config", config_.string()},
        dir_ / "lianxind.log");
  }

  Json report(bool detail = false) {
    return sim_->command(
        Json::object({{"cmd", "stream_report"}, {"id", "crash"}, {"detail", detail}}));
  }

  TempDir dir_;
  std::filesystem::path config_;
  std::unique_ptr<SmscSim> sim_;
  std::unique_ptr<ChildProcess> daemon_;
};

TEST_F(CrashTest, KillNineWhileStreamingLosesNothingAndDuplicatesLittle) {
  const auto test_start = Clock::now();
  sim_ = std::make_unique<SmscSim>(std::vector<std::string>{"--password", "secret"});
  write_site_directory(dir_.path(),
                       SiteShape{.grids = 20, .members_per_grid = 5, .residents = kReports});
  SiteConfig site;
  site.smsc_port = sim_->port();
  site.service_number = kServiceNumber;
  site.window = kWindow;
  site.synchronous_full = true;
  site.log_level = "info";
  config_ = write_site_config(dir_.path(), site);

  start_daemon();
  ASSERT_TRUE(sim_->wait_for(
      "bind", [](const Json& e) { return e["status"].integer() == 0; }, 10s))
      << "lianxind never bound";

  Json::Array messages;
  for (std::size_t i = 0; i < kReports; ++i)
    messages.push_back(Json::object({{"from", resident_number(i)}, {"text", report_text(i)}}));
  const Json started = sim_->command(Json::object({{"cmd", "stream"},
                                                   {"id", "crash"},
                                                   {"messages", Json(messages)},
                                                   {"to", kServiceNumber},
                                                   {"rate", kRate},
                                                   {"window", static_cast<int>(kWindow)},
                                                   {"retry_ms", 200}}));
  ASSERT_EQ(started["count"].integer(), static_cast<std::int64_t>(kReports));
  const auto stream_start = Clock::now();

  // Kill moments: one in each of kKills equal slots of the streaming time, at a random offset
  // inside its slot; then a random outage before the restart.
  std::mt19937 random(kSeed);
  const double stream_seconds = static_cast<double>(kReports) / kRate;
  const double slot = (stream_seconds - 1.0) / kKills;
  std::ostringstream kill_log;
  std::int64_t lost_before = 0;
  for (int k = 0; k < kKills; ++k) {
    const double at =
        0.5 + slot * k + std::uniform_real_distribution<double>(0.1, 0.9)(random) * slot;
    const auto outage =
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 400)(random));
    std::this_thread::sleep_until(stream_start + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(at)));
    ASSERT_TRUE(daemon_->running()) << "lianxind died by itself before kill " << k + 1;
    daemon_->signal(SIGKILL);
    ASSERT_EQ(daemon_->wait_exit(5s), std::optional<int>(128 + SIGKILL));
    // The SMSC notices the dead connection (none if it died before connecting).
    sim_->wait_for("connection_closed", {}, 1s);
    const Json progress = report();
    kill_log << "  kill " << k + 1 << " at " << static_cast<int>(at * 1000)
             << " ms: " << progress["acked"].integer() << " MOs acknowledged so far, "
             << progress["lost"].integer() - lost_before
             << " left unanswered by the crash; restart after " << outage.count() << " ms\n";
    lost_before = progress["lost"].integer();
    std::this_thread::sleep_for(outage);
    start_daemon();
  }

  // Everything the SMSC has is delivered and acknowledged once the daemon is back for good.
  const auto done = sim_->wait_for(
      "stream_done", [](const Json& e) { return e["id"].str() == "crash"; }, 60s);
  ASSERT_TRUE(done) << "stream not finished: " << report().dump();

  // The outbox drains: no row left queued or sending, and the SMSC received as many SMS as
  // there are rows (duplicates only add).
  const std::string db_path = (dir_ / "lianxin.db").string();
  long long unsent = -1, rows = -1, tickets = -1, unprocessed = -1;
  std::size_t received = 0;
  const auto drain_deadline = Clock::now() + 30s;
  while (Clock::now() < drain_deadline) {
    Database db(db_path);
    unsent = db.count("SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')");
    rows = db.count("SELECT count(*) FROM outbox");
    tickets = db.count("SELECT count(*) FROM tickets");
    unprocessed = db.count("SELECT count(*) FROM inbox WHERE processed_at_ms IS NULL");
    received = sim_->events("message").size();
    if (unsent == 0 && unprocessed == 0 && tickets >= static_cast<long long>(kReports) &&
        received >= static_cast<std::size_t>(rows))
      break;
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(unsent, 0) << "outbox not drained";
  ASSERT_EQ(unprocessed, 0) << "inbox parts never processed";

  // A clean stop after all that.
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait_exit(15s), std::optional<int>(0));

  // ---- what the SMSC saw ----
  const Json final_report = report(true);
  const auto& ok_acks = final_report["ok_acks"].items();
  const auto& send_counts = final_report["send_counts"].items();
  const auto& sent_messages = final_report["messages"].items();
  ASSERT_EQ(ok_acks.size(), kReports);
  ASSERT_EQ(sent_messages.size(), kReports);
  std::size_t acked = 0, mo_resent = 0;
  for (std::size_t i = 0; i < kReports; ++i) {
    if (ok_acks[i].integer() > 0) ++acked;
    // An acknowledged MO is never sent again: a second ack would mean the SMSC misbehaved.
    EXPECT_LE(ok_acks[i].integer(), 1) << "MO " << i;
    mo_resent += static_cast<std::size_t>(std::max<std::int64_t>(0, send_counts[i].integer() - 1));
  }
  EXPECT_EQ(acked, kReports) << "MOs never acknowledged (lost for good)";

  Database db(db_path);
  // ---- 1. every acknowledged MO is in the inbox, once ----
  std::map<std::pair<std::string, std::string>, int> inbox;  // (phone, payload hex) → rows
  for (const auto& row :
       db.rows("SELECT source, lower(hex(payload)) FROM inbox WHERE is_receipt = 0"))
    ++inbox[{national(row[0]), row[1]}];
  std::size_t missing_in_inbox = 0, inbox_duplicates = 0;
  for (std::size_t i = 0; i < kReports; ++i) {
    const Json& m = sent_messages[i];
    const auto it = inbox.find({national(m["from"].str()), lower(m["hex"].str())});
    if (it == inbox.end()) {
      if (ok_acks[i].integer() > 0) {
        ++missing_in_inbox;
        ADD_FAILURE() << "acknowledged MO " << i << " from " << m["from"].str()
                      << " is not in the inbox";
      }
      continue;
    }
    if (it->second > 1) inbox_duplicates += static_cast<std::size_t>(it->second - 1);
  }
  EXPECT_EQ(missing_in_inbox, 0u);
  EXPECT_EQ(inbox.size(), kReports) << "inbox rows that the SMSC never sent";

  // ---- 2. every report has exactly one ticket ----
  std::map<std::pair<std::string, std::string>, int> ticket_of;  // (phone, text) → tickets
  for (const auto& row : db.rows("SELECT reporter, text FROM tickets"))
    ++ticket_of[{national(row[0]), row[1]}];
  std::size_t without_ticket = 0, duplicate_tickets = 0;
  for (std::size_t i = 0; i < kReports; ++i) {
    const auto it = ticket_of.find({resident_number(i), report_text(i)});
    if (it == ticket_of.end()) {
      ++without_ticket;
      ADD_FAILURE() << "report " << i << " has no ticket";
    } else if (it->second > 1) {
      duplicate_tickets += static_cast<std::size_t>(it->second - 1);
    }
  }
  EXPECT_EQ(without_ticket, 0u);
  EXPECT_EQ(duplicate_tickets, 0u) << "a re-delivered report opened a second ticket";
  EXPECT_EQ(tickets, static_cast<long long>(kReports));

  // ---- 3. every outbox row was submitted and received by the SMSC; duplicates counted ----
  std::map<std::pair<std::string, std::string>, int> at_smsc;  // (phone, text) → times received
  for (const Json& message : sim_->events("message"))
    ++at_smsc[{national(message["to"].str()), message["text"].str()}];
  std::map<std::pair<std::string, std::string>, int> outbox;  // (phone, text) → rows
  std::map<std::string, int> per_ticket;
  std::size_t not_submitted = 0;
  for (const auto& row :
       db.rows("SELECT destination, text, state, coalesce(ticket, '') FROM outbox")) {
    ++outbox[{national(row[0]), row[1]}];
    if (row[2] != "submitted" && row[2] != "delivered") ++not_submitted;
    if (!row[3].empty()) ++per_ticket[row[3]];
  }
  std::size_t never_received = 0, mt_duplicates = 0, mt_duplicated_sms = 0, unknown_at_smsc = 0;
  for (const auto& [key, n] : outbox) {
    const auto it = at_smsc.find(key);
    const int got = it == at_smsc.end() ? 0 : it->second;
    if (got < n) {
      ++never_received;
      ADD_FAILURE() << "outbox SMS to " << key.first << " never reached the SMSC: " << key.second;
    } else if (got > n) {
      mt_duplicates += static_cast<std::size_t>(got - n);
      ++mt_duplicated_sms;
    }
  }
  for (const auto& [key, n] : at_smsc)
    if (!outbox.contains(key)) ++unknown_at_smsc;
  EXPECT_EQ(not_submitted, 0u);
  EXPECT_EQ(never_received, 0u);
  EXPECT_EQ(unknown_at_smsc, 0u) << "the SMSC received SMS that are in no outbox row";
  // A confirmation to the villager and a dispatch to a member, at least, for every ticket.
  std::size_t tickets_without_two_sms = 0;
  for (const auto& [number, n] : per_ticket)
    if (n < 2) ++tickets_without_two_sms;
  EXPECT_EQ(per_ticket.size(), kReports);
  EXPECT_EQ(tickets_without_two_sms, 0u);
  // At most what lianxind may have in flight (2 x window) can be sent twice per crash.
  EXPECT_LE(mt_duplicates, static_cast<std::size_t>(kKills) * 2 * kWindow);

  const std::string log = daemon_->log();
  const auto occurrences = [&log](const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1))
      ++n;
    return n;
  };
  // Re-delivered MOs that lianxind had stored before the crash: recognised, acknowledged, not
  // processed again (the "duplicates MO").
  const std::size_t mo_recognised = occurrences("inbound part repeated by the SMSC");
  const std::size_t restarts_with_in_flight = occurrences("in flight when lianxind stopped");

  const double seconds = std::chrono::duration<double>(Clock::now() - test_start).count();
  std::cout << "crash test: " << kKills << " kills (seed " << kSeed << ")\n" << kill_log.str();
  std::printf(
      "crash summary: MOs %zu, acked %zu, kills %d, duplicates MO %zu (re-sent by the SMSC; %zu "
      "of them already stored and recognised), duplicate inbox rows %zu, duplicate tickets %zu, "
      "MT rows %lld, MT received %zu, duplicates MT %zu (in %zu SMS; bound %zu), restarts that "
      "re-queued in-flight SMS %zu, %.1f s\n",
      kReports, acked, kKills, mo_resent, mo_recognised, inbox_duplicates, duplicate_tickets, rows,
      received, mt_duplicates, mt_duplicated_sms, static_cast<std::size_t>(kKills) * 2 * kWindow,
      restarts_with_in_flight, seconds);
}

}  // namespace
}  // namespace lianxin::testing
