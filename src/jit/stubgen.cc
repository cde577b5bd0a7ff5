// strata_stubgen OUT: writes the stubs' machine code (stub_asm.cc) as a C++ header, at build
// time (src/jit/CMakeLists.txt), for stubs.cc to load.
#include <cstdio>
#include <cstring>

#include "jit/stub_asm.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.inc\n", argv[0]);
    return 2;
  }
  strata::jit::StubAssembly s = strata::jit::assembleStubs();
  uint64_t imm = 0;
  if (s.raise_trap_imm + 8 > s.code.size()) return 1;
  std::memcpy(&imm, s.code.data() + s.raise_trap_imm, 8);
  if (imm != strata::jit::kRaiseTrapPlaceholder) {
    std::fprintf(stderr, "%s: the placeholder is not at raise_trap_imm\n", argv[0]);
    return 1;
  }
  std::FILE* out = std::fopen(argv[1], "w");
  if (!out) {
    std::perror(argv[1]);
    return 2;
  }
  std::fprintf(out, "// Written by strata_stubgen (src/jit/stubgen.cc) from src/jit/stub_asm.cc: do not edit.\n");
  std::fprintf(out, "inline constexpr uint8_t kStubCode[%zu] = {", s.code.size());
  for (size_t i = 0; i < s.code.size(); ++i) std::fprintf(out, "%s0x%02x,", i % 16 ? " " : "\n    ", s.code[i]);
  std::fprintf(out, "\n};\n");
  std::fprintf(out, "inline constexpr uint32_t kStubEntry = %u, kStubTrap = %u, kStubTrapStore = %u, kStubTrapC = %u;\n",
               s.entry, s.trap, s.trap_store, s.trap_c);
  std::fprintf(out, "inline constexpr uint32_t kStubRaiseTrapImm = %u;\n", s.raise_trap_imm);
  return std::fclose(out) == 0 ? 0 : 2;
}
