#include "daemon/domain/ticket_index.hpp"

#include <algorithm>

namespace lianxin::domain {

namespace {
const std::vector<TicketNo> kNoNumbers;
const std::set<TicketNo> kNoTickets;
}  // namespace

TicketIndex::Entry TicketIndex::entry_of(const Ticket& ticket) {
  Entry entry;
  entry.reporter = ticket.reporter;
  if (ticket.assignee && is_with_assignee(ticket.state)) entry.working_member = ticket.assignee;
  if (is_terminal(ticket.state) && ticket.closed_at) entry.finished_at = ticket.closed_at;
  return entry;
}

void TicketIndex::clear() {
  entries_.clear();
  by_reporter_.clear();
  working_.clear();
  load_.clear();
  finished_.clear();
}

void TicketIndex::update(const Ticket& ticket) {
  Entry entry = entry_of(ticket);
  auto [it, inserted] = entries_.try_emplace(ticket.number);
  if (!inserted) {
    if (it->second == entry) return;  // the usual case: nothing the index keeps has changed
    subtract(ticket.number, it->second);
  }
  add(ticket.number, entry);
  it->second = std::move(entry);
}

void TicketIndex::remove(TicketNo number) {
  auto it = entries_.find(number);
  if (it == entries_.end()) return;
  subtract(number, it->second);
  entries_.erase(it);
}

const std::vector<TicketNo>& TicketIndex::of_reporter(std::string_view phone) const {
  auto it = by_reporter_.find(std::string(phone));
  return it == by_reporter_.end() ? kNoNumbers : it->second;
}

const std::set<TicketNo>& TicketIndex::working_on(std::string_view member) const {
  auto it = working_.find(std::string(member));
  return it == working_.end() ? kNoTickets : it->second;
}

std::optional<TicketNo> TicketIndex::first_finished_before(TimePoint cutoff) const {
  if (finished_.empty() || !(finished_.begin()->first < cutoff)) return std::nullopt;
  return finished_.begin()->second;
}

void TicketIndex::add(TicketNo number, const Entry& entry) {
  std::vector<TicketNo>& numbers = by_reporter_[entry.reporter];
  // New tickets have the highest number: appending is the usual case.
  numbers.insert(std::lower_bound(numbers.begin(), numbers.end(), number), number);
  if (entry.working_member) {
    working_[*entry.working_member].insert(number);
    ++load_[*entry.working_member];
  }
  if (entry.finished_at) finished_.emplace(*entry.finished_at, number);
}

void TicketIndex::subtract(TicketNo number, const Entry& entry) {
  if (auto it = by_reporter_.find(entry.reporter); it != by_reporter_.end()) {
    std::vector<TicketNo>& numbers = it->second;
    auto at = std::lower_bound(numbers.begin(), numbers.end(), number);
    if (at != numbers.end() && *at == number) numbers.erase(at);
    if (numbers.empty()) by_reporter_.erase(it);
  }
  if (entry.working_member) {
    if (auto it = working_.find(*entry.working_member); it != working_.end()) {
      it->second.erase(number);
      if (it->second.empty()) working_.erase(it);
    }
    // Members without open tickets are absent from the load, as in a full recount.
    if (auto it = load_.find(*entry.working_member); it != load_.end() && --it->second == 0) {
      load_.erase(it);
    }
  }
  if (entry.finished_at) finished_.erase({*entry.finished_at, number});
}

bool TicketIndex::matches(const std::map<TicketNo, Ticket>& tickets) const {
  TicketIndex recount;
  for (const auto& [number, ticket] : tickets) recount.update(ticket);  // ascending numbers
  return recount.entries_ == entries_ && recount.by_reporter_ == by_reporter_ &&
         recount.working_ == working_ && recount.load_ == load_ && recount.finished_ == finished_;
}

}  // namespace lianxin::domain
