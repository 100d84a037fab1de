// What a villager's free text is before it becomes a ticket (language.hpp), the urgent alert to
// the duty desk, and 过滤核实: the operator's recategorize of an unsure reading.
#include <algorithm>
#include <cstdio>

#include "daemon/domain/answers.hpp"
#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"

namespace lianxin::domain {
namespace {

std::string percent(double p) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", p * 100);
  return buf;
}

}  // namespace

void Engine::resident_text(Call& call, const std::string& text) {
  const Templates& t = settings_.templates;
  const Reading reading = read_text(settings_, text);
  const bool member = directory_->member_by_phone(call.from) != nullptr;

  // A ticket waiting for "which village?": a report or anything naming a place is the answer, and
  // so is 不知道 (the duty desk finds out now rather than at the follow-up); a 好的 or 谢谢 is
  // not (it would send the ticket to the duty desk for nothing).
  if (Ticket* waiting = latest_reporter_ticket(call.from, TicketState::awaiting_location)) {
    const LocationMatch place = locate_in_text(*directory_, text);
    if (reading.intent == Intent::report || place.grid || !place.ambiguous.empty() ||
        place.township || says_dont_know(text)) {
      answer_location(call, *waiting, text);
      return;
    }
    call.log(LogLevel::info,
             std::string(to_string(reading.intent)) + " from " + call.mask(call.from) +
                 " while ticket " + std::to_string(waiting->number) + " waits for its village",
             waiting->number);
    if (reading.intent != Intent::acknowledgement) {
      call.to_reporter(*waiting, t.resident_ask_location, SmsKind::reply);
    }
    return;
  }

  switch (reading.intent) {
    case Intent::report:
      resident_report(call, text, reading);
      return;
    case Intent::acknowledgement:
      // Elderly people answer every SMS with 好的 or 谢谢: no ticket, and no reply (a reply to
      // a thank-you invites another thank-you).
      call.log(LogLevel::info, "acknowledgement from " + call.mask(call.from) + ": no ticket (" +
                                   reading.explanation + ")");
      return;
    case Intent::greeting:
      // A question right after a report (要不要我发照片给你们) is about that report: a note.
      if (!member && fresh_ticket(call.from, call.now) != nullptr) {
        resident_report(call, text, reading);
        return;
      }
      call.log(LogLevel::info, "greeting or question about the service from " +
                                   call.mask(call.from) + ": answered with how to report");
      call.reply(member ? t.member_help : t.resident_howto, {});
      return;
    case Intent::feedback_good:
    case Intent::feedback_bad:
      resident_feedback(call, text, reading);
      return;
  }
}

void Engine::resident_feedback(Call& call, const std::string& text, const Reading& reading) {
  const Templates& t = settings_.templates;
  const bool good = reading.intent == Intent::feedback_good;
  std::vector<Ticket*> mine = reporter_tickets(call.from, false);
  if (mine.empty()) {
    if (good) {
      // Thanks with nothing to thank for (谢谢 read as praise): an acknowledgement, no ticket.
      call.log(LogLevel::info, "thanks from " + call.mask(call.from) +
                                   " with no ticket of theirs: no ticket (" + reading.explanation +
                                   ")");
      return;
    }
    // Unhappy feedback needs a ticket. Without one, "灯还是不亮" is a report of that light.
    Reading as_report = reading;
    as_report.intent = Intent::report;
    as_report.explanation += "; no ticket of theirs to attach it to: a report";
    resident_report(call, text, as_report);
    return;
  }
  Ticket& ticket = *mine.back();  // the most recent one
  // Nothing has been done yet, and the report was just made: "good news" about it is more
  // likely more about the problem (补充：电话…) than thanks. It joins the ticket as a note.
  const bool untouched = ticket.state == TicketState::new_ ||
                         ticket.state == TicketState::awaiting_location ||
                         ticket.state == TicketState::dispatched;
  if (good && untouched && ticket.created_at + settings_.windows.duplicate_join >= call.now) {
    Reading as_report = reading;
    as_report.intent = Intent::report;
    as_report.category = ticket.category;  // about that problem
    resident_report(call, text, as_report);
    return;
  }
  call.record(ticket, call.from,
              std::string(good ? "feedback from reporter (good): "
                               : "feedback from reporter "
                                 "(not satisfied): ") +
                  text);
  call.log(LogLevel::info,
           std::string(good ? "good" : "unhappy") + " feedback from " + call.mask(call.from) +
               " on ticket " + std::to_string(ticket.number),
           ticket.number);
  if (good) return;
  if (ticket.state == TicketState::resolved) {
    // Waiting for the rating: the question says how to reopen (回复0表示没解决).
    call.reply(t.resident_rate_request, TemplateValues().set("ticket", ticket.number),
               ticket.number);
    return;
  }
  if (ticket.assignee && is_with_assignee(ticket.state)) {
    // To the member like any note: batched, and held back while the number floods.
    ticket.notes.push_back({call.now, call.from, text});
    forward_note(call, ticket, text, t.resident_feedback_noted);
    return;
  }
  call.reply(t.resident_feedback_noted, TemplateValues().set("ticket", ticket.number),
             ticket.number);
}

