// The module parser (spec 6.4-6.6): text module fields to ir::Module, with function bodies and
// constant expressions written in the binary encoding. Its members are split over
// module_parser.cc (fields, identifier scan), type_parser.cc (types, type uses) and
// instr_parser.cc / instr_immediates.cc (instructions).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/features.h"
#include "ir/module.h"
#include "ir/opcodes.h"
#include "support/byte_writer.h"
#include "text/cursor.h"

namespace strata::text {

// Index spaces with symbolic identifiers (spec 6.6.1 identifier context).
enum class Space : uint8_t { Type, Func, Table, Memory, Global, Tag, Elem, Data, Count };

struct IdMap {
  std::unordered_map<std::string, uint32_t> ids;
  uint32_t count = 0;
};

// The module and field names of an import, when a field is imported.
using ImportNames = std::optional<std::pair<std::string, std::string>>;

// A function signature written in the text: inline params (with optional ids) and results.
struct InlineSig {
  ir::FuncType type;
  std::vector<std::optional<std::string>> param_ids;
  bool written = false;  // any (param) or (result) present
};

// An instruction construct still open while its contents are parsed (instr_parser.cc).
struct OpenInstr {
  enum class Kind : uint8_t {
    Plain,  // block/loop/if/try/try_table ... end
    Block,  // (block ...), (loop ...), (try_table ...)
    If,     // (if ... (then ...) (else ...)?)
    Try,    // legacy (try ... (do ...) (catch ...)*)
    Op,     // (plaininstr foldedinstr*)
  };
  // Where the construct is: the folded if goes Condition -> Then -> AfterThen -> Else ->
  // AfterElse, the folded try AwaitDo -> Do -> AfterDo -> Catch/CatchAll -> AfterHandler;
  // plain blocks are in Body, or Else / Catch / CatchAll after those keywords.
  enum class Stage : uint8_t {
    Body, Condition, Then, AfterThen, Else, AfterElse, AwaitDo, Do, AfterDo, Catch, CatchAll, AfterHandler,
  };
  Kind kind = Kind::Plain;
  Stage stage = Stage::Body;
  ir::Opcode op = ir::Opcode::Block;
  std::optional<std::string> label;
  size_t deferred = 0;     // Op, If: where its waiting bytes start in deferred_
  bool catch_all = false;  // Try: a catch_all was seen, no handler may follow
};

class ModuleParser : public Cursor {
 public:
  ModuleParser(const TokenList& tokens, size_t pos, const ir::Features& features)
      : Cursor(tokens, pos), features_(features) {}
  ModuleParser(const ModuleParser&) = delete;  // w_ writes into this object's code_
  ModuleParser& operator=(const ModuleParser&) = delete;

  // Parses module fields from the cursor up to token index `end` (a `)` or the Eof token).
  Result<ir::Module> parseFields(size_t end, std::optional<std::string> module_id);
  // A heap type outside any module (script values): abstract or a numeric type index.
  Result<ir::HeapType> heapTypeOnly() { return heapType(); }

 private:
  // ---- module_parser.cc: identifier scan (pass 1) and fields (pass 2)
  Result<void> scanFields(size_t end);
  Result<void> scanImportable(Space space, size_t after, std::optional<Space>& defined);
  Result<void> defineId(Space space, const std::optional<std::string>& id, size_t token);
  Result<void> parseField();
  Result<void> parseImport();
  Result<void> parseFunc();
  Result<void> parseTable();
  Result<void> parseMemory();
  Result<void> parseGlobal();
  Result<void> parseTag();
  Result<void> parseExport();
  Result<void> parseStart();
  Result<void> parseElem();
  Result<void> parseData();
  Result<void> inlineExports(ir::ExternKind kind, uint32_t index);
  Result<ImportNames> inlineImport();
  Result<ImportNames> fieldImport(ir::ExternKind kind, uint32_t index);
  ir::ConstExpr zeroOffset(bool is64);
  Result<void> pageSize(ir::MemoryType& type);
  bool recordImport(ImportNames& names, ir::ExternKind kind, uint32_t index);
  Result<ir::ConstExpr> offsetExpr();
  Result<void> activeSegment(Space space, uint32_t& target, ir::ConstExpr& offset);
  Result<void> elemList(ir::ElemSegment& seg, bool allow_bare_indices);
  Result<ir::ConstExpr> constExprUntilClose();
  Result<void> funcBody(uint32_t func_index, const InlineSig& sig);

