// Exception handling on the interpreter tier (builder_exceptions.cc, exceptions.cc): throw and
// catch within a function and across calls, payloads, exnref, the legacy instructions, the
// handler tables the builder writes, and that traps are never caught.
#include <gtest/gtest.h>

#include "builder_test_util.h"
#include "interp_test_util.h"
#include "runtime/store_impl.h"
#include "vm/exception.h"

namespace strata::interp_test {
namespace {

TEST(ExceptionsBuilder, TryTableRecordsOneRangeWithItsClausesInOrder) {
  Compiled c(R"((module
    (tag $a (param i32)) (tag $b)
    (func (result i32)
      (block $hb
        (block $ha (result i32)
          (try_table (catch $a $ha) (catch_all $hb) (throw $b))
          (unreachable))
        (return))
      (i32.const 7))))");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  const interp::FuncCode& f = c.func(0);
  ASSERT_EQ(f.handlers.size(), 1u);
  const interp::HandlerRange& h = f.handlers[0];
  EXPECT_LT(h.begin, h.end);
  EXPECT_EQ(h.delegate, interp::kNoDelegate);
  ASSERT_EQ(h.count, 2u);
  EXPECT_EQ(f.catches[h.first].tag, 0u);
  EXPECT_NE(f.catches[h.first].sig, nullptr);
  EXPECT_EQ(f.catches[h.first + 1].tag, interp::kCatchAll);
  // Both landing stubs lie before the protected body, which jumps over them.
  EXPECT_LT(f.catches[h.first].target, h.begin);
  EXPECT_LT(f.catches[h.first + 1].target, h.begin);
}

TEST(ExceptionsBuilder, NestedRangesAreListedInnermostFirst) {
  Compiled c(R"((module
    (tag $e)
    (func
      (block $outer
        (try_table (catch $e $outer)
          (block $inner
            (try_table (catch_all $inner) (throw $e))))))))");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  const interp::FuncCode& f = c.func(0);
  ASSERT_EQ(f.handlers.size(), 2u);
  EXPECT_GT(f.handlers[0].depth, f.handlers[1].depth);
  EXPECT_GE(f.handlers[0].begin, f.handlers[1].begin);
  EXPECT_LE(f.handlers[0].end, f.handlers[1].end);
}

constexpr const char* kModule = R"((module
  (tag $e0)
  (tag $e1)
  (tag $pair (param i64 f64))
  (tag $vec (param v128))
  (func $throw_pair (param i64 f64) (throw $pair (local.get 0) (local.get 1)))
  (func $deep (param i32) (param i64)
    (if (i32.eqz (local.get 0)) (then (call $throw_pair (local.get 1) (f64.const 2.5))))
    (call $deep (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
  ;; The payload survives ten frames of unwinding; the sum proves both values arrived.
  (func (export "deep") (param i64) (result f64)
    (local $f f64)
    (block $h (result i64 f64)
      (try_table (catch $pair $h) (call $deep (i32.const 10) (local.get 0)))
      (return (f64.const -1)))
    (local.set $f)
    (f64.add (f64.convert_i64_s) (local.get $f)))
  (func (export "vec") (result i32)
    (block $h (result v128)
      (try_table (catch $vec $h) (throw $vec (v128.const i32x4 1 2 3 4)))
      (return (i32.const -1)))
    (i32x4.extract_lane 3))
  ;; catch_ref keeps the exception: throw_ref throws the same one again, caught by tag.
  (func (export "rethrow_ref") (result i32)
    (block $outer
      (try_table (catch $e1 $outer)
        (block $h (result exnref)
          (try_table (catch_ref $e1 $h) (throw $e1))
          (return (i32.const -1)))
        (throw_ref)))
    (i32.const 5))
  (func (export "null_ref") (throw_ref (ref.null exn)))
  ;; A trap is not an exception (spec 4.4.x): catch_all does not see it.
  (func (export "trap_not_caught") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 1))
  ;; The first matching clause wins; a non-matching tag falls through to the next handler.
  (func (export "select") (param i32) (result i32)
    (block $all
      (block $one
        (block $zero
          (try_table (catch $e0 $zero) (catch $e1 $one) (catch_all $all)
            (if (i32.eqz (local.get 0)) (then (throw $e0)))
            (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $e1)))
            (throw $pair (i64.const 0) (f64.const 0))))
        (return (i32.const 10)))
      (return (i32.const 11)))
    (i32.const 12))
  ;; return_call leaves the try_table (spec: the frame is replaced), so its handler is gone.
  (func $throws (throw $e0))
  (func (export "tail_leaves") (block $h (try_table (catch $e0 $h) (return_call $throws))))
  ;; Legacy: catch with payload, rethrow to an outer catch_all, delegate to an outer try.
  (func (export "legacy") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (throw $pair (i64.extend_i32_s (local.get 0)) (f64.const 0)))
          (catch $pair (drop) (drop) (rethrow 0))))
      (catch_all (i32.const 3))))
  (func (export "delegate") (result i32)
    (try (result i32)
      (do (try (result i32) (do (throw $e0)) (delegate 0)))
      (catch $e0 (i32.const 4))))
  (func (export "legacy_payload") (param i32) (result i32)
    (try (result i32)
      (do (throw $pair (i64.extend_i32_s (local.get 0)) (f64.const 1)))
      (catch $e0 (i32.const -1))
      (catch $pair (drop) (i32.wrap_i64)))))
)";

