// Section-by-section binary encoding of a Module (spec 5.5), in the canonical section order.
#include "encode/encoder.h"

#include <algorithm>
#include <array>

namespace strata::encode {

namespace {

using ir::Module;

// Section ids (spec 5.5.2) in the order the binary format requires: tags (13) sit between
// memories and globals, data count (12) between elements and code.
enum SectionId : uint8_t {
  kCustom = 0, kType = 1, kImport = 2, kFunction = 3, kTable = 4, kMemory = 5, kGlobal = 6,
  kExport = 7, kStart = 8, kElem = 9, kCode = 10, kData = 11, kDataCount = 12, kTag = 13,
};
constexpr std::array<uint8_t, 13> kSectionOrder = {kType,   kImport, kFunction, kTable,     kMemory,
                                                   kTag,    kGlobal, kExport,   kStart,     kElem,
                                                   kDataCount, kCode, kData};

void writeExpr(ByteWriter& w, const Module& m, const ir::ConstExpr& e) { w.bytes(m.span(e)); }

void writeImports(ByteWriter& w, const Module& m) {
  w.varU32(uint32_t(m.imports.size()));
  for (const ir::Import& imp : m.imports) {
    w.name(imp.module);
    w.name(imp.name);
    w.u8(uint8_t(imp.kind));
    switch (imp.kind) {
      case ir::ExternKind::Func: w.varU32(m.functions[imp.index].type_index); break;
      case ir::ExternKind::Table: writeTableType(w, m.tables[imp.index].type); break;
      case ir::ExternKind::Memory: {
        const ir::MemoryType& t = m.memories[imp.index].type;
        writeLimits(w, t.limits, t.page_size_log2);
        break;
      }
      case ir::ExternKind::Global: writeGlobalType(w, m.globals[imp.index].type); break;
      case ir::ExternKind::Tag:
        w.u8(0x00);  // spec 5.5.16: tag attribute "exception"
        w.varU32(m.tags[imp.index].type.type_index);
        break;
    }
  }
}

// Writes vec(entries) over the defined (non-imported) entities of one index space.
template <class T, class F>
void writeDefined(ByteWriter& w, const std::vector<T>& all, uint32_t num_imported, F&& each) {
  w.varU32(uint32_t(all.size() - num_imported));
  for (size_t i = num_imported; i < all.size(); ++i) each(all[i]);
}

void writeTables(ByteWriter& w, const Module& m) {
  writeDefined(w, m.tables, m.num_imported_tables, [&](const ir::Table& t) {
    if (t.init) {
      // spec 5.5.6: 0x40 0x00 tabletype expr, a table with an explicit initializer.
      w.u8(0x40);
      w.u8(0x00);
      writeTableType(w, t.type);
      writeExpr(w, m, *t.init);
    } else {
      writeTableType(w, t.type);
    }
  });
}

void writeElem(ByteWriter& w, const Module& m, const ir::ElemSegment& e) {
  // spec 5.5.12: bit 0 passive/declarative, bit 1 explicit table index (active) or declarative
  // (otherwise), bit 2 items as expressions. Flags 0 and 4 leave table 0 and the element type
  // implicit, so they only fit active segments on table 0 of type funcref.
  bool implicit = e.mode == ir::SegmentMode::Active && e.table == 0 &&
                  (!e.uses_exprs || e.type == ir::ValType::funcref());
  uint32_t flags = e.uses_exprs ? 4 : 0;
  if (e.mode == ir::SegmentMode::Passive) flags |= 1;
  else if (e.mode == ir::SegmentMode::Declarative) flags |= 3;
  else if (!implicit) flags |= 2;
  w.varU32(flags);
  if (flags & 2 && e.mode == ir::SegmentMode::Active) w.varU32(e.table);
  if (e.mode == ir::SegmentMode::Active) writeExpr(w, m, e.offset);
  if (!implicit) {
    if (e.uses_exprs) writeValType(w, e.type);
    else w.u8(0x00);  // elemkind funcref
  }
  w.varU32(e.size());
  if (e.uses_exprs) {
    for (const ir::ConstExpr& x : e.exprs) writeExpr(w, m, x);
  } else {
    for (uint32_t f : e.func_indices) w.varU32(f);
  }
}

void writeData(ByteWriter& w, const Module& m, const ir::DataSegment& d) {
  // spec 5.5.14: 0 active on memory 0, 1 passive, 2 active with an explicit memory index.
  if (d.mode == ir::SegmentMode::Passive) {
    w.varU32(1);
  } else if (d.memory == 0) {
    w.varU32(0);
    writeExpr(w, m, d.offset);
  } else {
    w.varU32(2);
    w.varU32(d.memory);
    writeExpr(w, m, d.offset);
  }
  w.varU32(d.init.size);
  w.bytes(m.span(d.init));
}

// Writes the contents of section `id`; returns false when the module has nothing for it.
bool writeSection(ByteWriter& w, const Module& m, uint8_t id) {
  switch (id) {
    case kType:
      if (m.types.empty() && m.rec_groups.empty()) return false;
      writeRecGroups(w, m);
      return true;
    case kImport:
      if (m.imports.empty()) return false;
      writeImports(w, m);
      return true;
    case kFunction:
      if (m.functions.size() == m.num_imported_functions) return false;
      writeDefined(w, m.functions, m.num_imported_functions, [&](const ir::Function& f) { w.varU32(f.type_index); });
      return true;
    case kTable:
      if (m.tables.size() == m.num_imported_tables) return false;
      writeTables(w, m);
      return true;
    case kMemory:
      if (m.memories.size() == m.num_imported_memories) return false;
      writeDefined(w, m.memories, m.num_imported_memories,
                   [&](const ir::Memory& mem) { writeLimits(w, mem.type.limits, mem.type.page_size_log2); });
      return true;
    case kTag:
      if (m.tags.size() == m.num_imported_tags) return false;
      writeDefined(w, m.tags, m.num_imported_tags, [&](const ir::Tag& t) {
        w.u8(0x00);
        w.varU32(t.type.type_index);
      });
      return true;
    case kGlobal:
      if (m.globals.size() == m.num_imported_globals) return false;
      writeDefined(w, m.globals, m.num_imported_globals, [&](const ir::Global& g) {
        writeGlobalType(w, g.type);
        writeExpr(w, m, g.init);
      });
      return true;
    case kExport:
      if (m.exports.empty()) return false;
      w.varU32(uint32_t(m.exports.size()));
      for (const ir::Export& e : m.exports) {
        w.name(e.name);
        w.u8(uint8_t(e.kind));
        w.varU32(e.index);
      }
      return true;
    case kStart:
      if (!m.start) return false;
      w.varU32(*m.start);
      return true;
    case kElem:
      if (m.elems.empty()) return false;
      w.varU32(uint32_t(m.elems.size()));
      for (const ir::ElemSegment& e : m.elems) writeElem(w, m, e);
      return true;
    case kDataCount:
      if (!m.data_count) return false;
      w.varU32(*m.data_count);
      return true;
    case kCode:
      if (m.functions.size() == m.num_imported_functions) return false;
      writeDefined(w, m.functions, m.num_imported_functions, [&](const ir::Function& f) {
        w.varU32(f.body.size);  // spec 5.5.13: each entry is prefixed by its byte size
        w.bytes(m.span(f.body));
      });
      return true;
    case kData:
      if (m.datas.empty()) return false;
      w.varU32(uint32_t(m.datas.size()));
      for (const ir::DataSegment& d : m.datas) writeData(w, m, d);
      return true;
    default:
      return false;
  }
}

void emitSection(ByteWriter& out, uint8_t id, const std::vector<uint8_t>& contents) {
  out.u8(id);
  out.varU32(uint32_t(contents.size()));
  out.bytes(contents);
}

void emitCustom(ByteWriter& out, std::string_view name, std::span<const uint8_t> content) {
  std::vector<uint8_t> body;
  ByteWriter b(body);
  b.name(name);
  b.bytes(content);
  emitSection(out, kCustom, body);
}

void emitCustomsAfter(ByteWriter& out, const Module& m, uint8_t after) {
  for (const ir::CustomSection& c : m.customs)
    if (c.after_section == after) emitCustom(out, c.name, m.span(c.content));
}

}  // namespace

std::vector<uint8_t> encodeModule(const Module& m) {
  std::vector<uint8_t> bytes;
  ByteWriter out(bytes);
  out.bytes(std::array<uint8_t, 8>{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});  // magic, version 1
  emitCustomsAfter(out, m, 0);
  std::vector<uint8_t> contents;
  for (uint8_t id : kSectionOrder) {
    contents.clear();
    ByteWriter w(contents);
    if (writeSection(w, m, id)) emitSection(out, id, contents);
    // spec 7.4.1: the name section belongs after the data section.
    if (id == kData && !m.names.empty()) emitCustom(out, "name", encodeNameSection(m.names));
    emitCustomsAfter(out, m, id);
  }
  // A position this encoder does not know (a future section id): keep the section, at the end.
  for (const ir::CustomSection& c : m.customs) {
    bool known = c.after_section == 0 ||
                 std::find(kSectionOrder.begin(), kSectionOrder.end(), c.after_section) != kSectionOrder.end();
    if (!known) emitCustom(out, c.name, m.span(c.content));
  }
  return bytes;
}

}  // namespace strata::encode
