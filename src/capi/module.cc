// Modules (wasm.h): compile, validate, imports/exports, serialize/deserialize, and sharing a
// compiled module with stores on other threads.
#include <cstring>

#include "capi/capi_impl.h"
#include "decode/decoder.h"
#include "strata.h"
#include "validate/validator.h"

using namespace strata::capi;

namespace {

// Serialized modules: this magic, a format version, then the module's binary. Deserializing
// compiles the binary again for the store's engine (no compiled code is stored yet), so a
// serialized module loads on every tier and version that reads the format.
constexpr char kMagic[8] = {'s', 't', 'r', 'a', 't', 'a', 'm', 'o'};
constexpr uint8_t kFormatVersion = 1;
constexpr size_t kHeaderSize = sizeof kMagic + 1;

std::span<const uint8_t> bytesOf(const wasm_byte_vec_t* v) {
  return {reinterpret_cast<const uint8_t*>(v->data), v->size};
}

wasm_module_t* compile(wasm_store_t* store, std::span<const uint8_t> binary, wasm_message_t* error = nullptr) {
  auto module = strata::Module::fromBinary(store->store.engine(), binary);
  if (!module) {
    if (error) newMessage(error, module.error().describe());
    return nullptr;
  }
  auto data = std::make_shared<ModuleData>(std::move(*module), std::vector<uint8_t>(binary.begin(), binary.end()));
  return new wasm_module_t(store, std::move(data));
}

}  // namespace

extern "C" {

wasm_module_t* wasm_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary) { return compile(store, bytesOf(binary)); }

wasm_module_t* strata_module_new(wasm_store_t* store, const wasm_byte_vec_t* binary, wasm_message_t* error_message) {
  return compile(store, bytesOf(binary), error_message);
}

bool wasm_module_validate(wasm_store_t* store, const wasm_byte_vec_t* binary) {
  // Decoding and validation only: no tier compiles anything.
  const strata::ir::Features& features = store->store.engine().config().features;
  auto module = strata::decode::decodeModule(bytesOf(binary), features);
  return module && strata::validate::validateModule(*module, features).has_value();
}

void wasm_module_imports(const wasm_module_t* module, wasm_importtype_vec_t* out) {
  std::vector<wasm_importtype_t*> list;
  for (const auto& import : module->data->module.imports()) {
    wasm_externtype_t* type = newExternType(import.type);
    if (!type) continue;  // tags: wasm.h has no kind for them
    auto* t = new wasm_importtype_t{};
    newName(&t->module, import.module);
    newName(&t->name, import.name);
    t->type = type;
    list.push_back(t);
  }
  wasm_importtype_vec_new(out, list.size(), list.data());
}

void wasm_module_exports(const wasm_module_t* module, wasm_exporttype_vec_t* out) {
  std::vector<wasm_exporttype_t*> list;
  for (const auto& e : module->data->module.exports()) {
    wasm_externtype_t* type = newExternType(e.type);
    if (!type) continue;
    auto* t = new wasm_exporttype_t{};
    newName(&t->name, e.name);
    t->type = type;
    list.push_back(t);
  }
  wasm_exporttype_vec_new(out, list.size(), list.data());
}

void wasm_module_serialize(const wasm_module_t* module, wasm_byte_vec_t* out) {
  const auto& binary = module->data->binary;
  wasm_byte_vec_new_uninitialized(out, kHeaderSize + binary.size());
  std::memcpy(out->data, kMagic, sizeof kMagic);
  out->data[sizeof kMagic] = char(kFormatVersion);
  if (!binary.empty()) std::memcpy(out->data + kHeaderSize, binary.data(), binary.size());
}

wasm_module_t* wasm_module_deserialize(wasm_store_t* store, const wasm_byte_vec_t* bytes) {
  if (bytes->size < kHeaderSize || std::memcmp(bytes->data, kMagic, sizeof kMagic) != 0 ||
      uint8_t(bytes->data[sizeof kMagic]) != kFormatVersion)
    return nullptr;
  return compile(store, bytesOf(bytes).subspan(kHeaderSize));
}

// ---- shared modules ----

void wasm_shared_module_delete(wasm_shared_module_t* shared) { delete shared; }

wasm_shared_module_t* wasm_module_share(const wasm_module_t* module) {
  return new wasm_shared_module_t{module->data->module, module->data->binary};
}

wasm_module_t* wasm_module_obtain(wasm_store_t* store, const wasm_shared_module_t* shared) {
  // A compiled module belongs to its engine (types, tier): another engine's store compiles
  // the binary again.
  if (!(shared->module.engine() == store->store.engine())) return compile(store, shared->binary);
  return new wasm_module_t(store, std::make_shared<ModuleData>(shared->module, shared->binary));
}

}  // extern "C"
