// lianxin's Asio ESME client (protocol/esme.hpp) against the independent SMSC simulator.
//
// Every test runs its own simulator on a free loopback port and drives one io_context on the test
// thread: SmscSim::wait_for() pumps it while waiting, run_until() pumps it until a condition holds.
// Timeouts and backoffs are shortened so failure paths take about a second.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "protocol/asio.hpp"
#include "protocol/esme.hpp"
#include "protocol/receipt.hpp"
#include "protocol/transport.hpp"
#include "tests/integration/smsc_sim.hpp"

namespace lianxin::sim {
namespace {

using namespace std::chrono_literals;
using smpp::ConnectionConfig;
using smpp::SmppTransport;
using transport::InboundPart;
using transport::InboundSms;
using transport::LinkStatus;
using transport::OutboundSms;
using transport::SendResult;
using transport::SendStatus;

constexpr const char* villager = "13800000001";
constexpr const char* service_number = "12345";
// 165 characters: three UCS-2 parts (67 + 67 + 31), and at most 66 a part when forced into three.
const std::string long_report =
    "村口两盏路灯杆被大风刮倒了，电线垂在路边，晚上孩子放学要从那里经过，老人也经常在那里散步，"
    "非常危险。请尽快派人来处理一下，把电线收好，把灯杆扶起来或者先拉上警戒线。另外村东头的水渠"
    "也有一段堵住了，下雨天水漫到路上，麻烦一起看看。这几天晚上风还很大，我们怕再出事，希望村里"
    "能在天黑之前安排人过来看一下。谢谢！——住在村口第三户的老王";

class EsmeAgainstSimulator : public ::testing::Test {
 protected:
  void TearDown() override {
    if (transport_) {
      bool stopped = false;
      transport_->stop([&] { stopped = true; });
      run_until([&] { return stopped; }, 5s);
      transport_.reset();
    }
    if (HasFailure() && sim_) {
      std::cerr << "---- simulator events ----\n" << sim_->transcript();
      std::cerr << "---- lianxin log ----\n";
      for (const auto& line : log_) std::cerr << line << "\n";
    }
  }

  SmscSim& start_sim(std::vector<std::string> args = {"--password", "secret"}) {
    sim_ = std::make_unique<SmscSim>(std::move(args));
    sim_->set_pump([this] { io_.run_for(5ms); });
    return *sim_;
  }

  ConnectionConfig config() const {
    ConnectionConfig c;
    c.host = "127.0.0.1";
    c.port = std::to_string(sim_->port());
    c.session.name = "sim";
    c.session.system_id = "lianxin";
    c.session.password = "secret";
    c.session.connect_timeout = 2s;
    c.session.bind_timeout = 1s;
    c.session.response_timeout = 1s;
    c.session.enquire_link_interval = 10s;
    c.session.reconnect_min = 100ms;
    c.session.reconnect_max = 400ms;
    c.session.throttle_pause = 100ms;
    c.session.throttle_pause_max = 400ms;
    c.session.unbind_grace = 1s;
    c.default_source.addr = service_number;
    return c;
  }

  void start_transport(ConnectionConfig c) {
    transport_ = std::make_unique<SmppTransport>(
        io_, std::vector<ConnectionConfig>{std::move(c)},
        protocol::Logger(
            [this](const protocol::LogRecord& record) {
              log_.push_back(std::string(level_name(record.level)) + ": " + record.line());
            },
            LogLevel::debug));
    transport::Transport::Handlers handlers;
    handlers.inbound = [this](const InboundPart& part) {
      parts_.push_back(part);
      if (!store_inbound_) {
        transport_->acknowledge(part.ack, false);
        return;
      }
      for (auto& message : assembler_.add(part, parts_.size(), std::chrono::steady_clock::now()))
        messages_.push_back(std::move(message));
      transport_->acknowledge(part.ack, true);
    };
    handlers.sent = [this](const SendResult& result) { results_.push_back(result); };
    handlers.link = [this](const LinkStatus& status) { links_.push_back(status); };
    transport_->set_handlers(std::move(handlers));
    transport_->start();
  }

  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_for(5ms);
    }
    return true;
  }

