// Tests of the path sandbox (src/wasi/sandbox.cc), run with openat2 and with the fd walk.
#include "wasi/sandbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_test_util.h"

namespace strata::wasi_test {
namespace {

using wasi::ResolveMode;

// box/ is the "preopen"; outside/ is next to it and must stay unreachable.
//   box/file, box/sub/inner, box/link_in -> sub, box/link_out -> ../outside/secret,
//   box/abs_link -> <abs>/outside, box/loop -> loop, box/deep -> sub/../../outside
class SandboxTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolveMode::Openat2 && !wasi::kernelHasOpenat2()) GTEST_SKIP() << "kernel without openat2";
    wasi::setResolveMode(GetParam());
    fs::create_directories(box() / "sub");
    fs::create_directories(outside());
    writeText(box() / "file", "in");
    writeText(box() / "sub" / "inner", "inner");
    writeText(outside() / "secret", "secret");
    fs::create_directory_symlink("sub", box() / "link_in");
    fs::create_symlink("../outside/secret", box() / "link_out");
    fs::create_directory_symlink(outside(), box() / "abs_link");
    fs::create_symlink("loop", box() / "loop");
    fs::create_symlink("sub/../../outside", box() / "deep");
    dir_ = ::open(box().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  void TearDown() override {
    if (dir_ >= 0) ::close(dir_);
    wasi::setResolveMode(ResolveMode::Auto);
  }
  fs::path box() const { return tmp_.path() / "box"; }
  fs::path outside() const { return tmp_.path() / "outside"; }

  Errno openErr(std::string_view path, bool follow = true, int flags = O_RDONLY) {
    auto r = wasi::openBeneath(dir_, path, flags, 0644, follow);
    return r ? Errno::Success : r.error();
  }
  std::string readVia(std::string_view path) {
    auto r = wasi::openBeneath(dir_, path, O_RDONLY, 0, true);
    if (!r) return "<" + std::string(wasi::errnoName(r.error())) + ">";
    char buf[64];
    ssize_t n = ::read(r->get(), buf, sizeof buf);
    return std::string(buf, n > 0 ? size_t(n) : 0);
  }

  TempDir tmp_;
  int dir_ = -1;
};

TEST_P(SandboxTest, PathsInsideResolve) {
  EXPECT_EQ(readVia("file"), "in");
  EXPECT_EQ(readVia("sub/inner"), "inner");
  EXPECT_EQ(readVia("sub/../file"), "in");
  EXPECT_EQ(readVia("./sub/./inner"), "inner");
  EXPECT_EQ(readVia("link_in/inner"), "inner");
  EXPECT_EQ(readVia("link_in/../file"), "in");  // `..` after a symlink: the link's parent
  EXPECT_EQ(readVia("sub//inner"), "inner");
}

TEST_P(SandboxTest, DotDotAboveTheDirectoryIsNotCapable) {
  EXPECT_EQ(openErr(".."), Errno::NotCapable);
  EXPECT_EQ(openErr("../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(openErr("sub/../../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(openErr("sub/../.."), Errno::NotCapable);
}

TEST_P(SandboxTest, AbsolutePathsAreNotCapable) {
  EXPECT_EQ(openErr("/etc/passwd"), Errno::NotCapable);
  EXPECT_EQ(openErr(outside().string() + "/secret"), Errno::NotCapable);
}

TEST_P(SandboxTest, SymlinksLeadingOutAreNotCapable) {
  EXPECT_EQ(openErr("link_out"), Errno::NotCapable);
  EXPECT_EQ(openErr("abs_link/secret"), Errno::NotCapable);
  EXPECT_EQ(openErr("abs_link"), Errno::NotCapable);
  EXPECT_EQ(openErr("deep/secret"), Errno::NotCapable);
  EXPECT_EQ(openErr("sub/../link_out"), Errno::NotCapable);
  // Creating through a link that points out must not create anything outside.
  EXPECT_EQ(openErr("abs_link/created", true, O_WRONLY | O_CREAT), Errno::NotCapable);
  EXPECT_EQ(openErr("deep/created", true, O_WRONLY | O_CREAT), Errno::NotCapable);
  EXPECT_FALSE(fs::exists(outside() / "created"));
}

TEST_P(SandboxTest, FinalSymlinkWithoutFollowIsLoop) {
  Errno dir_link = openErr("link_in", false, O_RDONLY | O_DIRECTORY);
  EXPECT_TRUE(dir_link == Errno::Loop || dir_link == Errno::NotDir) << wasi::errnoName(dir_link);
  EXPECT_EQ(openErr("link_out", false), Errno::Loop);  // refused before its target matters
  EXPECT_EQ(openErr("loop"), Errno::Loop);
}

TEST_P(SandboxTest, ErrorsOfThePathItself) {
  EXPECT_EQ(openErr(""), Errno::NoEnt);
  EXPECT_EQ(openErr("missing"), Errno::NoEnt);
  EXPECT_EQ(openErr("file/"), Errno::NotDir);
  EXPECT_EQ(openErr("file/x"), Errno::NotDir);
  EXPECT_EQ(openErr(std::string_view("fi\0le", 5)), Errno::Inval);
  EXPECT_EQ(openErr("\xff\xfe"), Errno::Ilseq);
}

TEST_P(SandboxTest, ResolveSplitsParentAndName) {
  auto r = wasi::resolveBeneath(dir_, "sub/inner", false);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->name, "inner");
  struct stat st;
  EXPECT_EQ(::fstatat(r->dir, r->name.c_str(), &st, AT_SYMLINK_NOFOLLOW), 0);

  auto slash = wasi::resolveBeneath(dir_, "sub//", false);
  ASSERT_TRUE(slash.has_value());
  EXPECT_EQ(slash->name, "sub");
  EXPECT_TRUE(slash->must_be_dir);
  EXPECT_EQ(slash->nameForKernel(), "sub/");

  // A final `..` never reaches a syscall: the whole path is resolved and named ".".
  auto up = wasi::resolveBeneath(dir_, "sub/..", false);
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->name, ".");
  EXPECT_EQ(wasi::resolveBeneath(dir_, "..", false).error(), Errno::NotCapable);
  EXPECT_EQ(wasi::resolveBeneath(dir_, "sub/../..", false).error(), Errno::NotCapable);
}

TEST_P(SandboxTest, ResolveFollowingAFinalSymlinkStaysInside) {
  auto in = wasi::resolveBeneath(dir_, "link_in", true);
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->name, "sub");
  EXPECT_EQ(wasi::resolveBeneath(dir_, "link_out", true).error(), Errno::NotCapable);
  EXPECT_EQ(wasi::resolveBeneath(dir_, "abs_link", true).error(), Errno::NotCapable);
  EXPECT_EQ(wasi::resolveBeneath(dir_, "loop", true).error(), Errno::Loop);
  // Without following, the link itself is named (the *at() call does not follow it).
  auto self = wasi::resolveBeneath(dir_, "link_out", false);
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(self->name, "link_out");
}

TEST(SandboxPathCheck, GuestPaths) {
  EXPECT_EQ(wasi::checkGuestPath("a/b"), Errno::Success);
  EXPECT_EQ(wasi::checkGuestPath(""), Errno::NoEnt);
  EXPECT_EQ(wasi::checkGuestPath("/a"), Errno::NotCapable);
  EXPECT_EQ(wasi::checkGuestPath(std::string_view("a\0", 2)), Errno::Inval);
  EXPECT_EQ(wasi::checkGuestPath("\xc0\x80"), Errno::Ilseq);  // overlong NUL
}

INSTANTIATE_TEST_SUITE_P(Modes, SandboxTest, ::testing::Values(ResolveMode::Openat2, ResolveMode::Walk),
                         [](const auto& info) { return info.param == ResolveMode::Walk ? "Walk" : "Openat2"; });

}  // namespace
}  // namespace strata::wasi_test
