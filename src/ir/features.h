// Per-proposal feature flags (the configuration's "enabled features"); a module that uses a
// disabled feature is rejected by the decoder or validator with a message naming the feature.
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::ir {

// X(Enum, "cli-name", enabled-by-default)
#define STRATA_FOREACH_FEATURE(X)                         \
  X(Mvp, "mvp", true)                                     \
  X(SignExt, "sign-extension", true)                      \
  X(SatConv, "saturating-float-to-int", true)             \
  X(MultiValue, "multi-value", true)                      \
  X(BulkMemory, "bulk-memory", true)                      \
  X(ReferenceTypes, "reference-types", true)              \
  X(Simd, "simd", true)                                   \
  X(RelaxedSimd, "relaxed-simd", true)                    \
  X(TailCall, "tail-call", true)                          \
  X(ExtendedConst, "extended-const", true)                \
  X(Memory64, "memory64", true)                           \
  X(MultiMemory, "multi-memory", true)                    \
  X(Exceptions, "exceptions", true)                       \
  X(LegacyExceptions, "legacy-exceptions", true)          \
  X(FunctionReferences, "function-references", true)      \
  X(Gc, "gc", true)                                       \
  X(Threads, "threads", false)                             \
  X(CustomPageSizes, "custom-page-sizes", false)           \
  X(WideArithmetic, "wide-arithmetic", false)

enum class Feature : uint8_t {
#define X(e, n, d) e,
  STRATA_FOREACH_FEATURE(X)
#undef X
      Count
};

std::string_view featureName(Feature f);

class Features {
 public:
  // Default: the WebAssembly 3.0 standard. Later proposals (threads, custom page sizes, wide
  // arithmetic) are off, since the 3.0 suite expects their encodings to be malformed.
  Features() {
#define X(e, n, d) set(Feature::e, d);
    STRATA_FOREACH_FEATURE(X)
#undef X
  }
  static Features all() { return Features(); }  // the 3.0 standard (same as the default)
  // Every proposal the front end knows, including post-3.0 ones.
  static Features everything() {
    Features f;
    for (unsigned i = 0; i < unsigned(Feature::Count); ++i) f.set(Feature(i), true);
    return f;
  }
  // Only what WebAssembly 2.0 standardised.
  static Features wasm2();

  bool has(Feature f) const { return (bits_ >> unsigned(f)) & 1; }
  void set(Feature f, bool on) {
    if (on) bits_ |= uint64_t{1} << unsigned(f);
    else bits_ &= ~(uint64_t{1} << unsigned(f));
  }
  // One bit per Feature (compiled artifacts record the set their code was compiled with).
  uint64_t bits() const { return bits_; }
  // Parse "simd" / "-simd" / "all"; returns false for unknown names.
  bool setByName(std::string_view name, bool on);

 private:
  uint64_t bits_ = 0;
};

}  // namespace strata::ir
