// The four orders (网格点单 → 平台派单 → 团长接单 → 群众验单) and reports for others (代办).
//
// * 点单 [phone] <team or service> <need>: a member raises an order for a service team. The team
//   is found by (1) the first word being the team's id, name or alias; (2) the first word being
//   part of exactly one team's name (`水电维修` in 青石镇水电维修服务队); (3) the text starting
//   with an id, name or alias (`点单维修王大妈家…`); (4) the need's category routing to a team
//   (keywords). Else the member gets the list of teams. The ticket (kind order, raised_by the
//   member, team) has as reporter the resident named by phone, else the member; it is routed
//   through the team: its leader first (平台派单). The reporter verifies on 完成 (群众验单): a
//   member who raised an order for themselves answers the rating question like a villager.
// * 派 <number> <name or member id>: the leader of the ticket's team hands it to a team member,
//   who gets the dispatch SMS and becomes the assignee; the leader gets a confirmation.
// * 代 <phone> <report>: a helper (代办员, Role::helper) reports for a resident, who becomes the
//   reporter (confirmation and verification question go to them); the helper gets the number.
#include <algorithm>
#include <utility>
#include <variant>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/engine_call.hpp"
#include "daemon/domain/normalize.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::domain {
namespace {

constexpr std::string_view kOperatorPrefix = "operator:";
// A word shorter than this is no part of a team name ("修" would match too much).
constexpr std::size_t kMinTeamWordLength = 2;

class OrderErrorCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "lianxin.orders"; }
  std::string message(int value) const override {
    switch (static_cast<OrderError>(value)) {
      case OrderError::unknown_member:
        return "unknown member";
      case OrderError::unknown_team:
        return "unknown team";
      case OrderError::invalid_phone:
        return "invalid phone number";
      case OrderError::empty_text:
        return "empty text";
      case OrderError::no_reporter:
        return "an operator's order needs a resident phone number";
    }
    return "unknown order error";
  }
};

// How names are compared: half-width, Latin upper-case, no spaces.
std::u32string fold(std::string_view text) {
  std::u32string out;
  for (char32_t c : sms::utf8_to_code_points(text)) {
    c = text::to_upper_ascii(text::to_half_width(c));
    if (!text::is_space(c)) out.push_back(c);
  }
  return out;
}

std::string trim(std::string_view text) {
  std::u32string cps = sms::utf8_to_code_points(text);
  std::size_t b = 0, e = cps.size();
  while (b < e && text::is_space(cps[b])) ++b;
  while (e > b && text::is_space(cps[e - 1])) --e;
  return sms::code_points_to_utf8(std::u32string_view(cps).substr(b, e - b));
}

// The words a team answers to: id, name, aliases.
std::vector<std::u32string> team_words(const Team& team) {
  std::vector<std::u32string> words{fold(team.id), fold(team.name)};
  for (const std::string& alias : team.aliases) words.push_back(fold(alias));
  std::erase_if(words, [](const std::u32string& w) { return w.empty(); });
  return words;
}

struct TeamChoice {
  const Team* team = nullptr;
  std::string need;  // what the team is asked to do
  std::string how;   // for the history and the log
};

