// Engine and Module creation: tier selection, decode/validate errors, import/export types.
#include <gtest/gtest.h>

#include "test_util.h"

namespace strata::runtime_test {
namespace {

TEST(Engine, UnknownTierIsAUsageError) {
  Config c;
  c.tier = "no-such-tier";
  auto e = Engine::create(c);
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().kind, ErrorKind::Usage);
  EXPECT_EQ(e.error().message, "unknown tier no-such-tier");
}

TEST(Engine, RegisteredTiersAreListed) {
  registerFakeTiers();
  auto tiers = Engine::tiers();
  EXPECT_NE(std::find(tiers.begin(), tiers.end(), "fake"), tiers.end());
}

TEST(Module, ErrorsKeepTheirStageKind) {
  Engine engine = fakeEngine();
  auto malformed = Module::fromText(engine, "(module (func (i32.bogus)))");
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().kind, ErrorKind::Malformed);
  auto invalid = Module::fromText(engine, "(module (func (result i32) (i64.const 0)))");
  ASSERT_FALSE(invalid.has_value());
  EXPECT_EQ(invalid.error().kind, ErrorKind::Invalid);
  EXPECT_TRUE(invalid.error().message.starts_with("type mismatch"));
  const uint8_t bad_magic[] = {0x00, 0x61, 0x73, 0x6e, 0x01, 0x00, 0x00, 0x00};  // "\0asn", version 1
  auto bin = Module::fromBinary(engine, bad_magic);
  ASSERT_FALSE(bin.has_value());
  EXPECT_EQ(bin.error().message, "magic header not detected");
}

TEST(Module, ImportAndExportTypes) {
  Engine engine = fakeEngine();
  Module m = compile(engine, R"((module $m
      (import "env" "f" (func (param i32) (result i64)))
      (import "env" "mem" (memory 1 2))
      (global (export "g") (mut f32) (f32.const 1))
      (table (export "t") 3 funcref)
      (func (export "h"))))");
  auto imports = m.imports();
  ASSERT_EQ(imports.size(), 2u);
  EXPECT_EQ(imports[0].module, "env");
  EXPECT_EQ(imports[0].type.kind, ExternKind::Func);
  EXPECT_EQ(imports[0].type.func.params, std::vector<ValType>{ValType::i32()});
  EXPECT_EQ(imports[1].type.memory.limits.max, 2u);
  auto exports = m.exports();
  ASSERT_EQ(exports.size(), 3u);
  EXPECT_EQ(exports[0].name, "g");
  EXPECT_TRUE(exports[0].type.global.mut);
  EXPECT_EQ(exports[1].type.table.limits.min, 3u);
  EXPECT_EQ(m.getExport("h")->type.kind, ExternKind::Func);
  EXPECT_FALSE(m.getExport("nope").has_value());
  EXPECT_EQ(m.name(), "m");
}

}  // namespace
}  // namespace strata::runtime_test
