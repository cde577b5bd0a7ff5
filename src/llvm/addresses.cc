// Loop addresses of 32-bit memories as 64-bit inductions (docs/llvm.md "Loop addresses").
//
// A wasm access reads base + zext(index) + offset, the index an i32 computed with wrapping
// arithmetic (spec 4.4.7: i32.add is modulo 2^32). In a loop the index is typically an i32
// induction {start,+,step}, and zext of it is no induction to LLVM, which must allow for the
// wrap from 2^32 - 1 to 0: the vectorizer cannot prove two iterations' accesses adjacent (it
// scalarizes them, or gives up: memcopy's byte loop), and strength reduction keeps an i32 add
// and a zero extension per access instead of one pointer.
//
// The wrap cannot happen where it matters. When the access runs in every iteration (its block
// dominates the latch) with a step of 1 to kMaxAddressStep, the iteration before a wrap used
// an index of at least 2^32 - step, which is out of bounds: the runtime keeps every 32-bit
// memory at most 2^32 - kMaxAddressStep bytes long (runtime/memory.cc; the spec lets
// memory.grow fail, 4.4.7.11), so that iteration trapped and the wrapping one never runs. Up
// to that trap the 64-bit induction zext(start) + i * step equals the wasm address, and the
// trapping access itself is below 2^32 + 2^32 + its size, inside the guard reservation.
// A step down (-1 to -kMaxAddressStepDown) wraps below 0 instead, from an index v < -step to
// v + step + 2^32 >= 2^32 - 65536, out of bounds: that iteration's access traps in wasm, and
// the 64-bit induction gives base + v + step, which lies in the guard below the base
// (vm::kMemory32LowGuard) and faults. This holds only for a wasm offset of 0: with an offset,
// base + v + step + offset could be a valid address.
// Explicitly checked memories (memory64, explicit bounds mode, small pages) are left alone
// too: their check compares the wrapped index, which the access must then use.
#include "llvm/addresses.h"

#include <llvm/Analysis/AssumptionCache.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/Analysis/ScalarEvolutionExpressions.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/Dominators.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/Utils/BasicBlockUtils.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/Local.h>
#include <llvm/Transforms/Utils/LoopUtils.h>
#include <llvm/Transforms/Utils/LoopSimplify.h>
#include <llvm/Transforms/Utils/ScalarEvolutionExpander.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <map>
#include <optional>
#include <vector>

#include "llvm/translate.h"

namespace strata::llvmtier {

namespace {

// The analyses both rewrites need, for one function.
struct Analyses {
  llvm::DominatorTree dt;
  llvm::LoopInfo li;
  llvm::TargetLibraryInfoImpl tlii;
  llvm::TargetLibraryInfo tli;
  llvm::AssumptionCache ac;
  std::optional<llvm::ScalarEvolution> scev;  // after the loops are simplified

