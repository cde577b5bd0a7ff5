// DWARF 4 line table and compile unit of a code image (see dwarf_lines.h). Section numbers
// are those of "DWARF Debugging Information Format Version 4" (dwarfstd.org, 2010).
//
// The line table treats the module as the one source file and a wasm byte offset as a line
// number: a row at pc P with line L says the machine code from P to the next row is the
// translation of the wasm instruction at byte offset L (the offsets trap backtraces print, so
// gdb's `file.wasm:L` and a trap at the same place agree). Offset 0 is never an instruction
// (the module header is there), so no row needs DWARF's "no line" 0. Each function is a
// sequence of its own (section 6.2.5.3, DW_LNE_end_sequence just past its last byte): the code
// between functions, and a function's code before its first row (its prologue), belongs to no
// line.
#include "profiling/dwarf_lines.h"

#include <cstring>
#include <string>

#include "ir/module.h"
#include "profiling/symbols.h"
#include "support/byte_writer.h"

namespace strata::profiling {

namespace {

// Tags, attributes and forms (section 7.5, figures 18, 20 and 21).
constexpr uint8_t kTagCompileUnit = 0x11, kTagSubprogram = 0x2e;
constexpr uint8_t kChildrenNo = 0, kChildrenYes = 1;
constexpr uint8_t kAtName = 0x03, kAtStmtList = 0x10, kAtLowPc = 0x11, kAtHighPc = 0x12, kAtProducer = 0x25,
                  kAtExternal = 0x3f;
constexpr uint8_t kFormAddr = 0x01, kFormData4 = 0x06, kFormData8 = 0x07, kFormString = 0x08,
                  kFormSecOffset = 0x17, kFormFlagPresent = 0x19;
enum : uint8_t { kAbbrevUnit = 1, kAbbrevFunc = 2 };

// Line number program opcodes (section 7.21, figures 37 and 38).
constexpr uint8_t kLnsCopy = 1, kLnsAdvancePc = 2, kLnsAdvanceLine = 3;
constexpr uint8_t kLneEndSequence = 1, kLneSetAddress = 2;
// Special opcodes (section 6.2.5.1) cover a line step in [kLineBase, kLineBase + kLineRange)
// with an address step up to (255 - kOpcodeBase) / kLineRange = 20 bytes in one byte: wasm
// offsets mostly grow by 1 to 5 and the code of one instruction is mostly short.
constexpr int kLineBase = -3;
constexpr uint8_t kLineRange = 12, kOpcodeBase = 13;
// Operands of standard opcodes 1 to 12 (section 6.2.5.2), in the header so readers can skip
// opcodes they do not know.
constexpr uint8_t kStandardOpcodeLengths[kOpcodeBase - 1] = {0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1};
constexpr uint8_t kAddressSize = 8;

void u16(ByteWriter& w, uint16_t v) {
  w.u8(uint8_t(v));
  w.u8(uint8_t(v >> 8));
}

void string(ByteWriter& w, std::string_view s) {
  w.bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  w.u8(0);
}

// A 32-bit length field (section 7.4) whose value, the bytes after it, is known at `end`.
struct LengthSlot {
  explicit LengthSlot(ByteWriter& w) : w(w), at(w.size()) { w.fixedU32(0); }
  void end() {
    auto n = uint32_t(w.size() - at - 4);
    std::memcpy(w.out().data() + at, &n, 4);
  }
  ByteWriter& w;
  size_t at;
};

// The line number state machine (section 6.2.2) as seen by the writer: the rows it appends.
class LineProgram {
 public:
  explicit LineProgram(ByteWriter& w) : w_(w) {}

  void setAddress(uint64_t address) {
    w_.u8(0);  // extended opcode: length, then the opcode and its operand
    w_.varU32(1 + kAddressSize);
    w_.u8(kLneSetAddress);
    w_.fixedU64(address);
    address_ = address;
  }

  // A row at `address` (>= the last one) with `line`.
  void row(uint64_t address, uint32_t line) {
    int64_t line_step = int64_t(line) - line_;
    if (line_step < kLineBase || line_step >= kLineBase + kLineRange) {
      w_.u8(kLnsAdvanceLine);
      w_.varS64(line_step);
      line_step = 0;
    }
    uint64_t address_step = address - address_;
    if (uint64_t(line_step - kLineBase) + kLineRange * address_step + kOpcodeBase > 255) {
      advancePc(address_step);
      address_step = 0;
    }
    w_.u8(uint8_t(line_step - kLineBase + kLineRange * address_step + kOpcodeBase));
    address_ = address;
    line_ = line;
  }

  // Ends the sequence at `end`, the first byte after it; the state machine starts over.
  void endSequence(uint64_t end) {
    advancePc(end - address_);
    w_.u8(0);
    w_.varU32(1);
    w_.u8(kLneEndSequence);
    address_ = 0;
    line_ = 1;
  }

