// Bounds-checked access to the calling instance's linear memory for WASI host functions.
//
// Every guest pointer a WASI function receives is checked against the memory's current size
// before use: an access that does not fit returns Errno::Fault (EFAULT), as wasmtime's
// preview 1 does for wiggle's PtrOutOfBounds. Nothing is ever read or written outside the
// memory, so a hostile pointer can never reach host memory. Alignment is not required.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "wasi/abi.h"

namespace strata::wasi {

class GuestMemory {
 public:
  GuestMemory() = default;
  GuestMemory(uint8_t* base, uint64_t size) : base_(base), size_(size) {}

  bool fits(uint64_t ptr, uint64_t len) const { return ptr <= size_ && len <= size_ - ptr; }

  // The bytes [ptr, ptr+len), or nullopt when they are not all inside the memory.
  std::optional<std::span<uint8_t>> bytes(uint32_t ptr, uint32_t len) const {
    if (!fits(ptr, len)) return std::nullopt;
    return std::span<uint8_t>(base_ + ptr, len);
  }

  // Little-endian scalar loads and stores (wasm memory is little-endian, so is x86-64).
  template <class T>
  bool load(uint32_t ptr, T& out) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!fits(ptr, sizeof(T))) return false;
    std::memcpy(&out, base_ + ptr, sizeof(T));
    return true;
  }
  template <class T>
  bool store(uint32_t ptr, T value) const {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!fits(ptr, sizeof(T))) return false;
    std::memcpy(base_ + ptr, &value, sizeof(T));
    return true;
  }
  // Stores into a struct already checked with fits(): offset inside a checked region.
  template <class T>
  void put(uint32_t ptr, T value) const {
    std::memcpy(base_ + ptr, &value, sizeof(T));
  }
  template <class T>
  T get(uint32_t ptr) const {
    T v;
    std::memcpy(&v, base_ + ptr, sizeof(T));
    return v;
  }

  // A guest string (ptr, len): no terminator, may hold any bytes (paths are checked later).
  std::optional<std::string_view> string(uint32_t ptr, uint32_t len) const {
    if (!fits(ptr, len)) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(base_ + ptr), len);
  }

  bool empty() const { return base_ == nullptr; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace strata::wasi
