// libsmpp34 packing, and which PDUs the library encodes faithfully (libsmpp34_handles()).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/pdu.hpp"
#include "protocol/pdu_internal.hpp"

// Last: its macros must not reach the headers above.
#include "protocol/pdu_libsmpp34.hpp"

namespace lianxin::smpp::pdu_detail {

namespace {

// Everything that reaches the library has been checked by the field checks (pdu_encode.cpp).

bool lib_tlvs_from(const std::vector<RawTlv>& list, LibTlvList& lib) {
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!lib.push_front(*it)) return false;
  }
  return true;
}

template <std::size_t N>
void set_lib_text(std::uint8_t (&field)[N], const std::string& value) {
  const std::size_t length = std::min(value.size(), N - 1);  // lengths were checked before
  std::memcpy(field, value.data(), length);
  field[length] = 0;
}

template <class LibPdu>
void header_to_lib(const Pdu& pdu, LibPdu& lib) {
  lib.command_length = 0;  // pack computes it
  lib.command_id = pdu.command_id();
  lib.command_status = pdu.command_status;
  lib.sequence_number = pdu.sequence_number;
}

template <class LibBind>
void bind_to_lib(const Bind& bind, LibBind& lib) {
  set_lib_text(lib.system_id, bind.system_id);
  set_lib_text(lib.password, bind.password);
  set_lib_text(lib.system_type, bind.system_type);
  lib.interface_version = bind.interface_version;
  lib.addr_ton = bind.address_range.ton;
  lib.addr_npi = bind.address_range.npi;
  set_lib_text(lib.address_range, bind.address_range.addr);
}

template <class LibMessage>
void message_to_lib(const ShortMessage& m, LibMessage& lib) {
  set_lib_text(lib.service_type, m.service_type);
  lib.source_addr_ton = m.source.ton;
  lib.source_addr_npi = m.source.npi;
  set_lib_text(lib.source_addr, m.source.addr);
  lib.dest_addr_ton = m.destination.ton;
  lib.dest_addr_npi = m.destination.npi;
  set_lib_text(lib.destination_addr, m.destination.addr);
  lib.esm_class = m.esm_class;
  lib.protocol_id = m.protocol_id;
  lib.priority_flag = m.priority_flag;
  set_lib_text(lib.schedule_delivery_time, m.schedule_delivery_time);
  set_lib_text(lib.validity_period, m.validity_period);
  lib.registered_delivery = m.registered_delivery;
  lib.replace_if_present_flag = m.replace_if_present_flag;
  lib.data_coding = m.data_coding;
  lib.sm_default_msg_id = m.sm_default_msg_id;
  const std::size_t length = std::min(m.short_message.size(), sizeof lib.short_message);
  lib.sm_length = static_cast<std::uint8_t>(length);
  if (length > 0) std::memcpy(lib.short_message, m.short_message.data(), length);
}

// Packs a PDU that libsmpp34_handles() accepted; nullopt when the library refuses.
class LibEncoder {
 public:
  explicit LibEncoder(const Pdu& pdu) : pdu_(pdu) {}

  std::optional<Bytes> run() {
    return std::visit([this](const auto& body) { return encode(body); }, pdu_.body);
  }

 private:
  template <class LibPdu>
  std::optional<Bytes> pack(LibPdu& lib, std::size_t tlv_octets) {
    header_to_lib(pdu_, lib);
    // Mandatory fields stay under 512 octets; the library wants spare room after the last one.
    Bytes buffer(512 + tlv_octets);
    int length = 0;
    LibraryTraceWiper wiper;
    if (smpp34_pack2(buffer.data(), static_cast<int>(buffer.size()), &length, &lib) != 0) {
      return std::nullopt;
    }
    if (length < static_cast<int>(header_size) || length > static_cast<int>(buffer.size())) {
      return std::nullopt;
    }
    buffer.resize(static_cast<std::size_t>(length));
    return buffer;
  }

  static std::size_t octets_of(const std::vector<RawTlv>& list) {
    std::size_t total = 0;
    for (const RawTlv& t : list) total += 4 + t.value.size();
    return total;
  }

  template <class LibPdu>
  std::optional<Bytes> pack_with_tlvs(LibPdu& lib, const std::vector<RawTlv>& list) {
    LibTlvList owner(lib.tlv);
    if (!lib_tlvs_from(list, owner)) return std::nullopt;
    return pack(lib, octets_of(list));
  }

