// Traps, backtraces and re-entrancy (frames.cc): the kind and message of each trap the
// interpreter detects, the function index and byte offset of every frame, guard-page faults,
// and host functions that call back into wasm.
#include <gtest/gtest.h>

#include "interp_test_util.h"

namespace strata::interp_test {
namespace {

// Offsets of instructions in text modules are positions in the encoded buffer; tests compare
// frames of one module against each other and against the function indices.
TEST(Frames, BacktraceNamesEveryFrame) {
  Instance1 m(R"((module
    (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)
    (func $middle (param i32) (result i32) local.get 0 call $inner)
    (func (export "outer") (result i32) i32.const 5 call $middle)))");
  Trap t = m.trap("outer");
  EXPECT_EQ(t.message(), "integer divide by zero");
  ASSERT_EQ(t.frames().size(), 3u);
  EXPECT_EQ(t.frames()[0].func_index, 0u);
  EXPECT_EQ(t.frames()[1].func_index, 1u);
  EXPECT_EQ(t.frames()[2].func_index, 2u);
  // Function bodies are encoded in order: each frame's offset lies in its own function.
  EXPECT_LT(t.frames()[0].offset, t.frames()[1].offset);
  EXPECT_LT(t.frames()[1].offset, t.frames()[2].offset);
}

TEST(Frames, GuardPageFaultHasTheExactOffset) {
  const char* wat = R"((module (memory 1)
    (func (export "load") (param i32) (result i32) local.get 0 i32.load)
    (func (export "viaCall") (param i32) (result i32) local.get 0 call 0)))";
  for (BoundsChecks b : {BoundsChecks::GuardPages, BoundsChecks::Explicit}) {
    Config config;
    config.bounds_checks = b;
    Instance1 m(wat, config);
    EXPECT_EQ(m.i32("load", {Val::i32(65532)}), 0);
    Trap t = m.trap("viaCall", {Val::i32(65533)});
    EXPECT_EQ(t.message(), "out of bounds memory access");
    ASSERT_EQ(t.frames().size(), 2u);
    EXPECT_EQ(t.frames()[0].func_index, 0u);
    EXPECT_EQ(t.frames()[1].func_index, 1u);
    Trap direct = m.trap("load", {Val::i32(-1)});
    ASSERT_EQ(direct.frames().size(), 1u);
    EXPECT_EQ(direct.frames()[0].offset, t.frames()[0].offset);  // both at the i32.load
    EXPECT_EQ(m.i32("load", {Val::i32(0)}), 0);  // the store still works after a fault
  }
}

TEST(Frames, SwitchOnALoadFaultsAtTheLoad) {
  // With guard pages the load is fused into the br_table (BrTableG); explicit checks keep two
  // instructions. Both must run the same arms and report the fault at the same module offset.
  const char* wat = R"((module (memory 1)
    (data (i32.const 0) "\01\00\00\00\02\00\00\00\07\00\00\00")
    (func (export "sw") (param i32) (result i32)
      (block (block (block (br_table 0 1 2 (i32.load (local.get 0)))) (return (i32.const 10)))
        (return (i32.const 11)))
      i32.const 12)))";
  uint32_t offsets[2] = {0, 0};
  for (BoundsChecks b : {BoundsChecks::GuardPages, BoundsChecks::Explicit}) {
    Config config;
    config.bounds_checks = b;
    Instance1 m(wat, config);
    EXPECT_EQ(m.i32("sw", {Val::i32(100)}), 10);  // 0
    EXPECT_EQ(m.i32("sw", {Val::i32(0)}), 11);    // 1
    EXPECT_EQ(m.i32("sw", {Val::i32(4)}), 12);    // 2
    EXPECT_EQ(m.i32("sw", {Val::i32(8)}), 12);    // 7: the default
    Trap t = m.trap("sw", {Val::i32(65534)});
    EXPECT_EQ(t.message(), "out of bounds memory access");
    ASSERT_EQ(t.frames().size(), 1u);
    offsets[b == BoundsChecks::Explicit] = t.frames()[0].offset;
  }
  EXPECT_EQ(offsets[0], offsets[1]);
}

TEST(Frames, CallIndirectChecks) {
  Instance1 m(R"((module
    (type $v (func)) (type $i (func (result i32)))
    (table 3 funcref) (elem (i32.const 0) $f $g)
    (func $f (result i32) i32.const 7) (func $g)
    (func (export "call") (param i32) (result i32) local.get 0 call_indirect (type $i))))");
  EXPECT_EQ(m.i32("call", {Val::i32(0)}), 7);
  EXPECT_EQ(m.trap("call", {Val::i32(1)}).message(), "indirect call type mismatch");
  EXPECT_EQ(m.trap("call", {Val::i32(2)}).message(), "uninitialized element 2");
  EXPECT_EQ(m.trap("call", {Val::i32(3)}).message(), "undefined element");
}

TEST(Frames, HostCallsReenterWasm) {
  // wasm -> host -> wasm -> host ... ten levels deep: each re-entry runs on the same store
  // stack above the frames of the activations below it.
  const char* wat = R"((module
    (import "host" "down" (func $down (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (local i64)
      local.get 0 i32.eqz if (result i32) i32.const 1000
      else local.get 0 i32.const 1 i32.sub call $down local.get 0 i32.add end)))";
  std::optional<Func> f;
  Instance1 m(wat, {}, [&](Linker& l, Store&) {
    l.defineFunc("host", "down", FuncType{{ValType::i32()}, {ValType::i32()}},
                 [&](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                   auto r = f->call(c.store(), {args[0]});
                   if (!r) return std::unexpected(r.error());
                   results[0] = (*r)[0];
                   return {};
                 });
  });
  f = m.instance().getFunc("f");
  EXPECT_EQ(m.i32("f", {Val::i32(10)}), 1055);
}

TEST(Frames, HostTrapsPropagateThroughWasmFrames) {
  const char* wat = R"((module
    (import "host" "fail" (func $fail))
    (func $inner call $fail)
    (func (export "outer") call $inner)))";
  Instance1 m(wat, {}, [](Linker& l, Store&) {
    l.defineFunc("host", "fail", FuncType{},
                 [](Caller&, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
                   return std::unexpected(Trap::host("boom"));
                 });
  });
  Trap t = m.trap("outer");
  EXPECT_EQ(t.message(), "boom");
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[0].func_index, 1u);
  EXPECT_EQ(t.frames()[1].func_index, 2u);
}

TEST(Frames, StackExhaustionAndRecovery) {
  Instance1 m(R"((module
    (func $deep (export "deep") (param i32) (result i32)
      local.get 0 i32.eqz if (result i32) i32.const 0
      else local.get 0 i32.const 1 i32.sub call $deep i32.const 1 i32.add end)
    (func $r (export "runaway") (param i64 i64 i64 i64) local.get 0 local.get 1 local.get 2 local.get 3 call $r)))");
  EXPECT_EQ(m.i32("deep", {Val::i32(10000)}), 10000);
  Trap t = m.trap("runaway", {Val::i64(0), Val::i64(0), Val::i64(0), Val::i64(0)});
  EXPECT_EQ(t.message(), "call stack exhausted");
  EXPECT_EQ(m.i32("deep", {Val::i32(100)}), 100);  // the stack is usable again
}

}  // namespace
}  // namespace strata::interp_test
