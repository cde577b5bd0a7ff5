// Code images and the pc registry (see code_image.h).
#include "vm/code_image.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "support/populate.h"  // MADV_POPULATE_WRITE (prepareWrite)

namespace strata::vm {

namespace {

size_t pageSize() {
  static const size_t size = size_t(sysconf(_SC_PAGESIZE));
  return size;
}

size_t roundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// The registry: image ranges sorted by start address. Writers (publish, destruction) take
// `writers` and raise `writing`, then wait for readers to leave; readers (any thread, the signal
// handler included) spin while a writer is active. A writer never runs machine code while it
// holds the registry, so a reader in a signal handler never waits on its own thread.
struct Registry {
  struct Range {
    uintptr_t start, end;
    const CodeImage* image;
  };
  std::mutex writers;
  std::atomic<bool> writing{false};
  std::atomic<int> readers{0};
  std::vector<Range> ranges;

  template <class F>
  void write(F&& f) {
    std::lock_guard lock(writers);
    writing.store(true, std::memory_order_seq_cst);
    while (readers.load(std::memory_order_seq_cst) != 0) {
    }
    f(ranges);
    writing.store(false, std::memory_order_seq_cst);
  }

  const CodeImage* find(uintptr_t pc) {
    for (;;) {
      while (writing.load(std::memory_order_seq_cst)) {
      }
      readers.fetch_add(1, std::memory_order_seq_cst);
      if (!writing.load(std::memory_order_seq_cst)) break;
      readers.fetch_sub(1, std::memory_order_seq_cst);
    }
    const CodeImage* found = nullptr;
    auto it = std::upper_bound(ranges.begin(), ranges.end(), pc, [](uintptr_t v, const Range& r) { return v < r.start; });
    if (it != ranges.begin() && pc < std::prev(it)->end) found = std::prev(it)->image;
    readers.fetch_sub(1, std::memory_order_seq_cst);
    return found;
  }
};

Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: images may outlive static destructors
  return *r;
}

// Listeners: a fixed array filled under a mutex and read without one (a slot is written before
// the count that makes it visible), so that publishing with none costs one atomic load.
struct Listeners {
  static constexpr int kMax = 8;
  std::mutex mutex;
  CodeListener* slots[kMax] = {};
  std::atomic<int> count{0};

  template <class F>
  void each(F&& f) {
    int n = count.load(std::memory_order_acquire);
    for (int i = 0; i < n; ++i) f(*slots[i]);
  }
};

Listeners& listeners() {
  static Listeners* l = new Listeners;  // never destroyed, as the registry
  return *l;
}

}  // namespace

void addCodeListener(CodeListener* listener) {
  Listeners& l = listeners();
  std::lock_guard lock(l.mutex);
  int n = l.count.load(std::memory_order_relaxed);
  for (int i = 0; i < n; ++i)
    if (l.slots[i] == listener) return;
  if (n == Listeners::kMax) std::abort();  // a handful of tools at most; more is a bug
  l.slots[n] = listener;
  l.count.store(n + 1, std::memory_order_release);
}

Result<std::unique_ptr<CodeImage>> CodeImage::reserve(size_t code_bytes, size_t data_bytes, bool pooled,
                                                      bool populate) {
  size_t page = pageSize();
  size_t code_map = roundUp(std::max<size_t>(code_bytes, 1), page);
  size_t data_map = roundUp(data_bytes, page);
  std::unique_ptr<CodeImage> img(new CodeImage);
  // The process's first pooled image maps its own memory when it is small: creating the pool
  // (a 64 MiB shared mapping) costs ~40 us, while an own mapping's mprotect to executable costs
  // about 15-20 us per page written on this project's machines (14 pages: 180-310 us). Measured
  // on the whole compile (strata_bench, 12 alternated runs): through the pool fft (52 KiB of
  // code, a reservation of 148 KiB) 0.14 ms faster, ed25519 0.3 ms; noop (a reservation of
  // 40 KiB) 0.1 ms slower, hence an own mapping for reservations up to kOwnFirstBytes (issue
  // 10's start-up is noop's). From the second image on, the pool.
  constexpr size_t kOwnFirstBytes = 64 << 10;
  static std::atomic<bool> first{true};
  if (pooled && first.load(std::memory_order_relaxed) && first.exchange(false) && code_map + data_map <= kOwnFirstBytes)
    pooled = false;
  if (CodePool* pool = pooled ? CodePool::get() : nullptr) {
    if (auto chunk = pool->allocate(code_map + data_map, populate)) {
      img->chunk_ = *chunk;
      img->base_ = chunk->exec;
      img->writable_ = chunk->write;
      img->map_bytes_ = chunk->bytes;
    }
  }
  if (!img->chunk_) {
    // MAP_POPULATE: the pages are written right away, and faulting them in one by one cost more
    // than the code generation of a small module.
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0);
    void* p = mmap(nullptr, code_map + data_map, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) return makeError(ErrorKind::Resource, kNoOffset, "cannot map memory for code");
    img->base_ = img->writable_ = static_cast<uint8_t*>(p);
    img->map_bytes_ = code_map + data_map;
  }
  img->code_bytes_ = code_bytes;
  img->data_ = data_bytes ? img->base_ + code_map : nullptr;
  img->data_bytes_ = data_bytes;
  // Pool memory holds what its last owner left (int3); the data pages start zeroed.
  if (img->chunk_ && data_bytes) std::memset(img->writableData(), 0, data_bytes);
  return img;
}

