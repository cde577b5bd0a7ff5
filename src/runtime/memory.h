// Linear memories (spec 4.2.8): a fixed virtual reservation, committed as the memory grows.
#pragma once

#include <cstdint>
#include <memory>

#include "ir/types.h"
#include "strata/config.h"
#include "support/error.h"
#include "vm/abi.h"

namespace strata::runtime {

// The base address never moves, so code may cache it (VMContext::memory0_base). Guard-page
// mode reserves kGuardReservation bytes for a 32-bit memory: any i32 address plus a u32
// offset plus an access of at most 16 bytes lands inside the reservation, so an access beyond
// the committed length faults (PROT_NONE) instead of touching another mapping, and code
// needs no bounds checks; the reservation also holds at least vm::kMemory32LowGuard bytes below
// the base, where an access faults too. Explicit mode and memory64 reserve up to the maximum
// (capped by Config::max_memory_reservation); grow fails beyond the reservation.
struct MemoryObj {
  static constexpr uint64_t kGuardReservation = (uint64_t{8} << 30) + (uint64_t{64} << 10);

  vm::VMMemory vm{};  // what code sees; length = size in bytes
  const void* owner = nullptr;  // the StoreImpl it belongs to
  ir::MemoryType type;
  uint8_t* reservation = nullptr;  // the mapping's start, at or below vm.base
  uint64_t reserved = 0;   // bytes of address space from `reservation`
  uint64_t committed = 0;  // bytes readable/writable (length rounded up to OS pages)
  const StoreLimits* limits = nullptr;  // the store's, read at each grow

  MemoryObj() = default;
  MemoryObj(const MemoryObj&) = delete;
  MemoryObj& operator=(const MemoryObj&) = delete;
  ~MemoryObj();

  // Usage error when the reservation or the initial commit fails or the store limit forbids
  // the initial size.
  static Result<std::unique_ptr<MemoryObj>> create(const ir::MemoryType& type, const Config& config,
                                                   const StoreLimits& limits);

  uint64_t pageSize() const { return uint64_t{1} << type.page_size_log2; }
  uint64_t pages() const { return vm.length >> type.page_size_log2; }
  // The largest size in pages the type allows (spec 2.3.x: 2^16 pages of 64 KiB for i32,
  // 2^48 for i64; custom page sizes scale so the byte size stays within the address space).
  uint64_t maxPages() const;
  // spec 4.4.7 memory.grow: old size in pages, or -1 with the memory unchanged.
  int64_t grow(uint64_t delta_pages);
  bool contains(const void* addr) const {
    auto a = reinterpret_cast<uintptr_t>(addr), b = reinterpret_cast<uintptr_t>(reservation);
    return a >= b && a - b < reserved;
  }
};

}  // namespace strata::runtime
