// WASI calls on paths beneath a directory fd: open, create/remove directory, stat, times, link, symlink, readlink, rename, unlink.
//
// Each call resolves its path with the sandbox (wasi/sandbox.h) and then acts on (parent fd,
// final name) with an *at() syscall, so nothing outside the preopened directories is named.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "wasi/errno.h"
#include "wasi/filestat.h"
#include "wasi/host.h"

namespace strata::wasi {

namespace {

constexpr mode_t kFileMode = 0666;  // before the umask, as open(2) callers usually ask
constexpr mode_t kDirMode = 0777;

// The guest path (ptr, len) resolved beneath directory fd `e`.
WasiResult<Resolved> resolve(Call& c, FdEntry* e, uint32_t ptr, uint32_t len, bool follow) {
  std::string_view path = STRATA_WASI_TRY(c.string(ptr, len));
  return resolveBeneath(e->host.get(), path, follow);
}

Errno ok(int r) { return r == 0 ? Errno::Success : lastErrno(); }

// Rights that need a writable host fd (wasi-libc asks for these only with O_WRONLY / O_RDWR).
constexpr uint64_t kWriteRights = right::kFdWrite | right::kFdAllocate | right::kFdFilestatSetSize;
constexpr uint64_t kReadRights = right::kFdRead | right::kFdReaddir;

WasiResult<int> openFlags(uint32_t oflags, uint64_t base, uint32_t fdflags) {
  if (oflags & ~uint32_t(kOflagCreat | kOflagDirectory | kOflagExcl | kOflagTrunc)) return std::unexpected(Errno::Inval);
  if (fdflags & ~uint32_t(kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync))
    return std::unexpected(Errno::Inval);
  bool write = base & kWriteRights;
  bool read = (base & kReadRights) || !write;
  int flags = O_NOCTTY | (read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY);
  if (oflags & kOflagCreat) flags |= O_CREAT;
  if (oflags & kOflagDirectory) flags |= O_DIRECTORY;
  if (oflags & kOflagExcl) flags |= O_EXCL;
  if (oflags & kOflagTrunc) flags |= O_TRUNC;
  if (fdflags & kFdflagAppend) flags |= O_APPEND;
  if (fdflags & kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & (kFdflagRsync | kFdflagSync)) flags |= O_SYNC;
  return flags;
}

Errno pathOpen(Call& c, uint32_t dirfd, uint32_t dirflags, uint32_t path_ptr, uint32_t path_len, uint32_t oflags,
               uint64_t base, uint64_t inheriting, uint32_t fdflags, uint32_t fd_out) {
  uint64_t needed = right::kPathOpen | (oflags & kOflagCreat ? right::kPathCreateFile : 0) |
                    (oflags & kOflagTrunc ? right::kPathFilestatSetSize : 0);
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, needed));
  std::string_view path = STRATA_WASI_GET(c.string(path_ptr, path_len));
  int flags = STRATA_WASI_GET(openFlags(oflags, base, fdflags));
  if (!c.mem.fits(fd_out, 4)) return Errno::Fault;
  bool follow = dirflags & kLookupSymlinkFollow;
  UniqueFd fd = STRATA_WASI_GET(openBeneath(dir->host.get(), path, flags, kFileMode, follow));
  auto entry = STRATA_WASI_GET(describeHostFd(std::move(fd)));
  // A new descriptor holds what was asked for, within what the directory passes on and what
  // its file type can do (a guest asking for more gets the intersection, as in wasmtime).
  entry->rights_base = base & dir->rights_inheriting & baseRightsFor(entry->type);
  entry->rights_inheriting = entry->type == Filetype::Directory ? inheriting & dir->rights_inheriting : 0;
  entry->fdflags = uint16_t(fdflags);
  c.mem.put<uint32_t>(fd_out, c.ctx.fds().insert(std::move(entry)));
  return Errno::Success;
}

Errno pathCreateDirectory(Call& c, uint32_t dirfd, uint32_t path, uint32_t len) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathCreateDirectory));
  Resolved r = STRATA_WASI_GET(resolve(c, dir, path, len, false));
  return ok(::mkdirat(r.dir, r.nameForKernel().c_str(), kDirMode));
}

// stat of the final component (following a final symlink beneath the directory with `follow`).
WasiResult<struct stat> statPath(Call& c, FdEntry* dir, uint32_t flags, uint32_t path, uint32_t len) {
  bool follow = flags & kLookupSymlinkFollow;
  Resolved r = STRATA_WASI_TRY(resolve(c, dir, path, len, follow));
  struct stat st;
  if (::fstatat(r.dir, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::unexpected(lastErrno());
  if (r.must_be_dir && !S_ISDIR(st.st_mode)) return std::unexpected(Errno::NotDir);
  return st;
}

Errno pathFilestatGet(Call& c, uint32_t dirfd, uint32_t flags, uint32_t path, uint32_t len, uint32_t out) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathFilestatGet));
  struct stat st = STRATA_WASI_GET(statPath(c, dir, flags, path, len));
  return writeFilestat(c.mem, out, st);
}

