// GC on the interpreter tier (builder_gc.cc, vm/gc_ops.cc, vm/gc.cc; docs/gc.md): the object
// layout seen through the instructions, the heap limit, and the collector: bounded memory for
// short-lived garbage, cycles, host roots, live references in deep recursion, across host calls
// and in caught payloads, and dead ones in frames. jit_tests compiles this file again with
// STRATA_GC_TEST_MACHINE: the same tests on the machine-code tier (baseline, or the one
// STRATA_TEST_TIER names), whose frames the collector walks with their stack maps (docs/gc.md
// "Roots in machine-code frames"); every collection must find them (no conservative scan).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdlib>

#ifdef STRATA_GC_TEST_MACHINE
#include "tiers/tiers.h"
#define STRATA_GC_SUITE(name) Jit##name
#else
#define STRATA_GC_SUITE(name) name
#endif

#include "interp_test_util.h"

namespace strata::interp_test {
namespace {

// Peak resident set of this process in MiB (Linux reports ru_maxrss in KiB).
long peakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// A configuration of the tier under test (see the top of the file); the suites are named
// JitGc and JitGcCollector there.
Config tierConfig() {
  Config c;
#ifdef STRATA_GC_TEST_MACHINE
  tiers::registerAll();
  const char* t = std::getenv("STRATA_TEST_TIER");
  c.tier = t && *t ? t : "baseline";
#endif
  return c;
}

Config withHeapLimit(uint64_t bytes) {
  Config c = tierConfig();
  c.store_limits.max_gc_heap_bytes = bytes;
  return c;
}

// Objects left after a collection while wasm frames are live: exactly `live` on every tier,
// whose frames report only the slots that hold references.
void expectObjects(uint64_t got, uint64_t live) { EXPECT_EQ(got, live); }

TEST(STRATA_GC_SUITE(Gc), PackedFieldsWrapOnStoreAndExtendOnLoad) {
  Instance1 inst(R"((module
    (type $s (struct (field (mut i8)) (field (mut i16)) (field (mut i64)) (field (mut f32))))
    (func (export "s8") (param i32) (result i32)
      (struct.get_s $s 0 (struct.new $s (local.get 0) (i32.const 0) (i64.const 0) (f32.const 0))))
    (func (export "u8") (param i32) (result i32)
      (struct.get_u $s 0 (struct.new $s (local.get 0) (i32.const 0) (i64.const 0) (f32.const 0))))
    (func (export "u16") (param i32) (result i32)
      (local $r (ref $s))
      (local.set $r (struct.new_default $s))
      (struct.set $s 1 (local.get $r) (local.get 0))
      (struct.get_u $s 1 (local.get $r)))
    (func (export "i64") (result i64)
      (struct.get $s 2 (struct.new $s (i32.const 1) (i32.const 2) (i64.const -5) (f32.const 1.5))))))", tierConfig());
  EXPECT_EQ(inst.i32("s8", {Val::i32(0x1ff)}), -1);
  EXPECT_EQ(inst.i32("u8", {Val::i32(0x1ff)}), 0xff);
  EXPECT_EQ(inst.i32("u16", {Val::i32(0x12345)}), 0x2345);
  EXPECT_EQ(inst.i64("i64"), -5);
}

TEST(STRATA_GC_SUITE(Gc), ArrayBoundsAndNullTrapWithTheSpecWording) {
  Instance1 inst(R"((module
    (type $a (array (mut i32)))
    (func (export "get") (param i32) (result i32) (array.get $a (array.new $a (i32.const 7) (i32.const 3)) (local.get 0)))
    (func (export "null") (result i32) (array.len (ref.null $a)))
    (func (export "copy") (result i32)
      (local $x (ref $a))
      (local.set $x (array.new_fixed $a 4 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4)))
      ;; overlapping copy forwards: [1 1 2 3]
      (array.copy $a $a (local.get $x) (i32.const 1) (local.get $x) (i32.const 0) (i32.const 3))
      (i32.add (array.get $a (local.get $x) (i32.const 3)) (i32.mul (i32.const 10) (array.get $a (local.get $x) (i32.const 1)))))))", tierConfig());
  EXPECT_EQ(inst.i32("get", {Val::i32(2)}), 7);
  EXPECT_EQ(inst.trap("get", {Val::i32(3)}).message(), "out of bounds array access");
  EXPECT_EQ(inst.trap("null").message(), "null array reference");
  EXPECT_EQ(inst.i32("copy"), 13);
}

