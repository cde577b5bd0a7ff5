// Per-store interpreter stacks, trap recording and backtraces (see frames.h).
#include "interp/frames.h"

#include <algorithm>
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

// GC roots in interpreter frames (docs/gc.md "Roots" 1): every word of the value stack below
// sp, which covers the innermost frame (a GC handler or a call out sets it) and every outer
// activation. The heap keeps only the words that are addresses of its objects.
static void traceHook(void* state, vm::GcHeap* heap) {
  auto* st = static_cast<StoreStack*>(state);
  for (const uint8_t* p = st->base; p + 8 <= st->sp; p += 8) heap->markWord(rd<uintptr_t>(p));
}

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
