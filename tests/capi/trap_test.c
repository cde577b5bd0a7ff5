/* Traps and frames: messages, the wasm backtrace (origin and trace, innermost first), traps
 * made by the host, through host callbacks, and from a start function; the instance of each frame. */
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
  CHECK(wasm_instance_same(wasm_frame_instance(origin), instance));

  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  REQUIRE(trace.size == 2);
  CHECK(wasm_frame_func_index(trace.data[0]) == 1 && wasm_frame_func_index(trace.data[1]) == 2);
  CHECK(wasm_frame_module_offset(trace.data[0]) == wasm_frame_module_offset(origin));
  CHECK(wasm_frame_module_offset(trace.data[1]) > wasm_frame_module_offset(trace.data[0]));  /* $outer comes after $inner in the code section */
  /* Frame vectors copy their frames. */
  wasm_frame_vec_t trace_copy, empty, uninit, made;
  wasm_frame_vec_copy(&trace_copy, &trace);
  CHECK(trace_copy.size == 2 && trace_copy.data[0] != trace.data[0] && wasm_frame_func_index(trace_copy.data[1]) == 2);
  wasm_frame_vec_new_empty(&empty);
  wasm_frame_vec_new_uninitialized(&uninit, 1);
  CHECK(empty.size == 0 && uninit.size == 1 && uninit.data[0] == NULL);
  wasm_frame_t* one[1] = {wasm_frame_copy(trace.data[0])};
  wasm_frame_vec_new(&made, 1, one);
  CHECK(made.size == 1 && wasm_frame_func_index(made.data[0]) == 1);
  wasm_frame_vec_delete(&trace_copy);
  wasm_frame_vec_delete(&empty);
  wasm_frame_vec_delete(&uninit);
  wasm_frame_vec_delete(&made);
  wasm_frame_t* copy = wasm_frame_copy(trace.data[1]);
  CHECK(wasm_frame_func_index(copy) == 2 && wasm_frame_func_offset(copy) == wasm_frame_func_offset(trace.data[1]));
  CHECK(wasm_instance_same(wasm_frame_instance(copy), instance));
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

/* Checks that every frame of `trap` ran in `instance` and that the frames' function indices are
 * `indices` (innermost first, `n` of them). */
static void check_trace(const wasm_trap_t* trap, const wasm_instance_t* instance, const uint32_t* indices, size_t n) {
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == n);
  for (size_t i = 0; i < trace.size && i < n; ++i) {
    CHECK(wasm_frame_func_index(trace.data[i]) == indices[i]);
    CHECK(wasm_instance_same(wasm_frame_instance(trace.data[i]), instance));
  }
  wasm_frame_vec_delete(&trace);
}

