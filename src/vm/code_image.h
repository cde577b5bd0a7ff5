// The code image: machine code of one compiled module (or of a tier's shared stubs) in one
// mapping, and the process-wide registry that maps a pc back to it. Every machine-code tier
// fills a CodeImage; the signal handler, backtraces and tools (explore, objdump) read it.
//
// Why one image per module: calls between the module's functions are pc-relative within the
// mapping, the mapping is written once and then published W^X (read+execute, never writable and
// executable at once), and one sorted table per image answers "which function, which wasm
// offset, which trap" for any pc inside it.
//
// Sites. A function records, sorted by pc offset from its start:
//   - Call sites: the return address of every call (the pc an outer frame of a backtrace holds)
//     with the wasm offset of the call instruction;
//   - Fault sites: the first byte of every instruction that may fault on purpose (a guard-page
//     memory access) with its wasm offset and trap kind. The signal handler converts a fault
//     into a trap only at such a pc.
// Explicit traps (division, unreachable, table bounds...) jump to out-of-line stubs that pass
// their wasm offset themselves, so they need no site.
//
// The registry is read by the signal handler, so lookups take no lock that the faulting thread
// could hold: registration swaps an immutable sorted snapshot under a spin lock that lookups
// only enter as readers (see code_image.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "support/error.h"
#include "support/rows.h"
#include "vm/code_pool.h"
#include "vm/trap.h"

namespace strata::vm {

// Handlers: not a pc of code but the offset of the function's exception-handler table, which
// the baseline tier emits after the function's code (jit/stubs.cc reads it); at most one per
// function, its last site.
// FrameRefs and StackRefs: the stack maps (docs/gc.md "Roots in machine-code frames"), whose
// `wasm` field is a frame slot holding a reference (a SlotRef): FrameRefs rows (pc 0, first
// of the function) for every call site (reference parameters and locals), StackRefs rows
// right after the Call site they belong to (operand-stack slots, arguments in the outgoing
// area).
enum class SiteKind : uint8_t { Call, Fault, Handlers, FrameRefs, StackRefs };

// A stack map's slot: a multiple of 8 from the frame pointer (rbp), or with bit 0 set, from
// the stack pointer at the call.
struct SlotRef {
  static uint32_t fromFp(int32_t disp) { return uint32_t(disp); }
  static uint32_t fromSp(int32_t disp) { return uint32_t(disp) | 1; }
  static uintptr_t address(uint32_t row, uintptr_t fp, uintptr_t sp) {
    return (row & 1 ? sp : fp) + uintptr_t(intptr_t(int32_t(row & ~1u)));
  }
};

struct CodeSite {
  uint32_t pc = 0;    // offset from the function's first byte
  uint32_t wasm = 0;  // byte offset of the wasm instruction in the module binary
  SiteKind kind = SiteKind::Call;
  TrapKind trap = TrapKind::MemoryOutOfBounds;  // Fault sites
};

// One function's code in an image.
struct FuncCodeInfo {
  uint32_t func_index = 0;  // in the module's function space
  uint32_t start = 0;       // offset of its first byte in the image
  uint32_t size = 0;
  support::Rows<CodeSite> sites;  // sorted by pc
  // Offsets (from start) paired with the wasm offset of the instruction whose code begins
  // there: what `strata explore` interleaves with the disassembly. Sorted by pc.
  support::Rows<std::pair<uint32_t, uint32_t>> wasm_map;
};

// Module: sites recorded exactly (the baseline tier). ModuleLines: a module whose sites come
// from a line table (the llvm tier: wasm_map holds every row, pc -> wasm offset of the code
// from there to the next row): a call site is the row covering the return address's call, a
// fault site the row covering the faulting pc (always MemoryOutOfBounds: such code faults on
// purpose only at guard-page accesses, and the signal handler also checks the address). Code
// of a function before its first row is its native-convention entry, which calls the body:
// backtraces skip that frame.
enum class ImageKind : uint8_t { Module, Stubs, ModuleLines };

// Memory: from the process's CodePool (code_pool.h) where the system can dual-map: publishing
// is then no system call, and `writableBase()` is another address than `base()`. Otherwise
// (or for an artifact mapped from its file) a mapping of its own, written read-write and then
// mprotect'ed read+execute, and `writableBase() == base()`. Either way no page is writable and
// executable at once, and the code runs at `base()` only.
class CodeImage {
 public:
  // Maps `code` (position-independent or already relocated to `base()` by the caller through
  // `reserve` + `publish`) and publishes it read+execute. `data_bytes` of zeroed read-write
  // memory follow the code on their own pages (tables code reads, such as call slots).
  // `pooled` false: a mapping of its own even where the pool exists (a few hundred bytes that
  // need no pool, such as the stubs: creating the pool is ~0.1 ms of a process's start). The
  // process's first pooled image gets a mapping of its own too (a run that compiles one module
  // never creates the pool).
  // `populate` false: the pages are not made present ahead (a reservation for the worst case,
  // of which the caller writes an unknown part); the caller calls prepareWrite for what it is
  // about to write.
  static Result<std::unique_ptr<CodeImage>> reserve(size_t code_bytes, size_t data_bytes, bool pooled = true,
                                                    bool populate = true);
  ~CodeImage();
  CodeImage(const CodeImage&) = delete;
  CodeImage& operator=(const CodeImage&) = delete;

