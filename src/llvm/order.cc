// Loads pinned in loops where LICM would move their trap before a store (order.h).
//
// Spec 4.4.7 (memory instructions) and 4.5.5 (traps): a trap ends the computation with every
// store before it done. LLVM knows no trap in a load, so LICM hoists a load whose address does
// not change in the loop, and which no store of the loop may alias, to the preheader: for
// `loop { store p; x = load p+8 }` with p + 8 out of bounds, the hoisted load faults before the
// first store, and memory is left without it (docs/llvm.md "Loads moved above stores", the loop
// form). A volatile load is never hoisted, and costs one load per iteration, as in wasm.
#include "llvm/order.h"

#include <llvm/ADT/DenseMap.h>
#include <llvm/Analysis/AliasAnalysis.h>
#include <llvm/Analysis/LoopInfo.h>
#include <llvm/Analysis/MemoryLocation.h>
#include <llvm/Analysis/LoopIterator.h>
#include <llvm/Analysis/ScalarEvolution.h>
#include <llvm/IR/Instructions.h>

#include "llvm/emit.h"
#include "llvm/translate.h"

namespace strata::llvmtier {

namespace {

// A step a later load of the iteration must stay behind: anything that may write memory (a
// store to linear memory above all), or a call out (translate.h callsOut: a wasm callee may
// store or trap, and one LLVM found read-only does not keep a load from moving above it). Loads
// are no steps: a load moved above another changes no memory, and only when both fault in the
// same iteration does the trap name the other's offset (docs/llvm.md "Loads moved above
// stores"). Counted, they pinned the invariant loads of read-only loops too.
bool isStep(const llvm::Instruction& i) {
  if (llvm::isa<llvm::LoadInst>(i)) return false;
  auto* call = llvm::dyn_cast<llvm::CallBase>(&i);
  return (call && callsOut(*call)) || i.mayWriteToMemory();
}

// Whether LICM could hoist `load` out of `l`: nothing in the loop may write what it reads (a
// load some store may alias stays in the loop anyway, and pinned for nothing it would keep the
// vectorizers and the checked loops from the loop).
bool hoistable(const llvm::LoadInst& load, const llvm::Loop& l, llvm::AAResults& aa) {
  llvm::MemoryLocation at = llvm::MemoryLocation::get(&load);
  for (const llvm::BasicBlock* bb : l.blocks())
    for (const llvm::Instruction& i : *bb)
      if (i.mayWriteToMemory() && llvm::isModSet(aa.getModRefInfo(&i, at))) return false;
  return true;
}

}  // namespace

llvm::PreservedAnalyses PinLoopLoads::run(llvm::Function& f, llvm::FunctionAnalysisManager& fam) {
  llvm::LoopInfo& li = fam.getResult<llvm::LoopAnalysis>(f);
  if (li.empty()) return llvm::PreservedAnalyses::all();
  llvm::ScalarEvolution& se = fam.getResult<llvm::ScalarEvolutionAnalysis>(f);
  llvm::AAResults& aa = fam.getResult<llvm::AAManager>(f);
  bool changed = false;
  for (llvm::Loop* l : li.getLoopsInPreorder()) {
    // The loop's blocks in reverse post-order, the header first: a block's predecessors in the
    // same iteration come before it (its backedges, and inner loops' backedges, are ignored:
    // an inner loop's own iterations are its own pass's business).
    llvm::LoopBlocksRPO rpo(l);
    rpo.perform(&li);
    llvm::DenseMap<const llvm::BasicBlock*, bool> stepped;  // a step may have run by the block's end
    for (llvm::BasicBlock* bb : rpo) {
      bool seen = false;
      if (bb != l->getHeader())
        for (const llvm::BasicBlock* p : llvm::predecessors(bb))
          if (auto it = stepped.find(p); it != stepped.end() && it->second) seen = true;
      for (llvm::Instruction& i : *bb) {
        auto* load = llvm::dyn_cast<llvm::LoadInst>(&i);
        if (seen && load && !load->isVolatile() && !accessOffsets(i).empty() &&
            se.isLoopInvariant(se.getSCEV(load->getPointerOperand()), l) && hoistable(*load, *l, aa)) {
          load->setVolatile(true);
          changed = true;
        }
        if (isStep(i)) seen = true;
      }
      stepped[bb] = seen;
    }
  }
  return changed ? llvm::PreservedAnalyses::none() : llvm::PreservedAnalyses::all();
}

}  // namespace strata::llvmtier
