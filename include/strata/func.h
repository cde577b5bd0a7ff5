// Functions: wasm exports and host functions, called through one entry that turns traps into values.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "strata/trap.h"
#include "strata/types.h"
#include "strata/val.h"
#include "vm/abi.h"

namespace strata {

class Store;
class Extern;

namespace runtime {
struct InstanceObj;
}

// What a host function sees of its caller: the store, and the exports of the calling instance
// (e.g. its memory "memory", as WASI needs).
class Caller {
 public:
  Caller(Store& store, runtime::InstanceObj* instance) : store_(&store), instance_(instance) {}
  Store& store() const { return *store_; }
  std::optional<Extern> getExport(std::string_view name) const;

 private:
  Store* store_;
  runtime::InstanceObj* instance_;  // null when called from the host directly
};

// A host function: arguments in, results out (results.size() == the type's result count,
// pre-filled with default values). Returning a Trap ends the wasm call that reached it with
// that trap; returning a Trap a nested call produced propagates it with its backtrace.
using HostCallback = std::function<TrapResult<void>(Caller& caller, std::span<const Val> args, std::span<Val> results)>;

// A function reference (a VMFuncRef of some store); default-constructed = null funcref.
class Func {
 public:
  Func() = default;
  // A host function of the given type living in `store`.
  static Func wrap(Store& store, FuncType type, HostCallback callback);
  static Func fromRaw(vm::VMFuncRef* ref) { return Func(ref); }

  // Calls the function with arguments checked against its type. Traps (and host errors) come
  // back as the Trap; a wrong argument count or type is Trap::host("type mismatch: ...").
  TrapResult<std::vector<Val>> call(Store& store, std::span<const Val> args) const;
  TrapResult<std::vector<Val>> call(Store& store, std::initializer_list<Val> args) const {
    return call(store, std::span<const Val>(args.begin(), args.size()));
  }

  FuncType type(const Store& store) const;
  bool isNull() const { return ref_ == nullptr; }
  vm::VMFuncRef* raw() const { return ref_; }
  friend bool operator==(const Func&, const Func&) = default;

 private:
  explicit Func(vm::VMFuncRef* ref) : ref_(ref) {}
  vm::VMFuncRef* ref_ = nullptr;
};

}  // namespace strata
