// The process's compilation threads, one pool for every tier (issue 12: the baseline tier's
// chunks and the llvm tier's batches are tasks of the same pool, so two modules compiled at
// once by two engines, or by two tiers, never start more threads than the machine has).
//
// A tier splits a module into tasks whose boundaries depend on the module only, never on the
// thread count, and combines their results in task order: its output is then the same however
// many threads ran the tasks (Config::parallel_compilation changes the time, not the code).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "ir/module.h"

namespace strata::vm {

// Runs task(0) ... task(n - 1), each exactly once, on at most `threads` threads at a time (0:
// one per hardware thread), the calling thread among them, and returns when all have returned.
// The other threads are the pool's, started on first use and kept for the process's lifetime.
// Tasks may run in any order and at once; they must not throw. Safe to call from several
// threads at once (each call waits for its own tasks only); a task must not call it.
void parallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& task);

// A module's defined functions cut into consecutive ranges [begin, end) (defined-function
// indices) of about `bytes` of bodies each, by size alone, never by thread count: the tasks of
// a tier's parallel compilation (llvm batches, baseline chunks). A range closes once it holds
// `bytes`, or, with `close_before`, before the function that would take it past `bytes` (a
// large function then stands alone, so that ranges of a small module balance). Always at least
// one range.
inline std::vector<std::pair<uint32_t, uint32_t>> splitBySize(const ir::Module& m, uint64_t bytes,
                                                              bool close_before = false) {
  uint32_t nimp = m.num_imported_functions;
  auto ndef = uint32_t(m.functions.size() - nimp);
  std::vector<std::pair<uint32_t, uint32_t>> out;
  uint64_t sum = 0;
  for (uint32_t i = 0; i < ndef; ++i) {
    uint64_t size = m.functions[nimp + i].body.size;
    if (out.empty() || sum >= bytes || (close_before && sum > 0 && sum + size > bytes)) {
      if (!out.empty()) out.back().second = i;
      out.emplace_back(i, i);
      sum = 0;
    }
    sum += size;
  }
  if (out.empty()) out.emplace_back(0, 0);
  out.back().second = ndef;
  return out;
}

// The thread count parallelFor(n, threads, ...) uses at most. With `threads` 0, the environment
// variable STRATA_COMPILE_THREADS, when set, stands in for the hardware's count: a development
// aid (the harness's 1- and 2-thread compile figures), read once.
unsigned compileThreads(size_t n, unsigned threads);

}  // namespace strata::vm
