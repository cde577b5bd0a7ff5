// WASI guest state: descriptor table, stdio and preopened directories.
#include "wasi/ctx.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cstring>

#include "wasi/errno.h"

namespace strata::wasi {

FdEntry* FdTable::get(uint32_t fd) { return fd < slots_.size() ? slots_[fd].get() : nullptr; }

uint32_t FdTable::insert(std::unique_ptr<FdEntry> entry) {
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    if (!slots_[i]) {
      slots_[i] = std::move(entry);
      return i;
    }
  }
  slots_.push_back(std::move(entry));
  return uint32_t(slots_.size() - 1);
}

void FdTable::put(uint32_t fd, std::unique_ptr<FdEntry> entry) {
  if (fd >= slots_.size()) slots_.resize(fd + 1);
  slots_[fd] = std::move(entry);
}

bool FdTable::close(uint32_t fd) {
  if (!get(fd)) return false;
  slots_[fd].reset();
  while (!slots_.empty() && !slots_.back()) slots_.pop_back();
  return true;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  if (!get(from) || !get(to)) return Errno::Badf;
  if (from == to) return Errno::Success;
  slots_[to] = std::move(slots_[from]);
  close(from);
  return Errno::Success;
}

Filetype filetypeOfMode(uint32_t st_mode) {
  switch (st_mode & S_IFMT) {
    case S_IFREG: return Filetype::RegularFile;
    case S_IFDIR: return Filetype::Directory;
    case S_IFCHR: return Filetype::CharacterDevice;
    case S_IFBLK: return Filetype::BlockDevice;
    case S_IFLNK: return Filetype::SymbolicLink;
    case S_IFSOCK: return Filetype::SocketStream;
    default: return Filetype::Unknown;  // FIFOs: witx has no pipe type
  }
}

uint64_t baseRightsFor(Filetype type) {
  switch (type) {
    case Filetype::Directory: return right::kDirBase;
    case Filetype::RegularFile:
    case Filetype::BlockDevice: return right::kFileBase;
    case Filetype::SocketStream:
    case Filetype::SocketDgram: return right::kSocketBase;
    default: return right::kStreamBase;
  }
}

WasiResult<std::unique_ptr<FdEntry>> describeHostFd(UniqueFd fd) {
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return std::unexpected(lastErrno());
  auto e = std::make_unique<FdEntry>();
  e->type = filetypeOfMode(st.st_mode);
  if (e->type == Filetype::SocketStream) {
    int so_type = 0;
    socklen_t len = sizeof so_type;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_TYPE, &so_type, &len) == 0 && so_type == SOCK_DGRAM)
      e->type = Filetype::SocketDgram;
  }
  e->rights_base = baseRightsFor(e->type);
  e->rights_inheriting = e->type == Filetype::Directory ? right::kDirBase | right::kFileBase : 0;
  int fl = ::fcntl(fd.get(), F_GETFL);
  if (fl >= 0) {
    if (fl & O_APPEND) e->fdflags |= kFdflagAppend;
    if (fl & O_NONBLOCK) e->fdflags |= kFdflagNonblock;
    if ((fl & O_SYNC) == O_SYNC) e->fdflags |= kFdflagSync;
    else if (fl & O_DSYNC) e->fdflags |= kFdflagDsync;
  }
  e->host = std::move(fd);
  return e;
}

Result<std::shared_ptr<WasiCtx>> WasiCtx::create(const WasiConfig& config) {
  auto ctx = std::make_shared<WasiCtx>();
  ctx->args_ = config.args;
  ctx->env_ = config.env;
  int stdio[3] = {config.stdin_fd, config.stdout_fd, config.stderr_fd};
  for (uint32_t i = 0; i < 3; ++i) {
    if (stdio[i] < 0) continue;
    UniqueFd fd(::fcntl(stdio[i], F_DUPFD_CLOEXEC, 3));
    if (!fd.valid()) continue;  // the host's own descriptor is closed: so is the guest's
    if (auto e = describeHostFd(std::move(fd))) ctx->fds_.put(i, std::move(*e));
  }
  uint32_t next = 3;
  for (const Preopen& p : config.preopens) {
    UniqueFd fd(::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
      return makeError(ErrorKind::Io, kNoOffset,
                       fmt::format("cannot preopen directory {}: {}", p.host_path, std::strerror(errno)));
    }
    auto e = describeHostFd(std::move(fd));
    if (!e) return makeError(ErrorKind::Io, kNoOffset, fmt::format("cannot preopen directory {}", p.host_path));
    (*e)->is_preopen = true;
    (*e)->preopen_name = p.guest_path;
    ctx->fds_.put(next++, std::move(*e));
  }
  for (int s : config.sockets) {
    UniqueFd fd(::fcntl(s, F_DUPFD_CLOEXEC, 3));
    if (!fd.valid()) return makeError(ErrorKind::Io, kNoOffset, fmt::format("cannot use socket fd {}", s));
    auto e = describeHostFd(std::move(fd));
    if (!e) return makeError(ErrorKind::Io, kNoOffset, fmt::format("cannot use socket fd {}", s));
    ctx->fds_.put(next++, std::move(*e));
  }
  return ctx;
}

}  // namespace strata::wasi
