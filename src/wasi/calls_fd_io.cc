// WASI calls that move data through descriptors: read, write, pread, pwrite, seek, tell, readdir.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "wasi/errno.h"
#include "wasi/host.h"

namespace strata::wasi {

// The guest's iovec array (buf u32, buf_len u32 each) as host iovecs into its memory. At most
// IOV_MAX of them and UINT32_MAX bytes in total are used (the count returned is a u32; a short
// read or write is allowed).
WasiResult<std::vector<iovec>> guestIovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count) {
  if (!mem.fits(iovs, uint64_t(count) * layout::kIovecSize)) return std::unexpected(Errno::Fault);
  std::vector<iovec> out;
  out.reserve(std::min<uint32_t>(count, IOV_MAX));
  uint64_t total = 0;
  for (uint32_t i = 0; i < count && out.size() < IOV_MAX; ++i) {
    uint32_t buf = mem.get<uint32_t>(iovs + i * layout::kIovecSize);
    uint32_t len = mem.get<uint32_t>(iovs + i * layout::kIovecSize + 4);
    auto bytes = mem.bytes(buf, len);
    if (!bytes) return std::unexpected(Errno::Fault);
    len = uint32_t(std::min<uint64_t>(len, UINT32_MAX - total));
    out.push_back(iovec{bytes->data(), len});
    total += len;
  }
  return out;
}

namespace {

// Runs a read/write-like syscall, retrying on EINTR, and stores the byte count at `count_ptr`.
template <class F>
Errno transfer(Call& c, uint32_t count_ptr, F&& op) {
  if (!c.mem.fits(count_ptr, 4)) return Errno::Fault;
  ssize_t n;
  do n = op();
  while (n < 0 && errno == EINTR);
  if (n < 0) return lastErrno();
  c.mem.put<uint32_t>(count_ptr, uint32_t(n));
  return Errno::Success;
}

Errno fdRead(Call& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nread) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdRead));
  auto v = STRATA_WASI_GET(guestIovecs(c.mem, iovs, n));
  return transfer(c, nread, [&] { return ::readv(e->host.get(), v.data(), int(v.size())); });
}

Errno fdWrite(Call& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t nwritten) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdWrite));
  auto v = STRATA_WASI_GET(guestIovecs(c.mem, iovs, n));
  return transfer(c, nwritten, [&] { return ::writev(e->host.get(), v.data(), int(v.size())); });
}

Errno fdPread(Call& c, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset, uint32_t nread) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdRead));
  if (offset > uint64_t(INT64_MAX)) return Errno::Inval;
  auto v = STRATA_WASI_GET(guestIovecs(c.mem, iovs, n));
  return transfer(c, nread, [&] { return ::preadv(e->host.get(), v.data(), int(v.size()), off_t(offset)); });
}

Errno fdPwrite(Call& c, uint32_t fd, uint32_t iovs, uint32_t n, uint64_t offset, uint32_t nwritten) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdWrite));
  if (offset > uint64_t(INT64_MAX)) return Errno::Inval;
  auto v = STRATA_WASI_GET(guestIovecs(c.mem, iovs, n));
  return transfer(c, nwritten, [&] { return ::pwritev(e->host.get(), v.data(), int(v.size()), off_t(offset)); });
}

// Reading the position needs fd_tell; moving it, fd_seek.
Errno fdSeek(Call& c, uint32_t fd, uint64_t offset, uint32_t whence, uint32_t new_offset) {
  bool tell_only = offset == 0 && whence == kWhenceCur;
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, tell_only ? right::kFdTell : right::kFdSeek));
  static constexpr int kWhence[] = {SEEK_SET, SEEK_CUR, SEEK_END};
  if (whence > kWhenceEnd) return Errno::Inval;
  if (!c.mem.fits(new_offset, 8)) return Errno::Fault;
  off_t r = ::lseek(e->host.get(), off_t(int64_t(offset)), kWhence[whence]);
  if (r < 0) return lastErrno();
  c.mem.put<uint64_t>(new_offset, uint64_t(r));
  return Errno::Success;
}

