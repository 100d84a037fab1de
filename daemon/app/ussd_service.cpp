#include "daemon/app/ussd_service.hpp"

#include <utility>

#include "daemon/app/connections.hpp"

namespace lianxin::app {
namespace {

// The menu's port onto the ticket engine; the effects of every action are collected.
class EnginePort final : public domain::UssdPort {
 public:
  EnginePort(domain::Engine& engine, std::vector<domain::Effects>& effects)
      : engine_(engine), effects_(effects) {}

  bool is_member(std::string_view phone) const override {
    return engine_.directory().member_by_phone(phone) != nullptr;
  }
  std::string category_name(std::string_view category) const override {
    const domain::Category* c = engine_.settings().find_category(category);
    return c ? c->name : std::string(category);
  }
  std::optional<domain::UssdPlace> home_place(std::string_view phone) const override {
    return engine_.ussd_home_place(phone);
  }
  std::vector<domain::UssdPlace> places() const override { return engine_.ussd_places(); }
  std::vector<domain::UssdTicketLine> reporter_tickets(std::string_view phone) const override {
    return engine_.ussd_reporter_tickets(phone);
  }
  std::optional<domain::TicketNo> ratable_ticket(std::string_view phone) const override {
    return engine_.ussd_ratable_ticket(phone);
  }
  std::vector<domain::UssdTicketLine> member_tickets(std::string_view phone,
                                                     domain::UssdMemberList which) const override {
    return engine_.ussd_member_tickets(phone, which);
  }
  domain::UssdActionResult report(std::string_view phone, const domain::UssdReport& report,
                                  domain::TimePoint now) override {
    return keep(engine_.ussd_report(phone, report, now));
  }
  domain::UssdActionResult accept(std::string_view phone, domain::TicketNo ticket,
                                  domain::TimePoint now) override {
    return keep(engine_.ussd_accept(phone, ticket, now));
  }
  domain::UssdActionResult done(std::string_view phone, domain::TicketNo ticket,
                                domain::TimePoint now) override {
    return keep(engine_.ussd_done(phone, ticket, now));
  }
  domain::UssdActionResult rate(std::string_view phone, domain::TicketNo ticket, int score,
                                domain::TimePoint now) override {
    return keep(engine_.ussd_rate(phone, ticket, score, now));
  }

 private:
  domain::UssdActionResult keep(domain::Engine::UssdOutcome outcome) {
    effects_.push_back(std::move(outcome.effects));
    return outcome.result;
  }

  domain::Engine& engine_;
  std::vector<domain::Effects>& effects_;
};

domain::UssdStep step_of(ussd::Inbound kind) {
  switch (kind) {
    case ussd::Inbound::begin:
      return domain::UssdStep::begin;
    case ussd::Inbound::answer:
      return domain::UssdStep::answer;
    case ussd::Inbound::release:
      return domain::UssdStep::release;
    case ussd::Inbound::unknown:
      return domain::UssdStep::unknown;
  }
  return domain::UssdStep::unknown;
}

// A screen goes back over the transmitter of the connection the message came on.
std::string reply_link(const std::string& link) {
  if (link.ends_with("/rx")) return link.substr(0, link.size() - 3) + "/tx";
  return link;
}

}  // namespace

UssdService::UssdService(domain::Engine& engine, std::map<std::string, ussd::Dialect> dialects)
    : engine_(engine), dialects_(std::move(dialects)), dialogues_(engine.settings().ussd) {}

void UssdService::reload() {
  dialogues_.set_menu(engine_.settings().ussd);
}

const ussd::Dialect& UssdService::dialect_of(const std::string& link) const {
  static const ussd::Dialect standard;
  auto it = dialects_.find(connection_of_link(link));
  return it == dialects_.end() ? standard : it->second;
}

UssdService::Outcome UssdService::handle(const transport::InboundSms& sms, const std::string& phone,
                                         domain::TimePoint now) {
  Outcome out;
  if (!sms.ussd) return out;
  const ussd::Dialect& dialect = dialect_of(sms.connection);
  out.kind = ussd::classify(dialect, sms.ussd->service_op, sms.ussd->session_info);
  std::string op = "ussd_service_op " + std::to_string(sms.ussd->service_op) + " (" +
                   std::string(ussd::to_string(out.kind)) + ")";
  if (!engine_.settings().ussd.enabled) {
    // Answered anyway, so the handset is not left waiting for the network's timeout.
    out.log = op + ": USSD menu not configured";
    if (out.kind != ussd::Inbound::release) {
      transport::OutboundSms reply;
      reply.id = kIdBit | next_id_++;
      reply.from = sms.to;
      reply.to = sms.from;
      reply.text = engine_.settings().templates.resident_help;
      reply.request_receipt = false;
      reply.ussd = transport::UssdInfo{
          dialect.reply_end, ussd::reply_session_info(dialect, sms.ussd->session_info, true)};
      reply.connection = reply_link(sms.connection);
      out.reply = std::move(reply);
    }
    return out;
  }

  domain::UssdInput input;
  input.phone = phone;
  input.step = step_of(out.kind);
  input.text = sms.text;
  input.session_info = sms.ussd->session_info;
  EnginePort port(engine_, out.effects);
  const domain::UssdReply screen = dialogues_.handle(input, port, now);
  out.log = op + ": " + screen.log;
  out.after_commit = screen.acted;
  if (!screen.send) return out;
  transport::OutboundSms reply;
  reply.id = kIdBit | next_id_++;
  reply.from = sms.to;
  reply.to = sms.from;
  reply.text = screen.text;
  reply.request_receipt = false;
  reply.ussd =
      transport::UssdInfo{screen.end ? dialect.reply_end : dialect.reply_continue,
                          ussd::reply_session_info(dialect, sms.ussd->session_info, screen.end)};
  reply.connection = reply_link(sms.connection);
  out.reply = std::move(reply);
  return out;
}

}  // namespace lianxin::app
