// Types in the text format (spec 6.4): value, heap and reference types, type definitions with
// rec/sub/struct/array, limits, and type uses that find or append a function type (6.6.4).
#include <utility>

#include "text/module_parser.h"

namespace strata::text {

using ir::AbsHeap;
using ir::HeapType;
using ir::ValType;

namespace {

std::optional<AbsHeap> absHeapFromText(std::string_view kw) {
  static constexpr std::pair<std::string_view, AbsHeap> kHeaps[] = {
      {"func", AbsHeap::Func},     {"extern", AbsHeap::Extern},     {"any", AbsHeap::Any},
      {"eq", AbsHeap::Eq},         {"i31", AbsHeap::I31},           {"struct", AbsHeap::Struct},
      {"array", AbsHeap::Array},   {"none", AbsHeap::None},         {"nofunc", AbsHeap::NoFunc},
      {"noextern", AbsHeap::NoExtern}, {"exn", AbsHeap::Exn},       {"noexn", AbsHeap::NoExn},
  };
  for (auto [text, heap] : kHeaps)
    if (text == kw) return heap;
  return std::nullopt;
}

// The `<heap>ref` abbreviations for nullable abstract references (spec 6.4.2).
std::optional<ValType> refShorthand(std::string_view kw) {
  if (kw.size() <= 3 || !kw.ends_with("ref")) return std::nullopt;
  std::string_view heap = kw.substr(0, kw.size() - 3);
  if (heap == "null") return ValType::ref(HeapType::abs(AbsHeap::None), true);
  if (heap == "nullfunc") return ValType::ref(HeapType::abs(AbsHeap::NoFunc), true);
  if (heap == "nullextern") return ValType::ref(HeapType::abs(AbsHeap::NoExtern), true);
  if (heap == "nullexn") return ValType::ref(HeapType::abs(AbsHeap::NoExn), true);
  auto abs = absHeapFromText(heap);
  if (!abs || *abs == AbsHeap::None || *abs == AbsHeap::NoFunc || *abs == AbsHeap::NoExtern || *abs == AbsHeap::NoExn)
    return std::nullopt;
  return ValType::ref(HeapType::abs(*abs), true);
}

}  // namespace

Result<HeapType> ModuleParser::heapType() {
  if (kind() == TokenKind::Keyword) {
    if (auto abs = absHeapFromText(text())) {
      next();
      return HeapType::abs(*abs);
    }
    return unexpected();
  }
  return HeapType::index(STRATA_TRY(index(Space::Type)));
}

Result<ValType> ModuleParser::refType() {
  if (kind() == TokenKind::Keyword) {
    if (auto t = refShorthand(text())) {
      next();
      return *t;
    }
    return unexpected();
  }
  STRATA_CHECK(expectField("ref"));
  bool nullable = false;
  if (atKeyword("null")) {
    next();
    nullable = true;
  }
  HeapType heap = STRATA_TRY(heapType());
  STRATA_CHECK(expectRParen());
  return ValType::ref(heap, nullable);
}

Result<ValType> ModuleParser::valType() {
  if (kind() == TokenKind::Keyword) {
    std::string_view kw = text();
    std::optional<ValType> t;
    if (kw == "i32") t = ValType::i32();
    else if (kw == "i64") t = ValType::i64();
    else if (kw == "f32") t = ValType::f32();
    else if (kw == "f64") t = ValType::f64();
    else if (kw == "v128") t = ValType::v128();
    if (t) {
      next();
      return *t;
    }
  }
  return refType();
}

Result<void> ModuleParser::valTypesUntilClose(std::vector<ValType>& out) {
  while (!atRParen()) out.push_back(STRATA_TRY(valType()));
  return expectRParen();
}

// spec 6.4.7 (storage types): i8 | i16 | valtype, optionally inside (mut ...).
Result<ir::FieldType> ModuleParser::fieldType() {
  ir::FieldType ft;
  bool mut = atField("mut");
  if (mut) {
    pos_ += 2;
    ft.mut = true;
  }
  if (atKeyword("i8") || atKeyword("i16")) {
    ft.storage.packed = atKeyword("i8") ? ir::Packed::I8 : ir::Packed::I16;
    next();
  } else {
    ft.storage.type = STRATA_TRY(valType());
  }
  if (mut) STRATA_CHECK(expectRParen());
  return ft;
}

Result<InlineSig> ModuleParser::inlineSig(bool allow_param_ids) {
  InlineSig sig;
  while (atField("param")) {
    pos_ += 2;
    sig.written = true;
    if (atId()) {
      if (!allow_param_ids) return unexpected();
      sig.param_ids.push_back(takeId());
      sig.type.params.push_back(STRATA_TRY(valType()));
      STRATA_CHECK(expectRParen());
      continue;
    }
    size_t before = sig.type.params.size();
    STRATA_CHECK(valTypesUntilClose(sig.type.params));
    sig.param_ids.resize(sig.param_ids.size() + sig.type.params.size() - before);
  }
  while (atField("result")) {
    pos_ += 2;
    sig.written = true;
    STRATA_CHECK(valTypesUntilClose(sig.type.results));
  }
  return sig;
}

// At `(func ...)`, `(struct ...)` or `(array ...)` (spec 6.4.8).
Result<void> ModuleParser::compType(ir::SubType& sub, uint32_t type_index) {
  STRATA_CHECK(expectLParen());
  if (atKeyword("func")) {
    next();
    sub.kind = ir::CompKind::Func;
    InlineSig sig = STRATA_TRY(inlineSig(/*allow_param_ids=*/true));
    sub.func = std::move(sig.type);
  } else if (atKeyword("struct")) {
    next();
    sub.kind = ir::CompKind::Struct;
    IdMap& names = field_ids_[type_index];
    while (atField("field")) {
      pos_ += 2;
      if (atId()) {
        const Token& tok = peek();
        std::string name = *takeId();
        if (!names.ids.emplace(name, uint32_t(sub.strct.fields.size())).second)
          return failAt(tok, "duplicate field $" + name);
        sub.strct.fields.push_back(STRATA_TRY(fieldType()));
      } else {
        while (!atRParen()) sub.strct.fields.push_back(STRATA_TRY(fieldType()));
      }
      STRATA_CHECK(expectRParen());
    }
  } else if (atKeyword("array")) {
    next();
    sub.kind = ir::CompKind::Array;
    sub.array.field = STRATA_TRY(fieldType());
  } else {
    return unexpected();
  }
  return expectRParen();
}

// At `(type $id? subtype)` (spec 6.6.3): subtype is a comptype or (sub final? x* comptype).
Result<void> ModuleParser::parseTypeDef() {
  ir::SubType sub;
  sub.pos = peek().offset;
  STRATA_CHECK(expectField("type"));
  takeId();  // bound by the scan
  uint32_t type_index = uint32_t(m_.types.size());
  if (field_ids_.size() <= type_index) field_ids_.resize(type_index + 1);  // the scan stopped early
  if (atField("sub")) {
    pos_ += 2;
    sub.final_ = false;
    if (atKeyword("final")) {
      next();
      sub.final_ = true;
    }
    // spec 3.0 allows at most one supertype; more is a validation error the IR cannot hold.
    while (atIndex()) {
      const Token& tok = peek();
      uint32_t super = STRATA_TRY(index(Space::Type));
      if (sub.super) return failAt(tok, "multiple supertypes");
      sub.super = super;
    }
    STRATA_CHECK(compType(sub, type_index));
    STRATA_CHECK(expectRParen());
  } else {
    STRATA_CHECK(compType(sub, type_index));
  }
  m_.types.push_back(std::move(sub));
  return expectRParen();
}

// Pass over the module's type and rec fields before all others, so every explicit type has
// its index before type uses append implicit ones (spec 6.6.4: "at the end of the module").
Result<void> ModuleParser::parseTypeFields(size_t end) {
  field_ids_.resize(spaces_[size_t(Space::Type)].count);
  seek(fields_start_);
  while (pos() < end) {
    if (atField("type")) {
      m_.rec_groups.push_back({uint32_t(m_.types.size()), 1, false});
      STRATA_CHECK(parseTypeDef());
    } else if (atField("rec")) {
      pos_ += 2;
      ir::RecGroup group{uint32_t(m_.types.size()), 0, true};
      while (atField("type")) {
        STRATA_CHECK(parseTypeDef());
        ++group.count;
      }
      STRATA_CHECK(expectRParen());
      m_.rec_groups.push_back(group);
    } else if (atLParen()) {
      skipForm();
    } else {
      break;  // not a field: the field parser reports it in source order
    }
  }
  return {};
}

uint32_t ModuleParser::findOrAddFuncType(const ir::FuncType& ft) {
  // spec 6.6.4 (3.0): the smallest index whose recursion group is the singleton
  // (rec (type (sub final (func ft)))).
  for (const ir::RecGroup& g : m_.rec_groups) {
    if (g.count != 1) continue;
    const ir::SubType& t = m_.types[g.first];
    if (t.kind == ir::CompKind::Func && t.final_ && !t.super && t.func == ft) return g.first;
  }
  uint32_t index = uint32_t(m_.types.size());
  ir::SubType sub;
  sub.func = ft;
  m_.types.push_back(std::move(sub));
  m_.rec_groups.push_back({index, 1, false});
  field_ids_.emplace_back();
  return index;
}

Result<uint32_t> ModuleParser::typeUse(InlineSig* sig_out, bool allow_param_ids) {
  std::optional<uint32_t> explicit_index;
  const Token& start = peek();
  if (atField("type")) {
    pos_ += 2;
    explicit_index = STRATA_TRY(index(Space::Type));
    STRATA_CHECK(expectRParen());
  }
  InlineSig sig = STRATA_TRY(inlineSig(allow_param_ids));
  if (atField("param")) return malformed(peek(1).offset, "unexpected token");  // params after results
  uint32_t result;
  if (explicit_index) {
    result = *explicit_index;
    // Inline declarations are checked against the type, which must exist for that; a bare
    // undefined index is the validator's to report ("unknown type" as invalid).
    if (result >= m_.types.size() && sig.written) return failAt(start, "unknown type");
    bool is_func = result < m_.types.size() && m_.types[result].kind == ir::CompKind::Func;
    if (sig.written) {
      // spec 6.6.4: inline declarations must repeat the referenced type exactly.
      if (!is_func || m_.types[result].func != sig.type) return failAt(start, "inline function type");
    } else if (is_func) {
      sig.type = m_.types[result].func;
      sig.param_ids.assign(sig.type.params.size(), std::nullopt);
    }
  } else {
    result = findOrAddFuncType(sig.type);
  }
  if (sig_out) *sig_out = std::move(sig);
  return result;
}

bool ModuleParser::atAddrType(bool& is64) {
  if (!features_.has(ir::Feature::Memory64)) return false;
  if (atKeyword("i64") || atKeyword("i32")) {
    is64 = atKeyword("i64");
    next();
    return true;
  }
  return false;
}

// spec 6.4.10: min max?. With memory64 they are read as u64 even for 32-bit address types,
// so oversized limits reach the validator ("memory size", "table size") as 3.0 expects;
// the 2.0 grammar has u32 limits.
Result<ir::Limits> ModuleParser::limits(bool is64) {
  ir::Limits l;
  l.is64 = is64;
  l.min = STRATA_TRY(addressLiteral(is64));
  if (atNumber()) l.max = STRATA_TRY(addressLiteral(is64));
  return l;
}

Result<uint64_t> ModuleParser::addressLiteral(bool is64) {
  bool wide = is64 || features_.has(ir::Feature::Memory64);
  const Token& t = peek();
  Result<uint64_t> v = takeNat(wide ? UINT64_MAX : UINT32_MAX);
  if (!v && atNumber() && v.error().message == "constant out of range")
    return failAt(t, wide ? "i64 constant out of range" : "i32 constant out of range");
  return v;
}

}  // namespace strata::text
