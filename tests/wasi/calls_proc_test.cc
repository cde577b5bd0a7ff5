// Tests of args, environment, clocks, random_get, proc_exit and bad guest pointers (calls_proc.cc).
#include <chrono>

#include "wasi_test_util.h"

namespace strata::wasi_test {
namespace {

TEST(ProcCalls, ArgsAndEnvironmentAsGiven) {
  Probe g({.args = {"prog", "a b", ""}, .env = {"K=V", "EMPTY="}});
  uint32_t n = g.alloc(4), size = g.alloc(4);
  ASSERT_EQ(g.wasi("args_sizes_get", n, size), Errno::Success);
  EXPECT_EQ(g.load<uint32_t>(n), 3u);
  EXPECT_EQ(g.load<uint32_t>(size), 5u + 4u + 1u);
  uint32_t argv = g.alloc(12), buf = g.alloc(16);
  ASSERT_EQ(g.wasi("args_get", argv, buf), Errno::Success);
  EXPECT_STREQ(reinterpret_cast<char*>(g.mem() + g.load<uint32_t>(argv + 4)), "a b");
  EXPECT_EQ(g.load<uint32_t>(argv + 8), buf + 9);
  ASSERT_EQ(g.wasi("environ_sizes_get", n, size), Errno::Success);
  EXPECT_EQ(g.load<uint32_t>(n), 2u);
  uint32_t env = g.alloc(8), ebuf = g.alloc(16);
  ASSERT_EQ(g.wasi("environ_get", env, ebuf), Errno::Success);
  EXPECT_STREQ(reinterpret_cast<char*>(g.mem() + g.load<uint32_t>(env + 4)), "EMPTY=");
}

TEST(ProcCalls, PointersOutsideMemoryAreFault) {
  Probe g({.args = {"prog"}, .preopens = {}});
  uint32_t end = g.memSize();
  EXPECT_EQ(g.wasi("args_sizes_get", end - 2, g.alloc(4)), Errno::Fault);
  EXPECT_EQ(g.wasi("args_get", end, end), Errno::Fault);
  EXPECT_EQ(g.wasi("clock_time_get", 1u, uint64_t(0), end - 4), Errno::Fault);
  EXPECT_EQ(g.wasi("random_get", end - 8, 9u), Errno::Fault);
  EXPECT_EQ(g.wasi("random_get", 0xffffffffu, 2u), Errno::Fault);
  // An iovec inside memory whose buffer is not: nothing is written, EFAULT.
  uint32_t iov = g.alloc(8), out = g.alloc(4);
  g.store<uint32_t>(iov, end - 1);
  g.store<uint32_t>(iov + 4, 2);
  EXPECT_EQ(g.wasi("fd_write", 1u, iov, 1u, out), Errno::Fault);
  EXPECT_EQ(g.wasi("fd_write", 1u, end - 4, 1u, out), Errno::Fault);
  EXPECT_EQ(g.wasi("fd_write", 1u, iov, 0x20000000u, out), Errno::Fault);  // count * 8 overflows memory
}

TEST(ProcCalls, Clocks) {
  Probe g({});
  uint32_t t1 = g.alloc(8), t2 = g.alloc(8), res = g.alloc(8);
  for (uint32_t id : {0u, 1u, 2u, 3u}) {
    EXPECT_EQ(g.wasi("clock_res_get", id, res), Errno::Success) << id;
    EXPECT_GT(g.load<uint64_t>(res), 0u);
  }
  ASSERT_EQ(g.wasi("clock_time_get", 1u, uint64_t(1), t1), Errno::Success);
  ASSERT_EQ(g.wasi("clock_time_get", 1u, uint64_t(1), t2), Errno::Success);
  EXPECT_LE(g.load<uint64_t>(t1), g.load<uint64_t>(t2));
  ASSERT_EQ(g.wasi("clock_time_get", 0u, uint64_t(1), t1), Errno::Success);
  EXPECT_GT(g.load<uint64_t>(t1), uint64_t(1'600'000'000) * 1'000'000'000u);  // realtime: after 2020
  EXPECT_EQ(g.wasi("clock_time_get", 4u, uint64_t(1), t1), Errno::Inval);
  EXPECT_EQ(g.wasi("clock_res_get", 99u, res), Errno::Inval);
}

TEST(ProcCalls, RandomFillsTheBuffer) {
  Probe g({});
  uint32_t buf = g.alloc(4096);
  ASSERT_EQ(g.wasi("random_get", buf, 4096u), Errno::Success);
  int zeros = 0;
  for (uint32_t i = 0; i < 4096; ++i) zeros += g.mem()[buf + i] == 0;
  EXPECT_LT(zeros, 100);
  EXPECT_EQ(g.wasi("random_get", buf, 0u), Errno::Success);
}

TEST(ProcCalls, ProcExitUnwindsWithTheStatus) {
  Probe g({});
  EXPECT_EQ(g.call("proc_exit", {Val::i32(42)}), -1);
  EXPECT_TRUE(g.last_trap.isExit());
  EXPECT_EQ(g.last_trap.exitStatus(), 42);
  EXPECT_EQ(g.ctx().exitStatus(), 42);
  EXPECT_EQ(g.wasi("proc_raise", 9u), Errno::NoSys);
  EXPECT_EQ(g.wasi("sched_yield"), Errno::Success);
}

TEST(ProcCalls, EveryPreview1FunctionIsDefined) {
  Engine engine = *Engine::create();
  Store store(engine);
  Linker linker(engine);
  auto ctx = wasi::WasiCtx::create({});
  ASSERT_TRUE(wasi::defineWasi(linker, *ctx).has_value());
  EXPECT_EQ(wasi::wasiFunctionNames().size(), 46u);
  for (const char* name : wasi::wasiFunctionNames())
    EXPECT_TRUE(linker.get(store, "wasi_snapshot_preview1", name).has_value()) << name;
}

}  // namespace
}  // namespace strata::wasi_test
