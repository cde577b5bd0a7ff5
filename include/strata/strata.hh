// The Strata C++ API, installed with libstrata: header-only over the C API (wasm.h, strata.h).
//
//   auto engine = strata::Engine::create().value();
//   strata::Store store(engine);
//   auto module = strata::Module::fromText(store, "(module (func (export \"f\") (result i32) i32.const 7))");
//   auto instance = strata::Instance::create(store, *module);
//   auto results = instance->getFunc("f")->call({});   // TrapResult<std::vector<Val>>
//
// Errors are values (Result<T>, TrapResult<T>); the API throws nothing. Needs C++23 (std::expected).
// (strata/strata.h, without the second h, is the runtime's internal C++ API, not installed.)
#pragma once

#include "strata/detail.hh"
#include "strata/engine.hh"
#include "strata/extern.hh"
#include "strata/func.hh"
#include "strata/instance.hh"
#include "strata/module.hh"
#include "strata/store.hh"
#include "strata/trap.hh"
#include "strata/types.hh"
#include "strata/val.hh"
#include "strata/wasi.hh"