/* Two instances of one module: frames name the instance that was called. */
static void test_frame_instances(wasm_store_t* store) {
  static const char* kDivider = "(module (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_u)"
                                "  (func (export \"f\") (param i32) (result i32) local.get 0 call $inner))";
  struct test_instance a, b;
  test_instantiate(&a, store, kDivider);
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  b.module = a.module;
  b.instance = wasm_instance_new(store, a.module, &imports, NULL);
  REQUIRE(b.instance != NULL);
  wasm_instance_exports(b.instance, &b.exports);
  static const uint32_t kInnerOuter[] = {0, 1};
  wasm_val_t v[1] = {WASM_I32_VAL(3)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(v), results = WASM_ARRAY_VEC(r);
  wasm_trap_t* trap = wasm_func_call(test_export_func(&b.exports, 0), &args, &results);
  REQUIRE(trap != NULL);
  check_trace(trap, b.instance, kInnerOuter, 2);
  wasm_trap_delete(trap);
  trap = wasm_func_call(test_export_func(&a.exports, 0), &args, &results);
  REQUIRE(trap != NULL);
  check_trace(trap, a.instance, kInnerOuter, 2);

  /* Through a caller of another module: the callee's frame names the callee's instance. */
  wasm_extern_t* callee[1] = {a.exports.data[0]};
  wasm_extern_vec_t caller_imports = WASM_ARRAY_VEC(callee), caller_exports;
  wasm_module_t* caller_module = test_module(store,
      "(module (import \"m\" \"f\" (func $f (param i32) (result i32)))"
      "  (func (export \"g\") (param i32) (result i32) local.get 0 call $f))");
  wasm_instance_t* caller = wasm_instance_new(store, caller_module, &caller_imports, NULL);
  REQUIRE(caller != NULL);
  wasm_instance_exports(caller, &caller_exports);
  wasm_trap_t* through = wasm_func_call(test_export_func(&caller_exports, 0), &args, &results);
  REQUIRE(through != NULL);
  wasm_frame_vec_t trace;
  wasm_trap_trace(through, &trace);
  REQUIRE(trace.size == 3);
  CHECK(wasm_instance_same(wasm_frame_instance(trace.data[0]), a.instance));
  CHECK(wasm_instance_same(wasm_frame_instance(trace.data[1]), a.instance));
  CHECK(wasm_instance_same(wasm_frame_instance(trace.data[2]), caller));
  CHECK(wasm_frame_func_index(trace.data[2]) == 1);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(through);
  wasm_trap_delete(trap);
  wasm_extern_vec_delete(&caller_exports);
  wasm_instance_delete(caller);
  wasm_module_delete(caller_module);
  wasm_extern_vec_delete(&b.exports);
  wasm_instance_delete(b.instance);
  test_instance_delete(&a);
}

/* A host function of one store that returns the trap of a call into another store. */
static wasm_func_t* other_store_func;
static wasm_trap_t* call_other_store(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  return wasm_func_call(other_store_func, &none, &none);
}

/* That trap's frame keeps its place in the trace but names no instance (the other store may be
 * gone by the time the trace is read); the caller's frame names its instance. */
static void test_trap_from_another_store(wasm_engine_t* engine, wasm_store_t* store) {
  wasm_store_t* other = wasm_store_new(engine);
  struct test_instance o;
  test_instantiate(&o, other, "(module (func (export \"boom\") nop unreachable))");
  other_store_func = test_export_func(&o.exports, 0);
  wasm_functype_t* t = wasm_functype_new_0_0();
  wasm_func_t* host = wasm_func_new(store, t, call_other_store);
  wasm_extern_t* imports_arr[1] = {wasm_func_as_extern(host)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_arr), exports;
  wasm_module_t* module = test_module(store, "(module (import \"o\" \"boom\" (func $boom)) (func (export \"f\") call $boom))");
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  REQUIRE(instance != NULL);
  wasm_instance_exports(instance, &exports);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(test_export_func(&exports, 0), &none, &none);
  test_instance_delete(&o);
  wasm_store_delete(other);
  REQUIRE(trap != NULL);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  REQUIRE(trace.size == 2);
  CHECK(wasm_frame_func_index(trace.data[0]) == 0 && wasm_frame_func_offset(trace.data[0]) == 2);
  CHECK(wasm_frame_instance(trace.data[0]) == NULL);
  CHECK(wasm_frame_func_index(trace.data[1]) == 1 && wasm_instance_same(wasm_frame_instance(trace.data[1]), instance));
  wasm_frame_vec_delete(&trace);
  CHECK(test_trap_is(trap, "unreachable"));
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(host);
  wasm_functype_delete(t);
}

/* A start function's trap keeps its kind, message and frames ($boom called from $start). */
static void test_start_trap(wasm_store_t* store) {
  wasm_module_t* module = test_module(store, "(module (func $boom unreachable) (func $start nop call $boom) (start $start))");
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  wasm_trap_t* trap = NULL;
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  REQUIRE(trap != NULL);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  REQUIRE(trace.size == 2);
  CHECK(wasm_frame_func_index(trace.data[0]) == 0 && wasm_frame_func_index(trace.data[1]) == 1);
  CHECK(wasm_frame_func_offset(trace.data[0]) == 1);  /* unreachable, after the body's local count */
  CHECK(wasm_frame_func_offset(trace.data[1]) == 2);  /* the call, after the nop */
  /* The instance that was being made (the store keeps it, as it keeps what its segments wrote). */
  CHECK(wasm_frame_instance(trace.data[0]) != NULL);
  CHECK(wasm_instance_same(wasm_frame_instance(trace.data[0]), wasm_frame_instance(trace.data[1])));
  wasm_frame_vec_delete(&trace);
  CHECK(test_trap_is(trap, "unreachable"));

  /* A segment that does not fit traps without frames; a link error is a trap without frames too. */
  wasm_module_delete(module);
  module = test_module(store, "(module (memory 1) (data (i32.const 65536) \"x\"))");
  CHECK(wasm_instance_new(store, module, &imports, &trap) == NULL);
  REQUIRE(trap != NULL);
  CHECK(wasm_trap_origin(trap) == NULL);
  CHECK(test_trap_is(trap, "out of bounds memory access"));
  wasm_module_delete(module);
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  wasm_store_t* store = wasm_store_new(engine);
  the_store = store;
  test_host_made_trap(store);
  test_wasm_traps(store);
  test_frame_instances(store);
  test_trap_from_another_store(engine, store);
  test_start_trap(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("trap");
}
