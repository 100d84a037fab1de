#include "config/directory_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "config/csv.hpp"

namespace lianxin::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::vector<std::string>> fields_of(const CsvParseResult& r) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRecord& rec : r.records) out.push_back(rec.fields);
  return out;
}

// ---------------------------------------------------------------- CSV reader

TEST(Csv, QuotedCommasQuotesAndLineBreaks) {
  auto r = parse_csv(
      "id,aliases,note\ng1,\"溪边,老樟树\",\"他说\"\"修好了\"\"\"\ng2,\"两行\n文字\",x\n");
  ASSERT_FALSE(r.error);
  EXPECT_THAT(fields_of(r), ElementsAre(ElementsAre("id", "aliases", "note"),
                                        ElementsAre("g1", "溪边,老樟树", "他说\"修好了\""),
                                        ElementsAre("g2", "两行\n文字", "x")));
  // A record spanning two physical lines starts on line 3; the next one is on line 5.
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[2].line, 3u);
}

TEST(Csv, BomCrlfEmptyLinesAndNoFinalLineEnd) {
  auto r = parse_csv("\xEF\xBB\xBFid,name\r\n\r\ng1,大溪\r\n\r\n\r\ng2,石塘");
  ASSERT_FALSE(r.error);
  EXPECT_THAT(fields_of(r), ElementsAre(ElementsAre("id", "name"), ElementsAre("g1", "大溪"),
                                        ElementsAre("g2", "石塘")));
  EXPECT_EQ(r.records[0].line, 1u);
  EXPECT_EQ(r.records[1].line, 3u);
  EXPECT_EQ(r.records[2].line, 6u);
}

TEST(Csv, LoneCarriageReturnsAndCrlfInsideQuotes) {
  auto r = parse_csv("a,b\rc,\"x\r\ny\"\r");
  ASSERT_FALSE(r.error);
  EXPECT_THAT(fields_of(r), ElementsAre(ElementsAre("a", "b"), ElementsAre("c", "x\ny")));
}

TEST(Csv, EmptyFieldsAndTrailingComma) {
  auto r = parse_csv(",,\na,,\n\"\",b,\n");
  ASSERT_FALSE(r.error);
  EXPECT_THAT(fields_of(r), ElementsAre(ElementsAre("", "", ""), ElementsAre("a", "", ""),
                                        ElementsAre("", "b", "")));
}

TEST(Csv, StrayQuoteInsideUnquotedFieldIsKept) {
  auto r = parse_csv("a 5\" pipe,b\n");
  ASSERT_FALSE(r.error);
  EXPECT_THAT(fields_of(r), ElementsAre(ElementsAre("a 5\" pipe", "b")));
}

struct CsvErrorCase {
  const char* name;
  std::string text;
  std::size_t line, column;
  const char* fragment;
};

class CsvErrors : public ::testing::TestWithParam<CsvErrorCase> {};

