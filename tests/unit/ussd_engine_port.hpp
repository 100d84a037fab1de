// The daemon's USSD port (app/ussd_service.cpp) in miniature, over a domain Engine: for the USSD
// tests and the USSD fuzz target.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/ussd.hpp"

namespace lianxin::domain::testing {

// The daemon's port (app/ussd_service.cpp) in miniature: the engine, effects collected.
class EnginePort final : public UssdPort {
 public:
  explicit EnginePort(Engine& engine) : engine_(engine) {}
  bool is_member(std::string_view phone) const override {
    return engine_.directory().member_by_phone(phone) != nullptr;
  }
  std::string category_name(std::string_view id) const override {
    const Category* c = engine_.settings().find_category(id);
    return c ? c->name : std::string(id);
  }
  std::optional<UssdPlace> home_place(std::string_view phone) const override {
    return engine_.ussd_home_place(phone);
  }
  std::vector<UssdPlace> places() const override { return engine_.ussd_places(); }
  std::vector<UssdTicketLine> reporter_tickets(std::string_view phone) const override {
    return engine_.ussd_reporter_tickets(phone);
  }
  std::optional<TicketNo> ratable_ticket(std::string_view phone) const override {
    return engine_.ussd_ratable_ticket(phone);
  }
  std::vector<UssdTicketLine> member_tickets(std::string_view phone,
                                             UssdMemberList which) const override {
    return engine_.ussd_member_tickets(phone, which);
  }
  UssdActionResult report(std::string_view phone, const UssdReport& r, TimePoint now) override {
    return keep(engine_.ussd_report(phone, r, now));
  }
  UssdActionResult accept(std::string_view phone, TicketNo t, TimePoint now) override {
    return keep(engine_.ussd_accept(phone, t, now));
  }
  UssdActionResult done(std::string_view phone, TicketNo t, TimePoint now) override {
    return keep(engine_.ussd_done(phone, t, now));
  }
  UssdActionResult rate(std::string_view phone, TicketNo t, int score, TimePoint now) override {
    return keep(engine_.ussd_rate(phone, t, score, now));
  }

  std::vector<Effects> effects;
  int actions = 0;

 private:
  UssdActionResult keep(Engine::UssdOutcome outcome) {
    ++actions;
    effects.push_back(std::move(outcome.effects));
    return outcome.result;
  }
  Engine& engine_;
};

}  // namespace lianxin::domain::testing
