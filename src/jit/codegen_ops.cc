// Numeric instructions (spec 4.4.1): the frequent ones inline, every other row through its
// thunk (thunks.h), which runs the shared semantics of src/sem.
#include <asmjit/core.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstdint>

#include "jit/codegen.h"
#include "jit/thunks.h"
#include "sem/rows.h"

namespace strata::jit {

using asmjit::Label;
using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

namespace {

bool fitsImm32(const FuncCompiler::Val& v, bool wide) {
  return !wide || int64_t(v.imm) == int64_t(int32_t(v.imm));
}

CondCode negate(CondCode cc) { return CondCode(uint8_t(cc) ^ 1); }

const asmjit::CpuInfo& cpu() { return asmjit::CpuInfo::host(); }

}  // namespace

bool FuncCompiler::visitNumeric(const decode::Instr& in) {
  if (visitCompare(in) || visitIntArith(in) || visitFloat(in) || visitConvert(in)) return true;
  if (ir::opcodeInfo(in.op).prefix == 0xfd && visitSimd(in)) return true;
  switch (in.op) {
    case Opcode::I32DivS:
    case Opcode::I32DivU:
    case Opcode::I32RemS:
    case Opcode::I32RemU:
    case Opcode::I64DivS:
    case Opcode::I64DivU:
    case Opcode::I64RemS:
    case Opcode::I64RemU: visitDivRem(in); return true;
    default: break;
  }
  if (!thunkFor(in.op)) return false;
  visitThunk(in);
  return true;
}

bool FuncCompiler::visitCompare(const decode::Instr& in) {
  CondCode cc;
  bool wide = false;
  switch (in.op) {
    case Opcode::I32Eqz:
    case Opcode::I64Eqz: {
      Val& v = top();
      bool w = in.op == Opcode::I64Eqz;
      if (v.loc == Loc::Flags) {
        v.cc = negate(v.cc);
        return true;
      }
      if (v.loc == Loc::Const) {
        uint64_t x = w ? v.imm : uint32_t(v.imm);
        pop();
        pushConst(ValKind::I32, x == 0);
        return true;
      }
      if (int c = cacheOf(v); c >= 0) {
        a().test(gp(uint8_t(c), w), gp(uint8_t(c), w));
      } else if (v.loc == Loc::Mem) {
        if (w) a().cmp(qword_ptr(rbp, v.disp), 0);
        else a().cmp(dword_ptr(rbp, v.disp), 0);
      } else {
        a().test(gp(v.reg, w), gp(v.reg, w));
      }
      pop();
      pushFlags(CondCode::kE);
      return true;
    }
    case Opcode::I32Eq: cc = CondCode::kE; break;
    case Opcode::I32Ne: cc = CondCode::kNE; break;
    case Opcode::I32LtS: cc = CondCode::kL; break;
    case Opcode::I32LtU: cc = CondCode::kB; break;
    case Opcode::I32GtS: cc = CondCode::kG; break;
    case Opcode::I32GtU: cc = CondCode::kA; break;
    case Opcode::I32LeS: cc = CondCode::kLE; break;
    case Opcode::I32LeU: cc = CondCode::kBE; break;
    case Opcode::I32GeS: cc = CondCode::kGE; break;
    case Opcode::I32GeU: cc = CondCode::kAE; break;
    case Opcode::I64Eq: cc = CondCode::kE, wide = true; break;
    case Opcode::I64Ne: cc = CondCode::kNE, wide = true; break;
    case Opcode::I64LtS: cc = CondCode::kL, wide = true; break;
    case Opcode::I64LtU: cc = CondCode::kB, wide = true; break;
    case Opcode::I64GtS: cc = CondCode::kG, wide = true; break;
    case Opcode::I64GtU: cc = CondCode::kA, wide = true; break;
    case Opcode::I64LeS: cc = CondCode::kLE, wide = true; break;
    case Opcode::I64LeU: cc = CondCode::kBE, wide = true; break;
    case Opcode::I64GeS: cc = CondCode::kGE, wide = true; break;
    case Opcode::I64GeU: cc = CondCode::kAE, wide = true; break;
    default: return false;
  }
  Val b = stack_.back();
  stack_.pop_back();
  // cmp writes nothing: a local's cache is compared in place.
  int ca = cacheOf(top());
  Gp ra = ca >= 0 ? gpq(uint8_t(ca)) : toGpr(top(), holdMask(b));
  if (int c = cacheOf(b); c >= 0) a().cmp(gp(ra.id(), wide), gp(uint8_t(c), wide));
  else if (b.loc == Loc::Reg) a().cmp(gp(ra.id(), wide), gp(b.reg, wide));
  else if (b.loc == Loc::Mem) a().cmp(gp(ra.id(), wide), ptr(rbp, b.disp, wide ? 8 : 4));
  else if (fitsImm32(b, wide)) a().cmp(gp(ra.id(), wide), asmjit::imm(int32_t(b.imm)));
  else {
    a().mov(r11, asmjit::imm(int64_t(b.imm)));
    a().cmp(ra, r11);
  }
  release(b);
  pop();
  pushFlags(cc);
  return true;
}

// CompileOptions::nan_canonicalization, as the interpreter's CanonF32/CanonF64 rows: a scalar
// float that arithmetic computes (ir::canonicalizesNan) becomes the canonical NaN (positive,
// quiet, no payload) when it is a NaN.
void FuncCompiler::canonicalizeNan(const decode::Instr& in) {
  if (!ir::canonicalizesNan(in.op)) return;
  const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
  bool f32 = info.results == "f";
  Xmm x = toXmm(top());
  asmjit::Label done = a().newLocal();
  if (f32) a().ucomiss(x, x);
  else a().ucomisd(x, x);
  a().jnp(done);  // the parity flag is set only for an unordered compare: x is a NaN
  if (f32) {
    a().mov(r11d, 0x7fc00000u);
    a().movd(x, r11d);
  } else {
    a().mov(r11, asmjit::imm(int64_t(0x7ff8000000000000ull)));
    a().movq(x, r11);
  }
  a().bind(done);
}

bool FuncCompiler::visitIntArith(const decode::Instr& in) {
  enum { Add, Sub, Mul, And, Or, Xor, Shl, ShrS, ShrU, Rotl, Rotr } op;
  bool wide = false;
  switch (in.op) {
    case Opcode::I32Add: op = Add; break;
    case Opcode::I32Sub: op = Sub; break;
    case Opcode::I32Mul: op = Mul; break;
    case Opcode::I32And: op = And; break;
    case Opcode::I32Or: op = Or; break;
    case Opcode::I32Xor: op = Xor; break;
    case Opcode::I32Shl: op = Shl; break;
    case Opcode::I32ShrS: op = ShrS; break;
    case Opcode::I32ShrU: op = ShrU; break;
    case Opcode::I32Rotl: op = Rotl; break;
    case Opcode::I32Rotr: op = Rotr; break;
    case Opcode::I64Add: op = Add, wide = true; break;
    case Opcode::I64Sub: op = Sub, wide = true; break;
    case Opcode::I64Mul: op = Mul, wide = true; break;
    case Opcode::I64And: op = And, wide = true; break;
    case Opcode::I64Or: op = Or, wide = true; break;
    case Opcode::I64Xor: op = Xor, wide = true; break;
    case Opcode::I64Shl: op = Shl, wide = true; break;
    case Opcode::I64ShrS: op = ShrS, wide = true; break;
    case Opcode::I64ShrU: op = ShrU, wide = true; break;
    case Opcode::I64Rotl: op = Rotl, wide = true; break;
    case Opcode::I64Rotr: op = Rotr, wide = true; break;
    default: return false;
  }
  ValKind k = wide ? ValKind::I64 : ValKind::I32;
  if (op >= Shl) {
    Val& bv = top();
    if (bv.loc == Loc::Const) {
      uint8_t n = uint8_t(bv.imm & (wide ? 63 : 31));
      pop();
      // A local's cache shifted left by 1..3 (array indexing): lea from it, no copy.
      if (int ca = cacheOf(top()); op == Shl && n >= 1 && n <= 3 && ca >= 0) {
        Gp r = allocGpr(1u << ca);
        a().lea(wide ? r : r.r32(), ptr(uint64_t(0), gpq(uint8_t(ca)), n));
        top().loc = Loc::Reg;
        top().reg = uint8_t(r.id());
        return true;
      }
      Gp r = gp(toGpr(top()).id(), wide);
      switch (op) {
        case Shl: a().shl(r, n); break;
        case ShrS: a().sar(r, n); break;
        case ShrU: a().shr(r, n); break;
        case Rotl: a().rol(r, n); break;
        default: a().ror(r, n); break;
      }
      return true;
    }
    // The count goes to cl; the value must not live in rcx.
    if (!(bv.loc == Loc::Reg && bv.reg == Gp::kIdCx)) {
      evict(Cls::Gpr, Gp::kIdCx);
      if (int r = regOf(bv); r >= 0) a().mov(ecx, gpd(uint8_t(r)));
      else a().mov(ecx, dword_ptr(rbp, bv.disp));
      release(bv);
      bv.loc = Loc::Reg;
      bv.reg = Gp::kIdCx;
      take(Cls::Gpr, Gp::kIdCx);
    }
    Val& av = top(1);
    if (av.loc == Loc::Reg && av.reg == Gp::kIdCx) evict(Cls::Gpr, Gp::kIdCx);  // unreachable: b owns rcx
    Gp r = gp(toGpr(av, 1u << Gp::kIdCx).id(), wide);
    switch (op) {
      case Shl: a().shl(r, cl); break;
      case ShrS: a().sar(r, cl); break;
      case ShrU: a().shr(r, cl); break;
      case Rotl: a().rol(r, cl); break;
      default: a().ror(r, cl); break;
    }
    pop();
    return true;
  }
  Val b = stack_.back();
  stack_.pop_back();
  // a + b and a +/- constant when a is a local's cache (not a register of its own, which the
  // result could take over): lea into a new register, one instruction where a copy and an add
  // would be two. A 32-bit lea of 64-bit registers keeps the low half: i32 wraps as it must.
  if (Val& av = top(); (op == Add || (op == Sub && b.loc == Loc::Const)) && cacheOf(av) >= 0) {
    auto ca = uint8_t(cacheOf(av));
    int cb = b.loc == Loc::Reg ? b.reg : cacheOf(b);
    auto d = int64_t(op == Add ? b.imm : 0 - b.imm);
    bool imm_ok = b.loc == Loc::Const && (wide ? d == int64_t(int32_t(d)) : true);
    if (cb >= 0 || imm_ok) {
      Gp r = allocGpr((1u << ca) | holdMask(b));
      Gp dst = wide ? r : r.r32();
      if (cb >= 0) a().lea(dst, ptr(gpq(ca), gpq(uint8_t(cb))));
      else a().lea(dst, ptr(gpq(ca), int32_t(d)));
      release(b);
      av.loc = Loc::Reg;
      av.reg = uint8_t(r.id());
      return true;
    }
  }
  // A local's cache times a constant: the three-operand imul reads it in place.
  if (int ca = cacheOf(top()); op == Mul && ca >= 0 && b.loc == Loc::Const && fitsImm32(b, wide)) {
    Gp r = allocGpr(1u << ca);
    a().imul(wide ? r : r.r32(), gp(uint8_t(ca), wide), asmjit::imm(int32_t(b.imm)));
    top().loc = Loc::Reg;
    top().reg = uint8_t(r.id());
    return true;
  }
  Gp r = gp(toGpr(top(), holdMask(b)).id(), wide);
  // Typed (register, memory or immediate), so that the Emitter's direct forms apply.
  auto emit = [&](const auto& src) {
    switch (op) {
      case Add: a().add(r, src); break;
      case Sub: a().sub(r, src); break;
      case Mul: a().imul(r, src); break;
      case And: a().and_(r, src); break;
      case Or: a().or_(r, src); break;
      default: a().xor_(r, src); break;
    }
  };
  if (int c = cacheOf(b); c >= 0) emit(gp(uint8_t(c), wide));
  else if (b.loc == Loc::Reg) emit(gp(b.reg, wide));
  else if (b.loc == Loc::Mem) emit(ptr(rbp, b.disp, wide ? 8 : 4));
  else if (fitsImm32(b, wide)) {
    if (op == Mul) a().imul(r, r, asmjit::imm(int32_t(b.imm)));
    else emit(asmjit::imm(int32_t(b.imm)));
  } else if (op == And && b.imm == 0xffffffffu) {
    a().mov(r.r32(), r.r32());  // the low half, zero-extended: no 64-bit immediate needed
  } else {
    a().mov(r11, asmjit::imm(int64_t(b.imm)));
    emit(r11);
  }
  release(b);
  (void)k;
  return true;
}

// i32.div_u / i32.rem_u by a constant d > 1 without a divide instruction (Lemire, Kaser and
// Kurz, "Faster remainder by direct computation", 2019): with M = floor((2^64 - 1) / d) + 1,
// x / d = (M * x) >> 64 and x % d = ((M * x mod 2^64) * d) >> 64 for every 32-bit x. Powers of
// two are a shift or a mask.
bool FuncCompiler::divRemByConstant(const decode::Instr& in) {
  if (in.op != Opcode::I32DivU && in.op != Opcode::I32RemU) return false;
  const Val& b = top();
  if (b.loc != Loc::Const || uint32_t(b.imm) < 2) return false;
  auto d = uint32_t(b.imm);
  bool rem = in.op == Opcode::I32RemU;
  pop();
  if ((d & (d - 1)) == 0) {
    Gp r = toGpr(top());
    if (rem) a().and_(r.r32(), d - 1);
    else a().shr(r.r32(), uint8_t(std::countr_zero(d)));
    return true;
  }
  uint64_t m = ~uint64_t{0} / d + 1;
  evict(Cls::Gpr, Gp::kIdAx);
  take(Cls::Gpr, Gp::kIdAx);
  evict(Cls::Gpr, Gp::kIdDx);
  take(Cls::Gpr, Gp::kIdDx);
  Val& av = top();
  if (av.loc == Loc::Reg) a().mov(eax, gpd(av.reg));
  else if (int c = cacheOf(av); c >= 0) a().mov(eax, gpd(uint8_t(c)));
  else if (av.loc == Loc::Mem) a().mov(eax, dword_ptr(rbp, av.disp));
  else a().mov(eax, asmjit::imm(uint32_t(av.imm)));
  a().mov(r11, asmjit::imm(int64_t(m)));
  a().mul(r11);  // rdx:rax = M * x
  if (rem) {
    a().mov(r11d, d);
    a().mul(r11);  // rdx = high half of (M * x mod 2^64) * d
  }
  pop();
  gpr_used_ &= ~((1u << Gp::kIdAx) | (1u << Gp::kIdDx));
  pushReg(ValKind::I32, Gp::kIdDx);
  return true;
}

void FuncCompiler::visitDivRem(const decode::Instr& in) {
  if (divRemByConstant(in)) return;
  bool wide = in.op == Opcode::I64DivS || in.op == Opcode::I64DivU || in.op == Opcode::I64RemS || in.op == Opcode::I64RemU;
  bool is_signed = in.op == Opcode::I32DivS || in.op == Opcode::I32RemS || in.op == Opcode::I64DivS || in.op == Opcode::I64RemS;
  bool rem = in.op == Opcode::I32RemS || in.op == Opcode::I32RemU || in.op == Opcode::I64RemS || in.op == Opcode::I64RemU;
  ValKind k = wide ? ValKind::I64 : ValKind::I32;
  // x86 division takes the dividend in rdx:rax. rax is held while rdx is evicted, so that an
  // entry moved out of rdx does not land in rax (which the dividend overwrites).
  evict(Cls::Gpr, Gp::kIdAx);
  take(Cls::Gpr, Gp::kIdAx);
  evict(Cls::Gpr, Gp::kIdDx);
  gpr_used_ &= ~(1u << Gp::kIdAx);
  constexpr uint32_t kAxDx = (1u << Gp::kIdAx) | (1u << Gp::kIdDx);
  Gp rb = gp(toGpr(top(), kAxDx).id(), wide);
  Val& av = top(1);
  Gp ax = gp(Gp::kIdAx, wide), dx = gp(Gp::kIdDx, wide);
  if (int r = regOf(av); r >= 0) a().mov(ax, gp(uint8_t(r), wide));
  else if (av.loc == Loc::Mem) a().mov(ax, ptr(rbp, av.disp, wide ? 8 : 4));
  else a().mov(ax, asmjit::imm(wide ? int64_t(av.imm) : int64_t(uint32_t(av.imm))));
  take(Cls::Gpr, Gp::kIdAx);
  take(Cls::Gpr, Gp::kIdDx);
  a().test(rb, rb);
  trapIf(CondCode::kZ, uint32_t(vm::TrapKind::IntegerDivideByZero));
  asmjit::Label done = a().newLocal();
  if (is_signed) {
    asmjit::Label normal = a().newLocal();
    a().cmp(rb, -1);
    a().jne(normal);
    if (rem) {
      // spec 4.3.2 irem_s: x rem -1 = 0 (x86 faults on INT_MIN / -1).
      a().xor_(edx, edx);
      a().jmp(done);
    } else {
      if (wide) {
        a().mov(r11, asmjit::imm(INT64_MIN));
        a().cmp(rax, r11);
      } else {
        a().cmp(eax, asmjit::imm(INT32_MIN));
      }
      trapIf(CondCode::kE, uint32_t(vm::TrapKind::IntegerOverflow));
    }
    a().bind(normal);
    if (wide) a().cqo();
    else a().cdq();
    a().idiv(rb);
  } else {
    a().xor_(edx, edx);
    a().div(rb);
  }
  a().bind(done);
  pop();
  pop();
  gpr_used_ &= ~kAxDx;
  pushReg(k, rem ? Gp::kIdDx : Gp::kIdAx);
  (void)dx;
}

bool FuncCompiler::visitFloat(const decode::Instr& in) {
  enum { Add, Sub, Mul, Div, Sqrt, Abs, Neg, Ceil, Floor, Trunc, Nearest, Eq, Ne, Lt, Gt, Le, Ge } op;
  bool d = false;
  switch (in.op) {
    case Opcode::F32Add: op = Add; break;
    case Opcode::F32Sub: op = Sub; break;
    case Opcode::F32Mul: op = Mul; break;
    case Opcode::F32Div: op = Div; break;
    case Opcode::F32Sqrt: op = Sqrt; break;
    case Opcode::F32Abs: op = Abs; break;
    case Opcode::F32Neg: op = Neg; break;
    case Opcode::F32Ceil: op = Ceil; break;
    case Opcode::F32Floor: op = Floor; break;
    case Opcode::F32Trunc: op = Trunc; break;
    case Opcode::F32Nearest: op = Nearest; break;
    case Opcode::F32Eq: op = Eq; break;
    case Opcode::F32Ne: op = Ne; break;
    case Opcode::F32Lt: op = Lt; break;
    case Opcode::F32Gt: op = Gt; break;
    case Opcode::F32Le: op = Le; break;
    case Opcode::F32Ge: op = Ge; break;
    case Opcode::F64Add: op = Add, d = true; break;
    case Opcode::F64Sub: op = Sub, d = true; break;
    case Opcode::F64Mul: op = Mul, d = true; break;
    case Opcode::F64Div: op = Div, d = true; break;
    case Opcode::F64Sqrt: op = Sqrt, d = true; break;
    case Opcode::F64Abs: op = Abs, d = true; break;
    case Opcode::F64Neg: op = Neg, d = true; break;
    case Opcode::F64Ceil: op = Ceil, d = true; break;
    case Opcode::F64Floor: op = Floor, d = true; break;
    case Opcode::F64Trunc: op = Trunc, d = true; break;
    case Opcode::F64Nearest: op = Nearest, d = true; break;
    case Opcode::F64Eq: op = Eq, d = true; break;
    case Opcode::F64Ne: op = Ne, d = true; break;
    case Opcode::F64Lt: op = Lt, d = true; break;
    case Opcode::F64Gt: op = Gt, d = true; break;
    case Opcode::F64Le: op = Le, d = true; break;
    case Opcode::F64Ge: op = Ge, d = true; break;
    default: return false;
  }
  if (op <= Div) {
    Val b = stack_.back();
    stack_.pop_back();
    Xmm xa = toXmm(top(), holdMask(b));
    asmjit::Operand src;
    if (int c = cacheOf(b); c >= 0) src = xmm(uint8_t(c));
    else if (b.loc == Loc::Reg) src = xmm(b.reg);
    else if (b.loc == Loc::Mem) src = ptr(rbp, b.disp, d ? 8 : 4);
    else {
      a().mov(r11, asmjit::imm(int64_t(b.imm)));
      a().movq(xmm15, r11);
      src = xmm15;
    }
    static constexpr asmjit::InstId kSs[] = {Inst::kIdAddss, Inst::kIdSubss, Inst::kIdMulss, Inst::kIdDivss};
    static constexpr asmjit::InstId kSd[] = {Inst::kIdAddsd, Inst::kIdSubsd, Inst::kIdMulsd, Inst::kIdDivsd};
    a().emit(d ? kSd[op] : kSs[op], xa, src);
    release(b);
    return true;
  }
  if (op <= Nearest) {
    Xmm x = toXmm(top());
    switch (op) {
      case Sqrt:
        if (d) a().sqrtsd(x, x);
        else a().sqrtss(x, x);
        break;
      case Abs:
      case Neg: {
        // Sign-bit operations only (spec 4.3.3 fabs/fneg: NaN payloads pass unchanged).
        uint64_t mask = d ? (op == Abs ? 0x7fffffffffffffffull : 0x8000000000000000ull) : (op == Abs ? 0x7fffffffu : 0x80000000u);
        a().mov(r11, asmjit::imm(int64_t(mask)));
        a().movq(xmm15, r11);
        if (op == Abs) a().andps(x, xmm15);
        else a().xorps(x, xmm15);
        break;
      }
      default: {
        // roundss/roundsd modes: 0 nearest-even, 1 down, 2 up, 3 toward zero; +8 suppresses the
        // inexact exception. A signalling NaN comes back quiet (spec 4.3.3 NaN propagation).
        uint8_t mode = (op == Nearest ? 0 : op == Floor ? 1 : op == Ceil ? 2 : 3) | 8;
        if (d) a().roundsd(x, x, mode);
        else a().roundss(x, x, mode);
        break;
      }
    }
    return true;
  }
  // Comparisons: ucomis sets ZF, PF and CF; unordered (NaN) sets all three, so "above" and
  // "above or equal" with the operands arranged as b < a are false for NaN as the spec wants.
  Val& vb = top();
  Xmm xb = toXmm(vb);
  Xmm xa = toXmm(top(1), 1u << xb.id());
  auto ucomis = [&](Xmm l, Xmm r) {
    if (d) a().ucomisd(l, r);
    else a().ucomiss(l, r);
  };
  pop();
  pop();
  if (op == Eq || op == Ne) {
    ucomis(xa, xb);
    Gp r = allocGpr();
    if (op == Eq) {
      a().sete(gpb(r.id()));
      a().setnp(r11b);
      a().and_(gpb(r.id()), r11b);
    } else {
      a().setne(gpb(r.id()));
      a().setp(r11b);
      a().or_(gpb(r.id()), r11b);
    }
    a().movzx(r.r32(), gpb(r.id()));
    gpr_used_ &= ~(1u << r.id());
    pushReg(ValKind::I32, uint8_t(r.id()));
    return true;
  }
  CondCode cc = op == Lt || op == Gt ? CondCode::kA : CondCode::kAE;
  if (op == Lt || op == Le) ucomis(xb, xa);
  else ucomis(xa, xb);
  pushFlags(cc);
  return true;
}

bool FuncCompiler::visitConvert(const decode::Instr& in) {
  auto retype = [&](ValKind k) { top().kind = k; };
  switch (in.op) {
    case Opcode::I32WrapI64: {
      Gp r = toGpr(top());
      a().mov(r.r32(), r.r32());
      retype(ValKind::I32);
      return true;
    }
    case Opcode::I64ExtendI32S: {
      Gp r = toGpr(top());
      a().movsxd(r, r.r32());
      retype(ValKind::I64);
      return true;
    }
    case Opcode::I64ExtendI32U: {
      Gp r = toGpr(top());
      a().mov(r.r32(), r.r32());
      retype(ValKind::I64);
      return true;
    }
    case Opcode::I32Extend8S: {
      Gp r = toGpr(top());
      a().movsx(r.r32(), gpb(r.id()));
      return true;
    }
    case Opcode::I32Extend16S: {
      Gp r = toGpr(top());
      a().movsx(r.r32(), gpw(r.id()));
      return true;
    }
    case Opcode::I64Extend8S: {
      Gp r = toGpr(top());
      a().movsx(r, gpb(r.id()));
      return true;
    }
    case Opcode::I64Extend16S: {
      Gp r = toGpr(top());
      a().movsx(r, gpw(r.id()));
      return true;
    }
    case Opcode::I64Extend32S: {
      Gp r = toGpr(top());
      a().movsxd(r, r.r32());
      return true;
    }
    case Opcode::I32ReinterpretF32:
    case Opcode::I64ReinterpretF64: {
      bool w = in.op == Opcode::I64ReinterpretF64;
      Xmm x = toXmm(top());
      Gp r = allocGpr();
      if (w) a().movq(r, x);
      else a().movd(r.r32(), x);
      pop();
      gpr_used_ &= ~(1u << r.id());
      pushReg(w ? ValKind::I64 : ValKind::I32, uint8_t(r.id()));
      return true;
    }
    case Opcode::F32ReinterpretI32:
    case Opcode::F64ReinterpretI64: {
      bool w = in.op == Opcode::F64ReinterpretI64;
      Gp r = toGpr(top());
      Xmm x = allocXmm();
      if (w) a().movq(x, r);
      else a().movd(x, r.r32());
      pop();
      xmm_used_ &= ~(1u << x.id());
      pushReg(w ? ValKind::F64 : ValKind::F32, uint8_t(x.id()));
      return true;
    }
    case Opcode::F32ConvertI32S:
    case Opcode::F32ConvertI32U:
    case Opcode::F32ConvertI64S:
    case Opcode::F64ConvertI32S:
    case Opcode::F64ConvertI32U:
    case Opcode::F64ConvertI64S: {
      bool to64 = in.op == Opcode::F64ConvertI32S || in.op == Opcode::F64ConvertI32U || in.op == Opcode::F64ConvertI64S;
      Gp r = toGpr(top());
      Gp src = r;
      if (in.op == Opcode::F32ConvertI32U || in.op == Opcode::F64ConvertI32U) {
        a().mov(r11d, r.r32());  // zero-extended: a 64-bit signed conversion is exact
        src = r11;
      } else if (in.op == Opcode::F32ConvertI32S || in.op == Opcode::F64ConvertI32S) {
        src = r.r32();
      }
      Xmm x = allocXmm();
      a().xorps(x, x);  // cvtsi2s* writes only the low lane: break the dependency
      if (to64) a().cvtsi2sd(x, src);
      else a().cvtsi2ss(x, src);
      pop();
      xmm_used_ &= ~(1u << x.id());
      pushReg(to64 ? ValKind::F64 : ValKind::F32, uint8_t(x.id()));
      return true;
    }
    case Opcode::I32TruncF32S:
    case Opcode::I32TruncF32U:
    case Opcode::I32TruncF64S:
    case Opcode::I32TruncF64U:
    case Opcode::I64TruncF32S:
    case Opcode::I64TruncF32U:
    case Opcode::I64TruncF64S:
    case Opcode::I64TruncF64U:
    case Opcode::I32TruncSatF32S:
    case Opcode::I32TruncSatF32U:
    case Opcode::I32TruncSatF64S:
    case Opcode::I32TruncSatF64U:
    case Opcode::I64TruncSatF32S:
    case Opcode::I64TruncSatF32U:
    case Opcode::I64TruncSatF64S:
    case Opcode::I64TruncSatF64U:
      truncFloat(in.op);
      return true;
    case Opcode::F32DemoteF64: {
      Xmm x = toXmm(top());
      a().cvtsd2ss(x, x);
      retype(ValKind::F32);
      return true;
    }
    case Opcode::F64PromoteF32: {
      Xmm x = toXmm(top());
      a().cvtss2sd(x, x);
      retype(ValKind::F64);
      return true;
    }
    default: return false;
  }
}

// The float-to-integer conversions (spec 4.3.3 trunc and trunc_sat), inline rather than a
// thunk (a call, with every register spilled around it: `large` converts once per iteration of
// each of its 3,000 loops, and the thunk was 5% of its run time). Two compares against the
// bounds of sem::numeric (the interpreter's), then cvtts*2si, which truncates; an unsigned i32
// converts to i64 (exact below 2^32), an unsigned i64 of 2^63 or more converts less 2^63 and
// sets the top bit again. trunc: NaN traps as an invalid conversion, a value outside the
// exclusive bounds as an integer overflow. trunc_sat: NaN gives 0, a value at or below the
// lower bound the minimum, at or above the upper one the maximum.
void FuncCompiler::truncFloat(Opcode op) {
  namespace num = sem::numeric;
  struct Row {
    Opcode op;
    bool sat, f64, to64, is_unsigned;
    double lo, hi;
  };
  static constexpr Row kRows[] = {
      {Opcode::I32TruncF32S, false, false, false, false, num::kI32TruncF32S.lo, num::kI32TruncF32S.hi},
      {Opcode::I32TruncF32U, false, false, false, true, num::kI32TruncF32U.lo, num::kI32TruncF32U.hi},
      {Opcode::I32TruncF64S, false, true, false, false, num::kI32TruncF64S.lo, num::kI32TruncF64S.hi},
      {Opcode::I32TruncF64U, false, true, false, true, num::kI32TruncF64U.lo, num::kI32TruncF64U.hi},
      {Opcode::I64TruncF32S, false, false, true, false, num::kI64TruncF32S.lo, num::kI64TruncF32S.hi},
      {Opcode::I64TruncF32U, false, false, true, true, num::kI64TruncF32U.lo, num::kI64TruncF32U.hi},
      {Opcode::I64TruncF64S, false, true, true, false, num::kI64TruncF64S.lo, num::kI64TruncF64S.hi},
      {Opcode::I64TruncF64U, false, true, true, true, num::kI64TruncF64U.lo, num::kI64TruncF64U.hi},
      {Opcode::I32TruncSatF32S, true, false, false, false, num::kSatBounds<int32_t, float>.lo, num::kSatBounds<int32_t, float>.hi},
      {Opcode::I32TruncSatF32U, true, false, false, true, num::kSatBounds<uint32_t, float>.lo, num::kSatBounds<uint32_t, float>.hi},
      {Opcode::I32TruncSatF64S, true, true, false, false, num::kSatBounds<int32_t, double>.lo, num::kSatBounds<int32_t, double>.hi},
      {Opcode::I32TruncSatF64U, true, true, false, true, num::kSatBounds<uint32_t, double>.lo, num::kSatBounds<uint32_t, double>.hi},
      {Opcode::I64TruncSatF32S, true, false, true, false, num::kSatBounds<int64_t, float>.lo, num::kSatBounds<int64_t, float>.hi},
      {Opcode::I64TruncSatF32U, true, false, true, true, num::kSatBounds<uint64_t, float>.lo, num::kSatBounds<uint64_t, float>.hi},
      {Opcode::I64TruncSatF64S, true, true, true, false, num::kSatBounds<int64_t, double>.lo, num::kSatBounds<int64_t, double>.hi},
      {Opcode::I64TruncSatF64U, true, true, true, true, num::kSatBounds<uint64_t, double>.lo, num::kSatBounds<uint64_t, double>.hi},
  };
  const Row& w = *std::find_if(std::begin(kRows), std::end(kRows), [&](const Row& row) { return row.op == op; });
  Xmm x = toXmm(top());
  Xmm t = allocXmm(1u << x.id());
  Gp r = allocGpr();  // before the compares: a spill it makes would not keep their flags
  // Compares x with a bound, loaded into t (float bounds are exact in double, so the narrowing
  // is too). Unordered (NaN) sets PF, CF and ZF.
  auto compare = [&](double v) {
    uint64_t bits = w.f64 ? std::bit_cast<uint64_t>(v) : std::bit_cast<uint32_t>(float(v));
    a().mov(r11, asmjit::imm(int64_t(bits)));
    a().movq(t, r11);
    if (w.f64) a().ucomisd(x, t);
    else a().ucomiss(x, t);
  };
  // x, known to be in range, truncated into r.
  auto convert = [&] {
    auto cvt = [&] {
      Gp dst = w.to64 || w.is_unsigned ? r : r.r32();
      if (w.f64) a().cvttsd2si(dst, x);
      else a().cvttss2si(dst, x);
    };
    if (!(w.to64 && w.is_unsigned)) return cvt();
    Label big = a().newLocal(), done = a().newLocal();
    compare(9223372036854775808.0);
    a().j(CondCode::kAE, big);
    cvt();
    a().jmp(done);
    a().bind(big);
    if (w.f64) a().subsd(x, t);
    else a().subss(x, t);
    cvt();
    a().btc(r, 63);
    a().bind(done);
  };
  if (!w.sat) {
    compare(w.lo);
    trapIf(CondCode::kP, uint32_t(vm::TrapKind::InvalidConversion));
    trapIf(CondCode::kBE, uint32_t(vm::TrapKind::IntegerOverflow));
    compare(w.hi);
    trapIf(CondCode::kAE, uint32_t(vm::TrapKind::IntegerOverflow));
    convert();
  } else {
    // The integer limits, as the bounds' results.
    int64_t min = w.is_unsigned ? 0 : w.to64 ? INT64_MIN : INT32_MIN;
    int64_t max = w.is_unsigned ? (w.to64 ? -1 : int64_t(UINT32_MAX)) : w.to64 ? INT64_MAX : INT32_MAX;
    auto set = [&](int64_t v) {
      if (w.to64) a().mov(r, asmjit::imm(v));
      else a().mov(r.r32(), asmjit::imm(uint32_t(v)));
    };
    Label nan = a().newLocal(), done = a().newLocal();
    set(min);
    compare(w.lo);
    a().j(CondCode::kP, nan);
    a().j(CondCode::kBE, done);
    set(max);
    compare(w.hi);
    a().j(CondCode::kAE, done);
    convert();
    a().jmp(done);
    a().bind(nan);
    a().xor_(r.r32(), r.r32());
    a().bind(done);
  }
  xmm_used_ &= ~(1u << t.id());
  pop();
  gpr_used_ &= ~(1u << r.id());
  pushReg(w.to64 ? ValKind::I64 : ValKind::I32, uint8_t(r.id()));
}

void FuncCompiler::visitThunk(const decode::Instr& in) {
  const sem::rows::RowInfo& r = sem::rows::row(in.op);
  size_t n = r.params.size();
  spillRegs();
  size_t first = stack_.size() - n;
  for (size_t i = 0; i < n; ++i) storeOut(stack_[first + i], int32_t(16 * i));
  auto tail = int32_t(16 * n);
  if (r.imm == ir::Imm::Lane) {
    a().mov(byte_ptr(rsp, tail), in.lane);
  } else if (r.imm == ir::Imm::Shuffle) {
    uint64_t lo, hi;
    std::memcpy(&lo, in.v128.data(), 8);
    std::memcpy(&hi, in.v128.data() + 8, 8);
    a().mov(r11, asmjit::imm(int64_t(lo)));
    a().mov(qword_ptr(rsp, tail), r11);
    a().mov(r11, asmjit::imm(int64_t(hi)));
    a().mov(qword_ptr(rsp, tail + 8), r11);
  }
  max_out_ = std::max<uint32_t>(max_out_, uint32_t(n + 1));
  for (size_t i = 0; i < n; ++i) pop();
  a().mov(rdi, rsp);
  callExtern(externThunk(in.op));
  if (thunkMayTrap(in.op)) {
    a().test(eax, eax);
    trapIf(CondCode::kNZ, kDynamic);
  }
  ValKind k;
  switch (r.results[0]) {
    case 'i': k = ValKind::I32; break;
    case 'l': k = ValKind::I64; break;
    case 'f': k = ValKind::F32; break;
    case 'd': k = ValKind::F64; break;
    default: k = ValKind::V128; break;
  }
  pushAreaResult(k);
  (void)cpu;
}

// A thunk's result, in slot 0 of the outgoing area, pushed in a register of its class.
void FuncCompiler::pushAreaResult(ValKind k) {
  if (clsOf(k) == Cls::Gpr) {
    Gp g = allocGpr();
    if (k == ValKind::I32) a().mov(g.r32(), dword_ptr(rsp));
    else a().mov(g, qword_ptr(rsp));
    gpr_used_ &= ~(1u << g.id());
    pushReg(k, uint8_t(g.id()));
  } else {
    Xmm x = allocXmm();
    if (k == ValKind::F32) a().movss(x, dword_ptr(rsp));
    else if (k == ValKind::F64) a().movsd(x, qword_ptr(rsp));
    else a().movups(x, xmmword_ptr(rsp));
    xmm_used_ &= ~(1u << x.id());
    pushReg(k, uint8_t(x.id()));
  }
}

}  // namespace strata::jit
