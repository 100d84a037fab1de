// The pure parts of `lianxinctl directory import`: a file's kind from its header, and the CSV
// UTF-8 it is written as (which must read back as the records that were checked).
#include "daemon/ctl/directory_import.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lianxin::ctl {
namespace {

using ::testing::HasSubstr;

std::vector<std::vector<std::string>> fields_of(const std::vector<config::CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const config::CsvRecord& r : records) out.push_back(r.fields);
  return out;
}

TEST(DirectoryImport, WrittenCsvReadsBackAsTheSameRecords) {
  const std::string inputs[] = {
      "id,name\r\ng1,\"大溪,边\"\r\ng2,\"两行\r\n文字\"\r\ng3,\"他说\"\"好\"\"\"\r\n",
      "\xD5\xC5\xB4\xF3\xD2\xAF,\" x \"\n,,\n",       // GBK, spaces kept, empty cells
      "\xFF\xFE" + std::string("a\0\t\0b\0\n\0", 8),  // UTF-16LE, tab-separated
      "a\tb\n\"c,d\"\te\n",                           // tabs, a comma inside a cell
      "\xEF\xBB\xBF"
      "a 5\" pipe,b\rc,d",  // a stray quote, lone CR, no end
  };
  for (const std::string& input : inputs) {
    const config::SpreadsheetCsv original = config::read_spreadsheet_csv(input);
    ASSERT_TRUE(original.errors.empty()) << input;
    const std::string written = to_csv_utf8(original.records);
    EXPECT_EQ(written.substr(0, 3), "\xEF\xBB\xBF");
    const config::SpreadsheetCsv reread = config::read_spreadsheet_csv(written);
    ASSERT_TRUE(reread.errors.empty()) << written;
    EXPECT_EQ(reread.separator, ',');
    EXPECT_EQ(fields_of(reread.records), fields_of(original.records)) << written;
  }
  EXPECT_EQ(to_csv_utf8({{1, {"编号", "名称"}}, {2, {"g,1", "a\nb"}}}),
            "\xEF\xBB\xBF编号,名称\r\n\"g,1\",\"a\nb\"\r\n");
}

TEST(DirectoryImport, KindFromTheHeaderOrTheFileName) {
  EXPECT_EQ(recognise_directory_file("x.csv", "手机,姓名,网格\n1,2,3\n").kind,
            config::DirectoryKind::residents);
  EXPECT_EQ(recognise_directory_file("x.csv", "乡镇,成员\n,m1\n").kind,
            config::DirectoryKind::duty_desks);

  // Not fitting any kind: the file's name says which it meant, so the header is explained.
  RecognisedFile members = recognise_directory_file("/tmp/members-2026.csv", "编号,姓名,电邮\n");
  EXPECT_FALSE(members.kind);
  ASSERT_FALSE(members.errors.empty());
  EXPECT_EQ(config::to_string(members.errors.front()),
            "/tmp/members-2026.csv:1: unknown column \"电邮\"; did you mean \"电话\"?");
  RecognisedFile unknown = recognise_directory_file("名单.csv", "a,b\n");
  ASSERT_EQ(unknown.errors.size(), 1u);
  EXPECT_THAT(unknown.errors[0].message, HasSubstr("names the columns of no directory file"));

  // A file that does not read: its own error, located.
  RecognisedFile broken = recognise_directory_file("g.csv", "id,village\ng1,\"x\n");
  EXPECT_FALSE(broken.kind);
  ASSERT_EQ(broken.errors.size(), 1u);
  EXPECT_EQ(config::to_string(broken.errors[0]),
            "g.csv:2: column 4: quote opened here is never closed");
}

}  // namespace
}  // namespace lianxin::ctl
