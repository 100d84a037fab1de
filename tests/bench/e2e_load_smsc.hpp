// e2e_bench's load SMSC: its own thread and io_context, raw SMPP over loopback, deliver_sm
// frames pre-encoded with lianxin's codec; it answers every submit_sm at once and records when
// each report's two SMS came back.
#pragma once

#include "tests/bench/e2e_bench_support.hpp"

namespace lianxin::bench::e2e {

// ------------------------------------------------------------------ the load

// One run's MOs: pre-encoded deliver_sm frames (sequence number patched when sent) and the
// resident each comes from.
struct MoPlan {
  std::vector<Bytes> frames;
  std::vector<std::string> from;  // national number
  std::size_t window = 256;
  double rate = 0;  // MO/s; 0 = as fast as the window allows
};

MoPlan make_plan(std::size_t count, std::size_t first_serial, std::size_t residents,
                 std::size_t window, double rate) {
  MoPlan plan;
  plan.window = window;
  plan.rate = rate;
  plan.frames.reserve(count);
  plan.from.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t serial = first_serial + i;
    smpp::DeliverSm mo;
    mo.source = smpp::Address{1, 1, testing::resident_number(serial % residents)};
    mo.destination = smpp::Address{0, 1, kServiceNumber};
    mo.data_coding = sms::data_coding_of(sms::Encoding::ucs2);
    mo.short_message = sms::encode(testing::report_text(serial), sms::Encoding::ucs2).bytes;
    smpp::EncodeResult encoded = smpp::encode(smpp::Pdu{smpp::status::ok, 1, mo});
    if (encoded.error) throw std::runtime_error("encoding a deliver_sm: " + encoded.detail);
    plan.frames.push_back(std::move(encoded.bytes));
    plan.from.push_back(mo.source.addr);
  }
  return plan;
}

// What the SMSC measured; read by the main thread once `finished` (or for progress, the atomics).
struct RunResult {
  std::string error;
  std::vector<std::int64_t> latency_ns;  // per report done: MO written → both SMS read
  std::vector<std::int64_t> ack_ns;      // per MO: written → deliver_sm_resp read
  std::vector<std::int64_t> done_at_ns;  // when each report was done (since the first MO)
  std::size_t rejected = 0;              // deliver_sm_resp with an error status
  std::size_t submits = 0, other_sms = 0, unmatched = 0;
  std::int64_t first_sent_ns = 0, last_sent_ns = 0;
};

// The SMSC's view of one run. Atomics are what the main thread polls.
struct RunState {
  explicit RunState(MoPlan p) : plan(std::move(p)) {
    sent_ns.assign(plan.frames.size(), -1);
    result.latency_ns.reserve(plan.frames.size());
    result.ack_ns.reserve(plan.frames.size());
    result.done_at_ns.reserve(plan.frames.size());
  }
  MoPlan plan;
  std::atomic<std::size_t> sent{0}, acked{0}, done{0};
  std::atomic<bool> bound{false}, finished{false};
  // SMSC thread only:
  SteadyClock::time_point start{};
  std::vector<std::int64_t> sent_ns;
  std::unordered_map<std::string, std::deque<std::uint32_t>> waiting_confirmation;  // by resident
  struct Ticket {
    std::int64_t mo = -1;  // index, once its confirmation named it
    std::int64_t confirmation_ns = -1, dispatch_ns = -1;
    bool counted = false;
  };
  std::unordered_map<std::uint64_t, Ticket> tickets;
  struct Partial {
    std::uint64_t ticket = 0;
    int seen = 0;
  };
  std::map<std::pair<std::string, std::uint16_t>, Partial> parts;  // (to, ref) of a multipart SMS
  RunResult result;
};