// See the top of the file for the order of the rules.
TeamChoice choose_team(const Settings& settings, const Directory& directory,
                       std::string_view service, std::string_view text) {
  TeamChoice choice;
  const std::u32string word = fold(service);
  std::string whole(service);
  if (!text.empty()) whole += (whole.empty() ? "" : " ") + std::string(text);
  if (word.empty()) return choice;
  for (const Team& team : directory.teams()) {
    for (const std::u32string& w : team_words(team)) {
      if (w == word) return {&team, std::string(text), "team named '" + std::string(service) + "'"};
    }
  }
  if (word.size() >= kMinTeamWordLength) {
    const Team* found = nullptr;
    int count = 0;
    for (const Team& team : directory.teams()) {
      if (fold(team.name).find(word) != std::u32string::npos) {
        found = &team;
        ++count;
      }
    }
    if (count == 1) {
      return {found, std::string(text), "'" + std::string(service) + "' is part of the team name"};
    }
  }
  // The team's word glued to the need: the longest word that starts the text wins.
  const std::u32string original = sms::utf8_to_code_points(service);
  std::size_t best = 0;
  for (const Team& team : directory.teams()) {
    for (const std::u32string& w : team_words(team)) {
      if (w.size() <= best || w.size() >= original.size()) continue;
      if (fold(sms::code_points_to_utf8(std::u32string_view(original).substr(0, w.size()))) == w) {
        best = w.size();
        choice.team = &team;
      }
    }
  }
  if (choice.team != nullptr) {
    choice.need = sms::code_points_to_utf8(std::u32string_view(original).substr(best));
    if (!text.empty()) choice.need += " " + std::string(text);
    choice.how = "text starts with a name of team " + choice.team->id;
    return choice;
  }
  if (const Category* c = settings.find_category(read_text(settings, whole).category);
      c != nullptr && c->route == RouteKind::team) {
    if (const Team* team = directory.find_team(c->team)) {
      return {team, whole, "category " + c->id + " routes to team " + team->id};
    }
  }
  return choice;
}

std::string team_list(const Directory& directory) {
  std::string list;
  for (const Team& team : directory.teams()) {
    list += list.empty() ? "" : "、";
    list += team.name;
  }
  return list.empty() ? "暂无服务队" : list;
}

std::vector<const Member*> team_members(const Directory& directory, const Team& team) {
  std::vector<const Member*> out;
  std::vector<std::string> ids{team.leader};
  ids.insert(ids.end(), team.members.begin(), team.members.end());
  for (const std::string& id : ids) {
    const Member* member = directory.find_member(id);
    if (member != nullptr && std::find(out.begin(), out.end(), member) == out.end()) {
      out.push_back(member);
    }
  }
  return out;
}

// A team member named at the start of `typed` (name or id, a longer name first); nullptr else.
const Member* find_named(const std::vector<const Member*>& members, std::string_view typed) {
  const std::u32string key = fold(typed);
  const Member* best = nullptr;
  std::size_t best_length = 0;
  for (const Member* member : members) {
    for (const std::u32string& word : {fold(member->name), fold(member->id)}) {
      if (word.empty() || word.size() <= best_length || key.compare(0, word.size(), word) != 0) {
        continue;
      }
      // A Latin id must not run into more Latin ("M-VOL-1" is not "M-VOL-12").
      if (key.size() > word.size() && text::is_ascii_alpha(word.back()) &&
          (text::is_ascii_alpha(key[word.size()]) || text::is_ascii_digit(key[word.size()]))) {
        continue;
      }
      if (key.size() > word.size() && text::is_ascii_digit(word.back()) &&
          text::is_ascii_digit(key[word.size()])) {
        continue;
      }
      best = member;
      best_length = word.size();
    }
  }
  return best;
}

std::string first_word(std::string_view typed) {
  const std::u32string cps = sms::utf8_to_code_points(typed);
  std::size_t end = 0;
  while (end < cps.size() && !text::is_space(cps[end]) &&
         !text::is_punctuation(text::to_half_width(cps[end]))) {
    ++end;
  }
  return sms::code_points_to_utf8(std::u32string_view(cps).substr(0, end));
}

// A person's number in E.164 (not a service number); nullopt when it is not one.
std::optional<std::string> personal_phone(std::string_view typed, std::string_view country) {
  std::optional<PhoneNumber> number = parse_phone_number(typed, country);
  if (!number || number->kind == NumberKind::service) return std::nullopt;
  return number->canonical;
}

}  // namespace

const std::error_category& order_error_category() {
  static const OrderErrorCategory category;
  return category;
}

