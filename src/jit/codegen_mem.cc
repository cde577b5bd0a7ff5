// Memory, table and reference instructions (spec 4.4.6, 4.4.7, 4.4.2).
//
// Addresses. A 32-bit memory with 64 KiB pages under BoundsChecks::GuardPages lives in an
// 8 GiB reservation, so base + zero-extended index + offset (< 2^32 each) always lands inside
// it: the access is emitted unchecked and recorded as a Fault site, and the signal handler
// turns its fault into "out of bounds memory access". Every other memory (explicit mode,
// memory64, pages smaller than the OS page) compares index + offset + size with the length.
#include <cstring>

#include "jit/codegen.h"
#include "jit/stubs.h"
#include "vm/builtins.h"

namespace strata::jit {

using asmjit::Label;
using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

namespace {

uint32_t accessBytes(Opcode op) {
  switch (op) {
    case Opcode::I32Load8S:
    case Opcode::I32Load8U:
    case Opcode::I64Load8S:
    case Opcode::I64Load8U:
    case Opcode::I32Store8:
    case Opcode::I64Store8:
    case Opcode::V128Load8Splat:
    case Opcode::V128Load8Lane:
    case Opcode::V128Store8Lane: return 1;
    case Opcode::I32Load16S:
    case Opcode::I32Load16U:
    case Opcode::I64Load16S:
    case Opcode::I64Load16U:
    case Opcode::I32Store16:
    case Opcode::I64Store16:
    case Opcode::V128Load16Splat:
    case Opcode::V128Load16Lane:
    case Opcode::V128Store16Lane: return 2;
    case Opcode::I32Load:
    case Opcode::F32Load:
    case Opcode::I64Load32S:
    case Opcode::I64Load32U:
    case Opcode::I32Store:
    case Opcode::F32Store:
    case Opcode::I64Store32:
    case Opcode::V128Load32Splat:
    case Opcode::V128Load32Zero:
    case Opcode::V128Load32Lane:
    case Opcode::V128Store32Lane: return 4;
    case Opcode::V128Load:
    case Opcode::V128Store: return 16;
    default: return 8;
  }
}

}  // namespace

// Pops the address and returns the operand of an access of `size` bytes; temporaries it takes
// are in mem_temps_ until the access is emitted (releaseMemTemps).
Mem FuncCompiler::memOperand(const decode::Instr& in, uint32_t size, Gp& base_reg) {
  uint32_t m = in.mem.memory;
  const ir::MemoryType& mt = module_.memories[m].type;
  bool guard = ms_.options.bounds == vm::BoundsChecks::GuardPages && !mt.limits.is64 && mt.page_size_log2 >= 12;
  uint64_t offset = in.mem.offset;
  Val addr = stack_.back();
  stack_.pop_back();  // its register stays taken until releaseMemTemps
  mem_temps_ = addr.loc == Loc::Reg ? 1u << addr.reg : 0;
  if (guard) {
    Gp base = r14;
    if (m == 0) uses_memory_base_ = true;
    if (m != 0) {
      base = allocGpr();
      mem_temps_ |= 1u << base.id();
      a().mov(base, qword_ptr(r15, offsetof(vm::VMContext, memories)));
      a().mov(base, qword_ptr(base, 8 * int32_t(m)));
      a().mov(base, qword_ptr(base, offsetof(vm::VMMemory, base)));
    }
    base_reg = base;
    if (addr.loc == Loc::Const) {
      uint64_t ea = uint64_t(uint32_t(addr.imm)) + offset;
      if (ea < (uint64_t(1) << 31)) return ptr(base, int32_t(ea), size);
      a().mov(r11, asmjit::imm(int64_t(ea)));
      return ptr(base, r11, 0, 0, size);
    }
    // A cached local is read in place (its register is held, never released, by the access).
    int c = cacheOf(addr);
    Gp idx = c >= 0 ? gpq(uint8_t(c)) : toGpr(addr, mem_temps_);
    mem_temps_ |= 1u << idx.id();
    if (c >= 0) mem_borrowed_ = 1u << c;
    if (offset < (uint64_t(1) << 31)) return ptr(base, idx, 0, int32_t(offset), size);
    a().mov(r11, asmjit::imm(int64_t(offset)));
    a().add(r11, idx);
    return ptr(base, r11, 0, 0, size);
  }
  // Explicit: r11 = index + offset + size (carry = beyond 2^64), compared with the length.
  uint64_t end_off = offset + size;
  Label oob = trapLabel(uint32_t(vm::TrapKind::MemoryOutOfBounds));
  if (end_off < offset) {
    a().jmp(oob);
    end_off = 0;
  }
  if (addr.loc == Loc::Const) {
    a().mov(r11, asmjit::imm(int64_t(mt.limits.is64 ? addr.imm : uint32_t(addr.imm))));
  } else if (int c = cacheOf(addr); c >= 0) {  // a local's cache: its home may be stale
    if (mt.limits.is64) a().mov(r11, gpq(uint8_t(c)));
    else a().mov(r11d, gpd(uint8_t(c)));
  } else if (addr.loc == Loc::Mem) {
    if (mt.limits.is64) a().mov(r11, qword_ptr(rbp, addr.disp));
    else a().mov(r11d, dword_ptr(rbp, addr.disp));
  } else {
    if (mt.limits.is64) a().mov(r11, gpq(addr.reg));
    else a().mov(r11d, gpd(addr.reg));
  }
  Gp t = allocGpr(mem_temps_);
  mem_temps_ |= 1u << t.id();
  if (end_off <= uint64_t(INT32_MAX)) {
    a().add(r11, asmjit::imm(int32_t(end_off)));
  } else {
    a().mov(t, asmjit::imm(int64_t(end_off)));
    a().add(r11, t);
  }
  a().jc(oob);
  a().mov(t, qword_ptr(r15, offsetof(vm::VMContext, memories)));
  a().mov(t, qword_ptr(t, 8 * int32_t(m)));
  a().cmp(r11, qword_ptr(t, offsetof(vm::VMMemory, length)));
  a().ja(oob);
  a().mov(t, qword_ptr(t, offsetof(vm::VMMemory, base)));
  base_reg = t;
  return ptr(t, r11, 0, -int32_t(size), size);
}

void FuncCompiler::releaseMemTemps() {
  gpr_used_ &= ~(mem_temps_ & ~mem_borrowed_);
  mem_temps_ = mem_borrowed_ = 0;
}

void FuncCompiler::visitMemory(const decode::Instr& in) {
  if (ir::opcodeInfo(in.op).prefix == 0xfe) return unsupported(in);  // atomics (threads)
  uint32_t size = accessBytes(in.op);
  Gp base;
  const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
  bool guard_site = ms_.options.bounds == vm::BoundsChecks::GuardPages;
  auto fault = [&] {
    if (guard_site) siteFault();
  };
  if (info.results.empty() || info.results == "*" ? false : info.params.size() == 1 && info.imm == ir::Imm::MemArg) {
    // Loads: (address) -> value.
    Mem mem = memOperand(in, size, base);
    char r = info.results[0];
    if (r == 'i' || r == 'l') {
      Gp d = allocGpr(mem_temps_);
      Gp d32 = d.r32();
      fault();
      switch (in.op) {
        case Opcode::I32Load: a().mov(d32, mem); break;
        case Opcode::I64Load: a().mov(d, mem); break;
        case Opcode::I32Load8S: a().movsx(d32, mem); break;
        case Opcode::I32Load8U:
        case Opcode::I64Load8U: a().movzx(d32, mem); break;
        case Opcode::I32Load16S: a().movsx(d32, mem); break;
        case Opcode::I32Load16U:
        case Opcode::I64Load16U: a().movzx(d32, mem); break;
        case Opcode::I64Load8S:
        case Opcode::I64Load16S: a().movsx(d, mem); break;
        case Opcode::I64Load32S: a().movsxd(d, mem); break;
        case Opcode::I64Load32U: a().mov(d32, mem); break;
        default: unsupported(in); break;
      }
      releaseMemTemps();
      gpr_used_ &= ~(1u << d.id());
      pushReg(r == 'i' ? ValKind::I32 : ValKind::I64, uint8_t(d.id()));
      return;
    }
    Xmm x = allocXmm();
    switch (in.op) {
      case Opcode::F32Load: fault(); a().movss(x, mem); break;
      case Opcode::F64Load: fault(); a().movsd(x, mem); break;
      case Opcode::V128Load: fault(); a().movups(x, mem); break;
      case Opcode::V128Load8x8S: fault(); a().pmovsxbw(x, mem); break;
      case Opcode::V128Load8x8U: fault(); a().pmovzxbw(x, mem); break;
      case Opcode::V128Load16x4S: fault(); a().pmovsxwd(x, mem); break;
      case Opcode::V128Load16x4U: fault(); a().pmovzxwd(x, mem); break;
      case Opcode::V128Load32x2S: fault(); a().pmovsxdq(x, mem); break;
      case Opcode::V128Load32x2U: fault(); a().pmovzxdq(x, mem); break;
      case Opcode::V128Load32Zero: fault(); a().movss(x, mem); break;
      case Opcode::V128Load64Zero: fault(); a().movq(x, mem); break;
      case Opcode::V128Load8Splat:
        fault();
        a().movzx(r11d, mem);
        a().imul(r11d, r11d, 0x01010101);
        a().movd(x, r11d);
        a().pshufd(x, x, 0);
        break;
      case Opcode::V128Load16Splat:
        fault();
        a().movzx(r11d, mem);
        a().imul(r11d, r11d, 0x00010001);
        a().movd(x, r11d);
        a().pshufd(x, x, 0);
        break;
      case Opcode::V128Load32Splat:
        fault();
        a().movss(x, mem);
        a().pshufd(x, x, 0);
        break;
      case Opcode::V128Load64Splat:
        fault();
        a().movq(x, mem);
        a().punpcklqdq(x, x);
        break;
      default: unsupported(in); break;
    }
    releaseMemTemps();
    xmm_used_ &= ~(1u << x.id());
    pushReg(r == 'f' ? ValKind::F32 : r == 'd' ? ValKind::F64 : ValKind::V128, uint8_t(x.id()));
    return;
  }
  switch (in.op) {
    case Opcode::V128Load8Lane:
    case Opcode::V128Load16Lane:
    case Opcode::V128Load32Lane:
    case Opcode::V128Load64Lane: {
      Xmm x = toXmm(top());
      Val v = stack_.back();
      stack_.pop_back();
      Mem mem = memOperand(in, size, base);
      fault();
      switch (in.op) {
        case Opcode::V128Load8Lane: a().pinsrb(x, mem, in.lane); break;
        case Opcode::V128Load16Lane: a().pinsrw(x, mem, in.lane); break;
        case Opcode::V128Load32Lane: a().pinsrd(x, mem, in.lane); break;
        default: a().pinsrq(x, mem, in.lane); break;
      }
      releaseMemTemps();
      stack_.push_back(v);
      return;
    }
    default: break;
  }
  // Stores: (address, value). The value is in a register or a small constant before the address
  // is computed (which may use r11).
  Val& vv = top();
  ValKind k = vv.kind;
  bool small_const = vv.loc == Loc::Const && clsOf(k) == Cls::Gpr &&
                     (k == ValKind::I32 || int64_t(vv.imm) == int64_t(int32_t(vv.imm)));
  // A local's cache is stored from in place: the register leaves the cache for the length of
  // the store (so the address computation cannot take it) and caches the local again after.
  int32_t recache = -1;
  if (int c = cacheOf(vv); c >= 0) {
    recache = localOfDisp(vv.disp);
    dropCache(uint32_t(recache));
    vv.loc = Loc::Reg;
    vv.reg = uint8_t(c);
    take(clsOf(k), vv.reg);
  }
  if (!small_const) {
    if (clsOf(k) == Cls::Gpr) toGpr(vv);
    else toXmm(vv);
  }
  Val v = stack_.back();
  stack_.pop_back();
  if (v.loc == Loc::Reg && clsOf(k) == Cls::Gpr) {
    // The address computation must not allocate the value's register: it is still taken.
  }
  Mem mem = memOperand(in, size, base);
  fault();
  if (small_const) {
    a().mov(mem, asmjit::imm(int32_t(v.imm)));
  } else if (clsOf(k) == Cls::Gpr) {
    switch (size) {
      case 1: a().mov(mem, gpb(v.reg)); break;
      case 2: a().mov(mem, gpw(v.reg)); break;
      case 4: a().mov(mem, gpd(v.reg)); break;
      default: a().mov(mem, gpq(v.reg)); break;
    }
  } else {
    Xmm x = xmm(v.reg);
    switch (in.op) {
      case Opcode::F32Store: a().movss(mem, x); break;
      case Opcode::F64Store: a().movsd(mem, x); break;
      case Opcode::V128Store: a().movups(mem, x); break;
      case Opcode::V128Store8Lane: a().pextrb(mem, x, in.lane); break;
      case Opcode::V128Store16Lane: a().pextrw(mem, x, in.lane); break;
      case Opcode::V128Store32Lane: a().pextrd(mem, x, in.lane); break;
      case Opcode::V128Store64Lane: a().pextrq(mem, x, in.lane); break;
      default: unsupported(in); break;
    }
  }
  releaseMemTemps();
  release(v);
  if (recache >= 0) setCache(uint32_t(recache), v.reg);
}

// ---- calls to helpers ----

void FuncCompiler::loadArg(const Val& v, Gp reg, bool wide) {
  switch (v.loc) {
    case Loc::Const:
      if (wide) a().mov(reg, asmjit::imm(int64_t(v.imm)));
      else a().mov(reg.r32(), asmjit::imm(uint32_t(v.imm)));
      return;
    case Loc::Mem:
      if (wide) a().mov(reg, qword_ptr(rbp, v.disp));
      else a().mov(reg.r32(), dword_ptr(rbp, v.disp));
      return;
    default: return;  // spilled before helper calls
  }
}

void FuncCompiler::callBuiltin(size_t offset) {
  a().mov(rdi, r15);
  a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, builtins)));
  a().call(qword_ptr(rax, int32_t(offset)));
  makes_calls_ = true;
}

