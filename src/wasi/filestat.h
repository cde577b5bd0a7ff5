// filestat records and timestamps shared by the fd_* and path_* calls.
#pragma once

#include <sys/stat.h>
#include <time.h>

#include <array>
#include <cstdint>

#include "wasi/guest_memory.h"
#include "wasi/sandbox.h"

namespace strata::wasi {

// Writes a witx `filestat` (64 bytes) for `st` at `ptr`.
Errno writeFilestat(const GuestMemory& mem, uint32_t ptr, const struct stat& st);

// The two timespecs utimensat wants for fd/path_filestat_set_times: `fst` selects which of
// atim/mtim change and whether to "now". Inval for unknown bits or both X and X_NOW.
WasiResult<std::array<timespec, 2>> timesFor(uint64_t atim, uint64_t mtim, uint16_t fst);

}  // namespace strata::wasi
