// The ticket engine: sans-io. Events in (an SMS arrived, a timer fired, an operator acted),
// effects out (tickets and events to store, SMS to send, timers to arm, log lines, points).
//
// The tickets live in the store (TicketRepository): the engine keeps a summary and the index
// entries of each ticket it tracks (open, or finished within windows.closed_retention) and reads
// a full ticket when a call needs it (ticket_book.hpp). At start-up the daemon loads the tracked
// tickets and calls restore(); after every call it persists the returned Effects in one
// transaction (tickets, events, points, next ticket number, SMS into the outbox), calls
// release_tickets() once they are committed, and only then performs them. The engine never
// reads the clock: `now` is a parameter everywhere.
//
// Behaviour (what users see):
// * A number in the member directory speaks the member grammar (grammar.hpp): 接/完成/退 with
//   or without a ticket number (without: only when they have exactly one open ticket, else the
//   reply lists their numbers), 我的, 积分, 签到 (meetings.hpp), 退订, 点单/派/代 (the four
//   orders and reports on behalf of residents: engine_orders.cpp). A ticket
//   number that is not theirs or does not exist gets a clear reply; anything unrecognised gets
//   one line of help; a long free text reads as a report of their own (grid: the text, else
//   their own grid).
// * Anyone else is a villager. A rating (1..5) or 0/未解决 applies to their most recently
//   resolved ticket; with none, a short hint. 查询 lists their tickets (as many as fit in one SMS,
//   newest first), 取消 [n] cancels (without a number only when they have exactly one open),
//   退订 is recorded. A text that looks like a failed command (`ok`, `6`) gets help. Any other
//   text: if a ticket of theirs waits for "which village?", it is the answer; else if a ticket
//   of theirs created within windows.duplicate_join is still open, an exact repeat is a
//   duplicate (short reply) and a new text joins it as a note (forwarded to the assignee);
//   else it is a new ticket.
// * New ticket: category by keywords, grid by resident directory or names in the text; unknown
//   grid → one follow-up question and a timer; an answer naming a village dispatches there, any
//   other answer or the timer's expiry sends it to the duty desk. Dispatch SMS to the member
//   (who/where/what, reporter masked), confirmation with the number to the villager.
// * 完成 → the villager is asked to rate; verification timer. Rating closes the ticket (points:
//   stars × points.per_star to the assignee); 0 reopens it to the same assignee; no answer
//   closes it as "unrated", which earns nothing. 退 → next candidate (routing.hpp).
// * The same text to the same number more than loop_protection.max_repeats times within the
//   period is held and logged, not sent.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/domain/classify.hpp"
#include "daemon/domain/effects.hpp"
#include "daemon/domain/grammar.hpp"
#include "daemon/domain/guards.hpp"
#include "daemon/domain/language.hpp"
#include "daemon/domain/meetings.hpp"
#include "daemon/domain/model.hpp"
#include "daemon/domain/routing.hpp"
#include "daemon/domain/settings.hpp"
#include "daemon/domain/sla_clocks.hpp"
#include "daemon/domain/templates.hpp"
#include "daemon/domain/ticket_book.hpp"
#include "daemon/domain/ticket_index.hpp"
#include "daemon/domain/ussd.hpp"

namespace lianxin::domain {

// Why a ticket is where it is: category, grid, route (for `lianxinctl explain`).
struct Explanation {
  Reading reading;
  LocationMatch location;
  RouteDecision route;
  std::string text() const;
};
Explanation explain_ticket(const Settings& settings, const Directory& directory,
                           const Ticket& ticket, const OpenLoad& load);

// ---- The engine ----

class Engine {
 public:
  // `repository` (the store; it must outlive the engine) holds the tickets: the engine keeps a
  // summary of each and reads the full ticket when it needs it, and release_tickets() drops the
  // ones read or changed once their changes are stored. Without one the engine holds them all.
  Engine(Settings settings, Directory directory, TicketRepository* repository = nullptr);

  // Replaces configuration and directory (SIGHUP). Open tickets stay as they are.
  void reload(Settings settings, Directory directory);
  void restore(RestoredState state);

  // An inbound SMS, already reassembled; `from` in E.164.
  Effects on_sms(std::string_view from, std::string_view text, TimePoint now,
                 std::int64_t inbound_id);
  // A timer armed through a TimerRequest fired.
  Effects on_timer(TicketNo ticket, TimerKind kind, TimePoint now);
  // Operator (filter/verify): the report is not a real case.
  Effects invalidate(TicketNo ticket, std::string_view operator_name, std::string_view reason,
                     TimePoint now);

