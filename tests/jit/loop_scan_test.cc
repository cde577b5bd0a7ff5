// LoopScanner (src/jit/loop_scan.h) on hand-assembled loop bodies (spec 5.4 encodings): access
// weights, which locals are dead at the head, where the scan stops, and that malformed or
// truncated bytes end it without reading past them.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "jit/loop_scan.h"

namespace strata::jit {
namespace {

// Opcode bytes (spec 5.4).
constexpr uint8_t kBlock = 0x02, kLoop = 0x03, kIf = 0x04, kEnd = 0x0b, kBr = 0x0c, kBrIf = 0x0d, kBrTable = 0x0e,
                  kGet = 0x20, kSet = 0x21, kTee = 0x22, kI32Const = 0x41, kI32Add = 0x6a, kI32Load = 0x28,
                  kF64Const = 0x44, kEmpty = 0x40, kDrop = 0x1a;

LoopScanner scan(const std::vector<uint8_t>& body, uint32_t num_locals = 16) {
  LoopScanner s;
  s.scan(ByteReader(std::span<const uint8_t>(body)), ir::Features(), num_locals);
  return s;
}

TEST(LoopScan, WeightsCountAccessesAndInnerLoopsCountFourTimes) {
  std::vector<uint8_t> body = {kGet, 0, kGet, 0, kI32Add, kSet, 1,         // depth 0
                               kLoop, kEmpty, kGet, 2, kTee, 3, kDrop, kEnd,  // an inner loop
                               kBlock, kEmpty, kGet, 1, kDrop, kEnd,           // a block: weight 1
                               kEnd,                                          // the loop's end
                               kGet, 5, kDrop};                               // after it: not counted
  LoopScanner s = scan(body);
  EXPECT_EQ(s.weight(0), 2u);
  EXPECT_EQ(s.weight(1), 2u);
  EXPECT_EQ(s.weight(2), 4u);
  EXPECT_EQ(s.weight(3), 4u);
  EXPECT_EQ(s.weight(5), 0u);
  EXPECT_EQ(std::vector<uint32_t>(s.locals().begin(), s.locals().end()), (std::vector<uint32_t>{0, 1, 2, 3}));
}

TEST(LoopScan, DeadAtTheHeadOnlyWhenWrittenFirstOnEveryPath) {
  std::vector<uint8_t> body = {
      kI32Const, 1, kSet, 0,                     // written first at the body's level: dead
      kGet, 1, kI32Const, 2, kI32Add, kSet, 1,   // read first: live
      kBlock, kEmpty, kI32Const, 3, kSet, 2, kEnd,  // written first in a nested block: live
      kI32Const, 0, kBrIf, 0,                    // a branch back to the head: no exit
      kI32Const, 4, kTee, 3, kDrop,              // dead
      kBlock, kEmpty, kI32Const, 0, kBrIf, 0, kEnd,  // a branch to a block inside the loop
      kI32Const, 5, kSet, 4,                     // dead
      kI32Const, 0, kBrIf, 1,                    // out of the loop
      kI32Const, 6, kSet, 5,                     // after an exit: live
      kEnd};
  LoopScanner s = scan(body);
  EXPECT_TRUE(s.deadAtHead(0));
  EXPECT_FALSE(s.deadAtHead(1));
  EXPECT_FALSE(s.deadAtHead(2));
  EXPECT_TRUE(s.deadAtHead(3));
  EXPECT_TRUE(s.deadAtHead(4));
  EXPECT_FALSE(s.deadAtHead(5));
  EXPECT_FALSE(s.deadAtHead(6));  // never accessed
}

TEST(LoopScan, BrTableAndIfArms) {
  // br_table through the general decoder: a target out of the loop ends deadness after it.
  std::vector<uint8_t> body = {kI32Const, 0, kBrTable, 2, 0, 0, 0,  // every target is the loop
                               kI32Const, 1, kSet, 0,                // dead
                               kI32Const, 0, kIf, kEmpty, kI32Const, 1, kSet, 1, kEnd,  // in an arm: live
                               kI32Const, 0, kBrTable, 1, 0, 1,      // default out of the loop
                               kI32Const, 1, kSet, 2,                // live
                               kF64Const, 0, 0, 0, 0, 0, 0, 0, 0, kDrop,
                               kI32Const, 0, kI32Load, 2, 0, kSet, 3,  // memarg skipped: live (after the exit)
                               kEnd};
  LoopScanner s = scan(body);
  EXPECT_TRUE(s.deadAtHead(0));
  EXPECT_FALSE(s.deadAtHead(1));
  EXPECT_FALSE(s.deadAtHead(2));
  EXPECT_EQ(s.weight(3), 1u);
}

TEST(LoopScan, ResultsOfTheLastScanOnly) {
  LoopScanner s;
  std::vector<uint8_t> a = {kGet, 7, kDrop, kEnd}, b = {kI32Const, 0, kSet, 2, kEnd};
  s.scan(ByteReader(std::span<const uint8_t>(a)), ir::Features(), 8);
  s.scan(ByteReader(std::span<const uint8_t>(b)), ir::Features(), 8);
  EXPECT_EQ(s.weight(7), 0u);
  EXPECT_EQ(s.weight(2), 1u);
  EXPECT_TRUE(s.deadAtHead(2));
  EXPECT_EQ(s.locals().size(), 1u);
}

// Truncations and random mutations of a body: the scan stays within the bytes (run under the
// sanitizer build this also checks the reads) and never reports a local out of range.
TEST(LoopScan, MalformedBytesEndTheScan) {
  std::vector<uint8_t> body = {kGet, 0, kLoop, kEmpty, kGet, 1, kSet, 2, kEnd, kBrTable, 3, 0, 1, 2, 0,
                               kI32Load, 0x42, 0, 4, kSet, 3, kF64Const, 1, 2, 3, 4, 5, 6, 7, 8, 0xfd, 0x0c,
                               0xfc, 0x0a, 0, 0, kEnd};
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> m = body;
    if (round < int(body.size())) {
      m.resize(size_t(round));
    } else {
      for (int k = 0; k < 3; ++k) m[rng() % m.size()] = uint8_t(rng());
      m.resize(rng() % (m.size() + 1));
    }
    // A copy on the heap of exactly its size, so that a read past it is a read past the block.
    auto bytes = std::make_unique<uint8_t[]>(m.size() + 1);
    std::copy(m.begin(), m.end(), bytes.get());
    LoopScanner s;
    s.scan(ByteReader(std::span<const uint8_t>(bytes.get(), m.size())), ir::Features(), 4);
    for (uint32_t l : s.locals()) EXPECT_LT(l, 4u);
  }
}

}  // namespace
}  // namespace strata::jit