TEST_P(CsvErrors, ReportLineColumnAndReason) {
  const CsvErrorCase& c = GetParam();
  auto r = parse_csv(c.text);
  ASSERT_TRUE(r.error) << c.name;
  EXPECT_EQ(r.error->line, c.line) << c.name;
  EXPECT_EQ(r.error->column, c.column) << c.name;
  EXPECT_THAT(r.error->message, HasSubstr(c.fragment)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CsvErrors,
    ::testing::Values(
        CsvErrorCase{"unterminated", "id,name\ng1,\"大溪边\ng2,x\n", 2, 4, "never closed"},
        CsvErrorCase{"text_after_quote", "id,name\r\ng1,\"大溪\"边\r\n", 2, 8,
                     "after a closing quote"},
        // "大溪" in GBK is B4 F3 CF AA: the first byte already is not UTF-8.
        CsvErrorCase{"gbk", std::string("id,name\ng1,ok\ng2,\xB4\xF3\xCF\xAA\n"), 3, 4,
                     "not valid UTF-8 (byte 0xB4)"},
        CsvErrorCase{"gbk_after_chinese", std::string("id,name\n村,\xB4\xF3\n"), 2, 3, "CSV UTF-8"},
        CsvErrorCase{"truncated_sequence", std::string("a,\xE5\xA4"), 1, 3, "not valid UTF-8"},
        CsvErrorCase{"nul", std::string("id,name\ng1,a\0b\n", 15), 2, 5, "NUL byte"},
        CsvErrorCase{"bom_then_error", "\xEF\xBB\xBF\"a", 1, 1, "never closed"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Utf8, RejectsOverlongSurrogatesAndOutOfRange) {
  EXPECT_FALSE(find_invalid_utf8("ascii 大溪边 😀"));
  EXPECT_EQ(find_invalid_utf8("ab\xC0\x80"), 2u);        // overlong NUL
  EXPECT_EQ(find_invalid_utf8("\xE0\x80\xAF"), 0u);      // overlong '/'
  EXPECT_EQ(find_invalid_utf8("x\xED\xA0\x80"), 1u);     // UTF-16 surrogate
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(find_invalid_utf8("ok\x80"), 2u);  // lone continuation byte
}

TEST(Csv, GarbageNeverCrashes) {
  std::mt19937 rng(12345);
  const std::string alphabet = std::string("\",\r\n ab\xE5\xA4\xA7\xEF\xBB\xBF\x00\xFF", 16);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    std::size_t n = rng() % 64;
    for (std::size_t i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    auto r = parse_csv(text);
    if (r.error) {
      EXPECT_GE(r.error->line, 1u);
      EXPECT_GE(r.error->column, 1u);
    }
    DirectorySources sources;
    sources.grids = CsvSource{"grids.csv", text};
    sources.members = CsvSource{"members.csv", "id,name,phone\n" + text};
    sources.duty_desks = CsvSource{"duty_desks.csv", text};
    auto d = parse_directory(sources, "86");
    EXPECT_EQ(d.directory.has_value(), d.errors.empty());
  }
}

// ---------------------------------------------------------------- the directory

// A small, valid directory; tests replace one file to break it.
DirectorySources good_sources() {
  DirectorySources s;
  s.grids = CsvSource{"grids.csv",
                      "\xEF\xBB\xBF编号,名称,村,乡镇,别名(用;分隔),网格长,备注\r\n"
                      "g-daxi,大溪边村网格,大溪边村,青石镇,溪边;老樟树,m-chen,村委会\r\n"
                      "g-shitang,,石塘村,青石镇,\"石塘坞,塘里\",,\r\n"};
  s.members = CsvSource{"members.csv",
                        "id,name,phone,grids,roles,on_duty\n"
                        "m-chen,陈国华,13800000001,g-daxi,支部书记,是\n"
                        "m-wang,王建国,+86 138-0000-0002,g-daxi;g-shitang,党员、志愿者,否\n"
                        "m-huang,黄卫东,８６１３８００００００１３,,team_leader,\n"
                        "m-desk,县值班室,0571-87654321,,值班,yes\n"};
  s.residents = CsvSource{"residents.csv",
                          "手机,姓名,网格\n13800000051,张大爷,g-daxi\n13800000060,陈老汉,\n"};
  s.teams = CsvSource{"teams.csv",
                      "id,name,leader,members\nvolunteers,志愿服务队,m-huang,m-huang;m-wang\n"};
  s.duty_desks = CsvSource{"duty_desks.csv", "township,member\n,m-desk\n青石镇,m-desk\n"};
  return s;
}

TEST(Directory, GoodFilesLoadWithChineseAndEnglishHeaders) {
  auto r = parse_directory(good_sources(), "86");
  ASSERT_TRUE(r.errors.empty()) << format_diagnostics(r.errors);
  ASSERT_TRUE(r.directory);
  const domain::Directory& d = *r.directory;
  ASSERT_EQ(d.grids().size(), 2u);
  const domain::Grid* daxi = d.find_grid("g-daxi");
  ASSERT_NE(daxi, nullptr);
  EXPECT_EQ(daxi->name, "大溪边村网格");
  EXPECT_EQ(daxi->township, "青石镇");
  EXPECT_THAT(daxi->aliases, ElementsAre("溪边", "老樟树"));
  EXPECT_EQ(daxi->leader, "m-chen");
  const domain::Grid* shitang = d.find_grid("g-shitang");
  ASSERT_NE(shitang, nullptr);
  EXPECT_EQ(shitang->name, "石塘村");  // defaults to the village
  EXPECT_THAT(shitang->aliases, ElementsAre("石塘坞", "塘里"));

  const domain::Member* wang = d.member_by_phone("+8613800000002");
  ASSERT_NE(wang, nullptr);
  EXPECT_EQ(wang->id, "m-wang");
  EXPECT_THAT(wang->grids, ElementsAre("g-daxi", "g-shitang"));
  EXPECT_THAT(wang->roles, ElementsAre(domain::Role::member, domain::Role::helper));
  EXPECT_FALSE(wang->on_duty);
  const domain::Member* chen = d.find_member("m-chen");
  ASSERT_NE(chen, nullptr);
  EXPECT_THAT(chen->roles, ElementsAre(domain::Role::grid_leader));
  EXPECT_TRUE(chen->on_duty);
  EXPECT_EQ(d.find_member("m-huang")->phone, "+8613800000013");  // full-width digits
  EXPECT_EQ(d.find_member("m-desk")->phone, "+8657187654321");   // a landline

  EXPECT_EQ(d.resident_by_phone("+8613800000051")->grid, "g-daxi");
  EXPECT_EQ(d.resident_by_phone("+8613800000060")->grid, "");
  EXPECT_THAT(d.find_team("volunteers")->members, ElementsAre("m-huang", "m-wang"));
  EXPECT_THAT(d.duty_desk_members(""), ElementsAre("m-desk"));
  EXPECT_THAT(d.duty_desk_members("青石镇"), ElementsAre("m-desk"));
}

// ---- four orders ---- team aliases for `点单 维修 …`, and 代办员 (helper) for `代 …`.
TEST(Directory, TeamAliasesAndHelpers) {
  DirectorySources s = good_sources();
  s.members->text += "m-li,李代办,13800000014,g-daxi,代办员,是\n";
  s.teams = CsvSource{"teams.csv",
                      "编号,队名,队长,队员,别名\nrepair,水电维修队,m-huang,m-wang,\"维修,水电\"\n"
                      "volunteers,志愿服务队,m-huang,,\n"};
  auto r = parse_directory(s, "86");
  ASSERT_TRUE(r.errors.empty()) << format_diagnostics(r.errors);
  ASSERT_TRUE(r.directory);
  EXPECT_THAT(r.directory->find_team("repair")->aliases, ElementsAre("维修", "水电"));
  EXPECT_TRUE(r.directory->find_team("volunteers")->aliases.empty());
  EXPECT_THAT(r.directory->find_member("m-li")->roles, ElementsAre(domain::Role::helper));
}

struct DirectoryCase {
  const char* name;
  const char* file;  // which source to replace
  std::string text;
  const char* expected;  // the exact first diagnostic
};

class DirectoryErrors : public ::testing::TestWithParam<DirectoryCase> {};

TEST_P(DirectoryErrors, AreReportedWithFileLineAndColumnName) {
  const DirectoryCase& c = GetParam();
  DirectorySources s = good_sources();
  std::string file = c.file;
  CsvSource source{file, c.text};
  if (file == "grids.csv") s.grids = source;
  if (file == "members.csv") s.members = source;
  if (file == "residents.csv") s.residents = source;
  if (file == "teams.csv") s.teams = source;
  if (file == "duty_desks.csv") s.duty_desks = source;
  auto r = parse_directory(s, "86");
  EXPECT_FALSE(r.directory);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(to_string(r.errors.front()), c.expected) << format_diagnostics(r.errors);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DirectoryErrors,
    ::testing::Values(
        DirectoryCase{"unknown_grid_in_members", "members.csv",
                      "id,name,phone,grids\nm-chen,陈国华,13800000001,g-daxi\n"
                      "m-desk,值班,13800000009,\nm-huang,黄,13800000013,g-dax\n"
                      "m-wang,王,13800000002,\n",
                      "members.csv:4: grids: unknown grid \"g-dax\"; did you mean \"g-daxi\"?"},
        DirectoryCase{"bad_phone", "members.csv", "编号,姓名,手机\nm-chen,陈国华,1380000001\n",
                      "members.csv:2: 手机: \"1380000001\" is not a valid phone number"},
        DirectoryCase{"service_number_as_phone", "residents.csv", "phone\n10086\n",
                      "residents.csv:2: phone: \"10086\" is a service number, not a person's "
                      "phone"},
        DirectoryCase{"duplicate_member_id", "members.csv",
                      "id,name,phone\nm-chen,陈,13800000001\nm-desk,值,13800000009\n"
                      "m-huang,黄,13800000013\nm-wang,王,13800000002\nm-chen,陈二,13800000005\n",
                      "members.csv:6: id: duplicate \"m-chen\", already on line 2"},
        DirectoryCase{"duplicate_phone", "members.csv",
                      "id,name,phone\nm-chen,陈,13800000001\nm-desk,值,13800000009\n"
                      "m-huang,黄,13800000013\nm-wang,王,138 0000 0001\n",
                      "members.csv:5: phone: duplicate \"+8613800000001\", already on line 2"},
        DirectoryCase{"wrong_column_count", "grids.csv",
                      "id,village,township\ng-daxi,大溪边村,青石镇\ng-shitang,石塘村,青石镇,多余\n",
                      "grids.csv:3: has 4 cells but the header (line 1) has 3 (a comma inside a "
                      "cell must be quoted)"},
        DirectoryCase{"missing_column", "grids.csv", "id,name\ng-daxi,大溪\n",
                      "grids.csv:1: missing column \"village\" or \"村\""},
        DirectoryCase{"unknown_column", "residents.csv", "phnoe,name\n13800000051,张\n",
                      "residents.csv:1: unknown column \"phnoe\"; did you mean \"phone\"?"},
        DirectoryCase{"semicolon_file", "teams.csv", "id;name;leader\nv;志愿队;m-huang\n",
                      "teams.csv:1: unknown column \"id;name;leader\" (the file seems to use ';': "
                      "save it as comma-separated CSV UTF-8)"},
        DirectoryCase{"empty_required_cell", "grids.csv",
                      "id,village\ng-daxi,大溪边村\ng-shitang,\u3000 \n",
                      "grids.csv:3: village: required, but the cell is empty"},
        // 0x80 is neither UTF-8 nor GBK (GBK is decoded: spreadsheet_text_test.cpp).
        DirectoryCase{"neither_utf8_nor_gbk", "residents.csv", "phone,name\n13800000051,\x80\n",
                      "residents.csv:2: column 13: neither UTF-8 nor GBK (byte 0x80): save the "
                      "sheet in Excel: 文件 → 另存为 → 「CSV UTF-8(逗号分隔)(*.csv)」"},
        DirectoryCase{"unterminated_quote", "teams.csv",
                      "id,name,leader\nvolunteers,\"志愿服务队,m-huang\n",
                      "teams.csv:2: column 12: quote opened here is never closed"},
        DirectoryCase{
            "unknown_role", "members.csv", "id,name,phone,roles\nm-chen,陈,13800000001,村长\n",
            "members.csv:2: roles: unknown role \"村长\" (member/党员, grid_leader/网格长, "
            "team_leader/团长, duty_desk/值班, helper/志愿者/代办员)"},
        DirectoryCase{"bad_on_duty", "members.csv",
                      "id,name,phone,在岗\nm-chen,陈,13800000001,maybe\n",
                      "members.csv:2: 在岗: \"maybe\" is not 是/否 (yes/no)"},
        DirectoryCase{"unknown_team_leader", "teams.csv",
                      "id,name,leader\nvolunteers,志愿服务队,m-hunag\n",
                      "teams.csv:2: leader: unknown member \"m-hunag\"; did you mean "
                      "\"m-huang\"?"},
        DirectoryCase{"no_county_desk", "duty_desks.csv", "乡镇,成员\n青石镇,m-desk\n",
                      "duty_desks.csv: no county duty desk (a row with an empty township): "
                      "tickets whose village stays unknown would have nobody to go to"},
        DirectoryCase{"desk_township_typo", "duty_desks.csv", "乡镇,成员\n,m-desk\n青石乡,m-desk\n",
                      "duty_desks.csv:3: 乡镇: no grid is in township \"青石乡\" (check the "
                      "spelling against grids.csv)"},
        DirectoryCase{"id_with_space", "grids.csv", "id,village\ng daxi,大溪边村\n",
                      "grids.csv:2: id: \"g daxi\" cannot be an id: no spaces, commas or "
                      "semicolons"},
        DirectoryCase{"header_only_blank", "grids.csv", "\r\n,,\r\n",
                      "grids.csv: the file is empty; the first row must name the columns"},
        DirectoryCase{"value_in_unnamed_column", "residents.csv", "phone,,name\n13800000051,x,张\n",
                      "residents.csv:2: column 2 has a value but no name in the header row"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Directory, CollectsSeveralErrorsAcrossFiles) {
  DirectorySources s = good_sources();
  s.members =
      CsvSource{"members.csv",
                "id,name,phone,grids\nm-chen,陈,1380000,g-daxi\nm-desk,值,13800000009,g-nope\n"
                "m-huang,,13800000013,\n"};
  s.residents = CsvSource{"residents.csv", "phone,grid\n13800000051,g-zzz\n"};
  auto r = parse_directory(s, "86");
  EXPECT_FALSE(r.directory);
  std::string all = format_diagnostics(r.errors);
  EXPECT_THAT(all, HasSubstr("members.csv:2: phone: \"1380000\" is not a valid phone number"));
  EXPECT_THAT(all, HasSubstr("members.csv:4: name: required"));
  EXPECT_THAT(all, HasSubstr("members.csv:3: grids: unknown grid \"g-nope\""));
  EXPECT_THAT(all, HasSubstr("residents.csv:2: grid: unknown grid \"g-zzz\""));
  // m-chen's row was refused for its phone: that error says it all, the grid leader reference
  // to m-chen is not reported again as an unknown member.
  EXPECT_THAT(all, Not(HasSubstr("unknown member \"m-chen\"")));
  // Nor is m-huang (team leader; row refused for its empty name). m-wang is not in the file.
  EXPECT_THAT(all, HasSubstr("teams.csv:2: members: unknown member \"m-wang\""));
  EXPECT_EQ(r.errors.size(), 5u) << all;
}

TEST(Directory, ErrorsPerFileAreCapped) {
  DirectorySources s = good_sources();
  std::string text = "phone\n";
  for (int i = 0; i < 500; ++i) text += "bad" + std::to_string(i) + "\n";
  s.residents = CsvSource{"residents.csv", text};
  auto r = parse_directory(s, "86");
  EXPECT_EQ(r.errors.size(), 50u);
  EXPECT_THAT(r.errors.back().message, HasSubstr("too many errors"));
}

TEST(Directory, RequiredFilesMustBeConfigured) {
  auto r = parse_directory(DirectorySources{}, "86");
  EXPECT_EQ(format_diagnostics(r.errors),
            "directory: no grids file configured\ndirectory: no members file configured\n"
            "directory: no duty_desks file configured\n");
}

TEST(Directory, LoadsFilesAndReportsUnreadableOnes) {
  auto dir =
      std::filesystem::temp_directory_path() / ("lianxin-dir-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  DirectorySources s = good_sources();
  auto write = [&](const char* name, const std::optional<CsvSource>& src) {
    std::ofstream(dir / name, std::ios::binary) << src->text;
  };
  write("grids.csv", s.grids);
  write("members.csv", s.members);
  write("duty_desks.csv", s.duty_desks);
  DirectoryFiles files{dir / "grids.csv", dir / "members.csv", {}, {}, dir / "duty_desks.csv"};
  auto ok = load_directory(files, "86");
  EXPECT_TRUE(ok.directory) << format_diagnostics(ok.errors);
  EXPECT_TRUE(ok.directory->teams().empty());

  files.teams = dir / "missing-teams.csv";
  auto bad = load_directory(files, "86");
  EXPECT_FALSE(bad.directory);
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(to_string(bad.errors[0]),
            (dir / "missing-teams.csv").string() + ": cannot read: No such file or directory");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lianxin::config
