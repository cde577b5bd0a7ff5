// Every trap kind the MVP and WebAssembly 2.0 instructions raise (plus the typed function
// references' null traps), run on the interpreter and on the baseline tier: the same kind,
// message and backtrace, the same results where nothing traps, and the same memory afterwards.
#include <cmath>
#include <limits>

#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();

TEST(JitTraps, Unreachable) {
  REQUIRE_BASELINE();
  Both m(R"((module $u
    (func $plain (export "plain") unreachable)
    (func $nested (export "nested") (param i32) (result i32)
      (block (result i32)
        (i32.add (i32.const 1)
          (if (result i32) (local.get 0) (then (unreachable)) (else (i32.const 2))))))
    (func (export "ok") (result i32) (i32.const 42))))");
  Trap t = m.trap("plain", {}, TrapKind::Unreachable);
  ASSERT_EQ(t.frames().size(), 1u);
  EXPECT_EQ(t.frames()[0].func_name, "plain");
  EXPECT_EQ(t.frames()[0].module_name, "u");
  m.trap("nested", {i32(1)}, TrapKind::Unreachable);
  EXPECT_EQ(m.ok("nested", {i32(0)})[0].i32(), 3);
  EXPECT_EQ(m.ok("ok")[0].i32(), 42);
}

// Division: i32/i64 x div_s, div_u, rem_s, rem_u, with the divisor from a parameter, as a
// constant (the compiler may specialise it), and with both operands constant.
std::string divModule() {
  std::string wat = "(module $div\n";
  for (std::string ty : {"i32", "i64"}) {
    for (std::string op : {"div_s", "div_u", "rem_s", "rem_u"}) {
      std::string n = ty + "." + op;
      wat += "(func (export \"" + n + "\") (param " + ty + " " + ty + ") (result " + ty + ") (" + n +
             " (local.get 0) (local.get 1)))\n";
      for (std::string c : {"0", "-1", "1", "2", "8", "-8", "3", "7"}) {
        wat += "(func (export \"" + n + "/" + c + "\") (param " + ty + ") (result " + ty + ") (" + n + " (local.get 0) (" +
               ty + ".const " + c + ")))\n";
      }
      std::string min = ty == "i32" ? "0x80000000" : "0x8000000000000000";
      wat += "(func (export \"" + n + "/const0\") (result " + ty + ") (" + n + " (" + ty + ".const 5) (" + ty +
             ".const 0)))\n";
      wat += "(func (export \"" + n + "/constmin\") (result " + ty + ") (" + n + " (" + ty + ".const " + min +
             ") (" + ty + ".const -1)))\n";
    }
  }
  return wat + ")";
}

TEST(JitTraps, IntegerDivision) {
  REQUIRE_BASELINE();
  Both m(divModule());
  for (bool is64 : {false, true}) {
    std::string ty = is64 ? "i64" : "i32";
    auto v = [&](int64_t x) { return is64 ? i64(x) : i32(int32_t(x)); };
    int64_t min = is64 ? kMin64 : kMin32;
    for (std::string op : {"div_s", "div_u", "rem_s", "rem_u"}) {
      std::string n = ty + "." + op;
      bool signed_div = op == "div_s";
      // Zero divisors trap; INT_MIN / -1 overflows only for div_s (rem_s gives 0).
      for (int64_t x : {int64_t{0}, int64_t{1}, int64_t{-1}, min}) m.trap(n, {v(x), v(0)}, TrapKind::IntegerDivideByZero);
      if (signed_div) {
        m.trap(n, {v(min), v(-1)}, TrapKind::IntegerOverflow);
      } else {
        m.ok(n, {v(min), v(-1)});
      }
      for (int64_t x : {int64_t{7}, int64_t{-7}, int64_t{0}, min, min + 1, -min - 1}) {
        for (int64_t y : {int64_t{2}, int64_t{-2}, int64_t{3}, int64_t{1}, min, int64_t{-1}}) {
          if (!(signed_div && x == min && y == -1)) m.ok(n, {v(x), v(y)});
        }
      }
      for (std::string c : {"0", "-1", "1", "2", "8", "-8", "3", "7"}) {
        for (int64_t x : {int64_t{7}, int64_t{-7}, int64_t{0}, min, -min - 1, int64_t{-9}}) {
          Outcome o = m.same(n + "/" + c, {v(x)});
          if (c == "0") {
            EXPECT_TRUE(o.trapped);
            EXPECT_EQ(o.trap.kind(), TrapKind::IntegerDivideByZero) << n << "/" << c;
          } else if (c == "-1" && signed_div && x == min) {
            EXPECT_TRUE(o.trapped);
            EXPECT_EQ(o.trap.kind(), TrapKind::IntegerOverflow) << n << "/" << c;
          } else {
            EXPECT_FALSE(o.trapped) << n << "/" << c << " " << o.text;
          }
        }
      }
      m.trap(n + "/const0", {}, TrapKind::IntegerDivideByZero);
      if (signed_div) {
        m.trap(n + "/constmin", {}, TrapKind::IntegerOverflow);
      } else {
        m.ok(n + "/constmin");
      }
    }
  }
}

