// USSD dialogues over SMPP: what a carrier's ussd_service_op / its_session_info values mean.
//
// SMPP 3.4 (section 5.3.2.44) defines ussd_service_op: 0 PSSD indication, 1 PSSR indication,
// 2 USSR request, 3 USSN request, 16 PSSD response, 17 PSSR response, 18 USSR confirm,
// 19 USSN confirm; 32..255 are vendor specific. There is no "release" value in the standard:
// the end of a dialogue is either the low bit of its_session_info (section 5.3.2.43: octet 1 the
// session number, octet 2 bits 7..1 the sequence number, bit 0 "end of session") or a vendor
// value (e.g. 0x81 user abort). Carriers differ, so the meaning of each value is per-connection
// configuration (UssdDialect) with the standard as the default. A value the dialect does not
// know is classified `unknown`: the owner decides from the dialogue's state (it never rejects).
//
// Header-only and pure: the transport, the configuration loader and the application share it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::ussd {

namespace op {
inline constexpr std::uint8_t pssd_indication = 0;
inline constexpr std::uint8_t pssr_indication = 1;
inline constexpr std::uint8_t ussr_request = 2;
inline constexpr std::uint8_t ussn_request = 3;
inline constexpr std::uint8_t pssd_response = 16;
inline constexpr std::uint8_t pssr_response = 17;
inline constexpr std::uint8_t ussr_confirm = 18;
inline constexpr std::uint8_t ussn_confirm = 19;
}  // namespace op

// The USSD string is at most 160 octets (GSM 04.80 / MAP USSD-String): 182 characters of the
// packed GSM 7-bit alphabet, or 80 UTF-16 units in UCS-2 (not 91: UCS-2 takes two octets a
// character whatever the 7-bit figure suggests).
inline constexpr std::size_t max_octets = 160;
inline constexpr std::size_t max_gsm7_septets = 182;
inline constexpr std::size_t max_ucs2_units = 80;

// What an inbound USSD message means for the dialogue.
enum class Inbound {
  begin,    // the user dialled the service code (PSSR indication)
  answer,   // the user answered our last screen (USSR confirm)
  release,  // the user or the network ended the dialogue; nothing is sent back
  unknown,  // a value this connection's dialect does not list
};

inline std::string_view to_string(Inbound kind) {
  switch (kind) {
    case Inbound::begin:
      return "begin";
    case Inbound::answer:
      return "answer";
    case Inbound::release:
      return "release";
    case Inbound::unknown:
      return "unknown";
  }
  return "?";
}

struct Dialect {
  std::vector<std::uint8_t> begin{op::pssr_indication};
  std::vector<std::uint8_t> answer{op::ussr_confirm};
  std::vector<std::uint8_t> release{};             // vendor values only; the standard has none
  std::uint8_t reply_continue = op::ussr_request;  // a screen that waits for an answer
  std::uint8_t reply_end = op::pssr_response;      // the last screen of a dialogue
  // Honour and set the end-of-session bit (bit 0) of its_session_info.
  bool session_end_bit = true;
  // service_type of USSD submit_sm ("" = the connection's service_type). Some gateways want
  // "USSD".
  std::string service_type;

  friend bool operator==(const Dialect&, const Dialect&) = default;
};

inline bool listed(const std::vector<std::uint8_t>& values, std::uint8_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

inline Inbound classify(const Dialect& dialect, std::uint8_t service_op,
                        std::optional<std::uint16_t> session_info) {
  if (listed(dialect.release, service_op)) return Inbound::release;
  // A message flagged "end of session" ends the dialogue whatever its op says.
  if (dialect.session_end_bit && session_info && (*session_info & 1u) != 0) return Inbound::release;
  if (listed(dialect.begin, service_op)) return Inbound::begin;
  if (listed(dialect.answer, service_op)) return Inbound::answer;
  return Inbound::unknown;
}

// The its_session_info of our reply: same session number, the next sequence number, the end bit
// on the last screen. nullopt when the SMSC sent none (then we send none either).
inline std::optional<std::uint16_t> reply_session_info(const Dialect& dialect,
                                                       std::optional<std::uint16_t> inbound,
                                                       bool end) {
  if (!inbound) return std::nullopt;
  const std::uint16_t session = *inbound & 0xFF00u;
  const std::uint16_t sequence = static_cast<std::uint16_t>(((*inbound >> 1) + 1) & 0x7Fu);
  std::uint16_t info = static_cast<std::uint16_t>(session | (sequence << 1));
  if (dialect.session_end_bit && end) info |= 1u;
  return info;
}

}  // namespace lianxin::ussd
