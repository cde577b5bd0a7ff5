// Executable memory that stays mapped from module to module: the code images' pool.
//
// Why: mapping each module's image afresh (mmap populated, mprotect to read+execute, munmap of
// the unused tail, munmap when the module dies) cost 0.6 to 4 ms of kernel time per module on
// this project's virtual machines (docs/jit.md, "Compile time"), more than compiling a small
// module. The pool pays those system calls once per segment instead of once per module.
//
// How W^X holds: a segment is one piece of shared memory mapped twice, a read+write alias and a
// read+execute alias of the same pages. No mapping is ever writable and executable at once; code is written
// through the write alias and runs at the execute alias, so publishing a module is no system
// call at all. The write alias's address is known only to the runtime (it is in no code and in
// no VMContext).
//
// Images stay position independent: code refers to nothing but itself and its data pages by
// pc-relative offsets, which are the same in both aliases. The data pages (call slots, extern
// slots) follow the code in the same chunk: the code reads them through the execute alias,
// the runtime fills them through the write alias.
//
// Coherence: x86 keeps instruction caches coherent with stores to the same physical page, and
// a thread only reaches new code through a pointer published under a lock or an atomic, so no
// flush is needed. (Another architecture would need an icache flush and, for other threads, a
// membarrier before the code runs.)
//
// Freed chunks are filled with int3, so a stale pointer into dead code traps instead of running
// another module's code, and go back to a first-fit free list; pages once touched stay
// populated, so the next module writes no fresh page.
//
// fork: the child shares the pages with its parent (they are shared memory). In the child the pool abandons every
// segment it inherited (it never writes to them again, not even to free them) and maps new
// ones, so neither process writes the other's code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace strata::vm {

class CodePool {
 public:
  // One allocation: the same pages at two addresses, `bytes` a page multiple.
  struct Chunk {
    uint8_t* exec = nullptr;   // read+execute: where the code runs and the registry looks
    uint8_t* write = nullptr;  // read+write alias of the same pages
    size_t bytes = 0;
    uint32_t segment = 0;  // owner's index in the pool
    uint32_t generation = 0;  // the pool's fork generation when allocated
  };

  // The process-wide pool (images outlive engines: the tier's stubs live as long as the process,
  // so the pool is shared by every engine and thread), or null when this system cannot dual-map
  // (a policy forbids executable shared memory) or STRATA_CODE_POOL=0: images then map their
  // own memory as before.
  static CodePool* get();

  // A chunk of at least `bytes` (rounded up to pages), every page present in both aliases
  // (written and executed without a page fault) unless `populate` is false: then only the pages
  // earlier owners touched are present, and the caller makes present what it writes (a
  // reservation sized for the worst case, of which a compile writes about half). Contents are
  // unspecified. Null on failure.
  std::optional<Chunk> allocate(size_t bytes, bool populate = true);
  // Gives the pages of `c` from `bytes` (a page multiple) on back to the pool.
  void shrink(Chunk& c, size_t bytes);
  // Gives the whole chunk back (filled with int3 first).
  void release(const Chunk& c);

  // For tests: the pool's segments and the bytes handed out now.
  size_t segmentCount() const;
  size_t allocatedBytes() const;

  CodePool(const CodePool&) = delete;
  CodePool& operator=(const CodePool&) = delete;

 private:
  CodePool() = default;
  struct Impl;
  Impl* impl_ = nullptr;
  friend struct PoolAccess;
};

}  // namespace strata::vm
