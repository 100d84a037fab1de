// The ticket loop: SMS in from the transport → inbox → reassembly → engine → outbox → SMS out.
//
// One io_context thread, no locks. Everything that must be stored is gathered during one
// event-loop turn into one store::WriteBatch and committed by one flush (group commit, one
// fsync), posted at most once per turn. Two invariants hold:
//  - no deliver_sm_resp (acknowledge) before the inbound part is committed, together with what
//    the engine decided on it (one transaction per flush: the engine runs inside it); if the
//    commit fails the SMSC gets ESME_RX_T_APPN and delivers again later;
//  - no SMS is submitted before its outbox row is committed: only rows handed out by a commit's
//    TakeRequest are sent.
// The outbound backlog lives in SQLite: a flush takes only as many due rows as the transport has
// room for; link-up, submit results, a retry timer and a slow poll ask for more.
//
// A failed commit means the engine's in-memory state may be ahead of the database (it already
// applied the messages whose effects were lost). Rather than run on with state nobody stored,
// the gateway refuses everything from then on and reports fatal: lianxind unbinds and exits 1,
// and systemd restarts it from the consistent database, where the unprocessed inbox rows are
// processed again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/app/engine_timers.hpp"
#include "daemon/app/http_server.hpp"
#include "daemon/app/journal.hpp"
#include "daemon/app/metrics.hpp"
#include "daemon/app/ussd_service.hpp"
#include "daemon/domain/engine.hpp"
#include "daemon/store/store.hpp"
#include "daemon/store/stored_tickets.hpp"
#include "protocol/asio.hpp"
#include "protocol/transport.hpp"

namespace lianxin::app {

struct GatewayOptions {
  // Source address of outbound SMS ("" = each connection's default source).
  std::string service_number;
  // Links (configured connections) the status line counts.
  std::vector<std::string> connections;
  // Outbox rows handed to the transport and not yet answered, at most.
  std::size_t max_in_flight = 20;
  // Retry backoff after a retryable submit failure: base * 2^(attempts-1), capped.
  std::chrono::milliseconds retry_base{2000};
  std::chrono::milliseconds retry_max{std::chrono::minutes(5)};
  int max_attempts = 12;  // then the row is marked failed
  // How often to look for due outbox rows (rows held until later, rows from before a restart).
  std::chrono::milliseconds outbox_poll{std::chrono::seconds(5)};
  sms::ReassemblerOptions reassembly;
  // ---- USSD ---- what each configured connection's USSD values mean (ussd_service.hpp).
  std::map<std::string, ussd::Dialect> ussd_dialects;
};

// The delay before the next attempt of a row already tried `attempts` times.
std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds base,
                                      std::chrono::milliseconds max);

class Gateway {
 public:
  using SystemTime = domain::TimePoint;

