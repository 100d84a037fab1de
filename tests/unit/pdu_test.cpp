// SMPP 3.4 codec: golden vectors laid out by hand from the spec, round trips through both engines,
// and malformed input of every kind the wire can bring.
#include "protocol/pdu.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::smpp {
namespace {

using backends::Engine;

Bytes from_hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (char c : text) {
    int nibble = -1;
    if (c >= '0' && c <= '9') nibble = c - '0';
    if (c >= 'a' && c <= 'f') nibble = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') nibble = c - 'A' + 10;
    if (nibble < 0) continue;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + nibble));
      high = -1;
    }
  }
  return out;
}

// Builds a body field by field, as the spec lays it out.
class Body_ {
 public:
  Body_& u8(std::uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Body_& u16(std::uint16_t v) { return u8(static_cast<std::uint8_t>(v >> 8)).u8(v & 0xFF); }
  Body_& u32(std::uint32_t v) {
    return u16(static_cast<std::uint16_t>(v >> 16)).u16(static_cast<std::uint16_t>(v));
  }
  Body_& cstr(std::string_view s) {
    raw(s);
    return u8(0);
  }
  Body_& raw(std::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  Body_& raw(const Bytes& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  Body_& tlv(std::uint16_t tag, const Bytes& value) {
    return u16(tag).u16(static_cast<std::uint16_t>(value.size())).raw(value);
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  Bytes bytes_;
};

Bytes frame(std::uint32_t command_id, std::uint32_t status, std::uint32_t sequence,
            const Bytes& body = {}) {
  Body_ b;
  b.u32(static_cast<std::uint32_t>(16 + body.size())).u32(command_id).u32(status).u32(sequence);
  b.raw(body);
  return b.bytes();
}

std::uint32_t id(CommandId c) {
  return static_cast<std::uint32_t>(c);
}

// A deliver_sm header + mandatory part with the given short message, ready for TLVs.
Body_ deliver_sm_body(std::string_view text, std::uint8_t esm_class = 0) {
  Body_ b;
  b.cstr("").u8(1).u8(1).cstr("8613800138000").u8(0).u8(0).cstr("10086");
  b.u8(esm_class).u8(0).u8(0).cstr("").cstr("").u8(0).u8(0).u8(0).u8(0);
  b.u8(static_cast<std::uint8_t>(text.size())).raw(text);
  return b;
}

DecodeResult decode_ok(const Bytes& bytes) {
  DecodeResult r = decode(bytes);
  EXPECT_FALSE(r.error) << r.error.message() << ": " << r.detail;
  EXPECT_TRUE(r.pdu.has_value());
  EXPECT_TRUE(r.header.has_value());
  return r;
}

// Both engines must agree wherever libsmpp34 takes the frame. Returns whether it took it.
bool expect_engines_agree(const Bytes& bytes) {
  const auto native = backends::decode_with(Engine::native, bytes);
  EXPECT_TRUE(native.has_value());
  const auto lib = backends::decode_with(Engine::libsmpp34, bytes);
  if (!lib || !native) return false;
  EXPECT_FALSE(lib->error) << lib->detail;
  EXPECT_EQ(lib->pdu, native->pdu);
  return true;
}

// The golden vectors are ordinary traffic: libsmpp34 must be the engine that reads them.
void expect_libsmpp34_reads(const Bytes& bytes) {
  EXPECT_TRUE(expect_engines_agree(bytes)) << "libsmpp34 was bypassed";
}

// ------------------------------------------------------------------------------- golden vectors

TEST(PduGolden, EnquireLinkFromTheSpec) {
  const Bytes wire = from_hex("00 00 00 10 00 00 00 15 00 00 00 00 00 00 00 01");
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(r.header->command_length, 16u);
  EXPECT_EQ(r.header->command_id, 0x15u);
  EXPECT_EQ(r.pdu->sequence_number, 1u);
  EXPECT_EQ(r.pdu->command_status, 0u);
  EXPECT_TRUE(std::holds_alternative<EnquireLink>(r.pdu->body));
  EXPECT_EQ(r.pdu->command_id(), 0x15u);

  const EncodeResult e = encode(Pdu{status::ok, 1, EnquireLink{}});
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, wire);
}

TEST(PduGolden, BindTransceiverWithSystemIdAndPassword) {
  const Bytes wire = from_hex(
      "00000023 00000009 00000000 00000001"
      "6C69616E78696E00"  // system_id "lianxin"
      "707731323300"      // password "pw123"
      "00"                // system_type ""
      "34 01 01"          // interface_version 3.4, addr_ton, addr_npi
      "00");              // address_range ""
  ASSERT_EQ(wire.size(), 0x23u);
  const DecodeResult r = decode_ok(wire);
  const auto& bind = std::get<Bind>(r.pdu->body);
  EXPECT_EQ(bind.mode, BindMode::transceiver);
  EXPECT_EQ(bind.system_id, "lianxin");
  EXPECT_EQ(bind.password, "pw123");
  EXPECT_EQ(bind.system_type, "");
  EXPECT_EQ(bind.interface_version, 0x34);
  EXPECT_EQ(bind.address_range, (Address{1, 1, ""}));
  EXPECT_TRUE(r.detail.empty());

  Bind out;
  out.system_id = "lianxin";
  out.password = "pw123";
  out.address_range = Address{1, 1, ""};
  const EncodeResult e = encode(Pdu{status::ok, 1, out});
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, wire);
  expect_libsmpp34_reads(wire);
}

TEST(PduGolden, SubmitSmWithUcs2PayloadAndSarParameters) {
  const Bytes wire = from_hex(
      "0000004B 00000004 00000000 00000007"
      "00"                                  // service_type ""
      "05 00 313030383600"                  // source 5/0 "10086"
      "01 01 3836313338303031333830303000"  // destination 1/1 "8613800138000"
      "00 00 00"                            // esm_class, protocol_id, priority_flag
      "00 00"                               // schedule_delivery_time, validity_period
      "01 00 08 00"                         // registered_delivery, replace, UCS-2, default id
      "00"                                  // sm_length 0: the text is in message_payload
      "020C 0002 1234"                      // sar_msg_ref_num 0x1234
      "020E 0001 02"                        // sar_total_segments 2
      "020F 0001 01"                        // sar_segment_seqnum 1
      "0424 0004 4F60597D");                // message_payload "你好" in UCS-2
  ASSERT_EQ(wire.size(), 0x4Bu);
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(r.pdu->sequence_number, 7u);
  const auto& sm = std::get<SubmitSm>(r.pdu->body);
  EXPECT_EQ(sm.source, (Address{5, 0, "10086"}));
  EXPECT_EQ(sm.destination, (Address{1, 1, "8613800138000"}));
  EXPECT_EQ(sm.registered_delivery, 1);
  EXPECT_EQ(sm.data_coding, 8);
  EXPECT_TRUE(sm.short_message.empty());
  EXPECT_EQ(sm.tlvs.sar_msg_ref_num, 0x1234);
  EXPECT_EQ(sm.tlvs.sar_total_segments, 2);
  EXPECT_EQ(sm.tlvs.sar_segment_seqnum, 1);
  EXPECT_EQ(sm.tlvs.message_payload, (Bytes{0x4F, 0x60, 0x59, 0x7D}));
  EXPECT_TRUE(sm.tlvs.unknown.empty());

  SubmitSm out;
  out.source = Address{5, 0, "10086"};
  out.destination = Address{1, 1, "8613800138000"};
  out.registered_delivery = 1;
  out.data_coding = 8;
  out.tlvs.sar_msg_ref_num = 0x1234;
  out.tlvs.sar_total_segments = 2;
  out.tlvs.sar_segment_seqnum = 1;
  out.tlvs.message_payload = Bytes{0x4F, 0x60, 0x59, 0x7D};
  const EncodeResult e = encode(Pdu{status::ok, 7, out});
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, wire);
  expect_libsmpp34_reads(wire);
}

TEST(PduGolden, DeliverSmReceiptWithReceiptedIdAndState) {
  const std::string text =
      "id:7F3A21 sub:001 dlvrd:001 submit date:2405011200 done date:2405011201 stat:DELIVRD "
      "err:000 text:";
  Body_ body = deliver_sm_body(text, 0x04);
  body.tlv(tag::receipted_message_id, Bytes{'7', 'F', '3', 'A', '2', '1', 0});
  body.tlv(tag::message_state, Bytes{2});
  const Bytes wire = frame(id(CommandId::deliver_sm), 0, 42, body.bytes());

  const DecodeResult r = decode_ok(wire);
  const auto& dm = std::get<DeliverSm>(r.pdu->body);
  EXPECT_EQ(dm.esm_class, 0x04);
  EXPECT_EQ(dm.source.addr, "8613800138000");
  EXPECT_EQ(dm.destination.addr, "10086");
  EXPECT_EQ(std::string(dm.short_message.begin(), dm.short_message.end()), text);
  EXPECT_EQ(dm.tlvs.receipted_message_id, "7F3A21");
  EXPECT_EQ(dm.tlvs.message_state, 2);

  const EncodeResult e = encode(*r.pdu);
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, wire);
  expect_libsmpp34_reads(wire);
}

