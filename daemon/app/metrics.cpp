#include "daemon/app/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace lianxin::app {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value as the format wants it: backslash, double quote and newline escaped.
std::string escape_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// The shortest text that reads back as the same double; integers without a fraction.
std::string number(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

class Exposition {
 public:
  void family(const std::string& name, const char* type, const std::string& help) {
    out_ += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  }
  void sample(const std::string& name, const Labels& labels, double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i) out_ += ',';
        out_ += labels[i].first + "=\"" + escape_label(labels[i].second) + '"';
      }
      out_ += '}';
    }
    out_ += ' ' + number(value) + '\n';
  }
  // One family of samples keyed by a single label.
  template <typename Map>
  void by_label(const std::string& name, const char* type, const std::string& help,
                const std::string& label, const Map& values) {
    family(name, type, help);
    for (const auto& [key, value] : values)
      sample(name, {{label, key}}, static_cast<double>(value));
  }
  void histogram(const std::string& name, const std::string& help, const Histogram& h) {
    family(name, "histogram", help);
    const std::vector<std::uint64_t> cumulative = h.cumulative();
    for (std::size_t i = 0; i < h.bounds().size(); ++i)
      sample(name + "_bucket", {{"le", number(h.bounds()[i])}}, static_cast<double>(cumulative[i]));
    sample(name + "_bucket", {{"le", "+Inf"}}, static_cast<double>(h.count()));
    sample(name + "_sum", {}, h.sum());
    sample(name + "_count", {}, static_cast<double>(h.count()));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// The labels a family always shows, 0 until counted, so a dashboard's query finds them.
std::map<std::string, std::uint64_t> with_zeros(std::map<std::string, std::uint64_t> counts,
                                                std::initializer_list<const char*> keys) {
  for (const char* key : keys) counts.try_emplace(key, 0);
  return counts;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), in_bucket_(bounds_.size(), 0) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(double value) {
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  if (it != bounds_.end()) ++in_bucket_[static_cast<std::size_t>(it - bounds_.begin())];
  ++count_;
  sum_ += value;
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  std::vector<std::uint64_t> out(in_bucket_.size(), 0);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < in_bucket_.size(); ++i) out[i] = running += in_bucket_[i];
  return out;
}

std::string render_metrics(const MetricsSnapshot& s) {
  static const GatewayCounters kNone;
  const GatewayCounters& c = s.counters ? *s.counters : kNone;
  Exposition e;
  e.family("lianxin_build_info", "gauge", "The running lianxind's version (always 1).");
  e.sample("lianxin_build_info", {{"version", s.version}}, 1);
  e.family("lianxin_storage_ok", "gauge",
           "1 while commits to the database succeed; 0 after a failed one (lianxind stops).");
  e.sample("lianxin_storage_ok", {}, s.storing ? 1 : 0);

  e.by_label("lianxin_mo_parts_total", "counter",
             "Inbound SMS parts by result: stored, duplicate (repeated by the SMSC), refused "
             "(not stored; the SMSC re-delivers).",
             "result", with_zeros(c.mo_parts, {"stored", "duplicate", "refused"}));
  e.by_label("lianxin_mt_messages_total", "counter",
             "Outbound SMS by submit result: submitted, retried, failed, expired.", "result",
             with_zeros(c.mt_messages, {"submitted", "retried", "failed", "expired"}));
  e.by_label("lianxin_receipts_total", "counter",
             "Delivery receipts received, by the state they report.", "state",
             with_zeros(c.receipts, {"delivered"}));

  std::map<std::string, std::uint64_t> reconnects = c.reconnects;
  for (const auto& [connection, up] : s.links_up) reconnects.try_emplace(connection, 0);
  e.by_label("lianxin_smpp_link_up", "gauge", "1 while the SMPP connection is bound.", "connection",
             s.links_up);
  e.by_label("lianxin_smpp_reconnects_total", "counter",
             "Binds of an SMPP connection after its first one.", "connection", reconnects);

  e.by_label("lianxin_outbox_messages", "gauge",
             "Outbound SMS not yet handed to the SMSC, by state (queued, sending).", "state",
             s.outbox);
  e.family("lianxin_outbox_oldest_queued_age_seconds", "gauge",
           "Age of the oldest queued outbound SMS (0 when none is queued).");
  e.sample("lianxin_outbox_oldest_queued_age_seconds", {}, s.oldest_queued_seconds.value_or(0));

  e.by_label("lianxin_tickets", "gauge",
             "Tickets in memory (every open one, and closed ones within the retention), by state.",
             "state", s.tickets);
  e.family("lianxin_tickets_overdue", "gauge",
           "Open tickets past their accept or resolve deadline.");
  e.sample("lianxin_tickets_overdue", {}, static_cast<double>(s.overdue_tickets));
  e.family("lianxin_senders_throttled", "gauge",
           "Numbers throttled for flooding in the last minute (stored, not answered).");
  e.sample("lianxin_senders_throttled", {}, static_cast<double>(s.throttled_senders));

  e.histogram("lianxin_store_commit_duration_seconds",
              "Time of one database commit (a batch of inbound parts, tickets and outbox rows).",
              c.commit_seconds);
  e.histogram("lianxin_classifier_confidence_ratio",
              "The language model's confidence in the category of each new ticket.",
              c.classifier_confidence);
  return e.take();
}

}  // namespace lianxin::app
