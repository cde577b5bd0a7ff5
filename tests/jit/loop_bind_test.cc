// Loop bindings (docs/jit.md "Loop bindings"): the locals a loop's body uses most stay in
// registers from the head on, the locals its body overwrites first are not stored on back edges,
// and float and vector locals are written back like integers. Each program is compared with the
// interpreter, with and without fuel and epoch checks (which keep rax and rcx free at heads).
#include <algorithm>
#include <functional>
#include <string>

#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

constexpr const char* kBindings = R"((module
  (func $halve (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
  (func $id (param i32) (result i32) (local.get 0))
  (func $nop)
  ;; a loop with a call (bindings written through) around one without (written back): the
  ;; outer back edge must store what the inner loop left dirty, since the call reloads it
  (func (export "mixed") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $j i32)
    loop $outer
      call $nop
      local.get $s i32.const 1 i32.add local.set $s
      i32.const 0 local.set $j
      loop $inner
        local.get $s local.get $j i32.add local.set $s
        local.get $j i32.const 1 i32.add local.tee $j
        i32.const 3 i32.lt_u br_if $inner
      end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $outer
    end
    local.get $s)
  ;; float locals: $k bound (read only), $acc bound and written, $t and $u dead at the head and
  ;; read after the loop; a call on one path drops every cache
  (func (export "floats") (param $n i32) (result f64) (local $i i32) (local $acc f64) (local $t f64) (local $u f64) (local $k f64)
    f64.const 1.5 local.set $k
    loop $l
      local.get $i f64.convert_i32_s local.get $k f64.mul local.set $t
      local.get $t local.get $t f64.mul local.set $u
      local.get $acc local.get $u f64.add local.get $t f64.sub local.set $acc
      local.get $i i32.const 5 i32.rem_u i32.eqz
      if local.get $acc call $halve local.set $acc end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $l
    end
    local.get $acc local.get $t f64.add local.get $u f64.add)
  ;; $d is dead at the head, dirty when the body leaves the loop after setting it
  (func (export "exits") (param $n i32) (result i32) (local $i i32) (local $d i32) (local $x i64)
    block $out
      loop $l
        local.get $i i32.const 3 i32.mul local.set $d
        local.get $d local.get $n i32.gt_u br_if $out
        local.get $x local.get $d i64.extend_i32_u i64.add local.set $x
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $d local.get $x i32.wrap_i64 i32.add local.get $i i32.const 16 i32.shl i32.add)
  ;; not dead: $a is set after a branch out of the loop, $b only inside an if, $c inside a
  ;; block that branches back to the head from within
  (func (export "notdead") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $b i32) (local $c i32)
    i32.const 7 local.set $a
    i32.const 9 local.set $b
    i32.const 5 local.set $c
    block $out
      loop $l
        local.get $i local.get $n i32.ge_s br_if $out
        local.get $i i32.const 1 i32.and
        if local.get $i local.set $b end
        local.get $i i32.const 11 i32.add local.set $a
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $a i32.const 100 i32.mul local.get $b i32.add)
  ;; $c is written first inside a block that branches back to the head: live at the head
  (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $c i32)
    i32.const 5 local.set $c
    loop $l
      local.get $i i32.const 1 i32.add local.set $i
      block $skip
        local.get $i i32.const 3 i32.and br_if $skip
        local.get $i i32.const 2 i32.mul local.set $c
        local.get $i local.get $n i32.lt_s br_if $l
      end
      local.get $i local.get $n i32.lt_s br_if $l
    end
    local.get $c i32.const 10000 i32.mul local.get $i i32.add)
  ;; more locals than registers, a division (rax, rdx) and a shift (rcx) in the body, a v128
  ;; local, an inner loop with its own bindings, and a br_table back edge
  (func (export "many") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $h i32) (local $j i32) (local $k i64) (local $v v128) (local $w f32)
    i32.const 1 local.set $a i32.const 2 local.set $b i32.const 3 local.set $c
    block $done
      loop $l
        local.get $a local.get $b i32.add local.set $a
        local.get $b local.get $c i32.xor local.set $b
        local.get $c local.get $d i32.const 3 i32.mul i32.add local.set $c
        local.get $d local.get $a local.get $i i32.const 1 i32.or i32.div_u i32.add local.set $d
        local.get $e local.get $b local.get $i i32.shl i32.sub local.set $e
        local.get $f local.get $c i32.rotl local.set $f
        local.get $g local.get $e i32.add local.get $f i32.xor local.set $g
        local.get $h local.get $g call $id i32.add local.set $h
        local.get $k local.get $h i64.extend_i32_s i64.add local.set $k
        local.get $v local.get $a i32x4.splat i32x4.add local.set $v
        local.get $w local.get $i f32.convert_i32_u f32.add local.set $w
        i32.const 0 local.set $j
        loop $inner
          local.get $j local.get $a i32.add local.set $a
          local.get $j i32.const 1 i32.add local.tee $j
          local.get $i i32.const 3 i32.and i32.lt_u br_if $inner
        end
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u
        br_table $done $l
      end
    end
    local.get $a local.get $b i32.add local.get $c i32.add local.get $d i32.add local.get $e i32.add
    local.get $f i32.add local.get $g i32.add local.get $h i32.add local.get $k i32.wrap_i64 i32.add
    local.get $v i32x4.extract_lane 3 i32.add local.get $w i32.trunc_sat_f32_s i32.add))
)";

