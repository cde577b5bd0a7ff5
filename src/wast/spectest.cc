// The `spectest` module: the limits and values are those the suite expects (imports.wast checks
// table 10..20 and memory 1..2 against import declarations; linking.wast reads global_i32 = 666).
#include "wast/spectest.h"

#include <fmt/core.h>

#include <string>
#include <vector>

#include "strata/extern.h"
#include "strata/func.h"

namespace strata::wast {

namespace {

std::string valueText(const Val& v) {
  switch (v.kind()) {
    case Val::Kind::I32: return fmt::format("{} : i32", v.i32());
    case Val::Kind::I64: return fmt::format("{} : i64", v.i64());
    case Val::Kind::F32: return fmt::format("{} : f32", v.f32());
    case Val::Kind::F64: return fmt::format("{} : f64", v.f64());
    default: return "? : ?";
  }
}

Result<void> definePrint(Linker& linker, Store& store, std::FILE* out, const char* name, std::vector<ValType> params) {
  FuncType type{std::move(params), {}};
  Func f = Func::wrap(store, type, [out](Caller&, std::span<const Val> args, std::span<Val>) -> TrapResult<void> {
    if (!out) return {};
    std::string line;
    for (const Val& a : args) line += (line.empty() ? "" : " ") + valueText(a);
    fmt::print(out, "{}\n", line);
    return {};
  });
  return linker.define("spectest", name, f);
}

Result<void> defineGlobal(Linker& linker, Store& store, const char* name, ValType type, Val value) {
  Global g = STRATA_TRY(Global::create(store, GlobalType{type, false}, value));
  return linker.define("spectest", name, g);
}

Result<void> defineTable(Linker& linker, Store& store, const char* name, bool is64) {
  TableType type{ValType::funcref(), ir::Limits{10, 20, is64, false}};
  Table t = STRATA_TRY(Table::create(store, type, Val::nullRef(Val::Kind::FuncRef)));
  return linker.define("spectest", name, t);
}

Result<void> defineMemory(Linker& linker, Store& store, const char* name, bool shared) {
  MemoryType type{ir::Limits{1, 2, false, shared}};
  Memory m = STRATA_TRY(Memory::create(store, type));
  return linker.define("spectest", name, m);
}

}  // namespace

Result<void> defineSpectest(Linker& linker, Store& store, std::FILE* out) {
  const ValType i32 = ValType::i32(), i64 = ValType::i64(), f32 = ValType::f32(), f64 = ValType::f64();
  STRATA_CHECK(definePrint(linker, store, out, "print", {}));
  STRATA_CHECK(definePrint(linker, store, out, "print_i32", {i32}));
  STRATA_CHECK(definePrint(linker, store, out, "print_i64", {i64}));
  STRATA_CHECK(definePrint(linker, store, out, "print_f32", {f32}));
  STRATA_CHECK(definePrint(linker, store, out, "print_f64", {f64}));
  STRATA_CHECK(definePrint(linker, store, out, "print_i32_f32", {i32, f32}));
  STRATA_CHECK(definePrint(linker, store, out, "print_f64_f64", {f64, f64}));
  STRATA_CHECK(defineGlobal(linker, store, "global_i32", i32, Val::i32(666)));
  STRATA_CHECK(defineGlobal(linker, store, "global_i64", i64, Val::i64(666)));
  STRATA_CHECK(defineGlobal(linker, store, "global_f32", f32, Val::f32(666.6f)));
  STRATA_CHECK(defineGlobal(linker, store, "global_f64", f64, Val::f64(666.6)));
  STRATA_CHECK(defineTable(linker, store, "table", false));
  if (store.engine().config().features.has(ir::Feature::Memory64)) STRATA_CHECK(defineTable(linker, store, "table64", true));
  STRATA_CHECK(defineMemory(linker, store, "memory", false));
  if (store.engine().config().features.has(ir::Feature::Threads)) STRATA_CHECK(defineMemory(linker, store, "shared_memory", true));
  return {};
}

}  // namespace strata::wast
