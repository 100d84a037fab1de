// Engine entry points of the USSD menu (see ussd.hpp for the dialogue, engine.hpp for the
// contract). They reuse the SMS commands' member functions, so a USSD report, accept, done or
// rating is recorded, routed and notified exactly like its SMS form.
#include <algorithm>
#include <map>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"

namespace lianxin::domain {
namespace {

// The screen tells the caller what happened: drop the SMS that would say it again.
void drop_sms_to(Effects& effects, std::string_view phone) {
  std::erase_if(effects.sms, [&](const OutgoingSms& sms) { return sms.to == phone; });
}

UssdActionResult refused(UssdActionStatus status, std::optional<TicketNo> ticket,
                         std::string detail) {
  return UssdActionResult{status, ticket, std::move(detail)};
}

}  // namespace

void Engine::apply_ussd_choice(Reading& reading, LocationMatch& location) const {
  if (ussd_choice_ == nullptr) return;
  // The caller chose a report and its category on the menu: nothing to guess or to review.
  reading.intent = Intent::report;
  reading.category = ussd_choice_->category;
  reading.confidence = 1;
  reading.needs_review = false;
  reading.explanation = "category " + ussd_choice_->category + " chosen on the USSD menu" +
                        (reading.urgent ? "; urgent: " + reading.urgency_reason : "");
  if (ussd_choice_->grid) {
    location.grid = ussd_choice_->grid;
    location.ambiguous.clear();
    location.explanation = "grid " + *ussd_choice_->grid + " chosen on the USSD menu";
  } else {
    location.explanation += " (village not listed on the USSD menu)";
  }
}

Engine::UssdOutcome Engine::ussd_report(std::string_view from, const UssdReport& report,
                                        TimePoint now) {
  prune_finished(now);
  Call call(*this, now, std::string(from), std::nullopt);
  UssdOutcome out;
  const Category* category = settings_.find_category(report.category);
  if (category == nullptr || (report.grid && directory_->find_grid(*report.grid) == nullptr)) {
    call.log(LogLevel::warning, "USSD report refused: unknown category or grid");
    out.result = refused(UssdActionStatus::failed, std::nullopt, "unknown category or grid");
    out.effects = call.finish();
    return out;
  }
  const std::string text =
      report.description.empty() ? category->name + "（电话菜单反映）" : report.description;
  const TicketNo number = next_number_;
  ussd_choice_ = &report;
  open_ticket(call, text, read_text(settings_, text));
  ussd_choice_ = nullptr;
  out.result = UssdActionResult{UssdActionStatus::ok, number, ""};
  out.effects = call.finish();
  return out;
}

Engine::UssdOutcome Engine::ussd_member_action(
    std::string_view from, TicketNo number, TimePoint now, bool (*allowed)(TicketState),
    const std::function<void(Call&, const Member&)>& act) {
  prune_finished(now);
  Call call(*this, now, std::string(from), std::nullopt);
  UssdOutcome out;
  const Member* member = directory_->member_by_phone(from);
  Ticket* found = book_.get(number);
  if (member == nullptr || found == nullptr) {
    out.result = refused(UssdActionStatus::not_found, number, "");
  } else if (found->assignee != member->id) {
    out.result = refused(UssdActionStatus::not_allowed, number, "不是您的工单");
  } else if (allowed(found->state)) {
    act(call, *member);
    out.result = UssdActionResult{UssdActionStatus::ok, number, ""};
  } else {
    out.result =
        refused(UssdActionStatus::not_allowed, number,
                std::string(status_word(settings_.templates, Audience::member, found->state)));
  }
  out.effects = call.finish();
  drop_sms_to(out.effects, from);
  return out;
}

Engine::UssdOutcome Engine::ussd_accept(std::string_view from, TicketNo number, TimePoint now) {
  return ussd_member_action(
      from, number, now,
      [](TicketState s) {
        return s == TicketState::dispatched || s == TicketState::reopened ||
               s == TicketState::accepted;
      },
      [&](Call& call, const Member& member) { member_accept(call, member, number); });
}

Engine::UssdOutcome Engine::ussd_done(std::string_view from, TicketNo number, TimePoint now) {
  return ussd_member_action(
      from, number, now, is_with_assignee,
      [&](Call& call, const Member& member) { member_resolve(call, member, number, ""); });
}

Engine::UssdOutcome Engine::ussd_rate(std::string_view from, TicketNo number, int score,
                                      TimePoint now) {
  prune_finished(now);
  Call call(*this, now, std::string(from), std::nullopt);
  UssdOutcome out;
  Ticket* found = book_.get(number);
  if (found == nullptr || found->reporter != from) {
    out.result = refused(UssdActionStatus::not_found, number, "");
  } else if (found->state != TicketState::resolved) {
    // Rated by SMS meanwhile, or closed unrated: the screen says where it is.
    out.result =
        refused(UssdActionStatus::not_allowed, number,
                std::string(status_word(settings_.templates, Audience::resident, found->state)));
  } else if (score < 0 || score > 5) {
    out.result = refused(UssdActionStatus::failed, number, "score out of range");
  } else {
    if (score == 0) {
      resident_reopen(call, *found);
    } else {
      resident_rate(call, *found, score);
    }
    out.result = UssdActionResult{UssdActionStatus::ok, number, ""};
  }
  out.effects = call.finish();
  drop_sms_to(out.effects, from);
  return out;
}

std::vector<UssdTicketLine> Engine::ussd_reporter_tickets(std::string_view from) {
  std::vector<UssdTicketLine> lines;
  std::vector<Ticket*> mine = reporter_tickets(from, false);
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) {
    const Ticket& t = **it;
    lines.push_back(
        {t.number, std::to_string(t.number) + " " + category_name(t) + " " +
                       std::string(status_word(settings_.templates, Audience::resident, t.state))});
  }
  return lines;
}

