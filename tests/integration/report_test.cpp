// `lianxinctl report` and `lianxinctl directory export` as an operator runs them: the real
// binary on a copy of the demo configuration and a month of realistic tickets written through
// store::Store. The HTML page is opened in headless Chromium (Debian `chromium`, as root with
// --no-sandbox): its DOM must hold the charts, its console must stay silent (the page's
// Content-Security-Policy turns any attempt to load something into a console message), and its
// screenshot must be a PNG of the asked size with the charts' colours painted. Workbooks are read
// back with tests/integration/xlsx_cells.py (Python's zipfile + XML) and compared with
// `lianxinctl stats`; the directory workbook, saved as CSV, must load as the same directory.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/integration/ctl_reports_fixture.hpp"
#include "tests/integration/daemon_process.hpp"
#include "tests/integration/sim_json.hpp"

namespace lianxin::testing {
namespace {

namespace fs = std::filesystem;
using domain::Ticket;
using domain::TicketNo;
using domain::TicketState;
using domain::TimePoint;
using sim::Json;
using std::chrono::hours;
using State = TicketState;

const std::string kScripts = std::string(LIANXIN_SOURCE_DIR) + "/tests/integration/";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ReportTest : public CtlReportsFixture {
 protected:
  // 48 tickets over the last 20 days in the demo's six grids (two townships) and five
  // categories: handled and rated, handled unrated, reopened, open, invalid; two open tickets
  // from 40 days ago (the oldest open ones); one text with markup and a phone number in it.
  void fill_month() {
    store::Store store = store::Store::open(db_);
    store::WriteBatch batch;
    const TimePoint now = std::chrono::floor<hours>(std::chrono::system_clock::now());
    const char* grids[][2] = {{"g-daxi", "m-wang"},  {"g-shitang", "m-sun"},
                              {"g-xiayu", "m-zhao"}, {"g-baisha", "m-qian"},
                              {"g-fengshu", "m-he"}, {"g-shangping", "m-liu"}};
    const char* categories[] = {"streetlight", "road", "water", "sanitation", "dispute"};
    auto add = [&](TicketNo n, TimePoint created, const char* grid, const char* member,
                   const char* category, std::vector<std::pair<State, int>> path) {
      Ticket t;
      t.number = n;
      t.reporter = "+86139000001" + std::to_string(10 + n % 80);
      t.text = n == 3 ? "<script>alert(1)</script>路灯不亮，急！电话13912345678"
                      : std::string(category) + " 问题 " + std::to_string(n);
      t.category = category;
      t.grid = grid;
      t.assignee = member;
      t.created_at = t.updated_at = created;
      batch.events.push_back({n, std::nullopt, State::new_, t.reporter, created, ""});
      State state = State::new_;
      for (const auto& [to, after_hours] : path) {
        const TimePoint at = created + hours(after_hours);
        batch.events.push_back({n, state, to, member, at, ""});
        if (to == State::dispatched && !t.dispatched_at) t.dispatched_at = at;
        if (to == State::resolved) t.resolved_at = at;
        if (to == State::closed) t.closed_at = at;
        if (to == State::reopened) ++t.reopen_count;
        state = to;
      }
      t.state = state;
      if (state == State::closed) {
        t.close_reason = n % 4 == 0 ? domain::CloseReason::unrated : domain::CloseReason::rated;
        if (t.close_reason == domain::CloseReason::rated) t.rating = n % 5 == 0 ? 2 : 5;
      }
      batch.tickets.push_back(t);
    };
    for (TicketNo n = 1; n <= 48; ++n) {
      const auto& [grid, member] = grids[n % 6];
      const TimePoint created = now - hours(6 + 10 * (48 - n));  // 1 to 20 days ago
      std::vector<std::pair<State, int>> path = {{State::dispatched, 0}};
      if (n % 7 == 1) {
        path.push_back({State::invalid, 1});
      } else if (n % 3 != 0 && created < now - hours(48)) {
        path.push_back({State::accepted, 2 + static_cast<int>(n % 30)});
        path.push_back({State::resolved, 20 + static_cast<int>(n % 40)});
        if (n % 8 == 2) {
          path.push_back({State::reopened, 44});
          path.push_back({State::resolved, 46});
        }
        path.push_back({State::closed, 48});
        batch.points.push_back({member, n, n % 5 == 0 ? -3 : 10, "rating", created + hours(48)});
      }
      add(n, created, grid, member, categories[n % 5], path);
    }
    add(49, now - hours(24 * 40), "g-daxi", "m-wang", "road", {{State::dispatched, 0}});
    add(50, now - hours(24 * 39), "g-baisha", "m-qian", "road",
        {{State::dispatched, 0}, {State::accepted, 3}});
    auto committed = store.commit(batch);
    ASSERT_TRUE(committed) << committed.message;
  }

  // Runs Chromium headless on `url` with extra arguments; its stdout and stderr (the log at
  // --v=0: console messages appear as lines with ":CONSOLE") end up in the returned text.
  std::string chromium(const std::string& url, std::vector<std::string> extra) {
    std::vector<std::string> argv = {LIANXIN_CHROMIUM,
                                     "--headless=new",
                                     "--no-sandbox",  // required as root (CI)
                                     "--disable-gpu",
                                     "--disable-crash-reporter",
                                     "--no-first-run",
                                     "--hide-scrollbars",
                                     "--user-data-dir=" + (dir_ / "chromium-profile").string(),
                                     "--enable-logging=stderr",
                                     "--v=0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    const fs::path log = dir_ / ("chromium-" + std::to_string(++chromium_runs_) + ".log");
    std::optional<int> exit_code;
    {
      // Its own process group, killed with every child when this scope ends (also on failure).
      ChildProcess browser(argv, log, {"HOME=" + dir_.string()});
      exit_code = browser.wait_exit(std::chrono::seconds(120));
    }
    EXPECT_EQ(exit_code, std::optional<int>(0)) << "chromium did not finish: " << slurp(log);
    return slurp(log);
  }

  std::optional<Json> run_json(const std::vector<std::string>& argv) {
    CtlRun run = program(argv);
    EXPECT_EQ(run.status, 0) << run.err;
    std::string error;
    auto json = Json::parse(run.out, &error);
    EXPECT_TRUE(json) << error << "\n" << run.out.substr(0, 400);
    return json;
  }

  // Keeps a file for people to look at after the test (the temp directory goes away).
  void keep(const fs::path& file) {
    const fs::path kept = fs::path(LIANXIN_ARTIFACT_DIR) / file.filename();
    std::error_code ignored;
    fs::create_directories(kept.parent_path(), ignored);
    fs::copy_file(file, kept, fs::copy_options::overwrite_existing, ignored);
    std::printf("kept %s\n", kept.c_str());
    RecordProperty(file.filename().string(), kept.string());
  }

  int chromium_runs_ = 0;
};

TEST_F(ReportTest, TheHtmlReportRendersInChromiumWithItsChartsAndASilentConsole) {
  ASSERT_TRUE(fs::exists(LIANXIN_CHROMIUM))
      << "Debian chromium is needed (scripts/setup installs it): " << LIANXIN_CHROMIUM;
  fill_month();
  const fs::path html = dir_ / "report.html";
  CtlRun run = ctl({"report", "--config", config_, "--db", db_, "--period", "last-30-days",
                    "--html", html.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("report written: " + html.string()), std::string::npos) << run.out;
  keep(html);

  const std::string dom = chromium("file://" + html.string(), {"--dump-dom"});
  EXPECT_EQ(count_of(dom, ":CONSOLE"), 0u) << "console messages:\n" << dom;
  EXPECT_EQ(dom.find("Uncaught"), std::string::npos);
  EXPECT_EQ(count_of(dom, "<svg "), 3u) << "township and category bars, the daily trend";
  // One bar per series for 青石镇 and 白沙乡, and for the five categories.
  EXPECT_EQ(count_of(dom, "<rect class=\"bar s0\""), 2u + 5u);
  EXPECT_EQ(count_of(dom, "<rect class=\"bar s1\""), 2u + 5u);
  EXPECT_EQ(count_of(dom, "<polyline class=\"line"), 2u);
  EXPECT_NE(dom.find("处置率"), std::string::npos);
  EXPECT_NE(dom.find("青石镇"), std::string::npos);
  // The villager's markup stayed text and their number is masked.
  EXPECT_EQ(dom.find("<script>alert"), std::string::npos);
  EXPECT_NE(dom.find("&lt;script&gt;alert(1)"), std::string::npos);
  EXPECT_EQ(dom.find("13912345678"), std::string::npos);

  const fs::path png = dir_ / "report.png";
  const std::string log = chromium("file://" + html.string(),
                                   {"--screenshot=" + png.string(), "--window-size=1000,1600"});
  EXPECT_EQ(count_of(log, ":CONSOLE"), 0u) << log;
  ASSERT_TRUE(fs::exists(png)) << log;
  keep(png);
  // The two series' colours (svg_chart.cpp) must be painted: the bars are on screen.
  auto pixels =
      run_json({"python3", kScripts + "png_pixels.py", png.string(), "#2f6fb0", "#e08a1e"});
  ASSERT_TRUE(pixels);
  EXPECT_EQ((*pixels)["width"].integer(), 1000);
  EXPECT_EQ((*pixels)["height"].integer(), 1600);
  EXPECT_GT((*pixels)["distinct"].integer(), 50) << "not a blank page";
  EXPECT_GT((*pixels)["counts"]["#2f6fb0"].integer(), 400);
  EXPECT_GT((*pixels)["counts"]["#e08a1e"].integer(), 400);
}

TEST_F(ReportTest, TheWorkbookHasASheetPerTableWithTheFiguresOfStats) {
  fill_month();
  const fs::path xlsx = dir_ / "report.xlsx";
  CtlRun run = ctl({"report", "--config", config_, "--db", db_, "--period", "last-30-days",
                    "--xlsx", xlsx.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  keep(xlsx);
  auto book = run_json({"python3", kScripts + "xlsx_cells.py", xlsx.string()});
  ASSERT_TRUE(book);
  const auto& sheets = (*book)["sheets"].items();
  std::vector<std::string> names;
  for (const Json& s : sheets) names.push_back(s["name"].str());
  EXPECT_EQ(names, (std::vector<std::string>{"概况", "按乡镇", "按类别", "每日趋势", "最久未办结",
                                             "积分排名", "指标说明"}));
  ASSERT_EQ(sheets.size(), 7u);

  auto stats = run_json({LIANXINCTL_PATH, "stats", "--config", config_, "--db", db_, "--period",
                         "last-30-days", "--by", "township", "--json"});
  ASSERT_TRUE(stats);
  const Json& total = (*stats)["total"];
  const Json& headline = sheets[0]["rows"];
  EXPECT_EQ(headline[0][0].str(), "指标");
  EXPECT_EQ(headline[1][0].str(), "受理");
  EXPECT_EQ(headline[1][2].integer(), total["received"].integer());
  EXPECT_EQ(headline[2][2].integer(), total["handled"].integer());
  EXPECT_EQ(headline[3][0].str(), "处置率");
  EXPECT_NEAR(headline[3][2].number(), total["handling"]["rate"].number(), 1e-4);
  EXPECT_NEAR(headline[6][2].number(), total["satisfaction"]["rate"].number(), 1e-4);
  EXPECT_EQ(headline[6][3].integer(), total["satisfaction"]["count"].integer());

  const Json& townships = sheets[1]["rows"];
  EXPECT_EQ(townships[0][0].str(), "乡镇");
  EXPECT_EQ(townships[0][3].str(), "处置率");
  const auto& rows = (*stats)["rows"].items();
  ASSERT_EQ(townships.items().size(), rows.size() + 2) << "header, townships, 合计";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(townships[i + 1][0].str(), rows[i]["name"].str());
    EXPECT_EQ(townships[i + 1][1].integer(), rows[i]["received"].integer());
    EXPECT_EQ(townships[i + 1][2].integer(), rows[i]["handled"].integer());
  }
  EXPECT_EQ(townships[rows.size() + 1][0].str(), "合计");

  long long received = 0, handled = 0;
  const auto& daily = sheets[3]["rows"].items();
  EXPECT_EQ(daily.size(), 31u) << "header and 30 days";
  for (std::size_t i = 1; i < daily.size(); ++i) {
    received += daily[i][1].integer();
    handled += daily[i][2].integer();
  }
  EXPECT_EQ(received, total["received"].integer());
  EXPECT_EQ(handled, total["handled"].integer());

  const Json& oldest = sheets[4]["rows"];
  EXPECT_EQ(oldest[0][0].str(), "工单号");
  EXPECT_EQ(oldest[1][0].integer(), 49) << "the oldest open ticket first";
  EXPECT_EQ(oldest[2][0].integer(), 50);
  EXPECT_EQ(oldest.items().size(), 11u) << "header and ten tickets";

  const Json& points = sheets[5]["rows"];
  EXPECT_EQ(points[0][1].str(), "党员");
  EXPECT_EQ(points[1][0].integer(), 1);
  EXPECT_GE(points[1][4].integer(), points[2][4].integer()) << "highest first";
}

TEST_F(ReportTest, TheDirectoryWorkbookSavedAsCsvLoadsAsTheSameDirectory) {
  const fs::path xlsx = dir_ / "directory.xlsx";
  CtlRun run = ctl({"directory", "export", "--config", config_, "--xlsx", xlsx.string()});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("18 members"), std::string::npos) << run.out;

  // A second configuration whose CSV files are the sheets as an operator saves them.
  fs::copy(dir_ / "conf", dir_ / "edited", fs::copy_options::recursive);
  for (const char* csv : {"grids", "members", "residents", "teams", "duty_desks"})
    fs::remove(dir_ / "edited" / (std::string(csv) + ".csv"));
  CtlRun saved = program(
      {"python3", kScripts + "xlsx_cells.py", xlsx.string(), "--csv", (dir_ / "edited").string()});
  ASSERT_EQ(saved.status, 0) << saved.err;
  const std::string members_csv = slurp(dir_ / "edited" / "members.csv");
  EXPECT_EQ(
      members_csv.rfind("编号(id),姓名(name),手机(phone),网格(grids),角色(roles),在岗(on_duty)", 0),
      0u)
      << members_csv;
  EXPECT_NE(members_csv.find("m-qian,钱明,13800000009,g-baisha;g-shangping,member,是"),
            std::string::npos)
      << members_csv;

  const std::string edited = (dir_ / "edited" / "demo.yaml").string();
  CtlRun original = ctl({"directory", "check", "--config", config_});
  CtlRun loaded = ctl({"directory", "check", "--config", edited});
  ASSERT_EQ(loaded.status, 0) << loaded.out << loaded.err;
  EXPECT_EQ(loaded.out.substr(0, loaded.out.find('\n')),
            original.out.substr(0, original.out.find('\n')));
  for (const char* what : {"grids", "members", "residents", "teams", "duty-desks"}) {
    CtlRun a = ctl({"directory", "list", what, "--config", config_, "--csv"});
    CtlRun b = ctl({"directory", "list", what, "--config", edited, "--csv"});
    EXPECT_EQ(a.out, b.out) << what;
  }
}

TEST_F(ReportTest, MistakesGetClearErrorsAndLeaveNoFileBehind) {
  fill_month();
  CtlRun run = ctl({"report", "--config", config_, "--db", db_});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("--html FILE and/or --xlsx FILE"), std::string::npos) << run.err;
  run = ctl({"report", "--config", config_, "--db", db_, "--period", "2026-13", "--html", "x"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("not a period"), std::string::npos) << run.err;

  const fs::path missing = dir_ / "no-such-dir";
  run = ctl(
      {"report", "--config", config_, "--db", db_, "--html", (missing / "report.html").string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find((missing / "report.html").string()), std::string::npos) << run.err;
  run = ctl(
      {"report", "--config", config_, "--db", db_, "--xlsx", (missing / "report.xlsx").string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find((missing / "report.xlsx").string()), std::string::npos) << run.err;
  run = ctl({"directory", "export", "--config", config_, "--xlsx", dir_.string()});
  EXPECT_EQ(run.status, 1) << "a directory is not a file";
  EXPECT_NE(run.err.find(dir_.string()), std::string::npos) << run.err;
  run = ctl({"directory", "export", "--config", config_});
  EXPECT_EQ(run.status, 2);
  run = ctl({"directory", "list", "--config", config_, "--xlsx", "x.xlsx"});
  EXPECT_EQ(run.status, 2);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_NE(entry.path().extension(), ".partial") << entry.path();
}

}  // namespace
}  // namespace lianxin::testing
