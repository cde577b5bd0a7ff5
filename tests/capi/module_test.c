/* Config, engine, store and modules: compile, validate, imports, exports, serialize. */
#include "capi_test.h"

static const char* kModule =
    "(module $m\n"
    "  (import \"env\" \"f\" (func (param i32) (result i64)))\n"
    "  (import \"env\" \"g\" (global (mut f32)))\n"
    "  (import \"env\" \"t\" (table 2 10 funcref))\n"
    "  (import \"env\" \"m\" (memory 1))\n"
    "  (func (export \"run\") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)\n"
    "  (global (export \"count\") i32 (i32.const 3))\n"
    "  (table (export \"tab\") 4 externref)\n"
    "  (memory (export \"mem\") 2 3))";

static int name_is(const wasm_name_t* name, const char* s) { return name->size == strlen(s) && memcmp(name->data, s, name->size) == 0; }

static void test_engine_and_config(void) {
  wasm_engine_t* plain = wasm_engine_new();
  CHECK(plain != NULL);
  wasm_store_t* store = wasm_store_new(plain);
  CHECK(store != NULL);
  wasm_store_delete(store);
  wasm_engine_delete(plain);

  wasm_config_t* config = wasm_config_new();
  CHECK(!strata_config_set_tier(config, "no-such-tier"));
  CHECK(strata_tier_available("interp"));
  CHECK(!strata_tier_available("no-such-tier"));
  wasm_config_delete(config);
  CHECK(strcmp(strata_version(), "0.1.0") == 0);
}

static void test_imports_exports(wasm_store_t* store) {
  wasm_module_t* module = test_module(store, kModule);
  wasm_importtype_vec_t imports;
  wasm_module_imports(module, &imports);
  REQUIRE(imports.size == 4);
  CHECK(name_is(wasm_importtype_module(imports.data[0]), "env") && name_is(wasm_importtype_name(imports.data[0]), "f"));
  const wasm_functype_t* ft = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
  REQUIRE(ft != NULL);
  CHECK(wasm_functype_params(ft)->size == 1 && wasm_valtype_kind(wasm_functype_params(ft)->data[0]) == WASM_I32);
  CHECK(wasm_functype_results(ft)->size == 1 && wasm_valtype_kind(wasm_functype_results(ft)->data[0]) == WASM_I64);
  const wasm_globaltype_t* gt = wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[1]));
  REQUIRE(gt != NULL);
  CHECK(wasm_globaltype_mutability(gt) == WASM_VAR && wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_F32);
  const wasm_tabletype_t* tt = wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[2]));
  REQUIRE(tt != NULL);
  CHECK(wasm_tabletype_limits(tt)->min == 2 && wasm_tabletype_limits(tt)->max == 10);
  CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
  const wasm_memorytype_t* mt = wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[3]));
  REQUIRE(mt != NULL);
  CHECK(wasm_memorytype_limits(mt)->min == 1 && wasm_memorytype_limits(mt)->max == wasm_limits_max_default);
  wasm_importtype_vec_delete(&imports);

  wasm_exporttype_vec_t exports;
  wasm_module_exports(module, &exports);
  REQUIRE(exports.size == 4);
  const char* names[] = {"run", "count", "tab", "mem"};
  wasm_externkind_t kinds[] = {WASM_EXTERN_FUNC, WASM_EXTERN_GLOBAL, WASM_EXTERN_TABLE, WASM_EXTERN_MEMORY};
  for (size_t i = 0; i < 4; ++i) {
    CHECK(name_is(wasm_exporttype_name(exports.data[i]), names[i]));
    CHECK(wasm_externtype_kind(wasm_exporttype_type(exports.data[i])) == kinds[i]);
  }
  const wasm_memorytype_t* emt = wasm_externtype_as_memorytype_const(wasm_exporttype_type(exports.data[3]));
  CHECK(wasm_memorytype_limits(emt)->min == 2 && wasm_memorytype_limits(emt)->max == 3);
  wasm_exporttype_vec_delete(&exports);
  wasm_module_delete(module);
}

static void test_validate_and_errors(wasm_store_t* store) {
  wasm_byte_vec_t good, bad_type;
  test_wat("(module (func (result i32) i32.const 1))", &good);
  test_wat("(module (func (result i32) i64.const 1))", &bad_type);  /* parses, does not validate */
  CHECK(wasm_module_validate(store, &good));
  CHECK(!wasm_module_validate(store, &bad_type));
  CHECK(wasm_module_new(store, &bad_type) == NULL);

  wasm_byte_vec_t garbage;
  wasm_byte_vec_new(&garbage, 4, "\0asx");
  CHECK(!wasm_module_validate(store, &garbage));
  CHECK(wasm_module_new(store, &garbage) == NULL);

  /* strata_module_new says why. */
  wasm_message_t why;
  CHECK(strata_module_new(store, &bad_type, &why) == NULL);
  CHECK(why.size > 1 && why.data[why.size - 1] == '\0' && strstr(why.data, "type mismatch") != NULL);
  wasm_byte_vec_delete(&why);
  CHECK(strata_module_new(store, &garbage, &why) == NULL && strstr(why.data, "magic") != NULL);
  wasm_byte_vec_delete(&why);
  wasm_module_t* fine = strata_module_new(store, &good, NULL);
  CHECK(fine != NULL && strata_module_new(store, &garbage, NULL) == NULL);
  wasm_module_delete(fine);

  wasm_byte_vec_t out;
  wasm_message_t error;
  const char* broken = "(module (func (result i32) i32.const))";
  CHECK(!strata_wat2wasm(broken, strlen(broken), &out, &error));
  CHECK(error.size > 1 && error.data[error.size - 1] == '\0');
  wasm_byte_vec_delete(&error);
  wasm_byte_vec_delete(&out);
  wasm_byte_vec_delete(&good);
  wasm_byte_vec_delete(&bad_type);
  wasm_byte_vec_delete(&garbage);
}

static void test_serialize(wasm_store_t* store) {
  wasm_module_t* module = test_module(store, "(module (func (export \"seven\") (result i32) i32.const 7))");
  wasm_byte_vec_t serialized;
  wasm_module_serialize(module, &serialized);
  CHECK(serialized.size > 8);
  wasm_module_t* again = wasm_module_deserialize(store, &serialized);
  REQUIRE(again != NULL);
  CHECK(!wasm_module_same(module, again));  /* a new module, not the old one */

  wasm_extern_vec_t imports = WASM_EMPTY_VEC, exports;
  wasm_instance_t* instance = wasm_instance_new(store, again, &imports, NULL);
  REQUIRE(instance != NULL);
  wasm_instance_exports(instance, &exports);
  wasm_val_t result[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(result);
  CHECK(wasm_func_call(test_export_func(&exports, 0), &args, &results) == NULL);
  CHECK(result[0].kind == WASM_I32 && result[0].of.i32 == 7);

  /* A plain binary is not a serialized module, nor is a truncated one. */
  wasm_byte_vec_t binary;
  test_wat("(module)", &binary);
  CHECK(wasm_module_deserialize(store, &binary) == NULL);
  serialized.size = 5;
  CHECK(wasm_module_deserialize(store, &serialized) == NULL);
  wasm_byte_vec_delete(&serialized);
  wasm_byte_vec_delete(&binary);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  wasm_module_delete(again);
  wasm_module_delete(module);
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  wasm_store_t* store = wasm_store_new(engine);
  test_engine_and_config();
  test_imports_exports(store);
  test_validate_and_errors(store);
  test_serialize(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("module");
}
