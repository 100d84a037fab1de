// The language layer: the model's tokens, the reader's decisions (with fakes), the danger
// lexicon, the corpus format, and the fastText model file (load errors, deterministic training,
// the shipped model on unmistakable texts).
#include "daemon/domain/language.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/domain/danger.hpp"
#include "daemon/language/corpus.hpp"
#include "daemon/language/fasttext_model.hpp"
#include "daemon/language/load.hpp"
#include "daemon/language/train.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/temp_dir.hpp"

namespace lianxin::domain {
namespace {

namespace fs = std::filesystem;
using language::Corpus;
using language::Example;
using language::FastTextModel;
using language::ModelError;
using ::lianxin::testing::TempDir;

// ---- tokens ----

TEST(ModelTokens, OneTokenPerCharacterLatinWordsAndNumbers) {
  EXPECT_EQ(model_tokens("路灯坏了"), "路 灯 坏 了");
  EXPECT_EQ(model_tokens("  路灯，坏了！！"), "路 灯 坏 了 ! !");
  EXPECT_EQ(model_tokens("ＯＫ好的"), "ok 好 的");         // full width folded, lower case
  EXPECT_EQ(model_tokens("3号楼138 0000 1234"), "号 楼");  // numbers carry no topic
  EXPECT_EQ(model_tokens("嗯嗯嗯嗯嗯"), "嗯 嗯");          // a run cut to two
  EXPECT_EQ(model_tokens("在吗？"), "在 吗 ?");
  EXPECT_EQ(model_tokens("👍👍"), "👍 👍");
  EXPECT_EQ(model_tokens("。。。，"), "");
  EXPECT_EQ(model_tokens(std::string("\xff\xfe路", 5)), "路");  // bad bytes dropped, never a crash
}

// ---- the reader, with fakes ----

Settings with(std::shared_ptr<const TextModel> model) {
  Settings s = default_settings();
  s.language.model = std::move(model);
  return s;
}

ModelScores scores(std::vector<LabelScore> labels, double urgency = 0) {
  return ModelScores{std::move(labels), urgency};
}

TEST(ReadText, CategoriesTogetherAgainstEachIntent) {
  auto model = std::make_shared<testing::ScriptedModel>();
  // No single category beats "ack", but together they are a report.
  model->script("a",
                scores({{"ack", 0.30}, {"road", 0.25}, {"streetlight", 0.25}, {"water", 0.2}}));
  model->script("b", scores({{"ack", 0.60}, {"road", 0.25}, {"water", 0.15}}));
  const Settings s = with(model);
  Reading a = read_text(s, "a");
  EXPECT_EQ(a.intent, Intent::report);
  EXPECT_DOUBLE_EQ(a.intent_probability, 0.7);
  EXPECT_EQ(a.category, "road");
  EXPECT_NEAR(a.confidence, 0.25 / 0.7, 1e-9);  // among the categories
  EXPECT_TRUE(a.needs_review);                  // under 60%
  ASSERT_EQ(a.candidates.size(), 3u);
  EXPECT_EQ(a.candidates[1].label, "streetlight");
  Reading b = read_text(s, "b");
  EXPECT_EQ(b.intent, Intent::acknowledgement);
  EXPECT_FALSE(b.needs_review);  // no ticket, nothing to review
  EXPECT_FALSE(b.urgent);
}

TEST(ReadText, LabelsTheConfigurationDoesNotKnowAreIgnored) {
  auto model = std::make_shared<testing::ScriptedModel>();
  model->script("x", scores({{"pigs", 0.7}, {"road", 0.2}, {"ack", 0.1}}));
  Reading r = read_text(with(model), "x");
  EXPECT_EQ(r.intent, Intent::report);
  EXPECT_EQ(r.category, "road");
}

TEST(ReadText, AConfiguredKeywordOverridesAndSaysSo) {
  auto model = std::make_shared<testing::ScriptedModel>();
  model->script("猪圈臭", scores({{"sanitation", 0.9}, {"ack", 0.1}}));
  Settings s = with(model);
  Category pigs;
  pigs.id = "livestock";
  pigs.name = "畜禽养殖";
  pigs.keywords = {"猪圈"};
  s.categories.push_back(pigs);
  Reading r = read_text(s, "猪圈臭");
  EXPECT_EQ(r.category, "livestock");
  EXPECT_TRUE(r.keyword_override);
  EXPECT_EQ(r.keyword, "猪圈");
  EXPECT_EQ(r.confidence, 1);
  EXPECT_NE(r.explanation.find("operator override"), std::string::npos) << r.explanation;
}

TEST(ReadText, ADangerIsAReportHoweverItReads) {
  auto model = std::make_shared<testing::ScriptedModel>();
  model->script("谢谢 屋里着火了", scores({{"ack", 0.8}, {"safety", 0.2}}));
  Reading r = read_text(with(model), "谢谢 屋里着火了");
  EXPECT_EQ(r.intent, Intent::report);
  EXPECT_TRUE(r.urgent);
  EXPECT_NE(r.urgency_reason.find("着火"), std::string::npos) << r.urgency_reason;
}

TEST(ReadText, TheModelsUrgencyAndTheThreshold) {
  auto model = std::make_shared<testing::ScriptedModel>();
  model->script("后山不对劲", scores({{"safety", 0.9}, {"other", 0.1}}, 0.55));
  Settings s = with(model);
  EXPECT_TRUE(read_text(s, "后山不对劲").urgent);
  s.language.urgent_at = 0.6;
  EXPECT_FALSE(read_text(s, "后山不对劲").urgent);
  // A category configured urgent makes every report of it urgent.
  for (Category& c : s.categories) c.urgent = c.id == "safety";
  EXPECT_TRUE(read_text(s, "后山不对劲").urgent);
}

TEST(ReadText, NothingReadableIsAnsweredWithHowToReport) {
  auto model = std::make_shared<testing::ScriptedModel>();
  model->script("。。。", scores({}));
  EXPECT_EQ(read_text(with(model), "。。。").intent, Intent::greeting);
}

TEST(ReadText, WithoutAModelOnlyKeywordsDecide) {
  Settings s = default_settings();
  Reading r = read_text(s, "路灯坏了");
  EXPECT_EQ(r.intent, Intent::report);
  EXPECT_EQ(r.category, s.fallback_category);
  EXPECT_FALSE(r.needs_review);
  s.categories = testing::keyword_categories();
  EXPECT_EQ(read_text(s, "路灯坏了").category, "streetlight");
}

// ---- the danger lexicon ----

TEST(Danger, PlainWordsForDanger) {
  for (const char* text :
       {"灶间里一股臭鸡蛋味道", "电线那里啪啪响有火星子", "后山泥巴一直往下滑", "我娘走丢了",
        "老头子倒在灶间叫不应", "屋里进水了快淹到床了", "两个人拿刀在打", "小孩掉河里了",
        "我妈早上出去到现在还没回来", "隔 壁 冒 烟 了", "孙子放学没到家"}) {
    EXPECT_TRUE(find_danger(text)) << text;
  }
}

TEST(Danger, CalmTextsThatLookAlike) {
  for (const char* text : {"电瓶车不见了", "钥匙寻不到了", "路灯坏了", "我发的短信你们还没回复",
                           "垃圾桶满了", "低保还没到账", "邻居家狗晚上叫"}) {
    EXPECT_FALSE(find_danger(text)) << text << " → " << find_danger(text)->phrase;
  }
}

// ---- the corpus ----

TEST(Corpus, LinesAndTheirErrors) {
  Corpus c;
  language::parse_corpus(
      "\xEF\xBB\xBF# comment\nstreetlight\t0\t路灯坏了\r\n\nsafety\t1\t着火了\n"
      "Bad Label\t0\tx\nwater\t2\t没水\nroad\t0\t \nack 0 谢谢\n",
      "c.tsv", c);
  ASSERT_EQ(c.examples.size(), 2u);
  EXPECT_EQ(c.examples[0].label, "streetlight");
  EXPECT_EQ(c.examples[0].text, "路灯坏了");  // CR stripped
  EXPECT_TRUE(c.examples[1].urgent);
  EXPECT_EQ(c.examples[1].source, "c.tsv:4");
  ASSERT_EQ(c.errors.size(), 4u);
  EXPECT_EQ(c.errors[0].rfind("c.tsv:5: label", 0), 0u) << c.errors[0];
  EXPECT_EQ(c.errors[1].rfind("c.tsv:6: urgent", 0), 0u) << c.errors[1];
  EXPECT_EQ(c.errors[2].rfind("c.tsv:7: the text is empty", 0), 0u) << c.errors[2];
  EXPECT_EQ(c.errors[3].rfind("c.tsv:8: expected", 0), 0u) << c.errors[3];
  EXPECT_EQ(language::corpus_line("ack", false, "谢\t谢\n"), "ack\t0\t谢 谢 ");
}

// ---- the model file ----

std::vector<Example> tiny_corpus() {
  std::vector<Example> out;
  const char* lights[] = {"路灯坏了", "灯不亮", "晚上路灯黑了", "村口灯灭了", "路灯杆倒了"};
  const char* waters[] = {"没水了", "水管爆了", "自来水停了", "龙头没水", "水管漏了"};
  const char* thanks[] = {"谢谢", "好的", "收到", "谢谢你们", "好的谢谢"};
  for (const char* t : lights) out.push_back({"streetlight", false, t, ""});
  for (const char* t : waters) out.push_back({"water", false, t, ""});
  for (const char* t : thanks) out.push_back({"ack", false, t, ""});
  out.push_back({"water", true, "水冲进屋里了", ""});
  return out;
}

language::TrainOptions small() {
  language::TrainOptions o;
  o.bucket = 2000;
  o.cutoff = 0;
  return o;
}

std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(FastTextModel, TrainingIsDeterministicAndTheFileRoundTrips) {
  TempDir dir;
  FastTextModel::train(tiny_corpus(), small())->save(dir.path() / "a.ftz");
  FastTextModel::train(tiny_corpus(), small())->save(dir.path() / "b.ftz");
  EXPECT_EQ(bytes_of(dir.path() / "a.ftz"), bytes_of(dir.path() / "b.ftz"));
  auto model = FastTextModel::load(dir.path() / "a.ftz");
  const std::vector<std::string> labels = model->labels();
  EXPECT_EQ(labels.size(), 3u);
  ModelScores s = model->score("谢谢");
  ASSERT_FALSE(s.labels.empty());
  double sum = 0;
  for (const LabelScore& l : s.labels) sum += l.probability;
  EXPECT_NEAR(sum, 1.0, 0.01);
  EXPECT_GE(s.urgency, 0.0);
  EXPECT_LE(s.urgency, 1.0);
  EXPECT_TRUE(model->score("").labels.empty());  // nothing to read: no labels, no crash
}

TEST(FastTextModel, UnusableFilesAreRefusedNamingTheFile) {
  TempDir dir;
  const fs::path good = dir.path() / "good.ftz";
  FastTextModel::train(tiny_corpus(), small())->save(good);
  const std::string bytes = bytes_of(good);
  auto refused = [&](const std::string& name, const std::string& content, const char* why) {
    const fs::path p = dir.path() / name;
    std::ofstream(p, std::ios::binary) << content;
    try {
      FastTextModel::load(p);
      ADD_FAILURE() << name << " was accepted";
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find(p.string()), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  refused("truncated.ftz", bytes.substr(0, bytes.size() / 2), "truncated");
  refused("empty.ftz", "", "truncated");
  std::string flipped = bytes;
  flipped[bytes.size() / 3] ^= 0x40;
  refused("flipped.ftz", flipped, "checksum");
  std::string wrong_length = bytes;
  wrong_length[wrong_length.size() - 24] ^= 0x01;  // the first part's length
  refused("lengths.ftz", wrong_length, "do not add up");
  try {
    FastTextModel::load(dir.path() / "missing.ftz");
    ADD_FAILURE() << "a missing file was accepted";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.ftz"), std::string::npos) << e.what();
  }
}

TEST(FastTextModel, TrainingRefusesACorpusWithErrors) {
  TempDir dir;
  std::ofstream(dir.path() / "bad.tsv") << "streetlight\t0\t路灯坏了\nwater\tyes\t没水\n";
  try {
    language::train_model_file({dir.path()}, {}, dir.path() / "m.ftz");
    ADD_FAILURE() << "trained on a broken corpus";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.tsv:2"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.path() / "m.ftz"));
}

TEST(FastTextModel, CorrectionsBecomeExamples) {
  std::vector<Correction> corrections{
      {7, "桥头那边不太对劲", "road", "safety", true, "operator:alice", "", TimePoint{}}};
  std::vector<Example> e = language::examples_from(corrections);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].label, "safety");
  EXPECT_TRUE(e[0].urgent);
  EXPECT_EQ(e[0].text, "桥头那边不太对劲");
}

// ---- the shipped model, on texts nobody could misread ----

TEST(ShippedModel, ReadsUnmistakableTexts) {
  Settings s = default_settings();
  language::LoadedModel loaded = language::load_model(LIANXIN_TEST_MODEL, s);
  EXPECT_TRUE(loaded.warnings.empty());  // it knows every shipped category
  s.language.model = loaded.model;
  struct Row {
    const char* text;
    Intent intent;
    const char* category;
  };
  for (const Row& row :
       {Row{"村口的路灯坏了好几天了晚上黑漆漆的", Intent::report, "streetlight"},
        Row{"家里水龙头一滴水都没有了", Intent::report, "water"},
        Row{"垃圾桶满了好几天没人来收臭死了", Intent::report, "sanitation"},
        Row{"谢谢", Intent::acknowledgement, ""}, Row{"你好在吗", Intent::greeting, ""}}) {
    Reading r = read_text(s, row.text);
    EXPECT_EQ(r.intent, row.intent) << row.text << " → " << r.explanation;
    if (row.intent == Intent::report) {
      EXPECT_EQ(r.category, row.category) << r.explanation;
    }
  }
  Settings with_pigs = default_settings();
  Category pigs;
  pigs.id = "livestock";
  pigs.name = "畜禽养殖";
  with_pigs.categories.push_back(pigs);
  language::LoadedModel warned = language::load_model(LIANXIN_TEST_MODEL, with_pigs);
  ASSERT_EQ(warned.warnings.size(), 1u);
  EXPECT_NE(warned.warnings[0].find("livestock"), std::string::npos) << warned.warnings[0];
}

}  // namespace
}  // namespace lianxin::domain
