// SIMD rows (spec 4.3.5 vector numerics, 4.4.3 vector instructions) as LLVM vector IR, so that
// LLVM selects x86 vector instructions for them and optimizes across them (a call to the
// shared thunk per instruction, with its operands in memory, ran mandelbrot and matmul with
// SIMD at 7 to 13 times native code). Relaxed SIMD keeps its thunks: their results are the
// interpreter's deterministic choice.
//
// NaNs: the spec leaves a NaN result's sign and payload open (4.3.3); these rows give what x86
// computes, as the scalar rows do, and the canonical NaN in NaN lanes when NaN canonicalization
// is on (the interpreter's deterministic rule, sem/simd_float.h, so the tiers agree bit for bit
// there).
#include <llvm/IR/IntrinsicsX86.h>

#include "llvm/translate.h"

namespace strata::llvmtier {

using ir::Opcode;
using llvm::CmpInst;

namespace {
namespace I = llvm::Intrinsic;
}  // namespace

bool FuncTranslator::simd(const decode::Instr& in) {
  llvm::Type *i8 = mt_.i8, *i16 = mt_.i16, *i32 = mt_.i32, *i64 = mt_.i64, *f32 = mt_.f32, *f64 = mt_.f64;
  auto vec = [](llvm::Type* t, unsigned n) -> llvm::FixedVectorType* { return llvm::FixedVectorType::get(t, n); };
  llvm::FixedVectorType *v16i8 = vec(i8, 16), *v8i16 = vec(i16, 8), *v4i32 = vec(i32, 4), *v2i64 = vec(i64, 2);
  llvm::FixedVectorType *v4f32 = vec(f32, 4), *v2f64 = vec(f64, 2);
  using P = CmpInst::Predicate;
  using Op = llvm::Instruction::BinaryOps;

  auto popAs = [&](llvm::Type* t) { return b_.CreateBitCast(pop(), t); };
  auto out = [&](llvm::Value* v) { push(b_.CreateBitCast(v, mt_.v128)); };
  auto un = [&](llvm::Type* t, auto&& f) { out(f(popAs(t))); };
  auto bin = [&](llvm::Type* t, auto&& f) {
    llvm::Value* y = popAs(t);
    llvm::Value* x = popAs(t);
    out(f(x, y));
  };
  auto binop = [&](llvm::Type* t, Op op) { bin(t, [&](llvm::Value* x, llvm::Value* y) { return b_.CreateBinOp(op, x, y); }); };
  auto intr1 = [&](llvm::Type* t, llvm::Intrinsic::ID id) { un(t, [&](llvm::Value* x) { return b_.CreateUnaryIntrinsic(id, x); }); };
  auto intr2 = [&](llvm::Type* t, llvm::Intrinsic::ID id) {
    bin(t, [&](llvm::Value* x, llvm::Value* y) { return b_.CreateBinaryIntrinsic(id, x, y); });
  };
  // Comparisons give all ones or zero per lane.
  auto icmp = [&](llvm::Type* t, P p) { bin(t, [&](llvm::Value* x, llvm::Value* y) { return b_.CreateSExt(b_.CreateICmp(p, x, y), t); }); };
  auto fcmp = [&](llvm::Type* t, llvm::Type* it, P p) {
    llvm::Value* y = popAs(t);
    llvm::Value* x = popAs(t);
    out(b_.CreateSExt(b_.CreateFCmp(p, x, y), it));
  };
  auto canon = [&](llvm::Value* v) { return mt_.req.options.nan_canonicalization ? canonicalNan(v) : v; };
  auto opaque = [&](llvm::Value* v) { return opaqueIdentity(v); };
  auto farith = [&](llvm::Type* t, Op op) {
    llvm::Value* y = opaque(popAs(t));
    llvm::Value* x = opaque(popAs(t));
    out(canon(b_.CreateBinOp(op, x, y)));
  };
  auto fround = [&](llvm::Type* t, llvm::Intrinsic::ID id) { un(t, [&](llvm::Value* x) { return canon(b_.CreateUnaryIntrinsic(id, x)); }); };
  auto minmax = [&](llvm::Type* t, llvm::Intrinsic::ID id) {
    bin(t, [&](llvm::Value* x, llvm::Value* y) { return canon(wasmMinMax(id, x, y)); });
  };
  // Shift counts are taken modulo the lane width (spec 4.3.5 ishl...).
  auto shift = [&](llvm::FixedVectorType* t, Op op) {
    llvm::Value* s = pop();
    llvm::Value* x = popAs(t);
    unsigned w = t->getScalarSizeInBits();
    llvm::Value* n = b_.CreateZExtOrTrunc(b_.CreateAnd(s, b_.getInt32(w - 1)), t->getElementType());
    out(b_.CreateBinOp(op, x, b_.CreateVectorSplat(t->getNumElements(), n)));
  };
  auto splat = [&](llvm::FixedVectorType* t) {
    llvm::Value* x = pop();
    if (x->getType() != t->getElementType()) x = b_.CreateTrunc(x, t->getElementType());
    out(b_.CreateVectorSplat(t->getNumElements(), x));
  };
  auto extract = [&](llvm::FixedVectorType* t, int ext) {  // ext: 0 none, 1 signed, 2 unsigned
    llvm::Value* e = b_.CreateExtractElement(popAs(t), uint64_t(in.lane));
    if (ext) e = ext == 1 ? b_.CreateSExt(e, i32) : b_.CreateZExt(e, i32);
    push(e);
  };
  auto replace = [&](llvm::FixedVectorType* t) {
    llvm::Value* x = pop();
    llvm::Value* v = popAs(t);
    if (x->getType() != t->getElementType()) x = b_.CreateTrunc(x, t->getElementType());
    out(b_.CreateInsertElement(v, x, uint64_t(in.lane)));
  };
  auto iota = [](unsigned from, unsigned n, unsigned step = 1) {
    llvm::SmallVector<int, 16> m;
    for (unsigned i = 0; i < n; ++i) m.push_back(int(from + i * step));
    return m;
  };
  // The low or high half of x's lanes, widened to twice their width.
  auto half = [&](llvm::Value* x, bool high, bool is_signed) {
    auto* t = llvm::cast<llvm::FixedVectorType>(x->getType());
    unsigned n = t->getNumElements() / 2;
    llvm::Value* h = b_.CreateShuffleVector(x, iota(high ? n : 0, n));
    llvm::Type* wide = vec(b_.getIntNTy(t->getScalarSizeInBits() * 2), n);
    return is_signed ? b_.CreateSExt(h, wide) : b_.CreateZExt(h, wide);
  };
  auto extend = [&](llvm::FixedVectorType* t, bool high, bool is_signed) { un(t, [&](llvm::Value* x) { return half(x, high, is_signed); }); };
  auto extmul = [&](llvm::FixedVectorType* t, bool high, bool is_signed) {
    bin(t, [&](llvm::Value* x, llvm::Value* y) { return b_.CreateMul(half(x, high, is_signed), half(y, high, is_signed)); });
  };
  // Adjacent lanes added: even lanes + odd lanes.
  auto pairs = [&](llvm::Value* w) {
    unsigned n = llvm::cast<llvm::FixedVectorType>(w->getType())->getNumElements() / 2;
    return b_.CreateAdd(b_.CreateShuffleVector(w, iota(0, n, 2)), b_.CreateShuffleVector(w, iota(1, n, 2)));
  };
  auto extadd = [&](llvm::FixedVectorType* t, bool is_signed) {
    un(t, [&](llvm::Value* x) {
      llvm::Type* wide = vec(b_.getIntNTy(t->getScalarSizeInBits() * 2), t->getNumElements());
      return pairs(is_signed ? b_.CreateSExt(x, wide) : b_.CreateZExt(x, wide));
    });
  };
  // Both operands' lanes, saturated to the narrower lane (spec narrow: signed or unsigned).
  auto narrow = [&](llvm::FixedVectorType* t, bool is_signed) {
    bin(t, [&](llvm::Value* x, llvm::Value* y) {
      unsigned n = t->getNumElements(), w = t->getScalarSizeInBits() / 2;
      llvm::Value* both = b_.CreateShuffleVector(x, y, iota(0, 2 * n));
      llvm::APInt lo = is_signed ? llvm::APInt::getSignedMinValue(w).sext(2 * w) : llvm::APInt(2 * w, 0);
      llvm::APInt hi = is_signed ? llvm::APInt::getSignedMaxValue(w).sext(2 * w) : llvm::APInt::getMaxValue(w).zext(2 * w);
      llvm::Value* c = b_.CreateBinaryIntrinsic(I::smax, both, llvm::ConstantInt::get(both->getType(), lo));
      c = b_.CreateBinaryIntrinsic(I::smin, c, llvm::ConstantInt::get(both->getType(), hi));
      return b_.CreateTrunc(c, vec(b_.getIntNTy(w), 2 * n));
    });
  };
  // (x + y + 1) / 2 without overflow.
  auto avgr = [&](llvm::FixedVectorType* t) {
    bin(t, [&](llvm::Value* x, llvm::Value* y) {
      llvm::Type* wide = vec(b_.getIntNTy(t->getScalarSizeInBits() * 2), t->getNumElements());
      llvm::Value* s = b_.CreateAdd(b_.CreateAdd(b_.CreateZExt(x, wide), b_.CreateZExt(y, wide)), llvm::ConstantInt::get(wide, 1));
      return b_.CreateTrunc(b_.CreateLShr(s, llvm::ConstantInt::get(wide, 1)), t);
    });
  };
  auto allTrue = [&](llvm::FixedVectorType* t) {
    llvm::Value* ne = b_.CreateICmpNE(popAs(t), llvm::Constant::getNullValue(t));
    push(b_.CreateZExt(b_.CreateAndReduce(ne), i32));
  };
  auto bitmask = [&](llvm::FixedVectorType* t) {
    llvm::Value* neg = b_.CreateICmpSLT(popAs(t), llvm::Constant::getNullValue(t));
    push(b_.CreateZExt(b_.CreateBitCast(neg, b_.getIntNTy(t->getNumElements())), i32));
  };
  auto neg = [&](llvm::FixedVectorType* t) { un(t, [&](llvm::Value* x) { return b_.CreateNeg(x); }); };
  auto abs = [&](llvm::FixedVectorType* t) { un(t, [&](llvm::Value* x) { return b_.CreateBinaryIntrinsic(I::abs, x, b_.getFalse()); }); };
  // pmin: b < a ? b : a; pmax: a < b ? b : a (spec 4.3.5, NaN or equal: a).
  auto pminmax = [&](llvm::Type* t, bool max) {
    bin(t, [&](llvm::Value* a, llvm::Value* b) { return b_.CreateSelect(max ? b_.CreateFCmpOLT(a, b) : b_.CreateFCmpOLT(b, a), b, a); });
  };
  auto sat = [&](llvm::Type* to, llvm::Type* from, bool is_signed) {
    un(from, [&](llvm::Value* x) { return b_.CreateIntrinsic(is_signed ? I::fptosi_sat : I::fptoui_sat, {to, from}, {x}); });
  };
  // Two f64 lanes to i32 lanes 0 and 1, lanes 2 and 3 zero.
  auto satZero = [&](bool is_signed) {
    un(v2f64, [&](llvm::Value* x) {
      llvm::Value* r = b_.CreateIntrinsic(is_signed ? I::fptosi_sat : I::fptoui_sat, {vec(i32, 2), v2f64}, {x});
      return b_.CreateShuffleVector(r, llvm::Constant::getNullValue(r->getType()), iota(0, 4));
    });
  };
  auto convertLow = [&](bool is_signed) {
    un(v4i32, [&](llvm::Value* x) {
      llvm::Value* lo = b_.CreateShuffleVector(x, iota(0, 2));
      return is_signed ? b_.CreateSIToFP(lo, v2f64) : b_.CreateUIToFP(lo, v2f64);
    });
  };

  switch (in.op) {
    case Opcode::I8x16Shuffle: {
      llvm::Value* y = popAs(v16i8);
      llvm::Value* x = popAs(v16i8);
      llvm::SmallVector<int, 16> mask(in.v128.begin(), in.v128.end());
      out(b_.CreateShuffleVector(x, y, mask));
      return true;
    }
    case Opcode::I8x16Swizzle:
      // pshufb zeroes a lane whose index has bit 7 set and else takes index & 15: adding 0x70
      // with unsigned saturation keeps 0..15 below 0x80 and pushes 16..255 above.
      bin(v16i8, [&](llvm::Value* x, llvm::Value* s) {
        llvm::Value* idx = b_.CreateBinaryIntrinsic(I::uadd_sat, s, llvm::ConstantInt::get(v16i8, 0x70));
        return b_.CreateIntrinsic(I::x86_ssse3_pshuf_b_128, {}, {x, idx});
      });
      return true;
    case Opcode::I8x16Splat: splat(v16i8); return true;
    case Opcode::I16x8Splat: splat(v8i16); return true;
    case Opcode::I32x4Splat: splat(v4i32); return true;
    case Opcode::I64x2Splat: splat(v2i64); return true;
    case Opcode::F32x4Splat: splat(v4f32); return true;
    case Opcode::F64x2Splat: splat(v2f64); return true;
    case Opcode::I8x16ExtractLaneS: extract(v16i8, 1); return true;
    case Opcode::I8x16ExtractLaneU: extract(v16i8, 2); return true;
    case Opcode::I16x8ExtractLaneS: extract(v8i16, 1); return true;
    case Opcode::I16x8ExtractLaneU: extract(v8i16, 2); return true;
    case Opcode::I32x4ExtractLane: extract(v4i32, 0); return true;
    case Opcode::I64x2ExtractLane: extract(v2i64, 0); return true;
    case Opcode::F32x4ExtractLane: extract(v4f32, 0); return true;
    case Opcode::F64x2ExtractLane: extract(v2f64, 0); return true;
    case Opcode::I8x16ReplaceLane: replace(v16i8); return true;
    case Opcode::I16x8ReplaceLane: replace(v8i16); return true;
    case Opcode::I32x4ReplaceLane: replace(v4i32); return true;
    case Opcode::I64x2ReplaceLane: replace(v2i64); return true;
    case Opcode::F32x4ReplaceLane: replace(v4f32); return true;
    case Opcode::F64x2ReplaceLane: replace(v2f64); return true;

    case Opcode::I8x16Eq: icmp(v16i8, P::ICMP_EQ); return true;
    case Opcode::I8x16Ne: icmp(v16i8, P::ICMP_NE); return true;
    case Opcode::I8x16LtS: icmp(v16i8, P::ICMP_SLT); return true;
    case Opcode::I8x16LtU: icmp(v16i8, P::ICMP_ULT); return true;
    case Opcode::I8x16GtS: icmp(v16i8, P::ICMP_SGT); return true;
    case Opcode::I8x16GtU: icmp(v16i8, P::ICMP_UGT); return true;
    case Opcode::I8x16LeS: icmp(v16i8, P::ICMP_SLE); return true;
    case Opcode::I8x16LeU: icmp(v16i8, P::ICMP_ULE); return true;
    case Opcode::I8x16GeS: icmp(v16i8, P::ICMP_SGE); return true;
    case Opcode::I8x16GeU: icmp(v16i8, P::ICMP_UGE); return true;
    case Opcode::I16x8Eq: icmp(v8i16, P::ICMP_EQ); return true;
    case Opcode::I16x8Ne: icmp(v8i16, P::ICMP_NE); return true;
    case Opcode::I16x8LtS: icmp(v8i16, P::ICMP_SLT); return true;
    case Opcode::I16x8LtU: icmp(v8i16, P::ICMP_ULT); return true;
    case Opcode::I16x8GtS: icmp(v8i16, P::ICMP_SGT); return true;
    case Opcode::I16x8GtU: icmp(v8i16, P::ICMP_UGT); return true;
    case Opcode::I16x8LeS: icmp(v8i16, P::ICMP_SLE); return true;
    case Opcode::I16x8LeU: icmp(v8i16, P::ICMP_ULE); return true;
    case Opcode::I16x8GeS: icmp(v8i16, P::ICMP_SGE); return true;
    case Opcode::I16x8GeU: icmp(v8i16, P::ICMP_UGE); return true;
    case Opcode::I32x4Eq: icmp(v4i32, P::ICMP_EQ); return true;
    case Opcode::I32x4Ne: icmp(v4i32, P::ICMP_NE); return true;
    case Opcode::I32x4LtS: icmp(v4i32, P::ICMP_SLT); return true;
    case Opcode::I32x4LtU: icmp(v4i32, P::ICMP_ULT); return true;
    case Opcode::I32x4GtS: icmp(v4i32, P::ICMP_SGT); return true;
    case Opcode::I32x4GtU: icmp(v4i32, P::ICMP_UGT); return true;
    case Opcode::I32x4LeS: icmp(v4i32, P::ICMP_SLE); return true;
    case Opcode::I32x4LeU: icmp(v4i32, P::ICMP_ULE); return true;
    case Opcode::I32x4GeS: icmp(v4i32, P::ICMP_SGE); return true;
    case Opcode::I32x4GeU: icmp(v4i32, P::ICMP_UGE); return true;
    case Opcode::I64x2Eq: icmp(v2i64, P::ICMP_EQ); return true;
    case Opcode::I64x2Ne: icmp(v2i64, P::ICMP_NE); return true;
    case Opcode::I64x2LtS: icmp(v2i64, P::ICMP_SLT); return true;
    case Opcode::I64x2GtS: icmp(v2i64, P::ICMP_SGT); return true;
    case Opcode::I64x2LeS: icmp(v2i64, P::ICMP_SLE); return true;
    case Opcode::I64x2GeS: icmp(v2i64, P::ICMP_SGE); return true;
    case Opcode::F32x4Eq: fcmp(v4f32, v4i32, P::FCMP_OEQ); return true;
    case Opcode::F32x4Ne: fcmp(v4f32, v4i32, P::FCMP_UNE); return true;
    case Opcode::F32x4Lt: fcmp(v4f32, v4i32, P::FCMP_OLT); return true;
    case Opcode::F32x4Gt: fcmp(v4f32, v4i32, P::FCMP_OGT); return true;
    case Opcode::F32x4Le: fcmp(v4f32, v4i32, P::FCMP_OLE); return true;
    case Opcode::F32x4Ge: fcmp(v4f32, v4i32, P::FCMP_OGE); return true;
    case Opcode::F64x2Eq: fcmp(v2f64, v2i64, P::FCMP_OEQ); return true;
    case Opcode::F64x2Ne: fcmp(v2f64, v2i64, P::FCMP_UNE); return true;
    case Opcode::F64x2Lt: fcmp(v2f64, v2i64, P::FCMP_OLT); return true;
    case Opcode::F64x2Gt: fcmp(v2f64, v2i64, P::FCMP_OGT); return true;
    case Opcode::F64x2Le: fcmp(v2f64, v2i64, P::FCMP_OLE); return true;
    case Opcode::F64x2Ge: fcmp(v2f64, v2i64, P::FCMP_OGE); return true;

    case Opcode::V128Not: un(v2i64, [&](llvm::Value* x) { return b_.CreateNot(x); }); return true;
    case Opcode::V128And: binop(v2i64, Op::And); return true;
    case Opcode::V128Andnot: bin(v2i64, [&](llvm::Value* x, llvm::Value* y) { return b_.CreateAnd(x, b_.CreateNot(y)); }); return true;
    case Opcode::V128Or: binop(v2i64, Op::Or); return true;
    case Opcode::V128Xor: binop(v2i64, Op::Xor); return true;
    case Opcode::V128Bitselect: {
      llvm::Value* c = popAs(v2i64);
      llvm::Value* y = popAs(v2i64);
      llvm::Value* x = popAs(v2i64);
      out(b_.CreateOr(b_.CreateAnd(x, c), b_.CreateAnd(y, b_.CreateNot(c))));
      return true;
    }
    case Opcode::V128AnyTrue:
      push(b_.CreateZExt(b_.CreateICmpNE(b_.CreateBitCast(pop(), b_.getInt128Ty()), b_.getIntN(128, 0)), i32));
      return true;

    case Opcode::I8x16Abs: abs(v16i8); return true;
    case Opcode::I16x8Abs: abs(v8i16); return true;
    case Opcode::I32x4Abs: abs(v4i32); return true;
    case Opcode::I64x2Abs: abs(v2i64); return true;
    case Opcode::I8x16Neg: neg(v16i8); return true;
    case Opcode::I16x8Neg: neg(v8i16); return true;
    case Opcode::I32x4Neg: neg(v4i32); return true;
    case Opcode::I64x2Neg: neg(v2i64); return true;
    case Opcode::I8x16Popcnt: intr1(v16i8, I::ctpop); return true;
    case Opcode::I8x16AllTrue: allTrue(v16i8); return true;
    case Opcode::I16x8AllTrue: allTrue(v8i16); return true;
    case Opcode::I32x4AllTrue: allTrue(v4i32); return true;
    case Opcode::I64x2AllTrue: allTrue(v2i64); return true;
    case Opcode::I8x16Bitmask: bitmask(v16i8); return true;
    case Opcode::I16x8Bitmask: bitmask(v8i16); return true;
    case Opcode::I32x4Bitmask: bitmask(v4i32); return true;
    case Opcode::I64x2Bitmask: bitmask(v2i64); return true;
    case Opcode::I8x16NarrowI16x8S: narrow(v8i16, true); return true;
    case Opcode::I8x16NarrowI16x8U: narrow(v8i16, false); return true;
    case Opcode::I16x8NarrowI32x4S: narrow(v4i32, true); return true;
    case Opcode::I16x8NarrowI32x4U: narrow(v4i32, false); return true;
    case Opcode::I16x8ExtendLowI8x16S: extend(v16i8, false, true); return true;
    case Opcode::I16x8ExtendHighI8x16S: extend(v16i8, true, true); return true;
    case Opcode::I16x8ExtendLowI8x16U: extend(v16i8, false, false); return true;
    case Opcode::I16x8ExtendHighI8x16U: extend(v16i8, true, false); return true;
    case Opcode::I32x4ExtendLowI16x8S: extend(v8i16, false, true); return true;
    case Opcode::I32x4ExtendHighI16x8S: extend(v8i16, true, true); return true;
    case Opcode::I32x4ExtendLowI16x8U: extend(v8i16, false, false); return true;
    case Opcode::I32x4ExtendHighI16x8U: extend(v8i16, true, false); return true;
    case Opcode::I64x2ExtendLowI32x4S: extend(v4i32, false, true); return true;
    case Opcode::I64x2ExtendHighI32x4S: extend(v4i32, true, true); return true;
    case Opcode::I64x2ExtendLowI32x4U: extend(v4i32, false, false); return true;
    case Opcode::I64x2ExtendHighI32x4U: extend(v4i32, true, false); return true;

    case Opcode::I8x16Shl: shift(v16i8, Op::Shl); return true;
    case Opcode::I8x16ShrS: shift(v16i8, Op::AShr); return true;
    case Opcode::I8x16ShrU: shift(v16i8, Op::LShr); return true;
    case Opcode::I16x8Shl: shift(v8i16, Op::Shl); return true;
    case Opcode::I16x8ShrS: shift(v8i16, Op::AShr); return true;
    case Opcode::I16x8ShrU: shift(v8i16, Op::LShr); return true;
    case Opcode::I32x4Shl: shift(v4i32, Op::Shl); return true;
    case Opcode::I32x4ShrS: shift(v4i32, Op::AShr); return true;
    case Opcode::I32x4ShrU: shift(v4i32, Op::LShr); return true;
    case Opcode::I64x2Shl: shift(v2i64, Op::Shl); return true;
    case Opcode::I64x2ShrS: shift(v2i64, Op::AShr); return true;
    case Opcode::I64x2ShrU: shift(v2i64, Op::LShr); return true;

    case Opcode::I8x16Add: binop(v16i8, Op::Add); return true;
    case Opcode::I16x8Add: binop(v8i16, Op::Add); return true;
    case Opcode::I32x4Add: binop(v4i32, Op::Add); return true;
    case Opcode::I64x2Add: binop(v2i64, Op::Add); return true;
    case Opcode::I8x16Sub: binop(v16i8, Op::Sub); return true;
    case Opcode::I16x8Sub: binop(v8i16, Op::Sub); return true;
    case Opcode::I32x4Sub: binop(v4i32, Op::Sub); return true;
    case Opcode::I64x2Sub: binop(v2i64, Op::Sub); return true;
    case Opcode::I16x8Mul: binop(v8i16, Op::Mul); return true;
    case Opcode::I32x4Mul: binop(v4i32, Op::Mul); return true;
    case Opcode::I64x2Mul: binop(v2i64, Op::Mul); return true;
    case Opcode::I8x16AddSatS: intr2(v16i8, I::sadd_sat); return true;
    case Opcode::I8x16AddSatU: intr2(v16i8, I::uadd_sat); return true;
    case Opcode::I8x16SubSatS: intr2(v16i8, I::ssub_sat); return true;
    case Opcode::I8x16SubSatU: intr2(v16i8, I::usub_sat); return true;
    case Opcode::I16x8AddSatS: intr2(v8i16, I::sadd_sat); return true;
    case Opcode::I16x8AddSatU: intr2(v8i16, I::uadd_sat); return true;
    case Opcode::I16x8SubSatS: intr2(v8i16, I::ssub_sat); return true;
    case Opcode::I16x8SubSatU: intr2(v8i16, I::usub_sat); return true;
    case Opcode::I8x16MinS: intr2(v16i8, I::smin); return true;
    case Opcode::I8x16MinU: intr2(v16i8, I::umin); return true;
    case Opcode::I8x16MaxS: intr2(v16i8, I::smax); return true;
    case Opcode::I8x16MaxU: intr2(v16i8, I::umax); return true;
    case Opcode::I16x8MinS: intr2(v8i16, I::smin); return true;
    case Opcode::I16x8MinU: intr2(v8i16, I::umin); return true;
    case Opcode::I16x8MaxS: intr2(v8i16, I::smax); return true;
    case Opcode::I16x8MaxU: intr2(v8i16, I::umax); return true;
    case Opcode::I32x4MinS: intr2(v4i32, I::smin); return true;
    case Opcode::I32x4MinU: intr2(v4i32, I::umin); return true;
    case Opcode::I32x4MaxS: intr2(v4i32, I::smax); return true;
    case Opcode::I32x4MaxU: intr2(v4i32, I::umax); return true;
    case Opcode::I8x16AvgrU: avgr(v16i8); return true;
    case Opcode::I16x8AvgrU: avgr(v8i16); return true;
    case Opcode::I16x8ExtaddPairwiseI8x16S: extadd(v16i8, true); return true;
    case Opcode::I16x8ExtaddPairwiseI8x16U: extadd(v16i8, false); return true;
    case Opcode::I32x4ExtaddPairwiseI16x8S: extadd(v8i16, true); return true;
    case Opcode::I32x4ExtaddPairwiseI16x8U: extadd(v8i16, false); return true;
    case Opcode::I16x8ExtmulLowI8x16S: extmul(v16i8, false, true); return true;
    case Opcode::I16x8ExtmulHighI8x16S: extmul(v16i8, true, true); return true;
    case Opcode::I16x8ExtmulLowI8x16U: extmul(v16i8, false, false); return true;
    case Opcode::I16x8ExtmulHighI8x16U: extmul(v16i8, true, false); return true;
    case Opcode::I32x4ExtmulLowI16x8S: extmul(v8i16, false, true); return true;
    case Opcode::I32x4ExtmulHighI16x8S: extmul(v8i16, true, true); return true;
    case Opcode::I32x4ExtmulLowI16x8U: extmul(v8i16, false, false); return true;
    case Opcode::I32x4ExtmulHighI16x8U: extmul(v8i16, true, false); return true;
    case Opcode::I64x2ExtmulLowI32x4S: extmul(v4i32, false, true); return true;
    case Opcode::I64x2ExtmulHighI32x4S: extmul(v4i32, true, true); return true;
    case Opcode::I64x2ExtmulLowI32x4U: extmul(v4i32, false, false); return true;
    case Opcode::I64x2ExtmulHighI32x4U: extmul(v4i32, true, false); return true;
    case Opcode::I32x4DotI16x8S:
      bin(v8i16, [&](llvm::Value* x, llvm::Value* y) {
        llvm::Type* wide = vec(i32, 8);
        return pairs(b_.CreateMul(b_.CreateSExt(x, wide), b_.CreateSExt(y, wide)));
      });
      return true;
    case Opcode::I16x8Q15mulrSatS:
      // pmulhrsw rounds (x * y + 0x4000) >> 15 as the spec does, except that -32768 * -32768
      // gives -32768 where the spec saturates to 32767: those lanes are flipped.
      bin(v8i16, [&](llvm::Value* x, llvm::Value* y) {
        llvm::Value* r = b_.CreateIntrinsic(I::x86_ssse3_pmul_hr_sw_128, {}, {x, y});
        llvm::Value* over = b_.CreateICmpEQ(r, llvm::ConstantInt::get(v8i16, 0x8000));
        return b_.CreateXor(r, b_.CreateSExt(over, v8i16));
      });
      return true;

    case Opcode::F32x4Abs: intr1(v4f32, I::fabs); return true;
    case Opcode::F64x2Abs: intr1(v2f64, I::fabs); return true;
    case Opcode::F32x4Neg: un(v4f32, [&](llvm::Value* x) { return b_.CreateFNeg(x); }); return true;
    case Opcode::F64x2Neg: un(v2f64, [&](llvm::Value* x) { return b_.CreateFNeg(x); }); return true;
    case Opcode::F32x4Sqrt: fround(v4f32, I::sqrt); return true;
    case Opcode::F64x2Sqrt: fround(v2f64, I::sqrt); return true;
    case Opcode::F32x4Ceil: fround(v4f32, I::ceil); return true;
    case Opcode::F32x4Floor: fround(v4f32, I::floor); return true;
    case Opcode::F32x4Trunc: fround(v4f32, I::trunc); return true;
    case Opcode::F32x4Nearest: fround(v4f32, I::roundeven); return true;
    case Opcode::F64x2Ceil: fround(v2f64, I::ceil); return true;
    case Opcode::F64x2Floor: fround(v2f64, I::floor); return true;
    case Opcode::F64x2Trunc: fround(v2f64, I::trunc); return true;
    case Opcode::F64x2Nearest: fround(v2f64, I::roundeven); return true;
    case Opcode::F32x4Add: farith(v4f32, Op::FAdd); return true;
    case Opcode::F32x4Sub: farith(v4f32, Op::FSub); return true;
    case Opcode::F32x4Mul: farith(v4f32, Op::FMul); return true;
    case Opcode::F32x4Div: farith(v4f32, Op::FDiv); return true;
    case Opcode::F64x2Add: farith(v2f64, Op::FAdd); return true;
    case Opcode::F64x2Sub: farith(v2f64, Op::FSub); return true;
    case Opcode::F64x2Mul: farith(v2f64, Op::FMul); return true;
    case Opcode::F64x2Div: farith(v2f64, Op::FDiv); return true;
    case Opcode::F32x4Min: minmax(v4f32, I::minimum); return true;
    case Opcode::F32x4Max: minmax(v4f32, I::maximum); return true;
    case Opcode::F64x2Min: minmax(v2f64, I::minimum); return true;
    case Opcode::F64x2Max: minmax(v2f64, I::maximum); return true;
    case Opcode::F32x4Pmin: pminmax(v4f32, false); return true;
    case Opcode::F32x4Pmax: pminmax(v4f32, true); return true;
    case Opcode::F64x2Pmin: pminmax(v2f64, false); return true;
    case Opcode::F64x2Pmax: pminmax(v2f64, true); return true;

    case Opcode::I32x4TruncSatF32x4S: sat(v4i32, v4f32, true); return true;
    case Opcode::I32x4TruncSatF32x4U: sat(v4i32, v4f32, false); return true;
    case Opcode::I32x4TruncSatF64x2SZero: satZero(true); return true;
    case Opcode::I32x4TruncSatF64x2UZero: satZero(false); return true;
    case Opcode::F32x4ConvertI32x4S: un(v4i32, [&](llvm::Value* x) { return b_.CreateSIToFP(x, v4f32); }); return true;
    case Opcode::F32x4ConvertI32x4U: un(v4i32, [&](llvm::Value* x) { return b_.CreateUIToFP(x, v4f32); }); return true;
    case Opcode::F64x2ConvertLowI32x4S: convertLow(true); return true;
    case Opcode::F64x2ConvertLowI32x4U: convertLow(false); return true;
    case Opcode::F32x4DemoteF64x2Zero:
      un(v2f64, [&](llvm::Value* x) {
        llvm::Value* d = canon(b_.CreateFPTrunc(x, vec(f32, 2)));
        return b_.CreateShuffleVector(d, llvm::Constant::getNullValue(d->getType()), iota(0, 4));
      });
      return true;
    case Opcode::F64x2PromoteLowF32x4:
      un(v4f32, [&](llvm::Value* x) { return canon(b_.CreateFPExt(b_.CreateShuffleVector(x, iota(0, 2)), v2f64)); });
      return true;
    default: return false;
  }
}

}  // namespace strata::llvmtier
