// The gateway's side facing the engine: whole inbound messages decided inside the commit that
// stores them (see Gateway::flush), the effects applied to the next batch, and operator calls.
#include <chrono>

#include "daemon/app/gateway.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::app {

// ---- inbound messages to the engine ----

// Inside the commit that stores `parts` (see flush): repeats are logged, the rest are fed to
// the reassembler and whole messages to the engine.
void Gateway::decide(const std::vector<PendingPart>& parts,
                     const std::vector<store::InboxInsert>& inserted) {
  for (std::size_t i = 0; i < parts.size() && i < inserted.size(); ++i) {
    const transport::InboundPart& part = parts[i].part;
    const store::InboxInsert& insert = inserted[i];
    std::vector<Field> fields{
        {"INBOX_ID", std::to_string(insert.id)},
        {"SMSC", part.connection},
        {"DIRECTION", "in"},
        {"PHONE", domain::mask_number(part.from, engine_.settings().default_country)}};
    if (insert.duplicate) {
      ++counters_.mo_parts["duplicate"];
      journal_.log(LogLevel::info, "inbound part repeated by the SMSC; already stored", fields);
      continue;
    }
    if (part.receipt) continue;
    ++counters_.mo_parts["stored"];
    if (part.concat)
      journal_.log(LogLevel::debug,
                   "inbound part " + std::to_string(part.concat->seq) + "/" +
                       std::to_string(part.concat->total) + " stored",
                   fields);
    feed(part, insert.id);
  }
}

void Gateway::feed(const transport::InboundPart& part, std::int64_t inbox_id) {
  const auto steady_now = std::chrono::steady_clock::now();
  std::vector<transport::InboundSms> messages =
      assembler_.add(part, static_cast<std::uint64_t>(inbox_id), steady_now);
  const SystemTime now = domain::Clock::now();
  for (std::uint64_t duplicate : assembler_.take_duplicates()) {
    // The same part twice on one bind (the SMSC repeated it): stored, nothing more to do.
    batch_.processed.push_back({static_cast<std::int64_t>(duplicate), now});
    schedule_flush();
  }
  for (const transport::InboundSms& sms : messages) process(sms, now);
}

void Gateway::process(const transport::InboundSms& sms, SystemTime now) {
  for (std::uint64_t handle : sms.handles)
    batch_.processed.push_back({static_cast<std::int64_t>(handle), now});
  schedule_flush();
  const std::string& country = engine_.settings().default_country;
  const std::int64_t inbound_id =
      sms.handles.empty() ? 0 : static_cast<std::int64_t>(sms.handles.front());
  std::vector<Field> fields{{"INBOX_ID", std::to_string(inbound_id)},
                            {"SMSC", sms.connection},
                            {"DIRECTION", "in"},
                            {"PHONE", domain::mask_number(sms.from, country)}};
  if (sms.ussd) {
    process_ussd(sms, now, std::move(fields));  // ---- USSD ---- gateway_ussd.cpp
    return;
  }
  const std::optional<std::string> from = domain::normalize_e164(sms.from, country);
  if (!from || domain::is_service_number(*from)) {
    journal_.log(LogLevel::notice,
                 std::string("SMS in from ") + (from ? "a service number" : "an unusable number") +
                     " ignored (no reply, to avoid loops with automatic senders)",
                 fields);
    return;
  }
  journal_.log(sms.complete ? LogLevel::info : LogLevel::warning,
               "SMS in, " + count_of(sms.handles.size(), "part", "parts") +
                   (sms.complete ? "" : ", INCOMPLETE (parts missing after the timeout)") + ", " +
                   count_of(sms::utf8_to_code_points(sms.text).size(), "character", "characters"),
               fields);
  apply(engine_.on_sms(*from, sms.text, now, inbound_id), now);
}

void Gateway::apply(const domain::Effects& effects, SystemTime now) {
  batch_.add(effects, options_.service_number, now);
  for (const domain::TicketChange& change : effects.tickets)
    if (change.created) counters_.classifier_confidence.observe(change.ticket.confidence);
  for (const domain::TimerRequest& timer : effects.timers) arm_engine_timer(timer);
  log_effects(effects);
  schedule_flush();
}

void Gateway::log_effects(const domain::Effects& effects) {
  for (const domain::LogLine& line : effects.logs) {
    std::vector<Field> fields;
    if (line.ticket) fields.push_back({"TICKET_ID", std::to_string(*line.ticket)});
    journal_.log(line.level, line.message, fields);
  }
}

// ---- operator calls ----

domain::Effects Gateway::operator_call(
    const std::function<domain::Effects(domain::Engine&, SystemTime)>& call, Committed committed) {
  const SystemTime now = domain::Clock::now();
  domain::Effects effects = call(engine_, now);
  if (effects.error) return effects;
  apply(effects, now);
  commit_waiters_.push_back(std::move(committed));
  schedule_flush();
  return effects;
}

void Gateway::enqueue(std::vector<store::OutboxRequest> sms,
                      std::optional<store::BroadcastRecord> broadcast, Committed committed) {
  if (broadcast) batch_.broadcasts.push_back(std::move(*broadcast));
  for (store::OutboxRequest& request : sms) {
    if (request.source.empty()) request.source = options_.service_number;
    batch_.outbox.push_back(std::move(request));
  }
  commit_waiters_.push_back(std::move(committed));
  schedule_flush();
}

}  // namespace lianxin::app
