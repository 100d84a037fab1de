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

namespace lianxin::testing {
namespace {

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

std::string demo(const char* name) {
  return std::string(LIANXIN_SOURCE_DIR) + "/config/demo/" + name;
}

std::string config_yaml(std::uint16_t port, const std::string& inbox_dedupe_window) {
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

bool ends_with(const std::string& text, const std::string& tail) {
  return text.size() >= tail.size() &&
         text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// "123" → "１２３" (full-width digits, as Chinese input methods type them).
std::string full_width(const std::string& digits) {
  std::string out;
  for (char c : digits) {
    out += "\xEF\xBC";
    out += static_cast<char>(0x90 + (c - '0'));
  }
  return out;
}

// 138****0051: how other people's numbers appear in SMS.
std::string masked(const std::string& national) {
  return national.substr(0, 3) + "****" + national.substr(national.size() - 4);
}

std::string e164(const std::string& national) {
  return "+86" + national;
}

// The digits right after `marker` in `text` (e.g. the ticket number after "工单号").
std::optional<TicketNo> number_after(const std::string& text, const std::string& marker) {
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

// ---- Reports ----

TEST_F(LoopTest, ThreePartChineseReportOutOfOrderIsOneTicket) {
  ASSERT_NO_FATAL_FAILURE(start());
  // 16-bit UDH references, parts arriving 3, 1, 2.
  ASSERT_TRUE(deliver_command(Json::object({{"from", kWang},
                                            {"text", kLongReport},
                                            {"encoding", "ucs2"},
                                            {"split", "udh16"},
                                            {"order", Json::array({3, 1, 2})}})));
  const auto confirmation = sms_to(kWang, "工单号");
  ASSERT_TRUE(confirmation);
  const auto tickets = tickets_of(kWang);
  ASSERT_EQ(tickets.size(), 1u);
  const domain::Ticket& t = tickets.front();
  EXPECT_EQ(t.text, kLongReport);
  EXPECT_EQ(t.grid, std::optional<std::string>("g-daxi"));
  EXPECT_EQ(t.state, TicketState::dispatched);
  EXPECT_EQ(number_after(*confirmation, "工单号"), std::optional<TicketNo>(t.number));

  // The dispatch SMS (itself several parts) carries the whole report, the village, and the
  // villager's number masked.
  const auto dispatch =
      sim_->wait_for("message", [&](const Json& e) { return !ends_with(e["to"].str(), kWang); });
  ASSERT_TRUE(dispatch);
  const std::string text = (*dispatch)["text"].str();
  EXPECT_TRUE(ends_with((*dispatch)["to"].str(), kMemberPhones.at(*t.assignee))) << text;
  EXPECT_GT((*dispatch)["parts"].integer(), 1) << dispatch->dump();
  EXPECT_TRUE(contains(text, "新工单" + std::to_string(t.number) + "：大溪边村")) << text;
  EXPECT_TRUE(contains(text, kLongReport)) << text;
  EXPECT_TRUE(contains(text, "138****0053")) << text;
  EXPECT_FALSE(contains(text, kWang)) << text;
  EXPECT_EQ(inbox_rows_from(kWang), 3);
}

// ---- Member commands ----

TEST_F(LoopTest, AcceptInEveryForm) {
  ASSERT_NO_FATAL_FAILURE(start());
  struct Case {
    const char* villager;
    const char* report;
    std::string (*command)(const std::string& ticket);
  };
  const Case cases[] = {
      {kZhang, "村口路灯坏了，晚上很黑", [](const std::string& n) { return "接 " + n; }},
      {kLi, "石塘村祠堂边的水管漏水了", [](const std::string& n) { return "JD " + n; }},
      {kZhao, "下淤村桥头的垃圾好几天没人清运了", [](const std::string& n) { return "接单" + n; }},
      {kSun, "白沙街路面塌了一个大坑", [](const std::string& n) { return "接" + full_width(n); }},
  };
  for (const Case& c : cases) {
    const auto filed = report(c.villager, c.report);
    ASSERT_TRUE(filed) << c.report;
    const std::string command = c.command(filed->ticket);
    const auto reply = exchange(filed->member, command, "已接单" + filed->ticket);
    ASSERT_TRUE(reply) << command;
    EXPECT_TRUE(contains(*reply, "完成" + filed->ticket)) << *reply;
    ASSERT_TRUE(wait_state(filed->number, TicketState::accepted)) << command;
    const auto t = ticket(filed->number);
    EXPECT_TRUE(t->accepted_at) << command;
    const auto events = history(filed->number);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().to, TicketState::accepted);
    EXPECT_EQ(events.back().actor, filed->member_id);
  }
}

TEST_F(LoopTest, ResolveFormsAndRatingsCloseTicketsAndEarnPoints) {
  ASSERT_NO_FATAL_FAILURE(start());
  struct Case {
    const char* villager;
    const char* report;
    const char* resolve;  // {} is the ticket number
    const char* resolution;
    const char* rating;
    int stars;
  };
  const Case cases[] = {
      {kZhang, "村口路灯坏了，晚上很黑", "完成 {} 已修复", "已修复", "5", 5},
      {kLi, "石塘村祠堂边的水管漏水了", "办结{}", "", "５", 5},
      {kWang, "老樟树下的垃圾桶满了没人清运", "WC {} ok", "ok", "五", 5},
      {kZhao, "下淤村桥头的路灯不亮了", "完成{} 换了灯泡", "换了灯泡", "满意", 5},
      {kSun, "白沙街路面塌了一个大坑", "办结 {} 已填平", "已填平", "1", 1},
  };
  std::map<std::string, long long> expected_points;
  for (const Case& c : cases) {
    const auto filed = report(c.villager, c.report);
    ASSERT_TRUE(filed) << c.report;
    std::string resolve = c.resolve;
    resolve.replace(resolve.find("{}"), 2, filed->ticket);

    ASSERT_TRUE(deliver(filed->member, resolve));
    const auto done = sms_to(filed->member, "工单" + filed->ticket + "已办结");
    ASSERT_TRUE(done) << resolve;
    const auto ask = sms_to(c.villager, "（工单" + filed->ticket + "）。回复5表示满意");
    ASSERT_TRUE(ask) << resolve;
    ASSERT_TRUE(wait_state(filed->number, TicketState::resolved)) << resolve;
    EXPECT_EQ(ticket(filed->number)->resolution, c.resolution) << resolve;

    const auto thanks = exchange(c.villager, c.rating, "谢谢您的评价！工单" + filed->ticket);
    ASSERT_TRUE(thanks) << c.rating;
    // The default rating points, signed around a neutral 3.
    const int points = std::array{-5, -3, 0, 5, 10}[static_cast<std::size_t>(c.stars - 1)];
    const auto rated =
        sms_to(filed->member, "工单" + filed->ticket + "群众评价" + std::to_string(c.stars) +
                                  "分，积分" + (points >= 0 ? "+" : "") + std::to_string(points));
    EXPECT_TRUE(rated) << c.rating;
    ASSERT_TRUE(wait_state(filed->number, TicketState::closed)) << c.rating;
    const auto t = ticket(filed->number);
    EXPECT_EQ(t->rating, std::optional<int>(c.stars)) << c.rating;
    EXPECT_EQ(t->close_reason, domain::CloseReason::rated) << c.rating;
    expected_points[filed->member_id] += points;
  }
  for (const auto& [member, points] : expected_points) EXPECT_EQ(points_of(member), points);
}

TEST_F(LoopTest, HandBackGoesToTheNextCandidate) {
  ASSERT_NO_FATAL_FAILURE(start());
  const auto filed = report(kZhang, "大溪边村老樟树下的路灯杆歪了");
  ASSERT_TRUE(filed);

  // 退 N reason: the next member of the grid gets it, with the reason.
  ASSERT_TRUE(deliver(filed->member, "退 " + filed->ticket + " 不在村"));
  const auto handed = sms_to(filed->member, "工单" + filed->ticket + "已退回，改派");
  ASSERT_TRUE(handed);
  const auto over = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "转来工单" + filed->ticket + "（前一位退回：不在村）");
  });
  ASSERT_TRUE(over);
  const std::string second = (*over)["to"].str().substr((*over)["to"].str().size() - 11);
  EXPECT_NE(second, filed->member);
  EXPECT_TRUE(contains((*over)["text"].str(), masked(kZhang))) << (*over)["text"].str();
  auto t = ticket(filed->number);
  ASSERT_TRUE(t && t->assignee);
  EXPECT_EQ(kMemberPhones.at(*t->assignee), second);
  EXPECT_EQ(t->state, TicketState::dispatched);
  EXPECT_EQ(t->tried, (std::vector<std::string>{filed->member_id, *t->assignee}));

