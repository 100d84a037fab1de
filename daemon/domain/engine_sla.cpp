// Timers (the village question, verification, SLA reminders and overdue), escalation, problem
// tickets and points; and an operator's invalidate.
#include <algorithm>
#include <functional>
#include <set>
#include <utility>
#include <variant>

#include "daemon/domain/answers.hpp"
#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"
#include "daemon/domain/grammar.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/phone.hpp"
#include "daemon/domain/sla_clocks.hpp"

namespace lianxin::domain {

// ---- Timers and operators ----

Effects Engine::on_timer(TicketNo number, TimerKind kind, TimePoint now) {
  prune_finished(now);
  Call call(*this, now, "", std::nullopt);
  Ticket* found = book_.get(number);
  if (found == nullptr) {
    call.log(LogLevel::debug, "timer " + std::string(to_string(kind)) + " for unknown ticket " +
                                  std::to_string(number) + ": ignored");
    return call.finish();
  }
  Ticket& ticket = *found;
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
  Ticket* found = book_.get(number);
  if (found == nullptr) {
    call.effects.error = make_error_code(EngineError::unknown_ticket);
    call.effects.diagnostic =
        "no open ticket " + std::to_string(number) + " (unknown, or finished long ago)";
    return call.finish();
  }
  Ticket& ticket = *found;
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

void Engine::sync_sla_timers(Call& call, const Ticket& ticket) {
  for (const TimerRequest& request : armed_sla_.sync(settings_, ticket, call.now)) {
    call.effects.timers.push_back(request);
  }
}

std::string Engine::deadline_text(TimePoint at) const {
  return format_local(at, settings_.sla.time_zone);
}

void Engine::sla_timer_fired(Call& call, Ticket& ticket, TimerKind kind) {
  // The daemon dropped the timer when it fired; what is still due is re-armed by finish().
  armed_sla_.fired(ticket.number, kind);
  const bool accept_phase = is_accept_phase(kind);
  const bool reminder = is_reminder(kind);
  // The stored ticket decides: a timer for a phase the ticket has left, for a deadline it no
  // longer has, or before its time, is stale.
  const std::optional<TimePoint> due = sla_due(settings_, ticket, kind);
  if (!due || call.now < *due) {
    call.log(LogLevel::debug, "stale " + std::string(to_string(kind)) + " timer: ignored",
             ticket.number);
    sync_sla_timers(call, ticket);  // re-arms what is still wanted (e.g. after a reload)
    return;
  }
  const TimePoint at = *(accept_phase ? ticket.accept_deadline : ticket.resolve_deadline);
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
    start_sla_clocks(settings_, ticket, call.now, true);  // escalation limits, level > 0
    call.transition(ticket, TicketState::dispatched, kSystem,
                    "escalated to " + *party + " (" + std::string(to_string(chain[i])) +
                        ", level " + std::to_string(ticket.escalation_level) + "): " + why);
    call.log(LogLevel::notice,
             "ticket " + std::to_string(ticket.number) + " escalated to " + *party + " (" +
                 std::string(to_string(chain[i])) + "): " + why,
             ticket.number);
    call.to_member(*party, settings_.templates.member_escalated,
                   ticket_values(call, ticket)
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
