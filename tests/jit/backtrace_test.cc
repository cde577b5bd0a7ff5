// Backtraces of traps in nested calls: the same frames (function index, byte offset, module and
// function names) on the interpreter and the baseline tier, for traps the code detects itself
// (stubs) and traps that arrive as signals (memory faults), through direct, indirect, reference
// and tail calls, across instances and through host functions.
#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

std::vector<std::string> names(const Trap& t) {
  std::vector<std::string> out;
  for (const FrameInfo& f : t.frames()) out.push_back(f.func_name);
  return out;
}

using Names = std::vector<std::string>;

// $h traps in a way chosen by its argument: each way is another trap path in the baseline tier
// (stub, signal, call into the runtime).
constexpr const char* kNested = R"((module $nest
  (type $vi (func (param i32) (result i32)))
  (memory 1)
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $h)
  (elem declare func $g)
  (func $h (param $how i32) (result i32)
    (i32.const 100) (drop)
    (block $b6 (block $b5 (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 (local.get $how)))
      (unreachable))
      (return (i32.div_u (i32.const 1) (i32.sub (local.get $how) (i32.const 1)))))
      (return (i32.load offset=70000 (local.get $how))))
      (return (i32.trunc_f32_s (f32.const nan))))
      (return (call_indirect $t (type $vi) (local.get $how) (i32.const 1))))
      (table.fill $t (i32.const 1) (ref.null func) (local.get $how))
      (return (i32.const -1)))
    (local.get $how))
  (func $g (param i32) (result i32)
    (i32.add (i32.const 1) (call $h (local.get 0))))
  (func $f (export "direct") (param i32) (result i32)
    (nop) (i32.mul (call $g (local.get 0)) (i32.const 2)))
  (func $via_table (export "indirect") (param i32) (result i32)
    (call_indirect $t (type $vi) (local.get 0) (i32.const 0)))
  (func $via_ref (export "ref") (param i32) (result i32)
    (i32.add (call_ref $vi (local.get 0) (ref.func $g)) (i32.const 0)))
  (func $tail_g (param i32) (result i32) (return_call $h (local.get 0)))
  (func $via_tail (export "tail") (param i32) (result i32)
    (i32.add (call $tail_g (local.get 0)) (i32.const 1)))))";

TEST(JitBacktraces, NestedCallsEveryTrapPath) {
  REQUIRE_BASELINE();
  Both m(kNested);
  const TrapKind kinds[] = {TrapKind::Unreachable, TrapKind::IntegerDivideByZero, TrapKind::MemoryOutOfBounds,
                            TrapKind::InvalidConversion, TrapKind::UninitializedElement, TrapKind::TableOutOfBounds};
  for (int32_t how = 0; how < 6; ++how) {
    SCOPED_TRACE("how " + std::to_string(how));
    Trap t = m.trap("direct", {i32(how)}, kinds[how]);
    EXPECT_EQ(names(t), (Names{"h", "g", "f"}));
    ASSERT_EQ(t.frames().size(), 3u);
    for (const FrameInfo& f : t.frames()) {
      EXPECT_EQ(f.module_name, "nest");
      EXPECT_GT(f.offset, 0u);
    }
    EXPECT_EQ(t.frames()[0].func_index, 0u);
    EXPECT_EQ(t.frames()[1].func_index, 1u);
    EXPECT_EQ(t.frames()[2].func_index, 2u);
    // g's frame is at its call to h, f's at its call to g: g's body comes before f's.
    EXPECT_LT(t.frames()[1].offset, t.frames()[2].offset);
    EXPECT_LT(t.frames()[0].offset, t.frames()[1].offset);

    t = m.trap("indirect", {i32(how)}, kinds[how]);
    EXPECT_EQ(names(t), (Names{"h", "via_table"}));
    t = m.trap("ref", {i32(how)}, kinds[how]);
    EXPECT_EQ(names(t), (Names{"h", "g", "via_ref"}));
    // The tail call replaced tail_g's frame by h's.
    t = m.trap("tail", {i32(how)}, kinds[how]);
    EXPECT_EQ(names(t), (Names{"h", "via_tail"}));
  }
  EXPECT_EQ(m.ok("direct", {i32(7)})[0].i32(), 16);
}

