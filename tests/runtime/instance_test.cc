// Instantiation (spec 4.5.4): globals, tables, segments with 2.0 trap semantics, start, builtins.
#include <gtest/gtest.h>

#include "runtime/store_impl.h"
#include "test_util.h"
#include "vm/builtins.h"

namespace strata::runtime_test {
namespace {

TEST(Instance, GlobalsEvaluateInOrderWithImportsAndExtendedConst) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  Global base = *Global::create(store, {ValType::i32(), false}, Val::i32(40));
  ASSERT_TRUE(linker.define("env", "base", base).has_value());
  Instance inst = instantiate(store, linker, R"((module
      (import "env" "base" (global $base i32))
      (global $a (export "a") i32 (i32.add (global.get $base) (i32.const 2)))
      (global $b (export "b") (mut i64) (i64.mul (i64.const 3) (i64.const 5)))
      (global (export "f") funcref (ref.func $f))
      (func $f (export "fn"))))");
  EXPECT_EQ(inst.getGlobal("a")->get(store).i32(), 42);
  Global b = *inst.getGlobal("b");
  EXPECT_EQ(b.get(store).i64(), 15);
  ASSERT_TRUE(b.set(store, Val::i64(7)).has_value());
  EXPECT_EQ(b.get(store).i64(), 7);
  EXPECT_FALSE(b.set(store, Val::i32(7)).has_value());
  EXPECT_FALSE(inst.getGlobal("a")->set(store, Val::i32(1)).has_value());
  EXPECT_EQ(inst.getGlobal("f")->get(store).funcref(), *inst.getFunc("fn"));
}

TEST(Instance, ActiveSegmentsFillTablesAndMemory) {
  Engine engine = fakeEngine();
  Store store(engine);
  Instance inst = instantiate(store, R"((module
      (memory (export "mem") 1)
      (data (i32.const 10) "\01\02\03")
      (data $passive "xyz")
      (table (export "t") 4 funcref)
      (elem (i32.const 1) $f $g)
      (elem declare func $g)
      (func $f (result i32) (i32.const 1))
      (func $g (result i32) (i32.const 2))))");
  Memory mem = *inst.getMemory("mem");
  EXPECT_EQ(mem.data()[10], 1);
  EXPECT_EQ(mem.data()[12], 3);
  Table t = *inst.getTable("t");
  EXPECT_TRUE(t.get(store, 0)->isNull());
  Func f = t.get(store, 1)->funcref();
  ASSERT_FALSE(f.isNull());
  EXPECT_EQ(f.call(store, {})->at(0).i32(), 1);
  EXPECT_FALSE(t.get(store, 4).has_value());
  // Active and declarative segments are dropped after instantiation; passive ones are not.
  auto* obj = inst.raw();
  EXPECT_EQ(obj->dropped_elems[0], 1);
  EXPECT_EQ(obj->dropped_elems[1], 1);
  EXPECT_EQ(obj->dropped_datas[0], 1);
  EXPECT_EQ(obj->dropped_datas[1], 0);
}

TEST(Instance, SegmentOutOfBoundsTrapsAfterEarlierSegmentsApplied) {
  Engine engine = fakeEngine();
  Store store(engine);
  Linker linker(engine);
  Instance exporter = instantiate(store, "(module (memory (export \"mem\") 1) (table (export \"tab\") 2 funcref))");
  ASSERT_TRUE(linker.defineInstance("m", exporter).has_value());
  // spec 4.5.4 (2.0): the first data segment is written, the second does not fit.
  auto r = linker.instantiate(store, compile(engine, R"((module
      (import "m" "mem" (memory 1))
      (data (i32.const 0) "a")
      (data (i32.const 65535) "bc")))"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::Trap);
  EXPECT_EQ(r.error().message, "out of bounds memory access");
  EXPECT_EQ(exporter.getMemory("mem")->data()[0], 'a');
  EXPECT_EQ(exporter.getMemory("mem")->data()[65535], 0);
  // Elements: the function put into the imported table by the first segment stays there
  // and stays callable although its instance never finished.
  auto e = linker.instantiate(store, compile(engine, R"((module
      (import "m" "tab" (table 2 funcref))
      (elem (i32.const 0) $f)
      (elem (i32.const 1) $f $f)
      (func $f (result i32) (i32.const 9))))"));
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().message, "out of bounds table access");
  Func f = exporter.getTable("tab")->get(store, 0)->funcref();
  ASSERT_FALSE(f.isNull());
  EXPECT_EQ(f.call(store, {})->at(0).i32(), 9);
}