std::error_code make_error_code(OrderError error) {
  return {static_cast<int>(error), order_error_category()};
}

// ---- Dispatching ----

bool Engine::handle_orders(Call& call, const Member& member, const MemberCommand& command) {
  if (const auto* order = std::get_if<RaiseOrder>(&command)) {
    member_raise_order(call, member, *order);
  } else if (const auto* assign = std::get_if<Assign>(&command)) {
    member_assign(call, member, *assign);
  } else if (const auto* report = std::get_if<OnBehalf>(&command)) {
    member_on_behalf(call, member, *report);
  } else if (const auto* other = std::get_if<Unrecognized>(&command)) {
    return member_verifies(call, member, other->text);
  } else {
    return false;
  }
  return true;
}

const Team* Engine::ticket_team(const Ticket& ticket) const {
  if (ticket.team) return directory_->find_team(*ticket.team);
  const Category* category = settings_.find_category(ticket.category);
  if (category != nullptr && category->route == RouteKind::team) {
    return directory_->find_team(category->team);
  }
  return nullptr;
}

const std::string& Engine::dispatch_template(const Ticket& ticket, RouteStep step,
                                             TemplateValues& values) const {
  const Team* team = step == RouteStep::team_leader ? ticket_team(ticket) : nullptr;
  if (team == nullptr) return settings_.templates.member_dispatch;
  values.set("team", team->name);
  return settings_.templates.member_team_dispatch;
}

Ticket& Engine::open_for(Call& call, std::string reporter, std::string text,
                         std::optional<std::string> raised_by, std::optional<std::string> team,
                         std::string_view actor, std::optional<std::string> fallback_grid) {
  Ticket ticket;
  ticket.number = next_number_++;
  call.effects.next_ticket_number = next_number_;
  ticket.reporter = std::move(reporter);
  ticket.text = std::move(text);
  ticket.created_at = call.now;
  ticket.updated_at = call.now;
  ticket.inbound_id = call.inbound;
  ticket.kind = team ? TicketKind::order : TicketKind::report;
  ticket.raised_by = std::move(raised_by);
  ticket.team = std::move(team);
  // A member wrote it: the category is the best reading, never held for review (an order goes
  // to its team whatever the category says).
  const Reading reading = read_text(settings_, ticket.text);
  LocationMatch location = locate(*directory_, ticket.reporter, ticket.text);
  ticket.category = reading.category;
  ticket.confidence = reading.confidence;
  ticket.urgent = reading.urgent;
  ticket.grid = location.grid;
  if (!ticket.grid && fallback_grid && directory_->find_grid(*fallback_grid)) {
    // The member who raised it works there: the best guess, and nobody to ask.
    ticket.grid = fallback_grid;
    location.explanation += "; grid of " + ticket.raised_by.value_or("") + ": " + *ticket.grid;
  }
  ticket.urgent = ticket.urgent || is_urgent(ticket);
  const TicketNo number = ticket.number;
  Ticket& stored = book_.put(std::move(ticket));
  call.touch(stored, true);
  std::string why = stored.kind == TicketKind::order
                        ? "order for team " + stored.team.value_or("") + " raised by " +
                              stored.raised_by.value_or("")
                        : "report on behalf of the reporter by " + stored.raised_by.value_or("");
  why += ": " + reading.explanation + "; " + location.explanation;
  call.transition(stored, TicketState::new_, actor, why);
  call.log(LogLevel::info,
           "ticket " + std::to_string(number) + " for " + call.mask(stored.reporter) + ": " + why,
           number);
  dispatch(call, stored, kSystem, "", nullptr);  // nobody left: logged, the ticket stays new
  return stored;
}

// ---- 网格点单 ----