void CodeImage::prepareWrite(size_t offset, size_t bytes) {
  size_t page = pageSize();
  size_t begin = std::min(offset / page * page, map_bytes_);
  size_t end = std::min(roundUp(offset + bytes, page), map_bytes_);
  if (end > begin) support::populateRange(writable_ + begin, end - begin);
}

Result<void> CodeImage::makeExecutable(size_t code_map) {
  if (chunk_) return {};
  // W^X: from here on the code is never writable again.
  if (mprotect(base_, code_map, PROT_READ | PROT_EXEC) != 0)
    return makeError(ErrorKind::Resource, kNoOffset, "cannot make code executable");
  return {};
}

CodeImage::~CodeImage() {
  if (registered_) {
    listeners().each([&](CodeListener& l) { l.released(*this); });
    registry().write([&](std::vector<Registry::Range>& ranges) {
      std::erase_if(ranges, [&](const Registry::Range& r) { return r.image == this; });
    });
  }
  if (chunk_)
    CodePool::get()->release(*chunk_);
  else if (base_)
    munmap(base_, map_bytes_);
}

Result<void> CodeImage::publish(std::span<const uint8_t> code, std::vector<FuncCodeInfo> funcs, ImageKind kind,
                                const void* module, void* fault_stub) {
  if (code.size() > code_bytes_) return makeError(ErrorKind::Resource, kNoOffset, "code larger than its image");
  std::memcpy(writable_, code.data(), code.size());
  STRATA_CHECK(makeExecutable(roundUp(std::max<size_t>(code_bytes_, 1), pageSize())));
  funcs_ = std::move(funcs);
  kind_ = kind;
  module_ = module;
  fault_stub_ = fault_stub;
  registerSelf();
  return {};
}

Result<void> CodeImage::publishInPlace(size_t code_bytes, size_t data_bytes, std::vector<FuncCodeInfo> funcs,
                                       ImageKind kind, const void* module, void* fault_stub,
                                       std::shared_ptr<const void> backing) {
  size_t page = pageSize();
  size_t code_map = roundUp(std::max<size_t>(code_bytes, 1), page);
  size_t used = code_map + roundUp(data_bytes, page);
  if (used > map_bytes_) return makeError(ErrorKind::Resource, kNoOffset, "code larger than its reservation");
  STRATA_CHECK(makeExecutable(code_map));
  if (chunk_) {
    CodePool::get()->shrink(*chunk_, used);
  } else if (used < map_bytes_) {
    munmap(base_ + used, map_bytes_ - used);
  }
  map_bytes_ = used;
  code_bytes_ = code_bytes;
  data_ = data_bytes ? base_ + code_map : nullptr;
  data_bytes_ = data_bytes;
  // The reservation's pages past the code were not written by the compiler: pool memory may
  // hold its last owner's int3 there, a fresh mapping zeros.
  if (chunk_ && data_bytes) std::memset(writableData(), 0, data_bytes);
  funcs_ = std::move(funcs);
  backing_ = std::move(backing);
  kind_ = kind;
  module_ = module;
  fault_stub_ = fault_stub;
  registerSelf();
  return {};
}

