// Decoding of the type section and of the sections that declare entities by type: imports,
// functions, tables, memories, tags and globals (spec 5.3, 5.5.4-5.5.10).
#include <algorithm>

#include "decode/module_decoder.h"

namespace strata::decode::detail {

using ir::Feature;

namespace {

// Binary encodings of composite and subtype forms (spec 5.3.7-5.3.10).
constexpr uint8_t kFuncForm = 0x60;
constexpr uint8_t kStructForm = 0x5f;
constexpr uint8_t kArrayForm = 0x5e;
constexpr uint8_t kSubForm = 0x50;
constexpr uint8_t kSubFinalForm = 0x4f;
constexpr uint8_t kRecForm = 0x4e;

Result<bool> readMutability(ByteReader& r) {
  uint64_t at = r.offset();
  uint8_t b = STRATA_TRY(r.readU8());
  if (b > 1) return malformed(at, "malformed mutability");
  return b == 1;
}

// A limits flag as WebAssembly 2.0 read it: a LEB128 u1 "has maximum", hence its messages.
Result<uint8_t> readLegacyLimitsFlag(ByteReader& r) {
  uint64_t at = r.offset();
  uint8_t b = STRATA_TRY(r.readU8());
  if ((b & 0x7f) > 1) return malformed(at, "integer too large");
  if (b & 0x80) return malformed(at, "integer representation too long");
  return b;
}

}  // namespace

Result<void> ModuleDecoder::resultTypes(ByteReader& r, std::vector<ir::ValType>& out) {
  return readVec(r, out, [&] { return valType(r); });
}

Result<ir::FieldType> ModuleDecoder::fieldType(ByteReader& r) {
  // spec 5.3.8: storage type (value type, or packed i8 0x78 / i16 0x77), then mutability.
  ir::FieldType ft;
  uint64_t at = r.offset();
  uint8_t b = STRATA_TRY(r.peekU8());
  if (b == 0x78 || b == 0x77) {
    STRATA_CHECK(r.skip(1));
    ft.storage.packed = b == 0x78 ? ir::Packed::I8 : ir::Packed::I16;
  } else {
    auto t = valType(r);
    if (!t && t.error().message == "malformed value type") return malformed(at, "malformed storage type");
    ft.storage.type = STRATA_TRY(std::move(t));
  }
  ft.mut = STRATA_TRY(readMutability(r));
  return ft;
}

Result<void> ModuleDecoder::compType(ByteReader& r, ir::SubType& st) {
  uint64_t at = r.offset();
  uint8_t form = STRATA_TRY(r.readU8());
  bool gc = f_.has(Feature::Gc);
  if (form == kFuncForm) {
    st.kind = ir::CompKind::Func;
    STRATA_CHECK(resultTypes(r, st.func.params));
    return resultTypes(r, st.func.results);
  }
  if (gc && form == kStructForm) {
    st.kind = ir::CompKind::Struct;
    return readVec(r, st.strct.fields, [&] { return fieldType(r); });
  }
  if (gc && form == kArrayForm) {
    st.kind = ir::CompKind::Array;
    st.array.field = STRATA_TRY(fieldType(r));
    return {};
  }
  // A continuation bit means a long s7 encoding to the reference interpreter (see readValType).
  if (form & 0x80) return malformed(at, "integer representation too long");
  return malformed(at, gc ? "malformed definition type" : "malformed function type");
}

Result<void> ModuleDecoder::subType(ByteReader& r) {
  // spec 5.3.10: 0x50 (open) or 0x4f (final) with a vector of supertypes, or a bare composite
  // type (final, no supertype).
  ir::SubType& st = m_.types.emplace_back();
  st.pos = uint32_t(r.offset());
  uint8_t b = STRATA_TRY(r.peekU8());
  if (f_.has(Feature::Gc) && (b == kSubForm || b == kSubFinalForm)) {
    STRATA_CHECK(r.skip(1));
    st.final_ = b == kSubFinalForm;
    uint64_t at = r.offset();
    uint32_t n = STRATA_TRY(readLength(r));
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t super = STRATA_TRY(r.readVarU32());
      if (i == 0) st.super = super;
    }
    // spec 3.2.12: at most one supertype. Well-formed, but invalid; the IR holds one.
    if (n > 1) return invalid(at, "multiple supertypes");
  }
  return compType(r, st);
}

