// Thunks of the struct and array instructions for machine code (thunks.h): each builds the
// operand layout of vm/gc_ops.h over the caller's outgoing area and calls the shared function.
#include <cstring>

#include "jit/stubs.h"
#include "jit/thunks.h"
#include "vm/gc.h"
#include "vm/gc_ops.h"
#include "vm/trap.h"

namespace strata::jit {

namespace {

using vm::gcops::Operands;
using GcFn = unsigned (*)(uint8_t*, vm::VMContext*, const Operands&);

template <GcFn fn, bool kLengthFirst>
uint32_t gcThunk(uint8_t* args, void* ctx, uint64_t imm) {
  auto* vmctx = static_cast<vm::VMContext*>(ctx);
  // a..e one 16-byte slot each; array.new_default's only operand (its length) is its `b`.
  Operands o{0, 0, kLengthFirst ? 0u : 16u, 32, 48, 64, uint32_t(imm), uint32_t(imm >> 32)};
  unsigned r = fn(args, vmctx, o);
  if (r == vm::gcops::kOk) [[likely]] return 0;
  if (r == vm::gcops::kOom) {
    vm::TrapRecord* trap = vmctx->store_ctx->trap;
    trap->raise(vm::TrapKind::Host);
    trap->message = vm::gcops::kOomMessage;
    return 1 + kPropagate;
  }
  return 1 + r;
}

}  // namespace

GcThunk gcThunkFor(ir::Opcode op) {
  switch (op) {
#define STRATA_X(name) \
  case ir::Opcode::name: return &gcThunk<&vm::gcops::name, ir::Opcode::name == ir::Opcode::ArrayNewDefault>;
    STRATA_VM_GC_OPS(STRATA_X)
#undef STRATA_X
    default: return nullptr;
  }
}

uint32_t castThunk(uintptr_t ref, void* vmctx, uint64_t heap) {
  return vm::refMatchesHeap(static_cast<vm::VMContext*>(vmctx), ref, uint32_t(heap), (heap >> 32) != 0);
}

}  // namespace strata::jit
