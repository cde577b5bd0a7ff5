// Immediates of plain instructions (spec 6.5), one parser per ir::Imm kind, each writing the
// binary encoding of spec 5.4: there is no per-opcode code here.
#include <algorithm>
#include <bit>

#include <fmt/core.h>

#include "text/module_parser.h"

namespace strata::text {

using ir::Imm;
using ir::Opcode;

namespace {

const char* spaceName(Space s) {
  switch (s) {
    case Space::Type: return "type";
    case Space::Func: return "function";
    case Space::Table: return "table";
    case Space::Memory: return "memory";
    case Space::Global: return "global";
    case Space::Tag: return "tag";
    case Space::Elem: return "elem segment";
    case Space::Data: return "data segment";
    case Space::Count: break;
  }
  return "?";
}

// Natural alignment (spec 6.5.6: the default of `align=`) in bytes' log2, from the keyword:
// the access width follows load/store/rmw/wait (`i64.load32_u`, `v128.load8x8_s`,
// `i32.atomic.rmw8.add_u`), else it is the width of the value type before the dot.
uint32_t naturalAlignLog2(std::string_view kw) {
  uint32_t bits = 0;
  for (std::string_view stem : {"load", "store", "rmw", "wait"}) {
    size_t at = kw.rfind(stem);
    if (at == std::string_view::npos) continue;
    size_t i = at + stem.size();
    uint32_t n = 0, m = 1;
    while (i < kw.size() && kw[i] >= '0' && kw[i] <= '9') n = n * 10 + uint32_t(kw[i++] - '0');
    if (n && i < kw.size() && kw[i] == 'x') {
      m = 0;
      for (++i; i < kw.size() && kw[i] >= '0' && kw[i] <= '9'; ++i) m = m * 10 + uint32_t(kw[i] - '0');
    }
    if (n) bits = n * m;
    break;
  }
  if (bits == 0) {
    if (kw.starts_with("i64") || kw.starts_with("f64")) bits = 64;
    else if (kw.starts_with("v128")) bits = 128;
    else bits = 32;
  }
  return uint32_t(std::countr_zero(bits / 8));
}

constexpr const char* kLaneRange = "malformed lane index: i8 constant out of range";

// spec 6.5.7: every shape's lane count and width.
struct Shape {
  std::string_view name;
  unsigned lanes;
  unsigned bits;
  bool is_float;
};
constexpr Shape kShapes[] = {
    {"i8x16", 16, 8, false}, {"i16x8", 8, 16, false}, {"i32x4", 4, 32, false},
    {"i64x2", 2, 64, false}, {"f32x4", 4, 32, true},  {"f64x2", 2, 64, true},
};

}  // namespace

Result<uint32_t> ModuleParser::index(Space space) {
  if (atId()) {
    const Token& t = peek();
    std::string name = *takeId();
    const IdMap& map = spaces_[size_t(space)];
    auto it = map.ids.find(name);
    if (it == map.ids.end()) return failAt(t, fmt::format("unknown {} ${}", spaceName(space), name));
    return it->second;
  }
  return takeU32();
}

Result<std::optional<uint32_t>> ModuleParser::optIndex(Space space) {
  if (!atIndex()) return std::optional<uint32_t>();
  return std::optional<uint32_t>(STRATA_TRY(index(space)));
}

Result<uint32_t> ModuleParser::labelIndex() {
  if (!atId()) return takeU32();
  const Token& t = peek();
  std::string name = *takeId();
  // spec 6.6.1: the innermost binding of a label id wins (labels may shadow).
  for (size_t i = labels_.size(); i-- > 0;)
    if (labels_[i] && *labels_[i] == name) return uint32_t(labels_.size() - 1 - i);
  return failAt(t, "unknown label $" + name);
}

Result<uint32_t> ModuleParser::localIndex() {
  if (!atId()) return takeU32();
  const Token& t = peek();
  std::string name = *takeId();
  auto it = locals_.ids.find(name);
  if (it == locals_.ids.end()) return failAt(t, "unknown local $" + name);
  return it->second;
}

Result<uint32_t> ModuleParser::fieldIndex(uint32_t type_index) {
  if (!atId()) return takeU32();
  const Token& t = peek();
  std::string name = *takeId();
  if (type_index < field_ids_.size()) {
    auto it = field_ids_[type_index].ids.find(name);
    if (it != field_ids_[type_index].ids.end()) return it->second;
  }
  return failAt(t, "unknown field $" + name);
}

void ModuleParser::writeHeapType(ir::HeapType h) {
  if (h.isAbstract()) w_.u8(uint8_t(h.absKind()));
  else w_.varS64(int64_t(h.typeIndex()));  // s33 (spec 5.3.3)
}

void ModuleParser::writeValType(ir::ValType t) {
  switch (t.kind) {
    case ir::ValKind::I32: w_.u8(0x7f); return;
    case ir::ValKind::I64: w_.u8(0x7e); return;
    case ir::ValKind::F32: w_.u8(0x7d); return;
    case ir::ValKind::F64: w_.u8(0x7c); return;
    case ir::ValKind::V128: w_.u8(0x7b); return;
    case ir::ValKind::Bot: return;
    case ir::ValKind::Ref:
      // spec 5.3.4: nullable abstract references have one-byte shorthands.
      if (t.nullable && t.heap.isAbstract()) {
        w_.u8(uint8_t(t.heap.absKind()));
        return;
      }
      w_.u8(t.nullable ? 0x63 : 0x64);
      writeHeapType(t.heap);
      return;
  }
}

// memidx? offset=n? align=n? (spec 6.5.6, multi-memory); lane instructions add a lane index.
Result<void> ModuleParser::memArg(Opcode op, bool lane) {
  uint32_t memory = 0;
  bool number_is_memory = !lane || kind(1) == TokenKind::Number || text(1).starts_with("offset=") ||
                          text(1).starts_with("align=");
  if (atId() || (atNumber() && number_is_memory)) memory = STRATA_TRY(index(Space::Memory));
  bool is64 = memory < memory_is64_.size() && memory_is64_[memory];  // offsets of 64-bit memories are u64
  uint64_t offset = 0;
  uint32_t align_log2 = naturalAlignLog2(ir::opcodeText(op));
  if (kind() == TokenKind::Keyword && text().starts_with("offset=")) {
    const Token& t = peek();
    bool wide = is64 || features_.has(ir::Feature::Memory64);
    NumError e = parseNat(text().substr(7), wide ? UINT64_MAX : UINT32_MAX, offset);
    if (e == NumError::Range) return failAt(t, wide ? "i64 constant out of range" : "i32 constant out of range");
    if (e != NumError::None) return failAt(t, "unknown operator");
    next();
  }
  if (kind() == TokenKind::Keyword && text().starts_with("align=")) {
    const Token& t = peek();
    uint64_t align = 0;
    NumError e = parseNat(text().substr(6), UINT64_MAX, align);
    if (e != NumError::None) return failAt(t, "unknown operator");
    if (!std::has_single_bit(align)) return failAt(t, "alignment must be a power of two");
    align_log2 = uint32_t(std::countr_zero(align));
    next();
  }
  // spec 5.4.6 (multi-memory): bit 6 of the alignment field says a memory index follows.
  w_.varU32(align_log2 | (memory != 0 ? 0x40 : 0));
  if (memory != 0) w_.varU32(memory);
  w_.varU64(offset);
  if (lane) w_.u8(STRATA_TRY(laneIndex()));
  return {};
}

// A lane index is a nat literal (spec 6.5.7): other tokens are unexpected, and a nat above 255
// gets a message that holds both suites' wording ("malformed lane index" in 2.0, "i8 constant
// out of range" in 3.0).
Result<uint8_t> ModuleParser::laneIndex() {
  const Token& t = peek();
  uint64_t v = 0;
  NumError e = t.kind == TokenKind::Number ? parseNat(text(t), UINT64_MAX, v) : NumError::Syntax;
  if (e == NumError::Syntax) return t.kind == TokenKind::Number ? failAt(t, "unexpected token") : unexpected();
  if (e == NumError::Range || v > 255) return failAt(t, kLaneRange);
  next();
  return uint8_t(v);
}

// The 16 lanes of i8x16.shuffle: here any numeric literal counts as a lane, so that a wrong
// one is a lane error and a missing one a length error, as the spec suite words them.
Result<void> ModuleParser::shuffleLanes() {
  auto atLane = [&] { return atNumber() || atFloatWord(); };
  for (int i = 0; i < 16; ++i) {
    if (!atLane()) return failHere("invalid lane length");
    uint64_t v = 0;
    if (!atNumber() || parseNat(text(), 255, v) != NumError::None) return failHere(kLaneRange);
    next();
    w_.u8(uint8_t(v));
  }
  if (atLane()) return failHere("invalid lane length");
  return {};
}

Result<void> ModuleParser::v128Const() {
  const Token& shape_token = peek();
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes)
    if (atKeyword(s.name)) shape = &s;
  if (!shape) return kind() == TokenKind::Keyword ? failAt(shape_token, "unexpected token") : unexpected();
  next();
  // The lane count is checked before the lanes' values (spec suite order). A keyword counts only
  // as a float literal (inf, nan, nan:0x...): in the flat form the next instruction follows the
  // last lane (`v128.const i64x2 -1 -1 local.set 0`).
  unsigned count = 0;
  while (kind(count) == TokenKind::Number || kind(count) == TokenKind::Reserved || atFloatWord(count)) ++count;
  if (count != shape->lanes) return failAt(peek(std::min(count, shape->lanes)), "wrong number of lane literals");
  for (unsigned i = 0; i < shape->lanes; ++i) {
    uint64_t bits;
    if (!shape->is_float) bits = STRATA_TRY(takeInt(shape->bits));
    else if (shape->bits == 32) bits = STRATA_TRY(takeF32());
    else bits = STRATA_TRY(takeF64());
    for (unsigned b = 0; b < shape->bits / 8; ++b) w_.u8(uint8_t(bits >> (8 * b)));  // little-endian lanes
  }
  return {};
}

