// The threads proposal's atomic memory instructions, derived from their rows in opcodes.def:
// width and operation come from the row's text ("i64.atomic.rmw16.cmpxchg_u": 2 bytes,
// compare-exchange), so one template implements all 67 rows.
//
// Why plain loads and stores are enough: a store is only ever run by one thread at a time and
// the runtime has no shared-memory threads yet, so every access is trivially sequentially
// consistent. memory.atomic.wait can therefore never be woken: it returns "not-equal" (1) or
// "timed-out" (2), and memory.atomic.notify wakes nobody (0). When threads arrive, these become
// std::atomic_ref operations on the same addresses.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "interp/bytecode.h"
#include "interp/rows.h"
#include "vm/trap.h"

namespace strata::interp {

enum class AtomicOp : uint8_t { None, Load, Store, Add, Sub, And, Or, Xor, Xchg, Cmpxchg, Notify, Wait, Fence };

struct AtomicInfo {
  AtomicOp op = AtomicOp::None;
  uint32_t bytes = 0;  // memory access width
};

constexpr AtomicInfo atomicInfo(ir::Opcode code) {
  const RowInfo& r = row(code);
  if (r.feature != ir::Feature::Threads) return {};
  std::string_view t = r.text;
  if (t == "atomic.fence") return {AtomicOp::Fence, 0};
  if (t == "memory.atomic.notify") return {AtomicOp::Notify, 4};
  if (t == "memory.atomic.wait32") return {AtomicOp::Wait, 4};
  if (t == "memory.atomic.wait64") return {AtomicOp::Wait, 8};
  // "<i32|i64>.atomic.<load|store|rmw><bits?>[.<op>][_u]"
  AtomicInfo a;
  std::string_view rest = t.substr(t.find(".atomic.") + 8);
  std::string_view word = rest.starts_with("load") ? "load" : rest.starts_with("store") ? "store" : "rmw";
  std::string_view bits = rest.substr(word.size());
  a.bytes = bits.starts_with("8") ? 1 : bits.starts_with("16") ? 2 : bits.starts_with("32") ? 4 : t.starts_with("i64") ? 8 : 4;
  std::string_view op = rest.substr(rest.find('.') == std::string_view::npos ? rest.size() : rest.find('.') + 1);
  if (word == "load") a.op = AtomicOp::Load;
  else if (word == "store") a.op = AtomicOp::Store;
  else if (op.starts_with("add")) a.op = AtomicOp::Add;
  else if (op.starts_with("sub")) a.op = AtomicOp::Sub;
  else if (op.starts_with("and")) a.op = AtomicOp::And;
  else if (op.starts_with("or")) a.op = AtomicOp::Or;
  else if (op.starts_with("xor")) a.op = AtomicOp::Xor;
  else if (op.starts_with("xchg")) a.op = AtomicOp::Xchg;
  else if (op.starts_with("cmpxchg")) a.op = AtomicOp::Cmpxchg;
  return a;
}

static_assert(atomicInfo(ir::Opcode::I64AtomicRmw16CmpxchgU).op == AtomicOp::Cmpxchg &&
              atomicInfo(ir::Opcode::I64AtomicRmw16CmpxchgU).bytes == 2);
static_assert(atomicInfo(ir::Opcode::I64AtomicLoad32U).bytes == 4 && atomicInfo(ir::Opcode::I64AtomicStore).bytes == 8);
static_assert(atomicInfo(ir::Opcode::I32AtomicRmw8XorU).op == AtomicOp::Xor &&
              atomicInfo(ir::Opcode::I32AtomicRmw8XorU).bytes == 1);
static_assert(atomicInfo(ir::Opcode::I32AtomicRmwOr).op == AtomicOp::Or && atomicInfo(ir::Opcode::I32Add).op == AtomicOp::None);

// Operands: dst (result), addr, a (value / expected / count), b (replacement / timeout).
// flags bit 0: 64-bit address (memory64), bit 1: the memory is shared.
struct OpAtomic {
  Slot dst, addr, a, b;
  uint32_t mem, flags;
  uint64_t offset;
};

// Runs the atomic row `code` at ip; null after a trap (kind in tk).
template <ir::Opcode code>
inline const uint8_t* atomicExec(const uint8_t* ip, uint8_t* fp, vm::VMContext* vmctx, vm::TrapKind& tk) {
  constexpr AtomicInfo info = atomicInfo(code);
  if constexpr (info.op == AtomicOp::None) {
    __builtin_unreachable();
  } else {
    const OpAtomic o = rd<OpAtomic>(ip + 8);
    const uint8_t* next = ip + 8 + sizeof(OpAtomic);
    if constexpr (info.op == AtomicOp::Fence) {
      return next;
    } else {
      const vm::VMMemory* m = vmctx->memories[o.mem];
      uint64_t addr = o.flags & 1 ? rd<uint64_t>(fp + o.addr) : rd<uint32_t>(fp + o.addr);
      uint64_t ea;
      if (__builtin_add_overflow(addr, o.offset, &ea)) {
        tk = vm::TrapKind::MemoryOutOfBounds;
        return nullptr;
      }
      // threads proposal: the effective address must be aligned to the access width.
      if (ea % info.bytes != 0) {
        tk = vm::TrapKind::UnalignedAtomic;
        return nullptr;
      }
      if (ea > m->length || m->length - ea < info.bytes) {
        tk = vm::TrapKind::MemoryOutOfBounds;
        return nullptr;
      }
      uint8_t* p = m->base + ea;
      uint64_t old = 0;
      std::memcpy(&old, p, info.bytes);
      uint64_t a = rd<uint64_t>(fp + o.a);
      uint64_t mask = info.bytes == 8 ? ~0ull : (1ull << (8 * info.bytes)) - 1;
      uint64_t result = old;
      if constexpr (info.op == AtomicOp::Load) {
      } else if constexpr (info.op == AtomicOp::Store) {
        std::memcpy(p, &a, info.bytes);
        return next;
      } else if constexpr (info.op == AtomicOp::Notify) {
        result = 0;  // no thread can be waiting
      } else if constexpr (info.op == AtomicOp::Wait) {
        if (!(o.flags & 2)) {
          tk = vm::TrapKind::Host;  // dispatch.cc words it "expected shared memory"
          return nullptr;
        }
        result = (old & mask) != (a & mask) ? 1 : 2;  // not-equal, or timed-out: nobody can notify
      } else if constexpr (info.op == AtomicOp::Cmpxchg) {
        if ((old & mask) == (a & mask)) std::memcpy(p, fp + o.b, info.bytes);
      } else {
        uint64_t v = a;
        if constexpr (info.op == AtomicOp::Add) v = old + a;
        else if constexpr (info.op == AtomicOp::Sub) v = old - a;
        else if constexpr (info.op == AtomicOp::And) v = old & a;
        else if constexpr (info.op == AtomicOp::Or) v = old | a;
        else if constexpr (info.op == AtomicOp::Xor) v = old ^ a;
        std::memcpy(p, &v, info.bytes);
      }
      wr(fp + o.dst, result & mask);
      return next;
    }
  }
}

}  // namespace strata::interp
