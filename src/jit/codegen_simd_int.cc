// SIMD integer rows emitted inline (spec 4.4.3): comparisons built from eq/gt/min/max, v128
// bitwise, integer unary rows, shifts, widening and narrowing. The operand helpers and the
// conventions are in codegen_simd.cc's header comment.
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

bool FuncCompiler::visitSimdInt(const decode::Instr& in) {
  Assembler& as = a();
  const Opcode op = in.op;
  Val vb;  // simdBinary's second operand, released by the row
  switch (op) {
    // ---- integer comparisons built from eq/gt/min/max ----
    case Opcode::I8x16Ne:
    case Opcode::I16x8Ne:
    case Opcode::I32x4Ne:
    case Opcode::I64x2Ne: {
      auto [xa, xb] = simdBinary(false, vb);
      as.emit(op == Opcode::I8x16Ne   ? Inst::kIdPcmpeqb
              : op == Opcode::I16x8Ne ? Inst::kIdPcmpeqw
              : op == Opcode::I32x4Ne ? Inst::kIdPcmpeqd
                                      : Inst::kIdPcmpeqq,
              xa, xb);
      notInPlace(as, xa);
      release(vb);
      return true;
    }
    // le(a, b) = max(a, b) == b; ge(a, b) = min(a, b) == b; gt_u = !le_u; lt_u = !ge_u;
    // le_s = max_s form too (no constant needed).
    case Opcode::I8x16LeS:
    case Opcode::I8x16LeU:
    case Opcode::I8x16GeS:
    case Opcode::I8x16GeU:
    case Opcode::I8x16GtU:
    case Opcode::I8x16LtU:
    case Opcode::I16x8LeS:
    case Opcode::I16x8LeU:
    case Opcode::I16x8GeS:
    case Opcode::I16x8GeU:
    case Opcode::I16x8GtU:
    case Opcode::I16x8LtU:
    case Opcode::I32x4LeS:
    case Opcode::I32x4LeU:
    case Opcode::I32x4GeS:
    case Opcode::I32x4GeU:
    case Opcode::I32x4GtU:
    case Opcode::I32x4LtU: {
      int shape;  // 0 i8, 1 i16, 2 i32
      bool is_signed, le, negate;
      switch (op) {
        case Opcode::I8x16LeS: shape = 0, is_signed = true, le = true, negate = false; break;
        case Opcode::I8x16LeU: shape = 0, is_signed = false, le = true, negate = false; break;
        case Opcode::I8x16GeS: shape = 0, is_signed = true, le = false, negate = false; break;
        case Opcode::I8x16GeU: shape = 0, is_signed = false, le = false, negate = false; break;
        case Opcode::I8x16GtU: shape = 0, is_signed = false, le = true, negate = true; break;
        case Opcode::I8x16LtU: shape = 0, is_signed = false, le = false, negate = true; break;
        case Opcode::I16x8LeS: shape = 1, is_signed = true, le = true, negate = false; break;
        case Opcode::I16x8LeU: shape = 1, is_signed = false, le = true, negate = false; break;
        case Opcode::I16x8GeS: shape = 1, is_signed = true, le = false, negate = false; break;
        case Opcode::I16x8GeU: shape = 1, is_signed = false, le = false, negate = false; break;
        case Opcode::I16x8GtU: shape = 1, is_signed = false, le = true, negate = true; break;
        case Opcode::I16x8LtU: shape = 1, is_signed = false, le = false, negate = true; break;
        case Opcode::I32x4LeS: shape = 2, is_signed = true, le = true, negate = false; break;
        case Opcode::I32x4LeU: shape = 2, is_signed = false, le = true, negate = false; break;
        case Opcode::I32x4GeS: shape = 2, is_signed = true, le = false, negate = false; break;
        case Opcode::I32x4GeU: shape = 2, is_signed = false, le = false, negate = false; break;
        case Opcode::I32x4GtU: shape = 2, is_signed = false, le = true, negate = true; break;
        default: shape = 2, is_signed = false, le = false, negate = true; break;  // I32x4LtU
      }
      static constexpr asmjit::InstId kMax[2][3] = {{Inst::kIdPmaxub, Inst::kIdPmaxuw, Inst::kIdPmaxud},
                                                    {Inst::kIdPmaxsb, Inst::kIdPmaxsw, Inst::kIdPmaxsd}};
      static constexpr asmjit::InstId kMin[2][3] = {{Inst::kIdPminub, Inst::kIdPminuw, Inst::kIdPminud},
                                                    {Inst::kIdPminsb, Inst::kIdPminsw, Inst::kIdPminsd}};
      static constexpr asmjit::InstId kEq[3] = {Inst::kIdPcmpeqb, Inst::kIdPcmpeqw, Inst::kIdPcmpeqd};
      auto [xa, xb] = simdBinary(false, vb);
      as.emit(le ? kMax[is_signed][shape] : kMin[is_signed][shape], xa, xb);
      as.emit(kEq[shape], xa, xb);
      if (negate) notInPlace(as, xa);
      release(vb);
      return true;
    }
    case Opcode::I64x2LeS:
    case Opcode::I64x2GeS: {
      if (!cpu().features().x86().hasSSE4_2()) return false;
      auto [xa, xb] = simdBinary(false, vb);
      if (op == Opcode::I64x2LeS) as.pcmpgtq(xa, xb);  // !(a > b)
      else simdSwapped(Inst::kIdPcmpgtq, xa, xb);          // !(b > a)
      notInPlace(as, xa);
      release(vb);
      return true;
    }

    // ---- v128 bitwise ----
    case Opcode::V128Not: notInPlace(as, toXmm(top())); return true;
    case Opcode::V128Bitselect:
    case Opcode::I8x16RelaxedLaneselect:
    case Opcode::I16x8RelaxedLaneselect:
    case Opcode::I32x4RelaxedLaneselect:
    case Opcode::I64x2RelaxedLaneselect: {
      auto [xa, xb, xm] = simdTernary();
      as.pxor(xa, xb);  // ((v1 ^ v2) & m) ^ v2
      as.pand(xa, xm);
      as.pxor(xa, xb);
      pop();
      pop();
      return true;
    }
    case Opcode::V128AnyTrue: {
      Xmm x = toXmm(top());
      as.ptest(x, x);
      popPushFlags(CondCode::kNE);
      return true;
    }
    case Opcode::I8x16AllTrue:
    case Opcode::I16x8AllTrue:
    case Opcode::I32x4AllTrue:
    case Opcode::I64x2AllTrue: {
      Xmm x = toXmm(top());
      as.pxor(xmm15, xmm15);
      as.emit(op == Opcode::I8x16AllTrue   ? Inst::kIdPcmpeqb
              : op == Opcode::I16x8AllTrue ? Inst::kIdPcmpeqw
              : op == Opcode::I32x4AllTrue ? Inst::kIdPcmpeqd
                                           : Inst::kIdPcmpeqq,
              xmm15, x);
      as.ptest(xmm15, xmm15);  // ZF: no lane is zero
      popPushFlags(CondCode::kE);
      return true;
    }
    case Opcode::I8x16Bitmask:
    case Opcode::I16x8Bitmask:
    case Opcode::I32x4Bitmask:
    case Opcode::I64x2Bitmask: {
      Xmm x = toXmm(top());
      Gp r = allocGpr();
      switch (op) {
        case Opcode::I8x16Bitmask: as.pmovmskb(r.r32(), x); break;
        case Opcode::I16x8Bitmask:
          as.movdqa(xmm15, x);
          as.packsswb(xmm15, xmm15);  // signed saturation keeps each lane's sign
          as.pmovmskb(r.r32(), xmm15);
          as.movzx(r.r32(), gpb(r.id()));
          break;
        case Opcode::I32x4Bitmask: as.movmskps(r.r32(), x); break;
        default: as.movmskpd(r.r32(), x); break;
      }
      pushGprResult(ValKind::I32, r);
      return true;
    }

    // ---- integer unary ----
    case Opcode::I8x16Abs: as.pabsb(toXmm(top()), toXmm(top())); return true;
    case Opcode::I16x8Abs: as.pabsw(toXmm(top()), toXmm(top())); return true;
    case Opcode::I32x4Abs: as.pabsd(toXmm(top()), toXmm(top())); return true;
    case Opcode::I64x2Abs: {
      Xmm x = toXmm(top());
      as.movdqa(xmm15, x);
      as.psrad(xmm15, 31);
      as.pshufd(xmm15, xmm15, 0xf5);  // the high dword's sign over the whole lane
      as.pxor(x, xmm15);
      as.psubq(x, xmm15);
      return true;
    }
    case Opcode::I8x16Neg:
    case Opcode::I16x8Neg:
    case Opcode::I32x4Neg:
    case Opcode::I64x2Neg: {
      Xmm x = toXmm(top());
      as.pxor(xmm15, xmm15);
      as.emit(op == Opcode::I8x16Neg   ? Inst::kIdPsubb
              : op == Opcode::I16x8Neg ? Inst::kIdPsubw
              : op == Opcode::I32x4Neg ? Inst::kIdPsubd
                                       : Inst::kIdPsubq,
              xmm15, x);
      as.movdqa(x, xmm15);
      return true;
    }
    case Opcode::I8x16Popcnt: {
      // Nibble table lookups: popcnt(lo) + popcnt(hi).
      Xmm x = toXmm(top());
      Xmm t = allocXmm(1u << x.id());
      constexpr uint64_t kLutLo = 0x0302020102010100ull, kLutHi = 0x0403030203020201ull;
      loadConst(as, t, 0x0f0f0f0f0f0f0f0full, 0x0f0f0f0f0f0f0f0full);
      as.movdqa(xmm15, x);
      as.psrlw(xmm15, 4);
      as.pand(xmm15, t);  // high nibbles
      as.pand(x, t);      // low nibbles
      loadConst(as, t, kLutLo, kLutHi);
      as.pshufb(t, xmm15);
      loadConst(as, xmm15, kLutLo, kLutHi);
      as.pshufb(xmm15, x);
      as.movdqa(x, xmm15);
      as.paddb(x, t);
      freeXmm(t);
      return true;
    }
    case Opcode::I64x2Mul: {
      auto [xa, xb] = simdBinary(true, vb);
      Xmm t = allocXmm((1u << xa.id()) | (1u << xb.id()));
      as.movdqa(t, xb);
      as.psrlq(t, 32);
      as.pmuludq(t, xa);  // b.hi * a.lo
      as.movdqa(xmm15, xa);
      as.psrlq(xmm15, 32);
      as.pmuludq(xmm15, xb);  // a.hi * b.lo
      as.paddq(t, xmm15);
      as.psllq(t, 32);
      as.pmuludq(xa, xb);  // a.lo * b.lo
      as.paddq(xa, t);
      freeXmm(t);
      release(vb);
      return true;
    }
    case Opcode::I16x8Q15mulrSatS:
    case Opcode::I16x8RelaxedQ15mulrS: {
      auto [xa, xb] = simdBinary(false, vb);
      as.pmulhrsw(xa, xb);  // (a*b + 0x4000) >> 15; only -32768 * -32768 gives 0x8000
      as.pcmpeqd(xmm15, xmm15);
      as.psllw(xmm15, 15);
      as.pcmpeqw(xmm15, xa);
      as.pxor(xa, xmm15);  // 0x8000 -> 0x7fff
      release(vb);
      return true;
    }

    // ---- shifts ----
    case Opcode::I16x8Shl:
    case Opcode::I16x8ShrS:
    case Opcode::I16x8ShrU:
    case Opcode::I32x4Shl:
    case Opcode::I32x4ShrS:
    case Opcode::I32x4ShrU:
    case Opcode::I64x2Shl:
    case Opcode::I64x2ShrU: {
      uint32_t mask;
      asmjit::InstId id;
      switch (op) {
        case Opcode::I16x8Shl: mask = 15, id = Inst::kIdPsllw; break;
        case Opcode::I16x8ShrS: mask = 15, id = Inst::kIdPsraw; break;
        case Opcode::I16x8ShrU: mask = 15, id = Inst::kIdPsrlw; break;
        case Opcode::I32x4Shl: mask = 31, id = Inst::kIdPslld; break;
        case Opcode::I32x4ShrS: mask = 31, id = Inst::kIdPsrad; break;
        case Opcode::I32x4ShrU: mask = 31, id = Inst::kIdPsrld; break;
        case Opcode::I64x2Shl: mask = 63, id = Inst::kIdPsllq; break;
        default: mask = 63, id = Inst::kIdPsrlq; break;
      }
      bool is_const;
      uint32_t n;
      Xmm x = simdShiftOperands(mask, is_const, n);
      if (is_const) {
        if (n != 0) as.emit(id, x, asmjit::imm(n));
      } else {
        as.movd(xmm15, r11d);
        as.emit(id, x, xmm15);
      }
      return true;
    }
    case Opcode::I8x16Shl:
    case Opcode::I8x16ShrU: {
      bool shl = op == Opcode::I8x16Shl;
      bool is_const;
      uint32_t n;
      Xmm x = simdShiftOperands(7, is_const, n);
      if (is_const) {
        if (n == 0) return true;
        uint32_t m = (shl ? 0xffu << n : 0xffu >> n) & 0xff;
        if (shl) as.psllw(x, n);
        else as.psrlw(x, n);
        as.mov(r11d, m * 0x01010101u);
        as.movd(xmm15, r11d);
        as.pshufd(xmm15, xmm15, 0);
        as.pand(x, xmm15);
        return true;
      }
      // The word shift leaks bits across bytes; the byte mask (0xff << n or 0xff >> n, from a
      // word shift of 0x00ff / 0xffff) clears them.
      Xmm t = allocXmm(1u << x.id());
      as.movd(xmm15, r11d);
      as.pcmpeqd(t, t);
      if (shl) {
        as.psllw(x, xmm15);
        as.psllw(t, xmm15);  // low byte: (0xff << n) & 0xff
        as.psllw(t, 8);
        as.psrlw(t, 8);
      } else {
        as.psrlw(x, xmm15);
        as.psrlw(t, 8);
        as.psrlw(t, xmm15);  // 0xff >> n
      }
      as.packuswb(t, t);
      as.pand(x, t);
      freeXmm(t);
      return true;
    }
    case Opcode::I8x16ShrS: {
      // Each byte doubled into a word (its sign on top), shifted by n + 8, packed back.
      bool is_const;
      uint32_t n;
      Xmm x = simdShiftOperands(7, is_const, n);
      if (is_const && n == 0) return true;
      Xmm t;
      if (!is_const) {
        t = allocXmm(1u << x.id());
        as.add(r11d, 8);
        as.movd(t, r11d);
      }
      as.movdqa(xmm15, x);
      as.punpckhbw(xmm15, xmm15);
      as.punpcklbw(x, x);
      if (is_const) {
        as.psraw(x, n + 8);
        as.psraw(xmm15, n + 8);
      } else {
        as.psraw(x, t);
        as.psraw(xmm15, t);
        freeXmm(t);
      }
      as.packsswb(x, xmm15);
      return true;
    }
    case Opcode::I64x2ShrS: {
      bool is_const;
      uint32_t n;
      Xmm x = simdShiftOperands(63, is_const, n);
      if (is_const) {
        if (n == 0) return true;
        as.movdqa(xmm15, x);
        as.psrad(xmm15, 31);
        as.pshufd(xmm15, xmm15, 0xf5);  // sign mask per lane
        as.psrlq(x, n);
        as.psllq(xmm15, 64 - n);
        as.por(x, xmm15);
        return true;
      }
      // ((x >>u n) ^ m) - m with m = 2^63 >>u n: sign extension from bit 63 - n.
      Xmm t = allocXmm(1u << x.id());
      as.movd(xmm15, r11d);
      as.pcmpeqd(t, t);
      as.psllq(t, 63);
      as.psrlq(t, xmm15);
      as.psrlq(x, xmm15);
      as.pxor(x, t);
      as.psubq(x, t);
      freeXmm(t);
      return true;
    }

    // ---- widening and narrowing ----
    case Opcode::I16x8ExtendLowI8x16S: as.pmovsxbw(toXmm(top()), toXmm(top())); return true;
    case Opcode::I16x8ExtendLowI8x16U: as.pmovzxbw(toXmm(top()), toXmm(top())); return true;
    case Opcode::I32x4ExtendLowI16x8S: as.pmovsxwd(toXmm(top()), toXmm(top())); return true;
    case Opcode::I32x4ExtendLowI16x8U: as.pmovzxwd(toXmm(top()), toXmm(top())); return true;
    case Opcode::I64x2ExtendLowI32x4S: as.pmovsxdq(toXmm(top()), toXmm(top())); return true;
    case Opcode::I64x2ExtendLowI32x4U: as.pmovzxdq(toXmm(top()), toXmm(top())); return true;
    case Opcode::I16x8ExtendHighI8x16S:
    case Opcode::I16x8ExtendHighI8x16U:
    case Opcode::I32x4ExtendHighI16x8S:
    case Opcode::I32x4ExtendHighI16x8U:
    case Opcode::I64x2ExtendHighI32x4S:
    case Opcode::I64x2ExtendHighI32x4U: {
      Xmm x = toXmm(top());
      as.pshufd(x, x, 0xee);  // the high half down
      switch (op) {
        case Opcode::I16x8ExtendHighI8x16S: as.pmovsxbw(x, x); break;
        case Opcode::I16x8ExtendHighI8x16U: as.pmovzxbw(x, x); break;
        case Opcode::I32x4ExtendHighI16x8S: as.pmovsxwd(x, x); break;
        case Opcode::I32x4ExtendHighI16x8U: as.pmovzxwd(x, x); break;
        case Opcode::I64x2ExtendHighI32x4S: as.pmovsxdq(x, x); break;
        default: as.pmovzxdq(x, x); break;
      }
      return true;
    }
    case Opcode::I16x8ExtmulLowI8x16S:
    case Opcode::I16x8ExtmulHighI8x16S:
    case Opcode::I16x8ExtmulLowI8x16U:
    case Opcode::I16x8ExtmulHighI8x16U:
    case Opcode::I32x4ExtmulLowI16x8S:
    case Opcode::I32x4ExtmulHighI16x8S:
    case Opcode::I32x4ExtmulLowI16x8U:
    case Opcode::I32x4ExtmulHighI16x8U:
    case Opcode::I64x2ExtmulLowI32x4S:
    case Opcode::I64x2ExtmulHighI32x4S:
    case Opcode::I64x2ExtmulLowI32x4U:
    case Opcode::I64x2ExtmulHighI32x4U: {
      bool high = op == Opcode::I16x8ExtmulHighI8x16S || op == Opcode::I16x8ExtmulHighI8x16U ||
                  op == Opcode::I32x4ExtmulHighI16x8S || op == Opcode::I32x4ExtmulHighI16x8U ||
                  op == Opcode::I64x2ExtmulHighI32x4S || op == Opcode::I64x2ExtmulHighI32x4U;
      auto [xa, xb] = simdBinary(false, vb);
      // Both operands extended (a in place, b into xmm15), then a same-width multiply.
      auto extend = [&](Xmm d, Xmm s) {
        switch (op) {
          case Opcode::I16x8ExtmulLowI8x16S:
          case Opcode::I16x8ExtmulHighI8x16S:
            if (high) as.pshufd(d, s, 0xee), s = d;
            as.pmovsxbw(d, s);
            break;
          case Opcode::I16x8ExtmulLowI8x16U:
          case Opcode::I16x8ExtmulHighI8x16U:
            if (high) as.pshufd(d, s, 0xee), s = d;
            as.pmovzxbw(d, s);
            break;
          case Opcode::I32x4ExtmulLowI16x8S:
          case Opcode::I32x4ExtmulHighI16x8S:
            if (high) as.pshufd(d, s, 0xee), s = d;
            as.pmovsxwd(d, s);
            break;
          case Opcode::I32x4ExtmulLowI16x8U:
          case Opcode::I32x4ExtmulHighI16x8U:
            if (high) as.pshufd(d, s, 0xee), s = d;
            as.pmovzxwd(d, s);
            break;
          default:
            as.pshufd(d, s, high ? 0xfa : 0x50);  // dwords i, i, i+1, i+1: pmul*dq reads 0 and 2
            break;
        }
      };
      extend(xa, xa);
      extend(xmm15, xb);
      switch (op) {
        case Opcode::I16x8ExtmulLowI8x16S:
        case Opcode::I16x8ExtmulHighI8x16S:
        case Opcode::I16x8ExtmulLowI8x16U:
        case Opcode::I16x8ExtmulHighI8x16U: as.pmullw(xa, xmm15); break;
        case Opcode::I32x4ExtmulLowI16x8S:
        case Opcode::I32x4ExtmulHighI16x8S:
        case Opcode::I32x4ExtmulLowI16x8U:
        case Opcode::I32x4ExtmulHighI16x8U: as.pmulld(xa, xmm15); break;
        case Opcode::I64x2ExtmulLowI32x4S:
        case Opcode::I64x2ExtmulHighI32x4S: as.pmuldq(xa, xmm15); break;
        default: as.pmuludq(xa, xmm15); break;
      }
      release(vb);
      return true;
    }
    case Opcode::I16x8ExtaddPairwiseI8x16S:
    case Opcode::I16x8ExtaddPairwiseI8x16U: {
      Xmm x = toXmm(top());
      as.pcmpeqb(xmm15, xmm15);
      as.pabsb(xmm15, xmm15);  // 1 in every byte
      if (op == Opcode::I16x8ExtaddPairwiseI8x16S) {
        as.pmaddubsw(xmm15, x);  // 1 * x (signed), no saturation possible
        as.movdqa(x, xmm15);
      } else {
        as.pmaddubsw(x, xmm15);  // x (unsigned) * 1
      }
      return true;
    }
    case Opcode::I32x4ExtaddPairwiseI16x8S: {
      Xmm x = toXmm(top());
      as.pcmpeqw(xmm15, xmm15);
      as.psrlw(xmm15, 15);
      as.pmaddwd(x, xmm15);
      return true;
    }
    case Opcode::I32x4ExtaddPairwiseI16x8U: {
      Xmm x = toXmm(top());
      as.movdqa(xmm15, x);
      as.psrld(xmm15, 16);
      as.pslld(x, 16);
      as.psrld(x, 16);
      as.paddd(x, xmm15);
      return true;
    }

    default: return false;
  }
}

}  // namespace strata::jit
