// WASI preview 1 for embedders: every wasi_snapshot_preview1 function as host functions in a Linker.
//
//   auto ctx = strata::wasi::WasiCtx::create({.args = {"prog"}, .preopens = {{"/tmp/box", "."}}});
//   strata::Linker linker(engine);
//   strata::wasi::defineWasi(linker, *ctx);
//   auto instance = linker.instantiate(store, module);
//   auto r = instance->getFunc("_start")->call(store, {});
//   if (!r && r.error().isExit()) exit_code = r.error().exitStatus();   // proc_exit
//
// Guest memory is the calling instance's export "memory". Calls return witx errno values;
// proc_exit unwinds the guest with Trap::exit(status).
#pragma once

#include <functional>
#include <memory>

#include "strata/linker.h"
#include "support/error.h"
#include "wasi/ctx.h"

namespace strata::wasi {

// Defines all 46 wasi_snapshot_preview1 functions, sharing `ctx` (one guest's state).
Result<void> defineWasi(Linker& linker, std::shared_ptr<WasiCtx> ctx);

// The names defineWasi defines, in witx order (for tests and documentation).
const std::vector<const char*>& wasiFunctionNames();

// Sightglass benchmark programs import bench.start and bench.end ([] -> []) and call them
// around the measured work. Without hooks they do nothing; a harness passes callbacks.
struct BenchHooks {
  std::function<void()> on_start;
  std::function<void()> on_end;
};
Result<void> defineBench(Linker& linker, BenchHooks hooks = {});

}  // namespace strata::wasi
