// Tests of the executing script runner (src/wast/exec_runner.h) on small scripts in text form.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "text/text.h"
#include "wast/exec_runner.h"

namespace strata::wast {
namespace {

class ExecRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override { log_ = std::tmpfile(); }
  void TearDown() override { std::fclose(log_); }

  Tally run(std::string_view source, Options options = {}) {
    auto script = text::parseWast(source, "test.wast", options.features);
    EXPECT_TRUE(script.has_value()) << (script ? "" : script.error().message);
    if (!script) return {};
    auto runner = ExecRunner::create(options, log_);
    EXPECT_TRUE(runner.has_value());
    return runner ? (*runner)->run(*script) : Tally{};
  }
  // What the runner reported (failures and, with verbose, skips).
  std::string log() {
    std::rewind(log_);
    std::string out;
    for (int c; (c = std::fgetc(log_)) != EOF;) out += char(c);
    return out;
  }
  std::FILE* log_ = nullptr;
};

TEST(MessagePrefix, ExpectedTextStartsTheActualOne) {
  EXPECT_TRUE(messagePrefixMatches("unknown import: m::n", "unknown import"));
  EXPECT_TRUE(messagePrefixMatches("out of bounds memory access\nwasm backtrace:", "out of bounds"));
  EXPECT_FALSE(messagePrefixMatches("import: unknown", "unknown"));
}

TEST_F(ExecRunnerTest, UnknownTierIsAUsageError) {
  Options o;
  o.tier = "no-such-tier";
  auto runner = ExecRunner::create(o, log_);
  ASSERT_FALSE(runner.has_value());
  EXPECT_EQ(runner.error().kind, ErrorKind::Usage);
}

TEST_F(ExecRunnerTest, ReturnsAndTraps) {
  Tally t = run(R"(
    (module (func (export "f") (param i32) (result i32) (i32.div_u (i32.const 10) (local.get 0))))
    (assert_return (invoke "f" (i32.const 5)) (i32.const 2))
    (assert_return (invoke "f" (i32.const 5)) (i32.const 3))
    (assert_trap (invoke "f" (i32.const 0)) "integer divide by zero")
    (assert_trap (invoke "f" (i32.const 0)) "integer divide")
    (assert_trap (invoke "f" (i32.const 0)) "divide by zero")
    (assert_trap (invoke "f" (i32.const 1)) "integer divide by zero"))");
  EXPECT_EQ(t.passed, 4u);  // module, the right return, the full and the prefix message
  EXPECT_EQ(t.failed, 3u);  // wrong value, a message that is not a prefix, no trap at all
  EXPECT_NE(log().find("test.wast:4:"), std::string::npos);
}

TEST_F(ExecRunnerTest, RegisteredInstancesResolveImports) {
  Tally t = run(R"(
    (module $M (global (export "g") (mut i32) (i32.const 5)) (func (export "f") (result i32) (i32.const 9)))
    (register "M" $M)
    (module $N (import "M" "f" (func $f (result i32))) (func (export "g") (result i32) (call $f)))
    (assert_return (invoke $N "g") (i32.const 9))
    (assert_return (get $M "g") (i32.const 5))
    (assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
    (assert_unlinkable (module (import "M" "g" (global i32))) "incompatible import type")
    (assert_unlinkable (module (import "M" "f" (func))) "incompatible import type")
    (assert_return (invoke $X "g") (i32.const 9)))");
  EXPECT_EQ(t.passed, 8u);  // "f" returns an i32, so importing it as (func) does not link
  EXPECT_EQ(t.failed, 1u);  // $X is unknown
  EXPECT_NE(log().find("unknown module $X"), std::string::npos);
}

TEST_F(ExecRunnerTest, SpectestModule) {
  Tally t = run(R"(
    (module
      (import "spectest" "print_i32" (func (param i32)))
      (import "spectest" "global_f64" (global $g f64))
      (import "spectest" "table" (table 10 20 funcref))
      (import "spectest" "memory" (memory 1 2))
      (func (export "g") (result f64) (global.get $g)))
    (assert_return (invoke "g") (f64.const 666.6))
    (assert_unlinkable (module (import "spectest" "memory" (memory 3))) "incompatible import type")
    (assert_unlinkable (module (import "spectest" "table" (table 10 15 funcref))) "incompatible import type"))");
  EXPECT_EQ(t.passed, 4u);
  EXPECT_EQ(t.failed, 0u);
}

TEST_F(ExecRunnerTest, InstantiationFailures) {
  Tally t = run(R"(
    (module $T (table (export "t") 2 funcref))
    (register "T" $T)
    (assert_trap (module (func $s (unreachable)) (start $s)) "unreachable")
    (assert_trap (module (memory 1) (data (i32.const 70000) "x")) "out of bounds memory access")
    (assert_trap (module (memory 1)) "unreachable")
    (assert_uninstantiable (module (import "T" "t" (table 2 funcref)) (elem (i32.const 3) $f) (func $f))
      "out of bounds table access"))");
  EXPECT_EQ(t.passed, 5u);
  EXPECT_EQ(t.failed, 1u);  // a module that instantiates fine
  EXPECT_NE(log().find("but the module instantiated"), std::string::npos);
}

TEST_F(ExecRunnerTest, AFailedModuleIsCountedOnceAndItsCommandsSkipped) {
  Tally t = run(R"(
    (module (import "nowhere" "f" (func)) (func (export "f")))
    (assert_return (invoke "f"))
    (invoke "f")
    (module (func (export "f")))
    (assert_return (invoke "f")))");
  EXPECT_EQ(t.failed, 1u);
  EXPECT_EQ(t.skipped, 2u);
  EXPECT_EQ(t.passed, 2u);
}

TEST_F(ExecRunnerTest, ExhaustionAndStateAcrossScripts) {
  const char* script = R"(
    (module (global $n (mut i32) (i32.const 0))
      (func $f (export "rec") (call $f))
      (func (export "next") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)))
    (assert_exhaustion (invoke "rec") "call stack exhausted")
    (assert_return (invoke "next") (i32.const 1)))";
  auto parsed = text::parseWast(script, "test.wast");
  ASSERT_TRUE(parsed.has_value());
  auto runner = ExecRunner::create({}, log_);
  ASSERT_TRUE(runner.has_value());
  // A second run of the same script starts from a fresh store: the counter starts over.
  for (int i = 0; i < 2; ++i) {
    Tally t = (*runner)->run(*parsed);
    EXPECT_EQ(t.passed, 3u);
    EXPECT_EQ(t.failed, 0u);
  }
}

