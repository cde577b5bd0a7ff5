// Instructions in the text format (spec 6.5): plain and folded forms, structured blocks with
// labels, written straight into the binary encoding through the opcode table.
//
// Nesting is kept on an explicit stack of open constructs (open_), not on the native stack:
// compilers emit blocks nested thousands deep. A plain block stays open until its `end`; a
// folded form until its `)`, passing through stages (a folded `if` reads its conditions, then
// `(then ...)`, then maybe `(else ...)`). A folded plain instruction's bytes wait in deferred_
// until its operands are written, since spec 6.5.9 puts the operands first in the binary.
#include "text/module_parser.h"

#include <algorithm>

namespace strata::text {

using ir::Opcode;
using Kind = OpenInstr::Kind;
using Stage = OpenInstr::Stage;

namespace {

bool endsInstrSequence(std::string_view kw) {
  return kw == "end" || kw == "else" || kw == "catch" || kw == "catch_all" || kw == "delegate";
}

std::optional<Opcode> blockOpcode(std::string_view kw) {
  if (kw == "block") return Opcode::Block;
  if (kw == "loop") return Opcode::Loop;
  if (kw == "if") return Opcode::If;
  if (kw == "try_table") return Opcode::TryTable;
  if (kw == "try") return Opcode::Try;
  return std::nullopt;
}

// Opcodes that only the block structure writes; their keywords are not plain instructions.
bool isStructural(Opcode op) {
  switch (op) {
    case Opcode::Block: case Opcode::Loop: case Opcode::If: case Opcode::Else: case Opcode::End:
    case Opcode::Try: case Opcode::Catch: case Opcode::CatchAll: case Opcode::Delegate:
    case Opcode::TryTable:
      return true;
    default:
      return false;
  }
}

}  // namespace

void ModuleParser::startCode() {
  code_.clear();
  code_map_.clear();
}

// Appends the finished code to the module and its positions to Module::text_map.
ir::ByteSpan ModuleParser::flushCode() {
  ir::ByteSpan span = m_.append(code_);
  for (auto [at, text] : code_map_) m_.text_map.emplace_back(span.offset + at, text);
  code_map_.clear();
  return span;
}

void ModuleParser::emitOpcode(Opcode op) {
  // The opcode's keyword is the token just consumed (or, for structural bytes, a nearby one).
  code_map_.emplace_back(uint32_t(code_.size()), prev().offset);
  const ir::OpcodeInfo& info = ir::opcodeInfo(op);
  if (info.prefix == 0) {
    w_.u8(uint8_t(info.code));
  } else {
    w_.u8(info.prefix);
    w_.varU32(info.code);
  }
}

// instr* up to a `)` or a keyword that closes the enclosing block; with `one_form`, exactly
// one folded instruction (an offset or element expression abbreviation).
Result<void> ModuleParser::instrs(bool one_form) {
  const size_t base = open_.size();
  bool started = false;
  for (;;) {
    if (one_form && started && open_.size() == base) return {};
    OpenInstr* top = open_.size() > base ? &open_.back() : nullptr;
    switch (kind()) {
      case TokenKind::LParen:
        started = true;
        STRATA_CHECK(leftParen(top));
        break;
      case TokenKind::RParen:
        if (!top) return {};
        STRATA_CHECK(rightParen(*top));
        break;
      case TokenKind::Keyword:
        if (top && !acceptsInstrs(*top)) return unexpected();
        if (!endsInstrSequence(text())) {
          STRATA_CHECK(plainInstr());
        } else {
          if (!top) return {};  // the caller's `end` or `)` check reports it
          if (top->kind != Kind::Plain) return unexpected();
          STRATA_CHECK(plainStructure(*top));
        }
        break;
      case TokenKind::Eof:
        if (!top) return {};
        return unexpected();
      default:
        return unexpected();
    }
  }
}

bool ModuleParser::acceptsInstrs(const OpenInstr& open) {
  switch (open.kind) {
    case Kind::Plain: case Kind::Block: return true;
    case Kind::If: return open.stage == Stage::Then || open.stage == Stage::Else;
    case Kind::Try: return open.stage == Stage::Do || open.stage == Stage::Catch || open.stage == Stage::CatchAll;
    case Kind::Op: return false;
  }
  return false;
}

Result<void> ModuleParser::plainInstr() {
  if (auto op = blockOpcode(text())) {
    OpenInstr open{Kind::Plain, Stage::Body, *op, std::nullopt};
    STRATA_CHECK(blockHeader(*op, open.label));
    pushLabel(open.label);
    open_.push_back(std::move(open));
    return {};
  }
  return opWithImmediates();
}

// The opcode named by the keyword at the cursor, then its immediates. The spec's shared
// keywords map to the table's pseudo keywords here: `select` with result types is select_t,
// ref.test/ref.cast with a nullable type are ref.test_null/ref.cast_null.
Result<void> ModuleParser::opWithImmediates() {
  std::string_view kw = text();
  std::optional<Opcode> op = ir::opcodeFromText(kw);
  if (isPseudoKeyword(kw)) op.reset();
  if (!op || isStructural(*op)) return unexpected();
  next();
  if (*op == Opcode::Select && atField("result")) {
    emitOpcode(Opcode::SelectT);
    return immediates(Opcode::SelectT, ir::Imm::SelectT);
  }
  if (*op == Opcode::RefTest || *op == Opcode::RefCast) {
    ir::ValType target = STRATA_TRY(refType());
    if (target.nullable) op = *op == Opcode::RefTest ? Opcode::RefTestNull : Opcode::RefCastNull;
    emitOpcode(*op);
    writeHeapType(target.heap);
    return {};
  }
  emitOpcode(*op);
  return immediates(*op, ir::opcodeInfo(*op).imm);
}

// Moves the bytes written since `mark` to deferred_, returning where they start there.
size_t ModuleParser::deferSince(size_t mark) {
  size_t start = deferred_.size();
  deferred_.insert(deferred_.end(), code_.begin() + long(mark), code_.end());
  code_.resize(mark);
  auto moved = std::lower_bound(code_map_.begin(), code_map_.end(), std::pair<uint32_t, uint32_t>(uint32_t(mark), 0));
  for (auto it = moved; it != code_map_.end(); ++it)
    deferred_map_.emplace_back(uint32_t(it->first - mark + start), it->second);
  code_map_.erase(moved, code_map_.end());
  return start;
}

void ModuleParser::undefer(size_t start) {
  size_t at = code_.size();
  auto first = std::lower_bound(deferred_map_.begin(), deferred_map_.end(), std::pair<uint32_t, uint32_t>(uint32_t(start), 0));
  for (auto it = first; it != deferred_map_.end(); ++it) code_map_.emplace_back(uint32_t(it->first - start + at), it->second);
  deferred_map_.erase(first, deferred_map_.end());
  code_.insert(code_.end(), deferred_.begin() + long(start), deferred_.end());
  deferred_.resize(start);
}

// A `(` inside an instruction sequence: the next stage of the open folded form, or a new
// folded instruction.
Result<void> ModuleParser::leftParen(OpenInstr* top) {
  if (top && top->kind == Kind::If) {
    if (top->stage == Stage::Condition && atField("then")) {
      pos_ += 2;
      undefer(top->deferred);  // `if` and its block type follow the condition operands
      pushLabel(top->label);
      top->stage = Stage::Then;
      return {};
    }
    if (top->stage == Stage::AfterThen && atField("else")) {
      pos_ += 2;
      emitOpcode(Opcode::Else);
      top->stage = Stage::Else;
      return {};
    }
    if (top->stage == Stage::AfterThen || top->stage == Stage::AfterElse) return unexpected();
  }
  if (top && top->kind == Kind::Try) {
    if (top->stage == Stage::AwaitDo) {
      STRATA_CHECK(expectField("do"));
      top->stage = Stage::Do;
      return {};
    }
    if (top->stage == Stage::AfterDo || top->stage == Stage::AfterHandler) return foldedHandler(*top);
  }
  return openFolded();
}

// Legacy exception handling, folded: (catch x instr*)* (catch_all instr*)? after (do ...), or
// (delegate l) alone, which ends the try with no `end`, its label counted from outside it.
Result<void> ModuleParser::foldedHandler(OpenInstr& open) {
  if (atField("catch") && !open.catch_all) {
    pos_ += 2;
    emitOpcode(Opcode::Catch);
    w_.varU32(STRATA_TRY(index(Space::Tag)));
    open.stage = Stage::Catch;
    return {};
  }
  if (atField("catch_all") && !open.catch_all) {
    pos_ += 2;
    emitOpcode(Opcode::CatchAll);
    open.catch_all = true;
    open.stage = Stage::CatchAll;
    return {};
  }
  if (!atField("delegate") || open.stage != Stage::AfterDo) return unexpected();
  pos_ += 2;
  popLabel();
  emitOpcode(Opcode::Delegate);
  w_.varU32(STRATA_TRY(labelIndex()));
  STRATA_CHECK(expectRParen());
  STRATA_CHECK(expectRParen());
  open_.pop_back();
  return {};
}

Result<void> ModuleParser::openFolded() {
  STRATA_CHECK(expectLParen());
  if (kind() != TokenKind::Keyword) return unexpected();
  std::optional<Opcode> block = blockOpcode(text());
  if (block == Opcode::If) {
    // (if label? blocktype foldedinstr* (then ...) (else ...)?): the condition operands come
    // first and lie outside the label's scope, so `if` waits in deferred_ until (then.
    next();
    OpenInstr open{Kind::If, Stage::Condition, Opcode::If, takeId()};
    size_t mark = code_.size();
    emitOpcode(Opcode::If);
    STRATA_CHECK(blockType());
    open.deferred = deferSince(mark);
    open_.push_back(std::move(open));
    return {};
  }
  if (block) {
    OpenInstr open{*block == Opcode::Try ? Kind::Try : Kind::Block, Stage::Body, *block, std::nullopt};
    if (*block == Opcode::Try) open.stage = Stage::AwaitDo;
    STRATA_CHECK(blockHeader(*block, open.label));
    pushLabel(open.label);
    open_.push_back(std::move(open));
    return {};
  }
  size_t mark = code_.size();
  STRATA_CHECK(opWithImmediates());
  OpenInstr open{Kind::Op, Stage::Body, Opcode::Nop, std::nullopt};
  open.deferred = deferSince(mark);
  open_.push_back(std::move(open));
  return {};
}

// A `)` closing the innermost open folded form, or one of its stages.
Result<void> ModuleParser::rightParen(OpenInstr& open) {
  Stage next_stage = Stage::Body;
  switch (open.kind) {
    case Kind::Plain: return unexpected();  // a plain block ends with `end`
    case Kind::Op:
      next();
      undefer(open.deferred);
      open_.pop_back();
      return {};
    case Kind::Block: break;
    case Kind::If:
      if (open.stage == Stage::Condition) return unexpected();
      if (open.stage == Stage::Then) next_stage = Stage::AfterThen;
      if (open.stage == Stage::Else) next_stage = Stage::AfterElse;
      break;
    case Kind::Try:
      if (open.stage == Stage::AwaitDo) return unexpected();
      if (open.stage == Stage::Do) next_stage = Stage::AfterDo;
      if (open.stage == Stage::Catch || open.stage == Stage::CatchAll) next_stage = Stage::AfterHandler;
      break;
  }
  next();
  if (next_stage != Stage::Body) {
    open.stage = next_stage;
    return {};
  }
  emitOpcode(Opcode::End);
  popLabel();
  open_.pop_back();
  return {};
}

// end / else / catch / catch_all / delegate inside an open plain block.
Result<void> ModuleParser::plainStructure(OpenInstr& open) {
  std::string_view kw = text();
  if (kw == "end") {
    next();
    STRATA_CHECK(endLabel(open.label));
    emitOpcode(Opcode::End);
    popLabel();
    open_.pop_back();
    return {};
  }
  if (kw == "else") {
    if (open.op != Opcode::If || open.stage == Stage::Else) return unexpected();
    next();
    STRATA_CHECK(endLabel(open.label));
    emitOpcode(Opcode::Else);
    open.stage = Stage::Else;
    return {};
  }
  if (open.op != Opcode::Try || open.catch_all) return unexpected();
  if (kw == "catch") {
    next();
    emitOpcode(Opcode::Catch);
    w_.varU32(STRATA_TRY(index(Space::Tag)));
    open.stage = Stage::Catch;
    return {};
  }
  if (kw == "catch_all") {
    next();
    emitOpcode(Opcode::CatchAll);
    open.catch_all = true;
    return {};
  }
  if (open.stage != Stage::Body) return unexpected();  // delegate replaces the handlers
  next();
  popLabel();
  emitOpcode(Opcode::Delegate);
  w_.varU32(STRATA_TRY(labelIndex()));
  open_.pop_back();
  return {};
}

// spec 6.5.2: blocktype is empty, one (result t), or a type use written as a type index.
Result<void> ModuleParser::blockType() {
  if (!atField("type") && !atField("param")) {
    std::vector<ir::ValType> results;
    while (atField("result")) {
      pos_ += 2;
      STRATA_CHECK(valTypesUntilClose(results));
    }
    if (results.empty()) {
      w_.u8(0x40);
      return {};
    }
    if (results.size() == 1) {
      writeValType(results[0]);
      return {};
    }
    w_.varS64(findOrAddFuncType(ir::FuncType{{}, std::move(results)}));
    return {};
  }
  w_.varS64(STRATA_TRY(typeUse(nullptr, /*allow_param_ids=*/false)));
  return {};
}

// Label, opcode and block type of a block instruction; try_table's catch clauses name labels
// outside the block (spec 6.5.2), so they are read before the block's own label is bound.
Result<void> ModuleParser::blockHeader(Opcode op, std::optional<std::string>& label) {
  next();
  label = takeId();
  emitOpcode(op);
  STRATA_CHECK(blockType());
  if (op == Opcode::TryTable) STRATA_CHECK(tryTableCatches());
  return {};
}

// `end $l` / `else $l` may repeat the block's label, and only that one (spec 6.5.2).
Result<void> ModuleParser::endLabel(const std::optional<std::string>& label) {
  if (!atId()) return {};
  const Token& t = peek();
  std::string id = *takeId();
  if (!label || *label != id) return failAt(t, "mismatching label");
  return {};
}

}  // namespace strata::text