  // TH N without a reason: a third member.
  ASSERT_TRUE(deliver(second, "TH" + filed->ticket));
  ASSERT_TRUE(sms_to(second, "工单" + filed->ticket + "已退回"));
  const auto third_sms = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "转来工单" + filed->ticket + "（前一位退回：未说明）");
  });
  ASSERT_TRUE(third_sms);
  t = ticket(filed->number);
  ASSERT_TRUE(t && t->assignee);
  const std::string third = kMemberPhones.at(*t->assignee);
  EXPECT_TRUE(ends_with((*third_sms)["to"].str(), third));
  EXPECT_NE(third, filed->member);
  EXPECT_NE(third, second);
  EXPECT_EQ(t->tried.size(), 3u);

  // The first member no longer holds it.
  const auto not_yours =
      exchange(filed->member, "接 " + filed->ticket, "工单" + filed->ticket + "不是派给您的");
  EXPECT_TRUE(not_yours);
  EXPECT_EQ(ticket(filed->number)->state, TicketState::dispatched);
}

TEST_F(LoopTest, MyTicketsPointsAndSignIn) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string zhou = kMemberPhones.at("m-zhou");
  EXPECT_TRUE(exchange(zhou, "我的", "您目前没有待办工单。"));
  EXPECT_TRUE(exchange(zhou, "积分", "您的积分：0分。"));

  const auto filed = report(kLi, "石塘村祠堂边的路灯不亮了");
  ASSERT_TRUE(filed);
  const auto list = exchange(filed->member, "WD", "您有1件工单：");
  ASSERT_TRUE(list);
  EXPECT_TRUE(contains(*list, filed->ticket + "号待接单")) << *list;

  ASSERT_TRUE(exchange(filed->member, "接" + filed->ticket, "已接单" + filed->ticket));
  const auto accepted_list = exchange(filed->member, "我的工单", "您有1件工单：");
  ASSERT_TRUE(accepted_list);
  EXPECT_TRUE(contains(*accepted_list, filed->ticket + "号处理中")) << *accepted_list;

  ASSERT_TRUE(exchange(filed->member, "完成" + filed->ticket + " 换了灯泡", "已办结"));
  ASSERT_TRUE(exchange(kLi, "满意", "谢谢您的评价"));
  ASSERT_TRUE(wait_state(filed->number, TicketState::closed));
  EXPECT_TRUE(exchange(filed->member, "JF", "您的积分：10分。"));
  EXPECT_EQ(points_of(filed->member_id), 10);

  // No meeting was created (lianxinctl meeting create): the member is told, nothing is recorded.
  const auto sign_in = exchange(filed->member, "签到 M12", "没有会议M12");
  ASSERT_TRUE(sign_in);
  EXPECT_EQ(*sign_in, std::string(kSignature) + "没有会议M12，请核对会议编号。");
  EXPECT_TRUE(exchange(filed->member, "QD m7", "没有会议M7"));
}

