// libsmpp34 unpacking: frames the native decoder proved to be within the library's limits,
// read back into our types.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/pdu.hpp"
#include "protocol/pdu_internal.hpp"

// Last: its macros must not reach the headers above.
#include "protocol/pdu_libsmpp34.hpp"

namespace lianxin::smpp::pdu_detail {

namespace {

// Everything that reaches the library has been checked by the native decoder (pdu_decode.cpp).

template <std::size_t N>
std::string lib_text(const std::uint8_t (&field)[N]) {
  const char* text = reinterpret_cast<const char*>(field);
  return std::string(text, strnlen(text, N));
}

// Reads a library TLV list (newest first) back in wire order. `u16_as_int`: the PDU's table
// stores our 16-bit parameters as integers (otherwise as raw octets).
void tlvs_from_lib(const tlv_t* head, bool u16_as_int, Tlvs* tlvs,
                   std::optional<std::uint8_t>* sc_interface_version) {
  std::vector<const tlv_t*> nodes;
  for (const tlv_t* node = head; node != nullptr; node = node->next) nodes.push_back(node);
  Tlvs scratch;
  Tlvs& into = tlvs != nullptr ? *tlvs : scratch;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    const tlv_t& node = **it;
    const std::size_t length = std::min<std::size_t>(node.length, sizeof node.value.octet);
    const std::uint8_t* octets = node.value.octet;
    auto u16 = [&] { return u16_as_int ? node.value.val16 : be16(octets); };
    switch (node.tag) {
      case tag::user_message_reference:
        into.user_message_reference = u16();
        break;
      case tag::sar_msg_ref_num:
        into.sar_msg_ref_num = u16();
        break;
      case tag::its_session_info:
        into.its_session_info = u16();
        break;
      case tag::sar_total_segments:
        into.sar_total_segments = node.value.val08;
        break;
      case tag::sar_segment_seqnum:
        into.sar_segment_seqnum = node.value.val08;
        break;
      case tag::message_state:
        into.message_state = node.value.val08;
        break;
      case tag::ussd_service_op:
        into.ussd_service_op = node.value.val08;
        break;
      case tag::network_error_code:
        into.network_error_code = NetworkErrorCode{octets[0], be16(octets + 1)};
        break;
      case tag::message_payload:
        into.message_payload = Bytes(octets, octets + length);
        break;
      case tag::receipted_message_id: {
        const char* text = reinterpret_cast<const char*>(octets);
        into.receipted_message_id = std::string(text, strnlen(text, length));
        break;
      }
      default:
        if (node.tag == tag_sc_interface_version && sc_interface_version != nullptr) {
          *sc_interface_version = node.value.val08;
        } else {
          into.unknown.push_back(RawTlv{node.tag, Bytes(octets, octets + length)});
        }
        break;
    }
  }
}

template <class LibPdu>
void header_from_lib(const LibPdu& lib, Pdu& pdu) {
  pdu.command_status = lib.command_status;
  pdu.sequence_number = lib.sequence_number;
}

template <class LibBind>
Bind bind_from_lib(const LibBind& lib, BindMode mode) {
  Bind bind;
  bind.mode = mode;
  bind.system_id = lib_text(lib.system_id);
  bind.password = lib_text(lib.password);
  bind.system_type = lib_text(lib.system_type);
  bind.interface_version = lib.interface_version;
  bind.address_range = Address{lib.addr_ton, lib.addr_npi, lib_text(lib.address_range)};
  return bind;
}

template <class Message, class LibMessage>
Message message_from_lib(const LibMessage& lib) {
  Message m;
  m.service_type = lib_text(lib.service_type);
  m.source = Address{lib.source_addr_ton, lib.source_addr_npi, lib_text(lib.source_addr)};
  m.destination = Address{lib.dest_addr_ton, lib.dest_addr_npi, lib_text(lib.destination_addr)};
  m.esm_class = lib.esm_class;
  m.protocol_id = lib.protocol_id;
  m.priority_flag = lib.priority_flag;
  m.schedule_delivery_time = lib_text(lib.schedule_delivery_time);
  m.validity_period = lib_text(lib.validity_period);
  m.registered_delivery = lib.registered_delivery;
  m.replace_if_present_flag = lib.replace_if_present_flag;
  m.data_coding = lib.data_coding;
  m.sm_default_msg_id = lib.sm_default_msg_id;
  const std::size_t length = std::min<std::size_t>(lib.sm_length, sizeof lib.short_message);
  m.short_message.assign(lib.short_message, lib.short_message + length);
  tlvs_from_lib(lib.tlv, true, &m.tlvs, nullptr);
  return m;
}

}  // namespace

