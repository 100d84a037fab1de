#include "daemon/domain/ussd.hpp"

#include <algorithm>

#include "daemon/domain/answers.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/templates.hpp"

namespace lianxin::domain {
namespace {

// The digits the user typed: full-width digits and surrounding spaces tolerated.
std::optional<std::size_t> parse_choice(std::string_view text) {
  std::string half = text::to_half_width(text);
  std::string digits;
  for (char c : half) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (c < '0' || c > '9') return std::nullopt;
    digits += c;
  }
  if (digits.empty() || digits.size() > 2) return std::nullopt;
  return static_cast<std::size_t>(std::stoul(digits));
}

// GSM 7-bit septets of a character, or 0 when it needs UCS-2. Conservative: only ASCII is
// counted as GSM (the transport may still pick GSM for more, which only makes the text shorter).
std::size_t gsm_septets(char32_t c) {
  if (c == '\n' || c == '\r') return 1;
  if (c < 0x20 || c > 0x7E || c == '`') return 0;
  switch (c) {
    case '^':
    case '{':
    case '}':
    case '\\':
    case '[':
    case ']':
    case '~':
    case '|':
      return 2;  // the extension table: escape + character
    default:
      return 1;
  }
}

bool same_dialogue(std::uint16_t a, std::uint16_t b) {
  return (a >> 8) == (b >> 8);
}
unsigned sequence_of(std::uint16_t info) {
  return (info >> 1) & 0x7Fu;
}

}  // namespace

std::string_view to_string(UssdAction action) {
  switch (action) {
    case UssdAction::none:
      return "none";
    case UssdAction::report:
      return "report";
    case UssdAction::my_tickets:
      return "my_tickets";
    case UssdAction::rate:
      return "rate";
    case UssdAction::member_tickets:
      return "member_tickets";
    case UssdAction::accept:
      return "accept";
    case UssdAction::done:
      return "done";
  }
  return "?";
}

std::optional<UssdAction> ussd_action_from_string(std::string_view text) {
  for (UssdAction a : {UssdAction::report, UssdAction::my_tickets, UssdAction::rate,
                       UssdAction::member_tickets, UssdAction::accept, UssdAction::done}) {
    if (to_string(a) == text) return a;
  }
  return std::nullopt;
}

std::string ussd_line(std::size_t number, std::string_view label) {
  return std::to_string(number) + " " + std::string(label);
}

UssdLength ussd_length(std::string_view utf8) {
  UssdLength result;
  std::size_t septets = 0;
  for (char32_t c : sms::utf8_to_code_points(utf8)) {
    const std::size_t n = gsm_septets(c);
    if (n == 0) result.gsm7 = false;
    septets += n;
  }
  if (result.gsm7) {
    result.length = septets;
    result.limit = 182;
  } else {
    result.length = utf16_length(utf8);
    result.limit = 80;
  }
  return result;
}

std::string render_ussd_menu(const UssdNode& node, const UssdTexts& texts, bool root,
                             bool with_hint) {
  std::string screen = node.text;
  for (std::size_t i = 0; i < node.children.size(); ++i) {
    if (!screen.empty()) screen += "\n";
    screen += ussd_line(i + 1, node.children[i].label);
  }
  if (!root && !node.children.empty()) screen += "\n" + ussd_line(0, texts.back);
  return with_hint ? texts.invalid_hint + "\n" + screen : screen;
}

std::string render_ussd_categories(const std::vector<std::pair<std::string, std::string>>& labels,
                                   const UssdTexts& texts) {
  std::string screen = texts.invalid_hint + "\n" + texts.category_prompt;
  for (std::size_t i = 0; i < labels.size(); ++i)
    screen += "\n" + ussd_line(i + 1, labels[i].second);
  return screen + "\n" + ussd_line(0, texts.back);
}

// ---- UssdEngine ----

void UssdEngine::set_menu(UssdMenu menu) {
  menu_ = std::move(menu);
  // A tree that changed shape makes stored paths meaningless: everyone restarts at the root.
  for (auto& [phone, session] : sessions_) {
    session.screen = Screen::menu;
    session.path.clear();
  }
}

std::string UssdEngine::expired_text() const {
  return render(menu_.texts.expired, TemplateValues().set("code", menu_.service_code));
}

void UssdEngine::touch(const std::string& phone, Session& session, TimePoint now) {
  expiry_.erase({session.expires_at, phone});
  session.expires_at = now + menu_.session_timeout;
  expiry_.insert({session.expires_at, phone});
}

