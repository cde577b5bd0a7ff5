// The C++ API's WASI preview 1: a guest's arguments, environment, preopened directories and stdio, as imports.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strata/extern.hh"
#include "strata/module.hh"
#include "strata/store.hh"

namespace strata {
inline namespace api {

class WasiConfig {
 public:
  WasiConfig() : config_(strata_wasi_config_new()) {}
  // argv[0] first (the program's name).
  WasiConfig& arg(const std::string& value) {
    strata_wasi_config_push_arg(config_.get(), value.c_str());
    return *this;
  }
  WasiConfig& env(const std::string& key, const std::string& value) {
    strata_wasi_config_push_env(config_.get(), key.c_str(), value.c_str());
    return *this;
  }
  // The host directory `host_path`, seen by the guest as `guest_path` (fds 3, 4, ... in order).
  WasiConfig& preopenDir(const std::string& host_path, const std::string& guest_path) {
    strata_wasi_config_preopen_dir(config_.get(), host_path.c_str(), guest_path.c_str());
    return *this;
  }
  // Host descriptors behind the guest's stdin, stdout and stderr (-1 closes one).
  WasiConfig& stdio(int in, int out, int err) {
    strata_wasi_config_set_stdio(config_.get(), in, out, err);
    return *this;
  }

  strata_wasi_config_t* release() { return config_.release(); }

 private:
  detail::Owned<strata_wasi_config_t, strata_wasi_config_delete> config_;
};

// One guest's WASI state. A program's proc_exit ends its call with a Trap whose exitStatus()
// is set.
class Wasi {
 public:
  // Takes the settings out of `config`. Error when a preopened directory cannot be opened.
  static Result<Wasi> create(WasiConfig&& config) { return create(config); }
  static Result<Wasi> create(WasiConfig& config) {
    detail::ByteVec error;
    strata_wasi_t* wasi = strata_wasi_new(config.release(), &error.vec);
    if (!wasi) return std::unexpected(Error{detail::toString(error.vec)});
    return Wasi(wasi);
  }

  // The module's imports as WASI functions of `store`, for Instance::create; Error names an
  // import WASI does not provide.
  Result<std::vector<Extern>> imports(Store& store, const Module& module) const {
    detail::OutVec<wasm_extern_vec_t, wasm_extern_vec_delete> list;
    detail::ByteVec error;
    if (!strata_wasi_get_imports(wasi_.get(), store.raw(), module.raw(), &list.vec, &error.vec)) {
      return std::unexpected(Error{detail::toString(error.vec)});
    }
    std::vector<Extern> out;
    for (size_t i = 0; i < list.size(); ++i) out.push_back(Extern::adopt(std::exchange(list[i], nullptr)));
    return out;
  }

 private:
  explicit Wasi(strata_wasi_t* wasi) : wasi_(wasi, strata_wasi_delete) {}
  std::shared_ptr<strata_wasi_t> wasi_;
};

}  // namespace api
}  // namespace strata
