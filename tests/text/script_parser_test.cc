// Tests for .wast scripts: module forms, actions, assertions, expected values and locations.
#include <gtest/gtest.h>

#include "text_test_util.h"

namespace strata::text {
namespace {

using K = Command::Kind;
using V = Value::Kind;

Script parseScript(std::string_view src) {
  auto s = parseWast(src, "t.wast");
  EXPECT_TRUE(s) << (s ? "" : s.error().message);
  return s ? std::move(*s) : Script();
}

TEST(ScriptParser, ModuleForms) {
  auto s = parseScript(
      "(module $a (func))\n"
      "(module $b binary \"\\00asm\" \"\\01\\00\\00\\00\")\n"
      "(module quote \"(func\" \" $f)\")\n"
      "(module definition $d (memory 1))\n"
      "(module instance $i $d)\n");
  ASSERT_EQ(s.commands.size(), 5u);
  const ScriptModule& a = *s.commands[0].module;
  EXPECT_EQ(a.form, ScriptModule::Form::Text);
  EXPECT_EQ(a.id, "a");
  ASSERT_TRUE(a.module);
  EXPECT_EQ(a.module->functions.size(), 1u);
  EXPECT_EQ(a.module->names.module, "a");
  const ScriptModule& b = *s.commands[1].module;
  EXPECT_EQ(b.form, ScriptModule::Form::Binary);
  EXPECT_EQ(b.binary, (std::vector<uint8_t>{0, 'a', 's', 'm', 1, 0, 0, 0}));
  EXPECT_EQ(s.commands[2].module->quote, "(func $f)");
  EXPECT_TRUE(s.commands[3].module->is_definition);
  EXPECT_EQ(s.commands[4].kind, K::ModuleInstance);
  EXPECT_EQ(s.commands[4].name, "i");
  EXPECT_EQ(s.commands[4].module_id, "d");
}

TEST(ScriptParser, ActionsAndRegister) {
  auto s = parseScript(
      "(register \"M\" $a)\n"
      "(invoke $a \"f\" (i32.const -1) (i64.const 0x10) (f32.const 1.5) (f64.const -0))\n"
      "(get \"g\")\n");
  ASSERT_EQ(s.commands.size(), 3u);
  EXPECT_EQ(s.commands[0].kind, K::Register);
  EXPECT_EQ(s.commands[0].name, "M");
  EXPECT_EQ(s.commands[0].module_id, "a");
  const Action& inv = *s.commands[1].action;
  EXPECT_EQ(inv.kind, Action::Kind::Invoke);
  EXPECT_EQ(inv.module_id, "a");
  ASSERT_EQ(inv.args.size(), 4u);
  EXPECT_EQ(inv.args[0].bits, 0xffffffffu);
  EXPECT_EQ(inv.args[1].bits, 16u);
  EXPECT_EQ(inv.args[2].bits, 0x3fc00000u);
  EXPECT_EQ(inv.args[3].bits, 0x8000000000000000u);
  EXPECT_EQ(s.commands[2].action->kind, Action::Kind::Get);
}

TEST(ScriptParser, ExpectedValues) {
  auto s = parseScript(
      "(assert_return (invoke \"f\")"
      "  (f32.const nan:canonical) (f64.const nan:arithmetic) (f64.const -nan:0x1)"
      "  (v128.const f32x4 nan:canonical 1 nan:arithmetic -0)"
      "  (v128.const i8x16 -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 255)"
      "  (ref.null func) (ref.null) (ref.extern 7) (ref.extern) (ref.func) (ref.i31) (ref.host 2)"
      "  (either (i32.const 1) (i32.const 2)))");
  ASSERT_EQ(s.commands.size(), 1u);
  const auto& ex = s.commands[0].expected;
  ASSERT_EQ(ex.size(), 13u);
  EXPECT_EQ(ex[0].nan, Value::Nan::Canonical);
  EXPECT_EQ(ex[1].nan, Value::Nan::Arithmetic);
  EXPECT_EQ(ex[2].bits, 0xfff0000000000001u);
  EXPECT_EQ(ex[3].shape, Value::Shape::F32);
  EXPECT_EQ(ex[3].lane_nan[0], Value::Nan::Canonical);
  EXPECT_EQ(ex[3].lane_nan[1], Value::Nan::None);
  EXPECT_EQ(ex[3].v128[7], 0x3f);  // lane 1 = 1.0f, little-endian
  EXPECT_EQ(ex[3].v128[15], 0x80);  // lane 3 = -0.0f
  EXPECT_EQ(ex[4].v128[0], 0xff);
  EXPECT_EQ(ex[4].v128[15], 0xff);
  EXPECT_EQ(ex[5].kind, V::RefNull);
  EXPECT_EQ(ex[5].heap, ir::HeapType::abs(ir::AbsHeap::Func));
  EXPECT_EQ(ex[6].kind, V::RefNullAny);
  EXPECT_EQ(ex[7].kind, V::RefExtern);
  EXPECT_TRUE(ex[7].has_index);
  EXPECT_EQ(ex[7].bits, 7u);
  EXPECT_FALSE(ex[8].has_index);
  EXPECT_EQ(ex[9].kind, V::RefFunc);
  EXPECT_EQ(ex[10].kind, V::RefI31);
  EXPECT_EQ(ex[11].kind, V::RefExtern);
  EXPECT_EQ(ex[12].kind, V::Either);
  EXPECT_EQ(ex[12].alternatives.size(), 2u);
}

TEST(ScriptParser, Assertions) {
  auto s = parseScript(
      "(assert_trap (invoke \"f\") \"unreachable\")\n"
      "(assert_trap (module (func $s unreachable) (start $s)) \"unreachable\")\n"
      "(assert_exhaustion (invoke \"f\") \"call stack exhausted\")\n"
      "(assert_exception (invoke \"f\"))\n"
      "(assert_invalid (module (func (result i32))) \"type mismatch\")\n"
      "(assert_malformed (module quote \"(func\") \"unexpected end\")\n"
      "(assert_malformed (module (func (i32.const 0x))) \"unknown operator\")\n"
      "(assert_unlinkable (module (import \"m\" \"f\" (func))) \"unknown import\")\n"
      "(assert_uninstantiable (module binary \"\") \"x\")\n");
  ASSERT_EQ(s.commands.size(), 9u);
  EXPECT_EQ(s.commands[0].kind, K::AssertTrap);
  EXPECT_TRUE(s.commands[0].action);
  EXPECT_EQ(s.commands[0].message, "unreachable");
  EXPECT_TRUE(s.commands[1].module);
  EXPECT_EQ(s.commands[2].kind, K::AssertExhaustion);
  EXPECT_EQ(s.commands[3].kind, K::AssertException);
  EXPECT_EQ(s.commands[4].kind, K::AssertInvalid);
  EXPECT_TRUE(s.commands[4].module->module);
  EXPECT_EQ(s.commands[5].module->form, ScriptModule::Form::Quote);
  // A text module in assert_malformed is kept as text for the runner to fail on.
  EXPECT_EQ(s.commands[6].module->form, ScriptModule::Form::Quote);
  EXPECT_EQ(s.commands[6].module->quote, "(func (i32.const 0x))");
  EXPECT_EQ(s.commands[7].kind, K::AssertUnlinkable);
  EXPECT_EQ(s.commands[8].kind, K::AssertUninstantiable);
}

TEST(ScriptParser, UnknownCommandsAreKept) {
  auto s = parseScript("(thread $t (module)) (wait $t) (assert_malformed_custom (module quote \"\") \"x\")");
  ASSERT_EQ(s.commands.size(), 3u);
  for (const Command& c : s.commands) EXPECT_EQ(c.kind, K::Unsupported);
  EXPECT_EQ(s.commands[1].name, "wait");
}

TEST(ScriptParser, InlineModuleScript) {
  auto s = parseScript("(func) (memory 0) (func (export \"f\"))");
  ASSERT_EQ(s.commands.size(), 1u);
  EXPECT_EQ(s.commands[0].kind, K::Module);
  EXPECT_EQ(s.commands[0].module->module->functions.size(), 2u);
}

TEST(ScriptParser, Locations) {
  auto s = parseScript("(module)\n\n  (invoke \"f\")\n");
  ASSERT_EQ(s.commands.size(), 2u);
  EXPECT_EQ(s.commands[1].loc.str(), "t.wast:3:3");
  EXPECT_EQ(s.commands[1].action->loc.line, 3u);
}

TEST(ScriptParser, ABadTextModuleFailsTheScript) {
  auto s = parseWast("(module)\n(module (func (i32.const 0x)))", "t.wast");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "unknown operator 0x");
  EXPECT_EQ(locate("(module)\n(module (func (i32.const 0x)))", s.error().offset, "t.wast").str(), "t.wast:2:26");
}

TEST(ScriptParser, FeaturesSelectTheGrammar) {
  auto s = parseWast("(module (memory 0x1_0000_0000))", "t.wast", ir::Features::wasm2());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "i32 constant out of range");
}

}  // namespace
}  // namespace strata::text
