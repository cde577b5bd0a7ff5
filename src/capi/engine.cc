// Config, engine and store (wasm.h), and strata.h's settings on them (tier, fuel, epochs).
#include <algorithm>

#include "capi/capi_impl.h"
#include "strata.h"
#include "tiers/tiers.h"

using namespace strata::capi;

wasm_store_t::~wasm_store_t() {
  // Host info finalizers first, while every object of the store still exists.
  by_anchor.clear();
  entries.clear();
}

strata::capi::ObjectEntry* wasm_store_t::entry(const void* identity, bool create) {
  auto it = entries.find(identity);
  if (it != entries.end()) return it->second.get();
  if (!create) return nullptr;
  return entries.emplace(identity, std::make_unique<ObjectEntry>()).first->second.get();
}

void* wasm_store_t::externrefFor(const wasm_ref_t* ref) {
  ObjectEntry* e = entry(ref->identity(), true);
  if (!e->anchor) {
    e->anchor.reset(ref->clone());
    by_anchor.emplace(e, e);
  }
  return e;
}

wasm_ref_t* wasm_store_t::refForExternref(void* raw) {
  if (!raw) return nullptr;
  auto it = by_anchor.find(raw);
  if (it != by_anchor.end()) return it->second->anchor->clone();
  // Not one of ours (a reference converted from the GC proposal's any hierarchy): an opaque
  // foreign object whose identity is the value.
  return new wasm_foreign_t(this, raw);
}

extern "C" {

wasm_config_t* wasm_config_new() { return new wasm_config_t{}; }
void wasm_config_delete(wasm_config_t* config) { delete config; }

wasm_engine_t* wasm_engine_new() { return wasm_engine_new_with_config(wasm_config_new()); }

wasm_engine_t* wasm_engine_new_with_config(wasm_config_t* config) {
  strata::tiers::registerAll();
  auto engine = strata::Engine::create(config->config);
  delete config;
  if (!engine) return nullptr;
  return new wasm_engine_t{*engine};
}

void wasm_engine_delete(wasm_engine_t* engine) { delete engine; }

wasm_store_t* wasm_store_new(wasm_engine_t* engine) { return new wasm_store_t(engine->engine); }
void wasm_store_delete(wasm_store_t* store) { delete store; }

// ---- strata.h ----

const char* strata_version() { return "0.1.0"; }

bool strata_tier_available(const char* name) {
  strata::tiers::registerAll();
  auto tiers = strata::Engine::tiers();
  return std::find(tiers.begin(), tiers.end(), name) != tiers.end();
}

bool strata_config_set_tier(wasm_config_t* config, const char* name) {
  if (!strata_tier_available(name)) return false;
  config->config.tier = name;
  return true;
}

void strata_config_consume_fuel(wasm_config_t* config, bool enable) { config->config.consume_fuel = enable; }
void strata_config_epoch_interruption(wasm_config_t* config, bool enable) { config->config.epoch_interruption = enable; }
void strata_config_max_wasm_stack(wasm_config_t* config, size_t bytes) { config->config.max_wasm_stack = bytes; }
void strata_config_explicit_bounds_checks(wasm_config_t* config, bool enable) {
  config->config.bounds_checks = enable ? strata::BoundsChecks::Explicit : strata::BoundsChecks::GuardPages;
}
void strata_config_nan_canonicalization(wasm_config_t* config, bool enable) { config->config.nan_canonicalization = enable; }

void strata_engine_increment_epoch(wasm_engine_t* engine) { engine->engine.incrementEpoch(); }
void strata_store_set_fuel(wasm_store_t* store, uint64_t fuel) { store->store.setFuel(fuel); }
uint64_t strata_store_get_fuel(const wasm_store_t* store) { return store->store.fuel(); }
void strata_store_set_epoch_deadline(wasm_store_t* store, uint64_t ticks) { store->store.setEpochDeadline(ticks); }

}  // extern "C"