  // ---- type_parser.cc: value types, type definitions, type uses
  Result<void> parseTypeFields(size_t end);
  Result<void> parseTypeDef();
  Result<ir::ValType> valType();
  Result<ir::HeapType> heapType();
  Result<ir::ValType> refType();
  Result<ir::FieldType> fieldType();
  Result<void> compType(ir::SubType& sub, uint32_t type_index);
  Result<InlineSig> inlineSig(bool allow_param_ids);
  Result<void> valTypesUntilClose(std::vector<ir::ValType>& out);
  Result<ir::Limits> limits(bool is64);
  Result<uint64_t> addressLiteral(bool is64);  // a limit or offset: u64 or, in 2.0, u32
  bool atAddrType(bool& is64);
  // (type x)? (param ...)* (result ...)*: the type index, found or appended (spec 6.6.4).
  Result<uint32_t> typeUse(InlineSig* sig_out, bool allow_param_ids);
  uint32_t findOrAddFuncType(const ir::FuncType& ft);

  // ---- instr_parser.cc: instruction sequences and block structure
  Result<void> instrs(bool one_form = false);
  static bool acceptsInstrs(const OpenInstr& open);
  Result<void> plainInstr();
  Result<void> opWithImmediates();
  Result<void> leftParen(OpenInstr* top);
  Result<void> foldedHandler(OpenInstr& open);
  Result<void> openFolded();
  Result<void> rightParen(OpenInstr& open);
  Result<void> plainStructure(OpenInstr& open);
  Result<void> blockHeader(ir::Opcode op, std::optional<std::string>& label);
  Result<void> blockType();
  Result<void> endLabel(const std::optional<std::string>& label);
  size_t deferSince(size_t mark);
  void undefer(size_t start);
  void startCode();
  ir::ByteSpan flushCode();
  void emitOpcode(ir::Opcode op);
  void pushLabel(std::optional<std::string> label) { labels_.push_back(std::move(label)); }
  void popLabel() { labels_.pop_back(); }

  // ---- instr_immediates.cc: one parser per ir::Imm kind
  Result<void> immediates(ir::Opcode op, ir::Imm imm);
  Result<void> writeIndex(Space space);
  Result<void> optionalFirstIndex(Space first, Space second);
  Result<void> optionalIndexPair(Space space);
  Result<uint32_t> index(Space space);
  Result<std::optional<uint32_t>> optIndex(Space space);
  Result<uint32_t> labelIndex();
  Result<uint32_t> localIndex();
  Result<uint32_t> fieldIndex(uint32_t type_index);
  Result<void> memArg(ir::Opcode op, bool lane);
  Result<void> v128Const();
  Result<uint8_t> laneIndex();
  Result<void> shuffleLanes();
  Result<void> tryTableCatches();
  Result<void> brOnCast();
  void writeValType(ir::ValType t);
  void writeHeapType(ir::HeapType h);
  bool atIndex() const { return atId() || atNumber(); }

  // The grammar depends on features in one place: without memory64 (WebAssembly 2.0) limits
  // and memarg offsets are u32 literals, so larger ones are malformed rather than invalid.
  ir::Features features_;
  ir::Module m_;
  std::array<IdMap, size_t(Space::Count)> spaces_;
  std::vector<IdMap> field_ids_;          // per type index: struct field ids
  std::vector<bool> memory_is64_;         // per memory index, from the scan (memarg offsets)
  uint32_t fields_start_ = 0;
  uint32_t field_pos_ = 0;                // text offset of the field being parsed (ir `pos` fields)
  ImportNames pending_import_;            // names of an enclosing (import ...) field
  bool uses_data_count_ = false;          // a body names a data segment (spec 5.5.16)

  // Function-level context: locals, labels, open constructs and the code being written.
  IdMap locals_;
  std::vector<std::optional<std::string>> labels_;
  std::vector<OpenInstr> open_;
  std::vector<uint8_t> deferred_;  // bytes of open folded forms that follow their operands
  std::vector<uint8_t> code_;
  ByteWriter w_{code_};
  // (offset in code_ / deferred_, text offset) of each emitted opcode, moved along with the
  // bytes, so Module::text_map can send a validation error back to its line:column.
  std::vector<std::pair<uint32_t, uint32_t>> code_map_;
  std::vector<std::pair<uint32_t, uint32_t>> deferred_map_;
};

}  // namespace strata::text
