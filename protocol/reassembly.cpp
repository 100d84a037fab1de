#include "protocol/reassembly.hpp"

#include <algorithm>

namespace lianxin::sms {

namespace {

// FNV-1a over coding and body; never 0, which marks "no part" in Recent::fingerprints.
std::uint64_t fingerprint(std::uint8_t data_coding, const Bytes& body) {
  std::uint64_t h = 1469598103934665603ull;
  const auto mix = [&](std::uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  mix(data_coding);
  for (std::uint8_t b : body) mix(b);
  return h | 1;
}

}  // namespace

const char* release_name(Release release) {
  switch (release) {
    case Release::complete:
      return "complete";
    case Release::single:
      return "single";
    case Release::expired:
      return "expired";
    case Release::evicted:
      return "evicted";
    case Release::malformed:
      return "malformed";
  }
  return "?";
}

Reassembler::Reassembler(ReassemblerOptions options) : options_(std::move(options)) {
  options_.max_pending = std::max<std::size_t>(options_.max_pending, 1);
}

std::string Reassembler::build_text(const std::vector<std::optional<ReceivedPart>>& parts) const {
  std::string text;
  Bytes run;
  std::uint8_t run_coding = 0;
  bool in_run = false;
  bool in_gap = false;
  const auto flush = [&] {
    if (in_run) text += decode(run_coding, run);
    run.clear();
    in_run = false;
  };
  for (const auto& part : parts) {
    if (!part) {
      flush();
      if (!in_gap) text += options_.missing_marker;
      in_gap = true;
      continue;
    }
    in_gap = false;
    if (in_run && part->data_coding != run_coding) flush();
    run_coding = part->data_coding;
    in_run = true;
    run.insert(run.end(), part->body.begin(), part->body.end());
  }
  flush();
  return text;
}

ReassembledMessage Reassembler::release(PendingMap::iterator it, Release why, TimePoint now) {
  const Key& key = it->first;
  Pending& pending = it->second;
  ReassembledMessage message;
  message.sender = key.sender;
  message.receiver = key.receiver;
  message.link = key.link;
  message.ref = key.ref;
  message.total = key.total;
  message.release = why;
  message.duplicates = pending.duplicates;
  message.first_seen = pending.order.first;
  message.text = build_text(pending.parts);
  remember(key, pending, now);
  for (std::size_t i = 0; i < pending.parts.size(); ++i) {
    if (pending.parts[i]) {
      message.parts.push_back(std::move(*pending.parts[i]));
    } else {
      message.missing.push_back(static_cast<std::uint8_t>(i + 1));
    }
  }
  if (!message.parts.empty()) message.data_coding = message.parts.front().data_coding;

  switch (why) {
    case Release::complete:
      ++stats_.completed;
      break;
    case Release::expired:
      ++stats_.expired;
      break;
    case Release::evicted:
      ++stats_.evicted;
      break;
    case Release::single:
    case Release::malformed:
      break;  // never pending
  }
  pending_octets_ -= pending.octets;
  pending_order_.erase(pending.order);
  pending_.erase(it);
  return message;
}

void Reassembler::remember(const Key& key, const Pending& pending, TimePoint now) {
  if (auto old = recent_.find(key); old != recent_.end()) {
    recent_order_.erase(old->second.order);
    recent_.erase(old);
  }
  // Bounded like the pending messages: forget the oldest first.
  while (recent_.size() >= options_.max_pending && !recent_order_.empty()) {
    recent_.erase(recent_order_.begin()->second);
    recent_order_.erase(recent_order_.begin());
  }
  Recent recent;
  recent.order = {now + options_.timeout, next_id_++};
  recent.fingerprints.resize(pending.parts.size(), 0);
  for (std::size_t i = 0; i < pending.parts.size(); ++i) {
    if (pending.parts[i]) {
      recent.fingerprints[i] = fingerprint(pending.parts[i]->data_coding, pending.parts[i]->body);
    }
  }
  const OrderKey order = recent.order;
  auto [it, inserted] = recent_.emplace(key, std::move(recent));
  (void)inserted;
  recent_order_.emplace(order, it);
}

void Reassembler::forget_recent(TimePoint now) {
  while (!recent_order_.empty() && recent_order_.begin()->first.first <= now) {
    recent_.erase(recent_order_.begin()->second);
    recent_order_.erase(recent_order_.begin());
  }
}

bool Reassembler::is_late_duplicate(const Key& key, const InboundPart& part) {
  auto it = recent_.find(key);
  if (it == recent_.end()) return false;
  const auto& prints = it->second.fingerprints;
  const std::size_t index = part.seq - 1u;
  if (index < prints.size() && prints[index] == fingerprint(part.data_coding, part.body)) {
    return true;
  }
  // Same key, new content: a new message reuses the reference. Later copies of the old
  // message's parts can no longer be told apart from the new one's, so stop remembering it.
  recent_order_.erase(it->second.order);
  recent_.erase(it);
  return false;
}

AddResult Reassembler::add(InboundPart part, TimePoint now) {
  AddResult result;
  forget_recent(now);

  const auto release_alone = [&](Release why) {
    ReassembledMessage message;
    message.sender = std::move(part.sender);
    message.receiver = std::move(part.receiver);
    message.link = std::move(part.link);
    message.ref = part.ref;
    message.total = part.total;
    message.release = why;
    message.data_coding = part.data_coding;
    message.first_seen = now;
    message.text = decode(part.data_coding, part.body);
    message.parts.push_back(
        ReceivedPart{part.seq, part.data_coding, std::move(part.body), part.handle});
    result.released.push_back(std::move(message));
  };

  if (part.total == 0 || part.seq == 0 || part.seq > part.total) {
    ++stats_.malformed;
    result.outcome = AddOutcome::malformed;
    release_alone(Release::malformed);
    return result;
  }
  if (part.total == 1) {
    ++stats_.single;
    result.outcome = AddOutcome::single;
    release_alone(Release::single);
    return result;
  }

  Key key{part.sender, part.receiver, part.link, part.ref, part.total};
  auto it = pending_.find(key);
  if (it == pending_.end()) {
    if (is_late_duplicate(key, part)) {
      ++stats_.duplicates;
      result.outcome = AddOutcome::duplicate;
      return result;
    }
    Pending fresh;
    fresh.order = {now, next_id_++};
    fresh.parts.resize(part.total);
    it = pending_.emplace(std::move(key), std::move(fresh)).first;
    pending_order_.emplace(it->second.order, it);
  }

  Pending& pending = it->second;
  auto& slot = pending.parts[part.seq - 1u];
  if (slot) {
    ++pending.duplicates;
    ++stats_.duplicates;
    result.outcome = AddOutcome::duplicate;
    return result;
  }
  pending.octets += part.body.size();
  pending_octets_ += part.body.size();
  slot = ReceivedPart{part.seq, part.data_coding, std::move(part.body), part.handle};
  ++pending.received;

  if (pending.received == pending.parts.size()) {
    result.outcome = AddOutcome::completed;
    result.released.push_back(release(it, Release::complete, now));
    return result;
  }
  result.outcome = AddOutcome::stored;
  // Make room (oldest first, never the message this part belongs to).
  while (pending_.size() > 1 && (pending_.size() > options_.max_pending ||
                                 pending_octets_ > options_.max_pending_octets)) {
    auto victim = pending_order_.begin();
    if (victim->second == it) ++victim;
    result.released.push_back(release(victim->second, Release::evicted, now));
  }
  return result;
}

std::vector<ReassembledMessage> Reassembler::expire(TimePoint now) {
  forget_recent(now);
  std::vector<ReassembledMessage> released;
  while (!pending_order_.empty() && pending_order_.begin()->first.first + options_.timeout <= now) {
    released.push_back(release(pending_order_.begin()->second, Release::expired, now));
  }
  return released;
}

std::optional<Reassembler::TimePoint> Reassembler::next_deadline() const {
  if (pending_order_.empty()) return std::nullopt;
  return pending_order_.begin()->first.first + options_.timeout;
}

}  // namespace lianxin::sms
