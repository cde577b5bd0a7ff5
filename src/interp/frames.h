// The interpreter's per-store execution state: the value stack, the call-frame array and the
// chain of activations (one per entry from the host), plus trap recording and backtraces.
//
// Why a separate call-frame array: the value stack holds only slots, so a callee's frame can
// start exactly at the caller's argument slots (no copying of arguments or results), while
// return addresses and the function of each frame stay in a compact array that backtraces and
// the fault path can walk without knowing frame sizes.
//
// Activations: every entry from the host (the array-call entry, interpEntry) pushes an
// Activation on the native stack and links it into StoreStack::top. A host function called from
// wasm may re-enter wasm; the nested activation's frames start above StoreStack::sp, which the
// dispatch loop sets before every call out. When a guard-page fault is turned into a trap, the
// runtime longjmps past the dispatch loop and calls unwindHook (vm::VMStoreContext::tier_unwind),
// which walks the activations whose native frames it skipped: the innermost at StoreStack::ip,
// saved by every instruction that may fault before it accesses memory, the outer ones at
// Activation::ip, saved at their calls out.
//
// GC roots (docs/gc.md "Roots" 1): the collector walks the same frames (frames.cc traceHook),
// each activation's innermost at Activation::ip and fp, which the GC handlers and host calls
// save (the only places a collection can start), and marks the slots that the safepoint of
// each frame's pc lists (bytecode.h GcSite, builder_gc.cc).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "interp/bytecode.h"
#include "vm/abi.h"
#include "vm/exception.h"
#include "vm/trap.h"

namespace strata::interp {

struct Activation {
  Activation* prev = nullptr;
  const uint8_t* ip = nullptr;  // current instruction, saved before calls out and faulting accesses
  // Its frame, saved with ip wherever a collection may start (calls out, GC handlers): the
  // collector looks up the innermost frame's roots at (ip, fp) (frames.cc traceHook).
  uint8_t* fp = nullptr;
  CallFrame* base = nullptr;    // the activation's first call frame
  uint8_t* saved_sp = nullptr;  // StoreStack::sp to restore when the activation ends
};

struct StoreStack {
  uint8_t* base = nullptr;  // value stack [base, limit)
  uint8_t* limit = nullptr;
  CallFrame* frames = nullptr;  // call frames [frames, frames_limit)
  CallFrame* frames_limit = nullptr;
  uint8_t* sp = nullptr;      // where the next activation's frame starts
  CallFrame* fsp = nullptr;   // next free call frame (the running function is fsp[-1])
  Activation* top = nullptr;  // innermost activation
  // The innermost activation's current instruction, stored before every access that may
  // fault (one store through a register the loop keeps anyway; a store through the
  // activation took one more register in the dispatch loop and GCC spilled the memory base).
  const uint8_t* ip = nullptr;

  // The store's stack, created on first use with VMStoreContext::max_wasm_stack bytes (the
  // runtime's default when 0); registers the free and unwind hooks in tier slot 0.
  static StoreStack* of(vm::VMStoreContext* store_ctx);
};

inline constexpr uint64_t kDefaultMaxWasmStack = 512 * 1024;

// Array-call conversions (vm::RawVal, 16 bytes per value) of the values described by `sizes`
// (4, 8 or 16 bytes each; slots take 8, or 16 for v128). slotsToRaw may work in place (raw ==
// slots): it goes backwards, and value i's RawVal only overlaps slots of values >= i.
inline void slotsToRaw(const std::vector<uint8_t>& sizes, uint32_t slot_bytes, const uint8_t* slots, uint8_t* raw) {
  uint32_t off = slot_bytes;
  for (size_t i = sizes.size(); i-- > 0;) {
    off -= sizes[i] == 16 ? 16 : 8;
    uint8_t tmp[16] = {};
    std::memcpy(tmp, slots + off, sizes[i]);
    std::memcpy(raw + 16 * i, tmp, 16);
  }
}
// The reverse, forwards (value i's slots only overlap RawVals <= i).
inline void rawToSlots(const std::vector<uint8_t>& sizes, const uint8_t* raw, uint8_t* slots) {
  uint32_t off = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    uint8_t tmp[16];
    std::memcpy(tmp, raw + 16 * i, 16);
    uint32_t n = sizes[i] == 16 ? 16 : 8;
    std::memcpy(slots + off, tmp, n);
    off += n;
  }
}

// Records a trap detected at `ip` in the innermost frame of `act`: kind and backtrace. Returns
// false, the array-call result of a trapping call.
bool raiseTrap(StoreStack* st, Activation* act, const uint8_t* ip, vm::VMContext* vmctx, vm::TrapKind kind);
// A callee (host function or runtime builtin) already recorded the trap: appends the frames of
// `act`, the innermost at `ip`. Returns false.
bool propagateTrap(StoreStack* st, Activation* act, const uint8_t* ip, vm::VMContext* vmctx);
// Where a caught exception resumes: the handler's code, in the frame of its function.
struct Landing {
  const uint8_t* ip;
  uint8_t* fp;
  vm::VMContext* vmctx;
};
// Exception handling (exceptions.cc, docs/exceptions.md): searches the frames of `act`,
// innermost first, the innermost at `ip` with `fp` and `vmctx`, for a clause catching `exn`.
// On a match, drops the frames above the handler's, writes the payload (and the exnref) into
// the handler's slots and returns true with `out`; else returns false and changes nothing.
bool findHandler(StoreStack* st, Activation* act, const uint8_t* ip, uint8_t* fp, vm::VMContext* vmctx,
                 vm::VMException* exn, Landing& out);
// No frame of `act` catches the exception thrown at `ip`: records it in the store's trap record
// as an uncaught exception with the activation's frames. Returns false.
bool throwUncaught(StoreStack* st, Activation* act, const uint8_t* ip, vm::VMContext* vmctx, vm::VMException* exn);
// vm::VMStoreContext::tier_unwind for slot 0 (see the file comment).
void unwindHook(void* state, vm::TrapRecord* trap, const void* entry_sp);

}  // namespace strata::interp
