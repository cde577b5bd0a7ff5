// How each listener of this library is switched on: once per process, on the first request
// that succeeds (a failed one, such as a file that cannot be created, may be retried).
#pragma once

#include <mutex>

#include "support/error.h"
#include "vm/code_image.h"

namespace strata::profiling {

// `create` returns Result<vm::CodeListener*> (a listener that lives until exit). Each call site
// passes its own lambda, and so gets its own once-flag (a plain function pointer would not).
template <class Create>
Result<void> installOnce(Create&& create) {
  static std::mutex mutex;
  static bool installed = false;
  std::lock_guard lock(mutex);
  if (installed) return {};
  vm::CodeListener* listener = STRATA_TRY(create());
  vm::addCodeListener(listener);
  installed = true;
  return {};
}

}  // namespace strata::profiling
