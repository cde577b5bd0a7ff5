// A look ahead at a loop's body before the single pass compiles it (docs/jit.md "Loop
// bindings"): which locals the body reads and writes, how often, and which it overwrites before
// it could read them. The loop head binds the most used locals to registers for the whole loop,
// and a back edge does not store a local the head finds dead.
//
// V8's Liftoff does the like (its decoder's loop-assignment analysis): a single-pass compiler
// cannot know at a loop head what the body needs, and the body is short next to its executions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/features.h"
#include "support/byte_reader.h"

namespace strata::jit {

class LoopScanner {
 public:
  // Reads the body that starts at `body` (the byte after the loop's block type) up to the
  // loop's `end`, or max_instrs instructions, or the first bytes it cannot decode (the
  // validator rejects those later: the scan only has to stay within the bytes). Forgets the
  // previous scan's results. Returns the number of instructions read.
  uint32_t scan(ByteReader body, const ir::Features& features, uint32_t num_locals, uint32_t max_instrs = UINT32_MAX);

  // The locals the scanned part accesses, in order of first access.
  std::span<const uint32_t> locals() const { return locals_; }
  // Accesses of the local (local.get, set and tee), each weighted by 4 per loop nested within
  // the scanned one, since an inner loop runs more often.
  uint32_t weight(uint32_t local) const { return local < weight_.size() ? weight_[local] : 0; }
  // True when every path from the head writes the local before reading it or leaving the loop:
  // its first access is a local.set or local.tee at the body's own level (not inside a nested
  // block, which a branch could skip) and no branch out of the loop comes before it. The value
  // a back edge carries is then dead.
  bool deadAtHead(uint32_t local) const { return local < first_.size() && (first_[local] & kWrittenFirst); }
  // True when the scanned part writes the local anywhere (local.set or local.tee).
  bool written(uint32_t local) const { return local < first_.size() && (first_[local] & kWritten); }

  // True when the scanned part calls a function (call, call_indirect, call_ref) or a runtime
  // builtin (memory.grow, the bulk memory and table instructions): code that stores every
  // cached local and reloads it after.
  bool hasCalls() const { return has_calls_; }

 private:
  enum : uint8_t { kUnseen = 0, kReadFirst = 1, kWrittenFirst = 2, kWritten = 4 };
  [[gnu::always_inline]] inline void access(uint32_t local, bool write, uint32_t depth, uint32_t loops, bool exited);

  std::vector<uint32_t> weight_;
  std::vector<uint8_t> first_;
  std::vector<uint32_t> locals_;
  bool has_calls_ = false;
};

}  // namespace strata::jit
