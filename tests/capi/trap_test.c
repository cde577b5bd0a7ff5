/* Traps and frames: messages, the wasm backtrace (origin and trace, innermost first), traps
 * made by the host, through host callbacks, and from a start function. */
#include "capi_test.h"

static const char* kModule =
    "(module $traps\n"
    "  (import \"host\" \"fail\" (func $fail))\n"
    "  (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_s)\n"
    "  (func $outer (export \"divide\") (param i32) (result i32) local.get 0 call $inner)\n"
    "  (func $calls_host (export \"host\") nop call $fail)\n"
    "  (func (export \"unreachable\") unreachable))";

static wasm_store_t* the_store;

static wasm_trap_t* fail(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "host says no");
  wasm_trap_t* trap = wasm_trap_new(the_store, &message);
  wasm_byte_vec_delete(&message);
  return trap;
}

static void test_host_made_trap(wasm_store_t* store) {
  wasm_message_t message, out;
  wasm_name_new_from_string_nt(&message, "made by the host");
  wasm_trap_t* trap = wasm_trap_new(store, &message);
  wasm_trap_message(trap, &out);
  CHECK(out.size == message.size && strcmp(out.data, "made by the host") == 0);
  CHECK(wasm_trap_origin(trap) == NULL);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 0);
  wasm_frame_vec_delete(&trace);

  /* Copies are the same trap and share host info. */
  wasm_trap_t* copy = wasm_trap_copy(trap);
  CHECK(wasm_trap_same(trap, copy));
  int info = 5;
  wasm_trap_set_host_info(copy, &info);
  CHECK(wasm_trap_get_host_info(trap) == &info);
  wasm_trap_t* other = wasm_trap_new(store, &message);
  CHECK(!wasm_trap_same(trap, other) && wasm_trap_get_host_info(other) == NULL);
  wasm_trap_delete(other);
  wasm_trap_delete(copy);
  wasm_trap_delete(trap);
  wasm_byte_vec_delete(&message);
  wasm_byte_vec_delete(&out);
}

static void test_wasm_traps(wasm_store_t* store) {
  wasm_module_t* module = test_module(store, kModule);
  wasm_functype_t* t = wasm_functype_new_0_0();
  wasm_func_t* host = wasm_func_new(store, t, fail);
  wasm_extern_t* imports_arr[1] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_arr), exports;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  REQUIRE(instance != NULL);
  wasm_instance_exports(instance, &exports);

  /* Division by zero two calls deep: functions 1 ($inner) then 2 ($outer). */
  wasm_val_t a[1] = {WASM_I32_VAL(1)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  wasm_trap_t* trap = wasm_func_call(test_export_func(&exports, 0), &args, &results);
  REQUIRE(trap != NULL);
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  CHECK(strcmp(message.data, "integer divide by zero") == 0);
  wasm_byte_vec_delete(&message);

  wasm_frame_t* origin = wasm_trap_origin(trap);
  REQUIRE(origin != NULL);
  CHECK(wasm_frame_func_index(origin) == 1);
  CHECK(wasm_frame_func_offset(origin) > 0 && wasm_frame_func_offset(origin) < wasm_frame_module_offset(origin));
  CHECK(wasm_frame_instance(origin) == NULL);  /* not recorded yet (docs/embedding.md) */

  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  REQUIRE(trace.size == 2);
  CHECK(wasm_frame_func_index(trace.data[0]) == 1 && wasm_frame_func_index(trace.data[1]) == 2);
  CHECK(wasm_frame_module_offset(trace.data[0]) == wasm_frame_module_offset(origin));
  CHECK(wasm_frame_module_offset(trace.data[1]) > wasm_frame_module_offset(trace.data[0]));  /* $outer comes after $inner in the code section */
  wasm_frame_t* copy = wasm_frame_copy(trace.data[1]);
  CHECK(wasm_frame_func_index(copy) == 2 && wasm_frame_func_offset(copy) == wasm_frame_func_offset(trace.data[1]));
  wasm_frame_delete(copy);
  wasm_frame_vec_delete(&trace);
  wasm_frame_delete(origin);
  wasm_trap_delete(trap);

  /* A host trap keeps its message and gains the wasm frame that called the host. */
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  trap = wasm_func_call(test_export_func(&exports, 1), &none, &none);
  REQUIRE(trap != NULL);
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 1 && wasm_frame_func_index(trace.data[0]) == 3);
  wasm_frame_vec_delete(&trace);
  CHECK(test_trap_is(trap, "host says no"));

  CHECK(test_trap_is(wasm_func_call(test_export_func(&exports, 2), &none, &none), "unreachable"));

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(host);
  wasm_functype_delete(t);
}

static void test_start_trap(wasm_store_t* store) {
  wasm_module_t* module = test_module(store, "(module (func $s unreachable) (start $s))");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  CHECK(test_trap_is(trap, "unreachable"));
  wasm_module_delete(module);
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  wasm_store_t* store = wasm_store_new(engine);
  the_store = store;
  test_host_made_trap(store);
  test_wasm_traps(store);
  test_start_trap(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("trap");
}
