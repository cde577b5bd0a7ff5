// Tests of the fd_* calls (calls_fd.cc, calls_fd_io.cc): layouts, rights, readdir cookies, renumber.
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include "wasi_test_util.h"

namespace strata::wasi_test {
namespace {

namespace right = wasi::right;
constexpr uint32_t kBox = 3;

class FdCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_.path() / "d");
    writeText(tmp_.path() / "f", "0123456789");
    for (int i = 0; i < 20; ++i) writeText(tmp_.path() / "d" / ("entry-" + std::to_string(i)), "");
    g_ = std::make_unique<Probe>(wasi::WasiConfig{.preopens = {{tmp_.path().string(), "box"}}});
  }
  Probe& g() { return *g_; }
  uint32_t openFile(std::string_view path, uint64_t rights = right::kAll, uint32_t fdflags = 0) {
    uint32_t fd = 0;
    EXPECT_EQ(g().open(kBox, path, 0, true, rights, &fd, fdflags), Errno::Success);
    return fd;
  }
  TempDir tmp_;
  std::unique_ptr<Probe> g_;
};

TEST_F(FdCallsTest, PrestatNamesThePreopen) {
  uint32_t ps = g().alloc(8), name = g().alloc(8);
  ASSERT_EQ(g().wasi("fd_prestat_get", kBox, ps), Errno::Success);
  EXPECT_EQ(g().mem()[ps], wasi::kPreopenDir);
  EXPECT_EQ(g().load<uint32_t>(ps + 4), 3u);
  EXPECT_EQ(g().wasi("fd_prestat_dir_name", kBox, name, 2u), Errno::NameTooLong);
  ASSERT_EQ(g().wasi("fd_prestat_dir_name", kBox, name, 3u), Errno::Success);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(g().mem() + name), 3), "box");
  EXPECT_EQ(g().wasi("fd_prestat_get", 1u, ps), Errno::Badf);  // stdout is no preopen
  EXPECT_EQ(g().wasi("fd_prestat_get", 4u, ps), Errno::Badf);  // end of the preopens
}

TEST_F(FdCallsTest, FdstatLayoutAndRights) {
  uint32_t st = g().alloc(24);
  ASSERT_EQ(g().wasi("fd_fdstat_get", kBox, st), Errno::Success);
  EXPECT_EQ(g().mem()[st], uint8_t(wasi::Filetype::Directory));
  EXPECT_EQ(g().load<uint64_t>(st + 8), right::kDirBase);
  EXPECT_EQ(g().load<uint64_t>(st + 16), right::kDirBase | right::kFileBase);
  uint32_t fd = openFile("f", right::kFdRead | right::kFdSeek | right::kPathOpen, wasi::kFdflagAppend);
  ASSERT_EQ(g().wasi("fd_fdstat_get", fd, st), Errno::Success);
  EXPECT_EQ(g().mem()[st], uint8_t(wasi::Filetype::RegularFile));
  EXPECT_EQ(g().load<uint16_t>(st + 2), wasi::kFdflagAppend);
  EXPECT_EQ(g().load<uint64_t>(st + 8), right::kFdRead | right::kFdSeek);  // path_open: not for files
  // Rights only shrink.
  EXPECT_EQ(g().wasi("fd_fdstat_set_rights", fd, right::kFdRead | right::kFdWrite, uint64_t(0)), Errno::NotCapable);
  EXPECT_EQ(g().wasi("fd_fdstat_set_rights", fd, right::kFdSeek, uint64_t(0)), Errno::Success);
  Errno e;
  g().read(fd, 4, &e);
  EXPECT_EQ(e, Errno::NotCapable);
  EXPECT_EQ(g().wasi("fd_fdstat_get", 99u, st), Errno::Badf);
}