TEST(PduGolden, DeliverSmUssdWithServiceOpAndSessionInfo) {
  Body_ body = deliver_sm_body("*123#");
  body.tlv(tag::ussd_service_op, Bytes{0x01});         // PSSR indication
  body.tlv(tag::its_session_info, Bytes{0x05, 0x01});  // session 5, sequence 0, not final
  const Bytes wire = frame(id(CommandId::deliver_sm), 0, 3, body.bytes());

  const DecodeResult r = decode_ok(wire);
  const auto& dm = std::get<DeliverSm>(r.pdu->body);
  EXPECT_EQ(dm.tlvs.ussd_service_op, 0x01);
  EXPECT_EQ(dm.tlvs.its_session_info, 0x0501);
  EXPECT_EQ(std::string(dm.short_message.begin(), dm.short_message.end()), "*123#");

  const EncodeResult e = encode(*r.pdu);
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, wire);
  expect_libsmpp34_reads(wire);
}

TEST(PduGolden, SubmitSmRespAndGenericNack) {
  const Bytes resp = from_hex("00000019 80000004 00000000 00000009 3030414243313233 00");
  const DecodeResult r = decode_ok(resp);
  EXPECT_EQ(std::get<SubmitSmResp>(r.pdu->body).message_id, "00ABC123");

  const Bytes nack = from_hex("00000010 80000000 00000003 0000000A");
  const DecodeResult n = decode_ok(nack);
  EXPECT_TRUE(std::holds_alternative<GenericNack>(n.pdu->body));
  EXPECT_EQ(n.pdu->command_status, status::invalid_cmd_id);
  EXPECT_EQ(encode(*n.pdu).bytes, nack);
  expect_libsmpp34_reads(resp);
  expect_libsmpp34_reads(nack);
  expect_libsmpp34_reads(from_hex("00000010 00000015 00000000 00000001"));
}

