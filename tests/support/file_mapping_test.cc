// support::FileMapping: a whole file mapped read-only, alive as long as its last reference.
#include "support/file_mapping.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace strata::support {
namespace {

namespace fs = std::filesystem;

// A file in a fresh directory, removed with it.
struct TempFile {
  fs::path dir = fs::temp_directory_path() / ("strata-fm-" + std::to_string(::getpid()));
  fs::path path = dir / "f.bin";
  explicit TempFile(const std::string& content) {
    fs::create_directories(dir);
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() { fs::remove_all(dir); }
};

TEST(FileMapping, MapsTheWholeFile) {
  std::string content(3 * 4096 + 17, '\0');
  for (size_t i = 0; i < content.size(); ++i) content[i] = char(i * 7);
  TempFile f(content);
  auto m = FileMapping::open(f.path.string());
  ASSERT_TRUE(m) << m.error().message;
  auto bytes = (*m)->bytes();
  ASSERT_EQ(bytes.size(), content.size());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), content);
  // The mapping outlives the file's name: a module reading its bytes in place keeps working.
  fs::remove(f.path);
  EXPECT_EQ(bytes[bytes.size() - 1], uint8_t(content.back()));
}

TEST(FileMapping, EmptyFileIsAnEmptyMapping) {
  TempFile f("");
  auto m = FileMapping::open(f.path.string());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE((*m)->bytes().empty());
}

TEST(FileMapping, KeepsTheDescriptorWhenAsked) {
  TempFile f("abc");
  int fd = -1;
  auto m = FileMapping::open(f.path.string(), &fd);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_GE(fd, 0);
  char c = 0;
  EXPECT_EQ(::pread(fd, &c, 1, 1), 1);
  EXPECT_EQ(c, 'b');
  ::close(fd);
}

// A pipe cannot be mapped: it is read to its end instead (strata run /dev/stdin).
TEST(FileMapping, APipeIsRead) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string content(40000, 'p');
  content[12345] = 'q';
  ASSERT_EQ(::write(fds[1], content.data(), content.size()), ssize_t(content.size()));
  ::close(fds[1]);
  int fd = 7;
  auto m = FileMapping::open("/proc/self/fd/" + std::to_string(fds[0]), &fd);
  ::close(fds[0]);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(fd, -1) << "no descriptor to map code from";
  auto bytes = (*m)->bytes();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), content);
}

TEST(FileMapping, MissingFileAndDirectoryAreIoErrors) {
  TempFile f("x");
  std::string missing = (f.dir / "no-such-file").string();
  auto m = FileMapping::open(missing);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, ErrorKind::Io);
  EXPECT_EQ(m.error().message, missing + ": cannot open file (No such file or directory)");
  auto d = FileMapping::open(f.dir.string());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, ErrorKind::Io);
  EXPECT_EQ(d.error().message, f.dir.string() + ": cannot open file (Is a directory)");
}

}  // namespace
}  // namespace strata::support
