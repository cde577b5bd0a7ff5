// Populating memory with one system call instead of a page fault per page: a page fault costs
// about 11 us on this project's virtual machines, populating about 1 us a page
// (MADV_POPULATE_READ / MADV_POPULATE_WRITE, Linux 5.14; older kernels refuse them with EINVAL
// and the pages then fault in as before).
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace strata::support {

// Makes the whole pages inside [p, p + n) present and writable, whatever the size (memory of
// the caller's own mapping, written soon: see CodeImage::prepareWrite).
inline void populateRange(void* p, size_t n) {
  auto page = uintptr_t(sysconf(_SC_PAGESIZE));
  uintptr_t begin = (uintptr_t(p) + page - 1) & ~(page - 1), end = (uintptr_t(p) + n) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
}

// Makes the whole pages inside [p, p + n) present and writable, for a buffer about to be
// written whole (a large copy into fresh heap memory). Pages the buffer only shares with its
// neighbours are left to fault as usual (most are mapped already). Small buffers are left alone.
inline void populateForWrite(void* p, size_t n) {
  constexpr size_t kMinBytes = 64 << 10;
  if (n >= kMinBytes) populateRange(p, n);
}

// Before a push onto a stack that nests with the code (the validator's and the compiler's
// control stacks): once it is 64 deep, room for the deepest it can get (`bound`, from the body's
// size) at once. A C `switch` compiled to `br_table` nests a block per case (shootout-switch:
// some 6,500), and growing by doubling moved the whole stack into fresh memory at each step,
// twice its final size in page faults (~800 of them, 11-15 us each, most of that module's
// compile). Capacity never reached costs no page.
template <class Vec>
void reserveDeep(Vec& v, size_t bound) {
  if (v.size() == v.capacity() && v.capacity() >= 64 && bound > v.capacity()) v.reserve(bound);
}

// An empty vector resized to `n` elements, its fresh memory populated first (a large table
// built at once: a compiled module's or a loaded artifact's function infos).
template <class Vec>
void resizePopulated(Vec& v, size_t n) {
  v.reserve(n);
  populateForWrite(v.data(), sizeof(*v.data()) * n);
  v.resize(n);
}

}  // namespace strata::support