void FuncCompiler::visitMemoryMisc(const decode::Instr& in) {
  auto mem64 = [&](uint32_t m) { return module_.memories[m].type.limits.is64; };
  spillRegs();
  switch (in.op) {
    case Opcode::MemorySize: {
      Gp r = allocGpr();
      a().mov(r, qword_ptr(r15, offsetof(vm::VMContext, memories)));
      a().mov(r, qword_ptr(r, 8 * int32_t(in.idx)));
      a().mov(r, qword_ptr(r, offsetof(vm::VMMemory, length)));
      a().shr(r, module_.memories[in.idx].type.page_size_log2);
      gpr_used_ &= ~(1u << r.id());
      pushReg(mem64(in.idx) ? ValKind::I64 : ValKind::I32, uint8_t(r.id()));
      return;
    }
    case Opcode::MemoryGrow: {
      Val delta = pop();
      loadArg(delta, rdx, mem64(in.idx));
      a().mov(esi, in.idx);
      callBuiltin(offsetof(vm::VMBuiltins, memory_grow));
      if (!mem64(in.idx)) a().mov(eax, eax);
      pushReg(mem64(in.idx) ? ValKind::I64 : ValKind::I32, Gp::kIdAx);
      return;
    }
    case Opcode::DataDrop:
      a().mov(esi, in.idx);
      callBuiltin(offsetof(vm::VMBuiltins, data_drop));
      return;
    default: break;
  }
  Val n = pop(), x = pop(), d = pop();
  if (in.op == Opcode::MemoryFill) {
    bool w = mem64(in.idx);
    a().mov(esi, in.idx);
    loadArg(d, rdx, w);
    loadArg(x, rcx, false);
    loadArg(n, r8, w);
    callBuiltin(offsetof(vm::VMBuiltins, memory_fill));
  } else if (in.op == Opcode::MemoryCopy) {
    // memory64: n is i64 only when both memories are 64-bit.
    bool d64 = mem64(in.idx), s64 = mem64(in.idx2);
    a().mov(esi, in.idx);
    a().mov(edx, in.idx2);
    loadArg(d, rcx, d64);
    loadArg(x, r8, s64);
    loadArg(n, r9, d64 && s64);
    callBuiltin(offsetof(vm::VMBuiltins, memory_copy));
  } else {  // memory.init: idx = data segment, idx2 = memory
    a().mov(esi, in.idx2);
    a().mov(edx, in.idx);
    loadArg(d, rcx, mem64(in.idx2));
    loadArg(x, r8, false);
    loadArg(n, r9, false);
    callBuiltin(offsetof(vm::VMBuiltins, memory_init));
  }
  a().test(al, al);
  trapIf(CondCode::kZ, kPropagate);
}

