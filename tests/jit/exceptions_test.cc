// Exception handling on the machine-code tier (baseline: src/jit/codegen_exn.cc and the
// unwinder in stubs.cc; llvm: src/llvm/translate_exn.cc; docs/exceptions.md "Machine code")
// against the interpreter: payloads of every kind,
// clauses of every kind, handlers in the throwing function and in outer frames, nesting,
// catches to loop labels, the operand stack and locals at a landing pad, exceptions crossing
// host functions and interpreter frames, return_call leaving a try_table, and fuel. Every call
// compares results, traps, backtraces, memory and the fuel left (jit_test_util.h).
#include <string>

#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

constexpr const char* kBasics = R"((module
  (tag $e0)
  (tag $e1 (param i32))
  (tag $all (param i32 i64 f32 f64 v128 externref funcref))
  (tag $other (param i32))
  (memory (export "mem") 1)
  (func $f (export "f") (result i32) (i32.const 42))

  ;; a payload of every kind, thrown and caught in one function
  (func (export "payload") (param $x i32) (param $r externref) (result i32 i64 f32 f64 i32 externref i32)
    (local $v v128) (local $e externref) (local $fn funcref)
    (block $h (result i32 i64 f32 f64 v128 externref funcref)
      (try_table (catch $all $h)
        (local.get $x)
        (i64.extend_i32_s (local.get $x))
        (f32.convert_i32_s (local.get $x))
        (f64.const -0.5)
        (i32x4.splat (i32.mul (local.get $x) (i32.const 3)))
        (local.get $r)
        (ref.func $f)
        (throw $all))
      (unreachable))
    (local.set $fn)
    (local.set $e)
    (local.set $v)
    (i32x4.extract_lane 2 (local.get $v))
    (local.get $e)
    (ref.is_null (local.get $fn)))

  ;; thrown in a callee two frames down, caught here; the operand below survives
  (func $thrower (param i32) (if (local.get 0) (then (throw $e1 (local.get 0)))))
  (func $middle (param i32) (result i32) (call $thrower (local.get 0)) (i32.const -1))
  (func (export "outer") (param $x i32) (result i32)
    (i32.const 1000)
    (block $h (result i32)
      (try_table (result i32) (catch $e1 $h) (call $middle (local.get $x))))
    (i32.add))

  ;; clauses in order, catch_all and the _ref forms, throw_ref of what was caught
  (func (export "clauses") (param $which i32) (result i32) (local $ex exnref)
    (block $a (result i32)
      (block $b (result exnref)
        (block $c
          (block $d (result exnref)
            (try_table (catch $other $a) (catch_ref $e0 $b) (catch_all $c) (catch_all_ref $d)
              (if (i32.eq (local.get $which) (i32.const 0)) (then (throw $other (i32.const 7))))
              (if (i32.eq (local.get $which) (i32.const 1)) (then (throw $e0)))
              (if (i32.eq (local.get $which) (i32.const 2)) (then (throw $e1 (i32.const 1)))))
            (return (i32.const -1)))
          ;; caught by catch_all_ref: never reached (catch_all comes first)
          (drop) (return (i32.const -2)))
        (return (i32.const 30)))
      ;; caught by catch_ref $e0: thrown again, to an outer catch_all
      (local.set $ex)
      (block $again
        (try_table (catch_all $again) (throw_ref (local.get $ex))))
      (return (i32.const 20)))
    (i32.const 100) (i32.add))

  ;; nested: the inner clause does not match, the outer does; then no clause matches at all
  (func (export "nested") (param $x i32) (result i32)
    (block $outer (result i32)
      (try_table (result i32) (catch $e1 $outer)
        (block $inner
          (try_table (catch $e0 $inner)
            (throw $e1 (local.get $x))))
        (i32.const -1))))
  (func (export "uncaught") (param $x i32)
    (block $h (try_table (catch $e0 $h) (throw $e1 (local.get $x)))))

  ;; a catch to a loop label: the loop runs again after each throw; locals set in the body
  ;; before the throw keep their values; the memory records each round
  (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (try_table (catch $e0 $l)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (i32.store (i32.shl (local.get $i) (i32.const 2)) (local.get $i))
        (local.set $acc (i32.add (local.get $acc) (local.get $i)))
        (if (i32.lt_u (local.get $i) (local.get $n)) (then (throw $e0)))))
    (local.get $acc))

  ;; a million throws caught without a reference: each exception is freed at its catch
  (func (export "many") (param $n i32) (result i32) (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $e1 $h) (throw $e1 (local.get $n)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))

  ;; the legacy form: catch with a payload, catch_all, rethrow from a nested try, delegate
  (func (export "legacy") (param $x i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (if (local.get $x) (then (throw $e1 (local.get $x)))) (i32.const 0))
          (catch $e1
            (try (result i32)
              (do (rethrow 1))
              (catch_all (i32.const 1000)))
            (i32.add))))
      (catch_all (i32.const -1))))
  (func (export "delegated") (param $x i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (result i32)
              (do (throw $e1 (local.get $x)))
              (delegate 1)))
          (catch $e1 (i32.const 7) (i32.add))))
      (catch $e1 (i32.const 100) (i32.add))))
  (func (export "rethrown") (param $x i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e1 $h)
        (try (result i32)
          (do (throw $e1 (local.get $x)))
          (catch_all (rethrow 0))))))

  ;; return_call leaves the try_table: the callee's exception goes to the caller's caller
  (func $tail (param i32) (result i32)
    (drop (block $h (result i32) (try_table (catch $e1 $h) (return_call $throws (local.get 0))) (unreachable)))
    (i32.const -1))
  (func $throws (param i32) (result i32) (throw $e1 (local.get 0)))
  (func (export "tail") (param $x i32) (result i32)
    (block $h (result i32) (try_table (result i32) (catch $e1 $h) (call $tail (local.get $x)))))
))";