// Short-lived garbage far beyond the limit: a collection must free it, else the limit traps.
constexpr const char* kChurn = R"((module
  (type $a (array (mut i64)))
  (func (export "churn") (param $n i32) (result i64)
    (local $sum i64) (local $x (ref null $a))
    (loop $l
      (local.set $x (array.new $a (i64.extend_i32_u (local.get $n)) (i32.const 1000)))
      (local.set $sum (i64.add (local.get $sum) (array.get $a (local.get $x) (i32.const 999))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))))";

TEST(STRATA_GC_SUITE(GcCollector), ShortLivedGarbageRunsInBoundedMemory) {
  constexpr uint64_t kLimit = 16 << 20;
  Instance1 inst(kChurn, withHeapLimit(kLimit));
  long before = peakRssMiB();
  // 200,000 arrays of 8 KB: 1.6 GB allocated in all, 100 times the limit.
  EXPECT_EQ(inst.i64("churn", {Val::i32(200000)}), int64_t(200000) * 200001 / 2);
  GcStats s = inst.store().gcStats();
  EXPECT_GT(s.collections, 50u);
  EXPECT_LE(s.live_bytes, kLimit);
  long after = peakRssMiB();
  std::printf("peak RSS %ld MiB before, %ld MiB after 1.6 GB of garbage (heap limit 16 MiB)\n", before, after);
  EXPECT_LT(after - before, 200);
}

