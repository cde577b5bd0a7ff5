// The baseline tier's register state (docs/jit.md "The virtual operand stack and the register
// state", "The local cache"): programs shaped so that a given register holds a given kind of
// value when an instruction with fixed registers runs, or so that local caches cross labels,
// compared with the interpreter.
#include <limits>
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

// Write-back locals (docs/jit.md "The local cache"): an integer local.set/tee leaves the value
// in a register only (dirty); the home is written when the cache is dropped (register pressure,
// a store from the cache, an instruction taking rax/rcx/rdx), at every edge into a label and
// before every call. Each function reads locals after one of those points, or through an
// instruction that reads a local operand in place (shift count, dividend, explicit bounds check,
// replace_lane), where a read of the stale home would give the old value.
constexpr const char* kWriteBack = R"((module
  (memory (export "mem") 1)
  (func $id (param i32) (result i32) (local.get 0))
  ;; dirty locals across a call, and a local set from itself
  (func (export "call") (param $x i32) (result i32) (local $a i32) (local $b i64)
    local.get $x i32.const 7 i32.mul local.set $a
    local.get $x i64.extend_i32_u i64.const 40 i64.shl local.set $b
    local.get $a local.set $a
    local.get $x call $id
    local.get $a i32.add
    local.get $b i64.const 40 i64.shr_u i32.wrap_i64 i32.add)
  ;; more dirty locals than registers: pressure drops dirty caches (their homes written then)
  (func (export "pressure") (param $x i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $h i32) (local $i i32) (local $j i32) (local $k i32) (local $l i32)
    (local $m i32) (local $n i32)
    local.get $x i32.const 1 i32.add local.set $a
    local.get $a i32.const 2 i32.add local.set $b
    local.get $b i32.const 3 i32.add local.set $c
    local.get $c i32.const 4 i32.add local.set $d
    local.get $d i32.const 5 i32.add local.set $e
    local.get $e i32.const 6 i32.add local.set $f
    local.get $f i32.const 7 i32.add local.set $g
    local.get $g i32.const 8 i32.add local.set $h
    local.get $h i32.const 9 i32.add local.set $i
    local.get $i i32.const 10 i32.add local.set $j
    local.get $j i32.const 11 i32.add local.set $k
    local.get $k i32.const 12 i32.add local.set $l
    local.get $l i32.const 13 i32.add local.set $m
    local.get $m i32.const 14 i32.add local.set $n
    block $b1  ;; an end nothing branches to: the caches go on, dirty
      local.get $a local.get $n i32.xor local.set $a
    end
    block $b2  ;; a join: both edges flush
      local.get $x br_if $b2
      local.get $b i32.const 100 i32.add local.set $b
    end
    local.get $a local.get $b i32.add local.get $c i32.add local.get $d i32.add local.get $e i32.add
    local.get $f i32.add local.get $g i32.add local.get $h i32.add local.get $i i32.add
    local.get $j i32.add local.get $k i32.add local.get $l i32.add local.get $m i32.add
    local.get $n i32.add)
  ;; operands read in place from a dirty local: shift count, dividend, divisor
  (func (export "inplace") (param $x i32) (param $y i64) (result i64) (local $s i32) (local $d i64) (local $q i64)
    local.get $x i32.const 3 i32.and local.set $s
    local.get $y i64.const 1000 i64.add local.set $d
    local.get $y i64.const 3 i64.or local.set $q
    local.get $x local.get $s i32.shl i64.extend_i32_u
    local.get $d local.get $q i64.div_s i64.add
    local.get $d local.get $q i64.rem_u i64.add)
  ;; a store of a dirty local at an address in the same local
  (func (export "store") (param $x i32) (result i32) (local $p i32)
    local.get $x i32.const 0xff i32.and i32.const 4 i32.mul local.set $p
    local.get $p local.get $p i32.store
    local.get $p i32.load)
  ;; conditional branches out of a loop with dirty locals, if/else arms, br_table
  (func (export "loop") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $t i32)
    block $out
      loop $l
        local.get $s local.get $i i32.add local.set $s
        local.get $s i32.const 1000 i32.gt_u br_if $out
        local.get $i i32.const 1 i32.and
        if
          local.get $t i32.const 3 i32.add local.set $t
        else
          local.get $t local.get $i i32.xor local.set $t
        end
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u br_if $l
      end
    end
    block $a
      block $b
        local.get $t i32.const 99 i32.add local.set $t
        local.get $i i32.const 3 i32.rem_u
        br_table $a $b $a
      end
      local.get $t i32.const 1 i32.shl local.set $t
    end
    local.get $s local.get $t i32.const 16 i32.shl i32.add)
  ;; a trap with dirty locals, after a call that saw them flushed
  (func (export "trap") (param $x i32) (result i32) (local $a i32)
    local.get $x i32.const 5 i32.add local.set $a
    local.get $a call $id drop
    local.get $a i32.const 1 i32.sub local.set $a
    i32.const 100 local.get $a local.get $x i32.sub i32.const 4 i32.sub i32.div_s))
)";

