#include "daemon/app/control_commands.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>
#include <utility>
#include <vector>

#include "daemon/domain/phone.hpp"

namespace lianxin::app {

namespace asio = boost::asio;
using control::Json;

namespace {

constexpr std::size_t kMaxSmsText = 1000;  // bytes of UTF-8: ~330 Chinese characters, 5 parts

// Who acts: the login of the user at the other end of the socket (SO_PEERCRED), which no client
// can choose; the name the client gives (lianxinctl --as, else $SUDO_USER or $USER) is kept as a
// label beside it when it differs: "root (as alice)". Control characters in it are refused.
std::optional<std::string> operator_name_of(control::Fields& fields, const ControlPeer& peer) {
  std::optional<std::string> name = fields.string("operator", false, 64);
  if (!fields.ok()) return std::nullopt;
  const std::string login = peer.login.empty() ? "uid " + std::to_string(peer.uid) : peer.login;
  if (!name || name->empty() || *name == login) return login;
  for (unsigned char c : *name)
    if (c < 0x20 || c == 0x7f || c == ' ') return std::nullopt;
  return login + " (as " + *name + ")";
}

std::string sms_text(const std::string& signature, const std::string& text) {
  return text.rfind(signature, 0) == 0 ? text : signature + text;
}

}  // namespace

Json BroadcastCounts::to_json() const {
  return Json{{"total", total()},       {"queued", queued},       {"sending", sending},
              {"submitted", submitted}, {"delivered", delivered}, {"failed", failed},
              {"expired", expired},     {"pending", pending()}};
}

// A broadcast an operator waits for: progress lines until nothing is pending.
struct ControlCommands::Watch {
  Watch(asio::io_context& io, std::int64_t id, std::shared_ptr<ControlReply> reply)
      : timer(io), id(id), reply(std::move(reply)) {}
  asio::steady_timer timer;
  std::int64_t id;
  std::shared_ptr<ControlReply> reply;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_change = started;
  BroadcastCounts last;
};

ControlCommands::ControlCommands(asio::io_context& io, Journal& journal, Gateway& gateway,
                                 ControlCommandsOptions options)
    : io_(io), journal_(journal), gateway_(gateway), options_(options) {
  commands_["status"] = [this](const control::Request&, const std::shared_ptr<ControlReply>& reply,
                               const std::string&) { status(reply); };
  for (const char* name : {"invalidate", "reassign", "close", "note", "recategorize"}) {
    commands_[name] = [this, cmd = std::string(name)](const control::Request& request,
                                                      const std::shared_ptr<ControlReply>& reply,
                                                      const std::string& operator_name) {
      ticket_action(cmd, request, reply, operator_name);
    };
  }
  commands_["send"] =
      [this](const control::Request& request, const std::shared_ptr<ControlReply>& reply,
             const std::string& operator_name) { send(request, reply, operator_name); };
  commands_["broadcast"] =
      [this](const control::Request& request, const std::shared_ptr<ControlReply>& reply,
             const std::string& operator_name) { broadcast(request, reply, operator_name); };
  commands_["broadcast-status"] = [this](const control::Request& request,
                                         const std::shared_ptr<ControlReply>& reply,
                                         const std::string&) { broadcast_status(request, reply); };
  commands_["order"] =
      [this](const control::Request& request, const std::shared_ptr<ControlReply>& reply,
             const std::string& operator_name) { order(request, reply, operator_name); };
  commands_["meeting-create"] =
      [this](const control::Request& request, const std::shared_ptr<ControlReply>& reply,
             const std::string& operator_name) { meeting_create(request, reply, operator_name); };
  commands_["meeting-attendance"] =
      [this](const control::Request& request, const std::shared_ptr<ControlReply>& reply,
             const std::string&) { meeting_attendance(request, reply); };
}

ControlCommands::~ControlCommands() {
  for (auto& [key, watch] : watches_) watch->timer.cancel();
}

void ControlCommands::add_command(const std::string& name, Command command) {
  commands_[name] = std::move(command);
}

void ControlCommands::handle(const control::Request& request, std::shared_ptr<ControlReply> reply) {
  auto it = commands_.find(request.cmd);
  if (it == commands_.end()) {
    std::string known;
    for (const auto& [name, command] : commands_) known += (known.empty() ? "" : ", ") + name;
    reply->fail("unknown command \"" + request.cmd + "\" (known: " + known + ")");
    return;
  }
  control::Fields fields(request.body);
  std::optional<std::string> operator_name = operator_name_of(fields, reply->peer());
  if (!operator_name) {
    reply->fail(fields.ok() ? "\"operator\" must be a name without spaces or control characters"
                            : fields.error());
    return;
  }
  const bool reads_only = request.cmd == "status" || request.cmd == "broadcast-status" ||
                          request.cmd == "meeting-attendance";
  if (!reads_only && !gateway_.accepting()) {
    reply->fail("lianxind is stopping (or its storage failed); nothing was done");
    return;
  }
  it->second(request, reply, *operator_name);
}

// ---- status ----

void ControlCommands::status(const std::shared_ptr<ControlReply>& reply) {
  Json outbox = Json::object();
  if (auto counts = gateway_.store().outbox_counts()) {
    for (const auto& [state, n] : counts.value) outbox[std::string(store::to_string(state))] = n;
  }
  reply->finish(control::ok_reply(Json{{"status", gateway_.status_line()},
                                       {"accepting", gateway_.accepting()},
                                       {"next_ticket", gateway_.engine().next_ticket_number()},
                                       {"outbox", outbox}}));
}

// ---- ticket actions ----

void ControlCommands::ticket_action(const std::string& cmd, const control::Request& request,
                                    const std::shared_ptr<ControlReply>& reply,
                                    const std::string& operator_name) {
  control::Fields fields(request.body);
  const auto number = fields.integer("ticket", true, 1, INT64_MAX);
  const bool is_note = cmd == "note";
  const bool recategorize = cmd == "recategorize";
  const auto reason = fields.string(is_note ? "text" : "reason", !recategorize, kMaxReason);
  const auto to = cmd == "reassign" ? fields.string("to", true, 64) : std::nullopt;
  const auto category = recategorize ? fields.string("category", true, 64) : std::nullopt;
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  auto result = std::make_shared<Json>();
  domain::Effects effects = gateway_.operator_call(
      [&](domain::Engine& engine, Gateway::SystemTime now) {
        if (cmd == "invalidate") return engine.invalidate(*number, operator_name, *reason, now);
        if (cmd == "reassign") return engine.reassign(*number, *to, operator_name, *reason, now);
        if (cmd == "close") return engine.close_ticket(*number, operator_name, *reason, now);
        if (recategorize) {
          return engine.recategorize(*number, *category, operator_name, reason.value_or(""), now);
        }
        return engine.add_note(*number, operator_name, *reason, now);
      },
      [reply, result](bool stored) {
        if (stored)
          reply->finish(control::ok_reply(*result));
        else
          reply->fail("storage failed: the action was not recorded (lianxind restarts)");
      });
  if (effects.error) {
    reply->fail(effects.diagnostic.empty() ? effects.error.message() : effects.diagnostic);
    return;
  }
  (*result)["ticket"] = *number;
  if (const domain::Ticket* ticket = gateway_.engine().find(*number)) {
    (*result)["state"] = std::string(domain::to_string(ticket->state));
    if (ticket->assignee) (*result)["assignee"] = *ticket->assignee;
    (*result)["category"] = ticket->category;
  }
  (*result)["sms"] = effects.sms.size();
  journal_.log(LogLevel::notice,
               "control: " + cmd + " ticket " + std::to_string(*number) + " by " + operator_name,
               {{"TICKET_ID", std::to_string(*number)}, {"OPERATOR", operator_name}});
}

// ---- one SMS ----

void ControlCommands::send(const control::Request& request,
                           const std::shared_ptr<ControlReply>& reply,
                           const std::string& operator_name) {
  control::Fields fields(request.body);
  const auto to = fields.string("to", true, 32);
  const auto text = fields.string("text", true, kMaxSmsText);
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  const domain::Settings& settings = gateway_.engine().settings();
  const std::optional<std::string> number = domain::normalize_e164(*to, settings.default_country);
  if (!number || domain::is_service_number(*number)) {
    reply->fail("not a phone number lianxind can send to: " + *to);
    return;
  }
  store::OutboxRequest sms;
  sms.destination = *number;
  sms.text = sms_text(settings.signature, *text);
  sms.audience = gateway_.engine().directory().member_by_phone(*number)
                     ? domain::Audience::member
                     : domain::Audience::resident;
  sms.created_at = domain::Clock::now();
  const std::string masked = domain::mask_number(*number, settings.default_country);
  gateway_.enqueue({std::move(sms)}, std::nullopt, [reply, masked](bool stored) {
    if (stored)
      reply->finish(control::ok_reply(Json{{"to", masked}, {"queued", 1}}));
    else
      reply->fail("storage failed: the SMS was not queued");
  });
  journal_.log(LogLevel::notice, "control: SMS to " + masked + " queued by " + operator_name,
               {{"PHONE", masked}, {"OPERATOR", operator_name}, {"DIRECTION", "out"}});
}

// ---- broadcasts ----

void ControlCommands::broadcast(const control::Request& request,
                                const std::shared_ptr<ControlReply>& reply,
                                const std::string& operator_name) {
  control::Fields fields(request.body);
  const auto text = fields.string("text", true, kMaxSmsText);
  const auto grids = fields.strings("grids", kMaxGrids);
  const bool all = fields.boolean("all");
  const bool wait = fields.boolean("wait");
  const bool again = fields.boolean("again");
  const auto valid_hours = fields.integer("valid_hours", false, 1, 24 * 30);
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  if (all == (grids.has_value() && !grids->empty())) {
    reply->fail("choose the audience: \"grids\" (a non-empty list) or \"all\": true, not both");
    return;
  }
  const domain::Directory& directory = gateway_.engine().directory();
  const domain::Settings& settings = gateway_.engine().settings();
  std::set<std::string> chosen;
  if (grids) {
    for (const std::string& grid : *grids) {
      if (!directory.find_grid(grid)) {
        reply->fail("no grid \"" + grid + "\" in the directory");
        return;
      }
      chosen.insert(grid);
    }
  }
  auto opted_out = gateway_.store().unsubscribed();
  if (!opted_out) {
    reply->fail("cannot read the opt-out list: " + opted_out.message);
    return;
  }
  const std::unordered_set<std::string> unsubscribed(opted_out.value.begin(),
                                                     opted_out.value.end());
  if (!last_broadcast_id_) {
    auto last = gateway_.store().last_broadcast_id();
    if (!last) {
      reply->fail("cannot read the broadcasts: " + last.message);
      return;
    }
    last_broadcast_id_ = last.value;
  }

  const domain::TimePoint now = domain::Clock::now();
  store::BroadcastRecord record;
  record.id = *last_broadcast_id_ + 1;
  record.text = sms_text(settings.signature, *text);
  record.operator_name = operator_name;
  record.created_at = now;
  if (all) {
    record.audience = "all";
  } else {
    for (const std::string& grid : chosen)
      record.audience += (record.audience.empty() ? "" : ",") + grid;
  }
  // The natural reaction to a broadcast that seemed to stop is to send it again: every member
  // would get it twice. The same text to the same members recently is refused without --again.
  if (!again) {
    auto same = gateway_.store().find_same_broadcast(record.text, record.audience,
                                                     now - options_.broadcast_repeat_window);
    if (!same) {
      reply->fail("cannot read the broadcasts: " + same.message);
      return;
    }
    if (same.value) {
      const auto minutes =
          std::chrono::duration_cast<std::chrono::minutes>(now - same.value->created_at).count();
      reply->fail("the same notice went to the same members " + std::to_string(minutes) +
                  " min ago (broadcast " + std::to_string(same.value->id) + " by " +
                  same.value->operator_name + "): follow it with lianxinctl broadcast-status " +
                  std::to_string(same.value->id) + ", or add --again to send it once more");
      return;
    }
  }
  std::vector<store::OutboxRequest> outbox;
  std::unordered_set<std::string> seen;
  for (const domain::Member& member : directory.members()) {
    bool in_audience = all;
    for (const std::string& grid : member.grids) in_audience = in_audience || chosen.contains(grid);
    if (!in_audience || member.phone.empty() || !seen.insert(member.phone).second) continue;
    if (unsubscribed.contains(member.phone)) {
      ++record.skipped;
      continue;
    }
    store::OutboxRequest sms;
    sms.destination = member.phone;
    sms.text = record.text;
    sms.audience = domain::Audience::member;
    sms.created_at = now;
    sms.expires_at = now + (valid_hours ? std::chrono::seconds(std::chrono::hours(*valid_hours))
                                        : settings.sla.validity.notice);
    sms.broadcast_id = record.id;
    outbox.push_back(std::move(sms));
  }
  record.recipients = static_cast<long long>(outbox.size());
  if (outbox.empty()) {
    reply->fail("nobody to send to: the audience has no members" +
                (record.skipped
                     ? " who did not opt out (" + std::to_string(record.skipped) + " opted out)"
                     : std::string()));
    return;
  }
  last_broadcast_id_ = record.id;
  const std::int64_t id = record.id;
  const long long recipients = record.recipients, skipped = record.skipped;
  journal_.log(LogLevel::notice,
               "control: broadcast " + std::to_string(id) + " to " + record.audience + " by " +
                   operator_name + ": " + std::to_string(recipients) + " SMS queued, " +
                   std::to_string(skipped) + " opted out",
               {{"BROADCAST_ID", std::to_string(id)}, {"OPERATOR", operator_name}});
  gateway_.enqueue(
      std::move(outbox), std::move(record),
      [this, reply, id, recipients, skipped, wait](bool stored) {
        if (!stored) {
          reply->fail("storage failed: the broadcast was not queued");
          return;
        }
        const Json queued{{"id", id}, {"recipients", recipients}, {"skipped", skipped}};
        if (!wait) {
          reply->finish(control::ok_reply(queued));
          return;
        }
        Json progress = queued;
        progress["queued"] = recipients;
        reply->progress(progress);
        watch(id, reply);
      });
}

std::optional<BroadcastCounts> ControlCommands::counts(std::int64_t id, std::string& error) {
  auto rows = gateway_.store().broadcast_counts(id);
  if (!rows) {
    error = rows.message;
    return std::nullopt;
  }
  BroadcastCounts counts;
  for (const auto& [state, n] : rows.value) {
    switch (state) {
      case store::OutboxState::queued:
        counts.queued = n;
        break;
      case store::OutboxState::sending:
        counts.sending = n;
        break;
      case store::OutboxState::submitted:
        counts.submitted = n;
        break;
      case store::OutboxState::delivered:
        counts.delivered = n;
        break;
      case store::OutboxState::failed:
        counts.failed = n;
        break;
      case store::OutboxState::expired:
        counts.expired = n;
        break;
    }
  }
  return counts;
}

void ControlCommands::watch(std::int64_t id, std::shared_ptr<ControlReply> reply) {
  auto watch = std::make_shared<Watch>(io_, id, std::move(reply));
  watches_[watch.get()] = watch;
  poll(watch);
}

void ControlCommands::poll(const std::shared_ptr<Watch>& watch) {
  auto done = [&](Json final_reply) {
    watch->reply->finish(final_reply);
    watches_.erase(watch.get());
  };
  if (watch->reply->closed()) {
    journal_.log(LogLevel::info, "control: the operator stopped waiting for broadcast " +
                                     std::to_string(watch->id) + "; it goes on");
    watches_.erase(watch.get());
    return;
  }
  std::string error;
  std::optional<BroadcastCounts> now = counts(watch->id, error);
  if (!now) {
    done(control::error_reply("cannot read the broadcast's progress: " + error));
    return;
  }
  const auto steady_now = std::chrono::steady_clock::now();
  if (now->delivered != watch->last.delivered || now->failed != watch->last.failed ||
      now->expired != watch->last.expired || now->submitted != watch->last.submitted ||
      now->queued != watch->last.queued)
    watch->last_change = steady_now;
  watch->last = *now;
  const double seconds = std::chrono::duration<double>(steady_now - watch->started).count();
  Json line = now->to_json();
  line["id"] = watch->id;
  line["seconds"] = seconds;
  const bool drained = now->queued + now->sending == 0;
  if (now->pending() == 0 ||
      (drained && steady_now - watch->last_change >= options_.receipt_wait) ||
      !gateway_.accepting()) {
    line["done"] = now->pending() == 0;
    if (now->pending() != 0)
      line["note"] = gateway_.accepting()
                         ? "no more delivery receipts came; the pending ones may still arrive"
                         : "lianxind is stopping; the rest is sent after it starts again";
    journal_.log(LogLevel::notice,
                 "broadcast " + std::to_string(watch->id) + ": " + std::to_string(now->delivered) +
                     " delivered, " + std::to_string(now->failed + now->expired) + " failed, " +
                     std::to_string(now->pending()) + " pending",
                 {{"BROADCAST_ID", std::to_string(watch->id)}});
    done(control::ok_reply(line));
    return;
  }
  watch->reply->progress(line);
  watch->timer.expires_after(options_.progress_interval);
  std::weak_ptr<Watch> weak = watch;
  watch->timer.async_wait([this, weak](const boost::system::error_code& error) {
    auto watch = weak.lock();
    if (error || !watch) return;
    poll(watch);
  });
}

void ControlCommands::broadcast_status(const control::Request& request,
                                       const std::shared_ptr<ControlReply>& reply) {
  control::Fields fields(request.body);
  const auto id = fields.integer("id", true, 1, INT64_MAX);
  if (!fields.ok()) {
    reply->fail(fields.error());
    return;
  }
  auto found = gateway_.store().find_broadcast(*id);
  if (!found) {
    reply->fail("cannot read broadcast " + std::to_string(*id) + ": " + found.message);
    return;
  }
  if (!found.value) {
    reply->fail("no broadcast " + std::to_string(*id));
    return;
  }
  std::string error;
  std::optional<BroadcastCounts> now = counts(*id, error);
  if (!now) {
    reply->fail("cannot count broadcast " + std::to_string(*id) + ": " + error);
    return;
  }
  const store::BroadcastRecord& record = *found.value;
  Json reply_fields = now->to_json();
  reply_fields["id"] = record.id;
  reply_fields["text"] = record.text;
  reply_fields["audience"] = record.audience;
  reply_fields["operator"] = record.operator_name;
  reply_fields["recipients"] = record.recipients;
  reply_fields["skipped"] = record.skipped;
  reply_fields["created_at_ms"] =
      std::chrono::duration_cast<std::chrono::milliseconds>(record.created_at.time_since_epoch())
          .count();
  reply_fields["done"] = now->pending() == 0;
  reply->finish(control::ok_reply(reply_fields));
}

}  // namespace lianxin::app