TEST_F(FdCallsTest, SeekTellPreadPwrite) {
  uint32_t fd = openFile("f");
  uint32_t pos = g().alloc(8);
  ASSERT_EQ(g().wasi("fd_seek", fd, uint64_t(-3), 2u, pos), Errno::Success);
  EXPECT_EQ(g().load<uint64_t>(pos), 7u);
  EXPECT_EQ(g().read(fd, 10), "789");
  ASSERT_EQ(g().wasi("fd_tell", fd, pos), Errno::Success);
  EXPECT_EQ(g().load<uint64_t>(pos), 10u);
  EXPECT_EQ(g().wasi("fd_seek", fd, uint64_t(0), 3u, pos), Errno::Inval);
  uint32_t iov = g().alloc(8), buf = g().str("AB"), n = g().alloc(4);
  g().store<uint32_t>(iov, buf);
  g().store<uint32_t>(iov + 4, 2);
  ASSERT_EQ(g().wasi("fd_pwrite", fd, iov, 1u, uint64_t(1), n), Errno::Success);
  EXPECT_EQ(g().load<uint32_t>(n), 2u);
  ASSERT_EQ(g().wasi("fd_pread", fd, iov, 1u, uint64_t(0), n), Errno::Success);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(g().mem() + buf), 2), "0A");
  ASSERT_EQ(g().wasi("fd_tell", fd, pos), Errno::Success);
  EXPECT_EQ(g().load<uint64_t>(pos), 10u);  // pread/pwrite leave the offset alone
  EXPECT_EQ(readText(tmp_.path() / "f"), "0AB3456789");
  // A directory has no seek or read rights.
  EXPECT_EQ(g().wasi("fd_seek", kBox, uint64_t(0), 0u, pos), Errno::NotCapable);
}

