#include "daemon/domain/danger.hpp"

#include <array>
#include <span>
#include <vector>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

struct DangerKind {
  std::string_view kind;
  std::span<const std::string_view> phrases;
};

// Homophone typos that villagers really type (着伙, 煤汽) are listed beside the right form.
constexpr std::string_view kFire[] = {
    "着火",   "着伙",     "起火",   "失火",   "火烧起来", "烧起来了",   "烧着了",
    "冒烟",   "冒黑烟",   "浓烟",   "烟好大", "烟很大",   "烟越来越大", "全是烟",
    "好多烟", "都是烟",   "火苗",   "火光",   "火势",     "火星子",     "冒火",
    "起烟",   "烟冒出来", "冒出烟", "有烟冒", "火还没灭", "火没灭",     "火越来越大",
    "点着了", "引着了",   "烧到",   "燃起来", "烧过来",   "火烧山",     "山火"};
constexpr std::string_view kGas[] = {"煤气味", "煤汽味", "燃气味", "液化气味", "臭鸡蛋味",
                                     "煤气漏", "煤气泄", "燃气泄", "嘶嘶响",   "一氧化碳",
                                     "炭火盆", "煤炉子", "汽油味"};
constexpr std::string_view kElectricity[] = {
    "火花",   "冒火星",   "打火星",   "漏电",     "触电",   "电到人", "被电",   "电线断",
    "电线掉", "电线落",   "电线搭",   "电线拖",   "电线垂", "电线烧", "电线着", "线断了",
    "嗞嗞响", "吱吱响",   "啪啪响",   "噼里啪啦", "噼啪",   "焦味",   "烧焦",   "插座烫",
    "电杆倒", "电线杆倒", "变压器烧", "变压器着", "插座着", "电线着"};
constexpr std::string_view kCollapse[] = {
    "倒塌",   "塌了",   "塌下来",   "要塌",     "快塌",     "垮了",    "要垮",
    "要倒了", "快倒了", "墙倒",     "往外倒",   "往下沉",   "裂开了",  "咔咔响",
    "咯咯响", "梁断",   "房子在晃", "会塌",     "随时要倒", "塌掉",    "压屋",
    "压到人", "砸到人", "砸到头",   "要掉下来", "往下凹",   "快倒下来"};
constexpr std::string_view kLandslide[] = {"滑坡",     "泥石流", "往下滑", "石头滚", "落石",
                                           "山塌",     "山裂",   "土裂开", "泥巴冲", "泥浆",
                                           "泥巴一直", "地在动", "塌方",   "冲下来"};
constexpr std::string_view kFlood[] = {"水漫进",   "漫进屋", "漫到屋",   "水进屋",   "进水了",
                                       "灌进屋",   "灌进来", "淹了",     "被淹",     "水灌进",
                                       "往屋里灌", "冲进屋", "水到膝盖", "水到大腿", "到小腿",
                                       "发大水",   "洪水",   "水还在涨", "水往上涨", "漫过",
                                       "漫上来",   "河水涨", "溪水涨",   "河堤",     "涨到床"};
constexpr std::string_view kViolence[] = {
    "拿刀",     "持刀", "动刀",   "砍刀",   "菜刀",   "砍人",     "杀人",     "要杀",   "打人了",
    "打起来了", "打死", "打伤",   "拿棍",   "铁棍",   "头破血流", "血都出来", "出血了", "流血",
    "撬门",     "救命", "快来人", "打老子", "打老人", "打我妈",   "打我爸",   "抢劫",   "抢东西",
    "在撬",     "撬锁", "扭打",   "斧头",   "柴刀",   "要动手",   "动手了"};
constexpr std::string_view kPersonInDanger[] = {
    "摔倒",     "跌倒",       "摔下去",   "摔下来",     "跌下去",   "爬不起来", "起不来了",
    "站不起来", "晕倒",       "昏倒",     "昏过去",     "晕过去",   "叫不醒",   "叫不应",
    "喊不应",   "敲门没人",   "不省人事", "没气了",     "没有呼吸", "吐血",     "喘不上气",
    "喘不过气", "胸口痛",     "胸口疼",   "中风了",     "抽筋",     "不能动了", "动不了了",
    "喝了农药", "喝农药",     "中毒",     "想不开",     "寻短见",   "起不来",   "站不住",
    "头晕",     "头好晕",     "天旋地转", "心口痛",     "心口疼",   "胸口闷",   "打滚",
    "吐了血",   "吐了好多血", "嘴歪",     "讲不清楚话", "说不清话", "中暑",     "昏迷",
    "不醒",     "没反应",     "抽搐",     "发高烧",     "血流不止", "血流不停", "流了好多血",
    "噎住",     "咳不出",     "说不出话", "口吐白沫",   "脑梗",     "冻僵",     "呼吸机",
    "制氧机",   "躺在马路",   "躺在路上", "倒在路上",   "倒在地上", "倒在水沟"};
