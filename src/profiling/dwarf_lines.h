// The DWARF a debugger needs to map a code image's machine code back to wasm: a line table
// whose "line" is the wasm byte offset of the code at each pc, and one compile unit with a
// subprogram per function (gdb_jit.cc puts them in the object it registers with gdb).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "vm/code_image.h"

namespace strata::profiling {

// The contents of .debug_abbrev, .debug_info and .debug_line (DWARF 4, 32-bit format, 8-byte
// addresses). Addresses are absolute: the image never moves, and gdb reads a JIT object's
// DWARF without relocating it (see gdb_jit.cc).
struct DwarfSections {
  std::vector<uint8_t> abbrev;
  std::vector<uint8_t> info;
  std::vector<uint8_t> line;
};

// The image's DWARF, or nothing when no function of it has a pc -> wasm offset map
// (FuncCodeInfo::wasm_map: the llvm tier always, the baseline tier under Config::wasm_map or
// Config::debug_info) or the image holds stubs.
std::optional<DwarfSections> dwarfLines(const vm::CodeImage& image);

}  // namespace strata::profiling
