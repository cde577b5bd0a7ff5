// The module's declarations, the native-convention entries, and each body's control flow,
// locals and traps (see translate.h).
#include "llvm/translate.h"

#include <algorithm>

#include <fmt/core.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/IR/CFG.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Local.h>

#include "ir/opcodes.h"
#include "jit/externs.h"
#include "jit/stubs.h"
#include "vm/abi.h"
#include "vm/trap.h"

namespace strata::llvmtier {

using ir::Opcode;
using ir::ValKind;

namespace {

// Attributes every function of the module gets: frame pointers (traps walk the rbp chain, as
// for the baseline tier), no unwind tables (nothing unwinds through them but the trap path),
// no red zone (the signal handler simulates a call on the faulting thread's stack), stack
// probes for frames larger than a page.
void commonAttributes(llvm::Function* f) {
  f->addFnAttr("frame-pointer", "all");
  f->addFnAttr(llvm::Attribute::NoUnwind);
  f->addFnAttr(llvm::Attribute::NoRedZone);
  f->addFnAttr("probe-stack", "inline-asm");
  f->setDSOLocal(true);
}

}  // namespace

ModuleTranslator::ModuleTranslator(llvm::LLVMContext& c, llvm::Module& mod, const validate::ModuleEnv& e,
                                   const PluginRequest& r)
    : ctx(c), m(mod), env(e), wm(*e.module), req(r), di(mod) {
  i1 = llvm::Type::getInt1Ty(ctx);
  i8 = llvm::Type::getInt8Ty(ctx);
  i16 = llvm::Type::getInt16Ty(ctx);
  i32 = llvm::Type::getInt32Ty(ctx);
  i64 = llvm::Type::getInt64Ty(ctx);
  f32 = llvm::Type::getFloatTy(ctx);
  f64 = llvm::Type::getDoubleTy(ctx);
  v128 = llvm::FixedVectorType::get(i64, 2);
  ptr = llvm::PointerType::get(ctx, 0);
  void_t = llvm::Type::getVoidTy(ctx);
}

llvm::Type* ModuleTranslator::valType(ValKind k) const {
  switch (k) {
    case ValKind::I32: return i32;
    case ValKind::I64: return i64;
    case ValKind::F32: return f32;
    case ValKind::F64: return f64;
    case ValKind::V128: return v128;
    case ValKind::Ref: return ptr;
    case ValKind::Bot: return i32;
  }
  return i32;
}
llvm::Type* ModuleTranslator::valType(ir::ValType t) const { return valType(t.kind); }

// Several results travel as a struct in registers, but LLVM returns floats beyond the last
// xmm register of the convention in x87 registers, whose loads quieten a signalling NaN (the
// fuzzer found a function's fifth result changed): floats in such structs are integers of the
// same width, so every result keeps its bits.
llvm::Type* ModuleTranslator::resultElem(ir::ValType t) const {
  if (t.kind == ValKind::F32) return i32;
  if (t.kind == ValKind::F64) return i64;
  return valType(t);
}

llvm::Type* ModuleTranslator::resultType(std::span<const ir::ValType> results) const {
  if (results.empty()) return void_t;
  if (results.size() == 1) return valType(results[0]);
  std::vector<llvm::Type*> fields;
  for (ir::ValType t : results) fields.push_back(resultElem(t));
  return llvm::StructType::get(ctx, fields);
}

llvm::Value* ModuleTranslator::packResult(llvm::IRBuilderBase& b, llvm::Value* v) const {
  llvm::Type* t = v->getType();
  return t->isFloatTy() ? b.CreateBitCast(v, i32) : t->isDoubleTy() ? b.CreateBitCast(v, i64) : v;
}

llvm::Value* ModuleTranslator::unpackResult(llvm::IRBuilderBase& b, llvm::Value* v, ir::ValType t) const {
  return t.kind == ValKind::F32 || t.kind == ValKind::F64 ? b.CreateBitCast(v, valType(t)) : v;
}

llvm::FunctionType* ModuleTranslator::bodyType(const ir::FuncType& ft) const {
  std::vector<llvm::Type*> params{ptr};
  for (ir::ValType t : ft.params) params.push_back(valType(t));
  return llvm::FunctionType::get(resultType(ft.results), params, false);
}

llvm::GlobalVariable* ModuleTranslator::externSlot(uint32_t id) {
  auto it = externs_.find(id);
  if (it != externs_.end()) return it->second;
  // Declared, not defined: emit.cc resolves `ext.<id>` to the slot on the data page. Hidden
  // and dso_local, so the code reads it pc-relatively (no GOT).
  auto* g = new llvm::GlobalVariable(m, ptr, true, llvm::GlobalValue::ExternalLinkage, nullptr, fmt::format("ext.{}", id));
  g->setVisibility(llvm::GlobalValue::HiddenVisibility);
  g->setDSOLocal(true);
  externs_.emplace(id, g);
  return g;
}

llvm::MDNode* ModuleTranslator::accessScope(uint32_t offset) {
  // No access carries !noalias, so these scopes never make two accesses independent for
  // LLVM's alias analysis: they only name the access.
  llvm::MDBuilder md(ctx);
  if (!access_domain_) access_domain_ = md.createAliasScopeDomain(kAccessDomain);
  llvm::MDNode* scope = md.createAliasScope(std::to_string(offset), access_domain_);
  return llvm::MDNode::get(ctx, {scope});
}

bool ModuleTranslator::explicitBounds(uint32_t mem) const {
  const ir::MemoryType& t = wm.memories[mem].type;
  return req.options.bounds == vm::BoundsChecks::Explicit || t.limits.is64 || t.page_size_log2 < 12;
}

Result<void> ModuleTranslator::run(uint32_t begin, uint32_t end) {
  uint32_t nimp = wm.num_imported_functions;
  auto ndef = uint32_t(wm.functions.size() - nimp);
  // One batch of a larger module (plugin.cc): its bodies and the other batches' reach each
  // other by name, resolved by link.cc, so every body and the body table are global
  // symbols (hidden: nothing outside the image sees them). Alone, they stay internal.
  bool whole = begin == 0 && end == ndef;
  auto linkage = whole ? llvm::GlobalValue::InternalLinkage : llvm::GlobalValue::ExternalLinkage;
  file = di.createFile("module.wasm", ".");
  cu = di.createCompileUnit(llvm::dwarf::DW_LANG_C, file, "strata", true, "", 0, "", llvm::DICompileUnit::LineTablesOnly);
  di_type = di.createSubroutineType(di.getOrCreateTypeArray({}));
  m.addModuleFlag(llvm::Module::Warning, "Debug Info Version", llvm::DEBUG_METADATA_VERSION);
  m.addModuleFlag(llvm::Module::Warning, "Dwarf Version", 4);
  // Entry then body, function after function: the image's function i covers both (emit.cc).
  entries.assign(ndef, nullptr);
  for (uint32_t i = 0; i < ndef; ++i) {
    const ir::FuncType& ft = wm.funcType(nimp + i);
    bool here = i >= begin && i < end;
    if (here) {
      llvm::Type* first = ft.results.empty() ? void_t
                          : ft.results[0].kind == ValKind::F32 || ft.results[0].kind == ValKind::F64 ||
                                    ft.results[0].kind == ValKind::V128
                              ? valType(ft.results[0])
                              : i64;
      auto* w = llvm::Function::Create(llvm::FunctionType::get(first, {ptr}, false), llvm::GlobalValue::ExternalLinkage,
                                       fmt::format("w{}", i), m);
      commonAttributes(w);
      entries[i] = w;
    }
    auto* f = llvm::Function::Create(bodyType(ft), here ? linkage : llvm::GlobalValue::ExternalLinkage,
                                     fmt::format("f{}", i), m);
    commonAttributes(f);
    if (!whole) f->setVisibility(llvm::GlobalValue::HiddenVisibility);
    f->setCallingConv(body_cc);
    // Inlining would take frames out of backtraces, which must equal the interpreter's.
    f->addFnAttr(llvm::Attribute::NoInline);
    bodies.push_back(f);
  }
  // The body table: each body's offset from the table (pc-relative relocations only, so the
  // image stays position independent). Defined by the first batch, declared by the others.
  auto* table_t = llvm::ArrayType::get(i64, std::max<uint32_t>(ndef, 1));
  body_table = new llvm::GlobalVariable(m, table_t, true, begin == 0 ? linkage : llvm::GlobalValue::ExternalLinkage,
                                        nullptr, "bodies");
  if (!whole) {
    body_table->setVisibility(llvm::GlobalValue::HiddenVisibility);
    body_table->setDSOLocal(true);
  }
  if (begin == 0) {
    std::vector<llvm::Constant*> offsets;
    for (uint32_t i = 0; i < ndef; ++i) {
      llvm::Constant* f = llvm::ConstantExpr::getPtrToInt(bodies[i], i64);
      llvm::Constant* t = llvm::ConstantExpr::getPtrToInt(body_table, i64);
      offsets.push_back(llvm::ConstantExpr::getSub(f, t));
    }
    if (ndef == 0) offsets.push_back(llvm::ConstantInt::get(i64, 0));
    body_table->setInitializer(llvm::ConstantArray::get(table_t, offsets));
  }
  for (uint32_t i = begin; i < end; ++i) {
    FuncTranslator ft(*this, nimp + i);
    validate::FuncValidator<FuncTranslator> v(env, nimp + i, ft);
    STRATA_CHECK(v.run());
    STRATA_CHECK(ft.status());
    buildEntry(i);
  }
  di.finalize();
  return {};
}

// w<i>: the native convention (docs/jit.md "Frame and calling convention") around f<i>.
void ModuleTranslator::buildEntry(uint32_t def) {
  const ir::FuncType& ft = wm.funcType(wm.num_imported_functions + def);
  llvm::Function* w = entries[def];
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "", w));
  llvm::Value* ra = b.CreateIntrinsic(llvm::Intrinsic::addressofreturnaddress, {ptr}, {});
  std::vector<llvm::Value*> args{w->getArg(0)};
  for (size_t k = 0; k < ft.params.size(); ++k) {
    llvm::Value* at = b.CreateConstInBoundsGEP1_64(i8, ra, 8 + 16 * k);
    args.push_back(b.CreateAlignedLoad(valType(ft.params[k]), at, llvm::MaybeAlign(8)));
  }
  llvm::CallInst* r = b.CreateCall(bodies[def], args);
  r->setCallingConv(body_cc);
  r->setTailCallKind(llvm::CallInst::TCK_NoTail);
  r->addFnAttr(llvm::Attribute::NoInline);
  if (ft.results.empty()) {
    b.CreateRetVoid();
    return;
  }
  llvm::Value* first = nullptr;
  for (size_t k = 0; k < ft.results.size(); ++k) {
    llvm::Value* v = ft.results.size() == 1 ? static_cast<llvm::Value*>(r)
                                            : unpackResult(b, b.CreateExtractValue(r, unsigned(k)), ft.results[k]);
    llvm::Value* at = b.CreateConstInBoundsGEP1_64(i8, ra, 8 + 16 * k);
    b.CreateAlignedStore(v, at, llvm::MaybeAlign(8));
    if (k == 0) first = v;
  }
  // The first result also leaves in rax (integers zero-extended, references) or xmm0.
  switch (ft.results[0].kind) {
    case ValKind::I32: first = b.CreateZExt(first, i64); break;
    case ValKind::Ref: first = b.CreatePtrToInt(first, i64); break;
    default: break;
  }
  b.CreateRet(first);
}

