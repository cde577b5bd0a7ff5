/* trap: a trap two calls deep, with its message and wasm backtrace (wasm_trap_origin,
 * wasm_trap_trace). */
#include "example.h"

static const char* kWat =
    "(module\n"
    "  (func $divide (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u)\n"
    "  (func (export \"average\") (param i32 i32) (result i32)\n"
    "    (call $divide (i32.add (local.get 0) (local.get 1)) (i32.const 0))))";

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_compile(store, kWat);
  if (!module) return 1;
  wasm_extern_vec_t imports = WASM_EMPTY_VEC, exports;
  wasm_instance_t* instance = example_instantiate(store, module, &imports, &exports);
  if (!instance) return 1;

  wasm_val_t a[] = {WASM_I32_VAL(3), WASM_I32_VAL(4)}, r[] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &args, &results);
  if (!trap) return 1;

  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("trap: %s\n", message.data);
  wasm_byte_vec_delete(&message);

  wasm_frame_t* origin = wasm_trap_origin(trap);
  printf("origin: function %u\n", wasm_frame_func_index(origin));
  wasm_frame_delete(origin);

  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  for (size_t i = 0; i < trace.size; ++i) {
    const wasm_frame_t* f = trace.data[i];
    printf("  #%zu function %u at module offset 0x%zx (function offset 0x%zx)\n", i, wasm_frame_func_index(f),
           wasm_frame_module_offset(f), wasm_frame_func_offset(f));
  }
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