constexpr std::string_view kMissing[] = {"走丢",   "走失",         "失踪",    "寻不到人",
                                         "到处寻", "还没回来",     "没回家",  "没到家",
                                         "没到屋", "一转眼就不见", "人不见了"};
constexpr std::string_view kDrowning[] = {"溺水",     "掉水里", "掉进水", "掉河里",   "掉塘里",
                                          "掉下去了", "落水",   "淹死",   "在水里",   "扑腾",
                                          "河里有人", "掉进",   "冰上有", "水里有人", "塘里有人"};
constexpr std::string_view kAnimal[] = {"咬人", "被咬", "咬伤", "扑倒", "拱倒", "伤人"};

constexpr std::array<DangerKind, 10> kKinds{{
    {"fire or smoke", kFire},
    {"gas", kGas},
    {"electricity", kElectricity},
    {"collapse", kCollapse},
    {"landslide", kLandslide},
    {"flood in a home", kFlood},
    {"violence", kViolence},
    {"a person hurt or ill", kPersonInDanger},
    {"a missing person", kMissing},
    {"drowning", kDrowning},
}};

// A missing person: who, then what ("我娘不见了", "爷爷没回来"); "不见了" alone is often a bicycle.
constexpr std::string_view kPeople[] = {
    "妈",   "娘",   "爸",   "爹",   "爷",   "奶",   "外婆", "外公", "婆婆", "公公", "老人", "老头",
    "老太", "老倌", "孩子", "小孩", "小人", "儿子", "女儿", "孙子", "孙女", "囡",   "伢"};
constexpr std::string_view kGone[] = {"不见了", "没回来", "还没回",     "找不到了",   "寻不到了",
                                      "没到家", "不见人", "不晓得去哪", "不知道去哪", "电话关机"};

std::u32string compact(std::string_view utf8) {
  std::u32string out;
  for (char32_t c : sms::utf8_to_code_points(utf8)) {
    c = text::to_half_width(c);
    if (!text::is_space(c)) out.push_back(c);
  }
  return out;
}

}  // namespace

namespace {

// The phrases decoded once, in the order they are tried (the animal phrases last).
struct Needle {
  std::u32string cps;
  std::string_view phrase;
  std::string_view kind;
};

std::vector<Needle> needles(std::span<const std::string_view> phrases, std::string_view kind) {
  std::vector<Needle> out;
  for (std::string_view phrase : phrases) out.push_back({compact(phrase), phrase, kind});
  return out;
}

const std::vector<Needle>& danger_needles() {
  static const std::vector<Needle> table = [] {
    std::vector<Needle> all;
    for (const DangerKind& kind : kKinds) {
      for (Needle& n : needles(kind.phrases, kind.kind)) all.push_back(std::move(n));
    }
    return all;
  }();
  return table;
}

}  // namespace

std::optional<DangerHit> find_danger(std::string_view text) {
  const std::u32string haystack = compact(text);
  for (const Needle& n : danger_needles()) {
    if (haystack.find(n.cps) != std::u32string::npos)
      return DangerHit{std::string(n.phrase), n.kind};
  }
  // Who, then (within a few characters) gone: "我妈早上出去到现在还没回".
  static const std::vector<Needle> gone = needles(kGone, "a missing person");
  static const std::vector<Needle> people = needles(kPeople, "a missing person");
  for (const Needle& g : gone) {
    const std::size_t at = haystack.find(g.cps);
    if (at == std::u32string::npos) continue;
    const std::size_t from = at >= 12 ? at - 12 : 0;
    const std::u32string_view before = std::u32string_view(haystack).substr(from, at - from);
    for (const Needle& who : people) {
      if (before.find(who.cps) != std::u32string_view::npos) {
        return DangerHit{std::string(who.phrase) + "…" + std::string(g.phrase), g.kind};
      }
    }
  }
  static const std::vector<Needle> animals = needles(kAnimal, "an animal attacking");
  for (const Needle& n : animals) {
    if (haystack.find(n.cps) != std::u32string::npos)
      return DangerHit{std::string(n.phrase), n.kind};
  }
  return std::nullopt;
}

}  // namespace lianxin::domain
