// How lianxind reads villagers' texts, end to end: the real daemon with the model the build
// trained, the node-smpp simulator as the SMSC, lianxinctl as the operator. Thanks open no
// ticket; a greeting gets how to report; a danger in plain words is urgent and alerts the duty
// desk; an unsure reading waits at the desk for 过滤核实 and an operator's recategorize, which
// becomes training data; a missing or corrupt model is refused with the file named.
#include "tests/integration/control_fixture.hpp"

namespace lianxin::testing {
namespace {

constexpr const char* kResident = "13800000052";  // 李奶奶, 石塘村 (青石镇)
constexpr const char* kQingshiDesk = "13800000016";

class LanguageTest : public ControlTest {
 protected:
  // No SMS at all to `national` within `window`.
  bool silent_to(const std::string& national, std::chrono::milliseconds window) {
    return !sim_->wait_for(
        "message", [&](const Json& e) { return ends_with(e["to"].str(), national); }, window);
  }

  // The running configuration with another language.model.
  fs::path config_with_model(const std::string& model, const std::string& name) {
    std::string yaml = read_file(dir_ / "lianxind.yaml");
    const std::size_t at = yaml.find("  model: ");
    EXPECT_NE(at, std::string::npos);
    yaml.replace(at, yaml.find('\n', at) - at, "  model: " + model);
    write_file(dir_ / name, yaml);
    return dir_ / name;
  }
};

TEST_F(LanguageTest, ThanksOpenNoTicketAndAGreetingIsToldHowToReport) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  for (const char* text : {"谢谢", "好的", "收到了", "嗯嗯"}) {
    ASSERT_TRUE(deliver(kResident, text)) << text;
  }
  EXPECT_TRUE(silent_to(kResident, 1500ms));
  ASSERT_TRUE(deliver(kResident, "你好，在吗？"));
  const auto howto = sms_to(kResident, "请直接发送您要反映的问题");
  ASSERT_TRUE(howto);
  EXPECT_TRUE(contains(*howto, kSignature));
  // Everything was stored; nothing became a ticket.
  const auto counts = open_store().list_tickets({});
  ASSERT_TRUE(counts);
  EXPECT_TRUE(counts.value.empty());
  EXPECT_TRUE(contains(daemon_->log(), "acknowledgement from 138****0052"));
}

TEST_F(LanguageTest, ADangerInPlainWordsIsUrgentAndTheDeskIsAlerted) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ASSERT_TRUE(deliver(kResident, "隔壁阿婆家灶间一股臭鸡蛋味道，敲门没人应，她一个人住"));
  const auto confirmation = sms_to(kResident, "工单号");
  ASSERT_TRUE(confirmation);
  EXPECT_TRUE(contains(*confirmation, "119")) << *confirmation;
  const TicketNo n = number_after(*confirmation, "工单号").value_or(0);
  EXPECT_TRUE(sms_to(kQingshiDesk, "紧急工单" + std::to_string(n)));
  const auto t = ticket(n);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->urgent);
  EXPECT_EQ(t->category, "safety");
  EXPECT_EQ(t->state, TicketState::dispatched);
  bool why = false;
  for (const auto& e : history(n)) why = why || contains(e.reason, "臭鸡蛋味");
  EXPECT_TRUE(why) << "the history says why it is urgent";
}

