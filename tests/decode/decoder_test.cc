// Tests of the decoding driver (decoder.cc): header, section ids, order and sizes, whole-module
// consistency checks, and real programs from the benchmark set, whole and truncated.
#include "decode/decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>

#include "test_util.h"

namespace strata::decode::testing {
namespace {

TEST(DecodeHeader, EmptyModule) {
  ir::Module m = decodeOk({});
  EXPECT_TRUE(m.types.empty());
  EXPECT_EQ(m.bytes.size(), kHeaderSize);
}

TEST(DecodeHeader, Truncated) {
  auto m = decodeModule(Bytes{}, ir::Features::all());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "unexpected end");
  m = decodeModule(Bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00}, ir::Features::all());  // version cut short
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "unexpected end");
}

TEST(DecodeHeader, BadMagicAndVersion) {
  auto m = decodeModule(Bytes{0x00, 0x41, 0x53, 0x4d, 0x01, 0x00, 0x00, 0x00}, ir::Features::all());  // "\0ASM"
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "magic header not detected");
  EXPECT_EQ(m.error().offset, 0u);
  m = decodeModule(Bytes{0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x00, 0x00}, ir::Features::all());  // version 13
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "unknown binary version");
  EXPECT_EQ(m.error().offset, 4u);
}

TEST(DecodeSections, MalformedSectionId) {
  expectMalformed({0x0e, 0x01, 0x00}, "malformed section id", 8);  // id 14 does not exist
  expectMalformed({0x80, 0x01, 0x00}, "malformed section id", 8);  // ids are bytes, not LEB128
  // The tag section (13) exists only with exception handling.
  expectMalformed({0x0d, 0x01, 0x00}, "malformed section id", 8, ir::Features::wasm2());
  decodeOk({0x0d, 0x01, 0x00});  // tag section, 1 byte: 0 tags
}

TEST(DecodeSections, RepeatedOrMisplaced) {
  expectMalformed({0x01, 0x01, 0x00,   // type section: 0 types
                   0x01, 0x01, 0x00},  // type section again
                  "unexpected content after last section", 11);
  expectMalformed({0x03, 0x01, 0x00,   // function section: 0 functions
                   0x02, 0x01, 0x00},  // import section after it
                  "unexpected content after last section", 11);
  // Tag (13) sits between memory (5) and global (6); data count (12) between element and code.
  decodeOk({0x05, 0x01, 0x00,    // memory section: 0 memories
            0x0d, 0x01, 0x00,    // tag section: 0 tags
            0x06, 0x01, 0x00,    // global section: 0 globals
            0x09, 0x01, 0x00,    // element section: 0 segments
            0x0c, 0x01, 0x00,    // data count: 0
            0x0a, 0x01, 0x00});  // code section: 0 entries
  expectMalformed({0x06, 0x01, 0x00,   // global section
                   0x0d, 0x01, 0x00},  // tag section after it
                  "unexpected content after last section", 11);
}

TEST(DecodeSections, CustomSectionsAnywhere) {
  ir::Module m = decodeOk({0x00, 0x03, 0x01, 'a', 0x07,        // custom "a", content 0x07
                           0x01, 0x01, 0x00,                   // type section: 0 types
                           0x00, 0x04, 0x02, 'b', 'c', 0x08});  // custom "bc", content 0x08
  ASSERT_EQ(m.customs.size(), 2u);
  EXPECT_EQ(m.customs[0].name, "a");
  EXPECT_EQ(m.customs[0].after_section, 0);
  EXPECT_EQ(m.customs[0].content.offset, 12u);
  EXPECT_EQ(m.customs[0].content.size, 1u);
  EXPECT_EQ(m.customs[1].name, "bc");
  EXPECT_EQ(m.customs[1].after_section, 1);
  EXPECT_EQ(m.span(m.customs[1].content)[0], 0x08);
}

TEST(DecodeSections, CustomSectionName) {
  expectMalformed({0x00, 0x03, 0x02, 0xc0, 0x80},  // custom section named by an overlong NUL
                  "malformed UTF-8 encoding", 10);
  expectMalformed({0x00, 0x01, 0x05, 'a', 'b', 'c', 'd', 'e'},  // 5-byte name in a 1-byte section
                  "unexpected end of section or function", 16);
  expectMalformed({0x00, 0x02, 0x09, 'a'},  // name length 9, 1 byte left
                  "length out of bounds", 10);
}