Result<void> ModuleDecoder::typeSection(ByteReader& r) {
  // spec 5.5.4: vec(rectype); a rectype is 0x4e vec(subtype) or one subtype (a group of one).
  uint32_t n = STRATA_TRY(readLength(r));
  reserveMore(m_.types, n);
  reserveMore(m_.rec_groups, n);
  for (uint32_t i = 0; i < n; ++i) {
    ir::RecGroup g{uint32_t(m_.types.size()), 1, false};
    uint8_t b = STRATA_TRY(r.peekU8());
    if (f_.has(Feature::Gc) && b == kRecForm) {
      STRATA_CHECK(r.skip(1));
      g.count = STRATA_TRY(readLength(r));
      g.explicit_rec = true;
      for (uint32_t j = 0; j < g.count; ++j) STRATA_CHECK(subType(r));
    } else {
      STRATA_CHECK(subType(r));
    }
    m_.rec_groups.push_back(g);
  }
  return {};
}

Result<ir::Limits> ModuleDecoder::limits(ByteReader& r, bool memory, uint32_t* page_size_log2) {
  // spec 5.3.11 limits flags: bit 0 maximum present, bit 1 shared (threads), bit 2 64-bit
  // addresses (memory64, also for tables), bit 3 custom page size (memories only).
  bool modern = f_.has(Feature::Threads) || f_.has(Feature::Memory64) || f_.has(Feature::CustomPageSizes);
  uint64_t at = r.offset();
  uint8_t flags;
  if (modern) {
    flags = STRATA_TRY(r.readU8());
    uint8_t allowed = 0x01;
    if (f_.has(Feature::Memory64)) allowed |= 0x04;
    if (memory && f_.has(Feature::Threads)) allowed |= 0x02;
    if (memory && f_.has(Feature::CustomPageSizes)) allowed |= 0x08;
    if (flags & ~allowed) return malformed(at, "malformed limits flags");
  } else {
    flags = STRATA_TRY(readLegacyLimitsFlag(r));
  }
  ir::Limits lim;
  lim.is64 = flags & 0x04;
  lim.shared = flags & 0x02;
  // Under memory64 every bound is a u64 (the 3.0 reference reads them so); the validator checks
  // 32-bit limits against their range.
  bool wide = f_.has(Feature::Memory64);
  lim.min = wide ? STRATA_TRY(r.readVarU64()) : STRATA_TRY(r.readVarU32());
  if (flags & 0x01) lim.max = wide ? STRATA_TRY(r.readVarU64()) : STRATA_TRY(r.readVarU32());
  if (flags & 0x08) *page_size_log2 = STRATA_TRY(r.readVarU32());
  return lim;
}

Result<ir::TableType> ModuleDecoder::tableType(ByteReader& r) {
  ir::TableType t;
  t.elem = STRATA_TRY(readRefType(r, f_));
  t.limits = STRATA_TRY(limits(r, false, nullptr));
  return t;
}

Result<ir::MemoryType> ModuleDecoder::memoryType(ByteReader& r) {
  ir::MemoryType t;
  t.limits = STRATA_TRY(limits(r, true, &t.page_size_log2));
  return t;
}

Result<ir::GlobalType> ModuleDecoder::globalType(ByteReader& r) {
  ir::GlobalType t;
  t.type = STRATA_TRY(valType(r));
  t.mut = STRATA_TRY(readMutability(r));
  return t;
}

Result<ir::TagType> ModuleDecoder::tagType(ByteReader& r) {
  // spec 5.3.13: a reserved attribute byte 0x00 (exception), then the function type index.
  uint64_t at = r.offset();
  uint8_t attribute = STRATA_TRY(r.readU8());
  if (attribute != 0) return malformed(at, "zero byte expected");
  return ir::TagType{STRATA_TRY(r.readVarU32())};
}

// The entry an import added to its index space starts where the import does.
void ModuleDecoder::setImportPos(const ir::Import& imp) {
  switch (imp.kind) {
    case ir::ExternKind::Func: m_.functions[imp.index].pos = imp.pos; break;
    case ir::ExternKind::Table: m_.tables[imp.index].pos = imp.pos; break;
    case ir::ExternKind::Memory: m_.memories[imp.index].pos = imp.pos; break;
    case ir::ExternKind::Global: m_.globals[imp.index].pos = imp.pos; break;
    case ir::ExternKind::Tag: m_.tags[imp.index].pos = imp.pos; break;
  }
}

