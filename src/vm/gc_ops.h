// The struct and array instructions (docs/gc.md), shared by every tier: the interpreter's
// handlers call them on its frame slots (dispatch.cc), the baseline tier's thunks on the
// operands it stores to its outgoing area (jit/codegen_gc.cc). Each returns kOk, kOom (the
// heap refused: a trap with a message) or the vm::TrapKind to raise.
#pragma once

#include <cstdint>

#include "vm/abi.h"

namespace strata::vm::gcops {

inline constexpr unsigned kOk = 0x100;
inline constexpr unsigned kOom = 0x101;
// The trap message of kOom (a Host trap), on every tier.
inline constexpr const char* kOomMessage = "out of memory: the GC heap limit is reached";

// Where the operands are: byte offsets from a base (the interpreter's frame pointer, or the
// start of a machine tier's outgoing area). `type` is the module's type index of the struct or
// array, `idx` the field, data or element segment index, or array.new_fixed's count; a..e are
// the operands in stack order (for struct.new and array.new_fixed, `a` is the first of
// consecutive slots, 8 bytes each, 16 for v128) and dst the result, written last (it may be
// the home of an operand).
struct Operands {
  uint32_t dst, a, b, c, d, e;
  uint32_t type, idx;
};

// X(name) for every instruction implemented by a function of the same name below.
#define STRATA_VM_GC_OPS(X)                                                                         \
  X(StructNew) X(StructNewDefault) X(StructGet) X(StructGetS) X(StructGetU) X(StructSet)           \
  X(ArrayNew) X(ArrayNewDefault) X(ArrayNewFixed) X(ArrayNewData) X(ArrayNewElem) X(ArrayGet)      \
  X(ArrayGetS) X(ArrayGetU) X(ArraySet) X(ArrayLen) X(ArrayFill) X(ArrayCopy) X(ArrayInitData)     \
  X(ArrayInitElem)

#define STRATA_X(name) unsigned name(uint8_t* base, VMContext* vmctx, const Operands& o);
STRATA_VM_GC_OPS(STRATA_X)
#undef STRATA_X

}  // namespace strata::vm::gcops
