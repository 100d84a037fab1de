#include "daemon/domain/ticket_index.hpp"

#include <algorithm>

namespace lianxin::domain {

namespace {

const std::vector<TicketNo> kNoNumbers;
const std::set<TicketNo> kNoTickets;

// What a ticket contributes, before it is stored as an Entry.
struct Contribution {
  const std::string& reporter;
  const std::string* working_member;  // assignee while is_with_assignee(state), else null
  std::optional<TimePoint> finished_at;
};

Contribution contribution_of(const Ticket& ticket) {
  const bool working = ticket.assignee && is_with_assignee(ticket.state);
  std::optional<TimePoint> finished;
  if (is_terminal(ticket.state) && ticket.closed_at) finished = ticket.closed_at;
  return {ticket.reporter, working ? &*ticket.assignee : nullptr, finished};
}

bool same_member(const std::string* a, const std::string* b) {
  return a == nullptr ? b == nullptr : b != nullptr && *a == *b;
}

}  // namespace

void TicketIndex::clear() {
  entries_.clear();
  by_reporter_.clear();
  working_.clear();
  load_.clear();
  finished_.clear();
}

void TicketIndex::update(const Ticket& ticket) {
  const Contribution now = contribution_of(ticket);
  auto [it, inserted] = entries_.try_emplace(ticket.number);
  if (!inserted) {
    const Entry& old = it->second;
    if (*old.reporter == now.reporter && same_member(old.working_member, now.working_member) &&
        old.finished_at == now.finished_at) {
      return;  // the usual case: nothing the index keeps has changed
    }
    subtract(ticket.number, old);
  }
  it->second = add(ticket.number, now.reporter, now.working_member, now.finished_at);
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

TicketIndex::Entry TicketIndex::add(TicketNo number, const std::string& reporter,
                                    const std::string* working_member,
                                    std::optional<TimePoint> finished_at) {
  Entry entry;
  auto numbers = by_reporter_.try_emplace(reporter).first;
  entry.reporter = &numbers->first;  // node keys stay put while the node lives
  // New tickets have the highest number: appending is the usual case.
  numbers->second.insert(std::lower_bound(numbers->second.begin(), numbers->second.end(), number),
                         number);
  if (working_member) {
    auto member = working_.try_emplace(*working_member).first;
    entry.working_member = &member->first;
    member->second.insert(number);
    ++load_[*working_member];
  }
  entry.finished_at = finished_at;
  if (finished_at) finished_.emplace(*finished_at, number);
  return entry;
}

void TicketIndex::subtract(TicketNo number, const Entry& entry) {
  // The entry's strings are the keys of the nodes it points into: use them before erasing those.
  if (entry.working_member) {
    // Members without open tickets are absent from the load, as in a full recount.
    if (auto it = load_.find(*entry.working_member); it != load_.end() && --it->second == 0) {
      load_.erase(it);
    }
    if (auto it = working_.find(*entry.working_member); it != working_.end()) {
      it->second.erase(number);
      if (it->second.empty()) working_.erase(it);
    }
  }
  if (entry.finished_at) finished_.erase({*entry.finished_at, number});
  if (auto it = by_reporter_.find(*entry.reporter); it != by_reporter_.end()) {
    std::vector<TicketNo>& numbers = it->second;
    auto at = std::lower_bound(numbers.begin(), numbers.end(), number);
    if (at != numbers.end() && *at == number) numbers.erase(at);
    if (numbers.empty()) by_reporter_.erase(it);
  }
}

bool TicketIndex::matches(const std::map<TicketNo, Ticket>& tickets) const {
  TicketIndex recount;
  for (const auto& [number, ticket] : tickets) recount.update(ticket);  // ascending numbers
  if (recount.entries_.size() != entries_.size()) return false;
  for (const auto& [number, entry] : recount.entries_) {
    auto it = entries_.find(number);
    if (it == entries_.end() || *it->second.reporter != *entry.reporter ||
        !same_member(it->second.working_member, entry.working_member) ||
        it->second.finished_at != entry.finished_at) {
      return false;
    }
  }
  return recount.by_reporter_ == by_reporter_ && recount.working_ == working_ &&
         recount.load_ == load_ && recount.finished_ == finished_;
}

}  // namespace lianxin::domain
