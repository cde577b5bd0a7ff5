// Debian's libasmjit.a is built as position-dependent code, and one of its objects reads
// libc's `stderr` (for asmjit's debug output) with a relocation a shared object cannot carry.
// libstrata.so links a copy of the archive whose reference is renamed to this variable (see
// CMakeLists.txt), which lives inside the library where such a relocation is fine.
#include <cstdio>

extern "C" {
__attribute__((visibility("hidden"))) FILE* strata_asmjit_stderr = stderr;
}
