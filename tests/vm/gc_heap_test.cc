// The GC heap's cells (src/vm/gc.cc, docs/gc.md "The heap"): which words are objects (the test
// every conservative scan relies on), zeroed memory on reuse, empty blocks going back, and the
// live size across collections. The collector's roots are tested through the tiers
// (tests/interp/gc_test.cc, run on every tier).
#include <gtest/gtest.h>

#include <cstring>
#include <set>
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

// Blocks a sweep empties are kept (docs/gc.md "Returning memory") and handed out again: to their
// own class as the sweep left them (zeroed, already linked: only the last link is written), to
// another class zeroed and threaded again. Either way every cell comes back zeroed, each once.
TEST(GcHeap, EmptiedBlocksComeBackZeroedAndOnce) {
  Heap h;
  GcType small = structType(24), big = structType(200);
  auto fill = [&](GcType& t, int n, uint8_t dirt, std::vector<GcObject*>& out) {
    for (int i = 0; i < n; ++i) {
      GcObject* o = h.heap.allocate(&t, 0);
      ASSERT_NE(o, nullptr);
      for (uint32_t k = 0; k < t.payload_bytes; ++k) ASSERT_EQ(o->payload()[k], 0) << i;
      std::memset(o->payload(), dirt, t.payload_bytes);
      out.push_back(o);
    }
  };
  std::vector<GcObject*> first;
  h.heap.holdCollections(1);
  fill(small, 30000, 0x5a, first);  // several 256 KiB blocks of one class, dirtied
  h.heap.holdCollections(-1);
  // One root per block keeps every block: the sweep links each block's last free cell to the
  // next block's first, a link the next sweep leaves in place when it empties the block.
  auto block = [](GcObject* o) { return reinterpret_cast<uintptr_t>(o) & ~((uintptr_t{256} << 10) - 1); };
  std::set<uintptr_t> emptied;
  for (GcObject* o : first)
    if (emptied.insert(block(o)).second) h.roots.push_back(reinterpret_cast<uintptr_t>(o));
  h.heap.collect();
  EXPECT_EQ(h.heap.objectCount(), emptied.size());
  h.roots.clear();
  h.heap.collect();  // no roots: every block emptied, kept as a spare
  EXPECT_EQ(h.heap.objectCount(), 0u);
  std::vector<GcObject*> again, other;
  h.heap.holdCollections(1);
  fill(small, 30000, 0x6b, again);  // the same class: the spares as they were left
  fill(big, 3000, 0x7c, other);     // another class: fresh or another class's spare
  std::set<GcObject*> seen;
  size_t from_spares = 0;
  for (GcObject* o : again) {
    ASSERT_TRUE(seen.insert(o).second) << "a cell handed out twice";
    from_spares += emptied.count(block(o));
  }
  for (GcObject* o : other) ASSERT_TRUE(seen.insert(o).second) << "a cell handed out twice";
  EXPECT_EQ(from_spares, again.size());  // the same blocks, none mapped fresh
  EXPECT_EQ(h.heap.objectCount(), 33000u);
}

}  // namespace
}  // namespace strata::vm
