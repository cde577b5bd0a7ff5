// Locals, globals, select and calls (spec 4.4.4, 4.4.5, 4.4.8). Calls follow the native
// convention of docs/jit.md: rdi = callee vmctx, arguments and results in 16-byte slots of the
// caller's argument area at [rsp], every register but rsp and rbp clobbered.
#include <fmt/core.h>

#include <algorithm>

#include "jit/codegen.h"
#include "jit/stubs.h"
#include "vm/builtins.h"

namespace strata::jit {

using asmjit::Label;
using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

void FuncCompiler::visitLocal(const decode::Instr& in) {
  int32_t disp = localDisp(in.idx);
  ValKind k = local_kinds_[in.idx];
  if (in.op == Opcode::LocalGet) {
    // The entry reads the local's home until the local changes. An integer local is also
    // loaded into a free register that caches it (when two are free: nothing is evicted for
    // it), so that later reads before the next label take the register, not another load.
    if ((k == ValKind::I32 || k == ValKind::I64) && local_cache_[in.idx] < 0) {
      if (int c = cacheRegFor(in.idx); c >= 0) {
        loadHome(in.idx, uint8_t(c));
        setCache(in.idx, c);
      }
    }
    pushMem(k, disp);
    return;
  }
  Val v = pop();
  // A constant written to an integer local (a loop counter's start, typically) is also put in
  // a register that caches it, when two are free (and so is kept by a loop head after it).
  if (v.loc == Loc::Const && (k == ValKind::I32 || k == ValKind::I64)) {
    if (int c = cacheRegFor(in.idx); c >= 0) {
      evict(Cls::Gpr, uint8_t(c));  // only the local's own cache can be there
      if (k == ValKind::I64) a().mov(gpq(uint8_t(c)), asmjit::imm(int64_t(v.imm)));
      else a().mov(gpd(uint8_t(c)), asmjit::imm(uint32_t(v.imm)));
      v.loc = Loc::Reg;  // a popped value in a free register, as the paths below expect
      v.reg = uint8_t(c);
    }
  }
  if (in.op == Opcode::LocalTee && v.loc == Loc::Mem && v.disp != disp) {
    push(v);
    if (clsOf(k) == Cls::Gpr) toGpr(top());
    else toXmm(top());
    v = pop();
  }
  if (v.loc == Loc::Mem && v.disp == disp) {  // the local's own value: nothing changes
    if (in.op == Opcode::LocalTee) push(v);
    return;
  }
  spillAliasesOf(disp);  // they read the old value: from the cache, if any, or the home
  // The register cache (codegen.h): local.set hands the value's register to the cache (in a
  // loop, the register the head bound the local to, so the back edge finds it there). local.tee
  // does the same and leaves an alias of the local on the stack: it reads the cache in place,
  // copied only by an instruction that overwrites its first operand. A number or vector local's
  // home is written later, if ever (write-back: the cache is dirty); a reference's now.
  if (v.loc == Loc::Reg) {
    // A local the innermost loop's head binds is dirty too when the loop has no calls: a back
    // edge leaves it in its register (flushDirty), so no store sits between the loop
    // condition's cmp and jcc. In a loop with calls it is written through (visitBlock).
    bool write_back = k != ValKind::Ref && (loopBound(in.idx) < 0 || ctrls_[size_t(innermost_loop_)].dirty_bindings);
    if (!write_back) storeTo(v, disp);
    if (int r = loopRegFor(in.idx); r >= 0 && r != v.reg) {
      if (clsOf(k) == Cls::Gpr) a().mov(gpq(uint8_t(r)), gpq(v.reg));
      else a().movaps(xmm(uint8_t(r)), xmm(v.reg));
      setCache(in.idx, r, write_back);
    } else {
      setCache(in.idx, v.reg, write_back);
    }
    if (in.op == Opcode::LocalTee) pushMem(k, disp);
    return;
  }
  storeTo(v, disp);
  forgetCache(in.idx);  // the old value is dead, the home has the new one
  if (in.op == Opcode::LocalTee) {
    if (v.loc == Loc::Mem) v.disp = disp;
    push(v);
  }
}

void FuncCompiler::visitGlobal(const decode::Instr& in) {
  ValKind k = module_.globals[in.idx].type.type.kind;
  Gp g = allocGpr();
  a().mov(g, qword_ptr(r15, offsetof(vm::VMContext, globals)));
  a().mov(g, qword_ptr(g, 8 * int32_t(in.idx)));
  if (in.op == Opcode::GlobalGet) {
    Val v;
    v.kind = k;
    v.loc = Loc::Reg;
    if (clsOf(k) == Cls::Gpr) {
      if (is64(k)) a().mov(g, qword_ptr(g));
      else a().mov(g.r32(), dword_ptr(g));
      v.reg = uint8_t(g.id());
      push(v);
      return;
    }
    Xmm x = allocXmm();
    if (k == ValKind::F32) a().movss(x, dword_ptr(g));
    else if (k == ValKind::F64) a().movsd(x, qword_ptr(g));
    else a().movups(x, xmmword_ptr(g));
    gpr_used_ &= ~(1u << g.id());
    v.reg = uint8_t(x.id());
    push(v);
    return;
  }
  Val& val = top();
  if (clsOf(k) == Cls::Gpr) {
    Gp r = toGpr(val, 1u << g.id());
    if (is64(k)) a().mov(qword_ptr(g), r);
    else a().mov(dword_ptr(g), r.r32());
  } else {
    Xmm x = toXmm(val);
    if (k == ValKind::F32) a().movss(dword_ptr(g), x);
    else if (k == ValKind::F64) a().movsd(qword_ptr(g), x);
    else a().movups(xmmword_ptr(g), x);
  }
  pop();
  gpr_used_ &= ~(1u << g.id());
}

void FuncCompiler::visitSelect(const decode::Instr& in) {
  (void)in;
  // The condition's flags must survive the loads of the operands: loads are movs.
  Val& vb = top(1);
  Val& va = top(2);
  ValKind k = va.kind;
  if (clsOf(k) == Cls::Gpr) {
    Val cond = stack_.back();
    stack_.pop_back();
    uint32_t avoid = cond.loc == Loc::Reg ? 1u << cond.reg : 0;
    Gp ra = toGpr(va, avoid);
    Gp rb = toGpr(vb, avoid | (1u << ra.id()));
    stack_.push_back(cond);
    CondCode cc = popCond();
    // cc holds when the condition is true (keep a): take b when it does not.
    CondCode take_b = CondCode(uint8_t(cc) ^ 1);
    if (is64(k)) a().cmov(take_b, ra, rb);
    else a().cmov(take_b, ra.r32(), rb.r32());
    pop();
    return;
  }
  Val cond = stack_.back();
  stack_.pop_back();
  uint32_t avoid = 0;
  Xmm xa = toXmm(va, avoid);
  Xmm xb = toXmm(vb, 1u << xa.id());
  stack_.push_back(cond);
  CondCode cc = popCond();
  Label keep = a().newLocal();
  a().j(cc, keep);
  a().movaps(xa, xb);
  a().bind(keep);
  pop();
}

// ---- calls ----

// Writes an entry (in memory or a constant: registers are spilled before calls) to the
// argument area at [rsp + at].
void FuncCompiler::storeOut(const Val& v, int32_t at) {
  switch (v.loc) {
    case Loc::Const:
      if (v.kind == ValKind::I32 || v.kind == ValKind::F32) {
        a().mov(dword_ptr(rsp, at), asmjit::imm(uint32_t(v.imm)));
      } else {
        storeImm64(qword_ptr(rsp, at), v.imm);
        if (v.kind == ValKind::V128) storeImm64(qword_ptr(rsp, at + 8), v.imm_hi);
      }
      return;
    case Loc::Mem:
      if (int c = cacheOf(v); c >= 0) {  // a local still in its register
        Val r = v;
        r.loc = Loc::Reg;
        r.reg = uint8_t(c);
        storeOut(r, at);
        return;
      }
      if (v.kind == ValKind::V128) {
        a().movups(xmm15, xmmword_ptr(rbp, v.disp));
        a().movups(xmmword_ptr(rsp, at), xmm15);
      } else if (v.kind == ValKind::I32 || v.kind == ValKind::F32) {
        // A load as wide as the store that wrote the value: an 8-byte load of a 4-byte store
        // cannot be forwarded and waits for the store to retire (the calls of shootout-ctype
        // spent most of their time there).
        a().mov(r11d, dword_ptr(rbp, v.disp));
        a().mov(qword_ptr(rsp, at), r11);
      } else {
        a().mov(r11, qword_ptr(rbp, v.disp));
        a().mov(qword_ptr(rsp, at), r11);
      }
      return;
    case Loc::Reg:
      switch (v.kind) {
        case ValKind::F32: a().movss(dword_ptr(rsp, at), xmm(v.reg)); return;
        case ValKind::F64: a().movsd(qword_ptr(rsp, at), xmm(v.reg)); return;
        case ValKind::V128: a().movups(xmmword_ptr(rsp, at), xmm(v.reg)); return;
        default: a().mov(qword_ptr(rsp, at), gpq(v.reg)); return;
      }
    case Loc::Flags: return;
  }
}

void FuncCompiler::passArgs(const ir::FuncType& ft) {
  size_t n = ft.params.size();
  max_out_ = std::max(max_out_, areaFor(ft));
  size_t first = stack_.size() - n;
  for (size_t i = 0; i < n; ++i) storeOut(stack_[first + i], int32_t(16 * i));
  for (size_t i = 0; i < n; ++i) pop();
}

// After a call: the first result is in rax or xmm0, the others in the argument area.
void FuncCompiler::takeResults(const ir::FuncType& ft) {
  for (size_t i = 0; i < ft.results.size(); ++i) {
    ValKind k = ft.results[i].kind;
    auto at = int32_t(16 * i);
    if (i == 0 && ft.results.size() <= 4) {
      pushReg(k, clsOf(k) == Cls::Gpr ? uint8_t(Gp::kIdAx) : uint8_t(0));
      continue;
    }
    if (ft.results.size() > 4) {
      // Many results: straight to their slots.
      Val v;
      v.loc = Loc::Mem;
      v.kind = k;
      v.disp = slotDisp(stack_.size());
      if (k == ValKind::V128) {
        a().movups(xmm15, xmmword_ptr(rsp, at));
        a().movups(xmmword_ptr(rbp, v.disp), xmm15);
      } else if (k == ValKind::I32 || k == ValKind::F32) {  // as wide as the callee's store
        a().mov(r11d, dword_ptr(rsp, at));
        a().mov(dword_ptr(rbp, v.disp), r11d);
      } else {
        a().mov(r11, qword_ptr(rsp, at));
        a().mov(qword_ptr(rbp, v.disp), r11);
      }
      max_height_ = std::max(max_height_, stack_.size() + 1);
      push(v);
      continue;
    }
    if (clsOf(k) == Cls::Gpr) {
      Gp r = allocGpr();
      if (is64(k)) a().mov(r, qword_ptr(rsp, at));
      else a().mov(r.r32(), dword_ptr(rsp, at));
      gpr_used_ &= ~(1u << r.id());
      pushReg(k, uint8_t(r.id()));
    } else {
      Xmm x = allocXmm();
      if (k == ValKind::F32) a().movss(x, dword_ptr(rsp, at));
      else if (k == ValKind::F64) a().movsd(x, qword_ptr(rsp, at));
      else a().movups(x, xmmword_ptr(rsp, at));
      xmm_used_ &= ~(1u << x.id());
      pushReg(k, uint8_t(x.id()));
    }
  }
}

void FuncCompiler::callDirect(uint32_t func_index, const ir::FuncType& ft, bool tail) {
  uint32_t nimp = module_.num_imported_functions;
  if (func_index < nimp) {
    a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, funcs)));
    a().mov(rax, qword_ptr(rax, 8 * int32_t(func_index)));
    return callRef(rax, ft, tail);
  }
  if (tail) {
    // A callee needing more slots than every caller gives checks the area this function was
    // given; too small, it is called and returned from.
    Label small = a().newLocal();
    bool fits = tailFits(ft);
    spillParamAliases(ft.params.size());
    if (!fits) checkArea(ft, small);
    tailStore(ft);
    a().mov(rdi, r15);
    a().leave();
    a().jmp(x86::ptr(ms_.got, 8 * int32_t(func_index - nimp)));
    if (fits) {
      for (size_t i = 0; i < ft.params.size(); ++i) pop();
      enterDead();
      return;
    }
    a().bind(small);
  }
  passArgs(ft);
  a().mov(rdi, r15);
  giveArea(ft);
  a().call(x86::ptr(ms_.got, 8 * int32_t(func_index - nimp)));
  siteCall();
  reloadContext();
  takeResults(ft);
}

