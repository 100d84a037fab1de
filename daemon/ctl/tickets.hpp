// `lianxinctl tickets` and `lianxinctl ticket N`: tickets and their history as an operator reads
// them, from the daemon's database. Rendering only; the caller reads the store.
#pragma once

#include <string>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::ctl {

enum class Format { table, csv, json };

// Columns: number, state, category, village, assignee, rating, created, text (shortened in the
// table). Times in local time (set TZ to the configured zone).
std::string render_tickets(const std::vector<domain::Ticket>& tickets,
                           const domain::Settings& settings, const domain::Directory& directory,
                           Format format);

// One ticket and its events, oldest first.
std::string render_history(const domain::Ticket& ticket,
                           const std::vector<domain::TicketEvent>& events,
                           const domain::Settings& settings, const domain::Directory& directory);

// Terminal columns a UTF-8 string takes (CJK and full-width forms take two).
std::size_t display_width(std::string_view text);

}  // namespace lianxin::ctl