// ---------------------------------------------------------------------------------------------

FuncTranslator::FuncTranslator(ModuleTranslator& mt, uint32_t func_index)
    : mt_(mt), func_index_(func_index), type_(mt.wm.funcType(func_index)),
      fn_(mt.bodies[func_index - mt.wm.num_imported_functions]), b_(mt.ctx) {
  uint32_t body_offset = mt.wm.functions[func_index].body.offset;
  sp_ = mt.di.createFunction(mt.file, fn_->getName(), fn_->getName(), mt.file, body_offset, mt.di_type, body_offset,
                             llvm::DINode::FlagZero, llvm::DISubprogram::SPFlagDefinition);
  fn_->setSubprogram(sp_);
  entry_ = llvm::BasicBlock::Create(mt.ctx, "entry", fn_);
  b_.SetInsertPoint(entry_);
  b_.SetCurrentDebugLocation(llvm::DILocation::get(mt.ctx, body_offset, 0, sp_));
  offset_ = body_offset;  // the entry's checks trap at the body's first byte, as on every tier
  vmctx_ = fn_->getArg(0);
}

llvm::AllocaInst* FuncTranslator::entryAlloca(llvm::Type* t, const llvm::Twine& name) {
  llvm::IRBuilder<> eb(entry_, entry_->getFirstInsertionPt());
  return eb.CreateAlloca(t, nullptr, name);
}

