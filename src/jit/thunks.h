// Out-of-line implementations of the numeric and SIMD rows (sem/rows.h) for the baseline tier:
// every row the code generator does not emit inline is a call to its thunk, so the tier runs
// every instruction the interpreter runs with the same semantics, and inline code is added
// where measurement says it pays (docs/jit.md "Adding an instruction").
#pragma once

#include <cstdint>

#include "ir/opcodes.h"

namespace strata::jit {

// Operands in 16-byte slots at args[0..n) (bottom of the stack first, each value in the low
// bytes of its slot), then the lane index (one byte) or the 16 shuffle indices in slot n. The
// result goes to slot 0. Returns 0, or 1 + the vm::TrapKind when the instruction traps.
using Thunk = uint32_t (*)(uint8_t* args);

// The thunk of a generated row (sem::rows::isGenerated), or null.
Thunk thunkFor(ir::Opcode op);
// Whether the row may trap (its semantic function returns TrapOr).
bool thunkMayTrap(ir::Opcode op);

// The struct and array instructions (vm/gc_ops.h) for machine code: operands in the area at
// `args` (16-byte slots in stack order; struct.new and array.new_fixed: consecutive 8-byte
// slots, 16 for v128), `imm` = type index | second immediate << 32, the result in slot 0.
// Returns 0, or 1 + the vm::TrapKind (1 + kPropagate when the heap refused: the trap record
// holds the message).
using GcThunk = uint32_t (*)(uint8_t* args, void* vmctx, uint64_t imm);
GcThunk gcThunkFor(ir::Opcode op);  // null for any other instruction
// ref.test/ref.cast/br_on_cast: whether `ref` matches the target `heap` = ir::HeapType bits |
// nullable << 32 (vm::refMatchesHeap).
uint32_t castThunk(uintptr_t ref, void* vmctx, uint64_t heap);

// Exception handling (exn_thunks.cc). throw: a new exception of tag `imm` & 0xffffffff with
// `imm` >> 32 payload values from `args` (16-byte slots), put in flight in the trap record
// (or a Host trap when memory is exhausted); the caller then calls the trap stub with
// kPropagate. throw_ref: the (non-null) exception `exn` in flight again. caught: a clause that
// keeps no reference took `exn`: freed unless it was exposed (vm/exception.h).
void* throwThunk(uint8_t* args, void* vmctx, uint64_t imm);  // the exception, or null (trap)
void throwRefThunk(uintptr_t exn, void* vmctx);
void caughtThunk(uintptr_t exn, void* vmctx);
// For code that looks for its handler itself (the llvm tier): the exception the trap record
// carries (null: a trap), and the record cleared once a clause took it.
void* inFlightThunk(void* vmctx);
void takenThunk(void* vmctx);

}  // namespace strata::jit
