#include "daemon/domain/model.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace lianxin::domain {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> parse_enum(const std::array<std::pair<Enum, std::string_view>, N>& names,
                               std::string_view text) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view enum_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                           Enum value) {
  for (const auto& [candidate, name] : names) {
    if (candidate == value) return name;
  }
  return "?";
}

constexpr std::array<std::pair<Role, std::string_view>, 5> kRoleNames{{
    {Role::member, "member"},
    {Role::grid_leader, "grid_leader"},
    {Role::team_leader, "team_leader"},
    {Role::duty_desk, "duty_desk"},
    {Role::helper, "helper"},
}};

constexpr std::array<std::pair<TicketState, std::string_view>, 9> kStateNames{{
    {TicketState::new_, "new"},
    {TicketState::awaiting_location, "awaiting_location"},
    {TicketState::dispatched, "dispatched"},
    {TicketState::accepted, "accepted"},
    {TicketState::resolved, "resolved"},
    {TicketState::closed, "closed"},
    {TicketState::reopened, "reopened"},
    {TicketState::invalid, "invalid"},
    {TicketState::cancelled, "cancelled"},
}};

constexpr std::array<std::pair<CloseReason, std::string_view>, 5> kCloseReasonNames{{
    {CloseReason::none, "none"},
    {CloseReason::rated, "rated"},
    {CloseReason::unrated, "unrated"},
    {CloseReason::cancelled, "cancelled"},
    {CloseReason::invalid, "invalid"},
}};

template <typename T, typename Key>
std::unordered_map<std::string, std::size_t> index_by(const std::vector<T>& items, Key key) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& k = key(items[i]);
    if (!k.empty()) index.emplace(k, i);  // first wins: duplicates are the loader's to report
  }
  return index;
}

template <typename T>
const T* lookup(const std::vector<T>& items,
                const std::unordered_map<std::string, std::size_t>& index, std::string_view key) {
  auto it = index.find(std::string(key));
  return it == index.end() ? nullptr : &items[it->second];
}

}  // namespace

std::string_view to_string(Role role) {
  return enum_name(kRoleNames, role);
}
std::optional<Role> role_from_string(std::string_view text) {
  return parse_enum(kRoleNames, text);
}
std::string_view to_string(TicketState state) {
  return enum_name(kStateNames, state);
}
std::optional<TicketState> ticket_state_from_string(std::string_view text) {
  return parse_enum(kStateNames, text);
}
std::string_view to_string(CloseReason reason) {
  return enum_name(kCloseReasonNames, reason);
}
std::optional<CloseReason> close_reason_from_string(std::string_view text) {
  return parse_enum(kCloseReasonNames, text);
}

namespace {
constexpr std::array<std::pair<TicketKind, std::string_view>, 2> kTicketKindNames{{
    {TicketKind::report, "report"},
    {TicketKind::order, "order"},
}};
}  // namespace

std::string_view to_string(TicketKind kind) {
  return enum_name(kTicketKindNames, kind);
}
std::optional<TicketKind> ticket_kind_from_string(std::string_view text) {
  return parse_enum(kTicketKindNames, text);
}

bool is_terminal(TicketState state) {
  return state == TicketState::closed || state == TicketState::invalid ||
         state == TicketState::cancelled;
}

bool is_with_assignee(TicketState state) {
  return state == TicketState::dispatched || state == TicketState::accepted ||
         state == TicketState::reopened;
}

bool Member::has_role(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Member::serves_grid(std::string_view grid_id) const {
  return std::find(grids.begin(), grids.end(), grid_id) != grids.end();
}

Directory::Directory(std::vector<Grid> grids, std::vector<Member> members,
                     std::vector<Resident> residents, std::vector<Team> teams,
                     std::vector<DutyDesk> duty_desks)
    : grids_(std::move(grids)),
      members_(std::move(members)),
      residents_(std::move(residents)),
      teams_(std::move(teams)),
      duty_desks_(std::move(duty_desks)) {
  grid_index_ = index_by(grids_, [](const Grid& g) -> const std::string& { return g.id; });
  member_index_ = index_by(members_, [](const Member& m) -> const std::string& { return m.id; });
  member_phone_index_ =
      index_by(members_, [](const Member& m) -> const std::string& { return m.phone; });
  resident_phone_index_ =
      index_by(residents_, [](const Resident& r) -> const std::string& { return r.phone; });
  team_index_ = index_by(teams_, [](const Team& t) -> const std::string& { return t.id; });
}

const Grid* Directory::find_grid(std::string_view id) const {
  return lookup(grids_, grid_index_, id);
}
const Member* Directory::find_member(std::string_view id) const {
  return lookup(members_, member_index_, id);
}
const Member* Directory::member_by_phone(std::string_view e164) const {
  return lookup(members_, member_phone_index_, e164);
}
const Resident* Directory::resident_by_phone(std::string_view e164) const {
  return lookup(residents_, resident_phone_index_, e164);
}
const Team* Directory::find_team(std::string_view id) const {
  return lookup(teams_, team_index_, id);
}

std::vector<std::string> Directory::duty_desk_members(std::string_view township) const {
  std::vector<std::string> result;
  for (const DutyDesk& desk : duty_desks_) {
    if (desk.township == township) result.push_back(desk.member);
  }
  return result;
}

}  // namespace lianxin::domain
