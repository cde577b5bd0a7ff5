// Trap messages.
#include "vm/trap.h"

namespace strata::vm {

const char* trapMessage(TrapKind kind) {
  switch (kind) {
#define X(e, m) \
  case TrapKind::e: return m;
    STRATA_FOREACH_TRAP(X)
#undef X
  }
  return "trap";
}

}  // namespace strata::vm
