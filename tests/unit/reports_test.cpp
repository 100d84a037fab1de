// Reports: the read-only reader (daemon/store/reports.hpp) against temp databases written by
// store::Store, and lianxinctl's report rendering (daemon/ctl/reports.hpp): periods, CSV quoting,
// JSON validity, CJK-aware tables.
#include "daemon/store/reports.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "daemon/ctl/reports.hpp"
#include "daemon/store/schema.hpp"
#include "daemon/store/store.hpp"
#include "tests/unit/temp_dir.hpp"

namespace lianxin {
namespace {

using domain::Ticket;
using domain::TicketEvent;
using domain::TicketState;
using domain::TimePoint;
using ::lianxin::testing::TempDir;
using std::chrono::hours;
using std::chrono::seconds;

// 2026-11-02 00:00 UTC plus `h` hours.
TimePoint at_hours(long long h) {
  return TimePoint{} + seconds(1793577600) + hours(h);
}

Ticket ticket(domain::TicketNo number, TimePoint created, std::string grid, std::string member,
              std::string category, TicketState state) {
  Ticket t;
  t.number = number;
  t.reporter = "+8613900000001";
  t.text = "村口路灯坏了, \"很危险\"";
  t.category = std::move(category);
  t.grid = std::move(grid);
  t.assignee = std::move(member);
  t.state = state;
  t.created_at = created;
  t.updated_at = created;
  if (state == TicketState::closed) {
    t.close_reason = domain::CloseReason::rated;
    t.rating = 5;
    t.closed_at = created + hours(5);
  }
  return t;
}

TicketEvent event(domain::TicketNo number, std::optional<TicketState> from, TicketState to,
                  TimePoint at) {
  return TicketEvent{number, from, to, "m1", at, "why"};
}

// Tickets 1..4 in November (1 and 2 in g1 by m1, 3 in g2 by m2, 4 closed in g1), ticket 5 from
// October still open, ticket 6 from October closed in October; events and points.
void fill(store::Store& s) {
  store::WriteBatch batch;
  batch.tickets = {
      ticket(1, at_hours(0), "g1", "m1", "streetlight", TicketState::accepted),
      ticket(2, at_hours(1), "g1", "m1", "water", TicketState::dispatched),
      ticket(3, at_hours(2), "g2", "m2", "streetlight", TicketState::resolved),
      ticket(4, at_hours(3), "g1", "m1", "streetlight", TicketState::closed),
      ticket(5, at_hours(-24 * 20), "g1", "m1", "streetlight", TicketState::accepted),
      ticket(6, at_hours(-24 * 20), "g2", "m2", "streetlight", TicketState::closed),
  };
  for (const Ticket& t : batch.tickets) {
    batch.events.push_back(event(t.number, std::nullopt, TicketState::new_, t.created_at));
    batch.events.push_back(
        event(t.number, TicketState::new_, TicketState::dispatched, t.created_at + hours(1)));
  }
  batch.events.push_back(
      event(1, TicketState::dispatched, TicketState::accepted, at_hours(0) + hours(2)));
  batch.points = {{"m1", 4, 10, "rating 5", at_hours(8)},
                  {"m2", 3, 3, "resolved", at_hours(9)},
                  {"m1", 0, 1, "bonus", at_hours(-24 * 40)}};
  store::CommitResult committed = s.commit(batch);
  ASSERT_TRUE(committed) << committed.message;
}

TEST(ReportReader, ReadsTicketsWithFiltersFromADatabaseTheDaemonWrites) {
  TempDir dir;
  const std::string path = dir.file("lianxin.db");
  store::Store writer = store::Store::open(path);
  fill(writer);
  store::ReportReader reader = store::ReportReader::open(path);
  EXPECT_EQ(reader.schema_version(), store::kSchemaVersion);

  auto numbers = [&](const store::TicketQuery& q) {
    auto got = reader.tickets(q);
    EXPECT_TRUE(got) << got.message;
    std::vector<domain::TicketNo> out;
    for (const Ticket& t : got.value) out.push_back(t.number);
    return out;
  };
  using V = std::vector<domain::TicketNo>;
  EXPECT_EQ(numbers({}), (V{6, 5, 4, 3, 2, 1}));
  store::TicketQuery q;
  q.states = {TicketState::accepted, TicketState::dispatched};
  EXPECT_EQ(numbers(q), (V{5, 2, 1}));
  q = {};
  q.grids = {"g2"};
  EXPECT_EQ(numbers(q), (V{6, 3}));
  q = {};
  q.grids_given = true;  // a township without grids matches nothing
  EXPECT_EQ(numbers(q), V{});
  q = {};
  q.assignee = "m1";
  q.category = "streetlight";
  EXPECT_EQ(numbers(q), (V{5, 4, 1}));
  q = {};
  q.created_from = at_hours(0);
  q.created_to = at_hours(3);
  EXPECT_EQ(numbers(q), (V{3, 2, 1}));
  q.with_carry_over = true;  // 5 is still open; 6 was closed before the period
  EXPECT_EQ(numbers(q), (V{5, 3, 2, 1}));
  q = {};
  q.limit = 2;
  q.newest_first = false;
  EXPECT_EQ(numbers(q), (V{1, 2}));

  // Fields come back as written.
  auto one = reader.find_ticket(4);
  ASSERT_TRUE(one && one.value);
  EXPECT_EQ(one.value->text, "村口路灯坏了, \"很危险\"");
  EXPECT_EQ(one.value->rating, 5);
  EXPECT_EQ(one.value->close_reason, domain::CloseReason::rated);
  EXPECT_EQ(one.value->created_at, at_hours(3));
  EXPECT_EQ(one.value->closed_at, at_hours(3) + hours(5));
  auto none = reader.find_ticket(99);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value.has_value());
}

TEST(ReportReader, EventsOfManyTicketsComeGroupedAndInOrder) {
  TempDir dir;
  const std::string path = dir.file("lianxin.db");
  store::Store writer = store::Store::open(path);
  fill(writer);
  store::ReportReader reader = store::ReportReader::open(path);
  auto events = reader.events_of({1, 3, 42});
  ASSERT_TRUE(events) << events.message;
  ASSERT_EQ(events.value.size(), 2u);
  ASSERT_EQ(events.value[1].size(), 3u);
  EXPECT_FALSE(events.value[1][0].from.has_value());
  EXPECT_EQ(events.value[1][1].to, TicketState::dispatched);
  EXPECT_EQ(events.value[1][2].to, TicketState::accepted);
  EXPECT_EQ(events.value[1][2].at, at_hours(2));
  EXPECT_EQ(events.value[3].size(), 2u);
  auto history = reader.history(1);
  ASSERT_TRUE(history);
  EXPECT_EQ(history.value.size(), 3u);
  EXPECT_TRUE(reader.events_of({}).value.empty());
}

TEST(ReportReader, PointsCarryTheGridOfTheirTicketAndFilterByPeriod) {
  TempDir dir;
  const std::string path = dir.file("lianxin.db");
  store::Store writer = store::Store::open(path);
  fill(writer);
  store::ReportReader reader = store::ReportReader::open(path);
  auto all = reader.points(std::nullopt, std::nullopt);
  ASSERT_TRUE(all) << all.message;
  ASSERT_EQ(all.value.size(), 3u);
  EXPECT_EQ(all.value[0].entry.member, "m1");
  EXPECT_EQ(all.value[0].ticket_grid, "g1");
  EXPECT_EQ(all.value[1].ticket_grid, "g2");
  EXPECT_EQ(all.value[2].ticket_grid, "");
  auto november = reader.points(at_hours(-24), at_hours(24 * 28));
  ASSERT_TRUE(november);
  EXPECT_EQ(november.value.size(), 2u);
}

TEST(ReportReader, SeesWhatTheWriterCommitsWhileBothAreOpen) {
  TempDir dir;
  const std::string path = dir.file("lianxin.db");
  store::Store writer = store::Store::open(path);
  store::ReportReader reader = store::ReportReader::open(path);
  EXPECT_TRUE(reader.tickets({}).value.empty());
  fill(writer);
  EXPECT_EQ(reader.tickets({}).value.size(), 6u);
}

TEST(ReportReader, ReadsTheSlaColumnsWhenTheTableHasThem) {
  TempDir dir;
  const std::string path = dir.file("lianxin.db");
  {
    store::Store writer = store::Store::open(path);
    fill(writer);
  }
  {
    // The columns as schema version 5 names them (added here when this build's store does not
    // write them yet).
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    std::set<std::string> present;
    SQLite::Statement info(db, "SELECT name FROM pragma_table_info('tickets')");
    while (info.executeStep()) present.insert(info.getColumn(0).getString());
    const std::pair<const char*, const char*> columns[] = {
        {"accept_deadline_ms", "INTEGER"},
        {"resolve_deadline_ms", "INTEGER"},
        {"escalation_level", "INTEGER NOT NULL DEFAULT 0"},
        {"reopen_count", "INTEGER NOT NULL DEFAULT 0"},
        {"handback_count", "INTEGER NOT NULL DEFAULT 0"},
        {"problem", "INTEGER NOT NULL DEFAULT 0"},
        {"kind", "TEXT NOT NULL DEFAULT 'report'"},
        {"raised_by", "TEXT"},
        {"team", "TEXT"}};
    for (const auto& [name, type] : columns) {
      if (!present.count(name))
        db.exec(std::string("ALTER TABLE tickets ADD COLUMN ") + name + " " + type);
    }
    db.exec(
        "UPDATE tickets SET accept_deadline_ms = 1793584800000, resolve_deadline_ms = "
        "1793836800000, escalation_level = 2, reopen_count = 3, handback_count = 1, problem = 1, "
        "kind = 'order', raised_by = 'm2', team = 'volunteers' WHERE number = 2");
  }
  store::ReportReader reader = store::ReportReader::open(path);
  auto t = reader.find_ticket(2);
  ASSERT_TRUE(t && t.value) << t.message;
  EXPECT_EQ(t.value->accept_deadline, at_hours(2));
  EXPECT_EQ(t.value->resolve_deadline, at_hours(72));
  EXPECT_EQ(t.value->escalation_level, 2);
  EXPECT_EQ(t.value->reopen_count, 3);
  EXPECT_EQ(t.value->handback_count, 1);
  EXPECT_TRUE(t.value->problem);
  EXPECT_EQ(t.value->kind, domain::TicketKind::order);
  EXPECT_EQ(t.value->raised_by, "m2");
  EXPECT_EQ(t.value->team, "volunteers");
  auto other = reader.find_ticket(1);
  ASSERT_TRUE(other && other.value);
  EXPECT_FALSE(other.value->accept_deadline.has_value());
  EXPECT_EQ(other.value->kind, domain::TicketKind::report);
}

TEST(ReportReader, ReadsASchemaVersion4DatabaseWithoutMigratingIt) {
  TempDir dir;
  const std::string path = dir.file("v4.db");
  store::create_database_at_version(path, 4);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO tickets (number, reporter, text, category, grid, state, created_at_ms, "
        "updated_at_ms, close_reason) VALUES (7, '+8613900000001', '水管爆了', 'water', 'g1', "
        "'dispatched', 1793577600000, 1793577600000, 'none')");
  }
  store::ReportReader reader = store::ReportReader::open(path);
  EXPECT_EQ(reader.schema_version(), 4);
  auto tickets = reader.tickets({});
  ASSERT_TRUE(tickets) << tickets.message;
  ASSERT_EQ(tickets.value.size(), 1u);
  EXPECT_EQ(tickets.value[0].text, "水管爆了");
  EXPECT_EQ(tickets.value[0].escalation_level, 0);
  EXPECT_FALSE(tickets.value[0].accept_deadline.has_value());
  SQLite::Database check(path, SQLite::OPEN_READONLY);
  EXPECT_EQ(check.execAndGet("PRAGMA user_version").getInt(), 4) << "a reader never migrates";
}