// Calls the VMFuncRef in `ref` (rax): natively when it has a wasm_call entry, else through its
// array call (host functions, other tiers), whose false result means it trapped.
void FuncCompiler::callRef(Gp ref, const ir::FuncType& ft, bool tail, bool args_passed) {
  Label array = a().newLocal(), done = a().newLocal();
  if (tail) {
    // A native callee replaces this frame; another tier's function, or a native one needing
    // more slots than this function was given, is called (through its array call, which
    // gives a large area) and returned from.
    spillParamAliases(ft.params.size());
    a().mov(rcx, qword_ptr(ref, offsetof(vm::VMFuncRef, wasm_call)));
    a().test(rcx, rcx);
    a().jz(array);
    if (!tailFits(ft)) checkArea(ft, array);
    tailStore(ft);
    a().mov(rdi, qword_ptr(ref, offsetof(vm::VMFuncRef, vmctx)));
    a().mov(rsi, ref);
    a().leave();
    a().jmp(rcx);
    a().bind(array);
    passArgs(ft);
  } else {
    if (!args_passed) passArgs(ft);
    a().mov(rcx, qword_ptr(ref, offsetof(vm::VMFuncRef, wasm_call)));
    a().test(rcx, rcx);
    a().jz(array);
    a().mov(rdi, qword_ptr(ref, offsetof(vm::VMFuncRef, vmctx)));
    a().mov(rsi, ref);
    giveArea(ft);
    a().call(rcx);
    siteCall();
    a().jmp(done);
    a().bind(array);
  }
  a().mov(rdi, ref);
  a().mov(rsi, r15);
  a().mov(rdx, rsp);
  a().mov(ecx, uint32_t(std::max<size_t>({ft.params.size(), ft.results.size(), 1})));
  recordExit();
  a().call(qword_ptr(ref, offsetof(vm::VMFuncRef, array_call)));
  siteCall(&ft);
  a().test(al, al);
  // A callee's exception is looked for in this frame's try_tables, unless it was a tail call
  // (the out-of-line stub's pc lies in none: spec 4.4.x return_call leaves the try_table).
  if (tail) a().jz(trapLabel(kPropagate));
  else propagateIfFalse();
  // The array call leaves every result in the argument area: the first goes where a native
  // callee leaves it.
  if (!ft.results.empty()) {
    ValKind k0 = ft.results[0].kind;
    if (clsOf(k0) == Cls::Gpr && is64(k0)) a().mov(rax, qword_ptr(rsp));
    else if (clsOf(k0) == Cls::Gpr) a().mov(eax, dword_ptr(rsp));
    else a().movups(xmm0, xmmword_ptr(rsp));
  }
  a().bind(done);
  reloadContext();
  takeResults(ft);
}

