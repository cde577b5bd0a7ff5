// Switches that only pick constants, as tables read by index (switch_table.cc; docs/llvm.md
// "Switches as tables").
#pragma once

#include <llvm/IR/PassManager.h>

namespace strata::llvmtier {

// A function pass run right after the main stage's first SROA (emit.cc mainStage): a switch of
// at least 16 cases whose every case reaches one block (directly or through blocks that only
// branch on), where each phi takes a constant per case, becomes a range check, a compare per
// value of the range that goes to the default (at most 4), and one load per phi from a constant
// table. The default may join the cases with values of its own, or go to a block without phis.
struct SwitchTables : llvm::PassInfoMixin<SwitchTables> {
  llvm::PreservedAnalyses run(llvm::Function& f, llvm::FunctionAnalysisManager& fam);
};

// The pass's name in the pipeline text of emit.cc.
inline constexpr const char* kSwitchTables = "strata-switch-tables";

}  // namespace strata::llvmtier
