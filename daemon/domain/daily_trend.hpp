// Tickets received and handled per local day (the daily trend of `lianxinctl report`). Pure:
// the caller reads tickets and their events and passes the days and "as of".
//
// With the definitions of stats.hpp, so that the days add up to the period's totals:
//   received on day D  tickets created on local day D, except those now invalid or cancelled.
//   handled on day D   tickets received in the days given whose state as of `as_of` is resolved
//                      or closed, counted on the day of the last event that took them there
//                      from an open state (without events: resolved_at, else closed_at).
// Days after the local day of `as_of` are not listed (nothing is known about them yet).
#pragma once

#include <chrono>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/domain/sla.hpp"
#include "daemon/domain/stats.hpp"

namespace lianxin::domain {

struct DailyCount {
  std::chrono::sys_days day;
  long long received = 0;
  long long handled = 0;
};

// One entry per local day of `days` up to the local day of `as_of`, oldest first.
std::vector<DailyCount> daily_counts(const std::vector<Ticket>& tickets,
                                     const EventsByTicket& events, DayRange days,
                                     const TimeZone& zone, TimePoint as_of);

}  // namespace lianxin::domain