// Runs `check` on both tiers' instances of the program in each mode: plain, with fuel, and
// with epoch checks (which keep rax and rcx free at loop heads).
void inEachMode(const char* wat, const std::function<void(Both&)>& check) {
  for (int mode = 0; mode < 3; ++mode) {
    Options o;
    o.config.consume_fuel = mode == 1;
    o.config.epoch_interruption = mode == 2;
    Both m(wat, o);
    for (int i = 0; i < 2 && mode == 2; ++i) m.side(i).store().setEpochDeadline(1000);
    check(m);
  }
}

TEST(JitLoopBindings, SameResultsAsTheInterpreter) {
  REQUIRE_BASELINE();
  inEachMode(kBindings, [](Both& m) {
    for (int32_t n : {0, 1, 2, 5, 6, 17, 300}) {
      m.ok("floats", {Val::i32(n)});
      std::vector<Val> r = m.ok("exits", {Val::i32(n)});
      ASSERT_EQ(r.size(), 1u);
      int32_t i = 0, d = 0;
      int64_t x = 0;
      for (;; ++i) {
        d = i * 3;
        if (uint32_t(d) > uint32_t(n)) break;
        x += d;
      }
      EXPECT_EQ(r[0].i32(), d + int32_t(x) + (i << 16)) << n;
      r = m.ok("notdead", {Val::i32(n)});
      ASSERT_EQ(r.size(), 1u);
      int32_t a = 7, b = 9, c = 5;
      for (i = 0; i < n; ++i) {
        a = i + 11;
        if (i & 1) b = i;
      }
      EXPECT_EQ(r[0].i32(), a * 100 + b) << n;
      r = m.ok("nested", {Val::i32(n)});
      ASSERT_EQ(r.size(), 1u);
      i = 0;
      do {
        ++i;
        if ((i & 3) == 0) c = i * 2;
      } while (i < n);
      EXPECT_EQ(r[0].i32(), c * 10000 + i) << n;
      m.ok("many", {Val::i32(n)});
      r = m.ok("mixed", {Val::i32(n)});
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].i32(), 4 * std::max(n, 1)) << n;
    }
  });
}

