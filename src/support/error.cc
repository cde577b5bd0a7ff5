// Rendering of Error values for diagnostics.
#include "support/error.h"

#include <fmt/core.h>

namespace strata {

const char* errorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Malformed: return "malformed";
    case ErrorKind::Invalid: return "invalid";
    case ErrorKind::Unlinkable: return "unlinkable";
    case ErrorKind::Uninstantiable: return "uninstantiable";
    case ErrorKind::Trap: return "trap";
    case ErrorKind::Io: return "io";
    case ErrorKind::Usage: return "usage";
    case ErrorKind::Resource: return "resource";
    case ErrorKind::Unsupported: return "unsupported";
  }
  return "?";
}

std::string Error::describe() const {
  if (offset == kNoOffset) return fmt::format("{}: {}", errorKindName(kind), message);
  return fmt::format("{} at offset 0x{:x}: {}", errorKindName(kind), offset, message);
}

}  // namespace strata
