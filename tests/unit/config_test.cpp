#include "config/daemon_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace lianxin::config {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// The shipped files are test fixtures: config/ of this source tree.
const fs::path kSourceRoot = fs::path(__FILE__).parent_path().parent_path().parent_path();
const fs::path kConfigDir = kSourceRoot / "config";
const fs::path kDemoDir = kConfigDir / "demo";

// A scratch directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("lianxin-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  // The demo directory CSV files, to be referred to by the YAML under test.
  void copy_demo_csvs() const {
    for (const char* name :
         {"grids.csv", "members.csv", "residents.csv", "teams.csv", "duty_desks.csv"}) {
      fs::copy_file(kDemoDir / name, path_ / name);
    }
  }

 private:
  fs::path path_;
};

std::string all_errors(const LoadResult& r) {
  return format_diagnostics(r.errors);
}

TEST(ConfigExample, ShippedExampleLoadsWithTheDemoDirectory) {
  TempDir dir;
  fs::copy_file(kConfigDir / "lianxind.example.yaml", dir.path() / "lianxind.yaml");
  dir.copy_demo_csvs();
  TempDir credentials;
  credentials.write("smpp-password", "s3cret\n");
  LoadOptions options;
  options.credentials_directory = credentials.path();

  LoadResult r = load_config(dir.path() / "lianxind.yaml", options);
  ASSERT_TRUE(r.config) << all_errors(r);
  const DaemonConfig& c = *r.config;
  EXPECT_EQ(c.settings.signature, "【连心桥】");
  EXPECT_EQ(c.time_zone, "Asia/Shanghai");
  ASSERT_TRUE(c.quiet_hours);
  EXPECT_EQ(c.quiet_hours->start, std::chrono::hours{22});
  EXPECT_EQ(c.quiet_hours->end, std::chrono::hours{7});
  EXPECT_EQ(c.log_level, LogLevel::info);

  ASSERT_EQ(c.smpp.size(), 1u);
  const SmppConnection& link = c.smpp[0];
  EXPECT_EQ(link.name, "unicom-1");
  EXPECT_EQ(link.host, "10.20.30.40");
  EXPECT_EQ(link.port, 2775);
  EXPECT_EQ(link.system_id, "lianxin");
  EXPECT_EQ(link.password, "s3cret");  // the final line break is not part of it
  EXPECT_EQ(link.password_origin, "credential smpp-password");
  EXPECT_EQ(link.bind, BindMode::transceiver);
  EXPECT_EQ(link.source_address, "106900001234");
  EXPECT_EQ(link.source_npi, 1);
  EXPECT_EQ(link.concat, ConcatMode::udh);
  EXPECT_EQ(link.tps, 50);
  EXPECT_EQ(link.window, 10u);
  EXPECT_EQ(link.enquire_link_interval, std::chrono::seconds{30});
  EXPECT_EQ(link.reconnect_max, std::chrono::seconds{60});

  EXPECT_EQ(c.storage.path, fs::path("/var/lib/lianxin/lianxin.db"));
  EXPECT_EQ(c.storage.synchronous, SyncMode::full);
  EXPECT_EQ(c.storage.inbox_dedupe_window, std::chrono::minutes{10});
  EXPECT_EQ(c.directory_files.grids, dir.path() / "grids.csv");  // relative to the YAML file

  // Categories: built-ins kept, water overridden, a new one added.
  const domain::Settings defaults = domain::default_settings();
  EXPECT_EQ(c.settings.categories.size(), defaults.categories.size() + 1);
  const domain::Category* water = c.settings.find_category("water");
  ASSERT_NE(water, nullptr);
  EXPECT_EQ(water->route, domain::RouteKind::team);
  EXPECT_EQ(water->team, "volunteers");
  EXPECT_FALSE(water->urgent);
  EXPECT_EQ(water->name, defaults.find_category("water")->name);
  // The language section: thresholds as percentages; the model where the build installs it.
  EXPECT_DOUBLE_EQ(c.settings.language.review_below, 0.6);
  EXPECT_DOUBLE_EQ(c.settings.language.urgent_at, 0.3);
  EXPECT_EQ(c.language.model, fs::path(LIANXIN_DATA_DIR) / "language.ftz");
  // Built-in categories have no keywords: add_keywords gives water exactly its own.
  EXPECT_THAT(water->keywords, ::testing::ElementsAre("管子裂了"));
  const domain::Category* livestock = c.settings.find_category("livestock");
  ASSERT_NE(livestock, nullptr);
  EXPECT_EQ(livestock->name, "畜禽养殖");
  EXPECT_EQ(livestock->resolve_within, domain::SlaLimit::hours(168));
  EXPECT_EQ(c.settings.find_category("road")->keywords, defaults.find_category("road")->keywords);
  // Templates all commented out: the built-in ones.
  EXPECT_EQ(c.settings.templates.member_dispatch, defaults.templates.member_dispatch);
  EXPECT_EQ(c.settings.windows.verification, std::chrono::hours{72});
  EXPECT_EQ(c.settings.windows.closed_retention, std::chrono::hours{24 * 7});
  EXPECT_EQ(c.settings.loop_protection.max_repeats, 5);
  EXPECT_EQ(c.directory.grids().size(), 6u);
}

