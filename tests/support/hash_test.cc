// support::xxh3_128 (src/support/hash.h): its SSE2 and AVX2 forms agree with each other and with
// xxhash's own one-shot xxh3-128 on every length around the hash's block sizes, and a sequence of
// ranges hashes as their concatenation (the artifact checksum hashes the file around its field).
#include "support/hash.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdint>
#include <vector>

#include "support/cpu_features.h"

namespace strata::support {
namespace {

std::vector<uint8_t> bytes(size_t n) {
  std::vector<uint8_t> v(n);
  uint32_t x = 0x9e3779b9;
  for (uint8_t& b : v) {
    x = x * 1664525 + 1013904223;
    b = uint8_t(x >> 24);
  }
  return v;
}

TEST(Hash, FormsAgreeWithXxhash) {
  bool avx2 = hostCpu().has(CpuFeature::Avx2);
  for (size_t n : {0u, 1u, 16u, 17u, 128u, 129u, 240u, 241u, 1023u, 1024u, 1025u, 4096u, 100000u}) {
    std::vector<uint8_t> v = bytes(n);
    XXH128_hash_t want = XXH3_128bits(v.data(), v.size());
    Hash128 sse2 = detail::xxh3_128Sse2({v});
    EXPECT_EQ(sse2.low, want.low64) << n;
    EXPECT_EQ(sse2.high, want.high64) << n;
    if (avx2) {
      Hash128 wide = detail::xxh3_128Avx2({v});
      EXPECT_EQ(wide.low, want.low64) << n;
      EXPECT_EQ(wide.high, want.high64) << n;
    }
    Hash128 chosen = xxh3_128({v});
    EXPECT_EQ(chosen.low, want.low64) << n;
  }
}

TEST(Hash, PartsHashAsTheirConcatenation) {
  std::vector<uint8_t> v = bytes(5000);
  std::span<const uint8_t> all(v);
  Hash128 whole = xxh3_128({all});
  Hash128 split = xxh3_128({all.first(7), all.subspan(7, 2000), all.subspan(2007)});
  EXPECT_EQ(whole.low, split.low);
  EXPECT_EQ(whole.high, split.high);
  v[4000] ^= 1;  // a flipped bit changes it
  EXPECT_NE(xxh3_128({std::span<const uint8_t>(v)}).low, whole.low);
}

}  // namespace
}  // namespace strata::support
