// The host CPU's extensions (see cpu_features.h): glibc's record of them where it has one, else
// cpuid, whose bit positions are those of Intel's SDM, volume 2A, "CPUID": leaf 1 (ECX/EDX),
// leaf 7 subleaf 0 (EBX), leaf 0x80000001 (ECX).
#include "support/cpu_features.h"

#include <fmt/core.h>

#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#endif
#endif

namespace strata::support {

namespace {

constexpr std::string_view kNames[] = {
#define X(e, n) n,
    STRATA_FOREACH_CPU_FEATURE(X)
#undef X
};

#if defined(__x86_64__)
[[maybe_unused]] bool bit(unsigned reg, unsigned n) { return (reg >> n) & 1; }

// XCR0: which register states the OS saves on a context switch (xgetbv is only legal when
// cpuid says OSXSAVE).
[[maybe_unused]] uint64_t xcr0() {
  uint32_t lo = 0, hi = 0;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

// Brand string: cpuid leaves 0x80000002-4, only for `strata settings`.
std::string probeBrand() {
  if (__get_cpuid_max(0x80000000, nullptr) < 0x80000004) return "";
  char brand[49] = {};
  for (unsigned i = 0; i < 3; ++i) {
    unsigned r[4] = {};
    __get_cpuid(0x80000002 + i, &r[0], &r[1], &r[2], &r[3]);
    std::memcpy(brand + 16 * i, r, 16);
  }
  std::string out = brand;
  size_t first = out.find_first_not_of(' '), last = out.find_last_not_of(' ');
  return first == std::string::npos ? "" : out.substr(first, last - first + 1);
}

#if __has_include(<sys/platform/x86.h>)
// glibc probed the CPU before main (its string functions are chosen by it) and keeps what it
// found: asking it costs no cpuid. A cpuid is a trap to the hypervisor on a virtual machine,
// about 3 us on this project's, and the cpuid probe below is a dozen of them, every start of
// the tool (issue 10's start-up budget). "Active" is glibc's "usable": the CPU has it and, for
// the AVX family, the OS saves its registers (XCR0), the rule the probe below applies too.
CpuInfo probe() {
  CpuInfo info;
  info.arch = "x86-64";
  auto set = [&](CpuFeature f, bool on) {
    if (on) info.bits |= uint64_t{1} << unsigned(f);
  };
  set(CpuFeature::Sse2, CPU_FEATURE_ACTIVE(SSE2));
  set(CpuFeature::Sse3, CPU_FEATURE_ACTIVE(SSE3));
  set(CpuFeature::Ssse3, CPU_FEATURE_ACTIVE(SSSE3));
  set(CpuFeature::Sse41, CPU_FEATURE_ACTIVE(SSE4_1));
  set(CpuFeature::Sse42, CPU_FEATURE_ACTIVE(SSE4_2));
  set(CpuFeature::Popcnt, CPU_FEATURE_ACTIVE(POPCNT));
  set(CpuFeature::Lzcnt, CPU_FEATURE_ACTIVE(LZCNT));
  set(CpuFeature::Bmi1, CPU_FEATURE_ACTIVE(BMI1));
  set(CpuFeature::Bmi2, CPU_FEATURE_ACTIVE(BMI2));
  set(CpuFeature::Movbe, CPU_FEATURE_ACTIVE(MOVBE));
  set(CpuFeature::Fma, CPU_FEATURE_ACTIVE(FMA));
  set(CpuFeature::F16c, CPU_FEATURE_ACTIVE(F16C));
  set(CpuFeature::Avx, CPU_FEATURE_ACTIVE(AVX));
  set(CpuFeature::Avx2, CPU_FEATURE_ACTIVE(AVX2));
  set(CpuFeature::Avx512F, CPU_FEATURE_ACTIVE(AVX512F));
  set(CpuFeature::Avx512Dq, CPU_FEATURE_ACTIVE(AVX512DQ));
  set(CpuFeature::Avx512Bw, CPU_FEATURE_ACTIVE(AVX512BW));
  set(CpuFeature::Avx512Vl, CPU_FEATURE_ACTIVE(AVX512VL));
  return info;
}
#else
CpuInfo probe() {
  CpuInfo info;
  info.arch = "x86-64";
  auto set = [&](CpuFeature f, bool on) {
    if (on) info.bits |= uint64_t{1} << unsigned(f);
  };
  unsigned a = 0, b = 0, c = 0, d = 0;
  unsigned max_leaf = __get_cpuid_max(0, nullptr);
  bool os_avx = false, os_avx512 = false;
  if (max_leaf >= 1 && __get_cpuid(1, &a, &b, &c, &d)) {
    if (bit(c, 27)) {  // OSXSAVE
      uint64_t x = xcr0();
      os_avx = (x & 0x6) == 0x6;       // SSE and AVX (upper ymm) state
      os_avx512 = (x & 0xe6) == 0xe6;  // and opmask, upper zmm0-15, zmm16-31
    }
    set(CpuFeature::Sse2, bit(d, 26));
    set(CpuFeature::Sse3, bit(c, 0));
    set(CpuFeature::Ssse3, bit(c, 9));
    set(CpuFeature::Fma, bit(c, 12) && os_avx);
    set(CpuFeature::Sse41, bit(c, 19));
    set(CpuFeature::Sse42, bit(c, 20));
    set(CpuFeature::Movbe, bit(c, 22));
    set(CpuFeature::Popcnt, bit(c, 23));
    set(CpuFeature::Avx, bit(c, 28) && os_avx);
    set(CpuFeature::F16c, bit(c, 29) && os_avx);
  }
  if (max_leaf >= 7 && __get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    set(CpuFeature::Bmi1, bit(b, 3));
    set(CpuFeature::Avx2, bit(b, 5) && os_avx);
    set(CpuFeature::Bmi2, bit(b, 8));
    set(CpuFeature::Avx512F, bit(b, 16) && os_avx512);
    set(CpuFeature::Avx512Dq, bit(b, 17) && os_avx512);
    set(CpuFeature::Avx512Bw, bit(b, 30) && os_avx512);
    set(CpuFeature::Avx512Vl, bit(b, 31) && os_avx512);
  }
  unsigned max_ext = __get_cpuid_max(0x80000000, nullptr);
  if (max_ext >= 0x80000001 && __get_cpuid(0x80000001, &a, &b, &c, &d)) set(CpuFeature::Lzcnt, bit(c, 5));
  return info;
}
#endif  // <sys/platform/x86.h>
#else
CpuInfo probe() {
  CpuInfo info;
#if defined(__aarch64__)
  info.arch = "aarch64";
#else
  info.arch = "unknown";
#endif
  return info;
}
#endif

}  // namespace

std::string_view cpuFeatureName(CpuFeature f) { return kNames[unsigned(f)]; }

std::string cpuFeatureNames(uint64_t bits) {
  std::string s;
  for (unsigned i = 0; i < unsigned(CpuFeature::Count); ++i)
    if ((bits >> i) & 1) s += fmt::format("{}{}", s.empty() ? "" : ", ", cpuFeatureName(CpuFeature(i)));
  uint64_t known = (uint64_t{1} << unsigned(CpuFeature::Count)) - 1;
  if (bits & ~known) s += fmt::format("{}unknown features {:#x}", s.empty() ? "" : ", ", bits & ~known);
  return s;
}

const CpuInfo& hostCpu() {
  static const CpuInfo info = probe();
  return info;
}

std::string hostCpuBrand() {
#if defined(__x86_64__)
  return probeBrand();
#else
  return "";
#endif
}

}  // namespace strata::support
