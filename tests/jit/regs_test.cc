// The baseline tier's register state (docs/jit.md "The virtual operand stack and the register
// state", "The local cache"): programs shaped so that a given register holds a given kind of
// value when an instruction with fixed registers runs, or so that local caches cross labels,
// compared with the interpreter.
#include <string>
#include <tuple>

#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

// Eight globals take rsi..rbx (global.get allocates a fresh register each); local 0's first
// get caches it in rax (two registers free); two more globals take rcx and rdx. The i64
// division then evicts rax (the cache) and rdx (a stack entry): the entry must not be moved
// into rax, which the dividend overwrites (found by bench/programs/indirect.c).
std::string divEvictModule() {
  std::string wat = "(module\n";
  for (int i = 0; i < 10; ++i) wat += "(global $g" + std::to_string(i) + " (mut i32) (i32.const " + std::to_string(1 << i) + "))\n";
  // f divides (sums the rest), g takes a remainder (mixes the rest with other operations).
  for (auto [name, op, fold] : {std::tuple{"f", "i64.const 10 i64.div_u", "i32.add"}, std::tuple{"g", "i64.const 7 i64.rem_s", "i32.xor"}}) {
    wat += std::string("(func (export \"") + name + "\") (param i32 i64) (result i32)\n";
    for (int i = 0; i < 8; ++i) wat += "global.get $g" + std::to_string(i) + "\n";
    wat += "local.get 0 global.get $g8 global.get $g9\n";
    wat += std::string("local.get 1 ") + op + " i32.wrap_i64\n";
    for (int i = 0; i < 11; ++i) wat += std::string(fold) + "\n";
    wat += ")\n";
  }
  return wat + ")";
}

TEST(JitRegs, DivisionEvictsRdxNotIntoRax) {
  REQUIRE_BASELINE();
  Both m(divEvictModule());
  for (int32_t x : {0, 1000, -5})
    for (int64_t y : {int64_t{0}, int64_t{12345}, int64_t{-77}, int64_t{1} << 40}) {
      std::vector<Val> r = m.ok("f", {Val::i32(x), Val::i64(y)});
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].i32(), int32_t(uint32_t(1023 + uint32_t(x)) + uint32_t(uint64_t(y) / 10)));
      EXPECT_EQ(m.ok("g", {Val::i32(x), Val::i64(y)}).size(), 1u);
    }
}

// Locals cached across loop iterations, if/else arms and block ends: a loop whose counters are
// set just before it (kept in registers by the head, re-established by each back edge, with
// calls and divisions in the body that drop caches on one path only), nested loops, and a
// br_table into a loop.
constexpr const char* kLoops = R"((module
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $t i32)
    i32.const 0 local.set $i
    i32.const 0 local.set $s
    loop $l
      local.get $i i32.const 3 i32.and
      if
        local.get $s local.get $i i32.add local.set $s
      else
        local.get $s local.get $i call $id i32.xor local.set $s
      end
      block $b
        local.get $i i32.const 5 i32.rem_u br_if $b
        local.get $s i32.const 7 i32.div_u local.get $t i32.add local.set $t
      end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $l
    end
    local.get $s local.get $t i32.const 16 i32.shl i32.add)
  (func (export "nested") (param $n i32) (result i64) (local $i i32) (local $j i32) (local $acc i64)
    i32.const 0 local.set $i
    loop $outer
      i32.const 0 local.set $j
      loop $inner
        local.get $acc local.get $i local.get $j i32.mul i64.extend_i32_u i64.add
        i64.const 0xffffffff i64.and local.set $acc
        local.get $j i32.const 1 i32.add local.tee $j
        local.get $i i32.le_u br_if $inner
      end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $outer
    end
    local.get $acc)
  (func (export "table") (param $n i32) (result i32) (local $i i32) (local $s i32)
    i32.const 0 local.set $i
    block $done
      loop $l
        local.get $s local.get $i i32.add local.set $s
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.ge_u
        br_table $l $done
      end
    end
    local.get $s)))";

TEST(JitRegs, LocalsCachedAcrossLabels) {
  REQUIRE_BASELINE();
  Both m(kLoops);
  for (int32_t n : {0, 1, 2, 5, 17, 100}) {
    m.ok("sum", {Val::i32(n)});
    m.ok("nested", {Val::i32(n)});
    std::vector<Val> r = m.ok("table", {Val::i32(n)});
    ASSERT_EQ(r.size(), 1u);
    int32_t want = 0;
    for (int32_t i = 0;; ++i) {
      want += i;
      if (i + 1 >= n) break;
    }
    EXPECT_EQ(r[0].i32(), want) << n;
  }
}

}  // namespace
}  // namespace strata::jit_test
