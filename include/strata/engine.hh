// The C++ API's Config and Engine: the tier and compile settings, shared by every store made from the engine.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "strata/types.hh"

namespace strata {
inline namespace api {

// Engine settings (strata.h's strata_config_*); the defaults are the C API's.
struct Config {
  std::string tier = "interp";  // or "baseline" (x86-64): see Engine::tierAvailable
  bool consume_fuel = false;    // calls trap at zero fuel (Store::setFuel)
  bool epoch_interruption = false;  // code traps past the store's epoch deadline
  std::optional<size_t> max_wasm_stack;  // native stack bytes wasm may use
  bool explicit_bounds_checks = false;   // compare addresses instead of guard pages
  bool nan_canonicalization = false;
};

// Thread-safe; copies share the engine.
class Engine {
 public:
  // Error "unknown tier X" when the tier does not exist on this host.
  static Result<Engine> create(const Config& config = {}) {
    wasm_config_t* c = wasm_config_new();
    if (!strata_config_set_tier(c, config.tier.c_str())) {
      wasm_config_delete(c);
      return std::unexpected(Error{"unknown tier " + config.tier});
    }
    strata_config_consume_fuel(c, config.consume_fuel);
    strata_config_epoch_interruption(c, config.epoch_interruption);
    if (config.max_wasm_stack) strata_config_max_wasm_stack(c, *config.max_wasm_stack);
    strata_config_explicit_bounds_checks(c, config.explicit_bounds_checks);
    strata_config_nan_canonicalization(c, config.nan_canonicalization);
    wasm_engine_t* engine = wasm_engine_new_with_config(c);
    if (!engine) return std::unexpected(Error{"cannot create an engine"});
    return Engine(engine);
  }

  static bool tierAvailable(const std::string& tier) { return strata_tier_available(tier.c_str()); }
  // The library's version ("0.1.0").
  static std::string version() { return strata_version(); }

  // Epoch interruption: every store's deadline is measured against this counter.
  void incrementEpoch() const { strata_engine_increment_epoch(raw()); }

  wasm_engine_t* raw() const { return engine_.get(); }

 private:
  explicit Engine(wasm_engine_t* engine) : engine_(engine, wasm_engine_delete) {}
  std::shared_ptr<wasm_engine_t> engine_;
};

}  // namespace api
}  // namespace strata
