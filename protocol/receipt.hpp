// Delivery receipts (SMPP 3.4 deliver_sm with esm_class message type 0x04, or an intermediate
// notification 0x20).
//
// Two forms reach us, often both in one PDU:
//  - TLVs: receipted_message_id + message_state [+ network_error_code];
//  - the de-facto text form of SMPP 3.4 Appendix B in short_message:
//      id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD
//      err:E text: . . .
//    read tolerantly: any case, fields missing or in another order, extra spaces (also after
//    the colon), "submit_date"/"submitdate", dates with seconds (12 digits) or a 4-digit year
//    (14 digits), ids with letters, stat words spelled out (DELIVERED, UNDELIVERABLE, FAILED).
// TLV values win over the text where both are present.
//
// Message ids: SMSCs disagree with themselves. The submit_sm_resp may say "1a2b" and the receipt
// "6699" (the same number in hex and decimal), or either with leading zeros or another case.
// same_message_id() matches all of these; for a lookup in storage, store
// normalize_message_id(submit id) and search for any of message_id_variants(receipt id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lianxin::sms {

// message_state values (SMPP 3.4 section 5.3.2.35); the text form maps onto the same enum.
enum class DeliveryState : std::uint8_t {
  enroute = 1,
  delivered = 2,
  expired = 3,
  deleted = 4,
  undeliverable = 5,
  accepted = 6,
  unknown = 7,
  rejected = 8,
};

const char* delivery_state_name(DeliveryState state);  // "DELIVRD", "UNDELIV", ...
std::optional<DeliveryState> delivery_state_from_tlv(std::uint8_t message_state);
std::optional<DeliveryState> delivery_state_from_stat(std::string_view stat);
// Final: the SMSC will send nothing more about the message (all but ENROUTE and UNKNOWN).
bool is_final(DeliveryState state);
// The recipient got it (DELIVRD, or ACCEPTD: accepted on the recipient's behalf).
bool is_success(DeliveryState state);

// esm_class says "delivery receipt" (0x04) or "intermediate delivery notification" (0x20).
bool is_receipt_esm_class(std::uint8_t esm_class);

// A timestamp as the SMSC wrote it, in its own (unknown) time zone.
struct ReceiptTime {
  int year = 0;  // four digits; two-digit years are 20YY
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  friend bool operator==(const ReceiptTime&, const ReceiptTime&) = default;
};

struct ReceiptNetworkError {
  std::uint8_t network_type = 0;  // 1 ANSI-136, 2 IS-95, 3 GSM
  std::uint16_t error_code = 0;
  friend bool operator==(const ReceiptNetworkError&, const ReceiptNetworkError&) = default;
};

struct ReceiptTlvs {
  std::optional<std::string> receipted_message_id;
  std::optional<std::uint8_t> message_state;
  std::optional<ReceiptNetworkError> network_error_code;
};

struct DeliveryReceipt {
  std::string message_id;
  std::optional<DeliveryState> state;  // absent when neither form gave a known state
  std::string stat;                    // the stat word as written (empty if none)
  std::optional<unsigned> submitted;   // sub:
  std::optional<unsigned> delivered;   // dlvrd:
  std::optional<ReceiptTime> submit_date;
  std::optional<ReceiptTime> done_date;
  std::string error;  // err: as written
  std::optional<ReceiptNetworkError> network_error;
  std::string text;  // text: (the start of the original message)
};

struct ParsedReceipt {
  std::optional<DeliveryReceipt> receipt;
  std::error_code error;  // not_a_receipt: no message id in either form
  std::string detail;
};

// Reads the text form only (missing fields stay empty). `text` is the raw short_message: the
// receipt is ASCII, the same bytes in GSM 03.38 and Latin-1.
DeliveryReceipt parse_receipt_text(std::string_view text);

// Both forms together; TLVs win.
ParsedReceipt parse_receipt(const ReceiptTlvs& tlvs, std::string_view text);

// Trimmed, lower case, leading zeros dropped ("0" stays "0").
std::string normalize_message_id(std::string_view id);
// normalize_message_id(id), plus its decimal value written in hex and its hex value written in
// decimal, when the id reads as such a number (up to 64 bits). Empty for a blank id.
std::vector<std::string> message_id_variants(std::string_view id);
// Equal after normalising, or one is the other's hex/decimal spelling ("1a2b" ~ "6699").
bool same_message_id(std::string_view a, std::string_view b);

}  // namespace lianxin::sms
