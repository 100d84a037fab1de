// The `ussd:` section of lianxind's configuration (the menu) and the `ussd:` key of an SMPP
// connection (what its USSD values mean), read with the loader's own mapping reader
// (yaml_reader.hpp), so errors come out as "file:line:column: path: message" like every other key.
//
//   ussd:
//     enabled: true               # default true when the section is present
//     service_code: "*123#"
//     session_timeout: 2m         # 1s .. 30m
//     resident_menu: {text: 连心桥为您服务, choices: [{label: 反映问题, action: report}, ...]}
//     member_menu:   {text: ..., choices: [...]}
//     report_categories:          # default: the configured categories that fit on one screen
//       - {category: streetlight, label: 路灯, descriptions: [路灯不亮, 灯杆倒了]}
//     texts: {invalid_hint: ..., report_done: ...}   # any UssdTexts key
//
// A choice is {label, action} (report, my_tickets, rate, member_tickets, accept, done), or
// {label, text, choices} (a submenu), or {label, text} (information; the dialogue ends).
// Every fixed screen is checked against the USSD limit (182 GSM 7-bit characters, or 80 UCS-2
// units as soon as one character is Chinese), including the "invalid input" hint line.
//
//   smpp:
//     - name: ...
//       ussd:
//         service_type: USSD      # of USSD submit_sm ("" = the connection's)
//         begin_ops: [1]          # values meaning "the user dialled the code"; 0x.. allowed
//         answer_ops: [18]
//         release_ops: [0x81]
//         reply_continue_op: 2
//         reply_end_op: 17
//         session_end_bit: true   # low bit of its_session_info = end of session
#pragma once

#include "config/yaml_reader.hpp"
#include "daemon/domain/settings.hpp"
#include "protocol/ussd.hpp"

namespace lianxin::config::detail {

// Reads `ussd:` into settings.ussd. settings.categories must be loaded already.
void read_ussd_menu(Context& ctx, const Field& f, domain::Settings& settings);

// Reads an SMPP connection's `ussd:` mapping (f.path names it: "smpp[0].ussd").
void read_ussd_dialect(Context& ctx, const Field& f, ussd::Dialect& dialect);

}  // namespace lianxin::config::detail
