#include "daemon/app/gateway.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "daemon/app/connections.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::app {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

// Inbound parts decided in one commit at the most. The engine runs inside the commit, so a large
// batch holds back the SMS take of everything in it (a full SMSC window, 256 parts, made ~40 ms
// commits); 64 keeps commits short while still sharing one fsync among many reports.
// bench-e2e moved from 3,451 to 3,735-3,884 reports/s with it: within this machine's noise.
constexpr std::size_t kMaxPartsPerCommit = 64;

std::int64_t epoch_ms(domain::TimePoint at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

store::InboxPart inbox_row(const transport::InboundPart& part, std::int64_t link_session,
                           domain::TimePoint now) {
  store::InboxPart row;
  row.connection = part.connection;
  row.link_session = link_session;
  row.source = part.from;
  row.destination = part.to;
  row.data_coding = part.data_coding;
  // The transport hands over the user data without its UDH; the concatenation info is kept
  // beside it, so esm_class says "no UDH in payload" (0) or "delivery receipt" (0x04).
  row.esm_class = part.receipt ? 0x04 : 0x00;
  row.payload = part.body;
  if (part.concat)
    row.concat = store::ConcatInfo{part.concat->ref, part.concat->total, part.concat->seq};
  if (part.ussd) row.ussd = store::UssdInfo{part.ussd->service_op, part.ussd->session_info};
  row.receipt = part.receipt.has_value();
  row.received_at = now;
  // A receipt is applied in the same batch: nothing remains to do for it after the commit.
  if (part.receipt) row.processed_at = now;
  return row;
}

// An inbox row as the transport would have handed it over (after a restart).
transport::InboundPart part_of(const store::InboxRecord& record) {
  const store::InboxPart& row = record.part;
  transport::InboundPart part;
  part.connection = row.connection;
  part.from = row.source;
  part.to = row.destination;
  part.data_coding = row.data_coding;
  part.body = row.payload;
  part.text = sms::decode(row.data_coding, row.payload);
  if (row.concat) {
    sms::ConcatInfo concat;
    concat.ref = row.concat->ref;
    concat.total = row.concat->total;
    concat.seq = row.concat->seq;
    concat.ref_is_16bit = row.concat->ref > 0xFF;
    part.concat = concat;
  }
  if (row.ussd) part.ussd = transport::UssdInfo{row.ussd->op, row.ussd->session};
  return part;
}

}  // namespace

