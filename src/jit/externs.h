// Extern ids: what a data-page slot of a machine-code image holds, independent of where this
// process put it (docs/jit.md "The code image"). Code calls through these slots, so it holds no
// absolute address: an image maps anywhere and the slots are filled at load. Shared by the
// baseline and llvm tiers (no assembler header here).
#pragma once

#include <cstdint>

#include "ir/opcodes.h"

namespace strata::jit {

inline constexpr uint32_t kExternTrap = 0;  // the trap stub (stubs.h Stubs::trap)
inline constexpr uint32_t externThunk(ir::Opcode op) { return 1 + uint32_t(op); }
inline constexpr uint32_t kExternTrapC = 0x10000;  // Stubs::trap_c
// C library functions LLVM's code generator may call (memcpy for a large copy of locals...).
inline constexpr uint32_t kExternMemcpy = 0x10001;
inline constexpr uint32_t kExternMemmove = 0x10002;
inline constexpr uint32_t kExternMemset = 0x10003;
// Exception handling on the baseline tier (jit/exn_thunks.cc, thunks.h).
inline constexpr uint32_t kExternThrow = 0x10004;
inline constexpr uint32_t kExternThrowRef = 0x10005;
inline constexpr uint32_t kExternCaught = 0x10006;
inline constexpr uint32_t kExternInFlight = 0x10007;
inline constexpr uint32_t kExternTaken = 0x10008;
inline constexpr uint32_t kExternSpecials = 9;  // ids kExternTrapC .. kExternTrapC + 8
// The address of extern `id` in this process, or null for an id this build does not know.
const void* externAddress(uint32_t id);

}  // namespace strata::jit
