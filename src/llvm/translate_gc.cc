// GC instructions (spec 4.4.x reference and aggregate instructions; docs/gc.md "Machine-code
// tiers"): i31, ref.eq and field and element accesses inline (the layout of vm/gc.h), casts
// through castThunk, allocations and bulk array instructions through the thunks of
// jit/gc_thunks.cc, as on the baseline tier. A collection can start only inside a call, and
// every such call with references live across it is a statepoint whose stack map names their
// slots (FuncTranslator::safepointCall, translate_calls.cc).
#include <llvm/IR/MDBuilder.h>

#include "llvm/translate.h"
#include "jit/externs.h"
#include "vm/gc.h"

namespace strata::llvmtier {

using ir::Opcode;
using ir::ValKind;

// The storage type of a field in memory.
llvm::Type* FuncTranslator::storageType(const ir::FieldType& f) {
  switch (f.storage.packed) {
    case ir::Packed::I8: return mt_.i8;
    case ir::Packed::I16: return mt_.i16;
    default: return mt_.valType(f.storage.type);
  }
}

// The value at `at` as the stack has it: packed fields extended (`sign`: _s).
llvm::Value* FuncTranslator::loadStorage(const ir::FieldType& f, llvm::Value* at, bool sign) {
  llvm::Type* t = storageType(f);
  llvm::Value* v = b_.CreateAlignedLoad(t, at, llvm::MaybeAlign(vm::storageBytes(f.storage) < 8 ? vm::storageBytes(f.storage) : 8));
  if (f.storage.packed == ir::Packed::None) return v;
  return sign ? b_.CreateSExt(v, mt_.i32) : b_.CreateZExt(v, mt_.i32);
}

void FuncTranslator::storeStorage(const ir::FieldType& f, llvm::Value* v, llvm::Value* at) {
  if (f.storage.packed != ir::Packed::None) v = b_.CreateTrunc(v, storageType(f));  // spec 4.4.x pack: wrap
  b_.CreateAlignedStore(v, at, llvm::MaybeAlign(vm::storageBytes(f.storage) < 8 ? vm::storageBytes(f.storage) : 8));
}

// A thunk of jit/gc_thunks.cc: the top n operands in 16-byte slots (or `consecutive` 8-byte
// ones, 16 for v128: struct.new, array.new_fixed), the result (if any) read from slot 0.
void FuncTranslator::gcCall(const decode::Instr& in, const validate::InstrContext& c, bool consecutive) {
  size_t n = c.popped.size();
  std::vector<llvm::Value*> args = popArgs(n);
  uint64_t bytes = 16;
  for (size_t k = 0, at = 0; k < n; ++k) {
    at += consecutive && c.popped[k].kind != ValKind::V128 ? 8 : 16;
    bytes = std::max<uint64_t>(bytes, at);
  }
  llvm::AllocaInst* area = entryAlloca(llvm::ArrayType::get(mt_.i8, (bytes + 15) & ~uint64_t{15}), "gc");
  area->setAlignment(llvm::Align(16));
  uint64_t at = 0;
  for (size_t k = 0; k < n; ++k) {
    llvm::Value* v = args[k];
    if (v->getType() == mt_.ptr) v = b_.CreatePtrToInt(v, mt_.i64);
    b_.CreateAlignedStore(v, b_.CreateConstInBoundsGEP1_64(mt_.i8, area, at), llvm::MaybeAlign(8));
    at += consecutive && c.popped[k].kind != ValKind::V128 ? 8 : 16;
  }
  auto* ft = llvm::FunctionType::get(mt_.i32, {mt_.ptr, mt_.ptr, mt_.i64}, false);
  llvm::Value* fn = b_.CreateLoad(mt_.ptr, mt_.externSlot(jit::externThunk(in.op)));
  // The operands stay live across the call (the thunk reads them after it allocates).
  llvm::Value* r = safepointCall(ft, fn, {area, vmctx_, b_.getInt64(uint64_t(in.idx) | uint64_t(in.idx2) << 32)},
                                 llvm::CallingConv::C, true, args);
  llvm::BasicBlock* tb = llvm::BasicBlock::Create(mt_.ctx, "gc_trap", fn_);
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
  llvm::MDBuilder md(mt_.ctx);
  b_.CreateCondBr(b_.CreateICmpNE(r, b_.getInt32(0)), tb, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(tb);
  trapAlways(b_.CreateSub(r, b_.getInt32(1)));  // kPropagate + 1 when the heap refused
  b_.SetInsertPoint(cont);
  for (ir::ValType t : c.pushed) push(b_.CreateAlignedLoad(mt_.valType(t), area, llvm::MaybeAlign(16)));
}

// struct.new with the heap's fast path in line (vm::GcAllocState, as on the baseline tier):
// the head of the size class's free list when the collection threshold and the heap limit allow
// it; the thunk, which may collect, otherwise.
// The generational write barrier, as vm::gcWriteBarrier: an old object (mark kGcOld) not yet
// remembered is appended to the remembered set unless the set is full.
void FuncTranslator::writeBarrier(llvm::Value* obj) {
  auto field = [&](llvm::Value* base, uint64_t off) { return b_.CreateConstInBoundsGEP1_64(mt_.i8, base, off); };
  llvm::Value* mark_at = field(obj, offsetof(vm::GcObject, mark));
  llvm::Value* mark = b_.CreateAlignedLoad(mt_.i32, mark_at, llvm::MaybeAlign(4), "mark");
  llvm::BasicBlock* old = llvm::BasicBlock::Create(mt_.ctx, "barrier", fn_);
  llvm::BasicBlock* append = llvm::BasicBlock::Create(mt_.ctx, "remember", fn_);
  llvm::BasicBlock* join = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
  llvm::MDBuilder md(mt_.ctx);
  b_.CreateCondBr(b_.CreateICmpEQ(mark, b_.getInt32(vm::kGcOld)), old, join, md.createBranchWeights(1, 1 << 10));
  b_.SetInsertPoint(old);
  llvm::Value* alloc = loadField(storeCtx(), offsetof(vm::VMStoreContext, gc_alloc), mt_.ptr, true, "gc_alloc");
  llvm::Value* cur_at = field(alloc, offsetof(vm::GcAllocState, remembered));
  llvm::Value* cur = b_.CreateAlignedLoad(mt_.ptr, cur_at, llvm::MaybeAlign(8));
  llvm::Value* end = b_.CreateAlignedLoad(mt_.ptr, field(alloc, offsetof(vm::GcAllocState, remembered_end)), llvm::MaybeAlign(8));
  b_.CreateCondBr(b_.CreateICmpNE(cur, end), append, join);
  b_.SetInsertPoint(append);
  b_.CreateAlignedStore(obj, cur, llvm::MaybeAlign(8));
  b_.CreateAlignedStore(field(cur, 8), cur_at, llvm::MaybeAlign(8));
  b_.CreateAlignedStore(b_.getInt32(vm::kGcRemembered), mark_at, llvm::MaybeAlign(4));
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
}

void FuncTranslator::structNewInline(const decode::Instr& in, const validate::InstrContext& c, uint32_t cls, uint32_t cell) {
  const ir::StructType& st = mt_.wm.types[in.idx].strct;
  std::vector<llvm::Value*> fields(stack_.end() - ptrdiff_t(st.fields.size()), stack_.end());
  auto field = [&](llvm::Value* base, uint64_t off) { return b_.CreateConstInBoundsGEP1_64(mt_.i8, base, off); };
  llvm::Value* alloc = loadField(storeCtx(), offsetof(vm::VMStoreContext, gc_alloc), mt_.ptr, true, "gc_alloc");
  uint64_t free_at = offsetof(vm::GcAllocState, free) + 8 * uint64_t(cls);
  llvm::Value* head = b_.CreateAlignedLoad(mt_.ptr, field(alloc, free_at), llvm::MaybeAlign(8), "cell");
  auto u64 = [&](uint64_t off) { return b_.CreateAlignedLoad(mt_.i64, field(alloc, off), llvm::MaybeAlign(8)); };
  llvm::Value* since = b_.CreateAdd(u64(offsetof(vm::GcAllocState, since_last)), b_.getInt64(cell));
  llvm::Value* live = b_.CreateAdd(u64(offsetof(vm::GcAllocState, live_bytes)), b_.getInt64(cell));
  llvm::Value* ok = b_.CreateAnd(b_.CreateIsNotNull(head),
                                 b_.CreateAnd(b_.CreateICmpULE(since, u64(offsetof(vm::GcAllocState, threshold))),
                                              b_.CreateICmpULE(live, u64(offsetof(vm::GcAllocState, limit)))));
  llvm::BasicBlock* fast = llvm::BasicBlock::Create(mt_.ctx, "alloc", fn_);
  llvm::BasicBlock* slow = llvm::BasicBlock::Create(mt_.ctx, "alloc_slow", fn_);
  llvm::BasicBlock* join = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
  llvm::MDBuilder md(mt_.ctx);
  b_.CreateCondBr(ok, fast, slow, md.createBranchWeights(1 << 10, 1));
  b_.SetInsertPoint(fast);
  b_.CreateAlignedStore(since, field(alloc, offsetof(vm::GcAllocState, since_last)), llvm::MaybeAlign(8));
  b_.CreateAlignedStore(live, field(alloc, offsetof(vm::GcAllocState, live_bytes)), llvm::MaybeAlign(8));
  b_.CreateAlignedStore(b_.CreateAdd(u64(offsetof(vm::GcAllocState, count)), b_.getInt64(1)),
                        field(alloc, offsetof(vm::GcAllocState, count)), llvm::MaybeAlign(8));
  b_.CreateAlignedStore(b_.CreateAlignedLoad(mt_.ptr, field(head, 8), llvm::MaybeAlign(8)), field(alloc, free_at), llvm::MaybeAlign(8));
  b_.CreateAlignedStore(b_.getInt64(0), field(head, 8), llvm::MaybeAlign(8));  // length and mark
  llvm::Value* types = loadField(vmctx_, offsetof(vm::VMContext, gc_types), mt_.ptr, true);
  b_.CreateAlignedStore(loadField(types, 8 * in.idx, mt_.ptr, true, "rtt"), head, llvm::MaybeAlign(8));
  uint32_t end = 0;  // the fields' offsets, as vm::fieldOffset lays them out
  for (size_t i = 0; i < st.fields.size(); ++i) {
    uint32_t size = vm::storageBytes(st.fields[i].storage), at = vm::nextFieldOffset(end, size);
    end = at + size;
    storeStorage(st.fields[i], fields[i], field(head, sizeof(vm::GcObject) + at));
  }
  llvm::BasicBlock* fast_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(slow);
  gcCall(in, c, true);  // pops the fields, pushes the object
  llvm::Value* made = pop();
  llvm::BasicBlock* slow_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  llvm::PHINode* phi = b_.CreatePHI(mt_.ptr, 2, "object");
  phi->addIncoming(head, fast_end);
  phi->addIncoming(made, slow_end);
  push(phi);
}

llvm::Value* FuncTranslator::castTest(llvm::Value* ref, uint32_t heap_bits, bool nullable) {
  auto* ft = llvm::FunctionType::get(mt_.i32, {mt_.i64, mt_.ptr, mt_.i64}, false);
  llvm::Value* fn = b_.CreateLoad(mt_.ptr, mt_.externSlot(jit::externThunk(Opcode::RefTest)));
  llvm::Value* r = b_.CreateCall(ft, fn, {b_.CreatePtrToInt(ref, mt_.i64), vmctx_,
                                          b_.getInt64(uint64_t(heap_bits) | uint64_t(nullable) << 32)});
  return b_.CreateICmpNE(r, b_.getInt32(0));
}

bool FuncTranslator::gc(const decode::Instr& in, const validate::InstrContext& c) {
  const ir::SubType* t = in.idx < mt_.wm.types.size() ? &mt_.wm.types[in.idx] : nullptr;
  auto payload = [&](llvm::Value* obj, uint64_t off) { return b_.CreateConstInBoundsGEP1_64(mt_.i8, obj, sizeof(vm::GcObject) + off); };
  auto checkNull = [&](llvm::Value* ref, vm::TrapKind k) { trapIf(b_.CreateIsNull(ref), uint32_t(k)); };
  // The element of array `a` at i32 index `i`, after the null and bounds checks (spec order).
  auto element = [&](llvm::Value* a, llvm::Value* i, const ir::FieldType& f) {
    checkNull(a, vm::TrapKind::NullArrayReference);
    llvm::Value* len = b_.CreateAlignedLoad(mt_.i32, b_.CreateConstInBoundsGEP1_64(mt_.i8, a, offsetof(vm::GcObject, length)),
                                            llvm::MaybeAlign(4));
    trapIf(b_.CreateICmpUGE(i, len), uint32_t(vm::TrapKind::ArrayOutOfBounds));
    llvm::Value* off = b_.CreateMul(b_.CreateZExt(i, mt_.i64), b_.getInt64(vm::storageBytes(f.storage)));
    return b_.CreateInBoundsGEP(mt_.i8, payload(a, 0), off);
  };
  switch (in.op) {
    case Opcode::AnyConvertExtern:
    case Opcode::ExternConvertAny: return true;  // the same bits (docs/gc.md)
    case Opcode::RefI31: {
      // (x << 1) | 1 on 32 bits, zero-extended: bit 31 of x drops out (the wrap to 31 bits).
      llvm::Value* w = b_.CreateOr(b_.CreateShl(pop(), 1), b_.getInt32(1));
      push(b_.CreateIntToPtr(b_.CreateZExt(w, mt_.i64), mt_.ptr));
      return true;
    }
    case Opcode::I31GetS:
    case Opcode::I31GetU: {
      llvm::Value* ref = pop();
      checkNull(ref, vm::TrapKind::NullI31Reference);
      llvm::Value* w = b_.CreateTrunc(b_.CreatePtrToInt(ref, mt_.i64), mt_.i32);
      push(in.op == Opcode::I31GetS ? b_.CreateAShr(w, 1) : b_.CreateLShr(w, 1));
      return true;
    }
    case Opcode::RefEq: {
      llvm::Value* y = pop();
      llvm::Value* x = pop();
      push(b_.CreateZExt(b_.CreateICmpEQ(b_.CreatePtrToInt(x, mt_.i64), b_.CreatePtrToInt(y, mt_.i64)), mt_.i32));
      return true;
    }
    case Opcode::RefTest:
    case Opcode::RefTestNull:
      push(b_.CreateZExt(castTest(pop(), in.heap.bits, in.op == Opcode::RefTestNull), mt_.i32));
      return true;
    case Opcode::RefCast:
    case Opcode::RefCastNull:
      trapIf(b_.CreateNot(castTest(stack_.back(), in.heap.bits, in.op == Opcode::RefCastNull)),
             uint32_t(vm::TrapKind::CastFailure));
      return true;
    case Opcode::BrOnCast:
    case Opcode::BrOnCastFail: {
      // The reference stays on the stack on both paths (only its static type differs).
      llvm::Value* match = castTest(stack_.back(), in.heap2.bits, in.null2);
      llvm::BasicBlock* take = llvm::BasicBlock::Create(mt_.ctx, "br_on_cast", fn_);
      llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
      if (in.op == Opcode::BrOnCast) b_.CreateCondBr(match, take, cont);
      else b_.CreateCondBr(match, cont, take);
      b_.SetInsertPoint(take);
      branchTo(in.idx);
      b_.SetInsertPoint(cont);
      return true;
    }
    case Opcode::StructGet:
    case Opcode::StructGetS:
    case Opcode::StructGetU: {
      llvm::Value* obj = pop();
      checkNull(obj, vm::TrapKind::NullStructReference);
      const ir::FieldType& f = t->strct.fields[in.idx2];
      push(loadStorage(f, payload(obj, vm::fieldOffset(t->strct, in.idx2)), in.op == Opcode::StructGetS));
      return true;
    }
    case Opcode::StructSet: {
      llvm::Value* v = pop();
      llvm::Value* obj = pop();
      checkNull(obj, vm::TrapKind::NullStructReference);
      storeStorage(t->strct.fields[in.idx2], v, payload(obj, vm::fieldOffset(t->strct, in.idx2)));
      if (vm::isRefStorage(t->strct.fields[in.idx2].storage)) writeBarrier(obj);
      return true;
    }
    case Opcode::ArrayLen: {
      llvm::Value* a = pop();
      checkNull(a, vm::TrapKind::NullArrayReference);
      push(b_.CreateAlignedLoad(mt_.i32, b_.CreateConstInBoundsGEP1_64(mt_.i8, a, offsetof(vm::GcObject, length)),
                                llvm::MaybeAlign(4)));
      return true;
    }
    case Opcode::ArrayGet:
    case Opcode::ArrayGetS:
    case Opcode::ArrayGetU: {
      llvm::Value* i = pop();
      llvm::Value* a = pop();
      const ir::FieldType& f = t->array.field;
      push(loadStorage(f, element(a, i, f), in.op == Opcode::ArrayGetS));
      return true;
    }
    case Opcode::ArraySet: {
      llvm::Value* v = pop();
      llvm::Value* i = pop();
      llvm::Value* a = pop();
      const ir::FieldType& f = t->array.field;
      storeStorage(f, v, element(a, i, f));  // element() checked null and bounds
      if (vm::isRefStorage(f.storage)) writeBarrier(a);
      return true;
    }
    case Opcode::StructNew: {
      uint32_t cls = 0, cell = 0;
      if (!vm::gcCellClass(vm::structBytes(t->strct), cls, cell)) {
        gcCall(in, c, true);
        return true;
      }
      structNewInline(in, c, cls, cell);
      return true;
    }
    case Opcode::ArrayNewFixed: gcCall(in, c, true); return true;
    case Opcode::StructNewDefault:
    case Opcode::ArrayNew:
    case Opcode::ArrayNewDefault:
    case Opcode::ArrayNewData:
    case Opcode::ArrayNewElem:
    case Opcode::ArrayFill:
    case Opcode::ArrayCopy:
    case Opcode::ArrayInitData:
    case Opcode::ArrayInitElem: gcCall(in, c, false); return true;
    default: return false;
  }
}

}  // namespace strata::llvmtier
