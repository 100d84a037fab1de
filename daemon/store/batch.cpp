#include "daemon/store/batch.hpp"

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