// The daemon and lianxinctl read a ticket row with one reader: a row lianxind would refuse as
// corrupt is refused by the reports too, naming the ticket, instead of being shown half-read.
TEST(ReportReader, AnUnreadableRowIsCorruptAsItIsForTheDaemon) {
  TempDir dir;
  const std::string path = dir.file("lianxin.db");
  {
    store::Store writer = store::Store::open(path);
    fill(writer);
  }
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE);
    raw.exec("UPDATE tickets SET notes = '[{\"at\": oops' WHERE number = 3");
  }
  store::ReportReader reader = store::ReportReader::open(path);
  auto all = reader.tickets({});
  EXPECT_EQ(all.error, store::StoreError::corrupt);
  EXPECT_NE(all.message.find("ticket 3"), std::string::npos) << all.message;
  auto one = reader.find_ticket(3);
  EXPECT_EQ(one.error, store::StoreError::corrupt);
  store::Store daemon = store::Store::open(path);
  EXPECT_EQ(daemon.find_ticket(3).error, store::StoreError::corrupt);
  EXPECT_TRUE(reader.find_ticket(2)) << "the other rows stay readable";
}

TEST(ReportReader, RefusesWhatIsNotADatabaseOfOurs) {
  TempDir dir;
  try {
    store::ReportReader::open(dir.file("missing.db"));
    FAIL() << "opened a missing file";
  } catch (const store::StoreOpenError& e) {
    EXPECT_NE(std::string(e.what()).find("no database at"), std::string::npos) << e.what();
    EXPECT_FALSE(std::filesystem::exists(dir.file("missing.db"))) << "must not create it";
  }
  {
    SQLite::Database other(dir.file("other.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    other.exec("CREATE TABLE notes (x TEXT)");
  }
  try {
    store::ReportReader::open(dir.file("other.db"));
    FAIL() << "opened another application's database";
  } catch (const store::StoreOpenError& e) {
    EXPECT_EQ(e.code(), store::make_error_code(store::StoreError::not_our_database)) << e.what();
  }
  {
    std::ofstream text(dir.file("text.db"));
    text << "this is not sqlite at all, just a text file that is long enough to look like one\n";
  }
  EXPECT_THROW(store::ReportReader::open(dir.file("text.db")), store::StoreOpenError);
}

// ---------------------------------------------------------------- lianxinctl rendering

// True when `text` is exactly one valid JSON text (nlohmann-json's own parser decides).
bool valid_json(std::string_view text) {
  return nlohmann::json::accept(text);
}

domain::StatsReport sample_report(domain::StatsLevel level) {
  domain::StatsReport r;
  r.level = level;
  r.as_of = at_hours(0);
  domain::StatsRow row;
  row.key = "g1";
  row.name = "大溪边村网格, \"一组\"";
  row.received = 40;
  row.handled = 39;
  row.handling = {39, 40};
  row.accept_on_time = {3, 4};
  row.satisfied = {0, 0};  // undefined
  row.median_accept = hours(2) + std::chrono::minutes(5);
  row.overdue = 1;
  r.rows.push_back(row);
  domain::StatsRow other = row;
  other.key = "";
  other.name = "(未定位)";
  other.received = 2;
  r.rows.push_back(other);
  r.total = row;
  r.total.key = "total";
  r.total.name = "合计";
  return r;
}

TEST(CtlReports, StatsCsvQuotesNamesAndLeavesUndefinedRatesEmpty) {
  std::string csv =
      ctl::render_stats(sample_report(domain::StatsLevel::grid), "2026-11", ctl::Format::csv);
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = csv.find('\n', start)) != std::string::npos;
       start = end + 1)
    lines.push_back(csv.substr(start, end - start));
  ASSERT_EQ(lines.size(), 4u) << csv;  // header, two rows, total
  EXPECT_EQ(lines[0].rfind("level,key,name,received,handled,handling_rate,", 0), 0u);
  EXPECT_EQ(lines[1].rfind("grid,g1,\"大溪边村网格, \"\"一组\"\"\",40,39,0.9750,3,4,0.7500,", 0),
            0u)
      << lines[1];
  EXPECT_NE(lines[1].find(",0,0,,"), std::string::npos) << "satisfaction undefined: empty";
  EXPECT_NE(lines[1].find(",7500,"), std::string::npos) << "median accept in seconds";
  EXPECT_EQ(lines[3].rfind("total,total,合计,", 0), 0u);
}

