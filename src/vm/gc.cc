// The store's GC heap: allocation under a limit, mark-sweep collection from precise roots in
// the runtime and word roots in tier frames, and the cast test every tier shares (docs/gc.md).
#include "vm/gc.h"

#include <malloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ir/types.h"
#include "vm/builtins.h"
#include "vm/code_image.h"
#include "vm/exception.h"

namespace strata::vm {

namespace {

// Collections start once this many bytes were allocated since the last one, or as many as
// survived it, whichever is more (docs/gc.md "The heap": at most twice the live size).
constexpr uint64_t kMinThreshold = uint64_t{1} << 20;

uintptr_t load(const uint8_t* p) {
  uintptr_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Cells (docs/gc.md "The heap"): blocks of kBlockBytes at an address that is a multiple of it,
// so the block of any address is one mask away; the block's header takes its first kFirstCell
// bytes. An allocated cell starts with its object's header, whose rtt is never null; a free
// cell has a null rtt and, in its second word, the next free cell of its class (the rest is
// what its last object left, or zero: allocation writes the whole cell). So a word is an
// object exactly when its block is one of the heap's, it starts a cell and the cell's rtt is
// set: a conservative scan never takes a free cell for an object.
constexpr size_t kBlockBytes = size_t{256} << 10;
constexpr uint32_t kFirstCell = 64;
// Empty blocks kept across collections: at least 8 (2 MiB), and as many as the next cycle
// will fill before it collects (the threshold's worth), so that a program that allocates
// short-lived objects steadily reuses its blocks instead of unmapping and mapping them at every
// collection (page faults and the kernel's zeroing were a sixth of binary_trees' time). The
// threshold follows the live bytes, so the spares stay within the live size.
constexpr size_t kSpareBlocks = 8;
// The remembered set's first capacity and the most it grows to (entries); a set that fills
// makes the next collection a full one, which grows it.
constexpr size_t kRememberedFirst = 1024;
constexpr size_t kRememberedMax = size_t{1} << 20;

void*& nextFree(void* cell) { return *reinterpret_cast<void**>(static_cast<uint8_t*>(cell) + 8); }

}  // namespace

struct GcHeap::Block {
  uint32_t cell;   // bytes per cell
  uint32_t cells;  // cells in the block
  uint32_t cls;
  // Every cell was old after the last sweep: no free cell, so nothing was allocated in it
  // since, and a minor collection has nothing to sweep there (docs/gc.md "Generations").
  uint32_t full;
  // ceil(2^32 / cell): offset * magic >> 32 is offset / cell for every offset in a block (an
  // offset below 2^18 and a cell of at most 2^13 bytes keep the error under 2^-14, below the
  // 1 / cell that separates a fraction from the next integer).
  uint64_t magic;
  uint8_t* first() { return reinterpret_cast<uint8_t*>(this) + kFirstCell; }
};


void AddressSet::insert(uintptr_t p) {
  if (2 * (count_ + 1) > slots_.size()) {
    std::vector<uintptr_t> live;
    live.reserve(count_ + 1);
    forEach([&](uintptr_t q) { live.push_back(q); });
    live.push_back(p);
    rebuild(live);
    return;
  }
  size_t i = slot(p);
  while (slots_[i]) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = p;
  ++count_;
}

void AddressSet::rebuild(const std::vector<uintptr_t>& live) {
  size_t cap = kMinCapacity;
  unsigned bits = 10;
  while (cap < 2 * live.size() + 2) {
    cap *= 2;
    ++bits;
  }
  slots_.assign(cap, 0);
  shift_ = 64 - bits;
  count_ = 0;
  for (uintptr_t p : live) {
    size_t i = slot(p);
    while (slots_[i]) i = (i + 1) & (cap - 1);
    slots_[i] = p;
    ++count_;
  }
}

namespace {

// STRATA_GC_STRESS=N: a collection at every N-th allocation (1: at every one); the threshold
// is 0, so the machine tiers' inline fast paths take the thunk too. A reference some frame's
// map misses is then freed, and zeroed, at one of the next allocations: the GC scripts and
// fuzz_eh.py's modules run so in CTest (docs/gc.md "Testing the roots").
const uint64_t g_stress = [] {
  const char* e = std::getenv("STRATA_GC_STRESS");
  return e ? std::strtoull(e, nullptr, 10) : 0;
}();
thread_local uint64_t t_stress_count = 0;

uint64_t thresholdAfter(uint64_t live) {
  if (g_stress) return 0;
  return live > kMinThreshold ? live : kMinThreshold;
}

}  // namespace

GcHeap::GcHeap(VMStoreContext* store, uint64_t limit, std::function<void(GcHeap&)> trace_roots)
    : store_(store), trace_roots_(std::move(trace_roots)) {
  alloc_.limit = limit;
  alloc_.threshold = thresholdAfter(0);
  remembered_.resize(kRememberedFirst);
  alloc_.remembered = remembered_.data();
  alloc_.remembered_end = remembered_.data() + remembered_.size();
  store_->gc_alloc = &alloc_;
}


GcHeap::~GcHeap() {
  if (store_->gc_alloc == &alloc_) store_->gc_alloc = nullptr;
  for (auto [p, end] : large_) std::free(reinterpret_cast<void*>(p));
  for (const std::vector<Block*>& blocks : blocks_of_)
    for (Block* b : blocks) munmap(b, kBlockBytes);
  for (uint8_t* b : spare_) munmap(b, kBlockBytes);
}

// The allocated cell that holds address w (start_only: that starts at w), or null: w's block
// must be one of the heap's (one mask, one lookup), the cell index comes from a multiply by the
// cell size's reciprocal, and a free cell's rtt is null.
GcObject* GcHeap::cellAt(uintptr_t w, bool start_only) const {
  uintptr_t base = w & ~uintptr_t(kBlockBytes - 1);
  if (base == 0 || !blocks_.contains(base)) return nullptr;  // (0 marks an empty slot of an AddressSet)
  auto* b = reinterpret_cast<Block*>(base);
  uintptr_t first = base + kFirstCell;
  if (w < first) return nullptr;
  uint64_t off = w - first, i = (off * b->magic) >> 32;
  if (i >= b->cells || (start_only && i * b->cell != off)) return nullptr;
  auto* obj = reinterpret_cast<GcObject*>(first + i * b->cell);
  return obj->rtt ? obj : nullptr;
}

bool GcHeap::contains(const void* p) const {
  auto w = reinterpret_cast<uintptr_t>(p);
  return cellAt(w, true) || large_.count(w);
}

// A block for class `cls`: a spare one (zeroed now) or fresh memory (zero from the system),
// its cells pushed on the class's free list in address order.
bool GcHeap::newBlock(uint32_t cls) {
  static_assert(sizeof(Block) <= kFirstCell && kFirstCell % 16 == 0);
  void*& free = alloc_.free[cls];
  // A spare of this class is ready as the sweep left it: every cell's rtt null, and
  // linked to the next in address order (sweepCells), so only the last link is to write. A
  // short-lived allocator (binary_trees) empties blocks of one class every cycle; zeroing and
  // threading 256 KiB again was a seventh of its time.
  for (size_t k = spare_.size(); k-- > 0;) {
    auto* b = reinterpret_cast<Block*>(spare_[k]);
    if (b->cls != cls) continue;
    spare_[k] = spare_.back();
    spare_.pop_back();
    b->full = 0;
    nextFree(b->first() + size_t(b->cells - 1) * b->cell) = free;
    free = b->first();
    blocks_of_[cls].push_back(b);
    blocks_.insert(reinterpret_cast<uintptr_t>(b));
    return true;
  }
  uint8_t* mem = nullptr;
  if (!spare_.empty()) {
    mem = spare_.back();
    spare_.pop_back();
    std::memset(mem, 0, kBlockBytes);  // another class's cells: links elsewhere
  } else {
    // Twice the size, then the unaligned head and tail go back.
    void* raw = mmap(nullptr, 2 * kBlockBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return false;
    auto at = reinterpret_cast<uintptr_t>(raw);
    uintptr_t aligned = (at + kBlockBytes - 1) & ~uintptr_t(kBlockBytes - 1);
    if (aligned > at) munmap(raw, aligned - at);
    if (aligned + kBlockBytes < at + 2 * kBlockBytes) munmap(reinterpret_cast<void*>(aligned + kBlockBytes), at + 2 * kBlockBytes - aligned - kBlockBytes);
    mem = reinterpret_cast<uint8_t*>(aligned);
  }
  auto* b = reinterpret_cast<Block*>(mem);
  b->cell = gcClassCell(cls);
  b->cells = uint32_t((kBlockBytes - kFirstCell) / b->cell);
  b->cls = cls;
  b->full = 0;
  b->magic = ((uint64_t{1} << 32) + b->cell - 1) / b->cell;
  for (uint32_t i = b->cells; i-- > 0;) {
    uint8_t* cell = b->first() + size_t(i) * b->cell;
    nextFree(cell) = free;
    free = cell;
  }
  blocks_of_[cls].push_back(b);
  blocks_.insert(reinterpret_cast<uintptr_t>(mem));
  return true;
}

// Only the sweep releases blocks, with every cell freed and linked in address order (what
// newBlock reuses for the same class). Up to two thresholds' worth are kept: blocks the sweep
// empties were resident before it, so keeping them raises no peak, and the next cycle
// allocates a threshold's worth again. With one threshold's worth binary_trees unmapped 142
// blocks and mapped them again (page faults on 256 KiB each time: a quarter of its time).
void GcHeap::releaseBlock(Block* b) {
  if (spare_.size() < std::max<size_t>(kSpareBlocks, 2 * alloc_.threshold / kBlockBytes))
    spare_.push_back(reinterpret_cast<uint8_t*>(b));
  else munmap(b, kBlockBytes);
}

void* GcHeap::allocateCell(uint32_t cls) {
  void*& free = alloc_.free[cls];
  if (!free && !newBlock(cls)) return nullptr;
  void* p = free;
  free = nextFree(p);
  nextFree(p) = nullptr;
  // The next allocation's cell, most likely cold: its miss overlaps this object's use.
  __builtin_prefetch(free, 1);
  return p;
}

// Every cell's object: a marked one stays marked (old), an unmarked one is freed (its rtt
// cleared: allocation writes the whole cell again); a block left empty goes (to the spares or
// the system), the others' free cells make the classes' free lists again, in address order. A minor collection skips the blocks that were
// full of old objects (Block::full): nothing in them can have changed.
void GcHeap::sweepCells(bool full) {
  std::vector<uintptr_t> kept;
  for (size_t k = 0; k < kGcClasses; ++k) {
    std::vector<Block*>& blocks = blocks_of_[k];
    alloc_.free[k] = nullptr;
    void** tail = &alloc_.free[k];
    size_t out = 0;
    for (Block* b : blocks) {
      if (!full && b->full) {
        blocks[out++] = b;
        kept.push_back(reinterpret_cast<uintptr_t>(b));
        continue;
      }
      uint32_t live = 0;
      void* head = nullptr;
      void** btail = &head;
      uint8_t* cell = b->first();
      for (uint32_t i = 0; i < b->cells; ++i, cell += b->cell) {
        auto* obj = reinterpret_cast<GcObject*>(cell);
        if (obj->rtt && obj->mark) {
          ++live;
          continue;
        }
        if (obj->rtt) {
          // The rest of the cell is written when it is allocated again (allocate() zeroes it,
          // the inline struct.new of the machine tiers writes every field); under
          // STRATA_GC_STRESS all of it is zeroed now, so that a use after free reads zeros.
          if (g_stress) std::memset(cell, 0, b->cell);
          obj->rtt = nullptr;
          alloc_.live_bytes -= b->cell;
          --alloc_.count;
        }
        *btail = cell;
        btail = &nextFree(cell);
      }
      if (live == 0) {
        releaseBlock(b);
        continue;
      }
      b->full = live == b->cells;
      if (b->full) {  // no free cell: leave the class's list as it is
        blocks[out++] = b;
        kept.push_back(reinterpret_cast<uintptr_t>(b));
        continue;
      }
      *btail = nullptr;
      *tail = head;
      tail = btail;
      blocks[out++] = b;
      kept.push_back(reinterpret_cast<uintptr_t>(b));
    }
    blocks.resize(out);
  }
  blocks_.assign(kept);
}

uint64_t GcHeap::objectBytes(const GcType* rtt, uint32_t length) {
  if (rtt->kind == GcType::Kind::Struct) return sizeof(GcObject) + rtt->payload_bytes;
  return sizeof(GcObject) + uint64_t(length) * rtt->fields[0].bytes;  // < 2^37: no overflow
}

GcObject* GcHeap::allocate(const GcType* rtt, uint32_t length) {
  uint64_t bytes = objectBytes(rtt, length);
  // What the object takes: its cell, or its own allocation rounded to 8 (payloads of 8-byte
  // fields stay aligned).
  uint32_t cls = 0, cell = 0;
  bool small = gcCellClass(bytes, cls, cell);
  uint64_t taken = small ? cell : (bytes + 7) & ~uint64_t{7};
  GcAllocState& a = alloc_;
  bool due = g_stress ? ++t_stress_count % g_stress == 0 : a.since_last + taken > a.threshold;
  if (hold_ == 0 && (due || a.live_bytes + taken > a.limit)) {
    // Under STRATA_GC_STRESS every other collection is a full one: a minor one frees no old
    // object, so a root the maps miss shows only in a full one.
    bool full = g_stress ? collections_ % 2 == 0 : full_due_ || a.remembered == a.remembered_end;
    collect(full);
    // Only a full collection frees old garbage: before the limit refuses, try one.
    if (!full && a.live_bytes + taken > a.limit) collect(true);
  }
  if (a.live_bytes + taken > a.limit) return nullptr;
  // Zeroed memory either way: default values are all-zero bits (spec 4.2.x default values of
  // every storage type).
  void* p = small ? allocateCell(cls) : std::calloc(1, taken);
  if (!p) return nullptr;
  if (small) std::memset(p, 0, cell);  // a freed cell keeps its old payload (sweepCells)
  if (!small) large_[reinterpret_cast<uintptr_t>(p)] = reinterpret_cast<uintptr_t>(p) + taken;
  auto* obj = static_cast<GcObject*>(p);
  obj->rtt = rtt;
  obj->length = length;
  ++a.count;
  a.live_bytes += taken;
  a.since_last += taken;
  return obj;
}

void GcHeap::pin(void* p) {
  if (contains(p)) ++pins_[p];
}

void GcHeap::unpin(void* p) {
  auto it = pins_.find(p);
  if (it != pins_.end() && --it->second == 0) pins_.erase(it);
}

void GcHeap::markWord(uintptr_t word) {
  // Objects are 8-aligned (cells 16, calloc 8); i31 (bit 0) and host integers (bit 1) are not.
  if (word == 0 || (word & 7) != 0) return;
  void* p = reinterpret_cast<void*>(word);
  if (contains(p)) markObject(static_cast<GcObject*>(p));
}

void GcHeap::markObject(GcObject* obj) {
  if (obj->mark) return;
  obj->mark = kGcOld;
  mark_stack_.push_back(obj);
}

// Optimized machine code (the llvm tier) may keep only an address inside an object across a
// call (a field's, an element's): such a word keeps the object that holds it alive.
void GcHeap::markInterior(uintptr_t w) {
  if (GcObject* obj = cellAt(w, false)) {
    markObject(obj);
    return;
  }
  auto it = large_.upper_bound(w);
  if (it != large_.begin() && w < (--it)->second) markObject(reinterpret_cast<GcObject*>(it->first));
}

void GcHeap::trace(GcObject* obj) {
  const GcType* t = obj->rtt;
  uint8_t* payload = obj->payload();
  // A field whose type admits only the heap's objects (GcType::Field::heap_only) is marked
  // without the lookup that tells objects from other words (the precise roots and the type
  // system guarantee it: the lookup was a fifth of binary_trees' time).
  auto mark = [this](const GcType::Field& f, uintptr_t w) {
    if (!f.heap_only) markWord(w);
    else if (w != 0 && (w & 7) == 0) markObject(reinterpret_cast<GcObject*>(w));
  };
  if (t->kind == GcType::Kind::Struct) {
    for (const GcType::Field& f : t->fields) {
      if (f.is_ref) mark(f, load(payload + f.offset));
    }
  } else if (t->fields[0].is_ref) {
    for (uint32_t i = 0; i < obj->length; ++i) mark(t->fields[0], load(payload + 8 * uint64_t(i)));
  }
}

// Every object's mark cleared before a full collection marks anew (free cells are left alone:
// their link is where the mark would be).
void GcHeap::clearMarks() {
  for (const std::vector<Block*>& blocks : blocks_of_) {
    for (Block* b : blocks) {
      b->full = 0;
      uint8_t* cell = b->first();
      for (uint32_t i = 0; i < b->cells; ++i, cell += b->cell) {
        auto* obj = reinterpret_cast<GcObject*>(cell);
        if (obj->rtt) obj->mark = 0;
      }
    }
  }
  for (auto [p, end] : large_) reinterpret_cast<GcObject*>(p)->mark = 0;
}

// docs/gc.md "Generations": a minor collection (full = false) marks from the roots and the
// remembered objects and stops at old objects, which stay marked; a full one clears every mark
// first and so traces everything.
void GcHeap::collect(bool full) {
  ++collections_;
  GcAllocState& a = alloc_;
  if (full) {
    clearMarks();
    // A set that filled up missed objects; this collection needs none of them. Grow it.
    if (a.remembered == a.remembered_end && remembered_.size() < kRememberedMax) remembered_.resize(2 * remembered_.size());
  } else {
    for (GcObject** p = remembered_.data(); p != a.remembered; ++p) {
      (*p)->mark = kGcOld;
      trace(*p);
    }
  }
  a.remembered = remembered_.data();
  a.remembered_end = remembered_.data() + remembered_.size();
  // Roots (docs/gc.md "Roots"): tier frames, the runtime's globals, tables and segments,
  // exception payloads, host pins.
  for (int i = 0; i < 2; ++i) {
    if (store_->tier_trace[i]) store_->tier_trace[i](store_->tier_state[i], this);
  }
  if (!traceMachineFrames()) {
    ++conservative_scans_;
    traceNativeStack();
  }
  if (trace_roots_) trace_roots_(*this);
  for (VMException* e = store_->exceptions; e; e = e->next) {
    for (uint32_t i = 0; i < e->nvals; ++i) markWord(reinterpret_cast<uintptr_t>(e->vals[i].ref));
  }
  for (const auto& [p, n] : pins_) markWord(reinterpret_cast<uintptr_t>(p));
  while (!mark_stack_.empty()) {
    GcObject* obj = mark_stack_.back();
    mark_stack_.pop_back();
    trace(obj);
  }
  sweep(full);
}

void GcHeap::sweep(bool full) {
  GcAllocState& a = alloc_;
  uint64_t before = a.live_bytes;
  sweepCells(full);
  for (auto it = large_.begin(); it != large_.end();) {
    auto* obj = reinterpret_cast<GcObject*>(it->first);
    if (obj->mark) {
      ++it;
      continue;
    }
    a.live_bytes -= it->second - it->first;
    --a.count;
    std::free(obj);
    it = large_.erase(it);
  }
  a.since_last = 0;
  a.threshold = thresholdAfter(a.live_bytes);
  // Survivors are old now; old garbage waits for a full collection, due once the old bytes
  // doubled since the last one (as the threshold lets the heap grow twice past what is live).
  if (full) live_after_full_ = a.live_bytes;
  full_due_ = a.live_bytes > std::max(kMinThreshold, 2 * live_after_full_);
  // Large objects went back to malloc; when most of the heap died, give its free pages back to
  // the OS too (empty blocks beyond the spares were unmapped already).
  if (before - a.live_bytes > a.live_bytes && before - a.live_bytes >= kMinThreshold) malloc_trim(0);
}

// Machine-code frames by their stack maps (docs/gc.md "Roots in machine-code frames"). A
// collection starts only below a call of machine code that may reach it (an allocation's
// thunk, an array call), and before each such call the code stored its frame and stack
// pointers in the store context: the innermost activation's walk starts there, at the return
// address just below that stack pointer. Every machine frame starts with push rbp; mov rbp,
// rsp, so from a frame's fp its caller's return address is at fp + 8, the caller's stack
// pointer at its call fp + 16 and the caller's fp at fp. A return address in the entry stub
// ends the activation: the entry's record holds the exit state of the one it was called from.
// At each return address, the Call site's StackRefs rows and the function's FrameRefs rows
// name the slots holding references (vm::SlotRef). Words are marked exactly (markWord): a
// slot of the map holds a reference or null, or, for an argument area a tail call reused, a
// value markWord checks like any other.
bool GcHeap::traceMachineFrames() {
  auto word = [](uintptr_t at) { return *reinterpret_cast<const uintptr_t*>(at); };
  uintptr_t fp = store_->exit_fp, sp = store_->exit_sp;
  for (uintptr_t e = store_->native_entry_sp; e; e = word(e)) {
    if (!sp) return false;
    uintptr_t pc = word(sp - 8);
    for (;;) {
      const CodeImage* img = findCodeImage(pc);
      if (img && img->kind() == ImageKind::Stubs) break;  // the entry
      if (!img || !img->isModule()) return false;
      const FuncCodeInfo* f = img->funcAt(pc - 1);
      if (!f) return false;
      auto off = uint32_t(pc - uintptr_t(img->base()) - f->start);
      bool call = img->kind() == ImageKind::ModuleLines;  // the llvm tier: a call without rows holds none
      for (const CodeSite& s : CodeImage::sitesAt(*f, off)) {
        if (s.kind == SiteKind::Call) call = true;
        else if (s.kind == SiteKind::StackRefs) markWord(word(SlotRef::address(s.wasm, fp, sp)));
      }
      if (!call) return false;
      for (const CodeSite& s : f->sites) {
        if (s.pc != 0) break;
        if (s.kind == SiteKind::FrameRefs) markWord(word(SlotRef::address(s.wasm, fp, sp)));
      }
      pc = word(fp + 8);
      sp = fp + 16;
      fp = word(fp);
    }
    fp = word(e + kEntrySavedExitFp);
    sp = word(e + kEntrySavedExitSp);
  }
  return true;
}

// Machine-code frames, conservatively: the fallback when the walk of the stack maps met a frame
// without one (counted in GcStats::conservative_scans; the tests expect none). Before every call, to
// wasm, to a host function or to a runtime thunk (the only places a collection can start),
// machine code stores every live reference to its frame: the baseline tier spills its
// registers at calls and writes reference locals through to their homes. So the references of
// every machine-code frame of this store lie on the native stack between this function's frame
// and the store's outermost machine-code entry. They are scanned word by word: a word that
// points into one of this heap's objects keeps it alive (markInterior: optimized code may hold
// a field's address instead of the object's; a number that happens to point into an object
// only delays that object's collection; objects never move, so nothing is rewritten). The
// callee-saved registers are read too: a caller may still hold a reference in one.
[[gnu::noinline]] void GcHeap::traceNativeStack() {
  uintptr_t outer = 0;
  // Each entry's record starts with the previous entry's address (jit/stub_asm.cc).
  for (uintptr_t e = store_->native_entry_sp; e; e = *reinterpret_cast<const uintptr_t*>(e)) outer = e;
  if (!outer) return;
  uintptr_t regs[6];
  asm volatile("mov %%rbx, 0(%0)\n\tmov %%rbp, 8(%0)\n\tmov %%r12, 16(%0)\n\t"
               "mov %%r13, 24(%0)\n\tmov %%r14, 32(%0)\n\tmov %%r15, 40(%0)"
               :
               : "r"(regs)
               : "memory");
  for (uintptr_t r : regs) markInterior(r);
  auto from = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) & ~uintptr_t(7);
  for (uintptr_t p = from; p < outer; p += 8) markInterior(*reinterpret_cast<const uintptr_t*>(p));
}

bool refMatchesHeap(VMContext* vmctx, uintptr_t w, uint32_t heap_bits, bool nullable) {
  ir::HeapType h{heap_bits};
  CastTarget t{heap_bits, nullable, nullptr};
  if (h.isIndex()) {
    t.bits = vmctx->type_ids[h.typeIndex()];
    t.rtt = vmctx->gc_types[h.typeIndex()];
  }
  return refMatches(vmctx, w, t);
}

bool refMatches(VMContext* vmctx, uintptr_t w, const CastTarget& t) {
  if (w == 0) return t.nullable;
  if (t.bits >= ir::HeapType::kAbsBase) {
    switch (ir::AbsHeap(t.bits & 0xff)) {
      // Validation put the value in the target's hierarchy: its top matches every non-null.
      case ir::AbsHeap::Any:
      case ir::AbsHeap::Func:
      case ir::AbsHeap::Extern:
      case ir::AbsHeap::Exn: return true;
      case ir::AbsHeap::None:
      case ir::AbsHeap::NoFunc:
      case ir::AbsHeap::NoExtern:
      case ir::AbsHeap::NoExn: return false;
      case ir::AbsHeap::I31: return isI31(w);
      case ir::AbsHeap::Eq: return isI31(w) || heapOf(vmctx->store_ctx)->contains(reinterpret_cast<void*>(w));
      case ir::AbsHeap::Struct:
      case ir::AbsHeap::Array: {
        if (isI31(w) || !heapOf(vmctx->store_ctx)->contains(reinterpret_cast<void*>(w))) return false;
        auto want = ir::AbsHeap(t.bits & 0xff) == ir::AbsHeap::Struct ? GcType::Kind::Struct : GcType::Kind::Array;
        return reinterpret_cast<GcObject*>(w)->rtt->kind == want;
      }
    }
    return false;
  }
  if (!t.rtt) {  // a function type: the value is a funcref
    uint32_t id = reinterpret_cast<const VMFuncRef*>(w)->type_id;
    return id == t.bits || vmctx->builtins->type_is_subtype(vmctx, id, t.bits);
  }
  if (isI31(w) || !heapOf(vmctx->store_ctx)->contains(reinterpret_cast<void*>(w))) return false;
  const std::vector<uint32_t>& d = reinterpret_cast<GcObject*>(w)->rtt->display;
  size_t depth = t.rtt->display.size() - 1;
  return depth < d.size() && d[depth] == t.bits;
}

}  // namespace strata::vm