  Analyses(llvm::Function& f, bool simplify_loops)
      : dt(f), li(dt), tlii(llvm::Triple(f.getParent()->getTargetTriple())), tli(tlii), ac(f) {
    // Each loop in LLVM's simplified form (a preheader, one latch, dedicated exits), which the
    // last passes of the main stage do not keep: an inner loop entered from a block that also
    // branches elsewhere has no preheader (matmul's j loop).
    if (simplify_loops)
      for (llvm::Loop* l : li) llvm::simplifyLoop(l, &dt, &li, nullptr, nullptr, nullptr, false);
    scev.emplace(f, tli, ac, dt, li);
  }
};

// An access's address base + zext({first,+,step}<loop>) + offset, found by `widened`.
struct Widened {
  llvm::Instruction* base;  // the memory's base
  const llvm::SCEV* first;  // the index's start (i32)
  uint64_t offset;          // the wasm offset
  int64_t step;             // up (1..kMaxAddressStep) or down (-kMaxAddressStepDown..-1; offset 0)
};

// The parts of `s`, the address of an access in loop `l`, or nothing when `s` is not exactly
// base + [offset] + zext({first,+,step}<l>) with a guard-page base and a step in
// 1..kMaxAddressStep, or in -kMaxAddressStepDown..-1 with no offset (anything else might be a
// sum the argument above does not cover).
std::optional<Widened> widened(llvm::ScalarEvolution& se, const llvm::SCEV* s, const llvm::Loop* l, unsigned guard_kind) {
  auto* sum = llvm::dyn_cast<llvm::SCEVAddExpr>(s);
  if (!sum) return std::nullopt;
  Widened w{nullptr, nullptr, 0, 0};
  bool offset = false;
  for (const llvm::SCEV* op : sum->operands()) {
    if (auto* u = llvm::dyn_cast<llvm::SCEVUnknown>(op)) {
      auto* load = llvm::dyn_cast<llvm::LoadInst>(u->getValue());
      if (w.base || !load || !load->getMetadata(guard_kind)) return std::nullopt;
      w.base = load;
    } else if (auto* c = llvm::dyn_cast<llvm::SCEVConstant>(op)) {
      // A wasm offset is below 2^32; the guard reservation covers index + offset.
      if (offset || c->getAPInt().getActiveBits() > 32) return std::nullopt;
      offset = true;
      w.offset = c->getAPInt().getZExtValue();
    } else if (auto* ext = llvm::dyn_cast<llvm::SCEVZeroExtendExpr>(op)) {
      auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(ext->getOperand());
      if (w.first || !rec || rec->getLoop() != l || !rec->isAffine() || !rec->getType()->isIntegerTy(32)) return std::nullopt;
      auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se));
      if (!step) return std::nullopt;
      int64_t s = step->getAPInt().getSExtValue();
      if (s == 0 || s > kMaxAddressStep || s < -kMaxAddressStepDown) return std::nullopt;
      w.first = rec->getStart();
      w.step = s;
    } else {
      return std::nullopt;
    }
  }
  if (!w.base || !w.first || (w.step < 0 && w.offset != 0)) return std::nullopt;
  return w;
}

struct Rewrite {
  llvm::Instruction* access;
  llvm::Loop* loop;
  Widened address;
  size_t root = 0;     // the rewrite whose start this one's is counted from (itself, or...
  uint64_t delta = 0;  // ...that start plus delta: shareStarts)
};

