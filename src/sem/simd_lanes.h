// SIMD lane movement and bitwise operations: splat, extract/replace lane, shuffle, swizzle,
// v128 bitwise ops, and the helpers the interpreter's SIMD memory handlers call after loading.
#pragma once

#include "sem/simd_types.h"

namespace strata::sem::simd {

// ---- splat (spec 4.6 vector instructions, splat: every lane gets the scalar, wrapped) ----

inline V128 I8x16Splat(uint32_t x) { return wrap(VecU8{} + static_cast<uint8_t>(x)); }
inline V128 I16x8Splat(uint32_t x) { return wrap(VecU16{} + static_cast<uint16_t>(x)); }
inline V128 I32x4Splat(uint32_t x) { return wrap(VecU32{} + x); }
inline V128 I64x2Splat(uint64_t x) { return wrap(VecU64{} + x); }
// Float splats copy bits (no arithmetic), so NaN payloads survive (splat performs no float
// operation).
inline V128 F32x4Splat(float x) { return I32x4Splat(std::bit_cast<uint32_t>(x)); }
inline V128 F64x2Splat(double x) { return I64x2Splat(std::bit_cast<uint64_t>(x)); }

// ---- extract_lane / replace_lane (spec 4.6 vector instructions) ----
// The validator guarantees lane < number of lanes; the mask only keeps a corrupted bytecode
// immediate inside the 16 bytes.

inline uint32_t I8x16ExtractLaneS(V128 v, uint8_t lane) {
  return static_cast<uint32_t>(int32_t{v.lane<int8_t>(lane & 15)});
}
inline uint32_t I8x16ExtractLaneU(V128 v, uint8_t lane) { return v.lane<uint8_t>(lane & 15); }
inline uint32_t I16x8ExtractLaneS(V128 v, uint8_t lane) {
  return static_cast<uint32_t>(int32_t{v.lane<int16_t>(lane & 7)});
}
inline uint32_t I16x8ExtractLaneU(V128 v, uint8_t lane) { return v.lane<uint16_t>(lane & 7); }
inline uint32_t I32x4ExtractLane(V128 v, uint8_t lane) { return v.lane<uint32_t>(lane & 3); }
inline uint64_t I64x2ExtractLane(V128 v, uint8_t lane) { return v.lane<uint64_t>(lane & 1); }
inline float F32x4ExtractLane(V128 v, uint8_t lane) { return v.lane<float>(lane & 3); }
inline double F64x2ExtractLane(V128 v, uint8_t lane) { return v.lane<double>(lane & 1); }

inline V128 I8x16ReplaceLane(V128 v, uint32_t x, uint8_t lane) {
  v.setLane<uint8_t>(lane & 15, static_cast<uint8_t>(x));
  return v;
}
inline V128 I16x8ReplaceLane(V128 v, uint32_t x, uint8_t lane) {
  v.setLane<uint16_t>(lane & 7, static_cast<uint16_t>(x));
  return v;
}
inline V128 I32x4ReplaceLane(V128 v, uint32_t x, uint8_t lane) {
  v.setLane<uint32_t>(lane & 3, x);
  return v;
}
inline V128 I64x2ReplaceLane(V128 v, uint64_t x, uint8_t lane) {
  v.setLane<uint64_t>(lane & 1, x);
  return v;
}
inline V128 F32x4ReplaceLane(V128 v, float x, uint8_t lane) {
  v.setLane<float>(lane & 3, x);
  return v;
}
inline V128 F64x2ReplaceLane(V128 v, double x, uint8_t lane) {
  v.setLane<double>(lane & 1, x);
  return v;
}

// ---- shuffle and swizzle (spec 4.3.5 ivshuffle, ivswizzle) ----

// `lanes` points at the 16 immediate indices; the validator checked each is < 32.
inline V128 I8x16Shuffle(V128 a, V128 b, const uint8_t* lanes) {
  uint8_t both[32];
  a.store(both);
  b.store(both + 16);
  Lanes<uint8_t> r;
  for (unsigned i = 0; i < 16; ++i) r[i] = both[lanes[i] & 31];
  return V128::fromLanes<uint8_t>(r);
}

// Indices >= 16 (unsigned) select 0.
inline V128 I8x16Swizzle(V128 a, V128 s) {
  const Lanes<uint8_t> x = a.lanes<uint8_t>();
  const Lanes<uint8_t> idx = s.lanes<uint8_t>();
  Lanes<uint8_t> r;
  for (unsigned i = 0; i < 16; ++i) r[i] = idx[i] < 16 ? x[idx[i]] : 0;
  return V128::fromLanes<uint8_t>(r);
}

// ---- v128 bitwise (spec 4.3.2 inot, iand, iandnot, ior, ixor, ibitselect) ----

inline V128 V128Not(V128 a) { return wrap(~a.bits); }
inline V128 V128And(V128 a, V128 b) { return wrap(a.bits & b.bits); }
inline V128 V128Andnot(V128 a, V128 b) { return wrap(a.bits & ~b.bits); }
inline V128 V128Or(V128 a, V128 b) { return wrap(a.bits | b.bits); }
inline V128 V128Xor(V128 a, V128 b) { return wrap(a.bits ^ b.bits); }
// Operand order as on the stack: v1, v2, mask; bits of v1 where the mask is 1.
inline V128 V128Bitselect(V128 v1, V128 v2, V128 mask) { return selectBits(mask, v1, v2); }
inline uint32_t V128AnyTrue(V128 a) { return (a.bits[0] | a.bits[1]) != 0; }

// ---- memory helpers: the interpreter loads the bytes (bounds, alignment hint, little-endian
// order), then calls one of these (spec 4.6 memory instructions, v128 loads and stores).
//   v128.load, v128.store                 V128::load / V128::store
//   v128.load8x8_s/u ... load32x2_s/u     V128Load8x8S ... V128Load32x2U (below), from 8 bytes
//   v128.load8/16/32/64_splat             I8x16Splat, I16x8Splat, I32x4Splat, I64x2Splat
//   v128.load32_zero, v128.load64_zero    V128Load32Zero, V128Load64Zero (below)
//   v128.load8/16/32/64_lane              I8x16ReplaceLane, I16x8ReplaceLane, I32x4ReplaceLane,
//                                         I64x2ReplaceLane with the loaded scalar
//   v128.store8/16/32/64_lane             I8x16ExtractLaneU, I16x8ExtractLaneU, I32x4ExtractLane,
//                                         I64x2ExtractLane, then store the low 1/2/4/8 bytes

// Widens each lane of From in the 8 loaded bytes to To (v128.loadMxN_sx: extend_sx per lane).
template <class From, class To>
inline V128 loadExtend(uint64_t bits) {
  Lanes<To> r;
  for (unsigned i = 0; i < r.size(); ++i) {
    From x;
    std::memcpy(&x, reinterpret_cast<const unsigned char*>(&bits) + i * sizeof(From), sizeof x);
    r[i] = static_cast<To>(x);
  }
  return V128::fromLanes<To>(r);
}

inline V128 V128Load8x8S(uint64_t bits) { return loadExtend<int8_t, int16_t>(bits); }
inline V128 V128Load8x8U(uint64_t bits) { return loadExtend<uint8_t, uint16_t>(bits); }
inline V128 V128Load16x4S(uint64_t bits) { return loadExtend<int16_t, int32_t>(bits); }
inline V128 V128Load16x4U(uint64_t bits) { return loadExtend<uint16_t, uint32_t>(bits); }
inline V128 V128Load32x2S(uint64_t bits) { return loadExtend<int32_t, int64_t>(bits); }
inline V128 V128Load32x2U(uint64_t bits) { return loadExtend<uint32_t, uint64_t>(bits); }

// v128.loadN_zero: the loaded scalar in lane 0, every other bit zero.
inline V128 V128Load32Zero(uint32_t x) { return wrap(VecU32{x, 0, 0, 0}); }
inline V128 V128Load64Zero(uint64_t x) { return wrap(VecU64{x, 0}); }

}  // namespace strata::sem::simd
