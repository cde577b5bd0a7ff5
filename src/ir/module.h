// The Module IR: the result of decoding a binary or parsing a .wat, before validation.
// Function bodies and constant expressions stay as byte spans in the binary encoding; each
// consumer (validator, tiers, encoder) reads them lazily with the shared body reader. A text
// module carries the same spans into a buffer the text parser wrote, so both paths agree.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/types.h"
#include "support/rows.h"

namespace strata::ir {

// A range of Module::bytes. For a decoded binary, offset is the absolute file offset.
struct ByteSpan {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// A constant expression (spec 3.3.10): instruction bytes including the terminating `end`.
struct ConstExpr {
  ByteSpan span;
};

struct Function {
  uint32_t type_index = 0;
  bool imported = false;
  ByteSpan body;  // locals + instructions + final `end`, as in the code section entry (spec 5.5.13)
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

struct Table {
  TableType type;
  bool imported = false;
  std::optional<ConstExpr> init;  // typed function references: explicit initializer (0x40 0x00)
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

struct Memory {
  MemoryType type;
  bool imported = false;
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

struct Global {
  GlobalType type;
  bool imported = false;
  ConstExpr init;  // absent (size 0) for imports
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

struct Tag {
  TagType type;
  bool imported = false;
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;  // index in the kind's index space (imports come first there)
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  uint32_t index = 0;
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

enum class SegmentMode : uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  uint32_t table = 0;
  ConstExpr offset;                 // Active only
  ValType type = ValType::funcref();
  bool uses_exprs = false;          // items as expressions (flags 4..7) rather than func indices
  std::vector<uint32_t> func_indices;  // when !uses_exprs
  std::vector<ConstExpr> exprs;        // when uses_exprs
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
  uint32_t size() const { return uses_exprs ? uint32_t(exprs.size()) : uint32_t(func_indices.size()); }
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;  // never Declarative
  uint32_t memory = 0;
  ConstExpr offset;  // Active only
  ByteSpan init;
  uint32_t pos = 0;  // where the entry starts in the source (binary or text byte offset), for messages
};

// Where a custom section stood: after the last known section with this id (0 = before all).
struct CustomSection {
  std::string name;
  ByteSpan content;
  uint8_t after_section = 0;
};

// Decoded `name` custom section (spec 7.4): module, function and local names.
struct Names {
  std::optional<std::string> module;
  std::map<uint32_t, std::string> functions;
  std::map<uint32_t, std::map<uint32_t, std::string>> locals;
  bool empty() const { return !module && functions.empty() && locals.empty(); }
};

struct Module {
  // Backing bytes for every ByteSpan: the whole binary for decoded modules (moved in, not
  // copied, or borrowed from an artifact's mapping), or the encoded bodies and expressions for
  // text modules.
  support::Rows<uint8_t> bytes;
  // Keeps borrowed `bytes` alive (an artifact's mapping); null when the module owns them.
  std::shared_ptr<const void> backing;

  std::vector<SubType> types;
  std::vector<RecGroup> rec_groups;
  std::vector<Import> imports;
  std::vector<Function> functions;  // whole index space: imports first
  std::vector<Table> tables;
  std::vector<Memory> memories;
  std::vector<Global> globals;
  std::vector<Tag> tags;
  std::vector<Export> exports;
  std::optional<uint32_t> start;
  uint32_t start_pos = 0;  // where the start section's index stands
  std::vector<ElemSegment> elems;
  std::vector<DataSegment> datas;
  std::optional<uint32_t> data_count;
  std::vector<CustomSection> customs;
  Names names;
  // Text modules: (offset in `bytes`, offset in the text) of each instruction the parser wrote,
  // sorted by the first, so errors found in bodies point at the source. Empty for binaries.
  std::vector<std::pair<uint32_t, uint32_t>> text_map;

  uint32_t num_imported_functions = 0;
  uint32_t num_imported_tables = 0;
  uint32_t num_imported_memories = 0;
  uint32_t num_imported_globals = 0;
  uint32_t num_imported_tags = 0;

  std::span<const uint8_t> span(ByteSpan s) const { return {bytes.data() + s.offset, s.size}; }
  std::span<const uint8_t> span(ConstExpr e) const { return span(e.span); }
  const FuncType& funcType(uint32_t func_index) const { return types[functions[func_index].type_index].func; }
  const FuncType& tagFuncType(uint32_t tag_index) const { return types[tags[tag_index].type.type_index].func; }
  // For text modules, the text offset of the instruction at or before `byte_offset`.
  uint64_t textOffset(uint64_t byte_offset) const;
  // Append bytes to the backing buffer and return their span (used by the text parser/builders).
  ByteSpan append(std::span<const uint8_t> data);
};

// Whether a value of type t may refer to an object of the GC heap (docs/gc.md). The collector
// finds such references only where a tier records them (the interpreter's frames today), so the
// machine-code tiers hand a module holding them to one that does.
bool holdsGcObjects(const Module& m, ValType t);
// Whether m has GC types, or a signature (params and results of every function, block type and
// tag), global or table that may hold GC objects. Locals are checked per body.
bool usesGcObjects(const Module& m);

}  // namespace strata::ir
