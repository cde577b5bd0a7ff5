// Pieces of `strata objdump`: section headers from the raw bytes, details from the Module.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "decode/instr.h"
#include "ir/module.h"

namespace strata::cli {

// "Sections:" — one line per section: name, content start/end/size and entry count.
void printSectionHeaders(std::span<const uint8_t> binary);
// "Section Details:" — types, imports, functions, tables, ..., custom sections, names.
void printSectionDetails(const ir::Module& m);

// Display name of a section id ("Type", "Import", ..., "Custom").
const char* sectionName(uint8_t id);
// A constant expression as text: "i32.const 1024", "global.get 0", "ref.func 3".
std::string renderConstExpr(const ir::Module& m, const ir::ConstExpr& e);
// One instruction as text: the opcode's name and its index or constant immediate ("i32.const
// 7", "local.get 0", "br 1", "i32.load offset=8").
std::string renderInstr(const decode::Instr& in);
// A function type as "(i32, i64) -> f32" ("nil" for no results).
std::string renderFuncType(const ir::FuncType& t);

}  // namespace strata::cli