// The same trap reached at different call sites of one caller: each frame's offset names the
// call instruction, so the two backtraces differ exactly there.
TEST(JitBacktraces, OffsetsNameTheCallSite) {
  REQUIRE_BASELINE();
  Both m(R"((module $sites
    (func $boom (param i32) (result i32) (if (local.get 0) (then unreachable)) (i32.const 0))
    (func $two (export "two") (param i32) (result i32)
      (i32.add (call $boom (i32.eq (local.get 0) (i32.const 1)))
               (call $boom (i32.eq (local.get 0) (i32.const 2)))))))");
  Trap a = m.trap("two", {i32(1)}, TrapKind::Unreachable);
  Trap b = m.trap("two", {i32(2)}, TrapKind::Unreachable);
  ASSERT_EQ(a.frames().size(), 2u);
  ASSERT_EQ(b.frames().size(), 2u);
  EXPECT_EQ(a.frames()[0].offset, b.frames()[0].offset);
  EXPECT_LT(a.frames()[1].offset, b.frames()[1].offset);
  EXPECT_EQ(m.ok("two", {i32(0)})[0].i32(), 0);
}

// Frames of two instances: $lib's function traps when called from $app's.
TEST(JitBacktraces, AcrossInstances) {
  REQUIRE_BASELINE();
  std::string got[2];
  for (int i = 0; i < 2; ++i) {
    Config config;
    config.tier = kTiers[i];
    Engine engine = *Engine::create(config);
    Store store(engine);
    Linker linker(engine);
    auto lib = linker.instantiate(store, *Module::fromText(engine, R"((module $lib
      (memory 1)
      (func $load (export "load") (param i32) (result i32) (i32.load (local.get 0)))))"));
    ASSERT_TRUE(lib.has_value());
    ASSERT_TRUE(linker.defineInstance("lib", *lib).has_value());
    auto appModule = Module::fromText(engine, R"((module $app
      (import "lib" "load" (func $load (param i32) (result i32)))
      (func $read (export "read") (param i32) (result i32) (call $load (local.get 0)))))");
    ASSERT_TRUE(appModule.has_value());
    EXPECT_EQ(appModule->compiled().tierName(), kTiers[i]);
    auto app = linker.instantiate(store, *appModule);
    ASSERT_TRUE(app.has_value());
    auto r = app->getFunc("read")->call(store, {Val::i32(65536)});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), TrapKind::MemoryOutOfBounds);
    ASSERT_EQ(r.error().frames().size(), 2u);
    EXPECT_EQ(r.error().frames()[0].module_name, "lib");
    EXPECT_EQ(r.error().frames()[0].func_name, "load");
    EXPECT_EQ(r.error().frames()[1].module_name, "app");
    EXPECT_EQ(r.error().frames()[1].func_name, "read");
    got[i] = showTrap(r.error()) + "\n" + r.error().toString();
    EXPECT_EQ(app->getFunc("read")->call(store, {Val::i32(8)}).value()[0].i32(), 0);
  }
  EXPECT_EQ(got[0], got[1]);
}

// wasm $outer -> host -> wasm $inner -> $leaf traps: both activations' frames, innermost
// first, and the host frame itself leaves no entry.
TEST(JitBacktraces, ThroughAHostCallback) {
  REQUIRE_BASELINE();
  Options o;
  o.hosts.push_back({"host", "reenter", FuncType{{ValType::i32()}, {ValType::i32()}},
                     [](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                       auto r = c.getExport("inner")->as<Func>()->call(c.store(), {args[0]});
                       if (!r) return std::unexpected(r.error());
                       results[0] = (*r)[0];
                       return {};
                     }});
  Both m(R"((module $reent
    (import "host" "reenter" (func $reenter (param i32) (result i32)))
    (memory 1)
    (func $leaf (param i32) (result i32) (i32.load (local.get 0)))
    (func $inner (export "inner") (param i32) (result i32) (i32.add (i32.const 1) (call $leaf (local.get 0))))
    (func $middle (param i32) (result i32) (call $reenter (local.get 0)))
    (func $outer (export "outer") (param i32) (result i32) (i32.add (call $middle (local.get 0)) (i32.const 1)))))",
         o);
  EXPECT_EQ(m.ok("outer", {i32(0)})[0].i32(), 2);
  Trap t = m.trap("outer", {i32(-4)}, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(names(t), (Names{"leaf", "inner", "middle", "outer"}));
  EXPECT_EQ(m.ok("outer", {i32(4)})[0].i32(), 2);
}

