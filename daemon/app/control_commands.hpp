// What lianxind does with each control socket request (lianxinctl's actions). Everything that
// changes state goes through the Gateway: engine calls and new SMS are stored by the gateway's
// normal group commit, and the reply says "ok" only after that commit.
//
// Commands (request fields; every request may carry "operator", the name recorded in events):
//   status                                          the status line, outbox counts
//   invalidate {ticket, reason}                     the report is not a real case
//   reassign   {ticket, to, reason}                 to a member (id or phone)
//   close      {ticket, reason}                     close as it is (not rated)
//   note       {ticket, text}                       an internal note in the history
//   recategorize {ticket, category, reason?}        过滤核实: confirm or correct the category
//   send       {to, text}                           one SMS through the outbox
//   broadcast  {grids:[...] | all:true, text, wait, valid_hours, again}  (validity default: the
//              configured notice validity; an SMS not sent by then expires, never goes late)
//              members of those grids (or all members) who did not opt out (退订); progress
//              lines while it is sent when "wait", and a final delivered/failed/pending count
//   broadcast-status {id}                           counts of an earlier broadcast
//   order      {team, text, by?, resident?}         网格点单 on behalf of a member (by) or the
//                                                   operator (then resident is required)
//   meeting-create {code, title, from, to, grids?}  times "YYYY-MM-DD HH:MM", local time
//   meeting-attendance {code}                       who signed in, who is missing
// Other areas add commands with add_command() (e.g. orders and meetings).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/app/control.hpp"
#include "daemon/app/gateway.hpp"
#include "daemon/app/journal.hpp"
#include "protocol/asio.hpp"

namespace lianxin::app {

struct ControlCommandsOptions {
  // How often a waiting broadcast reports progress.
  std::chrono::milliseconds progress_interval{1000};
  // Once nothing of a broadcast is queued or being sent, how long to wait for the missing
  // delivery receipts before the final line reports them as pending.
  std::chrono::milliseconds receipt_wait{std::chrono::seconds(60)};
  // The same notice to the same audience within this time is refused unless "again" is given.
  std::chrono::seconds broadcast_repeat_window{std::chrono::hours(24)};
};

// Counts of a broadcast's SMS by outbox state.
struct BroadcastCounts {
  long long queued = 0, sending = 0, submitted = 0, delivered = 0, failed = 0, expired = 0;
  long long total() const { return queued + sending + submitted + delivered + failed + expired; }
  // Not final yet: waiting to be sent, or sent and waiting for a receipt.
  long long pending() const { return queued + sending + submitted; }
  control::Json to_json() const;
};

class ControlCommands {
 public:
  // One command: the parsed request, the reply channel, the operator's name.
  using Command = std::function<void(const control::Request& request,
                                     const std::shared_ptr<ControlReply>& reply,
                                     const std::string& operator_name)>;

  ControlCommands(boost::asio::io_context& io, Journal& journal, Gateway& gateway,
                  ControlCommandsOptions options = {});
  ~ControlCommands();
  ControlCommands(const ControlCommands&) = delete;
  ControlCommands& operator=(const ControlCommands&) = delete;

  // The ControlServer's handler.
  void handle(const control::Request& request, std::shared_ptr<ControlReply> reply);
  // Adds (or replaces) a command.
  void add_command(const std::string& name, Command command);

  Gateway& gateway() { return gateway_; }

 private:
  // Longest free text and grid list a request may carry (control_commands.cpp, control_orders.cpp).
  static constexpr std::size_t kMaxReason = 500;
  static constexpr std::size_t kMaxGrids = 5000;
  struct Watch;

  void status(const std::shared_ptr<ControlReply>& reply);
  void ticket_action(const std::string& cmd, const control::Request& request,
                     const std::shared_ptr<ControlReply>& reply, const std::string& operator_name);
  void send(const control::Request& request, const std::shared_ptr<ControlReply>& reply,
            const std::string& operator_name);
  void broadcast(const control::Request& request, const std::shared_ptr<ControlReply>& reply,
                 const std::string& operator_name);
  void broadcast_status(const control::Request& request,
                        const std::shared_ptr<ControlReply>& reply);
  void order(const control::Request& request, const std::shared_ptr<ControlReply>& reply,
             const std::string& operator_name);
  void meeting_create(const control::Request& request, const std::shared_ptr<ControlReply>& reply,
                      const std::string& operator_name);
  void meeting_attendance(const control::Request& request,
                          const std::shared_ptr<ControlReply>& reply);
  void watch(std::int64_t id, std::shared_ptr<ControlReply> reply);
  void poll(const std::shared_ptr<Watch>& watch);
  std::optional<BroadcastCounts> counts(std::int64_t id, std::string& error);

  boost::asio::io_context& io_;
  Journal& journal_;
  Gateway& gateway_;
  ControlCommandsOptions options_;
  std::map<std::string, Command> commands_;
  std::optional<std::int64_t> last_broadcast_id_;
  std::map<Watch*, std::shared_ptr<Watch>> watches_;
};

}  // namespace lianxin::app