Result<void> ModuleDecoder::importSection(ByteReader& r) {
  // spec 5.5.5: module name, item name, kind byte and the kind's type. Imports come first in
  // each index space.
  uint32_t n = STRATA_TRY(readLength(r));
  reserveMore(m_.imports, n);
  for (uint32_t i = 0; i < n; ++i) {
    ir::Import imp;
    imp.pos = uint32_t(r.offset());
    imp.module = std::string(STRATA_TRY(readUtf8Name(r)));
    imp.name = std::string(STRATA_TRY(readUtf8Name(r)));
    uint64_t at = r.offset();
    uint8_t kind = STRATA_TRY(r.readU8());
    switch (kind) {
      case 0x00:
        imp.index = uint32_t(m_.functions.size());
        m_.functions.push_back(ir::Function{STRATA_TRY(r.readVarU32()), true, {}});
        break;
      case 0x01:
        imp.index = uint32_t(m_.tables.size());
        m_.tables.push_back(ir::Table{STRATA_TRY(tableType(r)), true, std::nullopt});
        break;
      case 0x02:
        imp.index = uint32_t(m_.memories.size());
        m_.memories.push_back(ir::Memory{STRATA_TRY(memoryType(r)), true});
        break;
      case 0x03:
        imp.index = uint32_t(m_.globals.size());
        m_.globals.push_back(ir::Global{STRATA_TRY(globalType(r)), true, {}});
        break;
      case 0x04:
        if (!f_.has(Feature::Exceptions)) return malformed(at, "malformed import kind");
        imp.index = uint32_t(m_.tags.size());
        m_.tags.push_back(ir::Tag{STRATA_TRY(tagType(r)), true});
        break;
      default: return malformed(at, "malformed import kind");
    }
    imp.kind = ir::ExternKind(kind);
    setImportPos(imp);
    m_.imports.push_back(std::move(imp));
  }
  m_.num_imported_functions = uint32_t(m_.functions.size());
  m_.num_imported_tables = uint32_t(m_.tables.size());
  m_.num_imported_memories = uint32_t(m_.memories.size());
  m_.num_imported_globals = uint32_t(m_.globals.size());
  m_.num_imported_tags = uint32_t(m_.tags.size());
  return {};
}

Result<void> ModuleDecoder::functionSection(ByteReader& r) {
  // spec 5.5.6: the type index of each defined function; bodies come with the code section.
  declared_functions_ = STRATA_TRY(readLength(r));
  reserveMore(m_.functions, declared_functions_);
  for (uint32_t i = 0; i < declared_functions_; ++i) {
    uint32_t at = uint32_t(r.offset());
    m_.functions.push_back(ir::Function{STRATA_TRY(r.readVarU32()), false, {}, at});
  }
  return {};
}

Result<void> ModuleDecoder::tableSection(ByteReader& r) {
  // spec 5.5.7: a table type, or (typed function references) 0x40 0x00 tabletype expr with an
  // explicit initializer.
  uint32_t n = STRATA_TRY(readLength(r));
  reserveMore(m_.tables, n);
  for (uint32_t i = 0; i < n; ++i) {
    ir::Table t;
    t.pos = uint32_t(r.offset());
    uint8_t b = STRATA_TRY(r.peekU8());
    if (b == 0x40 && f_.has(Feature::FunctionReferences)) {
      STRATA_CHECK(r.skip(1));
      uint64_t at = r.offset();
      if (STRATA_TRY(r.readU8()) != 0) return malformed(at, "zero byte expected");
      t.type = STRATA_TRY(tableType(r));
      t.init = STRATA_TRY(constExpr(r));
    } else {
      t.type = STRATA_TRY(tableType(r));
    }
    m_.tables.push_back(std::move(t));
  }
  return {};
}

Result<void> ModuleDecoder::memorySection(ByteReader& r) {
  return readVec(r, m_.memories, [&]() -> Result<ir::Memory> { return ir::Memory{STRATA_TRY(memoryType(r)), false}; });
}

Result<void> ModuleDecoder::tagSection(ByteReader& r) {
  return readVec(r, m_.tags, [&]() -> Result<ir::Tag> { return ir::Tag{STRATA_TRY(tagType(r)), false}; });
}

Result<ir::Global> ModuleDecoder::global(ByteReader& r) {
  ir::Global g;
  g.type = STRATA_TRY(globalType(r));
  g.init = STRATA_TRY(constExpr(r));
  return g;
}

Result<void> ModuleDecoder::globalSection(ByteReader& r) {
  return readVec(r, m_.globals, [&] { return global(r); });
}

}  // namespace strata::decode::detail
