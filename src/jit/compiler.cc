// The baseline tier's vm::Compiler: compiles every defined function of a module into one code
// image, behind the native calling convention, with the stubs' array-call entry.
#include <algorithm>
#include <asmjit/x86.h>
#include <fmt/core.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>

#include "jit/codegen.h"
#include "jit/jit.h"
#include "jit/stubs.h"
#include "jit/thunks.h"
#include "support/cpu_features.h"
#include "support/populate.h"
#include "vm/compile_pool.h"

namespace strata::jit {

namespace {

using namespace asmjit;

class ErrorCollector : public ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
    if (!failed) {
      failed = true;
      too_large = err == kErrorTooLarge;
      text = fmt::format("baseline: assembler error {}: {}", err, message);
    }
  }
  bool failed = false;
  bool too_large = false;
  std::string text;
};

void fillSlots(const CompiledCode& c);

constexpr uint64_t bit(support::CpuFeature f) { return uint64_t{1} << unsigned(f); }

class JitModule final : public vm::CompiledModule {
 public:
  JitModule(const ir::Module& m, CompiledCode code) : module_(m), code_(std::move(code)) {}

  void initFuncRef(uint32_t func_index, vm::VMFuncRef& ref) const override {
    const vm::FuncCodeInfo& f = code_.image->funcs()[func_index - module_.num_imported_functions];
    ref.array_call = stubs().entry;
    ref.wasm_call = code_.image->base() + f.start;
    ref.code = &f;
  }
  std::string_view tierName() const override { return "baseline"; }
  // The call slots are the data page's first entries, in defined-function order (fillSlots).
  CallSlot callSlot(uint32_t func_index) const override {
    size_t at = 8 * size_t(func_index - module_.num_imported_functions);
    return {reinterpret_cast<void* const*>(code_.image->data() + at),
            reinterpret_cast<void**>(code_.image->writableData() + at)};
  }
  size_t codeBytes() const override { return code_.image->codeBytes(); }
  const vm::CodeImage* codeImage() const override { return code_.image.get(); }
  Result<vm::CodeArtifact> artifact() const override {
    vm::CodeArtifact out;
    out.code = {code_.image->base(), code_.image->codeBytes()};
    out.data_bytes = code_.image->dataBytes();
    out.funcs.assign(code_.image->funcs().begin(), code_.image->funcs().end());
    out.externs = code_.externs;
    // What the code generator relies on (docs/jit.md; `strata settings` lists why), and SSE4.2
    // where this host has it: the generator then emits pcmpgtq (i64x2 comparisons).
    using support::CpuFeature;
    out.cpu_features = bit(CpuFeature::Sse2) | bit(CpuFeature::Ssse3) | bit(CpuFeature::Sse41);
    if (support::hostCpu().has(CpuFeature::Sse42)) out.cpu_features |= bit(CpuFeature::Sse42);
    return out;
  }

 private:
  const ir::Module& module_;
  CompiledCode code_;
};

class JitCompiler final : public vm::Compiler {
 public:
  explicit JitCompiler(std::unique_ptr<vm::Compiler> fallback) : fallback_(std::move(fallback)) {}
  std::string_view name() const override { return "baseline"; }
  // Every body goes through FuncValidator<FuncCompiler>; a module handed to the fallback is
  // validated by the fallback's own pass over every body.
  bool validatesBodies() const override { return !fallback_ || fallback_->validatesBodies(); }
  Result<std::shared_ptr<const vm::CompiledModule>> compile(const ir::Module& module, const validate::ModuleEnv& env,
                                                            const vm::CompileOptions& options) const override {
    auto code = compileModule(module, env, options);
    if (!code) {
      if (code.error().kind == ErrorKind::Unsupported && fallback_) {
        if (std::getenv("STRATA_JIT_VERBOSE")) fmt::print(stderr, "baseline: handed to {}: {}\n", fallback_->name(), code.error().message);
        return fallback_->compile(module, env, options);
      }
      return std::unexpected(code.error());
    }
    return std::shared_ptr<const vm::CompiledModule>(std::make_shared<JitModule>(module, std::move(*code)));
  }
  Result<std::shared_ptr<const vm::CompiledModule>> load(const ir::Module& module, vm::CodeArtifact art) const override {
    if (!stubs().entry) return makeError(ErrorKind::Resource, kNoOffset, "baseline: cannot map executable memory");
    auto bad = [](std::string_view what) {
      return makeError(ErrorKind::Malformed, kNoOffset, fmt::format("compiled artifact: {}", what));
    };
    STRATA_CHECK(vm::checkArtifactFuncs(module, art, true));
    size_t ndef = art.funcs.size();
    for (uint32_t id : art.externs)
      if (!externAddress(id)) return bad(fmt::format("unknown extern slot id {}", id));
    if (art.data_bytes != std::max<size_t>(8 * (ndef + art.externs.size()), 8)) return bad("bad data size");
    CompiledCode code;
    code.image = STRATA_TRY(vm::CodeImage::map(art.fd, art.file_offset, art.code, art.data_bytes, std::move(art.funcs),
                                               vm::ImageKind::Module, &module, stubs().trap, std::move(art.backing)));
    code.externs = std::move(art.externs);
    fillSlots(code);
    return std::shared_ptr<const vm::CompiledModule>(std::make_shared<JitModule>(module, std::move(code)));
  }