void FuncCompiler::visitCall(const decode::Instr& in) {
  bool tail = in.op == Opcode::ReturnCall || in.op == Opcode::ReturnCallIndirect || in.op == Opcode::ReturnCallRef;
  bool direct = in.op == Opcode::Call || in.op == Opcode::ReturnCall;
  uint32_t nimp = module_.num_imported_functions;
  if (!tail) {
    // The arguments go to the argument area straight from where they are (registers
    // included), then the rest of the stack is spilled. A callee operand (call_indirect's
    // index, call_ref's reference) is taken off first and read from where it was: its register
    // is not reused, since neither passArgs nor spillRegs allocates one.
    const ir::FuncType& ft = direct ? module_.funcType(in.idx) : module_.types[in.idx].func;
    Val callee;
    int callee_cache = -1;
    if (!direct) {
      callee = pop();
      callee_cache = cacheOf(callee);
    }
    passArgs(ft);
    spillRegs();
    if (direct && in.idx >= nimp) {
      a().mov(rdi, r15);
      giveArea(ft);
      a().call(x86::ptr(ms_.got, 8 * int32_t(in.idx - nimp)));
      siteCall();
      reloadContext();
      takeResults(ft);
      return;
    }
    if (direct) {
      a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, funcs)));
      a().mov(rax, qword_ptr(rax, 8 * int32_t(in.idx)));
    } else {
      loadCallee(callee, callee_cache, in);
    }
    callRef(rax, ft, false, /*args_passed=*/true);
    return;
  }
  spillRegs();
  if (direct) {
    callDirect(in.idx, module_.funcType(in.idx), tail);
  } else {
    Val callee = pop();
    loadCallee(callee, -1, in);
    callRef(rax, module_.types[in.idx].func, tail);
  }
  if (!dead_) {
    emitReturn();
    enterDead();
  }
}

