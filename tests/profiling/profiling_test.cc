// Tests of the profiling listeners on hand-made code images (the tools themselves are exercised
// end to end in tests/cli/profiling_test.sh): the names each function gets, the perf map's
// lines, and the ELF object the GDB JIT interface hands the debugger, registered and removed.
#include <elf.h>
#include <fmt/core.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "profiling/gdb_jit.h"
#include "profiling/profiling.h"
#include "profiling/symbols.h"
#include "text/text.h"

namespace strata::profiling {
namespace {

// Function 0 is imported; 1 is named $a by the name section (the text parser writes ids
// there), 2 is known only by its export, 3 by nothing.
ir::Module testModule() {
  auto m = text::parseWat(R"((module $m
    (import "env" "f" (func))
    (func $a)
    (func (export "b"))
    (func)))");
  EXPECT_TRUE(m) << m.error().message;
  return std::move(*m);
}

// An image of three 16-byte "functions" (never run) belonging to `m`.
std::unique_ptr<vm::CodeImage> testImage(const ir::Module& m) {
  auto img = vm::CodeImage::reserve(48, 0);
  EXPECT_TRUE(img);
  std::vector<vm::FuncCodeInfo> funcs;
  for (uint32_t i = 0; i < 3; ++i) {
    vm::FuncCodeInfo f;
    f.func_index = i + 1;
    f.start = 16 * i;
    f.size = 16;
    funcs.push_back(f);
  }
  std::vector<uint8_t> code(48, 0xcc);
  EXPECT_TRUE((*img)->publish(code, std::move(funcs), vm::ImageKind::Module, &m, nullptr));
  return std::move(*img);
}

TEST(Profiling, SymbolNames) {
  ir::Module m = testModule();
  auto img = testImage(m);
  std::vector<CodeSymbol> symbols = imageSymbols(*img);
  ASSERT_EQ(symbols.size(), 3u);
  EXPECT_EQ(symbols[0].name, "m!a");
  EXPECT_EQ(symbols[1].name, "m!b");
  EXPECT_EQ(symbols[2].name, "m!function[3]");
  EXPECT_EQ(symbols[1].start, uintptr_t(img->base()) + 16);
  EXPECT_EQ(symbols[1].size, 16u);
}

TEST(Profiling, PerfMapLines) {
  ASSERT_TRUE(enablePerfMap());
  ir::Module m = testModule();
  auto img = testImage(m);
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string expected = fmt::format("{:x} 10 m!b\n", uintptr_t(img->base()) + 16);
  EXPECT_NE(text.str().find(expected), std::string::npos) << text.str();
  std::remove(path.c_str());
}

// The symbol names in the ELF object registered for the image, read through its section
// headers as the debugger would.
std::vector<std::string> elfSymbols(const jit_code_entry& e, uint64_t& text_addr) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(e.symfile_addr);
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes, sizeof eh);
  EXPECT_EQ(std::memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(eh.e_type, ET_REL);
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), bytes + eh.e_shoff, sh.size() * sizeof(Elf64_Shdr));
  std::vector<std::string> names;
  for (const Elf64_Shdr& s : sh) {
    if (s.sh_type == SHT_NOBITS) text_addr = s.sh_addr;
    if (s.sh_type != SHT_SYMTAB) continue;
    const char* strtab = reinterpret_cast<const char*>(bytes + sh[s.sh_link].sh_offset);
    for (size_t i = 1; i < s.sh_size / sizeof(Elf64_Sym); ++i) {
      Elf64_Sym sym;
      std::memcpy(&sym, bytes + s.sh_offset + i * sizeof sym, sizeof sym);
      names.push_back(fmt::format("{}@{}", strtab + sym.st_name, sym.st_value));
    }
  }
  return names;
}

TEST(Profiling, GdbJitRegistersAndUnregisters) {
  enableGdbJit();
  ir::Module m = testModule();
  jit_code_entry* before = __jit_debug_descriptor.first_entry;
  {
    auto img = testImage(m);
    jit_code_entry* e = __jit_debug_descriptor.first_entry;
    ASSERT_NE(e, nullptr);
    ASSERT_NE(e, before);
    EXPECT_EQ(__jit_debug_descriptor.action_flag, 1u);  // JIT_REGISTER_FN
    uint64_t text_addr = 0;
    std::vector<std::string> names = elfSymbols(*e, text_addr);
    EXPECT_EQ(text_addr, uintptr_t(img->base()));
    EXPECT_EQ(names, (std::vector<std::string>{"m!a@0", "m!b@16", "m!function[3]@32"}));
  }
  EXPECT_EQ(__jit_debug_descriptor.first_entry, before);
  EXPECT_EQ(__jit_debug_descriptor.action_flag, 2u);  // JIT_UNREGISTER_FN
}

}  // namespace
}  // namespace strata::profiling
