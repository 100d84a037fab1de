#include "daemon/domain/classify.hpp"

#include <gtest/gtest.h>

#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain {
namespace {

using testing::make_directory;

struct CategoryRow {
  const char* text;
  const char* category;
  const char* keyword;  // the deciding keyword, or "" for the fallback
};

// Configured keywords (operator overrides, here the lists lianxin shipped before its model):
// real-style reports as villagers type them: plain, rambling, with typos and several topics.
const CategoryRow kCategoryRows[] = {
    {"村口两盏路灯杆被大风刮倒了", "streetlight", "路灯杆"},
    {"地下室漏水了好大", "water", "漏水"},
    {"我家门口的路灯不亮好几天了", "streetlight", "灯不亮"},
    {"晚上村里黑灯瞎火的，路灯坏了没人修", "streetlight", "黑灯瞎火"},
    {"太阳能灯被人拆走了一个", "streetlight", "太阳能灯"},
    {"水管爆了，家门口全是水", "water", "水管"},
    {"三天没水了，老人做饭都难", "water", "没水"},
    {"自来水浑浊发黄能不能来看看", "water", "自来水"},
    {"停水也不通知一下", "water", "停水"},
    {"水表走得特别快是不是坏了", "water", "水表"},
    {"村道路面坑洼不平，电瓶车摔了好几次", "road", "道路"},
    {"山体滑坡把去镇上的路堵了", "road", "山体滑坡"},
    {"桥梁栏杆断了很危险", "road", "桥梁"},
    {"垃圾桶满了好几天没人清运，臭得很", "sanitation", "垃圾桶"},
    {"河里有好多漂浮物还发臭", "sanitation", "漂浮物"},
    {"有人在田里焚烧秸秆烟很大", "sanitation", "焚烧"},
    {"化粪池满了往外冒", "sanitation", "化粪池"},
    {"隔壁在自家院子里私搭乱建占了公共通道", "illegal_building", "私搭乱建"},
    {"村口有违章建筑没人管", "illegal_building", "违章建筑"},
    {"因为宅基地的事和邻居吵架了", "dispute", "宅基地"},
    {"两家人为了鸡鸭的事天天争吵", "dispute", "争吵"},
    {"楼上装修噪音太大扰民", "dispute", "噪音"},
    {"想问一下身份证过期了怎么补办", "paperwork", "身份证"},
    {"帮我妈代办一下医保报销", "paperwork", "代办"},
    {"低保申请材料交到哪里", "paperwork", "低保"},
    {"家里进了小偷", "safety", "小偷"},
    {"后山着火了", "safety", "着火"},
    {"闻到一股煤气味", "safety", "煤气"},
    {"老房子墙裂了是危房", "safety", "危房"},
    {"接到诈骗电话说我儿子出事了", "safety", "诈骗"},
    {"独居老人生病了没人照顾", "hardship", "独居老人"},
    {"残疾人家里吃不上饭", "hardship", "吃不上饭"},
    {"我爸瘫痪在床需要送医", "hardship", "瘫痪"},
    // Nothing to match: "other".
    {"你好", "other", ""},
    {"请问村委会几点上班", "other", ""},
    {"停电了好几个小时", "other", ""},
    {"ludeng huaile", "other", ""},
    // Spacing, width and typos around the keyword.
    {"路 灯 坏 了", "streetlight", "路灯坏"},
    {"村口的路灯坏拉，晚上走路黑乎乎", "streetlight", "路灯坏"},
    {"门口路灯怀了", "streetlight", "路灯"},
    {"家里水龙头漏水拉快来人啊", "water", "水龙头"},
    {"３号楼前路灯不亮", "streetlight", "灯不亮"},
    // Rambling: the keyword is somewhere in the middle.
    {"我跟你说啊，我们这个村子啊，前几天下大雨，那个水沟堵了，然后路面上全是水，今天出门差点滑倒",
     "road", "路面"},
    // Several topics: the longest keyword wins, then more matched characters, then the earliest.
    {"路灯不亮，垃圾也没人收", "streetlight", "灯不亮"},
    {"垃圾桶旁边的路灯坏了", "streetlight", "路灯坏"},
    {"红绿灯不亮了", "road", "红绿灯"},
    {"村口有人打架斗殴", "safety", "打架斗殴"},
    {"和邻居打架了", "dispute", "和邻居"},
    {"马路上井盖没了晚上看不见", "safety", "井盖没了"},
    {"电线杆倒了压着灯杆", "safety", "电线杆"},
};

Category keyword_category(std::string id, std::string name, std::vector<std::string> keywords) {
  Category category;
  category.id = std::move(id);
  category.name = std::move(name);
  category.keywords = std::move(keywords);
  return category;
}

class CategoryTable : public ::testing::TestWithParam<CategoryRow> {};

TEST_P(CategoryTable, MatchesTheConfiguredKeywords) {
  Settings settings = default_settings();
  settings.categories = testing::keyword_categories();
  const CategoryRow& row = GetParam();
  CategoryMatch match =
      classify_category(settings.categories, settings.fallback_category, row.text);
  EXPECT_EQ(match.category, row.category) << row.text << " — " << match.explanation;
  if (std::string_view(row.keyword).empty()) {
    EXPECT_FALSE(match.winner.has_value()) << match.explanation;
  } else {
    ASSERT_TRUE(match.winner.has_value()) << row.text;
    EXPECT_EQ(match.winner->keyword, row.keyword) << row.text << " — " << match.explanation;
    EXPECT_NE(match.explanation.find(row.keyword), std::string::npos) << match.explanation;
  }
}

INSTANTIATE_TEST_SUITE_P(RealReports, CategoryTable, ::testing::ValuesIn(kCategoryRows));

TEST(ClassifyCategory, TableIsLargeEnough) {
  EXPECT_GE(std::size(kCategoryRows), 40u);
}

TEST(ClassifyCategory, ExplanationListsTheLosers) {
  Settings settings = default_settings();
  settings.categories = testing::keyword_categories();
  CategoryMatch match =
      classify_category(settings.categories, settings.fallback_category, "路灯不亮，垃圾也没人收");
  EXPECT_EQ(match.category, "streetlight");
  EXPECT_NE(match.explanation.find("sanitation:'垃圾'"), std::string::npos) << match.explanation;
  EXPECT_EQ(match.hits.size(), 3u);  // 路灯, 灯不亮, 垃圾
}

TEST(ClassifyCategory, ConfigurationOrderBreaksFullTies) {
  std::vector<Category> categories{keyword_category("a", "甲", {"水沟"}),
                                   keyword_category("b", "乙", {"水沟"})};
  EXPECT_EQ(classify_category(categories, "other", "水沟堵了").category, "a");
  std::swap(categories[0], categories[1]);
  EXPECT_EQ(classify_category(categories, "other", "水沟堵了").category, "b");
}

TEST(ClassifyCategory, LatinKeywordsIgnoreCaseAndWidth) {
  std::vector<Category> categories{keyword_category("wifi", "网络", {"wifi"})};
  EXPECT_EQ(classify_category(categories, "other", "村里ＷＩＦＩ断了").category, "wifi");
  EXPECT_EQ(classify_category(categories, "other", "村里网断了").category, "other");
}

TEST(ClassifyCategory, FallbackIsConfigurable) {
  std::vector<Category> categories{keyword_category("x", "甲", {"路灯"})};
  CategoryMatch match = classify_category(categories, "misc", "天气不错");
  EXPECT_EQ(match.category, "misc");
  EXPECT_NE(match.explanation.find("no keyword"), std::string::npos);
}

TEST(Locate, ResidentDirectoryComesFirst) {
  Directory directory = make_directory();
  // 张大爷 lives in 大溪边村 even though he writes about 石塘村.
  LocationMatch match = locate(directory, testing::kZhangPhone, "石塘村的桥断了");
  ASSERT_TRUE(match.grid);
  EXPECT_EQ(*match.grid, "g-daxi");
  EXPECT_EQ(match.source, LocationSource::resident_directory);
  EXPECT_NE(match.explanation.find("resident directory"), std::string::npos);
}

struct LocationRow {
  const char* text;
  const char* grid;  // "" = none
  LocationSource source;
  const char* matched;
};

const LocationRow kLocationRows[] = {
    {"石塘村村口路灯坏了", "g-shitang", LocationSource::village_name, "石塘村"},
    {"大溪边的水管爆了", "g-daxi", LocationSource::village_name, "大溪边"},
    {"大溪边村小学门口垃圾成堆", "g-daxi", LocationSource::village_name, "大溪边村"},
    {"老樟树下面的路灯不亮", "g-daxi", LocationSource::alias, "老樟树"},
    {"我在淤头这边，路被冲坏了", "g-xiayu", LocationSource::alias, "淤头"},
    {"下淤村网格有人乱倒垃圾", "g-xiayu", LocationSource::grid_name, "下淤村网格"},
    {"石 塘 坞 停水了", "g-shitang", LocationSource::alias, "石塘坞"},
    {"村口路灯坏了", "", LocationSource::none, ""},
    {"溪边有人钓鱼", "g-daxi", LocationSource::alias, "溪边"},
};

class LocationTable : public ::testing::TestWithParam<LocationRow> {};

TEST_P(LocationTable, FindsGridNamesInTheText) {
  Directory directory = make_directory();
  const LocationRow& row = GetParam();
  LocationMatch match = locate(directory, testing::kStrangerPhone, row.text);
  if (std::string_view(row.grid).empty()) {
    EXPECT_FALSE(match.grid) << row.text;
  } else {
    ASSERT_TRUE(match.grid) << row.text << " — " << match.explanation;
    EXPECT_EQ(*match.grid, row.grid) << row.text;
    EXPECT_EQ(match.matched, row.matched) << row.text;
    EXPECT_NE(match.explanation.find(row.matched), std::string::npos) << match.explanation;
  }
  EXPECT_EQ(match.source, row.source) << row.text << " — " << match.explanation;
}

INSTANTIATE_TEST_SUITE_P(Texts, LocationTable, ::testing::ValuesIn(kLocationRows));

TEST(Locate, SharedVillageNameGoesToTheFirstGridAndSaysSo) {
  std::vector<Grid> grids{{"g1", "东村一组", "东山村", "镇", {}, ""},
                          {"g2", "东村二组", "东山村", "镇", {}, ""}};
  Directory directory(std::move(grids), {}, {}, {}, {});
  LocationMatch match = locate_in_text(directory, "东山村的路灯坏了");
  ASSERT_TRUE(match.grid);
  EXPECT_EQ(*match.grid, "g1");
  EXPECT_NE(match.explanation.find("g2"), std::string::npos) << match.explanation;
}

TEST(Locate, ResidentWithUnknownGridFallsBackToText) {
  Directory directory({{"g1", "网格", "东山村", "镇", {}, ""}}, {},
                      {{"+8613900000009", "某人", "g-gone"}}, {}, {});
  LocationMatch match = locate(directory, "+8613900000009", "东山村停水");
  ASSERT_TRUE(match.grid);
  EXPECT_EQ(*match.grid, "g1");
  EXPECT_EQ(match.source, LocationSource::village_name);
}

TEST(ClassifyCategory, ShippedCategoriesHaveNoKeywords) {
  // The model reads the category; keywords are what a county configures to override it.
  for (const Category& category : default_settings().categories) {
    EXPECT_TRUE(category.keywords.empty()) << category.id;
  }
  EXPECT_FALSE(classify_category(default_settings().categories, "other", "路灯坏了").winner);
}

}  // namespace
}  // namespace lianxin::domain