void FuncTranslator::unsupported(const decode::Instr& in, const char* what) {
  if (error_)
    error_ = makeError(ErrorKind::Unsupported, in.offset,
                       fmt::format("llvm: {} ({}) not compiled yet", what, ir::opcodeText(in.op)));
}

void FuncTranslator::onLocals(std::span<const ir::ValType> locals) {
  local_types_.assign(locals.begin(), locals.end());
  for (size_t i = 0; i < locals.size(); ++i) {
    llvm::AllocaInst* a = b_.CreateAlloca(mt_.valType(locals[i]), nullptr, fmt::format("l{}", i));
    locals_.push_back(a);
  }
  for (size_t i = 0; i < locals.size(); ++i) {
    llvm::Value* init = i < type_.params.size() ? static_cast<llvm::Value*>(fn_->getArg(unsigned(1 + i)))
                                                : llvm::Constant::getNullValue(mt_.valType(locals[i]));
    b_.CreateStore(init, locals_[i]);
  }
  if (!mt_.wm.memories.empty()) makeAccumulator();
  checkStack();
  checkEpoch();
  chargeFuel();
  Frame f;
  f.kind = Kind::Function;
  f.results.assign(type_.results.begin(), type_.results.end());
  for (ir::ValType t : f.results) f.vars.push_back(entryAlloca(mt_.valType(t), "ret"));
  f.label = llvm::BasicBlock::Create(mt_.ctx, "return", fn_);
  frames_.push_back(std::move(f));
  // The body proper starts in its own block, after the entry's allocas and checks.
  llvm::BasicBlock* body = llvm::BasicBlock::Create(mt_.ctx, "body", fn_);
  b_.CreateBr(body);
  b_.SetInsertPoint(body);
}