Result<void> ModuleParser::tryTableCatches() {
  struct Clause {
    uint8_t kind;
    uint32_t tag, label;
  };
  std::vector<Clause> clauses;
  for (;;) {
    uint8_t k;
    if (atField("catch")) k = 0;
    else if (atField("catch_ref")) k = 1;
    else if (atField("catch_all")) k = 2;
    else if (atField("catch_all_ref")) k = 3;
    else break;
    pos_ += 2;
    Clause c{k, 0, 0};
    if (k < 2) c.tag = STRATA_TRY(index(Space::Tag));
    c.label = STRATA_TRY(labelIndex());
    STRATA_CHECK(expectRParen());
    clauses.push_back(c);
  }
  w_.varU32(uint32_t(clauses.size()));
  for (const Clause& c : clauses) {
    w_.u8(c.kind);
    if (c.kind < 2) w_.varU32(c.tag);
    w_.varU32(c.label);
  }
  return {};
}

// br_on_cast l rt1 rt2 (spec 5.4.1 GC): a flags byte holds both types' nullability.
Result<void> ModuleParser::brOnCast() {
  uint32_t label = STRATA_TRY(labelIndex());
  ir::ValType from = STRATA_TRY(refType());
  ir::ValType to = STRATA_TRY(refType());
  w_.u8(uint8_t((from.nullable ? 1 : 0) | (to.nullable ? 2 : 0)));
  w_.varU32(label);
  writeHeapType(from.heap);
  writeHeapType(to.heap);
  return {};
}