void UssdEngine::drop(const std::string& phone) {
  auto it = sessions_.find(phone);
  if (it == sessions_.end()) return;
  expiry_.erase({it->second.expires_at, phone});
  sessions_.erase(it);
}

std::size_t UssdEngine::expire(TimePoint now) {
  std::size_t dropped = 0;
  while (!expiry_.empty() && expiry_.begin()->first <= now) {
    const std::string phone = expiry_.begin()->second;
    expiry_.erase(expiry_.begin());
    sessions_.erase(phone);
    ++dropped;
  }
  return dropped;
}

UssdReply UssdEngine::handle(const UssdInput& input, UssdPort& port, TimePoint now) {
  expire(now);
  auto it = sessions_.find(input.phone);
  Session* session = it == sessions_.end() ? nullptr : &it->second;

  if (input.step == UssdStep::release) {
    UssdReply reply;
    reply.log = session ? "USSD session released" : "USSD release without a session";
    drop(input.phone);
    return reply;
  }
  // A step the gateway sent again, or one overtaken by a later one: the last screen again.
  if (session && input.session_info && session->last_info &&
      same_dialogue(*input.session_info, *session->last_info)) {
    const unsigned seq = sequence_of(*input.session_info);
    const unsigned last = sequence_of(*session->last_info);
    const unsigned behind = (last - seq) & 0x7Fu;
    if (behind < 64) {
      UssdReply reply;
      reply.send = true;
      reply.text = session->last_screen;
      reply.end = session->last_end;
      reply.repeat = true;
      reply.log = behind == 0 ? "USSD step repeated: last screen sent again"
                              : "USSD step out of order: last screen sent again";
      touch(input.phone, *session, now);
      return reply;
    }
  }
  UssdStep step = input.step;
  if (step == UssdStep::unknown) step = session ? UssdStep::answer : UssdStep::begin;
  if (step == UssdStep::begin) return begin(input, port, now);
  if (session == nullptr) {
    UssdReply reply;
    reply.send = true;
    reply.end = true;
    reply.text = expired_text();
    reply.log = "USSD answer without an open session (timed out or unknown): asked to dial again";
    return reply;
  }
  session->last_info = input.session_info;
  touch(input.phone, *session, now);
  UssdReply reply = answer(*session, input, port, now);
  if (reply.log.empty()) reply.log = reply.end ? "last screen shown" : "next screen shown";
  if (reply.end) drop(input.phone);
  return reply;
}

UssdReply UssdEngine::begin(const UssdInput& input, UssdPort& port, TimePoint now) {
  drop(input.phone);
  if (sessions_.size() >= menu_.max_sessions && !expiry_.empty()) {
    const std::string oldest = expiry_.begin()->second;
    drop(oldest);
  }
  Session& session = sessions_[input.phone];
  session.phone = input.phone;
  session.member = port.is_member(input.phone);
  session.last_info = input.session_info;
  touch(input.phone, session, now);
  UssdReply reply = show(session, render_ussd_menu(root(session), menu_.texts, true, false), false);
  reply.log =
      std::string("USSD session opened (") + (session.member ? "member" : "resident") + " menu)";

  // "*123*1*2#": the choices after the service code, one after the other.
  std::string code = menu_.service_code;
  if (!code.empty() && code.back() == '#') code.pop_back();
  std::string text = text::to_half_width(input.text);
  std::erase(text, ' ');
  if (!text.empty() && text.back() == '#') text.pop_back();
  if (!code.empty() && text.size() > code.size() && text.starts_with(code) &&
      text[code.size()] == '*') {
    std::string rest = text.substr(code.size() + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
      const std::size_t star = rest.find('*', start);
      const std::string digits = rest.substr(start, star - start);
      UssdReply next = select(session, digits, port, now);
      const bool stop = next.end || next.text.starts_with(menu_.texts.invalid_hint);
      next.acted = next.acted || reply.acted;
      next.log = reply.log + "; shortcut " + digits + (next.log.empty() ? "" : "; " + next.log);
      reply = std::move(next);
      if (stop || star == std::string::npos) break;
      start = star + 1;
    }
  }
  if (reply.end) drop(input.phone);
  return reply;
}

UssdReply UssdEngine::answer(Session& session, const UssdInput& input, UssdPort& port,
                             TimePoint now) {
  return select(session, input.text, port, now);
}

const UssdNode& UssdEngine::root(const Session& session) const {
  return session.member ? menu_.member : menu_.resident;
}

const UssdNode* UssdEngine::node_at(const Session& session) const {
  const UssdNode* node = &root(session);
  for (std::size_t index : session.path) {
    if (index >= node->children.size()) return nullptr;
    node = &node->children[index];
  }
  return node;
}

