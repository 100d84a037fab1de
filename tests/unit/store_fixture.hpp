// What the store tests share: fixed times, inbox parts, outbox requests, a ticket with every
// field set and its comparison; the names the tests use.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/store.hpp"
#include "tests/unit/temp_dir.hpp"

namespace lianxin::store::testing {

using ::lianxin::testing::TempDir;

using domain::Ticket;
using domain::TicketEvent;
using domain::TicketState;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// 2024-03-01 08:00:00 UTC plus `s` seconds.
inline TimePoint at(std::int64_t s) {
  return TimePoint{} + seconds(1709280000 + s);
}

inline Bytes bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

inline InboxPart sms_part(std::string_view text, TimePoint received,
                          std::string from = "+8613900000001") {
  InboxPart p;
  p.connection = "cmcc-1";
  p.source = std::move(from);
  p.destination = "106575000";
  p.data_coding = 8;
  p.payload = bytes(text);
  p.received_at = received;
  return p;
}

inline OutboxRequest sms_to(std::string to, std::string text, TimePoint created,
                            bool urgent = false) {
  OutboxRequest r;
  r.destination = std::move(to);
  r.source = "106575000";
  r.text = std::move(text);
  r.created_at = created;
  r.urgent = urgent;
  return r;
}

inline Ticket full_ticket(domain::TicketNo number) {
  Ticket t;
  t.number = number;
  t.reporter = "+8613900000001";
  t.text = "村口两盏路灯杆被大风刮倒了";
  t.category = "streetlight";
  t.grid = "g-daxi";
  t.urgent = true;
  t.state = TicketState::resolved;
  t.assignee = "m-wang";
  t.tried = {"m-li", "m-wang"};
  t.notes = {{at(60), "m-li", "不在村, \"明天\" 回来\n第二行\t\\"},
             {at(120), "system", std::string("ctl\x01\x1f end")}};
  t.resolution = "已修复";
  t.created_at = at(0);
  t.updated_at = at(500);
  t.dispatched_at = at(1);
  t.accepted_at = at(200);
  t.resolved_at = at(400);
  t.closed_at = std::nullopt;
  t.location_deadline = at(7200);
  t.verification_deadline = at(3 * 86400);
  t.close_reason = domain::CloseReason::none;
  t.rating = std::nullopt;
  t.inbound_id = 42;
  // ---- SLA ---- (v5) and the four orders' columns
  t.accept_deadline = at(3600);
  t.resolve_deadline = at(2 * 86400);
  t.escalation_level = 2;
  t.reopen_count = 1;
  t.handback_count = 3;
  t.problem = true;
  t.reminded_for = at(2 * 86400);
  t.kind = domain::TicketKind::order;
  t.raised_by = "m-li";
  t.team = "volunteers";
  // ---- language ---- (v6)
  t.confidence = 0.42;
  t.needs_review = true;
  return t;
}

inline void expect_same_ticket(const Ticket& a, const Ticket& b) {
  EXPECT_EQ(a.number, b.number);
  EXPECT_EQ(a.reporter, b.reporter);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.category, b.category);
  EXPECT_EQ(a.grid, b.grid);
  EXPECT_EQ(a.urgent, b.urgent);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.assignee, b.assignee);
  EXPECT_EQ(a.tried, b.tried);
  ASSERT_EQ(a.notes.size(), b.notes.size());
  for (std::size_t i = 0; i < a.notes.size(); ++i) {
    EXPECT_EQ(a.notes[i].at, b.notes[i].at);
    EXPECT_EQ(a.notes[i].author, b.notes[i].author);
    EXPECT_EQ(a.notes[i].text, b.notes[i].text);
  }
  EXPECT_EQ(a.resolution, b.resolution);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.dispatched_at, b.dispatched_at);
  EXPECT_EQ(a.accepted_at, b.accepted_at);
  EXPECT_EQ(a.resolved_at, b.resolved_at);
  EXPECT_EQ(a.closed_at, b.closed_at);
  EXPECT_EQ(a.location_deadline, b.location_deadline);
  EXPECT_EQ(a.verification_deadline, b.verification_deadline);
  EXPECT_EQ(a.close_reason, b.close_reason);
  EXPECT_EQ(a.rating, b.rating);
  EXPECT_EQ(a.inbound_id, b.inbound_id);
  EXPECT_EQ(a.accept_deadline, b.accept_deadline);
  EXPECT_EQ(a.resolve_deadline, b.resolve_deadline);
  EXPECT_EQ(a.escalation_level, b.escalation_level);
  EXPECT_EQ(a.reopen_count, b.reopen_count);
  EXPECT_EQ(a.handback_count, b.handback_count);
  EXPECT_EQ(a.problem, b.problem);
  EXPECT_EQ(a.reminded_for, b.reminded_for);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.raised_by, b.raised_by);
  EXPECT_EQ(a.team, b.team);
  EXPECT_DOUBLE_EQ(a.confidence, b.confidence);
  EXPECT_EQ(a.needs_review, b.needs_review);
}

}  // namespace lianxin::store::testing
