// Engine and Module creation: tier selection, decode/validate errors, modules read in place,
// import/export types.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

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

// Nothing in this program claims the default (no tiers::registerAll): an empty tier is the
// interpreter, and the engine's configuration names it.
TEST(Engine, AnEmptyTierIsTheDefaultTier) {
  EXPECT_EQ(Engine::defaultTier(), "interp");
  auto e = Engine::create();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->config().tier, "interp");
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

// "\0asm" version 1; type () -> (i32); one function, exported as "f", returning 7.
const std::vector<uint8_t> kSeven = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  //
                                     0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        // type
                                     0x03, 0x02, 0x01, 0x00,                          // function
                                     0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,        // export "f"
                                     0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x07, 0x0b};  // i32.const 7

TEST(Module, FromBinaryInPlaceKeepsItsBacking) {
  Engine engine = fakeEngine();
  auto owner = std::make_shared<const std::vector<uint8_t>>(kSeven);
  std::weak_ptr<const std::vector<uint8_t>> alive = owner;
  auto m = Module::fromBinary(engine, *owner, owner);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->ir().bytes.borrowed());
  EXPECT_EQ(m->ir().bytes.data(), owner->data()) << "read where they lie, not copied";
  owner.reset();
  EXPECT_FALSE(alive.expired()) << "the module keeps its bytes' owner";
  EXPECT_EQ(m->getExport("f")->type.kind, ExternKind::Func);
  m = Module::fromText(engine, "(module)");
  EXPECT_TRUE(alive.expired());
}

TEST(Module, FromFileReadsBinaryAndTextButNoArtifact) {
  Engine engine = fakeEngine();
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("strata-ff-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto write = [&](const char* name, std::string_view content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  auto bin = Module::fromFile(engine, write("m.wasm", {reinterpret_cast<const char*>(kSeven.data()), kSeven.size()}));
  ASSERT_TRUE(bin) << bin.error().message;
  EXPECT_TRUE(bin->ir().bytes.borrowed());
  EXPECT_TRUE(bin->getExport("f").has_value());
  auto text = Module::fromFile(engine, write("m.wat", "(module (func (export \"g\")))"));
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_TRUE(text->getExport("g").has_value());
  auto elf = Module::fromFile(engine, write("m.cwasm", "\x7f" "ELF and so on"));
  ASSERT_FALSE(elf);
  EXPECT_EQ(elf.error().kind, ErrorKind::Usage);
  auto missing = Module::fromFile(engine, (dir / "none.wasm").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::Io);
  auto malformed = Module::fromFile(engine, write("bad.wasm", std::string("\0asm\x02\0\0\0", 8)));
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().kind, ErrorKind::Malformed);
  fs::remove_all(dir);
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