TEST_F(LanguageTest, AnUnsureReadingIsReviewedRecategorizedAndLearnt) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ASSERT_TRUE(deliver(kResident, "祠堂旁边那块地怎么回事"));
  const auto review = sms_to(kQingshiDesk, "待核实工单");
  ASSERT_TRUE(review) << "the duty desk gets the unsure report";
  EXPECT_TRUE(contains(*review, "可能是")) << *review;
  const TicketNo n = number_after(*review, "待核实工单").value_or(0);
  ASSERT_GT(n, 0);
  EXPECT_TRUE(sms_to(kResident, "工单号" + std::to_string(n)));

  ProgramResult triage = ctl({"triage"});
  EXPECT_EQ(triage.exit_code, 0) << triage.output;
  EXPECT_TRUE(contains(triage.output, "工单 " + std::to_string(n))) << triage.output;
  ProgramResult json = ctl({"triage", "--json"});
  const NJson listed = NJson::parse(json.output, nullptr, false);
  ASSERT_TRUE(listed.is_array()) << json.output;
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["ticket"], n);
  EXPECT_GE(listed[0]["candidates"].size(), 2u);

  // Wrong category: refused, nothing changes.
  ProgramResult wrong = ctl({"recategorize", std::to_string(n), "dispte", "--as", "alice"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_TRUE(contains(wrong.output, "unknown category")) << wrong.output;

  ProgramResult fixed = ctl({"recategorize", std::to_string(n), "dispute", "--reason",
                             "两家为这块地吵架", "--as", "alice"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  const auto dispatch = sim_->wait_for("message", [&](const Json& e) {
    return contains(e["text"].str(), "新工单" + std::to_string(n) + "：");
  });
  ASSERT_TRUE(dispatch) << "routed afresh to the grid";
  EXPECT_TRUE(sms_to(kQingshiDesk, "已核实为邻里纠纷"));
  const auto t = ticket(n);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->category, "dispute");
  EXPECT_FALSE(t->needs_review);
  EXPECT_EQ(ctl({"triage"}).output.find("工单 "), std::string::npos);

  // The correction is training data: a model trained with it (on a tiny corpus, to be quick)
  // reads the same words as the operator did.
  write_file(dir_ / "tiny.tsv",
             "streetlight\t0\t路灯坏了\nstreetlight\t0\t灯不亮\nwater\t0\t没水了\n"
             "water\t1\t水冲进屋里了\nsafety\t0\t有小偷\nack\t0\t谢谢\nack\t0\t好的\n");
  const fs::path model = dir_ / "county.ftz";
  ProgramResult train = ctl({"train", "--corpus", (dir_ / "tiny.tsv").string(),
                             "--with-corrections", "--out", model.string()},
                            120s);
  ASSERT_EQ(train.exit_code, 0) << train.output;
  EXPECT_TRUE(contains(train.output, "7 corpus texts + 1 corrections")) << train.output;
  ProgramResult reread =
      ctl({"explain", "--config", config_with_model(model.string(), "county.yaml").string(),
           "--from", kResident, "--json", "祠堂旁边那块地怎么回事"});
  ASSERT_EQ(reread.exit_code, 0) << reread.output;
  // The JSON line (warnings about the demo's livestock category come before it, on stderr).
  const std::string json_line = reread.output.substr(reread.output.rfind("\n{") + 1);
  const NJson read = NJson::parse(json_line, nullptr, false);
  ASSERT_TRUE(read.is_object()) << reread.output;
  EXPECT_EQ(read["category_id"], "dispute") << reread.output;
}

TEST_F(LanguageTest, AMissingOrCorruptModelIsRefusedNamingTheFile) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  // --check-config and a start with a model that is not there: exit 1, the file named.
  const fs::path missing = config_with_model((dir_ / "nowhere.ftz").string(), "missing.yaml");
  ProgramResult check = run_program({LIANXIND_PATH, "--check-config", missing.string()}, 30s);
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_TRUE(contains(check.output, "nowhere.ftz")) << check.output;
  ProgramResult explain = run_program(
      {LIANXINCTL_PATH, "explain", "--config", missing.string(), "--from", kResident, "路灯坏了"},
      30s);
  EXPECT_EQ(explain.exit_code, 1);
  EXPECT_TRUE(contains(explain.output, "nowhere.ftz")) << explain.output;

  // A reload with a corrupt model keeps the running one, and says why.
  write_file(dir_ / "corrupt.ftz", std::string(4096, 'x'));
  config_with_model((dir_ / "corrupt.ftz").string(), "lianxind.yaml");
  daemon_->signal(SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!contains(daemon_->log(), "reload refused") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(contains(daemon_->log(), "reload refused")) << daemon_->log();
  EXPECT_TRUE(contains(daemon_->log(), "corrupt.ftz")) << daemon_->log();
  EXPECT_TRUE(daemon_->running());
  ASSERT_TRUE(deliver(kResident, "村口的路灯坏了好几天了"));
  EXPECT_TRUE(sms_to(kResident, "工单号"));  // still reading with the old model

  // `lianxinctl reload` (the unit's ExecReload=) fails visibly, saying why; then succeeds.
  ProgramResult refused = ctl({"reload"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "refused")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "corrupt.ftz")) << refused.output;
  config_with_model(LIANXIN_MODEL_PATH, "lianxind.yaml");
  ProgramResult reloaded = ctl({"reload"});
  EXPECT_EQ(reloaded.exit_code, 0) << reloaded.output;
  EXPECT_TRUE(contains(reloaded.output, "reloaded")) << reloaded.output;
}

}  // namespace
}  // namespace lianxin::testing
