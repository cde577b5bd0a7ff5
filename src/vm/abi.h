// The VM ABI: what compiled code (interpreter bytecode today, JIT code tomorrow) and the runtime
// agree on. Every struct here has a fixed, documented layout (static_asserts below) because
// machine code addresses its fields by offset. See docs/architecture.md "Instance layout".
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::vm {

struct VMContext;

// A value in the "array call" convention: 16 bytes, any wasm type. Integers and floats sit in the
// low bytes (little-endian), references are pointers in the low 8 bytes.
union RawVal {
  uint32_t i32;
  uint64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  void* ref;
};
static_assert(sizeof(RawVal) == 16);

struct VMFuncRef;

// The one host-side calling convention, for wasm and host functions alike: arguments in
// vals[0..nparams), results written back to vals[0..nresults). Returns false when the callee
// trapped; the trap itself is recorded in the store (VMContext::store) so the caller unwinds.
// The callee receives its own VMFuncRef (callers write `ref->array_call(ref, caller, vals, n)`):
// a tier without per-function native code (the interpreter) shares one entry among all its
// functions and finds the function through ref->code; the instance or host context is
// ref->vmctx.
using ArrayCallFn = bool (*)(const VMFuncRef* callee, VMContext* caller_ctx, RawVal* vals, size_t nvals);

// A function reference (funcref value, table element, import). Shared by all tiers: the interpreter
// fills `array_call` with its entry trampoline and `code` with the function's bytecode; a JIT
// fills `wasm_call` with the native entry for direct wasm-to-wasm calls.
struct VMFuncRef {
  ArrayCallFn array_call;  // +0
  void* wasm_call;         // +8   tier-specific fast entry, or null
  const void* code;        // +16  tier-specific function body (interpreter bytecode)
  VMContext* vmctx;        // +24  the instance (or host context) the function closes over
  uint32_t type_id;        // +32  canonical type id (equal ids = equal types, spec 3.3.5)
  uint32_t func_index;     // +36  index in its module, for backtraces
};
static_assert(offsetof(VMFuncRef, type_id) == 32 && sizeof(VMFuncRef) == 40);

// How far a 32-bit memory stays below 4 GiB (runtime/memory.cc MemoryObj::maxPages): an index
// of 2^32 - kMemory32Headroom or more is always out of bounds, which the llvm tier's loop
// addresses rely on (llvm/addresses.cc).
inline constexpr uint64_t kMemory32Headroom = 65536;
// Reserved, never accessible bytes below the base of a 32-bit memory under guard pages
// (runtime/memory.cc): an address up to this far below the base faults, which the llvm tier's
// backward loop addresses rely on (llvm/addresses.cc).
inline constexpr uint64_t kMemory32LowGuard = 65536;

// A linear memory as seen by code. The base never moves (the memory is a fixed virtual
// reservation, committed as it grows), so code may cache it; the length changes on grow.
struct VMMemory {
  uint8_t* base;    // +0
  uint64_t length;  // +8  current size in bytes
};

struct VMTable {
  void** elements;  // +0  VMFuncRef* for funcref tables, host/GC pointer for others; null = ref.null
  uint64_t length;  // +8  current number of elements
};

struct VMGlobal {
  RawVal value;  // +0
};

// Per-store interruption state, shared by every instance of the store.
struct VMStoreLimits {
  uintptr_t stack_limit;         // +0  lowest usable native stack address while in wasm
  int64_t fuel_remaining;        // +8  decremented by code when fuel is enabled
  uint64_t epoch_deadline;       // +16
  const uint64_t* epoch_counter; // +24 engine-wide epoch, bumped by Engine::incrementEpoch()
};

struct TrapRecord;
struct VMException;
class GcHeap;
struct GcType;
struct GcAllocState;

// The part of a Store that code can reach: limits, the trap record, and a slot per tier for its
// per-store state (the interpreter keeps its value stack there). One per Store.
struct VMStoreContext {
  VMStoreLimits limits;   // +0
  TrapRecord* trap;       // +32 where a tier records a trap before unwinding (see trap.h)
  void* tier_state[2];    // +40 owned by the tiers, freed through tier_state_free
  void (*tier_state_free[2])(void*);
  void* store;            // runtime::Store*
  uint32_t depth;         // nesting of host->wasm entries, for re-entrancy accounting
  // Bytes of wasm value stack a tier may use per store (Config::max_wasm_stack); the interpreter
  // allocates its value stack of this size lazily in tier_state[0] and traps with "call stack
  // exhausted" beyond it.
  uint64_t max_wasm_stack;
  // Traps raised outside a tier's own control flow: when the runtime's signal handler turns a
  // guard-page fault into a trap it siglongjmps to its innermost entry, skipping tier frames. Just
  // before the jump, from the signal handler (alternate signal stack, skipped frames still
  // intact), it calls every non-null tier_unwind[i](tier_state[i], trap, entry_sp), where entry_sp
  // is an address in the entry's own native frame: the tier appends to trap->frames the frames of
  // its activations whose native frames lie below entry_sp (deeper on the downward-growing stack),
  // then discards those activations. The interpreter saves its current instruction pointer in its
  // tier state before every access that may fault, so the innermost offset is exact.
  void (*tier_unwind[2])(void* state, TrapRecord* trap, const void* entry_sp);
  // The innermost machine-code entry frame of this store (the native tiers' array-call entry,
  // see src/jit/stubs.cc), 0 when none is active. A trap in machine code unwinds to it: the
  // trap stub records the frames between the trapping pc and this entry, resets the stack
  // pointer to it and makes the entry return false. The runtime restores it when a fault in
  // another tier skips machine-code entries (entry.cc).
  uintptr_t native_entry_sp;
  // Every exception object of the store not yet freed (vm/exception.h), newest first.
  VMException* exceptions;  // +120
  // The store's GC heap (vm/gc.h GcHeap, docs/gc.md), created with the store.
  void* gc_heap;  // +128
  // Roots in tier frames (docs/gc.md "Roots"): before a collection the heap calls every
  // non-null tier_trace[i](tier_state[i], heap); the tier reports the words of its live frames
  // that may hold references through GcHeap::markWord.
  void (*tier_trace[2])(void* state, GcHeap* heap);
  // The heap's allocation state (vm/gc.h GcAllocState), which machine code allocates from
  // inline; set with the heap.
  GcAllocState* gc_alloc;
  // The last exit of machine code toward code that may collect (docs/gc.md "Roots in
  // machine-code frames"): before every call that may reach the collector (an allocation's
  // thunk, a host or interpreter function's array call) the baseline tier stores its frame
  // pointer and its stack pointer at the call (the return address is the word below it).
  // The collector walks machine frames from there, and the entry stub saves both in its
  // record and restores them when it returns (kEntrySavedExitFp/Sp).
  uintptr_t exit_fp;
  uintptr_t exit_sp;
};

// The machine-code entry's record (jit/stub_asm.cc), addressed from the word
// VMStoreContext::native_entry_sp points at: that word links the previous record; the words
// at these offsets from it hold the exit state of the activation the entry was called from.
inline constexpr int32_t kEntrySavedExitFp = -24;
inline constexpr int32_t kEntrySavedExitSp = -32;

struct VMBuiltins;

// The instance context. Compiled code receives a VMContext* and reaches everything through it.
struct VMContext {
  uint8_t* memory0_base;         // +0   base of memory 0 (hot path for loads/stores)
  VMMemory* memory0;             // +8   memory 0 (length for explicit bounds checks)
  VMStoreContext* store_ctx;     // +16
  VMMemory** memories;           // +24  by memory index (imported first)
  VMGlobal** globals;            // +32  by global index
  VMTable** tables;              // +40  by table index
  VMFuncRef** funcs;             // +48  by function index
  const uint32_t* type_ids;      // +56  canonical id per module type index (call_indirect)
  const VMBuiltins* builtins;    // +64  runtime services (builtins.h)
  void* instance;                // +72  runtime::Instance*
  uint8_t* dropped_elems;        // +80  1 per elem segment once dropped
  uint8_t* dropped_datas;        // +88  1 per data segment once dropped
  const void* module;            // +96  ir::Module* of the instance (backtrace names, segments)
  // +104 by tag index (imported first): the tag's identity, an opaque runtime::TagObj*. Two
  // tags are the same tag exactly when these pointers are equal (spec 4.5.3: tag imports
  // alias, each definition is fresh).
  const void* const* tags;
  // +112 by type index: the runtime type of struct and array types (vm/gc.h), null for
  // function types. struct.new and casts to concrete types read it.
  const GcType* const* gc_types;
  // +120 table 0 (tables[0]), or null: call_indirect through table 0, the usual case, saves a
  // dependent load on the path to its callee.
  VMTable* table0;
};
static_assert(offsetof(VMContext, funcs) == 48 && offsetof(VMContext, builtins) == 64);
static_assert(offsetof(VMContext, table0) == 120);

}  // namespace strata::vm