 private:
  std::unique_ptr<vm::Compiler> fallback_;
};


// The data page: the call slots (each defined function's entry), then the extern slots.
void fillSlots(const CompiledCode& c) {
  auto* slots = reinterpret_cast<uintptr_t*>(c.image->writableData());
  auto funcs = c.image->funcs();
  for (size_t i = 0; i < funcs.size(); ++i) slots[i] = uintptr_t(c.image->base() + funcs[i].start);
  for (size_t k = 0; k < c.externs.size(); ++k) slots[funcs.size() + k] = uintptr_t(externAddress(c.externs[k]));
}

// A range of defined functions assembled as one unit. Chunks are split by body size alone
// (never by thread count, so the code is the same however many threads compile it), assembled
// at once on the compilation pool (vm/compile_pool.h), each into a scratch buffer, then copied
// to follow each other in the image (Placer). Everything a chunk's code reaches
// outside itself is on the data page (call slots, extern slots), through labels of two
// sections of its own whose offsets are set once the layout is known, when asmjit resolves
// the displacements.
struct Chunk {
  // asmjit takes a null temporary as "none", not an empty block of zero bytes.
  explicit Chunk(asmjit::Support::Temporary zone) : zone_memory(zone), code(zone._data ? &zone_memory : nullptr) {}
  uint32_t begin = 0, end = 0;      // defined functions [begin, end)
  size_t capacity = 0;                     // of its scratch buffer
  std::unique_ptr<uint8_t[]> scratch;      // where it is assembled, until placed
  uint8_t* in_place = nullptr;             // or the image itself, for a module of one chunk
  bool compiled = false;                   // (Placer, under its lock)
  size_t size = 0, place = 0;              // bytes assembled; final offset in the image
  asmjit::Support::Temporary zone_memory;  // the first block of code's zone (ZoneArena)
  CodeHolder code;
  Section* got = nullptr;  // the call slots (at the data page's start)
  Section* ext = nullptr;  // this chunk's extern slots
  ErrorCollector errors;
  std::vector<uint32_t> externs;
  uint32_t tail_need = 0;
  Result<void> status;
  std::vector<vm::FuncCodeInfo>* infos = nullptr;  // the module's, indexed by defined function
  size_t body_bytes = 0;                            // of its functions' bodies
  std::vector<vm::CodeSite>* sites = nullptr;       // its functions' sites (ModuleState::sites)
};

// Every chunk's sites, kept by the code image for as long as the functions' infos borrow them.
using SiteStore = std::vector<std::vector<vm::CodeSite>>;

// About 1 ms of work each: the chunks of a large module (kParallelMinBytes and more).
constexpr size_t kChunkBytes = 16 * 1024;
constexpr size_t kParallelMinBytes = 128 * 1024;
// A mid-size module (kSplitMinBytes to kParallelMinBytes of bodies) is cut into about kMidChunks
// chunks (a chunk closed before the function that would take it past its share), unless one
// function takes more than kMaxLargestPercent of it: the thread compiling that
// function is then the whole compile and the split only costs (keccak's one function, 97%).
// Measured (alternated compiles in fresh processes, 2 threads, session 31): the bench programs
// built on wasi-libc (24 KiB of bodies, a third of it printf's core) in 0.65-0.78 of the one
// chunk's time, ed25519 (58 of 95 KiB in one function) 0.68, shootout-switch (70%) 0.76; on one
// thread the chunks cost 4% (their own buffers and the copy). Below 16 KiB the second thread's
// start (about 0.15 ms) and its cold caches take what it saves. Sessions 25-30 found every
// program faster as one chunk because the pool's thread ran only some 4 ms after it was
// started (compile_pool.cc, Pool::start): that delay, not the split, was the cost.
constexpr size_t kSplitMinBytes = 16 * 1024, kMidChunks = 6, kMaxLargestPercent = 75;

