/* wasi: run a WASI command (its _start) with arguments and an environment, and report its exit
 * status (strata.h's WASI). */
#include "example.h"

/* Writes "hello from WASI\n" to stdout, then exits with the number of arguments. */
static const char* kWat =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $args_sizes_get (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $proc_exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 64) \"hello from WASI\\n\")\n"
    "  (func (export \"_start\")\n"
    "    (i32.store (i32.const 0) (i32.const 64))\n"
    "    (i32.store (i32.const 4) (i32.const 16))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
    "    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))\n"
    "    (call $proc_exit (i32.load (i32.const 32)))))";

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_compile(store, kWat);
  if (!module) return 1;

  strata_wasi_config_t* config = strata_wasi_config_new();
  strata_wasi_config_push_arg(config, "wasi-example");
  strata_wasi_config_push_arg(config, "--flag");
  strata_wasi_config_push_env(config, "MODE", "demo");
  wasm_message_t error;
  strata_wasi_t* wasi = strata_wasi_new(config, &error);
  if (!wasi) {
    fprintf(stderr, "wasi: %s\n", error.data);
    return 1;
  }
  wasm_extern_vec_t imports, exports;
  if (!strata_wasi_get_imports(wasi, store, module, &imports, &error)) {
    fprintf(stderr, "imports: %s\n", error.data);
    return 1;
  }
  wasm_instance_t* instance = example_instantiate(store, module, &imports, &exports);
  if (!instance) return 1;

  fflush(stdout);  /* the guest writes to the same file descriptor */
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[1]), &none, &none);
  int32_t status = 0;
  if (trap && strata_trap_exit_status(trap, &status)) printf("exit status: %d\n", status);
  else if (trap) return 1;
  if (trap) wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_extern_vec_delete(&imports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  strata_wasi_delete(wasi);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