const UssdReportCategory* UssdEngine::report_category(std::string_view id) const {
  for (const UssdReportCategory& c : menu_.categories)
    if (c.category == id) return &c;
  return nullptr;
}

UssdReply UssdEngine::show(Session& session, std::string text, bool end) {
  session.last_screen = text;
  session.last_end = end;
  UssdReply reply;
  reply.send = true;
  reply.text = std::move(text);
  reply.end = end;
  return reply;
}

UssdReply UssdEngine::invalid(Session& session) {
  UssdReply reply;
  reply.send = true;
  reply.text = menu_.texts.invalid_hint + "\n" + current_screen(session);
  // The screen with the hint is what a repeat of this step gets too.
  session.last_screen = reply.text;
  session.last_end = false;
  reply.log = "USSD invalid input: screen shown again with a hint";
  return reply;
}

std::string UssdEngine::current_screen(const Session& session) const {
  // The last screen without a hint line in front of it.
  const std::string& hint = menu_.texts.invalid_hint;
  std::string screen = session.last_screen;
  while (!hint.empty() && screen.starts_with(hint + "\n")) screen.erase(0, hint.size() + 1);
  return screen;
}

// The option a caller means: the digits, or words in place of them (answers.hpp): yes/no on the
// two yes/no screens, a label shown on the screen, a rating in words on the rating screen.
std::optional<std::size_t> UssdEngine::choice_of(const Session& session,
                                                 std::string_view typed) const {
  if (auto digits = parse_choice(typed)) return digits;
  if (session.screen == Screen::village_confirm || session.screen == Screen::confirm) {
    if (auto yes = yes_or_no(typed)) return *yes ? 1 : 2;
  }
  if (auto labelled = option_by_label(current_screen(session), typed)) return labelled;
  if (session.screen == Screen::rate) {
    if (auto score = rating_in_reply(typed)) return static_cast<std::size_t>(*score);
    if (sounds_thankful(typed)) return 5;
  }
  return std::nullopt;
}

UssdReply UssdEngine::select(Session& session, std::string_view digits, UssdPort& port,
                             TimePoint now) {
  const std::optional<std::size_t> choice = choice_of(session, digits);
  if (!choice) return invalid(session);
  const std::size_t n = *choice;
  const std::string& phone = session.phone;
  const UssdTexts& t = menu_.texts;

  switch (session.screen) {
    case Screen::menu: {
      const UssdNode* node = node_at(session);
      if (node == nullptr) {  // the tree changed under the session
        session.path.clear();
        return show(session, render_ussd_menu(root(session), t, true, false), false);
      }
      if (n == 0 && !session.path.empty()) {
        session.path.pop_back();
        return show(session, render_ussd_menu(*node_at(session), t, session.path.empty(), false),
                    false);
      }
      if (n < 1 || n > node->children.size()) return invalid(session);
      session.path.push_back(n - 1);
      return enter_node(session, node->children[n - 1], phone, port, now);
    }
    case Screen::categories: {
      if (n == 0) {
        session.screen = Screen::menu;
        session.path.pop_back();
        const UssdNode* node = node_at(session);
        return show(session, render_ussd_menu(*node, t, session.path.empty(), false), false);
      }
      if (n > menu_.categories.size()) return invalid(session);
      const UssdReportCategory& c = menu_.categories[n - 1];
      session.draft = UssdReport{c.category, std::nullopt, ""};
      session.category_label = c.label.empty() ? port.category_name(c.category) : c.label;
      return show_village(session, port);
    }
    case Screen::village_confirm: {
      if (n == 1 && session.home) {
        session.draft.grid = session.home->grid;
        session.village_label = session.home->label;
        return show_descriptions(session);
      }
      if (n == 2) {
        session.page_start = 0;
        return show_village_page(session, port);
      }
      return invalid(session);
    }
    case Screen::village_pick: {
      if (n == 0) {
        session.draft.grid.reset();
        session.village_label = t.unknown_village;
        return show_descriptions(session);
      }
      if (n == 9 && session.more) {
        session.page_start += session.option_ids.size();
        return show_village_page(session, port);
      }
      if (n > session.option_ids.size()) return invalid(session);
      session.draft.grid = session.option_ids[n - 1];
      for (const UssdPlace& place : port.places())
        if (place.grid == *session.draft.grid) session.village_label = place.label;
      return show_descriptions(session);
    }
    case Screen::descriptions: {
      if (n == 0) {
        session.draft.description.clear();
        return show_confirm(session);
      }
      const UssdReportCategory* c = report_category(session.draft.category);
      if (c == nullptr || n > c->descriptions.size()) return invalid(session);
      session.draft.description = c->descriptions[n - 1];
      return show_confirm(session);
    }
    case Screen::confirm: {
      if (n == 2) {
        UssdReply reply = show(session, t.cancelled, true);
        reply.log = "USSD report cancelled by the caller";
        return reply;
      }
      if (n != 1) return invalid(session);
      const UssdActionResult result = port.report(phone, session.draft, now);
      UssdReply reply =
          result.status == UssdActionStatus::ok && result.ticket
              ? show(session, render(t.report_done, TemplateValues().set("ticket", *result.ticket)),
                     true)
              : show(session, t.report_failed, true);
      reply.acted = true;
      reply.log = result.ticket ? "USSD report: ticket " + std::to_string(*result.ticket)
                                : "USSD report failed: " + result.detail;
      return reply;
    }
    case Screen::rate: {
      if (n > 5) return invalid(session);
      const UssdActionResult result =
          port.rate(phone, session.rate_ticket, static_cast<int>(n), now);
      return finish_action(session, result, n == 0 ? t.reopened : t.rated);
    }
    case Screen::pick_accept:
    case Screen::pick_done: {
      if (n < 1 || n > session.option_tickets.size()) return invalid(session);
      const TicketNo ticket = session.option_tickets[n - 1];
      const bool accept = session.screen == Screen::pick_accept;
      const UssdActionResult result =
          accept ? port.accept(phone, ticket, now) : port.done(phone, ticket, now);
      return finish_action(session, result, accept ? t.accepted : t.done);
    }
  }
  return invalid(session);
}

