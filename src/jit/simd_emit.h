// Emission helpers shared by the SIMD visitors (codegen_simd.cc, codegen_simd_int.cc).
#pragma once

#include <asmjit/x86.h>

#include <cstdint>

namespace strata::jit {

const asmjit::CpuInfo& cpu();
// NaN lanes of x -> the positive canonical NaN (src/sem's rule); m holds all ones in exactly
// those lanes and is clobbered.
void canonWithMask(asmjit::x86::Assembler& a, asmjit::x86::Xmm x, asmjit::x86::Xmm m, bool d);
// The same with the mask computed here (in xmm15), behind a branch taken when no lane is NaN.
void canonNaN(asmjit::x86::Assembler& a, asmjit::x86::Xmm x, bool d);
// 16 constant bytes into x (through r11).
void loadConst(asmjit::x86::Assembler& a, asmjit::x86::Xmm x, uint64_t lo, uint64_t hi);
// x = ~x (clobbers xmm15).
void notInPlace(asmjit::x86::Assembler& a, asmjit::x86::Xmm x);

}  // namespace strata::jit
