// WASI calls on descriptors themselves: close, renumber, fdstat, filestat, sync, advise, allocate, prestat.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "wasi/errno.h"
#include "wasi/filestat.h"
#include "wasi/host.h"

namespace strata::wasi {

namespace {

Errno fdClose(Call& c, uint32_t fd) { return c.ctx.fds().close(fd) ? Errno::Success : Errno::Badf; }

Errno fdRenumber(Call& c, uint32_t from, uint32_t to) { return c.ctx.fds().renumber(from, to); }

Errno fdFdstatGet(Call& c, uint32_t fd, uint32_t ptr) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd));
  if (!c.mem.fits(ptr, layout::kFdstatSize)) return Errno::Fault;
  c.mem.put<uint64_t>(ptr, 0);  // filetype u8, padding, flags u16 @2, padding
  c.mem.put<uint8_t>(ptr, uint8_t(e->type));
  c.mem.put<uint16_t>(ptr + 2, e->fdflags);
  c.mem.put<uint64_t>(ptr + 8, e->rights_base);
  c.mem.put<uint64_t>(ptr + 16, e->rights_inheriting);
  return Errno::Success;
}

// Only APPEND and NONBLOCK can change on an open file (Linux F_SETFL ignores the sync flags).
Errno fdFdstatSetFlags(Call& c, uint32_t fd, uint32_t flags) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdFdstatSetFlags));
  constexpr uint16_t kAll = kFdflagAppend | kFdflagDsync | kFdflagNonblock | kFdflagRsync | kFdflagSync;
  if (flags & ~uint32_t(kAll)) return Errno::Inval;
  constexpr uint16_t kSyncs = kFdflagDsync | kFdflagRsync | kFdflagSync;
  if ((flags & kSyncs) != (e->fdflags & kSyncs)) return Errno::NotSup;
  int fl = ::fcntl(e->host.get(), F_GETFL);
  if (fl < 0) return lastErrno();
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & kFdflagAppend) fl |= O_APPEND;
  if (flags & kFdflagNonblock) fl |= O_NONBLOCK;
  if (::fcntl(e->host.get(), F_SETFL, fl) != 0) return lastErrno();
  e->fdflags = uint16_t(flags);
  return Errno::Success;
}

// Rights can only shrink (witx: "can only remove rights").
Errno fdFdstatSetRights(Call& c, uint32_t fd, uint64_t base, uint64_t inheriting) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd));
  if ((base & ~e->rights_base) || (inheriting & ~e->rights_inheriting)) return Errno::NotCapable;
  e->rights_base = base;
  e->rights_inheriting = inheriting;
  return Errno::Success;
}

Errno fdFilestatGet(Call& c, uint32_t fd, uint32_t ptr) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdFilestatGet));
  struct stat st;
  if (::fstat(e->host.get(), &st) != 0) return lastErrno();
  return writeFilestat(c.mem, ptr, st);
}

Errno fdFilestatSetSize(Call& c, uint32_t fd, uint64_t size) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdFilestatSetSize));
  if (size > uint64_t(INT64_MAX)) return Errno::Inval;
  return ::ftruncate(e->host.get(), off_t(size)) == 0 ? Errno::Success : lastErrno();
}

Errno fdFilestatSetTimes(Call& c, uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdFilestatSetTimes));
  if (fst > 0xffff) return Errno::Inval;
  auto times = STRATA_WASI_GET(timesFor(atim, mtim, uint16_t(fst)));
  return ::futimens(e->host.get(), times.data()) == 0 ? Errno::Success : lastErrno();
}

Errno fdAdvise(Call& c, uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdAdvise));
  static constexpr int kAdvice[] = {POSIX_FADV_NORMAL,   POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                    POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED,   POSIX_FADV_NOREUSE};
  if (advice > kAdviceNoReuse) return Errno::Inval;
  if (offset > uint64_t(INT64_MAX) || len > uint64_t(INT64_MAX)) return Errno::Inval;
  // posix_fadvise returns the error number instead of setting errno.
  int r = ::posix_fadvise(e->host.get(), off_t(offset), off_t(len), kAdvice[advice]);
  return r == 0 ? Errno::Success : fromHostErrno(r);
}

