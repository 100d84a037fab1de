#include "daemon/domain/ticket_book.hpp"

#include <algorithm>
#include <utility>

namespace lianxin::domain {

TicketSummary TicketSummary::of(const Ticket& t) {
  TicketSummary s;
  s.accept_deadline = t.accept_deadline.value_or(kNone);
  s.resolve_deadline = t.resolve_deadline.value_or(kNone);
  if (t.state == TicketState::awaiting_location)
    s.state_deadline = t.location_deadline.value_or(kNone);
  if (t.state == TicketState::resolved) s.state_deadline = t.verification_deadline.value_or(kNone);
  s.created_at = t.created_at;
  s.state = t.state;
  s.accepted = t.accepted_at.has_value();
  s.needs_review = t.needs_review;
  return s;
}

void TicketBook::restore(std::vector<Ticket> tickets) {
  summaries_.clear();
  loaded_.clear();
  summaries_.reserve(tickets.size());
  for (Ticket& ticket : tickets) {
    summaries_[ticket.number] = TicketSummary::of(ticket);
    if (repository_ == nullptr) loaded_[ticket.number] = std::move(ticket);
  }
}

const Ticket* TicketBook::find(TicketNo number) const {
  if (auto it = loaded_.find(number); it != loaded_.end()) return &it->second;
  if (repository_ == nullptr || !summaries_.contains(number)) return nullptr;
  std::optional<Ticket> stored = repository_->load(number);
  if (!stored) return nullptr;
  return &loaded_.emplace(number, std::move(*stored)).first->second;
}

Ticket* TicketBook::get(TicketNo number) {
  // The cache is ours to hand out mutably; find() only shares the lookup.
  return const_cast<Ticket*>(find(number));
}

Ticket& TicketBook::put(Ticket ticket) {
  summaries_[ticket.number] = TicketSummary::of(ticket);
  const TicketNo number = ticket.number;
  return loaded_[number] = std::move(ticket);
}

void TicketBook::changed(const Ticket& ticket) {
  summaries_[ticket.number] = TicketSummary::of(ticket);
}

void TicketBook::erase(TicketNo number) {
  summaries_.erase(number);
  loaded_.erase(number);
}

void TicketBook::release() {
  if (repository_ != nullptr) loaded_.clear();
}

const TicketSummary* TicketBook::summary(TicketNo number) const {
  auto it = summaries_.find(number);
  return it == summaries_.end() ? nullptr : &it->second;
}

std::vector<TicketNo> TicketBook::numbers() const {
  std::vector<TicketNo> out;
  out.reserve(summaries_.size());
  for (const auto& [number, summary] : summaries_) out.push_back(number);
  std::sort(out.begin(), out.end());
  return out;
}

bool TicketBook::summaries_match() const {
  return std::all_of(loaded_.begin(), loaded_.end(), [&](const auto& entry) {
    const TicketSummary* s = summary(entry.first);
    return s != nullptr && *s == TicketSummary::of(entry.second);
  });
}

}  // namespace lianxin::domain