TEST(JitRegs, WriteBackLocals) {
  REQUIRE_BASELINE();
  for (BoundsChecks mode : {BoundsChecks::GuardPages, BoundsChecks::Explicit}) {
    Options o;
    o.config.bounds_checks = mode;
    Both m(kWriteBack, o);
    for (int32_t x : {0, 1, 5, 77, -3}) {
      std::vector<Val> r = m.ok("call", {Val::i32(x)});
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].i32(), int32_t(uint32_t(x) * 8 + (uint32_t(x) & 0xffffff)));
      m.ok("pressure", {Val::i32(x)});
      m.ok("inplace", {Val::i32(x), Val::i64(int64_t(x) * 12345)});
      r = m.ok("store", {Val::i32(x)});
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].i32(), (x & 0xff) * 4);
      m.ok("loop", {Val::i32(x)});
      m.ok("loop", {Val::i32(x + 100)});
      m.same("trap", {Val::i32(x)});
    }
    m.trap("trap", {Val::i32(0)}, TrapKind::IntegerDivideByZero);
  }
}

// Loops under write-back (docs/jit.md "The local cache"): the head's bindings are written
// through, every other integer local written in the body is dirty until a flush (a join, a
// call, a branch out or back, a br_table), and homes read after each of those must be current.
constexpr const char* kLoopWriteBack = R"((module
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "body") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32) (local $t i64)
    i32.const 0 local.set $i
    i32.const 1 local.set $j
    i64.const 5 local.set $t
    block $out
      loop $l
        local.get $i i32.const 3 i32.and
        if
          local.get $s local.get $j i32.add local.set $s
        end
        local.get $i i32.const 7 i32.rem_u i32.eqz
        if
          local.get $i call $id local.get $s i32.add local.set $s
        end
        local.get $j local.get $i i32.add local.set $j
        local.get $t local.get $t i64.const 3 i64.mul i64.xor local.set $t
        local.get $s i32.const 100000 i32.gt_u br_if $out
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u br_if $l
      end
    end
    local.get $i local.get $j i32.add local.get $s i32.add local.get $t i32.wrap_i64 i32.add)
  (func (export "table") (param $n i32) (result i32) (local $i i32) (local $s i32)
    i32.const 0 local.set $i
    block $done
      loop $l
        local.get $s local.get $i i32.xor local.set $s
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u
        br_table $done $l
      end
    end
    local.get $s local.get $i i32.const 16 i32.shl i32.add)
  (func (export "outer") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $s i32)
    i32.const 0 local.set $i
    loop $outer
      i32.const 0 local.set $j
      loop $inner
        local.get $s local.get $i local.get $j i32.mul i32.add local.set $s
        local.get $j i32.const 1 i32.add local.tee $j
        local.get $i i32.lt_u br_if $inner
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u br_if $outer
      end
    end
    local.get $s local.get $i i32.const 8 i32.shl i32.add))
)";

