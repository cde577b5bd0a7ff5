// Memory access widths and lane counts, derived once from the opcodes' text keywords.
//
// Why derive rather than list: the spec names every memory instruction after its access width
// (spec 2.4.7 and 2.4.4): `i64.load16_s` reads 16 bits, `v128.load8x8_s` reads 8x8 = 64,
// `i32.atomic.rmw8.add_u` 8, `memory.atomic.wait64` 64; a name without a width (`f64.load`,
// `i32.atomic.rmw.cmpxchg`, `v128.store`) accesses its whole value type, and
// `memory.atomic.notify` a 32-bit counter. Reading the width from the keyword keeps opcodes.def
// the single list of opcodes; tests/validate/opcode_facts_test.cc pins every class of name.
#include "validate/opcode_facts.h"

#include <array>
#include <string_view>

namespace strata::validate {

namespace {

struct Facts {
  uint8_t align_log2 = 0;
  uint8_t lane_limit = 0;
  bool atomic = false;
};

// Lane count of a shape prefix such as "i16x8".
uint32_t shapeLanes(std::string_view text) {
  size_t x = text.find('x');
  if (x == std::string_view::npos) return 0;
  size_t i = x + 1;
  return detail::numberAt(text, i);
}

std::array<Facts, ir::kNumOpcodes> buildFacts() {
  std::array<Facts, ir::kNumOpcodes> facts{};
  for (unsigned i = 0; i < ir::kNumOpcodes; ++i) {
    const ir::OpcodeInfo& info = ir::opcodeInfo(ir::Opcode(i));
    Facts& f = facts[i];
    if (info.imm == ir::Imm::MemArg || info.imm == ir::Imm::MemArgLane) {
      uint32_t bits = detail::accessBits(info.text, f.atomic);
      f.align_log2 = uint8_t(detail::log2Of(bits / 8));
      if (info.imm == ir::Imm::MemArgLane) f.lane_limit = uint8_t(128 / bits);
    } else if (info.imm == ir::Imm::Lane) {
      f.lane_limit = uint8_t(shapeLanes(info.text));
    } else if (info.imm == ir::Imm::Shuffle) {
      f.lane_limit = 32;  // spec 3.3.3: i8x16.shuffle lanes index both operands' 32 bytes
    }
  }
  return facts;
}

const Facts& factsOf(ir::Opcode op) {
  static const std::array<Facts, ir::kNumOpcodes> table = buildFacts();
  return table[unsigned(op)];
}

}  // namespace

uint32_t naturalAlignLog2(ir::Opcode op) { return factsOf(op).align_log2; }
uint32_t laneLimit(ir::Opcode op) { return factsOf(op).lane_limit; }
bool isAtomicAccess(ir::Opcode op) { return factsOf(op).atomic; }

}  // namespace strata::validate
