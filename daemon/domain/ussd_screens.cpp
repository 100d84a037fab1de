// The USSD engine's screens: what each step shows, fitted to one USSD page (ussd.hpp), and the
// menu a configuration without one gets.
#include <algorithm>

#include "daemon/domain/templates.hpp"
#include "daemon/domain/ussd.hpp"

namespace lianxin::domain {
namespace {

constexpr std::size_t kMaxListed = 8;  // 1..8 on a list screen; 9 = next page, 0 = the way out
constexpr char kMoreDigit = '9';

}  // namespace

UssdReply UssdEngine::show_categories(Session& session) {
  const UssdTexts& t = menu_.texts;
  if (menu_.categories.empty()) return show(session, t.report_failed, true);
  session.screen = Screen::categories;
  std::string screen = t.category_prompt;
  for (std::size_t i = 0; i < menu_.categories.size(); ++i) {
    const UssdReportCategory& c = menu_.categories[i];
    screen += "\n" + ussd_line(i + 1, c.label.empty() ? c.category : c.label);
  }
  screen += "\n" + ussd_line(0, t.back);
  return show(session, screen, false);
}

UssdReply UssdEngine::show_village(Session& session, UssdPort& port) {
  const std::string& phone = session.phone;
  session.home = port.home_place(phone);
  if (session.home) {
    session.screen = Screen::village_confirm;
    return show(
        session,
        render(menu_.texts.village_confirm, TemplateValues().set("village", session.home->label)),
        false);
  }
  session.page_start = 0;
  return show_village_page(session, port);
}

UssdReply UssdEngine::show_village_page(Session& session, UssdPort& port) {
  const UssdTexts& t = menu_.texts;
  const std::vector<UssdPlace> places = port.places();
  if (session.page_start >= places.size()) session.page_start = 0;
  session.screen = Screen::village_pick;
  session.option_ids.clear();
  session.more = false;
  const std::string footer_unknown = "\n" + ussd_line(0, t.village_unknown);
  const std::string footer_more = "\n" + std::string(1, kMoreDigit) + " " + t.more;
  std::string body = t.village_prompt;
  std::size_t i = session.page_start;
  for (; i < places.size() && session.option_ids.size() < kMaxListed; ++i) {
    std::string candidate = body + "\n" + ussd_line(session.option_ids.size() + 1, places[i].label);
    const bool last = i + 1 == places.size();
    // Room for the footer, with the hint in front (as an invalid input re-shows it).
    const std::string longest =
        t.invalid_hint + "\n" + candidate + (last ? "" : footer_more) + footer_unknown;
    if (!ussd_length(longest).fits() && !session.option_ids.empty()) break;
    body = std::move(candidate);
    session.option_ids.push_back(places[i].grid);
  }
  if (i < places.size()) {
    session.more = true;
    body += footer_more;
  }
  body += footer_unknown;
  return show(session, body, false);
}

UssdReply UssdEngine::show_descriptions(Session& session) {
  const UssdTexts& t = menu_.texts;
  const UssdReportCategory* c = report_category(session.draft.category);
  if (c == nullptr || c->descriptions.empty()) return show_confirm(session);
  session.screen = Screen::descriptions;
  std::string screen = t.description_prompt;
  for (std::size_t i = 0; i < c->descriptions.size(); ++i)
    screen += "\n" + ussd_line(i + 1, c->descriptions[i]);
  screen += "\n" + ussd_line(0, t.description_skip);
  return show(session, screen, false);
}

UssdReply UssdEngine::show_confirm(Session& session) {
  const UssdTexts& t = menu_.texts;
  session.screen = Screen::confirm;
  return show(session,
              render(t.report_confirm, TemplateValues()
                                           .set("category", session.category_label)
                                           .set("village", session.village_label)
                                           .set("description", session.draft.description.empty()
                                                                   ? t.no_description
                                                                   : session.draft.description)),
              false);
}

UssdReply UssdEngine::show_ticket_pick(Session& session, const std::string& phone, UssdPort& port,
                                       Screen screen) {
  const UssdTexts& t = menu_.texts;
  const auto lines = port.member_tickets(
      phone, screen == Screen::pick_accept ? UssdMemberList::to_accept : UssdMemberList::to_finish);
  if (lines.empty()) return show(session, t.member_no_tickets, true);
  session.screen = screen;
  session.option_tickets.clear();
  std::string body = screen == Screen::pick_accept ? t.accept_prompt : t.done_prompt;
  for (const UssdTicketLine& item : lines) {
    if (session.option_tickets.size() >= kMaxListed) break;
    std::string candidate = body + "\n" + ussd_line(session.option_tickets.size() + 1, item.text);
    if (!ussd_length(t.invalid_hint + "\n" + candidate).fits() && !session.option_tickets.empty())
      break;
    body = std::move(candidate);
    session.option_tickets.push_back(item.ticket);
  }
  return show(session, body, false);
}

UssdMenu default_ussd_menu() {
  UssdMenu menu;
  menu.resident.text = "连心桥为您服务";
  menu.resident.children = {{"反映问题", "", UssdAction::report, {}},
                            {"我的工单", "", UssdAction::my_tickets, {}},
                            {"评价服务", "", UssdAction::rate, {}}};
  menu.member.text = "连心桥·党员服务";
  menu.member.children = {{"我的工单", "", UssdAction::member_tickets, {}},
                          {"接单", "", UssdAction::accept, {}},
                          {"办结", "", UssdAction::done, {}},
                          {"反映问题", "", UssdAction::report, {}}};
  return menu;
}

}  // namespace lianxin::domain
