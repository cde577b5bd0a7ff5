// Switches that only pick constants, as tables (switch_table.h).
//
// C compiles `switch (x) { case 0: r = 703; break; ... }` to a wasm br_table into nested blocks,
// each of which sets a local and branches out. After SROA that is an LLVM switch whose cases
// reach one block through blocks that only branch, and a phi there with one constant per case.
// LLVM turns such a switch into a table itself (SimplifyCFG's switch-to-lookup, in the finishing
// stage), but not when a value of the case range goes to the default and the default does
// something else than pick a constant: it then needs a bit mask of the valid values that fits
// in a register, 64 entries at most. shootout-switch's 4096-case switch has one such value, so
// it stayed a jump table to 4095 blocks: a mispredicted indirect jump per element, and about
// 3 s of SimplifyCFG over the 4095 blocks in every stage (each block is checked against every
// entry of the phi). Here the values that go to the default are compared one by one instead.
#include "llvm/switch_table.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/Transforms/Utils/Local.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace strata::llvmtier {

namespace {

// Smaller switches are left to LLVM's own conversion and lowering (a few compares can beat a
// load), larger ranges and more holes to its jump tables.
constexpr unsigned kMinCases = 16;
constexpr uint64_t kMaxRange = uint64_t(1) << 16;
constexpr size_t kMaxHoles = 4;
constexpr int kMaxChain = 8;

// Where an edge from `from` to `to` leads through blocks that hold nothing but an unconditional
// branch: the block reached, and the last block before it (the phi's incoming block there).
struct Reach {
  llvm::BasicBlock* from;
  llvm::BasicBlock* to;
};

Reach follow(llvm::BasicBlock* from, llvm::BasicBlock* to) {
  for (int i = 0; i < kMaxChain; ++i) {
    auto* br = llvm::dyn_cast<llvm::BranchInst>(&to->front());
    if (!br || !br->isUnconditional()) break;
    from = to;
    to = br->getSuccessor(0);
  }
  return {from, to};
}

bool hasPhi(const llvm::BasicBlock* bb) { return llvm::isa<llvm::PHINode>(bb->front()); }

struct Case {
  int64_t value;
  llvm::BasicBlock* from;
};

// The table of one phi, or an empty vector when a case gives it no constant.
std::vector<llvm::Constant*> tableOf(llvm::PHINode& phi, const std::vector<Case>& cases, int64_t min,
                                     uint64_t range) {
  llvm::DenseMap<llvm::BasicBlock*, llvm::Value*> in;  // the phi's entries by block, once (it may hold thousands)
  for (unsigned i = 0; i < phi.getNumIncomingValues(); ++i) in[phi.getIncomingBlock(i)] = phi.getIncomingValue(i);
  std::vector<llvm::Constant*> table(range, nullptr);
  for (const Case& c : cases) {
    llvm::Value* v = in.lookup(c.from);
    if (!v || !(llvm::isa<llvm::ConstantInt>(v) || llvm::isa<llvm::ConstantFP>(v))) return {};
    table[uint64_t(c.value - min)] = llvm::cast<llvm::Constant>(v);
  }
  // A hole is never read (its value goes to the default first): any constant of the type, such
  // as the first entry's (min is a case's value).
  for (llvm::Constant*& e : table)
    if (!e) e = table[0];
  return table;
}

bool tabulate(llvm::SwitchInst* si) {
  auto* ty = llvm::dyn_cast<llvm::IntegerType>(si->getCondition()->getType());
  if (!ty || ty->getBitWidth() > 64 || si->getNumCases() < kMinCases) return false;
  llvm::BasicBlock* head = si->getParent();
  Reach dflt = follow(head, si->getDefaultDest());
  // A case that ends where the default does, by the same last block or in a block without phis
  // (the blocks on the way only branch), does what the default does: a hole of the table.
  auto likeDefault = [&](const Reach& r) { return r.to == dflt.to && (r.from == dflt.from || !hasPhi(dflt.to)); };
  llvm::BasicBlock* common = nullptr;
  std::vector<Case> cases;
  for (const auto& c : si->cases()) {
    Reach r = follow(head, c.getCaseSuccessor());
    if (likeDefault(r)) continue;
    if (!common) common = r.to;
    if (r.to != common) return false;
    cases.push_back({c.getCaseValue()->getSExtValue(), r.from});
  }
  if (!common || common == head || !hasPhi(common) || cases.size() < kMinCases) return false;
  // The default either joins the cases (its own entries in the phis stay) or goes where no phi
  // waits for it.
  if (dflt.to != common && hasPhi(dflt.to)) return false;
  std::sort(cases.begin(), cases.end(), [](const Case& a, const Case& b) { return a.value < b.value; });
  int64_t min = cases.front().value, max = cases.back().value;
  uint64_t span = uint64_t(max) - uint64_t(min);  // modulo 2^64: no overflow
  if (span >= kMaxRange) return false;
  uint64_t range = span + 1;
  // The index is x - min in x's own width: every value of the range must have its own index.
  if (ty->getBitWidth() < 64 && range >= (uint64_t(1) << ty->getBitWidth())) return false;
  if (range - cases.size() > kMaxHoles) return false;  // case values are distinct
  std::vector<int64_t> holes;
  for (size_t i = 1; i < cases.size(); ++i)
    for (int64_t v = cases[i - 1].value + 1; v < cases[i].value; ++v) holes.push_back(v);
  std::vector<std::pair<llvm::PHINode*, std::vector<llvm::Constant*>>> tables;
  for (llvm::PHINode& phi : common->phis()) {
    std::vector<llvm::Constant*> t = tableOf(phi, cases, min, range);
    if (t.empty()) return false;
    tables.emplace_back(&phi, std::move(t));
  }

  // head: in range and no hole -> the table's block, else the default's first block.
  llvm::IRBuilder<> b(si);
  b.SetCurrentDebugLocation(si->getDebugLoc());
  llvm::Value* x = si->getCondition();
  llvm::Value* index = b.CreateSub(x, llvm::ConstantInt::get(ty, uint64_t(min)));
  llvm::Value* take = b.CreateICmpULT(index, llvm::ConstantInt::get(ty, range));
  for (int64_t h : holes) take = b.CreateAnd(take, b.CreateICmpNE(x, llvm::ConstantInt::get(ty, uint64_t(h))));
  llvm::LLVMContext& ctx = head->getContext();
  llvm::Module& m = *head->getModule();
  llvm::BasicBlock* lookup = llvm::BasicBlock::Create(ctx, "switch.table", head->getParent(), common);
  b.CreateCondBr(take, lookup, si->getDefaultDest());
  llvm::IRBuilder<> lb(lookup);
  lb.SetCurrentDebugLocation(si->getDebugLoc());
  llvm::Value* at = lb.CreateZExt(index, lb.getInt64Ty());
  for (auto& [phi, table] : tables) {
    auto* aty = llvm::ArrayType::get(phi->getType(), range);
    auto* g = new llvm::GlobalVariable(m, aty, true, llvm::GlobalValue::PrivateLinkage,
                                       llvm::ConstantArray::get(aty, table), "strata.switch");
    g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
    g->setAlignment(m.getDataLayout().getPrefTypeAlign(phi->getType()));
    llvm::Value* v = lb.CreateLoad(phi->getType(), lb.CreateInBoundsGEP(aty, g, {lb.getInt64(0), at}));
    // The cases that branched from head straight to `common` leave with the switch; a default
    // that did keeps its one edge, and its value (the same for every edge from head).
    llvm::Value* keep = dflt.from == head && dflt.to == common ? phi->getIncomingValueForBlock(head) : nullptr;
    phi->removeIncomingValueIf([&](unsigned i) { return phi->getIncomingBlock(i) == head; }, false);
    if (keep) phi->addIncoming(keep, head);
    phi->addIncoming(v, lookup);
  }
  lb.CreateBr(common);
  si->eraseFromParent();
  return true;
}

}  // namespace

llvm::PreservedAnalyses SwitchTables::run(llvm::Function& f, llvm::FunctionAnalysisManager&) {
  std::vector<llvm::SwitchInst*> switches;
  for (llvm::BasicBlock& bb : f)
    if (auto* si = llvm::dyn_cast<llvm::SwitchInst>(bb.getTerminator())) switches.push_back(si);
  bool changed = false;
  for (llvm::SwitchInst* si : switches) changed |= tabulate(si);
  if (!changed) return llvm::PreservedAnalyses::all();
  // The blocks between the switch and `common` are unreachable now; their entries in the phis
  // go with them.
  llvm::removeUnreachableBlocks(f);
  return llvm::PreservedAnalyses::none();
}

}  // namespace strata::llvmtier