TEST_F(LoopTest, NumberOmittedWithOneOpenTicketAndWrongNumbers) {
  ASSERT_NO_FATAL_FAILURE(start());
  // Grid members take tickets (the grid leader is a fallback): 石塘村 has one (m-sun), 下淤村
  // has one (m-zhao). So m-sun gets one ticket and m-zhao two.
  const auto one = report(kLi, "石塘村祠堂边的路灯不亮了");
  ASSERT_TRUE(one);
  const Filed& single = *one;
  EXPECT_EQ(single.member_id, "m-sun");
  std::vector<Filed> two;
  for (const auto& [villager, text] : {std::pair{kZhao, "下淤村桥头的路灯不亮了"},
                                       std::pair{"13900000062", "下淤村村口的垃圾没人清运"}}) {
    const auto f = report(villager, text);
    ASSERT_TRUE(f) << text;
    two.push_back(*f);
  }
  const std::string busy = two[0].member;
  ASSERT_EQ(two[1].member, busy) << "both 下淤村 tickets go to its one grid member";
  ASSERT_NE(busy, single.member);

  // Exactly one open ticket: the number may be omitted.
  EXPECT_TRUE(exchange(single.member, "接", "已接单" + single.ticket));
  ASSERT_TRUE(wait_state(single.number, TicketState::accepted));
  EXPECT_TRUE(exchange(single.member, "完成，已修好", "工单" + single.ticket + "已办结"));
  ASSERT_TRUE(wait_state(single.number, TicketState::resolved));
  EXPECT_EQ(ticket(single.number)->resolution, "已修好");

  // Two open tickets: the reply lists them and shows the command with a number.
  const auto which = exchange(busy, "接单", "您有2件工单：");
  ASSERT_TRUE(which);
  for (const Filed& f : two) EXPECT_TRUE(contains(*which, f.ticket)) << *which;
  EXPECT_TRUE(contains(*which, "如：接" + two[0].ticket)) << *which;
  for (const Filed& f : two) EXPECT_EQ(ticket(f.number)->state, TicketState::dispatched);

  // Someone else's ticket, and a ticket that does not exist: clear replies, nothing changes.
  EXPECT_TRUE(
      exchange(busy, "完成 " + single.ticket + " 修好了", "工单" + single.ticket + "不是派给您的"));
  EXPECT_EQ(ticket(single.number)->state, TicketState::resolved);
  EXPECT_TRUE(exchange(busy, "JD 99999", "没有工单99999"));
  EXPECT_FALSE(ticket(99999));
}

