#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>
#include <variant>

#include "daemon/domain/answers.hpp"
#include "daemon/domain/grammar.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::domain {
namespace {

constexpr std::size_t kRememberedInboundIds = 4096;

class EngineErrorCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "lianxin.engine"; }
  std::string message(int value) const override {
    switch (static_cast<EngineError>(value)) {
      case EngineError::unknown_ticket:
        return "unknown ticket";
      case EngineError::ticket_finished:
        return "ticket already closed, invalid or cancelled";
      case EngineError::unknown_category:
        return "unknown category";
    }
    return "unknown engine error";
  }
};

}  // namespace

// ---- Shared by the engine_<area>.cpp files (declared in engine_call.hpp) ----

// The form two texts are compared in to recognise an exact repeat.
std::string repeat_key(std::string_view text) {
  std::string normalized = text::normalize_for_matching(text);
  std::erase(normalized, ' ');
  return normalized;
}

const std::error_category& engine_error_category() {
  static const EngineErrorCategory category;
  return category;
}

std::error_code make_error_code(EngineError error) {
  return {static_cast<int>(error), engine_error_category()};
}

std::string_view to_string(TimerKind kind) {
  switch (kind) {
    case TimerKind::location_followup:
      return "location_followup";
    case TimerKind::verification:
      return "verification";
    case TimerKind::accept_reminder:
      return "accept_reminder";
    case TimerKind::accept_overdue:
      return "accept_overdue";
    case TimerKind::resolve_reminder:
      return "resolve_reminder";
    case TimerKind::resolve_overdue:
      return "resolve_overdue";
    case TimerKind::note_batch:
      return "note_batch";
  }
  return "?";
}