void Engine::member_raise_order(Call& call, const Member& member, const RaiseOrder& order) {
  const Templates& t = settings_.templates;
  const std::string teams = team_list(*directory_);
  std::optional<std::string> resident;
  if (!order.resident.empty()) {
    resident = personal_phone(order.resident, settings_.default_country);
    if (!resident) {
      call.reply(t.member_bad_phone, {});
      return;
    }
  }
  TeamChoice choice = choose_team(settings_, *directory_, order.service, order.text);
  if (choice.team == nullptr) {
    if (order.service.empty()) {
      call.reply(t.member_order_usage, TemplateValues().set("teams", teams));
    } else {
      call.log(LogLevel::notice,
               "order by " + member.id + ": no team for " + quote_for_log(order.service));
      call.reply(t.member_order_unknown_team,
                 TemplateValues().set("service", order.service).set("teams", teams));
    }
    return;
  }
  choice.need = trim(choice.need);
  if (choice.need.empty()) {
    call.reply(t.member_order_usage, TemplateValues().set("teams", teams));
    return;
  }
  std::optional<std::string> fallback;
  if (!member.grids.empty()) fallback = member.grids.front();
  const std::string team_id = choice.team->id;
  const std::string team_name = choice.team->name;
  call.log(LogLevel::info,
           "order by " + member.id + " for team " + team_id + " (" + choice.how + ")");
  Ticket& ticket = open_for(call, resident.value_or(member.phone), choice.need, member.id, team_id,
                            member.id, fallback);
  TemplateValues values;
  values.set("ticket", ticket.number).set("team", team_name);
  if (resident) {
    call.send(*resident, Audience::resident, render(t.resident_order_received, values),
              ticket.number, false, SmsKind::notice);
  }
  call.reply(t.member_order_raised, values, ticket.number);
}

Effects Engine::raise_order(std::string_view raised_by, std::string_view team,
                            std::string_view text, std::optional<std::string> resident_phone,
                            TimePoint now) {
  Call call(*this, now, "", std::nullopt);
  const auto fail = [&](OrderError error, std::string diagnostic) {
    call.effects.error = make_error_code(error);
    call.effects.diagnostic = std::move(diagnostic);
    return call.finish();
  };
  const Member* member = directory_->find_member(raised_by);
  if (member == nullptr) {
    if (auto phone = normalize_e164(raised_by, settings_.default_country)) {
      member = directory_->member_by_phone(*phone);
    }
  }
  std::string actor;
  if (member != nullptr) {
    actor = member->id;
  } else if (raised_by.starts_with(kOperatorPrefix) && raised_by.size() > kOperatorPrefix.size()) {
    actor = std::string(raised_by);
  } else {
    return fail(
        OrderError::unknown_member,
        "'" + std::string(raised_by) + "' is neither a member id or phone nor operator:NAME");
  }
  const Team* chosen = directory_->find_team(team);
  if (chosen == nullptr) {
    const std::u32string key = fold(team);
    for (const Team& candidate : directory_->teams()) {
      for (const std::u32string& word : team_words(candidate)) {
        if (chosen == nullptr && !key.empty() && word == key) chosen = &candidate;
      }
    }
  }
  if (chosen == nullptr) {
    std::string known;
    for (const Team& candidate : directory_->teams()) {
      known += (known.empty() ? "" : ", ") + candidate.id + " (" + candidate.name + ")";
    }
    return fail(OrderError::unknown_team,
                "no team '" + std::string(team) + "'; teams: " + (known.empty() ? "none" : known));
  }
  const std::string need = trim(text);
  if (need.empty()) return fail(OrderError::empty_text, "the order says nothing");
  std::optional<std::string> resident;
  if (resident_phone && !trim(*resident_phone).empty()) {
    resident = personal_phone(*resident_phone, settings_.default_country);
    if (!resident) {
      return fail(OrderError::invalid_phone,
                  "'" + *resident_phone + "' is not a personal phone number");
    }
  }
  if (member == nullptr && !resident) {
    return fail(OrderError::no_reporter,
                "an order raised by an operator needs the resident's phone number (someone must "
                "verify it)");
  }
  std::optional<std::string> fallback;
  if (member != nullptr && !member->grids.empty()) fallback = member->grids.front();
  Ticket& ticket = open_for(call, resident.value_or(member ? member->phone : std::string()), need,
                            actor, chosen->id, actor, fallback);
  TemplateValues values;
  values.set("ticket", ticket.number).set("team", chosen->name);
  if (resident) {
    call.send(*resident, Audience::resident,
              render(settings_.templates.resident_order_received, values), ticket.number, false,
              SmsKind::notice);
  }
  if (member != nullptr) {
    call.send(member->phone, Audience::member,
              render(settings_.templates.member_order_raised, values), ticket.number, false,
              SmsKind::notice);
  }
  return call.finish();
}

