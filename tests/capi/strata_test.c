/* strata.h: fuel, epoch deadlines, and WASI (arguments, environment, stdio, exit status,
 * imports WASI does not provide, preopens that do not exist). */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <unistd.h>

#include "capi_test.h"

static const char* kSpin = "(module (func (export \"spin\") (loop $l (br $l))) (func (export \"one\") (result i32) i32.const 1))";

/* An engine of `config`, a store and an instance of kSpin. */
struct spin {
  wasm_engine_t* engine;
  wasm_store_t* store;
  struct test_instance t;
};

static void spin_new(struct spin* s, wasm_config_t* config) {
  s->engine = wasm_engine_new_with_config(config);
  REQUIRE(s->engine != NULL);
  s->store = wasm_store_new(s->engine);
  test_instantiate(&s->t, s->store, kSpin);
}

static void spin_delete(struct spin* s) {
  test_instance_delete(&s->t);
  wasm_store_delete(s->store);
  wasm_engine_delete(s->engine);
}

static void test_fuel(void) {
  wasm_config_t* config = test_config();
  strata_config_consume_fuel(config, true);
  struct spin s;
  spin_new(&s, config);
  strata_store_set_fuel(s.store, 1000);
  CHECK(strata_store_get_fuel(s.store) == 1000);
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(test_export_func(&s.t.exports, 1), &none, &results) == NULL && r[0].of.i32 == 1);
  CHECK(strata_store_get_fuel(s.store) < 1000);
  CHECK(test_trap_is(wasm_func_call(test_export_func(&s.t.exports, 0), &none, &none), "all fuel consumed"));
  CHECK(strata_store_get_fuel(s.store) == 0);
  spin_delete(&s);
}

static void test_epoch(void) {
  wasm_config_t* config = test_config();
  strata_config_epoch_interruption(config, true);
  struct spin s;
  spin_new(&s, config);
  strata_store_set_epoch_deadline(s.store, 1);
  strata_engine_increment_epoch(s.engine);
  strata_engine_increment_epoch(s.engine);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(test_trap_is(wasm_func_call(test_export_func(&s.t.exports, 0), &none, &none), "interrupt"));
  spin_delete(&s);
}

/* Writes the data segment's text to stdout, then exits with 10 * (environment variables) +
 * (arguments). */
static const char* kWasiProgram =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"args_sizes_get\" (func $args_sizes_get (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"environ_sizes_get\" (func $environ_sizes_get (param i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $proc_exit (param i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 64) \"hello wasi\\n\")\n"
    "  (func (export \"_start\")\n"
    "    (i32.store (i32.const 0) (i32.const 64))\n"
    "    (i32.store (i32.const 4) (i32.const 11))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))\n"
    "    (drop (call $args_sizes_get (i32.const 32) (i32.const 36)))\n"
    "    (drop (call $environ_sizes_get (i32.const 40) (i32.const 44)))\n"
    "    (call $proc_exit (i32.add (i32.mul (i32.load (i32.const 40)) (i32.const 10))\n"
    "                              (i32.load (i32.const 32))))))";

