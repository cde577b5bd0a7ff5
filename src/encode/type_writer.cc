// Binary encodings of types, limits and rec groups (spec 5.3), shortest forms only.
#include "encode/encoder.h"

namespace strata::encode {

using ir::ValKind;

void writeHeapType(ByteWriter& w, ir::HeapType h) {
  // spec 5.3.3: abstract heap types are one-byte negative s33 values; indices are positive s33.
  if (h.isAbstract()) w.u8(uint8_t(h.absKind()));
  else w.varS64(int64_t(h.typeIndex()));
}

void writeValType(ByteWriter& w, ir::ValType t) {
  switch (t.kind) {
    case ValKind::I32: w.u8(0x7f); return;
    case ValKind::I64: w.u8(0x7e); return;
    case ValKind::F32: w.u8(0x7d); return;
    case ValKind::F64: w.u8(0x7c); return;
    case ValKind::V128: w.u8(0x7b); return;
    case ValKind::Ref:
      // spec 5.3.4: (ref null absheaptype) has a one-byte shorthand, the heap type's own code.
      if (t.nullable && t.heap.isAbstract()) {
        w.u8(uint8_t(t.heap.absKind()));
        return;
      }
      w.u8(t.nullable ? 0x63 : 0x64);
      writeHeapType(w, t.heap);
      return;
    case ValKind::Bot:
      break;  // the validator's internal type never reaches a module
  }
  w.u8(0x40);  // unreachable for well-formed modules; keeps the output self-delimiting
}

namespace {

void writeFieldType(ByteWriter& w, const ir::FieldType& f) {
  switch (f.storage.packed) {
    case ir::Packed::I8: w.u8(0x78); break;
    case ir::Packed::I16: w.u8(0x77); break;
    case ir::Packed::None: writeValType(w, f.storage.type); break;
  }
  w.u8(f.mut ? 0x01 : 0x00);
}

void writeCompType(ByteWriter& w, const ir::SubType& t) {
  switch (t.kind) {
    case ir::CompKind::Func:
      w.u8(0x60);
      w.varU32(uint32_t(t.func.params.size()));
      for (ir::ValType p : t.func.params) writeValType(w, p);
      w.varU32(uint32_t(t.func.results.size()));
      for (ir::ValType r : t.func.results) writeValType(w, r);
      return;
    case ir::CompKind::Struct:
      w.u8(0x5f);
      w.varU32(uint32_t(t.strct.fields.size()));
      for (const ir::FieldType& f : t.strct.fields) writeFieldType(w, f);
      return;
    case ir::CompKind::Array:
      w.u8(0x5e);
      writeFieldType(w, t.array.field);
      return;
  }
}

}  // namespace

void writeSubType(ByteWriter& w, const ir::SubType& t) {
  // spec 5.3.8: a bare composite type abbreviates `sub final ε`; use it whenever it applies.
  if (!(t.final_ && !t.super)) {
    w.u8(t.final_ ? 0x4f : 0x50);
    w.varU32(t.super ? 1 : 0);
    if (t.super) w.varU32(*t.super);
  }
  writeCompType(w, t);
}

// Writes the type section's contents: vec(rectype). The vector counts rec groups, not types.
void writeRecGroups(ByteWriter& w, const ir::Module& m) {
  struct Group {
    uint32_t first, count;
    bool explicit_rec;
  };
  std::vector<Group> groups;
  uint32_t next = 0;
  auto single = [&](uint32_t upto) {
    for (; next < upto; ++next) groups.push_back({next, 1, false});
  };
  for (const ir::RecGroup& g : m.rec_groups) {
    if (g.first < next || g.first + g.count > m.types.size()) continue;  // inconsistent: ignore
    single(g.first);
    groups.push_back({g.first, g.count, g.explicit_rec || g.count != 1});
    next = g.first + g.count;
  }
  single(uint32_t(m.types.size()));

  w.varU32(uint32_t(groups.size()));
  for (const Group& g : groups) {
    if (g.explicit_rec) {
      w.u8(0x4e);
      w.varU32(g.count);
    }
    for (uint32_t i = g.first; i < g.first + g.count; ++i) writeSubType(w, m.types[i]);
  }
}

void writeLimits(ByteWriter& w, const ir::Limits& l, uint32_t page_size_log2) {
  // spec 5.3.7 flags: bit 0 max present, bit 1 shared (threads), bit 2 i64 address type
  // (memory64), bit 3 explicit page size (custom-page-sizes).
  bool custom_page = page_size_log2 != 16;
  uint8_t flags = (l.max ? 1 : 0) | (l.shared ? 2 : 0) | (l.is64 ? 4 : 0) | (custom_page ? 8 : 0);
  w.u8(flags);
  w.varU64(l.min);
  if (l.max) w.varU64(*l.max);
  if (custom_page) w.varU32(page_size_log2);
}

void writeTableType(ByteWriter& w, const ir::TableType& t) {
  writeValType(w, t.elem);
  writeLimits(w, t.limits);
}

void writeGlobalType(ByteWriter& w, const ir::GlobalType& t) {
  writeValType(w, t.type);
  w.u8(t.mut ? 0x01 : 0x00);
}

}  // namespace strata::encode