// ----------------------------------------------------------------------------------- round trips

std::vector<Pdu> every_pdu_type() {
  std::vector<Pdu> pdus;
  for (BindMode mode : {BindMode::transmitter, BindMode::receiver, BindMode::transceiver}) {
    Bind bind;
    bind.mode = mode;
    bind.system_id = "lianxin01";
    bind.password = "secret12";
    bind.system_type = "VMS";
    bind.address_range = Address{1, 1, "^86"};
    pdus.push_back(Pdu{status::ok, 1, bind});
    pdus.push_back(Pdu{status::ok, 1, BindResp{mode, "SMSC", std::uint8_t{0x34}}});
    pdus.push_back(Pdu{status::invalid_password, 1, BindResp{mode, "", std::nullopt}});
  }
  SubmitSm submit;
  submit.service_type = "CMT";
  submit.source = Address{5, 0, "10086"};
  submit.destination = Address{1, 1, "8613800138000"};
  submit.esm_class = 0x40;
  submit.data_coding = 8;
  submit.registered_delivery = 1;
  submit.validity_period = "000001000000000R";
  submit.short_message = {0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x4F, 0x60};
  submit.tlvs.user_message_reference = 77;
  pdus.push_back(Pdu{status::ok, 2, submit});
  DeliverSm deliver;
  deliver.source = Address{1, 1, "8613900139000"};
  deliver.destination = Address{0, 0, "10086"};
  deliver.short_message = {'T', 'S', ' ', '1', '2'};
  deliver.tlvs.sar_msg_ref_num = 9;
  deliver.tlvs.sar_total_segments = 3;
  deliver.tlvs.sar_segment_seqnum = 3;
  deliver.tlvs.network_error_code = NetworkErrorCode{3, 0x0102};
  pdus.push_back(Pdu{status::ok, 0x7FFFFFFF, deliver});
  DataSm data;
  data.source = Address{1, 1, "8613800138000"};
  data.destination = Address{0, 0, "10086"};
  data.data_coding = 0;
  data.tlvs.message_payload = Bytes{'h', 'e', 'l', 'l', 'o'};
  data.tlvs.ussd_service_op = 2;
  data.tlvs.its_session_info = 0x0100;
  data.tlvs.receipted_message_id = "abc";
  data.tlvs.message_state = 5;
  pdus.push_back(Pdu{status::ok, 4, data});
  pdus.push_back(Pdu{status::ok, 5, SubmitSmResp{"4711"}});
  pdus.push_back(Pdu{status::throttled, 5, SubmitSmResp{""}});
  pdus.push_back(Pdu{status::ok, 6, DeliverSmResp{}});
  pdus.push_back(Pdu{status::temporary_app_error, 6, DeliverSmResp{}});
  pdus.push_back(Pdu{status::ok, 7, DataSmResp{"id-7", {}}});
  DataSmResp data_resp{"id-8", {}};
  data_resp.tlvs.network_error_code = NetworkErrorCode{1, 27};
  pdus.push_back(Pdu{0xFE, 8, data_resp});
  pdus.push_back(Pdu{status::ok, 9, Unbind{}});
  pdus.push_back(Pdu{status::ok, 9, UnbindResp{}});
  pdus.push_back(Pdu{status::ok, 10, EnquireLink{}});
  pdus.push_back(Pdu{status::ok, 10, EnquireLinkResp{}});
  pdus.push_back(Pdu{status::invalid_cmd_length, 11, GenericNack{}});
  return pdus;
}