TEST(JitRegs, WriteBackInLoops) {
  REQUIRE_BASELINE();
  Both m(kLoopWriteBack);
  for (int32_t n : {0, 1, 2, 7, 8, 30, 1000}) {
    m.ok("body", {Val::i32(n)});
    m.ok("outer", {Val::i32(n % 40)});
    std::vector<Val> r = m.ok("table", {Val::i32(n)});
    ASSERT_EQ(r.size(), 1u);
    int32_t s = 0, i = 0;
    do {
      s ^= i;
      ++i;
    } while (i < n);
    EXPECT_EQ(r[0].i32(), s + (i << 16)) << n;
  }
}

// The float-to-integer conversions, inline (codegen_ops.cc truncFloat): each of the eight
// trapping and eight saturating ones at its bounds, NaN and in range, once with few registers in use and once with every
// xmm register holding a live value (its scratch register then comes from a spill) and the
// integer registers holding others: results and traps as the interpreter's.
std::string truncModule() {
  std::string wat = "(module\n";
  struct Op { const char* name; const char* src; const char* dst; };
  for (Op o : {Op{"i32.trunc_f32_s", "f32", "i32"}, Op{"i32.trunc_f32_u", "f32", "i32"}, Op{"i32.trunc_f64_s", "f64", "i32"},
               Op{"i32.trunc_f64_u", "f64", "i32"}, Op{"i64.trunc_f32_s", "f32", "i64"}, Op{"i64.trunc_f32_u", "f32", "i64"},
               Op{"i64.trunc_f64_s", "f64", "i64"}, Op{"i64.trunc_f64_u", "f64", "i64"},
               Op{"i32.trunc_sat_f32_s", "f32", "i32"}, Op{"i32.trunc_sat_f32_u", "f32", "i32"},
               Op{"i32.trunc_sat_f64_s", "f64", "i32"}, Op{"i32.trunc_sat_f64_u", "f64", "i32"},
               Op{"i64.trunc_sat_f32_s", "f32", "i64"}, Op{"i64.trunc_sat_f32_u", "f32", "i64"},
               Op{"i64.trunc_sat_f64_s", "f64", "i64"}, Op{"i64.trunc_sat_f64_u", "f64", "i64"}}) {
    std::string src = o.src, dst = o.dst, name = o.name;
    wat += "(func (export \"" + name + "\") (param " + src + ") (result " + dst + ") local.get 0 " + name + ")\n";
        // Eight live i64 values and sixteen live f64 values around the conversion, all folded into
    // the result afterwards.
    wat += "(func (export \"" + name + "/busy\") (param " + src + " f64 i64) (result " + dst + ") (local $r " + dst + ")\n";
    for (int i = 0; i < 8; ++i) wat += "local.get 2 i64.const " + std::to_string(3 * i + 1) + " i64.mul\n";
    for (int i = 0; i < 16; ++i) wat += "local.get 1 f64.const " + std::to_string(i + 1) + " f64.mul\n";
    wat += "local.get 0 " + name + " local.set $r\n";
    for (int i = 0; i < 15; ++i) wat += "f64.add\n";
    wat += "i64.trunc_sat_f64_s\n";
    for (int i = 0; i < 8; ++i) wat += "i64.add\n";
    wat += "local.get $r" + std::string(dst == "i32" ? " i64.extend_i32_u" : "") + " i64.add";
    wat += std::string(dst == "i32" ? " i32.wrap_i64" : "") + ")\n";
  }
  return wat + ")";
}

