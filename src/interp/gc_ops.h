// The interpreter's GC instructions (docs/gc.md): structs, arrays and their allocation, each
// one function the dispatch loop calls from a handler of the same name (dispatch.cc).
#pragma once

#include <cstdint>

#include "interp/bytecode.h"
#include "vm/abi.h"

namespace strata::interp::gc {

// What a GC handler returns: kOk, kOom (the heap refused: a trap with a message), or the
// vm::TrapKind to raise.
inline constexpr unsigned kOk = 0x100;
inline constexpr unsigned kOom = 0x101;

// X(handler name) for every handler implemented by a function of the same name below, with
// operands OpGc (bytecode.h documents the fields of each).
#define STRATA_INTERP_GC_OPS(X)                                                                     \
  X(StructNew) X(StructNewDefault) X(StructGet) X(StructGetS) X(StructGetU) X(StructSet)           \
  X(ArrayNew) X(ArrayNewDefault) X(ArrayNewFixed) X(ArrayNewData) X(ArrayNewElem) X(ArrayGet)      \
  X(ArrayGetS) X(ArrayGetU) X(ArraySet) X(ArrayLen) X(ArrayFill) X(ArrayCopy) X(ArrayInitData)     \
  X(ArrayInitElem)

#define STRATA_X(name) unsigned name(uint8_t* fp, vm::VMContext* vmctx, const OpGc& o);
STRATA_INTERP_GC_OPS(STRATA_X)
#undef STRATA_X

}  // namespace strata::interp::gc
