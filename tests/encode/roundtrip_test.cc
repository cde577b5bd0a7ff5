// encode(decode(x)) is a fixed point: encoding what the decoder gives back reproduces the bytes.
// Checked on the real programs of the shared benchmark folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "decode/decoder.h"
#include "encode/encoder.h"

namespace strata::encode {
namespace {

std::vector<std::filesystem::path> benchModules() {
  std::vector<std::filesystem::path> out;
  std::filesystem::path root = std::filesystem::path(STRATA_SHARED_DIR) / "bench";
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root, ec))
    if (e.path().extension() == ".wasm") out.push_back(e.path());
  return out;
}

TEST(RoundTrip, BenchModulesReachAFixedPoint) {
  auto modules = benchModules();
  if (modules.empty()) GTEST_SKIP() << "no benchmark modules under " << STRATA_SHARED_DIR;
  for (const auto& path : modules) {
    SCOPED_TRACE(path.string());
    std::ifstream in(path, std::ios::binary);
    std::vector<uint8_t> original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto decoded = decode::decodeModule(original, ir::Features::all());
    ASSERT_TRUE(decoded) << decoded.error().message;
    std::vector<uint8_t> first = encodeModule(*decoded);
    auto again = decode::decodeModule(first, ir::Features::all());
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(encodeModule(*again), first);
    // Shortest LEBs and only the name subsections the IR keeps (module, function, local): the
    // encoding never grows. Producers pad sizes to 5-byte LEBs and write global/data names.
    EXPECT_LE(first.size(), original.size());
    EXPECT_EQ(again->customs.size(), decoded->customs.size());
    EXPECT_EQ(again->names.functions, decoded->names.functions);
  }
}

}  // namespace
}  // namespace strata::encode
