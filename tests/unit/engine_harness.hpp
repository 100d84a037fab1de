// The engine test harness: an Engine on the fixture directory (domain_fixture.hpp) with the
// KeywordModel (keyword_model.hpp), an injected clock, and the invariants every reply keeps
// checked after each call.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/transitions.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"

namespace lianxin::domain::testing {

using namespace std::chrono_literals;

// A fixed, arbitrary wall-clock start: 2026-05-01 08:00 UTC.
const TimePoint kStart = TimePoint{} + 20574 * 24h + 8h;

class EngineTest : public ::testing::Test {
 protected:
  explicit EngineTest(Settings settings = ::lianxin::domain::testing::test_settings())
      : engine_(std::move(settings), make_directory()) {}

  // One inbound SMS; checks the invariants every reply must keep.
  Effects sms(std::string_view from, std::string_view text) {
    Effects effects = engine_.on_sms(from, text, now_, ++inbound_);
    check_invariants(effects);
    return effects;
  }

  Effects timer(TicketNo ticket, TimerKind kind) {
    Effects effects = engine_.on_timer(ticket, kind, now_);
    check_invariants(effects);
    return effects;
  }

  void check_invariants(const Effects& effects) {
    // Every state change is one the transition table allows.
    for (const TicketEvent& event : effects.events) {
      if (event.from && *event.from != event.to) {
        EXPECT_TRUE(transition_allowed(*event.from, event.to))
            << "ticket " << event.ticket << ": " << to_string(*event.from) << " -> "
            << to_string(event.to) << " (" << event.reason << ")";
      }
    }
    const std::string& signature = engine_.settings().signature;
    for (const OutgoingSms& out : effects.sms) {
      EXPECT_TRUE(out.text.starts_with(signature)) << out.text;
      if (out.audience == Audience::resident) {
        EXPECT_LE(utf16_length(out.text), kSingleUcs2SmsUnits) << out.text;
      }
      // Nobody else's full number ever appears in an SMS.
      for (const Member& member : engine_.directory().members()) {
        if (member.phone != out.to) {
          EXPECT_EQ(out.text.find(member.phone.substr(3)), std::string::npos) << out.text;
        }
      }
      for (const char* resident : {kZhangPhone, kLiNainaiPhone, kStrangerPhone}) {
        if (out.to != resident) {
          EXPECT_EQ(out.text.find(std::string(resident).substr(3)), std::string::npos) << out.text;
        }
      }
    }
    for (const LogLine& line : effects.logs) {
      EXPECT_EQ(line.message.find("13900000001"), std::string::npos) << line.message;
    }
    EXPECT_TRUE(engine_.check_indexes());  // indexes agree with a full recount
  }

  static std::vector<std::string> texts_to(const Effects& effects, std::string_view phone) {
    std::vector<std::string> out;
    for (const OutgoingSms& s : effects.sms) {
      if (s.to == phone) out.push_back(s.text);
    }
    return out;
  }

  // The only SMS to `phone`; fails the test when there is not exactly one.
  static std::string only_text_to(const Effects& effects, std::string_view phone) {
    std::vector<std::string> texts = texts_to(effects, phone);
    EXPECT_EQ(texts.size(), 1u) << "SMS to " << phone;
    return texts.empty() ? std::string() : texts.front();
  }

  // The timer requests of one kind (SLA timers come and go with every state change).
  static std::vector<TimerRequest> timers_of(const Effects& effects, TimerKind kind) {
    std::vector<TimerRequest> out;
    for (const TimerRequest& t : effects.timers) {
      if (t.kind == kind) out.push_back(t);
    }
    return out;
  }

  static bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
  }

  const Ticket& ticket(TicketNo number) {
    const Ticket* t = engine_.find(number);
    EXPECT_NE(t, nullptr) << "ticket " << number;
    static const Ticket kNone;
    return t ? *t : kNone;
  }

  static std::vector<TicketState> states(const Effects& effects) {
    std::vector<TicketState> out;
    for (const TicketEvent& e : effects.events) out.push_back(e.to);
    return out;
  }

  // 张大爷 reports a fallen street light: ticket 1, dispatched to 王建国.
  TicketNo report_streetlight() {
    Effects e = sms(kZhangPhone, "村口两盏路灯杆被大风刮倒了");
    EXPECT_EQ(e.tickets.size(), 1u);
    return e.tickets.empty() ? 0 : e.tickets.front().ticket.number;
  }

  Engine engine_;
  TimePoint now_ = kStart;
  std::int64_t inbound_ = 1000;
};

}  // namespace lianxin::domain::testing
