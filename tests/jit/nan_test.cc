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

}  // namespace
}  // namespace strata::jit_test
