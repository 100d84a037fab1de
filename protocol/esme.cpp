#include "protocol/esme.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <map>
#include <optional>
#include <utility>

#include "protocol/asio.hpp"
#include "protocol/receipt.hpp"
#include "protocol/text.hpp"

namespace lianxin::smpp {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// co_spawn completion: exceptions escaping a coroutine are logged, never dropped silently.
struct LogExceptions {
  protocol::Logger logger;
  const char* what;
  void operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      logger.log(LogLevel::error, std::string("smpp: ") + what + " failed: " + e.what());
    } catch (...) {
      logger.log(LogLevel::error, std::string("smpp: ") + what + " failed");
    }
  }
};

// One TCP connection attempt. A link gets a new one for every attempt; coroutines of an older
// one notice they are no longer current and end.
struct Conn {
  Conn(asio::io_context& io, std::uint64_t attempt_number)
      : socket(io), resolver(io), close_guard(io), attempt(attempt_number) {}

  void close() {
    boost::system::error_code ignored;
    close_guard.cancel();
    resolver.cancel();
    if (socket.is_open()) {
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    }
  }

  tcp::socket socket;
  tcp::resolver resolver;
  asio::steady_timer close_guard;  // bounds the last flush of a connection being closed
  std::uint64_t attempt;
  bool connected = false;
  bool writing = false;
  bool close_when_flushed = false;
  Bytes pending;  // written as one buffer by the next write
};

struct Link {
  Link(asio::io_context& io, ConnectionConfig cfg, const protocol::Logger& logger)
      : config(std::move(cfg)), session(config.session, logger), timer(io) {}

  ConnectionConfig config;
  Session session;
  asio::steady_timer timer;  // armed at session.next_deadline()
  std::optional<TimePoint> armed;
  std::shared_ptr<Conn> conn;
  bool pumping = false;
  bool pump_again = false;
};

// A peer that stops reading must not keep a closing socket (and the io_context) alive.
constexpr auto final_flush_limit = std::chrono::seconds(2);

asio::awaitable<void> close_when_stuck(std::shared_ptr<Conn> conn) {
  if (!conn->socket.is_open()) co_return;  // the flush already finished
  boost::system::error_code ec;
  conn->close_guard.expires_after(final_flush_limit);
  co_await conn->close_guard.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) conn->close();
}

// E.164 with '+' travels as TON international / NPI ISDN without the '+'.
Address make_address(const std::string& number, std::uint8_t ton, std::uint8_t npi) {
  if (!number.empty() && number.front() == '+') return Address{1, 1, number.substr(1)};
  return Address{ton, npi, number};
}

}  // namespace

class SmppTransport::Core : public std::enable_shared_from_this<SmppTransport::Core> {
 public:
  Core(asio::io_context& io, std::vector<ConnectionConfig> connections, protocol::Logger logger)
      : io_(io), logger_(std::move(logger)) {
    for (ConnectionConfig& connection : connections)
      links_.push_back(std::make_unique<Link>(io_, std::move(connection), logger_));
  }

  void set_handlers(Handlers handlers) { handlers_ = std::move(handlers); }

  void start() {
    if (started_) return;
    started_ = true;
    const TimePoint now = Clock::now();
    for (std::size_t i = 0; i < links_.size(); ++i) {
      links_[i]->session.start(now);
      asio::co_spawn(io_, run_timer(shared_from_this(), i), LogExceptions{logger_, "timer"});
      pump(i);
    }
  }

  void stop(std::function<void()> done) {
    if (closed_) {
      if (done) asio::post(io_, std::move(done));
      return;
    }
    stopping_ = true;
    if (done) stop_done_ = std::move(done);
    const TimePoint now = Clock::now();
    for (std::size_t i = 0; i < links_.size(); ++i) {
      links_[i]->session.stop(now);
      pump(i);
    }
    check_stopped();
  }

  // Immediate teardown (the transport object is going away).
  void shutdown() {
    closed_ = true;
    stop_done_ = nullptr;
    handlers_ = {};
    for (auto& link : links_) {
      link->timer.cancel();
      if (link->conn) link->conn->close();
      link->conn.reset();
    }
  }

