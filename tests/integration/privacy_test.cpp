// What lianxind's log keeps of the numbers people type: nothing readable. Phone numbers go
// through every free-text path (a report, a note, a hand-back reason, a sign-in code, an order, an
// operator's reasons, an SMS an operator sends) in every spelling; afterwards the whole log is
// searched for each of them and for the SMPP password.
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "config/daemon_config.hpp"
#include "tests/integration/control_fixture.hpp"

namespace lianxin::testing {
namespace {

// A pattern for `digits` however it is spelt: spaces or dashes between any digits.
std::regex spelt_any_way(const std::string& digits) {
  std::string pattern;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i) pattern += "[ -]?";
    pattern += digits[i];
  }
  return std::regex(pattern);
}

class PrivacyTest : public ControlTest {};

TEST_F(PrivacyTest, NoNumberAnyoneTypedAndNoPasswordReachTheLog) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const std::string villager = "13800000051";  // 张大爷, 大溪边村
  // Numbers people write into their texts (none of them is in the directory).
  const std::vector<std::string> typed{"13912345601",  "13912345602", "13912345603",
                                       "13912345604",  "13912345605", "13912345606",
                                       "057187654321", "13912345607", "13912345608"};

  // A report and a note joined to it, the numbers written three ways.
  ASSERT_TRUE(deliver(villager, "村口路灯坏了，有事打我儿子13912345601"));
  const auto confirmation = sms_to(villager, "工单号");
  ASSERT_TRUE(confirmation);
  const TicketNo n = number_after(*confirmation, "工单号").value_or(0);
  ASSERT_TRUE(deliver(villager, "补充：电话 139-1234-5602 或 +86 139 1234 5603"));
  ASSERT_TRUE(sms_to(villager, std::to_string(n)));
  const auto t = ticket(n);
  ASSERT_TRUE(t && t->assignee);
  const domain::Member* member = nullptr;
  auto loaded = config::load_config(dir_ / "lianxind.yaml");
  ASSERT_TRUE(loaded.config);
  member = loaded.config->directory.find_member(*t->assignee);
  ASSERT_NE(member, nullptr);
  const std::string member_phone = member->phone.substr(3);

  // A hand-back reason, a sign-in code, an order, from the member.
  ASSERT_TRUE(
      deliver(member_phone, "退 " + std::to_string(n) + " 我不在村，找１３９１２３４５６０４"));
  ASSERT_TRUE(sms_to(member_phone, std::to_string(n)));
  ASSERT_TRUE(deliver(member_phone, "签到 13912345605"));
  ASSERT_TRUE(sms_to(member_phone, kSignature));
  ASSERT_TRUE(deliver(member_phone, "点单 维修 13912345606 水管爆了"));
  ASSERT_TRUE(sms_to(member_phone, kSignature));

  // An operator's reasons and an SMS an operator sends.
  ProgramResult note =
      ctl({"note", std::to_string(n), "--text", "家属座机0571-87654321", "--as", "alice"});
  EXPECT_EQ(note.exit_code, 0) << note.output;
  ProgramResult close =
      ctl({"close", std::to_string(n), "--reason", "已电话13912345607联系", "--as", "alice"});
  EXPECT_EQ(close.exit_code, 0) << close.output;
  ProgramResult send = ctl({"send", "--to", "13912345608", "明天停水", "--as", "alice"});
  EXPECT_EQ(send.exit_code, 0) << send.output;
  std::this_thread::sleep_for(500ms);

  const std::string log = daemon_->log();
  ASSERT_NE(log.find("closed by operator:"), std::string::npos) << "the actions were logged";
  std::size_t unmasked = 0;
  for (const std::string& number : typed) {
    std::smatch found;
    if (std::regex_search(log, found, spelt_any_way(number))) {
      ++unmasked;
      ADD_FAILURE() << number << " is in the log: ..." << found.str() << "...";
    }
  }
  EXPECT_EQ(unmasked, 0u);
  EXPECT_EQ(log.find("secret"), std::string::npos) << "the SMPP password is in the log";
  // Free text is quoted: a typed reason can never pass for a field or a second line.
  EXPECT_NE(log.find("\"已电话139****5607联系\""), std::string::npos) << log;
  // The villager's own number is masked too.
  EXPECT_EQ(log.find(villager), std::string::npos);
}

// However lianxind is started, others cannot read the tickets; the operators' group can, and
// someone outside it is told how to get in.
TEST_F(PrivacyTest, TheDatabaseIsForTheDaemonAndTheOperatorsGroupOnly) {
  const mode_t old_mask = ::umask(022);  // a permissive shell
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ::umask(old_mask);
  ASSERT_TRUE(deliver("13800000051", "村口路灯坏了"));
  ASSERT_TRUE(sms_to("13800000051", "工单号"));
  for (const char* name : {"lianxin.db", "lianxin.db-wal", "lianxin.db-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat((dir_ / name).c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0007, 0u) << name << " is readable by others";
    EXPECT_EQ(info.st_mode & 0020, 0u) << name << " is writable by the group";
  }
  if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "needs root";
  // As /etc/lianxin and /var/lib/lianxin: the configuration readable, the directory passable.
  fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_exec);
  // The files the configuration names, copied beside it: the checkout may sit in a directory
  // only its owner can pass (a CI workspace, mktemp -d).
  std::ifstream in(dir_ / "lianxind.yaml");
  std::ostringstream yaml;
  for (std::string line; std::getline(in, line);) {
    const std::size_t at = line.find(": /");
    if (at != std::string::npos) {
      const fs::path file = line.substr(at + 2);
      if (fs::is_regular_file(file) && file.parent_path() != dir_.path()) {
        fs::copy_file(file, dir_.path() / file.filename(), fs::copy_options::overwrite_existing);
        fs::permissions(dir_.path() / file.filename(), fs::perms::group_read,
                        fs::perm_options::add);
        line = line.substr(0, at + 2) + (dir_.path() / file.filename()).string();
      }
    }
    yaml << line << "\n";
  }
  std::ofstream(dir_ / "operators.yaml") << yaml.str();
  fs::permissions(dir_ / "operators.yaml", fs::perms::group_read, fs::perm_options::add);
  const std::vector<std::string> tickets{LIANXINCTL_PATH, "tickets", "--config",
                                         (dir_ / "operators.yaml").string()};
  // Outside the group: refused, and told why.
  std::vector<std::string> outsider{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                    "--clear-groups"};
  outsider.insert(outsider.end(), tickets.begin(), tickets.end());
  ProgramResult denied = run_program(outsider);
  EXPECT_EQ(denied.exit_code, 1) << denied.output;
  EXPECT_TRUE(contains(denied.output, "permission denied")) << denied.output;
  EXPECT_TRUE(contains(denied.output, "group lianxin")) << denied.output;
  // In the group that owns the files (here root's group 0): reads while lianxind writes.
  std::vector<std::string> operator_in_group{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                             "--groups=0"};
  operator_in_group.insert(operator_in_group.end(), tickets.begin(), tickets.end());
  ProgramResult allowed = run_program(operator_in_group);
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
  EXPECT_TRUE(contains(allowed.output, "村口路灯坏了")) << allowed.output;
}

}  // namespace
}  // namespace lianxin::testing
