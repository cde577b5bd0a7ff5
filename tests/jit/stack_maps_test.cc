// Stack maps of the machine-code tiers (docs/gc.md "Roots in machine-code frames"): the
// collector walks machine frames from the store's last exit (vm::VMStoreContext::exit_fp)
// through the rbp chain and the entries' records, marking the slots each call site's map
// names. These tests check that the walk is what ran (GcStats::conservative_scans counts the
// collections that fell back to scanning the native stack word by word) and that it finds
// references where only the map names them: a dead object left in a frame slot is freed, a
// live one in an outer activation, an operand below a call, or an array call's argument is
// kept. Both machine tiers (STRATA_TEST_TIER=llvm for the llvm tier's statepoints).
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "interp_test_util.h"
#include "tiers/tiers.h"

namespace strata::interp_test {
namespace {

std::string tierUnderTest() {
  const char* t = std::getenv("STRATA_TEST_TIER");
  return t && *t ? t : "baseline";
}

Config machineConfig(uint64_t heap_limit) {
  tiers::registerAll();
  Config c;
  c.tier = tierUnderTest();
  c.store_limits.max_gc_heap_bytes = heap_limit;
  return c;
}

// Nested activations: wasm -> host -> wasm -> ... 50 deep, each level holding a struct in a
// local, another as an operand below its call and a third as the host call's argument, and
// dropping an 8 KiB array; at the bottom, allocations collect and the host collects once more.
// Every struct survives (its field is read back), and with stack maps nothing else does.
TEST(JitStackMaps, NestedActivationsKeepTheirReferences) {
  const char* wat = R"((module
    (type $box (struct (field i64)))
    (type $a (array (mut i64)))
    (import "host" "down" (func $down (param i32 anyref) (result anyref)))
    (func (export "churn") (local $i i32)
      (local.set $i (i32.const 1000))
      (loop $l
        (drop (array.new_default $a (i32.const 1000)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
    (func (export "level") (param $d i32) (result i64)
      (local $mine (ref null $box)) (local $r i64)
      (local.set $mine (struct.new $box (i64.extend_i32_u (local.get $d))))
      (drop (array.new_default $a (i32.const 1000)))
      (struct.new $box (i64.const 1000))
      (call $down (local.get $d) (struct.new $box (i64.const 7)))
      (local.set $r (struct.get $box 0 (ref.cast (ref $box))))
      (struct.get $box 0)
      (i64.add (local.get $r))
      (i64.add (struct.get $box 0 (local.get $mine))))))";
  constexpr int32_t kDepth = 50;
  std::optional<Func> level, churn;
  int64_t inner_sum = 0;
  uint64_t objects_at_bottom = 0;
  const ValType anyref = ValType::ref(ir::HeapType::abs(ir::AbsHeap::Any), true);
  Instance1 inst(wat, machineConfig(4 << 20), [&](Linker& l, Store&) {
    l.defineFunc("host", "down", FuncType{{ValType::i32(), anyref}, {anyref}},
                 [&](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                   int32_t d = args[0].i32();
                   if (d > 0) {
                     auto r = level->call(c.store(), {Val::i32(d - 1)});
                     if (!r) return std::unexpected(r.error());
                     inner_sum += (*r)[0].i64();
                   } else {
                     auto r = churn->call(c.store(), {});
                     if (!r) return std::unexpected(r.error());
                     c.store().collectGarbage();
                     objects_at_bottom = c.store().gcStats().objects;
                   }
                   results[0] = args[1];
                   return {};
                 });
  });
  level = inst.instance().getFunc("level");
  churn = inst.instance().getFunc("churn");
  EXPECT_EQ(inst.i64("level", {Val::i32(kDepth)}), 1007 + kDepth);
  EXPECT_EQ(inner_sum, int64_t(kDepth) * 1007 + int64_t(kDepth) * (kDepth - 1) / 2);
  GcStats s = inst.store().gcStats();
  EXPECT_GT(s.collections, 2u);
  // Three boxes per level, the arrays all freed: nothing but the maps' slots was marked.
  EXPECT_EQ(objects_at_bottom, 3u * (kDepth + 1));
  EXPECT_EQ(s.conservative_scans, 0u);
}

// A dead object whose address stays in a frame slot (an operand slot above the live stack, the
// outgoing area) is freed: 2,000 levels each leave one 8 KiB array behind, twice the heap
// limit if anything kept them. With the native stack scanned word by word this is the false
// retention docs/gc.md describes; the maps name only live slots.
TEST(JitStackMaps, DeadSlotsDoNotKeepObjects) {
  const char* wat = R"((module
    (type $a (array (mut i64)))
    (type $pair (struct (field (ref null $a)) (field (ref null $a))))
    (func $churn (local $i i32)
      (local.set $i (i32.const 50))
      (loop $l
        (drop (array.new_default $a (i32.const 1000)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
    (func $down (export "down") (param $d i32) (result i32)
      ;; the array is stored into the frame (an operand slot, spilled across the call below)
      ;; and is dead once the struct that held it is dropped
      (drop (struct.new $pair (array.new_default $a (i32.const 1000)) (ref.null $a)))
      (if (result i32) (i32.eqz (local.get $d))
        (then (call $churn) (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $d) (i32.const 1)))))))))";
  Instance1 inst(wat, machineConfig(8 << 20));
  EXPECT_EQ(inst.i32("down", {Val::i32(2000)}), 2000);
  EXPECT_EQ(inst.store().gcStats().conservative_scans, 0u);
}

// Machine and interpreter frames interleaved in one store: the interpreter runs a module with
// an atomic instruction inside the machine tier's engine (the tiers' hand-over), and the two
// modules call each other 30 levels deep (pong, machine code, calls ping, interpreted, which
// calls pong through a table), each level holding boxes in a local and below its call. At the
// bottom the machine module allocates until it collects, and a host function collects once
// more and counts: exactly the live boxes remain, found by the machine tier's stack maps and
// the interpreter's slot maps together.
TEST(JitStackMaps, MachineAndInterpreterFramesInterleave) {
  tiers::registerAll();
  Config config;
  config.tier = tierUnderTest();
  config.features.set(ir::Feature::Threads, true);
  config.store_limits.max_gc_heap_bytes = 4 << 20;
  Engine engine = *Engine::create(config);
  Store store(engine);
  Linker linker(engine);
  uint64_t objects_at_bottom = 0;
  ASSERT_TRUE(linker
                  .defineFunc("host", "gc", FuncType{},
                              [&](Caller& c, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
                                c.store().collectGarbage();
                                objects_at_bottom = c.store().gcStats().objects;
                                return {};
                              })
                  .has_value());
  const char* interp_wat = R"((module
    (type $sig (func (param i32 anyref) (result i64)))
    (type $box (struct (field i64)))
    (memory 1)
    (table $t (export "t") 1 funcref)
    (func $keep (drop (i32.atomic.load (i32.const 0))))
    (func (export "ping") (param $d i32) (param $r anyref) (result i64)
      (local $mine (ref null $box))
      (local.set $mine (struct.new $box (i64.const 10)))
      (i64.add
        (call_indirect $t (type $sig) (local.get $d) (local.get $r) (i32.const 0))
        (struct.get $box 0 (local.get $mine))))))";
  const char* machine_wat = R"((module
    (type $sig (func (param i32 anyref) (result i64)))
    (type $box (struct (field i64)))
    (type $a (array (mut i64)))
    (import "i" "ping" (func $ping (type $sig)))
    (import "i" "t" (table $t 1 funcref))
    (import "host" "gc" (func $gc))
    (elem (table $t) (i32.const 0) func $pong)
    (func $churn (local $i i32)
      (local.set $i (i32.const 1000))
      (loop $l
        (drop (array.new_default $a (i32.const 1000)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
    (func $pong (type $sig)
      (local $mine (ref null $box)) (local $res i64)
      (local.set $mine (struct.new $box (i64.extend_i32_u (local.get 0))))
      (struct.new $box (i64.const 1000))
      (if (result i64) (i32.eqz (local.get 0))
        (then (call $churn) (call $gc) (i64.const 0))
        (else (call $ping (i32.sub (local.get 0) (i32.const 1)) (local.get $mine))))
      (local.set $res)
      (struct.get $box 0)
      (i64.add (local.get $res))
      (i64.add (struct.get $box 0 (ref.cast (ref $box) (local.get 1))))
      (i64.add (struct.get $box 0 (local.get $mine))))
    (func (export "start") (param i32) (result i64)
      (call $pong (local.get 0) (struct.new $box (i64.const 7))))))";
  auto im = Module::fromText(engine, interp_wat);
  ASSERT_TRUE(im.has_value()) << im.error().describe();
  EXPECT_EQ(im->compiled().tierName(), "interp");
  auto ii = linker.instantiate(store, *im);
  ASSERT_TRUE(ii.has_value()) << ii.error().describe();
  ASSERT_TRUE(linker.defineInstance("i", *ii).has_value());
  auto mm = Module::fromText(engine, machine_wat);
  ASSERT_TRUE(mm.has_value()) << mm.error().describe();
  EXPECT_EQ(mm->compiled().tierName(), tierUnderTest());
  auto mi = linker.instantiate(store, *mm);
  ASSERT_TRUE(mi.has_value()) << mi.error().describe();
  constexpr int32_t kDepth = 30;
  auto r = mi->getFunc("start")->call(store, {Val::i32(kDepth)});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  // pong(d, r) = 1000 + (d ? ping(d - 1, mine_d) : 0) + r.field + d, ping(d, r) = pong(d, r) + 10.
  int64_t want = 1000 + 1;  // d = 0: r is mine_1
  for (int32_t d = 1; d <= kDepth; ++d) want = 1000 + (want + 10) + (d == kDepth ? 7 : d + 1) + d;
  EXPECT_EQ((*r)[0].i64(), want);
  // Per machine level two boxes (mine, the operand), per interpreted level one, and the first r.
  EXPECT_EQ(objects_at_bottom, 2u * (kDepth + 1) + kDepth + 1);
  GcStats s = store.gcStats();
  EXPECT_GT(s.collections, 2u);
  EXPECT_EQ(s.conservative_scans, 0u);
  store.collectGarbage();
  EXPECT_EQ(store.gcStats().objects, 0u);
}

}  // namespace
}  // namespace strata::interp_test
