// The baseline tier's compiler on the code pool: an engine shared by two threads compiling and
// running at once, a dead module's code memory reused by the next, and no page of the process
// writable and executable at once while modules come and go.
#include <fstream>
#include <thread>

#include "jit/jit.h"
#include "jit_test_util.h"
#include "tiers/tiers.h"
#include "vm/code_image.h"
#include "vm/compiler.h"

namespace strata::jit_test {
namespace {

// A module whose result depends on `k`, so each thread checks it runs its own code.
std::string moduleWith(int k) {
  return "(module (func $f (param i32) (result i32) (i32.add (local.get 0) (i32.const " + std::to_string(k) +
         ")))\n (func (export \"g\") (param i32) (result i32) (call $f (i32.mul (local.get 0) (i32.const 2)))))";
}

// The result of g(arg), or nullopt when anything on the way fails.
std::optional<int32_t> compileAndRun(const Engine& engine, int k, int32_t arg) {
  auto m = Module::fromText(engine, moduleWith(k));
  if (!m || m->compiled().tierName() != "baseline") return std::nullopt;
  Store store(engine);
  Linker linker(engine);
  auto inst = linker.instantiate(store, *m);
  if (!inst) return std::nullopt;
  auto f = inst->getFunc("g");
  if (!f) return std::nullopt;
  auto r = f->call(store, {Val::i32(arg)});
  if (!r || r->size() != 1) return std::nullopt;
  return (*r)[0].i32();
}

Engine baselineEngine() {
  Config config;
  config.tier = "baseline";
  return *Engine::create(config);
}

bool anyWritableExecutable() {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::string perms = line.substr(line.find(' ') + 1, 4);
    if (perms.find('w') != std::string::npos && perms.find('x') != std::string::npos) return true;
  }
  return false;
}

// Issue 10: once registered (tiers::registerAll, as the CLI and the C API do), the baseline tier
// is what an engine of the default configuration compiles with, and the engine names it.
TEST(Compiler, BaselineIsTheDefaultTierWhereItRuns) {
  tiers::registerAll();
  Engine engine = *Engine::create();
  EXPECT_EQ(engine.config().tier, jit::hostSupported() ? "baseline" : "interp");
  EXPECT_EQ(engine.config().tier, Engine::defaultTier());
  auto m = Module::fromText(engine, "(module (func (export \"f\")))");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->compiled().tierName(), engine.config().tier);
  Config interp;
  interp.tier = "interp";  // still picked by name
  EXPECT_EQ(Engine::create(interp)->config().tier, "interp");
}

TEST(Compiler, TwoThreadsCompileAndRunOnOneEngine) {
  REQUIRE_BASELINE();
  Engine engine = baselineEngine();
  auto work = [&](int seed, int& failures) {
    for (int i = 0; i < 150; ++i) {
      int k = seed * 1000 + i;
      auto r = compileAndRun(engine, k, i);
      if (!r || *r != 2 * i + k) ++failures;
    }
  };
  int failures[2] = {0, 0};
  {
    std::jthread threads[2] = {std::jthread(work, 1, std::ref(failures[0])), std::jthread(work, 2, std::ref(failures[1]))};
  }
  EXPECT_EQ(failures[0] + failures[1], 0);
  EXPECT_FALSE(anyWritableExecutable());
}

TEST(Compiler, ADeadModulesCodeMemoryIsReused) {
  REQUIRE_BASELINE();
  Engine engine = baselineEngine();
  auto base = [&](int k) -> const uint8_t* {
    auto m = Module::fromText(engine, moduleWith(k));
    if (!m || !m->compiled().codeImage()) return nullptr;
    return m->compiled().codeImage()->base();
  };
  // The process's first image maps its own memory (CodeImage::reserve); the pool's images come
  // after it. The module dies at the end of each call: the next compile gets the same chunk.
  base(0);
  const uint8_t* first = base(1);
  ASSERT_NE(first, nullptr);
  if (vm::CodePool::get()) {
    EXPECT_EQ(base(2), first);
  }
  EXPECT_EQ(compileAndRun(engine, 3, 4), 11);
}