TEST(JitRegs, TruncationsAtTheirBoundsAndUnderPressure) {
  REQUIRE_BASELINE();
  Both m(truncModule());
  auto f32s = {0.0f, -0.0f, 0.9f, -0.9f, -1.0f, 1.5f, 2147483520.0f, 2147483648.0f, -2147483648.0f, -2147483904.0f,
               4294967040.0f, 4294967296.0f, 9223371487098961920.0f, 9223372036854775808.0f, -9223372036854775808.0f,
               -9223373136366403584.0f, 18446742974197923840.0f, 18446744073709551616.0f,
               std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
               std::numeric_limits<float>::quiet_NaN()};
  auto f64s = {0.0, -0.0, 0.9, -0.9, -1.0, 1.5, 2147483647.9, 2147483648.0, -2147483648.9, -2147483649.0,
               4294967295.9, 4294967296.0, 9223372036854774784.0, 9223372036854775808.0, -9223372036854775808.0,
               -9223372036854777856.0, 18446744073709549568.0, 18446744073709551616.0,
               std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
               std::numeric_limits<double>::quiet_NaN()};
  int traps = 0, results = 0;
  auto each = [&](std::initializer_list<const char*> ops, const auto& values, auto wrap) {
    for (const char* op : ops)
      for (auto x : values)
        for (bool busy : {false, true}) {
          auto o = busy ? m.same(std::string(op) + "/busy", {wrap(x), Val::f64(0.25), Val::i64(7)}) : m.same(op, {wrap(x)});
          (o.trapped ? traps : results)++;
        }
  };
  each({"i32.trunc_f32_s", "i32.trunc_f32_u", "i64.trunc_f32_s", "i64.trunc_f32_u", "i32.trunc_sat_f32_s",
        "i32.trunc_sat_f32_u", "i64.trunc_sat_f32_s", "i64.trunc_sat_f32_u"},
       f32s, [](float x) { return Val::f32(x); });
  each({"i32.trunc_f64_s", "i32.trunc_f64_u", "i64.trunc_f64_s", "i64.trunc_f64_u", "i32.trunc_sat_f64_s",
        "i32.trunc_sat_f64_u", "i64.trunc_sat_f64_s", "i64.trunc_sat_f64_u"},
       f64s, [](double x) { return Val::f64(x); });
  // Both outcomes occur (the values above straddle each range; the saturating ones never trap).
  EXPECT_GT(traps, 50);
  EXPECT_GT(results, 300);
}

// Declared locals start at zero however many there are (one mov each up to 8, one 16-byte store
// each up to kZeroStoresMax, `rep stosq` beyond), v128 ones whole: `dirty` first fills the stack
// below the caller's frame with ones through locals of its own, so a slot left unzeroed shows.
std::string zeroLocalsModule() {
  std::string wat = "(module\n(func $dirty (local";
  for (int i = 0; i < 48; ++i) wat += " v128";
  wat += ")\n";
  for (int i = 0; i < 48; ++i) wat += "v128.const i64x2 -1 -1 local.set " + std::to_string(i) + "\n";
  wat += ")\n";
  for (int n : {3, 8, 9, 20, 32, 33, 47}) {
    // Mixed kinds: i32, i64, f64, v128 in turn; the result ORs every bit of every local.
    wat += "(func $z" + std::to_string(n) + " (result i64) (local";
    const char* kinds[] = {"i32", "i64", "f64", "v128"};
    for (int i = 0; i < n; ++i) wat += std::string(" ") + kinds[i % 4];
    wat += ")\ni64.const 0\n";
    for (int i = 0; i < n; ++i) {
      std::string g = "local.get " + std::to_string(i);
      switch (i % 4) {
        case 0: wat += g + " i64.extend_i32_u i64.or\n"; break;
        case 1: wat += g + " i64.or\n"; break;
        case 2: wat += g + " i64.reinterpret_f64 i64.or\n"; break;
        default: wat += g + " i64x2.extract_lane 0 i64.or " + g + " i64x2.extract_lane 1 i64.or\n"; break;
      }
    }
    wat += ")\n(func (export \"z" + std::to_string(n) + "\") (result i64) call $dirty call $z" + std::to_string(n) + ")\n";
  }
  return wat + ")";
}

TEST(JitRegs, DeclaredLocalsStartAtZeroInEveryZeroingMode) {
  REQUIRE_BASELINE();
  Both m(zeroLocalsModule());
  for (int n : {3, 8, 9, 20, 32, 33, 47}) {
    std::vector<Val> r = m.ok("z" + std::to_string(n));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].i64(), 0) << n << " locals";
  }
}

}  // namespace
}  // namespace strata::jit_test
