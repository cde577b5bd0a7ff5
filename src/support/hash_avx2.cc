// support::xxh3_128's AVX2 form (hash.h): this file alone is compiled with -mavx2
// (support/CMakeLists.txt), and xxh3_128 calls it only where the host has AVX2.
#include "support/hash_impl.h"

namespace strata::support::detail {

Hash128 xxh3_128Avx2(std::initializer_list<std::span<const uint8_t>> parts) { return xxh3_128Parts(parts); }

}  // namespace strata::support::detail
