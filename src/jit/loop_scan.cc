#include "jit/loop_scan.h"

#include <algorithm>
#include <array>

#include "decode/instr.h"

namespace strata::jit {

namespace {

using ir::Opcode;

// The scan's own decoding of the frequent one-byte opcodes (spec 5.4): which immediates follow,
// and what the scan does with them. Everything else (prefixed opcodes, br_table, typed select,
// exceptions, block types with a type index) goes through decode::InstrReader.
enum Kind : uint8_t { Slow, None, Leb, Leb2, Local, Br, BrIf, Block, End, MemArg, Skip4, Skip8, Call, Call2 };

constexpr std::array<uint8_t, 256> kKinds = [] {
  std::array<uint8_t, 256> k{};  // Slow
  k[0x00] = k[0x01] = k[0x05] = k[0x0f] = k[0x1a] = k[0x1b] = None;  // unreachable nop else return drop select
  k[0x02] = k[0x03] = k[0x04] = Block;
  k[0x0b] = End;
  k[0x0c] = Br;
  k[0x0d] = BrIf;
  k[0x12] = k[0x15] = Leb;   // return_call, return_call_ref
  k[0x13] = Leb2;             // return_call_indirect
  k[0x10] = k[0x14] = Call;   // call, call_ref
  k[0x11] = Call2;            // call_indirect
  k[0x20] = k[0x21] = k[0x22] = Local;
  for (int op = 0x23; op <= 0x26; ++op) k[op] = Leb;  // global.get/set, table.get/set
  for (int op = 0x28; op <= 0x3e; ++op) k[op] = MemArg;
  k[0x3f] = k[0x41] = k[0x42] = Leb;  // memory.size, i32/i64.const
  k[0x40] = Call;                      // memory.grow
  k[0x43] = Skip4;
  k[0x44] = Skip8;
  for (int op = 0x45; op <= 0xc4; ++op) k[op] = None;  // numeric instructions
  k[0xd1] = k[0xd3] = k[0xd4] = None;                  // ref.is_null, ref.eq, ref.as_non_null
  k[0xd2] = Leb;                                        // ref.func
  return k;
}();

}  // namespace

// Inlined into scan's loop: a call per local access was a third of the scan's cost (fft).
inline void LoopScanner::access(uint32_t local, bool write, uint32_t depth, uint32_t loops, bool exited) {
  if (local >= first_.size()) return;  // invalid: the validator says so later
  if (first_[local] == kUnseen) {
    first_[local] = write && depth == 0 && !exited ? kWrittenFirst : kReadFirst;
    locals_.push_back(local);
  }
  if (write) first_[local] |= kWritten;
  weight_[local] += 1u << (2 * std::min(loops, 4u));
}

uint32_t LoopScanner::scan(ByteReader body, const ir::Features& features, uint32_t num_locals, uint32_t max_instrs) {
  for (uint32_t l : locals_) weight_[l] = 0, first_[l] = kUnseen;
  locals_.clear();
  has_calls_ = false;
  if (weight_.size() < num_locals) weight_.resize(num_locals, 0), first_.resize(num_locals, kUnseen);
  const uint8_t* p = body.pos();
  const uint8_t* const end = p + body.remaining();
  // A LEB128 of at most 10 bytes; its low 32 bits in *v. False at the end of the bytes.
  auto leb = [&](uint32_t* v) {
    if (p != end && *p < 0x80) {  // one byte: most indices and offsets
      *v = *p++;
      return true;
    }
    uint32_t x = 0;
    for (int i = 0; i < 10 && p != end; ++i) {
      uint8_t b = *p++;
      if (i < 5) x |= uint32_t(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) {
        *v = x;
        return true;
      }
    }
    return false;
  };
  uint32_t depth = 0;   // blocks open inside the loop body
  uint64_t loop_bits = 0;  // bit d: the block at depth d + 1 is a loop (deeper ones count as blocks)
  uint32_t loops = 0;   // loops open inside the body
  bool exited = false;  // a branch out of the loop seen
  auto open = [&](bool is_loop) {
    if (is_loop && depth < 64) loop_bits |= uint64_t(1) << depth, ++loops;
    ++depth;
  };
  auto close = [&] {  // false: the loop's own end
    if (depth == 0) return false;
    --depth;
    if (depth < 64 && (loop_bits & (uint64_t(1) << depth))) loop_bits &= ~(uint64_t(1) << depth), --loops;
    return true;
  };
  uint32_t v = 0, w = 0;
  uint32_t n = 0;
  for (; n < max_instrs && p != end; ++n) {
    const uint8_t* at = p;
    uint8_t op = *p++;
    switch (Kind(kKinds[op])) {
      case None: continue;
      case Leb:
        if (!leb(&v)) return n;
        continue;
      case Leb2:
        if (!leb(&v) || !leb(&w)) return n;
        continue;
      case Call:
        has_calls_ = true;
        if (!leb(&v)) return n;
        continue;
      case Call2:
        has_calls_ = true;
        if (!leb(&v) || !leb(&w)) return n;
        continue;
      case Local:
        if (!leb(&v)) return n;
        access(v, op != 0x20, depth, loops, exited);
        continue;
      case Br:
      case BrIf:
        if (!leb(&v)) return n;
        exited |= v > depth;
        continue;
      case Block: {
        if (p == end) return n;
        uint8_t t = *p;
        // The one-byte block types: empty, a number or vector type, funcref, externref.
        if (!(t == 0x40 || (t >= 0x7b && t <= 0x7f) || t == 0x70 || t == 0x6f)) break;
        ++p;
        open(op == 0x03);
        continue;
      }
      case End:
        if (!close()) return n + 1;
        continue;
      case MemArg: {
        if (!leb(&v)) return n;
        if ((v & 0x40) && !leb(&w)) return n;  // multi-memory: a memory index follows the flags
        if (!leb(&w)) return n;
        continue;
      }
      case Skip4:
      case Skip8: {
        size_t k = kKinds[op] == Skip4 ? 4 : 8;
        if (size_t(end - p) < k) return n;
        p += k;
        continue;
      }
      case Slow: break;
    }
    // The general decoder, from the opcode.
    ByteReader r(std::span<const uint8_t>(at, size_t(end - at)));
    decode::InstrReader reader(r, features);
    decode::Instr in;
    if (!reader.next(in)) return n;
    p = reader.bytes().pos();
    switch (in.op) {
      case Opcode::Block:
      case Opcode::If:
      case Opcode::Try: open(false); break;
      case Opcode::Loop: open(true); break;
      case Opcode::TryTable:  // its catch clauses branch
        exited = true;
        open(false);
        break;
      case Opcode::Delegate:  // ends its try
        exited = true;
        if (!close()) return n + 1;
        break;
      case Opcode::BrTable:
        for (uint32_t t : reader.brTargets()) exited |= t > depth;
        break;
      default: {
        const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
        // The bulk memory and table instructions (0xfc 8 and up) call builtins.
        if (info.prefix == 0xfc && info.code >= 8) has_calls_ = true;
        ir::Imm imm = info.imm;
        // Other branches (br_on_*, rethrow) and throws: conservatively, out of the loop.
        if (imm == ir::Imm::Label || imm == ir::Imm::BrOnCast || imm == ir::Imm::Tag || in.op == Opcode::ThrowRef)
          exited = true;
        break;
      }
    }
  }
  return n;
}

}  // namespace strata::jit