Errno fdTell(Call& c, uint32_t fd, uint32_t offset_ptr) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdTell));
  if (!c.mem.fits(offset_ptr, 8)) return Errno::Fault;
  off_t r = ::lseek(e->host.get(), 0, SEEK_CUR);
  if (r < 0) return lastErrno();
  c.mem.put<uint64_t>(offset_ptr, uint64_t(r));
  return Errno::Success;
}

Filetype filetypeOfDirent(int dir_fd, const struct dirent* d) {
  switch (d->d_type) {
    case DT_REG: return Filetype::RegularFile;
    case DT_DIR: return Filetype::Directory;
    case DT_LNK: return Filetype::SymbolicLink;
    case DT_CHR: return Filetype::CharacterDevice;
    case DT_BLK: return Filetype::BlockDevice;
    case DT_SOCK: return Filetype::SocketStream;
    case DT_UNKNOWN: {  // some file systems do not fill d_type
      struct stat st;
      if (::fstatat(dir_fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) return filetypeOfMode(st.st_mode);
      return Filetype::Unknown;
    }
    default: return Filetype::Unknown;
  }
}

// Lists the directory from its start through a fresh descriptor (the guest's keeps no offset).
Errno snapshotDir(FdEntry& e) {
  int fd = ::openat(e.host.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return lastErrno();
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    Errno err = lastErrno();
    ::close(fd);
    return err;
  }
  e.dir_snapshot.clear();
  errno = 0;
  while (const struct dirent* d = ::readdir(dir)) {
    e.dir_snapshot.push_back(DirEntry{uint64_t(d->d_ino), filetypeOfDirent(fd, d), d->d_name});
  }
  Errno err = errno ? lastErrno() : Errno::Success;
  ::closedir(dir);
  e.has_snapshot = err == Errno::Success;
  return err;
}

// witx fd_readdir: dirents (d_next u64, d_ino u64, d_namlen u32, d_type u8; 24 bytes) each
// followed by its name, packed; the cookie of an entry is its index + 1. The buffer is filled
// completely when more entries remain, the last one truncated: a guest seeing bufused ==
// buf_len reads on from the last whole entry's d_next.
Errno fdReaddir(Call& c, uint32_t fd, uint32_t buf, uint32_t buf_len, uint64_t cookie, uint32_t bufused) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdReaddir));
  auto out = c.mem.bytes(buf, buf_len);
  if (!out || !c.mem.fits(bufused, 4)) return Errno::Fault;
  if (cookie == 0 || !e->has_snapshot) {
    if (Errno err = snapshotDir(*e); err != Errno::Success) return err;
  }
  size_t used = 0;
  for (uint64_t i = cookie; i < e->dir_snapshot.size() && used < out->size(); ++i) {
    const DirEntry& d = e->dir_snapshot[i];
    uint8_t record[layout::kDirentSize] = {};
    uint64_t next = i + 1;
    uint32_t namlen = uint32_t(d.name.size());
    std::memcpy(record + 0, &next, 8);
    std::memcpy(record + 8, &d.ino, 8);
    std::memcpy(record + 16, &namlen, 4);
    record[20] = uint8_t(d.type);
    size_t n = std::min(sizeof record, out->size() - used);
    std::memcpy(out->data() + used, record, n);
    used += n;
    n = std::min(d.name.size(), out->size() - used);
    std::memcpy(out->data() + used, d.name.data(), n);
    used += n;
  }
  c.mem.put<uint32_t>(bufused, uint32_t(used));
  return Errno::Success;
}

}  // namespace

Result<void> defineFdIoCalls(Linker& l, const std::shared_ptr<WasiCtx>& ctx) {
  STRATA_CHECK(defineCall(l, ctx, "fd_read", fdRead));
  STRATA_CHECK(defineCall(l, ctx, "fd_write", fdWrite));
  STRATA_CHECK(defineCall(l, ctx, "fd_pread", fdPread));
  STRATA_CHECK(defineCall(l, ctx, "fd_pwrite", fdPwrite));
  STRATA_CHECK(defineCall(l, ctx, "fd_seek", fdSeek));
  STRATA_CHECK(defineCall(l, ctx, "fd_tell", fdTell));
  return defineCall(l, ctx, "fd_readdir", fdReaddir);
}

}  // namespace strata::wasi
