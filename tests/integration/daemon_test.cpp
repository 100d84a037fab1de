// The real lianxind process against the independent SMSC simulator (scripts/smsc-sim).
//
// Each test writes a configuration into a temporary directory (the simulator's port, a fresh
// database, the demo directory CSVs from config/demo), starts lianxind as a child process with a
// fake $NOTIFY_SOCKET, plays villagers and members through the simulator and checks what the
// simulator decoded, the database (through lianxin's Store) and the daemon's exit status. Every
// process is killed by its guard, also when an assertion fails.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/integration/daemon_site.hpp"

namespace lianxin::testing {
namespace {

using namespace std::chrono_literals;
using sim::Json;
namespace fs = std::filesystem;

constexpr const char* service_number = kServiceNumber;
constexpr const char* villager = kZhang;  // 张大爷, resident of grid g-daxi (大溪边村)
constexpr const char* villager2 = kWang;  // 王阿婆, g-daxi too
// 165 characters: three UCS-2 parts.
const std::string long_report =
    "村口两盏路灯杆被大风刮倒了，电线垂在路边，晚上孩子放学要从那里经过，老人也经常在那里散步，"
    "非常危险。请尽快派人来处理一下，把电线收好，把灯杆扶起来或者先拉上警戒线。另外村东头的水渠"
    "也有一段堵住了，下雨天水漫到路上，麻烦一起看看。这几天晚上风还很大，我们怕再出事，希望村里"
    "能在天黑之前安排人过来看一下。谢谢！——住在村口第三户的老王";

// True when `text` holds "<file>:<line>:<column>: " somewhere.
bool has_file_line_column(const std::string& text, const std::string& file) {
  auto digits = [&](std::size_t& at) {
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    return at > start;
  };
  for (std::size_t at = text.find(file + ":"); at != std::string::npos;
       at = text.find(file + ":", at + 1)) {
    std::size_t p = at + file.size() + 1;
    if (digits(p) && p < text.size() && text[p] == ':' && digits(++p) &&
        text.compare(p, 2, ": ") == 0)
      return true;
  }
  return false;
}

bool ends_with_number(const std::string& address, const std::string& national) {
  return address.size() >= national.size() &&
         address.compare(address.size() - national.size(), national.size(), national) == 0;
}

class DaemonTest : public DaemonSite {
 protected:
  void SetUp() override {
    DaemonSite::SetUp();
    write_config();
  }

  // Started and bound; READY=1 seen.
  void start_bound() {
    if (!watchdog_usec_.empty()) environment_ = {"WATCHDOG_USEC=" + watchdog_usec_};
    restart();
  }

  // The next SMS the simulator received (reassembled) for `national` number.
  std::optional<Json> wait_sms_to(const std::string& national,
                                  std::chrono::milliseconds timeout = 5s) {
    return sim_->wait_for(
        "message", [&](const Json& e) { return ends_with_number(e["to"].str(), national); },
        timeout);
  }
  std::optional<Json> wait_sms_not_to(const std::string& national) {
    return sim_->wait_for(
        "message", [&](const Json& e) { return !ends_with_number(e["to"].str(), national); });
  }

