// The C++ API's functions: wasm exports and host functions, called with values, trapping as values.
#pragma once

#include <exception>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "strata/store.hh"
#include "strata/trap.hh"
#include "strata/types.hh"
#include "strata/val.hh"

namespace strata {
inline namespace api {

// A host function: `results` comes filled with zeros of the result kinds. Returning a Trap
// makes the wasm call that reached it trap; returning the Trap of a nested call keeps its frames.
using HostFunc = std::function<TrapResult<void>(std::span<const Val> args, std::span<Val> results)>;

// A handle of a function of some store; copies are handles of the same function.
class Func {
 public:
  // Takes a function the C API handed over.
  explicit Func(wasm_func_t* func) : func_(func) {}

  static Func create(Store& store, const FuncType& type, HostFunc callback) {
    auto* env = new Env{store.raw(), type.results, std::move(callback)};
    detail::FuncTypeHandle ctype = detail::toC(type);
    return Func(wasm_func_new_with_env(store.raw(), ctype.get(), &Func::trampoline, env,
                                       [](void* e) { delete static_cast<Env*>(e); }));
  }

  // Arguments are checked against the type: a wrong count or kind is a trap whose message
  // starts with "type mismatch".
  TrapResult<std::vector<Val>> call(std::span<const Val> args) const {
    wasm_val_vec_t in, out;
    wasm_val_vec_new_uninitialized(&in, args.size());
    for (size_t i = 0; i < args.size(); ++i) wasm_val_copy(&in.data[i], &args[i].raw());
    wasm_val_vec_new_uninitialized(&out, resultArity());
    for (size_t i = 0; i < out.size; ++i) out.data[i] = Val().release();
    wasm_trap_t* trap = wasm_func_call(raw(), &in, &out);
    wasm_val_vec_delete(&in);
    std::vector<Val> results;
    for (size_t i = 0; i < out.size && !trap; ++i) results.push_back(Val::adopt(std::exchange(out.data[i], Val().release())));
    wasm_val_vec_delete(&out);
    if (trap) return std::unexpected(Trap(trap));
    return results;
  }
  TrapResult<std::vector<Val>> call(std::initializer_list<Val> args) const {
    return call(std::span<const Val>(args.begin(), args.size()));
  }

  FuncType type() const {
    detail::FuncTypeHandle t(wasm_func_type(raw()));
    return detail::fromC(t.get());
  }
  size_t paramArity() const { return wasm_func_param_arity(raw()); }
  size_t resultArity() const { return wasm_func_result_arity(raw()); }

  wasm_func_t* raw() const { return func_.get(); }
  friend bool operator==(const Func& a, const Func& b) {
    return wasm_ref_same(wasm_func_as_ref_const(a.raw()), wasm_func_as_ref_const(b.raw()));
  }

 private:
  struct Env {
    wasm_store_t* store;
    std::vector<ValKind> results;
    HostFunc callback;
  };

  static TrapResult<void> invoke(Env& env, std::span<const Val> args, std::span<Val> results) {
#if __cpp_exceptions
    // An exception must not unwind through the runtime: it becomes a trap.
    try {
      return env.callback(args, results);
    } catch (const std::exception& e) {
      return std::unexpected(Trap(std::string("host function threw: ") + e.what()));
    } catch (...) {
      return std::unexpected(Trap("host function threw"));
    }
#else
    return env.callback(args, results);
#endif
  }

  static wasm_trap_t* trampoline(void* e, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
    Env& env = *static_cast<Env*>(e);
    std::vector<Val> in, out;
    for (size_t i = 0; i < args->size; ++i) {
      wasm_val_t v;
      wasm_val_copy(&v, &args->data[i]);
      in.push_back(Val::adopt(v));
    }
    for (ValKind kind : env.results) out.push_back(Val::zero(kind));
    TrapResult<void> r = invoke(env, in, out);
    if (!r) return r.error().toC(env.store);
    for (size_t i = 0; i < results->size && i < out.size(); ++i) results->data[i] = out[i].release();
    return nullptr;
  }

  detail::Copyable<wasm_func_t, wasm_func_delete, wasm_func_copy> func_;
};

inline Val Val::funcref(const std::optional<Func>& func) {
  wasm_ref_t* ref = func ? wasm_func_as_ref(wasm_func_copy(func->raw())) : nullptr;
  return adopt(wasm_val_t{WASM_FUNCREF, {.ref = ref}});
}

inline std::optional<Func> Val::funcref() const {
  if (kind() != ValKind::FuncRef || !v_.of.ref) return std::nullopt;
  return Func(wasm_ref_as_func(wasm_ref_copy(v_.of.ref)));
}

}  // namespace api
}  // namespace strata
