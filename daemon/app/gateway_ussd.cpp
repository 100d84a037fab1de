// The gateway's USSD path (see ussd_service.hpp for why screens bypass the outbox).
#include "daemon/app/gateway.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::app {

void Gateway::process_ussd(const transport::InboundSms& sms, SystemTime now,
                           std::vector<Field> fields) {
  const std::string& country = engine_.settings().default_country;
  const std::optional<std::string> e164 = domain::normalize_e164(sms.from, country);
  UssdService::Outcome outcome = ussd_.handle(sms, e164.value_or(sms.from), now);
  for (const domain::Effects& effects : outcome.effects) apply(effects, now);
  journal_.log(LogLevel::info, "USSD in: " + outcome.log, fields);
  if (!outcome.reply) return;
  if (!outcome.after_commit) {
    send_ussd(*outcome.reply);
    return;
  }
  // The screen announces what the action did: only once that is stored.
  std::weak_ptr<bool> alive = alive_;
  commit_waiters_.push_back([this, alive, screen = std::move(*outcome.reply)](bool stored) {
    if (alive.expired()) return;
    if (stored) {
      send_ussd(screen);
    } else {
      journal_.log(LogLevel::warning, "USSD screen dropped: its action could not be stored");
    }
  });
  schedule_flush();
}

void Gateway::send_ussd(const transport::OutboundSms& screen) {
  std::vector<Field> fields{
      {"SMSC", screen.connection},
      {"DIRECTION", "out"},
      {"PHONE", domain::mask_number(screen.to, engine_.settings().default_country)}};
  const transport::SendAdmission admission = transport_.send(screen);
  if (admission == transport::SendAdmission::accepted) {
    journal_.log(LogLevel::debug,
                 std::string("USSD out: ") +
                     (screen.ussd ? "ussd_service_op " + std::to_string(screen.ussd->service_op)
                                  : std::string()),
                 fields);
    return;
  }
  // Not retried: by the time a link has room, the dialogue has timed out on the handset.
  journal_.log(LogLevel::warning,
               std::string("USSD screen not sent (") + transport::send_admission_name(admission) +
                   "); the caller's dialogue will time out",
               fields);
}

void Gateway::ussd_sent(const transport::SendResult& result) {
  if (result.status == transport::SendStatus::submitted) return;
  journal_.log(LogLevel::warning,
               std::string("USSD screen ") + transport::send_status_name(result.status) + ": " +
                   result.detail,
               {{"SMSC", result.connection}, {"DIRECTION", "out"}});
}

}  // namespace lianxin::app