TEST(CtlReports, StatsJsonIsValidAndHasNullForUndefinedRates) {
  std::string json =
      ctl::render_stats(sample_report(domain::StatsLevel::grid), "2026-11", ctl::Format::json);
  EXPECT_TRUE(valid_json(json)) << json;
  EXPECT_NE(json.find("\"satisfaction\":{\"count\":0,\"of\":0,\"rate\":null}"), std::string::npos)
      << json;
  // Rates are the CSV's four decimals as JSON numbers (0.9750 prints as 0.975).
  EXPECT_NE(json.find("\"handling\":{\"count\":39,\"of\":40,\"rate\":0.975}"), std::string::npos)
      << json;
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_DOUBLE_EQ(parsed["rows"][0]["handling"]["rate"].get<double>(), 0.975);
  EXPECT_NE(json.find("\"name\":\"大溪边村网格, \\\"一组\\\"\""), std::string::npos);
  EXPECT_NE(json.find("\"median_resolve_seconds\":null"), std::string::npos);
  EXPECT_NE(json.find("\"level\":\"grid\""), std::string::npos);
}

TEST(CtlReports, StatsTableAlignsColumnsByDisplayWidth) {
  std::string table =
      ctl::render_stats(sample_report(domain::StatsLevel::grid), "2026-11", ctl::Format::table);
  EXPECT_NE(table.find("97.5%"), std::string::npos) << table;
  EXPECT_NE(table.find("2h5m"), std::string::npos) << table;
  EXPECT_NE(table.find("合计"), std::string::npos);
  // Header and every row end at the same display column (numbers are right-aligned).
  std::vector<std::size_t> widths;
  std::size_t start = table.find('\n') + 1;  // skip the title
  for (int line = 0; line < 4; ++line) {
    const std::size_t end = table.find('\n', start);
    widths.push_back(ctl::display_width(std::string_view(table).substr(start, end - start)));
    start = end + 1;
  }
  for (std::size_t w : widths) EXPECT_EQ(w, widths[0]) << table;
}