// ---- Villagers ----

TEST_F(LoopTest, ReopenWithZeroAndWeiJieJueGoesBackToTheMember) {
  ASSERT_NO_FATAL_FAILURE(start());
  const auto filed = report(kWang, "老樟树下的路灯一直闪，晚上看不清路");
  ASSERT_TRUE(filed);
  ASSERT_TRUE(exchange(filed->member, "接 " + filed->ticket, "已接单"));
  ASSERT_TRUE(exchange(filed->member, "完成 " + filed->ticket + " 换了新灯泡", "已办结"));
  ASSERT_TRUE(sms_to(kWang, "回复5表示满意"));

  struct Round {
    const char* reopen;
    std::string accept;
    std::string resolve;
  };
  const Round rounds[] = {
      {"0", "JD" + filed->ticket, "办结" + filed->ticket},
      {"未解决", "", ""},
  };
  int reopened = 0;
  for (const Round& round : rounds) {
    const auto told = exchange(kWang, round.reopen, "工单" + filed->ticket + "已重新交办");
    ASSERT_TRUE(told) << round.reopen;
    ASSERT_TRUE(wait_state(filed->number, TicketState::reopened)) << round.reopen;
    ++reopened;
    const auto again = sms_to(filed->member, "工单" + filed->ticket + "群众反映没解决，请再处理");
    ASSERT_TRUE(again) << round.reopen;
    EXPECT_TRUE(contains(*again, masked(kWang))) << *again;
    EXPECT_TRUE(contains(*again, "接" + filed->ticket)) << *again;
    const auto t = ticket(filed->number);
    EXPECT_EQ(t->assignee, std::optional<std::string>(filed->member_id));
    EXPECT_FALSE(t->rating);
    if (round.accept.empty()) break;
    ASSERT_TRUE(exchange(filed->member, round.accept, "已接单" + filed->ticket));
    ASSERT_TRUE(wait_state(filed->number, TicketState::accepted));
    ASSERT_TRUE(exchange(filed->member, round.resolve, "已办结"));
    ASSERT_TRUE(sms_to(kWang, "回复5表示满意"));
  }
  int reopen_events = 0;
  for (const auto& e : history(filed->number))
    if (e.to == TicketState::reopened) ++reopen_events;
  EXPECT_EQ(reopen_events, reopened);
  EXPECT_EQ(reopened, 2);
  EXPECT_EQ(tickets_of(kWang).size(), 1u);
}