Errno fdAllocate(Call& c, uint32_t fd, uint64_t offset, uint64_t len) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdAllocate));
  if (offset > uint64_t(INT64_MAX) || len > uint64_t(INT64_MAX) - offset) return Errno::Fbig;
  int r = ::posix_fallocate(e->host.get(), off_t(offset), off_t(len));
  return r == 0 ? Errno::Success : fromHostErrno(r);
}

Errno fdDatasync(Call& c, uint32_t fd) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdDatasync));
  return ::fdatasync(e->host.get()) == 0 ? Errno::Success : lastErrno();
}

Errno fdSync(Call& c, uint32_t fd) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd, right::kFdSync));
  return ::fsync(e->host.get()) == 0 ? Errno::Success : lastErrno();
}

// prestat: tag u8 (0 = dir) @0, pr_name_len u32 @4. Not a preopen: EBADF, which ends the
// guest's scan of fds 3, 4, ... at start-up (wasi-libc stops at the first EBADF).
Errno fdPrestatGet(Call& c, uint32_t fd, uint32_t ptr) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd));
  if (!e->is_preopen) return Errno::Badf;
  if (!c.mem.fits(ptr, layout::kPrestatSize)) return Errno::Fault;
  c.mem.put<uint32_t>(ptr, kPreopenDir);
  c.mem.put<uint32_t>(ptr + 4, uint32_t(e->preopen_name.size()));
  return Errno::Success;
}

Errno fdPrestatDirName(Call& c, uint32_t fd, uint32_t path, uint32_t len) {
  FdEntry* e = STRATA_WASI_GET(c.fd(fd));
  if (!e->is_preopen) return Errno::Badf;
  if (len < e->preopen_name.size()) return Errno::NameTooLong;
  auto dst = c.mem.bytes(path, uint32_t(e->preopen_name.size()));
  if (!dst) return Errno::Fault;
  std::memcpy(dst->data(), e->preopen_name.data(), e->preopen_name.size());
  return Errno::Success;
}

}  // namespace

Result<void> defineFdCalls(Linker& l, const std::shared_ptr<WasiCtx>& ctx) {
  STRATA_CHECK(defineCall(l, ctx, "fd_close", fdClose));
  STRATA_CHECK(defineCall(l, ctx, "fd_renumber", fdRenumber));
  STRATA_CHECK(defineCall(l, ctx, "fd_fdstat_get", fdFdstatGet));
  STRATA_CHECK(defineCall(l, ctx, "fd_fdstat_set_flags", fdFdstatSetFlags));
  STRATA_CHECK(defineCall(l, ctx, "fd_fdstat_set_rights", fdFdstatSetRights));
  STRATA_CHECK(defineCall(l, ctx, "fd_filestat_get", fdFilestatGet));
  STRATA_CHECK(defineCall(l, ctx, "fd_filestat_set_size", fdFilestatSetSize));
  STRATA_CHECK(defineCall(l, ctx, "fd_filestat_set_times", fdFilestatSetTimes));
  STRATA_CHECK(defineCall(l, ctx, "fd_advise", fdAdvise));
  STRATA_CHECK(defineCall(l, ctx, "fd_allocate", fdAllocate));
  STRATA_CHECK(defineCall(l, ctx, "fd_datasync", fdDatasync));
  STRATA_CHECK(defineCall(l, ctx, "fd_sync", fdSync));
  STRATA_CHECK(defineCall(l, ctx, "fd_prestat_get", fdPrestatGet));
  return defineCall(l, ctx, "fd_prestat_dir_name", fdPrestatDirName);
}

}  // namespace strata::wasi