bool callsOut(const llvm::CallBase& call) {
  if (call.isInlineAsm() || call.doesNotReturn()) return false;
  auto* intr = llvm::dyn_cast<llvm::IntrinsicInst>(&call);
  return !intr || intr->getIntrinsicID() == llvm::Intrinsic::experimental_gc_statepoint;
}

llvm::LoadInst* loadAt(llvm::IRBuilderBase& b, llvm::Value* base, uint64_t offset, llvm::Type* t, bool invariant,
                       const llvm::Twine& name) {
  llvm::Value* at = offset ? b.CreateConstInBoundsGEP1_64(b.getInt8Ty(), base, offset) : base;
  llvm::LoadInst* l = b.CreateAlignedLoad(t, at, llvm::MaybeAlign(8), name);
  if (invariant) l->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(b.getContext(), {}));
  return l;
}

llvm::Value* FuncTranslator::loadField(llvm::Value* base, uint32_t offset, llvm::Type* t, bool invariant,
                                       const llvm::Twine& name) {
  return loadAt(b_, base, offset, t, invariant, name);
}

llvm::Value* FuncTranslator::storeCtx() {
  return loadField(vmctx_, offsetof(vm::VMContext, store_ctx), mt_.ptr, true, "store");
}

// Stack overflow is a trap (issue 10's contract): the frame address against the store's limit,
// which stays 64 KiB above the thread's guard page (runtime/entry.cc), more than a frame
// below a page (larger frames probe their pages: "probe-stack").
void FuncTranslator::checkStack() {
  llvm::Value* limit = loadField(storeCtx(), offsetof(vm::VMStoreLimits, stack_limit), mt_.i64, false, "limit");
  llvm::Value* fa = b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {mt_.ptr}, {b_.getInt32(0)});
  llvm::Value* below = b_.CreateICmpULT(b_.CreatePtrToInt(fa, mt_.i64), limit);
  if (auto* cmp = llvm::dyn_cast<llvm::Instruction>(below)) {
    cmp->setMetadata(mt_.ctx.getMDKindID(kStackCheckMD), llvm::MDNode::get(mt_.ctx, {}));
    stack_cmp_ = cmp;
  }
  trapIf(below, uint32_t(vm::TrapKind::CallStackExhausted));
}

void FuncTranslator::checkEpoch() {
  if (!mt_.req.options.epoch_interruption) return;
  llvm::Value* store = storeCtx();
  llvm::Value* counter = loadField(store, offsetof(vm::VMStoreLimits, epoch_counter), mt_.ptr, true);
  llvm::Value* epoch = b_.CreateAlignedLoad(mt_.i64, counter, llvm::MaybeAlign(8));
  cast<llvm::LoadInst>(epoch)->setVolatile(true);
  llvm::Value* deadline = loadField(store, offsetof(vm::VMStoreLimits, epoch_deadline), mt_.i64, false);
  trapIf(b_.CreateICmpUGE(epoch, deadline), uint32_t(vm::TrapKind::Interrupt));
}

