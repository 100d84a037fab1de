#include "daemon/domain/routing.hpp"

#include <gtest/gtest.h>

#include "tests/unit/domain_fixture.hpp"

namespace lianxin::domain {
namespace {

using testing::make_directory;

class Routing : public ::testing::Test {
 protected:
  RouteDecision route(std::string_view category, std::optional<std::string> grid,
                      std::vector<std::string> tried = {}) {
    return route_ticket(directory, {settings.find_category(category), std::move(grid), tried},
                        load);
  }

  Settings settings = default_settings();
  Directory directory = make_directory();
  OpenLoad load;
};

TEST_F(Routing, FewestOpenTicketsWins) {
  load["m-wang"] = 3;
  load["m-li"] = 1;
  RouteDecision d = route("streetlight", "g-daxi");
  ASSERT_TRUE(d.member);
  EXPECT_EQ(*d.member, "m-li");
  EXPECT_EQ(d.step, RouteStep::grid_member);
}

TEST_F(Routing, TiesGoToDirectoryOrder) {
  load["m-wang"] = 2;
  load["m-li"] = 2;
  RouteDecision d = route("streetlight", "g-daxi");
  ASSERT_TRUE(d.member);
  EXPECT_EQ(*d.member, "m-wang");
  // With no load at all, the same.
  load.clear();
  EXPECT_EQ(route("water", "g-daxi").member, "m-wang");
}

TEST_F(Routing, OffDutyMembersAreSkippedEvenWhenIdle) {
  // 赵红梅 (m-zhao) has no tickets but is off duty.
  load["m-wang"] = 5;
  load["m-li"] = 4;
  RouteDecision d = route("streetlight", "g-daxi");
  EXPECT_EQ(d.member, "m-li");
  EXPECT_NE(d.explanation().find("m-zhao: skipped, off duty"), std::string::npos)
      << d.explanation();
}

TEST_F(Routing, LeaderIsNotAnOrdinaryCandidate) {
  load["m-wang"] = 9;
  load["m-li"] = 9;
  // The idle grid leader is the fallback, not a candidate: the busy members still come first.
  EXPECT_EQ(route("streetlight", "g-daxi").member, "m-wang");
}

TEST_F(Routing, HandBackGoesToTheNextCandidateNotTried) {
  RouteDecision first = route("streetlight", "g-daxi");
  ASSERT_EQ(first.member, "m-wang");
  RouteDecision second = route("streetlight", "g-daxi", {"m-wang"});
  EXPECT_EQ(second.member, "m-li");
  EXPECT_EQ(second.step, RouteStep::grid_member);
  EXPECT_NE(second.explanation().find("m-wang: skipped, already tried"), std::string::npos);
}

TEST_F(Routing, ExhaustedGridGoesToLeaderThenDutyDeskThenCounty) {
  RouteDecision leader = route("streetlight", "g-daxi", {"m-wang", "m-li"});
  EXPECT_EQ(leader.member, "m-leader-daxi");
  EXPECT_EQ(leader.step, RouteStep::grid_leader);

  RouteDecision desk = route("streetlight", "g-daxi", {"m-wang", "m-li", "m-leader-daxi"});
  EXPECT_EQ(desk.member, "m-desk");
  EXPECT_EQ(desk.step, RouteStep::duty_desk);

  RouteDecision county =
      route("streetlight", "g-daxi", {"m-wang", "m-li", "m-leader-daxi", "m-desk"});
  EXPECT_EQ(county.member, "m-county");
  EXPECT_EQ(county.step, RouteStep::duty_desk);

  RouteDecision nobody =
      route("streetlight", "g-daxi", {"m-wang", "m-li", "m-leader-daxi", "m-desk", "m-county"});
  EXPECT_FALSE(nobody.member);
  EXPECT_EQ(nobody.step, RouteStep::none);
  EXPECT_NE(nobody.explanation().find("nobody left"), std::string::npos);
}

TEST_F(Routing, GridWithoutMembersGoesToItsLeader) {
  RouteDecision d = route("road", "g-xiayu");
  EXPECT_EQ(d.member, "m-leader-xiayu");
  EXPECT_EQ(d.step, RouteStep::grid_leader);
}

TEST_F(Routing, UnknownLocationGoesToTheDutyDesk) {
  RouteDecision d = route("streetlight", std::nullopt);
  // No grid means no township: the county desk.
  EXPECT_EQ(d.member, "m-county");
  EXPECT_EQ(d.step, RouteStep::duty_desk);
  EXPECT_NE(d.explanation().find("location unknown"), std::string::npos);
}

TEST_F(Routing, TeamRouteGoesThroughItsLeader) {
  RouteDecision d = route("hardship", "g-shitang");
  EXPECT_EQ(d.member, "m-vol-lead");
  EXPECT_EQ(d.step, RouteStep::team_leader);
  EXPECT_NE(d.explanation().find("volunteers"), std::string::npos);
}

TEST_F(Routing, TeamLeaderHandBackGoesToLeastLoadedTeamMember) {
  load["m-vol-1"] = 2;
  RouteDecision d = route("hardship", "g-shitang", {"m-vol-lead"});
  EXPECT_EQ(d.member, "m-vol-2");
  EXPECT_EQ(d.step, RouteStep::team_member);
}

TEST_F(Routing, TeamLeaderOffDutyFallsToTeamMembers) {
  directory = make_directory(/*volunteers_on_duty=*/false);
  RouteDecision d = route("hardship", "g-shitang");
  EXPECT_EQ(d.member, "m-vol-1");
  EXPECT_EQ(d.step, RouteStep::team_member);
}

TEST_F(Routing, ExhaustedTeamFallsToGridLeaderNotGridMembers) {
  RouteDecision d = route("hardship", "g-shitang", {"m-vol-lead", "m-vol-1", "m-vol-2"});
  EXPECT_EQ(d.member, "m-leader-shitang");
  EXPECT_EQ(d.step, RouteStep::grid_leader);
}

TEST_F(Routing, MissingTeamRoutesByGrid) {
  for (Category& category : settings.categories) {
    if (category.id == "hardship") category.team = "no-such-team";
  }
  RouteDecision d = route("hardship", "g-shitang");
  EXPECT_EQ(d.member, "m-sun");
  EXPECT_EQ(d.step, RouteStep::grid_member);
  EXPECT_NE(d.explanation().find("no-such-team"), std::string::npos);
}

TEST_F(Routing, DutyDeskRouteSkipsTheGrid) {
  for (Category& category : settings.categories) {
    if (category.id == "safety") category.route = RouteKind::duty_desk;
  }
  RouteDecision d = route("safety", "g-daxi");
  EXPECT_EQ(d.member, "m-desk");
  EXPECT_EQ(d.step, RouteStep::duty_desk);
}

TEST_F(Routing, DutyDeskRouteWithoutDesksFallsToTheGridLeader) {
  for (Category& category : settings.categories) {
    if (category.id == "safety") category.route = RouteKind::duty_desk;
  }
  RouteDecision d = route("safety", "g-daxi", {"m-desk", "m-county"});
  EXPECT_EQ(d.member, "m-leader-daxi");
  EXPECT_EQ(d.step, RouteStep::grid_leader);
}

TEST_F(Routing, SeveralDesksShareTheLoad) {
  Directory two_desks(directory.grids(), directory.members(), {}, {},
                      {{"青石镇", "m-desk"}, {"青石镇", "m-county"}});
  load["m-desk"] = 4;
  RouteDecision d = route_ticket(
      two_desks, {settings.find_category("other"), "g-xiayu", {"m-leader-xiayu"}}, load);
  EXPECT_EQ(d.member, "m-county");
}

TEST_F(Routing, MemberMissingFromDirectoryIsSkipped) {
  Directory broken({{"g1", "网格", "东山村", "镇", {}, "m-ghost"}}, {}, {}, {},
                   {{"", "m-ghost-desk"}});
  RouteDecision d = route_ticket(broken, {settings.find_category("other"), "g1", {}}, load);
  EXPECT_FALSE(d.member);
  EXPECT_NE(d.explanation().find("m-ghost: skipped, not in the directory"), std::string::npos)
      << d.explanation();
}

}  // namespace
}  // namespace lianxin::domain