// rax = the VMFuncRef that call_indirect (after its checks) or call_ref (after the null check)
// calls, from the callee operand `v` (popped; `cache` is the register of the local it reads, if
// any).
void FuncCompiler::loadCallee(const Val& v, int cache, const decode::Instr& in) {
  bool indirect = in.op == Opcode::CallIndirect || in.op == Opcode::ReturnCallIndirect;
  bool wide = !indirect || module_.tables[in.idx2].type.limits.is64;
  if (v.loc == Loc::Const) {
    a().mov(rax, asmjit::imm(int64_t(wide ? v.imm : uint32_t(v.imm))));
  } else if (v.loc == Loc::Reg || cache >= 0) {
    Gp r = gpq(v.loc == Loc::Reg ? v.reg : uint8_t(cache));
    if (wide) a().mov(rax, r);
    else a().mov(eax, r.r32());
  } else if (wide) {
    a().mov(rax, qword_ptr(rbp, v.disp));
  } else {
    a().mov(eax, dword_ptr(rbp, v.disp));
  }
  if (!indirect) {
    a().test(rax, rax);
    trapIf(CondCode::kZ, uint32_t(vm::TrapKind::NullFunctionReference));
    return;
  }
  // spec 4.4.8 call_indirect: bounds, null, then the type check.
  loadTable(rcx, in.idx2);
  a().cmp(rax, qword_ptr(rcx, offsetof(vm::VMTable, length)));
  trapIf(CondCode::kAE, uint32_t(vm::TrapKind::UndefinedElement));
  a().mov(rcx, qword_ptr(rcx, offsetof(vm::VMTable, elements)));
  a().mov(rdx, qword_ptr(rcx, rax, 3));
  a().test(rdx, rdx);
  trapIf(CondCode::kZ, uint32_t(vm::TrapKind::UninitializedElement));  // the stub reports rax
  a().mov(rax, rdx);
  Label ok = a().newLocal();
  a().mov(rcx, qword_ptr(r15, offsetof(vm::VMContext, type_ids)));
  a().mov(ecx, dword_ptr(rcx, 4 * int32_t(in.idx)));
  a().cmp(ecx, dword_ptr(rax, offsetof(vm::VMFuncRef, type_id)));
  a().je(ok);
  // Different ids: a subtype (GC) still matches; the builtin answers. The pushes keep the
  // argument area at [rsp] intact below the builtin's frame.
  a().push(rax);
  a().push(rax);
  a().mov(rdi, r15);
  a().mov(esi, dword_ptr(rax, offsetof(vm::VMFuncRef, type_id)));
  a().mov(edx, ecx);
  a().mov(rax, qword_ptr(r15, offsetof(vm::VMContext, builtins)));
  a().call(qword_ptr(rax, offsetof(vm::VMBuiltins, type_is_subtype)));
  makes_calls_ = true;
  a().mov(ecx, eax);
  a().pop(rax);
  a().pop(rax);
  a().test(cl, cl);
  trapIf(CondCode::kZ, uint32_t(vm::TrapKind::IndirectCallTypeMismatch));
  a().bind(ok);
}

