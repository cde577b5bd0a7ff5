// Tests of poll_oneoff (calls_poll.cc): clock subscriptions sleep, fd readiness, event layout.
#include <unistd.h>

#include <chrono>

#include "wasi_test_util.h"

namespace strata::wasi_test {
namespace {

// Writes subscription `i` at `in`: a clock (relative `ns`) or an fd read/write readiness.
void clockSub(Probe& g, uint32_t in, uint32_t i, uint64_t userdata, uint32_t clock, uint64_t ns, uint16_t flags = 0) {
  uint32_t s = in + i * 48;
  for (uint32_t k = 0; k < 48; k += 8) g.store<uint64_t>(s + k, 0);
  g.store<uint64_t>(s, userdata);
  g.mem()[s + 8] = wasi::kEventClock;
  g.store<uint32_t>(s + 16, clock);
  g.store<uint64_t>(s + 24, ns);
  g.store<uint16_t>(s + 40, flags);
}
void fdSub(Probe& g, uint32_t in, uint32_t i, uint64_t userdata, uint8_t type, uint32_t fd) {
  uint32_t s = in + i * 48;
  for (uint32_t k = 0; k < 48; k += 8) g.store<uint64_t>(s + k, 0);
  g.store<uint64_t>(s, userdata);
  g.mem()[s + 8] = type;
  g.store<uint32_t>(s + 16, fd);
}

using Clock = std::chrono::steady_clock;

TEST(PollCalls, ASingleClockReallySleeps) {
  Probe g({});
  uint32_t in = g.alloc(48), out = g.alloc(32), n = g.alloc(4);
  clockSub(g, in, 0, 0x1234, wasi::kClockMonotonic, 50'000'000);
  auto start = Clock::now();
  ASSERT_EQ(g.wasi("poll_oneoff", in, out, 1u, n), Errno::Success);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(50));
  ASSERT_EQ(g.load<uint32_t>(n), 1u);
  EXPECT_EQ(g.load<uint64_t>(out), 0x1234u);
  EXPECT_EQ(g.load<uint16_t>(out + 8), 0u);  // error
  EXPECT_EQ(g.mem()[out + 10], wasi::kEventClock);
}

TEST(PollCalls, AbsoluteRealtimeDeadline) {
  Probe g({});
  uint32_t in = g.alloc(48), out = g.alloc(32), n = g.alloc(4), now = g.alloc(8);
  ASSERT_EQ(g.wasi("clock_time_get", 0u, uint64_t(0), now), Errno::Success);
  clockSub(g, in, 0, 7, wasi::kClockRealtime, g.load<uint64_t>(now) + 30'000'000, wasi::kSubclockAbstime);
  auto start = Clock::now();
  ASSERT_EQ(g.wasi("poll_oneoff", in, out, 1u, n), Errno::Success);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(25));
  EXPECT_EQ(g.load<uint32_t>(n), 1u);
}

TEST(PollCalls, ReadyFdWinsOverALongClock) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  ASSERT_EQ(::write(p[1], "abc", 3), 3);
  Probe g({.stdin_fd = p[0]});
  ::close(p[0]);
  uint32_t in = g.alloc(3 * 48), out = g.alloc(3 * 32), n = g.alloc(4);
  clockSub(g, in, 0, 1, wasi::kClockMonotonic, 10'000'000'000);
  fdSub(g, in, 1, 2, wasi::kEventFdRead, 0);
  fdSub(g, in, 2, 3, wasi::kEventFdRead, 42);  // not open: an event with EBADF
  auto start = Clock::now();
  ASSERT_EQ(g.wasi("poll_oneoff", in, out, 3u, n), Errno::Success);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(g.load<uint32_t>(n), 2u);
  bool saw_read = false, saw_badf = false;
  for (uint32_t i = 0; i < 2; ++i) {
    uint32_t e = out + i * 32;
    if (g.load<uint64_t>(e) == 2) {
      saw_read = true;
      EXPECT_EQ(g.mem()[e + 10], wasi::kEventFdRead);
      EXPECT_EQ(g.load<uint64_t>(e + 16), 3u);  // nbytes available
    }
    if (g.load<uint64_t>(e) == 3) saw_badf = g.load<uint16_t>(e + 8) == uint16_t(Errno::Badf);
  }
  EXPECT_TRUE(saw_read);
  EXPECT_TRUE(saw_badf);
  ::close(p[1]);
}

TEST(PollCalls, BadArguments) {
  Probe g({});
  uint32_t in = g.alloc(48), out = g.alloc(32), n = g.alloc(4);
  EXPECT_EQ(g.wasi("poll_oneoff", in, out, 0u, n), Errno::Inval);
  EXPECT_EQ(g.wasi("poll_oneoff", g.memSize() - 40, out, 1u, n), Errno::Fault);
  clockSub(g, in, 0, 1, wasi::kClockMonotonic, 0);
  g.mem()[in + 8] = 9;  // unknown event type
  EXPECT_EQ(g.wasi("poll_oneoff", in, out, 1u, n), Errno::Inval);
}

}  // namespace
}  // namespace strata::wasi_test