TEST(PduRoundTrip, EveryTypeSurvivesEncodeThenDecode) {
  for (const Pdu& pdu : every_pdu_type()) {
    SCOPED_TRACE(command_name(pdu.command_id()));
    const EncodeResult e = encode(pdu);
    ASSERT_FALSE(e.error) << e.detail;
    EXPECT_EQ(peek_command_length(e.bytes), e.bytes.size());
    const DecodeResult d = decode(e.bytes);
    ASSERT_FALSE(d.error) << d.detail;
    EXPECT_EQ(d.header->command_id, pdu.command_id());
    EXPECT_EQ(*d.pdu, pdu);
  }
}

TEST(PduRoundTrip, BothEnginesWriteTheSameBytes) {
  int taken_by_libsmpp34 = 0;
  for (const Pdu& pdu : every_pdu_type()) {
    SCOPED_TRACE(command_name(pdu.command_id()));
    const auto native = backends::encode_with(Engine::native, pdu);
    ASSERT_TRUE(native.has_value());
    ASSERT_FALSE(native->error) << native->detail;
    const auto lib = backends::encode_with(Engine::libsmpp34, pdu);
    if (!lib) continue;
    ++taken_by_libsmpp34;
    ASSERT_FALSE(lib->error) << lib->detail;
    EXPECT_EQ(lib->bytes, native->bytes);
    expect_libsmpp34_reads(native->bytes);
  }
  // Everything in the list but the DataSmResp carrying a TLV is libsmpp34's job.
  EXPECT_EQ(taken_by_libsmpp34, static_cast<int>(every_pdu_type().size()) - 1);
}

TEST(PduRoundTrip, CommandIdFollowsBindMode) {
  EXPECT_EQ((Pdu{0, 1, Bind{BindMode::receiver, {}, {}, {}, 0x34, {}}}.command_id()), 0x1u);
  EXPECT_EQ((Pdu{0, 1, BindResp{BindMode::transmitter, {}, {}}}.command_id()), 0x80000002u);
  EXPECT_EQ((Pdu{0, 1, DataSmResp{}}.command_id()), 0x80000103u);
}

// --------------------------------------------------------------------------------- header checks

TEST(PduMalformed, TruncatedHeaderHasNoHeader) {
  const Bytes wire = from_hex("00000010 00000015 00000000 00000001");
  for (std::size_t n = 0; n < 16; ++n) {
    const DecodeResult r = decode(ByteView(wire).first(n));
    EXPECT_EQ(r.error, CodecError::truncated_header) << n;
    EXPECT_FALSE(r.header.has_value());
    EXPECT_FALSE(r.pdu.has_value());
    EXPECT_EQ(peek_command_length(ByteView(wire).first(n)).has_value(), n >= 4);
  }
}

TEST(PduMalformed, CommandLengthOutOfRange) {
  for (std::uint32_t length : {0u, 1u, 15u, max_command_length + 1, 0xFFFFFFFFu}) {
    Bytes wire = frame(id(CommandId::enquire_link), 0, 1);
    wire[0] = static_cast<std::uint8_t>(length >> 24);
    wire[1] = static_cast<std::uint8_t>(length >> 16);
    wire[2] = static_cast<std::uint8_t>(length >> 8);
    wire[3] = static_cast<std::uint8_t>(length);
    const DecodeResult r = decode(wire);
    EXPECT_EQ(r.error, CodecError::bad_command_length) << length;
    EXPECT_FALSE(r.header.has_value());
    EXPECT_EQ(peek_command_length(wire), length);
  }
}

TEST(PduMalformed, CommandLengthNotTheFrameSizeKeepsTheHeader) {
  Bytes wire = frame(id(CommandId::submit_sm_resp), 0, 99, Body_().cstr("abc").bytes());
  wire.push_back(0);  // one octet more than command_length says
  const DecodeResult longer = decode(wire);
  EXPECT_EQ(longer.error, CodecError::bad_command_length);
  ASSERT_TRUE(longer.header.has_value());
  EXPECT_EQ(longer.header->sequence_number, 99u);
  wire.resize(wire.size() - 3);
  EXPECT_EQ(decode(wire).error, CodecError::bad_command_length);
}

TEST(PduMalformed, UnknownCommandKeepsHeaderForGenericNack) {
  const Bytes query_sm = frame(0x00000003, 0, 12, Body_().cstr("1").u8(0).u8(0).cstr("").bytes());
  const DecodeResult r = decode(query_sm);
  EXPECT_EQ(r.error, CodecError::unknown_command);
  ASSERT_TRUE(r.header.has_value());
  EXPECT_EQ(r.header->sequence_number, 12u);
  EXPECT_NE(r.detail.find("query_sm"), std::string::npos);
  EXPECT_EQ(decode(frame(0x12345678, 0, 1)).error, CodecError::unknown_command);
}