TEST_F(LoopTest, QueryCancelAndUnsubscribe) {
  ASSERT_NO_FATAL_FAILURE(start());
  EXPECT_TRUE(exchange(kSun, "查询", "您目前没有在办的工单"));
  const auto filed = report(kSun, "白沙街路面塌了一个大坑");
  ASSERT_TRUE(filed);
  const auto status = exchange(kSun, "CX", "您的工单：");
  ASSERT_TRUE(status);
  EXPECT_TRUE(contains(*status, filed->ticket + "号已派人处理")) << *status;

  // Someone else cannot cancel it.
  EXPECT_TRUE(exchange(kLi, "取消 " + filed->ticket, "没有找到您的工单" + filed->ticket));
  EXPECT_EQ(ticket(filed->number)->state, TicketState::dispatched);

  EXPECT_TRUE(exchange(kSun, "取消 " + filed->ticket, "工单" + filed->ticket + "已取消。"));
  EXPECT_TRUE(sms_to(filed->member, "工单" + filed->ticket + "已被群众取消"));
  ASSERT_TRUE(wait_state(filed->number, TicketState::cancelled));
  EXPECT_EQ(ticket(filed->number)->close_reason, domain::CloseReason::cancelled);
  const auto after = exchange(kSun, "查询 " + filed->ticket, "您的工单：");
  ASSERT_TRUE(after);
  EXPECT_TRUE(contains(*after, filed->ticket + "号")) << *after;
  EXPECT_FALSE(contains(*after, "已派人处理")) << *after;
  // 查询 lists what is open first and counts the rest.
  const auto second = report(kSun, "白沙街的路灯晚上都不亮");
  ASSERT_TRUE(second);
  const auto listed = exchange(kSun, "查询", "另有1件已结束");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(contains(*listed, "您的工单：" + second->ticket + "号已派人处理")) << *listed;

  // 退订 (villager) and TD (member): recorded, confirmed.
  EXPECT_EQ(subscribed(kSun), std::optional<bool>(true));
  EXPECT_TRUE(exchange(kSun, "退订", "已退订通知。"));
  EXPECT_TRUE(exchange(filed->member, "TD", "已退订通知。"));
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (std::chrono::steady_clock::now() < deadline &&
         (subscribed(kSun) != std::optional<bool>(false) ||
          subscribed(filed->member) != std::optional<bool>(false)))
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(subscribed(kSun), std::optional<bool>(false));
  EXPECT_EQ(subscribed(filed->member), std::optional<bool>(false));
  EXPECT_EQ(subscribed(kZhang), std::optional<bool>(true));
}

TEST_F(LoopTest, DuplicateReportAndAddedTextJoinTheTicket) {
  ASSERT_NO_FATAL_FAILURE(start("0s"));
  const std::string text = "村口两盏路灯杆被大风刮倒了";
  const auto filed = report(kZhang, text);
  ASSERT_TRUE(filed);

  const auto duplicate =
      exchange(kZhang, text, "工单" + filed->ticket + "已在处理中，不用重复发送");
  ASSERT_TRUE(duplicate);
  EXPECT_EQ(inbox_rows_from(kZhang), 2);  // both stored: the engine saw the repeat

  const std::string note = "两盏灯都不亮了，小孩放学要经过";  // the same problem
  const auto joined = exchange(kZhang, note, "您补充的内容已转给工单" + filed->ticket);
  ASSERT_TRUE(joined);
  const auto forwarded = sms_to(filed->member, "工单" + filed->ticket + "群众补充：" + note);
  EXPECT_TRUE(forwarded);

  const auto tickets = tickets_of(kZhang);
  ASSERT_EQ(tickets.size(), 1u);
  EXPECT_EQ(tickets.front().text, text);
  bool noted = false;
  for (const auto& n : tickets.front().notes) noted = noted || n.text == note;
  EXPECT_TRUE(noted);
  // One dispatch only: no SMS other than the note reached any other member.
  std::size_t dispatches = 0;
  for (const Json& e : sim_->events("message"))
    if (contains(e["text"].str(), "新工单")) ++dispatches;
  EXPECT_EQ(dispatches, 1u);

  // Another problem inside the window is not a note: its own ticket, to its own member.
  ASSERT_TRUE(deliver(kZhang, "还有我家门口的垃圾好几天没人收了"));
  ASSERT_TRUE(sms_to(kZhang, "工单号" + std::to_string(filed->number + 1)));
  EXPECT_EQ(tickets_of(kZhang).size(), 2u);
}

