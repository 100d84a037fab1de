#include "daemon/store/batch.hpp"

#include <iterator>

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
  move_append(inbox, later.inbox);
  move_append(processed, later.processed);
  move_append(tickets, later.tickets);
  move_append(events, later.events);
  move_append(points, later.points);
  move_append(subscriptions, later.subscriptions);
  move_append(corrections, later.corrections);
  if (later.next_ticket_number &&
      (!next_ticket_number || *later.next_ticket_number > *next_ticket_number)) {
    next_ticket_number = later.next_ticket_number;
  }
  move_append(meetings, later.meetings);
  move_append(attendance, later.attendance);
  move_append(broadcasts, later.broadcasts);
  move_append(outbox, later.outbox);
  move_append(submitted, later.submitted);
  move_append(retries, later.retries);
  move_append(failures, later.failures);
  move_append(receipts, later.receipts);
  if (!take) take = later.take;
  later.clear();
}

bool WriteBatch::empty() const {
  return inbox.empty() && processed.empty() && tickets.empty() && events.empty() &&
         points.empty() && subscriptions.empty() && corrections.empty() && !next_ticket_number &&
         meetings.empty() && attendance.empty() && broadcasts.empty() && outbox.empty() &&
         submitted.empty() && retries.empty() && failures.empty() && receipts.empty() && !take;
}

void WriteBatch::clear() {
  inbox.clear();
  processed.clear();
  tickets.clear();
  events.clear();
  points.clear();
  subscriptions.clear();
  corrections.clear();
  next_ticket_number.reset();
  meetings.clear();
  attendance.clear();
  broadcasts.clear();
  outbox.clear();
  submitted.clear();
  retries.clear();
  failures.clear();
  receipts.clear();
  take.reset();
}

}  // namespace lianxin::store
