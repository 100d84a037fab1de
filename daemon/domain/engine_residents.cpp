// What villagers text: ratings, reopen, 查询, 取消, reports joining or opening tickets, the
// answer to the village question. How free text is read first is engine_language.cpp.
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
namespace {

// "12345号处理中": one ticket in a villager's status reply.
std::string status_item(const Templates& t, const Ticket& ticket) {
  return render(t.resident_status_item,
                TemplateValues()
                    .set("ticket", ticket.number)
                    .set("status", std::string(status_word(t, Audience::resident, ticket.state))));
}

// How sure the reading of a text inside the join window must be to make it another problem.
constexpr double kOtherProblemConfidence = 0.85;

// Characters that carry no subject: a pair holding one says nothing about what a text is about.
constexpr std::u32string_view kFunctionChars =
    U"的了是我你他她它们在有这那个就都也还吧啊呢吗么和与跟把被让给不没很太好一二三几天事";

// Whether two texts name the same thing: a pair of adjacent Han characters, neither a function
// character, in both ("后门水沟堵死了" and "水沟的事：我拍了照片" share 水沟). A model's sure
// reading of a short follow-up is not enough to split it from the ticket it names.
bool share_a_subject(std::string_view a, std::string_view b) {
  auto pairs = [](std::string_view text) {
    std::set<std::u32string> out;
    const std::u32string s = sms::utf8_to_code_points(text);
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      const bool content = text::is_cjk_ideograph(s[i]) && text::is_cjk_ideograph(s[i + 1]) &&
                           kFunctionChars.find(s[i]) == std::u32string_view::npos &&
                           kFunctionChars.find(s[i + 1]) == std::u32string_view::npos;
      if (content) out.insert(s.substr(i, 2));
    }
    return out;
  };
  const std::set<std::u32string> in_a = pairs(a);
  for (const std::u32string& pair : pairs(b))
    if (in_a.count(pair)) return true;
  return false;
}

}  // namespace

// The members a complaint names: by full name anywhere, or, when no full name is in it, a member
// of its grid by surname and title the way villagers say it (王书记, 李主任, 张网格员).
std::vector<std::string> Engine::named_in_complaint(const Ticket& ticket) const {
  static constexpr std::string_view kTitles[] = {"书记", "主任", "网格员", "组长",
                                                 "委员", "干部", "会计"};
  std::vector<std::string> by_name, by_title;
  for (const Member& member : directory_->members()) {
    const std::u32string name = sms::utf8_to_code_points(member.name);
    if (name.size() < 2) continue;
    if (ticket.text.find(member.name) != std::string::npos) {
      by_name.push_back(member.id);
      continue;
    }
    const bool of_grid = ticket.grid && std::find(member.grids.begin(), member.grids.end(),
                                                  *ticket.grid) != member.grids.end();
    if (!of_grid) continue;
    const std::string surname = sms::code_points_to_utf8(name.substr(0, 1));
    for (std::string_view title : kTitles) {
      if (ticket.text.find(surname + std::string(title)) != std::string::npos) {
        by_title.push_back(member.id);
        break;
      }
    }
  }
  return by_name.empty() ? by_title : by_name;
}

// Who a complaint must not reach: the members it names and everyone of the grid it came from.
std::vector<std::string> Engine::complained_about(const Ticket& ticket) const {
  std::vector<std::string> out = ticket.complaint_about;
  for (const Member& member : directory_->members()) {
    const bool of_grid = ticket.grid && std::find(member.grids.begin(), member.grids.end(),
                                                  *ticket.grid) != member.grids.end();
    if (of_grid && std::find(out.begin(), out.end(), member.id) == out.end()) {
      out.push_back(member.id);
    }
  }
  return out;
}

Ticket* Engine::fresh_ticket(std::string_view phone, TimePoint now) {
  // By the summaries: only the one ticket it may be is read.
  const std::vector<TicketNo>& numbers = index_.of_reporter(phone);
  for (auto n = numbers.rbegin(); n != numbers.rend(); ++n) {
    const TicketSummary* s = book_.summary(*n);
    if (s == nullptr || is_terminal(s->state)) continue;
    if (s->created_at + settings_.windows.duplicate_join < now) return nullptr;
    return book_.get(*n);
  }
  return nullptr;
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
  for (TicketNo number : index_.of_reporter(phone)) {
    const TicketSummary* s = book_.summary(number);
    if (s == nullptr || (open_only && is_terminal(s->state))) continue;
    if (Ticket* found = book_.get(number)) out.push_back(found);
  }
  return out;  // ascending numbers: oldest first
}

Ticket* Engine::latest_reporter_ticket(std::string_view phone, TicketState state) {
  const std::vector<TicketNo>& numbers = index_.of_reporter(phone);
  for (auto n = numbers.rbegin(); n != numbers.rend(); ++n) {
    const TicketSummary* s = book_.summary(*n);
    if (s == nullptr || s->state != state) continue;
    if (Ticket* found = book_.get(*n)) return found;
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
  start_sla_clocks(settings_, ticket, call.now, true);
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
    call.to_member(assignee->id, settings_.templates.member_reopened, ticket_values(call, ticket),
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
    Ticket* found = book_.get(*number);
    if (found == nullptr || found->reporter != call.from) {
      call.reply(t.resident_not_found, TemplateValues().set("ticket", *number));
      return;
    }
    shown.push_back(found);
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
    std::string item = status_item(t, *ticket);
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
    Ticket* found = book_.get(*number);
    if (found == nullptr || found->reporter != call.from) {
      call.reply(t.resident_not_found, TemplateValues().set("ticket", *number));
      return;
    }
    ticket = found;
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
    std::string item = status_item(t, *ticket);
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
  // A recent open ticket from the same number: the text belongs to it. A flood is attached to
  // the sender's newest open ticket however old, rather than opening 50 tickets.
  Ticket* recent = fresh_ticket(call.from, call.now);
  if (call.throttled && recent == nullptr) {
    std::vector<Ticket*> open = reporter_tickets(call.from, true);
    if (!open.empty()) recent = open.back();
  }
  if (recent == nullptr) {
    open_ticket(call, text, reading);
    return;
  }
  const std::string key = repeat_key(text);
  auto repeats = [&](const Ticket& ticket) {
    return repeat_key(ticket.text) == key ||
           std::any_of(ticket.notes.begin(), ticket.notes.end(), [&](const TicketNote& note) {
             return note.author == call.from && repeat_key(note.text) == key;
           });
  };
  const bool sure_report =
      reading.intent == Intent::report && reading.confidence >= kOtherProblemConfidence &&
      !reading.category.empty() && reading.category != settings_.fallback_category;
  // Two problems open inside the window (路灯, then 漏水): a text about the first joins the first.
  if (!repeats(*recent)) {
    for (Ticket* other : reporter_tickets(call.from, true)) {
      if (other->created_at + settings_.windows.duplicate_join < call.now) continue;
      if (repeats(*other) || (sure_report && other->category == reading.category)) {
        recent = other;
        break;
      }
    }
  }
  const bool repeat = repeats(*recent);
  // A different problem opens its own ticket: a reading of another category the model is sure
  // of, or a place other than the ticket's. Anything vaguer (就在村口, 电话…, a half-sure guess
  // from a few words) adds to the ticket: splitting one problem costs a member a second visit.
  const LocationMatch place = locate_in_text(*directory_, text);
  const bool other_category =
      sure_report && reading.category != recent->category && !share_a_subject(text, recent->text);
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
  forward_note(call, *recent, text, t.resident_note_added);
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
  Ticket& stored = book_.put(std::move(ticket));
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

}  // namespace lianxin::domain