// Every trapping float -> integer conversion (and its saturating twin, which never traps) at
// NaNs, infinities and both sides of each boundary.
TEST(JitTraps, FloatToIntConversions) {
  REQUIRE_BASELINE();
  std::string wat = "(module $conv\n";
  std::vector<std::string> ops;
  for (std::string to : {"i32", "i64"}) {
    for (std::string from : {"f32", "f64"}) {
      for (std::string sign : {"s", "u"}) {
        for (std::string sat : {"", "_sat"}) {
          std::string n = to + ".trunc" + sat + "_" + from + "_" + sign;
          ops.push_back(n);
          wat += "(func (export \"" + n + "\") (param " + from + ") (result " + to + ") (" + n + " (local.get 0)))\n";
          wat += "(func (export \"" + n + "/nan\") (result " + to + ") (" + n + " (" + from + ".const nan)))\n";
          wat += "(func (export \"" + n + "/big\") (result " + to + ") (" + n + " (" + from + ".const 1e30)))\n";
        }
      }
    }
  }
  Both m(wat + ")");
  const double f64s[] = {
      0.0, -0.0, 0.5, -0.5, -0.9999999, -1.0, 1.0, 4.9e-324, -4.9e-324,
      2147483647.0, 2147483647.9, 2147483648.0, -2147483648.0, -2147483648.9, -2147483649.0,
      4294967295.0, 4294967295.9, 4294967296.0,
      9223372036854774784.0, 9223372036854775808.0, -9223372036854775808.0, -9223372036854777856.0,
      18446744073709549568.0, 18446744073709551616.0,
      std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
  const uint64_t nan64[] = {0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull, 0xfff4000000000000ull};
  const float f32s[] = {
      0.0f, -0.0f, 0.5f, -0.5f, -0.99999994f, -1.0f, 1.4e-45f, 2147483520.0f, 2147483648.0f, -2147483648.0f,
      -2147483904.0f, 4294967040.0f, 4294967296.0f, 9223371487098961920.0f, 9223372036854775808.0f,
      -9223372036854775808.0f, -9223373136366403584.0f, 18446742974197923840.0f, 18446744073709551616.0f,
      std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
      std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()};
  const uint32_t nan32[] = {0x7fc00000u, 0xffc00000u, 0x7f800001u, 0xffa00000u};
  for (const std::string& n : ops) {
    bool from64 = n.find("_f64_") != std::string::npos;
    bool sat = n.find("_sat") != std::string::npos;
    if (from64) {
      for (double x : f64s) m.same(n, {Val::f64(x)});
      for (uint64_t b : nan64) {
        Outcome o = m.same(n, {Val::f64Bits(b)});
        EXPECT_EQ(o.trapped, !sat) << n;
        if (!sat) {
          EXPECT_EQ(o.trap.kind(), TrapKind::InvalidConversion) << n;
        }
      }
      if (!sat) {
        m.trap(n, {Val::f64(std::numeric_limits<double>::infinity())}, TrapKind::IntegerOverflow);
        m.trap(n, {Val::f64(-std::numeric_limits<double>::infinity())}, TrapKind::IntegerOverflow);
      }
    } else {
      for (float x : f32s) m.same(n, {Val::f32(x)});
      for (uint32_t b : nan32) {
        Outcome o = m.same(n, {Val::f32Bits(b)});
        EXPECT_EQ(o.trapped, !sat) << n;
        if (!sat) {
          EXPECT_EQ(o.trap.kind(), TrapKind::InvalidConversion) << n;
        }
      }
    }
    if (sat) {
      m.ok(n + "/nan");
      m.ok(n + "/big");
    } else {
      m.trap(n + "/nan", {}, TrapKind::InvalidConversion);
      m.trap(n + "/big", {}, TrapKind::IntegerOverflow);
    }
  }
}

// ---- memory ----

struct Access {
  const char* op;
  const char* type;  // value type loaded or stored
  uint32_t width;
};

const Access kLoads[] = {
    {"i32.load", "i32", 4},      {"i64.load", "i64", 8},      {"f32.load", "f32", 4},      {"f64.load", "f64", 8},
    {"i32.load8_s", "i32", 1},   {"i32.load8_u", "i32", 1},   {"i32.load16_s", "i32", 2},  {"i32.load16_u", "i32", 2},
    {"i64.load8_s", "i64", 1},   {"i64.load8_u", "i64", 1},   {"i64.load16_s", "i64", 2},  {"i64.load16_u", "i64", 2},
    {"i64.load32_s", "i64", 4},  {"i64.load32_u", "i64", 4},  {"v128.load", "v128", 16},   {"v128.load8x8_s", "v128", 8},
    {"v128.load16x4_u", "v128", 8}, {"v128.load32_splat", "v128", 4}, {"v128.load64_zero", "v128", 8},
    {"v128.load8_splat", "v128", 1},
};

const Access kStores[] = {
    {"i32.store", "i32", 4},   {"i64.store", "i64", 8},    {"f32.store", "f32", 4},    {"f64.store", "f64", 8},
    {"i32.store8", "i32", 1},  {"i32.store16", "i32", 2},  {"i64.store8", "i64", 1},   {"i64.store16", "i64", 2},
    {"i64.store32", "i64", 4}, {"v128.store", "v128", 16},
};

std::string allOnes(const std::string& type) {
  if (type == "i32") return "(i32.const -1)";
  if (type == "i64") return "(i64.const -1)";
  if (type == "f32") return "(f32.const -nan:0x7fffff)";
  if (type == "f64") return "(f64.const -nan:0xfffffffffffff)";
  return "(v128.const i64x2 -1 -1)";
}

// Loads and stores of every width through memory 0 (exported as "mem", so the harness compares
// its contents after each call), with offset 0 and offset 0xffffffff (or 2^64-1 on memory64),
// plus lane accesses and an access through a second memory.
std::string memoryModule(bool is64) {
  std::string at = is64 ? "i64" : "i32";
  std::string big = is64 ? "0xffffffffffffffff" : "0xffffffff";
  std::string wat = "(module $mem\n (memory (export \"mem\") " + at + " 1)\n (memory $second " + at + " 1)\n";
  for (const Access& a : kLoads) {
    wat += std::string("(func (export \"") + a.op + "\") (param " + at + ") (result " + a.type + ") (" + a.op +
           " (local.get 0)))\n";
    wat += std::string("(func (export \"") + a.op + "/big\") (param " + at + ") (result " + a.type + ") (" + a.op +
           " offset=" + big + " (local.get 0)))\n";
    wat += std::string("(func (export \"") + a.op + "/4096\") (param " + at + ") (result " + a.type + ") (" + a.op +
           " offset=4096 (local.get 0)))\n";
  }
  for (const Access& a : kStores) {
    wat += std::string("(func (export \"") + a.op + "\") (param " + at + ") (" + a.op + " (local.get 0) " +
           allOnes(a.type) + "))\n";
    wat += std::string("(func (export \"") + a.op + "/big\") (param " + at + ") (" + a.op + " offset=" + big +
           " (local.get 0) " + allOnes(a.type) + "))\n";
    wat += std::string("(func (export \"") + a.op + "/4096\") (param " + at + ") (" + a.op +
           " offset=4096 (local.get 0) " + allOnes(a.type) + "))\n";
  }
  wat += "(func (export \"v128.load32_lane\") (param " + at +
         ") (result v128) (v128.load32_lane 1 (local.get 0) (v128.const i64x2 0 0)))\n";
  wat += "(func (export \"v128.store64_lane\") (param " + at +
         ") (v128.store64_lane 1 (local.get 0) (v128.const i64x2 -1 -1)))\n";
  wat += "(func (export \"second.i32.load\") (param " + at + ") (result i32) (i32.load $second (local.get 0)))\n";
  wat += "(func (export \"second.i64.store\") (param " + at + ") (i64.store $second (local.get 0) (i64.const -1)))\n";
  wat += "(func (export \"grow\") (result " + at + ") (memory.grow (" + at + ".const 1)))\n";
  wat += "(func (export \"size\") (result " + at + ") (memory.size))\n";
  return wat + ")";
}

void checkMemoryAccesses(Both& m, bool is64) {
  auto addr = [&](uint64_t a) { return is64 ? u64(a) : u32(uint32_t(a)); };
  // Bytes of memory 0 in pages; grows by one page at the end.
  auto run = [&](uint64_t bytes) {
    auto check = [&](const std::string& name, uint32_t width) {
      // In bounds: the last `width` bytes, and address 0; out of bounds: straddling the end,
      // just past it, far beyond, and addresses with the high bit set.
      m.ok(name, {addr(bytes - width)});
      m.ok(name, {addr(0)});
      for (uint64_t a : {bytes - width + 1, bytes - width / 2, bytes, bytes + 4096, uint64_t{0x7fffffff}, uint64_t{0x80000000},
                         uint64_t{0xfffffff0}, uint64_t{0xffffffff}}) {
        m.trap(name, {addr(a)}, TrapKind::MemoryOutOfBounds);
      }
      if (is64) {
        for (uint64_t a : {uint64_t{1} << 32, (uint64_t{1} << 32) + 8, uint64_t{1} << 63, ~uint64_t{0}, ~uint64_t{0} - width + 1}) {
          m.trap(name, {addr(a)}, TrapKind::MemoryOutOfBounds);
        }
      }
      // Offset 0xffffffff (2^64-1): only address 0 with a 1-byte access stays... out of bounds
      // too (the effective address exceeds any memory); the sum must not wrap on memory64.
      for (uint64_t a : {uint64_t{0}, uint64_t{1}, uint64_t{16}, bytes}) m.trap(name + "/big", {addr(a)}, TrapKind::MemoryOutOfBounds);
      m.ok(name + "/4096", {addr(bytes - 4096 - width)});
      m.trap(name + "/4096", {addr(bytes - 4096 - width + 1)}, TrapKind::MemoryOutOfBounds);
      m.trap(name + "/4096", {addr(bytes - 4096)}, TrapKind::MemoryOutOfBounds);
    };
    for (const Access& a : kLoads) check(a.op, a.width);
    for (const Access& a : kStores) check(a.op, a.width);
    m.ok("v128.load32_lane", {addr(bytes - 4)});
    m.trap("v128.load32_lane", {addr(bytes - 3)}, TrapKind::MemoryOutOfBounds);
    m.ok("v128.store64_lane", {addr(bytes - 8)});
    m.trap("v128.store64_lane", {addr(bytes - 7)}, TrapKind::MemoryOutOfBounds);
  };
  run(65536);
  // Memory 1 did not grow: its bound stays at one page.
  m.ok("second.i32.load", {addr(65532)});
  m.trap("second.i32.load", {addr(65533)}, TrapKind::MemoryOutOfBounds);
  m.ok("second.i64.store", {addr(65528)});
  m.trap("second.i64.store", {addr(65529)}, TrapKind::MemoryOutOfBounds);
  // After growing memory 0, the old end is in bounds and the new end is the bound.
  m.ok("grow");
  m.ok("size");
  run(2 * 65536);
  m.trap("second.i32.load", {addr(65536)}, TrapKind::MemoryOutOfBounds);
}

Options withBounds(BoundsChecks mode) {
  Options o;
  o.config.bounds_checks = mode;
  return o;
}

TEST(JitTraps, MemoryOutOfBoundsGuardPages) {
  REQUIRE_BASELINE();
  Both m(memoryModule(false), withBounds(BoundsChecks::GuardPages));
  checkMemoryAccesses(m, false);
}

TEST(JitTraps, MemoryOutOfBoundsExplicitChecks) {
  REQUIRE_BASELINE();
  Both m(memoryModule(false), withBounds(BoundsChecks::Explicit));
  checkMemoryAccesses(m, false);
}

TEST(JitTraps, Memory64OutOfBoundsExplicitChecks) {
  REQUIRE_BASELINE();
  Both m(memoryModule(true), withBounds(BoundsChecks::Explicit));
  checkMemoryAccesses(m, true);
}

TEST(JitTraps, Memory64OutOfBoundsDefaultChecks) {
  REQUIRE_BASELINE();
  Both m(memoryModule(true));
  checkMemoryAccesses(m, true);
}

// A trapping store writes nothing, not even the bytes that fit (the harness compares the
// memory's hash after every call, and here the bytes themselves).
TEST(JitTraps, TrappingStoreWritesNothing) {
  REQUIRE_BASELINE();
  for (BoundsChecks mode : {BoundsChecks::GuardPages, BoundsChecks::Explicit}) {
    Both m(R"((module (memory (export "mem") 1)
      (func (export "st64") (param i32) (i64.store (local.get 0) (i64.const -1)))
      (func (export "st128") (param i32) (v128.store (local.get 0) (v128.const i64x2 -1 -1)))))",
           withBounds(mode));
    m.trap("st64", {i32(65532)}, TrapKind::MemoryOutOfBounds);
    m.trap("st128", {i32(65528)}, TrapKind::MemoryOutOfBounds);
    for (int i = 0; i < 2; ++i) {
      Side& s = m.side(i);
      if (!s.ok()) continue;
      const uint8_t* end = s.instance().getMemory("mem")->data() + 65536 - 16;
      for (int b = 0; b < 16; ++b) EXPECT_EQ(end[b], 0) << s.tier() << " wrote byte " << b << " of a trapping store";
    }
  }
}

