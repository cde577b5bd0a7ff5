// The exception-handling thunks of machine code (thunks.h; docs/exceptions.md "Machine code").
#include <cstring>

#include "jit/thunks.h"
#include "vm/exception.h"
#include "vm/trap.h"

namespace strata::jit {

namespace {

// The exception in flight, as the interpreter's throw leaves it (interp/exceptions.cc): the
// trap path carries it to the handler that catches it, in any tier.
void inFlight(vm::VMContext* vmctx, vm::VMException* exn) {
  vm::TrapRecord* trap = vmctx->store_ctx->trap;
  trap->raise(vm::TrapKind::UncaughtException);
  trap->exception = exn;
}

}  // namespace

void* throwThunk(uint8_t* args, void* ctx, uint64_t imm) {
  auto* vmctx = static_cast<vm::VMContext*>(ctx);
  auto n = uint32_t(imm >> 32);
  vm::VMException* exn = vm::newException(vmctx->store_ctx, vmctx->tags[uint32_t(imm)], n);
  if (!exn) {
    vm::TrapRecord* trap = vmctx->store_ctx->trap;
    trap->raise(vm::TrapKind::Host);
    trap->message = vm::kExnOomMessage;
    return nullptr;
  }
  // The payload in the array-call form: one 16-byte slot per value, as the operands were stored.
  std::memcpy(static_cast<void*>(exn->vals), args, 16 * size_t(n));
  inFlight(vmctx, exn);
  return exn;
}

void throwRefThunk(uintptr_t exn, void* vmctx) {
  inFlight(static_cast<vm::VMContext*>(vmctx), reinterpret_cast<vm::VMException*>(exn));
}

void caughtThunk(uintptr_t exn, void* vmctx) {
  auto* e = reinterpret_cast<vm::VMException*>(exn);
  if (!e->exposed) vm::freeException(static_cast<vm::VMContext*>(vmctx)->store_ctx, e);
}

void* inFlightThunk(void* vmctx) { return static_cast<vm::VMContext*>(vmctx)->store_ctx->trap->exception; }

void takenThunk(void* vmctx) { static_cast<vm::VMContext*>(vmctx)->store_ctx->trap->clear(); }

}  // namespace strata::jit
