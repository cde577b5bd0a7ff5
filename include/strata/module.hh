// The C++ API's modules: compiled from a binary or the text format, their imports and exports, serialized, shared.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/store.hh"
#include "strata/types.hh"

namespace strata {
inline namespace api {

class SharedModule;

// The text format (.wat) to a binary; Error says where the text does not parse.
inline Result<std::vector<uint8_t>> wat2wasm(std::string_view wat) {
  detail::ByteVec binary, error;
  if (!strata_wat2wasm(wat.data(), wat.size(), &binary.vec, &error.vec)) {
    return std::unexpected(Error{detail::toString(error.vec)});
  }
  return std::vector<uint8_t>(binary.vec.data, binary.vec.data + binary.vec.size);
}

// A compiled module; copies share it.
class Module {
 public:
  explicit Module(wasm_module_t* module) : module_(module) {}

  // Decoded, validated and compiled for the store's engine; Error "invalid at offset 0x1f:
  // type mismatch" and the like.
  static Result<Module> fromBinary(Store& store, std::span<const uint8_t> binary) {
    wasm_byte_vec_t bytes = view(binary);
    detail::ByteVec error;
    wasm_module_t* m = strata_module_new(store.raw(), &bytes, &error.vec);
    if (!m) return std::unexpected(Error{detail::toString(error.vec)});
    return Module(m);
  }
  static Result<Module> fromText(Store& store, std::string_view wat) {
    auto binary = wat2wasm(wat);
    if (!binary) return std::unexpected(binary.error());
    return fromBinary(store, *binary);
  }
  // Decoding and validation only.
  static bool validate(Store& store, std::span<const uint8_t> binary) {
    wasm_byte_vec_t bytes = view(binary);
    return wasm_module_validate(store.raw(), &bytes);
  }
  // What serialize() wrote, compiled again for this store's engine (strata.h: the format holds
  // the module's binary, not compiled code).
  static Result<Module> deserialize(Store& store, std::span<const uint8_t> serialized) {
    wasm_byte_vec_t bytes = view(serialized);
    wasm_module_t* m = wasm_module_deserialize(store.raw(), &bytes);
    if (!m) return std::unexpected(Error{"not a serialized module"});
    return Module(m);
  }

  // Exception tags, which wasm.h cannot name, are left out.
  std::vector<ImportType> imports() const {
    detail::OutVec<wasm_importtype_vec_t, wasm_importtype_vec_delete> list;
    wasm_module_imports(raw(), &list.vec);
    std::vector<ImportType> out;
    for (size_t i = 0; i < list.size(); ++i) {
      out.push_back({detail::toString(*wasm_importtype_module(list[i])), detail::toString(*wasm_importtype_name(list[i])),
                     detail::fromC(wasm_importtype_type(list[i]))});
    }
    return out;
  }
  std::vector<ExportType> exports() const {
    detail::OutVec<wasm_exporttype_vec_t, wasm_exporttype_vec_delete> list;
    wasm_module_exports(raw(), &list.vec);
    std::vector<ExportType> out;
    for (size_t i = 0; i < list.size(); ++i) {
      out.push_back({detail::toString(*wasm_exporttype_name(list[i])), detail::fromC(wasm_exporttype_type(list[i]))});
    }
    return out;
  }
  std::vector<uint8_t> serialize() const {
    detail::ByteVec bytes;
    wasm_module_serialize(raw(), &bytes.vec);
    return std::vector<uint8_t>(bytes.vec.data, bytes.vec.data + bytes.vec.size);
  }
  // For a store on another thread (SharedModule::obtain).
  SharedModule share() const;

  wasm_module_t* raw() const { return module_.get(); }

 private:
  static wasm_byte_vec_t view(std::span<const uint8_t> bytes) {
    return detail::view(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  detail::Copyable<wasm_module_t, wasm_module_delete, wasm_module_copy> module_;
};

// A compiled module on its way to another thread; move it there and obtain it in a store.
class SharedModule {
 public:
  explicit SharedModule(wasm_shared_module_t* shared) : shared_(shared) {}
  Module obtain(Store& store) const { return Module(wasm_module_obtain(store.raw(), shared_.get())); }

 private:
  detail::Owned<wasm_shared_module_t, wasm_shared_module_delete> shared_;
};

inline SharedModule Module::share() const { return SharedModule(wasm_module_share(raw())); }

}  // namespace api
}  // namespace strata
