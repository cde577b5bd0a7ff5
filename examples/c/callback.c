/* callback: a host function with an environment (a counter) and a finalizer, called from a
 * wasm loop with arguments and results. */
#include "example.h"

static const char* kWat =
    "(module\n"
    "  (import \"host\" \"add\" (func $add (param i32 i32) (result i32)))\n"
    "  (func (export \"sum_to\") (param $n i32) (result i32) (local $i i32) (local $s i32)\n"
    "    (block $done (loop $next\n"
    "      (br_if $done (i32.gt_s (local.get $i) (local.get $n)))\n"
    "      (local.set $s (call $add (local.get $s) (local.get $i)))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $next)))\n"
    "    (local.get $s)))";

struct counter {
  int calls;
};

static wasm_trap_t* add(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  ((struct counter*)env)->calls++;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32;
  return NULL;
}

static void finalize(void* env) { printf("host calls: %d\n", ((struct counter*)env)->calls); }

int main(void) {
  wasm_engine_t* engine = wasm_engine_new();
  wasm_store_t* store = wasm_store_new(engine);
  wasm_module_t* module = example_compile(store, kWat);
  if (!module) return 1;

  struct counter counter = {0};
  wasm_functype_t* type = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t* func = wasm_func_new_with_env(store, type, add, &counter, finalize);
  wasm_functype_delete(type);

  wasm_extern_t* imports_array[] = {wasm_func_as_extern(func)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_array);
  wasm_extern_vec_t exports;
  wasm_instance_t* instance = example_instantiate(store, module, &imports, &exports);
  if (!instance) return 1;

  wasm_val_t args_array[] = {WASM_I32_VAL(100)};
  wasm_val_t results_array[] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(args_array), results = WASM_ARRAY_VEC(results_array);
  if (wasm_func_call(wasm_extern_as_func(exports.data[0]), &args, &results)) return 1;
  printf("sum_to(100) = %d\n", results_array[0].of.i32);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_func_delete(func);
  wasm_module_delete(module);
  wasm_store_delete(store);  /* runs the finalizer */
  wasm_engine_delete(engine);
  return 0;
}
