// The engine's ticket index on its own: what it finds, and that an update moves exactly the
// difference (checked against a full recount after every step).
#include "daemon/domain/ticket_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace lianxin::domain {
namespace {

using std::chrono::hours;

class TicketIndexTest : public ::testing::Test {
 protected:
  Ticket& ticket(TicketNo number, std::string reporter) {
    Ticket& t = tickets[number];
    t.number = number;
    t.reporter = std::move(reporter);
    return t;
  }
  void update(const Ticket& t) {
    index.update(t);
    ASSERT_TRUE(index.matches(tickets));
  }
  std::vector<TicketNo> of(std::string_view phone) const {
    const auto& numbers = index.of_reporter(phone);
    return {numbers.begin(), numbers.end()};
  }
  std::vector<TicketNo> with(std::string_view member) const {
    const auto& numbers = index.working_on(member);
    return {numbers.begin(), numbers.end()};
  }

  const TimePoint t0 = TimePoint{} + hours(1000);
  std::map<TicketNo, Ticket> tickets;
  TicketIndex index;
};

TEST_F(TicketIndexTest, AReportersTicketsComeOldestFirstWhateverTheOrderTheyArrive) {
  update(ticket(7, "+8613900000001"));
  update(ticket(3, "+8613900000001"));
  update(ticket(5, "+8613900000002"));
  update(ticket(9, "+8613900000001"));
  EXPECT_EQ(of("+8613900000001"), (std::vector<TicketNo>{3, 7, 9}));
  EXPECT_EQ(of("+8613900000002"), (std::vector<TicketNo>{5}));
  EXPECT_TRUE(of("+8613900000009").empty());
}

TEST_F(TicketIndexTest, ATicketCountsForItsMemberOnlyWhileItIsWithThem) {
  Ticket& t = ticket(1, "+8613900000001");
  t.assignee = "m-wang";
  update(t);  // new: not with anyone yet
  EXPECT_TRUE(index.load().empty());
  t.state = TicketState::dispatched;
  update(t);
  EXPECT_EQ(with("m-wang"), (std::vector<TicketNo>{1}));
  EXPECT_EQ(index.load().at("m-wang"), 1u);
  t.assignee = "m-li";  // reassigned: moves, not copied
  update(t);
  EXPECT_TRUE(with("m-wang").empty());
  EXPECT_FALSE(index.load().contains("m-wang"));
  EXPECT_EQ(index.load().at("m-li"), 1u);
  t.state = TicketState::closed;
  t.closed_at = t0;
  update(t);
  EXPECT_TRUE(index.load().empty());
  EXPECT_TRUE(with("m-li").empty());
}

TEST_F(TicketIndexTest, FinishedTicketsLeaveInTheOrderTheyClosed) {
  for (TicketNo n : {1, 2, 3}) {
    Ticket& t = ticket(n, "+8613900000001");
    t.state = TicketState::closed;
    t.closed_at = t0 + hours(10 - n);  // 3 closed first, 1 last
    update(t);
  }
  EXPECT_FALSE(index.first_finished_before(t0));
  EXPECT_EQ(index.first_finished_before(t0 + hours(24)), TicketNo{3});
  EXPECT_FALSE(index.first_finished_before(t0 + hours(7)));  // 3 closed at exactly +7 h
  tickets.erase(3);
  index.remove(3);
  ASSERT_TRUE(index.matches(tickets));
  EXPECT_EQ(index.first_finished_before(t0 + hours(24)), TicketNo{2});
  EXPECT_EQ(of("+8613900000001"), (std::vector<TicketNo>{1, 2}));
  EXPECT_EQ(index.size(), 2u);
}

TEST_F(TicketIndexTest, AReopenedTicketIsNoLongerFinished) {
  Ticket& t = ticket(4, "+8613900000001");
  t.state = TicketState::closed;
  t.closed_at = t0;
  update(t);
  t.state = TicketState::reopened;
  t.assignee = "m-wang";
  update(t);
  EXPECT_FALSE(index.first_finished_before(t0 + hours(100)));
  EXPECT_EQ(with("m-wang"), (std::vector<TicketNo>{4}));
}

TEST_F(TicketIndexTest, AChangeThatBypassedUpdateIsCaughtByTheRecount) {
  Ticket& t = ticket(1, "+8613900000001");
  t.state = TicketState::dispatched;
  t.assignee = "m-wang";
  update(t);
  t.assignee = "m-li";  // not passed to update()
  EXPECT_FALSE(index.matches(tickets));
  index.update(t);
  EXPECT_TRUE(index.matches(tickets));
}

TEST_F(TicketIndexTest, RemovingAnUnknownTicketChangesNothing) {
  update(ticket(1, "+8613900000001"));
  index.remove(99);
  EXPECT_TRUE(index.matches(tickets));
  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(of("+8613900000001").empty());
}

}  // namespace
}  // namespace lianxin::domain