// spec 4.4.8 return_call: the callee takes this function's place. Its arguments go where this
// function's parameters are (the caller's argument area), which is large enough when the
// callee needs no more slots than this function was given: max(params, results) of its type,
// and never fewer than kMinArgSlots.
bool FuncCompiler::tailFits(const ir::FuncType& ft) const {
  size_t given = std::max<size_t>({kMinArgSlots, type_->params.size(), type_->results.size()});
  return std::max(ft.params.size(), ft.results.size()) <= given;
}

// Arguments still reading a parameter's home move to their own slots before the homes are
// overwritten.
void FuncCompiler::spillParamAliases(size_t n) {
  for (size_t i = stack_.size() - n; i < stack_.size(); ++i)
    if (stack_[i].loc == Loc::Mem && stack_[i].disp > 0) spillEntry(i);
}

// The callee's arguments over this function's parameter slots (after spillParamAliases), and
// r10d = the area this function was given, which the callee inherits. The operand stack is
// left as it was: a fallback path may still pass the same arguments to a call.
void FuncCompiler::tailStore(const ir::FuncType& ft) {
  size_t n = ft.params.size();
  size_t first = stack_.size() - n;
  for (size_t i = 0; i < n; ++i) storeTo(stack_[first + i], 16 + 16 * int32_t(i));
  uses_area_ = true;
  a().mov(r10d, dword_ptr(rbp, kAreaDisp));
}

// Jumps to `small` when the area this function was given cannot hold ft's arguments or results;
// tells compileModule the module's calls should give that much.
void FuncCompiler::checkArea(const ir::FuncType& ft, Label small) {
  uses_area_ = true;
  ms_.tail_need = std::max<uint32_t>(ms_.tail_need, uint32_t(std::min<size_t>(kTailSlots, slotsOf(ft))));
  a().cmp(dword_ptr(rbp, kAreaDisp), uint32_t(slotsOf(ft)));
  a().jb(small);
}

// The argument area a call to ft gives (passArgs reserves it), in slots.
uint32_t FuncCompiler::areaFor(const ir::FuncType& ft) const {
  return std::max<uint32_t>({kMinArgSlots, ms_.tail_slots, uint32_t(slotsOf(ft))});
}

// The callee reads the size of its area from r10d.
void FuncCompiler::giveArea(const ir::FuncType& ft) { a().mov(r10d, areaFor(ft)); }

}  // namespace strata::jit