// The assemblers' own memory (asmjit's zones: label entries, their links, sections) for a
// whole module, in one mapping populated at once. Every page of fresh heap that a compile first
// touches faults (15 us a page on this project's machines, against about 1 us a page to
// populate; the labels of a switch-heavy module of 1.4 MB were ~1,300 pages, a fifth of its
// compile time). Each chunk's zone starts in its share; a chunk that needs more gets ordinary
// heap blocks from asmjit, so the estimate bounds only the speed, never correctness.
class ZoneArena {
 public:
  // Zone bytes per eight bytes of function bodies, and a floor per chunk for its sections and
  // fixed labels. Measured (STRATA_ZONE_DEBUG=1 prints each chunk's use): large.wasm 6 KiB a
  // chunk of 16 KiB of bodies (0.37 a byte: its jump tables' labels and the links to the data
  // page; the blocks' labels are the Emitter's own) where asmjit's labels took 2.52 a byte.
  // Every page of the share is populated (~1.4 us each) whether used or not.
  static constexpr size_t kPerBodyEighths = 3, kPerChunk = 4 << 10;
  // Small modules keep to the heap: its first pages are prefaulted already (the CLI's
  // prefault), and a mapping of their own would cost two system calls and fault anyway.
  static constexpr size_t kMinBytes = 256 << 10;
  ZoneArena() = default;
  // Maps `bytes` for the shares take() hands out (once, before the first take()).
  void map(size_t bytes) {
    if (bytes < kMinBytes) return;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;  // the zones then take the heap's blocks from the start
    base_ = static_cast<uint8_t*>(p);
    size_ = bytes;
    support::populateForWrite(base_, size_);
  }
  ~ZoneArena() {
    if (base_) munmap(base_, size_);
  }
  ZoneArena(const ZoneArena&) = delete;
  ZoneArena& operator=(const ZoneArena&) = delete;
  // The next `bytes` (a multiple of 16: zoneBytes), or an empty block when there is no arena or
  // it is used up.
  asmjit::Support::Temporary take(size_t bytes) {
    if (!base_ || size_ - used_ < bytes) return {nullptr, 0};
    asmjit::Support::Temporary t(base_ + used_, bytes);
    used_ += bytes;
    return t;
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0, used_ = 0;
};

// A chunk's share of the arena, 16-byte aligned.
size_t zoneBytes(size_t body_bytes) {
  return (ZoneArena::kPerBodyEighths * body_bytes / 8 + ZoneArena::kPerChunk + 15) & ~size_t(15);
}

// The chunks of the module, their zones in `arena` (mapped here, once the chunks' sizes are
// known; the caller keeps it alive as long as the chunks).
std::vector<std::unique_ptr<Chunk>> splitChunks(const ir::Module& module, size_t scale, ZoneArena& arena) {
  uint32_t nimp = module.num_imported_functions;
  size_t page = size_t(sysconf(_SC_PAGESIZE)), zone_bytes = 0;
  size_t total = 0, largest = 0;
  for (uint32_t i = nimp; i < module.functions.size(); ++i) {
    total += module.functions[i].body.size;
    largest = std::max<size_t>(largest, module.functions[i].body.size);
  }
  std::vector<std::pair<uint32_t, uint32_t>> ranges =
      total >= kParallelMinBytes ? vm::splitBySize(module, kChunkBytes)
      : total >= kSplitMinBytes && 100 * largest <= kMaxLargestPercent * total
          ? vm::splitBySize(module, total / kMidChunks, /*close_before=*/true)
      : vm::splitBySize(module, total + 1);
  std::vector<size_t> body_bytes(ranges.size(), 0);
  for (size_t k = 0; k < ranges.size(); ++k) {
    for (uint32_t i = ranges[k].first; i < ranges[k].second; ++i) body_bytes[k] += module.functions[nimp + i].body.size;
    zone_bytes += zoneBytes(body_bytes[k]);
  }
  arena.map(zone_bytes);
  std::vector<std::unique_ptr<Chunk>> out;
  for (size_t k = 0; k < ranges.size(); ++k) {
    auto [begin, end] = ranges[k];
    size_t bytes = body_bytes[k];
    auto c = std::make_unique<Chunk>(arena.take(zoneBytes(bytes)));
    c->begin = begin;
    c->end = end;
    c->body_bytes = bytes;
    // Machine code is about 3x the bodies' bytes (ed25519: 2.9x); a chunk that needs more
    // makes compileModule try again with `scale` doubled.
    c->capacity = (scale * (4 * bytes + 64 * (end - begin) + (size_t(16) << 10)) + page - 1) / page * page;
    out.push_back(std::move(c));
  }
  return out;
}

// The bytes of machine code a chunk is expected to take (within its capacity), measured: see
// compileInto.
size_t expectedCode(const Chunk& c) { return std::min(c.capacity, 5 * c.body_bytes / 2 + 128 * size_t(c.end - c.begin)); }

// Places compiled chunks one after the other in the image, in module order, as soon as every
// chunk before them is placed: whichever thread finishes a chunk copies it and any finished
// successors, and their scratch buffers go back for the next chunks. So the image's pages are
// written once each, by the copy, and only as many as the code needs: chunks assembled in place
// in regions sized for the worst case (4x the bodies) spread large.wasm's 2.9 MB of code over
// 7.7 MB of pages populated for it (~2.3 us a page of shared memory: a sixth of its compile),
// then moved it down.
class Placer {
 public:
  Placer(std::vector<std::unique_ptr<Chunk>>& chunks, vm::CodeImage& image) : chunks_(chunks), image_(image) {}

