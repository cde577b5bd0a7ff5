// Thunks for every generated row (see thunks.h), instantiated from the opcode table.
#include "jit/thunks.h"

#include <cstring>
#include <utility>

#include "sem/rows.h"

namespace strata::jit {

namespace {

using namespace sem::rows;  // NOLINT(google-build-using-namespace)

template <class T>
T arg(const uint8_t* args, size_t i) {
  T v;
  std::memcpy(&v, args + 16 * i, sizeof v);
  return v;
}

template <ir::Opcode op, size_t... I>
auto callRow(const uint8_t* args, std::index_sequence<I...>) {
  constexpr const RowInfo& r = row(op);
  constexpr size_t n = sizeof...(I);
  if constexpr (r.imm == ir::Imm::Lane) {
    return Sem<op>::call(Exact<LetterT<r.params[I]>>{arg<LetterT<r.params[I]>>(args, I)}..., Exact<uint8_t>{args[16 * n]});
  } else if constexpr (r.imm == ir::Imm::Shuffle) {
    return Sem<op>::call(Exact<LetterT<r.params[I]>>{arg<LetterT<r.params[I]>>(args, I)}...,
                         Exact<const uint8_t*>{args + 16 * n});
  } else {
    return Sem<op>::call(Exact<LetterT<r.params[I]>>{arg<LetterT<r.params[I]>>(args, I)}...);
  }
}

template <ir::Opcode op>
uint32_t thunk(uint8_t* args) {
  constexpr const RowInfo& r = row(op);
  auto res = callRow<op>(args, std::make_index_sequence<r.params.size()>());
  using R = LetterT<r.results[0]>;
  R value;
  if constexpr (IsTrapOr<decltype(res)>::value) {
    if (res.trapped) return 1 + uint32_t(res.kind);
    value = res.value;
  } else {
    value = res;
  }
  std::memset(args, 0, 16);
  std::memcpy(args, &value, sizeof value);
  return 0;
}

template <ir::Opcode op>
constexpr Thunk thunkOf() {
  if constexpr (isGenerated(op)) return &thunk<op>;
  else return nullptr;
}

template <ir::Opcode op>
constexpr bool mayTrap() {
  if constexpr (isGenerated(op)) {
    constexpr const RowInfo& r = row(op);
    using Res = decltype(callRow<op>(nullptr, std::make_index_sequence<r.params.size()>()));
    return IsTrapOr<Res>::value;
  } else {
    return false;
  }
}

constexpr bool kMayTrap[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) mayTrap<ir::Opcode::name>(),
#include "ir/opcodes.def"
#undef OP
};

constexpr Thunk kThunks[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) thunkOf<ir::Opcode::name>(),
#include "ir/opcodes.def"
#undef OP
};

}  // namespace

Thunk thunkFor(ir::Opcode op) { return kThunks[unsigned(op)]; }
bool thunkMayTrap(ir::Opcode op) { return kMayTrap[unsigned(op)]; }

}  // namespace strata::jit
