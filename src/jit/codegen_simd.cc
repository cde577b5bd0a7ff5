// SIMD instructions emitted inline (spec 4.4.3 vector instructions): the dispatch, the operand
// helpers, lanes, shuffles, floats and conversions; the integer rows are in codegen_simd_int.cc. Every SIMD row not handled
// here runs through its thunk (thunks.h) with the semantics of src/sem/simd*.h.
//
// The code is SSE4.1 (the tier's floor; i64x2 lt/gt/le/ge also want SSE4.2's pcmpgtq and stay
// thunks without it) and matches src/sem but for NaN payloads: with CompileOptions::
// nan_canonicalization every float operation that may produce a NaN (arithmetic, sqrt,
// rounding, min/max, demote, promote) replaces NaN lanes by the positive canonical NaN
// (canonNaN below), as src/sem always does; without it only min/max do (their NaN lanes need
// the fix-up anyway) and the others keep x86's NaN, an arithmetic NaN as spec 4.3.3 allows
// (the llvm tier does the same). abs, neg, pmin, pmax and the comparisons keep their operands'
// bits as x86 does.
//
// Operands. Binary rows reuse the first operand's register for the result; the second operand
// is read from its register (or its local's cache register, codegen.h), or loaded into xmm15
// when it is in memory or a constant (SSE memory operands would need 16-byte alignment). Rows
// that need a scratch while the second operand is live ask for it in a register of its own
// (simdBinary(true, b)). xmm15 and r11 are clobbered freely, but only after every operand is
// materialised (toXmm of a constant uses r11).
#include <array>
#include <bit>
#include <cstring>
#include <utility>

#include "jit/codegen.h"
#include "jit/simd_emit.h"

