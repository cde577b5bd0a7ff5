// The Store: one tenant's instances, memories, tables, globals and host functions; one thread at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "strata/config.h"
#include "strata/engine.h"

namespace strata {

namespace runtime {
class StoreImpl;
}

class Val;

// Collector statistics of a store's GC heap (docs/gc.md).
struct GcStats {
  uint64_t live_bytes = 0;   // bytes of structs and arrays not yet freed
  uint64_t collections = 0;  // collections so far
  uint64_t objects = 0;
  // Collections that scanned machine-code frames word by word (a store holding llvm-tier code,
  // which has no stack maps yet) rather than by the frames' stack maps (docs/gc.md).
  uint64_t conservative_scans = 0;
};

// Everything created in a store lives until the store dies, like wasmtime, except GC objects
// (structs and arrays), which the store's collector frees once nothing reaches them.
// A Store is used by one thread at a time; it may move between threads between calls.
class Store {
 public:
  explicit Store(const Engine& engine);
  Store(const Engine& engine, StoreLimits limits);
  ~Store();
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const Engine& engine() const;
  const StoreLimits& limits() const;
  void setLimits(StoreLimits limits);

  // Fuel (Config::consume_fuel): calls trap with "all fuel consumed by WebAssembly" at zero.
  void setFuel(uint64_t fuel);
  uint64_t fuel() const;
  // Epoch interruption (Config::epoch_interruption): code traps with "interrupt" once the
  // engine's epoch passes the current epoch plus `ticks`.
  void setEpochDeadline(uint64_t ticks);

  // GC references held by the host (docs/gc.md "Roots" 4). A reference a call returned stays
  // valid until the next call into the store; root it to keep it longer. Roots count: each
  // root() needs one unroot(). Values that are not GC objects (null, i31, host references,
  // functions) are ignored.
  void root(const Val& v);
  void unroot(const Val& v);
  void collectGarbage();
  GcStats gcStats() const;

  // Host data the embedder attaches (reachable from host functions through Caller::store()).
  void setData(void* data);
  void* data() const;

  runtime::StoreImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<runtime::StoreImpl> impl_;
};

}  // namespace strata
