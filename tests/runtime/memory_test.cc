// Linear memories: growth against the maximum and the store limit, guard-page faults as traps.
#include "runtime/memory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "test_util.h"

namespace strata::runtime_test {
namespace {

constexpr uint64_t kPage = 65536;

TEST(Memory, GrowsUpToItsMaximumAndNoFurther) {
  Engine engine = fakeEngine();
  Store store(engine);
  MemoryType type;
  type.limits.min = 1;
  type.limits.max = 3;
  Memory mem = *Memory::create(store, type);
  EXPECT_EQ(mem.size(), 1u);
  EXPECT_EQ(mem.dataSize(), kPage);
  EXPECT_EQ(mem.data()[kPage - 1], 0);
  EXPECT_EQ(mem.grow(store, 1).value(), 1u);
  EXPECT_FALSE(mem.grow(store, 2).has_value());
  EXPECT_EQ(mem.size(), 2u);
  EXPECT_EQ(mem.grow(store, 1).value(), 2u);
  EXPECT_FALSE(mem.grow(store, 1).has_value());
  uint8_t* base = mem.data();
  base[3 * kPage - 1] = 7;  // the last byte is committed and writable
  EXPECT_EQ(mem.type().limits.min, 3u);
  EXPECT_EQ(mem.data(), base);  // the base never moves
}

TEST(Memory, StoreLimitStopsGrowth) {
  Engine engine = fakeEngine();
  StoreLimits limits;
  limits.max_memory_bytes = 2 * kPage;
  Store store(engine, limits);
  Instance inst = instantiate(store, R"((module
      (memory (export "mem") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size))))");
  EXPECT_EQ(callI32(store, inst, "grow", {Val::i32(1)}), 1);
  EXPECT_EQ(callI32(store, inst, "grow", {Val::i32(1)}), -1);
  EXPECT_EQ(callI32(store, inst, "size"), 2);
  // Without a declared maximum, 32-bit memories stop at 2^16 pages (spec 2.3.x).
  Store big(engine);
  Instance unlimited = instantiate(big, "(module (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0))) (memory 0))");
  EXPECT_EQ(callI32(big, unlimited, "grow", {Val::i32(65537)}), -1);
  EXPECT_EQ(callI32(big, unlimited, "grow", {Val::i32(3)}), 0);
}

TEST(Memory, InitialSizeBeyondStoreLimitFailsInstantiation) {
  Engine engine = fakeEngine();
  StoreLimits limits;
  limits.max_memory_bytes = kPage;
  Store store(engine, limits);
  auto inst = Linker(engine).instantiate(store, compile(engine, "(module (memory 2))"));
  ASSERT_FALSE(inst.has_value());
  EXPECT_EQ(inst.error().kind, ErrorKind::Uninstantiable);
}

TEST(Memory, ExplicitModeReservesOnlyTheMaximum) {
  Config config;
  config.bounds_checks = BoundsChecks::Explicit;
  Engine engine = fakeEngine("fake", config);
  Store store(engine);
  MemoryType type;
  type.limits.min = 1;
  type.limits.max = 4;
  Memory mem = *Memory::create(store, type);
  EXPECT_EQ(mem.raw()->reserved, 4 * kPage);
  EXPECT_EQ(mem.grow(store, 3).value(), 1u);
  EXPECT_FALSE(mem.grow(store, 1).has_value());
  // memory64 without a maximum: capped by Config::max_memory_reservation.
  MemoryType m64;
  m64.limits.is64 = true;
  Memory big = *Memory::create(store, m64);
  EXPECT_EQ(big.raw()->reserved, config.max_memory_reservation);
}

// The VmFlags line of the mapping that contains `p` in /proc/self/smaps ("" if not found).
std::string vmFlagsOf(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(smaps, line)) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2 && line.find('-') < 16) inside = lo <= addr && addr < hi;
    else if (inside && line.starts_with("VmFlags:")) return line;
  }
  return "";
}

TEST(Memory, LargeMemoriesMayUseHugePages) {
  Engine engine = fakeEngine("fake", Config{});
  Store store(engine);
  MemoryType type;
  type.limits.min = 512;  // 32 MiB
  Memory mem = *Memory::create(store, type);
  std::string flags = vmFlagsOf(mem.raw()->vm.base);
  ASSERT_NE(flags, "") << "no mapping found in /proc/self/smaps";
  // "hg": MADV_HUGEPAGE, so the kernel's "madvise" THP setting gives this memory huge pages.
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
}

TEST(Memory, GuardPagesTurnOutOfBoundsAccessesIntoTraps) {
  Engine engine = fakeEngine();
  Store store(engine);
  Instance inst = instantiate(store, R"((module $mem
      (memory (export "mem") 1)
      (func $load (export "load") (param i32) (result i32) (i32.load (local.get 0)))
      (func $far (export "far") (param i32) (result i32) (i32.load offset=0xffffffff (local.get 0)))
      (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))))");
  Memory mem = *inst.getMemory("mem");
  mem.data()[kPage - 1] = 0xab;
  // The last four bytes of memory: fine.
  EXPECT_EQ(uint32_t(callI32(store, inst, "load", {Val::i32(kPage - 4)})), 0xab000000u);
  // One byte further: the access straddles the end and faults on the guard region.
  Trap t = callTrap(store, inst, "load", {Val::i32(kPage - 3)});
  EXPECT_EQ(t.kind(), TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(t.message(), "out of bounds memory access");
  ASSERT_EQ(t.frames().size(), 1u);
  EXPECT_EQ(t.frames()[0].func_index, 0u);
  // The largest address plus the largest offset still lands inside the reservation.
  EXPECT_EQ(callTrap(store, inst, "far", {Val::i32(-1)}).kind(), TrapKind::MemoryOutOfBounds);
  // The host, the store and the memory are fine afterwards.
  ASSERT_TRUE(inst.getFunc("store")->call(store, {Val::i32(8), Val::i32(42)}).has_value());
  EXPECT_EQ(callI32(store, inst, "load", {Val::i32(8)}), 42);
  // After growth the former guard page is memory.
  ASSERT_TRUE(mem.grow(store, 1).has_value());
  EXPECT_EQ(callI32(store, inst, "load", {Val::i32(kPage)}), 0);
}

}  // namespace
}  // namespace strata::runtime_test