TEST(CtlReports, PointsAndDirectoryRenderInEveryFormat) {
  std::vector<domain::PointsRow> rows{{"m1", "王建国", 14, 2}, {"m2", "孙,立", -2, 1}};
  std::string csv = ctl::render_points(rows, domain::PointsLevel::member, "all", ctl::Format::csv);
  EXPECT_EQ(csv, "member,name,points,entries\nm1,王建国,14,2\nm2,\"孙,立\",-2,1\n");
  std::string json = ctl::render_points(rows, domain::PointsLevel::grid, "all", ctl::Format::json);
  EXPECT_TRUE(valid_json(json)) << json;
  std::string table =
      ctl::render_points(rows, domain::PointsLevel::member, "all", ctl::Format::table);
  EXPECT_NE(table.find("(2 rows, 12 points)"), std::string::npos) << table;

  domain::Directory d(
      {domain::Grid{"g1", "大溪边村网格", "大溪边村", "青石镇", {"溪边", "樟树"}, "m1"}},
      {domain::Member{"m1", "王建国", "+8613800000001", {"g1"}, {domain::Role::grid_leader}, true}},
      {}, {}, {{"", "m1"}});
  EXPECT_EQ(
      ctl::render_directory(d, "grids", ctl::Format::csv),
      "id,name,village,township,leader,aliases\ng1,大溪边村网格,大溪边村,青石镇,m1,溪边;樟树\n");
  std::string members = ctl::render_directory(d, "members", ctl::Format::json);
  EXPECT_TRUE(valid_json(members)) << members;
  EXPECT_NE(members.find("\"roles\":\"grid_leader\""), std::string::npos) << members;
  std::string counts = ctl::render_directory(d, "", ctl::Format::json);
  EXPECT_TRUE(valid_json(counts)) << counts;
  EXPECT_NE(counts.find("{\"what\":\"grids\",\"count\":1}"), std::string::npos) << counts;
  EXPECT_NE(ctl::render_directory(d, "duty-desks", ctl::Format::table).find("(county)"),
            std::string::npos);
}

