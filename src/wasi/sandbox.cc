// Sandboxed path resolution: openat2(RESOLVE_BENEATH) where the kernel has it, a held-fd walk otherwise.
#include "wasi/sandbox.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <optional>
#include <vector>

#include "support/byte_reader.h"
#include "wasi/errno.h"

namespace strata::wasi {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

namespace {

// POSIX's SYMLOOP_MAX on Linux (the kernel's own limit is 40 too).
constexpr int kMaxSymlinks = 40;

std::atomic<ResolveMode> g_mode{ResolveMode::Auto};
// 0: not probed yet, 1: openat2 works, -1: the kernel lacks it (ENOSYS) or a filter forbids it.
std::atomic<int> g_openat2{0};

// Components of a relative path pushed so that the first one is at the back.
void pushComponents(std::vector<std::string>& pending, std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_back(std::move(*it));
}

WasiResult<std::string> readLinkOf(int link_fd) {
  std::string buf(256, '\0');
  for (;;) {
    // readlinkat(fd, "") reads the link an O_PATH | O_NOFOLLOW fd refers to (Linux >= 2.6.39).
    ssize_t n = ::readlinkat(link_fd, "", buf.data(), buf.size());
    if (n < 0) return std::unexpected(lastErrno());
    if (size_t(n) < buf.size()) {
      buf.resize(size_t(n));
      return buf;
    }
    if (buf.size() >= 65536) return std::unexpected(Errno::NameTooLong);
    buf.resize(buf.size() * 2);
  }
}

struct Walked {
  UniqueFd owned;
  int parent = -1;
  std::string name = ".";
  bool must_be_dir = false;
};

// The component-by-component resolver (see sandbox.h). Stops at the final component without
// opening it, unless it must be inspected (follow, or a trailing slash) to expand a symlink.
WasiResult<Walked> walk(int root, std::string_view path, bool follow) {
  std::vector<UniqueFd> stack;  // directories entered below root; `..` pops
  auto cur = [&] { return stack.empty() ? root : stack.back().get(); };
  std::vector<std::string> pending;
  pushComponents(pending, path);
  bool trailing = path.ends_with('/');
  int links = 0;
  Walked out;
  while (!pending.empty()) {
    std::string comp = std::move(pending.back());
    pending.pop_back();
    bool last = pending.empty();
    if (comp == ".") continue;
    if (comp == "..") {
      if (stack.empty()) return std::unexpected(Errno::NotCapable);  // above the preopen
      stack.pop_back();
      continue;
    }
    if (last && !follow && !trailing) {
      out.name = std::move(comp);
      break;
    }
    UniqueFd fd(::openat(cur(), comp.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
      if (last && errno == ENOENT) {  // a name to create
        out.name = std::move(comp);
        break;
      }
      return std::unexpected(lastErrno());
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return std::unexpected(lastErrno());
    if (S_ISLNK(st.st_mode)) {
      if (++links > kMaxSymlinks) return std::unexpected(Errno::Loop);
      std::string target = STRATA_WASI_TRY(readLinkOf(fd.get()));
      if (target.empty()) return std::unexpected(Errno::NoEnt);
      if (target[0] == '/') return std::unexpected(Errno::NotCapable);  // absolute: outside
      if (last && target.ends_with('/')) trailing = true;
      pushComponents(pending, target);
      continue;
    }
    if (last) {
      out.name = std::move(comp);
      break;
    }
    if (!S_ISDIR(st.st_mode)) return std::unexpected(Errno::NotDir);
    stack.push_back(std::move(fd));
  }
  out.must_be_dir = trailing && out.name != ".";
  if (stack.empty()) {
    out.parent = root;
  } else {
    out.owned = std::move(stack.back());
    out.parent = out.owned.get();
  }
  return out;
}

WasiResult<UniqueFd> openByWalk(int dir, std::string_view path, int flags, mode_t mode, bool follow) {
  Walked w = STRATA_WASI_TRY(walk(dir, path, follow));
  // The final component was checked not to be a symlink when following; O_NOFOLLOW turns a
  // symlink swapped in since then (or any symlink when not following) into ELOOP.
  int f = flags | O_CLOEXEC | O_NOFOLLOW | (w.must_be_dir ? O_DIRECTORY : 0);
  int fd = ::openat(w.parent, w.name.c_str(), f, mode);
  if (fd < 0) return std::unexpected(lastErrno());
  return UniqueFd(fd);
}

bool useOpenat2() {
  ResolveMode m = g_mode.load();
  if (m == ResolveMode::Walk) return false;
  return g_openat2.load() >= 0;
}

// Result of one openat2 attempt: the fd, an errno, or "the kernel cannot do it" (nullopt).
std::optional<WasiResult<UniqueFd>> openByOpenat2(int dir, std::string_view path, int flags, mode_t mode,
                                                  bool follow) {
  std::string p(path);
  struct open_how how {};
  how.flags = uint64_t(flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  // EAGAIN: a concurrent rename made the kernel unsure `..` stayed beneath; try again.
  for (int attempt = 0; attempt < 16; ++attempt) {
    long fd = ::syscall(SYS_openat2, dir, p.c_str(), &how, sizeof how);
    if (fd >= 0) {
      g_openat2.store(1);
      return WasiResult<UniqueFd>(UniqueFd(int(fd)));
    }
    if (errno == EAGAIN) continue;
    if (errno == ENOSYS || (errno == EPERM && g_openat2.load() == 0)) {
      g_openat2.store(-1);  // no openat2 (or a seccomp filter refuses it): walk from now on
      return std::nullopt;
    }
    // EXDEV: the path (`..`, an absolute symlink, a relative one with enough `..`) leaves `dir`.
    if (errno == EXDEV) return WasiResult<UniqueFd>(std::unexpected(Errno::NotCapable));
    return WasiResult<UniqueFd>(std::unexpected(lastErrno()));
  }
  return std::nullopt;
}

}  // namespace

void setResolveMode(ResolveMode mode) { g_mode.store(mode); }

bool kernelHasOpenat2() {
  if (g_openat2.load() == 0) {
    struct open_how how {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH;
    long fd = ::syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
    if (fd >= 0) ::close(int(fd));
    g_openat2.store(fd >= 0 ? 1 : -1);
  }
  return g_openat2.load() > 0;
}

Errno checkGuestPath(std::string_view path) {
  if (path.empty()) return Errno::NoEnt;
  if (path.find('\0') != std::string_view::npos) return Errno::Inval;
  if (!isValidUtf8(path)) return Errno::Ilseq;
  if (path[0] == '/') return Errno::NotCapable;
  return Errno::Success;
}

WasiResult<UniqueFd> openBeneath(int dir, std::string_view path, int flags, mode_t mode, bool follow) {
  if (Errno e = checkGuestPath(path); e != Errno::Success) return std::unexpected(e);
  if (useOpenat2()) {
    if (auto r = openByOpenat2(dir, path, flags, mode, follow)) return std::move(*r);
  }
  return openByWalk(dir, path, flags, mode, follow);
}

WasiResult<Resolved> resolveBeneath(int dir, std::string_view path, bool follow) {
  if (Errno e = checkGuestPath(path); e != Errno::Success) return std::unexpected(e);
  Resolved r;
  if (follow) {
    // Following a final symlink needs its target's parent: only the walk yields it.
    Walked w = STRATA_WASI_TRY(walk(dir, path, true));
    r.owned = std::move(w.owned);
    r.dir = r.owned.valid() ? r.owned.get() : dir;
    r.name = std::move(w.name);
    r.must_be_dir = w.must_be_dir;
    return r;
  }
  std::string_view s = path;
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  r.must_be_dir = s.size() < path.size();
  size_t slash = s.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? std::string_view() : s.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? s : s.substr(slash + 1);
  if (name == "." || name == "..") {
    // Resolve the whole path as a directory: `..` must never reach a syscall as a final name.
    r.owned = STRATA_WASI_TRY(openBeneath(dir, s, O_PATH | O_DIRECTORY, 0, true));
    r.dir = r.owned.get();
    r.name = ".";
    r.must_be_dir = false;
    return r;
  }
  if (parent.empty()) {
    r.dir = dir;
  } else {
    r.owned = STRATA_WASI_TRY(openBeneath(dir, parent, O_PATH | O_DIRECTORY, 0, true));
    r.dir = r.owned.get();
  }
  r.name = std::string(name);
  return r;
}

}  // namespace strata::wasi
