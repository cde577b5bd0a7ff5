// Functions (wasm.h): host callbacks with and without environment, types and wasm_func_call.
#include <fmt/format.h>

#include "capi/capi_impl.h"

using namespace strata::capi;

namespace {

// A host function's C side. The environment's finalizer runs when the store drops the function
// (the runtime keeps host functions until the store dies), i.e. when the last copy of the
// callback goes.
struct HostEnv {
  wasm_func_callback_t plain = nullptr;
  wasm_func_callback_with_env_t with_env = nullptr;
  HostInfo env;  // the environment and its finalizer
  wasm_trap_t* call(const wasm_val_vec_t* args, wasm_val_vec_t* results) const {
    return plain ? plain(args, results) : with_env(env.info, args, results);
  }
};

wasm_func_t* newHostFunc(wasm_store_t* store, const wasm_functype_t* ctype, std::shared_ptr<HostEnv> env) {
  strata::FuncType type = toFuncType(ctype);
  auto callback = [store, type, env](strata::Caller&, std::span<const strata::Val> args,
                                     std::span<strata::Val> results) -> strata::TrapResult<void> {
    wasm_val_vec_t cargs, cresults;
    wasm_val_vec_new_uninitialized(&cargs, args.size());
    for (size_t i = 0; i < args.size(); ++i) cargs.data[i] = fromVal(store, args[i]);
    wasm_val_vec_new_uninitialized(&cresults, results.size());
    for (size_t i = 0; i < results.size(); ++i) cresults.data[i] = fromVal(store, results[i]);
    wasm_trap_t* trap = env->call(&cargs, &cresults);
    wasm_val_vec_delete(&cargs);
    strata::TrapResult<void> out;
    if (trap) {
      out = std::unexpected(trap->data->trap);
      wasm_trap_delete(trap);
    } else {
      for (size_t i = 0; i < results.size() && out; ++i) {
        auto v = toVal(store, cresults.data[i], type.results[i]);
        if (v) results[i] = *v;
        else out = std::unexpected(strata::Trap::host(fmt::format("result {} of a host function: {}", i, v.error().message)));
      }
    }
    wasm_val_vec_delete(&cresults);
    return out;
  };
  return new wasm_func_t(store, strata::Func::wrap(store->store, type, std::move(callback)));
}

}  // namespace

extern "C" {

wasm_func_t* wasm_func_new(wasm_store_t* store, const wasm_functype_t* type, wasm_func_callback_t callback) {
  auto env = std::make_shared<HostEnv>();
  env->plain = callback;
  return newHostFunc(store, type, std::move(env));
}

wasm_func_t* wasm_func_new_with_env(wasm_store_t* store, const wasm_functype_t* type,
                                    wasm_func_callback_with_env_t callback, void* data, void (*finalizer)(void*)) {
  auto env = std::make_shared<HostEnv>();
  env->with_env = callback;
  env->env.info = data;
  env->env.finalizer = finalizer;
  return newHostFunc(store, type, std::move(env));
}

wasm_functype_t* wasm_func_type(const wasm_func_t* func) { return newFuncType(func->get().type(func->store->store)); }

size_t wasm_func_param_arity(const wasm_func_t* func) { return func->get().type(func->store->store).params.size(); }

size_t wasm_func_result_arity(const wasm_func_t* func) { return func->get().type(func->store->store).results.size(); }

wasm_trap_t* wasm_func_call(const wasm_func_t* func, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_store_t* store = func->store;
  strata::FuncType type = func->get().type(store->store);
  size_t nargs = args ? args->size : 0;
  size_t nresults = results ? results->size : 0;
  if (nargs != type.params.size() || nresults != type.results.size())
    return newTrap(store, strata::Trap::host(fmt::format("type mismatch: {} arguments and room for {} results given, the function takes {} and returns {}",
                                                         nargs, nresults, type.params.size(), type.results.size())));
  std::vector<strata::Val> in;
  in.reserve(nargs);
  for (size_t i = 0; i < nargs; ++i) {
    auto v = toVal(store, args->data[i], type.params[i]);
    if (!v) return newTrap(store, strata::Trap::host(fmt::format("argument {}: {}", i, v.error().message)));
    in.push_back(*v);
  }
  auto out = func->get().call(store->store, in);
  if (!out) return newTrap(store, std::move(out.error()));
  for (size_t i = 0; i < nresults; ++i) results->data[i] = fromVal(store, (*out)[i]);
  return nullptr;
}

}  // extern "C"