  Gateway(boost::asio::io_context& io, Journal& journal, store::Store& store,
          transport::Transport& transport, domain::Settings settings, domain::Directory directory,
          GatewayOptions options);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Recovers from the database (outbox rows left 'sending', open tickets, timers, unprocessed
  // inbox parts) and starts the transport. False (logged) when the database cannot be read.
  bool start();
  // Flushes, stops the transport (clean unbind, bounded), flushes again, then calls done with the
  // exit status (0, or 1 after a storage failure).
  void stop(std::function<void(int)> done);
  // SIGHUP: new settings and directory for the engine; SMPP links are left alone.
  void reload(domain::Settings settings, domain::Directory directory);

  // Called when the status line changed ("bound to 1/1 SMSC, 3 open tickets, outbox 0 queued").
  void on_status(std::function<void(const std::string&)> handler) {
    status_handler_ = std::move(handler);
  }
  // Called once when storage failed and the process should exit(1) after stopping.
  void on_fatal(std::function<void()> handler) { fatal_handler_ = std::move(handler); }

  std::string status_line();
  bool failed() const { return failed_; }
  // ---- metrics ---- (gateway_status.cpp) what one scrape of /metrics shows; /healthz: nullopt
  // while bound to an SMSC and storing, else why not.
  MetricsSnapshot metrics_snapshot();
  std::optional<std::string> unhealthy() const;
  const domain::Engine& engine() const { return engine_; }

  // ---- operator (the control socket, control_commands.hpp) ----
  // Called once the group commit holding what was handed in is done (stored = true) or failed.
  using Committed = std::function<void(bool stored)>;
  // False while stopping or after a storage failure: take no new work.
  bool accepting() const { return !stopping_ && !failed_; }
  // Runs an engine call now and, unless its Effects carry an error, puts its effects into the
  // next group commit like any SMS's (timers armed, log lines written); `committed` runs after
  // that commit. Returns the effects (to read the error, diagnostic or tickets).
  domain::Effects operator_call(
      const std::function<domain::Effects(domain::Engine&, SystemTime now)>& call,
      Committed committed);
  // New outbox rows (source: the service number when empty) and an optional broadcast row into
  // the next group commit; they are sent only after it, as every SMS.
  void enqueue(std::vector<store::OutboxRequest> sms,
               std::optional<store::BroadcastRecord> broadcast, Committed committed);
  // Reads for operators (same thread; the daemon is the only writer).
  store::Store& store() { return store_; }

 private:
  struct PendingPart {
    transport::InboundPart part;  // what the transport gave (fed to the assembler in the commit)
  };
  struct InFlight {
    int attempts = 1;
    std::string destination;
    std::optional<domain::TicketNo> ticket;
  };

  // transport handlers
  void on_inbound(const transport::InboundPart& part);
  void on_sent(const transport::SendResult& result);
  void on_link(const transport::LinkStatus& status);

  void schedule_flush();
  void flush();
  void commit_failed(const store::CommitResult& result, std::vector<PendingPart>& parts);
  void send_taken(std::vector<store::OutboxMessage>& taken, SystemTime now);
  void decide(const std::vector<PendingPart>& parts,
              const std::vector<store::InboxInsert>& inserted);
  void feed(const transport::InboundPart& part, std::int64_t inbox_id);
  void process(const transport::InboundSms& sms, SystemTime now);
  void apply(const domain::Effects& effects, SystemTime now);
  std::size_t room() const;
  bool may_take() const;

  void arm_engine_timer(const domain::TimerRequest& request);
  void rearm_engine_timer();
  void engine_timer_fired();
  void rearm_reassembly_timer();
  void reassembly_timer_fired();
  void arm_retry_timer(SystemTime at);
  void arm_poll_timer();
  void update_status(bool now = true);
  void log_effects(const domain::Effects& effects);

  boost::asio::io_context& io_;
  Journal& journal_;
  store::Store& store_;
  store::StoredTickets stored_tickets_;  // where the engine reads its tickets (before engine_)
  transport::Transport& transport_;
  domain::Engine engine_;
  GatewayOptions options_;
  transport::InboundAssembler assembler_;
  // ---- USSD ---- dialogues (gateway_ussd.cpp): screens go straight to the transport.
  UssdService ussd_;
  void process_ussd(const transport::InboundSms& sms, SystemTime now, std::vector<Field> fields);
  void send_ussd(const transport::OutboundSms& screen);
  void ussd_sent(const transport::SendResult& result);

  store::WriteBatch batch_;
  std::vector<PendingPart> pending_parts_;  // parallel to batch_.inbox
  std::vector<Committed> commit_waiters_;   // operator calls whose effects are in batch_
  bool flush_scheduled_ = false;
  bool want_take_ = true;  // the outbox may hold due rows
  std::map<std::uint64_t, InFlight> in_flight_;

  EngineTimers engine_timers_;
  boost::asio::system_timer engine_timer_;
  std::optional<SystemTime> engine_timer_at_;
  boost::asio::steady_timer reassembly_timer_;
  std::optional<std::chrono::steady_clock::time_point> reassembly_timer_at_;
  boost::asio::system_timer retry_timer_;
  std::optional<SystemTime> retry_timer_at_;
  boost::asio::steady_timer poll_timer_;

  std::map<std::string, bool> connections_bound() const;
  GatewayCounters counters_;

  std::map<std::string, bool> links_up_;  // link name → bound
  // link name → when it last bound (ms since the epoch): names the bind an inbound part came on,
  // so the store tells an SMSC re-delivery (a later bind) from a repeated text (the same bind).
  std::map<std::string, std::int64_t> link_sessions_;
  bool stopping_ = false;
  bool failed_ = false;
  std::function<void(const std::string&)> status_handler_;
  std::function<void()> fatal_handler_;
  std::string last_status_;
  std::chrono::steady_clock::time_point last_status_at_{};
  // Guards the timer handlers against running after the gateway is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// GET /metrics and /healthz (http_server.hpp) answered from the gateway; anything else is 404.
HttpAnswer answer_http(Gateway& gateway, std::string_view target);

}  // namespace lianxin::app
