// Operator actions on tickets (lianxinctl reassign / close / note through the control socket).
// Engine::invalidate lives in engine.cpp; these follow the same pattern.
#include <algorithm>
#include <map>
#include <string>
#include <system_error>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::domain {

namespace {

// The ticket an operator names, if it is in memory and (unless `finished_ok`) not finished;
// otherwise the error goes into the call's effects.
Ticket* operator_ticket(TicketBook& tickets, Effects& effects, TicketNo number, bool finished_ok) {
  Ticket* ticket = tickets.get(number);
  if (ticket == nullptr) {
    effects.error = make_error_code(EngineError::unknown_ticket);
    effects.diagnostic =
        "ticket " + std::to_string(number) + " does not exist or was closed long ago";
    return nullptr;
  }
  if (!finished_ok && is_terminal(ticket->state)) {
    effects.error = make_error_code(EngineError::ticket_finished);
    effects.diagnostic =
        "ticket " + std::to_string(number) + " is already " + std::string(to_string(ticket->state));
    return nullptr;
  }
  return ticket;
}

void fail(Effects& effects, std::errc error, std::string diagnostic) {
  effects.error = std::make_error_code(error);
  effects.diagnostic = std::move(diagnostic);
}

std::string actor_of(std::string_view operator_name) {
  return "operator:" + std::string(operator_name);
}

}  // namespace

Effects Engine::reassign(TicketNo number, std::string_view member_ref,
                         std::string_view operator_name, std::string_view reason, TimePoint now) {
  Call call(*this, now, "", std::nullopt);
  Ticket* ticket = operator_ticket(book_, call.effects, number, false);
  if (ticket == nullptr) return call.finish();
  const Member* member = directory_->find_member(member_ref);
  if (member == nullptr) {
    if (auto phone = normalize_e164(member_ref, settings_.default_country))
      member = directory_->member_by_phone(*phone);
  }
  if (member == nullptr) {
    fail(call.effects, std::errc::invalid_argument,
         "no member " + std::string(member_ref) + " in the directory (give an id or a phone)");
    return call.finish();
  }
  if (ticket->state == TicketState::resolved) {
    fail(call.effects, std::errc::operation_not_permitted,
         "ticket " + std::to_string(number) +
             " is resolved and waits for the villager's rating; close it or wait");
    return call.finish();
  }
  if (ticket->assignee == member->id && is_with_assignee(ticket->state)) {
    fail(call.effects, std::errc::invalid_argument,
         "ticket " + std::to_string(number) + " is already with " + member->id);
    return call.finish();
  }
  const std::string actor = actor_of(operator_name);
  const std::optional<std::string> previous =
      ticket->assignee && is_with_assignee(ticket->state) ? ticket->assignee : std::nullopt;
  if (ticket->state == TicketState::awaiting_location) {
    call.disarm(*ticket, TimerKind::location_followup);
    ticket->location_deadline.reset();
  }
  ticket->assignee = member->id;
  if (std::find(ticket->tried.begin(), ticket->tried.end(), member->id) == ticket->tried.end())
    ticket->tried.push_back(member->id);
  ticket->dispatched_at = now;
  ticket->accepted_at.reset();
  // A ticket without a grid takes the member's first one, so reports group it somewhere.
  if (!ticket->grid && !member->grids.empty()) ticket->grid = member->grids.front();
  // ---- SLA ---- the new member gets a fresh accept deadline; the resolve deadline stays.
  start_sla_clocks(settings_, *ticket, call.now, false);
  const std::string why = "reassigned to " + member->id +
                          (previous ? " (was " + *previous + ")" : std::string()) + ": " +
                          std::string(reason);
  call.transition(*ticket, TicketState::dispatched, actor, why);
  call.log(LogLevel::notice,
           "ticket " + std::to_string(number) + " reassigned to " + member->id + " by " + actor +
               ": " + quote_for_log(reason),
           number);
  if (previous) {
    call.to_member(*previous, settings_.templates.member_reassigned,
                   TemplateValues().set("ticket", number).set("reason", std::string(reason)),
                   *ticket);
  }
  call.to_member(member->id, settings_.templates.member_dispatch, ticket_values(call, *ticket),
                 *ticket, SmsKind::dispatch);
  return call.finish();
}

Effects Engine::close_ticket(TicketNo number, std::string_view operator_name,
                             std::string_view reason, TimePoint now) {
  Call call(*this, now, "", std::nullopt);
  Ticket* ticket = operator_ticket(book_, call.effects, number, false);
  if (ticket == nullptr) return call.finish();
  const std::string actor = actor_of(operator_name);
  const bool assignee_working = ticket->assignee && is_with_assignee(ticket->state);
  if (ticket->state == TicketState::awaiting_location)
    call.disarm(*ticket, TimerKind::location_followup);
  if (ticket->state == TicketState::resolved) call.disarm(*ticket, TimerKind::verification);
  ticket->location_deadline.reset();
  ticket->verification_deadline.reset();
  ticket->close_reason = CloseReason::none;
  ticket->closed_at = now;
  call.transition(*ticket, TicketState::closed, actor,
                  "closed by the operator: " + std::string(reason));
  call.log(
      LogLevel::notice,
      "ticket " + std::to_string(number) + " closed by " + actor + ": " + quote_for_log(reason),
      number);
  // A resolved ticket closed before its rating earns what resolving earns (never a rating).
  points_on_close(call, *ticket);
  if (assignee_working) {
    call.to_member(*ticket->assignee, settings_.templates.member_closed,
                   TemplateValues().set("ticket", number).set("reason", std::string(reason)),
                   *ticket);
  }
  call.to_reporter(*ticket, settings_.templates.resident_closed);
  return call.finish();
}

Effects Engine::add_note(TicketNo number, std::string_view operator_name, std::string_view text,
                         TimePoint now) {
  Call call(*this, now, "", std::nullopt);
  Ticket* ticket = operator_ticket(book_, call.effects, number, true);
  if (ticket == nullptr) return call.finish();
  const std::string actor = actor_of(operator_name);
  ticket->notes.push_back(TicketNote{now, actor, std::string(text)});
  call.record(*ticket, actor, "note: " + std::string(text));
  call.log(LogLevel::info, "note added to ticket " + std::to_string(number) + " by " + actor,
           number);
  return call.finish();
}

}  // namespace lianxin::domain
