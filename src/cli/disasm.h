// Function listings for `strata explore` and `strata objdump --disassemble`: a machine-code
// tier's x86-64 (disassembled here with Zydis) interleaved with the wasm instructions it came
// from, or the tier's own listing (the interpreter's bytecode) through vm::CompiledModule.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/features.h"
#include "ir/module.h"
#include "strata/module.h"
#include "support/error.h"
#include "vm/code_image.h"
#include "vm/compiler.h"

namespace strata::cli {

// Compiles m with the named tier (a Usage error names an unknown tier). `validated` says that
// m has passed validation already.
Result<Module> compileForListing(ir::Module m, const ir::Features& features, const std::string& tier,
                                 bool validated);

// "func N $name (summary)" and the listing of defined function func_index, from the code image
// when the tier has one, else from CompiledModule::describeFunction.
std::string describeFunction(const ir::Module& m, const vm::CompiledModule& compiled, uint32_t func_index);

// One function's machine code as structured data: groups of machine instructions, each under
// the wasm instruction whose code it is, what both the text listing and `explore --html` show.
struct MachineLine {
  uint32_t pc = 0;    // offset from the function's first byte
  std::string bytes;  // "01 c8"
  std::string text;   // "add eax, ecx" (Intel syntax), "dd -12" for a jump-table word, "(bad)"
  std::string note;   // "  ; may trap: ..." and the like, or empty
};
struct MachineGroup {
  enum Kind : uint8_t { Start, Prologue, Wasm, TrapStubs } kind = Start;  // Start: before any header
  uint32_t wasm = 0;      // Wasm: the instruction's byte offset in the module
  std::string wasm_text;  // Wasm: the instruction as text
  std::vector<MachineLine> lines;
};
struct MachineListing {
  std::string summary;  // "N bytes of x86-64 at image+0x..."
  std::string unavailable;  // why there is no disassembly (no Zydis), else empty
  std::vector<MachineGroup> groups;
};
MachineListing listMachineCode(const ir::Module& m, const vm::CodeImage& image, const vm::FuncCodeInfo& f);

// The wasm instruction at byte offset `offset` of function func_index's body, as text.
std::string wasmText(const ir::Module& m, uint32_t func_index, uint32_t offset);

// The x86-64 of one function of an image, one line per instruction ("0010  01 c8  add eax,
// ecx"), each group under the wasm instruction whose code it is (";; 0x002d i32.add"); code
// before the first wasm instruction is the prologue, the code after the function's last
// ret/jmp its trap stubs (each annotated with the trap kind and wasm offset it passes). Jump
// tables are listed as data words, and decoding restarts at every wasm instruction's code. The
// first line is a summary, as of CompiledModule::describeFunction.
std::string disassembleFunction(const ir::Module& m, const vm::CodeImage& image, const vm::FuncCodeInfo& f);

}  // namespace strata::cli
