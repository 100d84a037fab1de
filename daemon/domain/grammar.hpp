#pragma once
// clang-format off
// The SMS grammar of lianxin: what members and residents text, parsed into commands.
// Pure text processing: no I/O, no clock, no storage.
//
// Both parsers first normalise the text (see normalize.hpp): full-width digits, letters and
// punctuation become half-width, whitespace (including U+3000) collapses, Latin letters are
// compared upper-case, surrounding punctuation is ignored. Ticket numbers may be ASCII or
// full-width digits or Chinese numerals (`一百二十三`, `一二三`), optionally written `#123`,
// `第123号`, `123号`, `NO.123`. Invalid UTF-8 never crashes: bad bytes become U+FFFD.
//
// MEMBER grammar (keyword, optional ticket number, optional note / reason):
//   accept      接 | 接单 | JD                          `接 123`, `接单123`, `JD123`, `接，１２３。`
//   resolve     完成 | 已完成 | 办结 | 已办结 | WC | BJ  `完成 123 已修复`, `办结123`, `WC123 ok`,
//                                                      `完成，已修复` (no number; note "已修复")
//   hand back   退 | 退单 | 退回 | TH                   `退 123 不在村`, `TH123`, `退单123 人在外地`
//   my tickets  我的 | 我的工单 | 我的单 | WD           (whole message)
//   my points   积分 | 我的积分 | 查积分 | JF           (whole message)
//   sign in     签到 | QD + meeting code               `签到 M12`, `QD M12`, `签到m12` → "M12"
//   unsubscribe 退订 | TD                              (whole message; `退订，谢谢` too)
//   order       点单 | DD  [phone] service [phone] need `点单 维修 王大妈家水管爆了`,
//               (网格点单: a need for a service team)  `DD 维修 13800000001 水管爆了`,
//                                                      `点单维修王大妈家水管爆了` (no space: the
//                                                      engine finds the team name at the start)
//   assign      派 | 派单 | PD  number  name-or-id    `派 123 张三`, `派单123 m-vol-1`, `PD 12 李四`
//               (团长派单: a team leader hands a ticket to one of the team)
//   on behalf   代 | 代办 | 代报 | DB  phone  report   `代 13800000001 想办残疾证`,
//               (a helper 代办员 reports for a resident) `代 138-0000-0001 低保没到账`
// Rules that keep commands apart from prose:
//   * Latin keywords must not be followed by another Latin letter (`JDX` is no accept).
//   * The one-character keywords 接 and 退 must be followed by the end, a space, punctuation, a
//     digit, `#`, `第` or a Chinese numeral that is a whole number: `接线的地方冒火花` is no
//     accept, `退休金…` is no hand back.
//   * `退订` / `TD` is unsubscribe only as the whole message; `退 12`, `TH12` are hand back;
//     `退订12`, `TD 12` are Unrecognized.
//   * A number glued to Latin letters (`接 12a`), no number but Latin junk for accept (`接 abc`),
//     a second command word right after the first (`完成完成`, `接单完成`), two numbers for
//     accept (`接 12 13`), ticket 0 or a number over 12 digits: Unrecognized.
//   * Accept ignores trailing chatter (`接123 马上去`, `接单了`). Resolve keeps the rest as note,
//     hand back as reason (the original characters, trimmed, full-width punctuation kept).
//   * Sign-in needs a code of Latin letters/digits (`-` allowed), at most 16; `签到` alone is
//     Unrecognized.
//   * 派, 派单, 代, 代办, 代报 need the strict boundary (`派出所来人了`, `代表来了`, `代办证件要
//     什么材料` stay reports); 点单 takes anything after it (`点单维修…`). These three always parse
//     (missing parts come back empty: the engine answers with the usage), except a malformed
//     ticket number after 派 (`派 12a 张三`: Unrecognized). A phone number may be written with
//     spaces or `-` between digit groups, `+86`/`86` in front; it is returned as typed (digits
//     and a leading `+`) and checked by the engine.
//
// MEMBERS ARE VILLAGERS TOO. A member message that is not a command is either:
//   * MemberReport — it reads like a report: it does not start with a command word, has at least
//     kMinReportIdeographs CJK ideographs, and is not an acknowledgement or handling remark
//     (收到, 好的, 修好了, 处理完 ...). The engine may treat it as a new report from a villager.
//   * Unrecognized — anything else (short texts, Latin/digit junk, `收到`, `已经修好了`, malformed
//     commands). The engine answers with one line of help.
//   looks_like_command_attempt() exposes exactly this decision.
//
// RESIDENT grammar (the whole message, after normalisation; trailing `了`, `啦`, `的`, `啊`, `呀`,
// `哦`, `谢谢`, `感谢` are ignored for ratings):
//   rating     `1`..`5`, `５`, `五`, `5分`, `5星`, `五分`                    → Rate{n}
//              满意 / 很满意 / 非常满意 / 十分满意 / 特别满意 / 挺满意         → Rate{5}
//              基本满意 / 比较满意 / 还算满意 / 还行 / 还可以                   → Rate{4}
//              一般 / 马马虎虎                                              → Rate{3}
//              不满意 / 不太满意 / 不是很满意                                → Rate{2}
//              很不满意 / 非常不满意 / 十分不满意 / 特别不满意 / 太差 / 很差     → Rate{1}
//              (`不满意` is never 满意: phrases match the whole message, never a part of it)
//              A phrase, then a space/punctuation and an explanation, still counts:
//              `没修好，还是不亮` → Reopen, `满意，师傅辛苦了` → Rate{5} (a digit takes no tail:
//              `3，楼道灯坏了` is a Report). A digit with a phrase (`5分满意`, `满意 5分`): the digit.
//   reopen     `0`, `０`, `零`, `〇`, `0分`, 未解决, 没解决, 没有解决, 还没解决, 没修好,
//              没有修好, 还没修, 还没修好, 还没有修, 没修, 没好, 还没好, 还是坏的, 还是坏了
//   query      查询 | 查 | 查单 | 查进度 | 进度 | CX  [number]                → Query
//   cancel     取消 | 撤销 | QX  [number] [reason]                           → Cancel
//              (without a number only the bare word counts: `取消低保的事想咨询` is a Report)
//   unsubscribe 退订 | TD (whole message; `退订谢谢` too)
//   anything else → Report with the original text, trimmed of surrounding whitespace.
// Rating-shaped replies are only ratings when the resident has a ticket awaiting verification:
// the caller decides (it still has the original text, e.g. to treat `满意` with nothing awaiting
// as chatter and answer with help). A bare number other than 0..5 (`6`, `12`, `123`) is NOT a
// rating: it is a Report with command_like = true, as is any short text without CJK ideographs
// (`ok`, `JD12`) or one that starts with a command word; the engine should answer such a "report"
// with help rather than open a ticket.
// clang-format on
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace lianxin::domain {

using TicketNo = std::int64_t;

// ---- Member commands ----
struct Accept {
  std::optional<TicketNo> ticket;  // nullopt: "my only open ticket"
  bool operator==(const Accept&) const = default;
};
struct Resolve {
  std::optional<TicketNo> ticket;
  std::string note;  // may be empty
  bool operator==(const Resolve&) const = default;
};
struct HandBack {
  std::optional<TicketNo> ticket;
  std::string reason;  // may be empty
  bool operator==(const HandBack&) const = default;
};
struct MyTickets {
  bool operator==(const MyTickets&) const = default;
};
struct MyPoints {
  bool operator==(const MyPoints&) const = default;
};
struct SignIn {
  std::string meeting_code;  // upper-case, never empty: "M12"
  bool operator==(const SignIn&) const = default;
};

// ---- Four orders and reports on behalf of others ----
struct RaiseOrder {      // 点单: a grid member raises a need for a service team (网格点单)
  std::string service;   // the first word as typed (team name, alias, or service); may be empty
  std::string resident;  // a phone number as typed ("13800000001", "+8613800000001"); may be empty
  std::string text;      // the need, after the service word (and phone); may be empty
  bool operator==(const RaiseOrder&) const = default;
};
struct Assign {                    // 派 123 张三: a team leader hands a ticket to a team member
  std::optional<TicketNo> ticket;  // nullopt: the leader's only open ticket
  std::string assignee;  // name or member id and anything after it, as typed; may be empty
  bool operator==(const Assign&) const = default;
};
struct OnBehalf {        // 代 13800000001 想办残疾证: a helper reports for a resident
  std::string resident;  // phone number as typed (digits, leading '+'); empty when none given
  std::string text;      // the report; may be empty
  bool operator==(const OnBehalf&) const = default;
};

// ---- Resident commands ----
struct Rate {
  int score;  // 1..5
  bool operator==(const Rate&) const = default;
};
struct Reopen {  // 0 / 未解决 / 没修好 ...
  bool operator==(const Reopen&) const = default;
};
struct Query {
  std::optional<TicketNo> ticket;  // nullopt: all my tickets
  bool operator==(const Query&) const = default;
};
struct Cancel {
  std::optional<TicketNo> ticket;  // nullopt: "my only open report"
  std::string reason;              // text after the number, may be empty
  bool operator==(const Cancel&) const = default;
};

// ---- Anyone ----
struct Unsubscribe {
  bool operator==(const Unsubscribe&) const = default;
};

// ---- Not a command ----
struct Report {  // a new report / free text, original text trimmed
  std::string text;
  // True when the text looks like a failed command rather than a problem description (a bare
  // number other than 0..5, short text without CJK ideographs, starts with a command word).
  // The engine should answer with help instead of opening a ticket.
  bool command_like = false;
  bool operator==(const Report&) const = default;
};
struct Unrecognized {  // looks like a command attempt but malformed (e.g. "接 abc", "完成完成")
  std::string text;    // original text trimmed
  bool operator==(const Unrecognized&) const = default;
};
struct MemberReport {  // a member's long free text that reads like a report (see above)
  std::string text;    // original text trimmed
  bool operator==(const MemberReport&) const = default;
};

using MemberCommand =
    std::variant<Accept, Resolve, HandBack, MyTickets, MyPoints, SignIn, Unsubscribe, Unrecognized,
                 MemberReport, RaiseOrder, Assign, OnBehalf>;
using ResidentCommand = std::variant<Rate, Reopen, Query, Cancel, Unsubscribe, Report>;

MemberCommand parse_member_message(std::string_view text);
ResidentCommand parse_resident_message(std::string_view text);

// Minimum number of CJK ideographs for a member's non-command text to count as a report.
inline constexpr int kMinReportIdeographs = 6;

// The member-side decision between Unrecognized (true) and MemberReport (false) for a text that
// is not a valid member command. Also true for valid commands.
bool looks_like_command_attempt(std::string_view text);

// A ticket number on its own ("123", "#123", "１２３号", "一百二十三"); nullopt otherwise.
std::optional<TicketNo> parse_ticket_number(std::string_view text);

// Short English names for logs and tests: "accept", "resolve", ..., "report".
std::string_view command_name(const MemberCommand& command);
std::string_view command_name(const ResidentCommand& command);

}  // namespace lianxin::domain
