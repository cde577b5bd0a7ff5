// The runtime's C++ API: Engine, Module, Store, Linker, Instance, Func, Memory, Table, Global, Val, Trap.
// In-tree only (it includes internal headers); embedders use the installed strata/strata.hh.
//
//   auto engine = strata::Engine::create().value();
//   auto module = strata::Module::fromText(engine, "(module (func (export \"f\") (result i32) i32.const 7))");
//   strata::Store store(engine);
//   strata::Linker linker(engine);
//   auto instance = linker.instantiate(store, *module);
//   auto results = instance->getFunc("f")->call(store, {});   // TrapResult<std::vector<Val>>
#pragma once

#include "strata/config.h"
#include "strata/engine.h"
#include "strata/exn.h"
#include "strata/extern.h"
#include "strata/func.h"
#include "strata/instance.h"
#include "strata/linker.h"
#include "strata/module.h"
#include "strata/store.h"
#include "strata/trap.h"
#include "strata/types.h"
#include "strata/val.h"
