// Tests of sock_* calls on sockets the host hands to the guest (calls_sock.cc).
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "wasi_test_util.h"

namespace strata::wasi_test {
namespace {

TEST(SockCalls, SendRecvShutdownOnAGivenSocket) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  Probe g({.sockets = {sv[0]}});
  ::close(sv[0]);
  constexpr uint32_t kSock = 3;  // after stdio; no preopens
  uint32_t iov = g.alloc(8), buf = g.str("ping"), n = g.alloc(4), flags = g.alloc(4);
  g.store<uint32_t>(iov, buf);
  g.store<uint32_t>(iov + 4, 4);
  ASSERT_EQ(g.wasi("sock_send", kSock, iov, 1u, 0u, n), Errno::Success);
  EXPECT_EQ(g.load<uint32_t>(n), 4u);
  char got[8] = {};
  ASSERT_EQ(::read(sv[1], got, sizeof got), 4);
  EXPECT_STREQ(got, "ping");
  ASSERT_EQ(::write(sv[1], "pong!", 5), 5);
  ASSERT_EQ(g.wasi("sock_recv", kSock, iov, 1u, uint32_t(wasi::kRiRecvPeek), n, flags), Errno::Success);
  EXPECT_EQ(g.load<uint32_t>(n), 4u);
  ASSERT_EQ(g.wasi("sock_recv", kSock, iov, 1u, 0u, n, flags), Errno::Success);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(g.mem() + buf), 4), "pong");
  EXPECT_EQ(g.wasi("sock_shutdown", kSock, 0u), Errno::Inval);
  ASSERT_EQ(g.wasi("sock_shutdown", kSock, uint32_t(wasi::kSdWr)), Errno::Success);
  EXPECT_EQ(::read(sv[1], got, sizeof got), 0);  // the peer sees end of stream
  EXPECT_EQ(g.wasi("sock_shutdown", 1u, uint32_t(wasi::kSdRd)), Errno::NotSock);
  EXPECT_EQ(g.wasi("sock_shutdown", 9u, uint32_t(wasi::kSdRd)), Errno::Badf);
  EXPECT_EQ(g.wasi("sock_accept", kSock, 0u, n), Errno::Inval);  // not listening
  ::close(sv[1]);
}

TEST(SockCalls, AcceptOnAListeningSocket) {
  int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  TempDir tmp;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = (tmp.path() / "s").string();
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  int client = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  Probe g({.sockets = {listener}});
  ::close(listener);
  uint32_t fd_out = g.alloc(4);
  ASSERT_EQ(g.wasi("sock_accept", 3u, uint32_t(wasi::kFdflagNonblock), fd_out), Errno::Success);
  uint32_t conn = g.load<uint32_t>(fd_out);
  EXPECT_EQ(conn, 4u);
  EXPECT_EQ(g.write(conn, "hi"), Errno::Success);
  char got[4] = {};
  EXPECT_EQ(::read(client, got, sizeof got), 2);
  Errno e;
  g.read(conn, 4, &e);
  EXPECT_EQ(e, Errno::Again);  // nonblocking, nothing sent yet
  ::close(client);
}

}  // namespace
}  // namespace strata::wasi_test
