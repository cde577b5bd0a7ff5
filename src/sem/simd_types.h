// The v128 value type and the lane views and helpers the SIMD semantic functions compute with.
//
// Why GCC/clang vector extension types: they are portable (any target g++ and clang support,
// emulated where the hardware lacks vectors), need no x86 intrinsics, and make the simple
// lanewise operations (add, compare, bitwise, shifts, float arithmetic) one machine instruction.
// Operations without a direct vector form are written as loops over std::array lanes, which
// g++ -O2 vectorizes when it can. V128 wraps a vector type, so the x86-64 and AArch64 ABIs pass
// it in one vector register rather than two general ones.
//
// Lane order is the spec's (spec 4.3.1, lanes_{txN}): lane 0 is the lowest-addressed bytes of the
// little-endian memory image, which is the host's own order on a little-endian host.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace strata::sem::simd {

static_assert(std::endian::native == std::endian::little,
              "V128 lane order assumes a little-endian host (spec lane 0 = lowest bytes)");

// Vector extension views of the 128 bits. Element arithmetic happens in the element type (no
// integer promotion), so unsigned views wrap modulo 2^N as the spec's iadd/isub/imul do.
using VecI8 = int8_t __attribute__((vector_size(16)));
using VecU8 = uint8_t __attribute__((vector_size(16)));
using VecI16 = int16_t __attribute__((vector_size(16)));
using VecU16 = uint16_t __attribute__((vector_size(16)));
using VecI32 = int32_t __attribute__((vector_size(16)));
using VecU32 = uint32_t __attribute__((vector_size(16)));
using VecI64 = int64_t __attribute__((vector_size(16)));
using VecU64 = uint64_t __attribute__((vector_size(16)));
using VecF32 = float __attribute__((vector_size(16)));
using VecF64 = double __attribute__((vector_size(16)));

// The vector view whose element type is the lane type L: VecOf<int16_t> is VecI16.
template <class L>
struct VecFor;
template <>
struct VecFor<int8_t> {
  using type = VecI8;
};
template <>
struct VecFor<uint8_t> {
  using type = VecU8;
};
template <>
struct VecFor<int16_t> {
  using type = VecI16;
};
template <>
struct VecFor<uint16_t> {
  using type = VecU16;
};
template <>
struct VecFor<int32_t> {
  using type = VecI32;
};
template <>
struct VecFor<uint32_t> {
  using type = VecU32;
};
template <>
struct VecFor<int64_t> {
  using type = VecI64;
};
template <>
struct VecFor<uint64_t> {
  using type = VecU64;
};
template <>
struct VecFor<float> {
  using type = VecF32;
};
template <>
struct VecFor<double> {
  using type = VecF64;
};
template <class L>
using VecOf = typename VecFor<L>::type;

// A lane-by-lane array view: the form for loops that have no vector expression.
template <class L>
using Lanes = std::array<L, 16 / sizeof(L)>;

// A 128-bit vector value (spec 2.2.4 vectype v128): 16 bytes, 16-aligned, trivially copyable.
// Interpreter slots are 8-byte aligned, so move V128 in and out of them with load/store.
struct V128 {
  VecU64 bits;

