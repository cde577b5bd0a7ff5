/* Functions: host callbacks (with and without environment, finalizers), types and arities,
 * wasm_func_call of wasm and host functions, argument checks, references as values. */
#include "capi_test.h"

static int plain_calls = 0;

static wasm_trap_t* add_one(const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  plain_calls++;
  results->data[0].kind = WASM_I32;
  results->data[0].of.i32 = args->data[0].of.i32 + 1;
  return NULL;
}

struct counter {
  int calls;
  int finalized;
  wasm_store_t* store;
};

static wasm_trap_t* scaled(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  struct counter* c = env;
  c->calls++;
  results->data[0].kind = WASM_I64;
  results->data[0].of.i64 = args->data[0].of.i64 * 10;
  results->data[1].kind = WASM_F64;
  results->data[1].of.f64 = args->data[1].of.f64 / 2;
  return NULL;
}

static void finalize_counter(void* env) { ((struct counter*)env)->finalized++; }

static wasm_trap_t* refuse(void* env, const wasm_val_vec_t* args, wasm_val_vec_t* results) {
  struct counter* c = env;
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "refused by host");
  wasm_trap_t* trap = wasm_trap_new(c->store, &message);
  wasm_byte_vec_delete(&message);
  return trap;
}

static const char* kModule =
    "(module\n"
    "  (import \"host\" \"add_one\" (func $add_one (param i32) (result i32)))\n"
    "  (import \"host\" \"scaled\" (func $scaled (param i64 f64) (result i64 f64)))\n"
    "  (import \"host\" \"refuse\" (func $refuse))\n"
    "  (func (export \"twice\") (param i32) (result i32) local.get 0 call $add_one call $add_one)\n"
    "  (func (export \"scaled\") (param i64 f64) (result i64 f64) local.get 0 local.get 1 call $scaled)\n"
    "  (func (export \"refuse\") call $refuse)\n"
    "  (func (export \"id\") (param funcref) (result funcref) local.get 0))";

static void test_host_and_wasm_calls(wasm_store_t* store, struct counter* counter) {
  wasm_functype_t* t_add = wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_functype_t* t_scaled = wasm_functype_new_2_2(wasm_valtype_new_i64(), wasm_valtype_new_f64(),
                                                    wasm_valtype_new_i64(), wasm_valtype_new_f64());
  wasm_functype_t* t_none = wasm_functype_new_0_0();
  wasm_func_t* f_add = wasm_func_new(store, t_add, add_one);
  wasm_func_t* f_scaled = wasm_func_new_with_env(store, t_scaled, scaled, counter, finalize_counter);
  wasm_func_t* f_refuse = wasm_func_new_with_env(store, t_none, refuse, counter, NULL);

  CHECK(wasm_func_param_arity(f_scaled) == 2 && wasm_func_result_arity(f_scaled) == 2);
  wasm_functype_t* got = wasm_func_type(f_scaled);
  CHECK(wasm_functype_params(got)->size == 2 && wasm_valtype_kind(wasm_functype_results(got)->data[1]) == WASM_F64);
  wasm_functype_delete(got);

  /* A host function called from the host. */
  wasm_val_t a[1] = {WASM_I32_VAL(41)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(f_add, &args, &results) == NULL);
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 42 && plain_calls == 1);

  wasm_module_t* module = test_module(store, kModule);
  wasm_extern_t* imports_arr[3] = {wasm_func_as_extern(f_add), wasm_func_as_extern(f_scaled), wasm_func_as_extern(f_refuse)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_arr), exports;
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  REQUIRE(instance != NULL && trap == NULL);
  wasm_instance_exports(instance, &exports);
  REQUIRE(exports.size == 4);

  /* wasm calling the host, twice. */
  a[0].of.i32 = 5;
  CHECK(wasm_func_call(test_export_func(&exports, 0), &args, &results) == NULL);
  CHECK(r[0].of.i32 == 7 && plain_calls == 3);

  /* Two parameters and two results through wasm and back. */
  wasm_val_t sa[2] = {WASM_I64_VAL(-3), WASM_F64_VAL(5.0)}, sr[2] = {WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t sargs = WASM_ARRAY_VEC(sa), sresults = WASM_ARRAY_VEC(sr);
  CHECK(wasm_func_call(test_export_func(&exports, 1), &sargs, &sresults) == NULL);
  CHECK(sr[0].kind == WASM_I64 && sr[0].of.i64 == -30 && sr[1].kind == WASM_F64 && sr[1].of.f64 == 2.5);
  CHECK(counter->calls == 1);

  /* A host trap ends the wasm call with the host's message. */
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(test_trap_is(wasm_func_call(test_export_func(&exports, 2), &none, &none), "refused by host"));

  /* Wrong argument count or kind: a trap, not a crash. */
  CHECK(test_trap_is(wasm_func_call(test_export_func(&exports, 0), &none, &results), "type mismatch"));
  wasm_val_t wrong[1] = {WASM_F32_VAL(1.0f)};
  wasm_val_vec_t wrong_args = WASM_ARRAY_VEC(wrong);
  CHECK(test_trap_is(wasm_func_call(test_export_func(&exports, 0), &wrong_args, &results), "argument 0: type mismatch"));

  /* Function references go through wasm and come back as the same function. */
  wasm_val_t fa[1], fr[1] = {WASM_INIT_VAL};
  fa[0].kind = WASM_FUNCREF;
  fa[0].of.ref = wasm_func_as_ref(f_add);
  wasm_val_vec_t fargs = WASM_ARRAY_VEC(fa), fresults = WASM_ARRAY_VEC(fr);
  CHECK(wasm_func_call(test_export_func(&exports, 3), &fargs, &fresults) == NULL);
  CHECK(fr[0].kind == WASM_FUNCREF && fr[0].of.ref != NULL);
  wasm_func_t* back = wasm_ref_as_func(fr[0].of.ref);
  CHECK(back != NULL && back != f_add && wasm_func_same(back, f_add));
  wasm_val_delete(&fr[0]);
  fa[0].of.ref = NULL;  /* the null funcref */
  CHECK(wasm_func_call(test_export_func(&exports, 3), &fargs, &fresults) == NULL);
  CHECK(fr[0].kind == WASM_FUNCREF && fr[0].of.ref == NULL);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(module);
  wasm_func_delete(f_add);
  wasm_func_delete(f_scaled);
  wasm_func_delete(f_refuse);
  wasm_functype_delete(t_add);
  wasm_functype_delete(t_scaled);
  wasm_functype_delete(t_none);
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  wasm_store_t* store = wasm_store_new(engine);
  struct counter counter = {0, 0, store};
  test_host_and_wasm_calls(store, &counter);
  /* The environment lives as long as the function, i.e. the store. */
  CHECK(counter.finalized == 0);
  wasm_store_delete(store);
  CHECK(counter.finalized == 1);
  wasm_engine_delete(engine);
  return test_finish("func");
}
