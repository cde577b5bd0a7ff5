// Per-store interpreter stacks, trap recording and backtraces (see frames.h).
#include "interp/frames.h"

#include <algorithm>
#include <cassert>
#include <cstdlib>
#include <new>

#include "vm/gc.h"

namespace strata::interp {

namespace {

void freeStack(void* state) {
  auto* st = static_cast<StoreStack*>(state);
  std::free(st->base);
  std::free(st->frames);
  delete st;
}

// Appends the frames of one activation, innermost first; `ip` is where the innermost one is.
void appendFrames(vm::TrapRecord* trap, const Activation* act, CallFrame* fsp, const uint8_t* ip) {
  for (CallFrame* f = fsp; f-- > act->base;) {
    const FuncCode* fc = f->func;
    // Outer frames resume after their call instruction: look up the byte before it.
    const uint8_t* pc = f + 1 == fsp ? ip : (f + 1)->ret_ip - 1;
    trap->frames.push_back(vm::TrapFrame{fc->module, fc->func_index, fc->wasmOffset(pc)});
  }
}

}  // namespace

uint32_t FuncCode::wasmOffset(const uint8_t* pc) const {
  if (offsets.empty()) return 0;
  uint32_t at = uint32_t(pc - code.data());
  auto it = std::upper_bound(offsets.begin(), offsets.end(), at,
                             [](uint32_t v, const OffsetEntry& e) { return v < e.pc; });
  if (it == offsets.begin()) return offsets.front().wasm;
  return std::prev(it)->wasm;
}

const GcSite* FuncCode::gcSite(const uint8_t* pc) const {
  uint32_t at = uint32_t(pc - code.data());
  auto it = std::upper_bound(gc_sites.begin(), gc_sites.end(), at,
                             [](uint32_t v, const GcSite& g) { return v < g.begin; });
  if (it == gc_sites.begin() || at >= std::prev(it)->end) return nullptr;
  return &*std::prev(it);
}

namespace {

// The roots of one frame of `fc` at `pc`: its reference locals and the slots its safepoint
// lists; `innermost`: the frame of its activation that called out, whose host call (if that
// is what it is in) holds its arguments as RawVals (bytecode.h GcSite).
void traceFrame(vm::GcHeap* heap, const FuncCode& fc, const uint8_t* pc, const uint8_t* fp, bool innermost) {
  const GcSite* site = pc ? fc.gcSite(pc) : nullptr;
  if (!site) [[unlikely]] {
    // Every place a collection can start is a safepoint (builder_gc.cc): a miss is a bug of
    // the builder. Scanning the whole frame keeps the collection safe meanwhile.
    assert(!"interp: a collection at an instruction without a safepoint");
    if (fp)
      for (const uint8_t* p = fp; p + 8 <= fp + fc.frame_bytes; p += 8) heap->markWord(rd<uintptr_t>(p));
    return;
  }
  for (Slot s : fc.ref_locals) heap->markWord(rd<uintptr_t>(fp + s));
  for (uint32_t i = site->first; i < site->first + site->count; ++i)
    heap->markWord(rd<uintptr_t>(fp + fc.gc_slots[i]));
  // An innermost frame stopped at a call is in a host call (an interpreted callee would be the
  // innermost frame): its arguments are RawVals at the callee's frame (vm::RawVal::ref first).
  if (innermost && site->sig)
    for (uint32_t i : site->sig->ref_params) heap->markWord(rd<uintptr_t>(fp + site->args + 16 * i));
}

// GC roots in interpreter frames (docs/gc.md "Roots" 1): the frames of every activation,
// innermost first, each at its safepoint. An activation's innermost frame is where it called
// out (Activation::ip and fp, saved by the GC handlers and host calls); an outer frame is at
// its call instruction (the byte before its callee's return address), in the frame its
// callee's call frame saved (the walk of appendFrames).
void traceHook(void* state, vm::GcHeap* heap) {
  auto* st = static_cast<StoreStack*>(state);
  CallFrame* end = st->fsp;
  for (const Activation* act = st->top; act; end = act->base, act = act->prev) {
    for (CallFrame* f = end; f-- > act->base;) {
      bool innermost = f + 1 == end;
      const uint8_t* pc = innermost ? act->ip : (f + 1)->ret_ip - 1;
      const uint8_t* fp = innermost ? act->fp : (f + 1)->ret_fp;
      traceFrame(heap, *f->func, pc, fp, innermost);
    }
  }
}

}  // namespace

StoreStack* StoreStack::of(vm::VMStoreContext* store_ctx) {
  if (store_ctx->tier_state[0]) return static_cast<StoreStack*>(store_ctx->tier_state[0]);
  uint64_t bytes = store_ctx->max_wasm_stack ? store_ctx->max_wasm_stack : kDefaultMaxWasmStack;
  // Every call takes a call frame even if its value frame is empty: bound them separately.
  uint64_t nframes = std::max<uint64_t>(1024, bytes / 16);
  auto* st = new (std::nothrow) StoreStack;
  if (!st) return nullptr;
  st->base = static_cast<uint8_t*>(std::malloc(bytes));
  st->frames = static_cast<CallFrame*>(std::malloc(nframes * sizeof(CallFrame)));
  if (!st->base || !st->frames) {
    freeStack(st);
    return nullptr;
  }
  st->limit = st->base + bytes;
  st->frames_limit = st->frames + nframes;
  st->sp = st->base;
  st->fsp = st->frames;
  store_ctx->tier_state[0] = st;
  store_ctx->tier_state_free[0] = freeStack;
  store_ctx->tier_unwind[0] = unwindHook;
  store_ctx->tier_trace[0] = traceHook;
  return st;
}

bool raiseTrap(StoreStack* st, Activation* act, const uint8_t* ip, vm::VMContext* vmctx, vm::TrapKind kind) {
  vm::TrapRecord* trap = vmctx->store_ctx->trap;
  trap->raise(kind);
  appendFrames(trap, act, st->fsp, ip);
  return false;
}

bool propagateTrap(StoreStack* st, Activation* act, const uint8_t* ip, vm::VMContext* vmctx) {
  vm::TrapRecord* trap = vmctx->store_ctx->trap;
  trap->pending = true;
  appendFrames(trap, act, st->fsp, ip);
  return false;
}

void unwindHook(void* state, vm::TrapRecord* trap, const void* entry_sp) {
  auto* st = static_cast<StoreStack*>(state);
  bool innermost = true;
  while (st->top && static_cast<const void*>(st->top) < entry_sp) {
    Activation* act = st->top;
    appendFrames(trap, act, st->fsp, innermost ? st->ip : act->ip);
    innermost = false;
    st->fsp = act->base;
    st->sp = act->saved_sp;
    st->top = act->prev;
  }
}

}  // namespace strata::interp