TEST(JitTraps, BulkMemoryOutOfBounds) {
  REQUIRE_BASELINE();
  const char* wat = R"((module $bulk (memory (export "mem") 1)
    (data $d "hello")
    (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
    (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
    (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
    (func (export "drop") (data.drop $d))))";
  for (BoundsChecks mode : {BoundsChecks::GuardPages, BoundsChecks::Explicit}) {
    Both m(wat, withBounds(mode));
    const int32_t n = 65536;
    m.ok("fill", {i32(n - 4), i32(0xab), i32(4)});
    m.ok("fill", {i32(n), i32(1), i32(0)});
    m.trap("fill", {i32(n + 1), i32(2), i32(0)}, TrapKind::MemoryOutOfBounds);
    m.trap("fill", {i32(n - 2), i32(3), i32(3)}, TrapKind::MemoryOutOfBounds);
    m.trap("fill", {i32(0), i32(4), i32(-1)}, TrapKind::MemoryOutOfBounds);
    m.trap("fill", {i32(-1), i32(5), i32(2)}, TrapKind::MemoryOutOfBounds);
    m.ok("copy", {i32(0), i32(n - 4), i32(4)});
    m.ok("copy", {i32(n), i32(n), i32(0)});
    m.trap("copy", {i32(n + 1), i32(0), i32(0)}, TrapKind::MemoryOutOfBounds);
    m.trap("copy", {i32(0), i32(n + 1), i32(0)}, TrapKind::MemoryOutOfBounds);
    m.trap("copy", {i32(n - 2), i32(0), i32(4)}, TrapKind::MemoryOutOfBounds);
    m.trap("copy", {i32(0), i32(n - 2), i32(4)}, TrapKind::MemoryOutOfBounds);
    m.trap("copy", {i32(8), i32(0), i32(-8)}, TrapKind::MemoryOutOfBounds);
    m.ok("init", {i32(100), i32(0), i32(5)});
    m.ok("init", {i32(n), i32(5), i32(0)});
    m.trap("init", {i32(n - 2), i32(0), i32(3)}, TrapKind::MemoryOutOfBounds);
    m.trap("init", {i32(0), i32(3), i32(3)}, TrapKind::MemoryOutOfBounds);
    m.trap("init", {i32(0), i32(6), i32(0)}, TrapKind::MemoryOutOfBounds);
    m.trap("init", {i32(n + 1), i32(0), i32(0)}, TrapKind::MemoryOutOfBounds);
    m.ok("drop");
    m.ok("init", {i32(0), i32(0), i32(0)});
    m.trap("init", {i32(0), i32(0), i32(1)}, TrapKind::MemoryOutOfBounds);
  }
}

// ---- tables and indirect calls ----

TEST(JitTraps, TableOutOfBounds) {
  REQUIRE_BASELINE();
  Both m(R"((module $tab
    (table $t 3 funcref)
    (table $x 2 externref)
    (elem $e func $f $g)
    (elem (table $t) (i32.const 0) func $f)
    (func $f (result i32) (i32.const 1))
    (func $g (result i32) (i32.const 2))
    (func (export "get") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
    (func (export "set") (param i32) (table.set $t (local.get 0) (ref.func $g)))
    (func (export "xget") (param i32) (result i32) (ref.is_null (table.get $x (local.get 0))))
    (func (export "xset") (param i32) (table.set $x (local.get 0) (ref.null extern)))
    (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $f) (local.get 1)))
    (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
    (func (export "init") (param i32 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
    (func (export "drop") (elem.drop $e))
    (func (export "grow") (result i32) (table.grow $t (ref.null func) (i32.const 2)))))");
  m.ok("get", {i32(2)});
  for (int32_t i : {3, 4, 1000, -1, kMin32}) m.trap("get", {i32(i)}, TrapKind::TableOutOfBounds);
  m.ok("set", {i32(2)});
  for (int32_t i : {3, -1}) m.trap("set", {i32(i)}, TrapKind::TableOutOfBounds);
  m.ok("xget", {i32(1)});
  m.trap("xget", {i32(2)}, TrapKind::TableOutOfBounds);
  m.ok("xset", {i32(1)});
  m.trap("xset", {i32(2)}, TrapKind::TableOutOfBounds);
  m.ok("fill", {i32(1), i32(2)});
  m.ok("fill", {i32(3), i32(0)});
  m.trap("fill", {i32(4), i32(0)}, TrapKind::TableOutOfBounds);
  m.trap("fill", {i32(2), i32(2)}, TrapKind::TableOutOfBounds);
  m.trap("fill", {i32(0), i32(-1)}, TrapKind::TableOutOfBounds);
  m.ok("copy", {i32(0), i32(1), i32(2)});
  m.ok("copy", {i32(3), i32(3), i32(0)});
  m.trap("copy", {i32(4), i32(0), i32(0)}, TrapKind::TableOutOfBounds);
  m.trap("copy", {i32(0), i32(4), i32(0)}, TrapKind::TableOutOfBounds);
  m.trap("copy", {i32(2), i32(0), i32(2)}, TrapKind::TableOutOfBounds);
  m.trap("copy", {i32(0), i32(2), i32(2)}, TrapKind::TableOutOfBounds);
  m.ok("init", {i32(1), i32(0), i32(2)});
  m.ok("init", {i32(3), i32(2), i32(0)});
  m.trap("init", {i32(2), i32(0), i32(2)}, TrapKind::TableOutOfBounds);
  m.trap("init", {i32(0), i32(1), i32(2)}, TrapKind::TableOutOfBounds);
  m.trap("init", {i32(0), i32(3), i32(0)}, TrapKind::TableOutOfBounds);
  m.ok("drop");
  m.ok("init", {i32(0), i32(0), i32(0)});
  m.trap("init", {i32(0), i32(0), i32(1)}, TrapKind::TableOutOfBounds);
  // The table grows: indices 3 and 4 become valid.
  m.ok("grow");
  m.ok("get", {i32(4)});
  m.trap("get", {i32(5)}, TrapKind::TableOutOfBounds);
}

TEST(JitTraps, IndirectCalls) {
  REQUIRE_BASELINE();
  Both m(R"((module $ind
    (type $v (func (result i32)))
    (type $i (func (param i32) (result i32)))
    (table $t 4 funcref)
    (table $u 2 funcref)
    (elem (table $t) (i32.const 0) func $f $g)
    (elem (table $t) (i32.const 3) func $f)
    (elem (table $u) (i32.const 1) func $f)
    (func $f (result i32) (i32.const 1))
    (func $g (param i32) (result i32) (local.get 0))
    (func (export "call") (param i32) (result i32) (call_indirect $t (type $v) (local.get 0)))
    (func (export "call_u") (param i32) (result i32) (call_indirect $u (type $v) (local.get 0)))
    (func (export "tail") (param i32) (result i32) (return_call_indirect $t (type $v) (local.get 0)))
    (func (export "call_i") (param i32) (result i32) (call_indirect $t (type $i) (i32.const 7) (local.get 0)))
    (func (export "grow") (result i32) (table.grow $t (ref.null func) (i32.const 1)))))");
  EXPECT_EQ(m.ok("call", {i32(0)})[0].i32(), 1);
  EXPECT_EQ(m.ok("call", {i32(3)})[0].i32(), 1);
  EXPECT_EQ(m.ok("call_i", {i32(1)})[0].i32(), 7);
  EXPECT_EQ(m.ok("call_u", {i32(1)})[0].i32(), 1);
  for (const char* f : {"call", "tail"}) {
    for (int32_t i : {4, 5, 1 << 20, -1, kMin32}) m.trap(f, {i32(i)}, TrapKind::UndefinedElement);
    Trap t = m.trap(f, {i32(2)}, TrapKind::UninitializedElement);
    EXPECT_EQ(t.message(), "uninitialized element 2");
    m.trap(f, {i32(1)}, TrapKind::IndirectCallTypeMismatch);
  }
  m.trap("call_i", {i32(0)}, TrapKind::IndirectCallTypeMismatch);
  m.trap("call_i", {i32(4)}, TrapKind::UndefinedElement);
  Trap t = m.trap("call_u", {i32(0)}, TrapKind::UninitializedElement);
  EXPECT_EQ(t.message(), "uninitialized element 0");
  m.trap("call_u", {i32(2)}, TrapKind::UndefinedElement);
  // Growing the table turns "undefined" into "uninitialized".
  m.ok("grow");
  t = m.trap("call", {i32(4)}, TrapKind::UninitializedElement);
  EXPECT_EQ(t.message(), "uninitialized element 4");
  m.trap("call", {i32(5)}, TrapKind::UndefinedElement);
}

TEST(JitTraps, NullReferences) {
  REQUIRE_BASELINE();
  Both m(R"((module $refs
    (type $v (func (result i32)))
    (elem declare func $f)
    (func $f (type $v) (i32.const 5))
    (func $pick (param i32) (result (ref null $v)) (if (result (ref null $v)) (local.get 0) (then (ref.func $f)) (else (ref.null $v))))
    (func (export "call_ref") (param i32) (result i32) (call_ref $v (call $pick (local.get 0))))
    (func (export "return_call_ref") (param i32) (result i32) (return_call_ref $v (call $pick (local.get 0))))
    (func (export "as_non_null") (param i32) (result i32) (call_ref $v (ref.as_non_null (call $pick (local.get 0)))))
    (func (export "extern_non_null") (param externref) (result i32) (drop (ref.as_non_null (local.get 0))) (i32.const 1))
    (func (export "br_on_null") (param i32) (result i32)
      (block $null (return (call_ref $v (br_on_null $null (call $pick (local.get 0)))))) (i32.const -1))))");
  for (const char* f : {"call_ref", "return_call_ref", "as_non_null", "br_on_null"}) EXPECT_EQ(m.ok(f, {i32(1)})[0].i32(), 5);
  m.trap("call_ref", {i32(0)}, TrapKind::NullFunctionReference);
  m.trap("return_call_ref", {i32(0)}, TrapKind::NullFunctionReference);
  m.trap("as_non_null", {i32(0)}, TrapKind::NullReference);
  m.trap("extern_non_null", {Val::externref(ExternRef())}, TrapKind::NullReference);
  m.ok("extern_non_null", {Val::externref(ExternRef::fromInt(3))});
  EXPECT_EQ(m.ok("br_on_null", {i32(0)})[0].i32(), -1);
}

