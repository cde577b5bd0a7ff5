// Types as the public API sees them: the IR's value and extern types, and import/export descriptors.
#pragma once

#include <cstdint>
#include <string>

#include "ir/types.h"

namespace strata {

// Concrete heap types (type indices) in types returned by the API are engine-wide canonical
// type ids (see Engine), not indices of one module, so that types of different modules compare.
using ValType = ir::ValType;
using FuncType = ir::FuncType;
using TableType = ir::TableType;
using MemoryType = ir::MemoryType;
using GlobalType = ir::GlobalType;
using ExternKind = ir::ExternKind;

struct ExternType {
  ExternKind kind = ExternKind::Func;
  FuncType func;      // Func, and Tag (the tag's parameters)
  TableType table;    // Table
  MemoryType memory;  // Memory
  GlobalType global;  // Global
};

struct ImportType {
  std::string module;
  std::string name;
  ExternType type;
};

struct ExportType {
  std::string name;
  ExternType type;
};

}  // namespace strata