namespace strata::jit {

using ir::Opcode;
using ir::ValKind;
using namespace x86;  // NOLINT(google-build-using-namespace)

const asmjit::CpuInfo& cpu() { return asmjit::CpuInfo::host(); }

// NaN lanes of x -> the positive canonical NaN; m holds all ones in exactly those lanes and is
// clobbered. A NaN lane becomes all ones, then 0xffc00000 (f32) / 0xfff8... (f64), then loses its
// sign bit: m >> 10 (>> 13) is the low mask, its lowest bit shifted to the top the sign.
void canonWithMask(Assembler& a, Xmm x, Xmm m, bool d) {
  a.orps(x, m);
  if (d) {
    a.psrlq(m, 13);
    a.xorps(x, m);
    a.psllq(m, 63);
  } else {
    a.psrld(m, 10);
    a.xorps(x, m);
    a.pslld(m, 31);
  }
  a.xorps(x, m);
}

// The fix-up is skipped by a branch when no lane is NaN: x's dependency chain (mandelbrot-like
// loops) does not wait for the compare.
void canonNaN(Assembler& a, Xmm x, bool d) {
  asmjit::Label done = a.newLabel();
  a.movaps(xmm15, x);
  if (d) a.cmppd(xmm15, xmm15, 3);  // unordered: x is NaN
  else a.cmpps(xmm15, xmm15, 3);
  a.ptest(xmm15, xmm15);
  a.jz(done);
  canonWithMask(a, x, xmm15, d);
  a.bind(done);
}

// 16 constant bytes into x (through r11).
void loadConst(Assembler& a, Xmm x, uint64_t lo, uint64_t hi) {
  if (lo == 0 && hi == 0) {
    a.pxor(x, x);
    return;
  }
  a.mov(r11, asmjit::imm(int64_t(lo)));
  a.movq(x, r11);
  if (hi == lo) {
    a.punpcklqdq(x, x);
  } else {
    a.mov(r11, asmjit::imm(int64_t(hi)));
    a.pinsrq(x, r11, 1);
  }
}

void notInPlace(Assembler& a, Xmm x) {
  a.pcmpeqd(xmm15, xmm15);
  a.pxor(x, xmm15);
}

namespace {

// Simple binary rows: result = op(a, b) in a's register.
asmjit::InstId simpleBinary(Opcode op) {
  switch (op) {
    case Opcode::V128And: return Inst::kIdPand;
    case Opcode::V128Or: return Inst::kIdPor;
    case Opcode::V128Xor: return Inst::kIdPxor;
    case Opcode::I8x16Add: return Inst::kIdPaddb;
    case Opcode::I8x16AddSatS: return Inst::kIdPaddsb;
    case Opcode::I8x16AddSatU: return Inst::kIdPaddusb;
    case Opcode::I8x16Sub: return Inst::kIdPsubb;
    case Opcode::I8x16SubSatS: return Inst::kIdPsubsb;
    case Opcode::I8x16SubSatU: return Inst::kIdPsubusb;
    case Opcode::I8x16MinS: return Inst::kIdPminsb;
    case Opcode::I8x16MinU: return Inst::kIdPminub;
    case Opcode::I8x16MaxS: return Inst::kIdPmaxsb;
    case Opcode::I8x16MaxU: return Inst::kIdPmaxub;
    case Opcode::I8x16AvgrU: return Inst::kIdPavgb;
    case Opcode::I8x16Eq: return Inst::kIdPcmpeqb;
    case Opcode::I8x16GtS: return Inst::kIdPcmpgtb;
    case Opcode::I8x16NarrowI16x8S: return Inst::kIdPacksswb;
    case Opcode::I8x16NarrowI16x8U: return Inst::kIdPackuswb;
    case Opcode::I16x8Add: return Inst::kIdPaddw;
    case Opcode::I16x8AddSatS: return Inst::kIdPaddsw;
    case Opcode::I16x8AddSatU: return Inst::kIdPaddusw;
    case Opcode::I16x8Sub: return Inst::kIdPsubw;
    case Opcode::I16x8SubSatS: return Inst::kIdPsubsw;
    case Opcode::I16x8SubSatU: return Inst::kIdPsubusw;
    case Opcode::I16x8Mul: return Inst::kIdPmullw;
    case Opcode::I16x8MinS: return Inst::kIdPminsw;
    case Opcode::I16x8MinU: return Inst::kIdPminuw;
    case Opcode::I16x8MaxS: return Inst::kIdPmaxsw;
    case Opcode::I16x8MaxU: return Inst::kIdPmaxuw;
    case Opcode::I16x8AvgrU: return Inst::kIdPavgw;
    case Opcode::I16x8Eq: return Inst::kIdPcmpeqw;
    case Opcode::I16x8GtS: return Inst::kIdPcmpgtw;
    case Opcode::I16x8NarrowI32x4S: return Inst::kIdPackssdw;
    case Opcode::I16x8NarrowI32x4U: return Inst::kIdPackusdw;
    case Opcode::I32x4Add: return Inst::kIdPaddd;
    case Opcode::I32x4Sub: return Inst::kIdPsubd;
    case Opcode::I32x4Mul: return Inst::kIdPmulld;
    case Opcode::I32x4MinS: return Inst::kIdPminsd;
    case Opcode::I32x4MinU: return Inst::kIdPminud;
    case Opcode::I32x4MaxS: return Inst::kIdPmaxsd;
    case Opcode::I32x4MaxU: return Inst::kIdPmaxud;
    case Opcode::I32x4Eq: return Inst::kIdPcmpeqd;
    case Opcode::I32x4GtS: return Inst::kIdPcmpgtd;
    case Opcode::I32x4DotI16x8S: return Inst::kIdPmaddwd;  // wraps exactly as spec ivdot
    case Opcode::I64x2Add: return Inst::kIdPaddq;
    case Opcode::I64x2Sub: return Inst::kIdPsubq;
    case Opcode::I64x2Eq: return Inst::kIdPcmpeqq;
    case Opcode::I64x2GtS: return cpu().features().x86().hasSSE4_2() ? Inst::kIdPcmpgtq : Inst::kIdNone;
    default: return Inst::kIdNone;
  }
}

// Rows computed as op(b, a): result = the instruction with the operands swapped.
asmjit::InstId swappedBinary(Opcode op) {
  switch (op) {
    case Opcode::V128Andnot: return Inst::kIdPandn;  // ~b & a
    case Opcode::I8x16LtS: return Inst::kIdPcmpgtb;
    case Opcode::I16x8LtS: return Inst::kIdPcmpgtw;
    case Opcode::I32x4LtS: return Inst::kIdPcmpgtd;
    case Opcode::I64x2LtS: return cpu().features().x86().hasSSE4_2() ? Inst::kIdPcmpgtq : Inst::kIdNone;
    case Opcode::F32x4Pmin: return Inst::kIdMinps;  // b < a ? b : a (NaN or equal: a)
    case Opcode::F32x4Pmax: return Inst::kIdMaxps;  // b > a ? b : a
    case Opcode::F64x2Pmin: return Inst::kIdMinpd;
    case Opcode::F64x2Pmax: return Inst::kIdMaxpd;
    default: return Inst::kIdNone;
  }
}

}  // namespace

// ---- operand helpers ----

// Pops b into `b` (its register stays taken until release(b)) and returns a's register and
// b's: its own, its local's cache register (then only read), or xmm15 loaded from memory or a
// constant. b_reg asks for a register of b's own, which the row may clobber.
std::pair<Xmm, Xmm> FuncCompiler::simdBinary(bool b_reg, Val& b) {
  if (b_reg) toXmm(top());
  b = stack_.back();
  stack_.pop_back();
  Xmm xa = toXmm(top(), holdMask(b));
  if (b.loc == Loc::Reg) return {xa, xmm(b.reg)};
  if (int c = cacheOf(b); c >= 0) return {xa, xmm(uint8_t(c))};  // read only: not b's own
  if (b.loc == Loc::Mem) a().movups(xmm15, xmmword_ptr(rbp, b.disp));
  else loadConst(a(), xmm15, b.imm, b.imm_hi);
  return {xa, xmm15};
}

// xa = id(xb, xa): the rows computed with their operands swapped.
void FuncCompiler::simdSwapped(asmjit::InstId id, Xmm xa, Xmm xb) {
  if (xb.id() != 15) a().movaps(xmm15, xb);
  a().emit(id, xmm15, xa);
  a().movaps(xa, xmm15);
}

// Three v128 operands, all in registers; the result goes to the first's.
std::array<Xmm, 3> FuncCompiler::simdTernary() {
  Xmm xc = toXmm(top());
  Xmm xb = toXmm(top(1), 1u << xc.id());
  Xmm xa = toXmm(top(2), (1u << xc.id()) | (1u << xb.id()));
  return {xa, xb, xc};
}

void FuncCompiler::pushGprResult(ValKind k, Gp r) {
  pop();
  gpr_used_ &= ~(1u << r.id());
  pushReg(k, uint8_t(r.id()));
}

void FuncCompiler::popPushFlags(CondCode cc) {
  pop();
  pushFlags(cc);
}

// The shift count (top, i32) masked to `mask`: a constant, or in r11d and xmm15 (movd).
// Materialises the vector first (toXmm may use r11).
Xmm FuncCompiler::simdShiftOperands(uint32_t mask, bool& is_const, uint32_t& n) {
  Val& c = top();
  Xmm x = toXmm(top(1));
  is_const = c.loc == Loc::Const;
  n = uint32_t(c.imm) & mask;
  if (!is_const) {
    if (int r = regOf(c); r >= 0) a().mov(r11d, gpd(uint8_t(r)));
    else a().mov(r11d, dword_ptr(rbp, c.disp));
    a().and_(r11d, mask);
  }
  pop();
  return x;
}

void FuncCompiler::freeXmm(Xmm t) { xmm_used_ &= ~(1u << t.id()); }

bool FuncCompiler::visitSimd(const decode::Instr& in) {
  // Simple and swapped binary rows, then the integer rows, then the others.
  Val vb;
  if (asmjit::InstId id = simpleBinary(in.op); id != Inst::kIdNone) {
    auto [xa, xb] = simdBinary(false, vb);
    a().emit(id, xa, xb);
    release(vb);
    return true;
  }
  if (asmjit::InstId id = swappedBinary(in.op); id != Inst::kIdNone) {
    auto [xa, xb] = simdBinary(false, vb);
    simdSwapped(id, xa, xb);
    release(vb);
    return true;
  }
  return visitSimdInt(in) || visitSimdLanesFloat(in);
}

bool FuncCompiler::visitSimdLanesFloat(const decode::Instr& in) {
  Assembler& as = a();
  const Opcode op = in.op;
  // NaN lanes of arithmetic results made canonical only when asked (CompileOptions::
  // nan_canonicalization, as the llvm tier): x86 already gives an arithmetic NaN (spec 4.3.3:
  // a quieted operand NaN or the default NaN, whose payload is canonical), and the check cost
  // four instructions per operation (matmul-simd's inner loop: 27 instructions for 10).
  const bool canon = ms_.options.nan_canonicalization;
  auto canonIf = [&](Xmm x, bool d) {
    if (canon) canonNaN(as, x, d);
  };
  Val vb;  // simdBinary's second operand, released by the row
  switch (op) {
    // ---- splat, lanes, shuffle, swizzle ----
    case Opcode::I8x16Splat:
    case Opcode::I16x8Splat:
    case Opcode::I32x4Splat:
    case Opcode::I64x2Splat: {
      Val& s = top();
      if (s.loc == Loc::Const) {
        uint64_t x = s.imm;
        switch (op) {
          case Opcode::I8x16Splat: x = (x & 0xff) * 0x0101010101010101ull; break;
          case Opcode::I16x8Splat: x = (x & 0xffff) * 0x0001000100010001ull; break;
          case Opcode::I32x4Splat: x = (x & 0xffffffffull) * 0x0000000100000001ull; break;
          default: break;
        }
        pop();
        pushConst(ValKind::V128, x, x);
        return true;
      }
      Gp r = toGpr(s);
      Xmm x = allocXmm();
      switch (op) {
        case Opcode::I8x16Splat:
          as.movd(x, r.r32());
          as.pxor(xmm15, xmm15);
          as.pshufb(x, xmm15);
          break;
        case Opcode::I16x8Splat:
          as.movd(x, r.r32());
          as.pshuflw(x, x, 0);
          as.pshufd(x, x, 0);
          break;
        case Opcode::I32x4Splat:
          as.movd(x, r.r32());
          as.pshufd(x, x, 0);
          break;
        default:
          as.movq(x, r);
          as.punpcklqdq(x, x);
          break;
      }
      pop();
      freeXmm(x);
      pushReg(ValKind::V128, uint8_t(x.id()));
      return true;
    }
    case Opcode::F32x4Splat:
    case Opcode::F64x2Splat: {
      Val& s = top();
      if (s.loc == Loc::Const) {
        uint64_t x = op == Opcode::F32x4Splat ? (s.imm & 0xffffffffull) * 0x0000000100000001ull : s.imm;
        pop();
        pushConst(ValKind::V128, x, x);
        return true;
      }
      Xmm x = toXmm(s);
      if (op == Opcode::F32x4Splat) as.shufps(x, x, 0);
      else as.punpcklqdq(x, x);
      top().kind = ValKind::V128;
      return true;
    }
    case Opcode::I8x16ExtractLaneS:
    case Opcode::I8x16ExtractLaneU:
    case Opcode::I16x8ExtractLaneS:
    case Opcode::I16x8ExtractLaneU:
    case Opcode::I32x4ExtractLane:
    case Opcode::I64x2ExtractLane:
    case Opcode::F32x4ExtractLane:
    case Opcode::F64x2ExtractLane: {
      uint32_t size, lane;
      switch (op) {
        case Opcode::I8x16ExtractLaneS:
        case Opcode::I8x16ExtractLaneU: size = 1, lane = in.lane & 15; break;
        case Opcode::I16x8ExtractLaneS:
        case Opcode::I16x8ExtractLaneU: size = 2, lane = in.lane & 7; break;
        case Opcode::I32x4ExtractLane:
        case Opcode::F32x4ExtractLane: size = 4, lane = in.lane & 3; break;
        default: size = 8, lane = in.lane & 1; break;
      }
      bool is_signed = op == Opcode::I8x16ExtractLaneS || op == Opcode::I16x8ExtractLaneS;
      bool fp = op == Opcode::F32x4ExtractLane || op == Opcode::F64x2ExtractLane;
      ValKind k = op == Opcode::F32x4ExtractLane   ? ValKind::F32
                  : op == Opcode::F64x2ExtractLane ? ValKind::F64
                  : op == Opcode::I64x2ExtractLane ? ValKind::I64
                                                   : ValKind::I32;
      Val& v = top();
      if (v.loc == Loc::Const) {  // folded
        uint8_t bytes[16];
        std::memcpy(bytes, &v.imm, 8);
        std::memcpy(bytes + 8, &v.imm_hi, 8);
        uint64_t x = 0;
        std::memcpy(&x, bytes + lane * size, size);
        if (is_signed) x = size == 1 ? uint32_t(int32_t(int8_t(x))) : uint32_t(int32_t(int16_t(x)));
        pop();
        pushConst(k, x);
        return true;
      }
      int cache = cacheOf(v);
      if (v.loc == Loc::Mem && cache < 0) {  // the lane's bytes read from the vector's home
        Mem m = ptr(rbp, v.disp + int32_t(lane * size), size);
        if (fp) {
          Xmm y = allocXmm();
          if (size == 4) as.movss(y, m);
          else as.movsd(y, m);
          pop();
          freeXmm(y);
          pushReg(k, uint8_t(y.id()));
          return true;
        }
        Gp r = allocGpr();
        if (size == 8) as.mov(r, m);
        else if (size == 4) as.mov(r.r32(), m);
        else if (is_signed) as.movsx(r.r32(), m);
        else as.movzx(r.r32(), m);
        pushGprResult(k, r);
        return true;
      }
      // A register: the entry's own, or its local's cache (only read).
      Xmm x = v.loc == Loc::Reg ? xmm(v.reg) : xmm(uint8_t(cache));
      if (fp) {
        if (v.loc == Loc::Reg) {  // the consumed vector's register becomes the scalar's
          if (size == 4 && lane != 0) as.pshufd(x, x, lane);
          if (size == 8 && lane != 0) as.movhlps(x, x);
          top().kind = k;
          return true;
        }
        Xmm y = allocXmm(1u << x.id());
        as.pshufd(y, x, size == 4 ? lane : lane ? 0xee : 0x44);
        pop();
        freeXmm(y);
        pushReg(k, uint8_t(y.id()));
        return true;
      }
      Gp r = allocGpr();
      switch (op) {
        case Opcode::I8x16ExtractLaneS:
          as.pextrb(r.r32(), x, lane);
          as.movsx(r.r32(), gpb(r.id()));
          break;
        case Opcode::I8x16ExtractLaneU: as.pextrb(r.r32(), x, lane); break;
        case Opcode::I16x8ExtractLaneS:
          as.pextrw(r.r32(), x, lane);
          as.movsx(r.r32(), gpw(r.id()));
          break;
        case Opcode::I16x8ExtractLaneU: as.pextrw(r.r32(), x, lane); break;
        case Opcode::I32x4ExtractLane:
          if (lane == 0) as.movd(r.r32(), x);
          else as.pextrd(r.r32(), x, lane);
          break;
        default:
          if (lane == 0) as.movq(r, x);
          else as.pextrq(r, x, 1);
          break;
      }
      pushGprResult(k, r);
      return true;
    }
    case Opcode::I8x16ReplaceLane:
    case Opcode::I16x8ReplaceLane:
    case Opcode::I32x4ReplaceLane:
    case Opcode::I64x2ReplaceLane: {
      Xmm x = toXmm(top(1));
      Val& s = top();
      bool wide = op == Opcode::I64x2ReplaceLane;
      asmjit::Operand src;
      if (s.loc == Loc::Const) {
        if (wide) as.mov(r11, asmjit::imm(int64_t(s.imm)));
        else as.mov(r11d, asmjit::imm(uint32_t(s.imm)));
        src = wide ? Gp(r11) : Gp(r11d);
      } else if (int r = regOf(s); r >= 0) {  // its own register or its local's cache
        src = wide ? Gp(gpq(uint8_t(r))) : Gp(gpd(uint8_t(r)));
      } else {
        uint32_t size = op == Opcode::I8x16ReplaceLane ? 1 : op == Opcode::I16x8ReplaceLane ? 2 : wide ? 8 : 4;
        src = ptr(rbp, s.disp, size);
      }
      switch (op) {
        case Opcode::I8x16ReplaceLane: as.emit(Inst::kIdPinsrb, x, src, asmjit::imm(in.lane & 15)); break;
        case Opcode::I16x8ReplaceLane: as.emit(Inst::kIdPinsrw, x, src, asmjit::imm(in.lane & 7)); break;
        case Opcode::I32x4ReplaceLane: as.emit(Inst::kIdPinsrd, x, src, asmjit::imm(in.lane & 3)); break;
        default: as.emit(Inst::kIdPinsrq, x, src, asmjit::imm(in.lane & 1)); break;
      }
      pop();
      return true;
    }
    case Opcode::F32x4ReplaceLane:
    case Opcode::F64x2ReplaceLane: {
      Xmm y = toXmm(top());
      Xmm x = toXmm(top(1), 1u << y.id());
      if (op == Opcode::F32x4ReplaceLane) as.insertps(x, y, (in.lane & 3) << 4);
      else if ((in.lane & 1) == 0) as.movsd(x, y);
      else as.movlhps(x, y);
      pop();
      return true;
    }
    case Opcode::I8x16Shuffle: {
      uint8_t m1[16], m2[16];
      bool from_a = false, from_b = false;
      for (int i = 0; i < 16; ++i) {
        uint8_t l = in.v128[i] & 31;
        m1[i] = l < 16 ? l : 0x80;
        m2[i] = l >= 16 ? uint8_t(l - 16) : 0x80;
        (l < 16 ? from_a : from_b) = true;
      }
      uint64_t lo1, hi1, lo2, hi2;
      std::memcpy(&lo1, m1, 8);
      std::memcpy(&hi1, m1 + 8, 8);
      std::memcpy(&lo2, m2, 8);
      std::memcpy(&hi2, m2 + 8, 8);
      auto [xa, xb] = simdBinary(from_a && from_b, vb);
      if (!from_b) {
        loadConst(as, xmm15, lo1, hi1);
        as.pshufb(xa, xmm15);
      } else if (!from_a) {
        if (xb.id() != 15) as.movdqa(xmm15, xb);
        as.movdqa(xa, xmm15);
        loadConst(as, xmm15, lo2, hi2);
        as.pshufb(xa, xmm15);
      } else {
        loadConst(as, xmm15, lo1, hi1);
        as.pshufb(xa, xmm15);
        loadConst(as, xmm15, lo2, hi2);
        as.pshufb(xb, xmm15);  // b's own register: consumed here
        as.por(xa, xb);
      }
      release(vb);
      return true;
    }
    case Opcode::I8x16Swizzle:
    case Opcode::I8x16RelaxedSwizzle: {
      auto [xa, xb] = simdBinary(true, vb);
      // Indices >= 16 get the top bit (saturating + 0x70): pshufb zeroes those lanes.
      as.mov(r11d, 0x70707070);
      as.movd(xmm15, r11d);
      as.pshufd(xmm15, xmm15, 0);
      as.paddusb(xmm15, xb);
      as.pshufb(xa, xmm15);
      release(vb);
      return true;
    }

    // ---- float ----
    case Opcode::F32x4Add:
    case Opcode::F32x4Sub:
    case Opcode::F32x4Mul:
    case Opcode::F32x4Div:
    case Opcode::F64x2Add:
    case Opcode::F64x2Sub:
    case Opcode::F64x2Mul:
    case Opcode::F64x2Div: {
      asmjit::InstId id;
      bool d = false;
      switch (op) {
        case Opcode::F32x4Add: id = Inst::kIdAddps; break;
        case Opcode::F32x4Sub: id = Inst::kIdSubps; break;
        case Opcode::F32x4Mul: id = Inst::kIdMulps; break;
        case Opcode::F32x4Div: id = Inst::kIdDivps; break;
        case Opcode::F64x2Add: id = Inst::kIdAddpd, d = true; break;
        case Opcode::F64x2Sub: id = Inst::kIdSubpd, d = true; break;
        case Opcode::F64x2Mul: id = Inst::kIdMulpd, d = true; break;
        default: id = Inst::kIdDivpd, d = true; break;
      }
      auto [xa, xb] = simdBinary(false, vb);
      as.emit(id, xa, xb);
      canonIf(xa, d);
      release(vb);
      return true;
    }
    case Opcode::F32x4Eq:
    case Opcode::F32x4Ne:
    case Opcode::F32x4Lt:
    case Opcode::F32x4Le:
    case Opcode::F32x4Gt:
    case Opcode::F32x4Ge:
    case Opcode::F64x2Eq:
    case Opcode::F64x2Ne:
    case Opcode::F64x2Lt:
    case Opcode::F64x2Le:
    case Opcode::F64x2Gt:
    case Opcode::F64x2Ge: {
      bool d = op == Opcode::F64x2Eq || op == Opcode::F64x2Ne || op == Opcode::F64x2Lt || op == Opcode::F64x2Le ||
               op == Opcode::F64x2Gt || op == Opcode::F64x2Ge;
      // Predicates: 0 eq (ordered), 1 lt, 2 le, 4 neq (unordered: NaN != x is true).
      uint32_t pred;
      bool swap = false;
      switch (op) {
        case Opcode::F32x4Eq:
        case Opcode::F64x2Eq: pred = 0; break;
        case Opcode::F32x4Ne:
        case Opcode::F64x2Ne: pred = 4; break;
        case Opcode::F32x4Lt:
        case Opcode::F64x2Lt: pred = 1; break;
        case Opcode::F32x4Le:
        case Opcode::F64x2Le: pred = 2; break;
        case Opcode::F32x4Gt:
        case Opcode::F64x2Gt: pred = 1, swap = true; break;
        default: pred = 2, swap = true; break;
      }
      auto [xa, xb] = simdBinary(false, vb);
      asmjit::InstId id = d ? Inst::kIdCmppd : Inst::kIdCmpps;
      if (swap) {
        if (xb.id() != 15) as.movaps(xmm15, xb);
        as.emit(id, xmm15, xa, asmjit::imm(pred));
        as.movaps(xa, xmm15);
      } else {
        as.emit(id, xa, xb, asmjit::imm(pred));
      }
      release(vb);
      return true;
    }
    case Opcode::F32x4Min:
    case Opcode::F32x4Max:
    case Opcode::F64x2Min:
    case Opcode::F64x2Max:
    case Opcode::F32x4RelaxedMin:
    case Opcode::F32x4RelaxedMax:
    case Opcode::F64x2RelaxedMin:
    case Opcode::F64x2RelaxedMax: {
      bool d = op == Opcode::F64x2Min || op == Opcode::F64x2Max || op == Opcode::F64x2RelaxedMin || op == Opcode::F64x2RelaxedMax;
      bool is_min = op == Opcode::F32x4Min || op == Opcode::F64x2Min || op == Opcode::F32x4RelaxedMin || op == Opcode::F64x2RelaxedMin;
      asmjit::InstId id = is_min ? (d ? Inst::kIdMinpd : Inst::kIdMinps) : (d ? Inst::kIdMaxpd : Inst::kIdMaxps);
      auto [xa, xb] = simdBinary(true, vb);
      // Both operand orders: they agree except for NaNs (each returns its second operand) and
      // zeroes of either sign (OR gives -0 for min, AND +0 for max). In NaN lanes the two hold
      // the original a and b, so an unordered compare of them is the NaN mask.
      as.movaps(xmm15, xa);
      as.emit(id, xmm15, xb);  // a op b: NaN -> b
      as.emit(id, xb, xa);     // b op a: NaN -> a
      as.movaps(xa, xmm15);
      if (is_min) as.orps(xa, xb);
      else as.andps(xa, xb);
      as.emit(d ? Inst::kIdCmppd : Inst::kIdCmpps, xb, xmm15, asmjit::imm(3));
      canonWithMask(as, xa, xb, d);
      release(vb);
      return true;
    }
    case Opcode::F32x4Abs:
    case Opcode::F32x4Neg:
    case Opcode::F64x2Abs:
    case Opcode::F64x2Neg: {
      Xmm x = toXmm(top());
      as.pcmpeqd(xmm15, xmm15);
      switch (op) {
        case Opcode::F32x4Abs: as.psrld(xmm15, 1), as.andps(x, xmm15); break;
        case Opcode::F64x2Abs: as.psrlq(xmm15, 1), as.andps(x, xmm15); break;
        case Opcode::F32x4Neg: as.pslld(xmm15, 31), as.xorps(x, xmm15); break;
        default: as.psllq(xmm15, 63), as.xorps(x, xmm15); break;
      }
      return true;
    }
    case Opcode::F32x4Sqrt:
    case Opcode::F64x2Sqrt: {
      Xmm x = toXmm(top());
      bool d = op == Opcode::F64x2Sqrt;
      if (d) as.sqrtpd(x, x);
      else as.sqrtps(x, x);
      canonIf(x, d);
      return true;
    }
    case Opcode::F32x4Ceil:
    case Opcode::F32x4Floor:
    case Opcode::F32x4Trunc:
    case Opcode::F32x4Nearest:
    case Opcode::F64x2Ceil:
    case Opcode::F64x2Floor:
    case Opcode::F64x2Trunc:
    case Opcode::F64x2Nearest: {
      Xmm x = toXmm(top());
      bool d = op == Opcode::F64x2Ceil || op == Opcode::F64x2Floor || op == Opcode::F64x2Trunc || op == Opcode::F64x2Nearest;
      // roundps modes: 0 nearest-even, 1 down, 2 up, 3 toward zero; +8 no inexact exception.
      uint32_t mode = op == Opcode::F32x4Nearest || op == Opcode::F64x2Nearest ? 0
                      : op == Opcode::F32x4Floor || op == Opcode::F64x2Floor   ? 1
                      : op == Opcode::F32x4Ceil || op == Opcode::F64x2Ceil     ? 2
                                                                               : 3;
      if (d) as.roundpd(x, x, mode | 8);
      else as.roundps(x, x, mode | 8);
      canonIf(x, d);
      return true;
    }
    case Opcode::F32x4RelaxedMadd:
    case Opcode::F32x4RelaxedNmadd:
    case Opcode::F64x2RelaxedMadd:
    case Opcode::F64x2RelaxedNmadd: {
      // Unfused: a * b rounded (and canonicalized when asked), then + c (sem floatMaddUnfused).
      bool d = op == Opcode::F64x2RelaxedMadd || op == Opcode::F64x2RelaxedNmadd;
      bool neg = op == Opcode::F32x4RelaxedNmadd || op == Opcode::F64x2RelaxedNmadd;
      auto [xa, xb, xc] = simdTernary();
      if (neg) {
        as.pcmpeqd(xmm15, xmm15);
        if (d) as.psllq(xmm15, 63);
        else as.pslld(xmm15, 31);
        as.xorps(xa, xmm15);
      }
      if (d) as.mulpd(xa, xb);
      else as.mulps(xa, xb);
      canonIf(xa, d);
      if (d) as.addpd(xa, xc);
      else as.addps(xa, xc);
      canonIf(xa, d);
      pop();
      pop();
      return true;
    }

    // ---- conversions ----
    case Opcode::F32x4ConvertI32x4S: as.cvtdq2ps(toXmm(top()), toXmm(top())); return true;
    case Opcode::F64x2ConvertLowI32x4S: as.cvtdq2pd(toXmm(top()), toXmm(top())); return true;
    case Opcode::F32x4ConvertI32x4U: {
      // Low 16 bits exactly, plus the high part halved (exact), converted and doubled: one
      // rounding, in the final add.
      Xmm x = toXmm(top());
      as.pxor(xmm15, xmm15);
      as.pblendw(xmm15, x, 0x55);
      as.psubd(x, xmm15);
      as.cvtdq2ps(xmm15, xmm15);
      as.psrld(x, 1);
      as.cvtdq2ps(x, x);
      as.addps(x, x);
      as.addps(x, xmm15);
      return true;
    }
    case Opcode::F64x2ConvertLowI32x4U: {
      // 2^52 + x as a double's bits, minus 2^52: exact.
      Xmm x = toXmm(top());
      as.pmovzxdq(x, x);
      uint64_t two52 = std::bit_cast<uint64_t>(4503599627370496.0);
      loadConst(as, xmm15, two52, two52);
      as.por(x, xmm15);
      as.subpd(x, xmm15);
      return true;
    }
    case Opcode::F64x2PromoteLowF32x4: {
      Xmm x = toXmm(top());
      as.cvtps2pd(x, x);
      canonIf(x, true);
      return true;
    }
    case Opcode::F32x4DemoteF64x2Zero: {
      Xmm x = toXmm(top());
      as.cvtpd2ps(x, x);  // lanes 2, 3 = +0
      canonIf(x, false);
      return true;
    }
    case Opcode::I32x4TruncSatF32x4S:
    case Opcode::I32x4RelaxedTruncF32x4S: {
      // NaN lanes zeroed; cvttps2dq gives 0x80000000 out of range, which is right below and is
      // flipped to 0x7fffffff where the input was positive (sign of ~input & result).
      Xmm x = toXmm(top());
      as.movaps(xmm15, x);
      as.cmpps(xmm15, xmm15, 0);  // ordered
      as.andps(x, xmm15);
      as.pxor(xmm15, x);          // ~x in ordered lanes
      as.cvttps2dq(x, x);
      as.pand(xmm15, x);
      as.psrad(xmm15, 31);
      as.pxor(x, xmm15);
      return true;
    }
    case Opcode::I32x4TruncSatF32x4U:
    case Opcode::I32x4RelaxedTruncF32x4U: {
      Xmm x = toXmm(top());
      Xmm t = allocXmm(1u << x.id());
      as.pxor(xmm15, xmm15);
      as.maxps(x, xmm15);  // NaN and negatives -> 0
      as.pcmpeqd(xmm15, xmm15);
      as.psrld(xmm15, 1);
      as.cvtdq2ps(xmm15, xmm15);  // 2^31
      as.movaps(t, x);
      as.subps(t, xmm15);         // x - 2^31
      as.cmpps(xmm15, t, 2);      // 2^31 <= x - 2^31: x >= 2^32
      as.cvttps2dq(t, t);
      as.pxor(t, xmm15);          // saturate to 0x7fffffff there
      as.pxor(xmm15, xmm15);
      as.pmaxsd(t, xmm15);        // x < 2^31: nothing to add
      as.cvttps2dq(x, x);         // x < 2^31 exact, else 0x80000000
      as.paddd(x, t);
      freeXmm(t);
      return true;
    }
    case Opcode::I32x4TruncSatF64x2SZero:
    case Opcode::I32x4RelaxedTruncF64x2SZero: {
      Xmm x = toXmm(top());
      as.movapd(xmm15, x);
      as.cmppd(xmm15, xmm15, 0);  // ordered
      as.andpd(x, xmm15);         // NaN -> 0
      uint64_t max = std::bit_cast<uint64_t>(2147483647.0);
      loadConst(as, xmm15, max, max);
      as.minpd(x, xmm15);
      as.cvttpd2dq(x, x);  // below -2^31: 0x80000000 = INT32_MIN; lanes 2, 3 = 0
      return true;
    }
    case Opcode::I32x4TruncSatF64x2UZero:
    case Opcode::I32x4RelaxedTruncF64x2UZero: {
      Xmm x = toXmm(top());
      as.xorpd(xmm15, xmm15);
      as.maxpd(x, xmm15);  // NaN and negatives -> 0
      uint64_t max = std::bit_cast<uint64_t>(4294967295.0);
      loadConst(as, xmm15, max, max);
      as.minpd(x, xmm15);
      as.roundpd(x, x, 3 | 8);
      uint64_t two52 = std::bit_cast<uint64_t>(4503599627370496.0);
      loadConst(as, xmm15, two52, two52);
      as.addpd(x, xmm15);  // the integer in the low 32 bits
      as.xorps(xmm15, xmm15);
      as.shufps(x, xmm15, 0x88);
      return true;
    }
    default: return false;
  }
}

}  // namespace strata::jit