// ---- stack exhaustion ----

TEST(JitTraps, DeepRecursionAndTheHostLivesOn) {
  REQUIRE_BASELINE();
  const char* wat = R"((module $rec
    (type $t (func (param i64) (result i64)))
    (table 1 funcref) (elem (i32.const 0) $ind)
    (func $rec (export "rec") (call $rec))
    (func $wide (export "wide") (param i64 i64 i64 i64 i64 i64 i64 i64) (result i64)
      (local f64 f64 f64 f64 v128 v128 v128 v128)
      (i64.add (local.get 0) (call $wide (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                                         (local.get 5) (local.get 6) (local.get 7) (local.get 0))))
    (func $ind (export "ind") (param i64) (result i64)
      (i64.add (i64.const 1) (call_indirect (type $t) (local.get 0) (i32.const 0))))
    (func $count (export "count") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $count (i32.sub (local.get 0) (i32.const 1)))))))
    (func (export "ok") (result i32) (i32.const 42))))";
  for (uint64_t stack : {uint64_t{512 * 1024}, uint64_t{64 * 1024}}) {
    Options o;
    o.config.max_wasm_stack = stack;
    Both m(wat, o);
    for (int round = 0; round < 3; ++round) {
      for (const char* f : {"rec", "wide", "ind"}) {
        std::vector<Val> args = std::string(f) == "rec" ? std::vector<Val>{} : std::vector<Val>(f == std::string("wide") ? 8 : 1, i64(1));
        for (int i = 0; i < 2; ++i) {
          Side& s = m.side(i);
          if (!s.ok()) continue;
          Outcome out = s.call(f, args);
          ASSERT_TRUE(out.trapped) << s.tier() << " " << f;
          EXPECT_EQ(out.trap.kind(), TrapKind::CallStackExhausted) << s.tier() << " " << f << ": " << out.text;
          EXPECT_EQ(out.trap.message(), "call stack exhausted");
          ASSERT_FALSE(out.trap.frames().empty());
          EXPECT_EQ(out.trap.frames()[0].func_name, f) << s.tier();
          EXPECT_EQ(out.trap.frames().back().func_name, f) << s.tier();
        }
        // The same stores still run calls, including moderately deep ones.
        EXPECT_EQ(m.ok("ok")[0].i32(), 42);
        EXPECT_EQ(m.ok("count", {i32(500)})[0].i32(), 500);
      }
    }
  }
}

