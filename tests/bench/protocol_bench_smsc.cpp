// protocol_bench's load SMSC: raw bytes on its own thread and io_context, streaming
// pre-encoded deliver_sm frames at full speed or paced, timing each one until its
// deliver_sm_resp.
#include "tests/bench/protocol_bench_smsc.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocol/pdu.hpp"
#include "tests/bench/smpp_frames.hpp"

namespace protocol_bench {

using lianxin::bench::append_header;
using lianxin::bench::read_be32;
using lianxin::bench::write_be32;

struct LoadSmsc::Conn : std::enable_shared_from_this<LoadSmsc::Conn> {
  Conn(asio::io_context& io, const std::vector<Bytes>& frame_set, LoadPlan load_plan,
       std::shared_ptr<std::promise<LoadResult>> result_promise, std::function<void()> on_done)
      : socket(io),
        pacer(io),
        frames(frame_set),
        plan(load_plan),
        promise(std::move(result_promise)),
        done(std::move(on_done)) {
    sent_at.resize(plan.total);
    result.latency_ns.reserve(plan.total);
  }

  void start() {
    read();
    // Streaming starts once the bind is answered (see handle_frame).
  }

  void close() {
    boost::system::error_code ignored;
    pacer.cancel();
    if (socket.is_open()) socket.close(ignored);
  }

  void finish(const std::string& error) {
    if (finished) return;
    finished = true;
    result.error = error;
    result.acked = acked;
    // `done` first: the ESME side keeps its io_context alive until the result is ready.
    if (done) done();
    promise->set_value(std::move(result));
  }

  void read() {
    socket.async_read_some(asio::buffer(buffer),
                           [self = shared_from_this()](boost::system::error_code ec,
                                                       std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
    if (ec) {
      if (!finished)
        finish("connection lost after " + std::to_string(acked) + " acks: " + ec.message());
      close();
      return;
    }
    const auto now = SteadyClock::now();
    input.insert(input.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    std::size_t offset = 0;
    while (input.size() - offset >= 16) {
      const std::uint8_t* frame = input.data() + offset;
      const std::uint32_t length = read_be32(frame);
      if (length < 16 || length > smpp::max_command_length) {
        finish("bad command_length " + std::to_string(length) + " from the ESME");
        close();
        return;
      }
      if (input.size() - offset < length) break;
      handle_frame(read_be32(frame + 4), read_be32(frame + 8), read_be32(frame + 12), now);
      offset += length;
    }
    input.erase(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(offset));
    if (!close_after_write) send_more(now);
    flush();
    if (socket.is_open()) read();
  }

  void handle_frame(std::uint32_t id, std::uint32_t status, std::uint32_t sequence,
                    SteadyClock::time_point now) {
    using smpp::CommandId;
    switch (static_cast<CommandId>(id)) {
      case CommandId::bind_transceiver: {
        static constexpr char system_id[] = "loadsmsc";
        append_header(out, 16 + sizeof system_id, CommandId::bind_transceiver_resp, 0, sequence);
        out.insert(out.end(), system_id, system_id + sizeof system_id);  // with its NUL
        bound = true;
        if (plan.rate > 0) {
          pace_start = now;
          pace();
        }
        return;
      }
      case CommandId::enquire_link:
        append_header(out, 16, CommandId::enquire_link_resp, 0, sequence);
        ++result.enquire_links;
        return;
      case CommandId::unbind:
        append_header(out, 16, CommandId::unbind_resp, 0, sequence);
        close_after_write = true;
        return;
      case CommandId::deliver_sm_resp: {
        if (sequence == 0 || sequence > sent) {
          finish("deliver_sm_resp for unknown sequence " + std::to_string(sequence));
          return;
        }
        std::int64_t& at = sent_at[sequence - 1];
        if (at < 0) {
          finish("second deliver_sm_resp for sequence " + std::to_string(sequence));
          return;
        }
        result.latency_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now - first_sent).count() - at);
        at = -1;
        if (status != smpp::status::ok) ++result.rejected;
        ++acked;
        if (acked == plan.total) {
          result.seconds = std::chrono::duration<double>(now - first_sent).count();
          finish("");
        }
        return;
      }
      default:
        if (!smpp::is_response(id))
          append_header(out, 16, CommandId::generic_nack, smpp::status::invalid_cmd_id, sequence);
        return;
    }
  }

  // Appends the next deliver_sm, its sequence number patched; returns false when the plan or
  // the window says not now.
  bool append_mo(SteadyClock::time_point now) {
    if (!bound || sent >= plan.total || sent - acked >= plan.window) return false;
    const Bytes& frame = frames[sent % frames.size()];
    const std::size_t at = out.size();
    out.insert(out.end(), frame.begin(), frame.end());
    ++sent;
    write_be32(&out[at + 12], static_cast<std::uint32_t>(sent));
    if (sent == 1) first_sent = now;
    sent_at[sent - 1] =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - first_sent).count();
    return true;
  }