// ---- 团长接单: 派 ----

void Engine::member_assign(Call& call, const Member& leader, const Assign& assign) {
  const Templates& t = settings_.templates;
  const bool leads_a_team = std::any_of(directory_->teams().begin(), directory_->teams().end(),
                                        [&](const Team& team) { return team.leader == leader.id; });
  if (!leads_a_team) {
    call.log(LogLevel::notice, "派 from " + leader.id + ", who leads no team");
    call.reply(t.member_assign_not_leader, {});
    return;
  }
  Ticket* ticket = nullptr;
  if (assign.ticket) {
    Ticket* found = book_.get(*assign.ticket);
    if (found == nullptr) {
      call.reply(t.member_not_found, TemplateValues().set("ticket", *assign.ticket));
      return;
    }
    ticket = found;
  } else {
    ticket = member_ticket(call, leader, std::nullopt, "派");  // replies when not exactly one
    if (ticket == nullptr) return;
  }
  const TicketNo number = ticket->number;
  const Team* team = ticket_team(*ticket);
  if (team == nullptr || team->leader != leader.id) {
    call.log(LogLevel::notice,
             "派 of ticket " + std::to_string(number) + " by " + leader.id +
                 ", who does not lead its team",
             number);
    call.reply(t.member_assign_not_team, TemplateValues().set("ticket", number), number);
    return;
  }
  if (!is_with_assignee(ticket->state) && ticket->state != TicketState::new_) {
    reply_wrong_state(call, *ticket);
    return;
  }
  const std::vector<const Member*> members = team_members(*directory_, *team);
  std::string list;
  for (const Member* m : members) {
    if (m->id == leader.id) continue;
    list += list.empty() ? "" : "、";
    list += m->name.empty() ? m->id : m->name;
  }
  if (list.empty()) list = "无";
  if (trim(assign.assignee).empty()) {
    call.reply(t.member_assign_usage, TemplateValues().set("ticket", number).set("list", list),
               number);
    return;
  }
  const Member* target = find_named(members, trim(assign.assignee));
  if (target == nullptr) {
    call.reply(t.member_assign_unknown,
               TemplateValues()
                   .set("ticket", number)
                   .set("name", first_word(trim(assign.assignee)))
                   .set("list", list),
               number);
    return;
  }
  const std::string target_name = target->name.empty() ? target->id : target->name;
  if (target->id == leader.id && ticket->assignee == leader.id) {
    member_accept(call, leader, number);  // "派 123 <myself>": the leader does it
    return;
  }
  if (!target->on_duty) {
    call.reply(t.member_assign_off_duty,
               TemplateValues().set("ticket", number).set("name", target_name), number);
    return;
  }
  if (ticket->assignee == target->id && is_with_assignee(ticket->state)) {
    call.reply(t.member_assign_done,
               TemplateValues().set("ticket", number).set("assignee", target_name), number);
    return;
  }
  const std::optional<std::string> previous =
      ticket->assignee && is_with_assignee(ticket->state) && *ticket->assignee != leader.id
          ? ticket->assignee
          : std::nullopt;
  ticket->assignee = target->id;
  if (std::find(ticket->tried.begin(), ticket->tried.end(), target->id) == ticket->tried.end()) {
    ticket->tried.push_back(target->id);
  }
  ticket->dispatched_at = call.now;
  ticket->accepted_at.reset();
  start_sla_clocks(settings_, *ticket, call.now, false);
  call.transition(*ticket, TicketState::dispatched, leader.id,
                  "assigned by team leader " + leader.id + " to " + target->id);
  call.log(LogLevel::info,
           "ticket " + std::to_string(number) + " assigned by team leader " + leader.id + " to " +
               target->id,
           number);
  if (previous) {
    call.to_member(*previous, t.member_reassigned,
                   TemplateValues().set("ticket", number).set("reason", "团长改派" + target_name),
                   *ticket);
  }
  if (target->id != leader.id) {
    call.to_member(
        target->id, t.member_assigned,
        ticket_values(call, *ticket).set("leader", leader.name.empty() ? leader.id : leader.name),
        *ticket, SmsKind::dispatch);
  }
  call.reply(t.member_assign_done,
             TemplateValues().set("ticket", number).set("assignee", target_name), number);
}

