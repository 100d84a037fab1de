// A small fictional directory for domain tests: 青石镇 with three village grids, their members,
// a few residents, a volunteer team and the township and county duty desks.
#pragma once

#include "daemon/domain/model.hpp"

namespace lianxin::domain::testing {

// Phones used across the tests.
inline constexpr const char* kZhangPhone = "+8613900000001";     // resident of 大溪边村
inline constexpr const char* kLiNainaiPhone = "+8613900000002";  // resident of 石塘村
inline constexpr const char* kStrangerPhone = "+8613900000003";  // not in the directory
inline constexpr const char* kWangPhone = "+8613800000101";      // member, 大溪边村
inline constexpr const char* kLiPhone = "+8613800000102";        // member, 大溪边村
inline constexpr const char* kDaxiLeaderPhone = "+8613800000110";
inline constexpr const char* kSunPhone = "+8613800000201";  // member, 石塘村
inline constexpr const char* kDeskPhone = "+8613800000900";
inline constexpr const char* kVolunteerLeaderPhone = "+8613800000501";

inline Directory make_directory(bool volunteers_on_duty = true) {
  std::vector<Grid> grids{
      {"g-daxi", "大溪边村网格", "大溪边村", "青石镇", {"溪边", "老樟树"}, "m-leader-daxi"},
      {"g-shitang", "石塘村网格", "石塘村", "青石镇", {"石塘坞"}, "m-leader-shitang"},
      {"g-xiayu", "下淤村网格", "下淤村", "青石镇", {"淤头"}, "m-leader-xiayu"},
  };
  std::vector<Member> members{
      {"m-wang", "王建国", kWangPhone, {"g-daxi"}, {Role::member}, true},
      {"m-li", "李秀英", kLiPhone, {"g-daxi"}, {Role::member}, true},
      {"m-zhao", "赵红梅", "+8613800000103", {"g-daxi"}, {Role::helper}, false},
      {"m-leader-daxi", "陈书记", kDaxiLeaderPhone, {"g-daxi"}, {Role::grid_leader}, true},
      {"m-sun", "孙立", kSunPhone, {"g-shitang"}, {Role::member}, true},
      {"m-leader-shitang", "周主任", "+8613800000210", {"g-shitang"}, {Role::grid_leader}, true},
      {"m-leader-xiayu", "吴书记", "+8613800000310", {"g-xiayu"}, {Role::grid_leader}, true},
      {"m-desk", "镇值班室", kDeskPhone, {}, {Role::duty_desk}, true},
      {"m-county", "县值班室", "+8613800000999", {}, {Role::duty_desk}, true},
      {"m-vol-lead",
       "志愿队长",
       kVolunteerLeaderPhone,
       {},
       {Role::team_leader},
       volunteers_on_duty},
      {"m-vol-1", "志愿者甲", "+8613800000502", {}, {Role::helper}, true},
      {"m-vol-2", "志愿者乙", "+8613800000503", {}, {Role::helper}, true},
  };
  std::vector<Resident> residents{
      {kZhangPhone, "张大爷", "g-daxi"},
      {kLiNainaiPhone, "李奶奶", "g-shitang"},
  };
  std::vector<Team> teams{
      {"volunteers", "青石镇志愿服务队", "m-vol-lead", {"m-vol-lead", "m-vol-1", "m-vol-2"}},
  };
  std::vector<DutyDesk> desks{{"青石镇", "m-desk"}, {"", "m-county"}};
  return Directory(std::move(grids), std::move(members), std::move(residents), std::move(teams),
                   std::move(desks));
}

}  // namespace lianxin::domain::testing