  // ---- operator ----
  // lianxinctl actions through the control socket (engine_operator.cpp). Each records an event
  // with actor "operator:NAME" and the reason; on a ticket that does not exist or is finished
  // the Effects carry an EngineError and a diagnostic and nothing changes.
  // Hands the ticket to `member` (member id, or phone number in any form normalize_e164 takes):
  // it becomes dispatched to them; the previous assignee (if working on it) is told.
  Effects reassign(TicketNo ticket, std::string_view member, std::string_view operator_name,
                   std::string_view reason, TimePoint now);
  // Closes the ticket as it is (close reason none: never counted as rated); assignee and
  // reporter are told.
  Effects close_ticket(TicketNo ticket, std::string_view operator_name, std::string_view reason,
                       TimePoint now);
  // An internal note in the history (no SMS); allowed on finished tickets still in memory too.
  Effects add_note(TicketNo ticket, std::string_view operator_name, std::string_view text,
                   TimePoint now);
  // 过滤核实 (engine_language.cpp): the operator confirms or corrects the category. An event
  // and a Correction (training data); a ticket that waited for review, or is dispatched and not
  // yet accepted, is routed afresh by the new category with new deadlines (its previous holder
  // is told); an accepted or resolved one keeps its assignee. Unknown category: EngineError.
  Effects recategorize(TicketNo ticket, std::string_view category, std::string_view operator_name,
                       std::string_view reason, TimePoint now);
  // Open tickets waiting for 过滤核实, by number.
  std::vector<const Ticket*> review_queue() const;

  // ---- USSD ----
  // What the USSD menu does and asks (engine_ussd.cpp); `from` in E.164. The actions are the
  // same as their SMS commands (a report is a ticket like any other and its reporter gets the
  // usual SMS confirmation with the number), but the caller gets no SMS for what the USSD screen
  // already tells them (accepted, done, rated). Refusals change nothing.
  struct UssdOutcome {
    Effects effects;
    UssdActionResult result;
  };
  UssdOutcome ussd_report(std::string_view from, const UssdReport& report, TimePoint now);
  UssdOutcome ussd_accept(std::string_view from, TicketNo ticket, TimePoint now);
  UssdOutcome ussd_done(std::string_view from, TicketNo ticket, TimePoint now);
  UssdOutcome ussd_rate(std::string_view from, TicketNo ticket, int score, TimePoint now);
  std::vector<UssdTicketLine> ussd_reporter_tickets(std::string_view from);  // newest first
  std::vector<UssdTicketLine> ussd_member_tickets(std::string_view from, UssdMemberList which);
  std::optional<TicketNo> ussd_ratable_ticket(std::string_view from);
  std::optional<UssdPlace> ussd_home_place(std::string_view from) const;
  std::vector<UssdPlace> ussd_places() const;  // every grid, directory order

  // ---- four orders ----
  // 网格点单 by lianxinctl: raises an order for `team` (team id or name) as if `raised_by` (a
  // member id or phone) had texted 点单; `raised_by` may also be "operator:NAME", then
  // `resident_phone` is required (someone must verify). The resident (any form normalize_e164
  // takes), if given, is the reporter: they get the confirmation and the verification question;
  // else the raising member does. Errors (OrderError) in Effects.error/diagnostic, nothing
  // changes. The team leader gets the dispatch SMS (平台派单).
  Effects raise_order(std::string_view raised_by, std::string_view team, std::string_view text,
                      std::optional<std::string> resident_phone, TimePoint now);

  // ---- meetings ----
  // Creates a meeting (code normalised with normalize_meeting_code; created_by and created_at
  // are set here). Errors (MeetingError: invalid code, empty title, bad window, unknown grid,
  // duplicate code) in Effects.error/diagnostic, nothing changes. No SMS is sent.
  Effects create_meeting(Meeting meeting, std::string_view operator_name, TimePoint now);
  // Who signed in when and who is missing; nullopt when the meeting is unknown here (never
  // created, or ended longer than Windows::closed_retention ago: read the database then).
  std::optional<AttendanceReport> attendance(std::string_view code) const;
  std::vector<Meeting> meetings() const;  // the ones in memory, by start time

