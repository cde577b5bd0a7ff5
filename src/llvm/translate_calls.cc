// Calls: direct, through imports, call_indirect, call_ref, and their tail forms (see
// translate.h for the conventions).
#include <llvm/IR/GCStrategy.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include "jit/stubs.h"
#include "llvm/translate.h"
#include "vm/abi.h"
#include "vm/builtins.h"
#include "vm/trap.h"

namespace strata::llvmtier {

using ir::Opcode;
using ir::ValKind;

std::vector<llvm::Value*> FuncTranslator::popArgs(size_t n) {
  std::vector<llvm::Value*> args(stack_.end() - ptrdiff_t(n), stack_.end());
  stack_.resize(stack_.size() - n);
  return args;
}

void FuncTranslator::pushResults(llvm::Value* r, const ir::FuncType& ft) {
  if (ft.results.size() == 1) push(r);
  else
    for (size_t k = 0; k < ft.results.size(); ++k)
      push(mt_.unpackResult(b_, b_.CreateExtractValue(r, unsigned(k)), ft.results[k]));
}

namespace {

// The GC strategy of functions with safepoints: statepoints (safepointCall makes them; no
// RS4GC), and every pointer a reference (the default strategies take only address space 1).
class StrataGc final : public llvm::GCStrategy {
 public:
  StrataGc() { UseStatepoints = true; }
  std::optional<bool> isGCManagedPointer(const llvm::Type*) const override { return true; }
};
llvm::GCRegistry::Add<StrataGc> kStrataGc("strata", "Strata's non-moving collector (docs/gc.md)");

void returnValue(llvm::IRBuilder<>& b, llvm::Value* r) {
  if (!r || r->getType()->isVoidTy()) b.CreateRetVoid();
  else b.CreateRet(r);
}

}  // namespace

bool FuncTranslator::call(const decode::Instr& in, const validate::InstrContext& c) {
  const ir::Module& wm = mt_.wm;
  uint32_t nimp = wm.num_imported_functions;
  switch (in.op) {
    case Opcode::Call:
    case Opcode::ReturnCall: {
      const ir::FuncType& ft = wm.funcType(in.idx);
      bool tail = in.op == Opcode::ReturnCall;
      if (in.idx < nimp) {
        llvm::Value* funcs = loadField(vmctx_, offsetof(vm::VMContext, funcs), mt_.ptr, true);
        llvm::Value* ref = loadField(funcs, 8 * in.idx, mt_.ptr, true, "import");
        callRef(ref, ft, tail);
        return true;
      }
      if (!tail && activeTry(frames_.size())) {
        // In a try body: through the array call, which returns here when the callee throws.
        llvm::Value* funcs = loadField(vmctx_, offsetof(vm::VMContext, funcs), mt_.ptr, true);
        callRef(loadField(funcs, 8 * in.idx, mt_.ptr, true, "self"), ft, false);
        return true;
      }
      std::vector<llvm::Value*> args{vmctx_};
      for (llvm::Value* v : popArgs(ft.params.size())) args.push_back(v);
      if (tail) observeAccumulator();
      llvm::Function* callee = mt_.bodies[in.idx - nimp];
      if (tail) {
        llvm::CallInst* r = b_.CreateCall(callee, args);
        r->setCallingConv(mt_.body_cc);
        r->setTailCallKind(llvm::CallInst::TCK_MustTail);
        returnValue(b_, r);
        setDead();
      } else {
        // Not a tail call: recursion must use stack (spec: "call stack exhausted"), so LLVM
        // may not turn it into a loop (safepointCall's calls are never tail calls).
        llvm::Value* r = safepointCall(callee->getFunctionType(), callee, args, mt_.body_cc, false);
        if (r) pushResults(r, ft);
      }
      return true;
    }
    case Opcode::CallIndirect:
    case Opcode::ReturnCallIndirect: {
      const ir::FuncType& ft = wm.types[in.idx].func;
      llvm::Value* index = pop();
      bool t64 = wm.tables[in.idx2].type.limits.is64;
      llvm::Value* i = t64 ? index : b_.CreateZExt(index, mt_.i64);
      llvm::Value* tab = tablePtr(in.idx2);
      llvm::Value* len = loadField(tab, offsetof(vm::VMTable, length), mt_.i64, false);
      trapIf(b_.CreateICmpUGE(i, len), uint32_t(vm::TrapKind::UndefinedElement));
      llvm::Value* elems = loadField(tab, offsetof(vm::VMTable, elements), mt_.ptr, false);
      llvm::Value* ref = b_.CreateAlignedLoad(mt_.ptr, b_.CreateInBoundsGEP(mt_.ptr, elems, i), llvm::MaybeAlign(8));
      trapIf(b_.CreateIsNull(ref), uint32_t(vm::TrapKind::UninitializedElement), i);
      llvm::Value* sub = loadField(ref, offsetof(vm::VMFuncRef, type_id), mt_.i32, false);
      llvm::Value* ids = loadField(vmctx_, offsetof(vm::VMContext, type_ids), mt_.ptr, true);
      llvm::Value* super = loadField(ids, 4 * in.idx, mt_.i32, true);
      // Equal canonical ids are the common case; otherwise the runtime decides subtyping.
      llvm::BasicBlock* slow = llvm::BasicBlock::Create(mt_.ctx, "subtype", fn_);
      llvm::BasicBlock* ok = llvm::BasicBlock::Create(mt_.ctx, "typed", fn_);
      llvm::MDBuilder md(mt_.ctx);
      b_.CreateCondBr(b_.CreateICmpEQ(sub, super), ok, slow, md.createBranchWeights(1 << 20, 1));
      b_.SetInsertPoint(slow);
      llvm::Value* is_sub = callBuiltin(offsetof(vm::VMBuiltins, type_is_subtype), mt_.i8, {vmctx_, sub, super});
      trapIf(b_.CreateICmpEQ(is_sub, b_.getInt8(0)), uint32_t(vm::TrapKind::IndirectCallTypeMismatch));
      b_.CreateBr(ok);
      b_.SetInsertPoint(ok);
      callRef(ref, ft, in.op == Opcode::ReturnCallIndirect);
      return true;
    }
    case Opcode::CallRef:
    case Opcode::ReturnCallRef: {
      const ir::FuncType& ft = wm.types[in.idx].func;
      llvm::Value* ref = pop();
      trapIf(b_.CreateIsNull(ref), uint32_t(vm::TrapKind::NullFunctionReference));
      callRef(ref, ft, in.op == Opcode::ReturnCallRef);
      return true;
    }
    default: return false;
  }
}

// A funcref of this very instance (its vmctx is ours) is a body of this module: called
// directly, through the body table. Any other goes through its array call (host functions,
// other instances, other tiers), whose false result means the callee trapped.
void FuncTranslator::callRef(llvm::Value* ref, const ir::FuncType& ft, bool tail) {
  std::vector<llvm::Value*> args = popArgs(ft.params.size());
  if (!tail && activeTry(frames_.size())) {
    // In a try body every callee is called through its array call: a throw unwinds to the
    // entry it goes through, which returns false here, where the handler is looked for.
    llvm::Value* r = callThroughArray(ref, ft, args);
    if (!ft.results.empty()) pushResults(r, ft);
    return;
  }
  if (tail) observeAccumulator();
  llvm::Value* owner = loadField(ref, offsetof(vm::VMFuncRef, vmctx), mt_.ptr, false);
  llvm::BasicBlock* fast = llvm::BasicBlock::Create(mt_.ctx, "direct", fn_);
  llvm::BasicBlock* slow = llvm::BasicBlock::Create(mt_.ctx, "array", fn_);
  b_.CreateCondBr(b_.CreateICmpEQ(owner, vmctx_), fast, slow);

  b_.SetInsertPoint(fast);
  llvm::Value* index = loadField(ref, offsetof(vm::VMFuncRef, func_index), mt_.i32, false);
  index = b_.CreateZExt(b_.CreateSub(index, b_.getInt32(mt_.wm.num_imported_functions)), mt_.i64);
  llvm::Value* rel = b_.CreateAlignedLoad(mt_.i64, b_.CreateInBoundsGEP(mt_.i64, mt_.body_table, index), llvm::MaybeAlign(8));
  llvm::Value* target = b_.CreateGEP(mt_.i8, mt_.body_table, rel);
  std::vector<llvm::Value*> full{vmctx_};
  full.insert(full.end(), args.begin(), args.end());
  llvm::Value* r1 = nullptr;
  llvm::BasicBlock* fast_end = nullptr;
  llvm::BasicBlock* join = tail ? nullptr : llvm::BasicBlock::Create(mt_.ctx, "joined", fn_);
  if (tail) {
    llvm::CallInst* c = b_.CreateCall(mt_.bodyType(ft), target, full);
    c->setCallingConv(mt_.body_cc);
    c->setTailCallKind(llvm::CallInst::TCK_MustTail);
    returnValue(b_, c);
  } else {
    r1 = safepointCall(mt_.bodyType(ft), target, full, mt_.body_cc, false);
    fast_end = b_.GetInsertBlock();
    b_.CreateBr(join);
  }

  b_.SetInsertPoint(slow);
  llvm::Value* r2 = callThroughArray(ref, ft, args, tail);
  if (tail) {
    returnValue(b_, r2);
    setDead();
    return;
  }
  llvm::BasicBlock* slow_end = b_.GetInsertBlock();
  b_.CreateBr(join);
  b_.SetInsertPoint(join);
  if (ft.results.empty()) return;
  llvm::PHINode* phi = b_.CreatePHI(r1->getType(), 2);
  phi->addIncoming(r1, fast_end);
  phi->addIncoming(r2, slow_end);
  pushResults(phi, ft);
}

llvm::Value* FuncTranslator::callThroughArray(llvm::Value* ref, const ir::FuncType& ft,
                                              std::span<llvm::Value* const> args, bool tail) {
  size_t n = std::max<size_t>({ft.params.size(), ft.results.size(), 1});
  llvm::AllocaInst* area = entryAlloca(llvm::ArrayType::get(mt_.i8, 16 * n), "vals");
  area->setAlignment(llvm::Align(16));
  for (size_t k = 0; k < args.size(); ++k)
    b_.CreateAlignedStore(args[k], b_.CreateConstInBoundsGEP1_64(mt_.i8, area, 16 * k), llvm::MaybeAlign(8));
  auto* at = llvm::FunctionType::get(mt_.i8, {mt_.ptr, mt_.ptr, mt_.ptr, mt_.i64}, false);
  llvm::Value* fn = loadField(ref, offsetof(vm::VMFuncRef, array_call), mt_.ptr, false);
  llvm::Value* ok = safepointCall(at, fn, {ref, vmctx_, area, b_.getInt64(n)}, llvm::CallingConv::C, true,
                                  llvm::ArrayRef<llvm::Value*>(args.data(), args.size()));
  // False: the callee trapped or threw. A tail call left this function's try bodies (spec
  // 4.4.x return_call), even when made as a call here: the exception goes on to the caller.
  if (tail) checkBuiltin(ok);
  else checkCallee(ok);
  llvm::Type* rt = mt_.resultType(ft.results);
  if (ft.results.empty()) return nullptr;
  if (ft.results.size() == 1) return b_.CreateAlignedLoad(rt, area, llvm::MaybeAlign(8));
  llvm::Value* agg = llvm::UndefValue::get(rt);
  for (size_t k = 0; k < ft.results.size(); ++k) {
    llvm::Value* v = b_.CreateAlignedLoad(mt_.resultElem(ft.results[k]), b_.CreateConstInBoundsGEP1_64(mt_.i8, area, 16 * k),
                                          llvm::MaybeAlign(8));
    agg = b_.CreateInsertValue(agg, v, unsigned(k));
  }
  return agg;
}

// Safepoints (docs/gc.md "Roots in machine-code frames"). The references live across the
// call go to the statepoint's gc-live list; LLVM spills each to a stack slot for the call and
// records the slot in the object's .llvm_stackmaps section, which the linker turns into the
// image's StackRefs rows (link.cc). LLVM records only values whose gc.relocate is used, so each
// relocate gets a use right after the call (an empty asm). The collector does not move
// objects: the relocates equal their bases, so the code after the call keeps using the
// original values (a relocate defined on one arm of a branch could not replace a value used
// after the join). Liveness is the wasm program's: every reference operand and local.
llvm::Value* FuncTranslator::safepointCall(llvm::FunctionType* ft, llvm::Value* callee, llvm::ArrayRef<llvm::Value*> args,
                                           llvm::CallingConv::ID cc, bool exit, llvm::ArrayRef<llvm::Value*> keep) {
  if (exit) {
    // The innermost machine frame of a collection: its fp, and its sp at the call (a fixed
    // frame: rsp does not move between here and the call), under which the call leaves the
    // return address.
    llvm::Value* sc = storeCtx();
    llvm::Value* fp = b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {mt_.ptr}, {b_.getInt32(0)});
    llvm::Metadata* rsp = llvm::MDString::get(mt_.ctx, "rsp");
    llvm::Value* sp = b_.CreateIntrinsic(llvm::Intrinsic::read_register, {mt_.i64},
                                         {llvm::MetadataAsValue::get(mt_.ctx, llvm::MDNode::get(mt_.ctx, {rsp}))});
    b_.CreateAlignedStore(fp, b_.CreateConstInBoundsGEP1_64(mt_.i8, sc, offsetof(vm::VMStoreContext, exit_fp)),
                          llvm::MaybeAlign(8));
    b_.CreateAlignedStore(sp, b_.CreateConstInBoundsGEP1_64(mt_.i8, sc, offsetof(vm::VMStoreContext, exit_sp)),
                          llvm::MaybeAlign(8));
  }
  std::vector<llvm::Value*> live;
  for (llvm::Value* v : stack_)
    if (v->getType() == mt_.ptr) live.push_back(v);
  for (size_t k = 0; k < locals_.size(); ++k)
    if (local_types_[k].kind == ValKind::Ref) live.push_back(b_.CreateAlignedLoad(mt_.ptr, locals_[k], llvm::MaybeAlign(8)));
  for (llvm::Value* v : keep)
    if (v->getType() == mt_.ptr) live.push_back(v);
  if (live.empty()) {
    llvm::CallInst* c = b_.CreateCall(ft, callee, args);
    c->setCallingConv(cc);
    c->setTailCallKind(llvm::CallInst::TCK_NoTail);
    return ft->getReturnType()->isVoidTy() ? nullptr : c;
  }
  if (!fn_->hasGC()) fn_->setGC("strata");
  llvm::CallInst* sp = b_.CreateGCStatepointCall(0, 0, llvm::FunctionCallee(ft, callee), args, std::nullopt, live);
  sp->setCallingConv(cc);
  llvm::Value* r = ft->getReturnType()->isVoidTy() ? nullptr : b_.CreateGCResult(sp, ft->getReturnType());
  auto* use_t = llvm::FunctionType::get(mt_.void_t, {mt_.ptr}, false);
  llvm::InlineAsm* use = llvm::InlineAsm::get(use_t, "", "r", true);
  for (size_t k = 0; k < live.size(); ++k) b_.CreateCall(use_t, use, {b_.CreateGCRelocate(sp, int(k), int(k), mt_.ptr)});
  return r;
}

}  // namespace strata::llvmtier
