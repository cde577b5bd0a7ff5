// The GC heap's cells (src/vm/gc.cc, docs/gc.md "The heap"): which words are objects (the test
// every conservative scan relies on), zeroed memory on reuse, empty blocks going back, and the
// live size across collections. The collector's roots are tested through the tiers
// (tests/interp/gc_test.cc, run on every tier).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "vm/gc.h"

namespace strata::vm {
namespace {

// A struct type of `payload` bytes (no references) and an array type of i64.
GcType structType(uint32_t payload) {
  GcType t;
  t.kind = GcType::Kind::Struct;
  t.fields.push_back({0, uint8_t(payload >= 8 ? 8 : payload), false});
  t.payload_bytes = payload;
  return t;
}

GcType arrayType() {
  GcType t;
  t.kind = GcType::Kind::Array;
  t.fields.push_back({0, 8, false});
  return t;
}

struct Heap {
  VMStoreContext store{};
  std::vector<uintptr_t> roots;
  GcHeap heap{&store, uint64_t{1} << 30, [this](GcHeap& h) {
                for (uintptr_t r : roots) h.markWord(r);
              }};
};

TEST(GcHeap, OnlyTheStartOfALiveObjectIsAnObject) {
  Heap h;
  GcType arr = arrayType();
  // Every size class and a large object: 16 .. 8192-byte cells, then calloc.
  for (uint32_t n : {0u, 1u, 5u, 30u, 31u, 100u, 500u, 1000u, 1021u, 1022u, 5000u}) {
    GcObject* o = h.heap.allocate(&arr, n);
    ASSERT_NE(o, nullptr);
    EXPECT_TRUE(h.heap.contains(o)) << n;
    auto* p = reinterpret_cast<uint8_t*>(o);
    EXPECT_FALSE(h.heap.contains(p + 8)) << n;
    EXPECT_FALSE(h.heap.contains(p + 16)) << n;
    EXPECT_FALSE(h.heap.contains(p - 16)) << n;
    for (uint32_t i = 0; i < n; ++i) ASSERT_EQ(reinterpret_cast<uint64_t*>(o->payload())[i], 0u);
    std::memset(o->payload(), 0xab, size_t(n) * 8);  // dirty, for the reuse below
  }
  EXPECT_FALSE(h.heap.contains(nullptr));
  EXPECT_FALSE(h.heap.contains(reinterpret_cast<void*>(0x30cc0)));  // an address in no block
  EXPECT_EQ(h.heap.objectCount(), 11u);
  // Nothing is a root: every cell is freed, and is no object any more.
  GcObject* kept = h.heap.allocate(&arr, 3);
  h.roots.push_back(reinterpret_cast<uintptr_t>(kept));
  std::vector<GcObject*> dead;
  for (int i = 0; i < 1000; ++i) dead.push_back(h.heap.allocate(&arr, 3));
  h.heap.collect();
  EXPECT_EQ(h.heap.objectCount(), 1u);
  EXPECT_TRUE(h.heap.contains(kept));
  for (GcObject* d : dead) ASSERT_FALSE(h.heap.contains(d));
  // Cells come back zeroed (spec 4.2.x default values).
  for (int i = 0; i < 2000; ++i) {
    GcObject* o = h.heap.allocate(&arr, 3);
    ASSERT_EQ(o->length, 3u);
    for (int k = 0; k < 3; ++k) ASSERT_EQ(reinterpret_cast<uint64_t*>(o->payload())[k], 0u);
    std::memset(o->payload(), 0xcd, 24);
  }
}

// The size class the code generators compute at compile time (gcCellClass, for inline
// struct.new) is the smallest that fits and the one the heap allocates from: each object's live
// bytes are that cell.
TEST(GcHeap, CellClassesAgreeWithTheHeap) {
  Heap h;
  h.heap.holdCollections(1);  // no collection in between: live bytes only grow
  GcType arr = arrayType();
  uint32_t last_cls = 0;
  for (uint32_t n = 0; n <= 1022; ++n) {
    uint64_t bytes = sizeof(GcObject) + 8 * uint64_t(n);
    uint32_t cls = 0, cell = 0;
    ASSERT_TRUE(gcCellClass(bytes, cls, cell)) << bytes;
    ASSERT_GE(cell, bytes);
    ASSERT_EQ(gcClassCell(cls), cell);
    if (cls > 0) ASSERT_LT(gcClassCell(cls - 1), bytes) << bytes;  // the smallest class that fits
    ASSERT_GE(cls, last_cls);
    last_cls = cls;
    uint64_t before = h.heap.liveBytes();
    ASSERT_NE(h.heap.allocate(&arr, n), nullptr);
    ASSERT_EQ(h.heap.liveBytes() - before, cell) << bytes;
  }
  EXPECT_EQ(last_cls, kGcClasses - 1);
  uint32_t cls = 0, cell = 0;
  EXPECT_FALSE(gcCellClass(8193, cls, cell));
}

TEST(GcHeap, LiveBytesFollowCollections) {
  Heap h;
  GcType s24 = structType(24);
  EXPECT_EQ(h.heap.liveBytes(), 0u);
  GcObject* a = h.heap.allocate(&s24, 0);
  uint64_t one = h.heap.liveBytes();
  EXPECT_GE(one, sizeof(GcObject) + 24);
  h.roots.push_back(reinterpret_cast<uintptr_t>(a));
  // Ten thousand objects in many blocks; only the root survives, and the live size is its cell.
  for (int i = 0; i < 10000; ++i) ASSERT_NE(h.heap.allocate(&s24, 0), nullptr);
  h.heap.collect();
  EXPECT_EQ(h.heap.liveBytes(), one);
  h.roots.clear();
  h.heap.collect();
  EXPECT_EQ(h.heap.liveBytes(), 0u);
  EXPECT_EQ(h.heap.objectCount(), 0u);
  EXPECT_FALSE(h.heap.contains(a));
}

}  // namespace
}  // namespace strata::vm
