// Test-only builder of ir::Module values: types, functions with bodies given as bytes, memories,
// tables, globals, exports. Bodies are written one instruction per line with a comment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/features.h"
#include "ir/module.h"
#include "support/error.h"
#include "validate/validator.h"

namespace strata::validate::test {

using Bytes = std::vector<uint8_t>;

inline constexpr ir::ValType kI32 = ir::ValType::i32();
inline constexpr ir::ValType kI64 = ir::ValType::i64();
inline constexpr ir::ValType kF32 = ir::ValType::f32();
inline constexpr ir::ValType kF64 = ir::ValType::f64();
inline constexpr ir::ValType kV128 = ir::ValType::v128();
inline constexpr ir::ValType kFuncRef = ir::ValType::funcref();
inline constexpr ir::ValType kExternRef = ir::ValType::externref();
inline ir::ValType refTo(uint32_t type_index, bool nullable) {
  return ir::ValType::ref(ir::HeapType::index(type_index), nullable);
}

struct TestModule {
  ir::Module m;

  uint32_t funcType(std::vector<ir::ValType> params, std::vector<ir::ValType> results) {
    ir::SubType t;
    t.func.params = std::move(params);
    t.func.results = std::move(results);
    return addType(std::move(t));
  }
  uint32_t addType(ir::SubType t) {
    m.types.push_back(std::move(t));
    m.rec_groups.push_back({uint32_t(m.types.size() - 1), 1, false});
    return uint32_t(m.types.size() - 1);
  }
  // A rec group of several types (GC).
  uint32_t recGroup(std::vector<ir::SubType> ts) {
    uint32_t first = uint32_t(m.types.size());
    for (auto& t : ts) m.types.push_back(std::move(t));
    m.rec_groups.push_back({first, uint32_t(ts.size()), true});
    return first;
  }
  uint32_t importFunc(uint32_t type) {
    m.functions.push_back({type, true, {}});
    m.imports.push_back({"m", "f", ir::ExternKind::Func, uint32_t(m.functions.size() - 1)});
    ++m.num_imported_functions;
    return uint32_t(m.functions.size() - 1);
  }
  // `body` is the code section entry without its size: locals, instructions, final end.
  uint32_t func(uint32_t type, const Bytes& body) {
    m.functions.push_back({type, false, m.append(body)});
    return uint32_t(m.functions.size() - 1);
  }
  void memory(uint64_t min, std::optional<uint64_t> max = {}, bool is64 = false) {
    ir::Memory mem;
    mem.type.limits = {min, max, is64, false};
    m.memories.push_back(mem);
  }
  void table(ir::ValType elem, uint64_t min, std::optional<uint64_t> max = {}) {
    ir::Table t;
    t.type.elem = elem;
    t.type.limits = {min, max, false, false};
    m.tables.push_back(t);
  }
  uint32_t global(ir::ValType type, bool mut, const Bytes& init) {
    m.globals.push_back({{type, mut}, false, {m.append(init)}});
    return uint32_t(m.globals.size() - 1);
  }
  uint32_t importGlobal(ir::ValType type, bool mut) {
    m.globals.push_back({{type, mut}, true, {}});
    m.imports.push_back({"m", "g", ir::ExternKind::Global, uint32_t(m.globals.size() - 1)});
    ++m.num_imported_globals;
    return uint32_t(m.globals.size() - 1);
  }
  void exportAs(std::string name, ir::ExternKind kind, uint32_t index) {
    m.exports.push_back({std::move(name), kind, index});
  }
  ir::ConstExpr expr(const Bytes& code) { return {m.append(code)}; }

  Result<void> validate(const ir::Features& f = ir::Features::all()) const { return validateModule(m, f); }
};

// The message of the error, or "ok".
inline std::string messageOf(const Result<void>& r) { return r ? std::string("ok") : r.error().message; }

// One function of type [params] -> [results] with `body`; returns the validation message.
inline std::string checkBody(std::vector<ir::ValType> params, std::vector<ir::ValType> results, const Bytes& body,
                             const ir::Features& f = ir::Features::all()) {
  TestModule t;
  t.memory(1);
  t.func(t.funcType(std::move(params), std::move(results)), body);
  return messageOf(t.validate(f));
}

}  // namespace strata::validate::test