// Fuel (Config::consume_fuel) is charged as the interpreter and the baseline tier charge it, so
// every tier traps after the same instruction: at the entry and at every loop head, the number
// of reachable wasm instructions from there to the next such point in code order (the
// subtraction's constant is set when that point is reached).
void FuncTranslator::chargeFuel() {
  if (!mt_.req.options.consume_fuel) return;
  patchFuel();
  llvm::Value* at = b_.CreateConstInBoundsGEP1_64(mt_.i8, storeCtx(), offsetof(vm::VMStoreLimits, fuel_remaining));
  llvm::Value* left = b_.CreateAlignedLoad(mt_.i64, at, llvm::MaybeAlign(8));
  fuel_sub_ = llvm::cast<llvm::Instruction>(b_.CreateSub(left, llvm::ConstantInt::get(mt_.i64, 0)));
  b_.CreateAlignedStore(fuel_sub_, at, llvm::MaybeAlign(8));
  trapIf(b_.CreateICmpSLT(fuel_sub_, llvm::ConstantInt::get(mt_.i64, 0)), uint32_t(vm::TrapKind::OutOfFuel));
  fuel_count_ = 0;
}

void FuncTranslator::patchFuel() {
  if (fuel_sub_) fuel_sub_->setOperand(1, llvm::ConstantInt::get(mt_.i64, fuel_count_));
}

void FuncTranslator::trapAlways(uint32_t kind, llvm::Value* detail) { trapAlways(b_.getInt32(kind), detail); }

void FuncTranslator::trapAlways(llvm::Value* kind, llvm::Value* detail) {
  observeAccumulator();
  auto* ft = llvm::FunctionType::get(mt_.void_t, {mt_.i32, mt_.i32, mt_.ptr, mt_.i64}, false);
  llvm::Value* fnp = b_.CreateLoad(mt_.ptr, mt_.externSlot(jit::kExternTrapC));
  llvm::CallInst* c = b_.CreateCall(ft, fnp, {kind, b_.getInt32(offset_), vmctx_, detail ? detail : b_.getInt64(0)});
  c->setDoesNotReturn();
  c->addFnAttr(llvm::Attribute::Cold);
  b_.CreateUnreachable();
}

void FuncTranslator::trapIf(llvm::Value* cond, uint32_t kind, llvm::Value* detail) {
  // A load before the check must fault before it: LLVM sees no side effect in a load and may
  // sink it past the branch into the path that uses its value, so a trap the wasm program
  // takes later (a division's, call_indirect's) would come first; the differential fuzzer
  // found such a case. An empty asm that clobbers memory keeps every load on its side.
  b_.CreateCall(llvm::InlineAsm::get(llvm::FunctionType::get(mt_.void_t, false), "", "~{memory}", true));
  llvm::BasicBlock* trap = llvm::BasicBlock::Create(mt_.ctx, "trap", fn_);
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
  llvm::MDBuilder md(mt_.ctx);
  b_.CreateCondBr(cond, trap, cont, md.createBranchWeights(1, 1 << 20));
  b_.SetInsertPoint(trap);
  trapAlways(kind, detail);
  b_.SetInsertPoint(cont);
}