TEST(DecodeSections, SizeBeyondTheFile) {
  expectMalformed({0x01, 0x09, 0x01, 0x60, 0x00, 0x00}, "length out of bounds", 9);  // 9 bytes claimed, 4 there
  expectMalformed({0x01, 0x80}, "unexpected end", 10);                                // size cut short
  expectMalformed({0x01, 0x80, 0x80, 0x80, 0x80, 0x10}, "integer too large", 9);
  expectMalformed({0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, "integer representation too long", 9);
}

TEST(DecodeSections, SizeMismatch) {
  // One type declared, two given: the section ends after the first, 3 bytes early.
  expectMalformed({0x01, 0x07,        // type section, 7 bytes
                   0x01,              // 1 type
                   0x60, 0x00, 0x00,  // func [] -> []
                   0x60, 0x00, 0x00},  // a second one the count does not cover
                  "section size mismatch", 10);
}

TEST(DecodeSections, ContentsRunIntoTheNextSection) {
  // As in the reference interpreter, a count that is one too large reads on into the next
  // section: here the name of a second export is the code section's id byte 0x0a (length 10).
  expectMalformed({0x07, 0x06,             // export section, 6 bytes
                   0x02,                   // 2 exports (1 given)
                   0x02, 'f', '1', 0x00, 0x00,  // "f1" func 0
                   0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b},  // code section
                  "length out of bounds", 16);
  // At the end of the file the reference's wording applies.
  expectMalformed({0x06, 0x06,            // global section, 6 bytes
                   0x02,                  // 2 globals (1 given)
                   0x7f, 0x00, 0x41, 0x00, 0x0b},  // i32 const (i32.const 0)
                  "unexpected end of section or function", 16);
}

TEST(DecodeConsistency, FunctionAndCode) {
  const char* kMsg = "function and code section have inconsistent lengths";
  expectMalformed({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type section: func [] -> []
                   0x03, 0x03, 0x02, 0x00, 0x00},       // function section: 2 functions, no code
                  kMsg, 19);
  expectMalformed({0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b},  // code section: 1 body, no functions
                  kMsg, 14);
  decodeOk({0x03, 0x01, 0x00});  // 0 functions and no code section
  decodeOk({0x0a, 0x01, 0x00});  // 0 bodies and no function section
}

TEST(DecodeConsistency, DataCount) {
  const char* kMsg = "data count and data section have inconsistent lengths";
  expectMalformed({0x0c, 0x01, 0x03,         // data count 3
                   0x0b, 0x05, 0x02,         // data section: 2 segments
                   0x01, 0x00, 0x01, 0x00},  // passive "", passive ""
                  kMsg, 18);
  expectMalformed({0x0c, 0x01, 0x01}, kMsg, 11);  // data count 1, no data section
  ir::Module m = decodeOk({0x0c, 0x01, 0x00});    // data count 0, no data section
  EXPECT_EQ(m.data_count, 0u);
}

TEST(DecodeModule, SpanOverloadCopies) {
  Bytes b = withHeader({0x01, 0x04, 0x01, 0x60, 0x00, 0x00});
  auto m = decodeModule(std::span<const uint8_t>(b), ir::Features::all());
  ASSERT_TRUE(m);
  EXPECT_TRUE(std::ranges::equal(m->bytes, b));
  EXPECT_NE(m->bytes.data(), b.data());
  EXPECT_FALSE(m->bytes.borrowed());
  EXPECT_EQ(m->types.size(), 1u);
}

// In place (artifacts, docs/artifacts.md): the module reads the caller's bytes, keeps the
// backing alive, and every span points into them.
TEST(DecodeModule, InPlaceBorrows) {
  auto b = std::make_shared<const Bytes>(withHeader({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type: () -> ()
                                                     0x03, 0x02, 0x01, 0x00,              // one function
                                                     0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b}));  // body: no locals, end
  std::weak_ptr<const Bytes> alive = b;
  auto m = decodeModuleInPlace(*b, b, ir::Features::all());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->bytes.borrowed());
  EXPECT_EQ(m->bytes.data(), b->data());
  ASSERT_EQ(m->functions.size(), 1u);
  EXPECT_EQ(m->span(m->functions[0].body).data(), b->data() + b->size() - 2);
  b.reset();
  EXPECT_FALSE(alive.expired()) << "the module must keep its bytes alive";
  m = decodeModuleInPlace(Bytes{}, nullptr, ir::Features::all());
  EXPECT_FALSE(m);
  EXPECT_TRUE(alive.expired());
}

