// The baseline tier's control flow (src/jit/codegen_control.cc) against the interpreter: small
// br_tables emitted as compare chains (docs/jit.md "br_table"), with every kind of target, and
// large ones whose entries jump straight to their labels.
#include <string>

#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

// Each function's br_table has at most three entries besides the default, so the generator
// compares the index in a chain: targets that need no code of their own (a block without
// values, a loop whose bindings hold) are jumped to directly, the others (a block with a value,
// a loop whose cached counter moved, the function's return, several entries to one depth) go
// through landings.
constexpr const char* kChains = R"((module
  ;; a state machine over a cached local: in-place targets, and a loop whose binding holds
  (func (export "machine") (param $n i32) (result i32) (local $st i32) (local $i i32) (local $acc i32)
    i32.const 0 local.set $st
    i32.const 0 local.set $i
    block $done
      loop $l
        block $s2
          block $s1
            block $s0
              local.get $st
              br_table $s0 $s1 $s2 $done
            end
            local.get $acc i32.const 3 i32.add local.set $acc
            i32.const 1 local.set $st
            br $s2
          end
          local.get $acc i32.const 5 i32.xor local.set $acc
          local.get $i i32.const 3 i32.and i32.const 2 i32.shl local.set $st
          local.get $st i32.const 4 i32.eq
          if i32.const 3 local.set $st end
        end
        local.get $st i32.const 2 i32.eq
        if i32.const 0 local.set $st end
        local.get $i i32.const 1 i32.add local.tee $i
        local.get $n i32.lt_u br_if $l
      end
    end
    local.get $acc local.get $st i32.const 24 i32.shl i32.add)
  ;; targets carrying a value, the function's return, repeated depths, the default among them
  (func (export "values") (param $x i32) (result i32)
    block $b (result i32)
      block $c (result i32)
        i32.const 10
        local.get $x
        br_table $b $c 0 $b
      end
      i32.const 100 i32.add
    end
    i32.const 1000 i32.add)
  (func (export "ret") (param $x i32) (result i32)
    block $b (result i32)
      i32.const 7
      local.get $x
      br_table 1 $b 1
    end
    i32.const 8 i32.add)
  ;; a constant index, an index in a register, and an empty table (the default alone)
  (func (export "misc") (param $x i32) (result i32) (local $r i32)
    block $a
      block $b
        i32.const 1 br_table $a $b $a
      end
      i32.const 20 local.set $r
    end
    block $c
      local.get $x i32.const 1 i32.add
      br_table $c
    end
    block $d
      block $e
        local.get $x i32.const 3 i32.mul
        br_table $e $d $e
      end
      local.get $r i32.const 1 i32.add local.set $r
    end
    local.get $r))
)";

TEST(JitControl, SmallBrTablesAreCompareChains) {
  REQUIRE_BASELINE();
  for (bool fuel : {false, true}) {
    Options o;
    o.config.consume_fuel = fuel;
    Both m(kChains, o);
    for (int i = 0; i < 2 && fuel; ++i) m.side(i).store().setFuel(1000000);
    for (int32_t x : {0, 1, 2, 3, 4, 17, -1, int32_t(0x80000000)}) {
      m.ok("machine", {Val::i32(x & 0xff)});
      std::vector<Val> r = m.ok("values", {Val::i32(x)});
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].i32(), x == 1 || x == 2 ? 1110 : 1010) << x;
      r = m.ok("ret", {Val::i32(x)});
      ASSERT_EQ(r.size(), 1u);
      EXPECT_EQ(r[0].i32(), x == 1 ? 15 : 7) << x;
      m.ok("misc", {Val::i32(x)});
    }
  }
}

// A br_table of more than kDirectTargets (256) distinct targets: its entries go straight to
// the blocks' ends (patched when each end is bound) and to the loop's head, with no landings.
// Each round of the loop dispatches on a value that moves through every entry; the cases fold
// the case number into an accumulator, so a wrong target changes the result.
std::string bigTableModule() {
  constexpr int kCases = 300;
  std::string wat = "(module (func (export \"run\") (param $n i32) (result i32) (local $i i32) (local $acc i32)\n";
  wat += "loop $l\n  local.get $i i32.const 1 i32.add local.set $i\n  block $tail\n";
  for (int k = 0; k < kCases; ++k) wat += "block\n";
  // Entries 0..299: the cases; 300..310: the loop's head (the next round); the default: $tail.
  wat += "local.get $i i32.const 7 i32.mul i32.const 311 i32.rem_u\nbr_table";
  for (int k = 0; k < kCases; ++k) wat += " " + std::to_string(k);
  for (int k = 0; k < 11; ++k) wat += " " + std::to_string(kCases + 1);
  wat += " " + std::to_string(kCases) + "\n";
  for (int k = 0; k < kCases; ++k) {
    wat += "end local.get $acc i32.const 3 i32.mul i32.const " + std::to_string(k) +
           " i32.add local.get $i i32.xor local.set $acc br " + std::to_string(kCases - 1 - k) + "\n";
  }
  wat += "end\n  local.get $i local.get $n i32.lt_u br_if $l\nend\nlocal.get $acc local.get $i i32.add))";
  return wat;
}

TEST(JitControl, LargeBrTablesJumpStraightToTheirLabels) {
  REQUIRE_BASELINE();
  Both m(bigTableModule());
  for (int32_t n : {0, 1, 2, 44, 300, 311, 2000}) {
    std::vector<Val> r = m.ok("run", {Val::i32(n)});
    ASSERT_EQ(r.size(), 1u);
    uint32_t i = 0, acc = 0;
    for (;;) {
      ++i;
      uint32_t x = i * 7 % 311;
      if (x >= 300) continue;  // the loop's head: the next round, without the test of n
      acc = (acc * 3 + x) ^ i;
      if (i >= uint32_t(n)) break;
    }
    EXPECT_EQ(uint32_t(r[0].i32()), acc + i) << n;
  }
}

}  // namespace
}  // namespace strata::jit_test
