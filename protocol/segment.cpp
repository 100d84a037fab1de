#include "protocol/segment.hpp"

namespace lianxin::sms {

namespace {

constexpr std::size_t udh_8bit_concat_octets = 6;  // UDHL, IEI, IEDL, ref, total, seq

// Octet sizes: one unit is one octet except in UCS-2 (two).
std::size_t octets_per_unit(Encoding encoding) {
  return encoding == Encoding::ucs2 ? 2 : 1;
}

}  // namespace

std::size_t single_part_units(Encoding encoding) {
  return encoding == Encoding::gsm7 ? 160 : 140 / octets_per_unit(encoding);
}

std::size_t multipart_units(Encoding encoding) {
  // 6 octets of UDH are 48 bits, 7 septets once packed for the air interface.
  return encoding == Encoding::gsm7 ? 153
                                    : (140 - udh_8bit_concat_octets) / octets_per_unit(encoding);
}

Segmented segment(std::string_view utf8, std::uint16_t reference, const SegmentOptions& options) {
  Segmented result;
  const std::u32string text = utf8_to_code_points(utf8);
  result.encoding =
      options.encoding ? *options.encoding : choose_encoding(text, options.allow_latin1);
  const Encoding encoding = result.encoding;
  const std::uint8_t dc = data_coding_of(encoding);

  // Encode once, remembering where each character ends: parts may only end there.
  Bytes encoded;
  encoded.reserve(text.size() * 2);
  std::vector<std::size_t> char_ends;
  char_ends.reserve(text.size());
  for (char32_t cp : text) {
    if (!append_encoded(encoded, cp, encoding)) ++result.replaced;
    char_ends.push_back(encoded.size());
  }

  const std::size_t unit = octets_per_unit(encoding);
  if (encoded.size() <= single_part_units(encoding) * unit) {
    Part part;
    part.short_message = std::move(encoded);
    part.data_coding = dc;
    result.parts.push_back(std::move(part));
    return result;
  }

  if (options.mode == ConcatMode::payload) {
    if (encoded.size() > max_message_payload) {
      result.error = SmsError::payload_too_long;
      result.detail = std::to_string(encoded.size()) + " octets in " + encoding_name(encoding);
      return result;
    }
    Part part;
    part.message_payload = std::move(encoded);
    part.data_coding = dc;
    result.parts.push_back(std::move(part));
    return result;
  }

  // Greedy split at character ends; every character (at most 4 octets) fits an empty part.
  const std::size_t limit = multipart_units(encoding) * unit;
  std::vector<std::size_t> part_ends;
  std::size_t start = 0;
  std::size_t last_fit = 0;
  for (std::size_t end : char_ends) {
    if (end - start > limit) {
      part_ends.push_back(last_fit);
      start = last_fit;
      if (part_ends.size() > max_parts) break;
    }
    last_fit = end;
  }
  part_ends.push_back(encoded.size());
  if (part_ends.size() > max_parts) {
    result.error = SmsError::too_many_parts;
    result.detail = "more than " + std::to_string(max_parts) + " parts of " +
                    std::to_string(multipart_units(encoding)) + " " + encoding_name(encoding) +
                    " units";
    return result;
  }

  const auto total = static_cast<std::uint8_t>(part_ends.size());
  start = 0;
  for (std::size_t i = 0; i < part_ends.size(); ++i) {
    const auto seq = static_cast<std::uint8_t>(i + 1);
    Part part;
    part.data_coding = dc;
    if (options.mode == ConcatMode::udh) {
      part.udhi = true;
      part.short_message = {
          0x05, iei::concat_8bit, 0x03, static_cast<std::uint8_t>(reference & 0xFF), total, seq};
    } else {
      part.sar = SarInfo{reference, total, seq};
    }
    part.short_message.insert(part.short_message.end(),
                              encoded.begin() + static_cast<std::ptrdiff_t>(start),
                              encoded.begin() + static_cast<std::ptrdiff_t>(part_ends[i]));
    start = part_ends[i];
    result.parts.push_back(std::move(part));
  }
  return result;
}

ParsedUserData parse_concat(std::uint8_t esm_class, ByteView short_message, const SarTlvs& sar) {
  ParsedUserData result;
  if (esm_class & esm_class_udhi) {
    const std::size_t udh_length = short_message.empty() ? 0 : short_message[0];
    if (short_message.empty() || 1 + udh_length > short_message.size()) {
      result.error = SmsError::malformed_udh;
      result.detail = short_message.empty()
                          ? "UDHI set but the message is empty"
                          : "UDH length " + std::to_string(udh_length) + " exceeds the " +
                                std::to_string(short_message.size() - 1) + " octets that follow";
      result.body.assign(short_message.begin(), short_message.end());
    } else {
      const ByteView udh = short_message.subspan(1, udh_length);
      std::size_t pos = 0;
      while (pos + 2 <= udh.size()) {
        const std::uint8_t id = udh[pos];
        const std::size_t length = udh[pos + 1];
        if (pos + 2 + length > udh.size()) {
          result.error = SmsError::malformed_udh;
          result.detail = "IE " + std::to_string(id) + " runs past the end of the UDH";
          break;
        }
        const ByteView data = udh.subspan(pos + 2, length);
        if (id == iei::concat_8bit && length == 3) {
          result.concat = ConcatInfo{data[0], data[1], data[2], false, false};
        } else if (id == iei::concat_16bit && length == 4) {
          result.concat = ConcatInfo{static_cast<std::uint16_t>((data[0] << 8) | data[1]), data[2],
                                     data[3], true, false};
        }
        pos += 2 + length;
      }
      if (result.error) {
        // The header cannot be trusted: keep everything, claim no concatenation.
        result.concat.reset();
        result.body.assign(short_message.begin(), short_message.end());
      } else {
        result.body.assign(short_message.begin() + 1 + static_cast<std::ptrdiff_t>(udh_length),
                           short_message.end());
      }
    }
  } else {
    result.body.assign(short_message.begin(), short_message.end());
  }
  if (!result.concat && sar.msg_ref_num && sar.total_segments && sar.segment_seqnum) {
    result.concat =
        ConcatInfo{*sar.msg_ref_num, *sar.total_segments, *sar.segment_seqnum, true, true};
  }
  return result;
}

}  // namespace lianxin::sms
