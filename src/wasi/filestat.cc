// filestat records and timestamps.
#include "wasi/filestat.h"

#include "wasi/ctx.h"

namespace strata::wasi {

namespace {

uint64_t nanos(const timespec& ts) { return uint64_t(ts.tv_sec) * 1'000'000'000u + uint64_t(ts.tv_nsec); }

timespec fromNanos(uint64_t ns) {
  return timespec{time_t(ns / 1'000'000'000u), long(ns % 1'000'000'000u)};
}

// One of atim/mtim: set to `value`, to now, or left alone (spec: X and X_NOW are exclusive).
WasiResult<timespec> oneTime(uint64_t value, bool set, bool now) {
  if (set && now) return std::unexpected(Errno::Inval);
  if (now) return timespec{0, UTIME_NOW};
  if (set) return fromNanos(value);
  return timespec{0, UTIME_OMIT};
}

}  // namespace

Errno writeFilestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st) {
  if (!mem.fits(ptr, layout::kFilestatSize)) return Errno::Fault;
  mem.put<uint64_t>(ptr + 0, uint64_t(st.st_dev));
  mem.put<uint64_t>(ptr + 8, uint64_t(st.st_ino));
  mem.put<uint64_t>(ptr + 16, 0);  // filetype u8 and padding
  mem.put<uint8_t>(ptr + 16, uint8_t(filetypeOfMode(st.st_mode)));
  mem.put<uint64_t>(ptr + 24, uint64_t(st.st_nlink));
  mem.put<uint64_t>(ptr + 32, uint64_t(st.st_size));
  mem.put<uint64_t>(ptr + 40, nanos(st.st_atim));
  mem.put<uint64_t>(ptr + 48, nanos(st.st_mtim));
  mem.put<uint64_t>(ptr + 56, nanos(st.st_ctim));
  return Errno::Success;
}

WasiResult<std::array<timespec, 2>> timesFor(uint64_t atim, uint64_t mtim, uint16_t fst) {
  if (fst & ~(kFstAtim | kFstAtimNow | kFstMtim | kFstMtimNow)) return std::unexpected(Errno::Inval);
  timespec a = STRATA_WASI_TRY(oneTime(atim, fst & kFstAtim, fst & kFstAtimNow));
  timespec m = STRATA_WASI_TRY(oneTime(mtim, fst & kFstMtim, fst & kFstMtimNow));
  return std::array<timespec, 2>{a, m};
}

}  // namespace strata::wasi