// Labels inside a loop without calls keep the loop's bindings in their registers, dirty: an if,
// its else, the blocks branched to (br, br_if, br_table as a chain and as a jump table, a block
// with a result), a block left from an inner loop, more locals than a label state holds, and
// arms whose operands take the bindings' registers.
constexpr const char* kKept = R"((module
  ;; if/else arms writing bound locals, an if without else, nested ifs (no calls: the labels
  ;; keep the loop's bindings dirty)
  (func (export "arms") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $b i32) (local $x f64)
    i32.const 3 local.set $a
    loop $l
      local.get $i i32.const 1 i32.and
      if
        local.get $a local.get $i i32.add local.set $a
        local.get $x f64.const 0.5 f64.add local.set $x
      else
        local.get $b local.get $a i32.xor local.set $b
        local.get $i i32.const 4 i32.rem_u i32.eqz
        if local.get $a i32.const 7 i32.mul local.set $a end
      end
      local.get $i i32.const 3 i32.gt_u
      if local.get $b i32.const 1 i32.add local.set $b end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $l
    end
    local.get $a local.get $b i32.add local.get $x i32.trunc_sat_f64_s i32.add)
  ;; branches to blocks inside the loop: br_if, br, a block with a result, br_table as a chain
  ;; and as a jump table, to blocks and to the loop
  (func (export "blocks") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $b i32) (local $c i64)
    block $out
      loop $l
        block $b1
          block $b2
            local.get $a local.get $i i32.add local.set $a
            local.get $i i32.const 3 i32.and br_if $b2
            local.get $b i32.const 5 i32.add local.set $b
            br $b1
          end
          local.get $c local.get $a i64.extend_i32_u i64.add local.set $c
        end
        block $r (result i32)
          local.get $b
          local.get $i i32.const 2 i32.and br_if $r
          drop
          local.get $a local.get $b i32.sub local.tee $b
        end
        local.get $a i32.add local.set $a
        block $t0 block $t1 block $t2 block $t3
          local.get $i i32.const 5 i32.rem_u
          br_table $t0 $t1 $t2 $t3 $t3
        end local.get $a i32.const 1 i32.add local.set $a
        end local.get $b i32.const 2 i32.add local.set $b
        end local.get $c i64.const 3 i64.add local.set $c
        end
        block $u0 block $u1
          local.get $i i32.const 3 i32.and
          br_table $u0 $u1 $u0 $u1
        end local.get $a i32.const 9 i32.xor local.set $a
        end
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.ge_s br_if $out
        local.get $i i32.const 7 i32.and
        br_table $l $l $l $l $l $l $out $l
      end
    end
    local.get $a local.get $b i32.add local.get $c i32.wrap_i64 i32.add)
  ;; a block inside the outer loop around an inner loop that branches out to it: the inner
  ;; loop's bindings are stored, the outer one's made to hold again
  (func (export "inner") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $a i32) (local $b i32) (local $y f32)
    loop $outer
      block $brk
        i32.const 0 local.set $j
        loop $in
          local.get $a local.get $j i32.add local.set $a
          local.get $y f32.const 1.25 f32.add local.set $y
          local.get $j i32.const 1 i32.add local.tee $j
          local.get $i i32.const 3 i32.rem_u i32.eq br_if $brk
          local.get $j i32.const 5 i32.lt_u br_if $in
        end
        local.get $b i32.const 1 i32.add local.set $b
      end
      local.get $b local.get $a i32.add local.set $b
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $outer
    end
    local.get $a local.get $b i32.mul local.get $y i32.trunc_sat_f32_s i32.add)
  ;; more locals than the label states hold (16), integers and floats, and deep operand stacks
  ;; in the arms (registers taken from the bindings)
  (func (export "wide") (param $n i32) (result i32)
    (local $i i32) (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $e i32) (local $f i32)
    (local $g i32) (local $h i32) (local $k i32) (local $m i32) (local $o i32) (local $p i32) (local $q i32)
    (local $r i32) (local $s i32) (local $t i32) (local $x f64) (local $z f64) (local $w f64)
    loop $l
      local.get $a i32.const 1 i32.add local.set $a local.get $b i32.const 2 i32.add local.set $b
      local.get $c i32.const 3 i32.add local.set $c local.get $d i32.const 4 i32.add local.set $d
      local.get $e i32.const 5 i32.add local.set $e local.get $f i32.const 6 i32.add local.set $f
      local.get $g i32.const 7 i32.add local.set $g local.get $h i32.const 8 i32.add local.set $h
      local.get $k i32.const 9 i32.add local.set $k local.get $m i32.const 10 i32.add local.set $m
      local.get $o i32.const 11 i32.add local.set $o local.get $p i32.const 12 i32.add local.set $p
      local.get $q i32.const 13 i32.add local.set $q local.get $r i32.const 14 i32.add local.set $r
      local.get $x f64.const 1.5 f64.add local.set $x local.get $z local.get $x f64.add local.set $z
      local.get $i i32.const 1 i32.and
      if
        local.get $a local.get $b local.get $c local.get $d local.get $e local.get $f local.get $g local.get $h
        local.get $k local.get $m local.get $o local.get $p local.get $q local.get $r
        i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add i32.add
        local.get $s i32.add local.set $s
        local.get $w local.get $z local.get $x f64.mul f64.add local.set $w
      else
        local.get $t local.get $a local.get $r i32.mul i32.add local.set $t
        local.get $i i32.const 2 i32.and
        if local.get $s local.get $t i32.xor local.set $s end
      end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $l
    end
    local.get $a local.get $b i32.add local.get $c i32.add local.get $d i32.add local.get $e i32.add
    local.get $f i32.add local.get $g i32.add local.get $h i32.add local.get $k i32.add local.get $m i32.add
    local.get $o i32.add local.get $p i32.add local.get $q i32.add local.get $r i32.add local.get $s i32.add
    local.get $t i32.add local.get $w i32.trunc_sat_f64_s i32.add local.get $z i32.trunc_sat_f64_s i32.add)
  ;; $p is dirty at the head (set before the loop, only read in it) and its home is the result
  ;; slot: after the first if's end, the label state must still know its home is stale (a
  ;; differential fuzzing find, binaryen seed 20040)
  (func (export "entrydirty") (param $p i64) (param $n i32) (result i64) (local $i i32)
    local.get $n i64.extend_i32_u i64.const 250 i64.add local.set $p
    loop $l
      local.get $i i32.const 100 i32.gt_s
      if i64.const -1 return end
      local.get $i local.get $n i32.ge_s
      if local.get $p return end
      local.get $i i32.const 1 i32.add local.set $i
      br $l
    end
    i64.const 0)
))";

