// The code memory pool: chunks reused, no page writable and executable at once, the int3 fill
// of freed chunks, two threads at once, and fork (the child never writes the parent's code).
#include "vm/code_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace strata::vm {
namespace {

size_t page() { return size_t(sysconf(_SC_PAGESIZE)); }

// Writes `mov eax, value; ret` through the write alias.
void writeReturn(const CodePool::Chunk& c, size_t at, uint32_t value) {
  uint8_t code[6] = {0xb8, 0, 0, 0, 0, 0xc3};  // mov eax, imm32; ret
  std::memcpy(code + 1, &value, 4);
  std::memcpy(c.write + at, code, sizeof code);
}

uint32_t run(const CodePool::Chunk& c, size_t at) {
  return reinterpret_cast<uint32_t (*)()>(c.exec + at)();
}

// Every mapping of this process whose permissions include both w and x.
std::vector<std::string> writableExecutableMappings() {
  std::ifstream maps("/proc/self/maps");
  std::vector<std::string> bad;
  for (std::string line; std::getline(maps, line);) {
    auto sp = line.find(' ');
    std::string perms = line.substr(sp + 1, 4);
    if (perms.find('w') != std::string::npos && perms.find('x') != std::string::npos) bad.push_back(line);
  }
  return bad;
}

CodePool& pool() {
  CodePool* p = CodePool::get();
  if (!p) {
    ADD_FAILURE() << "no code pool: this system cannot dual-map shared memory";
    std::abort();
  }
  return *p;
}

TEST(CodePool, CodeWrittenThroughOneAliasRunsAtTheOther) {
  auto c = pool().allocate(100);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->bytes, page());
  EXPECT_NE(c->exec, c->write);
  writeReturn(*c, 0, 42);
  EXPECT_EQ(run(*c, 0), 42u);
  // Same pages: a change through the write alias is what runs next.
  writeReturn(*c, 0, 7);
  EXPECT_EQ(run(*c, 0), 7u);
  pool().release(*c);
}

TEST(CodePool, NoMappingIsWritableAndExecutable) {
  auto c = pool().allocate(3 * page());
  ASSERT_TRUE(c);
  writeReturn(*c, page(), 5);
  EXPECT_EQ(run(*c, page()), 5u);
  auto bad = writableExecutableMappings();
  EXPECT_TRUE(bad.empty()) << bad.front();
  pool().release(*c);
}

TEST(CodePool, FreedChunksAreReusedAndFilledWithInt3) {
  size_t before = pool().allocatedBytes();
  auto a = pool().allocate(4 * page());
  ASSERT_TRUE(a);
  EXPECT_EQ(pool().allocatedBytes(), before + 4 * page());
  writeReturn(*a, 0, 1);
  uint8_t* where = a->exec;
  pool().release(*a);
  EXPECT_EQ(pool().allocatedBytes(), before);
  // A stale pointer into the dead chunk traps instead of running old code.
  EXPECT_EQ(where[0], 0xcc);
  EXPECT_EQ(where[4 * page() - 1], 0xcc);
  // First fit: the next chunk of that size (or smaller) is the same memory.
  auto b = pool().allocate(2 * page());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->exec, where);
  pool().release(*b);
}

TEST(CodePool, ShrinkGivesTheTailBack) {
  auto a = pool().allocate(8 * page());
  ASSERT_TRUE(a);
  uint8_t* tail = a->exec + 3 * page();
  pool().shrink(*a, 3 * page());
  EXPECT_EQ(a->bytes, 3 * page());
  auto b = pool().allocate(5 * page());
  ASSERT_TRUE(b);
  EXPECT_EQ(b->exec, tail);
  // The head still runs after its tail went to another chunk.
  writeReturn(*a, 0, 11);
  writeReturn(*b, 0, 12);
  EXPECT_EQ(run(*a, 0), 11u);
  EXPECT_EQ(run(*b, 0), 12u);
  pool().release(*a);
  pool().release(*b);
}

TEST(CodePool, ChunksLargerThanASegmentGetTheirOwn) {
  size_t segments = pool().segmentCount();
  auto big = pool().allocate(size_t(65) << 20);
  ASSERT_TRUE(big);
  EXPECT_EQ(pool().segmentCount(), segments + 1);
  writeReturn(*big, big->bytes - 8, 99);
  EXPECT_EQ(run(*big, big->bytes - 8), 99u);
  pool().release(*big);
  // Unmapped when freed: a rare size is not kept.
  EXPECT_EQ(pool().segmentCount(), segments);
}

TEST(CodePool, TwoThreadsAllocateWriteRunAndRelease) {
  auto work = [](uint32_t seed, int& failures) {
    for (uint32_t i = 0; i < 2000; ++i) {
      auto c = pool().allocate((1 + (i + seed) % 5) * page());
      if (!c) {
        ++failures;
        continue;
      }
      uint32_t value = seed * 100000 + i;
      writeReturn(*c, c->bytes - 6, value);
      if (run(*c, c->bytes - 6) != value) ++failures;
      pool().release(*c);
    }
  };
  int fa = 0, fb = 0;
  std::thread a(work, 1, std::ref(fa));
  std::thread b(work, 2, std::ref(fb));
  a.join();
  b.join();
  EXPECT_EQ(fa, 0);
  EXPECT_EQ(fb, 0);
}

TEST(CodePool, AForkedChildNeverWritesItsParentsCode) {
  auto mine = pool().allocate(page());
  ASSERT_TRUE(mine);
  writeReturn(*mine, 0, 1234);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child frees the inherited chunk (no int3 fill: the pages are shared) and compiles
    // into new memory of its own.
    pool().release(*mine);
    auto c = pool().allocate(page());
    if (!c || c->exec == mine->exec) _exit(2);
    writeReturn(*c, 0, 5678);
    _exit(run(*c, 0) == 5678 && run(*mine, 0) == 1234 ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(run(*mine, 0), 1234u);
  pool().release(*mine);
}

}  // namespace
}  // namespace strata::vm