// r = the VMTable of table t: table 0 straight from the context (VMContext::table0).
void FuncCompiler::loadTable(Gp r, uint32_t t) {
  if (t == 0) {
    a().mov(r, qword_ptr(r15, offsetof(vm::VMContext, table0)));
    return;
  }
  a().mov(r, qword_ptr(r15, offsetof(vm::VMContext, tables)));
  a().mov(r, qword_ptr(r, 8 * int32_t(t)));
}

void FuncCompiler::visitTable(const decode::Instr& in) {
  auto t64 = [&](uint32_t t) { return module_.tables[t].type.limits.is64; };
  spillRegs();
  switch (in.op) {
    case Opcode::TableGet:
    case Opcode::TableSet: {
      Val v;
      if (in.op == Opcode::TableSet) v = pop();
      Val i = pop();
      loadArg(i, rax, t64(in.idx));
      loadTable(rcx, in.idx);
      a().cmp(rax, qword_ptr(rcx, offsetof(vm::VMTable, length)));
      trapIf(CondCode::kAE, uint32_t(vm::TrapKind::TableOutOfBounds));
      a().mov(rcx, qword_ptr(rcx, offsetof(vm::VMTable, elements)));
      if (in.op == Opcode::TableGet) {
        a().mov(rax, qword_ptr(rcx, rax, 3));
        pushReg(ValKind::Ref, Gp::kIdAx);
      } else {
        loadArg(v, rdx, true);
        a().mov(qword_ptr(rcx, rax, 3), rdx);
      }
      return;
    }
    case Opcode::TableSize:
      loadTable(rax, in.idx);
      a().mov(rax, qword_ptr(rax, offsetof(vm::VMTable, length)));
      pushReg(t64(in.idx) ? ValKind::I64 : ValKind::I32, Gp::kIdAx);
      return;
    case Opcode::TableGrow: {
      Val n = pop(), init = pop();
      a().mov(esi, in.idx);
      loadArg(init, rdx, true);
      loadArg(n, rcx, t64(in.idx));
      callBuiltin(offsetof(vm::VMBuiltins, table_grow));
      if (!t64(in.idx)) a().mov(eax, eax);
      pushReg(t64(in.idx) ? ValKind::I64 : ValKind::I32, Gp::kIdAx);
      return;
    }
    case Opcode::ElemDrop:
      a().mov(esi, in.idx);
      callBuiltin(offsetof(vm::VMBuiltins, elem_drop));
      return;
    default: break;
  }
  Val n = pop(), x = pop(), d = pop();
  if (in.op == Opcode::TableFill) {
    bool w = t64(in.idx);
    a().mov(esi, in.idx);
    loadArg(d, rdx, w);
    loadArg(x, rcx, true);
    loadArg(n, r8, w);
    callBuiltin(offsetof(vm::VMBuiltins, table_fill));
  } else if (in.op == Opcode::TableCopy) {
    bool d64 = t64(in.idx), s64 = t64(in.idx2);
    a().mov(esi, in.idx);
    a().mov(edx, in.idx2);
    loadArg(d, rcx, d64);
    loadArg(x, r8, s64);
    loadArg(n, r9, d64 && s64);
    callBuiltin(offsetof(vm::VMBuiltins, table_copy));
  } else {  // table.init: idx = element segment, idx2 = table
    a().mov(esi, in.idx2);
    a().mov(edx, in.idx);
    loadArg(d, rcx, t64(in.idx2));
    loadArg(x, r8, false);
    loadArg(n, r9, false);
    callBuiltin(offsetof(vm::VMBuiltins, table_init));
  }
  a().test(al, al);
  trapIf(CondCode::kZ, kPropagate);
}

