// Engine configuration (features, tier, bounds checks, stack budget) and per-store resource limits.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "ir/features.h"
#include "vm/compiler.h"

namespace strata {

using vm::BoundsChecks;

// Resource limits of one Store (wasmtime's StoreLimits). memory.grow and table.grow return -1
// rather than exceed them; creating memories or tables beyond them fails instantiation.
struct StoreLimits {
  uint64_t max_memory_bytes = std::numeric_limits<uint64_t>::max();  // per linear memory
  // Per table. Finite by default so a table.grow by 2^31 fails (-1) instead of allocating 16 GiB.
  uint64_t max_table_elements = 10'000'000;
  uint32_t max_instances = 10000;
  uint32_t max_memories = 10000;
  uint32_t max_tables = 10000;
  // Bytes of live GC objects (structs and arrays, docs/gc.md): an allocation beyond it, after
  // a collection, traps.
  uint64_t max_gc_heap_bytes = std::numeric_limits<uint64_t>::max();
};

// How machine code is made visible to a profiler (docs/profiling.md).
enum class Profiling : uint8_t {
  None,
  PerfMap,  // /tmp/perf-PID.map, read by `perf report`
  JitDump,  // jit-PID.dump in the current directory, for `perf inject --jit`
};

struct Config {
  ir::Features features;
  // Execution tier by name (see Engine::registerTier); "interp" is the interpreter. Empty: the
  // default tier (Engine::defaultTier: baseline where the host runs it, else interp), which
  // Engine::config() then names.
  std::string tier;
  // GuardPages: 32-bit memories reserve 8 GiB of address space so code needs no bounds checks
  // (an access beyond the memory faults and becomes a trap). Explicit: code compares every
  // address with the memory length and memories reserve only up to their maximum.
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  // Native stack bytes that wasm (and re-entrant host calls) may use below the first entry
  // point before a call traps with "call stack exhausted".
  uint64_t max_wasm_stack = 512 * 1024;
  // Explicit mode and memory64: the most address space one memory reserves (its base never
  // moves, so grow fails beyond this).
  uint64_t max_memory_reservation = uint64_t{4} << 30;
  bool nan_canonicalization = false;
  bool consume_fuel = false;
  bool epoch_interruption = false;
  // Compile a module's functions on a pool of threads (one per hardware thread) where the tier
  // can (llvm today). The code is the same either way.
  bool parallel_compilation = true;
  // The CPU the llvm tier generates code for: "native" (or empty: this host, with every
  // extension it has), "portable" (x86-64-v2: up to SSE4.2 and POPCNT, what any x86-64 server
  // of the last fifteen years runs; for compiled artifacts copied to other machines), or an
  // LLVM CPU name ("x86-64-v3", "skylake-avx512", "znver4"). A CPU with an extension this host
  // lacks is refused: the code could not run here. The other tiers pick their instructions
  // at run time (`strata settings` lists them).
  std::string target_cpu;
  // Limits every new Store starts with.
  StoreLimits store_limits;
  // Profiler and debugger support. Both are process-wide from the first engine that asks for
  // them on: every code image published afterwards is described, whichever engine compiled it.
  // An engine without them costs nothing. The environment variable STRATA_PERFMAP (any value)
  // asks for PerfMap on every engine, for programs that cannot change their Config.
  Profiling profiling = Profiling::None;
  // The GDB JIT interface: gdb names the wasm functions of machine-code tiers in backtraces,
  // with a line table whose lines are wasm offsets (this turns wasm_map on).
  bool debug_info = false;
  // Machine-code tiers keep, per function, the pc of every wasm instruction's code
  // (vm::FuncCodeInfo::wasm_map): what `strata explore` and `objdump --disassemble` interleave
  // with the disassembly. Off by default: 8 bytes per instruction of fresh memory at every
  // compile, which on this project's virtual machines cost about 1 ms of a first compile of
  // shootout-ed25519 in page faults. Traps and backtraces do not need it.
  bool wasm_map = false;
  // The on-disk code cache (docs/artifacts.md, "The cache"): when set and the tier writes
  // machine code, Module::fromBinary loads a module compiled before with the same settings
  // instead of compiling it again. Empty: no cache.
  std::string cache_dir;
  // Past this total, the least recently used entries are deleted.
  uint64_t cache_max_bytes = uint64_t{1} << 30;
};

}  // namespace strata
