// WASI calls about the process: args, environment, clocks, randomness, exit, signals, yielding.
#include <sched.h>
#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <cstring>

#include "wasi/errno.h"
#include "wasi/host.h"

namespace strata::wasi {

namespace {

// args_get / environ_get: a u32 pointer per string into `buf`, strings NUL-terminated.
Errno writeStrings(Call& c, const std::vector<std::string>& strings, uint32_t ptrs, uint32_t buf) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  if (!c.mem.fits(ptrs, uint64_t(strings.size()) * 4) || !c.mem.fits(buf, total)) return Errno::Fault;
  uint32_t at = buf;
  for (size_t i = 0; i < strings.size(); ++i) {
    c.mem.put<uint32_t>(ptrs + uint32_t(i) * 4, at);
    auto dst = *c.mem.bytes(at, uint32_t(strings[i].size() + 1));
    std::memcpy(dst.data(), strings[i].c_str(), strings[i].size() + 1);
    at += uint32_t(strings[i].size() + 1);
  }
  return Errno::Success;
}

Errno writeSizes(Call& c, const std::vector<std::string>& strings, uint32_t count_ptr, uint32_t size_ptr) {
  uint64_t total = 0;
  for (const std::string& s : strings) total += s.size() + 1;
  if (total > UINT32_MAX) return Errno::Overflow;
  if (!c.mem.fits(count_ptr, 4) || !c.mem.fits(size_ptr, 4)) return Errno::Fault;
  c.mem.put<uint32_t>(count_ptr, uint32_t(strings.size()));
  c.mem.put<uint32_t>(size_ptr, uint32_t(total));
  return Errno::Success;
}

Errno argsGet(Call& c, uint32_t argv, uint32_t buf) { return writeStrings(c, c.ctx.args(), argv, buf); }
Errno argsSizesGet(Call& c, uint32_t argc, uint32_t size) { return writeSizes(c, c.ctx.args(), argc, size); }
Errno environGet(Call& c, uint32_t env, uint32_t buf) { return writeStrings(c, c.ctx.env(), env, buf); }
Errno environSizesGet(Call& c, uint32_t n, uint32_t size) { return writeSizes(c, c.ctx.env(), n, size); }

// witx clockid -> POSIX clock.
bool hostClock(uint32_t id, clockid_t& out) {
  switch (id) {
    case kClockRealtime: out = CLOCK_REALTIME; return true;
    case kClockMonotonic: out = CLOCK_MONOTONIC; return true;
    case kClockProcessCputime: out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case kClockThreadCputime: out = CLOCK_THREAD_CPUTIME_ID; return true;
    default: return false;
  }
}

uint64_t nanos(const timespec& ts) { return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec); }

Errno clockResGet(Call& c, uint32_t id, uint32_t res_ptr) {
  clockid_t clock;
  if (!hostClock(id, clock)) return Errno::Inval;
  timespec ts;
  if (::clock_getres(clock, &ts) != 0) return lastErrno();
  return c.store<uint64_t>(res_ptr, nanos(ts));
}

// `precision` is a hint the host may ignore (witx): the clock is read at its own resolution.
Errno clockTimeGet(Call& c, uint32_t id, uint64_t /*precision*/, uint32_t time_ptr) {
  clockid_t clock;
  if (!hostClock(id, clock)) return Errno::Inval;
  timespec ts;
  if (::clock_gettime(clock, &ts) != 0) return lastErrno();
  return c.store<uint64_t>(time_ptr, nanos(ts));
}

Errno randomGet(Call& c, uint32_t buf, uint32_t len) {
  auto dst = c.mem.bytes(buf, len);
  if (!dst) return Errno::Fault;
  size_t done = 0;
  while (done < dst->size()) {
    ssize_t n = ::getrandom(dst->data() + done, dst->size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return lastErrno();
    }
    done += size_t(n);
  }
  return Errno::Success;
}

// Signals are not delivered to guests; like wasmtime, raising one is "not implemented".
Errno procRaise(Call&, uint32_t /*sig*/) { return Errno::NoSys; }

Errno schedYield(Call&) {
  ::sched_yield();
  return Errno::Success;
}

}  // namespace

Result<void> defineProcCalls(Linker& l, const std::shared_ptr<WasiCtx>& ctx) {
  STRATA_CHECK(defineCall(l, ctx, "args_get", argsGet));
  STRATA_CHECK(defineCall(l, ctx, "args_sizes_get", argsSizesGet));
  STRATA_CHECK(defineCall(l, ctx, "environ_get", environGet));
  STRATA_CHECK(defineCall(l, ctx, "environ_sizes_get", environSizesGet));
  STRATA_CHECK(defineCall(l, ctx, "clock_res_get", clockResGet));
  STRATA_CHECK(defineCall(l, ctx, "clock_time_get", clockTimeGet));
  STRATA_CHECK(defineCall(l, ctx, "random_get", randomGet));
  STRATA_CHECK(defineCall(l, ctx, "proc_raise", procRaise));
  STRATA_CHECK(defineCall(l, ctx, "sched_yield", schedYield));
  // proc_exit (witx: no results) ends the guest: a Trap carrying the status unwinds it.
  FuncType exit_type{{ValType::i32()}, {}};
  return l.defineFunc(kModuleName, "proc_exit", exit_type,
                      [ctx](Caller&, std::span<const Val> args, std::span<Val>) -> TrapResult<void> {
                        ctx->setExitStatus(args[0].i32());
                        return std::unexpected(Trap::exit(args[0].i32()));
                      });
}

}  // namespace strata::wasi