TEST_F(LoopTest, FollowUpQuestionAnsweredWithAVillageName) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string stranger = "13900000071";  // not in the directory
  const std::string text = "家门口的路灯坏了好几天了";
  ASSERT_TRUE(deliver(stranger, text));
  const auto question = sms_to(stranger, "请问您在哪个村");
  ASSERT_TRUE(question);
  const auto number = number_after(*question, "工单号");
  ASSERT_TRUE(number) << *question;
  const std::string ticket_no = std::to_string(*number);
  ASSERT_TRUE(wait_state(*number, TicketState::awaiting_location));
  EXPECT_FALSE(ticket(*number)->grid);
  EXPECT_FALSE(ticket(*number)->assignee);

  ASSERT_TRUE(deliver(stranger, "我在石塘村"));
  const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "新工单" + ticket_no + "：石塘村");
  });
  ASSERT_TRUE(dispatch);
  const std::string member = (*dispatch)["to"].str();
  EXPECT_TRUE(ends_with(member, kMemberPhones.at("m-zhou")) ||
              ends_with(member, kMemberPhones.at("m-sun")))
      << member;
  EXPECT_TRUE(contains((*dispatch)["text"].str(), text));
  EXPECT_TRUE(contains((*dispatch)["text"].str(), "139****0071"));
  EXPECT_TRUE(sms_to(stranger, "工单号" + ticket_no));
  ASSERT_TRUE(wait_state(*number, TicketState::dispatched));
  const auto t = ticket(*number);
  EXPECT_EQ(t->grid, std::optional<std::string>("g-shitang"));
  EXPECT_EQ(tickets_of(stranger).size(), 1u);
}

TEST_F(LoopTest, RatingWithNothingAwaitingGetsAHintAndNoTicket) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::pair<const char*, const char*> tries[] = {
      {"13900000081", "5"}, {"13900000082", "满意"}, {"13900000083", "0"}, {kZhang, "五"}};
  for (const auto& [who, text] : tries) {
    const auto hint = exchange(who, text, "您没有待评价的工单");
    ASSERT_TRUE(hint) << text;
    EXPECT_TRUE(tickets_of(who).empty()) << text;
  }
  EXPECT_EQ(sim_->events("message").size(), 4u);
}

TEST_F(LoopTest, UnknownCommandsGetOneLineOfHelp) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string member = kMemberPhones.at("m-wang");
  const auto help = exchange(member, "XYZ", "回复：接123");
  ASSERT_TRUE(help);
  EXPECT_EQ(help->rfind(kSignature, 0), 0u) << *help;
  EXPECT_EQ(help->find('\n'), std::string::npos) << *help;
  EXPECT_TRUE(contains(*help, "完成123")) << *help;
  EXPECT_TRUE(contains(*help, "我的")) << *help;

  // A malformed command and a bare acknowledgement are not silence either.
  EXPECT_TRUE(exchange(member, "接 12a", "回复：接123"));
  EXPECT_TRUE(exchange(member, "收到", "接单请回复：接+工单号"));  // one short line
  // A villager's command-shaped junk gets the villagers' help, not a ticket.
  EXPECT_TRUE(exchange("13900000091", "ok", "没看懂您的短信"));
  EXPECT_TRUE(tickets_of("13900000091").empty());
  EXPECT_TRUE(tickets_of(member).empty());
}

// ---- Garbage and re-delivery ----

