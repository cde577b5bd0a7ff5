/* Globals, tables, memories, externs and instances: host-created objects imported by wasm,
 * exported objects used from the host, growth and bounds, link errors. */
#include "capi_test.h"

static const char* kModule =
    "(module\n"
    "  (import \"env\" \"g\" (global $g (mut i32)))\n"
    "  (import \"env\" \"m\" (memory $m 1 4))\n"
    "  (import \"env\" \"t\" (table $t 2 funcref))\n"
    "  (func $seven (result i32) i32.const 7)\n"
    "  (elem (table $t) (i32.const 1) func $seven)\n"
    "  (func (export \"bump\") (result i32) global.get $g i32.const 1 i32.add global.set $g global.get $g)\n"
    "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load8_u)\n"
    "  (func (export \"call_slot\") (param i32) (result i32) local.get 0 call_indirect (result i32))\n"
    "  (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)\n"
    "  (global (export \"const\") f64 (f64.const 2.5))\n"
    "  (export \"m\" (memory $m)) (export \"t\" (table $t)))";

static int32_t call_i32(const wasm_func_t* f, int32_t arg, int has_arg, int* trapped) {
  wasm_val_t a[1] = {WASM_I32_VAL(arg)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = {has_arg ? 1 : 0, a}, results = WASM_ARRAY_VEC(r);
  wasm_trap_t* trap = wasm_func_call(f, &args, &results);
  *trapped = trap != NULL;
  if (trap) wasm_trap_delete(trap);
  return r[0].of.i32;
}

static void test_objects(wasm_store_t* store) {
  wasm_globaltype_t* gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
  wasm_val_t init = WASM_I32_VAL(10);
  wasm_global_t* g = wasm_global_new(store, gt, &init);
  wasm_limits_t mem_limits = {1, 4};
  wasm_memorytype_t* mt = wasm_memorytype_new(&mem_limits);
  wasm_memory_t* m = wasm_memory_new(store, mt);
  wasm_limits_t table_limits = {2, wasm_limits_max_default};
  wasm_tabletype_t* tt = wasm_tabletype_new(wasm_valtype_new_funcref(), &table_limits);
  wasm_table_t* t = wasm_table_new(store, tt, NULL);
  REQUIRE(g && m && t);

  /* A global of the wrong kind of initial value is refused. */
  wasm_val_t wrong = WASM_F32_VAL(1.0f);
  CHECK(wasm_global_new(store, gt, &wrong) == NULL);

  CHECK(wasm_memory_size(m) == 1 && wasm_memory_data_size(m) == MEMORY_PAGE_SIZE);
  wasm_memory_data(m)[100] = 99;
  CHECK(wasm_table_size(t) == 2 && wasm_table_get(t, 0) == NULL && wasm_table_get(t, 5) == NULL);

  wasm_module_t* module = test_module(store, kModule);
  wasm_extern_t* imports_arr[3] = {wasm_global_as_extern(g), wasm_memory_as_extern(m), wasm_table_as_extern(t)};
  wasm_extern_vec_t imports = WASM_ARRAY_VEC(imports_arr), exports;
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, &imports, &trap);
  REQUIRE(instance != NULL);
  wasm_instance_exports(instance, &exports);
  REQUIRE(exports.size == 7);
  int trapped;

  /* The global: wasm and host see the same cell. */
  CHECK(call_i32(test_export_func(&exports, 0), 0, 0, &trapped) == 11 && !trapped);
  wasm_val_t v;
  wasm_global_get(g, &v);
  CHECK(v.kind == WASM_I32 && v.of.i32 == 11);
  wasm_val_t set = WASM_I32_VAL(100);
  wasm_global_set(g, &set);
  CHECK(call_i32(test_export_func(&exports, 0), 0, 0, &trapped) == 101);
  wasm_globaltype_t* got_gt = wasm_global_type(g);
  CHECK(wasm_globaltype_mutability(got_gt) == WASM_VAR && wasm_valtype_kind(wasm_globaltype_content(got_gt)) == WASM_I32);
  wasm_globaltype_delete(got_gt);

  /* An exported immutable global: readable, and setting it changes nothing. */
  wasm_global_t* c = wasm_extern_as_global(exports.data[4]);
  REQUIRE(c != NULL);
  wasm_global_get(c, &v);
  CHECK(v.kind == WASM_F64 && v.of.f64 == 2.5);
  wasm_val_t other = WASM_F64_VAL(9.0);
  wasm_global_set(c, &other);
  wasm_global_get(c, &v);
  CHECK(v.of.f64 == 2.5);

  /* The memory: host writes are wasm's reads; growth from both sides. */
  CHECK(call_i32(test_export_func(&exports, 1), 100, 1, &trapped) == 99 && !trapped);
  call_i32(test_export_func(&exports, 1), 70000, 1, &trapped);
  CHECK(trapped);
  CHECK(wasm_memory_grow(m, 1) && wasm_memory_size(m) == 2);
  CHECK(call_i32(test_export_func(&exports, 3), 1, 1, &trapped) == 2 && wasm_memory_size(m) == 3);
  CHECK(!wasm_memory_grow(m, 2) && wasm_memory_size(m) == 3);  /* beyond the maximum */
  wasm_memory_t* exported_m = wasm_extern_as_memory(exports.data[5]);
  CHECK(exported_m && wasm_memory_same(exported_m, m) && wasm_memory_data_size(exported_m) == 3 * MEMORY_PAGE_SIZE);
  wasm_memorytype_t* got_mt = wasm_memory_type(m);
  CHECK(wasm_memorytype_limits(got_mt)->min == 3 && wasm_memorytype_limits(got_mt)->max == 4);
  wasm_memorytype_delete(got_mt);

  /* The table: the element segment filled slot 1; the host fills slot 0 and grows it. */
  CHECK(call_i32(test_export_func(&exports, 2), 1, 1, &trapped) == 7 && !trapped);
  call_i32(test_export_func(&exports, 2), 0, 1, &trapped);
  CHECK(trapped);  /* uninitialized element */
  wasm_ref_t* slot1 = wasm_table_get(t, 1);
  REQUIRE(slot1 != NULL);
  CHECK(wasm_table_set(t, 0, slot1));
  CHECK(call_i32(test_export_func(&exports, 2), 0, 1, &trapped) == 7 && !trapped);
  CHECK(!wasm_table_set(t, 2, slot1));  /* out of bounds */
  CHECK(wasm_table_grow(t, 3, slot1) && wasm_table_size(t) == 5);
  CHECK(call_i32(test_export_func(&exports, 2), 4, 1, &trapped) == 7 && !trapped);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  CHECK(!wasm_table_set(t, 0, wasm_foreign_as_ref(foreign)));  /* not a function */
  wasm_foreign_delete(foreign);
  CHECK(wasm_table_set(t, 0, NULL) && wasm_table_get(t, 0) == NULL);
  wasm_tabletype_t* got_tt = wasm_table_type(t);
  CHECK(wasm_tabletype_limits(got_tt)->min == 5 && wasm_valtype_kind(wasm_tabletype_element(got_tt)) == WASM_FUNCREF);
  wasm_tabletype_delete(got_tt);
  wasm_ref_delete(slot1);

  /* Externs: kinds, types and the views. */
  wasm_externkind_t kinds[7] = {WASM_EXTERN_FUNC, WASM_EXTERN_FUNC, WASM_EXTERN_FUNC, WASM_EXTERN_FUNC,
                                WASM_EXTERN_GLOBAL, WASM_EXTERN_MEMORY, WASM_EXTERN_TABLE};
  for (size_t i = 0; i < 7; ++i) {
    CHECK(wasm_extern_kind(exports.data[i]) == kinds[i]);
    wasm_externtype_t* et = wasm_extern_type(exports.data[i]);
    CHECK(wasm_externtype_kind(et) == kinds[i]);
    wasm_externtype_delete(et);
  }
  CHECK(wasm_extern_as_table(exports.data[0]) == NULL && wasm_extern_as_func(exports.data[6]) == NULL);
  CHECK(wasm_table_as_extern(wasm_extern_as_table(exports.data[6])) == exports.data[6]);
  CHECK(wasm_extern_as_table_const(exports.data[6]) != NULL && wasm_extern_as_global_const(exports.data[6]) == NULL);
  CHECK(wasm_func_as_extern_const(wasm_extern_as_func_const(exports.data[0])) == exports.data[0]);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);

  /* Link errors: too few imports, and an import of the wrong type. */
  wasm_extern_vec_t too_few = {2, imports_arr};
  CHECK(wasm_instance_new(store, module, &too_few, &trap) == NULL);
  CHECK(test_trap_is(trap, "unknown import"));
  wasm_extern_t* swapped[3] = {wasm_memory_as_extern(m), wasm_global_as_extern(g), wasm_table_as_extern(t)};
  wasm_extern_vec_t wrong_types = WASM_ARRAY_VEC(swapped);
  CHECK(wasm_instance_new(store, module, &wrong_types, &trap) == NULL);
  CHECK(test_trap_is(trap, "incompatible import type"));
  CHECK(wasm_instance_new(store, module, &wrong_types, NULL) == NULL);

  wasm_module_delete(module);
  wasm_global_delete(g);
  wasm_memory_delete(m);
  wasm_table_delete(t);
  wasm_globaltype_delete(gt);
  wasm_memorytype_delete(mt);
  wasm_tabletype_delete(tt);
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  wasm_store_t* store = wasm_store_new(engine);
  test_objects(store);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  return test_finish("extern");
}
