// The semantics of every SIMD and relaxed-SIMD instruction as pure inline functions: the
// interpreter's handlers call them, and the JIT tiers test against them.
//
// The contract with the handlers generated from src/ir/opcodes.def: for every row with prefix
// 0xfd, fixed params and Imm None, Lane or Shuffle, this namespace has exactly one function
// (no overloads, so &simd::Name is unambiguous) named like the row's enum name, with
//   parameters: one per params letter, bottom of the stack first (i -> uint32_t, l -> uint64_t,
//               f -> float, d -> double, v -> V128), then `uint8_t lane` for Imm::Lane or
//               `const uint8_t* lanes` (the 16 immediate indices) for Imm::Shuffle;
//   result:     the single results letter mapped the same way.
// tests/interp/simd_test.cc checks every such row against this rule at compile time.
// v128.const (Imm V128) needs no function: V128::load the 16 immediate bytes. The memory rows
// (Imm MemArg, MemArgLane) are hand-written handlers; simd_lanes.h lists which helper each uses.
//
// Files: simd_types.h (V128, lane views, NaN helpers), simd_lanes.h (splat, lanes, shuffle,
// swizzle, bitwise, memory helpers), simd_int.h (same-shape integer ops), simd_widen.h
// (narrow, extend, extmul, extadd, dot, q15mulr), simd_float.h, simd_conv.h, simd_relaxed.h.
// To add a SIMD opcode: add the row to opcodes.def, then its function in the file of its family
// with the signature above; the static check fails the build until it exists.
#pragma once

#include "sem/simd_conv.h"     // IWYU pragma: export
#include "sem/simd_float.h"    // IWYU pragma: export
#include "sem/simd_int.h"      // IWYU pragma: export
#include "sem/simd_lanes.h"    // IWYU pragma: export
#include "sem/simd_relaxed.h"  // IWYU pragma: export
#include "sem/simd_types.h"    // IWYU pragma: export
#include "sem/simd_widen.h"    // IWYU pragma: export
