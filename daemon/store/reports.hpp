// Read-only access to lianxind's database for reports (lianxinctl tickets, ticket, stats,
// points). lianxind is the only writer: this opens its own connection with OPEN_READONLY (WAL
// lets it read while the daemon writes) and never migrates. Databases at schema version 4 (before
// the SLA columns) are read too: the missing columns read as their defaults.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/domain/stats.hpp"
#include "daemon/store/error.hpp"

namespace lianxin::store {

using domain::TimePoint;

struct TicketQuery {
  std::vector<domain::TicketState> states;  // empty: any
  std::vector<std::string> grids;           // empty: any (a township is given as its grids)
  bool grids_given = false;                 // true: only `grids` (none matches when empty)
  std::optional<std::string> assignee;      // member id
  std::optional<std::string> category;
  std::optional<TimePoint> created_from;  // inclusive
  std::optional<TimePoint> created_to;    // exclusive
  // With created_from: also tickets created earlier that were not finished (closed, invalid,
  // cancelled) before created_from, so that stats can count what is overdue at the period end.
  bool with_carry_over = false;
  std::size_t limit = 0;  // 0: no limit
  bool newest_first = true;
  bool review_only = false;  // only tickets waiting for 过滤核实 (none before schema 6)
};

// One SMS sent about a ticket and how far it got. A long SMS is delivered when every part is,
// failed when one part failed.
struct TicketSms {
  std::int64_t id = 0;
  std::string to;     // E.164
  std::string state;  // queued, sending, submitted, delivered, failed, expired
  int parts = 0;      // segments with a message id
  int parts_delivered = 0;
  TimePoint created_at{};
};

class ReportReader {
 public:
  // Throws StoreOpenError: no such file, not a lianxin database, schema older than 2 (no
  // tickets) or newer than this build knows.
  static ReportReader open(const std::string& path,
                           std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

  ReportReader(ReportReader&&) noexcept;
  ReportReader& operator=(ReportReader&&) noexcept;
  ~ReportReader();

  int schema_version() const;

  Outcome<std::vector<domain::Ticket>> tickets(const TicketQuery& query);
  // The events of these tickets, oldest first per ticket, in one query.
  Outcome<domain::EventsByTicket> events_of(const std::vector<domain::TicketNo>& numbers);
  Outcome<std::optional<domain::Ticket>> find_ticket(domain::TicketNo number);
  Outcome<std::vector<domain::TicketEvent>> history(domain::TicketNo number);
  // Points ledger entries at [from, to) (either open), with the grid of each entry's ticket.
  Outcome<std::vector<domain::PointsRecord>> points(std::optional<TimePoint> from,
                                                    std::optional<TimePoint> to);
  // The SMS about a ticket, oldest first.
  Outcome<std::vector<TicketSms>> sms_of(domain::TicketNo number);
  // The operators' category corrections (过滤核实), oldest first; none before schema 6.
  Outcome<std::vector<domain::Correction>> corrections();

 private:
  class Impl;
  explicit ReportReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lianxin::store
