// The Linker: definitions by (module, name) and import resolution.
#include "strata/linker.h"

#include <fmt/core.h>

#include "strata/store.h"

namespace strata {

void Linker::restrictTo(const Module& module) {
  only_.emplace();
  for (const ir::Import& imp : module.ir().imports) (*only_)[imp.module].push_back(imp.name);
}

bool Linker::wants(std::string_view module, std::string_view name) const {
  if (!only_) return true;
  auto it = only_->find(module);
  if (it == only_->end()) return false;
  for (const std::string& n : it->second)
    if (n == name) return true;
  return false;
}

Result<void> Linker::insert(Key key, std::variant<Extern, HostDef> def) {
  if (!wants(key.first, key.second)) return {};
  // Moved in, not copied (a host function's type and callback): try_emplace leaves both
  // untouched when the key is already there. Start-up defines some fifty WASI functions.
  auto [it, inserted] = defs_.try_emplace(std::move(key), std::move(def));
  if (!inserted) {
    if (!allow_shadowing_) {
      return makeError(ErrorKind::Usage, kNoOffset, fmt::format("{}::{} defined twice", key.first, key.second));
    }
    it->second = std::move(def);
  }
  return {};
}

Result<void> Linker::define(std::string module, std::string name, Extern item) {
  return insert({std::move(module), std::move(name)}, std::move(item));
}

Result<void> Linker::defineInstance(std::string module, const Instance& instance) {
  for (auto& [name, ext] : instance.exports()) STRATA_CHECK(define(module, name, ext));
  return {};
}

Result<void> Linker::defineFunc(std::string module, std::string name, FuncType type, HostCallback callback) {
  return insert({std::move(module), std::move(name)}, HostDef{std::move(type), std::move(callback)});
}

std::optional<Extern> Linker::get(Store& store, std::string_view module, std::string_view name) const {
  auto it = defs_.find(Key{std::string(module), std::string(name)});
  if (it == defs_.end()) return std::nullopt;
  if (auto* ext = std::get_if<Extern>(&it->second)) return *ext;
  const HostDef& h = std::get<HostDef>(it->second);
  return Func::wrap(store, h.type, h.callback);
}

Result<Instance> Linker::instantiate(Store& store, const Module& module) const {
  std::vector<Extern> imports;
  for (const ImportType& imp : module.imports()) {
    std::optional<Extern> ext = get(store, imp.module, imp.name);
    if (!ext) {
      return makeError(ErrorKind::Unlinkable, kNoOffset, fmt::format("unknown import: {}::{}", imp.module, imp.name));
    }
    imports.push_back(std::move(*ext));
  }
  return Instance::create(store, module, imports);
}

}  // namespace strata