TEST(PduMalformed, HeaderOnlyCommandWithABody) {
  const DecodeResult r = decode(frame(id(CommandId::enquire_link), 0, 5, Bytes{0}));
  EXPECT_EQ(r.error, CodecError::malformed_body);
  ASSERT_TRUE(r.header.has_value());
  EXPECT_EQ(r.header->sequence_number, 5u);
}

// ----------------------------------------------------------------------------------- body checks

TEST(PduMalformed, CStringWithoutNul) {
  // The password's NUL is missing: the frame ends inside it.
  const Bytes wire =
      frame(id(CommandId::bind_transceiver), 0, 1, Body_().cstr("lianxin").raw("hunter22").bytes());
  const DecodeResult r = decode(wire);
  EXPECT_EQ(r.error, CodecError::malformed_body);
  EXPECT_TRUE(r.header.has_value());
  EXPECT_NE(r.detail.find("password"), std::string::npos);
  EXPECT_EQ(r.detail.find("hunter22"), std::string::npos);  // never the secret itself
}

TEST(PduMalformed, CStringLongerThanTheSpecAllows) {
  const Bytes wire = frame(
      id(CommandId::bind_transmitter), 0, 1,
      Body_().cstr("sixteen_chars_id").cstr("pw").cstr("").u8(0x34).u8(0).u8(0).cstr("").bytes());
  EXPECT_EQ(decode(wire).error, CodecError::malformed_body);
}

TEST(PduMalformed, SmLengthRunningPastTheEnd) {
  Body_ body = deliver_sm_body("");
  Bytes bytes = body.bytes();
  bytes.back() = 50;  // sm_length 50, nothing follows
  bytes.insert(bytes.end(), {'a', 'b', 'c'});
  const DecodeResult r = decode(frame(id(CommandId::deliver_sm), 0, 1, bytes));
  EXPECT_EQ(r.error, CodecError::malformed_body);
  EXPECT_NE(r.detail.find("sm_length"), std::string::npos);
}

TEST(PduMalformed, TlvLengthRunningPastTheEnd) {
  Body_ body = deliver_sm_body("hi");
  body.u16(tag::message_payload).u16(10).raw("abc");
  const DecodeResult r = decode(frame(id(CommandId::deliver_sm), 0, 1, body.bytes()));
  EXPECT_EQ(r.error, CodecError::bad_tlv);
  EXPECT_TRUE(r.header.has_value());
}

TEST(PduMalformed, TruncatedTlvHeader) {
  Body_ body = deliver_sm_body("hi");
  body.u16(tag::message_state).u8(0);
  EXPECT_EQ(decode(frame(id(CommandId::deliver_sm), 0, 1, body.bytes())).error,
            CodecError::bad_tlv);
}

TEST(PduMalformed, IntegerTlvWithWrongLength) {
  struct Case {
    std::uint16_t tag;
    Bytes value;
  };
  const std::vector<Case> cases = {
      {tag::sar_msg_ref_num, {1}},       {tag::sar_msg_ref_num, {0, 0, 1}},
      {tag::sar_total_segments, {0, 2}}, {tag::sar_segment_seqnum, {}},
      {tag::message_state, {2, 0}},      {tag::user_message_reference, {1, 2, 3, 4}},
      {tag::ussd_service_op, {1, 1}},    {tag::its_session_info, {1}},
      {tag::network_error_code, {3, 0}},
  };
  for (const Case& c : cases) {
    Body_ body = deliver_sm_body("x");
    body.tlv(c.tag, c.value);
    const DecodeResult r = decode(frame(id(CommandId::deliver_sm), 0, 1, body.bytes()));
    EXPECT_EQ(r.error, CodecError::bad_tlv) << std::hex << c.tag << " len " << c.value.size();
  }
}

TEST(PduMalformed, ReceiptedMessageIdTooLongOrWithoutNul) {
  Body_ too_long = deliver_sm_body("x", 4);
  too_long.tlv(tag::receipted_message_id, Bytes(66, 'a'));
  EXPECT_EQ(decode(frame(id(CommandId::deliver_sm), 0, 1, too_long.bytes())).error,
            CodecError::bad_tlv);

  Body_ no_nul = deliver_sm_body("x", 4);
  no_nul.tlv(tag::receipted_message_id, Bytes{'a', 'b', 'c'});
  const DecodeResult r = decode_ok(frame(id(CommandId::deliver_sm), 0, 1, no_nul.bytes()));
  EXPECT_EQ(std::get<DeliverSm>(r.pdu->body).tlvs.receipted_message_id, "abc");
}

