// Exception handling (spec 4.4.x throw, throw_ref, try_table, and the legacy try, catch,
// catch_all, delegate, rethrow; docs/exceptions.md "Machine code").
//
// LLVM's code is never resumed by the unwinder (it would need the registers the skipped frames
// saved): a function finds its own handlers. A try body (a try_table's, a legacy try's do part)
// has a dispatch block that tests its clauses, innermost try first, and goes on to the next
// try out, or to the trap stub with the exception still in flight (kPropagate). A throw goes
// there directly; a call in a try body goes through the callee's array call, whose entry the
// callee's throw unwinds to, and a false result with an exception in the record goes there
// too. Calls outside try bodies stay native: an exception passes through them on the trap
// path, as before.
#include <llvm/IR/MDBuilder.h>

#include "jit/externs.h"
#include "jit/stubs.h"
#include "llvm/translate.h"
#include "vm/exception.h"

namespace strata::llvmtier {

using decode::CatchClause;
using ir::Opcode;

namespace {

// A thunk of jit/exn_thunks.cc through its extern slot.
llvm::Value* callExtern(ModuleTranslator& mt, llvm::IRBuilder<>& b, uint32_t id, llvm::Type* result,
                        llvm::ArrayRef<llvm::Value*> args) {
  std::vector<llvm::Type*> types;
  for (llvm::Value* a : args) types.push_back(a->getType());
  auto* ft = llvm::FunctionType::get(result, types, false);
  return b.CreateCall(ft, b.CreateLoad(mt.ptr, mt.externSlot(id)), args);
}

}  // namespace

void FuncTranslator::trapAt(llvm::Value* kind, llvm::Value* at) {
  observeAccumulator();
  auto* ft = llvm::FunctionType::get(mt_.void_t, {mt_.i32, mt_.i32, mt_.ptr, mt_.i64}, false);
  llvm::Value* fnp = b_.CreateLoad(mt_.ptr, mt_.externSlot(jit::kExternTrapC));
  llvm::CallInst* c = b_.CreateCall(ft, fnp, {kind, at, vmctx_, b_.getInt64(0)});
  c->setDoesNotReturn();
  c->addFnAttr(llvm::Attribute::Cold);
  b_.CreateUnreachable();
}

FuncTranslator::Frame* FuncTranslator::activeTry(size_t below_index) {
  for (size_t i = std::min(below_index, frames_.size()); i-- > 0;) {
    Frame& f = frames_[i];
    if (f.dispatch && !f.in_catch && !f.dead_entry) return &f;
  }
  return nullptr;
}

llvm::BasicBlock* FuncTranslator::handlerBlock(size_t below_index) {
  Frame* t = activeTry(below_index);
  return t ? t->dispatch : propagateBlock();
}

// No clause of this function takes it: on to the caller, from the offset it came at.
llvm::BasicBlock* FuncTranslator::propagateBlock() {
  if (propagate_) return propagate_;
  propagate_ = llvm::BasicBlock::Create(mt_.ctx, "propagate", fn_);
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  b_.SetInsertPoint(propagate_);
  trapAt(b_.getInt32(jit::kPropagate), b_.CreateLoad(mt_.i32, exn_at_));
  return propagate_;
}

void FuncTranslator::raise(llvm::Value* exn) {
  b_.CreateStore(exn, exn_);
  b_.CreateStore(b_.getInt32(offset_), exn_at_);
  b_.CreateBr(handlerBlock(frames_.size()));
}

void FuncTranslator::checkCallee(llvm::Value* ok) {
  if (!activeTry(frames_.size())) {
    checkBuiltin(ok);
    return;
  }
  llvm::BasicBlock* failed = llvm::BasicBlock::Create(mt_.ctx, "callee_failed", fn_);
  llvm::BasicBlock* trap = llvm::BasicBlock::Create(mt_.ctx, "callee_trapped", fn_);
  llvm::BasicBlock* thrown = llvm::BasicBlock::Create(mt_.ctx, "callee_threw", fn_);
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
  llvm::MDBuilder md(mt_.ctx);
  b_.CreateCondBr(b_.CreateICmpEQ(ok, b_.getInt8(0)), failed, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(failed);
  llvm::Value* exn = callExtern(mt_, b_, jit::kExternInFlight, mt_.ptr, {vmctx_});
  b_.CreateCondBr(b_.CreateIsNull(exn), trap, thrown);
  b_.SetInsertPoint(trap);
  trapAlways(jit::kPropagate);
  b_.SetInsertPoint(thrown);
  raise(exn);
  b_.SetInsertPoint(cont);
}

// The payload of `tag` in the exception: value j in the low bytes of 16-byte slot j.
std::vector<llvm::Value*> FuncTranslator::payloadOf(llvm::Value* exn, uint32_t tag) {
  std::vector<llvm::Value*> out;
  const ir::FuncType& ft = mt_.wm.tagFuncType(tag);
  for (size_t j = 0; j < ft.params.size(); ++j)
    out.push_back(loadField(exn, uint32_t(offsetof(vm::VMException, vals) + 16 * j), mt_.valType(ft.params[j]), false));
  return out;
}

// A clause test: whether the exception's tag is the instance's tag `tag` (tags match by
// identity, docs/exceptions.md).
static llvm::Value* sameTag(llvm::IRBuilder<>& b, ModuleTranslator& mt, llvm::Value* vmctx, llvm::Value* exn, uint32_t tag) {
  llvm::Value* tags = b.CreateLoad(mt.ptr, b.CreateConstInBoundsGEP1_64(mt.i8, vmctx, offsetof(vm::VMContext, tags)));
  llvm::Value* mine = b.CreateLoad(mt.ptr, b.CreateConstInBoundsGEP1_64(mt.i8, tags, 8 * uint64_t(tag)));
  llvm::Value* its = b.CreateLoad(mt.ptr, b.CreateConstInBoundsGEP1_64(mt.i8, exn, offsetof(vm::VMException, tag)));
  return b.CreateICmpEQ(mine, its);
}

void FuncTranslator::exceptionControl(const decode::Instr& in, const validate::InstrContext& c) {
  if (!exn_ && (in.op == Opcode::TryTable || in.op == Opcode::Try)) {
    exn_ = entryAlloca(mt_.ptr, "exn");
    exn_at_ = entryAlloca(mt_.i32, "exn_at");
  }
  switch (in.op) {
    case Opcode::TryTable: {
      if (dead_) {
        control(decode::Instr{.op = Opcode::Block}, c);
        return;
      }
      // The clauses first, while the labels they name are counted from outside the try_table
      // (spec 3.3.8.x); they start from the stack under the try_table.
      const validate::BlockSig& sig = c.frames.back().sig;
      size_t height = stack_.size() - sig.num_params;
      std::vector<llvm::Value*> saved = stack_;
      llvm::BasicBlock* dispatch = llvm::BasicBlock::Create(mt_.ctx, "dispatch", fn_);
      llvm::BasicBlock* outer = handlerBlock(frames_.size());
      llvm::BasicBlock* here = b_.GetInsertBlock();
      b_.SetInsertPoint(dispatch);
      for (const CatchClause& cc : c.reader->catches()) {
        llvm::Value* exn = b_.CreateLoad(mt_.ptr, exn_);
        llvm::BasicBlock* take = llvm::BasicBlock::Create(mt_.ctx, "catch", fn_);
        // After a catch_all the tests are unreachable, but still made: a label only they branch
        // to is reachable for fuel's count, as on the other tiers.
        llvm::BasicBlock* next = llvm::BasicBlock::Create(mt_.ctx, "dispatch", fn_);
        bool tagged = cc.kind == CatchClause::Kind::Catch || cc.kind == CatchClause::Kind::CatchRef;
        if (tagged) b_.CreateCondBr(sameTag(b_, mt_, vmctx_, exn, cc.tag), take, next);
        else b_.CreateBr(take);
        b_.SetInsertPoint(take);
        callExtern(mt_, b_, jit::kExternTaken, mt_.void_t, {vmctx_});
        stack_.assign(saved.begin(), saved.begin() + ptrdiff_t(height));
        if (tagged)
          for (llvm::Value* v : payloadOf(exn, cc.tag)) push(v);
        if (cc.kind == CatchClause::Kind::CatchRef || cc.kind == CatchClause::Kind::CatchAllRef) {
          b_.CreateStore(b_.getInt32(1), b_.CreateConstInBoundsGEP1_64(mt_.i8, exn, offsetof(vm::VMException, exposed)));
          push(exn);
        } else {
          callExtern(mt_, b_, jit::kExternCaught, mt_.void_t, {b_.CreatePtrToInt(exn, mt_.i64), vmctx_});
        }
        branchTo(cc.label);
        b_.SetInsertPoint(next);
      }
      if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(outer);
      stack_ = saved;
      b_.SetInsertPoint(here);
      control(decode::Instr{.op = Opcode::Block}, c);
      frames_.back().dispatch = dispatch;
      return;
    }
    case Opcode::Try: {
      control(decode::Instr{.op = Opcode::Block}, c);
      Frame& t = frames_.back();
      if (t.dead_entry) return;
      t.legacy = true;
      t.below.assign(stack_.begin(), stack_.begin() + ptrdiff_t(t.height));
      t.dispatch = t.tail = llvm::BasicBlock::Create(mt_.ctx, "dispatch", fn_);
      t.exn_slot = entryAlloca(mt_.ptr, "caught");
      return;
    }
    case Opcode::Catch:
    case Opcode::CatchAll: {
      Frame& t = frames_.back();
      if (t.dead_entry) return;
      if (t.in_catch) finishCatch(t);
      if (!dead_) {  // the do part or the previous body to the try's end, as an if's first arm
        for (size_t k = t.results.size(); k-- > 0;) b_.CreateStore(pop(), t.vars[k]);
        b_.CreateBr(t.label);
      }
      t.clause_bb = llvm::BasicBlock::Create(mt_.ctx, "catch", fn_);
      t.body_bb = llvm::BasicBlock::Create(mt_.ctx, "catch_body", fn_);
      t.clause_tag = in.op == Opcode::Catch ? int64_t(in.idx) : -1;
      t.payload.clear();
      t.rethrown = t.nested = false;
      {
        llvm::IRBuilderBase::InsertPointGuard guard(b_);
        b_.SetInsertPoint(t.tail);
        if (in.op == Opcode::Catch) {
          llvm::BasicBlock* next = llvm::BasicBlock::Create(mt_.ctx, "dispatch", fn_);
          b_.CreateCondBr(sameTag(b_, mt_, vmctx_, b_.CreateLoad(mt_.ptr, exn_), in.idx), t.clause_bb, next);
          t.tail = next;
        } else {
          b_.CreateBr(t.clause_bb);
          t.tail = nullptr;
        }
      }
      stack_ = t.below;
      b_.SetInsertPoint(t.body_bb);
      if (in.op == Opcode::Catch) {
        for (const ir::ValType& p : mt_.wm.tagFuncType(in.idx).params) {
          t.payload.push_back(entryAlloca(mt_.valType(p), "payload"));
          push(b_.CreateLoad(mt_.valType(p), t.payload.back()));
        }
      }
      t.in_catch = true;
      dead_ = false;
      return;
    }
    case Opcode::Delegate: {
      Frame& t = frames_.back();
      if (!t.dead_entry) closeDispatch(t, (frames_.size() - 1) - 1 - in.idx);
      endFrame();
      return;
    }
    case Opcode::End: {
      Frame& t = frames_.back();
      if (t.legacy && !t.dead_entry) {
        if (t.in_catch) finishCatch(t);
        closeDispatch(t, frames_.size() - 2);
      }
      control(in, c);
      return;
    }
    default: control(in, c); return;
  }
}

// The exceptions no clause of legacy try t took go to the handlers of the tries at frame
// index `target` and under (the next one out; delegate names another).
void FuncTranslator::closeDispatch(Frame& t, size_t target) {
  if (!t.tail) return;
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  llvm::BasicBlock* to = handlerBlock(target + 1);
  b_.SetInsertPoint(t.tail);
  b_.CreateBr(to);
  t.tail = nullptr;
}

// The catch body just translated is complete: its entry from the dispatch takes the exception
// out of the record, writes the payload where the body reads it, and keeps the exception in
// the hidden slot when a rethrow reads it (exposed when a handler in between may catch it,
// never freed then); otherwise frees it unless an exnref of it exists.
void FuncTranslator::finishCatch(Frame& t) {
  llvm::IRBuilderBase::InsertPointGuard guard(b_);
  b_.SetInsertPoint(t.clause_bb);
  callExtern(mt_, b_, jit::kExternTaken, mt_.void_t, {vmctx_});
  llvm::Value* exn = b_.CreateLoad(mt_.ptr, exn_);
  if (t.clause_tag >= 0) {
    std::vector<llvm::Value*> vals = payloadOf(exn, uint32_t(t.clause_tag));
    for (size_t j = 0; j < vals.size(); ++j) b_.CreateStore(vals[j], t.payload[j]);
  }
  if (t.rethrown) {
    b_.CreateStore(exn, t.exn_slot);
    if (t.nested) b_.CreateStore(b_.getInt32(1), b_.CreateConstInBoundsGEP1_64(mt_.i8, exn, offsetof(vm::VMException, exposed)));
  } else {
    callExtern(mt_, b_, jit::kExternCaught, mt_.void_t, {b_.CreatePtrToInt(exn, mt_.i64), vmctx_});
  }
  b_.CreateBr(t.body_bb);
  t.in_catch = false;
}

bool FuncTranslator::exceptions(const decode::Instr& in, const validate::InstrContext& c) {
  switch (in.op) {
    case Opcode::Throw: {
      size_t n = c.popped.size();
      llvm::AllocaInst* area = entryAlloca(llvm::ArrayType::get(mt_.i8, 16 * std::max<size_t>(n, 1)), "payload");
      area->setAlignment(llvm::Align(16));
      std::vector<llvm::Value*> args = popArgs(n);
      for (size_t k = 0; k < n; ++k)
        b_.CreateAlignedStore(args[k], b_.CreateConstInBoundsGEP1_64(mt_.i8, area, 16 * k), llvm::MaybeAlign(16));
      llvm::Value* exn = callExtern(mt_, b_, jit::kExternThrow, mt_.ptr,
                                    {area, vmctx_, b_.getInt64(uint64_t(in.idx) | uint64_t(n) << 32)});
      if (!activeTry(frames_.size())) {
        trapAlways(jit::kPropagate);  // an exception, or the Host trap of no memory for one
      } else {
        llvm::BasicBlock* oom = llvm::BasicBlock::Create(mt_.ctx, "no_memory", fn_);
        llvm::BasicBlock* go = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
        b_.CreateCondBr(b_.CreateIsNull(exn), oom, go);
        b_.SetInsertPoint(oom);
        trapAlways(jit::kPropagate);
        b_.SetInsertPoint(go);
        raise(exn);
      }
      setDead();
      return true;
    }
    case Opcode::ThrowRef: {
      llvm::Value* exn = pop();
      trapIf(b_.CreateIsNull(exn), uint32_t(vm::TrapKind::NullExceptionReference));
      callExtern(mt_, b_, jit::kExternThrowRef, mt_.void_t, {b_.CreatePtrToInt(exn, mt_.i64), vmctx_});
      if (activeTry(frames_.size())) raise(exn);
      else trapAlways(jit::kPropagate);
      setDead();
      return true;
    }
    case Opcode::Rethrow: {
      size_t target = frames_.size() - 1 - in.idx;
      Frame& t = frames_[target];
      t.rethrown = true;
      // A handler between here and the catch body may catch what this throws while the hidden
      // slot still holds it (and rethrow it again): then it must never be freed.
      if (activeTry(frames_.size()) && activeTry(frames_.size()) > &t) t.nested = true;
      llvm::Value* exn = b_.CreateLoad(mt_.ptr, t.exn_slot);
      callExtern(mt_, b_, jit::kExternThrowRef, mt_.void_t, {b_.CreatePtrToInt(exn, mt_.i64), vmctx_});
      if (activeTry(frames_.size())) raise(exn);
      else trapAlways(jit::kPropagate);
      setDead();
      return true;
    }
    default: return false;
  }
}

}  // namespace strata::llvmtier
