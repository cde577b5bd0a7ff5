// Exception objects (spec 4.2.x "exception instances"): what `throw` creates, `exnref` points
// to and every tier and the host pass along. docs/exceptions.md has the design.
//
// An exception is a heap object holding its tag's identity and its payload in the array-call
// form (one 16-byte RawVal per tag parameter), so any tier and the host can read it without
// knowing who threw it. An exnref is a VMException* (null = ref.null exn).
//
// Ownership: the store owns every exception it created (VMStoreContext::exceptions, a doubly
// linked list) and frees the rest when it dies. An exception that nothing can reach any more
// is freed earlier only where that is certain: a tier's `catch`/`catch_all` clause, which
// drops the reference, frees an exception that was never exposed as a value (never written
// to a slot, a table, a global or handed to the host). Everything else waits for the store,
// until the garbage collector (issue 14) traces exnrefs like other references.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vm/abi.h"

namespace strata::vm {

struct VMException {
  const void* tag;      // the tag's identity (VMContext::tags)
  VMException* prev;    // the store's list
  VMException* next;
  uint32_t nvals;       // payload values
  uint32_t exposed;     // 1 once a reference to it may exist outside the unwinder
  RawVal vals[];        // the payload, tag parameter i in vals[i]
};

// What a tier or the API reports when newException returns null.
inline constexpr const char* kExnOomMessage = "out of memory: cannot allocate an exception";

// A new exception of `tag` with room for `nvals` payload values (zeroed), linked into the
// store's list; null when memory is exhausted.
VMException* newException(VMStoreContext* store, const void* tag, uint32_t nvals);
// Unlinks and frees one exception of the store.
void freeException(VMStoreContext* store, VMException* exn);
// Frees every exception of the store (the store's destructor).
void freeExceptions(VMStoreContext* store);

}  // namespace strata::vm
