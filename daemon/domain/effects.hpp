// What the engine asks of the world after a call (its effects): tickets and events to store, SMS
// to send, timers to arm, log lines, points; and what it is handed at start-up. The store, the
// statistics and the application read these types without including the engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "daemon/domain/meetings.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/templates.hpp"  // Audience
#include "protocol/log_level.hpp"

namespace lianxin::domain {

struct TicketChange {
  Ticket ticket;  // the full ticket after the call: upsert by number
  bool created = false;
};

struct OutgoingSms {
  std::string to;    // E.164
  std::string text;  // signature included
  Audience audience = Audience::resident;
  std::optional<TicketNo> ticket;
  bool urgent = false;                      // urgent category: not held by quiet hours
  std::optional<std::int64_t> in_reply_to;  // inbound id that caused it
  // ---- SLA ---- set by the engine (Settings::sla): quiet hours and validity.
  std::optional<TimePoint> not_before;  // held until then (quiet hours; members only)
  std::optional<TimePoint> expires_at;  // dropped as expired if not sent by then
};

// SLA timers (accept_*, resolve_*) are checked against the ticket's stored deadlines when they
// fire, so a timer that fires late, twice, or after its ticket moved on does nothing.
enum class TimerKind {
  location_followup,
  verification,
  accept_reminder,
  accept_overdue,
  resolve_reminder,
  resolve_overdue,
  note_batch,  // the notes waiting since the last 群众补充 SMS go to the member together
};
std::string_view to_string(TimerKind kind);
std::optional<TimerKind> timer_kind_from_string(std::string_view text);

// Arm (or re-arm) the timer (ticket, kind) to fire at `at`; cancel = true disarms it. A timer
// that fires anyway after its ticket moved on is ignored by on_timer, so cancels are advisory.
struct TimerRequest {
  TicketNo ticket = 0;
  TimerKind kind = TimerKind::location_followup;
  TimePoint at{};
  bool cancel = false;
};

struct LogLine {
  LogLevel level = LogLevel::info;
  std::string message;  // phone numbers masked
  std::optional<TicketNo> ticket;
};

struct PointsEntry {
  std::string member;
  TicketNo ticket = 0;
  int points = 0;
  std::string reason;  // "rating 5"
  TimePoint at{};
};

struct SubscriptionChange {
  std::string phone;
  bool subscribed = false;
  TimePoint at{};
};

enum class EngineError {
  unknown_ticket = 1,
  ticket_finished,   // closed, invalid or cancelled already
  unknown_category,  // recategorize to a category the configuration does not have
};
const std::error_category& engine_error_category();
std::error_code make_error_code(EngineError error);

// ---- four orders ---- what raise_order() refuses.
enum class OrderError {
  unknown_member = 1,  // raised_by is neither a member nor "operator:NAME"
  unknown_team,
  invalid_phone,  // the resident's number is not a personal phone number
  empty_text,
  no_reporter,  // an operator's order without a resident: nobody could verify it
};
const std::error_category& order_error_category();
std::error_code make_error_code(OrderError error);

struct Effects {
  std::vector<TicketChange> tickets;
  std::vector<TicketEvent> events;
  std::vector<OutgoingSms> sms;
  std::vector<OutgoingSms> held;  // not sent: loop protection (also logged)
  std::vector<TimerRequest> timers;
  std::vector<LogLine> logs;
  std::vector<PointsEntry> points;
  std::vector<SubscriptionChange> subscriptions;
  // ---- meetings ---- new meetings and sign-ins, to insert.
  std::vector<Meeting> meetings;
  std::vector<Attendance> attendance;
  std::vector<Correction> corrections;
  std::optional<TicketNo> next_ticket_number;  // set when a number was allocated: persist it
  std::error_code error;                       // operator calls only
  std::string diagnostic;
};

// ---- State handed over at start-up ----

struct RestoredState {
  std::vector<Ticket> tickets;      // open tickets (and, optionally, recently closed ones)
  TicketNo next_ticket_number = 0;  // 0: first_ticket_number from the settings
  std::unordered_map<std::string, long long> points_totals;  // member id → points
  // ---- meetings ---- meetings that ended within Windows::closed_retention (or later) with
  // their sign-ins; the codes of older ones (never reused).
  std::vector<Meeting> meetings;
  std::vector<Attendance> attendance;
  std::vector<std::string> past_meeting_codes;
};

}  // namespace lianxin::domain

template <>
struct std::is_error_code_enum<lianxin::domain::EngineError> : std::true_type {};
template <>
struct std::is_error_code_enum<lianxin::domain::OrderError> : std::true_type {};
