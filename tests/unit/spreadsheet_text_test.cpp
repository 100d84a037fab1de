// Directory files as Excel on a Chinese PC writes them: encodings (spreadsheet_text.hpp), cells
// Excel damaged (cell_checks.hpp), and one broken file reported once (directory_csv.hpp).
// Fixtures are built byte by byte here: "张大爷" is D5 C5 B4 F3 D2 AF in GBK.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/cell_checks.hpp"
#include "config/directory_csv.hpp"
#include "config/directory_table.hpp"
#include "config/spreadsheet_text.hpp"

namespace lianxin::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kZhangDayeGbk = "\xD5\xC5\xB4\xF3\xD2\xAF";  // 张大爷
const std::string kLiNainaiGbk = "\xC0\xEE\xC4\xCC\xC4\xCC";   // 李奶奶

// UTF-16 of ASCII and BMP text given as code units.
std::string utf16le(const std::u16string& units) {
  std::string out = "\xFF\xFE";
  for (char16_t u : units) {
    out += static_cast<char>(u & 0xFF);
    out += static_cast<char>(u >> 8);
  }
  return out;
}

std::string utf16be(const std::u16string& units) {
  std::string out = "\xFE\xFF";
  for (char16_t u : units) {
    out += static_cast<char>(u >> 8);
    out += static_cast<char>(u & 0xFF);
  }
  return out;
}

// ---------------------------------------------------------------- encodings

TEST(SpreadsheetText, GbkWithCrlfIsDecoded) {
  auto r = read_spreadsheet_csv("phone,name\r\n13800000051," + kZhangDayeGbk + "\r\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().message;
  EXPECT_EQ(r.encoding, TextEncoding::gb18030);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_THAT(r.records[1].fields, ElementsAre("13800000051", "张大爷"));
  EXPECT_EQ(r.records[1].line, 2u);
}

TEST(SpreadsheetText, Utf8WithAndWithoutBom) {
  auto plain = decode_spreadsheet_text("a,张大爷\n");
  EXPECT_EQ(plain.encoding, TextEncoding::utf8);
  EXPECT_EQ(plain.text, "a,张大爷\n");
  auto bom = decode_spreadsheet_text(
      "\xEF\xBB\xBF"
      "a,张大爷\r\n");
  EXPECT_EQ(bom.encoding, TextEncoding::utf8_bom);
  EXPECT_EQ(bom.text, "a,张大爷\r\n");  // the mark is gone, the line end stays
}

TEST(SpreadsheetText, QuotedMultiLineFieldsInGbk) {
  // A GBK cell with a comma and a CRLF inside quotes; the next record starts on line 4.
  auto r = read_spreadsheet_csv("id,aliases\r\ng1,\"" + kZhangDayeGbk + ",\r\n" + kLiNainaiGbk +
                                "\"\r\ng2,x\r\n");
  ASSERT_TRUE(r.errors.empty());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[1].fields[1], "张大爷,\n李奶奶");
  EXPECT_EQ(r.records[2].line, 4u);
}

TEST(SpreadsheetText, Utf16UnicodeTextIsTabSeparated) {
  auto le = read_spreadsheet_csv(utf16le(u"手机\t姓名\r\n13800000051\t张大爷\r\n"));
  ASSERT_TRUE(le.errors.empty()) << le.errors.front().message;
  EXPECT_EQ(le.encoding, TextEncoding::utf16le);
  EXPECT_EQ(le.separator, '\t');
  EXPECT_THAT(le.records[1].fields, ElementsAre("13800000051", "张大爷"));
  auto be = read_spreadsheet_csv(utf16be(u"phone,name\n13800000051,李奶奶\n"));
  ASSERT_TRUE(be.errors.empty());
  EXPECT_EQ(be.encoding, TextEncoding::utf16be);
  EXPECT_EQ(be.separator, ',');
  EXPECT_THAT(be.records[1].fields, ElementsAre("13800000051", "李奶奶"));
}