TEST(Exceptions, PayloadSurvivesUnwindingThroughCalls) {
  Instance1 m(kModule);
  Val v = m.one("deep", {Val::i64(41)});
  EXPECT_EQ(v.f64(), 43.5);
}

TEST(Exceptions, V128Payload) {
  Instance1 m(kModule);
  EXPECT_EQ(m.i32("vec"), 4);
}

TEST(Exceptions, CatchRefThenThrowRefRethrowsTheSameException) {
  Instance1 m(kModule);
  EXPECT_EQ(m.i32("rethrow_ref"), 5);
}

TEST(Exceptions, ThrowRefOfNullTraps) {
  Instance1 m(kModule);
  Trap t = m.trap("null_ref");
  EXPECT_EQ(t.kind(), TrapKind::NullExceptionReference);
  EXPECT_EQ(t.message(), "null exception reference");
}

TEST(Exceptions, TrapsAreNotCaught) {
  Instance1 m(kModule);
  EXPECT_EQ(m.trap("trap_not_caught").kind(), TrapKind::Unreachable);
}

TEST(Exceptions, ClausesMatchByTagInOrder) {
  Instance1 m(kModule);
  EXPECT_EQ(m.i32("select", {Val::i32(0)}), 10);
  EXPECT_EQ(m.i32("select", {Val::i32(1)}), 11);
  EXPECT_EQ(m.i32("select", {Val::i32(2)}), 12);
}

TEST(Exceptions, ReturnCallLeavesTheTryTable) {
  Instance1 m(kModule);
  Trap t = m.trap("tail_leaves");
  EXPECT_EQ(t.kind(), TrapKind::UncaughtException);
}

TEST(Exceptions, LegacyRethrowDelegateAndPayload) {
  Instance1 m(kModule);
  EXPECT_EQ(m.i32("legacy", {Val::i32(9)}), 3);
  EXPECT_EQ(m.i32("delegate"), 4);
  EXPECT_EQ(m.i32("legacy_payload", {Val::i32(-8)}), -8);
}

// The exceptions of the store not freed yet (vm/exception.h).
size_t liveExceptions(Store& store) {
  size_t n = 0;
  for (const vm::VMException* e = store.impl().ctx.exceptions; e; e = e->next) ++n;
  return n;
}

constexpr const char* kChurn = R"((module
  (tag $e (param i32))
  (func (export "plain") (param $n i32)
    (loop $l
      (block $h (result i32) (try_table (catch $e $h) (throw $e (local.get $n))) (unreachable))
      (drop)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; A cleanup that rethrows, then a handler: the usual shape of C++ landing pads.
  (func (export "legacy") (param $n i32)
    (loop $l
      (try
        (do (try (do (throw $e (local.get $n))) (catch_all (rethrow 0))))
        (catch $e (drop)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "ref") (param $n i32)
    (loop $l
      (block $h (result i32 exnref) (try_table (catch_ref $e $h) (throw $e (local.get $n))) (unreachable))
      (drop) (drop)
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))))";

TEST(Exceptions, CaughtExceptionsNobodyCanSeeAreFreed) {
  Instance1 m(kChurn);
  ASSERT_TRUE(m.call("plain", {Val::i32(1000)}).has_value());
  EXPECT_EQ(liveExceptions(m.store()), 0u);
  ASSERT_TRUE(m.call("legacy", {Val::i32(1000)}).has_value());
  EXPECT_EQ(liveExceptions(m.store()), 0u);
  // An exnref may be copied anywhere: those wait for the store (until the collector traces them).
  ASSERT_TRUE(m.call("ref", {Val::i32(10)}).has_value());
  EXPECT_EQ(liveExceptions(m.store()), 10u);
}

}  // namespace
}  // namespace strata::interp_test