Result<std::unique_ptr<CodeImage>> CodeImage::map(int fd, uint64_t file_offset, std::span<const uint8_t> code,
                                                  size_t data_bytes, std::vector<FuncCodeInfo> funcs, ImageKind kind,
                                                  const void* module, void* fault_stub,
                                                  std::shared_ptr<const void> backing) {
  if (fd < 0) {
    // A copy: the pool's memory where there is one.
    std::unique_ptr<CodeImage> img = STRATA_TRY(reserve(code.size(), data_bytes));
    img->backing_ = std::move(backing);
    STRATA_CHECK(img->publish(code, std::move(funcs), kind, module, fault_stub));
    return img;
  }
  size_t page = pageSize();
  size_t code_map = roundUp(std::max<size_t>(code.size(), 1), page);
  size_t data_map = roundUp(data_bytes, page);
  if (file_offset % page != 0) return makeError(ErrorKind::Resource, kNoOffset, "code not page-aligned in its file");
  // One reservation, so the data pages lie right after the code (the code reaches them
  // pc-relative); then the code over its first part.
  void* p = mmap(nullptr, code_map + data_map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return makeError(ErrorKind::Resource, kNoOffset, "cannot map memory for code");
  std::unique_ptr<CodeImage> img(new CodeImage);
  img->base_ = img->writable_ = static_cast<uint8_t*>(p);
  img->map_bytes_ = code_map + data_map;
  // Not populated: the pages are in the page cache (the loader read them for the checksum), so
  // a first call into a page takes a minor fault that maps its neighbours too (fault-around),
  // and code that never runs costs nothing. Populating all of it was 0.14 ms of the 0.51 ms
  // load of large.wasm's 2.9 MB of code (issue 12: load at most 2% of compiling).
  if (mmap(p, code_map, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, off_t(file_offset)) == MAP_FAILED)
    return makeError(ErrorKind::Resource, kNoOffset, "cannot map code from its file");
  img->code_bytes_ = code.size();
  img->data_ = data_bytes ? img->base_ + code_map : nullptr;
  img->data_bytes_ = data_bytes;
  img->funcs_ = std::move(funcs);
  img->backing_ = std::move(backing);
  img->kind_ = kind;
  img->module_ = module;
  img->fault_stub_ = fault_stub;
  img->registerSelf();
  return img;
}

void CodeImage::registerSelf() {
  registry().write([&](std::vector<Registry::Range>& ranges) {
    Registry::Range r{uintptr_t(base_), uintptr_t(base_) + code_bytes_, this};
    auto it = std::upper_bound(ranges.begin(), ranges.end(), r.start,
                               [](uintptr_t v, const Registry::Range& x) { return v < x.start; });
    ranges.insert(it, r);
  });
  registered_ = true;
  listeners().each([&](CodeListener& l) { l.published(*this); });
}

const FuncCodeInfo* CodeImage::funcAt(uintptr_t pc) const {
  if (!contains(pc)) return nullptr;
  auto off = uint32_t(pc - uintptr_t(base_));
  auto it = std::upper_bound(funcs_.begin(), funcs_.end(), off, [](uint32_t v, const FuncCodeInfo& f) { return v < f.start; });
  if (it == funcs_.begin()) return nullptr;
  const FuncCodeInfo& f = *std::prev(it);
  return off < f.start + f.size ? &f : nullptr;
}

std::optional<CodeSite> CodeImage::siteAt(uintptr_t pc, SiteKind kind) const {
  if (kind_ == ImageKind::ModuleLines) {
    // The covering row of the line table: a return address belongs to the call just before
    // it, a faulting pc to the instruction at it. No row: code of the function's native entry
    // (see ImageKind::ModuleLines).
    uintptr_t at = kind == SiteKind::Call ? pc - 1 : pc;
    const FuncCodeInfo* f = funcAt(at);
    if (!f) return std::nullopt;
    auto off = uint32_t(at - uintptr_t(base_) - f->start);
    auto it = std::upper_bound(f->wasm_map.begin(), f->wasm_map.end(), off,
                               [](uint32_t v, const std::pair<uint32_t, uint32_t>& r) { return v < r.first; });
    if (it == f->wasm_map.begin()) return std::nullopt;
    CodeSite s;
    s.pc = uint32_t(pc - uintptr_t(base_) - f->start);
    s.wasm = std::prev(it)->second;
    s.kind = kind;
    s.trap = TrapKind::MemoryOutOfBounds;
    return s;
  }
  const FuncCodeInfo* f = funcAt(pc);
  if (!f) return std::nullopt;
  auto off = uint32_t(pc - uintptr_t(base_) - f->start);
  auto it = std::lower_bound(f->sites.begin(), f->sites.end(), off, [](const CodeSite& s, uint32_t v) { return s.pc < v; });
  for (; it != f->sites.end() && it->pc == off; ++it)
    if (it->kind == kind) return *it;
  return std::nullopt;
}

std::span<const CodeSite> CodeImage::sitesAt(const FuncCodeInfo& f, uint32_t off) {
  auto lt = [](const CodeSite& s, uint32_t v) { return s.pc < v; };
  auto it = std::lower_bound(f.sites.begin(), f.sites.end(), off, lt);
  auto end = it;
  while (end != f.sites.end() && end->pc == off) ++end;
  return {it, end};
}

const FuncCodeInfo* CodeImage::func(uint32_t func_index) const {
  for (const FuncCodeInfo& f : funcs_)
    if (f.func_index == func_index) return &f;
  return nullptr;
}

const CodeImage* findCodeImage(uintptr_t pc) { return registry().find(pc); }

}  // namespace strata::vm
