/* hello: compile a module, give it a host function, call its export (wasm.h + strata_wat2wasm).
 *   cc hello.c $(pkg-config --cflags --libs strata) -o hello && ./hello */
#include "example.h"

static const char* kWat =
    "(module\n"
    "  (import \"host\" \"hello\" (func $hello))\n"
    "  (func (export \"run\") call $hello))";

static wasm_trap_t* hello(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  printf("Hello from the host!\n");
  return NULL;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);

  wasm_module_t* module = example_compile(store, kWat);
  if (!module) return 1;

  wasm_functype_t* type = wasm_functype_new_0_0();
  wasm_func_t* func = wasm_func_new(store, type, hello);
  wasm_functype_delete(type);

  wasm_extern_t* imports_array[] = {wasm_func_as_extern(func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_array);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = example_instantiate(store, module, &imports, &exports);
  if (!instance) return 1;
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &none, &none);
  if (trap) return 1;
  printf("Done.\n");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(func);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
