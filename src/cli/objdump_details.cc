// `strata objdump` section details: one block per section, entries listed with their indices.
#include <fmt/core.h>

#include <bit>
#include <string>

#include "cli/objdump.h"
#include "decode/instr.h"

namespace strata::cli {

namespace {

using ir::Module;

std::string join(const std::vector<ir::ValType>& types) {
  std::string s;
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + ir::toString(types[i]);
  return s;
}

std::string renderField(const ir::FieldType& f) {
  std::string t = f.storage.packed == ir::Packed::I8    ? "i8"
                  : f.storage.packed == ir::Packed::I16 ? "i16"
                                                        : ir::toString(f.storage.type);
  return f.mut ? "mut " + t : t;
}

std::string renderSubType(const ir::SubType& t) {
  std::string head;
  if (!t.final_ || t.super) {
    head = t.final_ ? "sub final " : "sub ";
    if (t.super) head += fmt::format("(super {}) ", *t.super);
  }
  switch (t.kind) {
    case ir::CompKind::Func: return head + renderFuncType(t.func);
    case ir::CompKind::Array: return head + "array {" + renderField(t.array.field) + "}";
    case ir::CompKind::Struct: {
      std::string s = head + "struct {";
      for (size_t i = 0; i < t.strct.fields.size(); ++i) s += (i ? ", " : "") + renderField(t.strct.fields[i]);
      return s + "}";
    }
  }
  return head;
}

std::string funcName(const Module& m, uint32_t index) {
  auto it = m.names.functions.find(index);
  return it == m.names.functions.end() ? "" : fmt::format(" <{}>", it->second);
}

std::string renderLimits(const ir::Limits& l) {
  std::string s = fmt::format("initial={}", l.min);
  if (l.max) s += fmt::format(" max={}", *l.max);
  if (l.shared) s += " shared";
  if (l.is64) s += " i64";
  return s;
}

std::string renderTable(const Module& m, const ir::Table& t) {
  std::string s = fmt::format("type={} {}", ir::toString(t.type.elem), renderLimits(t.type.limits));
  if (t.init) s += " - init " + renderConstExpr(m, *t.init);
  return s;
}

std::string renderMemory(const ir::Memory& mem) {
  std::string s = "pages: " + renderLimits(mem.type.limits);
  if (mem.type.page_size_log2 != 16) s += fmt::format(" pagesize={}", uint64_t{1} << mem.type.page_size_log2);
  return s;
}

std::string renderGlobalType(const ir::GlobalType& g) {
  return fmt::format("{} mutable={}", ir::toString(g.type), g.mut ? 1 : 0);
}

const char* modeName(ir::SegmentMode mode) {
  switch (mode) {
    case ir::SegmentMode::Active: return "active";
    case ir::SegmentMode::Passive: return "passive";
    case ir::SegmentMode::Declarative: return "declarative";
  }
  return "?";
}

// "active table=1", "passive": the mode, and for active segments the table or memory.
std::string segmentMode(ir::SegmentMode mode, const char* target, uint32_t index) {
  if (mode != ir::SegmentMode::Active) return modeName(mode);
  return fmt::format("active {}={}", target, index);
}

std::string segmentInit(const Module& m, ir::SegmentMode mode, const ir::ConstExpr& offset) {
  return mode == ir::SegmentMode::Active ? " - init " + renderConstExpr(m, offset) : "";
}

void printTypesAndImports(const Module& m) {
  if (!m.types.empty()) fmt::print("Type[{}]:\n", m.types.size());
  for (const ir::RecGroup& g : m.rec_groups)
    if (g.explicit_rec) fmt::print(" - rec group: types {}..{}\n", g.first, g.first + g.count);
  for (size_t i = 0; i < m.types.size(); ++i) fmt::print(" - type[{}] {}\n", i, renderSubType(m.types[i]));
  if (!m.imports.empty()) fmt::print("Import[{}]:\n", m.imports.size());
  for (const ir::Import& imp : m.imports) {
    std::string what;
    switch (imp.kind) {
      case ir::ExternKind::Func:
        what = fmt::format("sig={}{}", m.functions[imp.index].type_index, funcName(m, imp.index));
        break;
      case ir::ExternKind::Table: what = renderTable(m, m.tables[imp.index]); break;
      case ir::ExternKind::Memory: what = renderMemory(m.memories[imp.index]); break;
      case ir::ExternKind::Global: what = renderGlobalType(m.globals[imp.index].type); break;
      case ir::ExternKind::Tag: what = fmt::format("sig={}", m.tags[imp.index].type.type_index); break;
    }
    fmt::print(" - {}[{}] {} <- {}.{}\n", ir::externKindName(imp.kind), imp.index, what, imp.module, imp.name);
  }
}

void printDefinitions(const Module& m) {
  if (m.functions.size() > m.num_imported_functions)
    fmt::print("Function[{}]:\n", m.functions.size() - m.num_imported_functions);
  for (uint32_t i = m.num_imported_functions; i < m.functions.size(); ++i) {
    uint32_t t = m.functions[i].type_index;
    std::string sig = t < m.types.size() && m.types[t].kind == ir::CompKind::Func ? renderFuncType(m.types[t].func) : "?";
    fmt::print(" - func[{}] sig={} {}{}\n", i, t, sig, funcName(m, i));
  }
  if (m.tables.size() > m.num_imported_tables) fmt::print("Table[{}]:\n", m.tables.size() - m.num_imported_tables);
  for (uint32_t i = m.num_imported_tables; i < m.tables.size(); ++i)
    fmt::print(" - table[{}] {}\n", i, renderTable(m, m.tables[i]));
  if (m.memories.size() > m.num_imported_memories)
    fmt::print("Memory[{}]:\n", m.memories.size() - m.num_imported_memories);
  for (uint32_t i = m.num_imported_memories; i < m.memories.size(); ++i)
    fmt::print(" - memory[{}] {}\n", i, renderMemory(m.memories[i]));
  if (m.tags.size() > m.num_imported_tags) fmt::print("Tag[{}]:\n", m.tags.size() - m.num_imported_tags);
  for (uint32_t i = m.num_imported_tags; i < m.tags.size(); ++i)
    fmt::print(" - tag[{}] sig={}\n", i, m.tags[i].type.type_index);
  if (m.globals.size() > m.num_imported_globals)
    fmt::print("Global[{}]:\n", m.globals.size() - m.num_imported_globals);
  for (uint32_t i = m.num_imported_globals; i < m.globals.size(); ++i)
    fmt::print(" - global[{}] {} - init {}\n", i, renderGlobalType(m.globals[i].type),
               renderConstExpr(m, m.globals[i].init));
  if (!m.exports.empty()) fmt::print("Export[{}]:\n", m.exports.size());
  for (const ir::Export& e : m.exports) {
    std::string name = e.kind == ir::ExternKind::Func ? funcName(m, e.index) : "";
    fmt::print(" - {}[{}]{} -> \"{}\"\n", ir::externKindName(e.kind), e.index, name, e.name);
  }
  if (m.start) fmt::print("Start:\n - start function: {}{}\n", *m.start, funcName(m, *m.start));
}

void printElems(const Module& m) {
  if (!m.elems.empty()) fmt::print("Elem[{}]:\n", m.elems.size());
  for (size_t i = 0; i < m.elems.size(); ++i) {
    const ir::ElemSegment& e = m.elems[i];
    fmt::print(" - segment[{}] {} type={} count={}{}\n", i, segmentMode(e.mode, "table", e.table),
               ir::toString(e.type), e.size(), segmentInit(m, e.mode, e.offset));
    for (uint32_t k = 0; k < e.size(); ++k) {
      if (e.uses_exprs) fmt::print("  - elem[{}] = {}\n", k, renderConstExpr(m, e.exprs[k]));
      else fmt::print("  - elem[{}] = func[{}]{}\n", k, e.func_indices[k], funcName(m, e.func_indices[k]));
    }
  }
}

void hexdump(std::span<const uint8_t> data) {
  constexpr size_t kMaxBytes = 64;  // the first lines are enough to recognise a segment
  for (size_t row = 0; row < data.size() && row < kMaxBytes; row += 16) {
    std::string hex, ascii;
    for (size_t i = row; i < row + 16; ++i) {
      if (i < data.size()) {
        hex += fmt::format("{:02x}{}", data[i], i % 2 ? " " : "");
        ascii += data[i] >= 0x20 && data[i] < 0x7f ? char(data[i]) : '.';
      } else {
        hex += i % 2 ? "   " : "  ";
      }
    }
    fmt::print("  - {:07x}: {} {}\n", row, hex, ascii);
  }
  if (data.size() > kMaxBytes) fmt::print("  - ... ({} more bytes)\n", data.size() - kMaxBytes);
}

void printCodeAndData(const Module& m) {
  if (m.functions.size() > m.num_imported_functions)
    fmt::print("Code[{}]:\n", m.functions.size() - m.num_imported_functions);
  for (uint32_t i = m.num_imported_functions; i < m.functions.size(); ++i)
    fmt::print(" - func[{}] size={} offset=0x{:x}{}\n", i, m.functions[i].body.size, m.functions[i].body.offset,
               funcName(m, i));
  if (m.data_count) fmt::print("DataCount:\n - data count: {}\n", *m.data_count);
  if (!m.datas.empty()) fmt::print("Data[{}]:\n", m.datas.size());
  for (size_t i = 0; i < m.datas.size(); ++i) {
    const ir::DataSegment& d = m.datas[i];
    fmt::print(" - segment[{}] {} size={}{}\n", i, segmentMode(d.mode, "memory", d.memory), d.init.size,
               segmentInit(m, d.mode, d.offset));
    hexdump(m.span(d.init));
  }
}

void printCustomAndNames(const Module& m) {
  for (const ir::CustomSection& c : m.customs)
    fmt::print("Custom:\n - name: \"{}\" size={} after={}\n", c.name, c.content.size, sectionName(c.after_section));
  if (m.names.empty()) return;
  fmt::print("Custom:\n - name: \"name\"\n");
  if (m.names.module) fmt::print(" - module <{}>\n", *m.names.module);
  for (const auto& [func, name] : m.names.functions) fmt::print(" - func[{}] <{}>\n", func, name);
  for (const auto& [func, locals] : m.names.locals)
    for (const auto& [local, name] : locals) fmt::print(" - func[{}] local[{}] <{}>\n", func, local, name);
}

}  // namespace

std::string renderInstr(const decode::Instr& in) {
  const ir::OpcodeInfo& info = ir::opcodeInfo(in.op);
  std::string text(info.text);
  switch (info.imm) {
    case ir::Imm::I32: return fmt::format("{} {}", text, in.i32);
    case ir::Imm::I64: return fmt::format("{} {}", text, in.i64);
    case ir::Imm::F32: return fmt::format("{} {}", text, std::bit_cast<float>(in.f32_bits));
    case ir::Imm::F64: return fmt::format("{} {}", text, std::bit_cast<double>(in.f64_bits));
    case ir::Imm::HeapType: return fmt::format("{} {}", text, ir::toString(in.heap));
    case ir::Imm::MemArg: return in.mem.offset ? fmt::format("{} offset={}", text, in.mem.offset) : text;
    case ir::Imm::Label:
    case ir::Imm::Func:
    case ir::Imm::Global:
    case ir::Imm::Type:
    case ir::Imm::Local: return fmt::format("{} {}", text, in.idx);
    case ir::Imm::StructField:
    case ir::Imm::TypeCount: return fmt::format("{} {} {}", text, in.idx, in.idx2);
    default: return text;
  }
}

std::string renderFuncType(const ir::FuncType& t) {
  return fmt::format("({}) -> {}", join(t.params), t.results.empty() ? "nil" : join(t.results));
}

std::string renderConstExpr(const Module& m, const ir::ConstExpr& e) {
  static const ir::Features kAll = ir::Features::everything();  // only displaying
  decode::InstrReader reader(ByteReader(m.span(e), e.span.offset), kAll);
  std::string out;
  decode::Instr in;
  while (!reader.atEnd()) {
    if (!reader.next(in)) return out + " <bad expression>";
    if (in.op == ir::Opcode::End && reader.atEnd()) break;
    out += (out.empty() ? "" : ", ") + renderInstr(in);
  }
  return out;
}

void printSectionDetails(const Module& m) {
  printTypesAndImports(m);
  printDefinitions(m);
  printElems(m);
  printCodeAndData(m);
  printCustomAndNames(m);
}

}  // namespace strata::cli
