// GC objects, their runtime types and the store's heap with its mark-sweep collector
// (docs/gc.md has the design: reference bits, layout, roots, and what the machine-code tiers need).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>
#include <vector>

#include "ir/types.h"
#include "vm/abi.h"

namespace strata::vm {

// The runtime type (RTT) of a canonical struct or array type; built once per engine
// (runtime/gc_types.cc) and never freed while the engine lives.
struct GcType {
  enum class Kind : uint8_t { Struct, Array };
  struct Field {
    uint32_t offset = 0;  // from the start of the payload
    uint8_t bytes = 0;    // storage size: 1, 2, 4, 8 or 16
    bool is_ref = false;  // traced by the collector
    // Its type admits only null, i31 and the heap's own objects (a struct or array type; eq,
    // struct, array, i31, none): traced without asking the heap whether a word is an object.
    // anyref (any.convert_extern may put a host's externref there) and externref are not.
    bool heap_only = false;
  };
  uint32_t type_id = 0;  // canonical id (runtime::TypeRegistry)
  Kind kind = Kind::Struct;
  std::vector<Field> fields;  // struct fields; an array's element is fields[0] (offset 0)
  uint32_t payload_bytes = 0;  // structs
  // Declared supertype chain, root first, ending with type_id (spec 3.3.x: subtyping of
  // defined types is the declared chain): a cast to id t of depth d is display[d] == t.
  std::vector<uint32_t> display;
};

// Whether a field holds a reference: the collector traces it, and a store into it takes the
// write barrier (docs/gc.md "Generations").
inline bool isRefStorage(const ir::StorageType& s) { return s.packed == ir::Packed::None && s.type.isRef(); }

// The layout of a struct (docs/gc.md "Object layout"), shared by the runtime types and the
// code generators, which address fields directly: storage bytes of a field (spec 2.3.8: packed
// types their size, references one word), each field at the next offset aligned to its size
// (at most 8) after the previous one.
inline uint8_t storageBytes(const ir::StorageType& s) {
  if (s.packed == ir::Packed::I8) return 1;
  if (s.packed == ir::Packed::I16) return 2;
  switch (s.type.kind) {
    case ir::ValKind::I32:
    case ir::ValKind::F32: return 4;
    case ir::ValKind::V128: return 16;
    default: return 8;
  }
}
inline uint32_t nextFieldOffset(uint32_t end, uint32_t bytes) {
  uint32_t align = bytes < 8 ? bytes : 8;
  return (end + align - 1) & ~(align - 1);
}
// The payload offset of field `i` of struct type `st`.
inline uint32_t fieldOffset(const ir::StructType& st, size_t i) {
  uint32_t off = 0;
  for (size_t k = 0;; ++k) {
    uint32_t bytes = storageBytes(st.fields[k].storage);
    off = nextFieldOffset(off, bytes);
    if (k == i) return off;
    off += bytes;
  }
}

struct GcObject {
  const GcType* rtt;  // +0
  uint32_t length;    // +8  array elements
  uint32_t mark;      // +12 collector
  uint8_t* payload() { return reinterpret_cast<uint8_t*>(this + 1); }
};
static_assert(sizeof(GcObject) == 16);

// The bits of reference values (docs/gc.md "Reference values").
inline bool isI31(uintptr_t w) { return w & 1; }
inline uintptr_t makeI31(uint32_t x) { return (uintptr_t(x & 0x7fffffffu) << 1) | 1; }
inline uint32_t i31U(uintptr_t w) { return uint32_t(w >> 1) & 0x7fffffffu; }
inline int32_t i31S(uintptr_t w) { return int32_t(uint32_t(w >> 1) << 1) >> 1; }

// A set of addresses (the heap's blocks, its large objects): open addressing with linear
// probing, at most half full. Entries are removed only by retainIf (a sweep), which rebuilds
// the table at twice the survivors (so it shrinks when most of the heap died).
class AddressSet {
 public:
  AddressSet() { slots_.assign(kMinCapacity, 0); }
  bool contains(uintptr_t p) const {
    for (size_t i = slot(p);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i] == p) return true;
      if (slots_[i] == 0) return false;
    }
  }
  void insert(uintptr_t p);
  void assign(const std::vector<uintptr_t>& all) { rebuild(all); }
  size_t size() const { return count_; }
  // Keeps the addresses for which keep(p) is true.
  template <class F>
  void retainIf(F keep) {
    std::vector<uintptr_t> live;
    live.reserve(count_);
    for (uintptr_t p : slots_)
      if (p && keep(p)) live.push_back(p);
    rebuild(live);
  }
  template <class F>
  void forEach(F f) const {
    for (uintptr_t p : slots_)
      if (p) f(p);
  }

 private:
  static constexpr size_t kMinCapacity = 1024;
  size_t slot(uintptr_t p) const { return size_t(((p >> 3) * 0x9e3779b97f4a7c15ull) >> shift_); }
  void rebuild(const std::vector<uintptr_t>& live);
  std::vector<uintptr_t> slots_;  // 0 = empty
  size_t count_ = 0;
  unsigned shift_ = 64 - 10;  // 64 - log2(capacity)
};

