// Linear memory reservation, commit and growth.
#include "runtime/memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

namespace strata::runtime {

namespace {

uint64_t osPageSize() {
  static const uint64_t size = uint64_t(sysconf(_SC_PAGESIZE));
  return size;
}

uint64_t roundUp(uint64_t n, uint64_t to) { return (n + to - 1) / to * to; }

constexpr uint64_t kHugePage = uint64_t{2} << 20;
static_assert(vm::kMemory32LowGuard <= kHugePage);

}  // namespace

MemoryObj::~MemoryObj() {
  if (reservation) munmap(reservation, reserved);
}

uint64_t MemoryObj::maxPages() const {
  uint64_t address_bits = type.limits.is64 ? 64 : 32;
  // spec 2.3.x (memory64): the byte size must fit the address type; 64-bit memories are held
  // to 2^48 bytes like every engine, since no machine maps more.
  uint64_t max_bytes_log2 = type.limits.is64 ? 48 : address_bits;
  uint64_t limit = uint64_t{1} << (max_bytes_log2 - type.page_size_log2);
  // A 32-bit memory stays vm::kMemory32Headroom (64 KiB) short of 4 GiB, which the llvm tier's
  // loop addresses rely on. The spec lets memory.grow fail (4.4.7.11) and instantiation run out
  // of resources; only a memory of exactly 4 GiB is refused.
  if (!type.limits.is64) limit = ((uint64_t{1} << 32) - vm::kMemory32Headroom) >> type.page_size_log2;
  return type.limits.max ? std::min(*type.limits.max, limit) : limit;
}

Result<std::unique_ptr<MemoryObj>> MemoryObj::create(const ir::MemoryType& type, const Config& config,
                                                     const StoreLimits& limits) {
  auto m = std::make_unique<MemoryObj>();
  m->type = type;
  m->limits = &limits;
  uint64_t page = m->pageSize();
  uint64_t min_bytes = type.limits.min * page;
  if (type.limits.min > m->maxPages() || min_bytes > limits.max_memory_bytes) {
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "memory size exceeds the store's limit");
  }
  // Guard pages: the reservation also holds vm::kMemory32LowGuard bytes below the base, and
  // the base is placed on a 2 MiB boundary so that transparent huge pages can back the memory
  // from its first byte (below).
  uint64_t below = 0;
  if (config.bounds_checks == BoundsChecks::GuardPages && !type.limits.is64) {
    below = kHugePage + vm::kMemory32LowGuard;
    m->reserved = kGuardReservation + below;
  } else {
    uint64_t max_bytes = m->maxPages() * page;
    m->reserved = std::max(min_bytes, std::min(max_bytes, config.max_memory_reservation));
  }
  m->reserved = roundUp(std::max<uint64_t>(m->reserved, 1), osPageSize());
  void* p = mmap(nullptr, m->reserved, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    m->reserved = 0;
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "cannot reserve address space for a memory");
  }
  m->reservation = static_cast<uint8_t*>(p);
  m->vm.base = m->reservation;
  if (below) {
    auto at = reinterpret_cast<uintptr_t>(p) + vm::kMemory32LowGuard;
    m->vm.base = reinterpret_cast<uint8_t*>((at + kHugePage - 1) & ~uintptr_t(kHugePage - 1));
  }
#ifdef MADV_HUGEPAGE
  // Transparent huge pages where the kernel leaves the choice to the program (the "madvise"
  // setting): programs that walk tables of many MiB spend much of their time in TLB misses
  // (bench/programs/hashtable: about 2x). Only 2 MiB-aligned ranges entirely inside the
  // committed part can become huge pages, so small memories keep 4 KiB pages. Advice only:
  // a kernel without THP ignores it.
  (void)madvise(p, m->reserved, MADV_HUGEPAGE);
#endif
  if (m->grow(type.limits.min) < 0) {
    return makeError(ErrorKind::Uninstantiable, kNoOffset, "cannot commit the memory's initial size");
  }
  return m;
}

int64_t MemoryObj::grow(uint64_t delta_pages) {
  uint64_t old_pages = pages();
  if (delta_pages > maxPages() - old_pages) return -1;
  uint64_t new_bytes = (old_pages + delta_pages) * pageSize();
  uint64_t room = reserved - uint64_t(vm.base - reservation);  // from the base to the reservation's end
  if (new_bytes > limits->max_memory_bytes || new_bytes > room) return -1;
  uint64_t want = roundUp(new_bytes, osPageSize());
  if (want > committed) {
    // Fresh anonymous pages read as zero, as spec 4.5.3 requires of new memory.
    if (mprotect(vm.base + committed, want - committed, PROT_READ | PROT_WRITE) != 0) return -1;
    committed = want;
  }
  vm.length = new_bytes;
  return int64_t(old_pages);
}

}  // namespace strata::runtime
