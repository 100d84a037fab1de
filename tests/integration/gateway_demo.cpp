// lianxin_gateway_demo: the SMPP gateway layer end to end, for scripts/demo.
//
// Binds to an SMSC with lianxin's ESME client, waits for one (possibly multipart) SMS,
// reassembles it, answers the sender with a Chinese reply, and exits once the SMSC accepted
// every part of the reply. It prints what it sees, one line per step:
//   lianxin: bound to 127.0.0.1:2775 as lianxin
//   lianxin: part 2/3 from 13800000001 (ref 7)
//   lianxin received  13800000001 → 12345 (3 parts): 村口两盏路灯杆被大风刮倒了…
//   lianxin replies   12345 → 13800000001: 【连心桥】…
//   lianxin: reply accepted by the SMSC as 2 parts (message ids 5a000000, 5a000001)
//
// usage: lianxin_gateway_demo --port N [--host H] [--system-id ID] [--password PW]
//                             [--timeout SECONDS]
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/asio.hpp"
#include "protocol/esme.hpp"
#include "protocol/transport.hpp"

namespace {

using namespace std::chrono_literals;
namespace transport = lianxin::transport;

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string system_id = "lianxin";
  std::string password = "secret";
  int timeout_seconds = 30;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "lianxin_gateway_demo: " << problem
            << "\nusage: lianxin_gateway_demo --port N [--host H] [--system-id ID] [--password PW] "
               "[--timeout SECONDS]\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--host")
      options.host = value();
    else if (arg == "--port")
      options.port = value();
    else if (arg == "--system-id")
      options.system_id = value();
    else if (arg == "--password")
      options.password = value();
    else if (arg == "--timeout")
      options.timeout_seconds = std::atoi(value().c_str());
    else
      usage("unknown argument " + std::string(arg));
  }
  if (options.port.empty()) usage("--port is required");
  if (options.timeout_seconds <= 0) usage("--timeout must be positive");
  return options;
}

std::string reply_to(const transport::InboundSms& report) {
  // The gateway demo has no ticket store yet: a fixed acknowledgement naming what was reported.
  const bool streetlight = report.text.find("路灯") != std::string::npos;
  return std::string("【连心桥】您好！您反映的") + (streetlight ? "“路灯被刮倒”" : "") +
         "问题已登记，工单号 0001。我们已通知本网格的党员网格员，他会尽快到现场处理，"
         "处理完成后请您回复1到5为服务打分。如有紧急情况请拨打村委会电话。";
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);

  boost::asio::io_context io;
  lianxin::smpp::ConnectionConfig connection;
  connection.host = options.host;
  connection.port = options.port;
  connection.session.name = "demo-smsc";
  connection.session.system_id = options.system_id;
  connection.session.password = options.password;
  connection.session.reconnect_min = 200ms;
  connection.session.reconnect_max = 2s;
  connection.default_source.addr = "12345";

  lianxin::smpp::SmppTransport gateway(
      io, {connection}, lianxin::protocol::Logger([](const lianxin::protocol::LogRecord& record) {
        if (record.level <= lianxin::LogLevel::warning)
          std::cerr << "lianxin log: " << record.line() << "\n";
      }));
  transport::InboundAssembler assembler;
  std::uint64_t next_handle = 1;
  bool bound = false;
  int exit_code = 1;
  std::optional<std::uint64_t> reply_id;

  bool finishing = false;
  auto finish = [&](int code) {
    if (finishing) return;
    finishing = true;
    exit_code = code;
    gateway.stop([&io] { io.stop(); });
  };

  transport::Transport::Handlers handlers;
  handlers.link = [&](const transport::LinkStatus& status) {
    if (status.up && !bound) {
      bound = true;
      std::cout << "lianxin: bound to " << options.host << ":" << options.port << " as "
                << options.system_id << std::endl;
    } else if (!status.up) {
      std::cout << "lianxin: link down: " << status.detail << std::endl;
    }
  };
  handlers.inbound = [&](const transport::InboundPart& part) {
    if (part.concat) {
      std::cout << "lianxin: part " << int(part.concat->seq) << "/" << int(part.concat->total)
                << " from " << part.from << " (ref " << part.concat->ref << ")" << std::endl;
    }
    // A real daemon commits the part to its inbox before acknowledging it.
    const auto messages = assembler.add(part, next_handle++, std::chrono::steady_clock::now());
    gateway.acknowledge(part.ack, true);
    for (const transport::InboundSms& sms : messages) {
      if (reply_id) continue;  // one conversation is enough for the demo
      std::cout << "lianxin received  " << sms.from << " → " << sms.to << " (" << sms.handles.size()
                << (sms.handles.size() == 1 ? " part" : " parts") << "): " << sms.text << std::endl;
      transport::OutboundSms reply;
      reply.id = 1;
      reply.from = sms.to;
      reply.to = sms.from;
      reply.text = reply_to(sms);
      reply.request_receipt = false;
      reply_id = reply.id;
      std::cout << "lianxin replies   " << reply.from << " → " << reply.to << ": " << reply.text
                << std::endl;
      const auto admission = gateway.send(reply);
      if (admission != transport::SendAdmission::accepted) {
        std::cout << "lianxin: reply not accepted: " << transport::send_admission_name(admission)
                  << std::endl;
        finish(1);
      }
    }
  };
  handlers.sent = [&](const transport::SendResult& result) {
    if (!reply_id || result.id != *reply_id) return;
    if (result.status != transport::SendStatus::submitted) {
      std::cout << "lianxin: reply " << transport::send_status_name(result.status) << ": "
                << result.detail << std::endl;
      finish(1);
      return;
    }
    std::cout << "lianxin: reply accepted by the SMSC as " << result.message_ids.size()
              << (result.message_ids.size() == 1 ? " part" : " parts") << " (message ids";
    for (std::size_t i = 0; i < result.message_ids.size(); ++i)
      std::cout << (i ? ", " : " ") << result.message_ids[i];
    std::cout << ")" << std::endl;
    finish(0);
  };
  gateway.set_handlers(std::move(handlers));

  boost::asio::steady_timer deadline(io, std::chrono::seconds(options.timeout_seconds));
  deadline.async_wait([&](const boost::system::error_code& error) {
    if (error) return;
    std::cout << "lianxin: no conversation within " << options.timeout_seconds << " s" << std::endl;
    finish(1);
  });
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (!error) finish(1);
  });

  gateway.start();
  io.run();
  return exit_code;
}
