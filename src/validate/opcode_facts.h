// Per-opcode facts the validator needs beyond the signature in opcodes.def: memory access widths
// (for alignment checks) and lane counts (for lane index checks).
#pragma once

#include <cstdint>

#include "ir/opcodes.h"

namespace strata::validate {

// log2 of the number of bytes a memory instruction accesses: its natural alignment
// (spec 3.3.7: memarg.align must not exceed it). Only meaningful for MemArg/MemArgLane opcodes.
uint32_t naturalAlignLog2(ir::Opcode op);

// The exclusive upper bound of a lane immediate (spec 3.3.3/3.3.7): the lane count of the shape
// for extract/replace_lane and the lane loads/stores, 32 for i8x16.shuffle; 0 if no lane immediate.
uint32_t laneLimit(ir::Opcode op);

// Threads proposal: atomic accesses need exactly natural alignment rather than at most.
bool isAtomicAccess(ir::Opcode op);

}  // namespace strata::validate
