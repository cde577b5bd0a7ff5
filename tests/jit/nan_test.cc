// Config::nan_canonicalization on the baseline tier: every float that arithmetic computes comes
// out as the canonical NaN when it is a NaN (what the interpreter's CanonF32/CanonF64 rows do),
// while abs, neg, copysign and reinterpretations keep a NaN's sign and payload.
#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

constexpr const char* kNans = R"((module
  (func (export "div32") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func (export "add32") (param i32 f32) (result f32) (f32.add (f32.reinterpret_i32 (local.get 0)) (local.get 1)))
  (func (export "min32") (param i32 f32) (result f32) (f32.min (f32.reinterpret_i32 (local.get 0)) (local.get 1)))
  (func (export "sqrt64") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func (export "mul64") (param i64 f64) (result f64) (f64.mul (f64.reinterpret_i64 (local.get 0)) (local.get 1)))
  (func (export "demote") (param i64) (result f32) (f32.demote_f64 (f64.reinterpret_i64 (local.get 0))))
  (func (export "promote") (param i32) (result f64) (f64.promote_f32 (f32.reinterpret_i32 (local.get 0))))
  (func (export "neg32") (param i32) (result f32) (f32.neg (f32.reinterpret_i32 (local.get 0))))
  (func (export "abs64") (param i64) (result f64) (f64.abs (f64.reinterpret_i64 (local.get 0))))))";

uint32_t bits32(const Val& v) { return v.f32Bits(); }
uint64_t bits64(const Val& v) { return v.f64Bits(); }

TEST(JitNan, CanonicalizationMatchesTheInterpreter) {
  REQUIRE_BASELINE();
  Options options;
  options.config.nan_canonicalization = true;
  Both m(kNans, options);
  constexpr uint32_t kCanon32 = 0x7fc00000u, kPayload32 = 0xffa00001u;
  constexpr uint64_t kCanon64 = 0x7ff8000000000000ull, kPayload64 = 0xfff4000000000001ull;
  for (int side = 0; side < 2; ++side) {
    Side& s = m.side(side);
    auto one = [&](std::string_view name, std::vector<Val> args) {
      Outcome o = s.call(name, args);
      EXPECT_FALSE(o.trapped) << name;
      return o.results.empty() ? Val::i32(0) : o.results[0];
    };
    SCOPED_TRACE(side == 0 ? "interp" : machineTier());
    EXPECT_EQ(bits32(one("div32", {Val::f32(0.0f), Val::f32(0.0f)})), kCanon32);
    EXPECT_EQ(bits32(one("add32", {Val::i32(int32_t(kPayload32)), Val::f32(1.0f)})), kCanon32);
    EXPECT_EQ(bits32(one("min32", {Val::i32(int32_t(kPayload32)), Val::f32(1.0f)})), kCanon32);
    EXPECT_EQ(bits64(one("sqrt64", {Val::f64(-1.0)})), kCanon64);
    EXPECT_EQ(bits64(one("mul64", {Val::i64(int64_t(kPayload64)), Val::f64(2.0)})), kCanon64);
    EXPECT_EQ(bits32(one("demote", {Val::i64(int64_t(kPayload64))})), kCanon32);
    EXPECT_EQ(bits64(one("promote", {Val::i32(int32_t(kPayload32))})), kCanon64);
    // Bit moves keep the payload; ordinary results are untouched.
    EXPECT_EQ(bits32(one("neg32", {Val::i32(int32_t(kPayload32))})), kPayload32 ^ 0x80000000u);
    EXPECT_EQ(bits64(one("abs64", {Val::i64(int64_t(kPayload64))})), kPayload64 & ~(uint64_t{1} << 63));
    EXPECT_EQ(bits32(one("div32", {Val::f32(3.0f), Val::f32(2.0f)})), 0x3fc00000u);
  }
}

// Without canonicalization, an addition or multiplication of two NaNs gives the first one,
// quieted, on both tiers (sem/numeric.h detail::firstNaN): the interpreter's fused x * (y * z)
// gave the inner product's NaN, so the bytes the two tiers stored differed (differential
// fuzzer, seed 492611465). Checked through memory, where a NaN's bits are compared.
constexpr const char* kTwoNans = R"((module (memory 1)
  (func (export "mul3") (param i32 i32 i32) (result i32)
    (f32.store (i32.const 8) (f32.mul (f32.reinterpret_i32 (local.get 0))
                                      (f32.mul (f32.reinterpret_i32 (local.get 1)) (f32.reinterpret_i32 (local.get 2)))))
    (i32.load (i32.const 8)))
  (func (export "add3") (param i64 i64 i64) (result i64)
    (f64.store (i32.const 16) (f64.add (f64.reinterpret_i64 (local.get 0))
                                       (f64.mul (f64.reinterpret_i64 (local.get 1)) (f64.reinterpret_i64 (local.get 2)))))
    (i64.load (i32.const 16)))
  (func (export "mulc") (param i32) (result i32)
    (f32.store (i32.const 0) (f32.mul (f32.const -nan:0x4d6b31) (f32.mul (f32.const -0x1p+31) (f32.reinterpret_i32 (local.get 0)))))
    (i32.load (i32.const 0)))))";