std::chrono::milliseconds retry_delay(int attempts, milliseconds base, milliseconds max) {
  milliseconds delay = base;
  for (int i = 1; i < attempts && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

Gateway::Gateway(asio::io_context& io, Journal& journal, store::Store& store,
                 transport::Transport& transport, domain::Settings settings,
                 domain::Directory directory, GatewayOptions options)
    : io_(io),
      journal_(journal),
      store_(store),
      stored_tickets_(
          store, [this](const std::string& message) { journal_.log(LogLevel::error, message); }),
      transport_(transport),
      engine_(std::move(settings), std::move(directory), &stored_tickets_),
      options_(std::move(options)),
      assembler_(options_.reassembly),
      ussd_(engine_, options_.ussd_dialects),
      engine_timers_([this](domain::TicketNo ticket, domain::TimerKind kind) {
        return engine_.sla_timer_at(ticket, kind);
      }),
      engine_timer_(io),
      reassembly_timer_(io),
      retry_timer_(io),
      poll_timer_(io) {
  transport::Transport::Handlers handlers;
  handlers.inbound = [this](const transport::InboundPart& part) { on_inbound(part); };
  handlers.sent = [this](const transport::SendResult& result) { on_sent(result); };
  handlers.link = [this](const transport::LinkStatus& status) { on_link(status); };
  transport_.set_handlers(std::move(handlers));
}

Gateway::~Gateway() {
  *alive_ = false;
  transport_.set_handlers({});
}

// ---- start, stop, reload ----

bool Gateway::start() {
  const SystemTime now = domain::Clock::now();
  auto recovered = store_.recover(now);
  if (!recovered) {
    journal_.log(LogLevel::error, "storage: cannot recover the outbox: " + recovered.message);
    return false;
  }
  if (recovered.value > 0)
    journal_.log(LogLevel::notice,
                 "outbox: " + count_of(recovered.value, "message was", "messages were") +
                     " in flight when lianxind stopped; queued again (the SMSC may have some)");

  auto restored = store_.restored_state(now, engine_.settings().windows.closed_retention);
  if (!restored) {
    journal_.log(LogLevel::error, "storage: cannot load tickets: " + restored.message);
    return false;
  }
  const std::size_t ticket_count = restored.value.tickets.size();
  engine_.restore(std::move(restored.value));
  for (const domain::TimerRequest& timer : engine_.pending_timers()) arm_engine_timer(timer);
  journal_.log(LogLevel::info, "restored " + count_of(ticket_count, "ticket", "tickets") +
                                   ", next ticket number " +
                                   std::to_string(engine_.next_ticket_number()));

  auto inbox = store_.unprocessed_inbox();
  if (!inbox) {
    journal_.log(LogLevel::error, "storage: cannot read the inbox: " + inbox.message);
    return false;
  }
  if (!inbox.value.empty())
    journal_.log(LogLevel::notice, "inbox: " + count_of(inbox.value.size(), "part", "parts") +
                                       " received before the restart and not yet processed");
  for (const store::InboxRecord& record : inbox.value) {
    if (record.part.receipt) {
      batch_.processed.push_back({record.id, now});
      continue;
    }
    feed(part_of(record), record.id);
  }
  rearm_reassembly_timer();
  arm_poll_timer();
  transport_.start();
  schedule_flush();
  update_status();
  return true;
}

void Gateway::stop(std::function<void(int)> done) {
  if (stopping_) return;
  stopping_ = true;
  engine_timer_.cancel();
  reassembly_timer_.cancel();
  retry_timer_.cancel();
  poll_timer_.cancel();
  flush();
  std::weak_ptr<bool> alive = alive_;
  transport_.stop([this, alive, done = std::move(done)] {
    if (alive.expired()) return;
    // Submit results and parts that came in while the links drained; their effects too.
    for (int round = 0; round < 3 && !batch_.empty() && !failed_; ++round) flush();
    if (!batch_.empty() && !failed_)
      journal_.log(LogLevel::warning, "stopping with unstored effects; they are redone at start");
    journal_.log(LogLevel::info, "stopped");
    done(failed_ ? 1 : 0);
  });
}

void Gateway::reload(domain::Settings settings, domain::Directory directory) {
  engine_.reload(std::move(settings), std::move(directory));
  ussd_.reload();  // ---- USSD ---- the menu from the new settings
  update_status();
}

// ---- transport events ----

void Gateway::on_inbound(const transport::InboundPart& part) {
  const SystemTime now = domain::Clock::now();
  if (failed_) {
    ++counters_.mo_parts["refused"];
    transport_.acknowledge(part.ack, false);
    return;
  }
  // A part can only come on a bound link, whose bind on_link() saw; fall back to now anyway.
  auto session = link_sessions_.try_emplace(part.connection, epoch_ms(now)).first->second;
  batch_.inbox.push_back(inbox_row(part, session, now));
  pending_parts_.push_back(PendingPart{part});
  if (part.receipt) {
    store::ReceiptUpdate update;
    update.connection = part.connection;
    update.message_id = part.receipt->message_id;
    update.state = part.receipt->state;
    update.error = part.receipt->error;
    if (part.receipt->network_error && update.error.empty())
      update.error = "network error " + std::to_string(part.receipt->network_error->error_code);
    update.at = now;
    batch_.receipts.push_back(std::move(update));
  }
  schedule_flush();
}

void Gateway::on_sent(const transport::SendResult& result) {
  if (UssdService::owns(result.id)) return ussd_sent(result);  // ---- USSD ---- not an outbox row
  const SystemTime now = domain::Clock::now();
  InFlight info;
  if (auto it = in_flight_.find(result.id); it != in_flight_.end()) {
    info = it->second;
    in_flight_.erase(it);
  }
  const std::int64_t id = static_cast<std::int64_t>(result.id);
  std::vector<Field> fields{
      {"OUTBOX_ID", std::to_string(id)},
      {"SMSC", result.connection},
      {"DIRECTION", "out"},
      {"PHONE", domain::mask_number(info.destination, engine_.settings().default_country)}};
  if (info.ticket) fields.push_back({"TICKET_ID", std::to_string(*info.ticket)});
  switch (result.status) {
    case transport::SendStatus::submitted:
      ++counters_.mt_messages["submitted"];
      batch_.submitted.push_back({id, result.connection, result.message_ids, now});
      journal_.log(LogLevel::info,
                   "SMS out " + std::to_string(id) + " submitted as " +
                       count_of(result.message_ids.size(), "part", "parts"),
                   fields);
      break;
    case transport::SendStatus::retry:
      if (info.attempts >= options_.max_attempts) {
        ++counters_.mt_messages["failed"];
        batch_.failures.push_back(
            {id, "gave up after " + std::to_string(info.attempts) + " attempts: " + result.detail,
             now});
        journal_.log(LogLevel::warning,
                     "SMS out " + std::to_string(id) + " failed after " +
                         std::to_string(info.attempts) + " attempts: " + result.detail,
                     fields);
      } else {
        const SystemTime at =
            now + retry_delay(info.attempts, options_.retry_base, options_.retry_max);
        ++counters_.mt_messages["retried"];
        batch_.retries.push_back({id, result.detail, at, now});
        arm_retry_timer(at);
        journal_.log(LogLevel::notice,
                     "SMS out " + std::to_string(id) + " will be retried" +
                         (result.possibly_sent ? " (it may have been sent already)" : "") + ": " +
                         result.detail,
                     fields);
      }
      break;
    case transport::SendStatus::failed:
      ++counters_.mt_messages["failed"];
      batch_.failures.push_back({id, result.detail, now});
      journal_.log(LogLevel::warning,
                   "SMS out " + std::to_string(id) + " refused by the SMSC: " + result.detail,
                   fields);
      break;
  }
  want_take_ = true;  // room again
  schedule_flush();
}

void Gateway::on_link(const transport::LinkStatus& status) {
  const bool was_up = links_up_[status.connection];
  links_up_[status.connection] = status.up;
  if (status.up && !was_up) {
    // Strictly increasing, even for two binds within one millisecond.
    std::int64_t& session = link_sessions_[status.connection];
    if (session != 0) ++counters_.reconnects[connection_of_link(status.connection)];
    session = std::max(session + 1, epoch_ms(domain::Clock::now()));
    journal_.log(LogLevel::notice,
                 "SMSC link " + status.connection + " bound (" + status.detail + ")",
                 {{"SMSC", status.connection}});
    want_take_ = true;
    schedule_flush();
  } else if (!status.up && was_up) {
    journal_.log(stopping_ ? LogLevel::info : LogLevel::warning,
                 "SMSC link " + status.connection + " down: " + status.detail,
                 {{"SMSC", status.connection}});
  }
  update_status();
}

// ---- the flush ----

void Gateway::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  std::weak_ptr<bool> alive = alive_;
  asio::post(io_, [this, alive] {
    if (alive.expired()) return;
    flush();
  });
}

std::size_t Gateway::room() const {
  return in_flight_.size() >= options_.max_in_flight ? 0
                                                     : options_.max_in_flight - in_flight_.size();
}

bool Gateway::may_take() const {
  return want_take_ && !stopping_ && !failed_ && room() > 0 && transport_.can_send();
}

void Gateway::flush() {
  flush_scheduled_ = false;
  if (failed_) return;
  const SystemTime now = domain::Clock::now();
  // New outbox rows are due at once: take them in the same transaction that stores them (the
  // take is applied after the inserts), so an SMS costs one commit before it is submitted.
  if (!batch_.outbox.empty()) want_take_ = true;
  if (may_take()) batch_.take = store::TakeRequest{now, room()};
  std::vector<Committed> waiters = std::exchange(commit_waiters_, {});
  if (batch_.empty()) {
    for (Committed& waiter : waiters) waiter(true);
    return;
  }

  // Handlers called during this flush (acknowledge and send may call back) fill a fresh batch.
  store::WriteBatch batch = std::move(batch_);
  batch_ = store::WriteBatch{};
  std::vector<PendingPart> parts = std::move(pending_parts_);
  pending_parts_.clear();
  if (parts.size() > kMaxPartsPerCommit) {
    // The rest waits for the next flush (posted at once, below), unacknowledged: a short commit
    // lets the SMS of the ones before it go out sooner, and the SMSC's window holds the rest.
    batch_.inbox.assign(std::make_move_iterator(batch.inbox.begin() + kMaxPartsPerCommit),
                        std::make_move_iterator(batch.inbox.end()));
    batch.inbox.resize(kMaxPartsPerCommit);
    pending_parts_.assign(std::make_move_iterator(parts.begin() + kMaxPartsPerCommit),
                          std::make_move_iterator(parts.end()));
    parts.resize(kMaxPartsPerCommit);
  }

  // One transaction: the parts are inserted, whole messages go to the engine, and what it
  // decided (tickets, events, outbox rows) is written beside them; only then is anything
  // acknowledged or sent. The commit histogram leaves the engine's time out.
  std::chrono::steady_clock::duration deciding{};
  const auto commit_started = std::chrono::steady_clock::now();
  store::CommitResult result = store_.commit(
      batch, [&](const std::vector<store::InboxInsert>& inserted, store::WriteBatch& decided) {
        const auto decide_started = std::chrono::steady_clock::now();
        decide(parts, inserted);
        // Parts cannot arrive inside a commit; should one have, it waits for the next flush.
        std::vector<store::InboxPart> later = std::move(batch_.inbox);
        batch_.inbox.clear();
        decided.append(std::move(batch_));
        batch_ = store::WriteBatch{};
        batch_.inbox = std::move(later);
        if (!decided.outbox.empty()) want_take_ = true;
        if (!decided.take && may_take()) decided.take = store::TakeRequest{now, room()};
        deciding = std::chrono::steady_clock::now() - decide_started;
      });
  counters_.commit_seconds.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - commit_started - deciding)
          .count());
  if (result) engine_.release_tickets();  // what it changed is on disk: read it from there
  if (!result) {
    counters_.mo_parts["refused"] += parts.size();
    commit_failed(result, parts);
    for (Committed& waiter : waiters) waiter(false);
    return;
  }

  // 1. The parts and what they caused are stored: the SMSC may now have its deliver_sm_resp.
  for (const PendingPart& pending : parts) transport_.acknowledge(pending.part.ack, true);

  // 2. Receipts.
  for (std::size_t i = 0; i < result.receipts.size() && i < batch.receipts.size(); ++i) {
    const store::ReceiptMatch& match = result.receipts[i];
    const store::ReceiptUpdate& update = batch.receipts[i];
    const std::string state = update.state ? sms::delivery_state_name(*update.state) : "?";
    ++counters_.receipts[update.state ? state : "unknown"];
    if (match.outbox_id) {
      journal_.log(LogLevel::info,
                   "receipt " + state + " for SMS out " + std::to_string(*match.outbox_id) +
                       " part " + std::to_string(match.part + 1) + ": now " +
                       std::string(store::to_string(match.message_state)),
                   {{"OUTBOX_ID", std::to_string(*match.outbox_id)},
                    {"SMSC", update.connection},
                    {"DIRECTION", "in"}});
    } else if (match.kept) {
      journal_.log(LogLevel::info,
                   "receipt " + state + " for message id " + update.message_id +
                       " before any segment has it: kept until a submit_sm_resp gives it",
                   {{"SMSC", update.connection}, {"DIRECTION", "in"}});
    } else {
      journal_.log(LogLevel::notice,
                   "receipt " + state + " for unknown message id " + update.message_id,
                   {{"SMSC", update.connection}, {"DIRECTION", "in"}});
    }
  }
  for (const store::EarlyReceiptApplied& early : result.early_receipts) {
    journal_.log(LogLevel::info,
                 "receipt " + early.state + " (it came before its id) for SMS out " +
                     std::to_string(*early.match.outbox_id) + " part " +
                     std::to_string(early.match.part + 1) + ": now " +
                     std::string(store::to_string(early.match.message_state)),
                 {{"OUTBOX_ID", std::to_string(*early.match.outbox_id)},
                  {"SMSC", early.connection},
                  {"DIRECTION", "in"}});
  }

  // 3. New outbox rows (a report's confirmation and dispatch among them) were taken in the same
  //    transaction; the take (if any) tells whether more are waiting.
  if (!batch.outbox.empty()) want_take_ = true;
  if (batch.take) {
    // ---- SLA ---- expired rows used up part of the take's limit: more may be waiting.
    if (result.taken.size() + result.expired.size() < batch.take->limit) want_take_ = false;
    counters_.mt_messages["expired"] += result.expired.size();
    for (const store::OutboxMessage& gone : result.expired) {
      std::vector<Field> fields{{"OUTBOX_ID", std::to_string(gone.id)},
                                {"DIRECTION", "out"},
                                {"PHONE", domain::mask_number(gone.request.destination,
                                                              engine_.settings().default_country)}};
      if (gone.request.ticket)
        fields.push_back({"TICKET_ID", std::to_string(*gone.request.ticket)});
      journal_.log(LogLevel::notice,
                   "SMS out " + std::to_string(gone.id) +
                       " expired before it could be sent (validity passed): dropped",
                   fields);
    }
    send_taken(result.taken, now);
  }

  rearm_reassembly_timer();

  if (!batch_.empty() || may_take()) schedule_flush();
  if (!batch.tickets.empty() || !batch.outbox.empty()) update_status(false);

  // 5. Operator calls whose effects were in this commit may now answer "done".
  for (Committed& waiter : waiters) waiter(true);
}

