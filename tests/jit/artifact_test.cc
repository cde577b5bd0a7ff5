// Compiled artifacts (docs/artifacts.md): a module compiled by a machine-code tier (baseline, or
// the one STRATA_TEST_TIER names: tests/llvm runs these on llvm), written by
// Module::serialize and loaded back by deserialize / deserializeFile, runs as the module it was
// made from (results, traps, backtraces); a file that is corrupted, cut short, written with other
// settings or for a CPU this host lacks is refused with its reason, never run.
#include <gtest/gtest.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "encode/encoder.h"
#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

constexpr const char* kModule = R"((module $art
    (type $ii (func (param i32) (result i32)))
    (memory 1)
    (table $t 2 funcref)
    (elem (table $t) (i32.const 0) func $double $fib)
    (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
    (func $fib (export "fib") (type $ii)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "indirect") (param i32 i32) (result i32)
      (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
    (func (export "nearest") (param f32) (result f32) (f32.nearest (local.get 0)))
    (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
    (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
    (func $deep (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
    (func (export "divide") (param i32) (result i32) (call $deep (local.get 0)))))";

// Offsets in the .strata header (src/runtime/artifact.cc, docs/artifacts.md).
constexpr size_t kChecksumAt = 16, kBuildIdAt = 24, kTierAt = 72, kCpuAt = 104;

class ArtifactTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_BASELINE();
    engine_ = engineWith({});
    // Artifacts are written from binaries: the text module is encoded first.
    auto m = Module::fromBinary(*engine_, encoded());
    ASSERT_TRUE(m.has_value()) << m.error().describe();
    module_ = *m;
    auto bytes = module_->serialize();
    ASSERT_TRUE(bytes.has_value()) << bytes.error().describe();
    file_ = *bytes;
  }

  static Engine engineWith(Config config) {
    config.tier = machineTier();
    return *Engine::create(config);
  }

  std::vector<uint8_t> encoded() const;

  // The offset of the .strata section (ELF section header 1).
  size_t strataAt(const std::vector<uint8_t>& f) const {
    uint64_t shoff;
    std::memcpy(&shoff, f.data() + 0x28, 8);
    uint64_t off;
    std::memcpy(&off, f.data() + shoff + 64 + 24, 8);
    return size_t(off);
  }
  // The checksum of `f` recomputed after an edit, as a writer would have.
  void reseal(std::vector<uint8_t>& f) const {
    size_t at = strataAt(f) + kChecksumAt;
    std::memset(f.data() + at, 0, 8);
    uint64_t h = XXH3_64bits(f.data(), f.size());
    std::memcpy(f.data() + at, &h, 8);
  }

  std::string refusal(const Engine& engine, const std::vector<uint8_t>& f) const {
    auto m = Module::deserialize(engine, f);
    EXPECT_FALSE(m.has_value());
    return m ? std::string() : m.error().message;
  }

  std::optional<Engine> engine_;
  std::optional<Module> module_;
  std::vector<uint8_t> file_;
};

std::vector<uint8_t> ArtifactTest::encoded() const {
  // The text module's binary: serialize() refuses text modules, whose offsets are not a file's.
  auto text = Module::fromText(*engine_, kModule);
  EXPECT_FALSE(text->serialize().has_value());
  return encode::encodeModule(text->ir());
}

// Calls and compares every export on `m` with the module compiled from the binary.
std::string runAll(const Engine& engine, const Module& m) {
  Store store(engine);
  auto inst = Linker(engine).instantiate(store, m);
  if (!inst) return "instantiate: " + inst.error().message;
  std::string out;
  auto call = [&](const char* name, std::vector<Val> args) {
    auto r = inst->getFunc(name)->call(store, args);
    if (!r) {
      out += std::string(name) + " trap " + r.error().toString() + "\n";
      return;
    }
    out += name;
    for (const Val& v : *r) out += " " + showVal(v);
    out += "\n";
  };
  call("fib", {Val::i32(20)});
  call("indirect", {Val::i32(0), Val::i32(21)});
  call("indirect", {Val::i32(1), Val::i32(21)});
  call("indirect", {Val::i32(7), Val::i32(21)});
  call("nearest", {Val::f32(2.5f)});
  call("store", {Val::i32(100), Val::i32(12345)});
  call("load", {Val::i32(100)});
  call("load", {Val::i32(65535)});
  call("divide", {Val::i32(0)});
  return out;
}

TEST_F(ArtifactTest, RunsAsTheModuleItWasMadeFrom) {
  auto loaded = Module::deserialize(*engine_, file_);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_EQ(loaded->compiled().tierName(), machineTier());
  // What `strata run` reads to pick the engine's tier before loading.
  EXPECT_EQ(Module::artifactTier({file_.data(), Module::kArtifactHeadBytes}), machineTier());
  EXPECT_EQ(Module::artifactTier(encoded()), "");
  std::string want = runAll(*engine_, *module_);
  EXPECT_NE(want.find("fib i32:6765"), std::string::npos) << want;
  EXPECT_NE(want.find("indirect i32:42\nindirect i32:10946\nindirect trap undefined element"), std::string::npos) << want;
  EXPECT_NE(want.find("art!deep"), std::string::npos) << want;
  EXPECT_EQ(runAll(*engine_, *loaded), want);
  if (std::getenv("STRATA_TEST_SHOW")) std::printf("%s", want.c_str());
}

// Custom sections after the module's last standard section, `name` aside (DWARF, producers),
// stay out of the artifact: the module with a `.debug_info` appended gives the same file as
// without it, which runs with the same results, traps and named backtraces.
TEST_F(ArtifactTest, LeavesOutTrailingCustomSectionsButTheNames) {
  std::vector<uint8_t> wasm = encoded();
  // id 0, 15 bytes: name length 11, ".debug_info", 3 bytes of content.
  const uint8_t debug[] = {0x00, 0x0f, 0x0b, '.', 'd', 'e', 'b', 'u', 'g', '_', 'i', 'n', 'f', 'o', 0xde, 0xad, 0xbe};
  wasm.insert(wasm.end(), std::begin(debug), std::end(debug));
  auto m = Module::fromBinary(*engine_, wasm);
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  ASSERT_EQ(m->ir().customs.size(), 1u);
  EXPECT_EQ(m->ir().customs[0].name, ".debug_info");
  auto bytes = m->serialize();
  ASSERT_TRUE(bytes.has_value()) << bytes.error().describe();
  EXPECT_EQ(*bytes, file_);
  auto loaded = Module::deserialize(*engine_, *bytes);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_TRUE(loaded->ir().customs.empty());
  EXPECT_EQ(runAll(*engine_, *loaded), runAll(*engine_, *module_));
}

TEST_F(ArtifactTest, MapsAFile) {
  char path[] = "/tmp/strata-artifact-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, file_.data(), file_.size()), ssize_t(file_.size()));
  close(fd);
  auto loaded = Module::deserializeFile(*engine_, path);
  unlink(path);  // the mapping outlives the name
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_EQ(runAll(*engine_, *loaded), runAll(*engine_, *module_));
  // Two loads of one file are independent images.
  auto again = Module::deserialize(*engine_, file_);
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(again->compiled().codeImage()->base(), loaded->compiled().codeImage()->base());
}

// Loading copies nothing it can read in place (issue 12: a load costs about as much as mapping
// the file): the wasm module's bytes and every function's sites are views of the artifact,
// which stays alive with the module. The caller's buffer of deserialize() may go at once.
TEST_F(ArtifactTest, ReadsItsTablesInPlace) {
  std::vector<uint8_t> mine = file_;
  auto loaded = Module::deserialize(*engine_, mine);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  std::fill(mine.begin(), mine.end(), 0xcc);
  mine = {};
  EXPECT_TRUE(loaded->ir().bytes.borrowed());
  const vm::CodeImage* image = loaded->compiled().codeImage();
  ASSERT_NE(image, nullptr);
  // The baseline tier records sites, the llvm tier a pc map (vm/code_image.h): either is read
  // in place.
  size_t rows = 0;
  for (const vm::FuncCodeInfo& f : image->funcs()) {
    rows += f.sites.size() + f.wasm_map.size();
    if (!f.sites.empty()) {
      EXPECT_TRUE(f.sites.borrowed()) << "function " << f.func_index;
    }
    if (!f.wasm_map.empty()) {
      EXPECT_TRUE(f.wasm_map.borrowed()) << "function " << f.func_index;
    }
  }
  EXPECT_GT(rows, 0u);
  // The bodies come from the table, not from walking the code section: the same spans.
  ASSERT_EQ(loaded->ir().functions.size(), module_->ir().functions.size());
  for (size_t i = loaded->ir().num_imported_functions; i < loaded->ir().functions.size(); ++i) {
    EXPECT_EQ(loaded->ir().functions[i].body.offset, module_->ir().functions[i].body.offset) << i;
    EXPECT_EQ(loaded->ir().functions[i].body.size, module_->ir().functions[i].body.size) << i;
  }
  // Traps and backtraces read those sites: the same results as the module compiled here.
  EXPECT_EQ(runAll(*engine_, *loaded), runAll(*engine_, *module_));
}

TEST_F(ArtifactTest, AFlippedByteIsRefused) {
  // In the header, the code, the wasm and the last byte of the file.
  for (size_t at : {strataAt(file_) + 40, strataAt(file_) + 200, size_t(0x5000), file_.size() / 2, file_.size() - 1}) {
    if (at >= file_.size()) continue;
    std::vector<uint8_t> f = file_;
    f[at] ^= 0x20;
    EXPECT_NE(refusal(*engine_, f).find("refused"), std::string::npos) << "byte " << at;
  }
}

TEST_F(ArtifactTest, AFileCutShortIsRefused) {
  for (size_t n : {size_t(0), size_t(3), size_t(63), size_t(64), size_t(200), file_.size() / 2, file_.size() - 1}) {
    std::vector<uint8_t> f(file_.begin(), file_.begin() + n);
    EXPECT_NE(refusal(*engine_, f).find("refused"), std::string::npos) << n << " bytes";
  }
}

TEST_F(ArtifactTest, AnotherBuildIsRefused) {
  std::vector<uint8_t> f = file_;
  std::memcpy(f.data() + strataAt(f) + kBuildIdAt, "0.0.1+0000000000000000", 22);
  reseal(f);
  EXPECT_NE(refusal(*engine_, f).find("written by Strata 0.0.1+0000000000000000"), std::string::npos);
}

TEST_F(ArtifactTest, AnotherCpuIsRefused) {
  std::vector<uint8_t> f = file_;
  uint64_t bits;
  std::memcpy(&bits, f.data() + strataAt(f) + kCpuAt, 8);
  bits |= uint64_t{1} << 62;  // a feature no host has
  std::memcpy(f.data() + strataAt(f) + kCpuAt, &bits, 8);
  reseal(f);
  EXPECT_NE(refusal(*engine_, f).find("needs CPU features this host lacks: unknown features 0x4000000000000000"),
            std::string::npos);
}

TEST_F(ArtifactTest, OtherSettingsAreRefused) {
  Config nan;
  nan.nan_canonicalization = true;
  EXPECT_NE(refusal(engineWith(nan), file_).find("NaN canonicalization"), std::string::npos);
  Config explicit_checks;
  explicit_checks.bounds_checks = BoundsChecks::Explicit;
  EXPECT_NE(refusal(engineWith(explicit_checks), file_).find("bounds-checks"), std::string::npos);
  Config fuel;
  fuel.consume_fuel = true;
  EXPECT_NE(refusal(engineWith(fuel), file_).find("fuel"), std::string::npos);
  Config wasm2;
  wasm2.features = ir::Features::wasm2();
  EXPECT_NE(refusal(engineWith(wasm2), file_).find("features"), std::string::npos);
  Config interp;
  interp.tier = "interp";
  auto interp_engine = Engine::create(interp);
  ASSERT_TRUE(interp_engine.has_value());
  EXPECT_NE(refusal(*interp_engine, file_).find(std::string("compiled by tier ") + machineTier() + ", the engine runs tier interp"),
            std::string::npos);
  std::vector<uint8_t> f = file_;
  std::memcpy(f.data() + strataAt(f) + kTierAt, "interp\0", 7);
  reseal(f);
  EXPECT_NE(refusal(*engine_, f).find("compiled by tier interp"), std::string::npos);
}

TEST_F(ArtifactTest, TheInterpreterWritesNone) {
  Config config;
  config.tier = "interp";
  auto engine = Engine::create(config);
  ASSERT_TRUE(engine.has_value());
  auto m = Module::fromBinary(*engine, encoded());
  ASSERT_TRUE(m.has_value());
  auto bytes = m->serialize();
  ASSERT_FALSE(bytes.has_value());
  EXPECT_EQ(bytes.error().message, "tier interp cannot write compiled artifacts");
}

}  // namespace
}  // namespace strata::jit_test

