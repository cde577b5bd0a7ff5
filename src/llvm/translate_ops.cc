// Numeric rows: scalar integer and float arithmetic, comparisons and conversions as LLVM
// instructions and intrinsics (SIMD in translate_simd.cc); every other row with a shared
// semantic function (relaxed SIMD...) calls its thunk (jit/thunks.h), so the tier runs what the
// interpreter runs.
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>

#include <cstring>

#include "jit/externs.h"
#include "llvm/translate.h"
#include "vm/trap.h"

namespace strata::llvmtier {

using ir::Opcode;
using llvm::CmpInst;
using llvm::Intrinsic::ID;

namespace {
namespace I = llvm::Intrinsic;
constexpr uint32_t trap(vm::TrapKind k) { return uint32_t(k); }
}  // namespace

bool FuncTranslator::numeric(const decode::Instr& in, const validate::InstrContext& c) {
  llvm::Type *i32 = mt_.i32, *i64 = mt_.i64, *f32 = mt_.f32, *f64 = mt_.f64;
  auto bin = [&](auto&& f) {
    llvm::Value* y = pop();
    llvm::Value* x = pop();
    push(f(x, y));
  };
  auto un = [&](auto&& f) { push(f(pop())); };
  auto icmp = [&](CmpInst::Predicate p) { bin([&](llvm::Value* x, llvm::Value* y) { return b_.CreateZExt(b_.CreateICmp(p, x, y), i32); }); };
  auto fcmp = [&](CmpInst::Predicate p) { bin([&](llvm::Value* x, llvm::Value* y) { return b_.CreateZExt(b_.CreateFCmp(p, x, y), i32); }); };
  auto intr1 = [&](ID id) { un([&](llvm::Value* x) { return b_.CreateUnaryIntrinsic(id, x); }); };
  auto intr2 = [&](ID id) { bin([&](llvm::Value* x, llvm::Value* y) { return b_.CreateBinaryIntrinsic(id, x, y); }); };
  auto bits = [&](ID id) {
    un([&](llvm::Value* x) -> llvm::Value* {
      if (id == I::ctpop) return b_.CreateUnaryIntrinsic(id, x);
      return static_cast<llvm::Value*>(b_.CreateBinaryIntrinsic(id, x, b_.getFalse()));
    });
  };
  // Shift counts are taken modulo the width (spec 4.3.2 ishl...).
  auto shift = [&](llvm::Instruction::BinaryOps op) {
    bin([&](llvm::Value* x, llvm::Value* y) {
      unsigned w = x->getType()->getIntegerBitWidth();
      return b_.CreateBinOp(op, x, b_.CreateAnd(y, llvm::ConstantInt::get(x->getType(), w - 1)));
    });
  };
  auto rot = [&](ID id) { bin([&](llvm::Value* x, llvm::Value* y) { return b_.CreateIntrinsic(id, {x->getType()}, {x, x, y}); }); };
  // Division: by zero traps; signed INT_MIN / -1 overflows (div) or is 0 (rem: x86's idiv
  // would fault, so -1 is taken out of the way).
  auto div = [&](bool is_signed, bool rem) {
    llvm::Value* y = pop();
    llvm::Value* x = pop();
    llvm::Type* t = x->getType();
    trapIf(b_.CreateICmpEQ(y, llvm::ConstantInt::get(t, 0)), trap(vm::TrapKind::IntegerDivideByZero));
    if (!is_signed) {
      push(rem ? b_.CreateURem(x, y) : b_.CreateUDiv(x, y));
      return;
    }
    llvm::Value* minus1 = b_.CreateICmpEQ(y, llvm::ConstantInt::getSigned(t, -1));
    if (!rem) {
      llvm::Value* min = llvm::ConstantInt::get(t, llvm::APInt::getSignedMinValue(t->getIntegerBitWidth()));
      trapIf(b_.CreateAnd(minus1, b_.CreateICmpEQ(x, min)), trap(vm::TrapKind::IntegerOverflow));
      push(b_.CreateSDiv(x, y));
      return;
    }
    llvm::Value* safe_y = b_.CreateSelect(minus1, llvm::ConstantInt::get(t, 1), y);
    push(b_.CreateSelect(minus1, llvm::ConstantInt::get(t, 0), b_.CreateSRem(x, safe_y)));
  };
  auto opaque = [&](llvm::Value* v) { return opaqueIdentity(v); };
  auto minmax = [&](ID id) { bin([&](llvm::Value* x, llvm::Value* y) { return wasmMinMax(id, x, y); }); };
  auto sext = [&](llvm::Type* narrow) {
    un([&](llvm::Value* x) { return b_.CreateSExt(b_.CreateTrunc(x, narrow), x->getType()); });
  };
  switch (in.op) {
    case Opcode::I32Const: push(b_.getInt32(uint32_t(in.i32))); return true;
    case Opcode::I64Const: push(b_.getInt64(uint64_t(in.i64))); return true;
    case Opcode::F32Const: push(b_.CreateBitCast(b_.getInt32(in.f32_bits), f32)); return true;
    case Opcode::F64Const: push(b_.CreateBitCast(b_.getInt64(in.f64_bits), f64)); return true;
    case Opcode::V128Const: {
      uint64_t lo = 0, hi = 0;
      std::memcpy(&lo, in.v128.data(), 8);
      std::memcpy(&hi, in.v128.data() + 8, 8);
      push(llvm::ConstantVector::get({b_.getInt64(lo), b_.getInt64(hi)}));
      return true;
    }
    case Opcode::I32Eqz: un([&](llvm::Value* x) { return b_.CreateZExt(b_.CreateIsNull(x), i32); }); return true;
    case Opcode::I64Eqz: un([&](llvm::Value* x) { return b_.CreateZExt(b_.CreateIsNull(x), i32); }); return true;
    case Opcode::I32Eq: case Opcode::I64Eq: icmp(CmpInst::ICMP_EQ); return true;
    case Opcode::I32Ne: case Opcode::I64Ne: icmp(CmpInst::ICMP_NE); return true;
    case Opcode::I32LtS: case Opcode::I64LtS: icmp(CmpInst::ICMP_SLT); return true;
    case Opcode::I32LtU: case Opcode::I64LtU: icmp(CmpInst::ICMP_ULT); return true;
    case Opcode::I32GtS: case Opcode::I64GtS: icmp(CmpInst::ICMP_SGT); return true;
    case Opcode::I32GtU: case Opcode::I64GtU: icmp(CmpInst::ICMP_UGT); return true;
    case Opcode::I32LeS: case Opcode::I64LeS: icmp(CmpInst::ICMP_SLE); return true;
    case Opcode::I32LeU: case Opcode::I64LeU: icmp(CmpInst::ICMP_ULE); return true;
    case Opcode::I32GeS: case Opcode::I64GeS: icmp(CmpInst::ICMP_SGE); return true;
    case Opcode::I32GeU: case Opcode::I64GeU: icmp(CmpInst::ICMP_UGE); return true;
    case Opcode::F32Eq: case Opcode::F64Eq: fcmp(CmpInst::FCMP_OEQ); return true;
    case Opcode::F32Ne: case Opcode::F64Ne: fcmp(CmpInst::FCMP_UNE); return true;
    case Opcode::F32Lt: case Opcode::F64Lt: fcmp(CmpInst::FCMP_OLT); return true;
    case Opcode::F32Gt: case Opcode::F64Gt: fcmp(CmpInst::FCMP_OGT); return true;
    case Opcode::F32Le: case Opcode::F64Le: fcmp(CmpInst::FCMP_OLE); return true;
    case Opcode::F32Ge: case Opcode::F64Ge: fcmp(CmpInst::FCMP_OGE); return true;
    case Opcode::I32Clz: case Opcode::I64Clz: bits(I::ctlz); return true;
    case Opcode::I32Ctz: case Opcode::I64Ctz: bits(I::cttz); return true;
    case Opcode::I32Popcnt: case Opcode::I64Popcnt: bits(I::ctpop); return true;
    case Opcode::I32Add: case Opcode::I64Add: bin([&](auto x, auto y) { return b_.CreateAdd(x, y); }); return true;
    case Opcode::I32Sub: case Opcode::I64Sub: bin([&](auto x, auto y) { return b_.CreateSub(x, y); }); return true;
    case Opcode::I32Mul: case Opcode::I64Mul: bin([&](auto x, auto y) { return b_.CreateMul(x, y); }); return true;
    case Opcode::I32DivS: case Opcode::I64DivS: div(true, false); return true;
    case Opcode::I32DivU: case Opcode::I64DivU: div(false, false); return true;
    case Opcode::I32RemS: case Opcode::I64RemS: div(true, true); return true;
    case Opcode::I32RemU: case Opcode::I64RemU: div(false, true); return true;
    case Opcode::I32And: case Opcode::I64And: bin([&](auto x, auto y) { return b_.CreateAnd(x, y); }); return true;
    case Opcode::I32Or: case Opcode::I64Or: bin([&](auto x, auto y) { return b_.CreateOr(x, y); }); return true;
    case Opcode::I32Xor: case Opcode::I64Xor: bin([&](auto x, auto y) { return b_.CreateXor(x, y); }); return true;
    case Opcode::I32Shl: case Opcode::I64Shl: shift(llvm::Instruction::Shl); return true;
    case Opcode::I32ShrS: case Opcode::I64ShrS: shift(llvm::Instruction::AShr); return true;
    case Opcode::I32ShrU: case Opcode::I64ShrU: shift(llvm::Instruction::LShr); return true;
    case Opcode::I32Rotl: case Opcode::I64Rotl: rot(I::fshl); return true;
    case Opcode::I32Rotr: case Opcode::I64Rotr: rot(I::fshr); return true;
    case Opcode::F32Abs: case Opcode::F64Abs: intr1(I::fabs); return true;
    case Opcode::F32Neg: case Opcode::F64Neg: un([&](llvm::Value* x) { return b_.CreateFNeg(x); }); return true;
    case Opcode::F32Ceil: case Opcode::F64Ceil: intr1(I::ceil); return true;
    case Opcode::F32Floor: case Opcode::F64Floor: intr1(I::floor); return true;
    case Opcode::F32Trunc: case Opcode::F64Trunc: intr1(I::trunc); return true;
    case Opcode::F32Nearest: case Opcode::F64Nearest: intr1(I::roundeven); return true;
    case Opcode::F32Sqrt: case Opcode::F64Sqrt: intr1(I::sqrt); return true;
    case Opcode::F32Add: case Opcode::F64Add: bin([&](auto x, auto y) { return b_.CreateFAdd(x, opaque(y)); }); return true;
    case Opcode::F32Sub: case Opcode::F64Sub: bin([&](auto x, auto y) { return b_.CreateFSub(opaque(x), opaque(y)); }); return true;
    case Opcode::F32Mul: case Opcode::F64Mul: bin([&](auto x, auto y) { return b_.CreateFMul(opaque(x), opaque(y)); }); return true;
    case Opcode::F32Div: case Opcode::F64Div: bin([&](auto x, auto y) { return b_.CreateFDiv(x, opaque(y)); }); return true;
    case Opcode::F32Min: case Opcode::F64Min: minmax(I::minimum); return true;
    case Opcode::F32Max: case Opcode::F64Max: minmax(I::maximum); return true;
    case Opcode::F32Copysign: case Opcode::F64Copysign: intr2(I::copysign); return true;
    case Opcode::I32Extend8S: case Opcode::I64Extend8S: sext(mt_.i8); return true;
    case Opcode::I32Extend16S: case Opcode::I64Extend16S: sext(mt_.i16); return true;
    case Opcode::I64Extend32S: sext(i32); return true;
    default: break;
  }
  if (conversion(in) || simd(in)) return true;
  if (mt_.req.has_thunk(in.op)) {
    thunk(in, c);
    return true;
  }
  (void)i64;
  (void)f64;
  return false;
}

// LLVM folds x - 0, x + -0, x * 1 and x / 1 to x, which would let a signalling NaN through
// where wasm gives an arithmetic (quiet) NaN (spec 4.3.3): a constant operand with such a value
// (in any lane, for a vector) is made opaque.
llvm::Value* FuncTranslator::opaqueIdentity(llvm::Value* v) {
  auto* c = llvm::dyn_cast<llvm::Constant>(v);
  if (!c) return v;
  auto identity = [](const llvm::Constant* e) {
    auto* f = llvm::dyn_cast_or_null<llvm::ConstantFP>(e);
    if (!f) return true;  // undef or poison lane: opaque too, to be safe
    const llvm::APFloat& x = f->getValueAPF();
    return x.isZero() || x.isExactlyValue(1.0) || x.isExactlyValue(-1.0);
  };
  bool any = false;
  if (auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(c->getType())) {
    for (unsigned i = 0; i < vt->getNumElements() && !any; ++i) any = identity(c->getAggregateElement(i));
  } else {
    any = identity(c);
  }
  return any ? opaqueValue(v) : v;
}

// spec 4.3.3 fmin/fmax: NaN if either is NaN, -0 below +0: LLVM's minimum/maximum, scalar or
// lanewise. A NaN operand gives x + y, a quiet NaN (llvm.minimum may return a signalling input
// as it is).
llvm::Value* FuncTranslator::wasmMinMax(llvm::Intrinsic::ID id, llvm::Value* x, llvm::Value* y) {
  return b_.CreateSelect(b_.CreateFCmpUNO(x, y), b_.CreateFAdd(x, y), b_.CreateBinaryIntrinsic(id, x, y));
}

llvm::Value* FuncTranslator::opaqueValue(llvm::Value* v) {
  auto* asm_t = llvm::FunctionType::get(v->getType(), {v->getType()}, false);
  return b_.CreateCall(llvm::InlineAsm::get(asm_t, "", "=x,0", false), {v});
}

// spec 4.3.x trunc: NaN is an invalid conversion, a value outside the target's range after
// truncation an overflow. The bounds are exact in the source type: lo < x < hi.
llvm::Value* FuncTranslator::truncChecked(llvm::Value* x, bool to64, bool is_signed) {
  bool from64 = x->getType()->isDoubleTy();
  trapIf(b_.CreateFCmpUNO(x, x), trap(vm::TrapKind::InvalidConversion));
  double lo, hi;
  if (is_signed) {
    hi = to64 ? 9223372036854775808.0 : 2147483648.0;
    // -2^31 - 1 is exact in f64 only; in f32 the bound is -2^31 inclusive (next float below).
    lo = to64 ? -9223372036854775808.0 : -2147483648.0;
  } else {
    hi = to64 ? 18446744073709551616.0 : 4294967296.0;
    lo = -1.0;
  }
  llvm::Type* ft = x->getType();
  llvm::Value* below;
  if (is_signed && !(from64 && !to64)) {
    // lo is representable and inclusive: x < lo overflows.
    below = b_.CreateFCmpOLT(x, llvm::ConstantFP::get(ft, lo));
  } else {
    // x <= lo overflows (lo = -1, or -2^31 - 1 for f64 -> i32).
    double l = is_signed ? -2147483649.0 : lo;
    below = b_.CreateFCmpOLE(x, llvm::ConstantFP::get(ft, l));
  }
  llvm::Value* above = b_.CreateFCmpOGE(x, llvm::ConstantFP::get(ft, hi));
  trapIf(b_.CreateOr(below, above), trap(vm::TrapKind::IntegerOverflow));
  llvm::Type* it = to64 ? mt_.i64 : mt_.i32;
  return is_signed ? b_.CreateFPToSI(x, it) : b_.CreateFPToUI(x, it);
}

bool FuncTranslator::conversion(const decode::Instr& in) {
  llvm::Type *i32 = mt_.i32, *i64 = mt_.i64, *f32 = mt_.f32, *f64 = mt_.f64;
  auto sat = [&](bool is_signed, llvm::Type* to) {
    llvm::Value* x = pop();
    push(b_.CreateIntrinsic(is_signed ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat, {to, x->getType()}, {x}));
  };
  switch (in.op) {
    case Opcode::I32WrapI64: push(b_.CreateTrunc(pop(), i32)); return true;
    case Opcode::I64ExtendI32S: push(b_.CreateSExt(pop(), i64)); return true;
    case Opcode::I64ExtendI32U: push(b_.CreateZExt(pop(), i64)); return true;
    case Opcode::I32TruncF32S: case Opcode::I32TruncF64S: push(truncChecked(pop(), false, true)); return true;
    case Opcode::I32TruncF32U: case Opcode::I32TruncF64U: push(truncChecked(pop(), false, false)); return true;
    case Opcode::I64TruncF32S: case Opcode::I64TruncF64S: push(truncChecked(pop(), true, true)); return true;
    case Opcode::I64TruncF32U: case Opcode::I64TruncF64U: push(truncChecked(pop(), true, false)); return true;
    case Opcode::I32TruncSatF32S: case Opcode::I32TruncSatF64S: sat(true, i32); return true;
    case Opcode::I32TruncSatF32U: case Opcode::I32TruncSatF64U: sat(false, i32); return true;
    case Opcode::I64TruncSatF32S: case Opcode::I64TruncSatF64S: sat(true, i64); return true;
    case Opcode::I64TruncSatF32U: case Opcode::I64TruncSatF64U: sat(false, i64); return true;
    case Opcode::F32ConvertI32S: case Opcode::F32ConvertI64S: push(b_.CreateSIToFP(pop(), f32)); return true;
    case Opcode::F32ConvertI32U: case Opcode::F32ConvertI64U: push(b_.CreateUIToFP(pop(), f32)); return true;
    case Opcode::F64ConvertI32S: case Opcode::F64ConvertI64S: push(b_.CreateSIToFP(pop(), f64)); return true;
    case Opcode::F64ConvertI32U: case Opcode::F64ConvertI64U: push(b_.CreateUIToFP(pop(), f64)); return true;
    case Opcode::F32DemoteF64: {
      // demote(promote(x)) is not x for a signalling NaN (it comes back quiet).
      llvm::Value* x = pop();
      if (llvm::isa<llvm::FPExtInst>(x)) x = opaqueValue(x);
      push(b_.CreateFPTrunc(x, f32));
      return true;
    }
    case Opcode::F64PromoteF32: push(b_.CreateFPExt(pop(), f64)); return true;
    case Opcode::I32ReinterpretF32: push(b_.CreateBitCast(pop(), i32)); return true;
    case Opcode::I64ReinterpretF64: push(b_.CreateBitCast(pop(), i64)); return true;
    case Opcode::F32ReinterpretI32: push(b_.CreateBitCast(pop(), f32)); return true;
    case Opcode::F64ReinterpretI64: push(b_.CreateBitCast(pop(), f64)); return true;
    default: return false;
  }
}

// Operands in 16-byte slots, then the lane index or the shuffle's 16 indices in the next slot;
// the result comes back in slot 0; a non-zero return is 1 + the trap kind (jit/thunks.h).
void FuncTranslator::thunk(const decode::Instr& in, const validate::InstrContext& c) {
  size_t n = c.popped.size();
  llvm::AllocaInst* area = entryAlloca(llvm::ArrayType::get(mt_.i8, 16 * (n + 1)), "thunk");
  area->setAlignment(llvm::Align(16));
  std::vector<llvm::Value*> args = popArgs(n);
  for (size_t k = 0; k < n; ++k)
    b_.CreateAlignedStore(args[k], b_.CreateConstInBoundsGEP1_64(mt_.i8, area, 16 * k), llvm::MaybeAlign(16));
  llvm::Value* extra = b_.CreateConstInBoundsGEP1_64(mt_.i8, area, 16 * n);
  ir::Imm imm = ir::opcodeInfo(in.op).imm;
  if (imm == ir::Imm::Lane) b_.CreateStore(b_.getInt8(in.lane), extra);
  if (imm == ir::Imm::Shuffle) {
    uint64_t lo = 0, hi = 0;
    std::memcpy(&lo, in.v128.data(), 8);
    std::memcpy(&hi, in.v128.data() + 8, 8);
    b_.CreateAlignedStore(llvm::ConstantVector::get({b_.getInt64(lo), b_.getInt64(hi)}), extra, llvm::MaybeAlign(16));
  }
  auto* ft = llvm::FunctionType::get(mt_.i32, {mt_.ptr}, false);
  llvm::Value* fn = b_.CreateLoad(mt_.ptr, mt_.externSlot(jit::externThunk(in.op)));
  llvm::Value* r = b_.CreateCall(ft, fn, {area});
  if (mt_.req.thunk_may_trap(in.op)) {
    llvm::Value* trapped = b_.CreateICmpNE(r, b_.getInt32(0));
    // The kind comes back dynamically: a trap block per kind the row may raise would need
    // the row's list; one block passes it on (trap_c takes it in edi).
    llvm::BasicBlock* tb = llvm::BasicBlock::Create(mt_.ctx, "thunk_trap", fn_);
    llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
    b_.CreateCondBr(trapped, tb, cont);
    b_.SetInsertPoint(tb);
    trapAlways(b_.CreateSub(r, b_.getInt32(1)));
    b_.SetInsertPoint(cont);
  }
  for (ir::ValType t : c.pushed) push(b_.CreateAlignedLoad(mt_.valType(t), area, llvm::MaybeAlign(16)));
}

}  // namespace strata::llvmtier
