// The code memory pool (see code_pool.h): segments of shared memory mapped twice, first-fit chunks.
#include "vm/code_pool.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "support/populate.h"  // MADV_POPULATE_* on older headers (the fallback below touches the pages)

namespace strata::vm {

namespace {

// Address space only: shared memory pages are allocated when first touched, so a large segment
// costs nothing until used and rarely needs a second one.
constexpr size_t kSegmentBytes = size_t(64) << 20;
// Pages are made present in both aliases ahead of use, so a page fault (~11 us on these
// machines) is never taken. Populating costs about 2 us a page, so the first step is just what
// was asked (a process compiling one small module pays for its own pages only); later steps
// at least double what is present, up to this much at a time, so a process compiling many
// modules makes few calls.
constexpr size_t kMaxPopulateStep = size_t(1) << 20;
constexpr uint8_t kInt3 = 0xcc;

size_t pageSize() {
  static const size_t size = size_t(sysconf(_SC_PAGESIZE));
  return size;
}

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

struct Segment {
  uint8_t* exec = nullptr;
  uint8_t* write = nullptr;
  size_t bytes = 0;
  size_t populated = 0;          // [0, populated) is present in both aliases
  std::map<size_t, size_t> free;  // offset -> length, coalesced, sorted
  size_t used = 0;
  bool abandoned = false;  // inherited across fork, or unmapped: never written again
  bool dedicated = false;  // made for one chunk larger than kSegmentBytes: unmapped when freed

  void addFree(size_t off, size_t len) {
    auto next = free.lower_bound(off);
    if (next != free.end() && off + len == next->first) {
      len += next->second;
      next = free.erase(next);
    }
    if (next != free.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == off) {
        prev->second += len;
        return;
      }
    }
    free.emplace_hint(next, off, len);
  }

  // First fit: low offsets are reused first, and those pages are the ones already present.
  std::optional<size_t> take(size_t len) {
    for (auto it = free.begin(); it != free.end(); ++it) {
      if (it->second < len) continue;
      size_t off = it->first, rest = it->second - len;
      free.erase(it);
      if (rest) free.emplace(off + len, rest);
      used += len;
      return off;
    }
    return std::nullopt;
  }

  // Makes [0, end) present in both aliases.
  void populate(size_t end) {
    if (end <= populated) return;
    size_t to = std::min(bytes, std::max(roundUp(end, pageSize()), populated + std::min(populated, kMaxPopulateStep)));
    size_t from = populated, n = to - from;
    // Without MADV_POPULATE_* (before Linux 5.14): one touch per page, an atomic or of zero,
    // which changes no byte even where a chunk handed out unpopulated (allocate) is being
    // written by another thread right now.
    if (madvise(write + from, n, MADV_POPULATE_WRITE) != 0)
      for (size_t p = from; p < to; p += pageSize()) __atomic_fetch_or(write + p, uint8_t(0), __ATOMIC_RELAXED);
    if (madvise(exec + from, n, MADV_POPULATE_READ) != 0)
      for (size_t p = from; p < to; p += pageSize()) (void)*reinterpret_cast<volatile const uint8_t*>(exec + p);
    populated = to;
  }
};

// One shared anonymous mapping (shmem) and a second mapping of the same pages made by mremap
// with old size 0; the second is then made read+execute. Not a memfd: perf attributes samples
// in a named file mapping ("/memfd:...") to that file and never reads the perf map
// (--profile perfmap), while a shared anonymous mapping ("/dev/zero (deleted)") counts as
// anonymous memory; and no file descriptor or executable-memfd policy (vm.memfd_noexec) is
// involved. Null when the system refuses any step.
std::unique_ptr<Segment> mapSegment(size_t bytes) {
  void* w = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (w == MAP_FAILED) return nullptr;
  void* x = mremap(w, 0, bytes, MREMAP_MAYMOVE);
  // Read+write until here, never executable: W^X holds at every moment.
  if (x != MAP_FAILED && mprotect(x, bytes, PROT_READ | PROT_EXEC) != 0) {
    munmap(x, bytes);
    x = MAP_FAILED;
  }
  if (x == MAP_FAILED) {
    munmap(w, bytes);
    return nullptr;
  }
  auto seg = std::make_unique<Segment>();
  seg->write = static_cast<uint8_t*>(w);
  seg->exec = static_cast<uint8_t*>(x);
  seg->bytes = bytes;
  seg->free.emplace(0, bytes);
  return seg;
}

}  // namespace

