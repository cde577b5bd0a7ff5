// Module fields (spec 6.6): an identifier scan binds every id first (so uses may precede
// definitions), then types, then the other fields in order, with their abbreviations.
//
// Why three passes over the fields. The text lets a field use an id defined further down
// (`call $f` before `(func $f)`, `(ref $t)` inside a recursive group), so a scan first binds
// every id of every index space, counting imports and the segments that abbreviations define
// in source order: since imports must precede definitions ("import after function"), the
// order of appearance is the index order. Types are parsed next, all of them, because a type
// use without a matching definition appends a new type "at the end of the module" (spec
// 6.6.4), i.e. after every explicit one however late it is written. The remaining fields are
// then parsed in order, writing bodies and constant expressions in the binary encoding into
// Module::bytes. The scan reports only what it owns (duplicate ids, import order) and stops
// quietly at anything malformed, so that the last pass reports the first error in the text,
// which is the one the spec suite expects.
#include "text/module_parser.h"

#include <fmt/core.h>

#include <bit>

namespace strata::text {

using ir::ExternKind;

namespace {

const char* duplicateName(Space s) {
  switch (s) {
    case Space::Type: return "type";
    case Space::Func: return "func";
    case Space::Table: return "table";
    case Space::Memory: return "memory";
    case Space::Global: return "global";
    case Space::Tag: return "tag";
    case Space::Elem: return "elem";
    case Space::Data: return "data";
    case Space::Count: break;
  }
  return "?";
}

std::optional<Space> importableSpace(std::string_view kw) {
  if (kw == "func") return Space::Func;
  if (kw == "table") return Space::Table;
  if (kw == "memory") return Space::Memory;
  if (kw == "global") return Space::Global;
  if (kw == "tag") return Space::Tag;
  return std::nullopt;
}

ExternKind externKind(Space s) {
  switch (s) {
    case Space::Table: return ExternKind::Table;
    case Space::Memory: return ExternKind::Memory;
    case Space::Global: return ExternKind::Global;
    case Space::Tag: return ExternKind::Tag;
    default: return ExternKind::Func;
  }
}

// The spec suite's word for a definition that an import may not follow (spec 6.6.13).
const char* definitionWord(Space s) {
  switch (s) {
    case Space::Func: return "function";
    case Space::Table: return "table";
    case Space::Memory: return "memory";
    case Space::Global: return "global";
    default: return "tag";
  }
}

bool atRefTypeStart(const Cursor& c) {
  return (c.kind() == TokenKind::Keyword && c.text().ends_with("ref")) || c.atField("ref");
}

}  // namespace

Result<ir::Module> ModuleParser::parseFields(size_t end, std::optional<std::string> module_id) {
  fields_start_ = uint32_t(pos());
  STRATA_CHECK(scanFields(end));
  STRATA_CHECK(parseTypeFields(end));
  seek(fields_start_);
  while (pos() < end) STRATA_CHECK(parseField());
  if (uses_data_count_) m_.data_count = uint32_t(m_.datas.size());
  m_.names.module = std::move(module_id);
  return std::move(m_);
}

// ---- Pass 1: bind ids and count each index space; imports must precede definitions.

Result<void> ModuleParser::defineId(Space space, const std::optional<std::string>& id, size_t token) {
  IdMap& map = spaces_[size_t(space)];
  if (id && !map.ids.emplace(*id, map.count).second)
    return failAt(toks_->tokens[token], fmt::format("duplicate {} ${}", duplicateName(space), *id));
  ++map.count;
  return {};
}

// Malformed structure stops the scan quietly: the field parser meets it in source order and
// reports it there, as the spec suite expects the first error in the text.
Result<void> ModuleParser::scanFields(size_t end) {
  std::optional<Space> defined;  // the first definition seen: imports may not follow it
  while (pos() < end && atLParen() && kind(1) == TokenKind::Keyword) {
    size_t after = afterForm();
    std::string_view kw = text(1);
    pos_ += 2;
    if (kw == "type") {
      size_t at = pos();
      STRATA_CHECK(defineId(Space::Type, takeId(), at));
    } else if (kw == "rec") {
      while (atField("type")) {
        size_t type_end = afterForm();
        pos_ += 2;
        size_t at = pos();
        STRATA_CHECK(defineId(Space::Type, takeId(), at));
        seek(type_end);
      }
    } else if (kw == "import") {
      size_t at = pos() - 2;
      if (defined) return failAt(toks_->tokens[at], fmt::format("import after {}", definitionWord(*defined)));
      if (!atString() || kind(1) != TokenKind::String || kind(2) != TokenKind::LParen) break;
      pos_ += 3;
      auto space = importableSpace(text());
      if (!space) break;
      next();
      size_t id_at = pos();
      STRATA_CHECK(defineId(*space, takeId(), id_at));
      if (*space == Space::Memory) memory_is64_.push_back(atKeyword("i64"));
    } else if (auto space = importableSpace(kw)) {
      STRATA_CHECK(scanImportable(*space, after, defined));
    } else if (kw == "elem" || kw == "data") {
      size_t at = pos();
      STRATA_CHECK(defineId(kw == "elem" ? Space::Elem : Space::Data, takeId(), at));
    }
    seek(after);  // other fields bind no ids; unknown ones are reported by the field parser
  }
  return {};
}

// A func/table/memory/global/tag field: its id, whether it is an inline import, and the
// segments its abbreviations define (table (elem ...), memory (data ...)).
Result<void> ModuleParser::scanImportable(Space space, size_t after, std::optional<Space>& defined) {
  size_t field_token = pos() - 2;
  size_t id_at = pos();
  STRATA_CHECK(defineId(space, takeId(), id_at));
  while (atField("export")) skipForm();
  bool imported = atField("import");
  if (imported) {
    if (defined)
      return failAt(toks_->tokens[field_token], fmt::format("import after {}", definitionWord(*defined)));
    skipForm();
  } else if (!defined) {
    defined = space;
  }
  if (space == Space::Memory) memory_is64_.push_back(atKeyword("i64"));
  if (imported || (space != Space::Table && space != Space::Memory)) return {};
  // The abbreviation's segment takes the next index in its space (spec 6.6.6, 6.6.7).
  while (pos() < after && kind() != TokenKind::Eof) {
    if (atField(space == Space::Table ? "elem" : "data")) {
      ++spaces_[size_t(space == Space::Table ? Space::Elem : Space::Data)].count;
      break;
    }
    if (atLParen()) skipForm();
    else next();
  }
  return {};
}

// ---- Pass 2: the fields.

Result<void> ModuleParser::parseField() {
  field_pos_ = peek().offset;
  if (!atLParen()) return unexpected();
  if (kind(1) != TokenKind::Keyword) {
    next();
    return unexpected();
  }
  std::string_view kw = text(1);
  if (kw == "type" || kw == "rec") {
    skipForm();
    return {};
  }
  if (kw == "import") return parseImport();
  if (kw == "func") return parseFunc();
  if (kw == "table") return parseTable();
  if (kw == "memory") return parseMemory();
  if (kw == "global") return parseGlobal();
  if (kw == "tag") return parseTag();
  if (kw == "export") return parseExport();
  if (kw == "start") return parseStart();
  if (kw == "elem") return parseElem();
  if (kw == "data") return parseData();
  next();
  return unexpected();
}

Result<void> ModuleParser::inlineExports(ExternKind kind, uint32_t index) {
  while (atField("export")) {
    uint32_t at = peek().offset;
    pos_ += 2;
    m_.exports.push_back({STRATA_TRY(takeName()), kind, index, at});
    STRATA_CHECK(expectRParen());
  }
  return {};
}

Result<ImportNames> ModuleParser::inlineImport() {
  if (!atField("import")) return ImportNames();
  pos_ += 2;
  std::string module = STRATA_TRY(takeName());
  std::string name = STRATA_TRY(takeName());
  STRATA_CHECK(expectRParen());
  return ImportNames(std::pair(std::move(module), std::move(name)));
}

// Lists the field's import, if it is one, and counts it among its kind's imports, which
// come first in each index space (spec 2.5.1).
bool ModuleParser::recordImport(ImportNames& names, ExternKind kind, uint32_t index) {
  if (!names) return false;
  m_.imports.push_back({std::move(names->first), std::move(names->second), kind, index, field_pos_});
  switch (kind) {
    case ExternKind::Func: ++m_.num_imported_functions; break;
    case ExternKind::Table: ++m_.num_imported_tables; break;
    case ExternKind::Memory: ++m_.num_imported_memories; break;
    case ExternKind::Global: ++m_.num_imported_globals; break;
    case ExternKind::Tag: ++m_.num_imported_tags; break;
  }
  return true;
}

// (import "m" "n" (kind $id? desc)): the same as the inline form `(kind $id? (import ...) desc)`,
// so the descriptor is parsed by the field parser with the names handed over.
Result<void> ModuleParser::parseImport() {
  pos_ += 2;
  std::string module = STRATA_TRY(takeName());
  std::string name = STRATA_TRY(takeName());
  pending_import_ = std::pair(std::move(module), std::move(name));
  if (!atLParen()) return unexpected();
  std::string_view kw = kind(1) == TokenKind::Keyword ? text(1) : "";
  if (kw == "func") STRATA_CHECK(parseFunc());
  else if (kw == "table") STRATA_CHECK(parseTable());
  else if (kw == "memory") STRATA_CHECK(parseMemory());
  else if (kw == "global") STRATA_CHECK(parseGlobal());
  else if (kw == "tag") STRATA_CHECK(parseTag());
  else return malformed(peek(1).offset, "unexpected token");
  return expectRParen();
}

// The inline import of a field, or the names of an enclosing (import ...) field.
Result<ImportNames> ModuleParser::fieldImport(ExternKind kind, uint32_t index) {
  if (pending_import_) {
    auto names = std::move(pending_import_);
    pending_import_.reset();
    return names;
  }
  STRATA_CHECK(inlineExports(kind, index));
  return inlineImport();
}

Result<void> ModuleParser::parseFunc() {
  pos_ += 2;
  std::optional<std::string> id = takeId();
  uint32_t index = uint32_t(m_.functions.size());
  if (id) m_.names.functions[index] = *id;
  auto import = STRATA_TRY(fieldImport(ExternKind::Func, index));
  InlineSig sig;
  uint32_t type = STRATA_TRY(typeUse(&sig, /*allow_param_ids=*/true));
  bool imported = recordImport(import, ExternKind::Func, index);
  m_.functions.push_back({type, imported, {}, field_pos_});
  if (imported) return expectRParen();
  return funcBody(index, sig);
}

// Locals, instructions and `end` of a function, in the code section's encoding (spec 5.5.13).
Result<void> ModuleParser::funcBody(uint32_t func_index, const InlineSig& sig) {
  locals_ = IdMap();
  labels_.clear();
  startCode();
  auto bindLocal = [&](const std::optional<std::string>& id, const Token& at) -> Result<void> {
    if (id) {
      if (!locals_.ids.emplace(*id, locals_.count).second) return failAt(at, "duplicate local $" + *id);
      m_.names.locals[func_index][locals_.count] = *id;
    }
    ++locals_.count;
    return {};
  };
  for (const auto& id : sig.param_ids) STRATA_CHECK(bindLocal(id, peek()));
  std::vector<ir::ValType> locals;
  while (atField("local")) {
    pos_ += 2;
    if (atId()) {
      const Token& at = peek();
      STRATA_CHECK(bindLocal(takeId(), at));
      locals.push_back(STRATA_TRY(valType()));
      STRATA_CHECK(expectRParen());
      continue;
    }
    while (!atRParen()) {
      locals.push_back(STRATA_TRY(valType()));
      ++locals_.count;
    }
    next();
  }
  // spec 5.5.13: locals are written as runs of equal types.
  std::vector<std::pair<uint32_t, ir::ValType>> runs;
  for (ir::ValType t : locals) {
    if (!runs.empty() && runs.back().second == t) ++runs.back().first;
    else runs.push_back({1, t});
  }
  w_.varU32(uint32_t(runs.size()));
  for (auto [count, t] : runs) {
    w_.varU32(count);
    writeValType(t);
  }
  STRATA_CHECK(instrs());
  STRATA_CHECK(expectRParen());
  w_.u8(0x0b);
  m_.functions[func_index].body = flushCode();
  return {};
}

Result<ir::ConstExpr> ModuleParser::constExprUntilClose() {
  locals_ = IdMap();
  labels_.clear();
  startCode();
  STRATA_CHECK(instrs());
  w_.u8(0x0b);
  return ir::ConstExpr{flushCode()};
}

// (offset instr*) or one folded instruction (spec 6.6.8 abbreviation).
Result<ir::ConstExpr> ModuleParser::offsetExpr() {
  if (atField("offset")) {
    pos_ += 2;
    ir::ConstExpr e = STRATA_TRY(constExprUntilClose());
    STRATA_CHECK(expectRParen());
    return e;
  }
  locals_ = IdMap();
  labels_.clear();
  startCode();
  STRATA_CHECK(instrs(/*one_form=*/true));
  w_.u8(0x0b);
  return ir::ConstExpr{flushCode()};
}

ir::ConstExpr ModuleParser::zeroOffset(bool is64) {
  startCode();
  emitOpcode(is64 ? ir::Opcode::I64Const : ir::Opcode::I32Const);
  w_.u8(0);
  w_.u8(0x0b);
  return ir::ConstExpr{flushCode()};
}

Result<void> ModuleParser::parseTable() {
  pos_ += 2;
  takeId();
  uint32_t index = uint32_t(m_.tables.size());
  auto import = STRATA_TRY(fieldImport(ExternKind::Table, index));
  ir::Table table;
  table.pos = field_pos_;
  bool is64 = false;
  atAddrType(is64);
  if (!import && atRefTypeStart(*this)) {
    // spec 6.6.6: (table reftype (elem ...)) defines an active segment at offset 0 and takes
    // its size as both limits.
    table.type.elem = STRATA_TRY(refType());
    STRATA_CHECK(expectField("elem"));
    ir::ElemSegment seg;
    seg.pos = field_pos_;
    seg.table = index;
    seg.type = table.type.elem;
    seg.offset = zeroOffset(is64);
    STRATA_CHECK(elemList(seg, /*allow_bare_indices=*/true));
    STRATA_CHECK(expectRParen());
    // spec 6.6.6 (3.0): the segment has the table's type, function indices standing for
    // (ref.func x). For funcref tables the index form ((ref func), a subtype) is kept: it is
    // what 2.0 and toolchains encode.
    if (!seg.uses_exprs && table.type.elem != ir::ValType::funcref()) {
      for (uint32_t f : seg.func_indices) {
        startCode();
        emitOpcode(ir::Opcode::RefFunc);
        w_.varU32(f);
        w_.u8(0x0b);
        seg.exprs.push_back(ir::ConstExpr{flushCode()});
      }
      seg.func_indices.clear();
      seg.uses_exprs = true;
      seg.type = table.type.elem;
    }
    table.type.limits = {seg.size(), seg.size(), is64, false};
    m_.elems.push_back(std::move(seg));
  } else {
    table.type.limits = STRATA_TRY(limits(is64));
    table.type.elem = STRATA_TRY(refType());
    if (!import && !atRParen()) table.init = STRATA_TRY(constExprUntilClose());
  }
  table.imported = recordImport(import, ExternKind::Table, index);
  m_.tables.push_back(std::move(table));
  return expectRParen();
}

// (pagesize n) of the custom-page-sizes proposal: a power of two.
Result<void> ModuleParser::pageSize(ir::MemoryType& type) {
  if (!atField("pagesize")) return {};
  pos_ += 2;
  const Token& t = peek();
  uint64_t size = STRATA_TRY(takeNat(UINT64_MAX));
  if (!std::has_single_bit(size)) return failAt(t, "invalid custom page size");
  type.page_size_log2 = uint32_t(std::countr_zero(size));
  return expectRParen();
}

Result<void> ModuleParser::parseMemory() {
  pos_ += 2;
  takeId();
  uint32_t index = uint32_t(m_.memories.size());
  auto import = STRATA_TRY(fieldImport(ExternKind::Memory, index));
  ir::Memory memory;
  memory.pos = field_pos_;
  bool is64 = false;
  atAddrType(is64);
  STRATA_CHECK(pageSize(memory.type));
  if (!import && atField("data")) {
    // spec 6.6.7: (memory (data ...)) sizes the memory to fit the data, in whole pages.
    pos_ += 2;
    std::string bytes = STRATA_TRY(takeStrings());
    STRATA_CHECK(expectRParen());
    uint64_t page = uint64_t{1} << memory.type.page_size_log2;
    uint64_t pages = (bytes.size() + page - 1) / page;
    memory.type.limits = {pages, pages, is64, false};
    ir::DataSegment seg;
    seg.pos = field_pos_;
    seg.memory = index;
    seg.offset = zeroOffset(is64);
    seg.init = m_.append({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
    m_.datas.push_back(seg);
  } else {
    memory.type.limits = STRATA_TRY(limits(is64));
    if (atKeyword("shared")) {
      next();
      memory.type.limits.shared = true;
    }
    STRATA_CHECK(pageSize(memory.type));
  }
  memory.imported = recordImport(import, ExternKind::Memory, index);
  m_.memories.push_back(memory);
  return expectRParen();
}

Result<void> ModuleParser::parseGlobal() {
  pos_ += 2;
  takeId();
  uint32_t index = uint32_t(m_.globals.size());
  auto import = STRATA_TRY(fieldImport(ExternKind::Global, index));
  ir::Global global;
  global.pos = field_pos_;
  if (atField("mut")) {
    pos_ += 2;
    global.type.mut = true;
    global.type.type = STRATA_TRY(valType());
    STRATA_CHECK(expectRParen());
  } else {
    global.type.type = STRATA_TRY(valType());
  }
  global.imported = recordImport(import, ExternKind::Global, index);
  if (!global.imported) global.init = STRATA_TRY(constExprUntilClose());
  m_.globals.push_back(global);
  return expectRParen();
}

Result<void> ModuleParser::parseTag() {
  pos_ += 2;
  takeId();
  uint32_t index = uint32_t(m_.tags.size());
  auto import = STRATA_TRY(fieldImport(ExternKind::Tag, index));
  ir::Tag tag;
  tag.pos = field_pos_;
  tag.type.type_index = STRATA_TRY(typeUse(nullptr, /*allow_param_ids=*/true));
  tag.imported = recordImport(import, ExternKind::Tag, index);
  m_.tags.push_back(tag);
  return expectRParen();
}

Result<void> ModuleParser::parseExport() {
  pos_ += 2;
  std::string name = STRATA_TRY(takeName());
  STRATA_CHECK(expectLParen());
  auto space = kind() == TokenKind::Keyword ? importableSpace(text()) : std::nullopt;
  if (!space) return unexpected();
  next();
  uint32_t index = STRATA_TRY(this->index(*space));
  m_.exports.push_back({std::move(name), externKind(*space), index, field_pos_});
  STRATA_CHECK(expectRParen());
  return expectRParen();
}

Result<void> ModuleParser::parseStart() {
  const Token& field = peek();
  pos_ += 2;
  uint32_t func = STRATA_TRY(index(Space::Func));
  if (m_.start) return failAt(field, "multiple start sections");
  m_.start = func;
  m_.start_pos = field_pos_;
  return expectRParen();
}

// elemlist (spec 6.6.8): `func` x*, reftype followed by (item expr) or folded expressions,
// or, in active segments, bare function indices.
Result<void> ModuleParser::elemList(ir::ElemSegment& seg, bool allow_bare_indices) {
  bool indices = allow_bare_indices && !atRefTypeStart(*this) && !atLParen();
  if (atKeyword("func")) {
    next();
    indices = true;
  }
  if (indices) {
    seg.uses_exprs = false;
    // spec 6.6.8 (3.0): `func x*` abbreviates `(ref func) (ref.func x)*`.
    seg.type = ir::ValType::ref(ir::HeapType::abs(ir::AbsHeap::Func), false);
    while (atIndex()) seg.func_indices.push_back(STRATA_TRY(index(Space::Func)));
    return {};
  }
  if (atRefTypeStart(*this)) seg.type = STRATA_TRY(refType());
  seg.uses_exprs = true;
  while (atLParen()) {
    if (atField("item")) {
      pos_ += 2;
      seg.exprs.push_back(STRATA_TRY(constExprUntilClose()));
      STRATA_CHECK(expectRParen());
    } else {
      seg.exprs.push_back(STRATA_TRY(offsetExpr()));
    }
  }
  return {};
}

// Where an active segment goes: `(table x)` / `(memory x)`, a bare index (the 1.0 syntax) or
// nothing (index 0), then its offset.
Result<void> ModuleParser::activeSegment(Space space, uint32_t& target, ir::ConstExpr& offset) {
  if (atField(space == Space::Table ? "table" : "memory")) {
    pos_ += 2;
    target = STRATA_TRY(index(space));
    STRATA_CHECK(expectRParen());
  } else if (atIndex()) {
    target = STRATA_TRY(index(space));
  }
  offset = STRATA_TRY(offsetExpr());
  return {};
}

Result<void> ModuleParser::parseElem() {
  pos_ += 2;
  takeId();
  ir::ElemSegment seg;
  seg.pos = field_pos_;
  if (atKeyword("declare")) {
    next();
    seg.mode = ir::SegmentMode::Declarative;
  } else if (atField("table") || atNumber() || (atLParen() && !atRefTypeStart(*this))) {
    seg.mode = ir::SegmentMode::Active;
    STRATA_CHECK(activeSegment(Space::Table, seg.table, seg.offset));
  } else {
    seg.mode = ir::SegmentMode::Passive;
  }
  STRATA_CHECK(elemList(seg, seg.mode == ir::SegmentMode::Active));
  m_.elems.push_back(std::move(seg));
  return expectRParen();
}

Result<void> ModuleParser::parseData() {
  pos_ += 2;
  takeId();
  ir::DataSegment seg;
  seg.pos = field_pos_;
  if (atField("memory") || atIndex() || atLParen()) {
    seg.mode = ir::SegmentMode::Active;
    STRATA_CHECK(activeSegment(Space::Memory, seg.memory, seg.offset));
  } else {
    seg.mode = ir::SegmentMode::Passive;
  }
  std::string bytes = STRATA_TRY(takeStrings());
  seg.init = m_.append({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  m_.datas.push_back(seg);
  return expectRParen();
}

}  // namespace strata::text
