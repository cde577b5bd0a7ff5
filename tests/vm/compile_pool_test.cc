// The compilation pool (src/vm/compile_pool.h): every task runs exactly once, on at most the
// threads asked for, the caller among them; several callers at once each get their own tasks
// back; one thread means the caller alone; the pool's threads are not pinned to a CPU.
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "vm/compile_pool.h"

namespace strata::vm {
namespace {

TEST(CompilePool, EveryTaskRunsOnce) {
  for (size_t n : {size_t(0), size_t(1), size_t(2), size_t(7), size_t(1000)}) {
    std::vector<std::atomic<int>> runs(n);
    parallelFor(n, 0, [&](size_t i) { runs[i].fetch_add(1); });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << "task " << i << " of " << n;
  }
}

TEST(CompilePool, OneThreadIsTheCaller) {
  std::set<std::thread::id> seen;
  parallelFor(50, 1, [&](size_t) { seen.insert(std::this_thread::get_id()); });  // no lock: one thread
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(*seen.begin(), std::this_thread::get_id());
  EXPECT_EQ(compileThreads(50, 1), 1u);
  EXPECT_EQ(compileThreads(1, 0), 1u);
}

TEST(CompilePool, UsesTheOtherThreadsWhenThereAreSome) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one hardware thread";
  // Tasks that wait until two threads are inside at once: they can finish only if the pool
  // really runs a second thread beside the caller.
  std::atomic<int> inside{0}, most{0};
  parallelFor(2, 2, [&](size_t) {
    int now = inside.fetch_add(1) + 1;
    int m = most.load();
    while (now > m && !most.compare_exchange_weak(m, now)) {}
    for (int spin = 0; spin < 2000000 && most.load() < 2; ++spin) std::this_thread::yield();
    inside.fetch_sub(1);
  });
  EXPECT_EQ(most.load(), 2);
}

// Pool threads start outside the caller's CPU (Pool::start) but are not left pinned there:
// each runs its tasks with the process's whole set of CPUs.
TEST(CompilePool, PoolThreadsKeepTheProcessCpus) {
  cpu_set_t process;
  ASSERT_EQ(sched_getaffinity(0, sizeof process, &process), 0);
  if (CPU_COUNT(&process) < 2) GTEST_SKIP() << "one CPU";
  std::mutex m;
  std::vector<int> counts;
  std::set<std::thread::id> threads;
  std::atomic<int> inside{0};
  parallelFor(2, 2, [&](size_t) {
    inside.fetch_add(1);
    for (int spin = 0; spin < 2000000 && inside.load() < 2; ++spin) std::this_thread::yield();
    cpu_set_t mine;
    ASSERT_EQ(sched_getaffinity(0, sizeof mine, &mine), 0);
    std::lock_guard lock(m);
    counts.push_back(CPU_COUNT(&mine));
    threads.insert(std::this_thread::get_id());
  });
  ASSERT_EQ(threads.size(), 2u) << "the pool's thread did not take a task";
  for (int c : counts) EXPECT_EQ(c, CPU_COUNT(&process));
}

TEST(CompilePool, SeveralCallersAtOnce) {
  constexpr int kCallers = 4;
  constexpr size_t kTasks = 300;
  std::vector<std::vector<int>> runs(kCallers, std::vector<int>(kTasks));
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c)
    callers.emplace_back([&, c] {
      for (int round = 0; round < 20; ++round) {
        std::mutex m;
        parallelFor(kTasks, 0, [&](size_t i) {
          std::lock_guard lock(m);
          ++runs[c][i];
        });
      }
    });
  for (std::thread& t : callers) t.join();
  for (int c = 0; c < kCallers; ++c)
    for (size_t i = 0; i < kTasks; ++i) EXPECT_EQ(runs[c][i], 20) << "caller " << c << " task " << i;
}

}  // namespace
}  // namespace strata::vm