  transport::SendAdmission send(const transport::OutboundSms& sms) {
    using transport::SendAdmission;
    if (stopping_ || closed_) return SendAdmission::stopping;
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < links_.size(); ++i) {
      const Session& session = links_[i]->session;
      if (session.is_bound() && session.can_transmit()) candidates.push_back(i);
    }
    if (candidates.empty()) return SendAdmission::no_link;
    std::stable_sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      const Link& x = *links_[a];
      const Link& y = *links_[b];
      const bool x_named = !sms.connection.empty() && x.config.session.name == sms.connection;
      const bool y_named = !sms.connection.empty() && y.config.session.name == sms.connection;
      if (x_named != y_named) return x_named;
      if (x.config.priority != y.config.priority) return x.config.priority < y.config.priority;
      return x.session.in_flight() + x.session.queued() <
             y.session.in_flight() + y.session.queued();
    });
    for (const std::size_t i : candidates) {
      Link& link = *links_[i];
      sms::SegmentOptions options;
      options.mode = link.config.concat_mode;
      options.allow_latin1 = link.config.allow_latin1;
      // The same outbox row gets the same reference on every retry, so a handset can tell a
      // re-sent part from a new message.
      const sms::Segmented segmented =
          sms::segment(sms.text, static_cast<std::uint16_t>(sms.id), options);
      if (segmented.error) {
        logger_.log(LogLevel::warning, "smpp: message " + std::to_string(sms.id) +
                                           " cannot be sent: " + segmented.error.message());
        return SendAdmission::invalid;
      }
      if (sms.ussd && segmented.parts.size() != 1) {
        // A USSD string is one message of at most 160 octets; it cannot be concatenated.
        logger_.log(LogLevel::warning, "smpp: USSD message " + std::to_string(sms.id) +
                                           " does not fit one message: not sent");
        return SendAdmission::invalid;
      }
      if (link.session.capacity() < segmented.parts.size()) continue;
      submit_parts(i, sms, segmented.parts);
      return SendAdmission::accepted;
    }
    return SendAdmission::busy;
  }

  void acknowledge(const transport::AckToken& token, bool stored) {
    if (closed_ || token.link >= links_.size()) return;
    links_[token.link]->session.acknowledge(token.id, stored, Clock::now());
    pump(token.link);
  }

  bool can_send() const {
    if (stopping_ || closed_) return false;
    return std::any_of(links_.begin(), links_.end(), [](const auto& link) {
      return link->session.is_bound() && link->session.capacity() > 0;
    });
  }

  std::vector<LinkInfo> links() const {
    std::vector<LinkInfo> out;
    for (const auto& link : links_) {
      const Session& s = link->session;
      out.push_back(
          LinkInfo{link->config.session.name, s.state(), s.is_bound(), s.in_flight(), s.queued()});
    }
    return out;
  }

 private:
  struct PartRef {
    std::uint64_t send_key = 0;
    std::size_t index = 0;
  };
  struct PendingSend {
    transport::SendResult result;
    std::size_t reported = 0;
    bool failed = false;
    bool retry = false;
  };

  // ---- coroutines: named functions taking their state by value (docs/ARCHITECTURE.md,
  // toolchain traps) ----

  static asio::awaitable<void> run_timer(std::shared_ptr<Core> core, std::size_t index) {
    Link& link = *core->links_[index];
    for (;;) {
      boost::system::error_code ec;
      co_await link.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (core->closed_) co_return;
      const TimePoint now = Clock::now();
      // Re-arming cancels the wait; only a deadline that has really passed fires.
      if (link.timer.expiry() <= now) {
        link.armed.reset();
        link.session.timer_fired(now);
        core->pump(index);
      }
    }
  }

  static asio::awaitable<void> connect_link(std::shared_ptr<Core> core, std::size_t index,
                                            std::shared_ptr<Conn> conn) {
    Link& link = *core->links_[index];
    boost::system::error_code ec;
    const auto endpoints = co_await conn->resolver.async_resolve(
        link.config.host, link.config.port, asio::redirect_error(asio::use_awaitable, ec));
    if (!core->is_current(link, conn)) co_return;
    if (ec) {
      link.session.connect_failed("resolve " + link.config.host + ": " + ec.message(),
                                  Clock::now());
      core->pump(index);
      co_return;
    }
    co_await asio::async_connect(conn->socket, endpoints,
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (!core->is_current(link, conn)) co_return;
    if (ec) {
      link.session.connect_failed(
          "connect " + link.config.host + ":" + link.config.port + ": " + ec.message(),
          Clock::now());
      core->pump(index);
      co_return;
    }
    // Small PDUs must not wait for the peer's delayed ACK (docs/ARCHITECTURE.md).
    conn->socket.set_option(tcp::no_delay(true), ec);
    if (ec) core->logger_.log(LogLevel::warning, "smpp: TCP_NODELAY: " + ec.message());
    conn->connected = true;
    link.session.connected(Clock::now());
    asio::co_spawn(core->io_, read_link(core, index, conn), LogExceptions{core->logger_, "read"});
    core->pump(index);
  }

  static asio::awaitable<void> read_link(std::shared_ptr<Core> core, std::size_t index,
                                         std::shared_ptr<Conn> conn) {
    Link& link = *core->links_[index];
    std::array<std::uint8_t, 16384> buffer;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = co_await conn->socket.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      if (!core->is_current(link, conn)) co_return;
      if (ec) {
        link.session.disconnected(
            ec == asio::error::eof ? "connection closed by the SMSC" : "read: " + ec.message(),
            Clock::now());
        core->pump(index);
        co_return;
      }
      link.session.received(ByteView(buffer.data(), n), Clock::now());
      core->pump(index);
    }
  }

  static asio::awaitable<void> write_link(std::shared_ptr<Core> core, std::size_t index,
                                          std::shared_ptr<Conn> conn) {
    while (!conn->pending.empty()) {
      const Bytes buffer = std::exchange(conn->pending, {});
      boost::system::error_code ec;
      co_await asio::async_write(conn->socket, asio::buffer(buffer),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        conn->writing = false;
        conn->pending.clear();
        Link& link = *core->links_[index];
        if (core->is_current(link, conn)) {
          link.session.disconnected("write: " + ec.message(), Clock::now());
          core->pump(index);
        } else {
          conn->close();
        }
        co_return;
      }
    }
    conn->writing = false;
    if (conn->close_when_flushed) conn->close();
  }

  bool is_current(const Link& link, const std::shared_ptr<Conn>& conn) const {
    return !closed_ && link.conn == conn;
  }

  void start_write(std::size_t index, const std::shared_ptr<Conn>& conn) {
    conn->writing = true;
    asio::co_spawn(io_, write_link(shared_from_this(), index, conn),
                   LogExceptions{logger_, "write"});
  }

  // ---- the driver loop: do what the session asks, until it asks for nothing more ----

  void pump(std::size_t index) {
    Link& link = *links_[index];
    if (link.pumping) {
      link.pump_again = true;  // a handler called back into us; the outer loop picks it up
      return;
    }
    link.pumping = true;
    do {
      link.pump_again = false;
      if (closed_) break;
      apply_socket(index);
      for (SessionEvent& event : link.session.take_events()) dispatch(index, std::move(event));
      if (link.session.has_output() ||
          (link.session.wants_connection() &&
           (!link.conn || link.conn->attempt != link.session.connection_attempt())))
        link.pump_again = true;
    } while (link.pump_again);
    if (!closed_) arm_timer(link);
    link.pumping = false;
    check_stopped();
  }

  void apply_socket(std::size_t index) {
    Link& link = *links_[index];
    Session& session = link.session;
    if (session.wants_connection() &&
        (!link.conn || link.conn->attempt != session.connection_attempt())) {
      if (link.conn) link.conn->close();
      link.conn = std::make_shared<Conn>(io_, session.connection_attempt());
      asio::co_spawn(io_, connect_link(shared_from_this(), index, link.conn),
                     LogExceptions{logger_, "connect"});
    }
    Bytes output = session.take_output();
    if (!output.empty()) {
      if (link.conn && link.conn->connected) {
        Bytes& pending = link.conn->pending;
        pending.insert(pending.end(), output.begin(), output.end());
      } else {
        logger_.log(LogLevel::debug, link.config.session.name, "output without a socket dropped");
      }
    }
    if (!session.wants_connection() && link.conn) {
      // Write what is left (an unbind_resp, a generic_nack), then close.
      std::shared_ptr<Conn> conn = std::move(link.conn);
      conn->close_when_flushed = true;
      if (!conn->connected || (!conn->writing && conn->pending.empty())) {
        conn->close();
      } else {
        if (!conn->writing) start_write(index, conn);
        asio::co_spawn(io_, close_when_stuck(conn), LogExceptions{logger_, "close"});
      }
      return;
    }
    if (link.conn && link.conn->connected && !link.conn->writing && !link.conn->pending.empty())
      start_write(index, link.conn);
  }

  void arm_timer(Link& link) {
    const TimePoint target = link.session.next_deadline().value_or(TimePoint::max());
    if (link.armed && *link.armed == target) return;
    link.armed = target;
    link.timer.expires_at(target);
  }

  void check_stopped() {
    if (!stopping_ || closed_) return;
    for (const auto& link : links_) {
      const LinkState state = link->session.state();
      if (state != LinkState::stopped && state != LinkState::idle) return;
    }
    closed_ = true;
    for (auto& link : links_) link->timer.cancel();
    logger_.log(LogLevel::info, "smpp: all links stopped");
    if (stop_done_) asio::post(io_, std::exchange(stop_done_, nullptr));
  }

  // ---- session events → transport events ----

  void dispatch(std::size_t index, SessionEvent event) {
    Link& link = *links_[index];
    const std::string& name = link.config.session.name;
    if (const auto* bound = std::get_if<event::Bound>(&event)) {
      if (handlers_.link) handlers_.link(transport::LinkStatus{name, true, bound->smsc_system_id});
    } else if (const auto* down = std::get_if<event::LinkDown>(&event)) {
      if (handlers_.link)
        handlers_.link(transport::LinkStatus{
            name, false, std::string(to_string(down->reason)) + ": " + down->detail});
    } else if (std::holds_alternative<event::Stopped>(event)) {
      if (handlers_.link) handlers_.link(transport::LinkStatus{name, false, "stopped"});
    } else if (auto* inbound = std::get_if<event::Inbound>(&event)) {
      deliver_inbound(index, *inbound);
    } else if (auto* result = std::get_if<event::SubmitResult>(&event)) {
      record_result(std::move(*result));
    }
    // BindFailed and Undecodable are logged by the session; LinkDown follows BindFailed.
  }

  void deliver_inbound(std::size_t index, const event::Inbound& inbound) {
    Link& link = *links_[index];
    transport::InboundPart part;
    part.connection = link.config.session.name;
    part.ack = transport::AckToken{index, inbound.id};
    std::uint8_t esm_class = 0;
    Bytes user_data;
    const Tlvs* tlvs = nullptr;
    std::visit(
        [&](const auto& message) {
          part.from = message.source.addr;
          part.to = message.destination.addr;
          part.data_coding = message.data_coding;
          esm_class = message.esm_class;
          tlvs = &message.tlvs;
          if constexpr (std::is_same_v<std::decay_t<decltype(message)>, DeliverSm>) {
            user_data = message.short_message;
          }
        },
        inbound.message);
    if (user_data.empty() && tlvs->message_payload) user_data = *tlvs->message_payload;

    if (sms::is_receipt_esm_class(esm_class) || tlvs->receipted_message_id) {
      sms::ReceiptTlvs receipt_tlvs;
      receipt_tlvs.receipted_message_id = tlvs->receipted_message_id;
      receipt_tlvs.message_state = tlvs->message_state;
      if (tlvs->network_error_code)
        receipt_tlvs.network_error_code = sms::ReceiptNetworkError{
            tlvs->network_error_code->network_type, tlvs->network_error_code->error_code};
      const std::string text(user_data.begin(), user_data.end());
      sms::ParsedReceipt parsed = sms::parse_receipt(receipt_tlvs, text);
      if (parsed.receipt) {
        part.receipt = std::move(parsed.receipt);
      } else {
        logger_.log(LogLevel::warning, part.connection,
                    "receipt without a message id: " + parsed.detail);
      }
    }
    if (part.receipt) {
      part.body = user_data;
    } else {
      sms::SarTlvs sar{tlvs->sar_msg_ref_num, tlvs->sar_total_segments, tlvs->sar_segment_seqnum};
      sms::ParsedUserData parsed = sms::parse_concat(esm_class, user_data, sar);
      if (parsed.error)
        logger_.log(LogLevel::warning, part.connection,
                    parsed.error.message() + ": " + parsed.detail);
      part.concat = parsed.concat;
      part.body = std::move(parsed.body);
    }
    part.text = sms::decode(part.data_coding, part.body);
    if (tlvs->ussd_service_op)
      part.ussd = transport::UssdInfo{*tlvs->ussd_service_op, tlvs->its_session_info};

    if (handlers_.inbound) {
      handlers_.inbound(part);
    } else {
      // Nobody can store it: let the SMSC keep it and try again later.
      link.session.acknowledge(inbound.id, false, Clock::now());
      link.pump_again = true;
    }
  }

  void submit_parts(std::size_t index, const transport::OutboundSms& sms,
                    const std::vector<sms::Part>& parts) {
    Link& link = *links_[index];
    const ConnectionConfig& config = link.config;
    const std::uint64_t key = next_send_key_++;
    PendingSend& pending = sends_[key];
    pending.result.id = sms.id;
    pending.result.connection = config.session.name;
    pending.result.message_ids.resize(parts.size());
    const TimePoint now = Clock::now();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const sms::Part& part = parts[i];
      SubmitSm submit;
      submit.service_type = sms.ussd && !config.ussd_service_type.empty() ? config.ussd_service_type
                                                                          : config.service_type;
      submit.source = sms.from.empty()
                          ? config.default_source
                          : make_address(sms.from, config.source_ton, config.source_npi);
      submit.destination = make_address(sms.to, config.destination_ton, config.destination_npi);
      submit.esm_class = part.udhi ? sms::esm_class_udhi : 0;
      submit.registered_delivery = sms.request_receipt ? 1 : 0;
      submit.data_coding = part.data_coding;
      submit.short_message = part.short_message;
      if (part.sar) {
        submit.tlvs.sar_msg_ref_num = part.sar->ref;
        submit.tlvs.sar_total_segments = part.sar->total;
        submit.tlvs.sar_segment_seqnum = part.sar->seq;
      }
      if (part.message_payload) submit.tlvs.message_payload = *part.message_payload;
      if (sms.ussd) {
        submit.tlvs.ussd_service_op = sms.ussd->service_op;
        submit.tlvs.its_session_info = sms.ussd->session_info;
      }
      const SubmitToken token = next_token_++;
      parts_[token] = PartRef{key, i};
      // capacity() was checked for all parts, so this cannot be refused.
      link.session.submit(std::move(submit), token, now);
    }
    pump(index);
  }

  void record_result(event::SubmitResult result) {
    const auto ref = parts_.find(result.token);
    if (ref == parts_.end()) return;
    const PartRef part = ref->second;
    parts_.erase(ref);
    const auto it = sends_.find(part.send_key);
    if (it == sends_.end()) return;
    PendingSend& pending = it->second;
    transport::SendResult& out = pending.result;
    switch (result.outcome) {
      case SubmitOutcome::accepted:
        out.message_ids[part.index] = result.message_id;
        break;
      case SubmitOutcome::failed_permanent:
        pending.failed = true;
        break;
      case SubmitOutcome::unknown:
        out.possibly_sent = true;
        pending.retry = true;
        break;
      case SubmitOutcome::failed_retryable:
        pending.retry = true;
        break;
    }
    if (result.outcome != SubmitOutcome::accepted) {
      if (out.error == 0) out.error = result.status;
      if (out.detail.empty()) out.detail = result.detail;
    }
    if (++pending.reported < out.message_ids.size()) return;
    out.status = pending.failed  ? transport::SendStatus::failed
                 : pending.retry ? transport::SendStatus::retry
                                 : transport::SendStatus::submitted;
    transport::SendResult done = std::move(out);
    sends_.erase(it);
    if (handlers_.sent) handlers_.sent(done);
  }

  asio::io_context& io_;
  protocol::Logger logger_;
  std::vector<std::unique_ptr<Link>> links_;
  Handlers handlers_;
  bool started_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  std::function<void()> stop_done_;

  std::map<SubmitToken, PartRef> parts_;
  std::map<std::uint64_t, PendingSend> sends_;
  SubmitToken next_token_ = 1;
  std::uint64_t next_send_key_ = 1;
};

SmppTransport::SmppTransport(asio::io_context& io, std::vector<ConnectionConfig> connections,
                             protocol::Logger logger)
    : core_(std::make_shared<Core>(io, std::move(connections), std::move(logger))) {}

SmppTransport::~SmppTransport() {
  core_->shutdown();
}

void SmppTransport::set_handlers(Handlers handlers) {
  core_->set_handlers(std::move(handlers));
}
void SmppTransport::start() {
  core_->start();
}
transport::SendAdmission SmppTransport::send(const transport::OutboundSms& sms) {
  return core_->send(sms);
}
void SmppTransport::acknowledge(const transport::AckToken& token, bool stored) {
  core_->acknowledge(token, stored);
}
void SmppTransport::stop(std::function<void()> done) {
  core_->stop(std::move(done));
}
bool SmppTransport::can_send() const {
  return core_->can_send();
}
std::vector<LinkInfo> SmppTransport::links() const {
  return core_->links();
}

}  // namespace lianxin::smpp
