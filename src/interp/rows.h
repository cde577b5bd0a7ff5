// Handlers generated from src/ir/opcodes.def: for every fixed-signature numeric row (scalar in
// numeric.h, SIMD in simd.h), the operand layout of each bytecode form and the code that reads
// the operands, calls the row's semantic function and writes the result or branches.
//
// How a row becomes a handler without per-opcode code: kRows is the table as constexpr data;
// Sem<op>::call forwards to the function named like the row (an unqualified, dependent call, so
// it is looked up only for rows that are instantiated, i.e. the numeric ones); genExec<op, form>
// derives the operand types from the row's letters and passes them through Exact<T>, which
// converts only to T, so a semantic function whose signature differs from the row's letters
// fails to compile. dispatch.cc expands one label per (row, form) and the builder one emitter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "interp/sem.h"
#include "sem/rows.h"
#include "interp/bytecode.h"
#include "ir/opcodes.h"

namespace strata::interp {

using sem::rows::RowInfo;
using sem::rows::kRows;
using sem::rows::row;
using sem::rows::isScalarLetter;
using sem::rows::isValueLetter;
using sem::rows::isGenerated;
using sem::rows::LetterT;

constexpr bool allScalar(std::string_view s) {
  for (char c : s)
    if (!isScalarLetter(c)) return false;
  return true;
}

constexpr bool hasForm(ir::Opcode op, Form f) {
  if (!isGenerated(op)) return false;
  const RowInfo& r = row(op);
  bool scalar = r.imm == ir::Imm::None && allScalar(r.params);
  bool binary = scalar && r.params.size() == 2;
  bool test = scalar && r.results == "i" && r.params.size() <= 2;
  switch (f) {
    case Form::Plain: return true;
    case Form::Imm: return binary;
    case Form::BrIf:
    case Form::BrUnless: return test;
    case Form::BrIfImm:
    case Form::BrUnlessImm: return test && binary;
    case Form::Count: break;
  }
  return false;
}

// Bytes a value of the letter's type takes in an immediate (Form::Imm).
constexpr uint32_t letterBytes(char c) { return c == 'l' || c == 'd' ? 8 : c == 'v' ? 16 : 4; }

// Byte positions of a generated instruction's fields after the handler address: the dst slot
// (value forms), the operand slots, the branch displacement (branch forms), then the tail: a
// lane index (4 bytes), a shuffle mask (16 bytes) or the immediate operand (Imm forms). The
// builder writes and the handlers read through this one description.
struct LayoutInfo {
  bool has_dst = false;
  bool imm = false;
  uint32_t slots = 0;  // operand slots
  uint32_t dst = 8, args = 8, rel = 0, tail = 0, tail_bytes = 0, size = 0;
};
constexpr LayoutInfo layoutOf(ir::Opcode op, Form form) {
  const RowInfo& r = row(op);
  LayoutInfo l;
  l.has_dst = form == Form::Plain || form == Form::Imm;
  l.imm = form == Form::Imm || form == Form::BrIfImm || form == Form::BrUnlessImm;
  l.slots = l.imm ? 1 : uint32_t(r.params.size());
  l.args = l.has_dst ? 12 : 8;
  l.rel = l.args + 4 * l.slots;
  l.tail = l.rel + (l.has_dst ? 0 : 4);
  l.tail_bytes = l.imm                        ? letterBytes(r.params[1])
                 : r.imm == ir::Imm::Lane    ? 4
                 : r.imm == ir::Imm::Shuffle ? 16
                                             : 0;
  l.size = l.tail + l.tail_bytes;
  return l;
}

namespace gen {

using sem::rows::Exact;
using sem::rows::IsTrapOr;
using sem::rows::Sem;

template <class T>
inline T load(const uint8_t* fp, Slot s) {
  return rd<T>(fp + s);
}
template <class T>
inline void store(uint8_t* fp, Slot s, T v) {
  wr(fp + s, v);
}

template <ir::Opcode op, Form form>
struct Layout {
  static constexpr LayoutInfo kInfo = layoutOf(op, form);
  static constexpr bool kHasDst = kInfo.has_dst;
  static constexpr bool kImm = kInfo.imm;
  static constexpr uint32_t kDst = kInfo.dst, kArgs = kInfo.args, kRel = kInfo.rel, kTail = kInfo.tail;
  static constexpr uint32_t kSize = kInfo.size;
};

template <ir::Opcode op, Form form, size_t... I>
inline auto callRow(const uint8_t* ip, const uint8_t* fp, std::index_sequence<I...>) {
  using L = Layout<op, form>;
  constexpr const RowInfo& r = row(op);
  if constexpr (L::kImm) {
    using A = LetterT<r.params[0]>;
    using B = LetterT<r.params[1]>;
    return Sem<op>::call(Exact<A>{load<A>(fp, rd<Slot>(ip + L::kArgs))}, Exact<B>{rd<B>(ip + L::kTail)});
  } else if constexpr (r.imm == ir::Imm::Lane) {
    return Sem<op>::call(Exact<LetterT<r.params[I]>>{load<LetterT<r.params[I]>>(fp, rd<Slot>(ip + L::kArgs + 4 * I))}...,
                         Exact<uint8_t>{uint8_t(rd<uint32_t>(ip + L::kTail))});
  } else if constexpr (r.imm == ir::Imm::Shuffle) {
    return Sem<op>::call(Exact<LetterT<r.params[I]>>{load<LetterT<r.params[I]>>(fp, rd<Slot>(ip + L::kArgs + 4 * I))}...,
                         Exact<const uint8_t*>{ip + L::kTail});
  } else {
    return Sem<op>::call(Exact<LetterT<r.params[I]>>{load<LetterT<r.params[I]>>(fp, rd<Slot>(ip + L::kArgs + 4 * I))}...);
  }
}

}  // namespace gen

// Whether the row's semantic function may trap (returns numeric::TrapOr).
template <ir::Opcode op>
constexpr bool genMayTrap() {
  if constexpr (isGenerated(op)) {
    constexpr const RowInfo& r = row(op);
    using Res = decltype(gen::callRow<op, Form::Plain>(nullptr, nullptr, std::make_index_sequence<r.params.size()>()));
    return gen::IsTrapOr<Res>::value;
  } else {
    return false;
  }
}

template <ir::Opcode op, Form form>
constexpr uint32_t genSize() {
  if constexpr (hasForm(op, form)) return gen::Layout<op, form>::kSize;
  else return 0;
}

// Runs one generated instruction at ip: returns the next ip, or null after a trap (kind in tk).
template <ir::Opcode op, Form form>
inline const uint8_t* genExec(const uint8_t* ip, uint8_t* fp, vm::TrapKind& tk) {
  if constexpr (!hasForm(op, form)) {
    __builtin_unreachable();
  } else {
    using L = gen::Layout<op, form>;
    constexpr const RowInfo& r = row(op);
    constexpr size_t n = L::kImm ? 2 : r.params.size();
    auto res = gen::callRow<op, form>(ip, fp, std::make_index_sequence<L::kImm ? 0 : n>());
    using R = LetterT<r.results[0]>;
    R value;
    if constexpr (gen::IsTrapOr<decltype(res)>::value) {
      static_assert(std::is_same_v<decltype(res.value), R>, "semantic function result differs from the row");
      if (res.trapped) [[unlikely]] {
        tk = res.kind;
        return nullptr;
      }
      value = res.value;
    } else {
      static_assert(std::is_same_v<decltype(res), R>, "semantic function result differs from the row");
      value = res;
    }
    if constexpr (L::kHasDst) {
      gen::store(fp, rd<Slot>(ip + L::kDst), value);
      return ip + L::kSize;
    } else {
      bool taken = (value != 0) == (form == Form::BrIf || form == Form::BrIfImm);
      return taken ? ip + rd<Rel>(ip + L::kRel) : ip + L::kSize;
    }
  }
}

}  // namespace strata::interp