TEST(JitLoopBindings, LabelsInsideALoopKeepItsBindings) {
  REQUIRE_BASELINE();
  inEachMode(kKept, [](Both& m) {
    for (int32_t n : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 64, 300}) {
      for (const char* f : {"arms", "blocks", "inner", "wide"}) m.ok(f, {Val::i32(n)});
    }
  });
  // The results themselves, for the first few counts (the interpreter agrees above).
  Both m(kKept, Options{});
  auto arms = [](int32_t n) {
    int32_t a = 3, b = 0, i = 0;
    double x = 0;
    do {
      if (i & 1) {
        a += i;
        x += 0.5;
      } else {
        b ^= a;
        if (i % 4 == 0) a *= 7;
      }
      if (i > 3) ++b;
      ++i;
    } while (i < n);
    return a + b + int32_t(x);
  };
  for (int32_t n : {1, 2, 9, 40}) EXPECT_EQ(m.ok("arms", {Val::i32(n)})[0].i32(), arms(n)) << n;
  for (int32_t n : {0, 3, 50}) EXPECT_EQ(m.ok("entrydirty", {Val::i64(7), Val::i32(n)})[0].i64(), 250 + n) << n;
}

// Labels inside a loop with calls keep its bindings when the block opens while they hold
// (shootout-minicsv: its hottest local was reloaded at every join after one rare call path).
// "csv": a br_table dispatch whose arms join at one label, a call on one arm only. "inner": a
// loop without calls (its bindings dirty) leaves to a label of the outer loop, which has calls:
// the edge must store what the inner loop left dirty, since the outer label takes its homes as
// current and the call after it reloads from them. "late": blocks opened after a call (the
// bindings not held there) do not keep them.
constexpr const char* kKeptWithCalls = R"((module
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "csv") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $st i32) (local $c i32)
    loop $l
      block $next
        block $quote
          block $comma
            local.get $i i32.const 7 i32.mul i32.const 5 i32.rem_u local.tee $c
            br_table $comma $quote $next
          end
          local.get $s i32.const 3 i32.add local.set $s
          local.get $st i32.const 1 i32.xor local.set $st
          br $next
        end
        local.get $i i32.const 13 i32.rem_u i32.eqz
        if local.get $s call $id i32.const 1 i32.add local.set $s end
        local.get $s local.get $c i32.add local.set $s
      end
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $l
    end
    local.get $s local.get $st i32.const 16 i32.shl i32.add)
  (func (export "inner") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $j i32)
    loop $outer
      block $b
        loop $inner
          local.get $s i32.const 3 i32.add local.set $s
          local.get $j i32.const 1 i32.add local.tee $j
          i32.const 5 i32.rem_u i32.eqz br_if $b
          local.get $j local.get $n i32.lt_u br_if $inner
        end
      end
      local.get $s call $id drop
      local.get $s call $id i32.const 1 i32.add local.set $s
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_u br_if $outer
    end
    local.get $s local.get $j i32.const 20 i32.shl i32.add)
  (func (export "late") (param $n i32) (result i64) (local $i i32) (local $a i64) (local $b i64) (local $c i64)
    loop $l
      local.get $a call $id64 local.set $a
      block $x
        local.get $i i32.const 3 i32.and br_if $x
        local.get $a local.get $b i64.add local.set $b
        local.get $b i64.const 1 i64.rotl local.get $c i64.xor local.set $c
      end
      local.get $a i64.const 5 i64.add local.set $a
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s br_if $l
    end
    local.get $a local.get $b i64.add local.get $c i64.xor)
  (func $id64 (param i64) (result i64) (local.get 0))
))";