TEST_F(ExecRunnerTest, DefinitionsAndInstances) {
  Tally t = run(R"(
    (module definition $D (global $g (mut i32) (i32.const 0))
      (func (export "inc") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1))) (global.get $g)))
    (module instance $A $D)
    (module instance $B $D)
    (assert_return (invoke $A "inc") (i32.const 1))
    (assert_return (invoke $A "inc") (i32.const 2))
    (assert_return (invoke $B "inc") (i32.const 1))
    (module instance $C $Missing))");
  EXPECT_EQ(t.passed, 6u);  // the definition is not instantiated by itself
  EXPECT_EQ(t.failed, 1u);
}

TEST_F(ExecRunnerTest, ArgumentsOfEveryKind) {
  Tally t = run(R"(
    (module
      (func (export "v") (param v128) (result v128) (local.get 0))
      (func (export "e") (param externref) (result externref) (local.get 0))
      (func (export "n") (param f32) (result f32) (local.get 0)))
    (assert_return (invoke "v" (v128.const i16x8 1 2 3 4 5 6 7 -1)) (v128.const i16x8 1 2 3 4 5 6 7 -1))
    (assert_return (invoke "v" (v128.const i16x8 1 2 3 4 5 6 7 -1)) (v128.const i16x8 1 2 3 4 5 6 7 0))
    (assert_return (invoke "e" (ref.extern 1)) (ref.extern 1))
    (assert_return (invoke "e" (ref.null extern)) (ref.null extern))
    (assert_return (invoke "n" (f32.const nan:0x200000)) (f32.const nan:arithmetic))
    (assert_return (invoke "n" (f32.const nan:0x200000)) (f32.const nan:0x200000))
    (assert_return (invoke "n" (f32.const 1))))");
  EXPECT_EQ(t.passed, 5u);
  EXPECT_EQ(t.failed, 3u);  // wrong lane, a signalling NaN is not arithmetic, a missing result
}

}  // namespace
}  // namespace strata::wast
