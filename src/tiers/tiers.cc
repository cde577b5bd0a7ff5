// Tier registration (see tiers.h).
#include "tiers/tiers.h"

#include <mutex>

#include "strata/engine.h"
#ifdef STRATA_HAVE_JIT
#include "interp/interp.h"
#include "jit/jit.h"
#endif

namespace strata::tiers {

void registerAll() {
  static std::once_flag once;
  std::call_once(once, [] {
#ifdef STRATA_HAVE_JIT
    // Until the baseline tier compiles every instruction, a module it cannot compile runs on
    // the interpreter (the module's tierName() says which; `strata wast -v` counts them).
    if (jit::hostSupported())
      Engine::registerTier("baseline", [] { return jit::createCompiler(interp::createCompiler()); });
#endif
  });
}

const char* defaultTier() { return "interp"; }

}  // namespace strata::tiers