TEST(JitLoopBindings, LabelsInsideALoopWithCallsKeepItsBindings) {
  REQUIRE_BASELINE();
  inEachMode(kKeptWithCalls, [](Both& m) {
    for (int32_t n : {0, 1, 2, 4, 5, 6, 13, 14, 40, 301}) {
      for (const char* f : {"csv", "inner", "late"}) m.ok(f, {Val::i32(n)});
    }
  });
  Both m(kKeptWithCalls, Options{});
  auto csv = [](int32_t n) {
    int32_t s = 0, st = 0, i = 0;
    do {
      int32_t c = int32_t(uint32_t(i * 7) % 5);
      if (c == 0) {
        s += 3;
        st ^= 1;
      } else if (c == 1) {
        if (i % 13 == 0) s += 1;
        s += c;
      }
      ++i;
    } while (i < n);
    return s + (st << 16);
  };
  auto inner = [](uint32_t n) {
    uint32_t s = 0, j = 0, i = 0;
    do {
      do {
        s += 3;
        ++j;
        if (j % 5 == 0) break;
      } while (j < n);
      ++s;
      ++i;
    } while (i < n);
    return int32_t(s + (j << 20));
  };
  for (int32_t n : {1, 5, 6, 14, 40}) {
    EXPECT_EQ(m.ok("csv", {Val::i32(n)})[0].i32(), csv(n)) << n;
    EXPECT_EQ(m.ok("inner", {Val::i32(n)})[0].i32(), inner(uint32_t(n))) << n;
  }
}

}  // namespace
}  // namespace strata::jit_test
