// WASI socket calls on sockets the host handed over: accept, recv, send, shutdown.
#include <sys/socket.h>

#include <cerrno>

#include "wasi/errno.h"
#include "wasi/host.h"

namespace strata::wasi {

namespace {

bool isSocket(const FdEntry* e) { return e->type == Filetype::SocketStream || e->type == Filetype::SocketDgram; }

// A socket fd with `rights`: NotSock for another file type (checked before the rights, so
// shutdown(stdout) says ENOTSOCK as POSIX does).
WasiResult<FdEntry*> socketFd(Call& c, uint32_t fd, uint64_t rights) {
  FdEntry* e = c.ctx.fds().get(fd);
  if (!e) return std::unexpected(Errno::Badf);
  if (!isSocket(e)) return std::unexpected(Errno::NotSock);
  if (!e->can(rights)) return std::unexpected(Errno::NotCapable);
  return e;
}

Errno sockAccept(Call& c, uint32_t fd, uint32_t flags, uint32_t fd_out) {
  FdEntry* e = STRATA_WASI_GET(socketFd(c, fd, right::kSockAccept));
  if (flags & ~uint32_t(kFdflagNonblock)) return Errno::Inval;
  if (!c.mem.fits(fd_out, 4)) return Errno::Fault;
  int s;
  do s = ::accept4(e->host.get(), nullptr, nullptr, SOCK_CLOEXEC | (flags & kFdflagNonblock ? SOCK_NONBLOCK : 0));
  while (s < 0 && errno == EINTR);
  if (s < 0) return lastErrno();
  auto entry = STRATA_WASI_GET(describeHostFd(UniqueFd(s)));
  entry->fdflags = uint16_t(flags);
  c.mem.put<uint32_t>(fd_out, c.ctx.fds().insert(std::move(entry)));
  return Errno::Success;
}

Errno sockRecv(Call& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t riflags, uint32_t datalen_ptr,
               uint32_t roflags_ptr) {
  FdEntry* e = STRATA_WASI_GET(socketFd(c, fd, right::kFdRead));
  if (riflags & ~uint32_t(kRiRecvPeek | kRiRecvWaitall)) return Errno::Inval;
  auto v = STRATA_WASI_GET(guestIovecs(c.mem, iovs, n));
  if (!c.mem.fits(datalen_ptr, 4) || !c.mem.fits(roflags_ptr, 2)) return Errno::Fault;
  msghdr msg{};
  msg.msg_iov = v.data();
  msg.msg_iovlen = v.size();
  int flags = (riflags & kRiRecvPeek ? MSG_PEEK : 0) | (riflags & kRiRecvWaitall ? MSG_WAITALL : 0);
  ssize_t got;
  do got = ::recvmsg(e->host.get(), &msg, flags);
  while (got < 0 && errno == EINTR);
  if (got < 0) return lastErrno();
  c.mem.put<uint32_t>(datalen_ptr, uint32_t(got));
  c.mem.put<uint16_t>(roflags_ptr, msg.msg_flags & MSG_TRUNC ? kRoRecvDataTruncated : 0);
  return Errno::Success;
}

Errno sockSend(Call& c, uint32_t fd, uint32_t iovs, uint32_t n, uint32_t siflags, uint32_t datalen_ptr) {
  FdEntry* e = STRATA_WASI_GET(socketFd(c, fd, right::kFdWrite));
  if (siflags != 0) return Errno::Inval;  // witx defines no siflags
  auto v = STRATA_WASI_GET(guestIovecs(c.mem, iovs, n));
  if (!c.mem.fits(datalen_ptr, 4)) return Errno::Fault;
  msghdr msg{};
  msg.msg_iov = v.data();
  msg.msg_iovlen = v.size();
  ssize_t sent;
  // MSG_NOSIGNAL: a closed peer is EPIPE for the guest, not SIGPIPE for the host.
  do sent = ::sendmsg(e->host.get(), &msg, MSG_NOSIGNAL);
  while (sent < 0 && errno == EINTR);
  if (sent < 0) return lastErrno();
  c.mem.put<uint32_t>(datalen_ptr, uint32_t(sent));
  return Errno::Success;
}

Errno sockShutdown(Call& c, uint32_t fd, uint32_t how) {
  FdEntry* e = STRATA_WASI_GET(socketFd(c, fd, right::kSockShutdown));
  int h;
  switch (how) {
    case kSdRd: h = SHUT_RD; break;
    case kSdWr: h = SHUT_WR; break;
    case kSdRd | kSdWr: h = SHUT_RDWR; break;
    default: return Errno::Inval;
  }
  return ::shutdown(e->host.get(), h) == 0 ? Errno::Success : lastErrno();
}

}  // namespace

Result<void> defineSockCalls(Linker& l, const std::shared_ptr<WasiCtx>& ctx) {
  STRATA_CHECK(defineCall(l, ctx, "sock_accept", sockAccept));
  STRATA_CHECK(defineCall(l, ctx, "sock_recv", sockRecv));
  STRATA_CHECK(defineCall(l, ctx, "sock_send", sockSend));
  return defineCall(l, ctx, "sock_shutdown", sockShutdown);
}

}  // namespace strata::wasi
