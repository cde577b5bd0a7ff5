// Tests of the path_* calls (src/wasi/calls_path.cc) through a guest, above all sandbox escapes:
// every attempt to leave the preopen fails with the right errno, and afterwards nothing outside
// it has been read, written or created (checked on the host file system).
#include <map>

#include "wasi_test_util.h"

namespace strata::wasi_test {
namespace {

using wasi::ResolveMode;
namespace right = wasi::right;

constexpr uint32_t kBox = 3;  // the preopen's fd
constexpr uint32_t kCreat = wasi::kOflagCreat, kDirectory = wasi::kOflagDirectory, kExcl = wasi::kOflagExcl;

// Every file below `root` with its contents (directories as "<dir>", links as "-> target").
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(root)) {
    std::string rel = fs::relative(e.path(), root).string();
    if (e.is_symlink()) {
      out[rel] = "-> " + fs::read_symlink(e.path()).string();
    } else if (e.is_directory()) {
      out[rel] = "<dir>";
    } else {
      out[rel] = readText(e.path());
    }
  }
  return out;
}

class PathCallsTest : public ::testing::TestWithParam<ResolveMode> {
 protected:
  void SetUp() override {
    if (GetParam() == ResolveMode::Openat2 && !wasi::kernelHasOpenat2()) GTEST_SKIP() << "kernel without openat2";
    wasi::setResolveMode(GetParam());
    fs::create_directories(box() / "sub");
    fs::create_directories(outside() / "dir");
    writeText(box() / "file", "inside");
    writeText(outside() / "secret", "secret");
    fs::create_symlink("../outside/secret", box() / "link_out");  // pre-existing escape link
    fs::create_directory_symlink(outside(), box() / "abs_link");
    before_ = snapshot(outside());
    probe_ = std::make_unique<Probe>(wasi::WasiConfig{.preopens = {{box().string(), "/"}}});
  }
  void TearDown() override {
    if (probe_) {
      EXPECT_EQ(snapshot(outside()), before_) << "something outside the preopen changed";
    }
    wasi::setResolveMode(ResolveMode::Auto);
  }
  fs::path box() const { return tmp_.path() / "box"; }
  fs::path outside() const { return tmp_.path() / "outside"; }
  Probe& g() { return *probe_; }
  Errno symlink(std::string_view target, std::string_view path) {
    uint32_t t = g().str(target), p = g().str(path);
    return g().wasi("path_symlink", t, uint32_t(target.size()), kBox, p, uint32_t(path.size()));
  }
  Errno link(std::string_view from, std::string_view to) {
    uint32_t f = g().str(from), t = g().str(to);
    return g().wasi("path_link", kBox, 0u, f, uint32_t(from.size()), kBox, t, uint32_t(to.size()));
  }
  Errno rename(std::string_view from, std::string_view to) {
    uint32_t f = g().str(from), t = g().str(to);
    return g().wasi("path_rename", kBox, f, uint32_t(from.size()), kBox, t, uint32_t(to.size()));
  }
  Errno stat(std::string_view path, bool follow) {
    uint32_t p = g().str(path), out = g().alloc(64);
    return g().wasi("path_filestat_get", kBox, uint32_t(follow), p, uint32_t(path.size()), out);
  }

  TempDir tmp_;
  std::map<std::string, std::string> before_;
  std::unique_ptr<Probe> probe_;
};

TEST_P(PathCallsTest, OpenEscapesFail) {
  EXPECT_EQ(g().open(kBox, "../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "/etc/passwd"), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, (outside() / "secret").string()), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "sub/../../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "link_out"), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "abs_link/secret"), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "abs_link/new", kCreat), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "../new", kCreat), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "..", kDirectory), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "link_out", 0, /*follow=*/false), Errno::Loop);
}

TEST_P(PathCallsTest, GuestCreatedSymlinksCannotLeadOut) {
  EXPECT_EQ(symlink("/etc", "abs"), Errno::NotCapable);  // absolute targets are refused outright
  EXPECT_FALSE(fs::is_symlink(box() / "abs"));
  // A relative link pointing out may exist, but nothing resolves through it.
  ASSERT_EQ(symlink("../outside", "up"), Errno::Success);
  EXPECT_EQ(g().open(kBox, "up/secret"), Errno::NotCapable);
  EXPECT_EQ(g().open(kBox, "up/made", kCreat), Errno::NotCapable);
  EXPECT_EQ(g().onPath("path_create_directory", kBox, "up/made"), Errno::NotCapable);
  EXPECT_EQ(stat("up", true), Errno::NotCapable);
  EXPECT_EQ(stat("up/secret", false), Errno::NotCapable);
  // Swapping an inside link for an outside one between uses: the next use fails.
  ASSERT_EQ(symlink("sub", "s"), Errno::Success);
  uint32_t fd = 0;
  ASSERT_EQ(g().open(kBox, "s/made", kCreat, true, right::kAll, &fd), Errno::Success);
  EXPECT_TRUE(fs::exists(box() / "sub" / "made"));
  ASSERT_EQ(g().onPath("path_unlink_file", kBox, "s"), Errno::Success);
  ASSERT_EQ(symlink("../outside/dir", "s"), Errno::Success);
  EXPECT_EQ(g().open(kBox, "s/made", kCreat), Errno::NotCapable);
}