TEST(PduTolerance, UnknownTlvsArePreservedInOrder) {
  Body_ body = deliver_sm_body("hello");
  body.tlv(0x1401, Bytes{1, 2, 3});        // vendor specific
  body.tlv(tag::message_state, Bytes{2});  // ours, in between
  body.tlv(0x020A, Bytes{0x1F, 0x90});     // source_port: not modelled here
  body.tlv(0x4000, Bytes{});               // reserved, empty
  const Bytes wire = frame(id(CommandId::deliver_sm), 0, 8, body.bytes());
  const DecodeResult r = decode_ok(wire);
  const auto& tlvs = std::get<DeliverSm>(r.pdu->body).tlvs;
  EXPECT_EQ(tlvs.message_state, 2);
  ASSERT_EQ(tlvs.unknown.size(), 3u);
  EXPECT_EQ(tlvs.unknown[0], (RawTlv{0x1401, {1, 2, 3}}));
  EXPECT_EQ(tlvs.unknown[1], (RawTlv{0x020A, {0x1F, 0x90}}));
  EXPECT_EQ(tlvs.unknown[2], (RawTlv{0x4000, {}}));
  EXPECT_FALSE(backends::decode_with(Engine::libsmpp34, wire).has_value());

  const EncodeResult e = encode(*r.pdu);
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(decode_ok(e.bytes).pdu, r.pdu);
}

TEST(PduTolerance, FortyTlvsInOnePdu) {
  // libsmpp34 would overflow its 2048-byte trace buffer on this; it must never see it.
  Body_ body = deliver_sm_body("many");
  for (std::uint16_t i = 0; i < 40; ++i) body.tlv(static_cast<std::uint16_t>(0x1400 + i), Bytes{1});
  const Bytes wire = frame(id(CommandId::deliver_sm), 0, 2, body.bytes());
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(std::get<DeliverSm>(r.pdu->body).tlvs.unknown.size(), 40u);
  EXPECT_FALSE(backends::decode_with(Engine::libsmpp34, wire).has_value());

  // Forty known ones (repeats: the last one wins) take the same road.
  Body_ known = deliver_sm_body("many");
  for (std::uint8_t i = 1; i <= 40; ++i) known.tlv(tag::message_state, Bytes{i});
  const Bytes known_wire = frame(id(CommandId::deliver_sm), 0, 2, known.bytes());
  EXPECT_EQ(std::get<DeliverSm>(decode_ok(known_wire).pdu->body).tlvs.message_state, 40);
  EXPECT_FALSE(backends::decode_with(Engine::libsmpp34, known_wire).has_value());
}

TEST(PduTolerance, ErrorResponseWithABody) {
  const Bytes wire =
      frame(id(CommandId::submit_sm_resp), status::throttled, 31, Body_().cstr("ref-9").bytes());
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(r.pdu->command_status, status::throttled);
  EXPECT_EQ(r.pdu->sequence_number, 31u);
  EXPECT_EQ(std::get<SubmitSmResp>(r.pdu->body).message_id, "ref-9");
  EXPECT_FALSE(backends::decode_with(Engine::libsmpp34, wire).has_value());
  const EncodeResult e = encode(*r.pdu);  // a message_id given is written, even on error
  EXPECT_EQ(e.bytes, wire);
}

TEST(PduTolerance, ErrorResponsesWithoutABody) {
  for (BindMode mode : {BindMode::transmitter, BindMode::receiver, BindMode::transceiver}) {
    const std::uint32_t command = Pdu{0, 1, BindResp{mode, {}, {}}}.command_id();
    const DecodeResult r = decode_ok(frame(command, status::invalid_password, 1));
    EXPECT_EQ(std::get<BindResp>(r.pdu->body), (BindResp{mode, "", std::nullopt}));
    EXPECT_EQ(r.pdu->command_status, status::invalid_password);
  }
  const DecodeResult dr = decode_ok(frame(id(CommandId::deliver_sm_resp), status::system_error, 4));
  EXPECT_TRUE(std::holds_alternative<DeliverSmResp>(dr.pdu->body));
  const DecodeResult ds = decode_ok(frame(id(CommandId::data_sm_resp), 0xFE, 4));
  EXPECT_EQ(std::get<DataSmResp>(ds.pdu->body).message_id, "");
  const DecodeResult sr = decode_ok(frame(id(CommandId::submit_sm_resp), status::throttled, 4));
  EXPECT_EQ(std::get<SubmitSmResp>(sr.pdu->body).message_id, "");
  EXPECT_EQ(encode(*sr.pdu).bytes, frame(id(CommandId::submit_sm_resp), status::throttled, 4));
}

TEST(PduTolerance, VendorStatusCode) {
  const Bytes wire = frame(id(CommandId::submit_sm_resp), 0x400, 17);
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(r.pdu->command_status, 0x400u);
  EXPECT_EQ(r.header->command_status, 0x400u);
  const EncodeResult e = encode(Pdu{0x4FF, 17, DeliverSmResp{}});
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, frame(id(CommandId::deliver_sm_resp), 0x4FF, 17, Bytes{0}));
}

