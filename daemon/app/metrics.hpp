// What lianxind tells a Prometheus server (GET /metrics): counters the gateway keeps as things
// happen, gauges read when scraped, and the text exposition format 0.0.4. Pure: the snapshot is
// filled by the gateway (gateway_metrics.cpp); render_metrics only formats it, so the names,
// labels and escaping are tested without a socket.
//
// Names follow Prometheus conventions: the `lianxin_` prefix, base units (seconds), `_total` on
// counters, one metric family per name with its HELP and TYPE lines.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lianxin::app {

// A cumulative histogram with fixed upper bounds (the +Inf bucket is implied).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // counts()[i]: observations <= bounds()[i] (cumulative); count(): all of them.
  std::vector<std::uint64_t> cumulative() const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> in_bucket_;  // per bound, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

// Counted by the gateway as things happen, from the start of the process.
struct GatewayCounters {
  // Inbound SMS parts by what became of them: stored, duplicate (the SMSC repeated a stored
  // part), refused (not stored: storage failed, the SMSC will re-deliver).
  std::map<std::string, std::uint64_t> mo_parts;
  // Outbound SMS by the result of a submit: submitted, retried, failed, expired.
  std::map<std::string, std::uint64_t> mt_messages;
  // Delivery receipts by the state they report (delivered, undeliverable, ...).
  std::map<std::string, std::uint64_t> receipts;
  // Binds after the first one, per connection.
  std::map<std::string, std::uint64_t> reconnects;
  Histogram commit_seconds{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1}};
  // The category confidence of each new ticket (what 过滤核实 thresholds act on).
  Histogram classifier_confidence{{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99}};
};

// Everything one scrape shows.
struct MetricsSnapshot {
  std::string version;
  const GatewayCounters* counters = nullptr;
  std::map<std::string, bool> links_up;         // per configured connection
  std::map<std::string, long long> outbox;      // not yet submitted, by state (queued, sending)
  std::optional<double> oldest_queued_seconds;  // age of the oldest queued SMS; none queued: 0
  std::map<std::string, long long> tickets;     // in memory, by state
  long long overdue_tickets = 0;
  long long throttled_senders = 0;
  bool storing = true;  // false once a commit failed (the daemon is stopping)
};

// The text exposition format (Content-Type: text/plain; version=0.0.4).
std::string render_metrics(const MetricsSnapshot& snapshot);

}  // namespace lianxin::app
