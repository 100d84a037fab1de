// The USSD menu: configuration types and the dialogue engine. Pure: no sockets, no clock (time
// is a parameter), no knowledge of SMPP values (the app maps them to UssdStep).
//
// A dialogue starts when someone dials the service code (`*123#`; `*123*1#` jumps straight to
// choice 1). Residents and members get different root menus, both trees of numbered choices from
// the configuration. Leaves are actions:
//   report          pick a category → confirm the village from the directory, or pick one (paged;
//                   "not listed" leaves it to the SMS follow-up question) → optionally pick a
//                   preset description → confirm → a ticket like any other (the engine also sends
//                   the usual SMS confirmation with the number)
//   my_tickets      the caller's tickets and their states
//   rate            rate the caller's last resolved ticket 1..5, or 0 "not solved"
//   member_tickets  a member's open tickets
//   accept / done   a member picks one of their tickets to accept / to mark done
// A node with children is a submenu ("0 返回" goes up); a node with neither children nor action
// shows its text and ends the dialogue.
//
// Sessions: one per phone number (a handset has one USSD dialogue at a time). Each input
// refreshes the timeout; an answer after it (or without a session) gets a short "expired, dial
// again" screen. Invalid digits re-show the screen with a hint. A step the gateway repeats (same
// its_session_info as the last one) or one that arrives out of order (an older sequence number)
// is answered with the last screen again and changes nothing. A release ends the session
// silently. Queries and actions go through UssdPort, which the app implements over the ticket
// engine; the USSD engine never blocks or touches the SMS path.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/domain/model.hpp"