void FuncTranslator::onInstr(const decode::Instr& in, const validate::InstrContext& c) {
  if (!error_) return;
  offset_ = uint32_t(in.offset);
  if (c.reachable && !dead_) ++fuel_count_;  // as the baseline tier counts (chargeFuel)
  switch (in.op) {
    case Opcode::Block: case Opcode::Loop: case Opcode::If: case Opcode::Else: case Opcode::End:
    case Opcode::TryTable: case Opcode::Try: case Opcode::Catch: case Opcode::CatchAll: case Opcode::Delegate:
      exceptionControl(in, c);
      return;
    default: break;
  }
  if (dead_) return;
  b_.SetCurrentDebugLocation(llvm::DILocation::get(mt_.ctx, offset_, 0, sp_));
  switch (in.op) {
    case Opcode::Nop: return;
    case Opcode::Unreachable:
      trapAlways(uint32_t(vm::TrapKind::Unreachable));
      setDead();
      return;
    case Opcode::Br:
      branchTo(in.idx);
      setDead();
      return;
    case Opcode::BrIf: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), b_.getInt32(0));
      llvm::BasicBlock* take = llvm::BasicBlock::Create(mt_.ctx, "br_if", fn_);
      llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
      b_.CreateCondBr(cond, take, cont);
      b_.SetInsertPoint(take);
      branchTo(in.idx);
      b_.SetInsertPoint(cont);
      return;
    }
    case Opcode::BrTable: {
      llvm::Value* index = pop();
      const std::vector<uint32_t>& targets = c.reader->brTargets();  // the default last
      llvm::BasicBlock* def = llvm::BasicBlock::Create(mt_.ctx, "br_default", fn_);
      llvm::SwitchInst* sw = b_.CreateSwitch(index, def, unsigned(targets.size() - 1));
      // One block per distinct depth: the label's values are stored once per target.
      std::map<uint32_t, llvm::BasicBlock*> by_depth;
      by_depth[targets.back()] = def;
      for (size_t k = 0; k + 1 < targets.size(); ++k) {
        llvm::BasicBlock*& bb = by_depth[targets[k]];
        if (!bb) bb = llvm::BasicBlock::Create(mt_.ctx, "br_case", fn_);
        sw->addCase(b_.getInt32(uint32_t(k)), bb);
      }
      for (auto [depth, bb] : by_depth) {
        b_.SetInsertPoint(bb);
        branchTo(depth);
      }
      setDead();
      return;
    }
    case Opcode::Return:
      emitReturn();
      setDead();
      return;
    case Opcode::Drop: {
      // A load whose value is dropped still traps out of bounds, which LLVM would not keep.
      llvm::Value* v = pop();
      while (auto* cast = llvm::dyn_cast<llvm::CastInst>(v)) v = cast->getOperand(0);
      if (auto* l = llvm::dyn_cast<llvm::LoadInst>(v); l && !llvm::isa<llvm::AllocaInst>(l->getPointerOperand()))
        l->setVolatile(true);
      return;
    }
    case Opcode::Select:
    case Opcode::SelectT: {
      llvm::Value* cond = b_.CreateICmpNE(pop(), b_.getInt32(0));
      llvm::Value* f = pop();
      llvm::Value* t = pop();
      push(b_.CreateSelect(cond, t, f));
      return;
    }
    case Opcode::LocalGet: push(b_.CreateLoad(mt_.valType(local_types_[in.idx]), locals_[in.idx])); return;
    case Opcode::LocalSet: b_.CreateStore(pop(), locals_[in.idx]); return;
    case Opcode::LocalTee: b_.CreateStore(stack_.back(), locals_[in.idx]); return;
    case Opcode::GlobalGet: {
      ir::ValType t = mt_.wm.globals[in.idx].type.type;
      llvm::LoadInst* l = b_.CreateAlignedLoad(mt_.valType(t), globalAddr(in.idx), llvm::MaybeAlign(8));
      if (!mt_.wm.globals[in.idx].type.mut) l->setMetadata(llvm::LLVMContext::MD_invariant_load, llvm::MDNode::get(mt_.ctx, {}));
      push(l);
      return;
    }
    case Opcode::GlobalSet: b_.CreateAlignedStore(pop(), globalAddr(in.idx), llvm::MaybeAlign(8)); return;
    default: break;
  }
  if (call(in, c) || memory(in, c) || table(in, c) || gc(in, c) || exceptions(in, c)) return;
  if (numeric(in, c)) {
    if (mt_.req.options.nan_canonicalization && ir::canonicalizesNan(in.op)) canonicalizeNan();
    return;
  }
  unsupported(in, "instruction");
}

// CompileOptions::nan_canonicalization (ir::canonicalizesNan): a NaN result becomes the
// positive canonical NaN, as on the other tiers. A select on the value, not a branch: LLVM
// keeps it exact (no fast-math) even where it folds the operation itself, whose NaN would
// otherwise have the constant folder's sign and payload rather than the hardware's.
void FuncTranslator::canonicalizeNan() { push(canonicalNan(pop())); }

// x, or the positive canonical NaN where x is NaN (a scalar, or lanewise for a vector).
llvm::Value* FuncTranslator::canonicalNan(llvm::Value* x) {
  bool f32 = x->getType()->getScalarType()->isFloatTy();
  llvm::APFloat canon(f32 ? llvm::APFloat::IEEEsingle() : llvm::APFloat::IEEEdouble(),
                      f32 ? llvm::APInt(32, 0x7fc00000u) : llvm::APInt(64, 0x7ff8000000000000ull));
  return b_.CreateSelect(b_.CreateFCmpUNO(x, x), llvm::ConstantFP::get(x->getType(), canon), x);
}

