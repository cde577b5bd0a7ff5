// Errors as values: every stage returns Result<T>, an Error carries its kind, byte offset and message.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <utility>

namespace strata {

enum class ErrorKind : uint8_t {
  Malformed,       // binary or text that does not follow the grammar (spec 5 / 6)
  Invalid,         // well-formed but fails validation (spec 3)
  Unlinkable,      // import resolution failed (spec 4.5.4)
  Uninstantiable,  // instantiation trapped (start function, segment bounds)
  Trap,            // runtime trap
  Io,              // file system
  Usage,           // bad command line or API misuse
  Resource,        // the host could not provide memory or address space (code mappings)
  Unsupported,     // a tier cannot compile a feature (the caller may pick another tier)
};

const char* errorKindName(ErrorKind kind);

// No offset known (e.g. an I/O error): printed without a position.
inline constexpr uint64_t kNoOffset = ~uint64_t{0};

struct Error {
  ErrorKind kind = ErrorKind::Malformed;
  uint64_t offset = kNoOffset;  // absolute byte offset in the input, or kNoOffset
  std::string message;          // spec suite wording first ("unexpected end", "type mismatch")

  // "offset 0x1f: type mismatch" style rendering for humans.
  std::string describe() const;
};

template <class T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> makeError(ErrorKind kind, uint64_t offset, std::string message) {
  return std::unexpected<Error>(Error{kind, offset, std::move(message)});
}
inline std::unexpected<Error> malformed(uint64_t offset, std::string message) {
  return makeError(ErrorKind::Malformed, offset, std::move(message));
}
inline std::unexpected<Error> invalid(uint64_t offset, std::string message) {
  return makeError(ErrorKind::Invalid, offset, std::move(message));
}

}  // namespace strata

// Propagate an error from an expression returning Result<T>; yields the value otherwise.
// Uses a GNU statement expression (g++ and clang both have it) to keep call sites one line.
#define STRATA_TRY(expr)                                          \
  ({                                                              \
    auto&& strata_try_r_ = (expr);                                \
    if (!strata_try_r_) return std::unexpected(strata_try_r_.error()); \
    std::move(*strata_try_r_);                                    \
  })

// For Result<void>.
#define STRATA_CHECK(expr)                                        \
  do {                                                            \
    auto&& strata_chk_r_ = (expr);                                \
    if (!strata_chk_r_) return std::unexpected(strata_chk_r_.error()); \
  } while (0)
