// Acceptance over the spec suites in ../shared: every script parses, every text module in
// assert_malformed fails with the expected wording, and every other quoted module parses.
// Scripts are found through STRATA_SHARED_DIR; the tests skip when the data is missing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "text/text.h"

namespace strata::text {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> scripts(const fs::path& dir, bool recursive) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  auto add = [&](const fs::directory_entry& e) {
    // custom-descriptors uses instructions beyond the opcode table.
    if (e.path().extension() == ".wast" && e.path().string().find("custom-descriptors") == std::string::npos)
      out.push_back(e.path());
  };
  if (recursive)
    for (const auto& e : fs::recursive_directory_iterator(dir)) add(e);
  else
    for (const auto& e : fs::directory_iterator(dir)) add(e);
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Tally {
  size_t scripts = 0, malformed = 0, quotes = 0;
};

// Parses every script and checks its quoted modules; failures are reported per command.
Tally checkSuite(const std::vector<fs::path>& files, const ir::Features& features) {
  Tally t;
  for (const fs::path& file : files) {
    std::string src = slurp(file);
    auto script = parseWast(src, file.string(), features);
    if (!script) {
      ADD_FAILURE() << locate(src, script.error().offset, file.string()).str() << ": " << script.error().message;
      continue;
    }
    ++t.scripts;
    for (const Command& c : script->commands) {
      if (!c.module || c.module->form != ScriptModule::Form::Quote) continue;
      auto m = parseWat(c.module->quote, features);
      if (c.kind == Command::Kind::AssertMalformed) {
        ++t.malformed;
        if (m) ADD_FAILURE() << c.loc.str() << ": parsed, expected \"" << c.message << "\"";
        else if (m.error().message.find(c.message) == std::string::npos)
          ADD_FAILURE() << c.loc.str() << ": \"" << m.error().message << "\", expected \"" << c.message << "\"";
      } else {
        ++t.quotes;
        if (!m) ADD_FAILURE() << c.loc.str() << ": " << m.error().message;
      }
    }
  }
  return t;
}

TEST(SpecSuite, WebAssembly2) {
  auto files = scripts(fs::path(STRATA_SHARED_DIR) / "testsuite-2.0", false);
  if (files.empty()) GTEST_SKIP() << "no testsuite-2.0 in " << STRATA_SHARED_DIR;
  Tally t = checkSuite(files, ir::Features::wasm2());
  EXPECT_EQ(t.scripts, files.size());
  EXPECT_GT(t.malformed, 1000u);
}

TEST(SpecSuite, WebAssembly3) {
  fs::path root = fs::path(STRATA_SHARED_DIR) / "testsuite";
  auto files = scripts(root, false);
  if (files.empty()) GTEST_SKIP() << "no testsuite in " << STRATA_SHARED_DIR;
  for (const char* sub : {"legacy", "custom", "proposals/wide-arithmetic", "proposals/custom-page-sizes"})
    for (auto& f : scripts(root / sub, true)) files.push_back(f);
  Tally t = checkSuite(files, ir::Features());
  EXPECT_EQ(t.scripts, files.size());
  EXPECT_GT(t.malformed, 1000u);
}

// The threads proposal predates memory64: its 32-bit limits are u32 literals.
TEST(SpecSuite, ThreadsProposal) {
  auto files = scripts(fs::path(STRATA_SHARED_DIR) / "testsuite/proposals/threads", false);
  if (files.empty()) GTEST_SKIP();
  ir::Features features;
  features.set(ir::Feature::Memory64, false);
  Tally t = checkSuite(files, features);
  EXPECT_EQ(t.scripts, files.size());
}

}  // namespace
}  // namespace strata::text
