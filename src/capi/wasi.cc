// strata.h's WASI preview 1: a config, one guest's state, and a module's imports from it.
#include "capi/capi_impl.h"
#include "strata.h"
#include "wasi/wasi.h"

using namespace strata::capi;

struct strata_wasi_config_t {
  strata::wasi::WasiConfig config;
};

struct strata_wasi_t {
  std::shared_ptr<strata::wasi::WasiCtx> ctx;
};

extern "C" {

strata_wasi_config_t* strata_wasi_config_new() { return new strata_wasi_config_t{}; }
void strata_wasi_config_delete(strata_wasi_config_t* config) { delete config; }

void strata_wasi_config_push_arg(strata_wasi_config_t* config, const char* arg) { config->config.args.emplace_back(arg); }

void strata_wasi_config_push_env(strata_wasi_config_t* config, const char* key, const char* value) {
  config->config.env.push_back(std::string(key) + "=" + value);
}

void strata_wasi_config_preopen_dir(strata_wasi_config_t* config, const char* host_path, const char* guest_path) {
  config->config.preopens.push_back({host_path, guest_path});
}

void strata_wasi_config_set_stdio(strata_wasi_config_t* config, int stdin_fd, int stdout_fd, int stderr_fd) {
  config->config.stdin_fd = stdin_fd;
  config->config.stdout_fd = stdout_fd;
  config->config.stderr_fd = stderr_fd;
}

strata_wasi_t* strata_wasi_new(strata_wasi_config_t* config, wasm_message_t* error_message) {
  auto ctx = strata::wasi::WasiCtx::create(config->config);
  delete config;
  if (!ctx) {
    if (error_message) newMessage(error_message, ctx.error().message);
    return nullptr;
  }
  return new strata_wasi_t{*ctx};
}

void strata_wasi_delete(strata_wasi_t* wasi) { delete wasi; }

bool strata_wasi_get_imports(strata_wasi_t* wasi, wasm_store_t* store, const wasm_module_t* module, wasm_extern_vec_t* out,
                             wasm_message_t* error_message) {
  auto fail = [&](const std::string& message) {
    if (error_message) newMessage(error_message, message);
    wasm_extern_vec_new_empty(out);
    return false;
  };
  strata::Linker linker(store->store.engine());
  if (auto r = strata::wasi::defineWasi(linker, wasi->ctx); !r) return fail(r.error().message);
  std::vector<wasm_extern_t*> list;
  for (const auto& import : module->data->module.imports()) {
    if (import.type.kind == strata::ExternKind::Tag) continue;  // not in wasm_module_imports either
    auto ext = linker.get(store->store, import.module, import.name);
    if (!ext) {
      for (wasm_extern_t* e : list) wasm_extern_delete(e);
      return fail("unknown import: " + import.module + "::" + import.name + " is not a WASI function");
    }
    list.push_back(newExtern(store, *ext));
  }
  wasm_extern_vec_new(out, list.size(), list.data());
  return true;
}

}  // extern "C"