  const Ticket* find(TicketNo number) const;
  std::vector<Ticket> tickets() const;  // every tracked ticket (open, recently finished), by number
  // Every change returned so far is stored (the daemon committed): the tickets it read or
  // changed may leave memory (with a repository; see the constructor).
  void release_tickets() { book_.release(); }
  std::size_t tickets_in_memory() const { return book_.in_memory(); }
  // Tickets in memory by state, and the open ones (not resolved, not finished) past a deadline:
  // not accepted by the accept deadline, or past the resolve deadline (as `lianxinctl stats`).
  struct TicketCounts {
    std::map<TicketState, std::size_t> by_state;
    std::size_t overdue = 0;
  };
  TicketCounts ticket_counts(TimePoint now) const;
  TicketNo next_ticket_number() const { return next_number_; }
  long long points_of(std::string_view member) const;
  OpenLoad open_load() const;
  // Numbers throttled for flooding in the minute before `now` (lianxinctl status).
  std::size_t throttled_senders(TimePoint now) const;
  // Timers the daemon must arm after restore() (from the tickets' stored deadlines).
  std::vector<TimerRequest> pending_timers() const;
  // When the SLA timer (ticket, kind) is armed for, as the engine asked the daemon; nullopt when
  // it is not (the gateway keeps no copy of these: EngineTimers asks here).
  std::optional<TimePoint> sla_timer_at(TicketNo ticket, TimerKind kind) const {
    return armed_sla_.at(ticket, kind);
  }
  std::optional<Explanation> explain(TicketNo number) const;
  // True when the index (by reporter, open load per member, finished tickets) and the tickets'
  // summaries match a full recount of the tickets. For tests: it reads every ticket.
  bool check_indexes() const;

  const Settings& settings() const { return settings_; }
  const Directory& directory() const { return *directory_; }

 private:
  class Call;  // the effects of one call under construction

  void handle_member(Call& call, const Member& member, std::string_view text);
  void handle_resident(Call& call, std::string_view text);
  void member_accept(Call& call, const Member& member, std::optional<TicketNo> number);
  // A member's USSD accept or done: the checks they share, then `act` when `allowed(state)`.
  UssdOutcome ussd_member_action(std::string_view from, TicketNo number, TimePoint now,
                                 bool (*allowed)(TicketState),
                                 const std::function<void(Call&, const Member&)>& act);
  void member_resolve(Call& call, const Member& member, std::optional<TicketNo> number,
                      const std::string& note);
  void member_hand_back(Call& call, const Member& member, std::optional<TicketNo> number,
                        const std::string& reason);
  void member_list(Call& call, const Member& member);
  void resident_rate(Call& call, Ticket& ticket, int score, bool in_words = false);
  void resident_reopen(Call& call, Ticket& ticket);
  void resident_query(Call& call, std::optional<TicketNo> number);
  void resident_cancel(Call& call, std::optional<TicketNo> number, const std::string& reason);
  // ---- language ---- (engine_language.cpp) a text that is no command: what it is first.
  void resident_text(Call& call, const std::string& text);
  void resident_feedback(Call& call, const std::string& text, const Reading& reading);
  bool answer_rating_question(Call& call, Ticket& ticket, const std::string& text,
                              bool command_like);
  void member_short_reply(Call& call, const Member& member);
  void alert_desk(Call& call, const Ticket& ticket, const Reading& reading);
  std::string review_guesses(const Ticket& ticket) const;
  void resident_report(Call& call, const std::string& text, const Reading& reading);
  void answer_location(Call& call, Ticket& ticket, const std::string& text);
  void open_ticket(Call& call, const std::string& text, const Reading& reading);
  // Routes and dispatches (or re-dispatches) the ticket; false when nobody can take it.
  bool dispatch(Call& call, Ticket& ticket, std::string_view actor, std::string_view reason,
                const std::string* handed_back_reason);

  // The member's ticket named by `number`, or their only one in `states`; replies otherwise.
  Ticket* member_ticket(Call& call, const Member& member, std::optional<TicketNo> number,
                        std::string_view command);
  std::vector<Ticket*> member_open_tickets(const Member& member);
  std::vector<Ticket*> reporter_tickets(std::string_view phone, bool open_only);
  bool own_ticket(const Ticket& ticket, std::string_view member) const;
  // Their newest open ticket when it was opened within windows.duplicate_join, else null: what
  // they send now may belong to it.
  Ticket* fresh_ticket(std::string_view phone, TimePoint now);
  std::vector<std::string> named_in_complaint(const Ticket& ticket) const;
  std::vector<std::string> complained_about(const Ticket& ticket) const;
  Ticket* latest_reporter_ticket(std::string_view phone, TicketState state);

  std::string village_of(const Ticket& ticket) const;
  // What every SMS to a member about a ticket fills in: {ticket} {village} {category} {text}
  // {reporter} (masked).
  TemplateValues ticket_values(const Call& call, const Ticket& ticket) const;
  // 工单N当前{status}，无需此操作: a member's command that does not fit the ticket's state.
  void reply_wrong_state(Call& call, const Ticket& ticket) const;
  std::string category_name(const Ticket& ticket) const;
  std::string member_name(std::string_view id) const;
  bool is_urgent(const Ticket& ticket) const;
  void prune_finished(TimePoint now);