class LoadSmsc {
 public:
  LoadSmsc()
      : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
        pacer_(io_),
        work_(asio::make_work_guard(io_)) {
    port_ = acceptor_.local_endpoint().port();
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~LoadSmsc() {
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      pacer_.cancel();
      close();
      work_.reset();
    });
    thread_.join();
  }
  LoadSmsc(const LoadSmsc&) = delete;
  LoadSmsc& operator=(const LoadSmsc&) = delete;

  std::uint16_t port() const { return port_; }

  // The next bind gets this run (the MOs start flowing once it is bound and start() is called).
  void prepare(std::shared_ptr<RunState> run) {
    asio::post(io_, [this, run] { run_ = std::move(run); });
  }
  void start() {
    asio::post(io_, [this] {
      if (!run_ || !run_->bound) return;
      run_->start = SteadyClock::now();
      streaming_ = true;
      if (run_->plan.rate > 0)
        pace(0);
      else
        send_more();
      flush();
    });
  }
  // Stops streaming and hands the result over (on the SMSC thread, so nothing races).
  RunResult finish() {
    std::promise<RunResult> promise;
    auto future = promise.get_future();
    asio::post(io_, [this, &promise] {
      streaming_ = false;
      pacer_.cancel();
      RunResult result;
      if (run_) result = std::move(run_->result);
      promise.set_value(std::move(result));
    });
    return future.get();
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      close();
      socket_.emplace(std::move(socket));
      boost::system::error_code ignored;
      socket_->set_option(tcp::no_delay(true), ignored);
      input_.clear();
      out_.clear();
      read();
      accept();
    });
  }

  void close() {
    boost::system::error_code ignored;
    if (socket_ && socket_->is_open()) socket_->close(ignored);
    streaming_ = false;
  }

  void read() {
    socket_->async_read_some(
        asio::buffer(buffer_),
        [this, socket = &*socket_](boost::system::error_code ec, std::size_t n) {
          if (!socket_ || &*socket_ != socket) return;  // an old connection
          if (ec) {
            if (run_ && !run_->finished && streaming_)
              run_->result.error = "connection lost: " + ec.message();
            close();
            return;
          }
          on_read(n);
        });
  }

  void on_read(std::size_t n) {
    const auto now = SteadyClock::now();
    input_.insert(input_.end(), buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(n));
    std::size_t offset = 0;
    while (input_.size() - offset >= 16) {
      const std::uint32_t length = read_be32(&input_[offset]);
      if (length < 16 || length > smpp::max_command_length) {
        if (run_) run_->result.error = "bad command_length from lianxind";
        close();
        return;
      }
      if (input_.size() - offset < length) break;
      handle(smpp::ByteView(&input_[offset], length), now);
      offset += length;
    }
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(offset));
    if (streaming_ && run_ && run_->plan.rate <= 0) send_more();
    flush();
    if (socket_ && socket_->is_open()) read();
  }

  std::int64_t since_start(SteadyClock::time_point t) const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - run_->start).count();
  }

  void handle(smpp::ByteView frame, SteadyClock::time_point now) {
    using smpp::CommandId;
    const auto id = static_cast<CommandId>(read_be32(frame.data() + 4));
    const std::uint32_t status = read_be32(frame.data() + 8);
    const std::uint32_t sequence = read_be32(frame.data() + 12);
    switch (id) {
      case CommandId::bind_transceiver: {
        static constexpr char system_id[] = "loadsmsc";
        append_header(out_, 16 + sizeof system_id, CommandId::bind_transceiver_resp, 0, sequence);
        out_.insert(out_.end(), system_id, system_id + sizeof system_id);
        if (run_) run_->bound = true;
        return;
      }
      case CommandId::enquire_link:
        append_header(out_, 16, CommandId::enquire_link_resp, 0, sequence);
        return;
      case CommandId::unbind:
        append_header(out_, 16, CommandId::unbind_resp, 0, sequence);
        return;
      case CommandId::submit_sm:
        on_submit(frame, sequence, now);
        return;
      case CommandId::deliver_sm_resp:
        on_deliver_resp(sequence, status, now);
        return;
      default:
        if (!smpp::is_response(static_cast<std::uint32_t>(id)))
          append_header(out_, 16, CommandId::generic_nack, smpp::status::invalid_cmd_id, sequence);
        return;
    }
  }

  void on_deliver_resp(std::uint32_t sequence, std::uint32_t status, SteadyClock::time_point now) {
    if (!run_ || sequence == 0 || sequence > run_->sent_ns.size()) return;
    std::int64_t& sent = run_->sent_ns[sequence - 1];
    if (sent < 0) return;
    run_->result.ack_ns.push_back(since_start(now) - sent);
    if (status != smpp::status::ok) ++run_->result.rejected;
    ++run_->acked;
  }

  void on_submit(smpp::ByteView frame, std::uint32_t sequence, SteadyClock::time_point now) {
    char message_id[16];
    const int length = std::snprintf(message_id, sizeof message_id, "%x", next_message_id_++);
    append_header(out_, static_cast<std::uint32_t>(16 + length + 1),
                  smpp::CommandId::submit_sm_resp, 0, sequence);
    out_.insert(out_.end(), message_id, message_id + length + 1);
    if (!run_) return;
    RunState& run = *run_;
    ++run.result.submits;
    const smpp::DecodeResult decoded = smpp::decode(frame);
    const auto* submit = decoded.pdu ? std::get_if<smpp::SubmitSm>(&decoded.pdu->body) : nullptr;
    if (!submit) {
      ++run.result.unmatched;
      return;
    }
    const sms::ParsedUserData user_data =
        sms::parse_concat(submit->esm_class, submit->short_message);
    const std::string to = national(submit->destination.addr);
    std::uint64_t ticket = 0;
    bool complete = true;
    if (user_data.concat && user_data.concat->total > 1) {
      auto& partial = run.parts[{to, user_data.concat->ref}];
      if (user_data.concat->seq == 1)
        partial.ticket = ticket_in(sms::decode(submit->data_coding, user_data.body));
      complete = ++partial.seen == user_data.concat->total;
      ticket = partial.ticket;
      if (complete) run.parts.erase({to, user_data.concat->ref});
    } else {
      ticket = ticket_in(sms::decode(submit->data_coding, user_data.body));
    }
    if (!complete) return;
    if (ticket == 0) {
      ++run.result.other_sms;
      return;
    }
    RunState::Ticket& t = run.tickets[ticket];
    const std::int64_t at = since_start(now);
    if (to.starts_with("139")) {  // a resident: the confirmation
      t.confirmation_ns = at;
      auto it = run.waiting_confirmation.find(to);
      if (it != run.waiting_confirmation.end() && !it->second.empty()) {
        t.mo = it->second.front();
        it->second.pop_front();
      } else {
        ++run.result.unmatched;
      }
    } else {
      t.dispatch_ns = at;
    }
    if (!t.counted && t.mo >= 0 && t.confirmation_ns >= 0 && t.dispatch_ns >= 0) {
      t.counted = true;
      run.result.latency_ns.push_back(std::max(t.confirmation_ns, t.dispatch_ns) -
                                      run.sent_ns[static_cast<std::size_t>(t.mo)]);
      run.result.done_at_ns.push_back(at);
      ++run.done;
      run.tickets.erase(ticket);
    }
  }

  // Appends the next MO; false when the plan or the window says not now.
  bool append_mo(SteadyClock::time_point now) {
    RunState& run = *run_;
    const std::size_t sent = run.sent;
    if (sent >= run.plan.frames.size() || sent - run.acked >= run.plan.window) return false;
    const Bytes& frame = run.plan.frames[sent];
    const std::size_t at = out_.size();
    out_.insert(out_.end(), frame.begin(), frame.end());
    write_be32(&out_[at + 12], static_cast<std::uint32_t>(sent + 1));
    run.sent_ns[sent] = since_start(now);
    if (sent == 0) run.result.first_sent_ns = run.sent_ns[sent];
    run.result.last_sent_ns = run.sent_ns[sent];
    run.waiting_confirmation[run.plan.from[sent]].push_back(static_cast<std::uint32_t>(sent));
    run.sent = sent + 1;
    return true;
  }

  void send_more() {
    const auto now = SteadyClock::now();
    while (append_mo(now)) {
    }
  }

  // Paced: MO k is due at start + k / rate; a tick sends whatever is due (window permitting).
  void pace(std::size_t tick) {
    RunState& run = *run_;
    if (!streaming_ || run.sent >= run.plan.frames.size()) return;
    pacer_.expires_at(run.start + std::chrono::duration_cast<SteadyClock::duration>(
                                      std::chrono::duration<double>(tick / run.plan.rate)));
    pacer_.async_wait([this, tick](boost::system::error_code ec) {
      if (ec || !streaming_ || !run_) return;
      const auto now = SteadyClock::now();
      const double elapsed = std::chrono::duration<double>(now - run_->start).count();
      const std::size_t due = std::min(run_->plan.frames.size(),
                                       static_cast<std::size_t>(elapsed * run_->plan.rate) + 1);
      while (run_->sent < due && append_mo(now)) {
      }
      flush();
      pace(std::max(tick + 1, run_->sent.load()));
    });
  }

  void flush() {
    if (writing_ || out_.empty() || !socket_ || !socket_->is_open()) return;
    writing_ = true;
    std::swap(out_, being_written_);
    out_.clear();
    asio::async_write(*socket_, asio::buffer(being_written_),
                      [this](boost::system::error_code ec, std::size_t) {
                        writing_ = false;
                        being_written_.clear();
                        if (ec) {
                          close();
                          return;
                        }
                        flush();
                      });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::steady_timer pacer_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::optional<tcp::socket> socket_;
  std::array<std::uint8_t, 65536> buffer_{};
  Bytes input_, out_, being_written_;
  bool writing_ = false, streaming_ = false;
  std::uint32_t next_message_id_ = 0x10000000;
  std::shared_ptr<RunState> run_;
};

}  // namespace lianxin::bench::e2e