std::vector<UssdTicketLine> Engine::ussd_member_tickets(std::string_view from,
                                                        UssdMemberList which) {
  std::vector<UssdTicketLine> lines;
  const Member* member = directory_->member_by_phone(from);
  if (member == nullptr) return lines;
  for (const Ticket* t : member_open_tickets(*member)) {
    const bool to_accept = t->state == TicketState::dispatched || t->state == TicketState::reopened;
    if (which == UssdMemberList::to_accept && !to_accept) continue;
    if (which == UssdMemberList::to_finish && !is_with_assignee(t->state)) continue;
    lines.push_back(
        {t->number, std::to_string(t->number) + " " + category_name(*t) + " " + village_of(*t) +
                        " " +
                        std::string(status_word(settings_.templates, Audience::member, t->state))});
  }
  return lines;
}

std::optional<TicketNo> Engine::ussd_ratable_ticket(std::string_view from) {
  const Ticket* ticket = latest_reporter_ticket(from, TicketState::resolved);
  if (ticket == nullptr) return std::nullopt;
  return ticket->number;
}

std::vector<UssdPlace> Engine::ussd_places() const {
  // A village with several grids is listed by grid name, so each line names one grid.
  std::map<std::string, int> villages;
  for (const Grid& grid : directory_->grids()) ++villages[grid.village];
  std::vector<UssdPlace> places;
  for (const Grid& grid : directory_->grids()) {
    const bool unique = !grid.village.empty() && villages[grid.village] == 1;
    places.push_back({grid.id, unique ? grid.village : grid.name});
  }
  return places;
}

std::optional<UssdPlace> Engine::ussd_home_place(std::string_view from) const {
  std::string grid;
  if (const Resident* resident = directory_->resident_by_phone(from)) grid = resident->grid;
  if (grid.empty()) {
    if (const Member* member = directory_->member_by_phone(from); member && !member->grids.empty())
      grid = member->grids.front();
  }
  if (grid.empty() || directory_->find_grid(grid) == nullptr) return std::nullopt;
  for (UssdPlace& place : ussd_places())
    if (place.grid == grid) return place;
  return std::nullopt;
}

}  // namespace lianxin::domain
