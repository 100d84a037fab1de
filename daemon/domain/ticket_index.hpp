// What the engine finds tickets by without visiting them all: a reporter's tickets, a member's
// open ones (and so the open load that routing counts), and the finished ones by closing time
// (what leaves memory next). Pure bookkeeping over ticket numbers: the tickets live elsewhere.
//
// Every change to a ticket passes through update(), which compares what the ticket contributes
// now with what it contributed last time and moves only the difference; so the index never has
// to be told what changed, and a change can be undone exactly whatever the ticket looks like now.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/domain/model.hpp"
#include "daemon/domain/routing.hpp"

namespace lianxin::domain {

class TicketIndex {
 public:
  void clear();
  // Brings the ticket's entries up to date (adds them for a ticket not seen before).
  void update(const Ticket& ticket);
  void remove(TicketNo number);

  // The reporter's tickets in memory, ascending numbers (oldest first); empty when none.
  const std::vector<TicketNo>& of_reporter(std::string_view phone) const;
  // The tickets with the member (is_with_assignee), ascending; empty when none.
  const std::set<TicketNo>& working_on(std::string_view member) const;
  // Member → how many tickets they hold; members holding none are absent.
  const OpenLoad& load() const { return load_; }
  // The finished ticket that closed first, when it closed before `cutoff`.
  std::optional<TicketNo> first_finished_before(TimePoint cutoff) const;
  std::size_t size() const { return entries_.size(); }

  // True when the index is what a full recount of `tickets` gives. For tests: O(n).
  bool matches(const std::map<TicketNo, Ticket>& tickets) const;

 private:
  // What one ticket contributes. There is one for every ticket in memory, so the strings are
  // not copied: they point at the keys of the by_reporter_ and working_ nodes the ticket is in
  // (a node's key stays put while the node lives, and the node lives while a ticket is in it).
  struct Entry {
    const std::string* reporter = nullptr;
    const std::string* working_member = nullptr;  // assignee while is_with_assignee(state)
    std::optional<TimePoint> finished_at;         // closed_at of a terminal ticket
  };
  Entry add(TicketNo number, const std::string& reporter, const std::string* working_member,
            std::optional<TimePoint> finished_at);
  void subtract(TicketNo number, const Entry& entry);

  std::unordered_map<TicketNo, Entry> entries_;
  std::unordered_map<std::string, std::vector<TicketNo>> by_reporter_;  // ascending numbers
  std::unordered_map<std::string, std::set<TicketNo>> working_;         // member → tickets
  OpenLoad load_;                                      // member → working_[member].size()
  std::set<std::pair<TimePoint, TicketNo>> finished_;  // (closed_at, number), terminal ones
};

}  // namespace lianxin::domain