  // Started simulator and transport, bound.
  void start_bound(ConnectionConfig c) {
    start_transport(std::move(c));
    ASSERT_TRUE(run_until([&] { return transport_->can_send(); }, 5s)) << "never bound";
    ASSERT_TRUE(sim_->wait_for("bind", [](const Json& e) { return e["status"].integer() == 0; }));
  }

  std::optional<SendResult> send_and_wait(OutboundSms sms, std::chrono::milliseconds timeout = 5s) {
    const std::uint64_t id = sms.id;
    EXPECT_EQ(transport_->send(sms), transport::SendAdmission::accepted);
    std::optional<SendResult> found;
    run_until(
        [&] {
          for (const auto& r : results_)
            if (r.id == id) found = r;
          return found.has_value();
        },
        timeout);
    return found;
  }

  std::size_t count_links(bool up) const {
    return static_cast<std::size_t>(std::count_if(
        links_.begin(), links_.end(), [up](const LinkStatus& s) { return s.up == up; }));
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<SmscSim> sim_;
  std::unique_ptr<SmppTransport> transport_;
  transport::InboundAssembler assembler_;
  bool store_inbound_ = true;
  std::vector<InboundPart> parts_;
  std::vector<InboundSms> messages_;
  std::vector<SendResult> results_;
  std::vector<LinkStatus> links_;
  std::vector<std::string> log_;
};

Json deliver(const std::string& text, const char* encoding, const char* split, const char* id) {
  return Json::object({{"cmd", "deliver"},
                       {"from", villager},
                       {"to", service_number},
                       {"text", text},
                       {"encoding", encoding},
                       {"split", split},
                       {"id", id}});
}

// ---- bind ----

TEST_F(EsmeAgainstSimulator, BindsAsTransceiver) {
  start_sim();
  start_bound(config());
  const auto bind = sim_->events("bind");
  ASSERT_EQ(bind.size(), 1u);
  EXPECT_EQ(bind[0]["system_id"].str(), "lianxin");
  EXPECT_EQ(bind[0]["mode"].str(), "transceiver");
  EXPECT_EQ(bind[0]["interface_version"].integer(), 0x34);
  ASSERT_GE(count_links(true), 1u);
}

TEST_F(EsmeAgainstSimulator, WrongPasswordIsRefusedAndReported) {
  start_sim();
  auto c = config();
  c.session.password = "wrong";
  start_transport(c);
  const auto bind = sim_->wait_for("bind");
  ASSERT_TRUE(bind);
  EXPECT_EQ((*bind)["result"].str(), "ESME_RINVPASWD");
  ASSERT_TRUE(run_until([&] { return count_links(false) >= 1; }, 3s));
  EXPECT_FALSE(transport_->can_send());
  EXPECT_EQ(count_links(true), 0u);
  EXPECT_FALSE(links_.back().detail.empty());
  // The password is never logged.
  for (const auto& line : log_) EXPECT_EQ(line.find("wrong"), std::string::npos) << line;
  // It keeps trying, at its longest backoff, in case the SMSC side is fixed.
  EXPECT_TRUE(sim_->wait_for("bind", {}, 3s));
}

// ---- enquire_link ----

TEST_F(EsmeAgainstSimulator, AnswersEnquireLinkFromTheSmsc) {
  start_sim();
  start_bound(config());
  sim_->command(Json::object({{"cmd", "enquire_link"}}));
  const auto resp = sim_->wait_for("enquire_link_resp");
  ASSERT_TRUE(resp);
  EXPECT_EQ((*resp)["status"].integer(), 0);
}

TEST_F(EsmeAgainstSimulator, SendsEnquireLinkWhenIdle) {
  start_sim();
  auto c = config();
  c.session.enquire_link_interval = 300ms;
  start_bound(c);
  EXPECT_TRUE(sim_->wait_for("enquire_link", {}, 3s));
  EXPECT_TRUE(sim_->wait_for("enquire_link", {}, 3s));  // and again
  EXPECT_TRUE(transport_->can_send());
}

TEST_F(EsmeAgainstSimulator, UnansweredEnquireLinkDropsAndReconnects) {
  start_sim();
  auto c = config();
  c.session.enquire_link_interval = 300ms;
  start_bound(c);
  sim_->command(Json::object({{"cmd", "set"}, {"answer_enquire_link", false}}));
  ASSERT_TRUE(sim_->wait_for("connection_closed", {}, 5s));
  ASSERT_TRUE(run_until([&] { return count_links(false) >= 1; }, 2s));
  sim_->command(Json::object({{"cmd", "set"}, {"answer_enquire_link", true}}));
  EXPECT_TRUE(sim_->wait_for(
      "bind", [](const Json& e) { return e["status"].integer() == 0; }, 5s));
}

// ---- MO ----

TEST_F(EsmeAgainstSimulator, ReceivesGsmText) {
  start_sim();
  start_bound(config());
  const std::string text = "Hello from the village {5} @ 3 EUR/€";
  sim_->command(deliver(text, "gsm", "udh8", "mo"));
  const auto done =
      sim_->wait_for("deliver_done", [](const Json& e) { return e["id"].str() == "mo"; });
  ASSERT_TRUE(done);
  EXPECT_TRUE((*done)["ok"].boolean());
  ASSERT_EQ(messages_.size(), 1u);
  EXPECT_EQ(messages_[0].text, text);
  EXPECT_EQ(messages_[0].from, villager);
  EXPECT_EQ(messages_[0].to, service_number);
  EXPECT_EQ(parts_.at(0).data_coding, 0);
}

TEST_F(EsmeAgainstSimulator, ReceivesChineseUcs2Text) {
  start_sim();
  start_bound(config());
  const std::string text = "村口路灯坏了，请派人修理。";
  sim_->command(deliver(text, "ucs2", "udh8", "mo"));
  ASSERT_TRUE(sim_->wait_for("deliver_done", [](const Json& e) { return e["ok"].boolean(); }));
  ASSERT_EQ(messages_.size(), 1u);
  EXPECT_EQ(messages_[0].text, text);
  EXPECT_EQ(parts_.at(0).data_coding, 8);
  EXPECT_FALSE(parts_.at(0).concat.has_value());
}

TEST_F(EsmeAgainstSimulator, FailedStoreIsAnsweredWithTemporaryError) {
  start_sim();
  start_bound(config());
  store_inbound_ = false;
  sim_->command(deliver("村口路灯坏了", "ucs2", "none", "mo"));
  const auto resp = sim_->wait_for("deliver_sm_resp");
  ASSERT_TRUE(resp);
  EXPECT_EQ((*resp)["status"].integer(), 0x64) << "ESME_RX_T_APPN, so the SMSC delivers it again";
}

struct MultipartCase {
  const char* split;
  bool ref_is_16bit;  // sar_msg_ref_num is a 16-bit reference too
  bool from_sar;
  friend std::ostream& operator<<(std::ostream& out, const MultipartCase& c) {
    return out << c.split;
  }
};

class MultipartMo : public EsmeAgainstSimulator,
                    public ::testing::WithParamInterface<MultipartCase> {};

TEST_P(MultipartMo, ReassemblesThreeChinesePartsOutOfOrderWithADuplicate) {
  start_sim();
  start_bound(config());
  Json command = deliver(long_report, "ucs2", GetParam().split, "long");
  command.set("parts", 3)
      .set("order", std::vector<int>{3, 1, 2})
      .set("duplicate", 1)
      .set("ref", 200);
  const Json ack = sim_->command(command);
  EXPECT_EQ(ack["parts"].integer(), 3);
  EXPECT_EQ(ack["sent"].integer(), 4);
  const auto done =
      sim_->wait_for("deliver_done", [](const Json& e) { return e["id"].str() == "long"; });
  ASSERT_TRUE(done);
  EXPECT_TRUE((*done)["ok"].boolean()) << done->dump();  // the duplicate is acknowledged too
  ASSERT_EQ(parts_.size(), 4u);
  for (const auto& part : parts_) {
    ASSERT_TRUE(part.concat.has_value());
    EXPECT_EQ(part.concat->total, 3);
    EXPECT_EQ(part.concat->ref, 200);
    EXPECT_EQ(part.concat->ref_is_16bit, GetParam().ref_is_16bit);
    EXPECT_EQ(part.concat->from_sar, GetParam().from_sar);
  }
  EXPECT_EQ(parts_[0].concat->seq, 3);
  ASSERT_EQ(messages_.size(), 1u);
  EXPECT_TRUE(messages_[0].complete);
  EXPECT_EQ(messages_[0].text, long_report);
  EXPECT_EQ(messages_[0].from, villager);
}

INSTANTIATE_TEST_SUITE_P(Concatenation, MultipartMo,
                         ::testing::Values(MultipartCase{"udh8", false, false},
                                           MultipartCase{"udh16", true, false},
                                           MultipartCase{"sar", true, true}),
                         [](const auto& info) { return std::string(info.param.split); });

// ---- MT ----

class LongMt : public EsmeAgainstSimulator,
               public ::testing::WithParamInterface<sms::ConcatMode> {};

TEST_P(LongMt, IsSplitByUsAndReassembledByTheSimulator) {
  start_sim();
  auto c = config();
  c.concat_mode = GetParam();
  start_bound(c);
  const std::string reply = "【连心桥】您反映的问题已登记，工单号 1024。" + long_report;
  const auto result = send_and_wait(OutboundSms{7, service_number, villager, reply, false, {}, {}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, SendStatus::submitted) << result->detail;
  const auto message = sim_->wait_for("message");
  ASSERT_TRUE(message);
  EXPECT_EQ((*message)["text"].str(), reply);
  EXPECT_EQ((*message)["from"].str(), service_number);
  EXPECT_EQ((*message)["to"].str(), villager);
  EXPECT_EQ((*message)["data_coding"].integer(), 8);
  EXPECT_EQ((*message)["message_ids"].strings(), result->message_ids);
  EXPECT_TRUE((*message)["errors"].items().empty()) << message->dump();
  switch (GetParam()) {
    case sms::ConcatMode::udh:
      EXPECT_EQ((*message)["concat"].str(), "udh8");
      EXPECT_EQ((*message)["parts"].integer(), 3);
      break;
    case sms::ConcatMode::sar:
      EXPECT_EQ((*message)["concat"].str(), "sar");
      EXPECT_EQ((*message)["parts"].integer(), 3);
      break;
    case sms::ConcatMode::payload:
      EXPECT_EQ((*message)["concat"].str(), "payload");
      EXPECT_EQ((*message)["parts"].integer(), 1);
      break;
  }
  for (const auto& submit : sim_->events("submit_sm"))
    EXPECT_LE(submit["sm_length"].integer(), 140);
}

INSTANTIATE_TEST_SUITE_P(Concatenation, LongMt,
                         ::testing::Values(sms::ConcatMode::udh, sms::ConcatMode::sar,
                                           sms::ConcatMode::payload),
                         [](const auto& info) {
                           switch (info.param) {
                             case sms::ConcatMode::udh:
                               return std::string("udh");
                             case sms::ConcatMode::sar:
                               return std::string("sar");
                             case sms::ConcatMode::payload:
                               return std::string("payload");
                           }
                           return std::string("?");
                         });

TEST_F(EsmeAgainstSimulator, ShortGsmMtIsOnePlainPart) {
  start_sim();
  start_bound(config());
  const auto result =
      send_and_wait(OutboundSms{1, service_number, villager, "JD123 ok", false, {}, {}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, SendStatus::submitted);
  ASSERT_EQ(result->message_ids.size(), 1u);
  const auto submit = sim_->wait_for("submit_sm");
  ASSERT_TRUE(submit);
  EXPECT_EQ((*submit)["data_coding"].integer(), 0);
  EXPECT_EQ((*submit)["text"].str(), "JD123 ok");
  EXPECT_EQ((*submit)["registered_delivery"].integer(), 0);
  EXPECT_EQ((*submit)["message_id"].str(), result->message_ids[0]);
}

// ---- delivery receipts ----

struct ReceiptCase {
  const char* form;
  const char* id_format;
  const char* stat;
  sms::DeliveryState state;
  friend std::ostream& operator<<(std::ostream& out, const ReceiptCase& c) {
    return out << c.form << "/" << c.id_format << "/" << c.stat;
  }
};

class Receipts : public EsmeAgainstSimulator, public ::testing::WithParamInterface<ReceiptCase> {};

TEST_P(Receipts, AreMatchedToTheSubmitsMessageId) {
  start_sim();
  start_bound(config());
  const auto result =
      send_and_wait(OutboundSms{3, service_number, villager, "【连心桥】已派单", true, {}, {}});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, SendStatus::submitted);
  ASSERT_EQ(result->message_ids.size(), 1u);
  const auto submit = sim_->wait_for("submit_sm");
  ASSERT_TRUE(submit);
  EXPECT_EQ((*submit)["registered_delivery"].integer() & 0x03, 1);

  sim_->command(Json::object({{"cmd", "receipt"},
                              {"message_id", result->message_ids[0]},
                              {"stat", GetParam().stat},
                              {"form", GetParam().form},
                              {"id_format", GetParam().id_format}}));
  ASSERT_TRUE(sim_->wait_for("deliver_done", [](const Json& e) { return e["ok"].boolean(); }));
  ASSERT_TRUE(run_until([&] { return !parts_.empty(); }, 2s));
  ASSERT_TRUE(parts_[0].receipt.has_value());
  EXPECT_TRUE(messages_.empty()) << "a receipt is not a message from a person";
  const sms::DeliveryReceipt& receipt = *parts_[0].receipt;
  EXPECT_TRUE(sms::same_message_id(receipt.message_id, result->message_ids[0]))
      << receipt.message_id << " vs " << result->message_ids[0];
  ASSERT_TRUE(receipt.state.has_value());
  EXPECT_EQ(*receipt.state, GetParam().state);
  EXPECT_EQ(parts_[0].from, villager);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, Receipts,
    ::testing::Values(ReceiptCase{"text", "same", "DELIVRD", sms::DeliveryState::delivered},
                      ReceiptCase{"tlv", "same", "DELIVRD", sms::DeliveryState::delivered},
                      ReceiptCase{"both", "same", "UNDELIV", sms::DeliveryState::undeliverable},
                      ReceiptCase{"text", "decimal", "DELIVRD", sms::DeliveryState::delivered},
                      ReceiptCase{"tlv", "decimal", "EXPIRED", sms::DeliveryState::expired}),
    [](const auto& info) {
      return std::string(info.param.form) + "_" + info.param.id_format + "_" + info.param.stat;
    });

TEST_F(EsmeAgainstSimulator, AutomaticReceiptsForEveryPartOfALongMessage) {
  start_sim({"--password", "secret", "--dlr"});
  start_bound(config());
  const auto result =
      send_and_wait(OutboundSms{4, service_number, villager, long_report, true, {}, {}});
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, SendStatus::submitted);
  ASSERT_EQ(result->message_ids.size(), 3u);
  ASSERT_TRUE(run_until([&] { return parts_.size() >= 3; }, 3s));
  for (const auto& id : result->message_ids) {
    EXPECT_TRUE(std::any_of(parts_.begin(), parts_.end(), [&](const InboundPart& p) {
      return p.receipt && sms::same_message_id(p.receipt->message_id, id);
    })) << id;
  }
}

// ---- failures ----

TEST_F(EsmeAgainstSimulator, ReconnectsAfterTheSmscDropsTheConnection) {
  start_sim();
  start_bound(config());
  sim_->command(Json::object({{"cmd", "drop"}}));
  ASSERT_TRUE(run_until([&] { return count_links(false) >= 1; }, 3s));
  const auto rebind = sim_->wait_for(
      "bind", [](const Json& e) { return e["status"].integer() == 0; }, 5s);
  ASSERT_TRUE(rebind);
  EXPECT_EQ((*rebind)["session"].integer(), 2);
  ASSERT_TRUE(run_until([&] { return transport_->can_send(); }, 3s));
  // And carries on both ways.
  const auto result =
      send_and_wait(OutboundSms{5, service_number, villager, "还在线", false, {}, {}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, SendStatus::submitted);
  sim_->command(deliver("收到", "ucs2", "udh8", "after"));
  ASSERT_TRUE(sim_->wait_for("deliver_done", [](const Json& e) { return e["ok"].boolean(); }));
  ASSERT_FALSE(messages_.empty());
  EXPECT_EQ(messages_.back().text, "收到");
}

TEST_F(EsmeAgainstSimulator, ReconnectsAfterTheSmscUnbinds) {
  start_sim();
  start_bound(config());
  sim_->command(Json::object({{"cmd", "unbind"}}));
  const auto resp = sim_->wait_for("unbind_resp");
  ASSERT_TRUE(resp);
  EXPECT_EQ((*resp)["status"].integer(), 0);
  EXPECT_TRUE(sim_->wait_for(
      "bind", [](const Json& e) { return e["session"].integer() == 2; }, 5s));
}

TEST_F(EsmeAgainstSimulator, ThrottledSubmitsBackOffAndStillGetThrough) {
  start_sim();
  start_bound(config());
  sim_->command(Json::object({{"cmd", "set"}, {"throttle_next", 2}}));
  const auto result =
      send_and_wait(OutboundSms{6, service_number, villager, "限流测试", false, {}, {}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, SendStatus::submitted) << result->detail;
  // The simulator's events travel on another channel than the PDUs: wait for the last one.
  ASSERT_TRUE(
      sim_->wait_for("submit_sm", [](const Json& e) { return e["status"].integer() == 0; }));
  const auto submits = sim_->events("submit_sm");
  ASSERT_EQ(submits.size(), 3u);
  EXPECT_EQ(submits[0]["status"].integer(), 0x58);
  EXPECT_EQ(submits[1]["status"].integer(), 0x58);
  EXPECT_EQ(submits[2]["status"].integer(), 0);
  EXPECT_EQ(submits[2]["message_id"].str(), result->message_ids.at(0));
  // Backed off (throttle_pause 100 ms, doubling) rather than hammering the SMSC.
  EXPECT_GE(submits[1]["t"].number() - submits[0]["t"].number(), 90.0);
  EXPECT_GE(submits[2]["t"].number() - submits[1]["t"].number(), 90.0);
  const auto message = sim_->wait_for("message");
  ASSERT_TRUE(message);
  EXPECT_EQ((*message)["text"].str(), "限流测试");
}

TEST_F(EsmeAgainstSimulator, PermanentErrorMarksTheMessageFailed) {
  start_sim();
  start_bound(config());
  sim_->command(Json::object({{"cmd", "set"}, {"permanent_error_next", 1}}));
  const auto result =
      send_and_wait(OutboundSms{8, service_number, "000", "bad number", false, {}, {}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, SendStatus::failed);
  EXPECT_EQ(result->error, 0x0Bu);
  ASSERT_TRUE(sim_->wait_for("submit_sm"));
  EXPECT_FALSE(sim_->wait_for("submit_sm", {}, 300ms)) << "a permanent error is not retried";
}

TEST_F(EsmeAgainstSimulator, SilentSmscMakesTheBindTimeOut) {
  start_sim();
  sim_->command(Json::object({{"cmd", "set"}, {"mute", true}}));
  start_transport(config());
  ASSERT_TRUE(sim_->wait_for("bind"));
  ASSERT_TRUE(run_until([&] { return count_links(false) >= 1; }, 4s));
  EXPECT_FALSE(transport_->can_send());
  EXPECT_NE(links_.back().detail.find("timeout"), std::string::npos) << links_.back().detail;
  // It tries again on a new connection.
  EXPECT_TRUE(sim_->wait_for("bind", {}, 4s));
}

TEST_F(EsmeAgainstSimulator, SilentSmscMakesTheSubmitTimeOut) {
  start_sim();
  start_bound(config());
  sim_->command(Json::object({{"cmd", "set"}, {"mute", true}}));
  const auto started = std::chrono::steady_clock::now();
  const auto result =
      send_and_wait(OutboundSms{9, service_number, villager, "有人吗", false, {}, {}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, SendStatus::retry);
  EXPECT_TRUE(result->possibly_sent) << "it went out unanswered: a retry may duplicate it";
  EXPECT_FALSE(result->detail.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
  const auto submit = sim_->wait_for("submit_sm");
  ASSERT_TRUE(submit);
  EXPECT_FALSE((*submit)["answered"].boolean());
}

TEST_F(EsmeAgainstSimulator, StopUnbindsCleanly) {
  start_sim();
  start_bound(config());
  bool stopped = false;
  transport_->stop([&] { stopped = true; });
  ASSERT_TRUE(run_until([&] { return stopped; }, 3s));
  transport_.reset();
  EXPECT_TRUE(sim_->wait_for("unbind"));
  EXPECT_TRUE(sim_->wait_for("connection_closed"));
}

}  // namespace
}  // namespace lianxin::sim