TEST_P(PathCallsTest, HardLinksAndRenamesCannotLeave) {
  EXPECT_EQ(link("file", "../outside/hard"), Errno::NotCapable);
  EXPECT_EQ(link("../outside/secret", "stolen"), Errno::NotCapable);
  EXPECT_EQ(link("abs_link/secret", "stolen"), Errno::NotCapable);
  EXPECT_FALSE(fs::exists(box() / "stolen"));
  EXPECT_EQ(rename("file", "../outside/moved"), Errno::NotCapable);
  EXPECT_EQ(rename("../outside/secret", "stolen"), Errno::NotCapable);
  EXPECT_EQ(rename("abs_link/secret", "stolen"), Errno::NotCapable);
  EXPECT_EQ(rename("sub", "abs_link/sub"), Errno::NotCapable);
  EXPECT_TRUE(fs::exists(box() / "file"));
  // Linking the escape link itself copies the link, which still leads nowhere usable.
  ASSERT_EQ(link("link_out", "link_copy"), Errno::Success);
  EXPECT_EQ(g().open(kBox, "link_copy"), Errno::NotCapable);
}

TEST_P(PathCallsTest, RemovalsAndMetadataOutsideFail) {
  EXPECT_EQ(g().onPath("path_unlink_file", kBox, "../outside/secret"), Errno::NotCapable);
  EXPECT_EQ(g().onPath("path_unlink_file", kBox, "abs_link/secret"), Errno::NotCapable);
  EXPECT_EQ(g().onPath("path_remove_directory", kBox, "../outside/dir"), Errno::NotCapable);
  EXPECT_EQ(g().onPath("path_remove_directory", kBox, ".."), Errno::NotCapable);
  EXPECT_EQ(g().onPath("path_create_directory", kBox, "../outside/new"), Errno::NotCapable);
  EXPECT_EQ(stat("../outside/secret", false), Errno::NotCapable);
  EXPECT_EQ(stat("link_out", true), Errno::NotCapable);
  uint32_t p = g().str("link_out");
  EXPECT_EQ(g().wasi("path_filestat_set_times", kBox, 1u, p, 8u, uint64_t(0), uint64_t(0), uint32_t(wasi::kFstAtimNow | wasi::kFstMtimNow)),
            Errno::NotCapable);  // following the link out
  // Reading the link's own text is fine: it is inside the preopen.
  uint32_t buf = g().alloc(64), used = g().alloc(4);
  EXPECT_EQ(g().wasi("path_readlink", kBox, p, 8u, buf, 64u, used), Errno::Success);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(g().mem() + buf), g().load<uint32_t>(used)), "../outside/secret");
}

TEST_P(PathCallsTest, OrdinaryOperationsInside) {
  uint32_t fd = 0;
  ASSERT_EQ(g().open(kBox, "sub/new", kCreat, true, right::kAll, &fd), Errno::Success);
  EXPECT_EQ(g().write(fd, "hello"), Errno::Success);
  EXPECT_EQ(g().wasi("fd_close", fd), Errno::Success);
  EXPECT_EQ(readText(box() / "sub" / "new"), "hello");
  EXPECT_EQ(g().open(kBox, "sub/new", kCreat | kExcl), Errno::Exist);
  EXPECT_EQ(rename("sub/new", "renamed"), Errno::Success);
  EXPECT_EQ(link("renamed", "sub/hard"), Errno::Success);
  EXPECT_EQ(fs::hard_link_count(box() / "renamed"), 2u);
  EXPECT_EQ(g().onPath("path_create_directory", kBox, "d"), Errno::Success);
  EXPECT_EQ(g().onPath("path_remove_directory", kBox, "sub"), Errno::NotEmpty);
  EXPECT_EQ(g().onPath("path_unlink_file", kBox, "d"), Errno::IsDir);
  EXPECT_EQ(g().onPath("path_unlink_file", kBox, "renamed/"), Errno::NotDir);
  EXPECT_EQ(g().onPath("path_remove_directory", kBox, "d/"), Errno::Success);
  EXPECT_EQ(g().open(kBox, "missing"), Errno::NoEnt);
  EXPECT_EQ(g().open(kBox, "renamed", kDirectory), Errno::NotDir);
  EXPECT_EQ(g().open(fd, "x"), Errno::Badf);  // closed above
}

TEST_P(PathCallsTest, RightsOfOpenedFiles) {
  uint32_t fd = 0;
  ASSERT_EQ(g().open(kBox, "file", 0, true, right::kFdRead, &fd), Errno::Success);
  Errno e;
  EXPECT_EQ(g().read(fd, 16, &e), "inside");
  EXPECT_EQ(g().write(fd, "x"), Errno::NotCapable);
  // A directory's rights bound what is opened through it.
  uint32_t sub = 0;
  ASSERT_EQ(g().open(kBox, "sub", kDirectory, true, right::kPathOpen, &sub), Errno::Success);
  EXPECT_EQ(g().open(sub, "x", kCreat), Errno::NotCapable);  // no path_create_file right
  EXPECT_EQ(g().open(kBox, "sub", kDirectory, true, right::kFdRead | right::kFdWrite), Errno::IsDir);
  // A path_* call on a file descriptor is ENOTDIR.
  EXPECT_EQ(g().open(fd, "x"), Errno::NotDir);
}

INSTANTIATE_TEST_SUITE_P(Modes, PathCallsTest, ::testing::Values(ResolveMode::Openat2, ResolveMode::Walk),
                         [](const auto& info) { return info.param == ResolveMode::Walk ? "Walk" : "Openat2"; });

}  // namespace
}  // namespace strata::wasi_test