// What an allocation of a cell tests and changes (docs/gc.md "The heap"), in one plain struct
// that machine code reaches through VMStoreContext::gc_alloc and allocates from inline: a cell
// of class c is the head of free[c] when since_last + cell <= threshold and live_bytes + cell <=
// limit (else the collector's path decides); taking it sets free[c] to the cell's second word
// and clears that word.
inline constexpr size_t kGcClasses = 36;
struct GcAllocState {
  uint64_t live_bytes = 0;   // +0   bytes of live objects (whole cells)
  uint64_t since_last = 0;   // +8   bytes allocated since the last collection
  uint64_t threshold = 0;    // +16  since_last past this: collect first
  uint64_t limit = 0;        // +24  the store's heap limit
  uint64_t count = 0;        // +32  live objects
  void* free[kGcClasses]{};  // +40  free cells of each size class
  // The remembered set (docs/gc.md "Generations"): old objects that were given a reference
  // since the last collection, appended at `remembered` while it is below `remembered_end`.
  // When full, stores leave their objects unrecorded and the next collection is a full one.
  GcObject** remembered = nullptr;
  GcObject** remembered_end = nullptr;
};
// GcObject::mark: 0 young (allocated since the last collection) or unmarked; kOld marked by a
// collection and kept so (sticky mark bits: a minor collection traces no old object);
// kRemembered an old object in the remembered set.
inline constexpr uint32_t kGcOld = 1;
inline constexpr uint32_t kGcRemembered = 3;
// The write barrier of every store of a reference into a field or element of `obj`: an old
// object not yet remembered is recorded (the machine-code tiers inline the same steps).
inline void gcWriteBarrier(GcAllocState* a, GcObject* obj) {
  if (obj->mark != kGcOld) [[likely]] return;
  if (a->remembered == a->remembered_end) return;
  *a->remembered++ = obj;
  obj->mark = kGcRemembered;
}
// The size classes of cells (docs/gc.md "The heap"): 16-byte steps up to 256 bytes (classes
// 0..15), then four steps per power of two up to 8 KiB (p + k * p / 4 for p = 256 .. 4096,
// k = 1..4: classes 16..35). Inline: the code generators (the llvm plugin too, which links no
// vm library) compute an object's class at compile time, the heap at run time.
inline uint32_t gcClassCell(uint32_t cls) {
  if (cls < 16) return 16 * (cls + 1);
  uint32_t p = 256u << ((cls - 16) / 4);
  return p + ((cls - 16) % 4 + 1) * (p / 4);
}
// The class of an object of `bytes` bytes (header included) and its cell's size; false when it
// is too large for a cell (allocated on its own).
inline bool gcCellClass(uint64_t bytes, uint32_t& cls, uint32_t& cell) {
  if (bytes > 8192) return false;
  if (bytes <= 256) {
    cls = bytes <= 16 ? 0 : uint32_t((bytes + 15) / 16) - 1;
  } else {
    auto e = uint32_t(std::bit_width(bytes - 1));  // 2^(e-1) < bytes <= 2^e, e = 9..13
    uint64_t p = uint64_t(1) << (e - 1), step = p / 4;
    cls = 16 + 4 * (e - 9) + uint32_t((bytes - p + step - 1) / step) - 1;
  }
  cell = gcClassCell(cls);
  return true;
}

// The bytes of an object of struct type `st`, header included (the layout above).
inline uint64_t structBytes(const ir::StructType& st) {
  uint32_t end = 0;
  for (const ir::FieldType& f : st.fields) {
    uint32_t bytes = storageBytes(f.storage);
    end = nextFieldOffset(end, bytes) + bytes;
  }
  return sizeof(GcObject) + end;
}