  // Unaligned 16-byte load/store (memory, interpreter slots, v128.const immediates).
  static V128 load(const void* p) {
    V128 v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  void store(void* p) const { std::memcpy(p, this, sizeof *this); }

  template <class L>
  L lane(unsigned i) const {
    L x;
    std::memcpy(&x, reinterpret_cast<const unsigned char*>(this) + i * sizeof(L), sizeof(L));
    return x;
  }
  template <class L>
  void setLane(unsigned i, L x) {
    std::memcpy(reinterpret_cast<unsigned char*>(this) + i * sizeof(L), &x, sizeof(L));
  }

  // V128::fromLanes<int32_t>({1, 2, 3, 4}): lane 0 first, as the text format writes v128.const.
  template <class L>
  static V128 fromLanes(const Lanes<L>& lanes) {
    return std::bit_cast<V128>(lanes);
  }
  template <class L>
  Lanes<L> lanes() const {
    return std::bit_cast<Lanes<L>>(*this);
  }

  friend bool operator==(const V128& a, const V128& b) { return std::memcmp(&a, &b, 16) == 0; }
};
static_assert(sizeof(V128) == 16 && alignof(V128) == 16);
static_assert(std::is_trivially_copyable_v<V128> && std::is_standard_layout_v<V128>);

// Reinterpretation between V128 and a vector view (no lane changes).
template <class Vec>
inline Vec as(V128 v) {
  return std::bit_cast<Vec>(v);
}
template <class Vec>
inline V128 wrap(Vec v) {
  static_assert(sizeof(Vec) == 16);
  return std::bit_cast<V128>(v);
}

// Bitwise select: bits of x where mask is 1, bits of y where it is 0 (spec ibitselect).
inline V128 selectBits(V128 mask, V128 x, V128 y) {
  return wrap((x.bits & mask.bits) | (y.bits & ~mask.bits));
}

// Lanewise helpers over the array view. `F` maps lane values to lane values of the same type.
template <class L, class F>
inline V128 mapLanes(V128 a, F f) {
  Lanes<L> x = a.lanes<L>();
  for (auto& e : x) e = static_cast<L>(f(e));
  return V128::fromLanes<L>(x);
}
template <class L, class F>
inline V128 zipLanes(V128 a, V128 b, F f) {
  Lanes<L> x = a.lanes<L>();
  const Lanes<L> y = b.lanes<L>();
  for (unsigned i = 0; i < x.size(); ++i) x[i] = static_cast<L>(f(x[i], y[i]));
  return V128::fromLanes<L>(x);
}

// A vector-extension binary operation on the view Vec; comparisons yield all-ones/all-zeros
// lanes, which is exactly the spec's vrelop result (all ones for true, 0 for false).
template <class Vec, class Op>
inline V128 vecOp(V128 a, V128 b, Op op) {
  return wrap(op(as<Vec>(a), as<Vec>(b)));
}

// Clamps a wide integer into the range of To (spec 4.3 sat_u_N / sat_s_N).
template <class To, class Wide>
constexpr To saturate(Wide x) {
  using Lim = std::numeric_limits<To>;
  if (x < static_cast<Wide>(Lim::min())) return Lim::min();
  if (x > static_cast<Wide>(Lim::max())) return Lim::max();
  return static_cast<To>(x);
}

// Per-float-type facts: the bit-pattern integer, its vector view and the canonical NaN.
template <class F>
struct FloatTraits;
template <>
struct FloatTraits<float> {
  using Bits = uint32_t;
  using BitsVec = VecU32;
  static constexpr Bits kSignBit = 0x8000'0000u;
  static constexpr Bits kCanonicalNaN = 0x7fc0'0000u;  // spec 2.2.3 canon_32, positive sign
};
template <>
struct FloatTraits<double> {
  using Bits = uint64_t;
  using BitsVec = VecU64;
  static constexpr Bits kSignBit = 0x8000'0000'0000'0000u;
  static constexpr Bits kCanonicalNaN = 0x7ff8'0000'0000'0000u;
};

// Replaces every NaN lane by the positive canonical NaN. Spec 4.3.3 lets NaN results be any
// arithmetic NaN; the deterministic profile (spec 4.3.3 NaN propagation, nans_N) prescribes
// +nan(canon_N), so every tier produces the same bits and differential testing across tiers stays
// exact.
template <class F>
inline V128 canonicalNaNs() {
  using T = FloatTraits<F>;
  return wrap(typename T::BitsVec{} + T::kCanonicalNaN);
}
template <class F>
inline V128 canonicalizeNaN(V128 r) {
  const VecOf<F> x = as<VecOf<F>>(r);
  return selectBits(wrap(x != x), canonicalNaNs<F>(), r);
}

}  // namespace strata::sem::simd
