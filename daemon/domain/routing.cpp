#include "daemon/domain/routing.hpp"

#include <algorithm>

namespace lianxin::domain {
namespace {

std::size_t open_count(const OpenLoad& load, const std::string& member) {
  auto it = load.find(member);
  return it == load.end() ? 0 : it->second;
}

class CandidateWalk {
 public:
  CandidateWalk(const Directory& directory, const RouteRequest& request, const OpenLoad& load,
                RouteDecision& decision)
      : directory_(directory), request_(request), load_(load), decision_(decision) {}

  // Picks the least loaded eligible member of `ids` (stable: first in the given order on ties).
  bool pick_least_loaded(const std::vector<std::string>& ids, RouteStep step,
                         std::string_view label) {
    const Member* best = nullptr;
    std::size_t best_load = 0;
    for (const std::string& id : ids) {
      const Member* member = eligible(id, label);
      if (member == nullptr) continue;
      std::size_t open = open_count(load_, id);
      decision_.trace.push_back(std::string(label) + " " + id + ": " + std::to_string(open) +
                                " open");
      if (best == nullptr || open < best_load) {
        best = member;
        best_load = open;
      }
    }
    if (best == nullptr) return false;
    decision_.member = best->id;
    decision_.step = step;
    decision_.trace.push_back("chose " + best->id + " (" + std::string(to_string(step)) +
                              ", fewest open tickets)");
    return true;
  }

  bool pick_one(const std::string& id, RouteStep step, std::string_view label) {
    if (id.empty() || eligible(id, label) == nullptr) return false;
    decision_.member = id;
    decision_.step = step;
    decision_.trace.push_back("chose " + id + " (" + std::string(to_string(step)) + ")");
    return true;
  }

 private:
  // The member when it exists, is on duty and was not tried yet; traces why not otherwise.
  const Member* eligible(const std::string& id, std::string_view label) {
    if (std::find(checked_.begin(), checked_.end(), id) != checked_.end()) return nullptr;
    checked_.push_back(id);
    const Member* member = directory_.find_member(id);
    std::string skip;
    if (member == nullptr) {
      skip = "not in the directory";
    } else if (request_.reporter == id) {
      skip = "reported it";
    } else if (std::find(request_.complained_about.begin(), request_.complained_about.end(), id) !=
               request_.complained_about.end()) {
      skip = "the complaint is about them or their grid";
    } else if (std::find(request_.tried.begin(), request_.tried.end(), id) !=
               request_.tried.end()) {
      skip = "already tried";
    } else if (!member->on_duty) {
      skip = "off duty";
    }
    if (!skip.empty()) {
      decision_.trace.push_back(std::string(label) + " " + id + ": skipped, " + skip);
      return nullptr;
    }
    return member;
  }

  const Directory& directory_;
  const RouteRequest& request_;
  const OpenLoad& load_;
  RouteDecision& decision_;
  std::vector<std::string> checked_;  // each member is considered once
};

}  // namespace

std::string_view to_string(RouteStep step) {
  switch (step) {
    case RouteStep::grid_member:
      return "grid_member";
    case RouteStep::team_leader:
      return "team_leader";
    case RouteStep::team_member:
      return "team_member";
    case RouteStep::grid_leader:
      return "grid_leader";
    case RouteStep::duty_desk:
      return "duty_desk";
    case RouteStep::none:
      return "none";
  }
  return "?";
}

std::string RouteDecision::explanation() const {
  std::string out;
  for (const std::string& line : trace) {
    out += out.empty() ? "" : "; ";
    out += line;
  }
  return out;
}

RouteDecision route_ticket(const Directory& directory, const RouteRequest& request,
                           const OpenLoad& load) {
  RouteDecision decision;
  CandidateWalk walk(directory, request, load, decision);
  // A service order names its team; otherwise the category's route decides.
  const RouteKind kind = request.team
                             ? RouteKind::team
                             : (request.category ? request.category->route : RouteKind::grid);
  const std::string team_id =
      request.team ? *request.team : (request.category ? request.category->team : "");
  const Grid* grid = request.grid ? directory.find_grid(*request.grid) : nullptr;
  if (request.grid && grid == nullptr) {
    decision.trace.push_back("grid " + *request.grid + " is not in the directory");
  }
  if (grid == nullptr) decision.trace.push_back("location unknown: duty desk");

  if (kind == RouteKind::team) {
    const Team* team = directory.find_team(team_id);
    if (team == nullptr) {
      decision.trace.push_back("team " + team_id + " is not in the directory: routing by grid");
    } else {
      decision.trace.push_back("route: team " + team->id + " (" + team->name + ")");
      if (walk.pick_one(team->leader, RouteStep::team_leader, "team leader")) return decision;
      if (walk.pick_least_loaded(team->members, RouteStep::team_member, "team member")) {
        return decision;
      }
    }
  }
  if (kind != RouteKind::duty_desk && grid != nullptr) {
    if (kind == RouteKind::grid || directory.find_team(team_id) == nullptr) {
      decision.trace.push_back("route: members of grid " + grid->id + " (" + grid->name + ")");
      std::vector<std::string> members;
      for (const Member& member : directory.members()) {
        if (member.serves_grid(grid->id) && member.id != grid->leader &&
            !member.has_role(Role::duty_desk)) {
          members.push_back(member.id);
        }
      }
      if (walk.pick_least_loaded(members, RouteStep::grid_member, "grid member")) return decision;
    }
  }
  const bool leader_first = kind != RouteKind::duty_desk;
  if (leader_first && grid != nullptr &&
      walk.pick_one(grid->leader, RouteStep::grid_leader, "grid leader")) {
    return decision;
  }
  const std::string township = grid ? grid->township : std::string();
  if (walk.pick_least_loaded(directory.duty_desk_members(township), RouteStep::duty_desk,
                             "duty desk")) {
    return decision;
  }
  if (!township.empty() && walk.pick_least_loaded(directory.duty_desk_members(""),
                                                  RouteStep::duty_desk, "county duty desk")) {
    return decision;
  }
  // A duty-desk category whose desks are all gone still has the grid leader.
  if (!leader_first && grid != nullptr &&
      walk.pick_one(grid->leader, RouteStep::grid_leader, "grid leader")) {
    return decision;
  }
  decision.trace.push_back("nobody left to take the ticket");
  return decision;
}

}  // namespace lianxin::domain