UssdReply UssdEngine::finish_action(Session& session, const UssdActionResult& result,
                                    const std::string& ok_text) {
  const UssdTexts& t = menu_.texts;
  TemplateValues values;
  if (result.ticket) values.set("ticket", *result.ticket);
  values.set("status", result.detail);
  UssdReply reply = result.status == UssdActionStatus::ok
                        ? show(session, render(ok_text, values), true)
                    : result.status == UssdActionStatus::not_allowed
                        ? show(session, render(t.action_failed, values), true)
                        : show(session, t.report_failed, true);
  reply.acted = true;
  reply.log = std::string("USSD action on ticket ") +
              (result.ticket ? std::to_string(*result.ticket) : std::string("?")) + ": " +
              (result.status == UssdActionStatus::ok ? "done" : "refused: " + result.detail);
  return reply;
}

UssdReply UssdEngine::enter_node(Session& session, const UssdNode& node, const std::string& phone,
                                 UssdPort& port, TimePoint now) {
  (void)now;
  const UssdTexts& t = menu_.texts;
  if (!node.children.empty()) {
    session.screen = Screen::menu;
    return show(session, render_ussd_menu(node, t, false, false), false);
  }
  auto fit_list = [&](const std::string& tmpl, const std::vector<UssdTicketLine>& lines) {
    std::string list;
    for (const UssdTicketLine& item : lines) {
      std::string candidate = list.empty() ? item.text : list + "\n" + item.text;
      if (!ussd_length(render(tmpl, TemplateValues().set("list", candidate))).fits()) break;
      list = std::move(candidate);
    }
    return render(tmpl, TemplateValues().set("list", list));
  };
  switch (node.action) {
    case UssdAction::none:
      return show(session, node.text, true);
    case UssdAction::report:
      return show_categories(session);
    case UssdAction::my_tickets: {
      const std::vector<UssdTicketLine> lines = port.reporter_tickets(phone);
      if (lines.empty()) return show(session, t.no_tickets, true);
      return show(session, fit_list(t.tickets, lines), true);
    }
    case UssdAction::member_tickets: {
      const auto lines = port.member_tickets(phone, UssdMemberList::open);
      if (lines.empty()) return show(session, t.member_no_tickets, true);
      return show(session, fit_list(t.member_tickets, lines), true);
    }
    case UssdAction::rate: {
      const std::optional<TicketNo> ticket = port.ratable_ticket(phone);
      if (!ticket) return show(session, t.nothing_to_rate, true);
      session.rate_ticket = *ticket;
      session.screen = Screen::rate;
      return show(session, render(t.rate_prompt, TemplateValues().set("ticket", *ticket)), false);
    }
    case UssdAction::accept:
      return show_ticket_pick(session, phone, port, Screen::pick_accept);
    case UssdAction::done:
      return show_ticket_pick(session, phone, port, Screen::pick_done);
  }
  return show(session, node.text, true);
}

}  // namespace lianxin::domain
