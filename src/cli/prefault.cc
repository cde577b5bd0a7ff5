// Start-up: map the tool's own code and a first heap with one system call each instead of one
// page fault per page. A page fault costs about 11 us on the virtual machines this runs on
// (measured: populating costs about 1 us a page), and a `strata run` of a module that does
// nothing touched some 35 pages of code and 30 of heap, one fault each. Issue 10 bounds the
// whole start-up at 1 ms over a native program that does nothing.
#include <link.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "support/populate.h"  // MADV_POPULATE_*


// The end of the code a start runs: the last name in startup_order.txt, so linked right after
// every other function there.
extern "C" __attribute__((noinline, used)) void strata_startup_code_end() { asm volatile(""); }

namespace {

#ifdef STRATA_STARTUP_ORDERED
constexpr bool kOrdered = true;
#else
constexpr bool kOrdered = false;
#endif

// What the run of a small module allocates before its guest starts (measured with mallinfo2:
// about 270 KB of arena for the Sightglass noop program).
constexpr size_t kHeapPrefault = 320 << 10;

void populate(uintptr_t begin, uintptr_t end, int advice) {
  uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
  begin &= ~(page - 1);
  end = (end + page - 1) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}

// The executable's segments (the first object dl_iterate_phdr lists). Its data and bss are
// written by the C++ library's start-up (locales, streams) and by ours; the part of the data
// segment that is read-only after relocation (GNU_RELRO) can only be populated for reading.
// Not all of the code: populating costs about 0.4 us a page and unmapping it at exit 0.15 us,
// and a start runs some 600 KB of the 3.5 MB. Those functions are linked first
// (startup_order.txt), the last of them strata_startup_code_end: the code is populated up to it,
// and the rest faults in where it runs (16 pages a fault). Nor the unwinding tables (from
// PT_GNU_EH_FRAME on), read only when an exception is thrown.
int populateSegments(dl_phdr_info* info, size_t, void*) {
  uintptr_t relro_end = 0, eh_frame = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_GNU_RELRO) relro_end = info->dlpi_addr + ph.p_vaddr + ph.p_memsz;
    if (ph.p_type == PT_GNU_EH_FRAME) eh_frame = info->dlpi_addr + ph.p_vaddr;
  }
  auto hot_end = reinterpret_cast<uintptr_t>(&strata_startup_code_end);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    uintptr_t begin = info->dlpi_addr + ph.p_vaddr, end = begin + ph.p_memsz;
    if (!(ph.p_flags & PF_W)) {
      // A link without the order puts the marker anywhere: then all of it, as before.
      if ((ph.p_flags & PF_X) && hot_end > begin && hot_end < end && kOrdered) end = hot_end;
      if (!(ph.p_flags & PF_X) && eh_frame > begin && eh_frame < end) end = eh_frame;
      populate(begin, end, MADV_POPULATE_READ);
      continue;
    }
    // RELRO ends on a page boundary once the loader has protected it (rounded up here).
    uintptr_t page = uintptr_t(sysconf(_SC_PAGESIZE));
    uintptr_t writable = std::max(begin, (relro_end + page - 1) & ~(page - 1));
    populate(begin, writable, MADV_POPULATE_READ);
    populate(writable, end, MADV_POPULATE_WRITE);
  }
  return 1;  // only the executable
}

// STRATA_NO_PREFAULT=1 turns it off (to measure it). The environment comes as an argument:
// .preinit_array functions run before the C library has set `environ` up.
void prefault(int, char**, char** envp) {
  for (char** e = envp; e && *e; ++e)
    if (std::strncmp(*e, "STRATA_NO_PREFAULT=", 19) == 0) return;
  dl_iterate_phdr(populateSegments, nullptr);
  // The heap: let the first growth take the whole amount, then map it at once. Freed memory
  // stays in the arena (top pad) rather than going back to the kernel at each free.
  mallopt(M_TOP_PAD, int(kHeapPrefault));
  void* first = std::malloc(1);
  auto heap = uintptr_t(first);
  populate(heap, uintptr_t(sbrk(0)), MADV_POPULATE_WRITE);
  std::free(first);
}

}  // namespace

// .preinit_array runs before every constructor of the executable (and its libraries' are few).
__attribute__((section(".preinit_array"), used)) void (*const strata_prefault)(int, char**, char**) = prefault;