void FuncCompiler::visitRef(const decode::Instr& in) {
  switch (in.op) {
    case Opcode::RefNull: pushConst(ValKind::Ref, 0); return;
    case Opcode::RefIsNull: {
      Gp r = toGpr(top());
      a().test(r, r);
      pop();
      pushFlags(CondCode::kE);
      return;
    }
    case Opcode::RefFunc: {
      Gp r = allocGpr();
      a().mov(r, qword_ptr(r15, offsetof(vm::VMContext, funcs)));
      a().mov(r, qword_ptr(r, 8 * int32_t(in.idx)));
      gpr_used_ &= ~(1u << r.id());
      pushReg(ValKind::Ref, uint8_t(r.id()));
      return;
    }
    case Opcode::RefAsNonNull: {
      Gp r = toGpr(top());
      a().test(r, r);
      trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullReference));
      return;
    }
    case Opcode::BrOnNull:
    case Opcode::BrOnNonNull: {
      // br_on_null: branch (without the reference) when null; br_on_non_null: branch with it
      // when not null, else drop it.
      Gp r = toGpr(top());
      a().test(r, r);
      if (in.op == Opcode::BrOnNull) {
        Val v = stack_.back();
        stack_.pop_back();  // the label does not take the reference
        branchIf(CondCode::kZ, in.idx);
        stack_.push_back(v);
      } else {
        branchIf(CondCode::kNZ, in.idx);
        pop();
      }
      return;
    }
    default:
      if (!visitGc(in)) unsupported(in);
      return;
  }
}

}  // namespace strata::jit
