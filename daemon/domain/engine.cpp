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
constexpr std::string_view kSystem = "system";
// How sure the reading of a text inside the join window must be to make it another problem.
constexpr double kOtherProblemConfidence = 0.85;

std::string_view resident_status_label(TicketState state) {
  switch (state) {
    case TicketState::new_:
      return "已受理";
    case TicketState::awaiting_location:
      return "待确认地点";
    case TicketState::dispatched:
      return "已派人处理";
    case TicketState::accepted:
      return "处理中";
    case TicketState::resolved:
      return "待您评价";
    case TicketState::closed:
      return "已结束";
    case TicketState::reopened:
      return "重新处理中";
    case TicketState::invalid:
      return "已关闭";
    case TicketState::cancelled:
      return "已取消";
  }
  return "";
}

std::string_view member_status_label(TicketState state) {
  switch (state) {
    case TicketState::new_:
      return "待派单";
    case TicketState::awaiting_location:
      return "待确认地点";
    case TicketState::dispatched:
      return "待接单";
    case TicketState::accepted:
      return "处理中";
    case TicketState::resolved:
      return "待评价";
    case TicketState::closed:
      return "已结束";
    case TicketState::reopened:
      return "重新处理";
    case TicketState::invalid:
      return "已作废";
    case TicketState::cancelled:
      return "已取消";
  }
  return "";
}

// The form two texts are compared in to recognise an exact repeat.
std::string repeat_key(std::string_view text) {
  std::string normalized = text::normalize_for_matching(text);
  std::erase(normalized, ' ');
  return normalized;
}

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

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::notice:
      return "notice";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
  }
  return "?";
}

// ---- ReplyLoopGuard ----

bool ReplyLoopGuard::allow(std::string_view to, std::string_view text, TimePoint now) {
  prune(now);
  // Two hashes mixed (boost::hash_combine's recipe), so ("ab", "c") and ("a", "bc") differ.
  std::uint64_t key = std::hash<std::string_view>{}(to);
  key ^= std::hash<std::string_view>{}(text) + 0x9e3779b97f4a7c15ULL + (key << 6) + (key >> 2);
  std::vector<TimePoint>& times = sent_[key];
  auto expired = std::find_if(times.begin(), times.end(),
                              [&](TimePoint at) { return at > now - rules_.period; });
  times.erase(times.begin(), expired);
  if (rules_.max_repeats > 0 && times.size() >= static_cast<std::size_t>(rules_.max_repeats)) {
    return false;
  }
  times.push_back(now);
  return true;
}

