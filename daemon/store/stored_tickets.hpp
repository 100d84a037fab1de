// The engine's TicketRepository over the store: a ticket is read on the connection that commits,
// so inside a commit (where the engine runs) it sees what that transaction wrote. A read that
// fails is an unknown ticket to the engine and an error for the daemon to report.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "daemon/domain/ticket_book.hpp"
#include "daemon/store/store.hpp"

namespace lianxin::store {

class StoredTickets final : public domain::TicketRepository {
 public:
  using OnError = std::function<void(const std::string& message)>;
  StoredTickets(Store& store, OnError on_error) : store_(store), on_error_(std::move(on_error)) {}

  std::optional<domain::Ticket> load(domain::TicketNo number) override {
    Outcome<std::optional<domain::Ticket>> found = store_.find_ticket(number);
    if (!found) {
      on_error_("storage: reading ticket " + std::to_string(number) + " failed (" +
                found.error.message() + "): " + found.message);
      return std::nullopt;
    }
    return std::move(found.value);
  }

 private:
  Store& store_;
  OnError on_error_;
};

}  // namespace lianxin::store
