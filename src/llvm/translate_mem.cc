// Memories, tables, references and globals (see translate.h).
#include <llvm/IR/InlineAsm.h>

#include "jit/stubs.h"
#include "llvm/translate.h"
#include "vm/abi.h"
#include "vm/builtins.h"
#include "vm/trap.h"

namespace strata::llvmtier {

using ir::Opcode;

namespace {

constexpr uint32_t kOOB = uint32_t(vm::TrapKind::MemoryOutOfBounds);

struct Access {
  uint32_t size;       // bytes read or written
  llvm::Type* mem_t;   // the type in memory
  int extend;          // loads: 0 none, 1 sign, 2 zero (to the value type)
};

}  // namespace

llvm::Value* loadMemoryPtr(llvm::IRBuilderBase& b, llvm::Value* vmctx, uint32_t mem) {
  // Memory 0 has its own field: one load less.
  if (mem == 0) return loadAt(b, vmctx, offsetof(vm::VMContext, memory0), b.getPtrTy(), true);
  llvm::Value* mems = loadAt(b, vmctx, offsetof(vm::VMContext, memories), b.getPtrTy(), true);
  return loadAt(b, mems, 8 * uint64_t(mem), b.getPtrTy(), true);
}

llvm::Value* loadMemoryLength(llvm::IRBuilderBase& b, llvm::Value* vmctx, uint32_t mem) {
  return loadAt(b, loadMemoryPtr(b, vmctx, mem), offsetof(vm::VMMemory, length), b.getInt64Ty(), false, "length");
}

llvm::Value* FuncTranslator::memoryBase(uint32_t mem) {
  // The base never moves (vm/abi.h VMMemory): loaded once, in the entry block.
  llvm::Value*& base = mem_base_[mem];
  if (!base) {
    llvm::IRBuilderBase::InsertPointGuard guard(b_);
    b_.SetInsertPoint(entry_, entry_->getFirstNonPHIOrDbgOrAlloca());
    base = mem == 0 ? loadField(vmctx_, offsetof(vm::VMContext, memory0_base), mt_.ptr, true, "mem0")
                    : loadField(memoryPtr(mem), offsetof(vm::VMMemory, base), mt_.ptr, true, "mem");
    if (auto* load = llvm::dyn_cast<llvm::LoadInst>(base); load && !mt_.explicitBounds(mem))
      load->setMetadata(kGuard32MD, llvm::MDNode::get(mt_.ctx, {llvm::ConstantAsMetadata::get(b_.getInt32(mem))}));
  }
  return base;
}

llvm::Value* FuncTranslator::memoryPtr(uint32_t mem) { return loadMemoryPtr(b_, vmctx_, mem); }

llvm::Value* FuncTranslator::memoryLength(uint32_t mem) { return loadMemoryLength(b_, vmctx_, mem); }

// The address of an access of `size` bytes at index + offset. Guard pages cover every 32-bit
// index plus a 32-bit offset (an 8 GiB reservation), so such accesses are unchecked and a
// fault becomes the trap; other memories compare with the current length.
llvm::Value* FuncTranslator::address(uint32_t mem, llvm::Value* index, uint64_t offset, uint32_t size) {
  bool is64 = mt_.wm.memories[mem].type.limits.is64;
  llvm::Value* i = is64 ? index : b_.CreateZExt(index, mt_.i64);
  if (mt_.explicitBounds(mem)) {
    llvm::Value* len = memoryLength(mem);
    if (offset > UINT64_MAX - size) {
      trapAlways(kOOB);
      b_.SetInsertPoint(llvm::BasicBlock::Create(mt_.ctx, "dead", fn_));
    } else {
      // index > length - (offset + size), with length >= offset + size checked first: no
      // wrap-around in either subtraction or addition.
      uint64_t need = offset + size;
      llvm::Value* short_mem = b_.CreateICmpULT(len, b_.getInt64(need));
      llvm::Value* past = b_.CreateICmpUGT(i, b_.CreateSub(len, b_.getInt64(need)));
      trapIf(b_.CreateOr(short_mem, past), kOOB);
    }
  }
  llvm::Value* at = b_.CreateAdd(i, b_.getInt64(offset), "", !mt_.explicitBounds(mem), false);
  // In bounds of the memory's reservation (base + 2^32 + 2^32 at most, inside the guard
  // region) on a 32-bit memory with guard pages, and after the check on the others. LLVM then
  // compares two addresses of one index by their constant offsets (getPointersDiff's shortcut)
  // instead of through SCEV, which the SLP vectorizer asks of every pair of loads it weighs
  // (ed25519's compile: 11.8 -> 7.9 s; docs/llvm.md "Addresses are `inbounds`").
  return b_.CreateInBoundsGEP(mt_.i8, memoryBase(mem), at);
}

// A load from linear memory: its access scope names its wasm offset, so that emit.cc can tell
// which of them LLVM deleted or widened, and volatile when it did so in an earlier translation of
// the batch (see plugin.cc).
llvm::Value* FuncTranslator::memLoad(llvm::Type* t, llvm::Value* at) {
  llvm::LoadInst* l = b_.CreateAlignedLoad(t, at, llvm::MaybeAlign(1));
  l->setMetadata(llvm::LLVMContext::MD_alias_scope, mt_.accessScope(offset_));
  if (mt_.keep_loads.count(offset_)) l->setVolatile(true);
  else accumulate(l);
  return l;
}

// One accumulator per width of load, so that each load costs one `xor` in the IR: LLVM's
// thresholds (jump threading, unrolling, inlining) count instructions, and an accumulator of
// one width, with its extensions and shifts, made them decide otherwise (bytecode 1.15x slower
// with a single 32-bit one). Made at the function's start, so that every exit observes them,
// including traps translated before the first load that later iterations of a loop reach.
void FuncTranslator::makeAccumulator() {
  llvm::Type* types[] = {mt_.i8, llvm::Type::getInt16Ty(mt_.ctx), mt_.i32, mt_.i64,
                         llvm::FixedVectorType::get(mt_.i64, 2)};
  for (llvm::Type* t : types) {
    llvm::AllocaInst* a = entryAlloca(t, "acc");
    llvm::IRBuilder<> eb(entry_, std::next(a->getIterator()));
    eb.CreateStore(llvm::Constant::getNullValue(t), a);
    accs_.push_back(a);
  }
}

void FuncTranslator::accumulate(llvm::Value* v) {
  if (accs_.empty()) makeAccumulator();
  // The whole value: a part would let LLVM narrow the load to that part.
  llvm::Type* t = v->getType();
  auto width = unsigned(t->getPrimitiveSizeInBits().getFixedValue());
  llvm::Type* at = width == 128 ? static_cast<llvm::Type*>(llvm::FixedVectorType::get(mt_.i64, 2)) : b_.getIntNTy(width);
  for (llvm::AllocaInst* a : accs_)
    if (a->getAllocatedType() == at) {
      llvm::Value* bits = t == at ? v : b_.CreateBitCast(v, at);
      // The constant differs per access, so that InstCombine cannot move the accumulator
      // through a phi (phi(acc ^ l1 ^ k1, acc ^ l2 ^ k2) would need two phis): it did, for the
      // loads at the ends of an if's arms, and then merged the loads, each now of one user,
      // into one load of a phi of their addresses, whose trap named one arm's offset on both
      // paths (fuzzer seed 12121084; tests/llvm/data/phi_loads.wat).
      llvm::Value* acc = b_.CreateXor(b_.CreateLoad(at, a), bits);
      acc = b_.CreateXor(acc, llvm::ConstantInt::get(at, uint64_t(offset_) * 2 + 1));
      b_.CreateStore(acc, a);
      return;
    }
}

void FuncTranslator::observeAccumulator() {
  for (llvm::AllocaInst* a : accs_) {
    llvm::Type* t = a->getAllocatedType();
    auto* ft = llvm::FunctionType::get(mt_.void_t, {t}, false);
    llvm::CallInst* c = b_.CreateCall(llvm::InlineAsm::get(ft, "", t->isVectorTy() ? "x" : "r", true), {b_.CreateLoad(t, a)});
    c->setMetadata(kAccSinkMD, llvm::MDNode::get(mt_.ctx, {}));
  }
}

// A store is marked like a load: LLVM deletes a store that a later one overwrites, and the
// later store's fault then names its own offset, not the first store's (the fuzzer's seed
// 9700822); such stores are made volatile in a second translation, as deleted loads are.
void FuncTranslator::memStore(llvm::Value* v, llvm::Value* at) {
  llvm::StoreInst* s = b_.CreateAlignedStore(v, at, llvm::MaybeAlign(1));
  s->setMetadata(llvm::LLVMContext::MD_alias_scope, mt_.accessScope(offset_));
  if (mt_.keep_loads.count(offset_)) s->setVolatile(true);
}

llvm::Value* FuncTranslator::globalAddr(uint32_t g) {
  llvm::Value* globals = loadField(vmctx_, offsetof(vm::VMContext, globals), mt_.ptr, true);
  return loadField(globals, 8 * g, mt_.ptr, true, "global");
}

llvm::Value* FuncTranslator::tablePtr(uint32_t t) {
  if (t == 0) return loadField(vmctx_, offsetof(vm::VMContext, table0), mt_.ptr, true, "table");
  llvm::Value* tables = loadField(vmctx_, offsetof(vm::VMContext, tables), mt_.ptr, true);
  return loadField(tables, 8 * t, mt_.ptr, true, "table");
}

llvm::Value* FuncTranslator::callBuiltin(uint32_t offset, llvm::Type* result, llvm::ArrayRef<llvm::Value*> args) {
  std::vector<llvm::Type*> params;
  for (llvm::Value* a : args) params.push_back(a->getType());
  auto* ft = llvm::FunctionType::get(result, params, false);
  llvm::Value* table = loadField(vmctx_, offsetof(vm::VMContext, builtins), mt_.ptr, true);
  return b_.CreateCall(ft, loadField(table, offset, mt_.ptr, true), args);
}

// A builtin's false result: it recorded a trap, which continues on the trap path.
void FuncTranslator::checkBuiltin(llvm::Value* ok) { trapIf(b_.CreateICmpEQ(ok, b_.getInt8(0)), jit::kPropagate); }

// The (dst, src, n) operands of memory.copy and table.copy as i64: n has the smaller of the two
// address types (spec 4.4.7).
std::array<llvm::Value*, 3> FuncTranslator::copyOperands(bool d64, bool s64) {
  llvm::Value* n = pop();
  llvm::Value* src = pop();
  llvm::Value* dst = pop();
  if (!(d64 && s64)) n = b_.CreateZExt(n, mt_.i64);
  if (!s64) src = b_.CreateZExt(src, mt_.i64);
  if (!d64) dst = b_.CreateZExt(dst, mt_.i64);
  return {dst, src, n};
}

bool FuncTranslator::memory(const decode::Instr& in, const validate::InstrContext& c) {
  llvm::Type *i8 = mt_.i8, *i16 = mt_.i16, *i32 = mt_.i32, *i64 = mt_.i64;
  auto load = [&](Access a, llvm::Type* result) {
    llvm::Value* idx = pop();
    llvm::Value* at = address(in.mem.memory, idx, in.mem.offset, a.size);
    llvm::Value* v = memLoad(a.mem_t, at);
    if (a.extend == 1) v = b_.CreateSExt(v, result);
    else if (a.extend == 2) v = b_.CreateZExt(v, result);
    push(v);
  };
  auto store = [&](Access a) {
    llvm::Value* v = pop();
    llvm::Value* idx = pop();
    llvm::Value* at = address(in.mem.memory, idx, in.mem.offset, a.size);
    if (v->getType() != a.mem_t) v = b_.CreateTrunc(v, a.mem_t);
    memStore(v, at);
  };
  // v128 loads that widen, splat or zero-fill a smaller value.
  auto vecLoad = [&](llvm::Type* elem, unsigned lanes, int extend, llvm::Type* wide) {
    llvm::Value* idx = pop();
    uint32_t size = unsigned(elem->getPrimitiveSizeInBits() / 8) * lanes;
    llvm::Value* at = address(in.mem.memory, idx, in.mem.offset, size);
    llvm::Type* vt = llvm::FixedVectorType::get(elem, lanes);
    llvm::Value* v = memLoad(vt, at);
    if (extend == 1) v = b_.CreateSExt(v, llvm::FixedVectorType::get(wide, lanes));
    else if (extend == 2) v = b_.CreateZExt(v, llvm::FixedVectorType::get(wide, lanes));
    push(b_.CreateBitCast(v, mt_.v128));
  };
  auto splat = [&](llvm::Type* elem) {
    llvm::Value* idx = pop();
    auto size = uint32_t(elem->getPrimitiveSizeInBits() / 8);
    llvm::Value* v = memLoad(elem, address(in.mem.memory, idx, in.mem.offset, size));
    push(b_.CreateBitCast(b_.CreateVectorSplat(16 / size, v), mt_.v128));
  };
  auto zero = [&](llvm::Type* elem) {
    llvm::Value* idx = pop();
    auto size = uint32_t(elem->getPrimitiveSizeInBits() / 8);
    llvm::Value* v = memLoad(elem, address(in.mem.memory, idx, in.mem.offset, size));
    llvm::Type* vt = llvm::FixedVectorType::get(elem, 16 / size);
    push(b_.CreateBitCast(b_.CreateInsertElement(llvm::Constant::getNullValue(vt), v, uint64_t(0)), mt_.v128));
  };
  auto lane = [&](llvm::Type* elem, bool is_store) {
    llvm::Value* vec = pop();
    llvm::Value* idx = pop();
    auto size = uint32_t(elem->getPrimitiveSizeInBits() / 8);
    llvm::Value* at = address(in.mem.memory, idx, in.mem.offset, size);
    llvm::Value* lanes = b_.CreateBitCast(vec, llvm::FixedVectorType::get(elem, 16 / size));
    if (is_store) {
      memStore(b_.CreateExtractElement(lanes, uint64_t(in.lane)), at);
    } else {
      llvm::Value* v = memLoad(elem, at);
      push(b_.CreateBitCast(b_.CreateInsertElement(lanes, v, uint64_t(in.lane)), mt_.v128));
    }
  };
  switch (in.op) {
    case Opcode::I32Load: load({4, i32, 0}, i32); return true;
    case Opcode::I64Load: load({8, i64, 0}, i64); return true;
    case Opcode::F32Load: load({4, mt_.f32, 0}, mt_.f32); return true;
    case Opcode::F64Load: load({8, mt_.f64, 0}, mt_.f64); return true;
    case Opcode::I32Load8S: load({1, i8, 1}, i32); return true;
    case Opcode::I32Load8U: load({1, i8, 2}, i32); return true;
    case Opcode::I32Load16S: load({2, i16, 1}, i32); return true;
    case Opcode::I32Load16U: load({2, i16, 2}, i32); return true;
    case Opcode::I64Load8S: load({1, i8, 1}, i64); return true;
    case Opcode::I64Load8U: load({1, i8, 2}, i64); return true;
    case Opcode::I64Load16S: load({2, i16, 1}, i64); return true;
    case Opcode::I64Load16U: load({2, i16, 2}, i64); return true;
    case Opcode::I64Load32S: load({4, i32, 1}, i64); return true;
    case Opcode::I64Load32U: load({4, i32, 2}, i64); return true;
    case Opcode::V128Load: load({16, mt_.v128, 0}, mt_.v128); return true;
    case Opcode::I32Store: store({4, i32, 0}); return true;
    case Opcode::I64Store: store({8, i64, 0}); return true;
    case Opcode::F32Store: store({4, mt_.f32, 0}); return true;
    case Opcode::F64Store: store({8, mt_.f64, 0}); return true;
    case Opcode::I32Store8: store({1, i8, 0}); return true;
    case Opcode::I32Store16: store({2, i16, 0}); return true;
    case Opcode::I64Store8: store({1, i8, 0}); return true;
    case Opcode::I64Store16: store({2, i16, 0}); return true;
    case Opcode::I64Store32: store({4, i32, 0}); return true;
    case Opcode::V128Store: store({16, mt_.v128, 0}); return true;
    case Opcode::V128Load8x8S: vecLoad(i8, 8, 1, i16); return true;
    case Opcode::V128Load8x8U: vecLoad(i8, 8, 2, i16); return true;
    case Opcode::V128Load16x4S: vecLoad(i16, 4, 1, i32); return true;
    case Opcode::V128Load16x4U: vecLoad(i16, 4, 2, i32); return true;
    case Opcode::V128Load32x2S: vecLoad(i32, 2, 1, i64); return true;
    case Opcode::V128Load32x2U: vecLoad(i32, 2, 2, i64); return true;
    case Opcode::V128Load8Splat: splat(i8); return true;
    case Opcode::V128Load16Splat: splat(i16); return true;
    case Opcode::V128Load32Splat: splat(i32); return true;
    case Opcode::V128Load64Splat: splat(i64); return true;
    case Opcode::V128Load32Zero: zero(i32); return true;
    case Opcode::V128Load64Zero: zero(i64); return true;
    case Opcode::V128Load8Lane: lane(i8, false); return true;
    case Opcode::V128Load16Lane: lane(i16, false); return true;
    case Opcode::V128Load32Lane: lane(i32, false); return true;
    case Opcode::V128Load64Lane: lane(i64, false); return true;
    case Opcode::V128Store8Lane: lane(i8, true); return true;
    case Opcode::V128Store16Lane: lane(i16, true); return true;
    case Opcode::V128Store32Lane: lane(i32, true); return true;
    case Opcode::V128Store64Lane: lane(i64, true); return true;
    case Opcode::MemorySize: {
      const ir::MemoryType& t = mt_.wm.memories[in.idx].type;
      llvm::Value* pages = b_.CreateLShr(memoryLength(in.idx), b_.getInt64(t.page_size_log2));
      push(t.limits.is64 ? pages : b_.CreateTrunc(pages, i32));
      return true;
    }
    case Opcode::MemoryGrow: {
      bool is64 = mt_.wm.memories[in.idx].type.limits.is64;
      llvm::Value* delta = pop();
      if (!is64) delta = b_.CreateZExt(delta, i64);
      llvm::Value* r = callBuiltin(offsetof(vm::VMBuiltins, memory_grow), i64, {vmctx_, b_.getInt32(in.idx), delta});
      push(is64 ? r : b_.CreateTrunc(r, i32));
      return true;
    }
    case Opcode::MemoryFill: {
      bool is64 = mt_.wm.memories[in.idx].type.limits.is64;
      llvm::Value* n = pop();
      llvm::Value* value = pop();
      llvm::Value* dst = pop();
      if (!is64) {
        n = b_.CreateZExt(n, i64);
        dst = b_.CreateZExt(dst, i64);
      }
      checkBuiltin(callBuiltin(offsetof(vm::VMBuiltins, memory_fill), i8, {vmctx_, b_.getInt32(in.idx), dst, value, n}));
      return true;
    }
    case Opcode::MemoryCopy: {
      auto [dst, src, n] = copyOperands(mt_.wm.memories[in.idx].type.limits.is64, mt_.wm.memories[in.idx2].type.limits.is64);
      checkBuiltin(callBuiltin(offsetof(vm::VMBuiltins, memory_copy), i8,
                               {vmctx_, b_.getInt32(in.idx), b_.getInt32(in.idx2), dst, src, n}));
      return true;
    }
    case Opcode::MemoryInit: {
      bool is64 = mt_.wm.memories[in.idx2].type.limits.is64;
      llvm::Value* n = pop();
      llvm::Value* src = pop();
      llvm::Value* dst = pop();
      if (!is64) dst = b_.CreateZExt(dst, i64);
      checkBuiltin(callBuiltin(offsetof(vm::VMBuiltins, memory_init), i8,
                               {vmctx_, b_.getInt32(in.idx2), b_.getInt32(in.idx), dst, src, n}));
      return true;
    }
    case Opcode::DataDrop: {
      callBuiltin(offsetof(vm::VMBuiltins, data_drop), mt_.void_t, {vmctx_, b_.getInt32(in.idx)});
      return true;
    }
    default: return false;
  }
}

bool FuncTranslator::table(const decode::Instr& in, const validate::InstrContext& c) {
  llvm::Type *i8 = mt_.i8, *i32 = mt_.i32, *i64 = mt_.i64, *p = mt_.ptr;
  auto is64 = [&](uint32_t t) { return mt_.wm.tables[t].type.limits.is64; };
  auto widen = [&](llvm::Value* v, uint32_t t) { return is64(t) ? v : b_.CreateZExt(v, i64); };
  switch (in.op) {
    case Opcode::TableGet:
    case Opcode::TableSet: {
      llvm::Value* value = in.op == Opcode::TableSet ? pop() : nullptr;
      llvm::Value* i = widen(pop(), in.idx);
      llvm::Value* tab = tablePtr(in.idx);
      llvm::Value* len = loadField(tab, offsetof(vm::VMTable, length), i64, false);
      trapIf(b_.CreateICmpUGE(i, len), uint32_t(vm::TrapKind::TableOutOfBounds));
      llvm::Value* at = b_.CreateInBoundsGEP(p, loadField(tab, offsetof(vm::VMTable, elements), p, false), i);
      if (value) b_.CreateAlignedStore(value, at, llvm::MaybeAlign(8));
      else push(b_.CreateAlignedLoad(p, at, llvm::MaybeAlign(8)));
      return true;
    }
    case Opcode::TableSize: {
      llvm::Value* len = loadField(tablePtr(in.idx), offsetof(vm::VMTable, length), i64, false);
      push(is64(in.idx) ? len : b_.CreateTrunc(len, i32));
      return true;
    }
    case Opcode::TableGrow: {
      llvm::Value* delta = widen(pop(), in.idx);
      llvm::Value* init = pop();
      llvm::Value* r = callBuiltin(offsetof(vm::VMBuiltins, table_grow), i64, {vmctx_, b_.getInt32(in.idx), init, delta});
      push(is64(in.idx) ? r : b_.CreateTrunc(r, i32));
      return true;
    }
    case Opcode::TableFill: {
      llvm::Value* n = widen(pop(), in.idx);
      llvm::Value* value = pop();
      llvm::Value* dst = widen(pop(), in.idx);
      checkBuiltin(callBuiltin(offsetof(vm::VMBuiltins, table_fill), i8, {vmctx_, b_.getInt32(in.idx), dst, value, n}));
      return true;
    }
    case Opcode::TableCopy: {
      auto [dst, src, n] = copyOperands(is64(in.idx), is64(in.idx2));
      checkBuiltin(callBuiltin(offsetof(vm::VMBuiltins, table_copy), i8,
                               {vmctx_, b_.getInt32(in.idx), b_.getInt32(in.idx2), dst, src, n}));
      return true;
    }
    case Opcode::TableInit: {
      llvm::Value* n = pop();
      llvm::Value* src = pop();
      llvm::Value* dst = widen(pop(), in.idx2);
      checkBuiltin(callBuiltin(offsetof(vm::VMBuiltins, table_init), i8,
                               {vmctx_, b_.getInt32(in.idx2), b_.getInt32(in.idx), dst, src, n}));
      return true;
    }
    case Opcode::ElemDrop: {
      callBuiltin(offsetof(vm::VMBuiltins, elem_drop), mt_.void_t, {vmctx_, b_.getInt32(in.idx)});
      return true;
    }
    case Opcode::RefNull: push(llvm::ConstantPointerNull::get(llvm::PointerType::get(mt_.ctx, 0))); return true;
    case Opcode::RefIsNull: push(b_.CreateZExt(b_.CreateIsNull(pop()), i32)); return true;
    case Opcode::RefFunc: {
      llvm::Value* funcs = loadField(vmctx_, offsetof(vm::VMContext, funcs), p, true);
      push(loadField(funcs, 8 * in.idx, p, true, "funcref"));
      return true;
    }
    case Opcode::RefAsNonNull:
      trapIf(b_.CreateIsNull(stack_.back()), uint32_t(vm::TrapKind::NullReference));
      return true;
    case Opcode::BrOnNull:
    case Opcode::BrOnNonNull: {
      llvm::Value* ref = stack_.back();
      llvm::Value* is_null = b_.CreateIsNull(ref);
      llvm::BasicBlock* take = llvm::BasicBlock::Create(mt_.ctx, "br_on", fn_);
      llvm::BasicBlock* cont = llvm::BasicBlock::Create(mt_.ctx, "", fn_);
      if (in.op == Opcode::BrOnNull) {
        // The branch leaves without the reference; the fallthrough keeps it.
        pop();
        b_.CreateCondBr(is_null, take, cont);
        b_.SetInsertPoint(take);
        branchTo(in.idx);
        b_.SetInsertPoint(cont);
        push(ref);
      } else {
        b_.CreateCondBr(is_null, cont, take);
        b_.SetInsertPoint(take);
        branchTo(in.idx);
        b_.SetInsertPoint(cont);
        pop();
      }
      return true;
    }
    default: return false;
  }
}

}  // namespace strata::llvmtier