void ReplyLoopGuard::prune(TimePoint now) {
  // Forget whole conversations that went quiet, at most once per period.
  if (now - last_prune_ < rules_.period) return;
  last_prune_ = now;
  std::erase_if(sent_, [&](const auto& entry) {
    return entry.second.empty() || entry.second.back() <= now - rules_.period;
  });
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

Engine::Engine(Settings settings, Directory directory)
    : settings_(std::move(settings)),
      directory_(std::make_shared<const Directory>(std::move(directory))),
      next_number_(settings_.first_ticket_number),
      loop_guard_(settings_.loop_protection) {}

void Engine::reload(Settings settings, Directory directory) {
  settings_ = std::move(settings);
  directory_ = std::make_shared<const Directory>(std::move(directory));
  loop_guard_.set_rules(settings_.loop_protection);
  next_number_ = std::max(next_number_, settings_.first_ticket_number);
}

void Engine::restore(RestoredState state) {
  tickets_.clear();
  indexed_.clear();
  by_reporter_.clear();
  working_.clear();
  load_.clear();
  finished_.clear();
  TicketNo highest = 0;
  for (Ticket& ticket : state.tickets) {
    highest = std::max(highest, ticket.number);
    tickets_[ticket.number] = std::move(ticket);
  }
  for (const auto& [number, ticket] : tickets_) reindex(ticket);
  // The daemon arms pending_timers() after a restore: that is what is armed now.
  armed_sla_.clear();
  for (const auto& [number, ticket] : tickets_) {
    for (const TimerRequest& timer : sla_timers(ticket)) armed_sla_[number][timer.kind] = timer.at;
  }
  // Never hand out a number twice, even if the stored counter lags behind the tickets.
  next_number_ = std::max({state.next_ticket_number, settings_.first_ticket_number, highest + 1});
  points_ = std::move(state.points_totals);
  meetings_.restore(std::move(state.meetings), state.attendance,  // ---- meetings ----
                    std::move(state.past_meeting_codes));
}

const Ticket* Engine::find(TicketNo number) const {
  auto it = tickets_.find(number);
  return it == tickets_.end() ? nullptr : &it->second;
}

std::vector<Ticket> Engine::tickets() const {
  std::vector<Ticket> out;
  out.reserve(tickets_.size());
  for (const auto& [number, ticket] : tickets_) out.push_back(ticket);
  return out;
}

long long Engine::points_of(std::string_view member) const {
  auto it = points_.find(std::string(member));
  return it == points_.end() ? 0 : it->second;
}

OpenLoad Engine::open_load() const {
  return load_;
}

// ---- Indexes ----

Engine::IndexEntry Engine::index_entry_of(const Ticket& ticket) {
  IndexEntry entry;
  entry.reporter = ticket.reporter;
  if (ticket.assignee && is_with_assignee(ticket.state)) entry.working_member = ticket.assignee;
  if (is_terminal(ticket.state) && ticket.closed_at) entry.finished_at = ticket.closed_at;
  return entry;
}

void Engine::reindex(const Ticket& ticket) {
  IndexEntry entry = index_entry_of(ticket);
  auto [it, inserted] = indexed_.try_emplace(ticket.number);
  if (!inserted) {
    if (it->second == entry) return;
    remove_from_indexes(ticket.number, it->second);
  }
  add_to_indexes(ticket.number, entry);
  it->second = std::move(entry);
}

void Engine::unindex(TicketNo number) {
  auto it = indexed_.find(number);
  if (it == indexed_.end()) return;
  remove_from_indexes(number, it->second);
  indexed_.erase(it);
}

void Engine::add_to_indexes(TicketNo number, const IndexEntry& entry) {
  std::vector<TicketNo>& numbers = by_reporter_[entry.reporter];
  // New tickets have the highest number: appending is the usual case.
  numbers.insert(std::lower_bound(numbers.begin(), numbers.end(), number), number);
  if (entry.working_member) {
    working_[*entry.working_member].insert(number);
    ++load_[*entry.working_member];
  }
  if (entry.finished_at) finished_.emplace(*entry.finished_at, number);
}

void Engine::remove_from_indexes(TicketNo number, const IndexEntry& entry) {
  if (auto it = by_reporter_.find(entry.reporter); it != by_reporter_.end()) {
    std::vector<TicketNo>& numbers = it->second;
    auto at = std::lower_bound(numbers.begin(), numbers.end(), number);
    if (at != numbers.end() && *at == number) numbers.erase(at);
    if (numbers.empty()) by_reporter_.erase(it);
  }
  if (entry.working_member) {
    if (auto it = working_.find(*entry.working_member); it != working_.end()) {
      it->second.erase(number);
      if (it->second.empty()) working_.erase(it);
    }
    // Members without open tickets are absent from the load, as in a full recount.
    if (auto it = load_.find(*entry.working_member); it != load_.end() && --it->second == 0) {
      load_.erase(it);
    }
  }
  if (entry.finished_at) finished_.erase({*entry.finished_at, number});
}

bool Engine::check_indexes() const {
  std::unordered_map<TicketNo, IndexEntry> indexed;
  std::unordered_map<std::string, std::vector<TicketNo>> by_reporter;
  std::unordered_map<std::string, std::set<TicketNo>> working;
  OpenLoad load;
  std::set<std::pair<TimePoint, TicketNo>> finished;
  for (const auto& [number, ticket] : tickets_) {  // ascending: vectors come out sorted
    IndexEntry entry = index_entry_of(ticket);
    by_reporter[entry.reporter].push_back(number);
    if (entry.working_member) {
      working[*entry.working_member].insert(number);
      ++load[*entry.working_member];
    }
    if (entry.finished_at) finished.emplace(*entry.finished_at, number);
    indexed.emplace(number, std::move(entry));
  }
  return indexed == indexed_ && by_reporter == by_reporter_ && working == working_ &&
         load == load_ && finished == finished_;
}

std::vector<TimerRequest> Engine::pending_timers() const {
  std::vector<TimerRequest> timers;
  for (const auto& [number, ticket] : tickets_) {
    if (ticket.state == TicketState::awaiting_location && ticket.location_deadline) {
      timers.push_back({number, TimerKind::location_followup, *ticket.location_deadline, false});
    }
    if (ticket.state == TicketState::resolved && ticket.verification_deadline) {
      timers.push_back({number, TimerKind::verification, *ticket.verification_deadline, false});
    }
    for (const TimerRequest& timer : sla_timers(ticket)) timers.push_back(timer);
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
  // finished_ is ordered by closed_at: only the tickets due are visited.
  while (!finished_.empty() &&
         finished_.begin()->first + settings_.windows.closed_retention < now) {
    const TicketNo number = finished_.begin()->second;
    auto it = tickets_.find(number);
    if (it == tickets_.end()) {  // cannot happen: tickets leave only through here
      finished_.erase(finished_.begin());
      continue;
    }
    const Ticket& t = it->second;
    if (!(is_terminal(t.state) && t.closed_at &&
          *t.closed_at + settings_.windows.closed_retention < now)) {
      reindex(t);  // stale entry (a change that bypassed touch): refresh, look again
      continue;
    }
    unindex(number);
    armed_sla_.erase(number);
    tickets_.erase(it);
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
  call.throttled = note_sender(call.from, now);
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

// ---- Members ----

void Engine::handle_member(Call& call, const Member& member, std::string_view text) {
  if (is_member_acknowledgement(text)) {  // 收到 / 好的 / OK to a dispatch
    member_short_reply(call, member);
    return;
  }
  MemberCommand command = parse_member_message(text);
  call.log(LogLevel::info, "member " + member.id + " sent " + std::string(command_name(command)));
  if (const auto* accept = std::get_if<Accept>(&command)) {
    member_accept(call, member, accept->ticket);
  } else if (const auto* resolve = std::get_if<Resolve>(&command)) {
    member_resolve(call, member, resolve->ticket, resolve->note);
  } else if (const auto* hand_back = std::get_if<HandBack>(&command)) {
    member_hand_back(call, member, hand_back->ticket, hand_back->reason);
  } else if (std::holds_alternative<MyTickets>(command)) {
    member_list(call, member);
  } else if (std::holds_alternative<MyPoints>(command)) {
    call.reply(settings_.templates.member_points,
               TemplateValues().set("points", points_of(member.id)));
  } else if (const auto* sign_in = std::get_if<SignIn>(&command)) {
    member_sign_in(call, member, sign_in->meeting_code);  // ---- meetings ----
  } else if (std::holds_alternative<Unsubscribe>(command)) {
    call.effects.subscriptions.push_back({member.phone, false, call.now});
    call.reply(settings_.templates.member_unsubscribed, {});
  } else if (const auto* report = std::get_if<MemberReport>(&command)) {
    // Members are villagers too: a report in their own words is a report (unless it answers
    // the rating question of an order they raised for themselves: 没修好，水还在漏).
    if (!member_verifies(call, member, report->text)) resident_text(call, report->text);
  } else if (!handle_orders(call, member, command)) {  // ---- four orders ---- 点单 派 代, 验单
    call.reply(settings_.templates.member_help, {});
  }
}

std::vector<Ticket*> Engine::member_open_tickets(const Member& member) {
  std::vector<Ticket*> out;
  auto working = working_.find(member.id);
  if (working == working_.end()) return out;
  for (TicketNo number : working->second) {  // ascending numbers
    auto it = tickets_.find(number);
    if (it != tickets_.end()) out.push_back(&it->second);
  }
  return out;
}

Ticket* Engine::member_ticket(Call& call, const Member& member, std::optional<TicketNo> number,
                              std::string_view command) {
  const Templates& t = settings_.templates;
  if (number) {
    auto it = tickets_.find(*number);
    if (it == tickets_.end()) {
      call.reply(t.member_not_found, TemplateValues().set("ticket", *number));
      return nullptr;
    }
    if (it->second.assignee != member.id) {
      call.log(LogLevel::notice,
               "member " + member.id + " named ticket " + std::to_string(*number) +
                   " assigned to someone else",
               *number);
      call.reply(t.member_not_yours, TemplateValues().set("ticket", *number));
      return nullptr;
    }
    return &it->second;
  }
  std::vector<Ticket*> open = member_open_tickets(member);
  if (open.size() == 1) return open.front();
  if (open.empty()) {
    call.reply(t.member_no_tickets, {});
    return nullptr;
  }
  std::string list;
  for (const Ticket* ticket : open) {
    list += list.empty() ? "" : "、";
    list += std::to_string(ticket->number);
  }
  call.reply(t.member_which_ticket, TemplateValues()
                                        .set("count", static_cast<long long>(open.size()))
                                        .set("list", list)
                                        .set("command", std::string(command))
                                        .set("ticket", open.front()->number));
  return nullptr;
}

void Engine::member_accept(Call& call, const Member& member, std::optional<TicketNo> number) {
  Ticket* ticket = member_ticket(call, member, number, "接");
  if (ticket == nullptr) return;
  const Templates& t = settings_.templates;
  TemplateValues values;
  values.set("ticket", ticket->number);
  if (ticket->state == TicketState::dispatched || ticket->state == TicketState::reopened) {
    ticket->accepted_at = call.now;
    call.transition(*ticket, TicketState::accepted, member.id, "accepted");
    call.log(LogLevel::info,
             "ticket " + std::to_string(ticket->number) + " accepted by " + member.id,
             ticket->number);
    call.reply(t.member_accepted, values, ticket->number);
  } else if (ticket->state == TicketState::accepted) {
    call.reply(t.member_accepted, values, ticket->number);  // a repeated 接: same answer
  } else {
    values.set("status", std::string(member_status_label(ticket->state)));
    call.reply(t.member_wrong_state, values, ticket->number);
  }
}

void Engine::member_resolve(Call& call, const Member& member, std::optional<TicketNo> number,
                            const std::string& note) {
  Ticket* ticket = member_ticket(call, member, number, "完成");
  if (ticket == nullptr) return;
  const Templates& t = settings_.templates;
  if (!is_with_assignee(ticket->state)) {
    call.reply(t.member_wrong_state,
               TemplateValues()
                   .set("ticket", ticket->number)
                   .set("status", std::string(member_status_label(ticket->state))),
               ticket->number);
    return;
  }
  ticket->resolution = note;
  if (!note.empty()) ticket->notes.push_back({call.now, member.id, note});
  ticket->resolved_at = call.now;
  ticket->verification_deadline = call.now + settings_.windows.verification;
  call.transition(*ticket, TicketState::resolved, member.id,
                  note.empty() ? "resolved" : "resolved: " + note);
  call.arm(*ticket, TimerKind::verification, *ticket->verification_deadline);
  call.log(LogLevel::info,
           "ticket " + std::to_string(ticket->number) + " resolved by " + member.id +
               ", waiting for the reporter's rating",
           ticket->number);
  call.to_reporter(*ticket, t.resident_rate_request, SmsKind::verification);
  call.reply(t.member_resolved, TemplateValues().set("ticket", ticket->number), ticket->number);
}

void Engine::member_hand_back(Call& call, const Member& member, std::optional<TicketNo> number,
                              const std::string& reason) {
  Ticket* ticket = member_ticket(call, member, number, "退");
  if (ticket == nullptr) return;
  const Templates& t = settings_.templates;
  if (!is_with_assignee(ticket->state)) {
    call.reply(t.member_wrong_state,
               TemplateValues()
                   .set("ticket", ticket->number)
                   .set("status", std::string(member_status_label(ticket->state))),
               ticket->number);
    return;
  }
  if (!reason.empty()) ticket->notes.push_back({call.now, member.id, "退回：" + reason});
  const std::string why = reason.empty() ? "handed back" : "handed back: " + reason;
  ++ticket->handback_count;
  const int problem_after = settings_.escalation.problem_after;
  if (problem_after > 0 && ticket->handback_count >= problem_after) {
    call.record(*ticket, member.id, why);
    make_problem(call, *ticket, "handed back " + std::to_string(ticket->handback_count) + " times");
    if (ticket->assignee != member.id) {
      call.reply(t.member_handed_back,
                 TemplateValues()
                     .set("ticket", ticket->number)
                     .set("assignee", member_name(ticket->assignee.value_or(""))),
                 ticket->number);
      return;
    }
    // Nobody above could take it: fall through to the next candidate.
  }
  if (!dispatch(call, *ticket, member.id, why, &reason)) {
    call.record(*ticket, member.id, why + " (nobody else to take it)");
    call.log(LogLevel::warning,
             "ticket " + std::to_string(ticket->number) + " handed back by " + member.id +
                 " but nobody else can take it",
             ticket->number);
    call.reply(t.member_handback_nobody, TemplateValues().set("ticket", ticket->number),
               ticket->number);
    return;
  }
  call.reply(t.member_handed_back,
             TemplateValues()
                 .set("ticket", ticket->number)
                 .set("assignee", member_name(ticket->assignee.value_or(""))),
             ticket->number);
}

void Engine::member_list(Call& call, const Member& member) {
  const Templates& t = settings_.templates;
  std::vector<Ticket*> open = member_open_tickets(member);
  if (open.empty()) {
    call.reply(t.member_no_tickets, {});
    return;
  }
  std::string list;
  std::size_t shown = 0;
  for (const Ticket* ticket : open) {
    if (shown++ == settings_.member_list_limit) {
      list += "…";
      break;
    }
    list += list.empty() ? "" : "；";
    list += render(t.member_ticket_item,
                   TemplateValues()
                       .set("ticket", ticket->number)
                       .set("status", std::string(member_status_label(ticket->state))));
  }
  call.reply(t.member_tickets,
             TemplateValues().set("count", static_cast<long long>(open.size())).set("list", list));
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
  if (request.category != nullptr && request.category->complaint) {
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
  RouteDecision decision = route_ticket(*directory_, request, load_);
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
  start_clocks(call, ticket, false);
  std::string why = "dispatched to " + member + " (" + std::string(to_string(decision.step)) + ")";
  if (!reason.empty()) why += "; " + std::string(reason);
  call.transition(ticket, TicketState::dispatched, actor, why);
  // The reason may be what someone typed (a hand-back, an operator): quoted in the log.
  call.log(LogLevel::info,
           "ticket " + std::to_string(ticket.number) + " dispatched to " + member + " (" +
               std::string(to_string(decision.step)) + ")" +
               (reason.empty() ? "" : "; " + quote_for_log(reason)) + ": " + decision.explanation(),
           ticket.number);

  TemplateValues values;
  values.set("ticket", ticket.number)
      .set("village", village_of(ticket))
      .set("category", category_name(ticket))
      .set("text", ticket.text)
      .set("reporter", call.mask(ticket.reporter));
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

// ---- Residents ----

// The members a complaint is about: those named in it (full name), and its grid's members.
std::vector<std::string> Engine::complained_about(const Ticket& ticket) const {
  std::vector<std::string> out;
  for (const Member& member : directory_->members()) {
    const bool named = text::decode_utf8(member.name).size() >= 2 &&
                       ticket.text.find(member.name) != std::string::npos;
    const bool of_grid = ticket.grid && std::find(member.grids.begin(), member.grids.end(),
                                                  *ticket.grid) != member.grids.end();
    if (named || of_grid) out.push_back(member.id);
  }
  return out;
}

// An open ticket of theirs within the join window: what they send now may belong to it.
bool Engine::has_fresh_ticket(const std::string& phone, TimePoint now) {
  for (Ticket* ticket : reporter_tickets(phone, true)) {
    if (ticket->created_at + settings_.windows.duplicate_join >= now) return true;
  }
  return false;
}

// Who may not earn rating points on it: the member who reported it, raised it (点单) or reported
// it for someone (代).
bool Engine::own_ticket(const Ticket& ticket, std::string_view member) const {
  if (ticket.raised_by == member) return true;
  const Member* reporter = directory_->member_by_phone(ticket.reporter);
  return reporter != nullptr && reporter->id == member;
}

std::vector<Ticket*> Engine::reporter_tickets(std::string_view phone, bool open_only) {
  std::vector<Ticket*> out;
  auto numbers = by_reporter_.find(std::string(phone));
  if (numbers == by_reporter_.end()) return out;
  for (TicketNo number : numbers->second) {
    auto it = tickets_.find(number);
    if (it != tickets_.end() && !(open_only && is_terminal(it->second.state))) {
      out.push_back(&it->second);
    }
  }
  return out;  // ascending numbers: oldest first
}

Ticket* Engine::latest_reporter_ticket(std::string_view phone, TicketState state) {
  auto numbers = by_reporter_.find(std::string(phone));
  if (numbers == by_reporter_.end()) return nullptr;
  for (auto n = numbers->second.rbegin(); n != numbers->second.rend(); ++n) {
    auto it = tickets_.find(*n);
    if (it != tickets_.end() && it->second.state == state) return &it->second;
  }
  return nullptr;
}

void Engine::handle_resident(Call& call, std::string_view text) {
  const Templates& t = settings_.templates;
  ResidentCommand command = parse_resident_message(text);
  if (const auto* rate = std::get_if<Rate>(&command)) {
    Ticket* ticket = latest_reporter_ticket(call.from, TicketState::resolved);
    if (ticket == nullptr) {
      call.reply(t.resident_nothing_to_rate, {});
    } else if (rate->score < 1 || rate->score > 5) {
      call.reply(t.resident_rate_request, TemplateValues().set("ticket", ticket->number),
                 ticket->number);
    } else {
      resident_rate(call, *ticket, rate->score);
    }
  } else if (std::holds_alternative<Reopen>(command)) {
    Ticket* ticket = latest_reporter_ticket(call.from, TicketState::resolved);
    if (ticket == nullptr) {
      call.reply(t.resident_nothing_to_rate, {});
    } else {
      resident_reopen(call, *ticket);
    }
  } else if (const auto* query = std::get_if<Query>(&command)) {
    resident_query(call, query->ticket);
  } else if (const auto* cancel = std::get_if<Cancel>(&command)) {
    resident_cancel(call, cancel->ticket, cancel->reason);
  } else if (std::holds_alternative<Unsubscribe>(command)) {
    call.effects.subscriptions.push_back({call.from, false, call.now});
    call.log(LogLevel::info, call.mask(call.from) + " unsubscribed from notices");
    call.reply(t.resident_unsubscribed, {});
  } else if (const auto* report = std::get_if<Report>(&command)) {
    Ticket* rating = latest_reporter_ticket(call.from, TicketState::resolved);
    if (rating != nullptr &&
        answer_rating_question(call, *rating, report->text, report->command_like)) {
      return;
    }
    if (report->command_like) {
      call.reply(t.resident_help, {});
    } else {
      resident_text(call, report->text);
    }
  }
}

void Engine::resident_rate(Call& call, Ticket& ticket, int score, bool in_words) {
  rating_prompts_.erase(ticket.number);
  ticket.rating = score;
  ticket.close_reason = CloseReason::rated;
  ticket.closed_at = call.now;
  ticket.verification_deadline.reset();
  call.disarm(ticket, TimerKind::verification);
  call.transition(ticket, TicketState::closed, call.from, "rated " + std::to_string(score));
  call.log(LogLevel::info,
           "ticket " + std::to_string(ticket.number) + " rated " + std::to_string(score),
           ticket.number);
  if (ticket.assignee) {
    // The rating counts for the statistics; its points never go to a member on her own ticket.
    const bool own = own_ticket(ticket, *ticket.assignee);
    const int points = own ? 0 : settings_.points.points_for_rating(score);
    if (own) {
      call.record(ticket, kSystem,
                  "rating points not booked: " + *ticket.assignee + " reported or raised it");
    } else {
      add_points(call, ticket, points, "rating " + std::to_string(score));
    }
    points_on_close(call, ticket);
    call.to_member(*ticket.assignee, settings_.templates.member_rated,
                   // Signed ("+10", "-3"): a low rating costs points.
                   TemplateValues()
                       .set("ticket", ticket.number)
                       .set("rating", score)
                       .set("points", (points >= 0 ? "+" : "") + std::to_string(points)),
                   ticket);
  }
  call.reply(
      in_words ? settings_.templates.resident_rated_in_words : settings_.templates.resident_rated,
      TemplateValues().set("ticket", ticket.number), ticket.number);
}

void Engine::resident_reopen(Call& call, Ticket& ticket) {
  rating_prompts_.erase(ticket.number);
  ticket.verification_deadline.reset();
  ticket.resolved_at.reset();
  ++ticket.reopen_count;
  call.disarm(ticket, TimerKind::verification);
  call.transition(ticket, TicketState::reopened, call.from,
                  "reporter says not solved (reopen " + std::to_string(ticket.reopen_count) + ")");
  call.log(LogLevel::notice, "ticket " + std::to_string(ticket.number) + " reopened by reporter",
           ticket.number);
  if (ticket.assignee) add_points(call, ticket, settings_.points.reopened, "reopened");
  // A new round: the member gets a new accept and resolve deadline.
  start_clocks(call, ticket, true);
  const int problem_after = settings_.escalation.problem_after;
  const int escalate_on = settings_.verification.escalate_on_reopen;
  if (problem_after > 0 && ticket.reopen_count >= problem_after) {
    make_problem(call, ticket, "reopened " + std::to_string(ticket.reopen_count) + " times");
    call.reply(settings_.templates.resident_reopened, TemplateValues().set("ticket", ticket.number),
               ticket.number);
    return;
  }
  if (escalate_on > 0 && ticket.reopen_count >= escalate_on &&
      escalate(call, ticket, static_cast<std::size_t>(ticket.escalation_level),
               "reopened " + std::to_string(ticket.reopen_count) + " times",
               "群众" + std::to_string(ticket.reopen_count) + "次反映未解决")) {
    call.reply(settings_.templates.resident_reopened, TemplateValues().set("ticket", ticket.number),
               ticket.number);
    return;
  }
  const Member* assignee = ticket.assignee ? directory_->find_member(*ticket.assignee) : nullptr;
  if (assignee != nullptr && assignee->on_duty) {
    ticket.accepted_at.reset();
    call.to_member(assignee->id, settings_.templates.member_reopened,
                   TemplateValues()
                       .set("ticket", ticket.number)
                       .set("village", village_of(ticket))
                       .set("category", category_name(ticket))
                       .set("text", ticket.text)
                       .set("reporter", call.mask(ticket.reporter)),
                   ticket);
  } else {
    // The former assignee is gone or off duty: route afresh.
    dispatch(call, ticket, kSystem, "reopened; former assignee unavailable", nullptr);
  }
  call.reply(settings_.templates.resident_reopened, TemplateValues().set("ticket", ticket.number),
             ticket.number);
}

void Engine::resident_query(Call& call, std::optional<TicketNo> number) {
  const Templates& t = settings_.templates;
  std::vector<Ticket*> shown;
  if (number) {
    auto it = tickets_.find(*number);
    if (it == tickets_.end() || it->second.reporter != call.from) {
      call.reply(t.resident_not_found, TemplateValues().set("ticket", *number));
      return;
    }
    shown.push_back(&it->second);
  } else {
    // Open tickets first (newest first); closed ones only when nothing is open.
    shown = reporter_tickets(call.from, true);
    std::reverse(shown.begin(), shown.end());
    if (shown.empty()) {
      shown = reporter_tickets(call.from, false);
      std::reverse(shown.begin(), shown.end());
    }
  }
  if (shown.empty()) {
    call.reply(t.resident_no_tickets, {});
    return;
  }
  // As many as fit in one SMS, and how many more there are: never a list cut silently.
  std::size_t finished = 0, unfinished = 0;
  if (!number) {
    for (const Ticket* ticket : reporter_tickets(call.from, false)) {
      ++(is_terminal(ticket->state) ? finished : unfinished);
    }
  }
  auto fits = [&](const std::string& list) {
    return utf16_length(settings_.signature +
                        render(t.resident_status, TemplateValues().set("list", list))) <=
           kSingleUcs2SmsUnits;
  };
  auto more = [&](std::size_t open_left, std::size_t closed_left) {
    std::string out;
    if (open_left > 0) out += "；另有" + std::to_string(open_left) + "件在办";
    if (closed_left > 0) out += "；另有" + std::to_string(closed_left) + "件已结束";
    return out;
  };
  std::string list;
  std::size_t listed_open = 0, listed_closed = 0;
  for (const Ticket* ticket : shown) {
    std::string item =
        render(t.resident_status_item,
               TemplateValues()
                   .set("ticket", ticket->number)
                   .set("status", std::string(resident_status_label(ticket->state))));
    std::string candidate = list.empty() ? item : list + "；" + item;
    const bool closed = is_terminal(ticket->state);
    const std::size_t open_left = unfinished - listed_open - (closed ? 0 : 1);
    const std::size_t closed_left = finished - listed_closed - (closed ? 1 : 0);
    if (!list.empty() && !number && !fits(candidate + more(open_left, closed_left))) break;
    list = std::move(candidate);
    ++(closed ? listed_closed : listed_open);
  }
  if (!number) list += more(unfinished - listed_open, finished - listed_closed);
  call.reply(t.resident_status, TemplateValues().set("list", list));
}

void Engine::resident_cancel(Call& call, std::optional<TicketNo> number,
                             const std::string& reason) {
  const Templates& t = settings_.templates;
  Ticket* ticket = nullptr;
  if (number) {
    auto it = tickets_.find(*number);
    if (it == tickets_.end() || it->second.reporter != call.from) {
      call.reply(t.resident_not_found, TemplateValues().set("ticket", *number));
      return;
    }
    ticket = &it->second;
  } else {
    std::vector<Ticket*> open = reporter_tickets(call.from, true);
    if (open.empty()) {
      call.reply(t.resident_no_tickets, {});
      return;
    }
    if (open.size() > 1) {
      call.reply(t.resident_which_ticket, TemplateValues().set("ticket", open.back()->number));
      return;
    }
    ticket = open.front();
  }
  if (is_terminal(ticket->state)) {
    std::string item =
        render(t.resident_status_item,
               TemplateValues()
                   .set("ticket", ticket->number)
                   .set("status", std::string(resident_status_label(ticket->state))));
    call.reply(t.resident_status, TemplateValues().set("list", item), ticket->number);
    return;
  }
  const bool assignee_working = ticket->assignee && is_with_assignee(ticket->state);
  if (ticket->state == TicketState::awaiting_location) {
    call.disarm(*ticket, TimerKind::location_followup);
  }
  if (ticket->state == TicketState::resolved) call.disarm(*ticket, TimerKind::verification);
  ticket->location_deadline.reset();
  ticket->verification_deadline.reset();
  ticket->close_reason = CloseReason::cancelled;
  ticket->closed_at = call.now;
  call.transition(*ticket, TicketState::cancelled, call.from,
                  reason.empty() ? "cancelled by reporter" : "cancelled by reporter: " + reason);
  call.log(LogLevel::info, "ticket " + std::to_string(ticket->number) + " cancelled by reporter",
           ticket->number);
  if (assignee_working) {
    call.to_member(*ticket->assignee, t.member_cancelled,
                   TemplateValues().set("ticket", ticket->number), *ticket);
  }
  call.reply(t.resident_cancelled, TemplateValues().set("ticket", ticket->number), ticket->number);
}

void Engine::resident_report(Call& call, const std::string& text, const Reading& reading) {
  const Templates& t = settings_.templates;
  // A recent open ticket from the same number: the text belongs to it.
  Ticket* recent = nullptr;
  for (Ticket* ticket : reporter_tickets(call.from, true)) {
    if (ticket->created_at + settings_.windows.duplicate_join >= call.now) recent = ticket;
  }
  if (call.throttled && recent == nullptr) {
    // A flood: attached to the sender's latest open ticket, however old, rather than 50 tickets.
    std::vector<Ticket*> open = reporter_tickets(call.from, true);
    if (!open.empty()) recent = open.back();
  }
  if (recent == nullptr) {
    open_ticket(call, text, reading);
    return;
  }
  const std::string key = repeat_key(text);
  bool repeat = repeat_key(recent->text) == key;
  for (const TicketNote& note : recent->notes) {
    repeat = repeat || (note.author == call.from && repeat_key(note.text) == key);
  }
  // A different problem opens its own ticket: a reading of another category the model is sure
  // of, or a place other than the ticket's. Anything vaguer (就在村口, 电话…, a half-sure guess
  // from a few words) adds to the ticket: splitting one problem costs a member a second visit.
  const LocationMatch place = locate_in_text(*directory_, text);
  const bool other_category =
      reading.intent == Intent::report && reading.confidence >= kOtherProblemConfidence &&
      !reading.category.empty() && reading.category != settings_.fallback_category &&
      reading.category != recent->category;
  const bool other_place = place.grid && recent->grid && place.grid != recent->grid;
  if (!repeat && !call.throttled && (other_category || other_place)) {
    call.log(LogLevel::info,
             "text from " + call.mask(call.from) + " within the join window of ticket " +
                 std::to_string(recent->number) + " is another problem (" +
                 (other_category ? "category " + reading.category : "another place") +
                 "): its own ticket",
             recent->number);
    open_ticket(call, text, reading);
    return;
  }
  if (repeat) {
    call.log(LogLevel::info,
             "duplicate report from " + call.mask(call.from) + " joins ticket " +
                 std::to_string(recent->number),
             recent->number);
    call.reply(t.resident_duplicate, TemplateValues().set("ticket", recent->number),
               recent->number);
    return;
  }
  recent->notes.push_back({call.now, call.from, text});
  call.record(*recent, call.from, "note from reporter: " + text);
  call.log(
      LogLevel::info,
      "note from " + call.mask(call.from) + " added to ticket " + std::to_string(recent->number),
      recent->number);
  forward_note(call, *recent, text);
}

void Engine::answer_location(Call& call, Ticket& ticket, const std::string& text) {
  ticket.notes.push_back({call.now, call.from, text});
  ticket.location_deadline.reset();
  call.disarm(ticket, TimerKind::location_followup);
  call.record(ticket, call.from, "answer to the location question: " + text);
  // The answer alone ("石塘"), else with the report ("青石镇的" tells which 石塘村 it was).
  LocationMatch location = locate_in_text(*directory_, text);
  if (!location.grid) location = locate_in_text(*directory_, ticket.text + " " + text);
  if (ticket.needs_review || ticket.category == settings_.fallback_category) {
    // The answer may say what the problem is, too ("大溪边村，路灯").
    Reading reading = read_text(settings_, ticket.text + " " + text);
    if (reading.intent == Intent::report && !reading.needs_review &&
        reading.category != ticket.category) {
      ticket.category = reading.category;
      ticket.confidence = reading.confidence;
      ticket.needs_review = false;
      ticket.urgent = ticket.urgent || reading.urgent;
      call.record(ticket, kSystem, "reclassified with the answer: " + reading.explanation);
    }
  }
  const std::string& received = ticket.urgent ? settings_.templates.resident_received_urgent
                                              : settings_.templates.resident_received;
  if (location.grid) {
    ticket.grid = location.grid;
    if (dispatch(call, ticket, kSystem, "location answered: " + location.explanation, nullptr)) {
      call.to_reporter(ticket, received);
    }
    return;
  }
  if (dispatch(call, ticket, kSystem,
               "location answer names no known village (" + location.explanation + "): duty desk",
               nullptr)) {
    call.to_reporter(ticket, settings_.templates.resident_sent_to_desk);
  }
}

void Engine::open_ticket(Call& call, const std::string& text, const Reading& read) {
  Ticket ticket;
  ticket.number = next_number_++;
  call.effects.next_ticket_number = next_number_;
  ticket.reporter = call.from;
  ticket.text = text;
  ticket.created_at = call.now;
  ticket.updated_at = call.now;
  ticket.inbound_id = call.inbound;
  Reading reading = read;
  LocationMatch location = locate(*directory_, call.from, text);
  apply_ussd_choice(reading, location);  // ---- USSD ---- category and grid picked on the menu
  ticket.category = reading.category;
  ticket.confidence = reading.confidence;
  // An urgent report is dispatched on the best guess at once: a danger does not wait for review.
  ticket.needs_review = reading.needs_review && !reading.urgent;
  ticket.grid = location.grid;
  if (!ticket.grid && location.ambiguous.empty()) {
    // A member reporting in their own words is usually in their own grid.
    if (const Member* member = directory_->member_by_phone(call.from);
        member && !member->grids.empty() && directory_->find_grid(member->grids.front())) {
      ticket.grid = member->grids.front();
      location.explanation += "; reporter is a member of grid " + *ticket.grid;
    }
  }
  ticket.urgent = reading.urgent || is_urgent(ticket);
  const TicketNo number = ticket.number;
  Ticket& stored = tickets_[number] = std::move(ticket);
  call.touch(stored, true);
  call.transition(stored, TicketState::new_, call.from,
                  "report: " + reading.explanation + "; " + location.explanation);
  call.log(stored.urgent ? LogLevel::notice : LogLevel::info,
           "ticket " + std::to_string(number) + " opened from " + call.mask(call.from) + ": " +
               reading.explanation + "; " + location.explanation,
           number);

  if (!stored.grid && !stored.urgent) {
    stored.location_deadline = call.now + settings_.windows.location_followup;
    const bool ambiguous = !location.ambiguous.empty();
    call.transition(stored, TicketState::awaiting_location, kSystem,
                    ambiguous ? "village in several townships: asked the reporter which"
                              : "location unknown: asked the reporter");
    call.arm(stored, TimerKind::location_followup, *stored.location_deadline);
    if (ambiguous) {
      call.send(stored.reporter, Audience::resident,
                render(settings_.templates.resident_ask_township,
                       TemplateValues().set("ticket", number).set("village", location.matched)),
                number, false, SmsKind::notice);
    } else {
      call.to_reporter(stored, settings_.templates.resident_ask_location);
    }
    return;
  }
  // Without a place an urgent report goes to the duty desk now, who can call the reporter back.
  dispatch(call, stored, kSystem, stored.grid ? "" : "urgent, place unknown", nullptr);
  if (stored.urgent) alert_desk(call, stored, reading);
  // The reporter gets the ticket number even if nobody could be found (the error is logged).
  call.to_reporter(stored, stored.urgent ? settings_.templates.resident_received_urgent
                                         : settings_.templates.resident_received);
}

// ---- Timers and operators ----

Effects Engine::on_timer(TicketNo number, TimerKind kind, TimePoint now) {
  prune_finished(now);
  Call call(*this, now, "", std::nullopt);
  auto it = tickets_.find(number);
  if (it == tickets_.end()) {
    call.log(LogLevel::debug, "timer " + std::string(to_string(kind)) + " for unknown ticket " +
                                  std::to_string(number) + ": ignored");
    return call.finish();
  }
  Ticket& ticket = it->second;
  if (kind == TimerKind::note_batch) {
    flush_notes(call, ticket);
  } else if (kind != TimerKind::location_followup && kind != TimerKind::verification) {
    sla_timer_fired(call, ticket, kind);
  } else if (kind == TimerKind::location_followup) {
    if (ticket.state != TicketState::awaiting_location || !ticket.location_deadline ||
        now < *ticket.location_deadline) {
      call.log(LogLevel::debug, "stale location timer: ignored", number);
      return call.finish();
    }
    ticket.location_deadline.reset();
    if (dispatch(call, ticket, kSystem, "no answer to the location question: duty desk", nullptr)) {
      call.to_reporter(ticket, settings_.templates.resident_sent_to_desk);
    } else {
      call.touch(ticket);
    }
  } else {
    if (ticket.state != TicketState::resolved || !ticket.verification_deadline ||
        now < *ticket.verification_deadline) {
      call.log(LogLevel::debug, "stale verification timer: ignored", number);
      return call.finish();
    }
    ticket.verification_deadline.reset();
    rating_prompts_.erase(number);
    ticket.close_reason = CloseReason::unrated;  // never counts as satisfied
    ticket.closed_at = now;
    call.transition(ticket, TicketState::closed, kSystem, "no rating within the window: unrated");
    call.log(LogLevel::info, "ticket " + std::to_string(number) + " closed unrated", number);
    points_on_close(call, ticket);
  }
  return call.finish();
}

Effects Engine::invalidate(TicketNo number, std::string_view operator_name, std::string_view reason,
                           TimePoint now) {
  Call call(*this, now, "", std::nullopt);
  auto it = tickets_.find(number);
  if (it == tickets_.end()) {
    call.effects.error = make_error_code(EngineError::unknown_ticket);
    call.effects.diagnostic =
        "no open ticket " + std::to_string(number) + " (unknown, or finished long ago)";
    return call.finish();
  }
  Ticket& ticket = it->second;
  if (is_terminal(ticket.state)) {
    call.effects.error = make_error_code(EngineError::ticket_finished);
    call.effects.diagnostic =
        "ticket " + std::to_string(number) + " is already " + std::string(to_string(ticket.state));
    return call.finish();
  }
  const std::string actor = "operator:" + std::string(operator_name);
  const bool assignee_working = ticket.assignee && is_with_assignee(ticket.state);
  if (ticket.state == TicketState::awaiting_location) {
    call.disarm(ticket, TimerKind::location_followup);
  }
  if (ticket.state == TicketState::resolved) call.disarm(ticket, TimerKind::verification);
  ticket.location_deadline.reset();
  ticket.verification_deadline.reset();
  ticket.close_reason = CloseReason::invalid;
  ticket.closed_at = now;
  call.transition(ticket, TicketState::invalid, actor, std::string(reason));
  call.log(LogLevel::notice,
           "ticket " + std::to_string(number) + " marked invalid by " + actor + ": " +
               quote_for_log(reason),
           number);
  if (assignee_working) {
    call.to_member(*ticket.assignee, settings_.templates.member_invalid,
                   TemplateValues().set("ticket", number).set("reason", std::string(reason)),
                   ticket);
  }
  call.to_reporter(ticket, settings_.templates.resident_invalid);
  return call.finish();
}

// ---- SLA ----

namespace {

const SlaLimit& accept_limit_of(const Settings& settings, const Ticket& ticket) {
  if (ticket.escalation_level > 0) return settings.escalation.accept_within;
  static const Category kDefault;
  const Category* category = settings.find_category(ticket.category);
  return (category ? *category : kDefault).accept_within;
}

const SlaLimit& resolve_limit_of(const Settings& settings, const Ticket& ticket) {
  if (ticket.escalation_level > 0) return settings.escalation.resolve_within;
  static const Category kDefault;
  const Category* category = settings.find_category(ticket.category);
  return (category ? *category : kDefault).resolve_within;
}

const Reminder& reminder_of(const Settings& settings, const Ticket& ticket) {
  const Category* category = settings.find_category(ticket.category);
  return category && category->reminder ? *category->reminder : settings.sla.reminder;
}

bool waits_for_accept(TicketState state) {
  return state == TicketState::dispatched || state == TicketState::reopened;
}

}  // namespace

void Engine::schedule_sms(OutgoingSms& sms, SmsKind kind, TimePoint now) const {
  const Sla& sla = settings_.sla;
  TimePoint from = now;
  // Members are not woken at night for what can wait; urgent categories and answers to what
  // someone just sent go at once; villagers are never held.
  if (sms.audience == Audience::member && !sms.urgent && kind != SmsKind::reply &&
      sla.quiet_hours) {
    if (auto until = quiet_until(now, *sla.quiet_hours, sla.time_zone)) {
      sms.not_before = *until;
      from = *until;
    }
  }
  const std::chrono::seconds validity = sla.validity.of(kind);
  if (validity.count() > 0) sms.expires_at = from + validity;
}

std::vector<TimerRequest> Engine::sla_timers(const Ticket& t) const {
  std::vector<TimerRequest> out;
  if (waits_for_accept(t.state) && t.accept_deadline) {
    if (t.reminded_for != t.accept_deadline) {
      if (auto at = reminder_time(*t.accept_deadline, accept_limit_of(settings_, t),
                                  reminder_of(settings_, t))) {
        out.push_back({t.number, TimerKind::accept_reminder, *at, false});
      }
    }
    out.push_back({t.number, TimerKind::accept_overdue, *t.accept_deadline, false});
  }
  if (is_with_assignee(t.state) && t.resolve_deadline) {
    if (t.reminded_for != t.resolve_deadline) {
      if (auto at = reminder_time(*t.resolve_deadline, resolve_limit_of(settings_, t),
                                  reminder_of(settings_, t))) {
        out.push_back({t.number, TimerKind::resolve_reminder, *at, false});
      }
    }
    out.push_back({t.number, TimerKind::resolve_overdue, *t.resolve_deadline, false});
  }
  return out;
}

void Engine::sync_sla_timers(Call& call, const Ticket& ticket) {
  std::map<TimerKind, TimePoint> wanted;
  for (const TimerRequest& timer : sla_timers(ticket)) wanted[timer.kind] = timer.at;
  auto it = armed_sla_.find(ticket.number);
  if (it == armed_sla_.end() && wanted.empty()) return;
  std::map<TimerKind, TimePoint> armed;
  if (it != armed_sla_.end()) armed = std::move(it->second);
  for (const auto& [kind, at] : armed) {
    if (!wanted.contains(kind)) {
      call.effects.timers.push_back({ticket.number, kind, call.now, true});
    }
  }
  for (const auto& [kind, at] : wanted) {
    auto old = armed.find(kind);
    if (old == armed.end() || old->second != at) {
      call.effects.timers.push_back({ticket.number, kind, at, false});
    }
  }
  if (wanted.empty()) {
    armed_sla_.erase(ticket.number);
  } else {
    armed_sla_[ticket.number] = std::move(wanted);
  }
}

void Engine::start_clocks(Call& call, Ticket& ticket, bool restart_resolve) {
  const Sla& sla = settings_.sla;
  ticket.accept_deadline =
      add_limit(call.now, accept_limit_of(settings_, ticket), sla.calendar, sla.time_zone);
  if (restart_resolve || !ticket.resolve_deadline) {
    ticket.resolve_deadline =
        add_limit(call.now, resolve_limit_of(settings_, ticket), sla.calendar, sla.time_zone);
  }
}

std::string Engine::deadline_text(TimePoint at) const {
  return format_local(at, settings_.sla.time_zone);
}

void Engine::sla_timer_fired(Call& call, Ticket& ticket, TimerKind kind) {
  // The daemon dropped the timer when it fired; what is still due is re-armed by finish().
  if (auto armed = armed_sla_.find(ticket.number); armed != armed_sla_.end()) {
    armed->second.erase(kind);
  }
  const bool accept_phase = kind == TimerKind::accept_reminder || kind == TimerKind::accept_overdue;
  const bool reminder = kind == TimerKind::accept_reminder || kind == TimerKind::resolve_reminder;
  const std::optional<TimePoint>& deadline =
      accept_phase ? ticket.accept_deadline : ticket.resolve_deadline;
  const bool in_phase =
      accept_phase ? waits_for_accept(ticket.state) : is_with_assignee(ticket.state);
  // The stored ticket decides: a timer for a phase the ticket has left, for a deadline it no
  // longer has, or before its time, is stale.
  std::optional<TimePoint> due;
  if (in_phase && deadline) {
    if (!reminder) {
      due = deadline;
    } else if (ticket.reminded_for != deadline) {
      due = reminder_time(
          *deadline,
          accept_phase ? accept_limit_of(settings_, ticket) : resolve_limit_of(settings_, ticket),
          reminder_of(settings_, ticket));
    }
  }
  if (!due || call.now < *due) {
    call.log(LogLevel::debug, "stale " + std::string(to_string(kind)) + " timer: ignored",
             ticket.number);
    sync_sla_timers(call, ticket);  // re-arms what is still wanted (e.g. after a reload)
    return;
  }
  const TimePoint at = *deadline;
  const std::string phase = accept_phase ? "accept" : "resolve";
  if (reminder && call.now >= at) {
    // Late (the daemon was down): "accept by 20:00" at 21:00 helps nobody; the overdue timer,
    // due as well, does the rest. Stored, so it is not tried again.
    ticket.reminded_for = at;
    call.touch(ticket);
    call.log(LogLevel::debug, phase + " reminder skipped: the deadline has passed", ticket.number);
    return;
  }
  if (reminder) {
    ticket.reminded_for = at;
    call.record(ticket, kSystem, "reminder: " + phase + " by " + deadline_text(at));
    call.log(LogLevel::info,
             "ticket " + std::to_string(ticket.number) + ": " + phase + " reminder to " +
                 ticket.assignee.value_or("nobody"),
             ticket.number);
    if (ticket.assignee) {
      call.to_member(
          *ticket.assignee,
          accept_phase ? settings_.templates.member_accept_reminder
                       : settings_.templates.member_resolve_reminder,
          TemplateValues().set("ticket", ticket.number).set("deadline", deadline_text(at)), ticket,
          SmsKind::reminder);
    }
    return;
  }
  const std::string why = "overdue: not " + std::string(accept_phase ? "accepted" : "resolved") +
                          " by " + deadline_text(at) +
                          (ticket.assignee ? " (assignee " + *ticket.assignee + ")" : "");
  if (ticket.assignee) {
    add_points(call, ticket,
               accept_phase ? settings_.points.overdue_accept : settings_.points.overdue_resolve,
               accept_phase ? "overdue accept" : "overdue resolve");
  }
  call.record(ticket, kSystem, why);
  call.log(LogLevel::warning, "ticket " + std::to_string(ticket.number) + " " + why, ticket.number);
  if (!escalate(call, ticket, static_cast<std::size_t>(ticket.escalation_level), why,
                accept_phase ? "超时未签收" : "超时未办结")) {
    // The top of the chain (or nobody above): this clock stops; the overdue event stays.
    (accept_phase ? ticket.accept_deadline : ticket.resolve_deadline).reset();
    call.record(ticket, kSystem,
                "nobody further up the escalation chain; " + phase + " deadline cleared");
    call.log(LogLevel::error,
             "ticket " + std::to_string(ticket.number) + " overdue with nobody above " +
                 ticket.assignee.value_or("nobody") + " in the escalation chain",
             ticket.number);
  }
}

std::optional<std::string> Engine::escalation_party(const Ticket& ticket,
                                                    EscalationStep step) const {
  const Grid* grid = ticket.grid ? directory_->find_grid(*ticket.grid) : nullptr;
  auto available = [&](std::string_view id) {
    const Member* member = directory_->find_member(id);
    return member != nullptr && member->on_duty;
  };
  switch (step) {
    case EscalationStep::grid_leader:
      if (grid && !grid->leader.empty() && available(grid->leader)) return grid->leader;
      return std::nullopt;
    case EscalationStep::township_desk:
      if (grid == nullptr || grid->township.empty()) return std::nullopt;
      for (const std::string& id : directory_->duty_desk_members(grid->township)) {
        if (available(id)) return id;
      }
      return std::nullopt;
    case EscalationStep::county_desk:
      for (const std::string& id : directory_->duty_desk_members("")) {
        if (available(id)) return id;
      }
      return std::nullopt;
  }
  return std::nullopt;
}

bool Engine::escalate(Call& call, Ticket& ticket, std::size_t from_step, const std::string& why,
                      std::string_view sms_reason) {
  const std::vector<EscalationStep>& chain = settings_.escalation.chain;
  for (std::size_t i = from_step; i < chain.size(); ++i) {
    std::optional<std::string> party = escalation_party(ticket, chain[i]);
    if (!party || party == ticket.assignee) continue;
    const std::optional<std::string> previous = ticket.assignee;
    ticket.escalation_level = static_cast<int>(i + 1);
    ticket.assignee = *party;
    if (std::find(ticket.tried.begin(), ticket.tried.end(), *party) == ticket.tried.end()) {
      ticket.tried.push_back(*party);
    }
    ticket.dispatched_at = call.now;
    ticket.accepted_at.reset();
    start_clocks(call, ticket, true);  // escalation limits, level > 0
    call.transition(ticket, TicketState::dispatched, kSystem,
                    "escalated to " + *party + " (" + std::string(to_string(chain[i])) +
                        ", level " + std::to_string(ticket.escalation_level) + "): " + why);
    call.log(LogLevel::notice,
             "ticket " + std::to_string(ticket.number) + " escalated to " + *party + " (" +
                 std::string(to_string(chain[i])) + "): " + why,
             ticket.number);
    call.to_member(*party, settings_.templates.member_escalated,
                   TemplateValues()
                       .set("ticket", ticket.number)
                       .set("village", village_of(ticket))
                       .set("category", category_name(ticket))
                       .set("text", ticket.text)
                       .set("reporter", call.mask(ticket.reporter))
                       .set("reason", std::string(sms_reason))
                       .set("deadline", deadline_text(*ticket.accept_deadline)),
                   ticket, SmsKind::escalation);
    const Member* before = previous ? directory_->find_member(*previous) : nullptr;
    // The member who just handed it back gets their reply instead.
    if (before != nullptr && before->id != *party && before->phone != call.from) {
      call.to_member(
          *previous, settings_.templates.member_escalated_away,
          TemplateValues().set("ticket", ticket.number).set("assignee", member_name(*party)),
          ticket, SmsKind::escalation);
    }
    return true;
  }
  return false;
}

void Engine::make_problem(Call& call, Ticket& ticket, const std::string& why) {
  if (!ticket.problem) {
    ticket.problem = true;
    call.record(ticket, kSystem, "problem ticket (问题工单): " + why);
    call.log(LogLevel::warning,
             "ticket " + std::to_string(ticket.number) + " is a problem ticket: " + why,
             ticket.number);
  }
  const std::size_t top =
      settings_.escalation.chain.empty() ? 0 : settings_.escalation.chain.size() - 1;
  escalate(call, ticket, top, "problem ticket: " + why, "问题工单");
}

void Engine::add_points(Call& call, const Ticket& ticket, int points, std::string reason) {
  if (points == 0 || !ticket.assignee) return;
  call.effects.points.push_back(
      {*ticket.assignee, ticket.number, points, std::move(reason), call.now});
  points_[*ticket.assignee] += points;
}

void Engine::points_on_close(Call& call, const Ticket& ticket) {
  if (!ticket.assignee || !ticket.resolved_at) return;
  add_points(call, ticket, settings_.points.resolved, "resolved");
  if (ticket.resolve_deadline && *ticket.resolved_at <= *ticket.resolve_deadline) {
    add_points(call, ticket, settings_.points.on_time, "on time");
  }
}

}  // namespace lianxin::domain
