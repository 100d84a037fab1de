// lianxinctl's read-only reports as an operator runs them: the real binary on a copy of the demo
// configuration and a temp database written through store::Store (what lianxind writes).
// Checks exit codes, JSON that parses, and the clear errors (no database, unknown grid, bad
// period, a broken directory file with its row number).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/store/store.hpp"
#include "tests/integration/ctl_reports_fixture.hpp"
#include "tests/integration/sim_json.hpp"

namespace {

namespace fs = std::filesystem;
using lianxin::domain::Ticket;
using lianxin::domain::TicketEvent;
using lianxin::domain::TicketState;
using lianxin::domain::TimePoint;
using lianxin::sim::Json;
using lianxin::testing::CtlRun;
using lianxin::testing::slurp;
using std::chrono::hours;

class CtlReports : public lianxin::testing::CtlReportsFixture {
 protected:
  // Three tickets this month in the demo's grids, and points.
  void fill_database() {
    lianxin::store::Store store = lianxin::store::Store::open(db_);
    const TimePoint start = std::chrono::floor<hours>(std::chrono::system_clock::now()) - hours(30);
    lianxin::store::WriteBatch batch;
    auto add = [&](lianxin::domain::TicketNo n, const char* grid, const char* member,
                   TicketState state, std::optional<int> rating) {
      Ticket t;
      t.number = n;
      t.reporter = "+8613900000001";
      t.text = "路灯坏了";
      t.category = "streetlight";
      t.grid = grid;
      t.assignee = member;
      t.state = state;
      t.created_at = t.updated_at = start;
      t.dispatched_at = start;
      batch.events.push_back({n, std::nullopt, TicketState::new_, "+8613900000001", start, ""});
      batch.events.push_back({n, TicketState::new_, TicketState::dispatched, "system", start, ""});
      if (state == TicketState::closed) {
        batch.events.push_back(
            {n, TicketState::dispatched, TicketState::accepted, member, start + hours(1), ""});
        batch.events.push_back(
            {n, TicketState::accepted, TicketState::resolved, member, start + hours(2), "修好了"});
        batch.events.push_back({n, TicketState::resolved, TicketState::closed, "+8613900000001",
                                start + hours(3), rating ? "rated" : "unrated"});
        t.close_reason =
            rating ? lianxin::domain::CloseReason::rated : lianxin::domain::CloseReason::unrated;
        t.rating = rating;
        t.closed_at = start + hours(3);
      }
      batch.tickets.push_back(t);
    };
    add(1, "g-daxi", "m-wang", TicketState::closed, 5);
    add(2, "g-daxi", "m-wang", TicketState::closed, std::nullopt);
    add(3, "g-shitang", "m-zhou", TicketState::dispatched, std::nullopt);
    batch.points = {{"m-wang", 1, 10, "rating 5", start + hours(3)}};
    auto committed = store.commit(batch);
    ASSERT_TRUE(committed) << committed.message;
  }
};

TEST_F(CtlReports, StatsJsonParsesAndCountsOnlyRealRatings) {
  fill_database();
  CtlRun run =
      ctl({"stats", "--config", config_, "--db", db_, "--period", "last-7-days", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  std::string error;
  auto json = Json::parse(run.out, &error);
  ASSERT_TRUE(json) << error << "\n" << run.out;
  const Json& total = (*json)["total"];
  EXPECT_EQ(total["received"].integer(), 3);
  EXPECT_EQ(total["handled"].integer(), 2);
  EXPECT_EQ(total["satisfaction"]["of"].integer(), 1) << "the unrated close is not counted";
  EXPECT_DOUBLE_EQ(total["satisfaction"]["rate"].number(), 1.0);
  EXPECT_EQ(total["overdue"].integer(), 1) << "ticket 3: 30h without acceptance";
  EXPECT_EQ((*json)["level"].str(), "county");

  CtlRun by_grid = ctl({"stats", "--config", config_, "--db", db_, "--by", "grid"});
  ASSERT_EQ(by_grid.status, 0) << by_grid.err;
  if (std::getenv("LIANXIN_SHOW_OUTPUT")) std::printf("%s", by_grid.out.c_str());
  EXPECT_NE(by_grid.out.find("大溪边村网格"), std::string::npos) << by_grid.out;
  EXPECT_NE(by_grid.out.find("合计"), std::string::npos);
}

TEST_F(CtlReports, TicketsFilterAndTicketHistory) {
  fill_database();
  CtlRun run = ctl({"tickets", "--config", config_, "--db", db_, "--township", "青石镇", "--csv"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 4) << run.out;  // header + 3
  run = ctl({"tickets", "--config", config_, "--db", db_, "--grid", "g-shitang", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  auto json = Json::parse(run.out);
  ASSERT_TRUE(json) << run.out;
  ASSERT_EQ(json->items().size(), 1u);
  EXPECT_EQ((*json)[0]["number"].integer(), 3);

  run = ctl({"ticket", "--config", config_, "--db", db_, "1"});
  ASSERT_EQ(run.status, 0) << run.err;
  if (std::getenv("LIANXIN_SHOW_OUTPUT")) std::printf("%s", run.out.c_str());
  EXPECT_NE(run.out.find("修好了"), std::string::npos) << run.out;

  run = ctl({"points", "--config", config_, "--db", db_, "--by", "grid", "--csv"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("g-daxi,大溪边村网格,10,1"), std::string::npos) << run.out;
}

TEST_F(CtlReports, ClearErrors) {
  CtlRun run = ctl({"stats", "--config", config_, "--db", (dir_ / "nothing.db").string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("no database at"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir_ / "nothing.db"));

  fill_database();
  run = ctl({"tickets", "--config", config_, "--db", db_, "--grid", "g-daxii"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("unknown grid g-daxii (did you mean g-daxi?)"), std::string::npos)
      << run.err;
  run = ctl({"stats", "--config", config_, "--db", db_, "--period", "2026-13"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("not a period"), std::string::npos) << run.err;
  run = ctl({"stats", "--config", config_, "--db", db_, "--by", "village"});
  EXPECT_EQ(run.status, 2);
  run = ctl({"stats", "--config", (dir_ / "missing.yaml").string()});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.err.find("cannot load"), std::string::npos) << run.err;
}

TEST_F(CtlReports, DirectoryCheckNamesTheRowOfEachProblem) {
  CtlRun run = ctl({"directory", "check", "--config", config_});
  ASSERT_EQ(run.status, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("directory ok:"), std::string::npos) << run.out;

  run = ctl({"directory", "list", "grids", "--config", config_, "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  auto grids = Json::parse(run.out);
  ASSERT_TRUE(grids) << run.out;
  EXPECT_GE(grids->items().size(), 6u);

  // A member on a grid that does not exist, on line 3 of members.csv.
  const fs::path members = dir_ / "conf" / "members.csv";
  std::string text = slurp(members);
  const std::size_t line3 = text.find('\n', text.find('\n') + 1) + 1;
  const std::size_t comma = text.find(",g-daxi,", line3);
  ASSERT_NE(comma, std::string::npos);
  text.replace(comma, 8, ",g-nowhere,");
  std::ofstream(members, std::ios::trunc) << text;
  run = ctl({"directory", "check", "--config", config_});
  EXPECT_EQ(run.status, 1);
  EXPECT_NE(run.out.find("members.csv:3:"), std::string::npos) << run.out << run.err;
  EXPECT_NE(run.out.find("g-nowhere"), std::string::npos) << run.out;
}

}  // namespace