  std::string watchdog_usec_;
};

TEST_F(DaemonTest, OneReportFromSmsToRating) {
  start_bound();

  // 1. The villager reports; the part is acknowledged only after it was stored.
  deliver(villager, "村口路灯杆被大风刮倒了，晚上很黑");
  const auto confirmation = wait_sms_to(villager);
  ASSERT_TRUE(confirmation) << "no confirmation to the villager";
  const auto dispatch = wait_sms_not_to(villager);
  ASSERT_TRUE(dispatch) << "no dispatch SMS";

  const auto tickets = tickets_reported_by("+8613800000051");
  ASSERT_EQ(tickets.size(), 1u);
  const domain::Ticket& t = tickets.front();
  const std::string number = std::to_string(t.number);
  EXPECT_EQ(t.text, "村口路灯杆被大风刮倒了，晚上很黑");
  EXPECT_EQ(t.grid, std::optional<std::string>("g-daxi"));
  EXPECT_EQ(t.state, domain::TicketState::dispatched);
  ASSERT_TRUE(t.assignee);

  // As the simulator decoded them: from the service number, signature first, the ticket number.
  EXPECT_EQ((*confirmation)["from"].str(), service_number);
  EXPECT_EQ((*confirmation)["text"].str().rfind("【连心桥】", 0), 0u) << confirmation->dump();
  EXPECT_NE((*confirmation)["text"].str().find("工单号" + number), std::string::npos)
      << confirmation->dump();
  const std::string member_phone = (*dispatch)["to"].str();
  const std::string dispatch_text = (*dispatch)["text"].str();
  EXPECT_NE(dispatch_text.find("新工单" + number), std::string::npos) << dispatch_text;
  EXPECT_NE(dispatch_text.find("大溪边村"), std::string::npos) << dispatch_text;
  EXPECT_NE(dispatch_text.find("路灯杆被大风刮倒"), std::string::npos) << dispatch_text;
  // The villager's number is masked in the member's SMS.
  EXPECT_NE(dispatch_text.find("138****0051"), std::string::npos) << dispatch_text;
  EXPECT_EQ(dispatch_text.find(villager), std::string::npos) << dispatch_text;
  const std::string member = member_phone.substr(member_phone.size() - 11);

  // 2. The member accepts.
  deliver(member, "接 " + number);
  ASSERT_TRUE(wait_state(t.number, domain::TicketState::accepted));
  const auto accepted = wait_sms_to(member);
  ASSERT_TRUE(accepted);
  EXPECT_NE((*accepted)["text"].str().find("已接单" + number), std::string::npos)
      << accepted->dump();

  // 3. Done, with a note: the villager is asked to rate.
  deliver(member, "完成 " + number + " 已修好");
  ASSERT_TRUE(wait_state(t.number, domain::TicketState::resolved));
  const auto rate_request = wait_sms_to(villager);
  ASSERT_TRUE(rate_request);
  EXPECT_NE((*rate_request)["text"].str().find("回复5表示满意"), std::string::npos)
      << rate_request->dump();
  EXPECT_EQ(ticket(t.number)->resolution, "已修好");

  // 4. The villager rates 5: closed, rated.
  deliver(villager, "5");
  ASSERT_TRUE(wait_state(t.number, domain::TicketState::closed));
  const auto closed = ticket(t.number);
  EXPECT_EQ(closed->rating, std::optional<int>(5));
  EXPECT_EQ(closed->close_reason, domain::CloseReason::rated);
  const auto thanks = wait_sms_to(villager);
  ASSERT_TRUE(thanks);
  EXPECT_NE((*thanks)["text"].str().find("谢谢您的评价"), std::string::npos) << thanks->dump();

  // The history has every step; the outbox rows were all submitted (not left queued).
  store::Store store = open_store();
  const auto history = store.ticket_history(t.number);
  ASSERT_TRUE(history);
  EXPECT_GE(history.value.size(), 5u);
  EXPECT_EQ(history.value.back().to, domain::TicketState::closed);
  std::this_thread::sleep_for(200ms);  // the last submit_sm_resp reaches the outbox
  const auto counts = store.outbox_counts();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts.value.count(store::OutboxState::queued), 0u);
  EXPECT_GE(counts.value.at(store::OutboxState::submitted), 6);

  // The journal lines mask phone numbers.
  const std::string log = daemon_->log();
  EXPECT_NE(log.find("TICKET_ID=" + number), std::string::npos);
  EXPECT_EQ(log.find(villager), std::string::npos) << "unmasked phone number in the log";
  EXPECT_EQ(log.find("secret"), std::string::npos) << "password in the log";
  EXPECT_TRUE(notify_->wait_for("READY=1", 0ms));
}

TEST_F(DaemonTest, ThreePartChineseReportBecomesOneTicket) {
  start_bound();
  // The simulator sends a delivery receipt (text form) for every submit asking for one.
  sim_->command(Json::object({{"cmd", "set"}, {"dlr", true}}));
  deliver(villager2, long_report, "udh8");
  const auto confirmation = wait_sms_to(villager2);
  ASSERT_TRUE(confirmation);
  const auto tickets = tickets_reported_by("+8613800000053");
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets.front().text, long_report);
  EXPECT_NE((*confirmation)["text"].str().find("工单号" + std::to_string(tickets.front().number)),
            std::string::npos);
  // Three parts were stored, all processed.
  store::Store store = open_store();
  const auto unprocessed = store.unprocessed_inbox();
  ASSERT_TRUE(unprocessed);
  EXPECT_TRUE(unprocessed.value.empty());
  std::size_t mo_parts = 0;
  for (const Json& e : sim_->events("deliver_sm_sent"))
    if (e["kind"].str() != "receipt") ++mo_parts;
  EXPECT_EQ(mo_parts, 3u);