// One store's heap. Not thread-safe (a store runs on one thread at a time).
class GcHeap {
 public:
  // `trace_roots`: the runtime's roots (globals, tables, segments), reported through markWord.
  GcHeap(VMStoreContext* store, uint64_t limit, std::function<void(GcHeap&)> trace_roots);
  ~GcHeap();
  GcHeap(const GcHeap&) = delete;
  GcHeap& operator=(const GcHeap&) = delete;

  // A zeroed object of `rtt` (arrays: `length` elements); null when the heap limit or the
  // system refuses even after a collection (the caller traps). May collect first.
  GcObject* allocate(const GcType* rtt, uint32_t length);
  // Whether `p` is the address of one of this heap's objects.
  bool contains(const void* p) const;
  // A full collection (every object traced and swept; docs/gc.md "Generations").
  void collect() { collect(true); }
  // A root: marks the object `word` refers to, if it is one of this heap's (any other word,
  // i31 and host references included, is ignored).
  void markWord(uintptr_t word);
  // Host handles: objects pinned at least once survive collections.
  void pin(void* p);
  void unpin(void* p);
  // While positive, allocation never collects (instantiation evaluates constant expressions
  // whose values are not roots yet).
  void holdCollections(int delta) { hold_ += delta; }

  void setLimit(uint64_t limit) { alloc_.limit = limit; }
  uint64_t liveBytes() const { return alloc_.live_bytes; }
  uint64_t collections() const { return collections_; }
  // Collections that scanned machine-code frames word by word (a store with code that has no
  // stack maps, or a walk that met a frame without one) instead of walking their stack maps.
  uint64_t conservativeScans() const { return conservative_scans_; }
  size_t objectCount() const { return size_t(alloc_.count); }

  static uint64_t objectBytes(const GcType* rtt, uint32_t length);

 private:
  void trace(GcObject* obj);
  void traceNativeStack();
  bool traceMachineFrames();  // false: a frame had no stack map (marked so far stays marked)
  void markInterior(uintptr_t word);  // the object holding the address `word`, if any
  void markObject(GcObject* obj);
  void collect(bool full);
  void clearMarks();
  void sweep(bool full);

  // Objects up to 8 KiB live in cells of 256 KiB blocks, one size class per block (docs/gc.md
  // "The heap"); larger ones are allocated one by one and kept in large_.
  struct Block;
  GcObject* cellAt(uintptr_t w, bool start_only) const;  // the allocated cell holding w
  void* allocateCell(uint32_t cls);
  bool newBlock(uint32_t cls);
  void releaseBlock(Block* b);
  void sweepCells(bool full);

  GcAllocState alloc_;  // its free[c]: the free cells of class c, linked through their second word
  VMStoreContext* store_;
  std::function<void(GcHeap&)> trace_roots_;
  std::vector<Block*> blocks_of_[kGcClasses];
  AddressSet blocks_;                      // the blocks' addresses (each 256 KiB-aligned)
  std::vector<uint8_t*> spare_;            // empty blocks kept for reuse (dirty: zeroed when taken)
  std::map<uintptr_t, uintptr_t> large_;   // objects over 8 KiB (calloc): start -> end
  std::unordered_map<void*, uint32_t> pins_;
  std::vector<GcObject*> mark_stack_;
  std::vector<GcObject*> remembered_;  // the remembered set's buffer (alloc_.remembered...)
  bool full_due_ = false;              // the next collection is a full one
  uint64_t live_after_full_ = 0;       // live bytes after the last full collection

  uint64_t collections_ = 0;
  uint64_t conservative_scans_ = 0;
  int hold_ = 0;
};

// The store's heap (VMStoreContext::gc_heap).
inline GcHeap* heapOf(VMStoreContext* store) { return static_cast<GcHeap*>(store->gc_heap); }

// Abstract heap types of casts, as the low byte of ir::AbsHeap; concrete types by canonical id.
struct CastTarget {
  uint32_t bits;  // ir::HeapType::bits with concrete indices replaced by canonical ids
  bool nullable;
  const GcType* rtt;  // concrete struct/array target; null otherwise
};
// Whether reference `w` matches the target (spec 4.4.x ref.test): subtyping on RTT displays,
// function types through the type_is_subtype builtin.
bool refMatches(VMContext* vmctx, uintptr_t w, const CastTarget& t);
// The same for a target as code has it: ir::HeapType bits (a module type index for concrete
// types, resolved through the instance) and nullability.
bool refMatchesHeap(VMContext* vmctx, uintptr_t w, uint32_t heap_bits, bool nullable);

}  // namespace strata::vm
