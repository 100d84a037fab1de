// Big-endian words and SMPP headers for the benchmarks' load SMSCs (e2e_load_smsc.hpp,
// protocol_bench_smsc.cpp), which write raw frames without our session in between.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/pdu.hpp"

namespace lianxin::bench {

inline std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

inline void write_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Appends a 16-octet header; the body (length - 16 octets) is the caller's to append.
inline void append_header(smpp::Bytes& out, std::uint32_t length, smpp::CommandId id,
                          std::uint32_t status, std::uint32_t sequence) {
  const std::size_t at = out.size();
  out.resize(at + 16);
  write_be32(&out[at], length);
  write_be32(&out[at + 4], static_cast<std::uint32_t>(id));
  write_be32(&out[at + 8], status);
  write_be32(&out[at + 12], sequence);
}

}  // namespace lianxin::bench