  // The receipts (one per part of the multipart dispatch SMS too) mark every SMS delivered: the
  // dispatch, the confirmation and (wires hanging where children pass: urgent) the duty desk's
  // alert.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  long long delivered = 0, total = 0;
  while ((delivered < 3 || delivered < total) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    const auto counts = open_store().outbox_counts();
    if (!counts) continue;
    total = 0;
    for (const auto& [state, n] : counts.value) total += n;
    if (counts.value.count(store::OutboxState::delivered))
      delivered = counts.value.at(store::OutboxState::delivered);
  }
  EXPECT_EQ(delivered, 3);
  EXPECT_EQ(delivered, total);
  EXPECT_TRUE(tickets.front().urgent);
  EXPECT_NE(daemon_->log().find("receipt DELIVRD for SMS out"), std::string::npos);
}

// At a real SMSC's pace (a few submits a second) the first part of a long SMS is delivered, and
// its receipt arrives, before the last part has its message id: every part still counts.
TEST_F(DaemonTest, ReceiptsForEveryPartOfALongSmsAtFiveTps) {
  write_config(ConfigExtras{"", "    tps: 5\n", ""});
  start_bound();
  sim_->command(Json::object({{"cmd", "set"}, {"dlr", true}}));  // a receipt per part, at once
  deliver(villager2, long_report, "udh8");
  ASSERT_TRUE(wait_sms_to(villager2, 10s));
  long long delivered = 0, total = 0, parts = 0;
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
    const auto counts = open_store().outbox_counts();
    if (!counts) continue;
    total = 0;
    for (const auto& [state, n] : counts.value) total += n;
    delivered = counts.value.count(store::OutboxState::delivered)
                    ? counts.value.at(store::OutboxState::delivered)
                    : 0;
    if (total > 0 && delivered == total) break;
  }
  EXPECT_EQ(delivered, total) << "every SMS, each of several parts, delivered";
  EXPECT_GE(total, 3);  // dispatch, confirmation, the duty desk's alert
  store::Store store = open_store();
  for (std::int64_t id = 1; id <= total; ++id) {
    const auto row = store.find_outbox(id);
    ASSERT_TRUE(row && row.value) << id;
    for (const store::OutboxPart& part : row.value->parts) {
      EXPECT_EQ(part.state, store::OutboxState::delivered) << "SMS " << id << " part " << part.part;
      ++parts;
    }
  }
  EXPECT_GT(parts, total);  // some were long
  // The receipt of an early part came before the last part had its id, and still counted.
  EXPECT_NE(daemon_->log().find("it came before its id"), std::string::npos) << daemon_->log();
  EXPECT_EQ(daemon_->log().find("for unknown message id"), std::string::npos);
}

TEST_F(DaemonTest, SigtermUnbindsCleanlyAndExitsZero) {
  watchdog_usec_ = "300000";  // as systemd's WatchdogSec=0.3s would set it
  start_bound();
  // WATCHDOG=1 every half period; the status line after the bind.
  EXPECT_TRUE(notify_->wait_for("WATCHDOG=1", 2s));
  EXPECT_TRUE(notify_->wait_for("STATUS=bound to 1/1 SMSC, 0 open tickets, outbox 0 queued", 2s));
  daemon_->signal(SIGTERM);
  EXPECT_TRUE(notify_->wait_for("STOPPING=1", 5s));
  const auto unbind = sim_->wait_for("unbind");
  ASSERT_TRUE(unbind) << "no unbind";
  EXPECT_TRUE((*unbind)["answered"].boolean());
  EXPECT_EQ(daemon_->wait_exit(10s), std::optional<int>(0));
}