Errno pathFilestatSetTimes(Call& c, uint32_t dirfd, uint32_t flags, uint32_t path, uint32_t len, uint64_t atim,
                           uint64_t mtim, uint32_t fst) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathFilestatSetTimes));
  if (fst > 0xffff) return Errno::Inval;
  auto times = STRATA_WASI_GET(timesFor(atim, mtim, uint16_t(fst)));
  Resolved r = STRATA_WASI_GET(resolve(c, dir, path, len, flags & kLookupSymlinkFollow));
  if (r.must_be_dir) {
    struct stat st;
    if (::fstatat(r.dir, r.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return lastErrno();
    if (!S_ISDIR(st.st_mode)) return Errno::NotDir;
  }
  return ok(::utimensat(r.dir, r.name.c_str(), times.data(), AT_SYMLINK_NOFOLLOW));
}

// Hard links never follow the source's final symlink here (wasmtime refuses the flag too).
Errno pathLink(Call& c, uint32_t old_fd, uint32_t old_flags, uint32_t old_path, uint32_t old_len, uint32_t new_fd,
               uint32_t new_path, uint32_t new_len) {
  FdEntry* src_dir = STRATA_WASI_GET(c.dir(old_fd, right::kPathLinkSource));
  FdEntry* dst_dir = STRATA_WASI_GET(c.dir(new_fd, right::kPathLinkTarget));
  if (old_flags & kLookupSymlinkFollow) return Errno::Inval;
  Resolved src = STRATA_WASI_GET(resolve(c, src_dir, old_path, old_len, false));
  Resolved dst = STRATA_WASI_GET(resolve(c, dst_dir, new_path, new_len, false));
  if (src.must_be_dir) {
    struct stat st;
    if (::fstatat(src.dir, src.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return lastErrno();
    return S_ISDIR(st.st_mode) ? Errno::Perm : Errno::NotDir;  // directories cannot be linked
  }
  return ok(::linkat(src.dir, src.name.c_str(), dst.dir, dst.nameForKernel().c_str(), 0));
}

Errno pathReadlink(Call& c, uint32_t dirfd, uint32_t path, uint32_t len, uint32_t buf, uint32_t buf_len,
                   uint32_t bufused) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathReadlink));
  Resolved r = STRATA_WASI_GET(resolve(c, dir, path, len, false));
  auto out = c.mem.bytes(buf, buf_len);
  if (!out || !c.mem.fits(bufused, 4)) return Errno::Fault;
  if (r.must_be_dir) return Errno::NotDir;  // "link/" names what the link points to
  std::string target(PATH_MAX, '\0');
  ssize_t n = ::readlinkat(r.dir, r.name.c_str(), target.data(), target.size());
  if (n < 0) return lastErrno();
  // A buffer too small gets the target's first buf_len bytes (witx: bufused is what was written).
  size_t copied = std::min(size_t(n), out->size());
  std::memcpy(out->data(), target.data(), copied);
  c.mem.put<uint32_t>(bufused, uint32_t(copied));
  return Errno::Success;
}

Errno pathRemoveDirectory(Call& c, uint32_t dirfd, uint32_t path, uint32_t len) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathRemoveDirectory));
  Resolved r = STRATA_WASI_GET(resolve(c, dir, path, len, false));
  return ok(::unlinkat(r.dir, r.nameForKernel().c_str(), AT_REMOVEDIR));
}

Errno pathRename(Call& c, uint32_t old_fd, uint32_t old_path, uint32_t old_len, uint32_t new_fd, uint32_t new_path,
                 uint32_t new_len) {
  FdEntry* src_dir = STRATA_WASI_GET(c.dir(old_fd, right::kPathRenameSource));
  FdEntry* dst_dir = STRATA_WASI_GET(c.dir(new_fd, right::kPathRenameTarget));
  Resolved src = STRATA_WASI_GET(resolve(c, src_dir, old_path, old_len, false));
  Resolved dst = STRATA_WASI_GET(resolve(c, dst_dir, new_path, new_len, false));
  return ok(::renameat(src.dir, src.nameForKernel().c_str(), dst.dir, dst.nameForKernel().c_str()));
}

// The link's contents are only checked, never resolved here: absolute targets are refused
// (they could only point outside); relative ones are resolved beneath the preopen when used.
Errno pathSymlink(Call& c, uint32_t target_ptr, uint32_t target_len, uint32_t dirfd, uint32_t path, uint32_t len) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathSymlink));
  std::string_view target = STRATA_WASI_GET(c.string(target_ptr, target_len));
  if (Errno e = checkGuestPath(target); e != Errno::Success) return e;
  Resolved r = STRATA_WASI_GET(resolve(c, dir, path, len, false));
  return ok(::symlinkat(std::string(target).c_str(), r.dir, r.nameForKernel().c_str()));
}

Errno pathUnlinkFile(Call& c, uint32_t dirfd, uint32_t path, uint32_t len) {
  FdEntry* dir = STRATA_WASI_GET(c.dir(dirfd, right::kPathUnlinkFile));
  Resolved r = STRATA_WASI_GET(resolve(c, dir, path, len, false));
  return ok(::unlinkat(r.dir, r.nameForKernel().c_str(), 0));
}

}  // namespace

Result<void> definePathCalls(Linker& l, const std::shared_ptr<WasiCtx>& ctx) {
  STRATA_CHECK(defineCall(l, ctx, "path_open", pathOpen));
  STRATA_CHECK(defineCall(l, ctx, "path_create_directory", pathCreateDirectory));
  STRATA_CHECK(defineCall(l, ctx, "path_filestat_get", pathFilestatGet));
  STRATA_CHECK(defineCall(l, ctx, "path_filestat_set_times", pathFilestatSetTimes));
  STRATA_CHECK(defineCall(l, ctx, "path_link", pathLink));
  STRATA_CHECK(defineCall(l, ctx, "path_readlink", pathReadlink));
  STRATA_CHECK(defineCall(l, ctx, "path_remove_directory", pathRemoveDirectory));
  STRATA_CHECK(defineCall(l, ctx, "path_rename", pathRename));
  STRATA_CHECK(defineCall(l, ctx, "path_symlink", pathSymlink));
  return defineCall(l, ctx, "path_unlink_file", pathUnlinkFile);
}

}  // namespace strata::wasi
