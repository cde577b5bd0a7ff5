// Host errno -> WASI errno translation, and WASI errno names for messages and tests.
#pragma once

#include <string_view>

#include "wasi/abi.h"

namespace strata::wasi {

// The WASI errno for a Linux errno value (EIO for anything without a counterpart).
Errno fromHostErrno(int host_errno);
// The current `errno`, translated.
Errno lastErrno();
// witx name of an errno ("badf", "notcapable"); "unknown" outside the enum.
std::string_view errnoName(Errno e);

}  // namespace strata::wasi