TEST_F(DaemonTest, CheckConfigReportsFileLineColumnAndExitsOne) {
  const fs::path broken = dir_ / "broken.yaml";
  std::string text = site_yaml(sim_->port(), {});
  // Line 9 ("    port: N") gets a value that is not a port.
  text.replace(text.find("port: "),
               std::string("port: ").size() + std::to_string(sim_->port()).size(), "port: seventy");
  write_file(broken, text);
  const ProgramResult bad = run_program({LIANXIND_PATH, "--check-config", broken.string()});
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find(broken.string() + ":9:11: "), std::string::npos) << bad.output;
  EXPECT_NE(bad.output.find("port"), std::string::npos) << bad.output;
  EXPECT_TRUE(has_file_line_column(bad.output, broken.string()));
  EXPECT_FALSE(has_file_line_column("x.yaml:9: no column", "x.yaml"));

  const ProgramResult good = run_program({LIANXIND_PATH, "--check-config", config_path().string()});
  EXPECT_EQ(good.exit_code, 0) << good.output;
  EXPECT_NE(good.output.find("is valid"), std::string::npos) << good.output;
  // The password is never printed, even when rendering the configuration.
  const ProgramResult rendered =
      run_program({LIANXIND_PATH, "--check-config", config_path().string(), "--render"});
  EXPECT_EQ(rendered.exit_code, 0) << rendered.output;
  EXPECT_EQ(rendered.output.find("secret"), std::string::npos) << rendered.output;

  EXPECT_EQ(run_program({LIANXIND_PATH, "--bogus"}).exit_code, 2);
  EXPECT_EQ(run_program({LIANXIND_PATH}).exit_code, 2);
  EXPECT_EQ(run_program({LIANXIND_PATH, "--version"}).exit_code, 0);
}

TEST_F(DaemonTest, SighupWithBrokenConfigKeepsRunning) {
  start_bound();
  write_file(config_path(), "smpp: [\n");  // broken YAML
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(daemon_->wait_for_log("reload refused", 5s)) << daemon_->log();
  EXPECT_TRUE(has_file_line_column(daemon_->log(), config_path().string())) << daemon_->log();
  EXPECT_TRUE(daemon_->running());
  // Still bound, still serving with the old configuration.
  deliver(villager, "我家门口的垃圾好几天没人清运了");
  ASSERT_TRUE(wait_sms_to(villager));
  EXPECT_EQ(sim_->events("unbind").size(), 0u);

  // A valid configuration is taken on the next SIGHUP.
  write_config();
  daemon_->signal(SIGHUP);
  EXPECT_TRUE(daemon_->wait_for_log("reloaded:", 5s));
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait_exit(10s), std::optional<int>(0));
}

TEST_F(DaemonTest, RestartAfterKillKeepsTheTicketAndItsNumbers) {
  start_bound();
  deliver(villager, "石板桥的栏杆断了一截，小孩过桥很危险");
  ASSERT_TRUE(wait_sms_to(villager));
  const auto before = tickets_reported_by("+8613800000051");
  ASSERT_EQ(before.size(), 1u);
  daemon_->signal(SIGKILL);
  ASSERT_TRUE(daemon_->wait_exit(5s));

  start_bound();
  deliver(villager2, "后山的路被塌方的土堵住了");
  ASSERT_TRUE(wait_sms_to(villager2));
  const auto after = tickets_reported_by("+8613800000053");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_GT(after.front().number, before.front().number);
  EXPECT_EQ(ticket(before.front().number)->state, domain::TicketState::dispatched);
}

// Another process holds the database's write lock past the busy timeout: the commit fails, the
// SMSC is told "temporary error, deliver again" (ESME_RX_T_APPN), nothing is acknowledged that
// was not stored, and lianxind unbinds and exits 1 so systemd restarts it from the database.
TEST_F(DaemonTest, StorageFailureRefusesTheMessageAndExitsOne) {
  start_bound();
  ChildProcess locker(
      {"/usr/bin/sqlite3", database().string(), "BEGIN IMMEDIATE;", ".shell sleep 8"},
      dir_ / "sqlite3.log");
  std::this_thread::sleep_for(300ms);  // let it take the lock
  ASSERT_TRUE(locker.running()) << locker.log();

  const Json ack = sim_->command(Json::object({{"cmd", "deliver"},
                                               {"from", villager},
                                               {"to", service_number},
                                               {"text", "水管爆了"},
                                               {"split", "none"}}));
  const auto done = sim_->wait_for(
      "deliver_done", [&](const Json& e) { return e["id"].str() == ack["id"].str(); }, 10s);
  ASSERT_TRUE(done);
  EXPECT_FALSE((*done)["ok"].boolean());
  EXPECT_EQ((*done)["statuses"][0].integer(), 0x64) << done->dump();  // ESME_RX_T_APPN
  EXPECT_TRUE(sim_->wait_for("unbind", {}, 10s)) << "no clean unbind";
  EXPECT_EQ(daemon_->wait_exit(10s), std::optional<int>(1));
  EXPECT_TRUE(sim_->events("message").empty()) << "an SMS went out for an unstored message";
  EXPECT_NE(daemon_->log().find("commit failed"), std::string::npos);
}

}  // namespace
}  // namespace lianxin::testing
