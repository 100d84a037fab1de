// Engine::Call, the effects of one engine call under construction. Internal to the engine:
// included only by engine.cpp and the engine_<area>.cpp files that add Engine member functions
// (engine_orders.cpp, engine_meetings.cpp ...), which need the same touch/transition/send.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/domain/engine.hpp"
#include "daemon/domain/phone.hpp"
#include "daemon/domain/templates.hpp"
#include "daemon/domain/transitions.hpp"

namespace lianxin::domain {

// ---- Shared by the engine_<area>.cpp files (defined in engine.cpp) ----

inline constexpr std::string_view kSystem = "system";  // the actor of what the engine decides
std::string repeat_key(std::string_view text);  // the form texts are compared in for a repeat

// ---- One call: effects under construction ----

class Engine::Call {
 public:
  Call(Engine& engine, TimePoint now, std::string from, std::optional<std::int64_t> inbound)
      : engine_(engine), now(now), from(std::move(from)), inbound(inbound) {}

  Engine& engine_;
  const TimePoint now;
  const std::string from;  // sender phone, empty for timers and operators
  const std::optional<std::int64_t> inbound;
  bool throttled = false;  // the sender floods: nothing is answered (SenderRateGuard)
  Effects effects;

  const Templates& templates() const { return engine_.settings_.templates; }

  void touch(const Ticket& ticket, bool created = false) {
    engine_.index_.update(ticket);
    engine_.book_.changed(ticket);
    touched_.insert(ticket.number);
    if (created) created_.insert(ticket.number);
  }

  void transition(Ticket& ticket, TicketState to, std::string_view actor, std::string reason) {
    std::optional<TicketState> from_state;
    if (!created_.contains(ticket.number) || ticket.state != TicketState::new_ ||
        to != TicketState::new_) {
      from_state = ticket.state;
    }
    // A change outside the table is a bug in the engine: said loudly, and done all the same (the
    // ticket must not get stuck because the table missed a case).
    if (from_state && *from_state != to && !transition_allowed(*from_state, to))
      log(LogLevel::error,
          "ticket " + std::to_string(ticket.number) + ": state change " +
              std::string(to_string(*from_state)) + " -> " + std::string(to_string(to)) +
              " is not in the transition table (daemon/domain/transitions.cpp)",
          ticket.number);
    effects.events.push_back(
        TicketEvent{ticket.number, from_state, to, std::string(actor), now, std::move(reason)});
    ticket.state = to;
    ticket.updated_at = now;
    touch(ticket);
  }

  // A history row that changes no state (a note, a duplicate).
  void record(Ticket& ticket, std::string_view actor, std::string reason) {
    effects.events.push_back(TicketEvent{ticket.number, ticket.state, ticket.state,
                                         std::string(actor), now, std::move(reason)});
    ticket.updated_at = now;
    touch(ticket);
  }

  void log(LogLevel level, std::string message, std::optional<TicketNo> ticket = std::nullopt) {
    effects.logs.push_back(LogLine{level, std::move(message), ticket});
  }

  // `kind` decides the SMS's validity and whether quiet hours hold it (Engine::schedule_sms).
  void send(const std::string& to, Audience audience, const std::string& body,
            std::optional<TicketNo> ticket, bool urgent, SmsKind kind = SmsKind::notice) {
    OutgoingSms sms{to,           engine_.settings_.signature + body,
                    audience,     ticket,
                    urgent,       inbound,
                    std::nullopt, std::nullopt};
    engine_.schedule_sms(sms, kind, now);
    if (throttled && to == from) {
      effects.held.push_back(std::move(sms));  // a flood gets no answers (logged once per text)
      return;
    }
    if (engine_.loop_guard_.allow(sms.to, sms.text, now)) {
      effects.sms.push_back(std::move(sms));
      return;
    }
    log(LogLevel::warning,
        "held reply to " + mask(to) + ": same text sent " +
            std::to_string(engine_.settings_.loop_protection.max_repeats) + " times within " +
            std::to_string(engine_.settings_.loop_protection.period.count()) + " min",
        ticket);
    effects.held.push_back(std::move(sms));
  }

  void reply(const std::string& tmpl, const TemplateValues& values,
             std::optional<TicketNo> ticket = std::nullopt) {
    const Member* member = engine_.directory_->member_by_phone(from);
    send(from, member ? Audience::member : Audience::resident, render(tmpl, values), ticket, false,
         SmsKind::reply);
  }

  void to_member(std::string_view member_id, const std::string& tmpl, const TemplateValues& values,
                 const Ticket& ticket, SmsKind kind = SmsKind::notice) {
    const Member* member = engine_.directory_->find_member(member_id);
    if (member == nullptr) {
      log(LogLevel::warning, "member " + std::string(member_id) + " is not in the directory",
          ticket.number);
      return;
    }
    send(member->phone, Audience::member, render(tmpl, values), ticket.number,
         engine_.is_urgent(ticket), kind);
  }

  void to_reporter(const Ticket& ticket, const std::string& tmpl, SmsKind kind = SmsKind::notice) {
    send(ticket.reporter, Audience::resident,
         render(tmpl, TemplateValues().set("ticket", ticket.number)), ticket.number, false, kind);
  }

  void arm(const Ticket& ticket, TimerKind kind, TimePoint at) {
    effects.timers.push_back(TimerRequest{ticket.number, kind, at, false});
  }
  void disarm(const Ticket& ticket, TimerKind kind) {
    effects.timers.push_back(TimerRequest{ticket.number, kind, now, true});
  }

  std::string mask(std::string_view phone) const {
    return mask_number(phone, engine_.settings_.default_country);
  }

  Effects finish() {
    for (TicketNo number : touched_) {
      if (const Ticket* ticket = engine_.book_.get(number)) {
        engine_.index_.update(*ticket);  // cheap when nothing changed since the last touch
        engine_.book_.changed(*ticket);
        engine_.sync_sla_timers(*this, *ticket);  // ---- SLA ---- from the stored deadlines
        effects.tickets.push_back(TicketChange{*ticket, created_.contains(number)});
      }
    }
    return std::move(effects);
  }

 private:
  std::set<TicketNo> touched_;
  std::set<TicketNo> created_;
};

}  // namespace lianxin::domain
