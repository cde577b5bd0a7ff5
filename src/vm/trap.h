// Trap kinds with the spec suite's wording, and the record a tier fills when code traps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata::vm {

// Each kind prints as the reference interpreter's message (test/core assert_trap texts).
#define STRATA_FOREACH_TRAP(X)                                         \
  X(Unreachable, "unreachable")                                        \
  X(IntegerDivideByZero, "integer divide by zero")                     \
  X(IntegerOverflow, "integer overflow")                               \
  X(InvalidConversion, "invalid conversion to integer")                \
  X(MemoryOutOfBounds, "out of bounds memory access")                  \
  X(TableOutOfBounds, "out of bounds table access")                    \
  X(UndefinedElement, "undefined element")                             \
  X(UninitializedElement, "uninitialized element")                     \
  X(IndirectCallTypeMismatch, "indirect call type mismatch")           \
  X(NullFunctionReference, "null function reference")                  \
  X(NullReference, "null reference")                                   \
  X(NullExceptionReference, "null exception reference")               \
  X(NullStructReference, "null structure reference")                   \
  X(NullI31Reference, "null i31 reference")                            \
  X(NullArrayReference, "null array reference")                        \
  X(ArrayOutOfBounds, "out of bounds array access")                    \
  X(CastFailure, "cast failure")                                       \
  X(UnalignedAtomic, "unaligned atomic")                               \
  X(CallStackExhausted, "call stack exhausted")                        \
  X(Interrupt, "interrupt")                                            \
  X(OutOfFuel, "all fuel consumed by WebAssembly")                     \
  X(UncaughtException, "uncaught exception")                           \
  X(Host, "host error")                                                \
  X(Exit, "exit")

enum class TrapKind : uint8_t {
#define X(e, m) e,
  STRATA_FOREACH_TRAP(X)
#undef X
};

const char* trapMessage(TrapKind kind);

// One wasm frame of a backtrace: which function and where (byte offset of the instruction in
// the module's binary; for text modules, in the encoded buffer).
struct TrapFrame {
  const void* module = nullptr;  // ir::Module* the function belongs to (names come from it)
  uint32_t func_index = 0;
  uint32_t offset = 0;
};

struct VMException;

// Filled by the tier that detects the trap (innermost frame first), then by every tier that
// unwinds through an activation, and read by the runtime when the call returns false.
struct TrapRecord {
  bool pending = false;
  TrapKind kind = TrapKind::Unreachable;
  std::string message;  // for Host traps: the host's message; else empty (use trapMessage)
  int32_t exit_status = 0;  // for Exit (WASI proc_exit): the status the program exits with
  std::vector<TrapFrame> frames;
  // For UncaughtException: the exception in flight (a VMException*, vm/exception.h). A tier
  // that finds a handler for it takes it out and clears the record (the unwinding of a wasm
  // exception through other tiers' and host frames rides on the trap path: docs/exceptions.md).
  // Traps proper never carry one, so no handler can catch them (spec 4.4.x: traps are not
  // exceptions).
  VMException* exception = nullptr;

  void raise(TrapKind k) {
    pending = true;
    kind = k;
    message.clear();
    frames.clear();
    exception = nullptr;
  }
  // Clears the record after a handler caught the exception it carried.
  void clear() {
    pending = false;
    message.clear();
    frames.clear();
    exception = nullptr;
  }
};

}  // namespace strata::vm