TEST(STRATA_GC_SUITE(GcCollector), ReachableObjectsBeyondTheLimitTrap) {
  Instance1 inst(R"((module
    (type $a (array (mut i64)))
    (type $list (struct (field (ref null $list)) (field (ref $a))))
    ;; 8 MB kept alive in a list: twice the limit (returns if nothing trapped).
    (func (export "hoard") (result i32)
      (local $l (ref null $list)) (local $n i32)
      (local.set $n (i32.const 1000))
      (loop $k
        (local.set $l (struct.new $list (local.get $l) (array.new_default $a (i32.const 1000))))
        (br_if $k (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
      (i32.const 0))))", withHeapLimit(4 << 20));
  Trap t = inst.trap("hoard");
  EXPECT_NE(t.message().find("out of memory"), std::string::npos) << t.message();
  // The store is still usable: the garbage of the failed call goes at the next collection.
  inst.store().collectGarbage();
  EXPECT_EQ(inst.store().gcStats().live_bytes, 0u);
}

// Generations (docs/gc.md): once a full collection made the containers old, minor collections
// trace no old object, so the young objects stored into them later (struct.set, array.set,
// array.fill, array.copy, each into a container of its own) survive only through the write barrier's remembered set. Without
// the barrier the churn's collections free the leaves and `check` reads zeroed cells.
TEST(STRATA_GC_SUITE(GcCollector), YoungObjectsStoredIntoOldOnesSurviveMinorCollections) {
  Instance1 inst(R"((module
    (type $leaf (struct (field i64)))
    (type $box (struct (field (mut (ref null $leaf)))))
    (type $arr (array (mut (ref null $leaf))))
    (global $b (mut (ref null $box)) (ref.null $box))
    (global $a (mut (ref null $arr)) (ref.null $arr))
    (global $f (mut (ref null $arr)) (ref.null $arr))
    (global $c (mut (ref null $arr)) (ref.null $arr))
    (func (export "setup")
      (global.set $b (struct.new_default $box))
      (global.set $a (array.new_default $arr (i32.const 4)))
      (global.set $f (array.new_default $arr (i32.const 4)))
      (global.set $c (array.new_default $arr (i32.const 4))))
    (func $leaf (param i64) (result (ref $leaf)) (struct.new $leaf (local.get 0)))
    (func (export "store") (param $x i64)
      (struct.set $box 0 (global.get $b) (call $leaf (local.get $x)))
      (array.set $arr (global.get $a) (i32.const 1) (call $leaf (i64.add (local.get $x) (i64.const 1))))
      (array.fill $arr (global.get $f) (i32.const 2) (call $leaf (i64.add (local.get $x) (i64.const 2))) (i32.const 1))
      (array.copy $arr $arr (global.get $c) (i32.const 3)
        (array.new_fixed $arr 1 (call $leaf (i64.add (local.get $x) (i64.const 3)))) (i32.const 0) (i32.const 1)))
    (func (export "churn") (param $n i32)
      (loop $l
        (drop (call $leaf (i64.extend_i32_u (local.get $n))))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
    (func $get (param (ref null $arr) i32) (result i64) (struct.get $leaf 0 (array.get $arr (local.get 0) (local.get 1))))
    (func (export "check") (result i64)
      (i64.add (i64.add (struct.get $leaf 0 (struct.get $box 0 (global.get $b))) (call $get (global.get $a) (i32.const 1)))
               (i64.add (call $get (global.get $f) (i32.const 2)) (call $get (global.get $c) (i32.const 3)))))))", tierConfig());
  ASSERT_TRUE(inst.call("setup").has_value());
  inst.store().collectGarbage();  // the containers are old now
  for (int64_t x : {1000, 2000000}) {
    ASSERT_TRUE(inst.call("store", {Val::i64(x)}).has_value());
    uint64_t before = inst.store().gcStats().collections;
    // 300,000 leaves of 32 bytes: 9.6 MB of garbage, minor collections at each MiB.
    ASSERT_TRUE(inst.call("churn", {Val::i32(300000)}).has_value());
    EXPECT_GE(inst.store().gcStats().collections - before, 4u);
    EXPECT_EQ(inst.i64("check"), 4 * x + 6) << "x = " << x;
  }
  inst.store().collectGarbage();
  EXPECT_EQ(inst.store().gcStats().objects, 8u);  // box, three arrays, four leaves
}

TEST(STRATA_GC_SUITE(GcCollector), CyclesAreCollected) {
  Instance1 inst(R"((module
    (type $node (struct (field (mut (ref null $node)))))
    (func (export "cycles") (param $n i32)
      (local $a (ref $node)) (local $b (ref $node))
      (loop $l
        (local.set $a (struct.new $node (ref.null $node)))
        (local.set $b (struct.new $node (local.get $a)))
        (struct.set $node 0 (local.get $a) (local.get $b))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))))", withHeapLimit(1 << 20));
  // 2 million nodes of 24 bytes: 48 MB, every pair a cycle; a collector that counted
  // references would keep them all and reach the limit.
  ASSERT_TRUE(inst.call("cycles", {Val::i32(1000000)}).has_value());
  inst.store().collectGarbage();
  EXPECT_EQ(inst.store().gcStats().objects, 0u);
}

TEST(STRATA_GC_SUITE(GcCollector), ObjectsRootedByTheHostSurvive) {
  Instance1 inst(R"((module
    (type $box (struct (field i64)))
    (type $a (array (mut i64)))
    (func (export "make") (param i64) (result anyref) (struct.new $box (local.get 0)))
    (func (export "read") (param anyref) (result i64) (struct.get $box 0 (ref.cast (ref $box) (local.get 0))))
    (func (export "garbage") (param $n i32)
      (loop $l
        (drop (array.new_default $a (i32.const 100)))
        (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))))", tierConfig());
  Val kept = inst.one("make", {Val::i64(42)});
  inst.store().root(kept);
  ASSERT_TRUE(inst.call("garbage", {Val::i32(100000)}).has_value());
  inst.store().collectGarbage();
  EXPECT_GT(inst.store().gcStats().collections, 1u);
  EXPECT_EQ(inst.store().gcStats().objects, 1u);
  EXPECT_EQ(inst.i64("read", {kept}), 42);
  inst.store().unroot(kept);
  inst.store().collectGarbage();
  EXPECT_EQ(inst.store().gcStats().objects, 0u);
}

// Each level keeps its own node in a local and its operand stack while the levels below
// allocate enough garbage to collect many times; after the recursion every node must still
// hold its depth, and the list built from them must be whole.
TEST(STRATA_GC_SUITE(GcCollector), DeepRecursionKeepsEveryLiveReference) {
  Instance1 inst(R"((module
    (type $node (struct (field i32) (field (ref null $node))))
    (type $a (array (mut i64)))
    (func $churn (local $i i32)
      (local.set $i (i32.const 20))
      (loop $l
        (drop (array.new_default $a (i32.const 1000)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
    (func $down (param $d i32) (param $prev (ref null $node)) (result i32)
      (local $me (ref $node))
      (local.set $me (struct.new $node (local.get $d) (local.get $prev)))
      (call $churn)
      (if (result i32) (i32.eqz (local.get $d))
        (then (call $sum (local.get $me)))
        (else
          ;; the node is also an operand below the call's result
          (struct.get $node 0 (local.get $me))
          (call $down (i32.sub (local.get $d) (i32.const 1)) (local.get $me))
          (i32.add)
          (call $churn)
          (i32.add (struct.get $node 0 (local.get $me))))))
    (func $sum (param $n (ref null $node)) (result i32)
      (local $s i32)
      (block $done
        (loop $l
          (br_if $done (ref.is_null (local.get $n)))
          (local.set $s (i32.add (local.get $s) (struct.get $node 0 (local.get $n))))
          (local.set $n (struct.get $node 1 (local.get $n)))
          (br $l)))
      (local.get $s))
    (func (export "run") (param i32) (result i32) (call $down (local.get 0) (ref.null $node)))))",
                 withHeapLimit(8 << 20));
  // Depth 2000: every level adds its depth twice on the way up, the bottom the whole list.
  int64_t depth = 2000, tri = depth * (depth + 1) / 2;
  EXPECT_EQ(inst.i32("run", {Val::i32(int32_t(depth))}), int32_t(3 * tri));
  EXPECT_GT(inst.store().gcStats().collections, 10u);
  EXPECT_EQ(inst.store().gcStats().conservative_scans, 0u);  // every frame had its map
}


// Each level allocates an 8 KiB array and drops it at once: its address stays in a frame slot
// that nothing live covers any more (the operand home at height 0 of the else arm; the next
// value at that height is the constant 1, which is never written there). 2,000 levels are
// 16 MiB, twice the limit: a collector that kept every word of the frames would reach it
// (docs/gc.md "Roots": the interpreter's slot maps and the machine tiers' stack maps report
// only the slots that hold a reference).
TEST(STRATA_GC_SUITE(GcCollector), DeadObjectsInFramesAreNotRetained) {
  Instance1 inst(R"((module
    (type $a (array (mut i64)))
    (func $churn (local $i i32)
      (local.set $i (i32.const 40))
      (loop $l
        (drop (array.new_default $a (i32.const 1000)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
    (func $down (param $d i32) (result i32)
      (if (result i32) (i32.eqz (local.get $d))
        (then (call $churn) (i32.const 0))
        (else
          (drop (array.new_default $a (i32.const 1000)))
          (i32.add (i32.const 1) (call $down (i32.sub (local.get $d) (i32.const 1)))))))
    (func (export "run") (param i32) (result i32) (call $down (local.get 0)))))",
                 withHeapLimit(8 << 20));
  auto r = inst.call("run", {Val::i32(2000)});
  ASSERT_TRUE(r.has_value()) << r.error().toString();
  EXPECT_EQ((*r)[0].i32(), 2000);
  EXPECT_GT(inst.store().gcStats().collections, 1u);
}

// References live across a host call: in a local, as an operand below the call's arguments
// and only as an argument (the second, so the array-call conversion moves it from its slot).
// The host calls back into wasm, whose allocations collect while the outer activation waits
// at the call, then collects once more itself: exactly the three objects must remain.
TEST(STRATA_GC_SUITE(GcCollector), ReferencesLiveAcrossHostCallsSurvive) {
  const char* wat = R"((module
    (type $box (struct (field i64)))
    (type $a (array (mut i64)))
    (import "host" "gc" (func $gc (param i32 anyref) (result anyref)))
    (func (export "churn") (local $i i32)
      (local.set $i (i32.const 1000))
      (loop $l
        (drop (array.new_default $a (i32.const 1000)))
        (br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1))))))
    (func (export "run") (param $n i64) (result i64)
      (local $keep (ref null $box)) (local $t i64)
      (local.set $keep (struct.new $box (i64.const 100)))
      (struct.new $box (local.get $n))
      (call $gc (i32.const 0) (struct.new $box (i64.const 1000)))
      (local.set $t (struct.get $box 0 (ref.cast (ref $box))))
      (i64.add (struct.get $box 0) (local.get $t))
      (i64.add (struct.get $box 0 (local.get $keep))))))";
  std::optional<Func> churn;
  uint64_t objects = 0;
  const ValType anyref = ValType::ref(ir::HeapType::abs(ir::AbsHeap::Any), true);
  Instance1 inst(wat, withHeapLimit(4 << 20), [&](Linker& l, Store&) {
    l.defineFunc("host", "gc", FuncType{{ValType::i32(), anyref}, {anyref}},
                 [&](Caller& c, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                   auto r = churn->call(c.store(), {});
                   if (!r) return std::unexpected(r.error());
                   c.store().collectGarbage();
                   objects = c.store().gcStats().objects;
                   results[0] = args[1];
                   return {};
                 });
  });
  churn = inst.instance().getFunc("churn");
  EXPECT_EQ(inst.i64("run", {Val::i64(1)}), 1101);
  expectObjects(objects, 3);
  EXPECT_GT(inst.store().gcStats().collections, 5u);
}

// References in caught payloads (try_table's label values, a legacy catch's payload slots)
// stay alive while the handler calls out: the host collects and counts what is left, the
// payload only (the exception itself is not a heap object, vm/exception.h).
TEST(STRATA_GC_SUITE(GcCollector), CaughtPayloadsSurviveCollections) {
  std::vector<uint64_t> counts;
  Instance1 inst(R"((module
    (type $box (struct (field i64)))
    (import "host" "gc" (func $gc))
    (tag $t (param (ref $box)))
    (func $throw (param i64) (throw $t (struct.new $box (local.get 0))))
    (func (export "table") (param i64) (result i64)
      (block $h (result (ref $box))
        (try_table (catch $t $h) (call $throw (local.get 0)))
        (unreachable))
      (call $gc)
      (struct.get $box 0))
    (func (export "legacy") (param i64) (result i64)
      (try (result i64)
        (do (call $throw (local.get 0)) (i64.const 0))
        (catch $t (call $gc) (struct.get $box 0))))))",
                 tierConfig(), [&](Linker& l, Store&) {
                   l.defineFunc("host", "gc", FuncType{},
                                [&](Caller& c, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
                                  c.store().collectGarbage();
                                  counts.push_back(c.store().gcStats().objects);
                                  return {};
                                });
                 });
  EXPECT_EQ(inst.i64("table", {Val::i64(5)}), 5);
  EXPECT_EQ(inst.i64("legacy", {Val::i64(6)}), 6);
  ASSERT_EQ(counts.size(), 2u);
  expectObjects(counts[0], 1);
  expectObjects(counts[1], 1);
  inst.store().collectGarbage();
  EXPECT_EQ(inst.store().gcStats().objects, 0u);
}

}  // namespace
}  // namespace strata::interp_test
