// Fakes of domain::TextModel for pure tests, so that they neither need nor depend on the
// trained model file:
//  * KeywordModel reads like the keyword lists lianxin shipped before it had a model: the
//    longest listed word decides the category (probability 0.9), a whole text that is a
//    pleasantry or a greeting is that intent, anything else is "other" (0.9). Predictable, so
//    engine tests can say what a text will be filed under.
//  * ScriptedModel answers what a test scripts for an exact text (for unsure readings, urgency).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/domain/language.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::domain::testing {

inline const std::vector<std::pair<std::string, std::vector<std::string>>>& test_keywords() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> table{
      {"streetlight",
       {"路灯", "灯杆", "灯不亮", "灯坏", "灯灭", "路灯杆", "太阳能灯", "照明", "灯泡", "路灯坏",
        "黑灯瞎火"}},
      {"water",
       {"漏水", "水管", "爆管", "停水", "没水", "渗水", "自来水", "水压", "水龙头", "水表", "断水",
        "跑水", "冒水", "水管破", "管道破裂", "水浑", "水质", "供水"}},
      {"road",
       {"道路", "路面", "坑洼", "塌方", "修路", "马路", "桥梁", "红绿灯", "交通", "堵车", "路坑",
        "大坑", "路基", "山体滑坡", "塌陷", "路障", "挡路", "公交"}},
      {"sanitation",
       {"垃圾", "垃圾桶", "垃圾箱", "发臭", "臭味", "污水", "粪便", "卫生", "乱扔", "焚烧",
        "烧垃圾", "苍蝇", "死猫", "死狗", "异味", "化粪池", "漂浮物", "保洁", "脏乱差"}},
      {"illegal_building",
       {"违章", "违建", "乱搭", "搭建", "私搭", "乱建", "加盖", "违法建筑", "违章建筑", "私搭乱建",
        "占地建房", "乱搭乱建"}},
      {"dispute",
       {"纠纷", "吵架", "打架", "矛盾", "争吵", "和邻居", "跟邻居", "宅基地", "边界", "欠钱",
        "吵闹", "噪音", "扰民", "闹矛盾"}},
      {"paperwork",
       {"办证", "代办", "身份证", "户口", "社保", "医保", "低保", "开证明", "证件", "补办",
        "养老金", "残疾证", "房产证", "营业执照", "不动产证", "准生证", "办理"}},
      {"safety",
       {"治安", "安全隐患", "隐患",     "小偷",   "被偷", "偷东西",   "被盗",   "火灾",  "着火",
        "起火", "冒烟",     "电线",     "电线杆", "漏电", "煤气",     "燃气",   "危房",  "倒塌",
        "诈骗", "骗子",     "打架斗殴", "溺水",   "井盖", "井盖没了", "井盖坏", "冒火花"}},
      {"hardship",
       {"困难", "孤寡", "独居", "独居老人", "空巢", "残疾", "行动不便", "瘫痪", "没人照顾",
        "无人照顾", "吃不上饭", "看病难", "生活困难", "困难户", "送医", "摔倒", "老人摔"}},
      {"conduct", {"作风", "不作为", "吃拿卡要", "态度恶劣"}},
  };
  return table;
}

class KeywordModel final : public TextModel {
 public:
  ModelScores score(std::string_view text) const override {
    const std::string key = compact(text);
    for (const auto& [label, words] : whole_texts()) {
      for (const std::string& w : words) {
        if (key == w) return one(std::string(label));
      }
    }
    std::string best = "other";
    std::size_t longest = 0;
    for (const auto& [category, words] : test_keywords()) {
      for (const std::string& w : words) {
        if (w.size() > longest && key.find(w) != std::string::npos) {
          longest = w.size();
          best = category;
        }
      }
    }
    return one(best);
  }

 private:
  static std::string compact(std::string_view text) {
    std::string out;
    for (char32_t c : sms::utf8_to_code_points(text)) {
      c = text::to_half_width(c);
      if (!text::is_space(c) && !text::is_punctuation(c)) sms::append_utf8(out, c);
    }
    return out;
  }
  static ModelScores one(std::string label) {
    ModelScores scores;
    scores.labels.push_back({std::move(label), 0.9});
    scores.labels.push_back({"road", 0.05});  // a runner-up, as a real model has
    scores.labels.push_back({"ack", 0.05});
    return scores;
  }
  static const std::vector<std::pair<std::string, std::vector<std::string>>>& whole_texts() {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> table{
        {"ack", {"谢谢", "好的", "收到", "嗯", "知道了", "好", "谢谢你们", "OK"}},
        {"greeting", {"你好", "在吗", "喂", "有人吗", "能帮我做什么", "你好在吗", "您好"}},
        {"feedback_good", {"修好了谢谢", "修好了", "灯亮了", "水来了", "弄好了"}},
        {"feedback_bad", {"还是不行", "还是不亮", "没人来", "又坏了", "还是没水"}},
    };
    return table;
  }
};

// Exact texts → scripted scores; any other text is read by a KeywordModel.
class ScriptedModel final : public TextModel {
 public:
  ScriptedModel& script(std::string text, ModelScores scores) {
    scripted_[std::move(text)] = std::move(scores);
    return *this;
  }
  ModelScores score(std::string_view text) const override {
    auto it = scripted_.find(std::string(text));
    return it != scripted_.end() ? it->second : fallback_.score(text);
  }

 private:
  std::map<std::string, ModelScores> scripted_;
  KeywordModel fallback_;
};

// default_settings() with the KeywordModel: what most domain tests run on.
inline Settings test_settings() {
  Settings settings = default_settings();
  settings.language.model = std::make_shared<KeywordModel>();
  return settings;
}

// The categories with the lists above as configured keywords (operator overrides).
inline std::vector<Category> keyword_categories() {
  std::vector<Category> categories = default_categories();
  for (Category& category : categories) {
    for (const auto& [id, words] : test_keywords()) {
      if (id == category.id) category.keywords = words;
    }
  }
  return categories;
}

}  // namespace lianxin::domain::testing
