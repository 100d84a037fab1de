// The engine's indexes (tickets by reporter, open load per member, finished tickets by close
// time) at the scale of a real county: 20,000 open tickets, then a mixed stream of reports,
// ratings, cancellations, member commands, timers and operator actions. After every step the
// indexes must equal a full recount; the public views must agree with the tickets themselves.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain {
namespace {

using namespace std::chrono_literals;

constexpr int kResidents = 20000;
const TimePoint kStart = TimePoint{} + 20574 * 24h + 8h;
const char* const kGrids[] = {"g-daxi", "g-shitang", "g-xiayu"};
const char* const kWorkers[] = {"m-wang", "m-li", "m-sun", "m-leader-xiayu"};

std::string resident_phone(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+86137%08d", i);
  return buf;
}

Directory county_directory() {
  Directory base = testing::make_directory();
  std::vector<Resident> residents = base.residents();
  for (int i = 0; i < kResidents; ++i) {
    residents.push_back({resident_phone(i), "村民" + std::to_string(i), kGrids[i % 3]});
  }
  return Directory(base.grids(), base.members(), std::move(residents), base.teams(),
                   base.duty_desks());
}

// Ticket i+1 from resident i; mostly open, with every state represented.
Ticket stored_ticket(int i) {
  Ticket t;
  t.number = i + 1;
  t.reporter = resident_phone(i);
  t.text = "村口路灯坏了 " + std::to_string(i);
  t.category = "streetlight";
  t.grid = kGrids[i % 3];
  t.created_at = t.updated_at = kStart - 48h;
  t.assignee = kWorkers[i % 4];
  t.tried = {*t.assignee};
  t.dispatched_at = t.created_at;
  switch (i % 10) {
    case 0:
      t.state = TicketState::accepted;
      t.accepted_at = t.created_at;
      break;
    case 1:
      t.state = TicketState::resolved;
      t.resolved_at = t.created_at;
      t.verification_deadline = kStart + 1h;
      break;
    case 2:
      t.state = TicketState::reopened;
      break;
    case 3:
      if (i % 20 == 3) {
        // Closed long ago: past the retention, pruned by the first call.
        t.state = TicketState::closed;
        t.close_reason = CloseReason::rated;
        t.rating = 5;
        t.closed_at = kStart - 24h * 8;
      } else {
        // Closed recently: stays until retention passes during the run.
        t.state = TicketState::closed;
        t.close_reason = CloseReason::unrated;
        t.closed_at = kStart - 24h * 7 + 30min;
      }
      break;
    default:
      t.state = TicketState::dispatched;
  }
  return t;
}

OpenLoad recount_load(const Engine& engine) {
  OpenLoad load;
  for (const Ticket& t : engine.tickets()) {
    if (t.assignee && is_with_assignee(t.state)) ++load[*t.assignee];
  }
  return load;
}

TEST(EngineScaleTest, IndexesStayConsistentWithTwentyThousandOpenTickets) {
  Engine engine(::lianxin::domain::testing::test_settings(), county_directory());
  RestoredState state;
  for (int i = 0; i < kResidents; ++i) state.tickets.push_back(stored_ticket(i));
  state.next_ticket_number = kResidents + 1;
  engine.restore(std::move(state));
  ASSERT_TRUE(engine.check_indexes());
  ASSERT_EQ(engine.tickets().size(), static_cast<std::size_t>(kResidents));
  EXPECT_EQ(engine.open_load(), recount_load(engine));

  std::mt19937 random(20260501);  // fixed seed: the same stream every run
  TimePoint now = kStart;
  std::int64_t inbound = 1;
  std::size_t reports = 0, created = 0, member_commands = 0, closed = 0;
  auto resident = [&] { return resident_phone(static_cast<int>(random() % kResidents)); };
  // A ticket number that exists (possibly finished), or 0.
  auto some_ticket = [&]() -> const Ticket* {
    for (int attempt = 0; attempt < 10; ++attempt) {
      if (const Ticket* t = engine.find(1 + random() % (engine.next_ticket_number() - 1))) return t;
    }
    return nullptr;
  };

  for (int step = 0; step < 2000; ++step) {
    now += 20s;  // 2,000 steps: about 11 hours, past the retention of the recently closed
    Effects effects;
    const unsigned kind = random() % 10;
    if (kind < 4) {
      // A report: new ticket, or a note/duplicate on a recent one of theirs.
      effects =
          engine.on_sms(resident(), "村里水管破了 " + std::to_string(step % 50), now, inbound++);
      ++reports;
    } else if (kind < 7) {
      // A member command about one of their tickets (or someone else's).
      const Ticket* t = some_ticket();
      if (t == nullptr || !t->assignee) continue;
      const Member* member = engine.directory().find_member(
          random() % 8 == 0 ? kWorkers[random() % 4] : t->assignee->c_str());
      ASSERT_NE(member, nullptr);
      const char* verbs[] = {"接", "完成", "退", "我的"};
      const std::string verb = verbs[random() % 4];
      const std::string text = verb == "我的" ? verb : verb + std::to_string(t->number);
      effects = engine.on_sms(member->phone, text, now, inbound++);
      ++member_commands;
    } else if (kind < 9) {
      // The reporter of a ticket: rates, says 0, queries or cancels.
      const Ticket* t = some_ticket();
      if (t == nullptr) continue;
      const char* texts[] = {"5", "0", "查询", "取消"};
      effects = engine.on_sms(t->reporter, texts[random() % 4], now, inbound++);
    } else {
      // Timers (most of them stale) and operators.
      const Ticket* t = some_ticket();
      if (t == nullptr) continue;
      if (random() % 2 == 0) {
        effects = engine.invalidate(t->number, "admin", "测试", now);
      } else {
        const TimerKind timer =
            random() % 2 == 0 ? TimerKind::verification : TimerKind::location_followup;
        effects = engine.on_timer(t->number, timer, now + 80h);  // late enough to be due
      }
    }
    for (const TicketChange& change : effects.tickets) {
      created += change.created ? 1 : 0;
      closed += is_terminal(change.ticket.state) ? 1 : 0;
    }
    // A full recount is O(n): every 50 steps (engine_test checks after every step, at small scale).
    if (step % 50 == 0) {
      ASSERT_TRUE(engine.check_indexes()) << "step " << step;
      ASSERT_EQ(engine.open_load(), recount_load(engine)) << "step " << step;
    }
  }
  EXPECT_TRUE(engine.check_indexes());
  EXPECT_EQ(engine.open_load(), recount_load(engine));

  // The mix really exercised the engine.
  EXPECT_GT(reports, 600u);
  EXPECT_GT(created, 300u);
  EXPECT_GT(member_commands, 400u);
  EXPECT_GT(closed, 50u);
  // Tickets past the retention are gone (also the ones closed 7 days − 30 min before the start).
  for (int i = 3; i < kResidents; i += 10) {
    EXPECT_EQ(engine.find(static_cast<TicketNo>(i + 1)), nullptr) << "ticket " << i + 1;
  }
  for (const Ticket& t : engine.tickets()) {
    if (is_terminal(t.state)) {
      ASSERT_TRUE(t.closed_at.has_value());
      EXPECT_GE(*t.closed_at + engine.settings().windows.closed_retention, now - 20s);
    }
  }
}

// A reporter's tickets through the index are what a scan finds: 查询 lists their own, newest
// first, even among 20,000 others.
TEST(EngineScaleTest, QueryFindsTheReportersTicketsAmongThousands) {
  Engine engine(::lianxin::domain::testing::test_settings(), county_directory());
  RestoredState state;
  for (int i = 0; i < kResidents; ++i) state.tickets.push_back(stored_ticket(i));
  engine.restore(std::move(state));
  const std::string phone = resident_phone(4);  // ticket 5, dispatched
  TimePoint now = kStart;
  Effects second = engine.on_sms(phone, "石塘坞桥边的水沟堵了", now, 1);
  ASSERT_EQ(second.tickets.size(), 1u);
  const TicketNo newer = second.tickets.front().ticket.number;
  EXPECT_EQ(newer, kResidents + 1);
  Effects query = engine.on_sms(phone, "查询", now + 1min, 2);
  ASSERT_EQ(query.sms.size(), 1u);
  const std::string& text = query.sms.front().text;
  const std::size_t newer_at = text.find(std::to_string(newer));
  const std::size_t older_at = text.find("5");
  ASSERT_NE(newer_at, std::string::npos) << text;
  ASSERT_NE(older_at, std::string::npos) << text;
  EXPECT_EQ(text.find("6"), std::string::npos) << text;  // nobody else's ticket
  EXPECT_TRUE(engine.check_indexes());
}

}  // namespace
}  // namespace lianxin::domain