  // Gives chunk `c` a scratch buffer of at least its capacity (one given back, or a new one);
  // its capacity becomes the buffer's.
  void take(Chunk& c) {
    if (c.in_place) return;
    {
      std::lock_guard lock(mutex_);
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->first < c.capacity) continue;
        c.capacity = it->first;
        c.scratch = std::move(it->second);
        free_.erase(it);
        return;
      }
    }
    c.scratch = std::make_unique_for_overwrite<uint8_t[]>(c.capacity);
    // Fresh heap (a buffer this large is a mapping of its own, or a new thread's arena): the
    // extent the code is expected to take made present at once rather than page by page.
    support::populateForWrite(c.scratch.get(), expectedCode(c));
  }

  // Chunk k is compiled: places it and the compiled chunks after it, if those before are placed.
  void done(size_t k) {
    std::lock_guard lock(mutex_);
    chunks_[k]->compiled = true;
    for (; next_ < chunks_.size() && chunks_[next_]->compiled; ++next_) {
      Chunk& c = *chunks_[next_];
      // Cache-line boundaries, as within a chunk functions keep the alignment they were
      // assembled at.
      c.place = (end_ + 63) & ~size_t(63);
      if (c.status && !c.errors.failed) {
        if (!c.in_place) {
          image_.prepareWrite(c.place, c.size);
          std::memcpy(image_.writableBase() + c.place, c.scratch.get(), c.size);
        }
        // From here on the links asmjit resolves at layout are patched in the image.
        CodeBuffer& buffer = c.code.textSection()->_buffer;
        buffer._data = image_.writableBase() + c.place;
        buffer._capacity = c.size;
        end_ = c.place + c.size;
      }
      if (c.scratch) free_.emplace_back(c.capacity, std::move(c.scratch));
    }
  }

  // The end of the last chunk placed.
  size_t end() const { return end_; }

 private:
  std::vector<std::unique_ptr<Chunk>>& chunks_;
  vm::CodeImage& image_;
  std::mutex mutex_;
  std::vector<std::pair<size_t, std::unique_ptr<uint8_t[]>>> free_;
  size_t next_ = 0, end_ = 0;
};

