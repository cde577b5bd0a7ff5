// The baseline tier's process-wide stubs: the array-call entry into machine code and the trap
// path back out of it (see docs/jit.md "Traps" and stubs.cc).
#pragma once

#include <cstdint>

#include "vm/abi.h"
#include "vm/trap.h"

namespace strata::jit {

// Every native call gives its callee an argument area of at least this many 16-byte slots
// (more when the callee's type needs more): a tail call to a function with up to this many
// parameters or results can always reuse the caller's area (docs/jit.md "Tail calls").
inline constexpr uint32_t kMinArgSlots = 4;
// The array-call entry gives at least this many, and a module whose types need up to this many
// gives them at each of its calls (ModuleState::tail_slots), so that tail calls to larger
// callees replace frames too. Every native call passes the size of the area it gives, in
// slots, in r10d; a function with a tail call keeps it at [rbp - 16] (docs/jit.md).
inline constexpr uint32_t kTailSlots = 16;

// edi value of a trap stub call meaning "the callee already recorded the trap": append this
// activation's frames only.
inline constexpr uint32_t kPropagate = 0xff;

// The exception-handler table of a function (SiteKind::Handlers site, docs/exceptions.md
// "Machine code"): a header, then one row per catch clause, innermost try first (rows are
// sorted by depth, a stable sort of their order of writing) and clauses in order. Offsets count
// from the function's first byte.
struct HandlerTableHeader {
  uint32_t frame;  // rsp = rbp - frame in the function's body
  uint32_t rows;
};
struct HandlerRow {
  uint32_t start, end;  // the try_table body's code: a pc p with start <= p - 1 < end
  uint32_t pad;         // the clause's landing pad
  uint32_t tag;         // tag index (catch, catch_ref)
  uint32_t kind;        // decode::CatchClause::Kind, or kDelegateRow
  uint32_t depth;       // the try's control depth (function = 0): rows sorted deepest first
  uint32_t delegate;    // kDelegateRow: go on with the rows of depth <= this one
};
// A legacy `delegate l` range: its exceptions skip every handler deeper than label l's block.
inline constexpr uint32_t kDelegateRow = 4;
// A landing pad is entered with rsp = rbp - frame, [rsp] = the caught exception (a
// VMException*) and [rsp + 8] = the frame's rbp; every other register is dead.

struct Stubs {
  // vm::ArrayCallFn of every function compiled by this tier: copies the RawVals into an
  // argument area, calls callee->wasm_call, copies the results back.
  vm::ArrayCallFn entry = nullptr;
  // Entered as if called from machine code (return address = a pc inside the trapping
  // function), with edi = trap kind or kPropagate, esi = wasm offset, rbp = that function's
  // frame, r15 = its vmctx and, for UninitializedElement, r9 = the element index. Records the trap and the frames up to the innermost entry, then
  // unwinds to that entry, which returns false. Also the fault stub of every module image.
  void* trap = nullptr;
  // The same with r8 = the VMStoreContext instead of r15 = the vmctx: the fault stub of images
  // whose code keeps no vmctx in r15 (the signal handler sets r8, runtime/entry.cc).
  void* trap_store = nullptr;
  // The same as a C function (never returns): trap_c(kind, wasm_offset, vmctx, detail), called
  // from the trapping function (tiers whose code keeps no vmctx in r15: llvm).
  void* trap_c = nullptr;
};

// Generated on first use; null members when the host cannot map executable memory.
const Stubs& stubs();

}  // namespace strata::jit