  void send_more(SteadyClock::time_point now) {
    if (plan.rate > 0) return;  // the pacer sends
    while (append_mo(now)) {
    }
  }

  // Sends `burst` MOs at each tick of a fixed schedule (start + k * burst / rate), so the rate
  // does not drift. Each MO of a burst is its own write (its own TCP segment), as when an SMSC
  // forwards the parts of a long message back to back. A tick that finds the window full is
  // skipped.
  void pace() {
    if (finished || sent >= plan.total) return;
    const auto period = std::chrono::duration<double>(static_cast<double>(plan.burst) / plan.rate);
    pacer.expires_at(pace_start + std::chrono::duration_cast<SteadyClock::duration>(
                                      period * static_cast<double>(ticks)));
    pacer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished) return;
      self->result.wake_late_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              SteadyClock::now() - self->pacer.expiry())
                                              .count());
      ++self->ticks;
      for (std::size_t i = 0; i < self->plan.burst; ++i) {
        if (!self->append_mo(SteadyClock::now())) break;
        if (self->writing) continue;  // an answer is being written; this MO follows it
        boost::system::error_code write_error;
        asio::write(self->socket, asio::buffer(self->out), write_error);
        self->out.clear();
        if (write_error) {
          self->finish("write: " + write_error.message());
          self->close();
          return;
        }
      }
      self->flush();
      self->pace();
    });
  }

  void flush() {
    if (writing || out.empty() || !socket.is_open()) return;
    writing = true;
    std::swap(out, being_written);
    out.clear();
    asio::async_write(socket, asio::buffer(being_written),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->writing = false;
                        self->being_written.clear();
                        if (ec) {
                          self->finish("write: " + ec.message());
                          self->close();
                          return;
                        }
                        if (self->close_after_write && self->out.empty()) {
                          self->close();
                          return;
                        }
                        self->flush();
                      });
  }

  tcp::socket socket;
  asio::steady_timer pacer;
  const std::vector<Bytes>& frames;
  LoadPlan plan;
  std::shared_ptr<std::promise<LoadResult>> promise;
  std::function<void()> done;

  std::array<std::uint8_t, 65536> buffer{};
  Bytes input, out, being_written;
  bool writing = false, bound = false, close_after_write = false, finished = false;
  std::size_t sent = 0, acked = 0, ticks = 0;
  SteadyClock::time_point first_sent{}, pace_start{};
  std::vector<std::int64_t> sent_at;  // ns after first_sent, -1 once acknowledged
  LoadResult result;
};

LoadSmsc::LoadSmsc(std::vector<Bytes> frames)
    : frames_(std::move(frames)),
      acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
      work_(asio::make_work_guard(io_)) {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { io_.run(); });
}

LoadSmsc::~LoadSmsc() {
  asio::post(io_, [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    if (conn_) conn_->close();
    conn_.reset();
    work_.reset();
  });
  thread_.join();
}

std::future<LoadResult> LoadSmsc::expect(LoadPlan plan, std::function<void()> done) {
  auto promise = std::make_shared<std::promise<LoadResult>>();
  std::future<LoadResult> future = promise->get_future();
  peer_port_ = 0;
  asio::post(io_, [this, plan, promise, done = std::move(done)]() mutable {
    if (conn_) conn_->close();
    conn_ = std::make_shared<Conn>(io_, frames_, plan, std::move(promise), std::move(done));
    acceptor_.async_accept(conn_->socket, [this, conn = conn_](boost::system::error_code ec) {
      if (ec) {
        conn->finish("accept: " + ec.message());
        return;
      }
      boost::system::error_code ignored;
      conn->socket.set_option(tcp::no_delay(true), ignored);
      peer_port_ = conn->socket.remote_endpoint(ignored).port();
      conn->start();
    });
  });
  return future;
}

void LoadSmsc::abort(const std::string& why) {
  asio::post(io_, [this, why] {
    if (conn_) conn_->finish(why);
    if (conn_) conn_->close();
  });
}

}  // namespace protocol_bench