// Only the running daemon needs the SMPP password: lianxinctl reads the shipped example outside
// systemd, where there is no $CREDENTIALS_DIRECTORY, and never touches the secret.
TEST(ConfigExample, OperatorsCommandsReadTheShippedExampleWithoutTheCredential) {
  TempDir dir;
  fs::copy_file(kConfigDir / "lianxind.example.yaml", dir.path() / "lianxind.yaml");
  dir.copy_demo_csvs();
  unsetenv("CREDENTIALS_DIRECTORY");
  LoadOptions skip;
  skip.secrets = Secrets::skip;
  LoadResult r = load_config(dir.path() / "lianxind.yaml", skip);
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_TRUE(r.config->smpp[0].password.empty());
  EXPECT_EQ(r.config->smpp[0].password_origin, "credential smpp-password");
  // The daemon itself outside systemd: a clear error, as before.
  LoadResult daemon = load_config(dir.path() / "lianxind.yaml");
  EXPECT_FALSE(daemon.config);
  EXPECT_NE(all_errors(daemon).find("$CREDENTIALS_DIRECTORY is not set"), std::string::npos);
}

// --check-config outside systemd: the installed unit's LoadCredential= source is checked.
TEST(ConfigExample, CheckConfigFollowsTheUnitsLoadCredential) {
  TempDir dir;
  fs::copy_file(kConfigDir / "lianxind.example.yaml", dir.path() / "lianxind.yaml");
  dir.copy_demo_csvs();
  unsetenv("CREDENTIALS_DIRECTORY");
  LoadOptions check;
  check.secrets = Secrets::check;
  check.unit_files = {dir.path() / "no-such.service"};
  LoadResult no_unit = load_config(dir.path() / "lianxind.yaml", check);
  ASSERT_TRUE(no_unit.config) << all_errors(no_unit);
  ASSERT_EQ(no_unit.notes.size(), 1u);
  EXPECT_NE(no_unit.notes[0].find("$CREDENTIALS_DIRECTORY/smpp-password"), std::string::npos);

  const fs::path secret = dir.path() / "smpp-password";
  dir.write(
      "lianxind.service",
      "[Service]\nLoadCredential=other:/x\nLoadCredential=smpp-password:" + secret.string() + "\n");
  check.unit_files = {dir.path() / "lianxind.service"};
  LoadResult missing = load_config(dir.path() / "lianxind.yaml", check);
  EXPECT_FALSE(missing.config);
  EXPECT_NE(all_errors(missing).find(secret.string() + ", which does not exist"), std::string::npos)
      << all_errors(missing);

  dir.write("smpp-password", "s3cret\n");
  LoadResult present = load_config(dir.path() / "lianxind.yaml", check);
  ASSERT_TRUE(present.config) << all_errors(present);
  EXPECT_EQ(present.config->smpp[0].password, "s3cret");
  ASSERT_EQ(present.notes.size(), 1u);
  EXPECT_NE(present.notes[0].find("read under systemd from " + secret.string()), std::string::npos);

  dir.write("smpp-password", "much-too-long\n");  // still checked: more than 8 characters
  EXPECT_NE(all_errors(load_config(dir.path() / "lianxind.yaml", check)).find("longer than 8"),
            std::string::npos);
}

TEST(ConfigExample, DemoConfigurationLoadsAsShipped) {
  LoadResult r = load_config(kDemoDir / "demo.yaml");
  ASSERT_TRUE(r.config) << all_errors(r);
  const DaemonConfig& c = *r.config;
  ASSERT_EQ(c.smpp.size(), 1u);
  EXPECT_EQ(c.smpp[0].password, "demopass");
  EXPECT_EQ(c.smpp[0].password_origin, "file " + (kDemoDir / "smpp.password").string());
  EXPECT_EQ(c.storage.path, kDemoDir / "demo.db");
  EXPECT_EQ(c.storage.synchronous, SyncMode::normal);
  EXPECT_EQ(c.log_level, LogLevel::debug);
  EXPECT_EQ(c.settings.templates.resident_received,
            "收到，工单号{ticket}，清溪县网格员会尽快联系您。");
  EXPECT_EQ(c.settings.find_category("water")->accept_within, domain::SlaLimit::hours(1));
  EXPECT_EQ(c.settings.windows.location_followup, std::chrono::minutes{10});

  const domain::Directory& d = c.directory;
  EXPECT_EQ(d.grids().size(), 6u);
  EXPECT_EQ(d.members().size(), 18u);
  EXPECT_EQ(d.residents().size(), 10u);
  ASSERT_EQ(d.teams().size(), 1u);
  EXPECT_EQ(d.teams()[0].name, "志愿服务队");
  EXPECT_EQ(d.find_member(d.teams()[0].leader)->name, "黄卫东");
  std::set<std::string> townships;
  for (const domain::Grid& g : d.grids()) townships.insert(g.township);
  EXPECT_THAT(townships, ElementsAre("白沙乡", "青石镇"));
  EXPECT_THAT(d.find_grid("g-daxi")->aliases, ElementsAre("溪边", "老樟树", "大溪"));
  EXPECT_EQ(d.member_by_phone("+8613800000003")->name, "李秀英");  // "138 0000 0003"
  EXPECT_EQ(d.member_by_phone("+8613800000018")->id, "m-desk-county");
  EXPECT_FALSE(d.find_member("m-feng")->on_duty);
  EXPECT_TRUE(d.find_member("m-chen")->has_role(domain::Role::grid_leader));
  EXPECT_THAT(d.duty_desk_members(""), ElementsAre("m-desk-county"));
  EXPECT_THAT(d.duty_desk_members("白沙乡"), ElementsAre("m-desk-baisha"));
  for (const domain::Member& m : d.members()) {
    EXPECT_THAT(m.phone, ::testing::StartsWith("+86138000000")) << m.id;
  }

  std::string text = render_config(c);
  EXPECT_THAT(text, HasSubstr("password: (file "));
  EXPECT_THAT(text, HasSubstr("quiet_hours: \"22:00-07:00\""));
  EXPECT_THAT(text, HasSubstr("team: volunteers"));
  EXPECT_THAT(text, Not(HasSubstr("demopass")));
}

