// Routing: who gets a ticket. Pure function of the directory, the category's route, the grid,
// the members already tried and everybody's open-ticket count.
//
// Order of candidates:
//   route grid:      the grid's members (not its leader, not duty desks), fewest open tickets
//                    first, ties in directory order
//   route team:      the team leader, then the team's members (fewest open first)
//                    (also every service order, 网格点单: RouteRequest::team)
//   route duty_desk: straight to the township desk(s), the county desk(s), then the grid leader
// then, for grid and team routes, the grid leader, then the township duty desk(s), then the
// county desk(s).
// Only members on duty are eligible; members already tried are skipped (hand-back → next).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/domain/settings.hpp"

namespace lianxin::domain {

enum class RouteStep { grid_member, team_leader, team_member, grid_leader, duty_desk, none };
std::string_view to_string(RouteStep step);

// Open tickets per member id (tickets the member still has to handle).
using OpenLoad = std::unordered_map<std::string, std::size_t>;

struct RouteRequest {
  const Category* category = nullptr;  // null: route like a grid category
  std::optional<std::string> grid;     // null: location unknown → duty desks
  std::vector<std::string> tried;      // member ids already dispatched to
  // A member who reported it (or raised it for someone): never their own handler.
  std::optional<std::string> reporter{};
  // A complaint (作风投诉): the members it is about, and the members of the grid it came from.
  std::vector<std::string> complained_about{};
  // ---- four orders ---- a service order: through this team (id), whatever the category says.
  std::optional<std::string> team{};
};

struct RouteDecision {
  std::optional<std::string> member;  // nullopt: nobody left
  RouteStep step = RouteStep::none;
  std::vector<std::string> trace;   // one line per candidate considered, for `explain`
  std::string explanation() const;  // the trace joined with "; "
};

RouteDecision route_ticket(const Directory& directory, const RouteRequest& request,
                           const OpenLoad& load);

}  // namespace lianxin::domain
