// Tests that the cpuid probe agrees with the kernel's view of the CPU (/proc/cpuinfo's flags),
// which comes from the same cpuid bits filtered by what the kernel enabled.
#include "support/cpu_features.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace strata::support {
namespace {

std::set<std::string> kernelFlags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::set<std::string> flags;
    for (std::string w; words >> w;) flags.insert(w);
    return flags;
  }
  return {};
}

// The kernel's name of each feature where it differs from ours (sse3 is "pni", Prescott New
// Instructions; lzcnt is part of AMD's "abm").
std::string kernelName(CpuFeature f) {
  std::string name(cpuFeatureName(f));
  if (name == "sse3") return "pni";
  if (name == "lzcnt") return "abm";
  if (name == "sse4.1") return "sse4_1";
  if (name == "sse4.2") return "sse4_2";
  return name;
}

TEST(CpuFeatures, MatchKernelFlags) {
#if !defined(__x86_64__) || !defined(__linux__)
  GTEST_SKIP() << "cpuid probing is x86-64 only";
#endif
  std::set<std::string> flags = kernelFlags();
  if (flags.empty()) GTEST_SKIP() << "no flags line in /proc/cpuinfo";
  const CpuInfo& cpu = hostCpu();
  EXPECT_EQ(cpu.arch, "x86-64");
  for (unsigned i = 0; i < unsigned(CpuFeature::Count); ++i) {
    auto f = CpuFeature(i);
    if (f == CpuFeature::Lzcnt) continue;  // some kernels on some hypervisors omit "abm": below
    EXPECT_EQ(cpu.has(f), flags.count(kernelName(f)) == 1) << cpuFeatureName(f);
  }
}

// LZCNT shares its encoding with BSR behind an F3 prefix that older CPUs ignore, so running it
// tells which one the CPU has: lzcnt(1) is 31, bsr(1) is 0.
TEST(CpuFeatures, LzcntByExecution) {
#if defined(__x86_64__)
  uint32_t in = 1, out = 0;
  __asm__(".byte 0xf3; bsr %1, %0" : "=r"(out) : "r"(in) : "cc");
  EXPECT_EQ(hostCpu().has(CpuFeature::Lzcnt), out == 31);
#else
  GTEST_SKIP() << "x86-64 only";
#endif
}

TEST(CpuFeatures, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (unsigned i = 0; i < unsigned(CpuFeature::Count); ++i) names.insert(cpuFeatureName(CpuFeature(i)));
  EXPECT_EQ(names.size(), size_t(CpuFeature::Count));
  EXPECT_EQ(cpuFeatureName(CpuFeature::Sse41), "sse4.1");
}

}  // namespace
}  // namespace strata::support