TEST(PduTolerance, SequenceNumberZero) {
  const Bytes wire = frame(id(CommandId::enquire_link), 0, 0);
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(r.pdu->sequence_number, 0u);
  const EncodeResult e = encode(Pdu{0, 0, EnquireLinkResp{}});
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, frame(id(CommandId::enquire_link_resp), 0, 0));
}

TEST(PduTolerance, FieldValuesLibsmpp34Refuses) {
  // TON 7, a deliver_sm with schedule/validity times, sm_length 255, a 2000-octet payload.
  Body_ body;
  body.cstr("").u8(7).u8(2).cstr("12345").u8(0).u8(0).cstr("10086");
  body.u8(0).u8(0).u8(0).cstr("240501120000000+").cstr("240502120000000+").u8(0).u8(0).u8(0).u8(0);
  body.u8(255).raw(Bytes(255, 'z'));
  body.tlv(tag::message_payload, Bytes(2000, 'p'));
  const Bytes wire = frame(id(CommandId::deliver_sm), 0, 1, body.bytes());
  const DecodeResult r = decode_ok(wire);
  const auto& dm = std::get<DeliverSm>(r.pdu->body);
  EXPECT_EQ(dm.source, (Address{7, 2, "12345"}));
  EXPECT_EQ(dm.schedule_delivery_time, "240501120000000+");
  EXPECT_EQ(dm.short_message.size(), 255u);
  EXPECT_EQ(dm.tlvs.message_payload->size(), 2000u);
  EXPECT_FALSE(backends::decode_with(Engine::libsmpp34, wire).has_value());
  const EncodeResult e = encode(*r.pdu);
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(e.bytes, wire);
}

TEST(PduTolerance, TrailingParametersOnBodiesWithoutThemAreDropped) {
  const Bytes wire =
      frame(id(CommandId::submit_sm_resp), 0, 3, Body_().cstr("m1").tlv(0x1500, Bytes{9}).bytes());
  const DecodeResult r = decode_ok(wire);
  EXPECT_EQ(std::get<SubmitSmResp>(r.pdu->body).message_id, "m1");
}

// -------------------------------------------------------------------------------------- encoding

TEST(PduEncode, OverLongFieldsAreErrorsNotTruncation) {
  auto expect_too_long = [](const Pdu& pdu, const std::string& field) {
    const EncodeResult e = encode(pdu);
    EXPECT_EQ(e.error, CodecError::field_too_long) << field;
    EXPECT_TRUE(e.bytes.empty());
    EXPECT_NE(e.detail.find(field), std::string::npos) << e.detail;
  };
  Bind bind;
  bind.system_id = std::string(16, 's');
  expect_too_long(Pdu{0, 1, bind}, "system_id");
  bind.system_id = "ok";
  bind.password = "123456789";
  expect_too_long(Pdu{0, 1, bind}, "password");

  SubmitSm sm;
  sm.destination.addr = std::string(21, '1');
  expect_too_long(Pdu{0, 1, sm}, "destination_addr");
  sm.destination.addr = "1";
  sm.source.addr = std::string(21, '2');
  expect_too_long(Pdu{0, 1, sm}, "source_addr");
  sm.source.addr = "2";
  sm.short_message = Bytes(256, 'x');
  expect_too_long(Pdu{0, 1, sm}, "short_message");
  sm.short_message.clear();
  sm.tlvs.receipted_message_id = std::string(65, 'r');
  expect_too_long(Pdu{0, 1, sm}, "receipted_message_id");
  sm.tlvs.receipted_message_id.reset();
  sm.tlvs.message_payload = Bytes(65536, 'p');
  expect_too_long(Pdu{0, 1, sm}, "message_payload");
  sm.tlvs.message_payload = Bytes(65535, 'p');
  sm.tlvs.unknown.push_back(RawTlv{0x1401, Bytes(10000, 'u')});
  expect_too_long(Pdu{0, 1, sm}, "PDU");

  DataSm data;
  data.destination.addr = std::string(65, '3');
  expect_too_long(Pdu{0, 1, data}, "destination_addr");
  data.destination.addr = std::string(64, '3');  // data_sm allows 64 (native engine)
  EXPECT_FALSE(encode(Pdu{0, 1, data}).error);

  expect_too_long(Pdu{0, 1, SubmitSmResp{std::string(65, 'm')}}, "message_id");
  expect_too_long(Pdu{0, 1, BindResp{BindMode::receiver, std::string(16, 'x'), {}}}, "system_id");
}

TEST(PduEncode, NulInsideAStringIsRefused) {
  Bind bind;
  bind.system_id = std::string("ab\0cd", 5);
  const EncodeResult e = encode(Pdu{0, 1, bind});
  EXPECT_EQ(e.error, CodecError::invalid_field);
  EXPECT_TRUE(e.bytes.empty());
}