static void test_wasi(wasm_engine_t* engine) {
  wasm_store_t* store = wasm_store_new(engine);
  FILE* out = tmpfile();
  REQUIRE(out != NULL);
  strata_wasi_config_t* config = strata_wasi_config_new();
  strata_wasi_config_push_arg(config, "prog");
  strata_wasi_config_push_arg(config, "one");
  strata_wasi_config_push_arg(config, "two");
  strata_wasi_config_push_env(config, "GREETING", "hi");
  strata_wasi_config_set_stdio(config, -1, fileno(out), 2);
  wasm_message_t error;
  strata_wasi_t* wasi = strata_wasi_new(config, &error);
  REQUIRE(wasi != NULL);

  wasm_module_t* module = test_module(store, kWasiProgram);
  wasm_extern_vec_t imports, exports;
  REQUIRE(strata_wasi_get_imports(wasi, store, module, &imports, &error));
  CHECK(imports.size == 4);
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
  REQUIRE(instance != NULL);
  wasm_instance_exports(instance, &exports);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  wasm_trap_t* trap = wasm_func_call(test_export_func(&exports, 1), &none, &none);
  int32_t status = -1;
  CHECK(trap != NULL && strata_trap_exit_status(trap, &status));
  CHECK(status == 13);  /* one variable, three arguments */
  if (trap) wasm_trap_delete(trap);

  char text[32] = {0};
  rewind(out);
  CHECK(fread(text, 1, sizeof text - 1, out) == 11 && strcmp(text, "hello wasi\n") == 0);
  fclose(out);

  /* An ordinary trap is not an exit. */
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "plain");
  wasm_trap_t* plain = wasm_trap_new(store, &message);
  CHECK(!strata_trap_exit_status(plain, &status));
  wasm_trap_delete(plain);
  wasm_byte_vec_delete(&message);

  wasm_extern_vec_delete(&exports);
  wasm_extern_vec_delete(&imports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);

  /* A module that imports something else. */
  wasm_module_t* other = test_module(store, "(module (import \"env\" \"f\" (func)))");
  CHECK(!strata_wasi_get_imports(wasi, store, other, &imports, &error));
  CHECK(imports.size == 0 && strstr(error.data, "env::f") != NULL);
  wasm_byte_vec_delete(&error);
  wasm_module_delete(other);
  strata_wasi_delete(wasi);

  /* A preopen of a directory that is not there. */
  config = strata_wasi_config_new();
  strata_wasi_config_preopen_dir(config, "/no/such/strata/dir", "/data");
  CHECK(strata_wasi_new(config, &error) == NULL);
  CHECK(error.size > 1 && strstr(error.data, "/no/such/strata/dir") != NULL);
  wasm_byte_vec_delete(&error);
  wasm_store_delete(store);
}

/* Compile settings: a small stack budget, explicit bounds checks, canonical NaNs. */
static void test_compile_settings(void) {
  wasm_config_t* config = test_config();
  strata_config_max_wasm_stack(config, 64 * 1024);
  strata_config_explicit_bounds_checks(config, true);
  strata_config_nan_canonicalization(config, true);
  wasm_engine_t* engine = wasm_engine_new_with_config(config);
  wasm_store_t* store = wasm_store_new(engine);
  struct test_instance t;
  test_instantiate(&t, store,
      "(module (memory 1) (func $deep (export \"deep\") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $deep)\n"
      "  (func (export \"load\") (result i32) i32.const 65535 i32.load)\n"
      "  (func (export \"nan\") (result i32) f32.const 0 f32.const 0 f32.div i32.reinterpret_f32))");
  wasm_val_t a[1] = {WASM_I32_VAL(0)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r), none = WASM_EMPTY_VEC;
  CHECK(test_trap_is(wasm_func_call(test_export_func(&t.exports, 0), &args, &results), "call stack exhausted"));
  CHECK(test_trap_is(wasm_func_call(test_export_func(&t.exports, 1), &none, &results), "out of bounds memory access"));
  CHECK(wasm_func_call(test_export_func(&t.exports, 2), &none, &results) == NULL);
  /* The canonical NaN, positive, on every tier (x86's own 0/0 is the negative 0xffc00000). */
  CHECK(r[0].kind == WASM_I32 && (uint32_t)r[0].of.i32 == 0x7fc00000u);
  test_instance_delete(&t);
  wasm_store_delete(store);
  wasm_engine_delete(engine);

  /* A WASI config that is never used is deleted as it is. */
  strata_wasi_config_t* unused = strata_wasi_config_new();
  strata_wasi_config_push_arg(unused, "prog");
  strata_wasi_config_delete(unused);
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  test_fuel();
  test_epoch();
  test_compile_settings();
  test_wasi(engine);
  wasm_engine_delete(engine);
  return test_finish("strata");
}
