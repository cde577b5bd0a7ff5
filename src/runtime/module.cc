// Module creation (decode or parse, validate, compile) and its import/export descriptors.
#include "strata/module.h"

#include <fmt/core.h>

#include "decode/decoder.h"
#include "runtime/code_cache.h"
#include "runtime/module_impl.h"
#include "support/file_mapping.h"
#include "text/text.h"
#include "validate/validator.h"

namespace strata {

using runtime::ModuleImpl;

ExternType ModuleImpl::externType(ExternKind kind, uint32_t index) const {
  ExternType t;
  t.kind = kind;
  switch (kind) {
    case ExternKind::Func:
      t.func = TypeRegistry::canonicalize(ir->funcType(index), type_ids);
      break;
    case ExternKind::Table:
      t.table = ir->tables[index].type;
      t.table.elem = canonical(t.table.elem);
      break;
    case ExternKind::Memory: t.memory = ir->memories[index].type; break;
    case ExternKind::Global:
      t.global = ir->globals[index].type;
      t.global.type = canonical(t.global.type);
      break;
    case ExternKind::Tag:
      t.func = TypeRegistry::canonicalize(ir->tagFuncType(index), type_ids);
      break;
  }
  return t;
}

namespace {

// Only machine-code tiers write artifacts; the interpreter's "compile" is cheaper than a lookup.
bool cached(const Engine& engine) { return !engine.config().cache_dir.empty() && engine.config().tier != "interp"; }

}  // namespace

Result<Module> Module::fromBinary(const Engine& engine, std::span<const uint8_t> bytes) {
  if (cached(engine)) return runtime::compileCached(engine, bytes, [&] { return fromBinaryUncached(engine, bytes); });
  return fromBinaryUncached(engine, bytes);
}

Result<Module> Module::fromBinaryUncached(const Engine& engine, std::span<const uint8_t> bytes) {
  ir::Module m = STRATA_TRY(decode::decodeModule(bytes, engine.config().features));
  return fromIr(engine, std::make_shared<const ir::Module>(std::move(m)));
}

Result<Module> Module::fromBinary(const Engine& engine, std::span<const uint8_t> bytes,
                                  std::shared_ptr<const void> backing) {
  auto compile = [&]() -> Result<Module> {
    ir::Module m = STRATA_TRY(decode::decodeModuleInPlace(bytes, backing, engine.config().features));
    return fromIr(engine, std::make_shared<const ir::Module>(std::move(m)));
  };
  if (cached(engine)) return runtime::compileCached(engine, bytes, compile);
  return compile();
}

Result<Module> Module::fromFile(const Engine& engine, const std::string& path) {
  std::shared_ptr<const support::FileMapping> mapping = STRATA_TRY(support::FileMapping::open(path));
  std::span<const uint8_t> bytes = mapping->bytes();
  if (isArtifact(bytes))
    return makeError(ErrorKind::Usage, kNoOffset,
                     fmt::format("{} is a compiled artifact: load it with Module::deserializeFile", path));
  if (decode::looksBinary(bytes)) return fromBinary(engine, bytes, std::move(mapping));
  return fromText(engine, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

Result<Module> Module::fromText(const Engine& engine, std::string_view wat) {
  ir::Module m = STRATA_TRY(text::parseWat(wat));
  return fromIr(engine, std::make_shared<const ir::Module>(std::move(m)));
}

Result<Module> Module::fromIr(const Engine& engine, std::shared_ptr<const ir::Module> module, bool validated) {
  const ir::Features& features = engine.config().features;
  const vm::Compiler& compiler = engine.impl().compiler();
  auto impl = std::make_shared<ModuleImpl>();
  impl->engine = engine.shared();
  impl->ir = std::move(module);
  impl->env = STRATA_TRY(validate::ModuleEnv::create(*impl->ir, features));
  if (!validated) STRATA_CHECK(validate::validateModule(impl->env, !compiler.validatesBodies()));
  auto compiled = compiler.compile(*impl->ir, impl->env, engine.impl().compileOptions());
  if (!compiled) {
    // A body's validation error from the tier: for a text module, point back into the text
    // (textOffset is the identity for binary modules).
    Error e = compiled.error();
    if ((e.kind == ErrorKind::Invalid || e.kind == ErrorKind::Malformed) && e.offset != kNoOffset)
      e.offset = impl->ir->textOffset(e.offset);
    return std::unexpected(std::move(e));
  }
  impl->compiled = std::move(*compiled);
  impl->type_ids = engine.impl().types().intern(*impl->ir);
  for (uint32_t id : impl->type_ids) impl->gc_types.push_back(engine.impl().types().gcType(id));
  return Module(std::move(impl));
}

std::vector<ImportType> Module::imports() const {
  std::vector<ImportType> out;
  for (const ir::Import& imp : impl_->ir->imports) out.push_back({imp.module, imp.name, impl_->externType(imp.kind, imp.index)});
  return out;
}

std::vector<ExportType> Module::exports() const {
  std::vector<ExportType> out;
  for (const ir::Export& exp : impl_->ir->exports) out.push_back({exp.name, impl_->externType(exp.kind, exp.index)});
  return out;
}

std::optional<ExportType> Module::getExport(std::string_view name) const {
  for (const ir::Export& exp : impl_->ir->exports) {
    if (exp.name == name) return ExportType{exp.name, impl_->externType(exp.kind, exp.index)};
  }
  return std::nullopt;
}

std::optional<std::string_view> Module::name() const {
  if (impl_->ir->names.module) return std::string_view(*impl_->ir->names.module);
  return std::nullopt;
}

const ir::Module& Module::ir() const { return *impl_->ir; }

Engine Module::engine() const { return Engine::fromShared(impl_->engine); }

const vm::CompiledModule& Module::compiled() const { return *impl_->compiled; }

}  // namespace strata