TEST(JitExceptions, ThrowAndCatchLikeTheInterpreter) {
  REQUIRE_BASELINE();
  for (bool fuel : {false, true}) {
    Both m(kBasics, withFuel(fuel));
    m.ok("payload", {i32(5), Val::externref(ExternRef::fromInt(9))});
    m.ok("payload", {i32(-3), Val::externref(ExternRef::fromInt(0))});
    EXPECT_EQ(m.ok("outer", {i32(5)})[0].i32(), 1005);
    EXPECT_EQ(m.ok("outer", {i32(0)})[0].i32(), 999);
    EXPECT_EQ(m.ok("clauses", {i32(0)})[0].i32(), 107);
    EXPECT_EQ(m.ok("clauses", {i32(1)})[0].i32(), 20);
    EXPECT_EQ(m.ok("clauses", {i32(2)})[0].i32(), 30);
    EXPECT_EQ(m.ok("clauses", {i32(3)})[0].i32(), -1);
    EXPECT_EQ(m.ok("nested", {i32(8)})[0].i32(), 8);
    Trap t = m.trap("uncaught", {i32(4)}, TrapKind::UncaughtException);
    EXPECT_NE(t.message().find("uncaught exception"), std::string::npos) << t.message();
    EXPECT_EQ(m.ok("loop", {i32(50)})[0].i32(), 50 * 51 / 2);
    EXPECT_EQ(m.ok("many", {i32(1'000'000)})[0].i32(), int32_t(1'000'000ll * 1'000'001 / 2));
    EXPECT_EQ(m.ok("tail", {i32(6)})[0].i32(), 6);
    EXPECT_EQ(m.ok("legacy", {i32(5)})[0].i32(), 1005);
    EXPECT_EQ(m.ok("legacy", {i32(0)})[0].i32(), 0);
    EXPECT_EQ(m.ok("delegated", {i32(5)})[0].i32(), 105);
    EXPECT_EQ(m.ok("rethrown", {i32(9)})[0].i32(), 9);
  }
}

// A function whose code outgrows the first reservation (compileModule retries with a larger
// one) and has a handler table: its padding was a loop of int3 that never ended once the
// chunk's buffer was full (every emit failing), which hung the compiler (fuzz_eh seed 9251).
TEST(JitExceptions, HandlerTableOfAFunctionOutgrowingTheReservation) {
  REQUIRE_BASELINE();
  // Bodies of several lengths, so that the code ends at every offset modulo 4 when it overflows.
  // (The first reservation is 4 bytes of code per body byte plus 16 KiB; an array.new of 8
  // body bytes takes about 70.)
  for (int n = 1000; n < 1008; ++n) {
    std::string allocs;
    for (int i = 0; i < n; ++i) allocs += i < 999 ? "(drop (array.new $a (local.get $x) (i32.const 3)))" : "(nop)";
    std::string wat = R"((module (type $a (array (mut i32))) (tag $e (param i32))
      (func (export "f") (param $x i32) (result i32)
        (block $h (result i32)
          (try_table (result i32) (catch $e $h) )" + allocs + R"( (throw $e (local.get $x)))))))";
    Both m(wat.c_str(), withFuel(false));
    EXPECT_EQ(m.ok("f", {i32(n)})[0].i32(), n);
  }
}

