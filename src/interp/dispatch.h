// The interpreter's dispatch loop and its array-call entry (the VMFuncRef::array_call of every
// interpreted function).
#pragma once

#include <cstddef>
#include <cstdint>

#include "interp/frames.h"
#include "vm/abi.h"

namespace strata::interp {

// Handler addresses, taken from the dispatch function itself (computed goto labels):
// hand[unsigned(H::x)], gen[unsigned(opcode) * kNumForms + unsigned(form)], pair[index in
// kPairs] (pairs.h) and atomic[unsigned(opcode)] (atomics.h; threads rows only).
struct HandlerTables {
  const void* const* hand = nullptr;
  const void* const* gen = nullptr;
  const void* const* pair = nullptr;
  const void* const* atomic = nullptr;
  const void* const* incr = nullptr;  // increment-and-branch: findIncr(op, form) (pairs.h)
};
const HandlerTables& handlerTables();

// Runs bytecode from `ip` in frame `fp` until the activation's base frame returns (true) or a
// trap unwinds it (false, the trap recorded in the store).
bool execute(StoreStack* st, Activation* act, vm::VMContext* vmctx, uint8_t* fp, const uint8_t* ip);

// vm::ArrayCallFn of interpreted functions: callee->code is the FuncCode.
bool interpEntry(const vm::VMFuncRef* callee, vm::VMContext* caller, vm::RawVal* vals, size_t nvals);

}  // namespace strata::interp