// ---------------------------------------------------------------- broken files

// A minimal valid file. Line numbers matter to the cases below.
const std::string kBase =
    "smpp:\n"                                 // 1
    "  - name: sim\n"                         // 2
    "    host: 127.0.0.1\n"                   // 3
    "    system_id: lianxin\n"                // 4
    "    password: pw\n"                      // 5
    "    source_address: \"106900001234\"\n"  // 6
    "storage:\n"                              // 7
    "  path: test.db\n"                       // 8
    "directory:\n"                            // 9
    "  grids: grids.csv\n"                    // 10
    "  members: members.csv\n"                // 11
    "  teams: teams.csv\n"                    // 12
    "  duty_desks: duty_desks.csv\n";         // 13

struct BrokenCase {
  const char* name;
  const char* replace;  // a text of kBase to replace ("" = append `with` at the end)
  const char* with;
  int line, column;
  const char* fragment;
};

std::string apply(const BrokenCase& c) {
  std::string text = kBase;
  if (std::string(c.replace).empty()) return text + c.with;
  auto at = text.find(c.replace);
  EXPECT_NE(at, std::string::npos) << c.name;
  if (at == std::string::npos) return text;
  return text.replace(at, std::string(c.replace).size(), c.with);
}

TEST(ConfigBase, IsValid) {
  TempDir dir;
  dir.copy_demo_csvs();
  dir.write("lianxind.yaml", kBase);
  LoadResult r = load_config(dir.path() / "lianxind.yaml");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->smpp[0].password_origin, "inline in the configuration");
  EXPECT_EQ(r.config->storage.path, dir.path() / "test.db");
  // Not given: the defaults.
  EXPECT_FALSE(r.config->quiet_hours);
  EXPECT_EQ(r.config->smpp[0].port, 2775);
  EXPECT_EQ(r.config->settings.categories.size(), domain::default_categories().size());
  EXPECT_FALSE(r.config->metrics);  // off unless configured
}

TEST(ConfigBase, MetricsDefaultToLoopback) {
  TempDir dir;
  dir.copy_demo_csvs();
  dir.write("lianxind.yaml", kBase + "metrics:\n  port: 9100\n");
  LoadResult r = load_config(dir.path() / "lianxind.yaml");
  ASSERT_TRUE(r.config) << all_errors(r);
  ASSERT_TRUE(r.config->metrics);
  EXPECT_EQ(r.config->metrics->address, "127.0.0.1");
  EXPECT_EQ(r.config->metrics->port, 9100);
  dir.write("lianxind.yaml", kBase + "metrics: {address: \"::1\"}\n");
  r = load_config(dir.path() / "lianxind.yaml");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->metrics->address, "::1");
  EXPECT_EQ(r.config->metrics->port, 9464);
}