// Starts of one loop that differ by a constant, zext(b + k1) and zext(b + k2), are not a
// constant apart to LLVM (b + k2 may wrap where b + k1 did not), so the vectorizer checks at
// run time whether such accesses overlap, and they do: a loop clang unrolled (dst[i], dst[i+1],
// ...) never took its vector path. They are made zext(b + k1) + (k2 - k1), with k1 the least
// k of the accesses that share b and the access of k1 dominating the others: where b + k2
// wraps and b + k1 did not, b + k1 >= 2^32 - (k2 - k1) is out of bounds (k2 - k1 at most
// kMaxAddressStep), so that access trapped in the first iteration before the other ran.
void shareStarts(llvm::ScalarEvolution& se, llvm::DominatorTree& dt, std::vector<Rewrite>& plan) {
  struct Split {
    size_t entry;
    int64_t k;  // the start is the group's first start + k
  };
  // Grouped by the constant difference of their starts, which SCEV finds whatever the form
  // (an outer loop's induction folds the constant into its own start: {b + 8,+,s}<outer>).
  std::map<std::pair<llvm::Loop*, llvm::Value*>, std::vector<std::vector<Split>>> buckets;
  for (size_t e = 0; e < plan.size(); ++e) {
    plan[e].root = e;
    std::vector<std::vector<Split>>& groups = buckets[{plan[e].loop, plan[e].address.base}];
    bool placed = false;
    for (std::vector<Split>& g : groups) {
      const llvm::SCEV* d = se.getMinusSCEV(plan[e].address.first, plan[g[0].entry].address.first);
      if (auto* c = llvm::dyn_cast<llvm::SCEVConstant>(d)) {
        g.push_back({e, c->getAPInt().getSExtValue()});
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({{e, 0}});
  }
  for (auto& [key, groups] : buckets)
    for (std::vector<Split>& members : groups) {
      const Split* least = &members[0];
      for (const Split& m : members)
        if (m.k < least->k) least = &m;
      for (const Split& m : members) {
        int64_t d = m.k - least->k;
        if (&m == least || d > kMaxAddressStep || !dt.dominates(plan[least->entry].access, plan[m.entry].access)) continue;
        plan[m.entry].root = least->entry;
        plan[m.entry].delta = uint64_t(d);
      }
    }
}

size_t widenFunction(llvm::Function& f, unsigned guard_kind, unsigned scope_kind, bool down) {
  Analyses a(f, true);
  if (a.li.empty()) return 0;
  llvm::DominatorTree& dt = a.dt;
  llvm::LoopInfo& li = a.li;
  llvm::ScalarEvolution& se = *a.scev;
  std::vector<Rewrite> plan;
  for (llvm::BasicBlock& bb : f) {
    llvm::Loop* l = li.getLoopFor(&bb);
    if (!l || !l->getLoopPreheader() || !l->getLoopLatch() || !dt.dominates(&bb, l->getLoopLatch())) continue;
    for (llvm::Instruction& i : bb) {
      if (!i.getMetadata(scope_kind) || (!llvm::isa<llvm::LoadInst>(i) && !llvm::isa<llvm::StoreInst>(i))) continue;
      llvm::Value* ptr = llvm::getLoadStorePointerOperand(&i);
      std::optional<Widened> wide = widened(se, se.getSCEV(ptr), l, guard_kind);
      if (wide && (down || wide->step > 0)) plan.push_back({&i, l, *wide});
    }
  }
  if (plan.empty()) return 0;
  shareStarts(se, dt, plan);
  // The new address is root + (delta + offset + iv): root = base + zext(the root's start),
  // made in the preheader; iv a 64-bit counter from 0 by the step, one per loop and step,
  // written out with its no-wrap flags (true: below 2^32 + 2 * step wherever the access runs,
  // see above), which LLVM's dependence analysis needs and SCEVExpander would not state. In
  // bounds: the memory's reservation holds every address below 2^33 + 64 KiB (runtime/memory.h
  // kGuardReservation), which is all an access here can reach.
  // Each root goes through an empty asm, so that LLVM sees the accesses of different roots as
  // different objects, as a C compiler sees two arrays: its dependence analysis gives up on
  // two accesses of one object an unknown distance apart (every wasm access is at the memory's
  // base plus something), and then checks every pair of accesses at run time, which a copy
  // loop clang unrolled always fails (dst[i] against dst[i + 1]). Different roots may still
  // alias, and LLVM assumes so: the vectorizer checks their ranges once per loop.
  // Every address is made before any old one goes: a start may name a value (hoisted to the
  // preheader) that only an old address used.
  llvm::Type* i64 = llvm::Type::getInt64Ty(f.getContext());
  llvm::Type* i8 = llvm::Type::getInt8Ty(f.getContext());
  llvm::SCEVExpander expander(se, f.getParent()->getDataLayout(), "wide");
  std::map<std::pair<llvm::Loop*, int64_t>, llvm::PHINode*> ivs;
  std::map<size_t, llvm::Value*> roots;
  llvm::SmallVector<llvm::WeakTrackingVH, 16> old;
  for (const Rewrite& r : plan) {
    llvm::Loop* l = r.loop;
    llvm::PHINode*& iv = ivs[{l, r.address.step}];
    if (!iv) {
      iv = llvm::PHINode::Create(i64, 2, "wide.iv", l->getHeader()->begin());
      iv->addIncoming(llvm::ConstantInt::get(i64, 0), l->getLoopPreheader());
      auto* next = llvm::BinaryOperator::CreateAdd(iv, llvm::ConstantInt::get(i64, uint64_t(r.address.step), true),
                                                   "wide.next", l->getLoopLatch()->getTerminator());
      next->setHasNoUnsignedWrap(r.address.step > 0);  // a step down takes the counter below 0
      next->setHasNoSignedWrap(true);
      iv->addIncoming(next, l->getLoopLatch());
    }
    llvm::Value*& root = roots[r.root];
    if (!root) {
      llvm::Instruction* at = l->getLoopPreheader()->getTerminator();
      llvm::Value* start = expander.expandCodeFor(se.getZeroExtendExpr(plan[r.root].address.first, i64), i64, at);
      auto* p = llvm::GetElementPtrInst::CreateInBounds(i8, r.address.base, {start}, "wide.root", at);
      auto* fty = llvm::FunctionType::get(p->getType(), {p->getType()}, false);
      auto* call = llvm::CallInst::Create(fty, llvm::InlineAsm::get(fty, "", "=r,0", false), {p}, "wide.root", at);
      call->setMetadata(guard_kind, r.address.base->getMetadata(guard_kind));  // the memory, for versionLoops
      root = call;
    }
    llvm::Value* index = iv;
    if (uint64_t rest = r.delta + r.address.offset) {
      auto* sum = llvm::BinaryOperator::CreateAdd(iv, llvm::ConstantInt::get(i64, rest), "wide.index", r.access);
      sum->setHasNoUnsignedWrap(r.address.step > 0);
      sum->setHasNoSignedWrap(true);
      index = sum;
    }
    llvm::Use& use = llvm::isa<llvm::LoadInst>(r.access) ? r.access->getOperandUse(0) : r.access->getOperandUse(1);
    old.push_back(use.get());
    use.set(llvm::GetElementPtrInst::CreateInBounds(i8, root, {index}, "wide", r.access));
  }
  expander.clear();
  llvm::RecursivelyDeleteTriviallyDeadInstructionsPermissive(old);
  return plan.size();
}

// Loops of fewer iterations than this run their exact copy without the bounds check (versionLoop).
constexpr uint64_t kMinCheckedIterations = 8;

// The accesses of a loop that versionLoops can check at entry: every linear-memory access at
// root + c + {0,+,step}, root a base widenFunction made; per root and step, the least c and
// the end of what one iteration touches (c + the access's size, at most).
struct Span {
  uint64_t least = UINT64_MAX, end = 0;
};
struct LoopRanges {
  std::map<std::pair<llvm::CallInst*, int64_t>, Span> spans;
};

std::optional<LoopRanges> loopRanges(llvm::Loop& l, llvm::ScalarEvolution& se, unsigned guard_kind) {
  LoopRanges out;
  const llvm::DataLayout& dl = l.getHeader()->getModule()->getDataLayout();
  size_t count = 0;
  for (llvm::BasicBlock* bb : l.blocks())
    for (llvm::Instruction& i : *bb) {
      // No calls: a callee could grow the memory (harmless) or trap (the loop's stores before
      // it must be done, in order); intrinsics are operations.
      if (auto* call = llvm::dyn_cast<llvm::CallBase>(&i); call && !llvm::isa<llvm::IntrinsicInst>(call)) return std::nullopt;
      if (++count > 400) return std::nullopt;  // more than a vectorizer takes
      if (!i.getMetadata(llvm::LLVMContext::MD_alias_scope)) continue;
      llvm::Value* ptr = llvm::getLoadStorePointerOperand(&i);
      if (!ptr) continue;
      auto* rec = llvm::dyn_cast<llvm::SCEVAddRecExpr>(se.getSCEV(ptr));
      if (!rec || rec->getLoop() != &l || !rec->isAffine()) return std::nullopt;
      auto* step = llvm::dyn_cast<llvm::SCEVConstant>(rec->getStepRecurrence(se));
      if (!step) return std::nullopt;
      int64_t s = step->getAPInt().getSExtValue();
      if (s > kMaxAddressStep || s < -kMaxAddressStepDown) return std::nullopt;
      const llvm::SCEV* start = rec->getStart();
      uint64_t c = 0;
      if (auto* sum = llvm::dyn_cast<llvm::SCEVAddExpr>(start); sum && sum->getNumOperands() == 2)
        if (auto* k = llvm::dyn_cast<llvm::SCEVConstant>(sum->getOperand(0))) {
          if (k->getAPInt().getActiveBits() > 33) return std::nullopt;
          c = k->getAPInt().getZExtValue();
          start = sum->getOperand(1);
        }
      auto* u = llvm::dyn_cast<llvm::SCEVUnknown>(start);
      auto* root = u ? llvm::dyn_cast<llvm::CallInst>(u->getValue()) : nullptr;
      if (!root || !root->getMetadata(guard_kind)) return std::nullopt;
      llvm::Type* t = llvm::isa<llvm::StoreInst>(i) ? llvm::cast<llvm::StoreInst>(i).getValueOperand()->getType() : i.getType();
      Span& span = out.spans[{root, s}];
      span.least = std::min(span.least, c);
      span.end = std::max(span.end, c + dl.getTypeStoreSize(t).getFixedValue());
    }
  if (out.spans.empty()) return std::nullopt;
  return out;
}

// Whether every access of `l` stays inside its memory for the loop's `btc` + 1 iterations:
// per root and step, root's start + end + step * btc <= length for a step up; for a step down
// root's start + end <= length and root's start + least >= -step * btc (nothing below the
// base); with btc at most 2^32 (so that nothing wraps in 64 bits).
llvm::Value* inBounds(llvm::IRBuilderBase& b, const LoopRanges& ranges, llvm::Value* btc, unsigned guard_kind) {
  llvm::Value* ok = b.CreateICmpULE(btc, b.getInt64(uint64_t{1} << 32));
  std::map<uint32_t, llvm::Value*> lengths;
  llvm::Value* vmctx = b.GetInsertBlock()->getParent()->getArg(0);
  for (auto& [key, span] : ranges.spans) {
    auto [root, step] = key;
    // The root is asm(gep inbounds base, start) (widenFunction), or asm(base) for a start of 0.
    llvm::Value* arg = root->getArgOperand(0);
    llvm::Value* start = b.getInt64(0);
    if (auto* gep = llvm::dyn_cast<llvm::GetElementPtrInst>(arg); gep && gep->getNumIndices() == 1) start = gep->getOperand(1);
    auto* md = root->getMetadata(guard_kind);
    auto* mem = md && md->getNumOperands() == 1 ? llvm::mdconst::dyn_extract<llvm::ConstantInt>(md->getOperand(0)) : nullptr;
    if (!mem) return b.getFalse();
    llvm::Value*& length = lengths[uint32_t(mem->getZExtValue())];
    if (!length) length = loadMemoryLength(b, vmctx, uint32_t(mem->getZExtValue()));
    if (step > 0) {
      llvm::Value* last = b.CreateAdd(b.CreateAdd(start, b.getInt64(span.end)), b.CreateMul(btc, b.getInt64(uint64_t(step))));
      ok = b.CreateAnd(ok, b.CreateICmpULE(last, length));
    } else {
      ok = b.CreateAnd(ok, b.CreateICmpULE(b.CreateAdd(start, b.getInt64(span.end)), length));
      llvm::Value* lowest = b.CreateAdd(start, b.getInt64(span.least));
      ok = b.CreateAnd(ok, b.CreateICmpUGE(lowest, b.CreateMul(btc, b.getInt64(uint64_t(-step)))));
    }
  }
  return ok;
}

// The scope that marks the accesses of a checked loop (cannotFault).
llvm::MDNode* noFaultScope(llvm::LLVMContext& ctx) {
  llvm::MDBuilder md(ctx);
  return md.createAliasScope("in bounds", md.createAliasScopeDomain(kNoFaultDomain));
}

bool versionLoop(llvm::Loop& l, llvm::DominatorTree& dt, llvm::LoopInfo& li, llvm::ScalarEvolution& se,
                 unsigned guard_kind, llvm::MDNode* nofault) {
  if (!l.isInnermost() || !l.getLoopPreheader() || !l.getLoopLatch() || !l.getExitBlock()) return false;
  std::optional<LoopRanges> ranges = loopRanges(l, se, guard_kind);
  if (!ranges) return false;
  const llvm::SCEV* btc = se.getBackedgeTakenCount(&l);
  if (llvm::isa<llvm::SCEVCouldNotCompute>(btc) || btc->getType()->getIntegerBitWidth() > 64) return false;
  // The exit only reached from the loop (SimplifyCFG merges such blocks), and every value the
  // loop defines used outside through a phi there, which gets the copy's value as well.
  if (!l.hasDedicatedExits()) llvm::formDedicatedExitBlocks(&l, &dt, &li, nullptr, false);
  if (!l.getExitBlock()) return false;
  llvm::formLCSSA(l, dt, &li, &se);
  llvm::BasicBlock* check = l.getLoopPreheader();
  llvm::LLVMContext& ctx = check->getContext();
  llvm::SCEVExpander expander(se, check->getModule()->getDataLayout(), "range");
  llvm::Value* count = expander.expandCodeFor(btc, btc->getType(), check->getTerminator());
  expander.clear();
  // Versioned as LLVM's LoopVersioning does: the checks in the old preheader, then the loop
  // (fast) or its copy (exact). A loop of few iterations takes the copy at once: no vector
  // loop runs that few (the vectorizer's own minimum comes after ours), and the bounds check
  // loads the memory's length, two dependent loads at every entry. shootout-base64's inner
  // loop runs once or twice per byte of input: 4% faster without them (docs/llvm.md).
  llvm::IRBuilder<> b(check->getTerminator());
  count = b.CreateZExtOrTrunc(count, b.getInt64Ty());
  llvm::Value* few = b.CreateICmpULT(count, b.getInt64(kMinCheckedIterations - 1));
  llvm::BasicBlock* bounds = llvm::SplitBlock(check, check->getTerminator(), &dt, &li, nullptr, "range.check");
  b.SetInsertPoint(bounds->getTerminator());
  llvm::Value* ok = inBounds(b, *ranges, count, guard_kind);
  llvm::BasicBlock* ph = llvm::SplitBlock(bounds, bounds->getTerminator(), &dt, &li, nullptr, "fast.ph");
  llvm::ValueToValueMapTy vmap;
  llvm::SmallVector<llvm::BasicBlock*, 8> blocks;
  llvm::Loop* exact = llvm::cloneLoopWithPreheader(ph, check, &l, vmap, ".exact", &li, &dt, blocks);
  llvm::remapInstructionsInBlocks(blocks, vmap);
  llvm::Instruction* old = bounds->getTerminator();
  llvm::BranchInst::Create(ph, exact->getLoopPreheader(), ok, old);
  old->eraseFromParent();
  old = check->getTerminator();
  llvm::BranchInst::Create(exact->getLoopPreheader(), bounds, few, old);
  old->eraseFromParent();
  llvm::BasicBlock* exit = l.getExitBlock();
  for (llvm::PHINode& phi : exit->phis())
    for (unsigned n = phi.getNumIncomingValues(), k = 0; k < n; ++k)
      if (l.contains(phi.getIncomingBlock(k))) {
        llvm::Value* v = phi.getIncomingValue(k);
        llvm::Value* copy = vmap.count(v) ? static_cast<llvm::Value*>(vmap[v]) : v;
        phi.addIncoming(copy, llvm::cast<llvm::BasicBlock>(vmap[phi.getIncomingBlock(k)]));
      }
  dt.changeImmediateDominator(exit, check);
  for (llvm::BasicBlock* bb : l.blocks())
    for (llvm::Instruction& i : *bb)
      if (llvm::MDNode* scopes = i.getMetadata(llvm::LLVMContext::MD_alias_scope); scopes && llvm::getLoadStorePointerOperand(&i))
        i.setMetadata(llvm::LLVMContext::MD_alias_scope, llvm::MDNode::concatenate(scopes, llvm::MDNode::get(ctx, {nofault})));
  // The exact copy is left as it is: no vectorizer (the mark it leaves on what it did).
  llvm::MDNode* done = llvm::MDNode::get(
      ctx, {llvm::MDString::get(ctx, "llvm.loop.isvectorized"), llvm::ConstantAsMetadata::get(b.getInt32(1))});
  llvm::MDNode* id = llvm::MDNode::getDistinct(ctx, {nullptr, done});
  id->replaceOperandWith(0, id);
  exact->getLoopLatch()->getTerminator()->setMetadata(llvm::LLVMContext::MD_loop, id);
  se.forgetLoop(&l);
  return true;
}

}  // namespace

size_t widenLoopAddresses(llvm::Module& m, bool down) {
  unsigned guard_kind = m.getContext().getMDKindID(kGuard32MD);
  size_t n = 0;
  for (llvm::Function& f : m)
    if (!f.isDeclaration()) n += widenFunction(f, guard_kind, llvm::LLVMContext::MD_alias_scope, down);
  return n;
}

size_t versionLoops(llvm::Module& m) {
  unsigned guard_kind = m.getContext().getMDKindID(kGuard32MD);
  llvm::MDNode* nofault = noFaultScope(m.getContext());
  size_t n = 0;
  for (llvm::Function& f : m) {
    if (f.isDeclaration()) continue;
    Analyses a(f, false);
    for (llvm::Loop* l : a.li.getLoopsInPreorder())
      if (l->isInnermost()) n += versionLoop(*l, a.dt, a.li, *a.scev, guard_kind, nofault);
  }
  return n;
}

}  // namespace strata::llvmtier
