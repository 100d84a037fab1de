// The libsmpp34 include block, and the bridge pieces both directions share. Private: included
// only by pdu_lib_decode.cpp and pdu_lib_encode.cpp, after every other header (libsmpp34's
// headers lack extern "C" and define macros that would leak into whatever follows them).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "protocol/pdu_internal.hpp"

// Order matters: the structs header needs smpp34.h, the params header needs the structs.
extern "C" {
#include <smpp34.h>

#include <smpp34_structs.h>

#include <smpp34_params.h>
}

namespace lianxin::smpp::pdu_detail {

// pdu_internal.hpp repeats these for the native decoder; they must not drift from the library.
static_assert(lib_limit::tlv_value == MAX_TLV_SIZE);
static_assert(lib_limit::data_sm_source == ADDRESS_LENGTH - 1);

// Wipes the library's global trace (it holds phone numbers and passwords) when a call is done.
class LibraryTraceWiper {
 public:
  LibraryTraceWiper() = default;
  LibraryTraceWiper(const LibraryTraceWiper&) = delete;
  LibraryTraceWiper& operator=(const LibraryTraceWiper&) = delete;
  ~LibraryTraceWiper() { std::memset(smpp34_strerror, 0, sizeof smpp34_strerror); }
};

// Owns a TLV list built by the library (also the partial list a failed unpack leaves behind).
class LibTlvList {
 public:
  explicit LibTlvList(tlv_t*& head) : head_(head) {}
  LibTlvList(const LibTlvList&) = delete;
  LibTlvList& operator=(const LibTlvList&) = delete;
  ~LibTlvList() {
    destroy_tlv(head_);
    head_ = nullptr;
  }

  // Appends in wire order (build_tlv prepends, so the caller adds the list back to front).
  bool push_front(const RawTlv& raw) {
    tlv_t node{};
    node.tag = raw.tag;
    node.length = static_cast<std::uint16_t>(raw.value.size());
    const std::size_t length = std::min(raw.value.size(), sizeof node.value.octet);
    if (length > 0) std::memcpy(node.value.octet, raw.value.data(), length);
    if (is_u16_tag(raw.tag) && raw.value.size() == 2) node.value.val16 = be16(raw.value.data());
    node.next = nullptr;
    return build_tlv(&head_, &node) == 0;
  }

  // The integer parameters libsmpp34's message tables store as host-order uint16.
  static bool is_u16_tag(std::uint16_t type) {
    return type == tag::user_message_reference || type == tag::sar_msg_ref_num ||
           type == tag::its_session_info;
  }

 private:
  tlv_t*& head_;
};

}  // namespace lianxin::smpp::pdu_detail