TEST(PduEncode, LongestLegalFieldsFit) {
  SubmitSm sm;
  sm.service_type = std::string(5, 'S');
  sm.source.addr = std::string(20, '1');
  sm.destination.addr = std::string(20, '2');
  sm.short_message = Bytes(254, 'x');
  sm.tlvs.message_payload = Bytes(1024, 'p');
  const Pdu pdu{0, 1, sm};
  const EncodeResult e = encode(pdu);
  ASSERT_FALSE(e.error) << e.detail;
  EXPECT_EQ(decode_ok(e.bytes).pdu, pdu);
}

// ------------------------------------------------------------------------------------ robustness

std::vector<Bytes> sample_frames() {
  std::vector<Bytes> frames;
  for (const Pdu& pdu : every_pdu_type()) frames.push_back(encode(pdu).bytes);
  Body_ ussd = deliver_sm_body("1");
  ussd.tlv(tag::ussd_service_op, Bytes{0x12}).tlv(tag::its_session_info, Bytes{0, 1});
  ussd.tlv(0x1383 + 1, Bytes{7, 7});
  frames.push_back(frame(id(CommandId::deliver_sm), 0, 5, ussd.bytes()));
  return frames;
}

void expect_sane(const DecodeResult& r) {
  EXPECT_NE(r.pdu.has_value(), static_cast<bool>(r.error));
  if (r.error) {
    EXPECT_EQ(&r.error.category(), &codec_category());
    EXPECT_FALSE(r.detail.empty());
    EXPECT_NE(r.error.message(), "unknown SMPP codec error");
    return;
  }
  // What decodes re-encodes, and decodes back to the same PDU.
  const EncodeResult e = encode(*r.pdu);
  ASSERT_FALSE(e.error) << e.detail;
  const DecodeResult again = decode(e.bytes);
  ASSERT_FALSE(again.error) << again.detail;
  EXPECT_EQ(*again.pdu, *r.pdu);
}

TEST(PduRobustness, EveryTruncationOfValidPdus) {
  for (const Bytes& full : sample_frames()) {
    for (std::size_t n = 0; n <= full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      const DecodeResult as_is = decode(cut);
      if (n < 16) {
        EXPECT_EQ(as_is.error, CodecError::truncated_header);
        continue;
      }
      if (n < full.size()) {
        EXPECT_EQ(as_is.error, CodecError::bad_command_length);
      }
      // Now with command_length telling the truth about the cut frame.
      cut[0] = cut[1] = 0;
      cut[2] = static_cast<std::uint8_t>(n >> 8);
      cut[3] = static_cast<std::uint8_t>(n);
      const DecodeResult r = decode(cut);
      expect_sane(r);
      ASSERT_TRUE(r.header.has_value());
      expect_engines_agree(cut);
    }
  }
}

TEST(PduRobustness, RandomByteFlipsWithAFixedSeed) {
  std::mt19937 random(20240501);
  const auto frames = sample_frames();
  int decoded = 0;
  int read_by_both = 0;
  for (int round = 0; round < 4000; ++round) {
    Bytes wire = frames[random() % frames.size()];
    const int flips = 1 + static_cast<int>(random() % 3);
    for (int i = 0; i < flips; ++i) {
      // Mostly the body, so that the header stays plausible often enough to reach the parser.
      const std::size_t at = (random() % 4 == 0 || wire.size() == 16)
                                 ? random() % wire.size()
                                 : 16 + random() % (wire.size() - 16);
      wire[at] = static_cast<std::uint8_t>(random());
    }
    const DecodeResult r = decode(wire);
    expect_sane(r);
    if (r.pdu) ++decoded;
    if (expect_engines_agree(wire)) ++read_by_both;
  }
  // The loop reached the success paths of both engines, not only the length checks.
  EXPECT_GT(decoded, 100);
  EXPECT_GT(read_by_both, 50);
}

// ------------------------------------------------------------------------------------- reference

TEST(PduNames, CommandNamesAndErrorMessages) {
  EXPECT_EQ(command_name(0x00000004), "submit_sm");
  EXPECT_EQ(command_name(0x80000009), "bind_transceiver_resp");
  EXPECT_EQ(command_name(0x80000103), "data_sm_resp");
  EXPECT_EQ(command_name(0x00000077), "unknown(0x00000077)");
  EXPECT_STREQ(codec_category().name(), "lianxin.smpp.codec");
  for (int e = 1; e <= static_cast<int>(CodecError::invalid_field); ++e) {
    EXPECT_NE(codec_category().message(e), "unknown SMPP codec error") << e;
  }
  const std::error_code ec = CodecError::bad_tlv;
  EXPECT_EQ(ec.category(), codec_category());
  EXPECT_EQ(ec.message(), "malformed optional parameter");
}

}  // namespace
}  // namespace lianxin::smpp
