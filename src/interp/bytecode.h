// The interpreter's bytecode: handler list, operand layouts, compiled functions and call frames.
// docs/interpreter.md describes the design; this header is the contract between the bytecode
// builder (builder*.cc), which writes instructions, and the dispatch loop (dispatch.cc), which
// runs them.
//
// An instruction is the address of its handler (8 bytes, direct threading) followed by one
// operand struct from this file, packed without alignment (read with memcpy). Operands name
// frame slots by byte offset from the frame pointer (Slot); branch targets are byte offsets
// relative to the branching instruction's first byte (Rel).
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "ir/module.h"
#include "support/unaligned.h"
#include "vm/abi.h"
#include "vm/gc_ops.h"

namespace strata::interp {

using Slot = uint32_t;  // byte offset of a frame slot from the frame pointer
using Rel = int32_t;    // branch displacement from the start of the branch instruction

// rd and wr (frame slot reads and writes): support/unaligned.h.

// Memory access kinds of the hand-written load/store handlers (MemKind below). Each exists in
// seven modes (MemMode): G (memory 0, 32-bit addresses, guard pages: no bounds check), E
// (explicit check, 32-bit address, any memory), W (explicit check, 64-bit address: memory64),
// X (as G, with the address computed in the handler as base + (index << shift): array
// indexing without a separate add), A (as G, a constant address: static data) and K (as G, the
// address computed as base + k by a folded i32.add with a constant: struct fields and stack
// slots that LLVM could not fold into the offset because the add may wrap) and S (as G, the
// address computed as (index << shift) + k: elements of a static array). Y(X, kind, family) is applied to each kind; the family
// (Mem or Lane) names the operand structs Op<family>G, Op<family>E and Op<family>X.
#define STRATA_INTERP_MEM_KINDS(Y, X)                                                              \
  Y(X, I8S, Mem) Y(X, I8U, Mem) Y(X, I16S, Mem) Y(X, I16U, Mem) Y(X, I32S, Mem) Y(X, I32U, Mem)    \
  Y(X, I64, Mem) Y(X, V128, Mem) Y(X, V8x8S, Mem) Y(X, V8x8U, Mem) Y(X, V16x4S, Mem)               \
  Y(X, V16x4U, Mem) Y(X, V32x2S, Mem) Y(X, V32x2U, Mem) Y(X, Splat8, Mem) Y(X, Splat16, Mem)       \
  Y(X, Splat32, Mem) Y(X, Splat64, Mem) Y(X, Zero32, Mem) Y(X, Zero64, Mem) Y(X, S8, Mem)          \
  Y(X, S16, Mem) Y(X, S32, Mem) Y(X, S64, Mem) Y(X, S128, Mem) Y(X, SI8, MemImm) Y(X, SI16, MemImm) \
  Y(X, SI32, MemImm) Y(X, SI64, MemImm) Y(X, LoadLane8, Lane)                                      \
  Y(X, LoadLane16, Lane) Y(X, LoadLane32, Lane) Y(X, LoadLane64, Lane) Y(X, StoreLane8, Lane)      \
  Y(X, StoreLane16, Lane) Y(X, StoreLane32, Lane) Y(X, StoreLane64, Lane)
#define STRATA_INTERP_MEM_ONE(Z, KIND, F) \
  Z(KIND##_G, Op##F##G) Z(KIND##_E, Op##F##E) Z(KIND##_W, Op##F##E) Z(KIND##_X, Op##F##X) Z(KIND##_A, Op##F##A) \
      Z(KIND##_K, Op##F##K) Z(KIND##_S, Op##F##S)
#define STRATA_INTERP_MEM_HANDLERS(X) STRATA_INTERP_MEM_KINDS(STRATA_INTERP_MEM_ONE, X)

// Every hand-written handler X(name, operand struct). A label H_<name> in dispatch.cc implements
// each (a name without its label fails the build) and reads the struct after the handler address.
#define STRATA_INTERP_HANDLERS(X)                                                                  \
  /* control */                                                                                    \
  X(Exit, OpNone) X(Unreachable, OpNone) X(Br, OpBr) X(BrIf, OpCond) X(BrUnless, OpCond)             \
  X(BrTable, OpBrTable) X(BrTableG, OpBrTableG) X(Return, OpNone) X(Return64, OpSlot)                                        \
  /* moves */                                                                                      \
  X(InitPool, OpInitPool) X(Copy64, OpMove) X(Copy2, OpMove2) X(Copy128, OpMove) X(Const64, OpConst64) X(Const128, OpConst128) X(ConstBr, OpConstBr)                \
  X(Select64, OpSelect) X(Select128, OpSelect)                                                      \
  /* calls */                                                                                      \
  X(Call, OpCall) X(CallImport, OpCallImport) X(CallIndirect, OpCallIndirect) X(CallRef, OpCallRef) \
  X(CallM, OpCallM) X(CallIndirectM, OpCallIndirectM)                                               \
  X(ReturnCall, OpCall) X(ReturnCallImport, OpCallImport) X(ReturnCallIndirect, OpCallIndirect)     \
  X(ReturnCallRef, OpCallRef)                                                                       \
  /* interruption */                                                                               \
  X(CheckEpoch, OpNone) X(CheckFuel, OpFuel)                                                        \
  /* globals */                                                                                    \
  X(GlobalGet64, OpGlobal) X(GlobalGet128, OpGlobal) X(GlobalSet64, OpGlobal) X(GlobalSet128, OpGlobal) \
  /* memory */                                                                                     \
  STRATA_INTERP_MEM_HANDLERS(X)                                                                     \
  /* bulk memory and tables */                                                                     \
  X(MemorySize, OpBulk) X(MemoryGrow, OpBulk) X(MemoryFill, OpBulk) X(MemoryCopy, OpBulk)           \
  X(MemoryInit, OpBulk) X(DataDrop, OpBulk) X(TableGet, OpBulk) X(TableSet, OpBulk)                 \
  X(TableSize, OpBulk) X(TableGrow, OpBulk) X(TableFill, OpBulk) X(TableCopy, OpBulk)               \
  X(TableInit, OpBulk) X(ElemDrop, OpBulk)                                                          \
  /* references */                                                                                 \
  X(RefFunc, OpIndex) X(RefIsNull, OpIndex) X(RefAsNonNull, OpIndex)                                \
  /* GC (vm/gc_ops.h, docs/gc.md) */                                                                  \
  X(RefI31, OpIndex) X(I31GetS, OpIndex) X(I31GetU, OpIndex) X(RefEq, OpGc) X(RefTest, OpCast)      \
  X(RefCast, OpCast) X(StructNew, OpGc) X(StructNewDefault, OpGc) X(StructGet, OpGc)               \
  X(StructGetS, OpGc) X(StructGetU, OpGc) X(StructSet, OpGc) X(ArrayNew, OpGc)                     \
  X(ArrayNewDefault, OpGc) X(ArrayNewFixed, OpGc) X(ArrayNewData, OpGc) X(ArrayNewElem, OpGc)      \
  X(ArrayGet, OpGc) X(ArrayGetS, OpGc) X(ArrayGetU, OpGc) X(ArraySet, OpGc) X(ArrayLen, OpGc)      \
  X(ArrayFill, OpGc) X(ArrayCopy, OpGc) X(ArrayInitData, OpGc) X(ArrayInitElem, OpGc)              \
  /* exceptions: throw, and throw_ref (also legacy rethrow of a caught exception's slot) */        \
  X(Throw, OpThrow) X(ThrowRef, OpSlot)                                                             \
  /* NaN canonicalisation after scalar float results; SIMD results always are */                   \
  X(CanonF32, OpSlot) X(CanonF64, OpSlot)                                                           \
  /* unsigned i32 division and remainder by a constant (numeric.h divConstMagic) */                 \
  X(I32DivUConst, OpDivConst) X(I32RemUConst, OpDivConst)                                           \
  /* wide arithmetic */                                                                            \
  X(I64Add128, OpWide) X(I64Sub128, OpWide) X(I64MulWideS, OpWide) X(I64MulWideU, OpWide)

enum class H : uint16_t {
#define STRATA_X(name, op) name,
  STRATA_INTERP_HANDLERS(STRATA_X)
#undef STRATA_X
      Count
};

// Memory access kinds (the K of the memory handlers above), used by the builder to pick one.
#define STRATA_INTERP_KIND_ENUM(X, K, F) K,
enum class MemKind : uint8_t { STRATA_INTERP_MEM_KINDS(STRATA_INTERP_KIND_ENUM, _) };
#undef STRATA_INTERP_KIND_ENUM
enum class MemMode : uint8_t { G, E, W, X, A, K, S, Count };
// The handler of kind k in mode m: the memory handlers are listed kind-major, mode-minor.
inline H memHandler(MemKind k, MemMode m) { return H(unsigned(H::I8S_G) + unsigned(MemMode::Count) * unsigned(k) + unsigned(m)); }

// Forms of the handlers generated from opcodes.def for fixed-signature numeric rows (rows.h):
//   Plain         dst, operands..., [lane | 16 shuffle bytes]       (OpGen*)
//   Imm           dst, a, imm            binary scalar op, second operand an immediate
//   BrIf          a[, b], rel            branch when the i32 result is non-zero
//   BrIfImm       a, rel, imm
//   BrUnless      a[, b], rel            branch when the result is zero
//   BrUnlessImm   a, rel, imm
enum class Form : uint8_t { Plain, Imm, BrIf, BrIfImm, BrUnless, BrUnlessImm, Count };
inline constexpr unsigned kNumForms = unsigned(Form::Count);

// ---- operand structs ------------------------------------------------------------------------

// Operand structs are packed: the bytecode stores them back to back, and handlers read their
// fields in place through a reference (OPS in dispatch.cc), one load per field, no copy.
#pragma pack(push, 1)
struct OpNone {};
struct OpBr { Rel rel; };
struct OpCond { Slot cond; Rel rel; };
struct OpBrTable { Slot index; uint32_t count; /* followed by count + 1 Rel, the last the default */ };
// br_table on an i32 just loaded from memory 0 in G mode (`switch (*p)`): the load is done by
// the branch (its value never goes through a slot). Followed by the same table.
struct OpBrTableG { Slot addr; uint32_t offset; uint32_t count; };
struct OpMove { Slot dst, src; };
// Two 8-byte moves, in order (call arguments, branch values).
struct OpMove2 { Slot dst1, src1, dst2, src2; };
// Fills the constant pool on function entry: followed by `count` u64 values for [dst, dst+8*count).
struct OpInitPool { Slot dst; uint32_t count; };
struct OpSlot { Slot slot; };
struct OpConst64 { Slot dst; uint32_t lo, hi; };
// A constant move followed by an unconditional branch (`x = K; break;` in switch arms).
struct OpConstBr { Slot dst; uint32_t lo, hi; Rel rel; };
struct OpConst128 { Slot dst; uint8_t bytes[16]; };
struct OpSelect { Slot dst, a, b, cond; };

struct FuncCode;
struct SigInfo;
// Direct call of a function of the same module: the callee's frame starts at slot `args`.
struct OpCall { const FuncCode* callee; Slot args; };
// Call through vmctx->funcs[func] (imports).
struct OpCallImport { const SigInfo* sig; uint32_t func; Slot args; };
// call_indirect: type check against vmctx->type_ids[type].
struct OpCallIndirect { const SigInfo* sig; Slot index; Slot args; uint32_t table; uint32_t type; uint32_t is64; };
// Call and CallIndirect preceded by the moves of their last arguments (one or two; with one,
// the second repeats it): the operands of the plain call, then the moves, so the shared call
// path reads the same fields.
struct OpCallM { const FuncCode* callee; Slot args; Slot d1, s1, d2, s2; };
struct OpCallIndirectM { const SigInfo* sig; Slot index; Slot args; uint32_t table; uint32_t type; uint32_t is64;
                         Slot d1, s1, d2, s2; };
struct OpCallRef { const SigInfo* sig; Slot ref; Slot args; };
// throw: a new exception of tag `tag` (module index) whose payload is at [args, ...).
struct OpThrow { const SigInfo* sig; Slot args; uint32_t tag; };

struct OpFuel { int32_t cost; };
struct OpGlobal { Slot slot; uint32_t global; };

// Loads/stores: `val` is the destination of loads, the source of stores. G mode reaches memory 0
// through the cached base; E and W modes read vmctx->memories[mem] and check the length.
struct OpMemG { Slot val; Slot addr; uint32_t offset; };
struct OpMemE { Slot val; Slot addr; uint32_t mem; uint32_t pad; uint64_t offset; };
// Lane loads/stores: `vec` is the vector operand, `val` the destination (loads only).
struct OpLaneG { Slot val; Slot addr; Slot vec; uint32_t lane; uint32_t offset; };
struct OpLaneE { Slot val; Slot addr; Slot vec; uint32_t lane; uint32_t mem; uint32_t pad; uint64_t offset; };
// Stores of a constant (SI kinds): the value is an immediate.
struct OpMemImmG { Slot addr; uint32_t offset; uint64_t value; };
struct OpMemImmE { Slot addr; uint32_t mem; uint64_t offset; uint64_t value; };
struct OpMemImmX { Slot addr; Slot index; uint32_t shift; uint32_t offset; uint64_t value; };
// A mode: the effective address (constant address + offset, below 2^33) is the immediate.
struct OpMemA { Slot val; uint32_t pad; uint64_t ea; };
struct OpLaneA { Slot val; Slot vec; uint32_t lane; uint32_t pad; uint64_t ea; };
struct OpMemImmA { uint64_t ea; uint64_t value; };
// X mode: the address is the i32 base + (index << shift), wrapped to 32 bits as the add would.
struct OpMemX { Slot val; Slot addr; Slot index; uint32_t shift; uint32_t offset; };
struct OpLaneX { Slot val; Slot addr; Slot vec; uint32_t lane; Slot index; uint32_t shift; uint32_t offset; };
// K mode: the address is the i32 base + k, wrapped to 32 bits as the folded i32.add would.
struct OpMemK { Slot val; Slot addr; uint32_t k; uint32_t offset; };
struct OpLaneK { Slot val; Slot addr; Slot vec; uint32_t lane; uint32_t k; uint32_t offset; };
struct OpMemImmK { Slot addr; uint32_t k; uint32_t offset; uint32_t pad; uint64_t value; };
// S mode: the address is (index << shift) + k, wrapped to 32 bits as the shl and add would.
struct OpMemS { Slot val; Slot index; uint32_t shift; uint32_t k; uint32_t offset; };
struct OpLaneS { Slot val; Slot index; Slot vec; uint32_t lane; uint32_t shift; uint32_t k; uint32_t offset; };
struct OpMemImmS { Slot index; uint32_t shift; uint32_t k; uint32_t offset; uint64_t value; };

// memory.* / table.* with up to three operands; idx/idx2 are memory/table/segment indices;
// flags bit 0: the first (address) operand is 64-bit, bit 1: the second, bit 2: the third.
struct OpBulk { Slot dst; Slot a, b, c; uint32_t idx, idx2, flags; };
struct OpIndex { Slot dst; Slot src; uint32_t index; };
// GC instructions (vm/gc_ops.h, shared with the machine-code tiers): its Operands are frame
// slots here.
using OpGc = vm::gcops::Operands;
// ref.test / ref.cast: `heap` is the target's ir::HeapType bits (a module type index for
// concrete types); ref.cast checks `src` in place.
struct OpCast { Slot dst, src; uint32_t heap; uint32_t nullable; };
struct OpWide { Slot dst_lo, dst_hi, a, b, c, d; };
// dst = a / d or a % d for a constant d >= 2, through the 64-bit reciprocal m.
struct OpDivConst { Slot dst; Slot a; uint32_t d; uint64_t m; };
#pragma pack(pop)

// The operand struct of each hand-written handler, and the bytes it takes after the handler
// address (an empty struct takes none).
template <H h>
struct HandlerOp;
#define STRATA_X(name, op) \
  template <>              \
  struct HandlerOp<H::name> { using type = op; };
STRATA_INTERP_HANDLERS(STRATA_X)
#undef STRATA_X
template <H h>
using OpOf = typename HandlerOp<h>::type;
template <class Op>
inline constexpr uint32_t kOpBytes = std::is_empty_v<Op> ? 0 : uint32_t(sizeof(Op));
inline constexpr uint32_t kHandOpBytes[] = {
#define STRATA_X(name, op) kOpBytes<op>,
    STRATA_INTERP_HANDLERS(STRATA_X)
#undef STRATA_X
};

// ---- compiled functions ---------------------------------------------------------------------

// Layout of a function type for array calls (RawVal <-> slot conversions): bytes per value, 4
// (i32, f32), 8 (i64, f64, references) or 16 (v128); slots take 8 bytes, or 16 for v128.
struct SigInfo {
  std::vector<uint8_t> params;
  std::vector<uint8_t> results;
  uint32_t param_bytes = 0;   // slot bytes of the parameters
  uint32_t result_bytes = 0;  // slot bytes of the results
  // Indices of the reference parameters: while a host function runs, its arguments exist
  // only as RawVals at the callee's frame start, and those words are GC roots (frames.cc).
  std::vector<uint32_t> ref_params;
  uint32_t nvals() const { return uint32_t(params.size() > results.size() ? params.size() : results.size()); }
};

struct OffsetEntry {
  uint32_t pc;    // bytecode offset of the first instruction emitted for a wasm instruction
  uint32_t wasm;  // its byte offset in the module (Module::bytes coordinates)
};

// Exception handlers (docs/exceptions.md). A HandlerRange covers the bytecode of a try_table's
// body or a legacy try's `do` part; an exception thrown at a pc inside it (a throw, or a call
// whose callee threw) is matched against its clauses in order. Ranges that contain one pc are
// nested, so FuncCode::handlers is sorted innermost (deepest) first.
inline constexpr uint32_t kCatchAll = UINT32_MAX;     // CatchEntry::tag of catch_all*
inline constexpr uint32_t kNoDelegate = UINT32_MAX;   // HandlerRange::delegate of a try with catches
struct CatchEntry {
  uint32_t target = 0;          // bytecode offset of the handler code
  uint32_t tag = kCatchAll;     // tag index in the function's module
  Slot payload = 0;             // the tag's payload values go to [payload, ...)
  Slot exn = 0;                 // the exnref goes here when store_exn
  const SigInfo* sig = nullptr; // the tag's type (the payload layout); null for catch_all*
  // catch_ref and catch_all_ref; a legacy catch whose body rethrows (its hidden slot).
  bool store_exn = false;
  // The slot is an exnref anyone may copy (not a legacy catch's hidden slot, or one whose
  // rethrow a handler inside the same catch body may catch): the exception is then never freed
  // before its store (vm/exception.h).
  bool expose = false;
};
struct HandlerRange {
  uint32_t begin = 0, end = 0;  // [begin, end) in FuncCode::code
  uint32_t depth = 0;           // nesting depth of the try block (the function body is 0)
  // legacy `delegate l`: the exception goes on to the handlers at depth <= delegate (spec
  // legacy exception handling: thrown again "at" label l); 0 = to the caller.
  uint32_t delegate = kNoDelegate;
  uint32_t first = 0, count = 0;  // its clauses in FuncCode::catches
};

// A safepoint (docs/gc.md "Roots" 1): an instruction during which a collection may run (a
// call, a GC handler that may allocate), with the operand-stack slots that hold a reference
// then, as the stack is before the instruction pops its operands (a struct.new's fields stay
// alive while it allocates; a call's arguments belong to the callee's frame and are left out).
// Calls that may reach a host function keep their arguments' RawVals at `args` (sig's
// ref_params); direct calls of this module's functions have no sig.
struct GcSite {
  uint32_t begin = 0, end = 0;    // the instruction: [begin, end) in FuncCode::code
  uint32_t first = 0, count = 0;  // its slots: FuncCode::gc_slots[first, first + count)
  const SigInfo* sig = nullptr;
  Slot args = 0;
};

// One defined function after translation. Immutable once the module is compiled.
struct FuncCode {
  std::vector<uint8_t> code;
  uint32_t param_bytes = 0;  // parameters occupy [0, param_bytes) of the frame
  uint32_t local_bytes = 0;  // declared locals, zeroed on entry: [param_bytes, +local_bytes)
  uint32_t frame_bytes = 0;  // everything the frame may touch, operand stack included
  uint32_t func_index = 0;
  const ir::Module* module = nullptr;
  const SigInfo* sig = nullptr;
  std::vector<OffsetEntry> offsets;  // sorted by pc
  std::vector<HandlerRange> handlers;  // innermost first (see HandlerRange)
  std::vector<CatchEntry> catches;
  // GC roots of a frame (frames.cc traceHook): the reference-typed parameters and locals, live
  // everywhere (declared locals are zeroed on entry), and the safepoints, sorted by begin.
  std::vector<Slot> ref_locals;
  std::vector<Slot> gc_slots;
  std::vector<GcSite> gc_sites;

  // The wasm offset of the instruction whose bytecode contains `pc`.
  uint32_t wasmOffset(const uint8_t* pc) const;
  // The safepoint whose instruction contains `pc`, or null.
  const GcSite* gcSite(const uint8_t* pc) const;
};

// One wasm call in progress: where to resume the caller and the function running in this
// frame. Kept in a per-store array separate from the value stack (backtraces, returns).
struct CallFrame {
  const uint8_t* ret_ip;  // caller's next instruction
  uint8_t* ret_fp;        // caller's frame
  vm::VMContext* ret_vmctx;
  const FuncCode* func;   // the function this frame runs
};

}  // namespace strata::interp
