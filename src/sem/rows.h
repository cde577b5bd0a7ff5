// The numeric and SIMD rows of src/ir/opcodes.def as constexpr data, and the bridge from a
// row to its semantic function (numeric.h, simd.h): every tier that implements rows
// generically (the interpreter's generated handlers, the JIT's out-of-line thunks) derives the
// operand types from the row's letters here, so a semantic function whose signature differs
// from its row fails to compile in every tier at once.
#pragma once

#include <cstdint>
#include <iterator>
#include <string_view>
#include <type_traits>

#include "ir/opcodes.h"
#include "sem/numeric.h"
#include "sem/simd.h"

namespace strata::sem::rows {

struct RowInfo {
  std::string_view params;
  std::string_view results;
  ir::Imm imm;
  std::string_view text;
  ir::Feature feature;
};

inline constexpr RowInfo kRows[] = {
#define OP(name, prefix, code, text, imm, params, results, feature) {params, results, ir::Imm::imm, text, ir::Feature::feature},
#include "ir/opcodes.def"
#undef OP
};
static_assert(std::size(kRows) == ir::kNumOpcodes);

constexpr const RowInfo& row(ir::Opcode op) { return kRows[unsigned(op)]; }

constexpr bool isScalarLetter(char c) { return c == 'i' || c == 'l' || c == 'f' || c == 'd'; }
constexpr bool isValueLetter(char c) { return isScalarLetter(c) || c == 'v'; }

// A numeric row: fixed operand and result letters (no address type), one result, and no
// immediates other than a lane index or shuffle mask. Everything else is hand-written.
constexpr bool isGenerated(ir::Opcode op) {
  const RowInfo& r = row(op);
  if (r.imm != ir::Imm::None && r.imm != ir::Imm::Lane && r.imm != ir::Imm::Shuffle) return false;
  if (r.params.empty() || r.params == "*" || r.results.size() != 1) return false;
  for (char c : r.params)
    if (!isValueLetter(c)) return false;
  return isValueLetter(r.results[0]);
}

template <char c>
struct LetterType;
template <> struct LetterType<'i'> { using type = uint32_t; };
template <> struct LetterType<'l'> { using type = uint64_t; };
template <> struct LetterType<'f'> { using type = float; };
template <> struct LetterType<'d'> { using type = double; };
template <> struct LetterType<'v'> { using type = simd::V128; };
template <char c>
using LetterT = typename LetterType<c>::type;

// Converts to exactly T and nothing else (see the file comment).
template <class T>
struct Exact {
  T v;
  template <class U>
    requires std::is_same_v<U, T>
  operator U() const { return v; }
};

template <class T>
struct IsTrapOr : std::false_type {};
template <class T>
struct IsTrapOr<numeric::TrapOr<T>> : std::true_type {};

// The lookup scope of the semantic functions: unqualified names find numeric:: and simd::.
using namespace sem::numeric;  // NOLINT(google-build-using-namespace)
using namespace sem::simd;     // NOLINT(google-build-using-namespace)

template <ir::Opcode op>
struct Sem;
#define OP(name, prefix, code, text, imm, params, results, feature)      \
  template <>                                                            \
  struct Sem<ir::Opcode::name> {                                         \
    template <class... A>                                                \
    static auto call(A... a) -> decltype(name(a...)) { return name(a...); } \
  };
#include "ir/opcodes.def"
#undef OP

}  // namespace strata::sem::rows
