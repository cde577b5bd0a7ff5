// Semantics of every scalar numeric instruction (spec 4.3.2-4.3.4), one inline function per
// opcode, named like its row in src/ir/opcodes.def. The interpreter's handlers are generated
// from the table and call these (rows.h); a later tier can use them as its reference.
//
// Conventions: i32 -> uint32_t, i64 -> uint64_t, f32 -> float, f64 -> double (the row's letters
// i l f d). Instructions that may trap return TrapOr<T>. Floats are computed in their own width
// (f32 never through double), so results are the IEEE-754 ones the spec prescribes; where the
// spec leaves a NaN result open (spec 4.3.3 "NaN propagation": any arithmetic NaN, canonical when
// all NaN inputs are canonical) we return what the hardware produces, which is one of those.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "vm/trap.h"

namespace strata::sem::numeric {

// The result of an instruction that may trap: a value, or the kind of trap.
template <class T>
struct TrapOr {
  T value{};
  bool trapped = false;
  vm::TrapKind kind = vm::TrapKind::Unreachable;

  static TrapOr ok(T v) { return {v, false, vm::TrapKind::Unreachable}; }
  static TrapOr trap(vm::TrapKind k) { return {T{}, true, k}; }
};

// trunc_sat's bounds: at or below lo the minimum, at or above hi the maximum. lo is -2^(N-1)
// or 0, exact in F; hi is the maximum rounded to F (2^31 - 1 is exact in double, 2^N - 1 is not
// in float and rounds up to 2^N).
template <class F>
struct SatBounds {
  F lo, hi;
};
template <class I, class F>
inline constexpr SatBounds<F> kSatBounds{F(std::numeric_limits<I>::min()), F(std::numeric_limits<I>::max())};

namespace detail {

template <class To, class From>
inline To bits(From f) {
  static_assert(sizeof(To) == sizeof(From));
  To t;
  std::memcpy(&t, &f, sizeof t);
  return t;
}

// spec 4.3.3 fmin/fmax: NaN if either operand is NaN, and -0 < +0. `a + b` yields a NaN that
// comes from an operand (quietened), which is an arithmetic NaN as the spec permits.
template <class F>
inline F fmin(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? a : b;  // picks -0 among {-0, +0}
  return a < b ? a : b;
}
template <class F>
inline F fmax(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return a + b;
  if (a == b) return std::signbit(a) ? b : a;  // picks +0 among {-0, +0}
  return a > b ? a : b;
}

// ceil, floor, trunc, nearest: libm may return a signalling NaN operand as it is, but the
// result must be an arithmetic NaN (spec 4.3.3 NaN propagation): quieten it (x + x does).
template <class F, class Fn>
inline F round(F x, Fn fn) {
  if (std::isnan(x)) return x + x;
  return fn(x);
}

// spec 4.3.3 trunc: NaN -> "invalid conversion to integer"; out of range -> "integer overflow".
// The range check is (lo, hi) exclusive in the float type, with bounds exactly representable:
// -2^31 - 1 is not an f32 but every f32 above -2^31 - 1 that truncates in range is >= -2^31.
template <class I, class F>
inline TrapOr<I> truncChecked(F x, F lo_excl, F hi_excl) {
  if (std::isnan(x)) return TrapOr<I>::trap(vm::TrapKind::InvalidConversion);
  if (!(x > lo_excl && x < hi_excl)) return TrapOr<I>::trap(vm::TrapKind::IntegerOverflow);
  return TrapOr<I>::ok(I(std::trunc(x)));
}

// spec 4.3.3 trunc_sat: NaN -> 0, saturate at the integer range.
template <class I, class F>
inline I truncSat(F x) {
  if (std::isnan(x)) return 0;
  if (x <= kSatBounds<I, F>.lo) return std::numeric_limits<I>::min();
  if (x >= kSatBounds<I, F>.hi) return std::numeric_limits<I>::max();
  return I(std::trunc(x));
}

// spec 4.3.2 idiv_u/idiv_s/irem_u/irem_s over the unsigned representation U of a signed S.
template <class U, class S>
inline TrapOr<U> divU(U a, U b) {
  if (b == 0) return TrapOr<U>::trap(vm::TrapKind::IntegerDivideByZero);
  return TrapOr<U>::ok(a / b);
}
template <class U, class S>
inline TrapOr<U> remU(U a, U b) {
  if (b == 0) return TrapOr<U>::trap(vm::TrapKind::IntegerDivideByZero);
  return TrapOr<U>::ok(a % b);
}
template <class U, class S>
inline TrapOr<U> divS(U a, U b) {
  if (b == 0) return TrapOr<U>::trap(vm::TrapKind::IntegerDivideByZero);
  // -2^(N-1) / -1 is not representable.
  if (S(a) == std::numeric_limits<S>::min() && S(b) == -1) return TrapOr<U>::trap(vm::TrapKind::IntegerOverflow);
  return TrapOr<U>::ok(U(S(a) / S(b)));
}
template <class U, class S>
inline TrapOr<U> remS(U a, U b) {
  if (b == 0) return TrapOr<U>::trap(vm::TrapKind::IntegerDivideByZero);
  // -2^(N-1) rem -1 is 0 (C++ leaves it undefined and x86 faults).
  if (S(b) == -1) return TrapOr<U>::ok(0);
  return TrapOr<U>::ok(U(S(a) % S(b)));
}

}  // namespace detail

// --- i32 -----------------------------------------------------------------------------------

inline uint32_t I32Eqz(uint32_t a) { return a == 0; }
inline uint32_t I32Eq(uint32_t a, uint32_t b) { return a == b; }
inline uint32_t I32Ne(uint32_t a, uint32_t b) { return a != b; }
inline uint32_t I32LtS(uint32_t a, uint32_t b) { return int32_t(a) < int32_t(b); }
inline uint32_t I32LtU(uint32_t a, uint32_t b) { return a < b; }
inline uint32_t I32GtS(uint32_t a, uint32_t b) { return int32_t(a) > int32_t(b); }
inline uint32_t I32GtU(uint32_t a, uint32_t b) { return a > b; }
inline uint32_t I32LeS(uint32_t a, uint32_t b) { return int32_t(a) <= int32_t(b); }
inline uint32_t I32LeU(uint32_t a, uint32_t b) { return a <= b; }
inline uint32_t I32GeS(uint32_t a, uint32_t b) { return int32_t(a) >= int32_t(b); }
inline uint32_t I32GeU(uint32_t a, uint32_t b) { return a >= b; }

inline uint32_t I32Clz(uint32_t a) { return uint32_t(std::countl_zero(a)); }
inline uint32_t I32Ctz(uint32_t a) { return uint32_t(std::countr_zero(a)); }
inline uint32_t I32Popcnt(uint32_t a) { return uint32_t(std::popcount(a)); }
inline uint32_t I32Add(uint32_t a, uint32_t b) { return a + b; }
inline uint32_t I32Sub(uint32_t a, uint32_t b) { return a - b; }
inline uint32_t I32Mul(uint32_t a, uint32_t b) { return a * b; }
inline TrapOr<uint32_t> I32DivS(uint32_t a, uint32_t b) { return detail::divS<uint32_t, int32_t>(a, b); }
inline TrapOr<uint32_t> I32DivU(uint32_t a, uint32_t b) { return detail::divU<uint32_t, int32_t>(a, b); }
inline TrapOr<uint32_t> I32RemS(uint32_t a, uint32_t b) { return detail::remS<uint32_t, int32_t>(a, b); }
inline TrapOr<uint32_t> I32RemU(uint32_t a, uint32_t b) { return detail::remU<uint32_t, int32_t>(a, b); }
inline uint32_t I32And(uint32_t a, uint32_t b) { return a & b; }
inline uint32_t I32Or(uint32_t a, uint32_t b) { return a | b; }
inline uint32_t I32Xor(uint32_t a, uint32_t b) { return a ^ b; }
// spec 4.3.2 ishl/ishr: the shift count is taken modulo the bit width.
inline uint32_t I32Shl(uint32_t a, uint32_t b) { return a << (b & 31); }
inline uint32_t I32ShrS(uint32_t a, uint32_t b) { return uint32_t(int32_t(a) >> (b & 31)); }
inline uint32_t I32ShrU(uint32_t a, uint32_t b) { return a >> (b & 31); }
inline uint32_t I32Rotl(uint32_t a, uint32_t b) { return std::rotl(a, int(b & 31)); }
inline uint32_t I32Rotr(uint32_t a, uint32_t b) { return std::rotr(a, int(b & 31)); }

// --- i64 -----------------------------------------------------------------------------------

inline uint32_t I64Eqz(uint64_t a) { return a == 0; }
inline uint32_t I64Eq(uint64_t a, uint64_t b) { return a == b; }
inline uint32_t I64Ne(uint64_t a, uint64_t b) { return a != b; }
inline uint32_t I64LtS(uint64_t a, uint64_t b) { return int64_t(a) < int64_t(b); }
inline uint32_t I64LtU(uint64_t a, uint64_t b) { return a < b; }
inline uint32_t I64GtS(uint64_t a, uint64_t b) { return int64_t(a) > int64_t(b); }
inline uint32_t I64GtU(uint64_t a, uint64_t b) { return a > b; }
inline uint32_t I64LeS(uint64_t a, uint64_t b) { return int64_t(a) <= int64_t(b); }
inline uint32_t I64LeU(uint64_t a, uint64_t b) { return a <= b; }
inline uint32_t I64GeS(uint64_t a, uint64_t b) { return int64_t(a) >= int64_t(b); }
inline uint32_t I64GeU(uint64_t a, uint64_t b) { return a >= b; }

inline uint64_t I64Clz(uint64_t a) { return uint64_t(std::countl_zero(a)); }
inline uint64_t I64Ctz(uint64_t a) { return uint64_t(std::countr_zero(a)); }
inline uint64_t I64Popcnt(uint64_t a) { return uint64_t(std::popcount(a)); }
inline uint64_t I64Add(uint64_t a, uint64_t b) { return a + b; }
inline uint64_t I64Sub(uint64_t a, uint64_t b) { return a - b; }
inline uint64_t I64Mul(uint64_t a, uint64_t b) { return a * b; }
inline TrapOr<uint64_t> I64DivS(uint64_t a, uint64_t b) { return detail::divS<uint64_t, int64_t>(a, b); }
inline TrapOr<uint64_t> I64DivU(uint64_t a, uint64_t b) { return detail::divU<uint64_t, int64_t>(a, b); }
inline TrapOr<uint64_t> I64RemS(uint64_t a, uint64_t b) { return detail::remS<uint64_t, int64_t>(a, b); }
inline TrapOr<uint64_t> I64RemU(uint64_t a, uint64_t b) { return detail::remU<uint64_t, int64_t>(a, b); }
inline uint64_t I64And(uint64_t a, uint64_t b) { return a & b; }
inline uint64_t I64Or(uint64_t a, uint64_t b) { return a | b; }
inline uint64_t I64Xor(uint64_t a, uint64_t b) { return a ^ b; }
inline uint64_t I64Shl(uint64_t a, uint64_t b) { return a << (b & 63); }
inline uint64_t I64ShrS(uint64_t a, uint64_t b) { return uint64_t(int64_t(a) >> (b & 63)); }
inline uint64_t I64ShrU(uint64_t a, uint64_t b) { return a >> (b & 63); }
inline uint64_t I64Rotl(uint64_t a, uint64_t b) { return std::rotl(a, int(b & 63)); }
inline uint64_t I64Rotr(uint64_t a, uint64_t b) { return std::rotr(a, int(b & 63)); }

// --- f32 / f64 comparisons (spec 4.3.3: ordered, false on NaN except ne) ----------------------

inline uint32_t F32Eq(float a, float b) { return a == b; }
inline uint32_t F32Ne(float a, float b) { return a != b; }
inline uint32_t F32Lt(float a, float b) { return a < b; }
inline uint32_t F32Gt(float a, float b) { return a > b; }
inline uint32_t F32Le(float a, float b) { return a <= b; }
inline uint32_t F32Ge(float a, float b) { return a >= b; }
inline uint32_t F64Eq(double a, double b) { return a == b; }
inline uint32_t F64Ne(double a, double b) { return a != b; }
inline uint32_t F64Lt(double a, double b) { return a < b; }
inline uint32_t F64Gt(double a, double b) { return a > b; }
inline uint32_t F64Le(double a, double b) { return a <= b; }
inline uint32_t F64Ge(double a, double b) { return a >= b; }

// --- f32 / f64 arithmetic ------------------------------------------------------------------

// abs, neg and copysign act on the sign bit only and keep NaN payloads (spec 4.3.3 fabs/fneg).
inline float F32Abs(float a) { return detail::bits<float>(detail::bits<uint32_t>(a) & 0x7fffffffu); }
inline float F32Neg(float a) { return detail::bits<float>(detail::bits<uint32_t>(a) ^ 0x80000000u); }
inline float F32Copysign(float a, float b) {
  return detail::bits<float>((detail::bits<uint32_t>(a) & 0x7fffffffu) | (detail::bits<uint32_t>(b) & 0x80000000u));
}
inline float F32Ceil(float a) { return detail::round(a, [](float x) { return std::ceil(x); }); }
inline float F32Floor(float a) { return detail::round(a, [](float x) { return std::floor(x); }); }
inline float F32Trunc(float a) { return detail::round(a, [](float x) { return std::trunc(x); }); }
// spec 4.3.3 fnearest: round to nearest, ties to even.
inline float F32Nearest(float a) { return detail::round(a, [](float x) { return __builtin_roundevenf(x); }); }
inline float F32Sqrt(float a) { return std::sqrt(a); }
// Addition and multiplication with two NaN operands give the first one, quieted (spec 4.3.3
// leaves the payload open): what SSE's addss/mulss give with the first operand as the
// destination, as the baseline tier emits them. C++ compilers may swap the operands of + and *
// (commutative for every other value), so the rule is written out: the interpreter's fused
// x * (y * z) returned the inner product's NaN, and the bytes the two tiers stored differed
// (found by the differential fuzzer). A NaN from non-NaN operands (inf - inf, 0 * inf) is the
// hardware's. Subtraction and division cannot be swapped.
namespace detail {
template <class F, class U>
inline F firstNaN(F r, F a, F b) {
  if (r == r) [[likely]] return r;
  constexpr U quiet = U(1) << (std::numeric_limits<F>::digits - 2);
  if (a != a) return bits<F>(bits<U>(a) | quiet);
  if (b != b) return bits<F>(bits<U>(b) | quiet);
  return r;
}
}  // namespace detail
inline float F32Add(float a, float b) { return detail::firstNaN<float, uint32_t>(a + b, a, b); }
inline float F32Sub(float a, float b) { return a - b; }
inline float F32Mul(float a, float b) { return detail::firstNaN<float, uint32_t>(a * b, a, b); }
inline float F32Div(float a, float b) { return a / b; }
inline float F32Min(float a, float b) { return detail::fmin(a, b); }
inline float F32Max(float a, float b) { return detail::fmax(a, b); }

inline double F64Abs(double a) { return detail::bits<double>(detail::bits<uint64_t>(a) & ~(1ull << 63)); }
inline double F64Neg(double a) { return detail::bits<double>(detail::bits<uint64_t>(a) ^ (1ull << 63)); }
inline double F64Copysign(double a, double b) {
  return detail::bits<double>((detail::bits<uint64_t>(a) & ~(1ull << 63)) | (detail::bits<uint64_t>(b) & (1ull << 63)));
}
inline double F64Ceil(double a) { return detail::round(a, [](double x) { return std::ceil(x); }); }
inline double F64Floor(double a) { return detail::round(a, [](double x) { return std::floor(x); }); }
inline double F64Trunc(double a) { return detail::round(a, [](double x) { return std::trunc(x); }); }
inline double F64Nearest(double a) { return detail::round(a, [](double x) { return __builtin_roundeven(x); }); }
inline double F64Sqrt(double a) { return std::sqrt(a); }
inline double F64Add(double a, double b) { return detail::firstNaN<double, uint64_t>(a + b, a, b); }
inline double F64Sub(double a, double b) { return a - b; }
inline double F64Mul(double a, double b) { return detail::firstNaN<double, uint64_t>(a * b, a, b); }
inline double F64Div(double a, double b) { return a / b; }
inline double F64Min(double a, double b) { return detail::fmin(a, b); }
inline double F64Max(double a, double b) { return detail::fmax(a, b); }

// --- conversions ---------------------------------------------------------------------------

inline uint32_t I32WrapI64(uint64_t a) { return uint32_t(a); }
inline uint64_t I64ExtendI32S(uint32_t a) { return uint64_t(int64_t(int32_t(a))); }
inline uint64_t I64ExtendI32U(uint32_t a) { return a; }

// The exclusive bounds (truncChecked) of each trapping truncation, in its source type: also
// what the machine-code tiers compare against before their own conversion.
template <class F>
struct TruncBounds {
  F lo, hi;
};
inline constexpr TruncBounds<float> kI32TruncF32S{-2147483904.0f, 2147483648.0f};
inline constexpr TruncBounds<float> kI32TruncF32U{-1.0f, 4294967296.0f};
inline constexpr TruncBounds<double> kI32TruncF64S{-2147483649.0, 2147483648.0};
inline constexpr TruncBounds<double> kI32TruncF64U{-1.0, 4294967296.0};
inline constexpr TruncBounds<float> kI64TruncF32S{-9223373136366403584.0f, 9223372036854775808.0f};
inline constexpr TruncBounds<float> kI64TruncF32U{-1.0f, 18446744073709551616.0f};
inline constexpr TruncBounds<double> kI64TruncF64S{-9223372036854777856.0, 9223372036854775808.0};
inline constexpr TruncBounds<double> kI64TruncF64U{-1.0, 18446744073709551616.0};

inline TrapOr<uint32_t> I32TruncF32S(float a) {
  auto r = detail::truncChecked<int32_t>(a, kI32TruncF32S.lo, kI32TruncF32S.hi);
  return {uint32_t(r.value), r.trapped, r.kind};
}
inline TrapOr<uint32_t> I32TruncF32U(float a) { return detail::truncChecked<uint32_t>(a, kI32TruncF32U.lo, kI32TruncF32U.hi); }
inline TrapOr<uint32_t> I32TruncF64S(double a) {
  auto r = detail::truncChecked<int32_t>(a, kI32TruncF64S.lo, kI32TruncF64S.hi);
  return {uint32_t(r.value), r.trapped, r.kind};
}
inline TrapOr<uint32_t> I32TruncF64U(double a) { return detail::truncChecked<uint32_t>(a, kI32TruncF64U.lo, kI32TruncF64U.hi); }
inline TrapOr<uint64_t> I64TruncF32S(float a) {
  auto r = detail::truncChecked<int64_t>(a, kI64TruncF32S.lo, kI64TruncF32S.hi);
  return {uint64_t(r.value), r.trapped, r.kind};
}
inline TrapOr<uint64_t> I64TruncF32U(float a) { return detail::truncChecked<uint64_t>(a, kI64TruncF32U.lo, kI64TruncF32U.hi); }
inline TrapOr<uint64_t> I64TruncF64S(double a) {
  auto r = detail::truncChecked<int64_t>(a, kI64TruncF64S.lo, kI64TruncF64S.hi);
  return {uint64_t(r.value), r.trapped, r.kind};
}
inline TrapOr<uint64_t> I64TruncF64U(double a) { return detail::truncChecked<uint64_t>(a, kI64TruncF64U.lo, kI64TruncF64U.hi); }

inline uint32_t I32TruncSatF32S(float a) { return uint32_t(detail::truncSat<int32_t>(a)); }
inline uint32_t I32TruncSatF32U(float a) { return detail::truncSat<uint32_t>(a); }
inline uint32_t I32TruncSatF64S(double a) { return uint32_t(detail::truncSat<int32_t>(a)); }
inline uint32_t I32TruncSatF64U(double a) { return detail::truncSat<uint32_t>(a); }
inline uint64_t I64TruncSatF32S(float a) { return uint64_t(detail::truncSat<int64_t>(a)); }
inline uint64_t I64TruncSatF32U(float a) { return detail::truncSat<uint64_t>(a); }
inline uint64_t I64TruncSatF64S(double a) { return uint64_t(detail::truncSat<int64_t>(a)); }
inline uint64_t I64TruncSatF64U(double a) { return detail::truncSat<uint64_t>(a); }

// Integer to float conversions round to nearest (spec 4.3.3 convert); the compiler's
// conversions are correctly rounded for every width, unsigned 64-bit included.
inline float F32ConvertI32S(uint32_t a) { return float(int32_t(a)); }
inline float F32ConvertI32U(uint32_t a) { return float(a); }
inline float F32ConvertI64S(uint64_t a) { return float(int64_t(a)); }
inline float F32ConvertI64U(uint64_t a) { return float(a); }
inline float F32DemoteF64(double a) { return float(a); }
inline double F64ConvertI32S(uint32_t a) { return double(int32_t(a)); }
inline double F64ConvertI32U(uint32_t a) { return double(a); }
inline double F64ConvertI64S(uint64_t a) { return double(int64_t(a)); }
inline double F64ConvertI64U(uint64_t a) { return double(a); }
inline double F64PromoteF32(float a) { return double(a); }

inline uint32_t I32ReinterpretF32(float a) { return detail::bits<uint32_t>(a); }
inline uint64_t I64ReinterpretF64(double a) { return detail::bits<uint64_t>(a); }
inline float F32ReinterpretI32(uint32_t a) { return detail::bits<float>(a); }
inline double F64ReinterpretI64(uint64_t a) { return detail::bits<double>(a); }

// --- sign extension (spec 4.3.2 iextend_s) -------------------------------------------------

inline uint32_t I32Extend8S(uint32_t a) { return uint32_t(int32_t(int8_t(a))); }
inline uint32_t I32Extend16S(uint32_t a) { return uint32_t(int32_t(int16_t(a))); }
inline uint64_t I64Extend8S(uint64_t a) { return uint64_t(int64_t(int8_t(a))); }
inline uint64_t I64Extend16S(uint64_t a) { return uint64_t(int64_t(int16_t(a))); }
inline uint64_t I64Extend32S(uint64_t a) { return uint64_t(int64_t(int32_t(a))); }

// Unsigned 32-bit division by a constant d >= 2 without a divide instruction (Lemire, Kaser
// and Kurz, "Faster remainder by direct computation", 2019: with m = floor((2^64 - 1) / d) + 1,
// for every 32-bit x, x / d = (m * x) >> 64 and x % d = ((m * x mod 2^64) * d) >> 64, exactly).
// The builder computes m once; the handlers do two multiplications instead of a division.
constexpr uint64_t divConstMagic(uint32_t d) { return ~uint64_t(0) / d + 1; }
inline uint32_t divByConst(uint32_t x, uint64_t m) { return uint32_t((static_cast<unsigned __int128>(m) * x) >> 64); }
inline uint32_t remByConst(uint32_t x, uint64_t m, uint32_t d) {
  uint64_t low = m * x;
  return uint32_t((static_cast<unsigned __int128>(low) * d) >> 64);
}

}  // namespace strata::sem::numeric
