// The SMPP transport: one or more ESME links (Session, sans-io) driven by Boost.Asio on one
// io_context thread, behind the transport::Transport interface.
//
// Each link: resolve + connect (TCP_NODELAY), feed the Session what the socket reads, write what
// it produces (one buffer per loop iteration), one steady_timer armed at its next deadline, a
// new socket whenever the Session asks for one. Several links give transmitter + receiver pairs
// and priority/failover across SMSCs: send() picks the bound transmitting link with the lowest
// priority value that has room (ties: the least busy), or the connection the message names.
// Call everything from the io_context's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/log.hpp"
#include "protocol/segment.hpp"
#include "protocol/session.hpp"
#include "protocol/transport.hpp"

namespace boost::asio {
class io_context;
}

namespace lianxin::smpp {

struct ConnectionConfig {
  std::string host = "127.0.0.1";
  std::string port = "2775";
  int priority = 0;       // lower is preferred; equal priorities share the load
  SessionConfig session;  // session.name names the connection

  sms::ConcatMode concat_mode = sms::ConcatMode::udh;
  bool allow_latin1 = false;
  Address default_source;                                 // used when OutboundSms::from is empty
  std::uint8_t source_ton = 0, source_npi = 0;            // for OutboundSms::from
  std::uint8_t destination_ton = 1, destination_npi = 1;  // international, ISDN
  std::string service_type;
  std::string ussd_service_type;  // of USSD submit_sm; "" = service_type
};

struct LinkInfo {
  std::string name;
  LinkState state = LinkState::idle;
  bool bound = false;
  std::size_t in_flight = 0;
  std::size_t queued = 0;
};

class SmppTransport final : public transport::Transport {
 public:
  SmppTransport(boost::asio::io_context& io, std::vector<ConnectionConfig> connections,
                protocol::Logger logger = {});
  ~SmppTransport() override;
  SmppTransport(const SmppTransport&) = delete;
  SmppTransport& operator=(const SmppTransport&) = delete;

  void set_handlers(Handlers handlers) override;
  void start() override;
  transport::SendAdmission send(const transport::OutboundSms& sms) override;
  void acknowledge(const transport::AckToken& token, bool stored) override;
  void stop(std::function<void()> done) override;
  bool can_send() const override;

  std::vector<LinkInfo> links() const;

  class Core;

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace lianxin::smpp