// ---- SLA ---- every SLA key reaches the domain settings.
TEST(ConfigSla, KeysReachTheSettings) {
  TempDir dir;
  dir.copy_demo_csvs();
  dir.write("lianxind.yaml", kBase +
                                 "time_zone: Asia/Urumqi\n"
                                 "quiet_hours: \"21:30-06:30\"\n"
                                 "categories:\n"
                                 "  - id: road\n"
                                 "    accept_within: 30s\n"
                                 "    resolve_within: 3wd\n"
                                 "    reminder: 10s\n"
                                 "holidays: [2026-10-01..2026-10-07, 2027-01-01]\n"
                                 "workdays: [2026-10-10]\n"
                                 "reminder: 1h\n"
                                 "escalation:\n"
                                 "  chain: [township_desk, county_desk]\n"
                                 "  accept_within: 1wd\n"
                                 "  problem_after: 0\n"
                                 "verification:\n"
                                 "  escalate_on_reopen: 3\n"
                                 "validity:\n"
                                 "  reminder: 90m\n"
                                 "  reply: 0s\n"
                                 "points:\n"
                                 "  rating_1: -3\n"
                                 "  overdue_resolve: -5\n");
  LoadResult r = load_config(dir.path() / "lianxind.yaml");
  ASSERT_TRUE(r.config) << all_errors(r);
  const domain::Settings& s = r.config->settings;
  EXPECT_EQ(s.sla.time_zone.utc_offset, std::chrono::hours{6});
  ASSERT_TRUE(s.sla.quiet_hours);
  EXPECT_EQ(s.sla.quiet_hours->start, std::chrono::minutes{21 * 60 + 30});
  const domain::Category* road = s.find_category("road");
  EXPECT_EQ(road->accept_within, (domain::SlaLimit{std::chrono::seconds{30}, 0}));
  EXPECT_EQ(road->resolve_within, domain::SlaLimit::days_of_work(3));
  ASSERT_TRUE(road->reminder);
  EXPECT_EQ(road->reminder->before, std::chrono::seconds{10});
  EXPECT_EQ(s.sla.calendar.holidays().size(), 8u);
  EXPECT_TRUE(s.sla.calendar.is_working_day(*domain::parse_date("2026-10-10")));
  EXPECT_FALSE(s.sla.calendar.is_working_day(*domain::parse_date("2027-01-01")));
  EXPECT_EQ(s.sla.reminder.before, std::chrono::hours{1});
  EXPECT_EQ(s.escalation.chain, (std::vector{domain::EscalationStep::township_desk,
                                             domain::EscalationStep::county_desk}));
  EXPECT_EQ(s.escalation.accept_within, domain::SlaLimit::days_of_work(1));
  EXPECT_EQ(s.escalation.resolve_within, domain::SlaLimit::hours(24));  // default kept
  EXPECT_EQ(s.escalation.problem_after, 0);
  EXPECT_EQ(s.verification.escalate_on_reopen, 3);
  EXPECT_EQ(s.sla.validity.reminder, std::chrono::minutes{90});
  EXPECT_EQ(s.sla.validity.reply, std::chrono::seconds{0});
  EXPECT_EQ(s.points.points_for_rating(1), -3);
  EXPECT_EQ(s.points.points_for_rating(5), 10);
  EXPECT_EQ(s.points.overdue_resolve, -5);
}