 private:
  void advancePc(uint64_t step) {
    w_.u8(kLnsAdvancePc);
    w_.varU64(step);  // times minimum_instruction_length, which is 1
  }

  ByteWriter& w_;
  uint64_t address_ = 0;
  int64_t line_ = 1;
};

// The line table's header (section 6.2.4): one file, no include directory.
void lineHeader(ByteWriter& w, std::string_view file) {
  u16(w, 4);  // version
  LengthSlot header(w);
  w.u8(1);  // minimum_instruction_length: pcs are byte addresses
  w.u8(1);  // maximum_operations_per_instruction: not a VLIW machine
  w.u8(1);  // default_is_stmt: every row is a place to stop at
  w.u8(uint8_t(int8_t(kLineBase)));
  w.u8(kLineRange);
  w.u8(kOpcodeBase);
  for (uint8_t n : kStandardOpcodeLengths) w.u8(n);
  w.u8(0);  // include_directories: none
  string(w, file);
  w.varU32(0);  // directory: the compilation directory
  w.varU32(0);  // modification time: unknown
  w.varU32(0);  // length: unknown
  w.u8(0);      // end of file_names
  header.end();
}

// One sequence per function with a map. Of several entries at one pc (instructions that emit
// no code of their own, such as the constants folded into a store), the last is the one whose
// code starts there.
std::vector<uint8_t> lineTable(const vm::CodeImage& image, std::string_view file) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  LengthSlot unit(w);
  lineHeader(w, file);
  LineProgram program(w);
  for (const vm::FuncCodeInfo& f : image.funcs()) {
    const auto& map = f.wasm_map;
    if (map.empty()) continue;
    uint64_t start = uintptr_t(image.code(f));
    program.setAddress(start + map.front().first);
    uint32_t last_line = 0;
    for (size_t i = 0; i < map.size(); ++i) {
      auto [pc, wasm] = map[i];
      if (pc >= f.size) break;
      if (i + 1 < map.size() && map[i + 1].first == pc) continue;
      if (wasm == last_line) continue;  // the row before covers this code too
      program.row(start + pc, wasm);
      last_line = wasm;
    }
    program.endSequence(start + f.size);
  }
  unit.end();
  return out;
}

std::vector<uint8_t> abbrevTable() {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  auto attribute = [&](uint8_t at, uint8_t form) { w.u8(at), w.u8(form); };
  w.u8(kAbbrevUnit), w.u8(kTagCompileUnit), w.u8(kChildrenYes);
  attribute(kAtName, kFormString);
  attribute(kAtProducer, kFormString);
  attribute(kAtStmtList, kFormSecOffset);
  attribute(kAtLowPc, kFormAddr);
  attribute(kAtHighPc, kFormData8);  // a constant: the length (section 2.17.2)
  attribute(0, 0);
  w.u8(kAbbrevFunc), w.u8(kTagSubprogram), w.u8(kChildrenNo);
  attribute(kAtName, kFormString);
  attribute(kAtExternal, kFormFlagPresent);
  attribute(kAtLowPc, kFormAddr);
  attribute(kAtHighPc, kFormData4);
  attribute(0, 0);
  w.u8(0);  // end of the abbreviations
  return out;
}

// The compile unit (section 3.1.1) covering the whole image, with a subprogram (section 3.3)
// per function named as its ELF symbol is, so gdb's frames read the same from either.
std::vector<uint8_t> infoSection(const vm::CodeImage& image, std::string_view file) {
  std::vector<uint8_t> out;
  ByteWriter w(out);
  LengthSlot unit(w);
  u16(w, 4);      // version
  w.fixedU32(0);  // debug_abbrev_offset
  w.u8(kAddressSize);
  w.varU32(kAbbrevUnit);
  string(w, file);
  string(w, "strata");
  w.fixedU32(0);  // stmt_list: the line table at the start of .debug_line
  w.fixedU64(uintptr_t(image.base()));
  w.fixedU64(image.codeBytes());
  SymbolNames names(image);
  for (const vm::FuncCodeInfo& f : image.funcs()) {
    w.varU32(kAbbrevFunc);
    string(w, names(f));
    w.fixedU64(uintptr_t(image.code(f)));
    w.fixedU32(f.size);
  }
  w.u8(0);  // end of the unit's children
  unit.end();
  return out;
}

}  // namespace

std::optional<DwarfSections> dwarfLines(const vm::CodeImage& image) {
  if (!image.isModule()) return std::nullopt;
  bool mapped = false;
  for (const vm::FuncCodeInfo& f : image.funcs()) mapped |= !f.wasm_map.empty();
  if (!mapped) return std::nullopt;
  const ir::Module* m = moduleOf(image);
  std::string file = (m && m->names.module ? *m->names.module : std::string("module")) + ".wasm";
  return DwarfSections{abbrevTable(), infoSection(image, file), lineTable(image, file)};
}

}  // namespace strata::profiling