  std::optional<Bytes> encode(const Bind& bind) {
    switch (bind.mode) {
      case BindMode::transmitter: {
        bind_transmitter_t lib{};
        bind_to_lib(bind, lib);
        return pack(lib, 0);
      }
      case BindMode::receiver: {
        bind_receiver_t lib{};
        bind_to_lib(bind, lib);
        return pack(lib, 0);
      }
      case BindMode::transceiver: {
        bind_transceiver_t lib{};
        bind_to_lib(bind, lib);
        return pack(lib, 0);
      }
    }
    return std::nullopt;
  }
  std::optional<Bytes> encode(const BindResp& resp) {
    switch (resp.mode) {
      case BindMode::transmitter:
        return encode_bind_resp<bind_transmitter_resp_t>(resp);
      case BindMode::receiver:
        return encode_bind_resp<bind_receiver_resp_t>(resp);
      case BindMode::transceiver:
        return encode_bind_resp<bind_transceiver_resp_t>(resp);
    }
    return std::nullopt;
  }
  template <class LibBindResp>
  std::optional<Bytes> encode_bind_resp(const BindResp& resp) {
    LibBindResp lib{};
    set_lib_text(lib.system_id, resp.system_id);
    return pack_with_tlvs(lib, bind_resp_tlv_list(resp));
  }
  std::optional<Bytes> encode(const SubmitSm& m) {
    submit_sm_t lib{};
    message_to_lib(m, lib);
    return pack_with_tlvs(lib, tlv_list(m.tlvs));
  }
  std::optional<Bytes> encode(const DeliverSm& m) {
    deliver_sm_t lib{};
    message_to_lib(m, lib);
    return pack_with_tlvs(lib, tlv_list(m.tlvs));
  }
  std::optional<Bytes> encode(const DataSm& m) {
    data_sm_t lib{};
    set_lib_text(lib.service_type, m.service_type);
    lib.source_addr_ton = m.source.ton;
    lib.source_addr_npi = m.source.npi;
    set_lib_text(lib.source_addr, m.source.addr);
    lib.dest_addr_ton = m.destination.ton;
    lib.dest_addr_npi = m.destination.npi;
    set_lib_text(lib.destination_addr, m.destination.addr);
    lib.esm_class = m.esm_class;
    lib.registered_delivery = m.registered_delivery;
    lib.data_coding = m.data_coding;
    return pack_with_tlvs(lib, tlv_list(m.tlvs));
  }
  std::optional<Bytes> encode(const SubmitSmResp& r) {
    submit_sm_resp_t lib{};
    set_lib_text(lib.message_id, r.message_id);
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const DeliverSmResp&) {
    deliver_sm_resp_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const DataSmResp& r) {
    data_sm_resp_t lib{};
    set_lib_text(lib.message_id, r.message_id);
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const Unbind&) {
    unbind_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const UnbindResp&) {
    unbind_resp_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const EnquireLink&) {
    enquire_link_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const EnquireLinkResp&) {
    enquire_link_resp_t lib{};
    return pack(lib, 0);
  }
  std::optional<Bytes> encode(const GenericNack&) {
    generic_nack_t lib{};
    return pack(lib, 0);
  }

  const Pdu& pdu_;
};

// The library's own validators (pure functions writing into `text`), so our notion of what it
// accepts cannot drift from its tables.
bool lib_accepts_status(std::uint32_t command_status) {
  char text[SMALL_BUFF] = {};
  return str_command_status(command_status, text)[0] != '\0';
}
bool lib_accepts_address(const Address& address) {
  char text[SMALL_BUFF] = {};
  if (str_addr_ton(address.ton, text)[0] == '\0') return false;
  return str_addr_npi(address.npi, text)[0] != '\0';
}

bool lib_accepts_tlvs(const Tlvs& tlvs) {
  if (!tlvs.unknown.empty()) return false;
  return !tlvs.message_payload || tlvs.message_payload->size() <= lib_limit::tlv_value;
}

struct LibBodyCheck {
  const Pdu& pdu;

  bool operator()(const Bind& b) const {
    return b.interface_version == SMPP_VERSION && lib_accepts_address(b.address_range);
  }
  bool operator()(const BindResp&) const { return true; }
  bool operator()(const SubmitSm& m) const { return message(m); }
  bool operator()(const DeliverSm& m) const {
    // Its deliver_sm has one-octet time fields.
    return message(m) && m.schedule_delivery_time.empty() && m.validity_period.empty();
  }
  bool operator()(const DataSm& m) const {
    return lib_accepts_address(m.source) && lib_accepts_address(m.destination) &&
           m.source.addr.size() <= lib_limit::data_sm_source && lib_accepts_tlvs(m.tlvs);
  }
  bool operator()(const SubmitSmResp& r) const {
    // It neither writes nor reads the body of an error response.
    return pdu.command_status == status::ok || r.message_id.empty();
  }
  bool operator()(const DataSmResp& r) const { return r.tlvs == Tlvs{}; }
  template <class HeaderOnly>
  bool operator()(const HeaderOnly&) const {
    return true;
  }

  bool message(const ShortMessage& m) const {
    return lib_accepts_address(m.source) && lib_accepts_address(m.destination) &&
           m.short_message.size() <= lib_limit::short_message && lib_accepts_tlvs(m.tlvs);
  }
};

}  // namespace

EncodeResult encode_lib_checked(const Pdu& pdu) {
  auto bytes = LibEncoder(pdu).run();
  if (!bytes) {
    EncodeResult result;
    result.error = CodecError::encode_failed;
    result.detail = "libsmpp34 refused to pack " + command_name(pdu.command_id());
    return result;
  }
  return finish_encode(std::move(*bytes));
}

}  // namespace lianxin::smpp::pdu_detail

namespace lianxin::smpp::backends {

bool libsmpp34_handles(const Pdu& pdu) {
  // Its header validators refuse sequence 0 and every status code missing from its list
  // (vendor codes 0x400-0x4FF included).
  if (pdu.sequence_number == 0 || !pdu_detail::lib_accepts_status(pdu.command_status)) return false;
  return std::visit(pdu_detail::LibBodyCheck{pdu}, pdu.body);
}

}  // namespace lianxin::smpp::backends
