// SIMD instructions emitted inline (spec 4.4.3 vector instructions). Every SIMD row not handled
// here runs through its thunk (thunks.h) with the semantics of src/sem/simd*.h.
#include "jit/codegen.h"

namespace strata::jit {

bool FuncCompiler::visitSimd(const decode::Instr& in) {
  (void)in;
  return false;
}

}  // namespace strata::jit