Result<void> ModuleParser::writeIndex(Space space) {
  w_.varU32(STRATA_TRY(index(space)));
  return {};
}

// `table.init t? e` / `memory.init m? d`: the first index is there only if two are; the
// binary has them in the other order (spec 5.4.5, 5.4.6).
Result<void> ModuleParser::optionalFirstIndex(Space first, Space second) {
  uint32_t a = 0;
  if (kind(1) == TokenKind::Id || kind(1) == TokenKind::Number) a = STRATA_TRY(index(first));
  w_.varU32(STRATA_TRY(index(second)));
  w_.varU32(a);
  return {};
}

// `table.copy x? y?` / `memory.copy x? y?`: both default to 0.
Result<void> ModuleParser::optionalIndexPair(Space space) {
  uint32_t a = STRATA_TRY(optIndex(space)).value_or(0);
  uint32_t b = STRATA_TRY(optIndex(space)).value_or(0);
  w_.varU32(a);
  w_.varU32(b);
  return {};
}

Result<void> ModuleParser::immediates(Opcode op, Imm imm) {
  switch (imm) {
    case Imm::None: return {};
    case Imm::BlockType:
    case Imm::TryTable: return unexpected();  // written by the block structure
    case Imm::Label: w_.varU32(STRATA_TRY(labelIndex())); return {};
    case Imm::BrTable: {
      std::vector<uint32_t> targets;
      while (atIndex()) targets.push_back(STRATA_TRY(labelIndex()));
      if (targets.empty()) return unexpected();
      w_.varU32(uint32_t(targets.size() - 1));
      for (uint32_t t : targets) w_.varU32(t);
      return {};
    }
    case Imm::Func: return writeIndex(Space::Func);
    case Imm::CallIndirect: {
      uint32_t table = STRATA_TRY(optIndex(Space::Table)).value_or(0);
      w_.varU32(STRATA_TRY(typeUse(nullptr, /*allow_param_ids=*/false)));
      w_.varU32(table);
      return {};
    }
    case Imm::Type: return writeIndex(Space::Type);
    case Imm::Local: w_.varU32(STRATA_TRY(localIndex())); return {};
    case Imm::Global: return writeIndex(Space::Global);
    case Imm::Table: w_.varU32(STRATA_TRY(optIndex(Space::Table)).value_or(0)); return {};
    case Imm::Memory: w_.varU32(STRATA_TRY(optIndex(Space::Memory)).value_or(0)); return {};
    case Imm::MemArg: return memArg(op, false);
    case Imm::MemArgLane: return memArg(op, true);
    case Imm::I32: w_.varS32(int32_t(uint32_t(STRATA_TRY(takeInt(32))))); return {};
    case Imm::I64: w_.varS64(int64_t(STRATA_TRY(takeInt(64)))); return {};
    case Imm::F32: w_.fixedU32(STRATA_TRY(takeF32())); return {};
    case Imm::F64: w_.fixedU64(STRATA_TRY(takeF64())); return {};
    case Imm::V128: return v128Const();
    case Imm::Lane: w_.u8(STRATA_TRY(laneIndex())); return {};
    case Imm::Shuffle: return shuffleLanes();
    case Imm::HeapType: writeHeapType(STRATA_TRY(heapType())); return {};
    case Imm::SelectT: {
      std::vector<ir::ValType> types;
      while (atField("result")) {
        pos_ += 2;
        STRATA_CHECK(valTypesUntilClose(types));
      }
      w_.varU32(uint32_t(types.size()));
      for (ir::ValType t : types) writeValType(t);
      return {};
    }
    case Imm::Tag: return writeIndex(Space::Tag);
    case Imm::TableInit: return optionalFirstIndex(Space::Table, Space::Elem);
    case Imm::TableCopy: return optionalIndexPair(Space::Table);
    case Imm::Elem: return writeIndex(Space::Elem);
    case Imm::Data: uses_data_count_ = true; return writeIndex(Space::Data);
    case Imm::MemoryInit: uses_data_count_ = true; return optionalFirstIndex(Space::Memory, Space::Data);
    case Imm::MemoryCopy: return optionalIndexPair(Space::Memory);
    case Imm::StructField: {
      uint32_t type = STRATA_TRY(index(Space::Type));
      w_.varU32(type);
      w_.varU32(STRATA_TRY(fieldIndex(type)));
      return {};
    }
    case Imm::TypeType:
      STRATA_CHECK(writeIndex(Space::Type));
      return writeIndex(Space::Type);
    case Imm::TypeData:
      uses_data_count_ = true;
      STRATA_CHECK(writeIndex(Space::Type));
      return writeIndex(Space::Data);
    case Imm::TypeElem:
      STRATA_CHECK(writeIndex(Space::Type));
      return writeIndex(Space::Elem);
    case Imm::TypeCount:
      STRATA_CHECK(writeIndex(Space::Type));
      w_.varU32(STRATA_TRY(takeU32()));
      return {};
    case Imm::RefHeap: writeHeapType(STRATA_TRY(heapType())); return {};
    case Imm::BrOnCast: return brOnCast();
    case Imm::Zero: w_.u8(0); return {};
  }
  return {};
}

}  // namespace strata::text