  // Where the code runs (read+execute once published).
  uint8_t* base() const { return base_; }
  size_t codeBytes() const { return code_bytes_; }
  // The data pages as the code sees them (read-only for the host when pooled).
  uint8_t* data() const { return data_; }
  size_t dataBytes() const { return data_bytes_; }
  // Where the host writes: the code before publication, the data pages at any time.
  uint8_t* writableBase() const { return writable_; }
  uint8_t* writableData() const { return data_ ? writable_ + (data_ - base_) : nullptr; }
  // Makes the pages holding [offset, offset + bytes) of the writable reservation present, so
  // that writing them takes no page fault (populating costs less than faulting: ~1.4 against
  // ~1.6 us a page on this project's machines when they are quiet, ~1 against ~11 when not).
  // Only an optimization: a page left out faults when written. Before publication only.
  void prepareWrite(size_t offset, size_t bytes);

  // Copies the code into the (still writable) mapping, makes the code pages read+execute and
  // registers the image for pc lookups. `funcs` must be sorted by start.
  Result<void> publish(std::span<const uint8_t> code, std::vector<FuncCodeInfo> funcs, ImageKind kind,
                       const void* module, void* fault_stub);
  

  // For code assembled directly into the mapping (base(), writable until now): makes the first
  // `code_bytes` (a page multiple) read+execute, puts `data_bytes` of read-write memory on the
  // pages right after them, returns the rest of the reservation to the OS and registers the
  // image. Fails when the reservation is too small (the caller reserves more and retries).
  // `backing` keeps alive what the rows of `funcs` borrow, as for map().
  Result<void> publishInPlace(size_t code_bytes, size_t data_bytes, std::vector<FuncCodeInfo> funcs, ImageKind kind,
                              const void* module, void* fault_stub, std::shared_ptr<const void> backing = nullptr);
  size_t reservedBytes() const { return map_bytes_; }

  // An image whose code comes from an artifact (docs/artifacts.md): with fd >= 0, `code` is
  // mapped read+execute straight from the file at `file_offset` (a page multiple; private, so
  // never written back, and no copy of the code is made), else copied from `code`. Then
  // `data_bytes` of zeroed read-write memory on the following pages (the caller fills them),
  // and the image is registered like a published one. `backing` keeps alive what the rows of
  // `funcs` borrow (the artifact's mapping) for as long as the image lives.
  static Result<std::unique_ptr<CodeImage>> map(int fd, uint64_t file_offset, std::span<const uint8_t> code,
                                                size_t data_bytes, std::vector<FuncCodeInfo> funcs, ImageKind kind,
                                                const void* module, void* fault_stub,
                                                std::shared_ptr<const void> backing = nullptr);

  ImageKind kind() const { return kind_; }
  bool isModule() const { return kind_ != ImageKind::Stubs; }
  // The ir::Module the functions belong to (names for backtraces), null for stubs.
  const void* module() const { return module_; }
  // Where the signal handler sends a thread that faulted at a Fault site (see entry.cc):
  // entered as if called from the faulting pc, with the trap kind in edi and the wasm offset
  // in esi.
  void* faultStub() const { return fault_stub_; }
  std::span<const FuncCodeInfo> funcs() const { return funcs_; }

  bool contains(uintptr_t pc) const {
    return pc >= uintptr_t(base_) && pc < uintptr_t(base_) + code_bytes_;
  }
  // The function whose code contains pc, or null.
  const FuncCodeInfo* funcAt(uintptr_t pc) const;
  // The site at exactly pc, or null.
  std::optional<CodeSite> siteAt(uintptr_t pc, SiteKind kind) const;
  // Every site at exactly pc offset `off` of f (Module images).
  static std::span<const CodeSite> sitesAt(const FuncCodeInfo& f, uint32_t off);
  const FuncCodeInfo* func(uint32_t func_index) const;
  const uint8_t* code(const FuncCodeInfo& f) const { return base_ + f.start; }

 private:
  CodeImage() = default;
  void registerSelf();
  // Pooled: the code becomes executable with no system call; else mprotect.
  Result<void> makeExecutable(size_t code_map);
  uint8_t* base_ = nullptr;
  uint8_t* writable_ = nullptr;
  std::optional<CodePool::Chunk> chunk_;  // set when the memory is the pool's
  size_t map_bytes_ = 0;
  size_t code_bytes_ = 0;
  uint8_t* data_ = nullptr;
  size_t data_bytes_ = 0;
  bool registered_ = false;
  ImageKind kind_ = ImageKind::Module;
  const void* module_ = nullptr;
  void* fault_stub_ = nullptr;
  std::vector<FuncCodeInfo> funcs_;
  std::shared_ptr<const void> backing_;  // what funcs_ borrow (map())
};

// The image containing pc, or null. Async-signal-safe (no allocation, no blocking lock).
const CodeImage* findCodeImage(uintptr_t pc);

// Told of every image once it is published (read+execute, registered) and before it is
// unmapped: how profilers (perf map, jitdump) and debuggers (the GDB JIT interface) learn
// about machine code. Calls come from the publishing or destroying thread, outside the
// registry's lock; a listener does its own locking.
class CodeListener {
 public:
  virtual ~CodeListener() = default;
  virtual void published(const CodeImage& image) = 0;
  virtual void released(const CodeImage& image) = 0;
};

// Adds a process-wide listener, which must live until exit (listeners are never removed).
// Images published earlier are not replayed. With no listener, publishing pays one atomic load.
void addCodeListener(CodeListener* listener);

}  // namespace strata::vm