void compileChunk(Chunk& c, const ir::Module& module, const validate::ModuleEnv& env,
                  const vm::CompileOptions& options, uint32_t tail_slots) {
  CodeHolder& code = c.code;
  code.init(Environment::host());
  code.setErrorHandler(&c.errors);
  CodeBuffer& buffer = code.textSection()->_buffer;
  buffer._data = c.in_place ? c.in_place : c.scratch.get();
  buffer._capacity = c.capacity;
  buffer._size = 0;
  buffer._flags = CodeBufferFlags::kIsExternal | CodeBufferFlags::kIsFixed;
  code.newSection(&c.got, ".got", SIZE_MAX, SectionFlags::kNone, 8);
  code.newSection(&c.ext, ".ext", SIZE_MAX, SectionFlags::kNone, 8);
  Emitter a(&code);

  uint32_t nimp = module.num_imported_functions;
  ModuleState ms;
  ms.module = &module;
  ms.features = &env.features;
  ms.options = options;
  ms.a = &a;
  ms.got = a.newLabel();
  ms.ext = a.newLabel();
  ms.trap_tramp = a.newLabel();
  ms.tail_slots = tail_slots;
  ms.num_defined = uint32_t(module.functions.size() - nimp);
  ms.extern_slot.assign(1 + ir::kNumOpcodes + kExternSpecials, -1);
  // A call takes at least two bytes of body and a memory access three; ed25519 has one site in
  // 18 bytes. Capacity never touched costs no page.
  c.sites->reserve(c.body_bytes / 8 + 16);
  ms.sites = c.sites;
  a.section(c.got);
  a.bind(ms.got);
  a.section(c.ext);
  a.bind(ms.ext);
  a.section(code.textSection());
  // Outside every function: the trap stub is too far for a rel32 call from the image.
  a.bind(ms.trap_tramp);
  a.jmp(ms.externSlot(kExternTrap));
  for (uint32_t i = c.begin; i < c.end && c.status; ++i) {
    FuncCompiler fc(ms, nimp + i, (*c.infos)[i]);
    validate::FuncValidator<FuncCompiler> v(env, nimp + i, fc);
    c.status = v.run();
    if (c.status) c.status = fc.status();
    if (c.errors.failed) break;
  }
  c.size = a.offset();
  if (c.status && !c.errors.failed) {
    uint32_t from = 0;
    for (uint32_t i = c.begin; i < c.end; ++i) {
      uint32_t to = ms.sites_end[i - c.begin];
      (*c.infos)[i].sites = support::Rows<vm::CodeSite>::borrow({c.sites->data() + from, to - from});
      from = to;
    }
  }
  // Development aid: STRATA_ZONE_DEBUG=1 prints how much of its zone share each chunk used
  // (ZoneArena::kPerBodyEighths).
  if (std::getenv("STRATA_ZONE_DEBUG")) {
    const asmjit::Zone& z = code._zone;
    auto* b = static_cast<uint8_t*>(c.zone_memory._data);
    bool inside = b && z._ptr >= b && z._ptr <= b + c.zone_memory._size;
    fmt::print(stderr, "chunk {}-{}: code {} labels {} zone share {} used {}\n", c.begin, c.end, c.size, code.labelCount(),
               c.zone_memory._size, inside ? fmt::format("{}", z._ptr - b) : "all (heap blocks taken)");
  }
  c.externs = std::move(ms.externs);
  c.tail_need = ms.tail_need;
}