void Gateway::commit_failed(const store::CommitResult& result, std::vector<PendingPart>& parts) {
  failed_ = true;
  journal_.log(LogLevel::error,
               "storage: commit failed (" + result.error.message() + "): " + result.message +
                   "; refusing inbound messages (ESME_RX_T_APPN) and exiting so systemd restarts "
                   "lianxind from the last consistent state");
  for (const PendingPart& pending : parts) transport_.acknowledge(pending.part.ack, false);
  for (const PendingPart& pending : pending_parts_) transport_.acknowledge(pending.part.ack, false);
  pending_parts_.clear();
  batch_.clear();
  for (Committed& waiter : std::exchange(commit_waiters_, {})) waiter(false);
  update_status();
  if (fatal_handler_) {
    auto handler = std::exchange(fatal_handler_, nullptr);
    handler();
  }
}

void Gateway::send_taken(std::vector<store::OutboxMessage>& taken, SystemTime now) {
  bool blocked = false;
  for (store::OutboxMessage& message : taken) {
    const std::uint64_t id = static_cast<std::uint64_t>(message.id);
    std::vector<Field> fields{{"OUTBOX_ID", std::to_string(message.id)},
                              {"DIRECTION", "out"},
                              {"PHONE", domain::mask_number(message.request.destination,
                                                            engine_.settings().default_country)}};
    if (message.request.ticket)
      fields.push_back({"TICKET_ID", std::to_string(*message.request.ticket)});
    if (blocked) {
      batch_.retries.push_back({message.id, "no room on the links", now, now});
      continue;
    }
    transport::OutboundSms sms;
    sms.id = id;
    sms.from = message.request.source;
    sms.to = message.request.destination;
    sms.text = message.request.text;
    sms.request_receipt = true;
    // Recorded first: send() may report the result before it returns.
    in_flight_[id] = InFlight{std::max(1, message.attempts), message.request.destination,
                              message.request.ticket};
    const transport::SendAdmission admission = transport_.send(sms);
    switch (admission) {
      case transport::SendAdmission::accepted:
        journal_.log(LogLevel::debug, "SMS out " + std::to_string(message.id) + " submitting",
                     fields);
        break;
      case transport::SendAdmission::busy:
      case transport::SendAdmission::no_link:
      case transport::SendAdmission::stopping:
        in_flight_.erase(id);
        batch_.retries.push_back({message.id, transport::send_admission_name(admission), now, now});
        blocked = true;
        // Wait for a submit result or a link to come up before taking again.
        want_take_ = false;
        break;
      case transport::SendAdmission::invalid:
        in_flight_.erase(id);
        batch_.failures.push_back({message.id, "cannot be sent (too long?)", now});
        journal_.log(LogLevel::warning,
                     "SMS out " + std::to_string(message.id) + " cannot be sent: marked failed",
                     fields);
        break;
    }
  }
}

}  // namespace lianxin::app
