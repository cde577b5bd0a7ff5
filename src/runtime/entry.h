// The host -> wasm entry record and the per-thread fault handling state (see entry.cc's essay).
#pragma once

#include <csetjmp>
#include <cstdint>

namespace strata::runtime {

class StoreImpl;

// One per active enterWasm on a thread, linked innermost first. The fault handler jumps to
// the innermost one.
struct EntryRecord {
  sigjmp_buf jmp;
  EntryRecord* prev = nullptr;
  StoreImpl* store = nullptr;
  // True while a host function called by this entry's wasm runs: a fault then is the host's
  // own bug, not a wasm trap, and goes to the previous signal handler.
  bool in_host = false;
};

EntryRecord* currentEntry();

// The low end of the main thread's stack (the lowest address it may grow to), worked out without
// reading /proc/self/maps; 0 where that cannot be done safely (entry.cc says when).
uintptr_t mainThreadStackLow();

}  // namespace strata::runtime