// Compiles the module into a reservation sized from its bodies times `scale`; Resource when it
// does not fit.
Result<CompiledCode> compileInto(const ir::Module& module, const validate::ModuleEnv& env,
                                 const vm::CompileOptions& options, size_t scale, uint32_t tail_slots,
                                 uint32_t& tail_need) {
  const Stubs& st = stubs();
  auto t_start = std::chrono::steady_clock::now();
  uint32_t nimp = module.num_imported_functions;
  auto ndef = uint32_t(module.functions.size() - nimp);
  ZoneArena arena;  // declared before the chunks: their zones live in it
  std::vector<std::unique_ptr<Chunk>> chunks = splitChunks(module, scale, arena);
  auto page = size_t(sysconf(_SC_PAGESIZE));
  // The data page: the call slots, then at most every extern id once per chunk.
  size_t max_data = 8 * (size_t(ndef) + chunks.size() * (1 + ir::kNumOpcodes));
  size_t capacity = max_data + page;
  for (auto& c : chunks) capacity += c->capacity;
  std::unique_ptr<vm::CodeImage> image = STRATA_TRY(vm::CodeImage::reserve(capacity, 0, true, /*populate=*/false));
  uint8_t* memory = image->writableBase();
  std::vector<vm::FuncCodeInfo> infos;
  support::resizePopulated(infos, ndef);
  auto sites = std::make_shared<SiteStore>(chunks.size());
  for (size_t k = 0; k < chunks.size(); ++k) {
    chunks[k]->infos = &infos;
    chunks[k]->sites = &(*sites)[k];
  }
  // A module of one chunk (every module under kParallelMinBytes) is assembled in the image
  // itself, at offset 0 where the Placer would copy it: no scratch buffer to fault in page by
  // page (11-15 us a page of fresh memory here; ed25519's 232 KB of code was ~57 such pages)
  // and no copy. Its expected extent is made present at once, ~2-7 us a page; code beyond it
  // faults in as it is written. Measured code per body byte: noop 3.8 (28 small functions,
  // their prologues), ed25519 2.5, sha256 and keccak 2.2: 2.5x the bodies and 128 bytes a
  // function covers noop and ed25519 and overshoots sha256 by two pages.
  if (chunks.size() == 1) {
    Chunk& c = *chunks[0];
    c.in_place = memory;
    image->prepareWrite(0, expectedCode(c));
  }
  Placer placer(chunks, *image);
  auto t_parallel = std::chrono::steady_clock::now();
  // A mid-size module's chunks, largest first: they differ (a function alone can be half of
  // one), and the largest taken last is the last to finish. The Placer places them in module
  // order once they are all done. A large module's go in module order, all about kChunkBytes,
  // so that the Placer places them as they finish and hands their buffers on.
  std::vector<uint32_t> order(chunks.size());
  size_t total = 0;
  for (uint32_t k = 0; k < order.size(); ++k) order[k] = k, total += chunks[k]->body_bytes;
  if (total < kParallelMinBytes)
    std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return chunks[x]->body_bytes > chunks[y]->body_bytes; });
  vm::parallelFor(chunks.size(), options.parallel_compilation ? 0 : 1, [&](size_t k) {
    Chunk& c = *chunks[order[k]];
    placer.take(c);
    compileChunk(c, module, env, options, tail_slots);
    placer.done(order[k]);
  });
  auto t_joined = std::chrono::steady_clock::now();

  auto too_large = [&] { return makeError(ErrorKind::Resource, kNoOffset, "baseline: code reservation too small"); };
  tail_need = 0;
  for (auto& c : chunks) {  // the first error in function order, as one pass would report
    STRATA_CHECK(c->status);
    if (c->errors.failed) return c->errors.too_large ? too_large() : makeError(ErrorKind::Unsupported, kNoOffset, c->errors.text);
    tail_need = std::max(tail_need, c->tail_need);
  }
  // Tail calls needing a larger area than the calls gave: compileModule compiles again (nothing
  // is published of this attempt).
  if (tail_need > tail_slots) return CompiledCode{};

  // Layout: the chunks as placed, then the data page.
  size_t end = placer.end();
  size_t code_end = (end + page - 1) / page * page;
  CompiledCode out;
  size_t ext_at = code_end + 8 * size_t(ndef);
  for (auto& c : chunks) {
    c->code.textSection()->setOffset(c->place);
    c->got->setOffset(code_end);
    c->ext->setOffset(ext_at);
    ext_at += 8 * c->externs.size();
    if (c->code.resolveUnresolvedLinks() != kErrorOk || c->code.hasUnresolvedLinks())
      return makeError(ErrorKind::Unsupported, kNoOffset, "baseline: a displacement out of range");
    for (uint32_t i = c->begin; i < c->end; ++i) infos[i].start += uint32_t(c->place);
    out.externs.insert(out.externs.end(), c->externs.begin(), c->externs.end());
  }
  // Padding is int3 (pool memory may hold its last owner's bytes).
  for (size_t k = 0; k + 1 < chunks.size(); ++k) {
    size_t from = chunks[k]->place + chunks[k]->size;
    std::memset(memory + from, 0xcc, chunks[k + 1]->place - from);
  }
  std::memset(memory + end, 0, code_end - end);
  size_t data_bytes = std::max<size_t>(8 * (size_t(ndef) + out.externs.size()), 8);
  if (code_end + data_bytes + page > capacity) return too_large();
  image->prepareWrite(code_end, data_bytes);
  // Development aid: STRATA_JIT_DUMP=FILE writes the last module's code (objdump -D -b binary
  // -mi386:x86-64 FILE).
  if (const char* dump = std::getenv("STRATA_JIT_DUMP")) {
    if (FILE* f = std::fopen(dump, "wb")) {
      std::fwrite(memory, 1, code_end, f);
      std::fclose(f);
    }
  }
  STRATA_CHECK(image->publishInPlace(code_end, data_bytes, std::move(infos), vm::ImageKind::Module, &module, st.trap,
                                        std::move(sites)));
  if (std::getenv("STRATA_JIT_VERBOSE")) {
    auto us = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
    fmt::print(stderr, "baseline: {} functions, {} KiB of code on {} threads ({} chunks): set-up {} us, chunks {} us, "
               "links and publish {} us\n", ndef, end / 1024,
               vm::compileThreads(chunks.size(), options.parallel_compilation ? 0 : 1), chunks.size(),
               us(t_parallel - t_start), us(t_joined - t_parallel), us(std::chrono::steady_clock::now() - t_joined));
  }
  out.image = std::move(image);
  fillSlots(out);
  return out;
}

}  // namespace

