// The host CPU's instruction-set extensions, read once (from glibc, or with cpuid): what `strata settings` shows
// and what a compiled artifact must record (a code generator may use an extension the loading
// host lacks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::support {

// X(Enum, "name as Intel's manuals and /proc/cpuinfo spell it, lower case")
#define STRATA_FOREACH_CPU_FEATURE(X) \
  X(Sse2, "sse2")                     \
  X(Sse3, "sse3")                     \
  X(Ssse3, "ssse3")                   \
  X(Sse41, "sse4.1")                  \
  X(Sse42, "sse4.2")                  \
  X(Popcnt, "popcnt")                 \
  X(Lzcnt, "lzcnt")                   \
  X(Bmi1, "bmi1")                     \
  X(Bmi2, "bmi2")                     \
  X(Movbe, "movbe")                   \
  X(Fma, "fma")                       \
  X(F16c, "f16c")                     \
  X(Avx, "avx")                       \
  X(Avx2, "avx2")                     \
  X(Avx512F, "avx512f")               \
  X(Avx512Dq, "avx512dq")             \
  X(Avx512Bw, "avx512bw")             \
  X(Avx512Vl, "avx512vl")

enum class CpuFeature : uint8_t {
#define X(e, n) e,
  STRATA_FOREACH_CPU_FEATURE(X)
#undef X
      Count
};

std::string_view cpuFeatureName(CpuFeature f);
// The names of the features in `bits` (bit i: CpuFeature(i)), comma-separated, for messages;
// bits past the known features as "unknown features 0x...".
std::string cpuFeatureNames(uint64_t bits);

struct CpuInfo {
  std::string arch;   // "x86-64", or the build's architecture elsewhere (no features then)
  uint64_t bits = 0;  // bit i: CpuFeature(i)
  bool has(CpuFeature f) const { return (bits >> unsigned(f)) & 1; }
};

// The host's CPU, probed on first use. The AVX family counts only where the OS saves the
// registers it needs (XCR0), as code using them would fault otherwise.
const CpuInfo& hostCpu();
// cpuid's processor brand string, trimmed; may be empty (asked only by `strata settings`).
std::string hostCpuBrand();

}  // namespace strata::support