TEST(SpreadsheetText, SeparatorIsTabOnlyWithoutCommasInTheHeader) {
  EXPECT_EQ(detect_separator("\r\n\na\tb\nc,d"), '\t');
  EXPECT_EQ(detect_separator("a\tb,c\n"), ',');
  EXPECT_EQ(detect_separator("a;b\n"), ',');
  EXPECT_EQ(detect_separator(""), ',');
}

struct EncodingErrorCase {
  const char* name;
  std::string bytes;
  std::vector<std::size_t> lines;  // of each error, in order
  const char* fragment;            // in the first error
};

class EncodingErrors : public ::testing::TestWithParam<EncodingErrorCase> {};

TEST_P(EncodingErrors, AreLocatedAndSayHowToSave) {
  const EncodingErrorCase& c = GetParam();
  auto r = read_spreadsheet_csv(c.bytes);
  std::vector<std::size_t> lines;
  for (const CsvError& e : r.errors) lines.push_back(e.line);
  EXPECT_EQ(lines, c.lines) << c.name;
  ASSERT_FALSE(r.errors.empty());
  EXPECT_THAT(r.errors.front().message, HasSubstr(c.fragment)) << c.name;
  EXPECT_TRUE(r.records.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, EncodingErrors,
    ::testing::Values(
        EncodingErrorCase{
            "neither", "a,b\r\nc,d\r\ne,\x80\r\n", {3}, "neither UTF-8 nor GBK (byte 0x80)"},
        EncodingErrorCase{"neither_says_how", "a\n\xFF\n", {2}, "另存为 → 「CSV UTF-8"},
        // A UTF-8 file with one GBK row pasted in: that row, nothing else.
        EncodingErrorCase{
            "gbk_row_in_utf8",
            "手机,姓名\n13800000051,张大爷\n13800000052," + kLiNainaiGbk + "\n13800000053,王小二\n",
            {3},
            "not valid UTF-8 (byte 0xC0) like the rest of the file"},
        // A UTF-8 byte order mark says UTF-8 even when no other row shows it.
        EncodingErrorCase{
            "gbk_after_bom", "\xEF\xBB\xBFphone,name\n1," + kZhangDayeGbk + "\n", {2}, "mojibake"},
        // A GBK file with one UTF-8 row: that row is the odd one out.
        EncodingErrorCase{"utf8_row_in_gbk",
                          "phone,name\n1," + kZhangDayeGbk + "\n2," + kLiNainaiGbk +
                              "\n3,王小二\n4," + kZhangDayeGbk + "\n",
                          {4},
                          "this row is UTF-8 but the rest of the file is GBK"},
        EncodingErrorCase{"xlsx", std::string("PK\x03\x04\x14\x00", 6), {0}, "Excel workbook"},
        EncodingErrorCase{"xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", {0}, "Excel workbook"},
        EncodingErrorCase{
            "utf16_cut_short", utf16le(u"a,b\nc,d\n").substr(0, 13), {2}, "cut short"},
        EncodingErrorCase{"utf16_lone_surrogate",
                          utf16le(u"a\n") + std::string("\x00\xD8\x61\x00", 4),
                          {2},
                          "not valid UTF-16"},
        EncodingErrorCase{"utf16_without_bom", std::string("a\0,\0b\0", 6), {1}, "NUL byte"}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------- cells Excel damaged

TEST(CellChecks, ExcelNumbersAreExplained) {
  for (const char* cell : {"1.38E+10", "1.38001E+10", "1.38e10", "8.61381E+12", "13800000001E+0",
                           "13800000001.0", "13800000001.00", "1380000000.1"}) {
    auto problem = excel_number_problem(cell);
    ASSERT_TRUE(problem) << cell;
    EXPECT_THAT(*problem, HasSubstr("Excel 把号码当成了数字")) << cell;
    EXPECT_THAT(*problem, HasSubstr("文本")) << cell;
  }
  EXPECT_THAT(*excel_number_problem("1.38E+10"), HasSubstr("last digits are lost"));
  EXPECT_THAT(*excel_number_problem("13800000001.0"), HasSubstr("remove the \".0\""));
  for (const char* cell : {"13800000001", "138 0000 0001", "138-0000-0001", "138.0000.0001",
                           "+86 138 0000 0001", "0571-87654321", "E+10", "1.E5", "abc", ""}) {
    EXPECT_FALSE(excel_number_problem(cell)) << cell;
  }
}

TEST(CellChecks, LostLeadingZeroOfALandline) {
  auto fix = lost_leading_zero("57187654321", "86");
  ASSERT_TRUE(fix);
  EXPECT_THAT(*fix, HasSubstr("leading 0 of 057187654321"));
  EXPECT_FALSE(lost_leading_zero("13800000001", "86"));  // valid as it is
  EXPECT_FALSE(lost_leading_zero("1380000000", "86"));   // 0 in front does not help either
  EXPECT_FALSE(lost_leading_zero("057187654321", "86"));
}

TEST(CellChecks, MojibakeIsRecognisedAndCleanNamesPass) {
  for (const char* clean : {"张大爷", "买买提·艾力", "Zhang San", "王小二（村口）", ""}) {
    EXPECT_FALSE(mojibake_problem(clean)) << clean;
  }
  EXPECT_THAT(*mojibake_problem("å¼ ä¸‰"), HasSubstr("Latin-1"));
  EXPECT_THAT(*mojibake_problem("å¤§ç\xC2\x88·"), HasSubstr("Latin-1"));
  EXPECT_THAT(*mojibake_problem("张\xEF\xBF\xBD"), HasSubstr("U+FFFD"));
  EXPECT_THAT(*mojibake_problem("锟斤拷锟斤拷"), HasSubstr("锟斤拷"));
  EXPECT_THAT(*mojibake_problem("\xEE\x80\x80张"), HasSubstr("private-use"));  // U+E000
  EXPECT_THAT(*mojibake_problem("a\xC2\x85"), HasSubstr("control"));           // U+0085
}

// ---------------------------------------------------------------- the directory

DirectorySources sources() {
  DirectorySources s;
  s.grids = CsvSource{"grids.csv", "id,village,township,leader\ng1,东山村,青石镇,m1\n"};
  s.members = CsvSource{"members.csv", "id,name,phone,grids\nm1,张三,13800000001,g1\n"};
  s.residents = CsvSource{"residents.csv", "phone,name,grid\n13800000051,张大爷,g1\n"};
  s.duty_desks = CsvSource{"duty_desks.csv", "township,member\n,m1\n青石镇,m1\n"};
  return s;
}

TEST(DirectoryFromExcel, GbkAndUtf16FilesLoad) {
  DirectorySources s = sources();
  s.residents = CsvSource{"residents.csv",
                          "\xCA\xD6\xBB\xFA,\xD0\xD5\xC3\xFB\r\n"  // 手机,姓名
                          "13800000051," +
                              kZhangDayeGbk + "\r\n"};
  s.members = CsvSource{"members.csv", utf16le(u"编号\t姓名\t手机\r\nm1\t张三\t13800000001\r\n")};
  auto r = parse_directory(s, "86");
  ASSERT_TRUE(r.directory) << format_diagnostics(r.errors);
  EXPECT_EQ(r.directory->resident_by_phone("+8613800000051")->name, "张大爷");
  EXPECT_EQ(r.directory->find_member("m1")->name, "张三");
}

TEST(DirectoryFromExcel, PhoneNumbersExcelMangledAreRefusedWithTheFix) {
  DirectorySources s = sources();
  s.residents = CsvSource{"residents.csv",
                          "phone,name\n1.38E+10,张大爷\n1380000001.0,李奶奶\n57187654321,王小二\n"
                          "138-0000-0054,赵四\n"};
  auto r = parse_directory(s, "86");
  EXPECT_FALSE(r.directory);
  ASSERT_EQ(r.errors.size(), 3u) << format_diagnostics(r.errors);
  EXPECT_THAT(to_string(r.errors[0]),
              HasSubstr("residents.csv:2: phone: \"1.38E+10\" is a number Excel shows in "
                        "scientific notation"));
  // Taken digit by digit this would have been 13800000010, somebody else's number.
  EXPECT_THAT(to_string(r.errors[1]),
              HasSubstr("residents.csv:3: phone: \"1380000001.0\" ends in a decimal point"));
  EXPECT_THAT(to_string(r.errors[2]),
              HasSubstr("residents.csv:4: phone: \"57187654321\" is not a valid phone number: "
                        "Excel dropped the leading 0 of 057187654321"));
}

TEST(DirectoryFromExcel, MojibakeNamesAreRefusedByRow) {
  DirectorySources s = sources();
  s.residents = CsvSource{"residents.csv",
                          "手机,姓名\n13800000051,张大爷\n13800000052,å¼ ä¸‰\n13800000053,"
                          "锟斤拷\n"};
  auto r = parse_directory(s, "86");
  EXPECT_FALSE(r.directory);
  ASSERT_EQ(r.errors.size(), 2u) << format_diagnostics(r.errors);
  EXPECT_THAT(to_string(r.errors[0]), HasSubstr("residents.csv:3: 姓名: mojibake (乱码)"));
  EXPECT_THAT(to_string(r.errors[1]), HasSubstr("residents.csv:4: 姓名: mojibake (乱码)"));
}

TEST(DirectoryFromExcel, OneBrokenMembersFileIsOneErrorNotThirty) {
  DirectorySources s = sources();
  // 30 grids led by members, teams and desks naming them: all of them point into members.csv.
  std::string grids = "id,village,township,leader\n";
  std::string desks = "township,member\n,m1\n";
  for (int i = 1; i <= 30; ++i) {
    grids += "g" + std::to_string(i) + ",村" + std::to_string(i) + ",青石镇,m" + std::to_string(i) +
             "\n";
  }
  s.grids = CsvSource{"grids.csv", grids};
  s.duty_desks = CsvSource{"duty_desks.csv", desks};
  s.teams = CsvSource{"teams.csv", "id,name,leader,members\nt1,志愿队,m1,m2;m3\n"};
  s.members = CsvSource{"members.csv", "id,name,phone\nm1,\"张三,13800000001\n"};  // quote
  auto r = parse_directory(s, "86");
  EXPECT_FALSE(r.directory);
  const std::string all = format_diagnostics(r.errors);
  EXPECT_EQ(all,
            "members.csv:2: column 4: quote opened here is never closed\n"
            "directory: references to members from the other files not checked: the members "
            "file did not read\n");
  EXPECT_THAT(all, Not(HasSubstr("unknown member")));

  // Likewise a grids file in an encoding that cannot be read: residents and members keep
  // their grid references unchecked, one line says so.
  s = sources();
  s.grids = CsvSource{"grids.csv", "id,village\ng1,\x80\n"};
  r = parse_directory(s, "86");
  ASSERT_EQ(r.errors.size(), 2u) << format_diagnostics(r.errors);
  EXPECT_EQ(r.errors[0].file, "grids.csv");
  EXPECT_THAT(r.errors[1].message, HasSubstr("references to grids and townships"));
}

TEST(DirectoryFromExcel, KindIsToldByTheHeader) {
  const std::pair<const char*, DirectoryKind> cases[] = {
      {"编号(id),名称(name),村(village),乡镇(township),网格长(leader),备注\n",
       DirectoryKind::grids},
      {"编号,姓名,手机,网格,角色,在岗\n", DirectoryKind::members},
      {"手机(phone),姓名(name),网格(grid)\n", DirectoryKind::residents},
      {"id,name,leader,members\n", DirectoryKind::teams},
      {"乡镇(township 空=县),成员(member)\n", DirectoryKind::duty_desks},
  };
  for (const auto& [header, kind] : cases) {
    EXPECT_THAT(kinds_fitting(read_spreadsheet_csv(header)), ElementsAre(kind)) << header;
  }
  EXPECT_TRUE(kinds_fitting(read_spreadsheet_csv("what,ever\n")).empty());
  EXPECT_TRUE(kinds_fitting(read_spreadsheet_csv("a,\x80\n")).empty());
}

}  // namespace
}  // namespace lianxin::config
