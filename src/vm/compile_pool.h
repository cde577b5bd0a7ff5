// The process's compilation threads, one pool for every tier (issue 12: the baseline tier's
// chunks and the llvm tier's batches are tasks of the same pool, so two modules compiled at
// once by two engines, or by two tiers, never start more threads than the machine has).
//
// A tier splits a module into tasks whose boundaries depend on the module only, never on the
// thread count, and combines their results in task order: its output is then the same however
// many threads ran the tasks (Config::parallel_compilation changes the time, not the code).
#pragma once

#include <cstddef>
#include <functional>

namespace strata::vm {

// Runs task(0) ... task(n - 1), each exactly once, on at most `threads` threads at a time (0:
// one per hardware thread), the calling thread among them, and returns when all have returned.
// The other threads are the pool's, started on first use and kept for the process's lifetime.
// Tasks may run in any order and at once; they must not throw. Safe to call from several
// threads at once (each call waits for its own tasks only); a task must not call it.
void parallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& task);

// The thread count parallelFor(n, threads, ...) uses at most. With `threads` 0, the environment
// variable STRATA_COMPILE_THREADS, when set, stands in for the hardware's count: a development
// aid (the harness's 1- and 2-thread compile figures), read once.
unsigned compileThreads(size_t n, unsigned threads);

}  // namespace strata::vm
