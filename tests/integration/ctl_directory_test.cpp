// `lianxinctl directory import` and `directory check` on files as Excel on a Chinese PC saves
// them: the real binary on a copy of the demo configuration, fixtures built byte by byte (GBK
// "张大爷" is D5 C5 B4 F3 D2 AF). Checks what is written (CSV UTF-8 with BOM, a .bak), that
// nothing is written when a file is wrong, and that one broken file is one error.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/ctl_reports_fixture.hpp"
#include "tests/integration/sim_json.hpp"

namespace {

namespace fs = std::filesystem;
using lianxin::sim::Json;
using lianxin::testing::CtlReportsFixture;
using lianxin::testing::CtlRun;
using lianxin::testing::slurp;

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::size_t lines_in(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// GBK: 手机,姓名,网格 / 张大爷 / 李奶奶.
const std::string kGbkHeader = "\xCA\xD6\xBB\xFA,\xD0\xD5\xC3\xFB,\xCD\xF8\xB8\xF1";
const std::string kZhangDayeGbk = "\xD5\xC5\xB4\xF3\xD2\xAF";
const std::string kLiNainaiGbk = "\xC0\xEE\xC4\xCC\xC4\xCC";

std::string utf16le_with_bom(const std::u16string& units) {
  std::string out = "\xFF\xFE";
  for (char16_t u : units) {
    out += static_cast<char>(u & 0xFF);
    out += static_cast<char>(u >> 8);
  }
  return out;
}

// The shared fixture (a copy of the demo configuration, the real lianxinctl).
class CtlDirectory : public CtlReportsFixture {
 protected:
  fs::path conf(const char* name) const { return dir_ / "conf" / name; }
};

TEST_F(CtlDirectory, ImportsGbkAndUnicodeTextAndKeepsABackup) {
  const std::string old_residents = slurp(conf("residents.csv"));
  fs::permissions(conf("residents.csv"),
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read,
                  fs::perm_options::replace);
  // Excel's plain "CSV" on a Chinese PC: GBK, CRLF, a quoted cell.
  const fs::path residents = dir_ / "居民名单.csv";
  write(residents, kGbkHeader + "\r\n13800000051,\"" + kZhangDayeGbk + "\",g-daxi\r\n" +
                       "138 0000 0052," + kLiNainaiGbk + ",g-shitang\r\n");
  // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
  const fs::path teams = dir_ / "队伍.txt";
  write(teams, utf16le_with_bom(u"编号\t名称\t队长\t成员\r\n"
                                u"volunteers\t志愿服务队\tm-huang\t\"m-huang;m-yang\"\r\n"));

  CtlRun run =
      ctl({"directory", "import", residents.string(), teams.string(), "--config", config_});
  ASSERT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("residents: " + residents.string() + " (GBK/GB18030, 2 rows) → "),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("teams: " + teams.string() + " (UTF-16LE, 1 rows)"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("systemctl reload lianxind"), std::string::npos);

  // Written as CSV UTF-8 (BOM, commas, CRLF), the previous file kept.
  EXPECT_EQ(slurp(conf("residents.csv")),
            "\xEF\xBB\xBF手机,姓名,网格\r\n13800000051,张大爷,g-daxi\r\n"
            "138 0000 0052,李奶奶,g-shitang\r\n");
  EXPECT_EQ(slurp(conf("residents.csv.bak")), old_residents);
  EXPECT_EQ(fs::status(conf("residents.csv")).permissions(),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_FALSE(fs::exists(conf("residents.csv.import-tmp")));
  EXPECT_EQ(slurp(conf("teams.csv")),
            "\xEF\xBB\xBF编号,名称,队长,成员\r\nvolunteers,志愿服务队,m-huang,m-huang;m-yang\r\n");

  run = ctl({"directory", "check", "--config", config_});
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  run = ctl({"directory", "list", "residents", "--config", config_, "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  ASSERT_TRUE(Json::parse(run.out)) << run.out;
  EXPECT_NE(run.out.find("张大爷"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("李奶奶"), std::string::npos) << run.out;
}

TEST_F(CtlDirectory, NothingIsWrittenWhenAFileIsWrong) {
  const std::string old_residents = slurp(conf("residents.csv"));
  const fs::path residents = dir_ / "residents-from-excel.csv";
  // Row 3: what Excel shows for 13800000052 in a narrow column; row 4: a name typed in UTF-8
  // elsewhere and read as Windows-1252 (mojibake).
  write(residents,
        "phone,name,grid\r\n13800000051,张大爷,g-daxi\r\n1.38E+10,李奶奶,g-daxi\r\n"
        "13800000053,å¼ ä¸‰,g-daxi\r\n");
  CtlRun run = ctl({"directory", "import", "--config", config_, residents.string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find(residents.string() + ":3: phone: \"1.38E+10\" is a number Excel shows"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("设置单元格格式 → 文本"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(residents.string() + ":4: name: mojibake (乱码)"), std::string::npos)
      << run.out;
  EXPECT_NE(run.err.find("nothing was written"), std::string::npos) << run.err;
  EXPECT_EQ(slurp(conf("residents.csv")), old_residents);
  EXPECT_FALSE(fs::exists(conf("residents.csv.bak")));

  // A members file without the members the grids, teams and desks name: refused as a whole.
  const fs::path members = dir_ / "members.csv";
  write(members, "id,name,phone\r\nm-new,新人,13800000099\r\n");
  run = ctl({"directory", "import", members.string(), "--config", config_, "--dry-run"});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("unknown member \"m-chen\""), std::string::npos) << run.out;

  // Not a directory file at all, and a workbook.
  write(dir_ / "notes.csv", "what,ever\r\n");
  write(dir_ / "book.xlsx", std::string("PK\x03\x04\x14\x00\x06\x00", 8));
  run = ctl({"directory", "import", (dir_ / "notes.csv").string(), (dir_ / "book.xlsx").string(),
             "--config", config_});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("notes.csv:1: the first row names the columns of no directory file"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("book.xlsx: an Excel workbook"), std::string::npos) << run.out;

  run = ctl({"directory", "import", "--config", config_});
  EXPECT_EQ(run.status, 2);
}

TEST_F(CtlDirectory, OneBrokenFileIsReportedOnce) {
  // A quote never closed on row 3 of members.csv: the grids, teams and duty desks name about
  // 20 members, and none of them is reported unknown.
  std::string members = slurp(conf("members.csv"));
  const std::size_t row3 = members.find('\n', members.find('\n') + 1) + 1;
  members.insert(members.find(',', row3) + 1, "\"");
  write(conf("members.csv"), members);
  CtlRun run = ctl({"directory", "check", "--config", config_});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(lines_in(run.out), 2u) << run.out;
  EXPECT_NE(run.out.find("members.csv:3: column "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("quote opened here is never closed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("references to members from the other files not checked"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("unknown member"), std::string::npos) << run.out;

  // A GBK file with a byte that is neither UTF-8 nor GBK: its row, and how to save it.
  write(conf("members.csv"), "id,name,phone\r\nm-chen," + kZhangDayeGbk + ",13800000001\r\n" +
                                 "m-wang,\x80,13800000002\r\n");
  run = ctl({"directory", "check", "--config", config_});
  EXPECT_EQ(run.status, 1);
  EXPECT_EQ(lines_in(run.out), 2u) << run.out;
  EXPECT_NE(run.out.find("members.csv:3: column 8: neither UTF-8 nor GBK (byte 0x80)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("另存为 → 「CSV UTF-8"), std::string::npos) << run.out;
}

}  // namespace
