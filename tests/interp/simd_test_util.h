// Shorthands for the SIMD tests: build a V128 from lanes (lane 0 first, as v128.const writes
// them) and print one on failure.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <ostream>
#include <string>

#include "sem/simd.h"

namespace strata::sem::simd {

inline V128 i8(Lanes<int8_t> l) { return V128::fromLanes<int8_t>(l); }
inline V128 u8(Lanes<uint8_t> l) { return V128::fromLanes<uint8_t>(l); }
inline V128 i16(Lanes<int16_t> l) { return V128::fromLanes<int16_t>(l); }
inline V128 u16(Lanes<uint16_t> l) { return V128::fromLanes<uint16_t>(l); }
inline V128 i32(Lanes<int32_t> l) { return V128::fromLanes<int32_t>(l); }
inline V128 u32(Lanes<uint32_t> l) { return V128::fromLanes<uint32_t>(l); }
inline V128 i64(Lanes<int64_t> l) { return V128::fromLanes<int64_t>(l); }
inline V128 u64(Lanes<uint64_t> l) { return V128::fromLanes<uint64_t>(l); }
inline V128 f32(Lanes<float> l) { return V128::fromLanes<float>(l); }
inline V128 f64(Lanes<double> l) { return V128::fromLanes<double>(l); }

inline float f32Bits(uint32_t bits) { return std::bit_cast<float>(bits); }
inline double f64Bits(uint64_t bits) { return std::bit_cast<double>(bits); }

// Bit patterns used across the float tests.
inline constexpr uint32_t kF32CanonNaN = 0x7fc00000u;
inline constexpr uint32_t kF32NegNaN = 0xffc00000u;      // canonical payload, negative
inline constexpr uint32_t kF32PayloadNaN = 0x7fa00001u;  // signalling, non-canonical payload
inline constexpr uint64_t kF64CanonNaN = 0x7ff8000000000000u;
inline constexpr uint64_t kF64PayloadNaN = 0x7ff4000000000001u;

// gtest prints V128 as 32-bit hex lanes, lane 0 first.
inline void PrintTo(const V128& v, std::ostream* os) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "[%08x %08x %08x %08x]", v.lane<uint32_t>(0), v.lane<uint32_t>(1),
                v.lane<uint32_t>(2), v.lane<uint32_t>(3));
  *os << buf;
}

}  // namespace strata::sem::simd
