// What members text: accept, resolve, hand back, their list and points (the grammar's member
// commands); orders, meetings and their own reports are in engine_orders.cpp,
// engine_meetings.cpp and engine_language.cpp.
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

namespace lianxin::domain {

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
  for (TicketNo number : index_.working_on(member.id)) {  // ascending numbers
    Ticket* found = book_.get(number);
    if (found != nullptr) out.push_back(found);
  }
  return out;
}

Ticket* Engine::member_ticket(Call& call, const Member& member, std::optional<TicketNo> number,
                              std::string_view command) {
  const Templates& t = settings_.templates;
  if (number) {
    Ticket* found = book_.get(*number);
    if (found == nullptr) {
      call.reply(t.member_not_found, TemplateValues().set("ticket", *number));
      return nullptr;
    }
    if (found->assignee != member.id) {
      call.log(LogLevel::notice,
               "member " + member.id + " named ticket " + std::to_string(*number) +
                   " assigned to someone else",
               *number);
      call.reply(t.member_not_yours, TemplateValues().set("ticket", *number));
      return nullptr;
    }
    return found;
  }
  // The numbers are in the index: only the one ticket is read, and a list reads none.
  const std::set<TicketNo>& open = index_.working_on(member.id);
  if (open.size() == 1) return book_.get(*open.begin());
  if (open.empty()) {
    call.reply(t.member_no_tickets, {});
    return nullptr;
  }
  std::string list;
  for (TicketNo number : open) {
    list += list.empty() ? "" : "、";
    list += std::to_string(number);
  }
  call.reply(t.member_which_ticket, TemplateValues()
                                        .set("count", static_cast<long long>(open.size()))
                                        .set("list", list)
                                        .set("command", std::string(command))
                                        .set("ticket", *open.begin()));
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
    reply_wrong_state(call, *ticket);
  }
}

void Engine::member_resolve(Call& call, const Member& member, std::optional<TicketNo> number,
                            const std::string& note) {
  Ticket* ticket = member_ticket(call, member, number, "完成");
  if (ticket == nullptr) return;
  const Templates& t = settings_.templates;
  if (!is_with_assignee(ticket->state)) {
    reply_wrong_state(call, *ticket);
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
    reply_wrong_state(call, *ticket);
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
                       .set("status", std::string(status_word(settings_.templates, Audience::member,
                                                              ticket->state))));
  }
  call.reply(t.member_tickets,
             TemplateValues().set("count", static_cast<long long>(open.size())).set("list", list));
}

}  // namespace lianxin::domain