void FuncTranslator::pushFrame(Kind kind, const validate::InstrContext& c) {
  const validate::ControlFrame& vf = c.frames.back();
  Frame f;
  f.kind = kind;
  f.params.assign(vf.sig.paramTypes().begin(), vf.sig.paramTypes().end());
  f.results.assign(vf.sig.resultTypes().begin(), vf.sig.resultTypes().end());
  f.dead_entry = dead_;
  if (!dead_) {
    f.height = stack_.size() - f.params.size();
    for (ir::ValType t : f.labelTypes()) f.vars.push_back(entryAlloca(mt_.valType(t)));
  }
  frames_.push_back(std::move(f));
}

void FuncTranslator::control(const decode::Instr& in, const validate::InstrContext& c) {
  if (!dead_) b_.SetCurrentDebugLocation(llvm::DILocation::get(mt_.ctx, offset_, 0, sp_));
  switch (in.op) {
    case Opcode::Block: {
      pushFrame(Kind::Block, c);
      if (!dead_) frames_.back().label = llvm::BasicBlock::Create(mt_.ctx, "end", fn_);
      return;
    }
    case Opcode::Loop: {
      pushFrame(Kind::Loop, c);
      if (dead_) return;
      Frame& f = frames_.back();
      f.label = llvm::BasicBlock::Create(mt_.ctx, "loop", fn_);
      for (size_t k = f.params.size(); k-- > 0;) b_.CreateStore(pop(), f.vars[k]);
      b_.CreateBr(f.label);
      b_.SetInsertPoint(f.label);
      for (size_t k = 0; k < f.params.size(); ++k) push(b_.CreateLoad(mt_.valType(f.params[k]), f.vars[k]));
      checkEpoch();
      chargeFuel();
      return;
    }
    case Opcode::If: {
      llvm::Value* cond = dead_ ? nullptr : b_.CreateICmpNE(pop(), b_.getInt32(0));
      pushFrame(Kind::If, c);
      if (dead_) return;
      Frame& f = frames_.back();
      f.label = llvm::BasicBlock::Create(mt_.ctx, "end", fn_);
      f.else_bb = llvm::BasicBlock::Create(mt_.ctx, "else", fn_);
      llvm::BasicBlock* then = llvm::BasicBlock::Create(mt_.ctx, "then", fn_);
      f.if_params.assign(stack_.end() - ptrdiff_t(f.params.size()), stack_.end());
      b_.CreateCondBr(cond, then, f.else_bb);
      b_.SetInsertPoint(then);
      return;
    }
    case Opcode::Else: {
      Frame& f = frames_.back();
      f.has_else = true;
      if (f.dead_entry) return;
      if (!dead_) {
        for (size_t k = f.results.size(); k-- > 0;) b_.CreateStore(pop(), f.vars[k]);
        b_.CreateBr(f.label);
      }
      stack_.resize(f.height);
      b_.SetInsertPoint(f.else_bb);
      dead_ = false;
      for (llvm::Value* v : f.if_params) push(v);
      return;
    }
    case Opcode::End: endFrame(); return;
    default: return;
  }
}

void FuncTranslator::endFrame() {
  Frame f = std::move(frames_.back());
  frames_.pop_back();
  if (f.dead_entry) return;
  if (f.kind == Kind::Loop) {
    // A loop's end is its fallthrough: the values on the stack are its results.
    return;
  }
  if (!dead_) {
    for (size_t k = f.results.size(); k-- > 0;) b_.CreateStore(pop(), f.vars[k]);
    b_.CreateBr(f.label);
  }
  if (f.kind == Kind::If && !f.has_else) {
    // No else: the parameters are the results (validation requires equal types).
    b_.SetInsertPoint(f.else_bb);
    for (size_t k = 0; k < f.results.size(); ++k) b_.CreateStore(f.if_params[k], f.vars[k]);
    b_.CreateBr(f.label);
  }
  stack_.resize(f.height);
  if (f.label->hasNPredecessorsOrMore(1)) {
    b_.SetInsertPoint(f.label);
    dead_ = false;
    for (size_t k = 0; k < f.results.size(); ++k) push(b_.CreateLoad(mt_.valType(f.results[k]), f.vars[k]));
  } else {
    f.label->eraseFromParent();
    dead_ = true;
  }
  if (f.kind == Kind::Function && !dead_) {
    // The function's end: return what its label holds.
    observeAccumulator();
    if (f.results.empty()) b_.CreateRetVoid();
    else if (f.results.size() == 1) b_.CreateRet(pop());
    else {
      llvm::Value* agg = llvm::UndefValue::get(mt_.resultType(f.results));
      for (size_t k = f.results.size(); k-- > 0;) agg = b_.CreateInsertValue(agg, mt_.packResult(b_, pop()), unsigned(k));
      b_.CreateRet(agg);
    }
    dead_ = true;
  }
}

