// Helpers for the decode tests: wrap hand-written section bytes in a module header and decode.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/decoder.h"

namespace strata::decode::testing {

using Bytes = std::vector<uint8_t>;

// The 8-byte header (spec 5.5.16): "\0asm" and version 1. Sections written by tests start at
// offset 8, which the expected error offsets below count from.
inline constexpr uint64_t kHeaderSize = 8;

inline Bytes withHeader(const Bytes& sections) {
  Bytes out{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  out.insert(out.end(), sections.begin(), sections.end());
  return out;
}

inline Result<ir::Module> decodeSections(const Bytes& sections, const ir::Features& f = ir::Features::all()) {
  return decodeModule(withHeader(sections), f);
}

// Decodes and fails the test with the decoder's message if that does not work.
inline ir::Module decodeOk(const Bytes& sections, const ir::Features& f = ir::Features::all()) {
  auto m = decodeSections(sections, f);
  EXPECT_TRUE(m.has_value()) << (m ? "" : m.error().describe());
  return m ? std::move(*m) : ir::Module{};
}

// Expects a Malformed error with exactly this message at this absolute offset.
inline void expectMalformed(const Bytes& sections, const std::string& message, uint64_t offset,
                            const ir::Features& f = ir::Features::all()) {
  auto m = decodeSections(sections, f);
  ASSERT_FALSE(m.has_value()) << "decoded, expected \"" << message << "\"";
  EXPECT_EQ(m.error().kind, ErrorKind::Malformed);
  EXPECT_EQ(m.error().message, message);
  EXPECT_EQ(m.error().offset, offset) << m.error().describe();
}

}  // namespace strata::decode::testing
