#include "daemon/store/reports.hpp"

#include <unistd.h>

#include <cerrno>

#include <SQLiteCpp/SQLiteCpp.h>
#include <filesystem>
#include <stdexcept>
#include <variant>

#include "daemon/store/codec.hpp"
#include "daemon/store/rows.hpp"
#include "daemon/store/schema.hpp"

namespace lianxin::store {

using codec::from_ms;
using codec::to_ms;

using internal::attempt;
using internal::kTicketEventColumns;
using internal::read_ticket;
using internal::read_ticket_event;
using internal::TicketColumns;

class ReportReader::Impl {
 public:
  Impl(const std::string& path, std::chrono::milliseconds busy_timeout)
      : db(path, SQLite::OPEN_READONLY, static_cast<int>(busy_timeout.count())) {}

  SQLite::Database db;
  int version = 0;
  TicketColumns columns;  // those the tickets table of this schema version has
};

ReportReader ReportReader::open(const std::string& path, std::chrono::milliseconds busy_timeout) {
  std::error_code fs_error;
  const bool exists = std::filesystem::exists(path, fs_error);
  const auto denied = [&path] {
    return StoreOpenError(make_error_code(StoreError::cannot_open),
                          "permission denied reading " + path +
                              ": add yourself to the group lianxin (usermod -aG lianxin $USER, "
                              "then log in again) or use sudo");
  };
  if (fs_error == std::errc::permission_denied) throw denied();
  if (!exists) {
    throw StoreOpenError(make_error_code(StoreError::cannot_open),
                         "no database at " + path + " (has lianxind run with this configuration?)");
  }
  if (::access(path.c_str(), R_OK) != 0 && errno == EACCES) throw denied();
  try {
    auto impl = std::make_unique<Impl>(path, busy_timeout);
    const int app = impl->db.execAndGet("PRAGMA application_id").getInt();
    impl->version = impl->db.execAndGet("PRAGMA user_version").getInt();
    if ((app != 0 && app != kApplicationId) || impl->version == 0) {
      throw StoreOpenError(make_error_code(StoreError::not_our_database),
                           path + " is not a lianxin database");
    }
    if (impl->version > kSchemaVersion) {
      throw StoreOpenError(make_error_code(StoreError::schema_too_new),
                           path + " has schema version " + std::to_string(impl->version) +
                               " but this lianxinctl knows versions up to " +
                               std::to_string(kSchemaVersion) +
                               "; use the lianxinctl of the "
                               "running lianxind");
    }
    if (impl->version < 2) {
      throw StoreOpenError(make_error_code(StoreError::invalid_argument),
                           path + " has schema version " + std::to_string(impl->version) +
                               " (no tickets yet); start lianxind once to migrate it");
    }
    impl->columns = TicketColumns::of(impl->db);
    return ReportReader(std::move(impl));
  } catch (const SQLite::Exception& e) {
    throw StoreOpenError(make_error_code(StoreError::cannot_open),
                         "cannot read " + path + ": " + e.what() +
                             " (may you read it and its -wal/-shm files? try sudo)");
  }
}

ReportReader::ReportReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReportReader::ReportReader(ReportReader&&) noexcept = default;
ReportReader& ReportReader::operator=(ReportReader&&) noexcept = default;
ReportReader::~ReportReader() = default;

int ReportReader::schema_version() const {
  return impl_->version;
}

Outcome<std::vector<domain::Ticket>> ReportReader::tickets(const TicketQuery& query) {
  return attempt<std::vector<domain::Ticket>>([&] {
    std::vector<std::string> conditions;
    std::vector<std::variant<std::string, std::int64_t>> values;  // ?1, ?2, ... in order
    auto text_param = [&](const std::string& value) {
      values.emplace_back(value);
      return "?" + std::to_string(values.size());
    };
    auto int_parameter = [&](std::int64_t value) {
      values.emplace_back(value);
      return "?" + std::to_string(values.size());
    };
    if (!query.states.empty()) {
      std::string in;
      for (domain::TicketState s : query.states)
        in += (in.empty() ? "" : ", ") + text_param(std::string(domain::to_string(s)));
      conditions.push_back("state IN (" + in + ")");
    }
    if (query.grids_given || !query.grids.empty()) {
      if (query.grids.empty()) {
        conditions.push_back("0");
      } else {
        std::string in;
        for (const std::string& g : query.grids) in += (in.empty() ? "" : ", ") + text_param(g);
        conditions.push_back("grid IN (" + in + ")");
      }
    }
    if (query.assignee) conditions.push_back("assignee = " + text_param(*query.assignee));
    if (query.category) conditions.push_back("category = " + text_param(*query.category));
    if (query.review_only) {
      conditions.push_back(impl_->version >= 6 ? "needs_review = 1" : "0");
    }
    if (query.created_to)
      conditions.push_back("created_at_ms < " + int_parameter(to_ms(*query.created_to)));
    if (query.created_from) {
      const std::string from = int_parameter(to_ms(*query.created_from));
      if (query.with_carry_over) {
        conditions.push_back("(created_at_ms >= " + from +
                             " OR state NOT IN ('closed', 'invalid', 'cancelled')"
                             " OR closed_at_ms IS NULL OR closed_at_ms >= " +
                             from + ")");
      } else {
        conditions.push_back("created_at_ms >= " + from);
      }
    }
    std::string sql = "SELECT " + impl_->columns.select_list() + " FROM tickets";
    for (std::size_t i = 0; i < conditions.size(); ++i)
      sql += (i == 0 ? " WHERE " : " AND ") + conditions[i];
    sql += query.newest_first ? " ORDER BY number DESC" : " ORDER BY number";
    if (query.limit != 0) sql += " LIMIT " + std::to_string(query.limit);
    SQLite::Statement q(impl_->db, sql);
    for (std::size_t i = 0; i < values.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      if (const auto* text = std::get_if<std::string>(&values[i]))
        q.bind(index, *text);
      else
        q.bind(index, std::get<std::int64_t>(values[i]));
    }
    std::vector<domain::Ticket> out;
    while (q.executeStep()) out.push_back(read_ticket(q, impl_->columns));
    return out;
  });
}

Outcome<domain::EventsByTicket> ReportReader::events_of(
    const std::vector<domain::TicketNo>& numbers) {
  return attempt<domain::EventsByTicket>([&] {
    domain::EventsByTicket out;
    if (numbers.empty()) return out;
    std::string list = "[";
    for (std::size_t i = 0; i < numbers.size(); ++i)
      list += (i ? "," : "") + std::to_string(numbers[i]);
    list += "]";
    SQLite::Statement q(impl_->db,
                        std::string("SELECT ") + kTicketEventColumns +
                            " FROM ticket_events WHERE ticket IN (SELECT value FROM json_each(?1)) "
                            "ORDER BY ticket, id");
    q.bind(1, list);
    while (q.executeStep()) {
      domain::TicketEvent e = read_ticket_event(q);
      out[e.ticket].push_back(std::move(e));
    }
    return out;
  });
}

Outcome<std::optional<domain::Ticket>> ReportReader::find_ticket(domain::TicketNo number) {
  return attempt<std::optional<domain::Ticket>>([&]() -> std::optional<domain::Ticket> {
    SQLite::Statement q(
        impl_->db, "SELECT " + impl_->columns.select_list() + " FROM tickets WHERE number = ?1");
    q.bind(1, static_cast<std::int64_t>(number));
    if (!q.executeStep()) return std::nullopt;
    return read_ticket(q, impl_->columns);
  });
}

Outcome<std::vector<domain::TicketEvent>> ReportReader::history(domain::TicketNo number) {
  return attempt<std::vector<domain::TicketEvent>>([&] {
    SQLite::Statement q(impl_->db, std::string("SELECT ") + kTicketEventColumns +
                                       " FROM ticket_events WHERE ticket = ?1 ORDER BY id");
    q.bind(1, static_cast<std::int64_t>(number));
    std::vector<domain::TicketEvent> events;
    while (q.executeStep()) events.push_back(read_ticket_event(q));
    return events;
  });
}

Outcome<std::vector<domain::PointsRecord>> ReportReader::points(std::optional<TimePoint> from,
                                                                std::optional<TimePoint> to) {
  return attempt<std::vector<domain::PointsRecord>>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT p.member, coalesce(p.ticket, 0), p.points, p.reason, p.at_ms, "
                        "coalesce(t.grid, '') FROM points_ledger p "
                        "LEFT JOIN tickets t ON t.number = p.ticket "
                        "WHERE (?1 IS NULL OR p.at_ms >= ?1) AND (?2 IS NULL OR p.at_ms < ?2) "
                        "ORDER BY p.id");
    if (from) q.bind(1, to_ms(*from));
    if (to) q.bind(2, to_ms(*to));
    std::vector<domain::PointsRecord> out;
    while (q.executeStep()) {
      domain::PointsRecord r;
      r.entry.member = q.getColumn(0).getString();
      r.entry.ticket = q.getColumn(1).getInt64();
      r.entry.points = q.getColumn(2).getInt();
      r.entry.reason = q.getColumn(3).getString();
      r.entry.at = from_ms(q.getColumn(4).getInt64());
      r.ticket_grid = q.getColumn(5).getString();
      out.push_back(std::move(r));
    }
    return out;
  });
}