struct CodePool::Impl {
  mutable std::mutex mutex;
  std::vector<std::unique_ptr<Segment>> segments;  // never erased: chunks name them by index
  size_t allocated = 0;
};

std::optional<CodePool::Chunk> CodePool::allocate(size_t bytes, bool populate) {
  size_t len = roundUp(std::max<size_t>(bytes, 1), pageSize());
  std::lock_guard lock(impl_->mutex);
  Segment* seg = nullptr;
  size_t index = 0, off = 0;
  for (; index < impl_->segments.size(); ++index) {
    Segment& s = *impl_->segments[index];
    if (s.abandoned) continue;
    if (auto at = s.take(len)) {
      seg = &s;
      off = *at;
      break;
    }
  }
  if (!seg) {
    std::unique_ptr<Segment> fresh = mapSegment(std::max(kSegmentBytes, len));
    if (!fresh) return std::nullopt;
    fresh->dedicated = len > kSegmentBytes;
    off = *fresh->take(len);
    seg = fresh.get();
    index = impl_->segments.size();
    impl_->segments.push_back(std::move(fresh));
  }
  if (populate) seg->populate(off + len);
  impl_->allocated += len;
  return Chunk{seg->exec + off, seg->write + off, len, uint32_t(index)};
}

void CodePool::shrink(Chunk& c, size_t bytes) {
  bytes = roundUp(bytes, pageSize());
  if (bytes >= c.bytes) return;
  std::lock_guard lock(impl_->mutex);
  Segment& s = *impl_->segments[c.segment];
  if (!s.abandoned) {
    // The tail was handed out but never written in this chunk's life: no fill needed beyond
    // what the previous owner's release did.
    s.addFree(size_t(c.exec - s.exec) + bytes, c.bytes - bytes);
    s.used -= c.bytes - bytes;
  }
  impl_->allocated -= c.bytes - bytes;
  c.bytes = bytes;
}

void CodePool::release(const Chunk& c) {
  std::lock_guard lock(impl_->mutex);
  impl_->allocated -= c.bytes;
  Segment& s = *impl_->segments[c.segment];
  if (s.abandoned) return;
  s.used -= c.bytes;
  if (s.dedicated && s.used == 0) {
    munmap(s.write, s.bytes);
    munmap(s.exec, s.bytes);
    s.abandoned = true;
    return;
  }
  std::memset(c.write, kInt3, c.bytes);
  s.addFree(size_t(c.exec - s.exec), c.bytes);
}

size_t CodePool::segmentCount() const {
  std::lock_guard lock(impl_->mutex);
  return size_t(std::count_if(impl_->segments.begin(), impl_->segments.end(), [](auto& s) { return !s->abandoned; }));
}

size_t CodePool::allocatedBytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->allocated;
}

// Fork: the prepare handler takes the lock so that no other thread holds it mid-update when the
// child is made (the child would find it locked forever); the child abandons what it shares.
struct PoolAccess {
  static CodePool* instance;
  static void prepare() { instance->impl_->mutex.lock(); }
  static void parent() { instance->impl_->mutex.unlock(); }
  static void child() {
    for (auto& s : instance->impl_->segments) {
      s->abandoned = true;
      s->free.clear();
    }
    instance->impl_->mutex.unlock();
  }
  static CodePool* create() {
    if (const char* env = std::getenv("STRATA_CODE_POOL"); env && std::strcmp(env, "0") == 0) return nullptr;
    // A first segment now: if the system cannot dual-map, the pool is off for good.
    std::unique_ptr<Segment> first = mapSegment(kSegmentBytes);
    if (!first) return nullptr;
    auto* pool = new CodePool;  // never destroyed: images may outlive static destructors
    pool->impl_ = new CodePool::Impl;
    pool->impl_->segments.push_back(std::move(first));
    instance = pool;
    pthread_atfork(&prepare, &parent, &child);
    return pool;
  }
};

CodePool* PoolAccess::instance = nullptr;

CodePool* CodePool::get() {
  static CodePool* pool = PoolAccess::create();
  return pool;
}

}  // namespace strata::vm
