// USSD in the daemon: from a stored inbound USSD message to the screen that answers it.
//
// The SMPP values are read with the connection's dialect (protocol/ussd.hpp), the dialogue runs
// in the pure menu engine (domain/ussd.hpp) over a port onto the ticket engine, and the answer is
// a submit_sm with ussd_service_op / its_session_info sent back on the link it came from.
//
// Why the screen is sent directly rather than through the outbox: the user is holding the
// handset, the network drops the dialogue after some seconds, and a screen sent late (after a
// restart, after a retry backoff) is worse than none. So screens are never stored or retried.
// Durability is kept where it matters: the inbound part is stored before it is acknowledged
// like every part, and a screen that reports an action ("已受理，工单号12") is held until the
// commit that stores the action's effects (ticket, events, the SMS confirmation in the outbox),
// so it never announces what a crash could lose. Navigation screens go at once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/ussd.hpp"
#include "protocol/transport.hpp"
#include "protocol/ussd.hpp"

namespace lianxin::app {

class UssdService {
 public:
  // Dialects by configured connection name (a link "sim/rx" uses the dialect of "sim").
  UssdService(domain::Engine& engine, std::map<std::string, ussd::Dialect> dialects);

  struct Outcome {
    std::vector<domain::Effects> effects;         // to store, in order
    std::optional<transport::OutboundSms> reply;  // the screen to send, if any
    bool after_commit = false;                    // send only once `effects` are committed
    ussd::Inbound kind = ussd::Inbound::unknown;
    std::string log;  // what happened, for the journal (no phone numbers)
  };

  // `phone`: the sender in E.164 (or as received when it cannot be normalised).
  Outcome handle(const transport::InboundSms& sms, const std::string& phone, domain::TimePoint now);

  // Outbound ids of USSD screens carry the top bit, so they never meet outbox row ids.
  static bool owns(std::uint64_t id) { return (id & kIdBit) != 0; }

  // Picks up a reloaded menu (the engine's settings).
  void reload();
  const domain::UssdEngine& dialogues() const { return dialogues_; }
  bool enabled() const { return engine_.settings().ussd.enabled; }

  // Screens held until the next commit.
  void hold(transport::OutboundSms reply) { held_.push_back(std::move(reply)); }
  std::vector<transport::OutboundSms> take_held() { return std::exchange(held_, {}); }

 private:
  static constexpr std::uint64_t kIdBit = std::uint64_t{1} << 63;

  const ussd::Dialect& dialect_of(const std::string& link) const;

  domain::Engine& engine_;
  std::map<std::string, ussd::Dialect> dialects_;
  domain::UssdEngine dialogues_;
  std::uint64_t next_id_ = 1;
  std::vector<transport::OutboundSms> held_;
};

}  // namespace lianxin::app
