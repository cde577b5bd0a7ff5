// The C++ API's Store: the functions, memories, tables, globals and instances of one tenant.
#pragma once

#include <cstdint>

#include "strata/engine.hh"

namespace strata {
inline namespace api {

// Everything made in a store (and every handle of it: Func, Memory, Instance, ...) is valid
// until the store is destroyed; destroy handles first. One thread at a time.
class Store {
 public:
  explicit Store(const Engine& engine) : engine_(engine), store_(wasm_store_new(engine.raw())) {}

  const Engine& engine() const { return engine_; }
  // Fuel (Config::consume_fuel).
  void setFuel(uint64_t fuel) { strata_store_set_fuel(raw(), fuel); }
  uint64_t fuel() const { return strata_store_get_fuel(raw()); }
  // Epoch interruption (Config::epoch_interruption): calls trap with "interrupt" once the
  // engine's epoch is `ticks` beyond its current value.
  void setEpochDeadline(uint64_t ticks) { strata_store_set_epoch_deadline(raw(), ticks); }

  wasm_store_t* raw() const { return store_.get(); }

 private:
  Engine engine_;
  detail::Owned<wasm_store_t, wasm_store_delete> store_;
};

}  // namespace api
}  // namespace strata