// Exceptions across tiers and host functions: a host function that throws a new wasm
// exception, one that lets a nested call's exception through, and an interpreted module (an
// atomic instruction sends it to the interpreter) whose exception a try_table here catches, and
// which catches ours with a legacy catch.
TEST(JitExceptions, CrossHostFunctionsAndTheInterpreter) {
  REQUIRE_BASELINE();
  Config config;
  config.tier = machineTier();
  config.features.set(ir::Feature::Threads, true);
  tiers::registerAll();
  Engine engine = *Engine::create(config);
  Store store(engine);
  Linker linker(engine);
  // The interpreted module: its exceptions are the same tag (imported), its frames the
  // interpreter's.
  auto legacy = Module::fromText(engine, R"((module
    (import "env" "e" (tag $e (param i32)))
    (import "env" "call" (func $call (param i32) (result i32)))
    (memory 1)
    (func $keep (drop (i32.atomic.load (i32.const 0))))
    (func (export "throw_legacy") (param i32) (throw $e (local.get 0)))
    (func (export "catch_legacy") (param i32) (result i32)
      (try (result i32) (do (call $call (local.get 0))) (catch $e (i32.const 500) (i32.add))))))");
  ASSERT_TRUE(legacy.has_value()) << legacy.error().describe();
  EXPECT_EQ(legacy->compiled().tierName(), "interp");
  auto main = Module::fromText(engine, R"((module
    (import "host" "throw" (func $host_throw (param i32)))
    (import "host" "through" (func $host_through (param i32) (result i32)))
    (tag $e (export "e") (param i32))
    (func (export "call") (param i32) (result i32) (throw $e (i32.add (local.get 0) (i32.const 1))))
    (func (export "from_host") (param i32) (result i32)
      (block $h (result i32) (try_table (catch $e $h) (call $host_throw (local.get 0))) (i32.const -1)))
    (func (export "through_host") (param i32) (result i32)
      (block $h (result i32) (try_table (result i32) (catch $e $h) (call $host_through (local.get 0)))))
    ;; return_call leaves the try_table, also to a host function: its exception is not caught here
    (func (export "tail_host") (param i32)
      (drop (block $h (result i32) (try_table (catch $e $h) (return_call $host_throw (local.get 0))) (unreachable))))))");
  ASSERT_TRUE(main.has_value()) << main.error().describe();
  EXPECT_EQ(main->compiled().tierName(), machineTier());
  std::optional<Instance> mi, li;
  FuncType i32_none{{ValType::i32()}, {}}, i32_i32{{ValType::i32()}, {ValType::i32()}};
  ASSERT_TRUE(linker.defineFunc("host", "throw", i32_none,
                                [&](Caller& c, std::span<const Val> args, std::span<Val>) -> TrapResult<void> {
                                  Val payload[] = {Val::i32(args[0].i32() * 10)};
                                  return std::unexpected(Exn::create(c.store(), *mi->getTag("e"), payload)->toTrap());
                                }).has_value());
  ASSERT_TRUE(linker.defineFunc("host", "through", i32_i32,
                                [&](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                                  // Into the interpreted module, which throws; the host lets it through.
                                  auto r = li->getFunc("throw_legacy")->call(c.store(), {args[0]});
                                  if (!r) return std::unexpected(r.error());
                                  results[0] = Val::i32(-1);
                                  return {};
                                }).has_value());
  auto m1 = linker.instantiate(store, *main);
  ASSERT_TRUE(m1.has_value()) << m1.error().describe();
  mi = *m1;
  ASSERT_TRUE(linker.define("env", "e", *mi->getTag("e")).has_value());
  ASSERT_TRUE(linker.define("env", "call", *mi->getFunc("call")).has_value());
  auto l1 = linker.instantiate(store, *legacy);
  ASSERT_TRUE(l1.has_value()) << l1.error().describe();
  li = *l1;
  auto one = [&](Instance& in, const char* name, int32_t x) {
    auto r = in.getFunc(name)->call(store, {Val::i32(x)});
    EXPECT_TRUE(r.has_value()) << name << ": " << (r ? "" : r.error().message());
    return r ? (*r)[0].i32() : INT32_MIN;
  };
  EXPECT_EQ(one(*mi, "from_host", 4), 40);
  EXPECT_EQ(one(*mi, "through_host", 9), 9);
  // interpreter (legacy catch) -> machine code that throws
  EXPECT_EQ(one(*li, "catch_legacy", 2), 503);
  auto tail = mi->getFunc("tail_host")->call(store, {Val::i32(3)});
  ASSERT_FALSE(tail.has_value());
  EXPECT_EQ(tail.error().kind(), TrapKind::UncaughtException) << tail.error().message();
  // Repeated, so that any state a catch leaves behind (stack, records) would show.
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(one(*mi, "through_host", i), i);
}

}  // namespace
}  // namespace strata::jit_test