// ---- 代办 ----

void Engine::member_on_behalf(Call& call, const Member& helper, const OnBehalf& report) {
  const Templates& t = settings_.templates;
  if (!helper.has_role(Role::helper)) {
    call.log(LogLevel::notice, "代 from " + helper.id + ", who is no helper");
    call.reply(t.member_on_behalf_not_helper, {});
    return;
  }
  if (report.resident.empty()) {
    call.reply(t.member_on_behalf_usage, {});
    return;
  }
  const std::optional<std::string> resident =
      personal_phone(report.resident, settings_.default_country);
  if (!resident) {
    call.reply(t.member_bad_phone, {});
    return;
  }
  const std::string text = trim(report.text);
  if (text.empty()) {
    call.reply(t.member_on_behalf_usage, {});
    return;
  }
  TemplateValues values;
  values.set("resident", call.mask(*resident));
  // The same report for the same resident again (a resend): the ticket it already made.
  for (Ticket* open : reporter_tickets(*resident, true)) {
    if (open->raised_by == helper.id && repeat_key(open->text) == repeat_key(text) &&
        open->created_at + settings_.windows.duplicate_join >= call.now) {
      call.log(LogLevel::info,
               "repeated 代 from " + helper.id + ": ticket " + std::to_string(open->number),
               open->number);
      call.reply(t.member_on_behalf_done, values.set("ticket", open->number), open->number);
      return;
    }
  }
  std::optional<std::string> fallback;
  if (!helper.grids.empty()) fallback = helper.grids.front();
  Ticket& ticket = open_for(call, *resident, text, helper.id, std::nullopt, helper.id, fallback);
  values.set("ticket", ticket.number);
  call.send(*resident, Audience::resident,
            render(t.resident_received_on_behalf,
                   TemplateValues()
                       .set("ticket", ticket.number)
                       .set("helper", helper.name.empty() ? "代办员" : helper.name)),
            ticket.number, false, SmsKind::notice);
  call.reply(t.member_on_behalf_done, values, ticket.number);
}

// ---- 群众验单 by a member who raised an order for themselves ----

bool Engine::member_verifies(Call& call, const Member& member, std::string_view text) {
  Ticket* ticket = latest_reporter_ticket(member.phone, TicketState::resolved);
  if (ticket == nullptr) return false;
  const ResidentCommand answer = parse_resident_message(text);
  if (const auto* rate = std::get_if<Rate>(&answer); rate && rate->score >= 1 && rate->score <= 5) {
    resident_rate(call, *ticket, rate->score);
    return true;
  }
  if (std::holds_alternative<Reopen>(answer)) {
    resident_reopen(call, *ticket);
    return true;
  }
  return false;
}

}  // namespace lianxin::domain