TEST(Instance, StartFunctionRunsAndItsTrapFailsInstantiation) {
  Engine engine = fakeEngine();
  Store store(engine);
  Instance inst = instantiate(store, R"((module (memory (export "mem") 1)
      (func $start (i32.store (i32.const 4) (i32.const 99))) (start $start)))");
  EXPECT_EQ(inst.getMemory("mem")->data()[4], 99);
  auto r = Linker(engine).instantiate(store, compile(engine, "(module (func $s unreachable) (start $s))"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::Trap);
  EXPECT_TRUE(r.error().message.starts_with("unreachable\nwasm backtrace:")) << r.error().message;
}

TEST(Instance, BuiltinsCheckBoundsAndHonourDrops) {
  Engine engine = fakeEngine();
  Store store(engine);
  Instance inst = instantiate(store, R"((module (memory 1) (table 4 funcref)
      (data $d "hello") (elem $e func $f $f) (func $f)))");
  vm::VMContext* ctx = &inst.raw()->ctx;
  const vm::VMBuiltins& b = *ctx->builtins;
  vm::TrapRecord& trap = store.impl().trap;
  EXPECT_TRUE(b.memory_init(ctx, 0, 0, 100, 1, 4));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(ctx->memory0_base) + 100, 4), "ello");
  EXPECT_FALSE(b.memory_init(ctx, 0, 0, 65534, 0, 4));
  EXPECT_EQ(trap.kind, TrapKind::MemoryOutOfBounds);
  b.data_drop(ctx, 0);
  EXPECT_TRUE(b.memory_init(ctx, 0, 0, 0, 0, 0));  // n = 0 at offset 0 of a dropped segment is fine
  EXPECT_FALSE(b.memory_init(ctx, 0, 0, 0, 0, 1));
  EXPECT_TRUE(b.table_init(ctx, 0, 0, 2, 0, 2));
  EXPECT_NE(ctx->tables[0]->elements[3], nullptr);
  EXPECT_FALSE(b.table_init(ctx, 0, 0, 3, 0, 2));
  EXPECT_EQ(trap.kind, TrapKind::TableOutOfBounds);
  EXPECT_TRUE(b.table_copy(ctx, 0, 0, 0, 2, 2));
  EXPECT_EQ(ctx->tables[0]->elements[0], ctx->tables[0]->elements[3]);
  EXPECT_FALSE(b.table_copy(ctx, 0, 0, 3, 0, 2));
  EXPECT_TRUE(b.table_fill(ctx, 0, 1, nullptr, 3));
  EXPECT_EQ(ctx->tables[0]->elements[3], nullptr);
  EXPECT_FALSE(b.table_fill(ctx, 0, 5, nullptr, 0));
  EXPECT_EQ(b.table_grow(ctx, 0, nullptr, 2), 4);
  EXPECT_EQ(ctx->tables[0]->length, 6u);
  EXPECT_EQ(b.table_grow(ctx, 0, nullptr, 0xffffffffu), -1);
  b.elem_drop(ctx, 0);
  EXPECT_FALSE(b.table_init(ctx, 0, 0, 0, 0, 1));
  EXPECT_EQ(b.memory_grow(ctx, 0, 1), 1);
  EXPECT_EQ(ctx->memory0->length, 2u * 65536);
}

TEST(Instance, SubtypeBuiltinFollowsDeclaredSupertypes) {
  Engine engine = fakeEngine();
  Store store(engine);
  Instance inst = instantiate(store, R"((module
      (type $a (sub (func))) (type $b (sub $a (func))) (type $c (sub final (func)))
      (func (type $a)) (func (type $b))))");
  vm::VMContext* ctx = &inst.raw()->ctx;
  const uint32_t* ids = ctx->type_ids;
  EXPECT_TRUE(ctx->builtins->type_is_subtype(ctx, ids[1], ids[0]));
  EXPECT_FALSE(ctx->builtins->type_is_subtype(ctx, ids[0], ids[1]));
  EXPECT_FALSE(ctx->builtins->type_is_subtype(ctx, ids[2], ids[0]));
  EXPECT_TRUE(ctx->builtins->type_is_subtype(ctx, ids[2], ids[2]));
}

}  // namespace
}  // namespace strata::runtime_test
