// Host errno -> WASI errno: both follow POSIX names, so the table pairs them by name.
#include "wasi/errno.h"

#include <cerrno>

namespace strata::wasi {

namespace {

struct ErrnoPair {
  int host;
  Errno wasi;
  std::string_view name;  // witx spelling
};

// Every witx errno with the Linux errno of the same POSIX name, in witx order.
constexpr ErrnoPair kErrnos[] = {
    {0, Errno::Success, "success"}, {E2BIG, Errno::TooBig, "2big"}, {EACCES, Errno::Acces, "acces"},
    {EADDRINUSE, Errno::AddrInUse, "addrinuse"}, {EADDRNOTAVAIL, Errno::AddrNotAvail, "addrnotavail"},
    {EAFNOSUPPORT, Errno::AfNoSupport, "afnosupport"}, {EAGAIN, Errno::Again, "again"},
    {EALREADY, Errno::Already, "already"}, {EBADF, Errno::Badf, "badf"}, {EBADMSG, Errno::BadMsg, "badmsg"},
    {EBUSY, Errno::Busy, "busy"}, {ECANCELED, Errno::Canceled, "canceled"}, {ECHILD, Errno::Child, "child"},
    {ECONNABORTED, Errno::ConnAborted, "connaborted"}, {ECONNREFUSED, Errno::ConnRefused, "connrefused"},
    {ECONNRESET, Errno::ConnReset, "connreset"}, {EDEADLK, Errno::Deadlk, "deadlk"},
    {EDESTADDRREQ, Errno::DestAddrReq, "destaddrreq"}, {EDOM, Errno::Dom, "dom"}, {EDQUOT, Errno::Dquot, "dquot"},
    {EEXIST, Errno::Exist, "exist"}, {EFAULT, Errno::Fault, "fault"}, {EFBIG, Errno::Fbig, "fbig"},
    {EHOSTUNREACH, Errno::HostUnreach, "hostunreach"}, {EIDRM, Errno::Idrm, "idrm"}, {EILSEQ, Errno::Ilseq, "ilseq"},
    {EINPROGRESS, Errno::InProgress, "inprogress"}, {EINTR, Errno::Intr, "intr"}, {EINVAL, Errno::Inval, "inval"},
    {EIO, Errno::Io, "io"}, {EISCONN, Errno::IsConn, "isconn"}, {EISDIR, Errno::IsDir, "isdir"},
    {ELOOP, Errno::Loop, "loop"}, {EMFILE, Errno::Mfile, "mfile"}, {EMLINK, Errno::Mlink, "mlink"},
    {EMSGSIZE, Errno::MsgSize, "msgsize"}, {EMULTIHOP, Errno::Multihop, "multihop"},
    {ENAMETOOLONG, Errno::NameTooLong, "nametoolong"}, {ENETDOWN, Errno::NetDown, "netdown"},
    {ENETRESET, Errno::NetReset, "netreset"}, {ENETUNREACH, Errno::NetUnreach, "netunreach"},
    {ENFILE, Errno::Nfile, "nfile"}, {ENOBUFS, Errno::NoBufs, "nobufs"}, {ENODEV, Errno::NoDev, "nodev"},
    {ENOENT, Errno::NoEnt, "noent"}, {ENOEXEC, Errno::NoExec, "noexec"}, {ENOLCK, Errno::NoLck, "nolck"},
    {ENOLINK, Errno::NoLink, "nolink"}, {ENOMEM, Errno::NoMem, "nomem"}, {ENOMSG, Errno::NoMsg, "nomsg"},
    {ENOPROTOOPT, Errno::NoProtoOpt, "noprotoopt"}, {ENOSPC, Errno::NoSpc, "nospc"}, {ENOSYS, Errno::NoSys, "nosys"},
    {ENOTCONN, Errno::NotConn, "notconn"}, {ENOTDIR, Errno::NotDir, "notdir"},
    {ENOTEMPTY, Errno::NotEmpty, "notempty"}, {ENOTRECOVERABLE, Errno::NotRecoverable, "notrecoverable"},
    {ENOTSOCK, Errno::NotSock, "notsock"}, {EOPNOTSUPP, Errno::NotSup, "notsup"}, {ENOTTY, Errno::NotTty, "notty"},
    {ENXIO, Errno::Nxio, "nxio"}, {EOVERFLOW, Errno::Overflow, "overflow"}, {EOWNERDEAD, Errno::OwnerDead, "ownerdead"},
    {EPERM, Errno::Perm, "perm"}, {EPIPE, Errno::Pipe, "pipe"}, {EPROTO, Errno::Proto, "proto"},
    {EPROTONOSUPPORT, Errno::ProtoNoSupport, "protonosupport"}, {EPROTOTYPE, Errno::ProtoType, "prototype"},
    {ERANGE, Errno::Range, "range"}, {EROFS, Errno::Rofs, "rofs"}, {ESPIPE, Errno::Spipe, "spipe"},
    {ESRCH, Errno::Srch, "srch"}, {ESTALE, Errno::Stale, "stale"}, {ETIMEDOUT, Errno::TimedOut, "timedout"},
    {ETXTBSY, Errno::TxtBsy, "txtbsy"}, {EXDEV, Errno::Xdev, "xdev"}, {-1, Errno::NotCapable, "notcapable"},
};

}  // namespace

Errno fromHostErrno(int host_errno) {
  // Linux aliases: EWOULDBLOCK == EAGAIN, EDEADLOCK == EDEADLK, ENOTSUP == EOPNOTSUPP.
  for (const ErrnoPair& p : kErrnos)
    if (p.host == host_errno) return p.wasi;
  return Errno::Io;
}

Errno lastErrno() { return fromHostErrno(errno); }

std::string_view errnoName(Errno e) {
  auto i = size_t(e);
  return i < std::size(kErrnos) ? kErrnos[i].name : std::string_view("unknown");
}

}  // namespace strata::wasi
