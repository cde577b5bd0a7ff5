// Per-opcode facts the validator needs beyond the signature in opcodes.def: memory access widths
// (for alignment checks) and lane counts (for lane index checks).
#pragma once

#include <cstdint>
#include <string_view>

#include "ir/opcodes.h"

namespace strata::validate {

// The derivation from the opcodes' keywords, constexpr so that tables built at compile time
// (the validator's fast path, kFastOps) take the same widths as naturalAlignLog2.
namespace detail {

// Reads a decimal number at s[i...]; returns 0 if there is none.
constexpr uint32_t numberAt(std::string_view s, size_t& i) {
  uint32_t n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') n = n * 10 + uint32_t(s[i++] - '0');
  return n;
}

constexpr uint32_t log2Of(uint32_t bytes) {
  uint32_t l = 0;
  while ((1u << l) < bytes) ++l;
  return l;
}

// Bits accessed by a memory instruction named `type.op` (opcode_facts.cc says why from the name).
constexpr uint32_t accessBits(std::string_view text, bool& atomic) {
  size_t dot = text.find('.');
  std::string_view type = text.substr(0, dot);
  std::string_view op = text.substr(dot + 1);
  atomic = op.starts_with("atomic.");
  if (atomic) op.remove_prefix(7);
  for (size_t i = 0; i < op.size(); ++i) {
    if (op[i] < '0' || op[i] > '9') continue;
    uint32_t n = numberAt(op, i);
    if (i < op.size() && op[i] == 'x') {
      ++i;
      n *= numberAt(op, i);
    }
    return n;
  }
  if (type == "i64" || type == "f64") return 64;
  if (type == "v128") return 128;
  return 32;  // i32, f32, and memory.atomic.notify's 32-bit waiter count
}

}  // namespace detail

// log2 of the number of bytes a memory instruction accesses: its natural alignment
// (spec 3.3.7: memarg.align must not exceed it). Only meaningful for MemArg/MemArgLane opcodes.
uint32_t naturalAlignLog2(ir::Opcode op);

// The exclusive upper bound of a lane immediate (spec 3.3.3/3.3.7): the lane count of the shape
// for extract/replace_lane and the lane loads/stores, 32 for i8x16.shuffle; 0 if no lane immediate.
uint32_t laneLimit(ir::Opcode op);

// Threads proposal: atomic accesses need exactly natural alignment rather than at most.
bool isAtomicAccess(ir::Opcode op);

}  // namespace strata::validate
