// The entry path: native stack budget for re-entrant calls, stack overflow and guard faults.
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>

#include "runtime/entry.h"
#include "runtime/store_impl.h"
#include "test_util.h"

namespace strata::runtime_test {
namespace {

// host -> wasm -> host -> wasm ... without end: the entry's stack check stops it.
TEST(Entry, EndlessHostWasmRecursionEndsInCallStackExhausted) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  std::optional<Func> wasm_f;
  int depth = 0;
  ASSERT_TRUE(linker.defineFunc("env", "again", FuncType{}, callBack(wasm_f, &depth)).has_value());
  Instance inst = instantiate(store, linker, R"((module
      (import "env" "again" (func $again))
      (func (export "f") (call $again))
      (func (export "ok") (result i32) (i32.const 5))))");
  wasm_f = inst.getFunc("f");
  Trap t = callTrap(store, inst, "f");
  EXPECT_EQ(t.kind(), TrapKind::CallStackExhausted);
  EXPECT_EQ(t.message(), "call stack exhausted");
  EXPECT_GT(depth, 10);
  EXPECT_EQ(store.impl().ctx.depth, 0u);
  EXPECT_EQ(callI32(store, inst, "ok"), 5);
}

TEST(Entry, SmallerStackBudgetAllowsFewerLevels) {
  auto levels = [](uint64_t budget) {
    Config config;
    config.max_wasm_stack = budget;
    Engine engine = fakeEngine("fake", config);
    Store store(engine);
    Linker linker(engine);
    std::optional<Func> f;
    int depth = 0;
    (void)linker.defineFunc("env", "again", FuncType{}, callBack(f, &depth));
    Instance inst = instantiate(store, linker, "(module (import \"env\" \"again\" (func $a)) (func (export \"f\") (call $a)))");
    f = inst.getFunc("f");
    (void)f->call(store, {});
    return depth;
  };
  EXPECT_LT(levels(64 * 1024), levels(512 * 1024));
}

// A tier that recurses natively checks VMStoreLimits::stack_limit, set by the entry.
TEST(Entry, NativeRecursionCheckedAgainstTheStackLimit) {
  Engine engine = fakeEngine();
  Store store(engine);
  Instance inst = instantiate(store, "(module $r (func $f (export \"f\") (call $f)) (func (export \"ok\") (result i32) (i32.const 1)))");
  Trap t = callTrap(store, inst, "f");
  EXPECT_EQ(t.kind(), TrapKind::CallStackExhausted);
  EXPECT_GT(t.frames().size(), 100u);
  EXPECT_EQ(callI32(store, inst, "ok"), 1);
}

struct OverflowResult {
  TrapKind kind = TrapKind::Host;
  size_t frames = 0;
  int after = 0;
};

void* overflowOnSmallStack(void* arg) {
  auto* out = static_cast<OverflowResult*>(arg);
  Config config;
  config.max_wasm_stack = 64 << 20;  // more than the thread has: only the guard page stops it
  Engine engine = fakeEngine("fake-nocheck", config);
  Store store(engine);
  Instance inst = instantiate(store, "(module (func $f (export \"f\") (call $f)) (func (export \"ok\") (result i32) (i32.const 3)))");
  auto r = inst.getFunc("f")->call(store, {});
  if (!r) {
    out->kind = r.error().kind();
    out->frames = r.error().frames().size();
  }
  auto ok = inst.getFunc("ok")->call(store, {});
  out->after = ok ? (*ok)[0].i32() : -1;
  return nullptr;
}

// A real native stack overflow: the fault is handled on the alternate signal stack and
// becomes a trap; the thread goes on.
TEST(Entry, NativeStackOverflowBecomesATrap) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 1 << 20);
  OverflowResult result;
  pthread_t thread;
  ASSERT_EQ(pthread_create(&thread, &attr, overflowOnSmallStack, &result), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(result.kind, TrapKind::CallStackExhausted);
  EXPECT_GT(result.frames, 100u);
  EXPECT_EQ(result.after, 3);
}

// The main thread's stack found without /proc/self/maps (start-up) is where glibc finds it by
// reading the maps. GoogleTest runs tests on the main thread.
TEST(Entry, MainThreadStackLowIsGlibcs) {
  uintptr_t low = runtime::mainThreadStackLow();
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (rlim_t(128) << 20)) GTEST_SKIP() << "stack limit above 128 MiB: glibc answers";
  ASSERT_NE(low, 0u);
  pthread_attr_t attr;
  ASSERT_EQ(pthread_getattr_np(pthread_self(), &attr), 0);
  void* addr = nullptr;
  size_t size = 0;
  ASSERT_EQ(pthread_attr_getstack(&attr, &addr, &size), 0);
  pthread_attr_destroy(&attr);
  EXPECT_EQ(low, reinterpret_cast<uintptr_t>(addr));
}

}  // namespace
}  // namespace strata::runtime_test
