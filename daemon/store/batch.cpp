#include "daemon/store/batch.hpp"

#include <iterator>
#include <tuple>
#include <utility>

namespace lianxin::store {

OutboxRequest OutboxRequest::from_sms(const domain::OutgoingSms& sms, std::string_view source,
                                      TimePoint now) {
  OutboxRequest r;
  r.destination = sms.to;
  r.source = std::string(source);
  r.text = sms.text;
  r.ticket = sms.ticket;
  r.audience = sms.audience;
  r.urgent = sms.urgent;
  r.in_reply_to = sms.in_reply_to;
  r.created_at = now;
  r.not_before = sms.not_before;  // quiet hours (the engine decides)
  r.expires_at = sms.expires_at;  // validity
  return r;
}

void WriteBatch::add(const domain::Effects& effects, std::string_view source, TimePoint now) {
  for (const domain::TicketChange& change : effects.tickets) tickets.push_back(change.ticket);
  events.insert(events.end(), effects.events.begin(), effects.events.end());
  points.insert(points.end(), effects.points.begin(), effects.points.end());
  corrections.insert(corrections.end(), effects.corrections.begin(), effects.corrections.end());
  subscriptions.insert(subscriptions.end(), effects.subscriptions.begin(),
                       effects.subscriptions.end());
  meetings.insert(meetings.end(), effects.meetings.begin(), effects.meetings.end());
  attendance.insert(attendance.end(), effects.attendance.begin(), effects.attendance.end());
  if (effects.next_ticket_number &&
      (!next_ticket_number || *effects.next_ticket_number > *next_ticket_number)) {
    next_ticket_number = effects.next_ticket_number;
  }
  for (const domain::OutgoingSms& sms : effects.sms) {
    outbox.push_back(OutboxRequest::from_sms(sms, source, now));
  }
}

namespace {

// Every list of a batch, once: append, empty and clear go through it. (The counter and the take
// request are not lists and are handled beside it.)
template <class Batch>
auto lists_of(Batch& b) {
  return std::tie(b.inbox, b.processed, b.tickets, b.events, b.points, b.subscriptions,
                  b.corrections, b.meetings, b.attendance, b.broadcasts, b.outbox, b.submitted,
                  b.retries, b.failures, b.receipts);
}

template <class T>
void move_append(std::vector<T>& to, std::vector<T>& from) {
  if (to.empty()) {
    to.swap(from);
    return;
  }
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  from.clear();
}

}  // namespace

void WriteBatch::append(WriteBatch&& later) {
  auto to = lists_of(*this);
  auto from = lists_of(later);
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (move_append(std::get<I>(to), std::get<I>(from)), ...);
  }
  (std::make_index_sequence<std::tuple_size_v<decltype(to)>>{});
  if (later.next_ticket_number &&
      (!next_ticket_number || *later.next_ticket_number > *next_ticket_number)) {
    next_ticket_number = later.next_ticket_number;
  }
  if (!take) take = later.take;
  later.clear();
}

bool WriteBatch::empty() const {
  return std::apply([](const auto&... list) { return (list.empty() && ...); }, lists_of(*this)) &&
         !next_ticket_number && !take;
}

void WriteBatch::clear() {
  std::apply([](auto&... list) { (list.clear(), ...); }, lists_of(*this));
  next_ticket_number.reset();
  take.reset();
}

}  // namespace lianxin::store