TEST_F(LoopTest, GarbageInboundIsSurvived) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string member = kMemberPhones.at("m-li");
  // Invalid UTF-8 / 8-bit junk in data_coding 0, from a member and from a villager.
  EXPECT_TRUE(deliver_hex(member, "c328fffe80e4b8", 0));
  EXPECT_TRUE(deliver_hex("13900000092", "ff80c0afeda080", 0));
  // Odd-length UCS-2 and a lone surrogate.
  EXPECT_TRUE(deliver_hex("13900000093", "4e2d4e", 8));
  EXPECT_TRUE(deliver_hex("13900000094", "d800", 8));
  // Empty text.
  EXPECT_TRUE(deliver_hex("13900000095", "", 0));
  EXPECT_TRUE(deliver_hex(member, "", 8));

  // Still serving: a villager and the member are answered.
  EXPECT_TRUE(exchange(kZhao, "查询", "您目前没有在办的工单"));
  EXPECT_TRUE(exchange(member, "WD", "您目前没有待办工单"));
  EXPECT_TRUE(daemon_->running());
  // Stored once each, and never silence for what cannot be read: those senders get help. The
  // odd-length UCS-2 text still holds one ideograph, 中 ("OK" in many villages): read as an
  // acknowledgement, it gets no ticket and no reply, as every 好的 does.
  for (const char* from : {"13900000092", "13900000093", "13900000094", "13900000095"}) {
    EXPECT_EQ(inbox_rows_from(from), 1) << from;
    if (std::string(from) != "13900000093") {
      EXPECT_TRUE(sms_to(from, kSignature)) << from;
    }
  }
  EXPECT_TRUE(tickets_of("13900000093").empty());
  EXPECT_NE(daemon_->log().find("acknowledgement from"), std::string::npos);
  EXPECT_TRUE(sms_to(member, "回复：接123"));
  EXPECT_TRUE(sms_to(member, "回复：接123"));
  store::Store store = open_store();
  const auto unprocessed = store.unprocessed_inbox();
  ASSERT_TRUE(unprocessed);
  EXPECT_TRUE(unprocessed.value.empty());
}

TEST_F(LoopTest, SmscRedeliveryAfterReconnectIsStoredOnceAndMakesOneTicket) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string villager = "13900000096";
  const std::string text = "石塘村村口的垃圾好几天没人清运了";
  ASSERT_TRUE(deliver(villager, text));
  ASSERT_TRUE(sms_to(villager, "工单号"));
  // The link breaks; the SMSC did not trust our deliver_sm_resp and sends the MO again on the
  // next bind: that is a re-delivery, stored once and not answered twice.
  sim_->command(Json::object({{"cmd", "drop"}}));
  ASSERT_TRUE(sim_->wait_for(
      "bind", [](const Json& e) { return e["status"].integer() == 0; }, 10s))
      << "never bound again";
  ASSERT_TRUE(notify_->wait_for("STATUS=bound to 1/1 SMSC", 5s, true));
  ASSERT_TRUE(deliver(villager, text));
  ASSERT_TRUE(daemon_->wait_for_log("inbound part repeated by the SMSC", 3s));
  std::this_thread::sleep_for(500ms);  // any second answer would be out by now
  EXPECT_EQ(inbox_rows_from(villager), 1);
  EXPECT_EQ(tickets_of(villager).size(), 1u);
  EXPECT_EQ(sms_count_to(villager), 1u);
}

TEST_F(LoopTest, RepeatedPartOnOneBindIsStoredAndTheReportStaysWhole) {
  ASSERT_NO_FATAL_FAILURE(start());
  // A three-part report with part 2 sent twice on the same bind: every deliver_sm is stored
  // (the reassembler, not the inbox, recognises the copy), one intact ticket, one answer.
  const std::string other = "13900000097";
  const std::string long_text = "石塘村" + kLongReport;
  ASSERT_TRUE(deliver_command(
      Json::object({{"from", other}, {"text", long_text}, {"split", "udh8"}, {"duplicate", 2}})));
  ASSERT_TRUE(sms_to(other, "工单号"));
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(inbox_rows_from(other), 4);
  const auto long_tickets = tickets_of(other);
  ASSERT_EQ(long_tickets.size(), 1u);
  EXPECT_EQ(long_tickets.front().text, long_text);
  EXPECT_EQ(sms_count_to(other), 1u);
  // The copy is closed too: nothing is left to re-feed after a restart.
  store::Store store = open_store();
  const auto unprocessed = store.unprocessed_inbox();
  ASSERT_TRUE(unprocessed);
  EXPECT_TRUE(unprocessed.value.empty());
}

// The same text twice from a person on one bind reaches the engine: "already being handled".
TEST_F(LoopTest, IdenticalResendFromAVillagerIsAnsweredNotSilenced) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string text = "村口两盏路灯杆被大风刮倒了";
  const auto filed = report(kZhang, text);
  ASSERT_TRUE(filed);
  EXPECT_TRUE(exchange(kZhang, text, "工单" + filed->ticket + "已在处理中，不用重复发送"));
  EXPECT_EQ(inbox_rows_from(kZhang), 2);
  EXPECT_EQ(tickets_of(kZhang).size(), 1u);
}

}  // namespace
}  // namespace lianxin::testing