TEST(JitNan, TwoNanOperandsGiveTheFirst) {
  REQUIRE_BASELINE();
  Both m(kTwoNans);
  constexpr uint32_t kA = 0xffcd6b31u, kB = 0x7fa00001u, kC = 0xffffffedu;
  // The llvm tier (these tests run on it too) leaves the choice to LLVM, whose fadd and fmul
  // are commutative: it may swap the operands, and its fuzzing has to count any NaN equal to
  // any NaN (issue 11). The interpreter and the baseline tier agree on the rule.
  int sides = std::string_view(machineTier()) == "baseline" ? 2 : 1;
  for (int side = 0; side < sides; ++side) {
    Side& s = m.side(side);
    SCOPED_TRACE(side == 0 ? "interp" : machineTier());
    Outcome o = s.call("mul3", {Val::i32(int32_t(kA)), Val::i32(int32_t(kB)), Val::i32(int32_t(kC))});
    ASSERT_EQ(o.results.size(), 1u);
    EXPECT_EQ(uint32_t(o.results[0].i32()), kA);
    o = s.call("mul3", {Val::i32(0x3f800000), Val::i32(int32_t(kB)), Val::i32(int32_t(kC))});
    ASSERT_EQ(o.results.size(), 1u);
    EXPECT_EQ(uint32_t(o.results[0].i32()), kB | 0x00400000u);  // the signalling NaN quieted
    o = s.call("add3", {Val::i64(int64_t(0xfff4000000000001ull)), Val::i64(int64_t(0x7ff8000000000002ull)), Val::i64(0)});
    ASSERT_EQ(o.results.size(), 1u);
    EXPECT_EQ(uint64_t(o.results[0].i64()), 0xfffc000000000001ull);
    o = s.call("mulc", {Val::i32(int32_t(kC))});
    ASSERT_EQ(o.results.size(), 1u);
    EXPECT_EQ(uint32_t(o.results[0].i32()), kA);
  }
}

// Vector float NaN lanes (docs/jit.md "NaN payloads of vector floats"): the interpreter makes
// them canonical always (src/sem); the machine tiers only under nan_canonicalization, and
// otherwise give what x86 computes: the first NaN operand quieted, or the default NaN
// (0xfff8...: canonical payload, sign set) for 0 / 0. Either way an arithmetic NaN (spec
// 4.3.3). Checked through memory, where a NaN's bits are compared.
constexpr const char* kVectorNans = R"((module (memory 1)
  (func (export "vadd") (param i32 f32) (result i32)
    (v128.store (i32.const 0) (f32x4.add (f32x4.splat (f32.reinterpret_i32 (local.get 0))) (f32x4.splat (local.get 1))))
    (i32.load (i32.const 4)))
  (func (export "vdiv") (param f64 f64) (result i64)
    (v128.store (i32.const 0) (f64x2.div (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1))))
    (i64.load (i32.const 8)))
  (func (export "vsqrt") (param i64) (result i64)
    (v128.store (i32.const 0) (f64x2.sqrt (f64x2.splat (f64.reinterpret_i64 (local.get 0)))))
    (i64.load (i32.const 0)))))";

TEST(JitNan, VectorNanLanesAreCanonicalOnlyWhenAsked) {
  REQUIRE_BASELINE();
  constexpr uint32_t kPayload32 = 0xffa00001u;
  constexpr uint64_t kPayload64 = 0x7ff4000000000001ull;
  bool baseline = std::string_view(machineTier()) == "baseline";
  for (bool canon : {false, true}) {
    Options options;
    options.config.nan_canonicalization = canon;
    Both m(kVectorNans, options);
    for (int side = 0; side < 2; ++side) {
      Side& s = m.side(side);
      SCOPED_TRACE(std::string(side == 0 ? "interp" : machineTier()) + (canon ? ", canonicalizing" : ""));
      auto one = [&](std::string_view name, std::vector<Val> args) {
        Outcome o = s.call(name, args);
        EXPECT_FALSE(o.trapped) << name;
        if (o.results.empty()) return uint64_t(0);
        return name == "vadd" ? uint64_t(uint32_t(o.results[0].i32())) : uint64_t(o.results[0].i64());
      };
      uint64_t add = one("vadd", {Val::i32(int32_t(kPayload32)), Val::f32(1.0f)});
      uint64_t div = one("vdiv", {Val::f64(0.0), Val::f64(0.0)});
      uint64_t sq = one("vsqrt", {Val::i64(int64_t(kPayload64))});
      if (side == 0 || canon) {
        EXPECT_EQ(add, 0x7fc00000u);
        EXPECT_EQ(div, 0x7ff8000000000000ull);
        EXPECT_EQ(sq, 0x7ff8000000000000ull);
      } else {
        // Arithmetic NaNs: exponent all ones, quiet bit set.
        EXPECT_EQ(add & 0x7fc00000u, 0x7fc00000u);
        EXPECT_EQ(div & 0x7ff8000000000000ull, 0x7ff8000000000000ull);
        EXPECT_EQ(sq & 0x7ff8000000000000ull, 0x7ff8000000000000ull);
        if (baseline) {
          EXPECT_EQ(add, kPayload32 | 0x00400000u);  // the operand's NaN, quieted
          EXPECT_EQ(div, 0xfff8000000000000ull);     // x86's default NaN
          EXPECT_EQ(sq, kPayload64 | (uint64_t{1} << 51));
        }
      }
    }
  }
}

}  // namespace
}  // namespace strata::jit_test