x86::Mem ModuleState::externSlot(uint32_t id) {
  // Ids past the opcodes' (kExternTrapC and on) follow them in extern_slot.
  size_t k = id < kExternTrapC ? id : 1 + ir::kNumOpcodes + (id - kExternTrapC);
  if (extern_slot[k] < 0) {
    extern_slot[k] = int32_t(externs.size());
    externs.push_back(id);
  }
  return x86::ptr(ext, 8 * extern_slot[k]);
}

const void* externAddress(uint32_t id) {
  if (id == kExternTrap) return stubs().trap;
  if (id == kExternTrapC) return stubs().trap_c;
  if (id == kExternMemcpy) return reinterpret_cast<const void*>(&::memcpy);
  if (id == kExternMemmove) return reinterpret_cast<const void*>(&::memmove);
  if (id == kExternMemset) return reinterpret_cast<const void*>(&::memset);
  if (id == kExternThrow) return reinterpret_cast<const void*>(&throwThunk);
  if (id == kExternThrowRef) return reinterpret_cast<const void*>(&throwRefThunk);
  if (id == kExternCaught) return reinterpret_cast<const void*>(&caughtThunk);
  if (id == kExternInFlight) return reinterpret_cast<const void*>(&inFlightThunk);
  if (id == kExternTaken) return reinterpret_cast<const void*>(&takenThunk);
  if (id - 1 >= ir::kNumOpcodes) return nullptr;
  auto op = ir::Opcode(id - 1);
  if (op == ir::Opcode::RefTest) return reinterpret_cast<const void*>(&castThunk);  // every cast's
  if (GcThunk g = gcThunkFor(op)) return reinterpret_cast<const void*>(g);
  return reinterpret_cast<const void*>(thunkFor(op));
}

Result<CompiledCode> compileModule(const ir::Module& module, const validate::ModuleEnv& env,
                                   const vm::CompileOptions& options) {
  if (!stubs().entry) return makeError(ErrorKind::Resource, kNoOffset, "baseline: cannot map executable memory");
  // The reservation is sized from the bodies (splitChunks); the unused tail is unmapped at
  // publish, and a module that needs more is compiled again with twice the room.
  size_t scale = 1;
  // Calls give kMinArgSlots; a module whose tail calls need more is compiled again with every
  // call giving that much (up to kTailSlots), so that those tail calls replace frames too.
  uint32_t tail_slots = kMinArgSlots;
  for (;;) {
    uint32_t tail_need = 0;
    auto r = compileInto(module, env, options, scale, tail_slots, tail_need);
    if (r && tail_need > tail_slots) {
      tail_slots = tail_need;
      continue;
    }
    if (r || r.error().kind != ErrorKind::Resource || scale >= 64) return r;
    scale *= 2;
  }
}

// The stubs are generated when the first module is compiled, not here: a program that never
// compiles for this tier (strata --version) does not pay for them.
// support::hostCpu, not asmjit's CpuInfo::host: asmjit probes with some fifty cpuid
// instructions, each a trap to the hypervisor on a virtual machine (~0.17 ms of every start).
bool hostSupported() { return support::hostCpu().has(support::CpuFeature::Sse41); }

std::unique_ptr<vm::Compiler> createCompiler(std::unique_ptr<vm::Compiler> fallback) {
  return std::make_unique<JitCompiler>(std::move(fallback));
}

}  // namespace strata::jit