namespace strata::jit_test {
namespace {

// The handler tables of try_table (docs/exceptions.md "Machine code") lie after each function's
// code, found through a site: an artifact carries them with the code, and its functions catch
// as the compiled module's do (on the baseline tier, which the llvm tier hands such modules to).
TEST(ArtifactExceptions, HandlersTravelWithTheCode) {
  REQUIRE_BASELINE();
  Config config;
  config.tier = "baseline";
  Engine engine = *Engine::create(config);
  auto text = Module::fromText(engine, R"((module
    (tag $e (param i32))
    (func $thr (param i32) (if (local.get 0) (then (throw $e (local.get 0)))))
    (func (export "run") (param i32) (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e $h) (call $thr (local.get 0)) (i32.const -1))))))");
  ASSERT_TRUE(text.has_value()) << text.error().describe();
  auto m = Module::fromBinary(engine, encode::encodeModule(text->ir()));
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  auto bytes = m->serialize();
  ASSERT_TRUE(bytes.has_value()) << bytes.error().describe();
  auto loaded = Module::deserialize(engine, *bytes);
  ASSERT_TRUE(loaded.has_value()) << loaded.error().describe();
  EXPECT_EQ(loaded->compiled().tierName(), "baseline");
  Store store(engine);
  auto inst = Linker(engine).instantiate(store, *loaded);
  ASSERT_TRUE(inst.has_value()) << inst.error().describe();
  auto run = [&](int32_t x) {
    auto r = inst->getFunc("run")->call(store, {Val::i32(x)});
    return r ? (*r)[0].i32() : INT32_MIN;
  };
  EXPECT_EQ(run(7), 7);
  EXPECT_EQ(run(0), -1);
}

}  // namespace
}  // namespace strata::jit_test
