#include "daemon/domain/transitions.hpp"

#include <array>
#include <utility>

namespace lianxin::domain {
namespace {

using S = TicketState;

// (from, to) pairs, grouped by `from`; closed, invalid and cancelled are final.
constexpr std::array kTransitions{
    std::pair{S::new_, S::awaiting_location},
    std::pair{S::new_, S::dispatched},
    std::pair{S::new_, S::invalid},
    std::pair{S::new_, S::cancelled},
    std::pair{S::new_, S::closed},

    std::pair{S::awaiting_location, S::dispatched},
    std::pair{S::awaiting_location, S::invalid},
    std::pair{S::awaiting_location, S::cancelled},
    std::pair{S::awaiting_location, S::closed},

    std::pair{S::dispatched, S::accepted},
    std::pair{S::dispatched, S::resolved},
    std::pair{S::dispatched, S::invalid},
    std::pair{S::dispatched, S::cancelled},
    std::pair{S::dispatched, S::closed},

    std::pair{S::accepted, S::dispatched},
    std::pair{S::accepted, S::resolved},
    std::pair{S::accepted, S::invalid},
    std::pair{S::accepted, S::cancelled},
    std::pair{S::accepted, S::closed},

    std::pair{S::resolved, S::closed},
    std::pair{S::resolved, S::reopened},

    std::pair{S::reopened, S::dispatched},
    std::pair{S::reopened, S::accepted},
    std::pair{S::reopened, S::resolved},
    std::pair{S::reopened, S::invalid},
    std::pair{S::reopened, S::cancelled},
    std::pair{S::reopened, S::closed},
};

}  // namespace

bool transition_allowed(TicketState from, TicketState to) {
  for (const auto& [f, t] : kTransitions)
    if (f == from && t == to) return true;
  return false;
}

}  // namespace lianxin::domain