namespace lianxin::domain {

enum class UssdAction { none, report, my_tickets, rate, member_tickets, accept, done };
std::string_view to_string(UssdAction action);
std::optional<UssdAction> ussd_action_from_string(std::string_view text);

struct UssdNode {
  std::string label;  // the line in the parent's list ("反映问题")
  std::string text;   // heading of a submenu, or the whole text of an information leaf
  UssdAction action = UssdAction::none;
  std::vector<UssdNode> children;
};

struct UssdReportCategory {
  std::string category;                   // category id
  std::string label;                      // shown; "" = the category's name
  std::vector<std::string> descriptions;  // preset descriptions to pick from (may be empty)
};

// Every fixed text of the dialogue. Placeholders: {ticket}, {category}, {village},
// {description}, {list}, {code}, {status}.
struct UssdTexts {
  std::string invalid_hint = "输入有误，请按数字选择。";
  std::string back = "返回";
  std::string more = "下一页";
  std::string category_prompt = "请选择问题类型：";
  std::string village_confirm = "您是{village}的吗？\n1 是\n2 选择其他村";
  std::string village_prompt = "请选择所在村：";
  std::string village_unknown = "不在列表中";
  std::string description_prompt = "请选择问题描述：";
  std::string description_skip = "不选，直接提交";
  std::string report_confirm = "{category}｜{village}｜{description}\n1 确认提交\n2 取消";
  std::string report_done = "已受理，工单号{ticket}，稍后短信通知您。";
  std::string report_failed = "提交失败，请稍后再试，或直接发短信反映。";
  std::string cancelled = "已取消，谢谢。";
  std::string no_tickets = "您还没有工单。";
  std::string tickets = "您的工单：\n{list}";
  std::string rate_prompt =
      "请为工单{ticket}评分：\n5 很满意 4 满意 3 一般\n2 不满意 1 很不满意\n0 没解决";
  std::string nothing_to_rate = "您没有待评价的工单。";
  std::string rated = "感谢评价！工单{ticket}已结束。";
  std::string reopened = "工单{ticket}已重新交办，请留意短信。";
  std::string member_no_tickets = "您没有待处理的工单。";
  std::string member_tickets = "待处理工单：\n{list}";
  std::string accept_prompt = "请选择要接的工单：";
  std::string done_prompt = "请选择已办结的工单：";
  std::string accepted = "已接单{ticket}，请尽快处理。";
  std::string done = "工单{ticket}已办结，已请群众评价。";
  std::string action_failed = "工单{ticket}现在不能这样操作（{status}）。";
  std::string expired = "操作超时，请重新拨{code}。";
  std::string unknown_village = "待确认";
  std::string no_description = "无";
};

struct UssdMenu {
  bool enabled = false;
  std::string service_code = "*123#";
  std::chrono::seconds session_timeout{120};
  std::size_t max_sessions = 10'000;  // the oldest session is dropped beyond this
  UssdNode resident;                  // root: text is the heading, children the choices
  UssdNode member;
  std::vector<UssdReportCategory> categories;  // the report's category screen, in order
  UssdTexts texts;
};

// The shipped trees (resident: report, my tickets, rate; member: my tickets, accept, done,
// report). Categories are left empty: the loader fills them from the configured categories.
UssdMenu default_ussd_menu();

// The limit of one screen: 182 GSM 7-bit characters, or 80 UTF-16 units when any character
// needs UCS-2 (the USSD string is 160 octets). Returns the length and the limit that apply.
struct UssdLength {
  std::size_t length = 0;
  std::size_t limit = 0;
  bool gsm7 = true;
  bool fits() const { return length <= limit; }
};
UssdLength ussd_length(std::string_view utf8);

// One option as every screen shows it: "1 反映问题". (option_by_label in answers.hpp reads it
// back.)
std::string ussd_line(std::size_t number, std::string_view label);

// A menu screen exactly as the engine shows it (heading, "1 label" lines, "0 返回" below the
// root), for the configuration check. `with_hint`: as re-shown after invalid input.
std::string render_ussd_menu(const UssdNode& node, const UssdTexts& texts, bool root,
                             bool with_hint);
// The category screen (with the hint line, the longest form).
std::string render_ussd_categories(const std::vector<std::pair<std::string, std::string>>& labels,
                                   const UssdTexts& texts);

// ---- the port: what the dialogue asks of the ticket side ----

struct UssdPlace {
  std::string grid;   // grid id
  std::string label;  // 大溪边村 (or the grid name when villages repeat)
};

struct UssdTicketLine {
  TicketNo ticket = 0;
  std::string text;  // one line, e.g. "12 路灯 已派单"
};

struct UssdReport {
  std::string category;             // category id
  std::optional<std::string> grid;  // nullopt: unknown (the engine asks by SMS)
  std::string description;          // "" when none was picked
};

enum class UssdActionStatus { ok, not_found, not_allowed, failed };

struct UssdActionResult {
  UssdActionStatus status = UssdActionStatus::failed;
  std::optional<TicketNo> ticket;
  std::string detail;  // the ticket's state in words when not_allowed
};

enum class UssdMemberList { open, to_accept, to_finish };

class UssdPort {
 public:
  virtual ~UssdPort() = default;
  virtual bool is_member(std::string_view phone) const = 0;
  virtual std::string category_name(std::string_view category) const = 0;
  virtual std::optional<UssdPlace> home_place(std::string_view phone) const = 0;
  virtual std::vector<UssdPlace> places() const = 0;
  virtual std::vector<UssdTicketLine> reporter_tickets(std::string_view phone) const = 0;
  virtual std::optional<TicketNo> ratable_ticket(std::string_view phone) const = 0;
  virtual std::vector<UssdTicketLine> member_tickets(std::string_view phone,
                                                     UssdMemberList which) const = 0;
  virtual UssdActionResult report(std::string_view phone, const UssdReport& report,
                                  TimePoint now) = 0;
  virtual UssdActionResult accept(std::string_view phone, TicketNo ticket, TimePoint now) = 0;
  virtual UssdActionResult done(std::string_view phone, TicketNo ticket, TimePoint now) = 0;
  // score 1..5, or 0: not solved (reopen)
  virtual UssdActionResult rate(std::string_view phone, TicketNo ticket, int score,
                                TimePoint now) = 0;
};

// ---- the dialogue engine ----

enum class UssdStep {
  begin,    // dialled the service code
  answer,   // answered the last screen
  release,  // the user or the network ended the dialogue
  unknown,  // an op the connection does not know: an answer if a session is open, else a begin
};

struct UssdInput {
  std::string phone;  // E.164
  UssdStep step = UssdStep::begin;
  std::string text;
  // its_session_info when the gateway sends it: repeats and stale steps are recognised by it.
  std::optional<std::uint16_t> session_info;
};

struct UssdReply {
  bool send = false;  // false: nothing to send (a release)
  std::string text;
  bool end = false;     // the last screen: the dialogue ends
  bool repeat = false;  // a repeated or stale step answered with the last screen again
  bool acted = false;   // an action ran (its effects must be stored before the screen goes)
  std::string log;      // one line for the journal (no phone numbers)
};

class UssdEngine {
 public:
  explicit UssdEngine(UssdMenu menu) : menu_(std::move(menu)) {}
  void set_menu(UssdMenu menu);  // reload: open sessions continue from the root on next input
  const UssdMenu& menu() const { return menu_; }

