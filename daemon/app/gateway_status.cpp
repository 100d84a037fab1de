// What the gateway tells about itself: the status line (systemd STATUS=, `lianxinctl status`),
// the metrics a Prometheus server scrapes, and whether it is healthy (/healthz). Every figure
// comes from counters, memory or an indexed query: cheap enough for every scrape.
#include <chrono>

#include "daemon/app/connections.hpp"
#include "daemon/app/gateway.hpp"

#ifndef LIANXIN_VERSION
#define LIANXIN_VERSION "0.0.0"
#endif

namespace lianxin::app {

// A connection counts as bound when every link of it is.
std::map<std::string, bool> Gateway::connections_bound() const {
  std::map<std::string, bool> bound;
  for (const std::string& connection : options_.connections) {
    bool any = false, all = true;
    for (const auto& [link, up] : links_up_) {
      if (connection_of_link(link) != connection) continue;
      any = true;
      all = all && up;
    }
    bound[connection] = any && all;
  }
  return bound;
}

std::string Gateway::status_line() {
  std::size_t bound = 0;
  for (const auto& [connection, up] : connections_bound()) bound += up ? 1 : 0;
  std::size_t open = 0;
  for (const auto& [state, n] : engine_.ticket_counts(domain::Clock::now()).by_state)
    if (!domain::is_terminal(state)) open += n;
  std::string outbox = "outbox ?";
  if (auto depth = store_.queue_depth()) {
    const long long waiting = depth.value.queued + static_cast<long long>(in_flight_.size());
    outbox = "outbox " + std::to_string(waiting) + " queued";
  }
  std::string line = "bound to " + std::to_string(bound) + "/" +
                     std::to_string(options_.connections.size()) + " SMSC, " +
                     count_of(open, "open ticket", "open tickets") + ", " + outbox;
  if (const std::size_t flooding = engine_.throttled_senders(domain::Clock::now()); flooding > 0) {
    line += ", " + count_of(flooding, "sender throttled", "senders throttled");
  }
  if (failed_) line = "storage failure, stopping; " + line;
  return line;
}

void Gateway::update_status(bool now) {
  if (!status_handler_) return;
  // At most once a second unless an operator-visible change (a link, a reload) asks for it.
  const auto steady_now = std::chrono::steady_clock::now();
  if (!now && steady_now - last_status_at_ < std::chrono::seconds(1)) return;
  last_status_at_ = steady_now;
  std::string line = status_line();
  if (line == last_status_) return;
  last_status_ = line;
  status_handler_(line);
}

MetricsSnapshot Gateway::metrics_snapshot() {
  const SystemTime now = domain::Clock::now();
  MetricsSnapshot s;
  s.counters = &counters_;
  s.links_up = connections_bound();
  s.storing = !failed_;
  s.outbox["sending"] = static_cast<long long>(in_flight_.size());
  if (auto depth = store_.queue_depth()) {
    s.outbox["queued"] = depth.value.queued;
    s.oldest_queued_seconds =
        depth.value.oldest ? std::chrono::duration<double>(
                                 std::max(now - *depth.value.oldest, SystemTime::duration::zero()))
                                 .count()
                           : 0.0;
  }
  const domain::Engine::TicketCounts tickets = engine_.ticket_counts(now);
  for (domain::TicketState state :
       {domain::TicketState::new_, domain::TicketState::awaiting_location,
        domain::TicketState::dispatched, domain::TicketState::accepted,
        domain::TicketState::resolved, domain::TicketState::reopened, domain::TicketState::closed,
        domain::TicketState::invalid, domain::TicketState::cancelled}) {
    auto it = tickets.by_state.find(state);
    s.tickets[std::string(domain::to_string(state))] =
        it == tickets.by_state.end() ? 0 : static_cast<long long>(it->second);
  }
  s.overdue_tickets = static_cast<long long>(tickets.overdue);
  s.throttled_senders = static_cast<long long>(engine_.throttled_senders(now));
  return s;
}

std::optional<std::string> Gateway::unhealthy() const {
  if (failed_) return "storage failed: lianxind is stopping";
  if (stopping_) return "stopping";
  for (const auto& [connection, up] : connections_bound())
    if (up) return std::nullopt;
  return "no SMSC connection is bound";
}

HttpAnswer answer_http(Gateway& gateway, std::string_view target) {
  if (target == "/metrics") {
    MetricsSnapshot snapshot = gateway.metrics_snapshot();
    snapshot.version = LIANXIN_VERSION;
    return {200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(snapshot)};
  }
  if (target == "/healthz") {
    if (auto why = gateway.unhealthy()) return {503, "text/plain; charset=utf-8", *why + "\n"};
    return {200, "text/plain; charset=utf-8", "ok: " + gateway.status_line() + "\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: lianxind serves /metrics and /healthz\n"};
}

}  // namespace lianxin::app
