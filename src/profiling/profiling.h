// Making machine code visible to profilers and debuggers (docs/profiling.md). Each switch adds
// a process-wide vm::CodeListener that describes every code image published afterwards; none
// is ever switched off, and a process that switches none pays nothing.
#pragma once

#include "support/error.h"

namespace strata::profiling {

// /tmp/perf-PID.map: one "START SIZE NAME" line per function, which `perf report` reads.
Result<void> enablePerfMap();

// jit-PID.dump in the current directory: perf's jitdump format (the Linux source's
// tools/perf/Documentation/jitdump-specification.txt) with each function's name and code, for
// `perf record -k mono` + `perf inject --jit`. Io error when the file cannot be created.
Result<void> enableJitDump();

// The GDB JIT interface: each image is registered with an in-memory ELF object holding a
// symbol per function, so gdb names wasm functions in backtraces and `info symbol`, and where
// the tier kept a pc -> wasm offset map, a DWARF line table whose lines are wasm offsets.
void enableGdbJit();

}  // namespace strata::profiling