  // ---- four orders ---- (engine_orders.cpp)
  // 点单, 派, 代, and a rating from a member who raised an order (群众验单): true when handled.
  bool handle_orders(Call& call, const Member& member, const MemberCommand& command);
  void member_raise_order(Call& call, const Member& member, const RaiseOrder& order);
  void member_assign(Call& call, const Member& member, const Assign& assign);
  void member_on_behalf(Call& call, const Member& member, const OnBehalf& report);
  bool member_verifies(Call& call, const Member& member, std::string_view text);
  // Creates the ticket of an order or an on-behalf report and dispatches it; the reporter gets
  // the confirmation. `team`: route through this team (an order).
  Ticket& open_for(Call& call, std::string reporter, std::string text,
                   std::optional<std::string> raised_by, std::optional<std::string> team,
                   std::string_view actor, std::optional<std::string> fallback_grid);
  // The team a ticket goes through: its own (an order) or its category's team route.
  const Team* ticket_team(const Ticket& ticket) const;
  // The dispatch SMS for a route step: a team leader's says they may 派 (sets {team}).
  const std::string& dispatch_template(const Ticket& ticket, RouteStep step,
                                       TemplateValues& values) const;

  // ---- meetings ---- (engine_meetings.cpp)
  void member_sign_in(Call& call, const Member& member, const std::string& code);

  // ---- SLA ---- deadlines, reminders, escalation, problem tickets, points (engine.cpp)
  // Sets not_before (quiet hours: non-urgent, non-reply SMS to members) and expires_at.
  void schedule_sms(OutgoingSms& sms, SmsKind kind, TimePoint now) const;
  // Emits arm/cancel requests so the daemon's SLA timers for the ticket match sla_timers_of().
  void sync_sla_timers(Call& call, const Ticket& ticket);
  void sla_timer_fired(Call& call, Ticket& ticket, TimerKind kind);
  // Hands the ticket to the first available party at chain index >= `from_step`; false when
  // nobody above can take it.
  // `why` goes to the history and the log, `sms_reason` (Chinese) into the SMS.
  bool escalate(Call& call, Ticket& ticket, std::size_t from_step, const std::string& why,
                std::string_view sms_reason);
  std::optional<std::string> escalation_party(const Ticket& ticket, EscalationStep step) const;
  void make_problem(Call& call, Ticket& ticket, const std::string& why);
  void add_points(Call& call, const Ticket& ticket, int points, std::string reason);
  void points_on_close(Call& call, const Ticket& ticket);
  std::string deadline_text(TimePoint at) const;

  Settings settings_;
  std::shared_ptr<const Directory> directory_;
  TicketBook book_;
  // Tickets whose rating question got an answer that was no rating: asked once more (or, for
  // dissatisfaction, asked whether it is fixed). Memory only: after a restart, asked again.
  struct RatingPrompt {
    bool asked_if_fixed = false;
    bool asked_again = false;
  };
  std::map<TicketNo, RatingPrompt> rating_prompts_;
  // 群众补充 batching: notes waiting for the next SMS to the member, and when the last went out.
  // Memory only: notes are stored with the ticket; after a restart a waiting batch is not sent.
  struct NoteBatch {
    std::vector<std::string> waiting;
    std::optional<TimePoint> last_sent;
  };
  std::map<TicketNo, NoteBatch> note_batches_;
  void forward_note(Call& call, const Ticket& ticket, const std::string& text,
                    const std::string& reply);
  void flush_notes(Call& call, const Ticket& ticket);
  // Looks tickets up by reporter, assignee and closing time; every change passes through
  // Call::touch, which updates it.
  TicketIndex index_;
  TicketNo next_number_;
  std::unordered_map<std::string, long long> points_;
  ReplyLoopGuard loop_guard_;
  SenderRateGuard sender_rate_;  // flood throttling
  std::deque<std::int64_t> recent_inbound_;
  std::unordered_set<std::int64_t> recent_inbound_set_;
  // ---- meetings ----
  MeetingBook meetings_;
  // ---- USSD ---- the menu's choice while ussd_report() opens its ticket (open_ticket()
  // takes category and grid from it instead of the keywords).
  const UssdReport* ussd_choice_ = nullptr;
  void apply_ussd_choice(Reading& reading, LocationMatch& location) const;
  // ---- SLA ---- the SLA timers the daemon has armed, per ticket (kind → time).
  ArmedSlaTimers armed_sla_;
};

}  // namespace lianxin::domain