Outcome<std::vector<TicketSms>> ReportReader::sms_of(domain::TicketNo number) {
  return attempt<std::vector<TicketSms>>([&] {
    SQLite::Statement q(impl_->db,
                        "SELECT o.id, o.destination, o.state, o.created_at_ms, count(p.part), "
                        "coalesce(sum(p.state = 'delivered'), 0) FROM outbox o "
                        "LEFT JOIN outbox_parts p ON p.outbox_id = o.id WHERE o.ticket = ?1 "
                        "GROUP BY o.id ORDER BY o.id");
    q.bind(1, static_cast<std::int64_t>(number));
    std::vector<TicketSms> out;
    while (q.executeStep()) {
      out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(4).getInt(), q.getColumn(5).getInt(),
                     from_ms(q.getColumn(3).getInt64())});
    }
    return out;
  });
}

Outcome<std::vector<domain::Correction>> ReportReader::corrections() {
  return attempt<std::vector<domain::Correction>>([&] {
    std::vector<domain::Correction> out;
    if (impl_->version < 6) return out;
    SQLite::Statement q(impl_->db,
                        "SELECT ticket, text, from_category, to_category, urgent, actor, reason, "
                        "at_ms FROM category_corrections ORDER BY id");
    while (q.executeStep()) {
      out.push_back(domain::Correction{
          q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
          q.getColumn(3).getString(), q.getColumn(4).getInt() != 0, q.getColumn(5).getString(),
          q.getColumn(6).getString(), from_ms(q.getColumn(7).getInt64())});
    }
    return out;
  });
}

}  // namespace lianxin::store
