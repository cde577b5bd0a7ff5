// Exception objects: allocation in the store's list and release (see exception.h).
#include "vm/exception.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace strata::vm {

VMException* newException(VMStoreContext* store, const void* tag, uint32_t nvals) {
  size_t bytes = sizeof(VMException) + size_t(nvals) * sizeof(RawVal);
  auto* exn = static_cast<VMException*>(std::malloc(bytes));
  if (!exn) return nullptr;
  std::memset(static_cast<void*>(exn), 0, bytes);
  exn->tag = tag;
  exn->nvals = nvals;
  exn->next = store->exceptions;
  if (exn->next) exn->next->prev = exn;
  store->exceptions = exn;
  return exn;
}

void freeException(VMStoreContext* store, VMException* exn) {
  if (exn->prev) exn->prev->next = exn->next;
  else store->exceptions = exn->next;
  if (exn->next) exn->next->prev = exn->prev;
  std::free(exn);
}

void freeExceptions(VMStoreContext* store) {
  while (store->exceptions) freeException(store, store->exceptions);
}

}  // namespace strata::vm
