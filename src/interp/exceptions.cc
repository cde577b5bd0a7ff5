// Exception handling in the interpreter: finding the handler of a thrown exception among the
// frames of an activation, and handing an uncaught one to the caller (docs/exceptions.md).
//
// Nothing is unwound eagerly. A throw (or a call whose callee returned an exception) looks up
// the handler tables of the frames of its activation, innermost first, each at the pc where
// that frame is (the throw, or its call instruction), and drops the frames above the one
// that catches in one step: frames own nothing, so dropping them is resetting StoreStack::fsp.
// When no frame of the activation catches, the exception leaves through the array call like a
// trap (spec 4.4.x: an exception propagates to the caller's caller until a handler matches);
// the record carries the exception, so the next activation up, of this tier or another,
// resumes the search at its call site.
#include "interp/frames.h"

namespace strata::interp {

namespace {

// The clause of `fc` at bytecode offset `at` that catches `exn`, or null. Handlers are sorted
// innermost first; a legacy `delegate` skips the handlers nested inside its target label.
const CatchEntry* matchClause(const FuncCode& fc, uint32_t at, const vm::VMContext* vmctx, const vm::VMException* exn) {
  uint32_t max_depth = UINT32_MAX;
  for (const HandlerRange& h : fc.handlers) {
    if (at < h.begin || at >= h.end || h.depth > max_depth) continue;
    if (h.delegate != kNoDelegate) {
      max_depth = h.delegate;
      continue;
    }
    for (uint32_t i = h.first; i < h.first + h.count; ++i) {
      const CatchEntry& c = fc.catches[i];
      // spec 4.4.x try_table: tags match by identity (an imported tag is its exporter's).
      if (c.tag == kCatchAll || vmctx->tags[c.tag] == exn->tag) return &c;
    }
  }
  return nullptr;
}

}  // namespace

bool findHandler(StoreStack* st, Activation* act, const uint8_t* ip, uint8_t* fp, vm::VMContext* vmctx,
                 vm::VMException* exn, Landing& out) {
  for (CallFrame* f = st->fsp; f-- > act->base;) {
    if (f + 1 != st->fsp) {
      // An outer frame is at its call instruction; its frame and instance are in the call frame
      // of its callee.
      ip = (f + 1)->ret_ip - 1;
      fp = (f + 1)->ret_fp;
      vmctx = (f + 1)->ret_vmctx;
    }
    const FuncCode& fc = *f->func;
    const CatchEntry* c = matchClause(fc, uint32_t(ip - fc.code.data()), vmctx, exn);
    if (!c) continue;
    st->fsp = f + 1;
    if (c->sig) rawToSlots(c->sig->params, reinterpret_cast<const uint8_t*>(exn->vals), fp + c->payload);
    if (c->store_exn) {
      wr(fp + c->exn, exn);
      if (c->expose) exn->exposed = 1;
    } else if (!exn->exposed) {
      // A clause that keeps no reference drops the only one to an exception nobody else has
      // seen (a legacy catch's hidden slot dies with its catch body, see builder_exceptions.cc).
      vm::freeException(vmctx->store_ctx, exn);
    }
    out = Landing{fc.code.data() + c->target, fp, vmctx};
    return true;
  }
  return false;
}

bool throwUncaught(StoreStack* st, Activation* act, const uint8_t* ip, vm::VMContext* vmctx, vm::VMException* exn) {
  raiseTrap(st, act, ip, vmctx, vm::TrapKind::UncaughtException);
  vmctx->store_ctx->trap->exception = exn;
  return false;
}

}  // namespace strata::interp