// A trap in the start function fails instantiation with the trap's text and backtrace.
TEST(JitBacktraces, StartFunction) {
  REQUIRE_BASELINE();
  const char* wat = R"((module $starter
    (func $helper (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
    (func $init (drop (call $helper)))
    (start $init)))";
  std::string got[2];
  for (int i = 0; i < 2; ++i) {
    Config config;
    config.tier = kTiers[i];
    Engine engine = *Engine::create(config);
    Store store(engine);
    auto inst = Linker(engine).instantiate(store, *Module::fromText(engine, wat));
    ASSERT_FALSE(inst.has_value());
    got[i] = inst.error().describe();
    EXPECT_NE(got[i].find("integer divide by zero"), std::string::npos) << got[i];
    EXPECT_NE(got[i].find("starter!helper"), std::string::npos) << got[i];
    EXPECT_NE(got[i].find("starter!init"), std::string::npos) << got[i];
  }
  EXPECT_EQ(got[0], got[1]);
}

// Many functions and a trap deep inside the last one: frames by index, not by position.
TEST(JitBacktraces, DeepChain) {
  REQUIRE_BASELINE();
  std::string wat = "(module $chain (memory 1)\n";
  const int n = 40;
  wat += "(func $c0 (param i32) (result i32) (i32.load (local.get 0)))\n";
  for (int i = 1; i < n; ++i) {
    wat += "(func $c" + std::to_string(i) + (i == n - 1 ? " (export \"top\")" : "") +
           " (param i32) (result i32) (local i64 f64) (i32.add (i32.const " + std::to_string(i) + ") (call $c" +
           std::to_string(i - 1) + " (local.get 0))))\n";
  }
  Both m(wat + ")");
  Trap t = m.trap("top", {i32(70000)}, TrapKind::MemoryOutOfBounds);
  ASSERT_EQ(t.frames().size(), size_t(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(t.frames()[i].func_index, uint32_t(i));
    EXPECT_EQ(t.frames()[i].func_name, "c" + std::to_string(i));
  }
  m.ok("top", {i32(0)});
}

// A tail call to a function with more parameters than the caller has (spec 4.4.8: the callee
// replaces the caller's frame whatever its type). Mutual tail recursion a(i32) <-> b(i32 i32 i32)
// a million deep must not grow the stack (three parameters fit in the kMinArgSlots every call
// gives), and a trap in d, tail-called by c, names d and c's
// caller only. Regression:
// the baseline tier once called and returned when the callee needed more argument slots.
TEST(JitBacktraces, TailCallToMoreParameters) {
  REQUIRE_BASELINE();
  Both m(R"((module $tails
    (func $a (export "a") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
        (else (return_call $b (i32.sub (local.get 0) (i32.const 1)) (i32.const 1) (i32.const 2)))))
    (func $b (param i32 i32 i32) (result i32) (return_call $a (local.get 0)))
    (func $c (param i32) (result i32) (return_call $d (local.get 0) (i32.const 0) (i32.const 0)))
    (func $d (param i32 i32 i32) (result i32) (unreachable))
    (func $top (export "top") (param i32) (result i32)
      (i32.add (call $c (local.get 0)) (i32.const 1)))))");
  EXPECT_EQ(m.ok("a", {i32(1000000)})[0].i32(), 7);
  Trap t = m.trap("top", {i32(1)}, TrapKind::Unreachable);
  EXPECT_EQ(names(t), (Names{"d", "top"}));
}

// Tail calls to callees needing more than kMinArgSlots argument slots (here eight), found by
// the differential fuzzer (seed 508412: an export of one parameter tail-calling a function of
// eight kept its frame on baseline). Whoever calls them, the area is big enough: the host's
// (the array-call entry gives kTailSlots), this module's (its calls give what its tail calls
// need once compileModule has seen them) and, through the runtime check of the area given,
// a chain of tail calls between both sizes a million deep.
TEST(JitBacktraces, TailCallToEightParameters) {
  REQUIRE_BASELINE();
  Both m(R"((module $wide_tails
    (func $one (export "one") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 7))
        (else (return_call $eight (i32.sub (local.get 0) (i32.const 1)) (i32.const 1) (i32.const 2)
                (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7)))))
    (func $eight (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (return_call $one (local.get 0)))
    (func $f (export "f") (param i32) (result i32)
      (return_call $g (local.get 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0)))
    (func $g (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32) (unreachable))
    (func $top (export "top") (param i32) (result i32)
      (i32.add (call $f (local.get 0)) (i32.const 1)))))");
  EXPECT_EQ(m.ok("one", {i32(1000000)})[0].i32(), 7);
  EXPECT_EQ(names(m.trap("f", {i32(1)}, TrapKind::Unreachable)), (Names{"g"}));
  EXPECT_EQ(names(m.trap("top", {i32(1)}, TrapKind::Unreachable)), (Names{"g", "top"}));
}

}  // namespace
}  // namespace strata::jit_test
