// Start-up: a first heap mapped with one system call instead of one page fault per page. Issue 10
// bounds the whole start-up at 1 ms over a native program that does nothing.
//
// Only the heap. The tool's own code, read-only data and relocated data were populated here too
// (sessions 22-27: `madvise(MADV_POPULATE_READ)` over the code a start runs, ~160 pages, and the
// read-only segment, ~200). Measured again in session 28 on this project's machines (120
// alternated whole-process runs of `strata run --tier baseline` on noop against a native no-op):
// +0.71 ms with them, +0.54 with the heap alone, +0.52 with nothing; from a compiled artifact
// +0.32 against +0.10. A page of a file mapping that faults maps its neighbours in the page
// cache with it (the kernel's fault-around, 16 pages), and the start-up order
// (startup_order.txt) keeps the functions a start runs together, so those faults are few; populating
// maps every page of the ranges, most of which a run never reads, and unmapping them at exit costs
// again. Anonymous memory has no fault-around: the heap's first pages fault one by one, which a
// compile of a larger module feels (strata_bench --compile-only, 30 alternated runs: ed25519 5.24
// against 5.37 ms, keccak 1.10 against 1.17), so the heap keeps its populate.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "support/populate.h"

namespace {

// What the run of a small module allocates before its guest starts (measured with mallinfo2:
// about 270 KB of arena for the Sightglass noop program).
constexpr size_t kHeapPrefault = 320 << 10;

// STRATA_NO_PREFAULT=1 turns it off (to measure it). The environment comes as an argument:
// .preinit_array functions run before the C library has set `environ` up.
void prefault(int, char**, char** envp) {
  for (char** e = envp; e && *e; ++e)
    if (std::strncmp(*e, "STRATA_NO_PREFAULT=", 19) == 0) return;
  // The heap: let the first growth take the whole amount, then map it at once. Freed memory
  // stays in the arena (top pad) rather than going back to the kernel at each free.
  mallopt(M_TOP_PAD, int(kHeapPrefault));
  // (The page of `first` itself, left out by the rounding, is written by malloc already.)
  auto* first = static_cast<uint8_t*>(std::malloc(1));
  strata::support::populateRange(first, size_t(static_cast<uint8_t*>(sbrk(0)) - first));
  std::free(first);
}

}  // namespace

// .preinit_array runs before every constructor of the executable (and its libraries' are few).
__attribute__((section(".preinit_array"), used)) void (*const strata_prefault)(int, char**, char**) = prefault;
