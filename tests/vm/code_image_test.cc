// Code images on the pool: published code runs at base(), the host writes at writableBase(),
// data pages start zeroed even in reused memory, and the registry finds the image by pc.
#include "vm/code_image.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace strata::vm {
namespace {

constexpr uint8_t kReturn7[] = {0xb8, 7, 0, 0, 0, 0xc3};  // mov eax, 7; ret

TEST(CodeImage, PublishedCodeRunsAndIsFoundByPc) {
  auto img = CodeImage::reserve(sizeof kReturn7, 16);
  ASSERT_TRUE(img) << img.error().message;
  CodeImage& i = **img;
  ASSERT_TRUE(i.publish(kReturn7, {FuncCodeInfo{0, 0, sizeof kReturn7, {}, {}}}, ImageKind::Module, nullptr, nullptr));
  EXPECT_EQ(reinterpret_cast<int (*)()>(i.base())(), 7);
  EXPECT_EQ(findCodeImage(uintptr_t(i.base()) + 2), &i);
  EXPECT_EQ(findCodeImage(uintptr_t(i.writableBase()) + 2), i.writableBase() == i.base() ? &i : nullptr);
  // The data pages: written by the host, read by the code at the same offset after the code.
  ASSERT_NE(i.data(), nullptr);
  EXPECT_EQ(size_t(i.data() - i.base()), size_t(sysconf(_SC_PAGESIZE)));
  uint64_t v = 0x1122334455667788;
  std::memcpy(i.writableData(), &v, 8);
  EXPECT_EQ(std::memcmp(i.data(), &v, 8), 0);
}

TEST(CodeImage, DataPagesStartZeroedInReusedMemory) {
  for (int round = 0; round < 3; ++round) {
    auto img = CodeImage::reserve(64, 4096);
    ASSERT_TRUE(img);
    const uint8_t* d = (*img)->data();
    for (size_t k = 0; k < 4096; ++k) ASSERT_EQ(d[k], 0) << "round " << round << " byte " << k;
    std::memset((*img)->writableData(), 0xab, 4096);
    ASSERT_TRUE((*img)->publish(kReturn7, {}, ImageKind::Stubs, nullptr, nullptr));
  }
}

TEST(CodeImage, PublishInPlaceKeepsTheCodeAndFreesTheTail) {
  size_t page = size_t(sysconf(_SC_PAGESIZE));
  auto img = CodeImage::reserve(8 * page, 0);
  ASSERT_TRUE(img);
  CodeImage& i = **img;
  std::memcpy(i.writableBase(), kReturn7, sizeof kReturn7);
  ASSERT_TRUE(i.publishInPlace(page, 8, {FuncCodeInfo{0, 0, sizeof kReturn7, {}, {}}}, ImageKind::Module, nullptr, nullptr));
  EXPECT_EQ(i.reservedBytes(), 2 * page);
  EXPECT_EQ(i.data(), i.base() + page);
  EXPECT_EQ(reinterpret_cast<int (*)()>(i.base())(), 7);
  uint64_t zero = 0;
  EXPECT_EQ(std::memcmp(i.data(), &zero, 8), 0);
}

// An unpopulated reservation (the baseline tier's, sized for the worst case): prepareWrite makes
// present exactly the pages holding the range, and code written there and past it runs.
TEST(CodeImage, PrepareWriteMakesTheRangesPagesPresent) {
  size_t page = size_t(sysconf(_SC_PAGESIZE));
  constexpr size_t kPages = 1024;
  auto img = CodeImage::reserve(kPages * page, 0, true, /*populate=*/false);
  ASSERT_TRUE(img);
  CodeImage& i = **img;
  // Near the end of a fresh 4 MiB reservation: pages no earlier owner touched.
  size_t at = (kPages - 8) * page + 100;
  std::vector<unsigned char> present(kPages);
  ASSERT_EQ(mincore(i.writableBase(), kPages * page, present.data()), 0);
  for (size_t p = kPages - 8; p < kPages - 4; ++p) EXPECT_EQ(present[p] & 1, 0) << "page " << p << " present before";
  i.prepareWrite(at, 2 * page);  // touches pages kPages-8 .. kPages-6
  ASSERT_EQ(mincore(i.writableBase(), kPages * page, present.data()), 0);
  for (size_t p = kPages - 8; p <= kPages - 6; ++p) EXPECT_EQ(present[p] & 1, 1) << "page " << p;
  EXPECT_EQ(present[kPages - 5] & 1, 0);
  // Past the reservation's end: clamped, no fault.
  i.prepareWrite(kPages * page - 10, 100 * page);
  std::memcpy(i.writableBase(), kReturn7, sizeof kReturn7);
  std::memcpy(i.writableBase() + (kPages - 5) * page, kReturn7, sizeof kReturn7);  // not prepared: faults in
  ASSERT_TRUE(i.publishInPlace((kPages - 4) * page, 8, {FuncCodeInfo{0, 0, sizeof kReturn7, {}, {}}}, ImageKind::Module,
                               nullptr, nullptr));
  EXPECT_EQ(reinterpret_cast<int (*)()>(i.base())(), 7);
  EXPECT_EQ(reinterpret_cast<int (*)()>(i.base() + (kPages - 5) * page)(), 7);
}

}  // namespace
}  // namespace strata::vm