TEST_F(FdCallsTest, FilestatLayoutSizeTimes) {
  uint32_t fd = openFile("f");
  uint32_t st = g().alloc(64);
  ASSERT_EQ(g().wasi("fd_filestat_get", fd, st), Errno::Success);
  EXPECT_EQ(g().mem()[st + 16], uint8_t(wasi::Filetype::RegularFile));
  EXPECT_EQ(g().load<uint64_t>(st + 24), 1u);   // nlink
  EXPECT_EQ(g().load<uint64_t>(st + 32), 10u);  // size
  struct stat host;
  ASSERT_EQ(::stat((tmp_.path() / "f").c_str(), &host), 0);
  EXPECT_EQ(g().load<uint64_t>(st + 0), uint64_t(host.st_dev));
  EXPECT_EQ(g().load<uint64_t>(st + 8), uint64_t(host.st_ino));
  ASSERT_EQ(g().wasi("fd_filestat_set_size", fd, uint64_t(4)), Errno::Success);
  EXPECT_EQ(fs::file_size(tmp_.path() / "f"), 4u);
  uint64_t t = uint64_t(1'000'000'000) * 1'000'000'000 + 123;  // ns precision is kept
  ASSERT_EQ(g().wasi("fd_filestat_set_times", fd, t, t, uint32_t(wasi::kFstMtim)), Errno::Success);
  ASSERT_EQ(g().wasi("fd_filestat_get", fd, st), Errno::Success);
  EXPECT_EQ(g().load<uint64_t>(st + 48), t);
  EXPECT_EQ(g().wasi("fd_filestat_set_times", fd, t, t, uint32_t(wasi::kFstMtim | wasi::kFstMtimNow)), Errno::Inval);
  ASSERT_EQ(g().wasi("fd_allocate", fd, uint64_t(0), uint64_t(100)), Errno::Success);
  EXPECT_EQ(fs::file_size(tmp_.path() / "f"), 100u);
  EXPECT_EQ(g().wasi("fd_advise", fd, uint64_t(0), uint64_t(10), 6u), Errno::Inval);
  EXPECT_EQ(g().wasi("fd_advise", fd, uint64_t(0), uint64_t(10), 1u), Errno::Success);
  EXPECT_EQ(g().wasi("fd_sync", fd), Errno::Success);
  EXPECT_EQ(g().wasi("fd_datasync", fd), Errno::Success);
}

// Reads all entries with `buf_len`-byte calls, following d_next cookies like wasi-libc.
std::vector<std::string> readAll(Probe& g, uint32_t fd, uint32_t buf_len, int* calls) {
  std::vector<std::string> names;
  uint64_t cookie = 0;
  uint32_t buf = g.alloc(buf_len), used = g.alloc(4);
  for (*calls = 0;; ++*calls) {
    EXPECT_EQ(g.wasi("fd_readdir", fd, buf, buf_len, cookie, used), Errno::Success);
    uint32_t n = g.load<uint32_t>(used), at = 0;
    while (at + 24 <= n) {
      uint32_t namlen = g.load<uint32_t>(buf + at + 16);
      if (at + 24 + namlen > n) break;  // truncated: read it again from its cookie
      names.emplace_back(reinterpret_cast<char*>(g.mem() + buf + at + 24), namlen);
      cookie = g.load<uint64_t>(buf + at);
      at += 24 + namlen;
    }
    if (n < buf_len) break;
  }
  return names;
}

TEST_F(FdCallsTest, ReaddirCookiesAndTruncation) {
  uint32_t d = 0;
  ASSERT_EQ(g().open(kBox, "d", wasi::kOflagDirectory, true, right::kDirBase, &d), Errno::Success);
  int calls = 0;
  auto names = readAll(g(), d, 64, &calls);  // 64 bytes: at most two entries per call
  std::set<std::string> got(names.begin(), names.end());
  EXPECT_EQ(names.size(), 22u);
  EXPECT_EQ(got.size(), 22u);
  EXPECT_TRUE(got.count(".") && got.count("..") && got.count("entry-19"));
  EXPECT_GE(calls, 10);  // two 24-byte records plus names fit in 64 bytes
  // Layout of the first record: d_next = 1, d_namlen, d_type.
  uint32_t buf = g().alloc(256), used = g().alloc(4);
  ASSERT_EQ(g().wasi("fd_readdir", d, buf, 256u, uint64_t(0), used), Errno::Success);
  EXPECT_EQ(g().load<uint64_t>(buf), 1u);
  uint32_t namlen = g().load<uint32_t>(buf + 16);
  std::string first(reinterpret_cast<char*>(g().mem() + buf + 24), namlen);
  uint8_t type = g().mem()[buf + 20];
  EXPECT_EQ(type, uint8_t(first.starts_with("entry") ? wasi::Filetype::RegularFile : wasi::Filetype::Directory));
  // A cookie past the end reads nothing.
  ASSERT_EQ(g().wasi("fd_readdir", d, buf, 256u, uint64_t(1000), used), Errno::Success);
  EXPECT_EQ(g().load<uint32_t>(used), 0u);
  EXPECT_EQ(g().wasi("fd_readdir", 1u, buf, 256u, uint64_t(0), used), Errno::NotCapable);  // stdout
}

TEST_F(FdCallsTest, RenumberAndClose) {
  uint32_t a = openFile("f"), b = openFile("f");
  EXPECT_EQ(g().wasi("fd_renumber", a, 77u), Errno::Badf);  // the target must be open
  ASSERT_EQ(g().wasi("fd_renumber", a, b), Errno::Success);
  EXPECT_EQ(g().wasi("fd_close", a), Errno::Badf);
  EXPECT_EQ(g().read(b, 3), "012");
  EXPECT_EQ(g().wasi("fd_close", b), Errno::Success);
  EXPECT_EQ(g().wasi("fd_close", b), Errno::Badf);
  // The lowest free number is reused.
  uint32_t c = openFile("f");
  EXPECT_EQ(c, std::min(a, b));
  // Closing a preopen is allowed (wasi-testsuite close_preopen); its fd is gone afterwards.
  EXPECT_EQ(g().wasi("fd_close", kBox), Errno::Success);
  EXPECT_EQ(g().open(kBox, "f"), Errno::Badf);
}

TEST_F(FdCallsTest, FdflagsAppend) {
  uint32_t fd = openFile("f", right::kAll, wasi::kFdflagAppend);
  EXPECT_EQ(g().write(fd, "X"), Errno::Success);
  EXPECT_EQ(readText(tmp_.path() / "f"), "0123456789X");
  ASSERT_EQ(g().wasi("fd_fdstat_set_flags", fd, 0u), Errno::Success);
  uint32_t pos = g().alloc(8);
  ASSERT_EQ(g().wasi("fd_seek", fd, uint64_t(0), 0u, pos), Errno::Success);
  EXPECT_EQ(g().write(fd, "Y"), Errno::Success);
  EXPECT_EQ(readText(tmp_.path() / "f"), "Y123456789X");
  EXPECT_EQ(g().wasi("fd_fdstat_set_flags", fd, uint32_t(wasi::kFdflagSync)), Errno::NotSup);
}

}  // namespace
}  // namespace strata::wasi_test
