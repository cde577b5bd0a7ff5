// The machine code of the process-wide stubs (stubs.h), as asmjit assembles it. strata_stubgen
// (stubgen.cc) runs this at build time and writes the bytes into a header that stubs.cc
// includes: a process never runs the assembler for its stubs (asmjit's first use costs ~0.1 ms
// of a process's start, issue 12's budget for the whole start-up being 1 ms).
#pragma once

#include <cstdint>
#include <vector>

namespace strata::jit {

// In the code where raiseTrap's address goes (an imm64 the loader overwrites).
inline constexpr uint64_t kRaiseTrapPlaceholder = 0x8000'0000'5eed'7a9bULL;

struct StubAssembly {
  std::vector<uint8_t> code;  // position-independent but for the imm64 at raise_trap_imm
  uint32_t entry = 0, trap = 0, trap_store = 0, trap_c = 0;  // offsets of the stubs (Stubs)
  uint32_t raise_trap_imm = 0;
};

StubAssembly assembleStubs();

}  // namespace strata::jit
