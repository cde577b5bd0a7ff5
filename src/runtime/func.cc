// Functions: the host-function trampoline (array call -> HostCallback) and Func::call.
#include "strata/func.h"

#include <algorithm>
#include <exception>

#include "runtime/entry.h"
#include "runtime/store_impl.h"
#include "runtime/values.h"
#include "strata/instance.h"

namespace strata {

namespace runtime {

namespace {

bool failHost(StoreImpl& s, const Trap& trap) {
  s.trap.raise(trap.kind());
  s.trap.message = trap.message();
  s.trap.exit_status = trap.exitStatus();
  if (vm::VMException* exn = trap.exceptionRaw()) {
    // A wasm exception thrown (or let through) by the host: the calling wasm may catch it, so
    // it starts a fresh backtrace, the frames of whoever does not catch it (docs/exceptions.md).
    s.trap.exception = exn;
    return false;
  }
  s.host_frames = trap.frames();
  return false;
}

TrapResult<void> runCallback(HostFuncObj& h, Caller& caller, std::span<const Val> args, std::span<Val> results) {
  try {
    return h.callback(caller, args, results);
  } catch (const std::exception& e) {
    return std::unexpected(Trap::host(std::string("host function threw: ") + e.what()));
  } catch (...) {
    return std::unexpected(Trap::host("host function threw an exception"));
  }
}

// VMFuncRef::array_call of every host function (docs/architecture.md "Calling convention").
bool hostTrampoline(const vm::VMFuncRef* callee, vm::VMContext* caller_ctx, vm::RawVal* vals, size_t nvals) {
  auto* h = static_cast<HostFuncObj*>(const_cast<void*>(callee->code));
  StoreImpl& s = *h->store;
  const TypeRegistry& types = s.engineImpl().types();
  const FuncType& type = h->type;
  std::vector<Val> args;
  args.reserve(type.params.size());
  for (size_t i = 0; i < type.params.size(); ++i) args.push_back(toVal(types, type.params[i], vals[i]));
  std::vector<Val> results;
  results.reserve(type.results.size());
  for (const ValType& t : type.results) results.push_back(toVal(types, t, vm::RawVal{}));

  auto* instance = caller_ctx ? static_cast<InstanceObj*>(caller_ctx->instance) : nullptr;
  Caller caller(*s.owner, instance);
  EntryRecord* entry = currentEntry();
  bool was_in_host = entry && entry->in_host;
  if (entry) entry->in_host = true;
  TrapResult<void> r = runCallback(*h, caller, args, results);
  if (entry) entry->in_host = was_in_host;
  if (!r) return failHost(s, r.error());
  if (!checkVals(types, results, type.results)) {
    return failHost(s, Trap::host("type mismatch: host function results do not match its type"));
  }
  for (size_t i = 0; i < results.size(); ++i) vals[i] = results[i].raw();
  return true;
}

}  // namespace

vm::VMFuncRef* StoreImpl::newHostFunc(FuncType type, HostCallback callback) {
  auto h = std::make_unique<HostFuncObj>();
  h->ref.array_call = hostTrampoline;
  h->ref.code = h.get();
  h->ref.vmctx = &host_ctx;
  h->ref.type_id = engineImpl().types().internFunc(type);
  h->type = std::move(type);
  h->callback = std::move(callback);
  h->store = this;
  host_funcs.push_back(std::move(h));
  return &host_funcs.back()->ref;
}

}  // namespace runtime

std::optional<Extern> Caller::getExport(std::string_view name) const {
  if (!instance_) return std::nullopt;
  return Instance(instance_).getExport(name);
}

Func Func::wrap(Store& store, FuncType type, HostCallback callback) {
  return Func(store.impl().newHostFunc(std::move(type), std::move(callback)));
}

FuncType Func::type(const Store& store) const { return store.impl().engineImpl().types().funcType(ref_->type_id); }

TrapResult<std::vector<Val>> Func::call(Store& store, std::span<const Val> args) const {
  runtime::StoreImpl& s = store.impl();
  if (!ref_) return std::unexpected(Trap(TrapKind::NullFunctionReference));
  if (ref_->vmctx && ref_->vmctx->store_ctx != &s.ctx) {
    return std::unexpected(Trap::host("function used with a store it does not belong to"));
  }
  const runtime::TypeRegistry& types = s.engineImpl().types();
  const FuncType& type = types.funcType(ref_->type_id);
  if (!runtime::checkVals(types, args, type.params)) {
    return std::unexpected(Trap::host("type mismatch: arguments do not match the function's parameters"));
  }
  std::vector<vm::RawVal> vals(std::max<size_t>({type.params.size(), type.results.size(), 1}));
  for (size_t i = 0; i < args.size(); ++i) vals[i] = args[i].raw();
  auto r = runtime::enterWasm(s, ref_, vals.data(), vals.size());
  if (!r) return std::unexpected(std::move(r.error()));
  std::vector<Val> results;
  results.reserve(type.results.size());
  for (size_t i = 0; i < type.results.size(); ++i) results.push_back(runtime::toVal(types, type.results[i], vals[i]));
  return results;
}

}  // namespace strata