TEST(CtlReports, PeriodsResolveToLocalMidnights) {
  const domain::TimeZone shanghai;     // UTC+8
  const TimePoint now = at_hours(20);  // 2026-11-02 20:00 UTC = 11-03 04:00 in Shanghai
  std::string error;
  auto today =
      ctl::resolve_period(std::string("today"), std::nullopt, std::nullopt, now, shanghai, error);
  ASSERT_TRUE(today) << error;
  EXPECT_EQ(*today->from, at_hours(16));  // 11-03 00:00 Shanghai = 11-02 16:00 UTC
  EXPECT_EQ(*today->to, at_hours(16 + 24));
  EXPECT_EQ(today->label, "2026-11-03");

  auto range = ctl::resolve_period(std::nullopt, std::string("2026-11-01"),
                                   std::string("2026-11-30"), now, shanghai, error);
  ASSERT_TRUE(range) << error;
  EXPECT_EQ(*range->from, at_hours(-24 - 8));
  EXPECT_EQ(*range->to, at_hours(24 * 28 + 16));  // 12-01 00:00 Shanghai: --to is inclusive
  EXPECT_EQ(range->label, "2026-11-01 – 2026-11-30");

  auto open_end = ctl::resolve_period(std::nullopt, std::string("2026-11-01"), std::nullopt, now,
                                      shanghai, error);
  ASSERT_TRUE(open_end);
  EXPECT_FALSE(open_end->to.has_value());

  auto all = ctl::resolve_period(std::nullopt, std::nullopt, std::nullopt, now, shanghai, error);
  ASSERT_TRUE(all);
  EXPECT_FALSE(all->from.has_value());
  EXPECT_EQ(all->label, "all");

  struct Bad {
    std::optional<std::string> period, from, to;
    const char* says;
  };
  const Bad bad[] = {
      {"2026-11", "2026-11-01", std::nullopt, "either --period or --from/--to"},
      {"2026-13", std::nullopt, std::nullopt, "not a period"},
      {std::nullopt, "2026-11-31", std::nullopt, "--from needs a date"},
      {std::nullopt, "2026-11-05", "2026-11-01", "before --from"},
  };
  for (const Bad& b : bad) {
    error.clear();
    EXPECT_FALSE(ctl::resolve_period(b.period, b.from, b.to, now, shanghai, error));
    EXPECT_NE(error.find(b.says), std::string::npos) << error;
  }
}

TEST(CtlReports, DurationsReadEasily) {
  EXPECT_EQ(ctl::format_duration(std::nullopt), "-");
  EXPECT_EQ(ctl::format_duration(seconds(20)), "0m");
  EXPECT_EQ(ctl::format_duration(seconds(45 * 60)), "45m");
  EXPECT_EQ(ctl::format_duration(hours(3)), "3h");
  EXPECT_EQ(ctl::format_duration(hours(3) + std::chrono::minutes(12)), "3h12m");
  EXPECT_EQ(ctl::format_duration(hours(52)), "2d4h");
  EXPECT_EQ(ctl::format_duration(hours(48)), "2d");
}

TEST(CtlReports, CsvFieldsAreQuotedOnlyWhenNeeded) {
  EXPECT_EQ(ctl::csv_field("plain 路灯"), "plain 路灯");
  EXPECT_EQ(ctl::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(ctl::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(ctl::csv_field("two\nlines"), "\"two\nlines\"");
}

}  // namespace
}  // namespace lianxin