std::optional<TimerKind> timer_kind_from_string(std::string_view text) {
  for (TimerKind kind :
       {TimerKind::location_followup, TimerKind::verification, TimerKind::accept_reminder,
        TimerKind::accept_overdue, TimerKind::resolve_reminder, TimerKind::resolve_overdue,
        TimerKind::note_batch}) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

// ---- Explanation ----

std::string Explanation::text() const {
  return "reading: " + reading.explanation + "\nlocation: " + location.explanation +
         "\nroute: " + route.explanation();
}

Explanation explain_ticket(const Settings& settings, const Directory& directory,
                           const Ticket& ticket, const OpenLoad& load) {
  Explanation e;
  e.reading = read_text(settings, ticket.text);
  e.location = locate(directory, ticket.reporter, ticket.text);
  if (ticket.grid && ticket.grid != e.location.grid) {
    e.location.explanation += "; ticket grid is " + *ticket.grid + " (from the follow-up answer)";
    e.location.grid = ticket.grid;
  }
  RouteRequest request{settings.find_category(ticket.category), ticket.grid, ticket.tried,
                       ticket.team};
  // Explain how the current assignee was chosen: everyone tried before them stays excluded.
  if (ticket.assignee) {
    auto it = std::find(request.tried.begin(), request.tried.end(), *ticket.assignee);
    request.tried.erase(it, request.tried.end());
  }
  OpenLoad adjusted = load;
  if (ticket.assignee && is_with_assignee(ticket.state) && adjusted[*ticket.assignee] > 0) {
    --adjusted[*ticket.assignee];
  }
  e.route = route_ticket(directory, request, adjusted);
  return e;
}

// ---- One call: effects under construction (class Engine::Call, engine_call.hpp) ----

// ---- Engine ----

Engine::Engine(Settings settings, Directory directory, TicketRepository* repository)
    : settings_(std::move(settings)),
      directory_(std::make_shared<const Directory>(std::move(directory))),
      book_(repository),
      next_number_(settings_.first_ticket_number),
      loop_guard_(settings_.loop_protection),
      sender_rate_(settings_.loop_protection) {}

void Engine::reload(Settings settings, Directory directory) {
  settings_ = std::move(settings);
  directory_ = std::make_shared<const Directory>(std::move(directory));
  loop_guard_.set_rules(settings_.loop_protection);
  sender_rate_.set_rules(settings_.loop_protection);
  next_number_ = std::max(next_number_, settings_.first_ticket_number);
}

void Engine::restore(RestoredState state) {
  index_.clear();
  TicketNo highest = 0;
  for (const Ticket& ticket : state.tickets) {
    highest = std::max(highest, ticket.number);
    index_.update(ticket);
  }
  // The daemon arms pending_timers() after a restore: that is what is armed now.
  armed_sla_.restore(settings_, state.tickets);
  book_.restore(std::move(state.tickets));
  // Never hand out a number twice, even if the stored counter lags behind the tickets.
  next_number_ = std::max({state.next_ticket_number, settings_.first_ticket_number, highest + 1});
  points_ = std::move(state.points_totals);
  meetings_.restore(std::move(state.meetings), state.attendance,  // ---- meetings ----
                    std::move(state.past_meeting_codes));
}

const Ticket* Engine::find(TicketNo number) const {
  return book_.find(number);
}

std::vector<Ticket> Engine::tickets() const {
  std::vector<Ticket> out;
  out.reserve(book_.size());
  for (TicketNo number : book_.numbers()) {
    if (const Ticket* ticket = book_.find(number)) out.push_back(*ticket);
  }
  return out;
}

bool Engine::check_indexes() const {
  std::map<TicketNo, Ticket> all;
  for (Ticket& ticket : tickets()) all.emplace(ticket.number, std::move(ticket));
  return all.size() == book_.size() && index_.matches(all) && book_.summaries_match();
}

Engine::TicketCounts Engine::ticket_counts(TimePoint now) const {
  constexpr TimePoint kNone = TicketSummary::kNone;
  TicketCounts counts;
  for (const auto& [number, t] : book_.summaries()) {
    ++counts.by_state[t.state];
    if (is_terminal(t.state) || t.state == TicketState::resolved) continue;
    const bool late_accept = !t.accepted && t.accept_deadline != kNone && t.accept_deadline < now;
    const bool late_resolve = t.resolve_deadline != kNone && t.resolve_deadline < now;
    if (late_accept || late_resolve) ++counts.overdue;
  }
  return counts;
}

long long Engine::points_of(std::string_view member) const {
  auto it = points_.find(std::string(member));
  return it == points_.end() ? 0 : it->second;
}

OpenLoad Engine::open_load() const {
  return index_.load();
}

std::vector<TimerRequest> Engine::pending_timers() const {
  // From the summaries and what is armed: no ticket is read.
  std::vector<TimerRequest> timers;
  for (TicketNo number : book_.numbers()) {
    const TicketSummary& s = *book_.summary(number);
    if (s.state_deadline != TicketSummary::kNone) {
      const TimerKind kind = s.state == TicketState::awaiting_location
                                 ? TimerKind::location_followup
                                 : TimerKind::verification;
      timers.push_back({number, kind, s.state_deadline, false});
    }
    armed_sla_.append_armed(number, timers);
  }
  return timers;
}

std::optional<Explanation> Engine::explain(TicketNo number) const {
  const Ticket* ticket = find(number);
  if (ticket == nullptr) return std::nullopt;
  return explain_ticket(settings_, *directory_, *ticket, open_load());
}

std::string Engine::village_of(const Ticket& ticket) const {
  const Grid* grid = ticket.grid ? directory_->find_grid(*ticket.grid) : nullptr;
  if (grid == nullptr) return "村名未知";
  return grid->village.empty() ? grid->name : grid->village;
}

std::string Engine::category_name(const Ticket& ticket) const {
  const Category* category = settings_.find_category(ticket.category);
  return category ? category->name : ticket.category;
}

std::string Engine::member_name(std::string_view id) const {
  const Member* member = directory_->find_member(id);
  return member && !member->name.empty() ? member->name : std::string(id);
}

bool Engine::is_urgent(const Ticket& ticket) const {
  const Category* category = settings_.find_category(ticket.category);
  return ticket.urgent || (category && category->urgent);
}

void Engine::prune_finished(TimePoint now) {
  // The index orders finished tickets by closed_at: only the tickets due are visited.
  const TimePoint cutoff = now - settings_.windows.closed_retention;
  while (const std::optional<TicketNo> number = index_.first_finished_before(cutoff)) {
    if (const Ticket* t = book_.find(*number)) {
      if (!(is_terminal(t->state) && t->closed_at && *t->closed_at < cutoff)) {
        index_.update(*t);  // stale entry (a change that bypassed touch): refresh, look again
        continue;
      }
    }
    book_.erase(*number);
    index_.remove(*number);  // (a ticket missing here cannot happen: they leave only here)
    armed_sla_.forget(*number);
  }
}

Effects Engine::on_sms(std::string_view from, std::string_view text, TimePoint now,
                       std::int64_t inbound_id) {
  prune_finished(now);
  Call call(*this, now, std::string(from),
            inbound_id > 0 ? std::optional(inbound_id) : std::nullopt);
  if (inbound_id > 0) {
    if (recent_inbound_set_.contains(inbound_id)) {
      call.log(LogLevel::notice,
               "inbound " + std::to_string(inbound_id) + " already handled: ignored");
      return call.finish();
    }
    recent_inbound_.push_back(inbound_id);
    recent_inbound_set_.insert(inbound_id);
    if (recent_inbound_.size() > kRememberedInboundIds) {
      recent_inbound_set_.erase(recent_inbound_.front());
      recent_inbound_.pop_front();
    }
  }
  call.throttled = sender_rate_.note(call.from, now);
  if (call.throttled) {
    call.log(LogLevel::notice, "sender " + call.mask(call.from) + " throttled (more than " +
                                   std::to_string(settings_.loop_protection.sender_per_minute) +
                                   " SMS a minute): stored and attached, not answered");
  }
  if (is_auto_reply(text)) {
    // A phone's automatic answer (【自动回复】我正在开车…): stored, never answered, never a ticket.
    call.log(LogLevel::notice,
             "automatic reply from " + call.mask(call.from) + ": stored, not answered");
    return call.finish();
  }
  if (const Member* member = directory_->member_by_phone(from)) {
    handle_member(call, *member, text);
  } else {
    handle_resident(call, text);
  }
  return call.finish();
}

TemplateValues Engine::ticket_values(const Call& call, const Ticket& ticket) const {
  TemplateValues values;
  values.set("ticket", ticket.number)
      .set("village", village_of(ticket))
      .set("category", category_name(ticket))
      .set("text", ticket.text)
      .set("reporter", call.mask(ticket.reporter));
  return values;
}

void Engine::reply_wrong_state(Call& call, const Ticket& ticket) const {
  call.reply(settings_.templates.member_wrong_state,
             TemplateValues()
                 .set("ticket", ticket.number)
                 .set("status", std::string(status_word(settings_.templates, Audience::member,
                                                        ticket.state))),
             ticket.number);
}

// ---- Dispatch ----

bool Engine::dispatch(Call& call, Ticket& ticket, std::string_view actor, std::string_view reason,
                      const std::string* handed_back_reason) {
  RouteRequest request{settings_.find_category(ticket.category),
                       ticket.grid,
                       ticket.tried,
                       std::nullopt,
                       {},
                       ticket.team};
  // A member's own report goes to a colleague (then the leader, then the desk), never to her.
  if (const Member* reporter = directory_->member_by_phone(ticket.reporter)) {
    request.reporter = reporter->id;
  }
  // A complaint about members goes to the desk (or team) configured for it, never to the members
  // it names nor to anyone of the grid it came from.
  Category complaint;
  const bool is_complaint = request.category != nullptr && request.category->complaint;
  ticket.complaint_about = is_complaint ? named_in_complaint(ticket) : std::vector<std::string>{};
  if (is_complaint) {
    request.complained_about = complained_about(ticket);
    if (request.category->route == RouteKind::grid) {
      complaint = *request.category;
      complaint.route = RouteKind::duty_desk;
      request.category = &complaint;
    }
  }
  // 过滤核实: an unsure reading goes to the duty desk, whatever its best guess's route says.
  Category review;
  if (ticket.needs_review && request.category != nullptr) {
    review = *request.category;
    review.route = RouteKind::duty_desk;
    request.category = &review;
  }
  RouteDecision decision = route_ticket(*directory_, request, index_.load());
  if (!decision.member) {
    call.log(LogLevel::error,
             "ticket " + std::to_string(ticket.number) +
                 " cannot be dispatched: " + decision.explanation(),
             ticket.number);
    return false;
  }
  const std::string& member = *decision.member;
  ticket.assignee = member;
  if (std::find(ticket.tried.begin(), ticket.tried.end(), member) == ticket.tried.end()) {
    ticket.tried.push_back(member);
  }
  ticket.dispatched_at = call.now;
  ticket.accepted_at.reset();
  start_sla_clocks(settings_, ticket, call.now, false);
  std::string why = "dispatched to " + member + " (" + std::string(to_string(decision.step)) + ")";
  if (!reason.empty()) why += "; " + std::string(reason);
  call.transition(ticket, TicketState::dispatched, actor, why);
  // The reason may be what someone typed (a hand-back, an operator): quoted in the log.
  call.log(LogLevel::info,
           "ticket " + std::to_string(ticket.number) + " dispatched to " + member + " (" +
               std::string(to_string(decision.step)) + ")" +
               (reason.empty() ? "" : "; " + quote_for_log(reason)) + ": " + decision.explanation(),
           ticket.number);

  TemplateValues values = ticket_values(call, ticket);
  if (handed_back_reason != nullptr) {
    values.set("reason", handed_back_reason->empty() ? "未说明" : *handed_back_reason);
    call.to_member(member, settings_.templates.member_handed_over, values, ticket,
                   SmsKind::dispatch);
  } else if (ticket.needs_review) {
    values.set("guesses", review_guesses(ticket));
    call.to_member(member, settings_.templates.member_review, values, ticket, SmsKind::dispatch);
  } else {
    const std::string& tmpl = dispatch_template(ticket, decision.step, values);  // four orders
    call.to_member(member, tmpl, values, ticket, SmsKind::dispatch);
  }
  return true;
}

}  // namespace lianxin::domain
