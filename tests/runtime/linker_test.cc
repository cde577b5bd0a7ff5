// Linking: unknown imports, incompatible import types (spec 4.5.2 matching), definitions.
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::runtime_test {
namespace {

class LinkerTest : public ::testing::Test {
 protected:
  LinkerTest() : engine_(fakeEngine()), store_(engine_), linker_(engine_) {
    exporter_ = instantiate(store_, R"((module
        (func (export "f") (param i32) (result i32) (local.get 0))
        (memory (export "mem") 1 2)
        (table (export "tab") 2 10 funcref)
        (global (export "g") i32 (i32.const 1))
        (global (export "mg") (mut i32) (i32.const 1))))");
    EXPECT_TRUE(linker_.defineInstance("m", exporter_).has_value());
  }
  Error linkError(std::string_view wat) {
    auto r = linker_.instantiate(store_, compile(engine_, wat));
    EXPECT_FALSE(r.has_value());
    return r ? Error{} : r.error();
  }
  void expectIncompatible(std::string_view import) {
    Error e = linkError(std::string("(module ") + std::string(import) + ")");
    EXPECT_EQ(e.kind, ErrorKind::Unlinkable) << import;
    EXPECT_EQ(e.message, "incompatible import type") << import;
  }
  void expectLinks(std::string_view import) {
    auto r = linker_.instantiate(store_, compile(engine_, std::string("(module ") + std::string(import) + ")"));
    EXPECT_TRUE(r.has_value()) << import << ": " << (r ? "" : r.error().message);
  }

  Engine engine_;
  Store store_;
  Linker linker_;
  Instance exporter_;
};

TEST_F(LinkerTest, UnknownImport) {
  Error e = linkError("(module (import \"m\" \"nope\" (func)))");
  EXPECT_EQ(e.kind, ErrorKind::Unlinkable);
  EXPECT_TRUE(e.message.starts_with("unknown import")) << e.message;
  EXPECT_TRUE(linkError("(module (import \"other\" \"f\" (func)))").message.starts_with("unknown import"));
}

TEST_F(LinkerTest, FunctionSignaturesMustMatch) {
  expectLinks("(import \"m\" \"f\" (func (param i32) (result i32)))");
  expectIncompatible("(import \"m\" \"f\" (func (param i64) (result i32)))");
  expectIncompatible("(import \"m\" \"f\" (func))");
  expectIncompatible("(import \"m\" \"mem\" (func))");
}

TEST_F(LinkerTest, LimitsMatchAgainstCurrentSizes) {
  expectLinks("(import \"m\" \"mem\" (memory 1))");
  expectLinks("(import \"m\" \"mem\" (memory 0 3))");
  expectIncompatible("(import \"m\" \"mem\" (memory 2))");
  expectIncompatible("(import \"m\" \"mem\" (memory 1 1))");
  expectLinks("(import \"m\" \"tab\" (table 1 10 funcref))");
  expectIncompatible("(import \"m\" \"tab\" (table 3 funcref))");
  expectIncompatible("(import \"m\" \"tab\" (table 2 5 funcref))");
  expectIncompatible("(import \"m\" \"tab\" (table 2 externref))");
  // After growth the exporter's current size counts (spec 4.5.2 uses the instance's type).
  ASSERT_TRUE(exporter_.getMemory("mem")->grow(store_, 1).has_value());
  expectLinks("(import \"m\" \"mem\" (memory 2))");
}

TEST_F(LinkerTest, GlobalsMatchMutabilityAndType) {
  expectLinks("(import \"m\" \"g\" (global i32))");
  expectIncompatible("(import \"m\" \"g\" (global (mut i32)))");
  expectIncompatible("(import \"m\" \"g\" (global i64))");
  expectLinks("(import \"m\" \"mg\" (global (mut i32)))");
  expectIncompatible("(import \"m\" \"mg\" (global i32))");
}

TEST_F(LinkerTest, ImportedMutableGlobalIsShared) {
  Instance inst = instantiate(store_, linker_, "(module (global (export \"g2\") (import \"m\" \"mg\") (mut i32)))");
  ASSERT_TRUE(exporter_.getGlobal("mg")->set(store_, Val::i32(77)).has_value());
  EXPECT_EQ(inst.getGlobal("g2")->get(store_).i32(), 77);
  EXPECT_EQ(*inst.getGlobal("g2"), *exporter_.getGlobal("mg"));
}

TEST_F(LinkerTest, DuplicateDefinitionsUnlessShadowing) {
  auto again = linker_.define("m", "f", *exporter_.getFunc("f"));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().message, "m::f defined twice");
  linker_.allowShadowing(true);
  EXPECT_TRUE(linker_.define("m", "f", *exporter_.getFunc("f")).has_value());
}

TEST_F(LinkerTest, InstanceCreateWithTooFewImports) {
  Module m = compile(engine_, "(module (import \"m\" \"f\" (func (param i32) (result i32))))");
  auto r = Instance::create(store_, m, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "unknown import");
}

TEST_F(LinkerTest, ImportedFunctionIsTheSameReference) {
  Instance inst = instantiate(store_, linker_, R"((module (import "m" "f" (func $f (param i32) (result i32)))
      (export "f2" (func $f))))");
  EXPECT_EQ(*inst.getFunc("f2"), *exporter_.getFunc("f"));
  auto r = inst.getFunc("f2")->call(store_, {Val::i32(6)});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)[0].i32(), 6);
}

TEST_F(LinkerTest, ImportsFromAnotherStoreAreRejected) {
  Store other(engine_);
  MemoryType type;
  type.limits.min = 1;
  Linker linker(engine_);
  ASSERT_TRUE(linker.define("o", "mem", *Memory::create(other, type)).has_value());
  auto r = linker.instantiate(store_, compile(engine_, "(module (import \"o\" \"mem\" (memory 1)))"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
}

// A linker restricted to one module's imports keeps those and drops every other definition.
TEST_F(LinkerTest, RestrictedToAModuleDefinesOnlyItsImports) {
  Module m = compile(engine_, R"((module (import "m" "f" (func (param i32) (result i32)))))");
  Linker linker(engine_);
  linker.restrictTo(m);
  EXPECT_TRUE(linker.wants("m", "f"));
  EXPECT_FALSE(linker.wants("m", "g"));
  EXPECT_FALSE(linker.wants("other", "f"));
  ASSERT_TRUE(linker.define("m", "f", *exporter_.getFunc("f")).has_value());
  ASSERT_TRUE(linker.define("m", "g", *exporter_.getFunc("f")).has_value());  // dropped
  EXPECT_TRUE(linker.get(store_, "m", "f").has_value());
  EXPECT_FALSE(linker.get(store_, "m", "g").has_value());
  EXPECT_TRUE(linker.instantiate(store_, m).has_value());
  EXPECT_TRUE(Linker(engine_).wants("any", "thing"));
}

}  // namespace
}  // namespace strata::runtime_test