void FuncTranslator::branchTo(uint32_t depth) {
  Frame& f = frames_[frames_.size() - 1 - depth];
  size_t n = f.labelTypes().size();
  for (size_t k = 0; k < n; ++k) b_.CreateStore(stack_[stack_.size() - n + k], f.vars[k]);
  b_.CreateBr(f.label);
}

void FuncTranslator::emitReturn() { branchTo(uint32_t(frames_.size() - 1)); }

void FuncTranslator::onEnd() {
  patchFuel();
  // Blocks made for code after a terminator that nothing reaches.
  for (llvm::BasicBlock& bb : llvm::make_early_inc_range(*fn_)) {
    if (&bb != entry_ && llvm::pred_empty(&bb) && bb.empty()) bb.eraseFromParent();
  }
  for (llvm::BasicBlock& bb : *fn_) {
    if (!bb.getTerminator()) {
      llvm::IRBuilder<> eb(&bb);
      eb.CreateUnreachable();
    }
  }
  placeStackCheck();
}

// The stack check guards recursion, so only paths that call need it: a path without calls goes
// at most its frame below the limit, which stays 64 KiB above the guard page (the leaf rule of
// emit.cc dropLeafStackChecks, per path). Checked at the nearest common dominator of the calls,
// outside every loop, instead of the entry, it costs nothing on the paths that return without
// calling (shootout-fib2's leaf calls; LLVM still sets up the frame there: docs/llvm.md "Traps").
// The trap keeps the entry's offset. With epoch or fuel the entry traps anyway, so the check
// stays there.
void FuncTranslator::placeStackCheck() {
  if (!stack_cmp_ || mt_.req.options.epoch_interruption || mt_.req.options.consume_fuel) return;
  if (std::getenv("STRATA_LLVM_ENTRY_CHECK")) return;
  auto needs = [](const llvm::Instruction& i) {
    auto* call = llvm::dyn_cast<llvm::CallBase>(&i);
    return call && callsOut(*call);
  };
  llvm::DominatorTree dt(*fn_);
  llvm::BasicBlock* at = nullptr;  // calls in blocks nothing reaches do not count
  for (llvm::BasicBlock& bb : *fn_) {
    if (!dt.isReachableFromEntry(&bb) || std::none_of(bb.begin(), bb.end(), needs)) continue;
    at = at ? dt.findNearestCommonDominator(at, &bb) : &bb;
  }
  if (!at) return;  // a leaf: emit.cc decides after optimization
  llvm::LoopInfo li(dt);
  if (llvm::Loop* l = li.getLoopFor(at)) at = dt.getNode(l->getOutermostLoop()->getHeader())->getIDom()->getBlock();
  if (at == entry_) return;
  // Before the first call in that block, or at its end.
  auto first = std::find_if(at->begin(), at->end(), needs);
  llvm::BasicBlock* rest = at->splitBasicBlock(first != at->end() ? &*first : at->getTerminator());
  at->getTerminator()->eraseFromParent();
  llvm::Instruction* old = stack_cmp_;
  llvm::DebugLoc loc = old->getDebugLoc();
  const uint32_t saved = offset_;
  offset_ = loc ? loc.getLine() : saved;
  b_.SetInsertPoint(at);
  b_.SetCurrentDebugLocation(loc);
  checkStack();
  b_.CreateBr(rest);
  offset_ = saved;
  // The old compare goes with what only it used (a frame address left in the entry would read
  // rbp there and keep any prologue in the entry), and so does trapIf's barrier (an asm that
  // clobbers memory, which shrink-wrapping takes for an access to the frame): the entry
  // branches straight on.
  auto* br = llvm::cast<llvm::BranchInst>(old->user_back());
  if (auto* barrier = llvm::dyn_cast_or_null<llvm::CallInst>(br->getPrevNode()); barrier && barrier->isInlineAsm())
    barrier->eraseFromParent();
  llvm::BasicBlock* trap = br->getSuccessor(0);
  llvm::BranchInst::Create(br->getSuccessor(1), br->getIterator());
  br->eraseFromParent();
  llvm::RecursivelyDeleteTriviallyDeadInstructions(old);
  llvm::DeleteDeadBlock(trap);
}

}  // namespace strata::llvmtier
