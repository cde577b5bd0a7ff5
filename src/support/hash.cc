// support::xxh3_128 (hash.h): the baseline x86-64 form, and the choice by the host's CPU.
#include "support/hash_impl.h"

#include "support/cpu_features.h"

namespace strata::support {

namespace detail {
Hash128 xxh3_128Sse2(std::initializer_list<std::span<const uint8_t>> parts) { return xxh3_128Parts(parts); }
}  // namespace detail

Hash128 xxh3_128(std::initializer_list<std::span<const uint8_t>> parts) {
#if STRATA_HASH_AVX2
  if (hostCpu().has(CpuFeature::Avx2)) return detail::xxh3_128Avx2(parts);
#endif
  return detail::xxh3_128Sse2(parts);
}

}  // namespace strata::support
