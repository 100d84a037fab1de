// The ticket's state machine as one table: which (from, to) changes exist. Every change goes
// through Call::transition (engine_call.hpp), which consults it; the engine tests check every
// event they see against it.
#pragma once

#include "daemon/domain/model.hpp"

namespace lianxin::domain {

// True when a ticket in `from` may move to `to`. A ticket's first event (created) has no `from`;
// staying in a state (a new assignee, a note) is not a change and needs no row.
bool transition_allowed(TicketState from, TicketState to);

}  // namespace lianxin::domain
