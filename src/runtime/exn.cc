// Exceptions through the API (strata/exn.h) and the Trap of an uncaught exception.
#include "strata/exn.h"

#include "runtime/store_impl.h"
#include "runtime/values.h"
#include "strata/store.h"

namespace strata {

namespace runtime {

// spec 4.4.x: an exception no handler caught ends the call; the embedder sees which tag, and
// reads the payload through Exn::fromTrap.
Trap StoreImpl::uncaught(vm::VMException* exn, std::vector<FrameInfo> frames) {
  exn->exposed = 1;  // the host holds it now: no catch may free it
  const auto* tag = static_cast<const TagObj*>(exn->tag);
  return Trap::uncaughtException(exn, "uncaught exception: tag " + tag->name, std::move(frames));
}

}  // namespace runtime

Result<Exn> Exn::create(Store& store, const Tag& tag, std::span<const Val> payload) {
  runtime::StoreImpl& s = store.impl();
  if (!tag.raw() || tag.raw()->owner != &s) {
    return makeError(ErrorKind::Usage, kNoOffset, "tag used with a store it does not belong to");
  }
  const runtime::TypeRegistry& types = s.engineImpl().types();
  const FuncType& type = types.funcType(tag.raw()->type_id);
  if (!runtime::checkVals(types, payload, type.params)) {
    return makeError(ErrorKind::Usage, kNoOffset, "type mismatch: payload does not match the tag's parameters");
  }
  vm::VMException* exn = vm::newException(&s.ctx, tag.raw(), uint32_t(payload.size()));
  if (!exn) return makeError(ErrorKind::Usage, kNoOffset, vm::kExnOomMessage);
  exn->exposed = 1;
  for (size_t i = 0; i < payload.size(); ++i) exn->vals[i] = payload[i].raw();
  return Exn(exn);
}

Tag Exn::tag() const {
  return Tag(static_cast<runtime::TagObj*>(const_cast<void*>(exn_->tag)));
}

std::vector<Val> Exn::payload(const Store& store) const {
  const runtime::TypeRegistry& types = store.impl().engineImpl().types();
  const FuncType& type = types.funcType(tag().raw()->type_id);
  std::vector<Val> out;
  for (size_t i = 0; i < type.params.size(); ++i) out.push_back(runtime::toVal(types, type.params[i], exn_->vals[i]));
  return out;
}

Trap Exn::toTrap() const {
  return Trap::uncaughtException(exn_, "uncaught exception: tag " + tag().raw()->name);
}

}  // namespace strata