class BrokenConfig : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenConfig, IsRefusedWithLineColumnAndReason) {
  const BrokenCase& c = GetParam();
  TempDir dir;
  dir.copy_demo_csvs();
  dir.write("lianxind.yaml", apply(c));
  LoadResult r = load_config(dir.path() / "lianxind.yaml");
  EXPECT_FALSE(r.config);
  ASSERT_FALSE(r.errors.empty());
  const Diagnostic& first = r.errors.front();
  EXPECT_EQ(first.file, (dir.path() / "lianxind.yaml").string());
  EXPECT_EQ(first.line, c.line) << to_string(first);
  EXPECT_EQ(first.column, c.column) << to_string(first);
  EXPECT_THAT(first.message, HasSubstr(c.fragment));
  EXPECT_THAT(to_string(first), ::testing::StartsWith((dir.path() / "lianxind.yaml").string() +
                                                      ":" + std::to_string(c.line) + ":" +
                                                      std::to_string(c.column) + ": "));
  // The inline password "pw" of kBase never shows up.
  for (const Diagnostic& d : r.errors) EXPECT_THAT(d.message, Not(HasSubstr(": pw"))) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, BrokenConfig,
    ::testing::Values(
        BrokenCase{"tps_not_a_number", "    password: pw\n", "    password: pw\n    tps: abc\n", 6,
                   10, "smpp[0].tps: expected a number, got \"abc\""},
        BrokenCase{"port_out_of_range", "    host: 127.0.0.1\n",
                   "    host: 127.0.0.1\n    port: 70000\n", 4, 11,
                   "smpp[0].port: must be between 1 and 65535, got 70000"},
        BrokenCase{"unknown_key_did_you_mean", "", "quiet_hour: \"22:00-07:00\"\n", 14, 1,
                   "unknown key \"quiet_hour\"; did you mean \"quiet_hours\"?"},
        BrokenCase{"unknown_nested_key", "  path: test.db\n",
                   "  path: test.db\n  synchronus: full\n", 9, 3,
                   "storage: unknown key \"synchronus\"; did you mean \"synchronous\"?"},
        BrokenCase{"unknown_key_far_from_any", "", "flux_capacitor: 1\n", 14, 1,
                   "unknown key \"flux_capacitor\""},
        BrokenCase{"metrics_address_not_an_ip", "", "metrics:\n  address: localhost\n", 15, 12,
                   "metrics.address: expected an IP address such as \"127.0.0.1\", got "
                   "\"localhost\""},
        BrokenCase{"metrics_port_zero", "", "metrics:\n  port: 0\n", 15, 9,
                   "metrics.port: must be between 1 and 65535, got 0"},
        BrokenCase{"yaml_syntax_error", "", "categories: [water, road\n", 15, 1,
                   "YAML syntax error: end of sequence flow not found"},
        BrokenCase{"yaml_bad_indentation", "    host: 127.0.0.1\n",
                   "    host: 127.0.0.1\n   port: 1\n", 4, 4,
                   "YAML syntax error: end of sequence not found"},
        BrokenCase{"missing_required_key", "  path: test.db\n", "  synchronous: full\n", 8, 3,
                   "storage: missing required key \"path\""},
        BrokenCase{"missing_smpp", "smpp:\n", "smpx:\n", 1, 1,
                   "unknown key \"smpx\"; did you mean \"smpp\"?"},
        BrokenCase{"duplicate_key", "", "storage:\n  path: other.db\n", 14, 1,
                   "duplicate key \"storage\" (first on line 7)"},
        BrokenCase{"bad_quiet_hours", "", "quiet_hours: \"22:00-7\"\n", 14, 14,
                   "quiet_hours: expected quiet hours as HH:MM-HH:MM"},
        BrokenCase{"quiet_hours_out_of_range", "", "quiet_hours: 25:00-07:00\n", 14, 14,
                   "got \"25:00-07:00\""},
        BrokenCase{"quiet_hours_empty_range", "", "quiet_hours: \"07:00-07:00\"\n", 14, 14,
                   "start and end at the same time"},
        BrokenCase{"bad_service_number", "\"106900001234\"", "\"10690abc\"", 6, 21,
                   "smpp[0].source_address: \"10690abc\" is not a valid phone or service number"},
        BrokenCase{"bind_mode", "    password: pw\n", "    password: pw\n    bind: transmitter\n",
                   6, 11, "must be one of transceiver, transmitter+receiver; got \"transmitter\""},
        BrokenCase{"duration_without_unit", "    password: pw\n",
                   "    password: pw\n    reconnect_min: 5\n", 6, 20,
                   "a duration needs a unit (ms, s, m, h or d), such as \"5s\""},
        BrokenCase{"reconnect_order", "    password: pw\n",
                   "    password: pw\n    reconnect_min: 10s\n    reconnect_max: 5s\n", 7, 20,
                   "reconnect_max (5s) is shorter than reconnect_min (10s)"},
        BrokenCase{"two_password_sources", "    password: pw\n",
                   "    password: pw\n    password_file: pw.txt\n", 2, 5,
                   "give only one of password_file, password_credential and password"},
        BrokenCase{"no_password", "    password: pw\n", "", 2, 5, "missing the password"},
        BrokenCase{"password_file_missing", "    password: pw\n",
                   "    password_file: nothere.txt\n", 5, 20, "nothere.txt: cannot read"},
        BrokenCase{"system_id_too_long", "system_id: lianxin", "system_id: lianxin-gateway-01", 4,
                   16, "at most 15 characters"},
        BrokenCase{"route_to_unknown_team", "",
                   "categories:\n  - id: water\n    route: team\n    team: volunteer\n", 17, 11,
                   "route to team \"volunteer\", which is not in"},
        BrokenCase{"route_typo", "", "categories:\n  - id: water\n    route: grd\n", 16, 12,
                   "must be one of grid, team, duty_desk; got \"grd\" (did you mean \"grid\"?)"},
        BrokenCase{"route_team_without_team", "", "categories:\n  - id: water\n    route: team\n",
                   16, 12, "route: team needs a team: key"},
        BrokenCase{"duplicate_category_id", "",
                   "categories:\n  - id: pigs\n    name: 养猪\n  - id: pigs\n    name: 猪\n", 17, 9,
                   "duplicate category id \"pigs\" (first on line 15)"},
        BrokenCase{"bad_category_id", "", "categories:\n  - id: Street Light\n", 15, 9,
                   "an id is lower-case letters, digits and '_'"},
        BrokenCase{"new_category_without_name", "", "categories:\n  - id: pigs\n", 15, 5,
                   "a new category (\"pigs\" is not built in) needs a name"},
        BrokenCase{"keyword_in_two_categories", "",
                   "categories:\n  - id: water\n    add_keywords: [漏水]\n  - id: pigs\n"
                   "    name: 养猪\n    keywords: [猪圈, 漏水]\n",
                   19, 20, "keyword \"漏水\" is in both"},
        BrokenCase{"accept_after_resolve", "",
                   "categories:\n  - id: road\n    accept_within: 48h\n    resolve_within: 24h\n",
                   16, 20, "accept_within (48h) is longer than resolve_within (24h)"},
        BrokenCase{"sla_bad_deadline", "", "categories:\n  - id: road\n    accept_within: 3x\n", 16,
                   20, "expected a deadline such as 4h, 30m, 1h30m, 2d or 3wd"},
        BrokenCase{"fallback_unknown", "", "fallback_category: misc\n", 14, 20,
                   "fallback_category: no category has the id \"misc\""},
        BrokenCase{"template_unknown_key", "",
                   "templates:\n  resident_recieved: \"收到{ticket}\"\n", 15, 3,
                   "templates: unknown key \"resident_recieved\"; did you mean "
                   "\"resident_received\"?"},
        BrokenCase{"template_bad_placeholder", "",
                   "templates:\n  resident_received: \"收到{tiket}\"\n", 15, 22,
                   "unknown placeholder {tiket} (allowed: {ticket})"},
        BrokenCase{"template_too_long", "",
                   "templates:\n  resident_rated: "
                   "\"谢谢您的评价！您的意见对我们非常重要，我们会继续努力把村里的事情办好，"
                   "工单{ticket}已经结束，欢迎您继续监督我们的工作，有事请随时发短信告诉我们。\"\n",
                   15, 19, "more than one SMS"},
        BrokenCase{"signature_too_long", "",
                   "signature: "
                   "\"【清溪县连心桥党群服务中心网格治理短信平台欢迎您来信反映问题谢谢您的支持与理"
                   "解】\"\n",
                   14, 12, "is too long for the built-in template"},
        BrokenCase{"signature_nul", "", "signature: \"【连心\\0桥】\"\n", 14, 12,
                   "signature: a control character U+0000 at character 4"},
        BrokenCase{"template_control_character", "",
                   "templates:\n  resident_received: \"收到\\e工单{ticket}\"\n", 15, 22,
                   "resident_received: a control character U+001B at character 3"},
        BrokenCase{"default_country", "", "default_country: \"+86\"\n", 14, 18,
                   "expected a country calling code"},
        BrokenCase{"time_zone", "", "time_zone: Asia/Shangai\n", 14, 12,
                   "unknown time zone \"Asia/Shangai\""},
        // ---- SLA ----
        BrokenCase{"time_zone_with_dst", "", "time_zone: America/New_York\n", 14, 12,
                   "(lianxin knows zones without daylight saving time: Asia/Shanghai"},
        BrokenCase{"holiday_not_a_date", "", "holidays: [2026-10-01, 2026-02-30]\n", 14, 24,
                   "holidays[1]: expected a date YYYY-MM-DD"},
        BrokenCase{"workday_also_holiday", "", "holidays: [2026-10-10]\nworkdays: [2026-10-10]\n",
                   15, 11, "2026-10-10 is both a holiday and a make-up working day"},
        BrokenCase{"escalation_unknown_step", "",
                   "escalation:\n  chain: [grid_leader, village_head]\n", 15, 24,
                   "unknown step \"village_head\"; steps are grid_leader"},
        BrokenCase{"reminder_fraction", "", "reminder: 150%\n", 14, 11,
                   "a reminder fraction is 1% to 99%"},
        BrokenCase{"points_misspelt", "", "points:\n  overdue_acept: -1\n", 15, 3,
                   "did you mean \"overdue_accept\"?"},
        BrokenCase{"log_level", "", "log_level: verbose\n", 14, 12,
                   "must be one of debug, info, notice, warning, error"},
        BrokenCase{"list_instead_of_mapping", "storage:\n  path: test.db\n", "storage: [test.db]\n",
                   7, 10, "storage: expected a mapping"},
        BrokenCase{"mapping_instead_of_text", "    host: 127.0.0.1\n", "    host: {a: 1}\n", 3, 11,
                   "smpp[0].host: expected text, got a mapping"},
        BrokenCase{"windows_negative", "", "windows:\n  verification: -3h\n", 15, 17,
                   "expected a duration"},
        BrokenCase{"loop_protection_range", "", "loop_protection:\n  max_repeats: 0\n", 15, 16,
                   "must be between 1 and 1000, got 0"},
        BrokenCase{"huge_integer", "", "first_ticket_number: 99999999999999999999999\n", 14, 22,
                   "must be between 1 and"},
        BrokenCase{"directory_missing_file", "  teams: teams.csv\n", "  teams: nope.csv\n", 12, 10,
                   "nope.csv: no such file"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigErrors, SeveralProblemsAreReportedTogether) {
  TempDir dir;
  dir.copy_demo_csvs();
  std::string text = kBase +
                     "quiet_hours: 22-7\n"                            // 14
                     "log_levl: info\n"                               // 15
                     "points:\n  per_star: lots\n";                   // 16, 17
  text.replace(text.find("127.0.0.1"), 9, "127.0.0.1\n    port: 0");  // line 4
  dir.write("c.yaml", text);
  LoadResult r = load_config(dir.path() / "c.yaml");
  EXPECT_FALSE(r.config);
  std::string all = all_errors(r);
  EXPECT_THAT(all, HasSubstr("c.yaml:4:11: smpp[0].port: must be between 1 and 65535, got 0"));
  EXPECT_THAT(all, HasSubstr("c.yaml:15:14: quiet_hours: expected quiet hours"));
  EXPECT_THAT(all, HasSubstr("c.yaml:16:1: unknown key \"log_levl\"; did you mean \"log_level\"?"));
  EXPECT_THAT(all,
              HasSubstr("c.yaml:18:13: points.per_star: expected a whole number, got \"lots\""));
  EXPECT_EQ(r.errors.size(), 4u) << all;
}

TEST(ConfigErrors, DirectoryErrorsComeWithTheCsvFileAndLine) {
  TempDir dir;
  dir.copy_demo_csvs();
  dir.write("members.csv",
            "id,name,phone,grids\nm-desk-county,值班,13800000018,\n"
            "m-chen,陈,13800000001,g-daxi\nm-x,某,1380000,g-nowhere\n");
  dir.write("c.yaml", kBase);
  LoadResult r = load_config(dir.path() / "c.yaml");
  EXPECT_FALSE(r.config);
  std::string all = all_errors(r);
  std::string members = (dir.path() / "members.csv").string();
  EXPECT_THAT(all, HasSubstr(members + ":4: phone: \"1380000\" is not a valid phone number"));
  EXPECT_THAT(all, HasSubstr(":3: 网格长(leader 成员编号): unknown member \"m-zhou\""));
}

TEST(ConfigErrors, BuiltInCategoryRoutedToAMissingTeam) {
  TempDir dir;
  dir.copy_demo_csvs();
  dir.write("teams.csv", "id,name,leader\nhelpers,帮扶队,m-huang\n");
  dir.write("c.yaml", kBase + "categories:\n  - id: water\n    urgent: true\n");
  LoadResult r = load_config(dir.path() / "c.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  // hardship routes to "volunteers" out of the box; the error points at "categories:".
  EXPECT_EQ(r.errors[0].line, 14);
  EXPECT_THAT(r.errors[0].message, HasSubstr("hardship: route to team \"volunteers\""));
  EXPECT_THAT(r.errors[0].message, HasSubstr("a built-in category"));
}

TEST(ConfigErrors, EmptyAndNonMappingFiles) {
  TempDir dir;
  auto empty = load_config(dir.write("empty.yaml", "# nothing here\n"));
  ASSERT_EQ(empty.errors.size(), 1u);
  EXPECT_EQ(to_string(empty.errors[0]),
            (dir.path() / "empty.yaml").string() + ": the file is empty");
  auto list = load_config(dir.write("list.yaml", "- a\n- b\n"));
  ASSERT_EQ(list.errors.size(), 1u);
  EXPECT_THAT(to_string(list.errors[0]), HasSubstr("list.yaml:1:1: the file: expected a mapping"));
  auto missing = load_config(dir.path() / "absent.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_THAT(to_string(missing.errors[0]), HasSubstr("absent.yaml: cannot read: No such file"));
  auto smpp = load_config(dir.write("s.yaml", "smpp: []\nstorage: {path: x}\n"));
  EXPECT_THAT(all_errors(smpp), HasSubstr("s.yaml:1:7: smpp: expected a list of at least one"));
  EXPECT_THAT(all_errors(smpp), HasSubstr("s.yaml:1:1: missing required key \"directory\""));
}

TEST(ConfigErrors, InvalidUtf8AndDeepNestingDoNotThrow) {
  LoadResult bad = load_config_text("signature: \"\xB4\xF3\"\n", "x.yaml", "");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(to_string(bad.errors[0]), "x.yaml:1:13: not valid UTF-8; save the file as UTF-8");
  std::string deep(100000, '[');
  LoadResult nested = load_config_text(deep, "deep.yaml", "");
  EXPECT_FALSE(nested.config);
  EXPECT_FALSE(nested.errors.empty());
  LoadResult tabs = load_config_text("smpp:\n\t- name: x\n", "tabs.yaml", "");
  EXPECT_FALSE(tabs.config);
  EXPECT_THAT(all_errors(tabs), HasSubstr("tabs.yaml:2:"));
}

// ---------------------------------------------------------------- passwords

class Passwords : public ::testing::Test {
 protected:
  void SetUp() override { dir_.copy_demo_csvs(); }
  void TearDown() override { ::unsetenv("CREDENTIALS_DIRECTORY"); }
  LoadResult load_with(const std::string& password_line, const LoadOptions& options = {}) {
    std::string text = kBase;
    text.replace(text.find("    password: pw\n"), 17, password_line);
    return load_config(dir_.write("c.yaml", text), options);
  }
  TempDir dir_;
};

TEST_F(Passwords, FromAFileRelativeToTheConfiguration) {
  dir_.write("secrets/smpp.pw", "Xy7#q2\r\n");
  LoadResult r = load_with("    password_file: secrets/smpp.pw\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->smpp[0].password, "Xy7#q2");
  EXPECT_EQ(r.config->smpp[0].password_origin,
            "file " + (dir_.path() / "secrets/smpp.pw").string());
}

TEST_F(Passwords, FromTheSystemdCredentialsDirectory) {
  TempDir credentials;
  credentials.write("smpp-password", "Cr3d!");
  ::setenv("CREDENTIALS_DIRECTORY", credentials.path().c_str(), 1);
  LoadResult r = load_with("    password_credential: smpp-password\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->smpp[0].password, "Cr3d!");
  EXPECT_THAT(render_config(*r.config), Not(HasSubstr("Cr3d!")));

  LoadResult missing = load_with("    password_credential: other\n");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_THAT(to_string(missing.errors[0]),
              HasSubstr("c.yaml:5:26: smpp[0].password_credential: " +
                        (credentials.path() / "other").string() + ": cannot read"));

  LoadResult escape = load_with("    password_credential: ../smpp-password\n");
  EXPECT_THAT(all_errors(escape), HasSubstr("a credential name cannot contain '/'"));
}

TEST_F(Passwords, CredentialWithoutSystemdIsAClearError) {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  LoadResult r = load_with("    password_credential: smpp-password\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].message, HasSubstr("$CREDENTIALS_DIRECTORY is not set"));
}

TEST_F(Passwords, SecretsNeverAppearInErrors) {
  const std::string secret = "TopSecret99";  // too long for SMPP: an error about it
  std::vector<LoadResult> results;
  results.push_back(load_with("    password: " + secret + "\n"));
  dir_.write("long.pw", secret + "\n");
  results.push_back(load_with("    password_file: long.pw\n"));
  TempDir credentials;
  credentials.write("pw", secret);
  LoadOptions options;
  options.credentials_directory = credentials.path();
  results.push_back(load_with("    password_credential: pw\n", options));
  results.push_back(load_with("    pasword: " + secret + "\n"));  // a typo in the key
  results.push_back(load_with("    password: [" + secret + "]\n"));
  results.push_back(load_with("    password: \"" + secret + "\n"));  // broken YAML
  results.push_back(load_with("    password: \"a\\tb\"\n"));         // control character
  for (const LoadResult& r : results) {
    EXPECT_FALSE(r.config);
    EXPECT_FALSE(r.errors.empty());
    EXPECT_THAT(all_errors(r), Not(HasSubstr(secret)));
  }
  EXPECT_THAT(all_errors(results[0]), HasSubstr("c.yaml:5:15: smpp[0].password: the password is "
                                                "longer than 8 characters"));
  EXPECT_THAT(all_errors(results[1]), HasSubstr("longer than 8 characters"));
  EXPECT_THAT(all_errors(results[2]), HasSubstr("longer than 8 characters"));
  EXPECT_THAT(all_errors(results[3]), HasSubstr("unknown key \"pasword\""));
  EXPECT_THAT(all_errors(results[4]), HasSubstr("expected text, got a list"));
  EXPECT_THAT(all_errors(results[6]), HasSubstr("control characters"));
}

// ---------------------------------------------------------------- small parsers

TEST(QuietHours, ParsesAndWrapsPastMidnight) {
  std::string why;
  auto q = parse_quiet_hours("22:00-07:00", why);
  ASSERT_TRUE(q) << why;
  using std::chrono::minutes;
  EXPECT_TRUE(q->contains(minutes{23 * 60}));
  EXPECT_TRUE(q->contains(minutes{0}));
  EXPECT_TRUE(q->contains(minutes{6 * 60 + 59}));
  EXPECT_FALSE(q->contains(minutes{7 * 60}));
  EXPECT_FALSE(q->contains(minutes{12 * 60}));
  EXPECT_EQ(q->to_string(), "22:00-07:00");
  auto day = parse_quiet_hours("12:30-13:45", why);
  ASSERT_TRUE(day);
  EXPECT_TRUE(day->contains(minutes{12 * 60 + 30}));
  EXPECT_FALSE(day->contains(minutes{13 * 60 + 45}));
  for (const char* bad : {"", "22:00", "22:00-", "24:00-07:00", "22:60-07:00", "2200-0700",
                          "22:00-07:00x", "-1:00-07:00", "22:0-07:00", "a:bc-07:00"}) {
    EXPECT_FALSE(parse_quiet_hours(bad, why)) << bad;
  }
}

TEST(Durations, UnitsAndSums) {
  std::string why;
  using namespace std::chrono_literals;
  EXPECT_EQ(parse_duration("500ms", why), Millis{500});
  EXPECT_EQ(parse_duration("30s", why), Millis{30s});
  EXPECT_EQ(parse_duration("10m", why), Millis{10min});
  EXPECT_EQ(parse_duration("1h30m", why), Millis{90min});
  EXPECT_EQ(parse_duration("7d", why), Millis{168h});
  for (const char* bad : {"", "5", "s", "1x", "1.5h", "-1s", "1h-", "99999999999999999999d"}) {
    EXPECT_FALSE(parse_duration(bad, why)) << bad;
  }
}

TEST(Diagnostics, FormatAndSuggestions) {
  EXPECT_EQ(to_string(Diagnostic{"a.yaml", 3, 7, "bad"}), "a.yaml:3:7: bad");
  EXPECT_EQ(to_string(Diagnostic{"a.csv", 3, 0, "bad"}), "a.csv:3: bad");
  EXPECT_EQ(to_string(Diagnostic{"a.csv", 0, 0, "bad"}), "a.csv: bad");
  const std::string_view keys[] = {"quiet_hours", "time_zone", "templates"};
  EXPECT_EQ(closest_match("quite_hours", keys), "quiet_hours");
  EXPECT_EQ(closest_match("TIME_ZONE", keys), "time_zone");
  EXPECT_EQ(closest_match("colour", keys), "");
}

TEST(Connections, ByPriorityIsStable) {
  DaemonConfig c;
  for (auto [name, priority] : {std::pair{"b", 1}, std::pair{"a", 0}, std::pair{"c", 1}}) {
    SmppConnection link;
    link.name = name;
    link.priority = priority;
    c.smpp.push_back(link);
  }
  std::vector<std::string> names;
  for (const SmppConnection* x : c.by_priority()) names.push_back(x->name);
  EXPECT_THAT(names, ElementsAre("a", "b", "c"));
}

}  // namespace
}  // namespace lianxin::config
