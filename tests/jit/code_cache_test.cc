// The on-disk code cache (docs/artifacts.md, "The cache"): with Config::cache_dir, a module's
// first compile writes one entry, the next engine with the same settings loads it instead of
// compiling, a damaged entry is replaced, and a small size limit evicts the least recently used.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "encode/encoder.h"
#include "jit_test_util.h"

namespace strata::jit_test {
namespace {

namespace fs = std::filesystem;

// A module per `n`, so several entries can be made.
std::vector<uint8_t> moduleBinary(const Engine& engine, int n) {
  std::string wat = fmt::format(R"((module (func (export "f") (param i32) (result i32)
      (i32.add (i32.mul (local.get 0) (local.get 0)) (i32.const {})))))", n);
  auto text = Module::fromText(engine, wat);
  EXPECT_TRUE(text.has_value());
  return encode::encodeModule(text->ir());
}

int32_t callF(const Engine& engine, const Module& m, int32_t x) {
  Store store(engine);
  auto inst = Linker(engine).instantiate(store, m);
  EXPECT_TRUE(inst.has_value());
  auto r = inst->getFunc("f")->call(store, {Val::i32(x)});
  EXPECT_TRUE(r.has_value());
  return r ? (*r)[0].i32() : -1;
}

class CodeCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_BASELINE();
    dir_ = fs::temp_directory_path() / fmt::format("strata-cache-test-{}-{}", ::getpid(), counter_++);
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Engine engine(uint64_t limit = uint64_t{1} << 30) const {
    Config c;
    c.tier = "baseline";
    c.cache_dir = dir_.string();
    c.cache_max_bytes = limit;
    return *Engine::create(c);
  }
  std::vector<fs::path> files() const {
    std::vector<fs::path> out;
    for (auto& e : fs::directory_iterator(dir_)) out.push_back(e.path());
    return out;
  }
  static void age(const fs::path& p, int seconds) {
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::seconds(seconds));
  }

  fs::path dir_;
  static inline int counter_ = 0;
};

TEST_F(CodeCacheTest, MissWritesOneEntryAndHitLoadsIt) {
  Engine e1 = engine();
  auto bin = moduleBinary(e1, 7);
  auto m1 = Module::fromBinary(e1, bin);
  ASSERT_TRUE(m1.has_value()) << m1.error().describe();
  auto f = files();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].extension(), ".cwasm");
  EXPECT_EQ(f[0].stem().string().size(), 32u);
  EXPECT_EQ(callF(e1, *m1, 5), 32);

  // A hit loads the same file (same inode: not written again) and touches it (LRU).
  struct stat before;
  ASSERT_EQ(::stat(f[0].c_str(), &before), 0);
  age(f[0], 3600);
  auto old_time = fs::last_write_time(f[0]);
  Engine e2 = engine();
  auto m2 = Module::fromBinary(e2, bin);
  ASSERT_TRUE(m2.has_value()) << m2.error().describe();
  struct stat after;
  ASSERT_EQ(::stat(f[0].c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_GT(fs::last_write_time(f[0]), old_time);
  EXPECT_EQ(files().size(), 1u);
  EXPECT_EQ(callF(e2, *m2, 5), 32);
  // Used within the minute: a hit does not write the mtime again (LRU to the minute).
  age(f[0], 30);
  auto recent = fs::last_write_time(f[0]);
  ASSERT_TRUE(Module::fromBinary(e2, bin).has_value());
  EXPECT_EQ(fs::last_write_time(f[0]), recent);

  // Other code-changing settings: another key, another entry.
  Config c;
  c.tier = "baseline";
  c.cache_dir = dir_.string();
  c.nan_canonicalization = true;
  Engine e3 = *Engine::create(c);
  ASSERT_TRUE(Module::fromBinary(e3, bin).has_value());
  EXPECT_EQ(files().size(), 2u);
}

TEST_F(CodeCacheTest, CorruptedEntryIsReplaced) {
  Engine e = engine();
  auto bin = moduleBinary(e, 1);
  ASSERT_TRUE(Module::fromBinary(e, bin).has_value());
  fs::path entry = files().at(0);
  auto size = fs::file_size(entry);
  {
    std::fstream io(entry, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(std::streamoff(size / 2));
    io.put('\x5a').put('\xa5').put('\x11');
  }
  auto m = Module::fromBinary(engine(), bin);
  ASSERT_TRUE(m.has_value()) << m.error().describe();
  EXPECT_EQ(callF(m->engine(), *m, 3), 10);
  auto f = files();
  ASSERT_EQ(f.size(), 1u);
  // The entry was written again: it loads (the damaged one was refused by its checksum).
  EXPECT_TRUE(Module::deserializeFile(engine(), f[0].string()).has_value());
}

TEST_F(CodeCacheTest, TinyLimitKeepsTheNewest) {
  Engine e = engine();
  ASSERT_TRUE(Module::fromBinary(e, moduleBinary(e, 1)).has_value());
  uint64_t one = fs::file_size(files().at(0));
  age(files().at(0), 100);
  // Room for one entry and a half: the second compile evicts the first.
  Engine small = engine(one + one / 2);
  auto bin2 = moduleBinary(e, 2);
  ASSERT_TRUE(Module::fromBinary(small, bin2).has_value());
  auto f = files();
  ASSERT_EQ(f.size(), 1u);
  // What is left is the second module's entry: it loads as a hit of bin2 (same inode).
  struct stat before, after;
  ASSERT_EQ(::stat(f[0].c_str(), &before), 0);
  auto m = Module::fromBinary(small, bin2);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(callF(small, *m, 3), 11);
  ASSERT_EQ(::stat(f[0].c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST_F(CodeCacheTest, InterpreterModulesAreNotCached) {
  Config c;
  c.tier = "interp";
  c.cache_dir = dir_.string();
  Engine e = *Engine::create(c);
  ASSERT_TRUE(Module::fromBinary(e, moduleBinary(e, 4)).has_value());
  EXPECT_FALSE(fs::exists(dir_) && !fs::is_empty(dir_));
}

}  // namespace
}  // namespace strata::jit_test