// Without walking the bodies (an artifact's loader sets them from its table): the code section
// is counted and skipped, its count still checked against the function section.
TEST(DecodeModule, InPlaceWithoutBodies) {
  Bytes b = withHeader({0x01, 0x04, 0x01, 0x60, 0x00, 0x00,              // type: () -> ()
                        0x03, 0x03, 0x02, 0x00, 0x00,                    // two functions
                        0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00, 0x0b});  // two bodies
  auto walked = decodeModuleInPlace(b, nullptr, ir::Features::all());
  ASSERT_TRUE(walked) << walked.error().message;
  EXPECT_EQ(walked->functions[1].body.size, 2u);
  auto skipped = decodeModuleInPlace(b, nullptr, ir::Features::all(), /*walk_bodies=*/false);
  ASSERT_TRUE(skipped) << skipped.error().message;
  ASSERT_EQ(skipped->functions.size(), 2u);
  EXPECT_EQ(skipped->functions[0].body.size, 0u);
  EXPECT_EQ(skipped->functions[1].body.size, 0u);
  Bytes one_short = withHeader({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00,
                                0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b});  // one body for two functions
  auto bad = decodeModuleInPlace(one_short, nullptr, ir::Features::all(), false);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "function and code section have inconsistent lengths");
}

// Real programs (compiled C/Rust from the benchmark set) must decode; every prefix of a few of
// them must fail cleanly. These exercise every section kind a toolchain emits.
std::vector<std::filesystem::path> benchModules() {
  std::vector<std::filesystem::path> out;
  std::filesystem::path root = std::filesystem::path(STRATA_SHARED_DIR) / "bench";
  if (!std::filesystem::exists(root)) return out;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    for (const auto& f : std::filesystem::directory_iterator(dir.path()))
      if (f.path().extension() == ".wasm") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Bytes readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

TEST(DecodeRealModules, AllBenchModulesDecode) {
  auto files = benchModules();
  if (files.empty()) GTEST_SKIP() << "no benchmark modules under " << STRATA_SHARED_DIR;
  for (const auto& p : files) {
    Bytes b = readFile(p);
    auto m = decodeModule(b, ir::Features::all());
    ASSERT_TRUE(m) << p << ": " << m.error().describe();
    EXPECT_GT(m->functions.size(), m->num_imported_functions) << p;
    for (uint32_t i = m->num_imported_functions; i < m->functions.size(); ++i) {
      const ir::ByteSpan body = m->functions[i].body;
      ASSERT_GT(body.size, 0u) << p << " function " << i;
      EXPECT_EQ(m->bytes[body.offset + body.size - 1], 0x0b) << p << " function " << i << " does not end with end";
    }
    // The 2.0 feature set suffices for these toolchain outputs too.
    EXPECT_TRUE(decodeModule(b, ir::Features::wasm2())) << p;
  }
}

// Offsets where a section ends, found by walking section headers independently of the decoder.
std::set<size_t> sectionEnds(const Bytes& b) {
  std::set<size_t> ends{kHeaderSize};
  size_t pos = kHeaderSize;
  while (pos < b.size()) {
    ++pos;  // id
    uint64_t size = 0;
    for (unsigned shift = 0;; shift += 7) {
      uint8_t byte = b[pos++];
      size |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
    }
    pos += size;
    ends.insert(pos);
  }
  return ends;
}

// Every prefix of a module is malformed, except a cut between two sections that leaves a
// complete module (e.g. before trailing custom sections). No prefix may crash or report an
// offset past its end.
void expectPrefixesFail(const Bytes& b, size_t step) {
  std::set<size_t> ends = sectionEnds(b);
  for (size_t len = 0; len < b.size(); len += step) {
    auto m = decodeModule(std::span<const uint8_t>(b.data(), len), ir::Features::all());
    if (m) {
      EXPECT_TRUE(ends.count(len)) << "prefix " << len << " decoded but cuts a section";
      continue;
    }
    EXPECT_EQ(m.error().kind, ErrorKind::Malformed) << "prefix " << len;
    EXPECT_LE(m.error().offset, len) << "prefix " << len;
  }
}

TEST(DecodeRealModules, EveryTruncationFailsCleanly) {
  std::filesystem::path bench = std::filesystem::path(STRATA_SHARED_DIR) / "bench";
  std::filesystem::path small = bench / "shootout" / "shootout-gimli.wasm";
  std::filesystem::path medium = bench / "shootout" / "shootout-minicsv.wasm";
  std::filesystem::path large = bench / "shootout" / "shootout-ed25519.wasm";
  if (!std::filesystem::exists(small)) GTEST_SKIP() << "no benchmark modules";
  expectPrefixesFail(readFile(small), 1);   // every length
  expectPrefixesFail(readFile(medium), 1);  // every length
  expectPrefixesFail(readFile(large), 97);  // a spread of lengths through a large module
}

}  // namespace
}  // namespace strata::decode::testing
