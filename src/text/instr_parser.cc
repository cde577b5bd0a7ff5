// Instructions in the text format (spec 6.5): plain and folded forms, structured blocks with
// labels, written straight into the binary encoding through the opcode table.
#include "text/module_parser.h"

namespace strata::text {

using ir::Opcode;

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

void ModuleParser::emitOpcode(Opcode op) {
  const ir::OpcodeInfo& info = ir::opcodeInfo(op);
  if (info.prefix == 0) {
    w_.u8(uint8_t(info.code));
  } else {
    w_.u8(info.prefix);
    w_.varU32(info.code);
  }
}

// instr* up to a `)` or a keyword that closes the enclosing block.
Result<void> ModuleParser::instrs() {
  for (;;) {
    switch (kind()) {
      case TokenKind::LParen:
        STRATA_CHECK(foldedInstr());
        break;
      case TokenKind::Keyword:
        if (endsInstrSequence(text())) return {};
        STRATA_CHECK(plainInstr());
        break;
      case TokenKind::RParen:
      case TokenKind::Eof:
        return {};
      default:
        return unexpected();
    }
  }
}

Result<void> ModuleParser::plainInstr() {
  if (auto op = blockOpcode(text())) return blockPlain(*op);
  return opWithImmediates(peek());
}

// The opcode named by the keyword at the cursor, then its immediates. The spec's shared
// keywords map to the table's pseudo keywords here: `select` with result types is select_t,
// ref.test/ref.cast with a nullable type are ref.test_null/ref.cast_null.
Result<void> ModuleParser::opWithImmediates(const Token& kw_token) {
  std::string_view kw = text(kw_token);
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

Result<void> ModuleParser::foldedInstr() {
  STRATA_CHECK(expectLParen());
  if (kind() != TokenKind::Keyword) return unexpected();
  std::string_view kw = text();
  if (kw == "if") return ifFolded();
  if (kw == "try") return tryFolded();
  if (auto op = blockOpcode(kw)) return blockFolded(*op);
  // spec 6.5.9: (plaininstr foldedinstr*) is foldedinstr* plaininstr; the immediates come
  // first in the text, so the instruction's bytes are set aside while the operands are written.
  size_t mark = code_.size();
  STRATA_CHECK(opWithImmediates(peek()));
  std::vector<uint8_t> op_bytes(code_.begin() + long(mark), code_.end());
  code_.resize(mark);
  while (atLParen()) STRATA_CHECK(foldedInstr());
  STRATA_CHECK(expectRParen());
  code_.insert(code_.end(), op_bytes.begin(), op_bytes.end());
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

Result<void> ModuleParser::blockPlain(Opcode op) {
  std::optional<std::string> label;
  STRATA_CHECK(blockHeader(op, label));
  pushLabel(label);
  STRATA_CHECK(instrs());
  if (op == Opcode::If && atKeyword("else")) {
    next();
    STRATA_CHECK(endLabel(label));
    emitOpcode(Opcode::Else);
    STRATA_CHECK(instrs());
  }
  if (op == Opcode::Try && STRATA_TRY(legacyHandlers(/*folded=*/false))) return {};
  STRATA_CHECK(expectKeyword("end"));
  STRATA_CHECK(endLabel(label));
  emitOpcode(Opcode::End);
  popLabel();
  return {};
}

Result<void> ModuleParser::blockFolded(Opcode op) {
  std::optional<std::string> label;
  STRATA_CHECK(blockHeader(op, label));
  pushLabel(label);
  STRATA_CHECK(instrs());
  STRATA_CHECK(expectRParen());
  emitOpcode(Opcode::End);
  popLabel();
  return {};
}

// (if label? blocktype foldedinstr* (then instr*) (else instr*)?): the condition operands
// are evaluated before the `if` and outside its label's scope.
Result<void> ModuleParser::ifFolded() {
  next();
  std::optional<std::string> label = takeId();
  size_t mark = code_.size();
  emitOpcode(Opcode::If);
  STRATA_CHECK(blockType());
  std::vector<uint8_t> header(code_.begin() + long(mark), code_.end());
  code_.resize(mark);
  while (atLParen() && !atField("then")) STRATA_CHECK(foldedInstr());
  code_.insert(code_.end(), header.begin(), header.end());
  pushLabel(label);
  STRATA_CHECK(expectField("then"));
  STRATA_CHECK(instrs());
  STRATA_CHECK(expectRParen());
  if (atField("else")) {
    pos_ += 2;
    emitOpcode(Opcode::Else);
    STRATA_CHECK(instrs());
    STRATA_CHECK(expectRParen());
  }
  STRATA_CHECK(expectRParen());
  emitOpcode(Opcode::End);
  popLabel();
  return {};
}

// Legacy exception handling: the handlers after a try body, plain (`catch x instr*`) or folded
// (`(catch x instr*)`). True if `delegate l` ended the block: it has no `end`, and its label
// is counted from outside the try.
Result<bool> ModuleParser::legacyHandlers(bool folded) {
  auto at = [&](std::string_view kw) { return folded ? atField(kw) : atKeyword(kw); };
  auto enter = [&] { pos_ += folded ? 2 : 1; };
  auto leave = [&]() -> Result<void> { return folded ? expectRParen() : Result<void>(); };
  bool handlers = false;  // delegate replaces the handlers, it cannot follow them
  while (at("catch")) {
    handlers = true;
    enter();
    emitOpcode(Opcode::Catch);
    w_.varU32(STRATA_TRY(index(Space::Tag)));
    STRATA_CHECK(instrs());
    STRATA_CHECK(leave());
  }
  if (at("catch_all")) {
    handlers = true;
    enter();
    emitOpcode(Opcode::CatchAll);
    STRATA_CHECK(instrs());
    STRATA_CHECK(leave());
  }
  if (handlers || !at("delegate")) return false;
  enter();
  popLabel();
  emitOpcode(Opcode::Delegate);
  w_.varU32(STRATA_TRY(labelIndex()));
  STRATA_CHECK(leave());
  return true;
}

// Legacy exception handling: (try label? blocktype (do instr*) (catch x instr*)*
// (catch_all instr*)?) or (try label? blocktype (do instr*) (delegate l)).
Result<void> ModuleParser::tryFolded() {
  std::optional<std::string> label;
  STRATA_CHECK(blockHeader(Opcode::Try, label));
  pushLabel(label);
  STRATA_CHECK(expectField("do"));
  STRATA_CHECK(instrs());
  STRATA_CHECK(expectRParen());
  if (STRATA_TRY(legacyHandlers(/*folded=*/true))) return expectRParen();
  STRATA_CHECK(expectRParen());
  emitOpcode(Opcode::End);
  popLabel();
  return {};
}

}  // namespace strata::text
