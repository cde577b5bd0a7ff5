/* memory: read and write an exported memory from the host, grow it from both sides, and see
 * an out-of-bounds access trap. */
#include "example.h"

static const char* kWat =
    "(module\n"
    "  (memory (export \"memory\") 1 3)\n"
    "  (data (i32.const 0) \"wasm\")\n"
    "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load8_u)\n"
    "  (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow))";

static int call_i32(const wasm_extern_t* f, int32_t arg, int32_t* result) {
  wasm_val_t a[] = {WASM_I32_VAL(arg)}, r[] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func_const(f), &args, &results);
  if (trap) {
    example_print_trap(trap);
    return 0;
  }
  *result = r[0].of.i32;
  return 1;
}

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_compile(store, kWat);
  if (!module) return 1;
  wasm_extern_vec_t imports = WASM_EMPTY_VEC, exports;
  wasm_instance_t* instance = example_instantiate(store, module, &imports, &exports);
  if (!instance) return 1;
  wasm_memory_t* memory = wasm_extern_as_memory(exports.data[0]);

  printf("pages: %u, bytes: %zu, data: %.4s\n", wasm_memory_size(memory), wasm_memory_data_size(memory),
         wasm_memory_data(memory));
  wasm_memory_data(memory)[1000] = 42;
  int32_t value = 0;
  if (call_i32(exports.data[1], 1000, &value)) printf("load(1000) = %d\n", value);
  call_i32(exports.data[1], 0x10000, &value);

  bool grown = wasm_memory_grow(memory, 1);
  printf("host grow by 1: %s, pages: %u\n", grown ? "ok" : "failed", wasm_memory_size(memory));
  if (call_i32(exports.data[2], 1, &value)) printf("wasm grow by 1: old size %d, pages: %u\n", value, wasm_memory_size(memory));
  printf("host grow past the maximum: %s\n", wasm_memory_grow(memory, 1) ? "ok" : "failed");

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return 0;
}
