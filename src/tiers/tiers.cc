// Tier registration (see tiers.h).
#include "tiers/tiers.h"

#include <mutex>

#include "strata/engine.h"
#ifdef STRATA_HAVE_JIT
#include "interp/interp.h"
#include "jit/jit.h"
#endif
#ifdef STRATA_HAVE_LLVM
#include "llvm/tier.h"
#endif

namespace strata::tiers {

void registerAll() {
  static std::once_flag once;
  std::call_once(once, [] {
#ifdef STRATA_HAVE_JIT
    // Until the baseline tier compiles every instruction, a module it cannot compile runs on
    // the interpreter (the module's tierName() says which; `strata wast -v` counts them).
    // Machine code is the default wherever it runs (issue 10: once the baseline tier met its
    // criteria); the interpreter stays the default elsewhere, and `--tier interp` picks it.
    if (jit::hostSupported()) {
      Engine::registerTier("baseline", [] { return jit::createCompiler(interp::createCompiler()); });
      Engine::setDefaultTier("baseline");
    }
#endif
#ifdef STRATA_HAVE_LLVM
    // A module the llvm tier does not compile yet runs on the baseline tier (which hands what
    // it lacks to the interpreter).
    if (jit::hostSupported())
      Engine::registerTier("llvm", [] {
        return llvmtier::createCompiler(jit::createCompiler(interp::createCompiler()));
      });
    // Baseline code at once, llvm code when it is ready (no fallback: a module llvm does not
    // compile keeps its baseline code).
    if (jit::hostSupported())
      Engine::registerTier("tiered", [] {
        return createTieredCompiler(jit::createCompiler(interp::createCompiler()), llvmtier::createCompiler(nullptr));
      });
#endif
  });
}

// The baseline tier's uses, read off src/jit (its asmjit calls and the CpuInfo checks in
// compiler.cc, codegen_simd.cc and codegen_simd_int.cc). They belong in the tier itself, behind
// vm::Compiler, and move there with the next change to src/jit; until then a new CPU check in
// the jit must be added here too. Scalar clz/ctz/popcnt are not here: the tier calls the shared
// C++ semantics for them (thunks.h), so POPCNT, LZCNT and BMI are unused, as is all of AVX.
std::span<const CpuFeatureUse> cpuFeatureUses(std::string_view tier) {
  using support::CpuFeature;
  static constexpr CpuFeatureUse kBaseline[] = {
      {CpuFeature::Sse2, true, "scalar floats, v128 moves, integer and float lanes"},
      {CpuFeature::Ssse3, true, "pshufb (i8x16.swizzle, shuffle, popcnt), pabs*, pmaddubsw, pmulhrsw"},
      {CpuFeature::Sse41, true,
       "roundss/sd/ps/pd (floor, ceil, trunc, nearest), ptest (any_true, all_true), pmovsx/zx "
       "(extend), pextr/pinsr, pmulld, pmin/pmax d/ud, pcmpeqq, insertps, pblendw"},
      {CpuFeature::Sse42, false, "pcmpgtq for i64x2.gt_s, lt_s, le_s, ge_s (without it, calls to the shared C++ semantics)"},
  };
  if (tier == "baseline") return kBaseline;
  return {};
}

}  // namespace strata::tiers
