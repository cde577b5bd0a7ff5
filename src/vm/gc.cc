// The store's GC heap: allocation under a limit, mark-sweep collection from precise roots in
// the runtime and word roots in tier frames, and the cast test every tier shares (docs/gc.md).
#include "vm/gc.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "ir/types.h"
#include "vm/builtins.h"
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

}  // namespace

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

GcHeap::GcHeap(VMStoreContext* store, uint64_t limit, std::function<void(GcHeap&)> trace_roots)
    : store_(store), limit_(limit), trace_roots_(std::move(trace_roots)), threshold_(kMinThreshold) {}

GcHeap::~GcHeap() {
  objects_.forEach([](uintptr_t p) { std::free(reinterpret_cast<void*>(p)); });
}

uint64_t GcHeap::objectBytes(const GcType* rtt, uint32_t length) {
  if (rtt->kind == GcType::Kind::Struct) return sizeof(GcObject) + rtt->payload_bytes;
  return sizeof(GcObject) + uint64_t(length) * rtt->fields[0].bytes;  // < 2^37: no overflow
}

GcObject* GcHeap::allocate(const GcType* rtt, uint32_t length) {
  uint64_t bytes = objectBytes(rtt, length);
  if (hold_ == 0 && (since_last_ + bytes > threshold_ || live_bytes_ + bytes > limit_)) collect();
  if (live_bytes_ + bytes > limit_) return nullptr;
  // Rounded to 8 so that payloads of 8-byte fields stay aligned; calloc: default values are
  // all-zero bits (spec 4.2.x default values of every storage type).
  void* p = std::calloc(1, (bytes + 7) & ~uint64_t{7});
  if (!p) return nullptr;
  auto* obj = static_cast<GcObject*>(p);
  obj->rtt = rtt;
  obj->length = length;
  objects_.insert(reinterpret_cast<uintptr_t>(p));
  live_bytes_ += bytes;
  since_last_ += bytes;
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
  // Objects are 8-aligned (calloc); i31 (bit 0) and host integers (bit 1) are not objects.
  if (word == 0 || (word & 7) != 0) return;
  void* p = reinterpret_cast<void*>(word);
  if (!contains(p)) return;
  auto* obj = static_cast<GcObject*>(p);
  if (obj->mark) return;
  obj->mark = 1;
  mark_stack_.push_back(obj);
}

void GcHeap::trace(GcObject* obj) {
  const GcType* t = obj->rtt;
  uint8_t* payload = obj->payload();
  if (t->kind == GcType::Kind::Struct) {
    for (const GcType::Field& f : t->fields) {
      if (f.is_ref) markWord(load(payload + f.offset));
    }
  } else if (t->fields[0].is_ref) {
    for (uint32_t i = 0; i < obj->length; ++i) markWord(load(payload + 8 * uint64_t(i)));
  }
}

void GcHeap::collect() {
  ++collections_;
  // Roots (docs/gc.md "Roots"): tier frames, the runtime's globals, tables and segments,
  // exception payloads, host pins.
  for (int i = 0; i < 2; ++i) {
    if (store_->tier_trace[i]) store_->tier_trace[i](store_->tier_state[i], this);
  }
  traceNativeStack();
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
  sweep();
}

void GcHeap::sweep() {
  uint64_t before = live_bytes_;
  objects_.retainIf([this](uintptr_t p) {
    auto* obj = reinterpret_cast<GcObject*>(p);
    if (obj->mark) {
      obj->mark = 0;
      return true;
    }
    live_bytes_ -= objectBytes(obj->rtt, obj->length);
    std::free(obj);
    return false;
  });
  since_last_ = 0;
  threshold_ = live_bytes_ > kMinThreshold ? live_bytes_ : kMinThreshold;
  // Small blocks went back to malloc's free lists; when most of the heap died, give the free
  // pages back to the OS too (large blocks were mmapped and already are).
  if (before - live_bytes_ > live_bytes_ && before - live_bytes_ >= kMinThreshold) malloc_trim(0);
}

// Machine-code frames (docs/gc.md "Roots in machine-code frames"). Before every call, to
// wasm, to a host function or to a runtime thunk (the only places a collection can start),
// machine code stores every live reference to its frame: the baseline tier spills its
// registers at calls and writes reference locals through to their homes. So the references of
// every machine-code frame of this store lie on the native stack between this function's frame
// and the store's outermost machine-code entry. They are scanned word by word: a word that is
// one of this heap's objects keeps it alive (a number that happens to equal an object's address
// only delays that object's collection; objects never move, so nothing is rewritten). The
// registers are stored to the scanned range first, for the callee-saved ones a caller may
// still hold a reference in.
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
  for (uintptr_t r : regs) markWord(r);
  auto from = reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) & ~uintptr_t(7);
  for (uintptr_t p = from; p < outer; p += 8) markWord(*reinterpret_cast<const uintptr_t*>(p));
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
