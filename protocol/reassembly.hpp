// Reassembly of inbound concatenated SMS.
//
// A part belongs to the message keyed by (sender, receiver, link, reference, total), as Kannel
// keys them: two phones that happen to use the same reference never mix, and neither do two
// SMSC links. Parts may come in any order; a part whose seq already arrived is ignored and
// counted. When every part is in, the message is released complete.
//
// Nothing that arrived is dropped:
//  - expire(now) releases, marked `expired`, every message whose first part arrived `timeout`
//    ago or earlier, with the parts that did arrive in order and `missing_marker` (default "…")
//    in the text where one or more consecutive parts are missing;
//  - when more than `max_pending` messages (or `max_pending_octets` of part bodies) are waiting,
//    the oldest is released, marked `evicted`, the same way;
//  - a part with seq 0, seq > total or total 0 is released at once on its own, marked
//    `malformed`; total 1 (seq 1) is released at once as `single`.
//
// Late duplicates: after a message is released, its parts (by key, seq and content) are
// remembered for `timeout`, so an SMSC re-delivering a part whose deliver_sm_resp it missed does
// not start a ghost message. A part with the same key but different content starts a new one.
//
// Text: the raw bytes of consecutive parts with the same data_coding are concatenated before
// decoding, because handsets split UCS-2 surrogate pairs (and GSM escape pairs) at part borders.
//
// Pure: time is a parameter; next_deadline() tells the owner when to call expire().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/text.hpp"

namespace lianxin::sms {

struct InboundPart {
  std::string sender;
  std::string receiver;
  std::string link;  // the SMSC connection it came from
  std::uint16_t ref = 0;
  std::uint8_t total = 0;
  std::uint8_t seq = 0;
  std::uint8_t data_coding = 0;
  Bytes body;                // user data without the UDH
  std::uint64_t handle = 0;  // the owner's id for this part (e.g. its inbox row), handed back
};

struct ReceivedPart {
  std::uint8_t seq = 0;
  std::uint8_t data_coding = 0;
  Bytes body;
  std::uint64_t handle = 0;
};

enum class Release : std::uint8_t { complete, single, expired, evicted, malformed };
const char* release_name(Release release);

struct ReassembledMessage {
  std::string sender;
  std::string receiver;
  std::string link;
  std::uint16_t ref = 0;
  std::uint8_t total = 0;
  Release release = Release::complete;
  std::vector<ReceivedPart> parts;    // the parts that arrived, by seq
  std::vector<std::uint8_t> missing;  // seq numbers that never arrived
  std::string text;                   // UTF-8
  std::uint8_t data_coding = 0;       // of the first part that arrived
  std::size_t duplicates = 0;         // parts received again while pending
  std::chrono::steady_clock::time_point first_seen;

  bool complete() const { return release == Release::complete || release == Release::single; }
};

struct ReassemblerOptions {
  std::chrono::steady_clock::duration timeout = std::chrono::minutes(5);
  std::size_t max_pending = 1024;                    // messages waiting for parts
  std::size_t max_pending_octets = 4 * 1024 * 1024;  // their part bodies together
  std::string missing_marker = "\u2026";             // "…"
};

enum class AddOutcome : std::uint8_t {
  stored,     // waiting for more parts
  completed,  // this part completed a message (in `released`)
  duplicate,  // seen before; ignored
  single,     // total 1: released at once
  malformed,  // unusable concatenation info: released at once on its own
};

struct AddResult {
  AddOutcome outcome = AddOutcome::stored;
  std::vector<ReassembledMessage> released;  // this part's message, or evicted ones
};

struct ReassemblerStats {
  std::size_t completed = 0;
  std::size_t single = 0;
  std::size_t expired = 0;
  std::size_t evicted = 0;
  std::size_t malformed = 0;
  std::size_t duplicates = 0;  // pending and late duplicates together
};

class Reassembler {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  explicit Reassembler(ReassemblerOptions options = {});

  AddResult add(InboundPart part, TimePoint now);
  // Releases the messages whose first part is `timeout` old, as incomplete.
  std::vector<ReassembledMessage> expire(TimePoint now);
  // When the next message will be due for expire(); none while nothing is pending.
  std::optional<TimePoint> next_deadline() const;

  std::size_t pending() const { return pending_.size(); }
  std::size_t pending_octets() const { return pending_octets_; }
  const ReassemblerStats& stats() const { return stats_; }
  const ReassemblerOptions& options() const { return options_; }

 private:
  struct Key {
    std::string sender;
    std::string receiver;
    std::string link;
    std::uint16_t ref = 0;
    std::uint8_t total = 0;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  using OrderKey = std::pair<TimePoint, std::uint64_t>;
  struct Pending {
    OrderKey order;
    std::vector<std::optional<ReceivedPart>> parts;  // index seq - 1
    std::size_t received = 0;
    std::size_t duplicates = 0;
    std::size_t octets = 0;
  };
  struct Recent {
    OrderKey order;                           // first member: when it is forgotten
    std::vector<std::uint64_t> fingerprints;  // index seq - 1; 0 for parts that never came
  };
  using PendingMap = std::map<Key, Pending>;
  using RecentMap = std::map<Key, Recent>;

  ReassembledMessage release(PendingMap::iterator it, Release why, TimePoint now);
  void remember(const Key& key, const Pending& pending, TimePoint now);
  void forget_recent(TimePoint now);
  bool is_late_duplicate(const Key& key, const InboundPart& part);
  std::string build_text(const std::vector<std::optional<ReceivedPart>>& parts) const;

  ReassemblerOptions options_;
  PendingMap pending_;
  std::map<OrderKey, PendingMap::iterator> pending_order_;  // oldest first
  RecentMap recent_;
  std::map<OrderKey, RecentMap::iterator> recent_order_;
  std::size_t pending_octets_ = 0;
  std::uint64_t next_id_ = 0;
  ReassemblerStats stats_;
};

}  // namespace lianxin::sms
