// Wasm exceptions through the runtime and the API (exn.cc, func.cc's host trampoline): throws
// across instances, host functions that throw and that let an exception through, and uncaught
// exceptions reaching the embedder with their tag and payload. Runs on the default tier (the
// interpreter executes exception handling); skipped while it is absent.
#include <gtest/gtest.h>

#include "strata/exn.h"
#include "test_util.h"

namespace strata::runtime_test {
namespace {

class ExnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = Engine::create();
    if (!engine) GTEST_SKIP() << "interpreter tier not built";
    engine_ = *engine;
    store_.emplace(*engine_);
    linker_.emplace(*engine_);
  }

  std::optional<Engine> engine_;
  std::optional<Store> store_;
  std::optional<Linker> linker_;
};

// The thrower exports its tag and a function throwing it; the catcher imports both.
constexpr const char* kThrower = R"((module $thrower
  (tag $e (export "e") (param i32 i64))
  (tag $other (export "other"))
  (func (export "throw") (param i32) (throw $e (local.get 0) (i64.const -7)))
  (func (export "throw_other") (throw $other))))";

constexpr const char* kCatcher = R"((module $catcher
  (tag $e (import "thrower" "e") (param i32 i64))
  (func $throw (import "thrower" "throw") (param i32))
  (func $throw_other (import "thrower" "throw_other"))
  (func $host (import "host" "call") (param i32))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (call $throw (local.get 0)))
      (return (i32.const -1)))
    (i32.wrap_i64) (i32.add))
  (func (export "other_escapes") (result i32)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (call $throw_other))
      (return (i32.const -1)))
    (drop))
  (func (export "around_host") (param i32) (result i32)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (call $host (local.get 0)))
      (return (i32.const -1)))
    (drop))
  (func (export "legacy_around_host") (param i32) (result i32)
    (try (result i32)
      (do (call $host (local.get 0)) (i32.const -1))
      (catch $e (drop))))))";

TEST_F(ExnTest, ThrowAcrossInstancesIsCaughtByTheImportedTag) {
  Instance thrower = instantiate(*store_, *linker_, kThrower);
  ASSERT_TRUE(linker_->defineInstance("thrower", thrower).has_value());
  ASSERT_TRUE(linker_->defineFunc("host", "call", FuncType{{ValType::i32()}, {}},
                                  [](Caller&, std::span<const Val>, std::span<Val>) -> TrapResult<void> { return {}; })
                  .has_value());
  Instance catcher = instantiate(*store_, *linker_, kCatcher);
  EXPECT_EQ(callI32(*store_, catcher, "catch", {Val::i32(10)}), 3);  // 10 + -7: both payload values
  // A tag the catcher does not name passes its handler and reaches the embedder, named.
  Trap t = callTrap(*store_, catcher, "other_escapes");
  EXPECT_EQ(t.kind(), TrapKind::UncaughtException);
  EXPECT_EQ(t.message(), "uncaught exception: tag thrower!other");
  EXPECT_FALSE(Exn::fromTrap(t).isNull());
  EXPECT_EQ(Exn::fromTrap(t).tag(), *thrower.getTag("other"));
}

TEST_F(ExnTest, HostFunctionThrowsAWasmExceptionWithPayload) {
  Instance thrower = instantiate(*store_, *linker_, kThrower);
  ASSERT_TRUE(linker_->defineInstance("thrower", thrower).has_value());
  Tag tag = *thrower.getTag("e");
  ASSERT_TRUE(linker_->defineFunc("host", "call", FuncType{{ValType::i32()}, {}},
                                  [tag](Caller& c, std::span<const Val> args, std::span<Val>) -> TrapResult<void> {
                                    Val payload[] = {Val::i32(args[0].i32() * 2), Val::i64(0)};
                                    auto exn = Exn::create(c.store(), tag, payload);
                                    if (!exn) return std::unexpected(Trap::host(exn.error().message));
                                    return std::unexpected(exn->toTrap());
                                  })
                  .has_value());
  Instance catcher = instantiate(*store_, *linker_, kCatcher);
  EXPECT_EQ(callI32(*store_, catcher, "around_host", {Val::i32(21)}), 42);
  EXPECT_EQ(callI32(*store_, catcher, "legacy_around_host", {Val::i32(4)}), 8);
}