// Unpacks one checked frame with libsmpp34; nullopt when it refuses.
std::optional<Pdu> decode_lib(ByteView frame) {
  Bytes padded(frame.begin(), frame.end());
  padded.resize(frame.size() + lib_limit::padding, 0);
  const int size = static_cast<int>(frame.size());
  LibraryTraceWiper wiper;
  Pdu pdu;
  auto unpack = [&](auto& lib) {
    if (smpp34_unpack2(&lib, padded.data(), size) != 0) return false;
    header_from_lib(lib, pdu);
    return true;
  };
  switch (static_cast<CommandId>(be32(frame.data() + 4))) {
    case CommandId::bind_transmitter: {
      bind_transmitter_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = bind_from_lib(lib, BindMode::transmitter);
      return pdu;
    }
    case CommandId::bind_receiver: {
      bind_receiver_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = bind_from_lib(lib, BindMode::receiver);
      return pdu;
    }
    case CommandId::bind_transceiver: {
      bind_transceiver_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = bind_from_lib(lib, BindMode::transceiver);
      return pdu;
    }
    case CommandId::bind_transmitter_resp: {
      bind_transmitter_resp_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      BindResp resp{BindMode::transmitter, lib_text(lib.system_id), std::nullopt};
      tlvs_from_lib(lib.tlv, false, nullptr, &resp.sc_interface_version);
      pdu.body = std::move(resp);
      return pdu;
    }
    case CommandId::bind_receiver_resp: {
      bind_receiver_resp_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      BindResp resp{BindMode::receiver, lib_text(lib.system_id), std::nullopt};
      tlvs_from_lib(lib.tlv, false, nullptr, &resp.sc_interface_version);
      pdu.body = std::move(resp);
      return pdu;
    }
    case CommandId::bind_transceiver_resp: {
      bind_transceiver_resp_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      BindResp resp{BindMode::transceiver, lib_text(lib.system_id), std::nullopt};
      tlvs_from_lib(lib.tlv, false, nullptr, &resp.sc_interface_version);
      pdu.body = std::move(resp);
      return pdu;
    }
    case CommandId::submit_sm: {
      submit_sm_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      pdu.body = message_from_lib<SubmitSm>(lib);
      return pdu;
    }
    case CommandId::deliver_sm: {
      deliver_sm_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      pdu.body = message_from_lib<DeliverSm>(lib);
      return pdu;
    }
    case CommandId::submit_sm_resp: {
      submit_sm_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = SubmitSmResp{lib_text(lib.message_id)};
      return pdu;
    }
    case CommandId::deliver_sm_resp: {
      deliver_sm_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = DeliverSmResp{};
      return pdu;
    }
    case CommandId::data_sm: {
      data_sm_t lib{};
      LibTlvList owner(lib.tlv);
      if (!unpack(lib)) return std::nullopt;
      DataSm m;
      m.service_type = lib_text(lib.service_type);
      m.source = Address{lib.source_addr_ton, lib.source_addr_npi, lib_text(lib.source_addr)};
      m.destination = Address{lib.dest_addr_ton, lib.dest_addr_npi, lib_text(lib.destination_addr)};
      m.esm_class = lib.esm_class;
      m.registered_delivery = lib.registered_delivery;
      m.data_coding = lib.data_coding;
      tlvs_from_lib(lib.tlv, true, &m.tlvs, nullptr);
      pdu.body = std::move(m);
      return pdu;
    }
    case CommandId::data_sm_resp: {
      data_sm_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = DataSmResp{lib_text(lib.message_id), Tlvs{}};
      return pdu;
    }
    case CommandId::unbind: {
      unbind_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = Unbind{};
      return pdu;
    }
    case CommandId::unbind_resp: {
      unbind_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = UnbindResp{};
      return pdu;
    }
    case CommandId::enquire_link: {
      enquire_link_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = EnquireLink{};
      return pdu;
    }
    case CommandId::enquire_link_resp: {
      enquire_link_resp_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = EnquireLinkResp{};
      return pdu;
    }
    case CommandId::generic_nack: {
      generic_nack_t lib{};
      if (!unpack(lib)) return std::nullopt;
      pdu.body = GenericNack{};
      return pdu;
    }
  }
  return std::nullopt;
}

}  // namespace lianxin::smpp::pdu_detail