// Unbounded recursion through a host function (wasm -> host -> wasm -> ...): the stack budget
// covers re-entrant host calls too, and the trap comes back through every host frame.
TEST(JitTraps, DeepRecursionThroughTheHost) {
  REQUIRE_BASELINE();
  Options o;
  o.config.max_wasm_stack = 256 * 1024;
  o.hosts.push_back({"host", "again", FuncType{},
                     [](Caller& c, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
                       auto r = c.getExport("down")->as<Func>()->call(c.store(), {});
                       if (!r) return std::unexpected(r.error());
                       return {};
                     }});
  Both m(R"((module $hostrec (import "host" "again" (func $again))
    (func (export "down") (call $again))
    (func (export "ok") (result i32) (i32.const 7))))",
         o);
  for (int i = 0; i < 2; ++i) {
    Side& s = m.side(i);
    if (!s.ok()) continue;
    Outcome out = s.call("down", {});
    ASSERT_TRUE(out.trapped) << s.tier();
    EXPECT_EQ(out.trap.kind(), TrapKind::CallStackExhausted) << s.tier() << ": " << out.text.substr(0, 300);
  }
  EXPECT_EQ(m.ok("ok")[0].i32(), 7);
}

// ---- host errors ----

TEST(JitTraps, HostErrorThroughWasmFrames) {
  REQUIRE_BASELINE();
  Options o;
  o.hosts.push_back({"host", "fail", FuncType{{ValType::i32()}, {ValType::i32()}},
                     [](Caller&, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                       if (args[0].i32() == 13) return std::unexpected(Trap::host("unlucky 13"));
                       results[0] = Val::i32(args[0].i32() * 2);
                       return {};
                     }});
  Both m(R"((module $hosterr (import "host" "fail" (func $fail (param i32) (result i32)))
    (func $inner (param i32) (result i32) (i32.add (i32.const 1) (call $fail (local.get 0))))
    (func $outer (export "outer") (param i32) (result i32) (i32.mul (i32.const 3) (call $inner (local.get 0))))))",
         o);
  EXPECT_EQ(m.ok("outer", {i32(5)})[0].i32(), 33);
  Trap t = m.trap("outer", {i32(13)}, TrapKind::Host);
  EXPECT_EQ(t.message(), "unlucky 13");
  ASSERT_EQ(t.frames().size(), 2u);
  EXPECT_EQ(t.frames()[0].func_name, "inner");
  EXPECT_EQ(t.frames()[1].func_name, "outer");
  EXPECT_EQ(m.ok("outer", {i32(6)})[0].i32(), 39);
}

}  // namespace
}  // namespace strata::jit_test
