// Keeping a trap's stores in order across LLVM's loop-invariant code motion (order.cc; docs/llvm.md
// "Traps").
#pragma once

#include <llvm/IR/PassManager.h>

namespace strata::llvmtier {

// A function pass run before each LICM of the main stage (emit.cc mainStage): in every loop, a
// linear-memory load that LICM could hoist (its address loop-invariant, nothing in the loop
// writing what it reads) and which an earlier step of the same iteration may precede (a store,
// a call, anything that writes memory) becomes volatile, which LICM never hoists. Hoisted to the
// preheader, such a load would fault before that step of the first iteration, where wasm has
// done the step. Loads that no step precedes (at the top of the loop) are left free.
struct PinLoopLoads : llvm::PassInfoMixin<PinLoopLoads> {
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam);
};

// The pass's name in the pipeline text of emit.cc.
inline constexpr const char* kPinLoopLoads = "strata-pin-loop-loads";

}  // namespace strata::llvmtier