void Engine::alert_desk(Call& call, const Ticket& ticket, const Reading& reading) {
  const Grid* grid = ticket.grid ? directory_->find_grid(*ticket.grid) : nullptr;
  std::vector<std::string> desks = directory_->duty_desk_members(grid ? grid->township : "");
  if (desks.empty() && grid != nullptr) desks = directory_->duty_desk_members("");
  for (const std::string& desk : desks) {
    if (ticket.assignee == desk) continue;  // they have the dispatch already
    const Member* member = directory_->find_member(desk);
    if (member == nullptr || !member->on_duty) continue;
    call.to_member(desk, settings_.templates.member_urgent_alert,
                   ticket_values(call, ticket)
                       .set("assignee", ticket.assignee ? member_name(*ticket.assignee) : "无人"),
                   ticket);
    call.log(LogLevel::notice,
             "urgent ticket " + std::to_string(ticket.number) + ": duty desk " + desk +
                 " alerted (" + reading.urgency_reason + ")",
             ticket.number);
    return;  // one desk is enough: the first on duty
  }
}

std::string Engine::review_guesses(const Ticket& ticket) const {
  const Reading reading = read_text(settings_, ticket.text);
  std::string out;
  for (std::size_t i = 0; i < reading.candidates.size() && i < 2; ++i) {
    const Category* category = settings_.find_category(reading.candidates[i].label);
    if (category == nullptr) continue;
    out += out.empty() ? "" : "或";
    out += category->name + "(" + percent(reading.candidates[i].probability) + ")";
  }
  return out.empty() ? category_name(ticket) : out;
}

Effects Engine::recategorize(TicketNo number, std::string_view category_id,
                             std::string_view operator_name, std::string_view reason,
                             TimePoint now) {
  prune_finished(now);
  Call call(*this, now, "", std::nullopt);
  Ticket* found = book_.get(number);
  if (found == nullptr || is_terminal(found->state)) {
    call.effects.error = make_error_code(found == nullptr ? EngineError::unknown_ticket
                                                          : EngineError::ticket_finished);
    call.effects.diagnostic =
        "ticket " + std::to_string(number) + ": " + call.effects.error.message();
    return call.finish();
  }
  const Category* category = settings_.find_category(category_id);
  if (category == nullptr) {
    call.effects.error = make_error_code(EngineError::unknown_category);
    std::string known;
    for (const Category& c : settings_.categories) known += (known.empty() ? "" : ", ") + c.id;
    call.effects.diagnostic = "unknown category '" + std::string(category_id) + "' (" + known + ")";
    return call.finish();
  }
  Ticket& ticket = *found;
  const std::string actor = "operator:" + std::string(operator_name);
  const std::string from = ticket.category;
  const bool was_review = ticket.needs_review;
  ticket.category = category->id;
  ticket.confidence = 1;
  ticket.needs_review = false;
  ticket.urgent = ticket.urgent || category->urgent;
  std::string why =
      (from == category->id ? "category confirmed: " : "recategorized " + from + " → ") +
      category->id;
  if (!reason.empty()) why += ": " + std::string(reason);
  call.record(ticket, actor, why);
  call.log(LogLevel::info,
           "ticket " + std::to_string(number) + " category " + from + " → " + category->id +
               " by " + actor + (reason.empty() ? "" : ": " + quote_for_log(reason)),
           number);
  call.effects.corrections.push_back(Correction{number, ticket.text, from, category->id,
                                                ticket.urgent, actor, std::string(reason), now});

  // Route afresh what nobody has taken on yet, by the new category, with its deadlines.
  const bool not_taken = ticket.state == TicketState::new_ ||
                         ticket.state == TicketState::dispatched ||
                         ticket.state == TicketState::reopened;
  if (!(was_review || from != category->id) || !not_taken || !ticket.grid) return call.finish();
  const std::optional<std::string> previous = ticket.assignee;
  ticket.tried.clear();
  ticket.resolve_deadline.reset();
  if (!dispatch(call, ticket, actor, "recategorized", nullptr)) return call.finish();
  if (previous && previous != ticket.assignee) {
    call.to_member(
        *previous, settings_.templates.member_reassigned,
        TemplateValues().set("ticket", number).set("reason", "已核实为" + category->name), ticket);
  }
  return call.finish();
}

std::vector<const Ticket*> Engine::review_queue() const {
  std::vector<const Ticket*> out;
  for (TicketNo number : book_.numbers()) {
    const TicketSummary& s = *book_.summary(number);
    if (!s.needs_review || is_terminal(s.state)) continue;
    if (const Ticket* ticket = book_.find(number)) out.push_back(ticket);
  }
  return out;
}

}  // namespace lianxin::domain