TEST(Compiler, TheWasmMapIsKeptOnlyWhenAskedFor) {
  REQUIRE_BASELINE();
  for (bool keep : {false, true}) {
    Config config;
    config.tier = "baseline";
    config.wasm_map = keep;
    Engine engine = *Engine::create(config);
    auto m = Module::fromText(engine, moduleWith(5));
    ASSERT_TRUE(m && m->compiled().codeImage());
    for (const vm::FuncCodeInfo& f : m->compiled().codeImage()->funcs()) {
      // $f: local.get, i32.const, i32.add, end; g: five instructions and its end.
      EXPECT_EQ(f.wasm_map.empty(), !keep) << "function " << f.func_index;
      EXPECT_FALSE(f.sites.empty() && f.func_index == 1) << "g's call site is needed by backtraces either way";
    }
  }
}

// A body whose machine code is far more than the 4x its bytes that compileInto reserves for a
// chunk (each 7-byte `i64.rem_s` step becomes the divisor checks, the -1 case and `idiv`): the
// first attempt runs out of room, compileModule compiles again into twice as much, and the code
// runs. The module is one chunk, so both attempts assemble in the image itself.
TEST(Compiler, CodeBeyondItsReservationIsCompiledAgainInALargerOne) {
  REQUIRE_BASELINE();
  constexpr int kSteps = 4000;
  std::string body;
  for (int i = 0; i < kSteps; ++i)
    body += "(local.set 0 (i64.add (i64.rem_s (local.get 0) (local.get 1)) (i64.const " + std::to_string(i % 7 + 3) + ")))\n";
  Both both("(module (func (export \"f\") (param i64 i64) (result i64)\n" + body + "(local.get 0)))");
  ASSERT_TRUE(both.baseline().ok());
  const vm::CodeImage* image = both.baseline().module().compiled().codeImage();
  ASSERT_TRUE(image && image->funcs().size() == 1);
  size_t code_bytes = image->funcs()[0].size, body_bytes = both.baseline().module().ir().functions[0].body.size;
  // The first reservation (splitChunks: 4x the body, 64 bytes a function, 16 KiB) was too small.
  EXPECT_GT(code_bytes, 4 * body_bytes + 64 + (size_t(16) << 10)) << body_bytes << " bytes of body";
  both.ok("f", {i64(1000003), i64(97)});
}

// Thousands of nested blocks, left by one br_table (a C switch's shape): the validator's and
// the compiler's control stacks grow past 64 entries to their bound at once
// (support::reserveDeep) while entries are referenced. Every target gives its own result, the
// same as the interpreter's.
TEST(Compiler, ThousandsOfNestedBlocksBranchLikeTheInterpreter) {
  REQUIRE_BASELINE();
  constexpr int kDepth = 3000;
  std::string wat = "(module (func (export \"f\") (param i32) (result i32) (local i32)\n";
  for (int i = 0; i < kDepth; ++i) wat += "block\n";
  wat += "local.get 0\nbr_table";
  for (int i = 0; i < kDepth; ++i) wat += " " + std::to_string(i);
  wat += "\n";
  // Leaving block k runs the tails of blocks k to kDepth - 1: local 1 = local 1 * 3 + k + 1.
  for (int k = 0; k < kDepth; ++k)
    wat += "end\nlocal.get 1 i32.const 3 i32.mul i32.const " + std::to_string(k + 1) + " i32.add local.set 1\n";
  wat += "local.get 1))";
  Both both(wat);
  std::vector<std::vector<Val>> results;
  for (int32_t a : {0, 1, 63, 64, 65, 127, 128, 1000, kDepth - 1, kDepth, kDepth + 7}) results.push_back(both.ok("f", {i32(a)}));
  // The targets differ: the first and the default (the outermost block) are not the same value.
  ASSERT_EQ(results[0].size(), 1u);
  ASSERT_EQ(results[9].size(), 1u);
  EXPECT_NE(results[0][0].i32(), results[9][0].i32());
}

}  // namespace
}  // namespace strata::jit_test