TEST_F(ExnTest, ExceptionFromWasmPassesThroughAHostFunction) {
  Instance thrower = instantiate(*store_, *linker_, kThrower);
  ASSERT_TRUE(linker_->defineInstance("thrower", thrower).has_value());
  Func inner = *thrower.getFunc("throw");
  int calls = 0;
  ASSERT_TRUE(linker_->defineFunc("host", "call", FuncType{{ValType::i32()}, {}},
                                  [inner, &calls](Caller& c, std::span<const Val> args, std::span<Val>) -> TrapResult<void> {
                                    ++calls;
                                    auto r = inner.call(c.store(), {args[0]});
                                    // The host sees the exception, its tag and payload ...
                                    EXPECT_FALSE(r.has_value());
                                    if (r) return {};
                                    Exn exn = Exn::fromTrap(r.error());
                                    EXPECT_FALSE(exn.isNull());
                                    if (!exn.isNull()) {
                                      std::vector<Val> p = exn.payload(c.store());
                                      EXPECT_EQ(p.size(), 2u);
                                      if (p.size() == 2) {
                                        EXPECT_EQ(p[1].i64(), -7);
                                      }
                                    }
                                    // ... and lets it through to the wasm around it.
                                    return std::unexpected(r.error());
                                  })
                  .has_value());
  Instance catcher = instantiate(*store_, *linker_, kCatcher);
  EXPECT_EQ(callI32(*store_, catcher, "around_host", {Val::i32(6)}), 6);
  EXPECT_EQ(calls, 1);
}

TEST_F(ExnTest, UncaughtExceptionReachesTheEmbedderWithTagPayloadAndFrames) {
  Instance thrower = instantiate(*store_, *linker_, kThrower);
  Trap t = callTrap(*store_, thrower, "throw", {Val::i32(5)});
  EXPECT_EQ(t.kind(), TrapKind::UncaughtException);
  EXPECT_EQ(t.message(), "uncaught exception: tag thrower!e");
  ASSERT_EQ(t.frames().size(), 1u);
  EXPECT_EQ(t.frames()[0].module_name, "thrower");
  Exn exn = Exn::fromTrap(t);
  ASSERT_FALSE(exn.isNull());
  std::vector<Val> p = exn.payload(*store_);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].i32(), 5);
  EXPECT_EQ(p[1].i64(), -7);
  // The store stays usable: the next call runs normally.
  EXPECT_EQ(callTrap(*store_, thrower, "throw", {Val::i32(1)}).kind(), TrapKind::UncaughtException);
}

TEST_F(ExnTest, CreateChecksThePayloadAgainstTheTag) {
  Instance thrower = instantiate(*store_, *linker_, kThrower);
  Tag tag = *thrower.getTag("e");
  Val wrong[] = {Val::i64(1), Val::i64(2)};
  auto exn = Exn::create(*store_, tag, wrong);
  ASSERT_FALSE(exn.has_value());
  EXPECT_NE(exn.error().message.find("type mismatch"), std::string::npos);
}

TEST_F(ExnTest, HostTagThrownIntoWasmIsCaughtByCatchAll) {
  auto tag = Tag::create(*store_, FuncType{});
  ASSERT_TRUE(tag.has_value());
  ASSERT_TRUE(linker_->defineFunc("env", "boom", FuncType{},
                                  [t = *tag](Caller& c, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
                                    return std::unexpected(Exn::create(c.store(), t, {})->toTrap());
                                  })
                  .has_value());
  Instance m = instantiate(*store_, *linker_, R"((module
    (func $boom (import "env" "boom"))
    (func (export "f") (result i32)
      (block $h (try_table (catch_all $h) (call $boom)) (return (i32.const 0)))
      (i32.const 1))
    (func (export "escape") (call $boom))))");
  EXPECT_EQ(callI32(*store_, m, "f"), 1);
  Trap t = callTrap(*store_, m, "escape");
  EXPECT_EQ(t.kind(), TrapKind::UncaughtException);
  EXPECT_EQ(t.message(), "uncaught exception: tag <host tag>");
}

TEST_F(ExnTest, ExnrefCrossesTheApiBothWays) {
  Instance m = instantiate(*store_, *linker_, R"((module $refs
    (tag $e (export "e") (param i32))
    (func (export "catch") (param i32) (result exnref)
      (block $h (result exnref)
        (try_table (catch_all_ref $h) (throw $e (local.get 0)))
        (unreachable)))
    (func (export "rethrow") (param exnref) (throw_ref (local.get 0)))))");
  auto r = m.getFunc("catch")->call(*store_, {Val::i32(33)});
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 1u);
  Exn exn = Exn::fromVal((*r)[0]);
  ASSERT_FALSE(exn.isNull());
  EXPECT_EQ(exn.tag(), *m.getTag("e"));
  EXPECT_EQ(exn.payload(*store_)[0].i32(), 33);
  // Handed back to wasm, it is thrown again: the very same exception reaches the embedder.
  auto t = m.getFunc("rethrow")->call(*store_, {exn.toVal()});
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(Exn::fromTrap(t.error()), exn);
}

}  // namespace
}  // namespace strata::runtime_test
