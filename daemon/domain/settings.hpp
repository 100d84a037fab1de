// Pure configuration of the ticket domain. The YAML loader fills these structs; the domain reads
// them. Defaults (default_settings()) are what the shipped example configuration mirrors.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/templates.hpp"

namespace lianxin::domain {

// Who gets a ticket of a category first.
enum class RouteKind {
  grid,       // the members of the ticket's grid (least open tickets first)
  team,       // a service team, through its leader
  duty_desk,  // straight to the township (or county) duty desk
};
std::string_view to_string(RouteKind kind);
std::optional<RouteKind> route_kind_from_string(std::string_view text);

struct Category {
  std::string id;    // stable key in storage and config: "streetlight"
  std::string name;  // shown to people: "路灯"
  std::vector<std::string> keywords;
  RouteKind route = RouteKind::grid;
  std::string team;     // team id when route == team
  bool urgent = false;  // urgent categories bypass quiet hours (later issue)
  // SLA deadlines (used by the SLA issue; carried already so config has one shape).
  std::chrono::hours accept_within{24};
  std::chrono::hours resolve_within{72};
};

struct Windows {
  // A new text from a number with an open ticket created this recently joins that ticket.
  std::chrono::minutes duplicate_join{60};
  // How long to wait for the answer to "请问您在哪个村?" before the duty desk takes the ticket.
  std::chrono::minutes location_followup{120};
  // How long a resolved ticket waits for the villager's rating before closing as unrated.
  std::chrono::hours verification{72};
  // Closed tickets stay in the engine's memory this long (for queries), then only in storage.
  std::chrono::hours closed_retention{24 * 7};
};

// Auto-reply loop protection: the same text to the same number more than max_repeats times
// within `period` is held (not sent) and logged.
struct LoopProtection {
  int max_repeats = 5;
  std::chrono::minutes period{10};
};

struct PointsRules {
  int per_star = 2;  // a rating of n stars gives the assignee n * per_star points
};

struct Settings {
  std::string signature = "【连心桥】";
  std::string default_country = "86";
  std::vector<Category> categories;
  std::string fallback_category = "other";  // id used when no keyword matches
  Templates templates;
  Windows windows;
  LoopProtection loop_protection;
  PointsRules points;
  std::int64_t first_ticket_number = 1;
  std::size_t member_list_limit = 10;  // tickets listed in a 我的 reply

  const Category* find_category(std::string_view id) const;
};

std::vector<Category> default_categories();
Settings default_settings();

// What is wrong with the settings, one message per problem (empty: fine). For the config loader,
// which adds file positions: unknown fallback category, duplicate category ids, a team route
// without a team, templates with unknown placeholders or villager replies over one SMS, ...
std::vector<std::string> check_settings(const Settings& settings);

}  // namespace lianxin::domain
