// WASI poll_oneoff: clock subscriptions (which really sleep) and fd read/write readiness.
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <vector>

#include "wasi/errno.h"
#include "wasi/host.h"

namespace strata::wasi {

namespace {

struct Event {
  uint64_t userdata = 0;
  Errno error = Errno::Success;
  uint8_t type = 0;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

struct ClockSub {
  uint64_t userdata;
  int64_t deadline;  // CLOCK_MONOTONIC nanoseconds
};

struct FdSub {
  uint64_t userdata;
  uint8_t type;  // kEventFdRead or kEventFdWrite
  int host_fd;
};

int64_t nowNs(clockid_t clock) {
  timespec ts;
  ::clock_gettime(clock, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t saturatingAdd(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
  return a + b;
}

// The monotonic deadline of a clock subscription (id u32 @0, timeout u64 @8, precision u64 @16,
// flags u16 @24): an absolute time on another clock becomes "that far from now".
std::optional<int64_t> clockDeadline(uint32_t id, uint64_t timeout, uint16_t flags) {
  static constexpr clockid_t kClocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
                                          CLOCK_THREAD_CPUTIME_ID};
  if (id > kClockThreadCputime) return std::nullopt;
  int64_t t = int64_t(std::min<uint64_t>(timeout, INT64_MAX));
  int64_t mono = nowNs(CLOCK_MONOTONIC);
  if (!(flags & kSubclockAbstime)) return saturatingAdd(mono, t);
  if (id == kClockMonotonic) return t;
  return saturatingAdd(mono, t - nowNs(kClocks[id]));
}

// Regular files and directories are always ready (POSIX poll says so too); a read reports the
// bytes left after the current offset.
Event readyFile(const FdSub& s, Filetype type) {
  Event ev{s.userdata, Errno::Success, s.type, 0, 0};
  if (s.type == kEventFdRead && type == Filetype::RegularFile) {
    struct stat st;
    off_t pos = ::lseek(s.host_fd, 0, SEEK_CUR);
    if (::fstat(s.host_fd, &st) == 0 && pos >= 0 && st.st_size > pos) ev.nbytes = uint64_t(st.st_size - pos);
  }
  return ev;
}

Event polledEvent(const FdSub& s, short revents) {
  Event ev{s.userdata, Errno::Success, s.type, 0, 0};
  if (revents & POLLNVAL) ev.error = Errno::Badf;
  else if (revents & POLLERR) ev.error = Errno::Io;
  if (revents & POLLHUP) ev.flags |= kEventFdReadwriteHangup;
  int avail = 0;
  if (s.type == kEventFdRead && ::ioctl(s.host_fd, FIONREAD, &avail) == 0 && avail > 0) ev.nbytes = uint64_t(avail);
  return ev;
}

// Waits for the fds or the earliest deadline (forever with neither), retrying after signals.
void waitFor(std::vector<pollfd>& fds, std::optional<int64_t> deadline) {
  for (;;) {
    timespec ts{}, *tsp = nullptr;
    if (deadline) {
      int64_t left = std::max<int64_t>(0, *deadline - nowNs(CLOCK_MONOTONIC));
      ts = timespec{time_t(left / 1'000'000'000), long(left % 1'000'000'000)};
      tsp = &ts;
    }
    int r = ::ppoll(fds.data(), fds.size(), tsp, nullptr);
    if (r >= 0 || errno != EINTR) return;
  }
}

Errno writeEvents(Call& c, uint32_t out, const std::vector<Event>& events, uint32_t nevents) {
  for (size_t i = 0; i < events.size(); ++i) {
    uint32_t p = out + uint32_t(i) * layout::kEventSize;
    const Event& e = events[i];
    for (uint32_t k = 0; k < layout::kEventSize; k += 8) c.mem.put<uint64_t>(p + k, 0);
    c.mem.put<uint64_t>(p, e.userdata);
    c.mem.put<uint16_t>(p + 8, uint16_t(e.error));
    c.mem.put<uint8_t>(p + 10, e.type);
    c.mem.put<uint64_t>(p + 16, e.nbytes);
    c.mem.put<uint16_t>(p + 24, e.flags);
  }
  c.mem.put<uint32_t>(nevents, uint32_t(events.size()));
  return Errno::Success;
}

Errno pollOneoff(Call& c, uint32_t in, uint32_t out, uint32_t nsubs, uint32_t nevents) {
  if (nsubs == 0) return Errno::Inval;
  if (!c.mem.fits(in, uint64_t(nsubs) * layout::kSubscriptionSize) ||
      !c.mem.fits(out, uint64_t(nsubs) * layout::kEventSize) || !c.mem.fits(nevents, 4))
    return Errno::Fault;
  std::vector<Event> events;  // ready now
  std::vector<ClockSub> clocks;
  std::vector<FdSub> waits;
  std::vector<pollfd> pollfds;
  for (uint32_t i = 0; i < nsubs; ++i) {
    uint32_t s = in + i * layout::kSubscriptionSize;
    uint64_t userdata = c.mem.get<uint64_t>(s);
    uint8_t tag = c.mem.get<uint8_t>(s + 8);
    uint32_t u = s + layout::kSubUnion;
    if (tag == kEventClock) {
      auto deadline = clockDeadline(c.mem.get<uint32_t>(u), c.mem.get<uint64_t>(u + 8), c.mem.get<uint16_t>(u + 24));
      if (deadline) clocks.push_back({userdata, *deadline});
      else events.push_back({userdata, Errno::Inval, tag, 0, 0});
    } else if (tag == kEventFdRead || tag == kEventFdWrite) {
      auto e = c.fd(c.mem.get<uint32_t>(u), right::kPollFdReadwrite);
      if (!e) {
        events.push_back({userdata, e.error(), tag, 0, 0});
        continue;
      }
      FdSub sub{userdata, tag, (*e)->host.get()};
      if ((*e)->type == Filetype::RegularFile || (*e)->type == Filetype::Directory) {
        events.push_back(readyFile(sub, (*e)->type));
        continue;
      }
      waits.push_back(sub);
      pollfds.push_back(pollfd{sub.host_fd, short(tag == kEventFdRead ? POLLIN : POLLOUT), 0});
    } else {
      return Errno::Inval;
    }
  }
  std::optional<int64_t> deadline;
  for (const ClockSub& k : clocks) deadline = std::min(deadline.value_or(INT64_MAX), k.deadline);
  if (!events.empty()) deadline = 0;  // something is ready: only look, do not wait
  // At least one event comes back: wait again if a wake-up found nothing due (a signal).
  do {
    waitFor(pollfds, deadline);
    for (size_t i = 0; i < waits.size(); ++i)
      if (pollfds[i].revents) events.push_back(polledEvent(waits[i], pollfds[i].revents));
    int64_t now = nowNs(CLOCK_MONOTONIC);
    for (const ClockSub& k : clocks)
      if (k.deadline <= now) events.push_back({k.userdata, Errno::Success, kEventClock, 0, 0});
  } while (events.empty());
  return writeEvents(c, out, events, nevents);
}

}  // namespace

Result<void> definePollCalls(Linker& l, const std::shared_ptr<WasiCtx>& ctx) {
  return defineCall(l, ctx, "poll_oneoff", pollOneoff);
}

}  // namespace strata::wasi