  UssdReply handle(const UssdInput& input, UssdPort& port, TimePoint now);
  // Drops sessions idle past the timeout; returns how many.
  std::size_t expire(TimePoint now);
  std::size_t sessions() const { return sessions_.size(); }
  bool has_session(std::string_view phone) const { return sessions_.contains(std::string(phone)); }

 private:
  enum class Screen {
    menu,
    categories,
    village_confirm,
    village_pick,
    descriptions,
    confirm,
    rate,
    pick_accept,
    pick_done,
  };
  struct Session {
    std::string phone;
    bool member = false;
    Screen screen = Screen::menu;
    std::vector<std::size_t> path;        // submenu path from the root
    std::size_t page_start = 0;           // first place shown on a village page
    std::vector<std::string> option_ids;  // ids behind the numbers on a list screen
    std::vector<TicketNo> option_tickets;
    bool more = false;  // "9 下一页" shown
    UssdReport draft;
    std::string category_label;
    std::string village_label;
    std::optional<UssdPlace> home;
    TicketNo rate_ticket = 0;
    std::string last_screen;
    bool last_end = false;
    std::optional<std::uint16_t> last_info;
    TimePoint expires_at{};
  };

  UssdReply begin(const UssdInput& input, UssdPort& port, TimePoint now);
  UssdReply answer(Session& session, const UssdInput& input, UssdPort& port, TimePoint now);
  UssdReply select(Session& session, std::string_view digits, UssdPort& port, TimePoint now);
  UssdReply enter_node(Session& session, const UssdNode& node, const std::string& phone,
                       UssdPort& port, TimePoint now);
  UssdReply show(Session& session, std::string text, bool end);
  UssdReply invalid(Session& session);
  UssdReply show_categories(Session& session);
  UssdReply show_village(Session& session, UssdPort& port);
  UssdReply show_village_page(Session& session, UssdPort& port);
  UssdReply show_descriptions(Session& session);
  UssdReply show_confirm(Session& session);
  UssdReply show_ticket_pick(Session& session, const std::string& phone, UssdPort& port,
                             Screen screen);
  UssdReply finish_action(Session& session, const UssdActionResult& result,
                          const std::string& ok_text);
  std::string current_screen(const Session& session) const;
  std::optional<std::size_t> choice_of(const Session& session, std::string_view typed) const;
  const UssdNode& root(const Session& session) const;
  const UssdNode* node_at(const Session& session) const;
  const UssdReportCategory* report_category(std::string_view id) const;
  void touch(const std::string& phone, Session& session, TimePoint now);
  void drop(const std::string& phone);
  std::string expired_text() const;

  UssdMenu menu_;
  std::map<std::string, Session> sessions_;
  std::set<std::pair<TimePoint, std::string>> expiry_;  // (expires_at, phone)
};

}  // namespace lianxin::domain
