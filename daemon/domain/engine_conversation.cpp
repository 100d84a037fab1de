// Natural answers to the questions lianxin asks: a villager's rating in words (谢谢, 差评, 4分吧)
// and a member's 收到 to a dispatch. The rules are in the README ("What a villager and a member
// see"); answers.hpp reads the words.
#include <algorithm>

#include "daemon/domain/answers.hpp"
#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"
#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

constexpr std::size_t kBatchedNoteChars = 200;  // a batched 群众补充 stays a few SMS parts

// Notes go to the member while the ticket is with her (or waits for its rating).
bool notes_reach_member(const Ticket& ticket) {
  return ticket.assignee &&
         (is_with_assignee(ticket.state) || ticket.state == TicketState::resolved);
}

}  // namespace

// A text from the reporter of a ticket that waits for its rating. Returns false when the text is
// a new problem, which then opens its own ticket.
bool Engine::answer_rating_question(Call& call, Ticket& ticket, const std::string& text,
                                    bool command_like) {
  const Templates& t = settings_.templates;
  const TemplateValues values = TemplateValues().set("ticket", ticket.number);
  const std::string number = std::to_string(ticket.number);
  if (const auto score = rating_in_reply(text)) {  // 4分吧, 给5分, 五星
    if (*score == 0) {
      resident_reopen(call, ticket);
    } else {
      resident_rate(call, ticket, *score);
    }
    return true;
  }
  const Reading reading = read_text(settings_, text);
  if (!reading.urgent && (reading.intent == Intent::feedback_bad || sounds_unhappy(text))) {
    // 差评 / 不好 / 还是不行: asked once whether it is fixed; unhappy again means "send someone".
    RatingPrompt& prompt = rating_prompts_[ticket.number];
    call.record(ticket, call.from, "reporter unhappy with the result: " + text);
    if (prompt.asked_if_fixed) {
      call.log(LogLevel::info, "ticket " + number + ": unhappy again after the question, reopened",
               ticket.number);
      resident_reopen(call, ticket);
      return true;
    }
    prompt.asked_if_fixed = true;
    call.log(LogLevel::info, "ticket " + number + ": reporter unhappy, asked whether it is fixed",
             ticket.number);
    call.reply(t.resident_rate_unhappy, values, ticket.number);
    return true;
  }
  if (reading.intent == Intent::acknowledgement || reading.intent == Intent::feedback_good) {
    // 谢谢 / 好的 / 修好了谢谢 to the rating question: satisfied, and told that it counted.
    call.log(LogLevel::info,
             "ticket " + number + ": " + std::string(to_string(reading.intent)) +
                 " to the rating question counts as 5",
             ticket.number);
    call.record(ticket, call.from, "rating in words: " + text);
    resident_rate(call, ticket, 5, true);
    return true;
  }
  // A danger, a report the model is sure of, or a long one is a new problem: its own ticket.
  if (reading.intent == Intent::report && !command_like &&
      (reading.urgent || !reading.needs_review ||
       sms::utf8_to_code_points(text).size() > kShortReply)) {
    return false;
  }
  // Anything else (你好, 6, ?): the question once more, then silence (a loop helps nobody).
  RatingPrompt& prompt = rating_prompts_[ticket.number];
  if (prompt.asked_again) {
    call.log(LogLevel::info, "ticket " + number + ": no rating in the answer, already asked again",
             ticket.number);
    return true;
  }
  prompt.asked_again = true;
  call.reply(t.resident_rate_request, values, ticket.number);
  return true;
}

// 收到 / 好的 / OK from a member: accepts her one new dispatch; otherwise a one-line hint, not the
// whole help (帮助 still gives that).
void Engine::member_short_reply(Call& call, const Member& member) {
  std::vector<TicketNo> waiting;  // by the summaries: no ticket is read to count them
  for (TicketNo number : index_.working_on(member.id)) {
    const TicketSummary* s = book_.summary(number);
    if (s && (s->state == TicketState::dispatched || s->state == TicketState::reopened)) {
      waiting.push_back(number);
    }
  }
  if (waiting.size() == 1) {
    call.log(LogLevel::info, "member " + member.id + " acknowledged ticket " +
                                 std::to_string(waiting.front()) + ": accepted");
    member_accept(call, member, waiting.front());
    return;
  }
  call.log(LogLevel::info, "member " + member.id + " acknowledged with " +
                               std::to_string(waiting.size()) +
                               " tickets waiting: hint which to accept");
  call.reply(settings_.templates.member_short_hint, {});
}

// ---- bursts ----

std::size_t Engine::throttled_senders(TimePoint now) const {
  return sender_rate_.flooding_count(now);
}

// A villager's note to her ticket: to its member at once, or with the next batch when one went
// out less than windows.note_batch ago (50 texts in a second make one or two SMS, not 50).
// `reply` answers the villager when the note goes now (a batched one is answered by nobody: 30
// texts in a burst get one answer).
void Engine::forward_note(Call& call, const Ticket& ticket, const std::string& text,
                          const std::string& reply) {
  if (!notes_reach_member(ticket)) {
    call.reply(reply, TemplateValues().set("ticket", ticket.number), ticket.number);
    return;
  }
  NoteBatch& batch = note_batches_[ticket.number];
  const TimePoint due =
      batch.last_sent ? *batch.last_sent + settings_.windows.note_batch : call.now;
  batch.waiting.push_back(text);
  if (call.now >= due && !call.throttled) {
    flush_notes(call, ticket);
    call.reply(reply, TemplateValues().set("ticket", ticket.number), ticket.number);
    return;
  }
  if (batch.waiting.size() == 1) {
    call.arm(ticket, TimerKind::note_batch, std::max(due, call.now + std::chrono::seconds(1)));
  }
  call.log(LogLevel::info,
           "note to ticket " + std::to_string(ticket.number) +
               " waits for the next 群众补充 SMS (" + std::to_string(batch.waiting.size()) +
               " waiting)",
           ticket.number);
}

void Engine::flush_notes(Call& call, const Ticket& ticket) {
  auto it = note_batches_.find(ticket.number);
  if (it == note_batches_.end() || it->second.waiting.empty()) return;
  NoteBatch& batch = it->second;
  if (!notes_reach_member(ticket)) {
    note_batches_.erase(it);
    return;
  }
  if (sender_rate_.flooding(ticket.reporter,
                            call.now)) {  // forwards wait until the number slows down
    call.arm(ticket, TimerKind::note_batch, call.now + settings_.windows.note_batch);
    return;
  }
  std::string joined;
  std::size_t shown = 0, chars = 0;
  for (const std::string& note : batch.waiting) {
    const std::size_t length = sms::utf8_to_code_points(note).size() + 1;  // and its separator
    if (shown > 0 && chars + length > kBatchedNoteChars) break;
    joined += (joined.empty() ? "" : "；") + note;
    chars += length;
    ++shown;
  }
  if (shown < batch.waiting.size()) {
    joined += "（另有" + std::to_string(batch.waiting.size() - shown) + "条，见工单记录）";
  }
  call.to_member(*ticket.assignee, settings_.templates.member_note_added,
                 TemplateValues().set("ticket", ticket.number).set("note", joined), ticket);
  batch.waiting.clear();
  batch.last_sent = call.now;
}

}  // namespace lianxin::domain
