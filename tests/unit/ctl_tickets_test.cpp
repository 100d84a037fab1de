// Rendering of `lianxinctl tickets` and `lianxinctl ticket N`.
#include "daemon/ctl/tickets.hpp"

#include <gtest/gtest.h>

#include "daemon/domain/settings.hpp"

namespace {

using namespace lianxin::domain;
using lianxin::ctl::display_width;
using lianxin::ctl::Format;
using lianxin::ctl::render_history;
using lianxin::ctl::render_tickets;

Directory small_directory() {
  return Directory({Grid{"g1", "大溪边村网格", "大溪边村", "青石镇", {}, "m1"}},
                   {Member{"m1", "陈国华", "+8613800000001", {"g1"}, {Role::grid_leader}, true}},
                   {}, {}, {});
}

Ticket lamp_ticket() {
  Ticket t;
  t.number = 12;
  t.reporter = "+8613800000051";
  t.text = "村口两盏路灯杆被大风刮倒了，电线垂在路边, \"很危险\"";
  t.category = "streetlight";
  t.grid = "g1";
  t.state = TicketState::closed;
  t.close_reason = CloseReason::rated;
  t.rating = 5;
  t.assignee = "m1";
  return t;
}

TEST(CtlTickets, DisplayWidthCountsWideCharactersTwice) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("路灯"), 4u);
  EXPECT_EQ(display_width("１２"), 4u);
  EXPECT_EQ(display_width("a路"), 3u);
}

TEST(CtlTickets, TableShowsNamesNotIds) {
  std::string table =
      render_tickets({lamp_ticket()}, default_settings(), small_directory(), Format::table);
  EXPECT_NE(table.find("路灯"), std::string::npos) << table;
  EXPECT_NE(table.find("大溪边村"), std::string::npos);
  EXPECT_NE(table.find("陈国华"), std::string::npos);
  EXPECT_NE(table.find("(1 tickets)"), std::string::npos);
  EXPECT_EQ(table.find("streetlight"), std::string::npos);
}

TEST(CtlTickets, CsvQuotesCommasAndQuotes) {
  std::string csv =
      render_tickets({lamp_ticket()}, default_settings(), small_directory(), Format::csv);
  EXPECT_EQ(csv.rfind("number,state,category,village,assignee,rating,created,text\n", 0), 0u);
  EXPECT_NE(csv.find("\"村口两盏路灯杆被大风刮倒了，电线垂在路边, \"\"很危险\"\"\""),
            std::string::npos)
      << csv;
}

TEST(CtlTickets, JsonEscapesAndNullRating) {
  Ticket open = lamp_ticket();
  open.rating.reset();
  open.state = TicketState::dispatched;
  std::string json = render_tickets({open}, default_settings(), small_directory(), Format::json);
  EXPECT_NE(json.find("\"rating\":null"), std::string::npos) << json;
  EXPECT_NE(json.find("\\\"很危险\\\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"state\":\"dispatched\""), std::string::npos);
}

TEST(CtlTickets, UnratedCloseIsSaidSo) {
  Ticket t = lamp_ticket();
  t.rating.reset();
  t.close_reason = CloseReason::unrated;
  std::string table = render_tickets({t}, default_settings(), small_directory(), Format::table);
  EXPECT_NE(table.find("closed (unrated)"), std::string::npos) << table;
}

TEST(CtlTickets, HistoryListsEveryEventWithActorNames) {
  std::vector<TicketEvent> events = {
      {12, std::nullopt, TicketState::new_, "+8613800000051", {}, "report"},
      {12, TicketState::new_, TicketState::dispatched, "system", {}, "grid member"},
      {12, TicketState::dispatched, TicketState::accepted, "m1", {}, ""},
  };
  std::string history =
      render_history(lamp_ticket(), events, default_settings(), small_directory());
  EXPECT_NE(history.find("ticket 12: closed"), std::string::npos) << history;
  EXPECT_NE(history.find("created → new"), std::string::npos);
  EXPECT_NE(history.find("dispatched → accepted  by 陈国华"), std::string::npos) << history;
}

TEST(CtlTickets, HistoryShowsEscalationAndSlaState) {
  Ticket t = lamp_ticket();
  t.state = TicketState::accepted;
  t.escalation_level = 2;
  t.reopen_count = 3;
  t.problem = true;
  t.accept_deadline = TimePoint{} + std::chrono::hours(24 * 365 * 57);
  t.kind = TicketKind::order;
  t.raised_by = "m1";
  std::vector<TicketEvent> events = {
      {12, TicketState::dispatched, TicketState::accepted, "m1", {}, ""},
      {12, TicketState::accepted, TicketState::accepted, "system", {}, "escalated to 青石镇值班室"},
  };
  std::string history = render_history(t, events, default_settings(), small_directory());
  EXPECT_NE(history.find("order (网格点单) raised by 陈国华"), std::string::npos) << history;
  EXPECT_NE(history.find("sla: accept by "), std::string::npos) << history;
  EXPECT_NE(history.find("escalated 2x, reopened 3x, 问题工单"), std::string::npos) << history;
  EXPECT_NE(history.find("· accepted  by system: escalated to 青石镇值班室"), std::string::npos)
      << history;
  EXPECT_EQ(history.find("accepted → accepted"), std::string::npos) << history;
}

}  // namespace
