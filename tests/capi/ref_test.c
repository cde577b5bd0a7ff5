/* References: the _as_ref views, identity, copies, host info with finalizers on every reference
 * kind, and foreign objects carried through wasm as externref. */
#include "capi_test.h"

static int finalized[16];

static void finalize(void* info) { finalized[*(int*)info]++; }

static const char* kModule =
    "(module\n"
    "  (table (export \"refs\") 2 externref)\n"
    "  (global (export \"slot\") (mut externref) (ref.null extern))\n"
    "  (memory (export \"mem\") 1)\n"
    "  (func (export \"keep\") (param externref) (result externref) local.get 0 global.set 0 global.get 0)\n"
    "  (func (export \"is_null\") (param externref) (result i32) local.get 0 ref.is_null))";

static void test_foreign_through_wasm(wasm_store_t* store, wasm_extern_vec_t* exports, wasm_foreign_t* foreign) {
  wasm_val_t a[1], r[1] = {WASM_INIT_VAL};
  a[0].kind = WASM_EXTERNREF;
  a[0].of.ref = wasm_foreign_as_ref(foreign);
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(test_export_func(exports, 3), &args, &results) == NULL);
  REQUIRE(r[0].kind == WASM_EXTERNREF && r[0].of.ref != NULL);
  wasm_foreign_t* back = wasm_ref_as_foreign(r[0].of.ref);
  CHECK(back != NULL && back != foreign && wasm_foreign_same(back, foreign));
  /* Host info belongs to the object, so the handle wasm gave back sees it. */
  CHECK(wasm_foreign_get_host_info(back) == wasm_foreign_get_host_info(foreign));
  wasm_val_delete(&r[0]);

  CHECK(wasm_func_call(test_export_func(exports, 4), &args, &results) == NULL);
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 0);
  a[0].of.ref = NULL;
  CHECK(wasm_func_call(test_export_func(exports, 4), &args, &results) == NULL);
  CHECK(r[0].of.i32 == 1);

  /* Through a table and a global too; other kinds of reference work as externref as well. */
  wasm_table_t* table = wasm_extern_as_table(exports->data[0]);
  CHECK(wasm_table_set(table, 1, wasm_foreign_as_ref(foreign)));
  wasm_ref_t* got = wasm_table_get(table, 1);
  CHECK(got != NULL && wasm_ref_same(got, wasm_foreign_as_ref(foreign)));
  wasm_ref_delete(got);
  wasm_memory_t* mem = wasm_extern_as_memory(exports->data[2]);
  CHECK(wasm_table_set(table, 0, wasm_memory_as_ref(mem)));
  got = wasm_table_get(table, 0);
  CHECK(got != NULL && wasm_ref_as_memory(got) != NULL && wasm_memory_same(wasm_ref_as_memory(got), mem));
  wasm_ref_delete(got);

  wasm_global_t* slot = wasm_extern_as_global(exports->data[1]);
  wasm_val_t v;
  wasm_global_get(slot, &v);  /* set by "keep" above */
  CHECK(v.kind == WASM_EXTERNREF && v.of.ref != NULL && wasm_ref_as_foreign(v.of.ref) != NULL);
  wasm_val_delete(&v);
  (void)store;
}

/* What every reference kind has (wasm.h's WASM_DECLARE_REF): a copy that is the same object,
 * host info shared by every handle and reachable through the wasm_ref_t view, the view and the
 * way back, and a finalizer that runs once, when the object dies. */
#define CHECK_REF_KIND(name, x, slot)                                                                   \
  do {                                                                                                  \
    wasm_##name##_t* copy = wasm_##name##_copy(x);                                                      \
    CHECK(copy != NULL && copy != (x) && wasm_##name##_same(copy, x));                                  \
    wasm_##name##_set_host_info(copy, &ids[slot]);                                                      \
    CHECK(wasm_##name##_get_host_info(x) == &ids[slot]);                                                \
    wasm_ref_t* ref = wasm_##name##_as_ref(copy);                                                       \
    CHECK(wasm_ref_as_##name(ref) == copy && wasm_ref_get_host_info(ref) == &ids[slot]);                \
    CHECK(wasm_ref_as_##name##_const(wasm_##name##_as_ref_const(copy)) == copy);                        \
    wasm_##name##_set_host_info_with_finalizer(copy, &ids[slot], finalize);                             \
    wasm_##name##_delete(copy);                                                                         \
  } while (0)

/* The extern views of each kind of extern, const and not. */
#define CHECK_EXTERN_VIEWS(name, x)                                                                     \
  do {                                                                                                  \
    CHECK(wasm_extern_as_##name(wasm_##name##_as_extern(x)) == (x));                                    \
    CHECK(wasm_extern_as_##name##_const(wasm_##name##_as_extern_const(x)) == (x));                      \
  } while (0)

/* Every reference kind through CHECK_REF_KIND, in a store of its own whose death finalizes them. */
static void test_ref_kinds(wasm_engine_t* engine, int* ids) {
  wasm_store_t* store = wasm_store_new(engine);
  struct test_instance t;
  test_instantiate(&t, store, kModule);
  wasm_func_t* func = test_export_func(&t.exports, 3);
  wasm_global_t* global = wasm_extern_as_global(t.exports.data[1]);
  wasm_table_t* table = wasm_extern_as_table(t.exports.data[0]);
  wasm_memory_t* memory = wasm_extern_as_memory(t.exports.data[2]);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "t");
  wasm_trap_t* trap = wasm_trap_new(store, &message);
  wasm_byte_vec_delete(&message);
  memset(finalized, 0, sizeof finalized);

  CHECK_REF_KIND(func, func, 1);
  CHECK_REF_KIND(global, global, 2);
  CHECK_REF_KIND(table, table, 3);
  CHECK_REF_KIND(memory, memory, 4);
  CHECK_REF_KIND(extern, t.exports.data[4], 5);
  CHECK_REF_KIND(instance, t.instance, 6);
  CHECK_REF_KIND(module, t.module, 7);
  CHECK_REF_KIND(foreign, foreign, 8);
  CHECK_REF_KIND(trap, trap, 9);
  CHECK_EXTERN_VIEWS(func, func);
  CHECK_EXTERN_VIEWS(global, global);
  CHECK_EXTERN_VIEWS(table, table);
  CHECK_EXTERN_VIEWS(memory, memory);
  /* Views between kinds are NULL. */
  CHECK(wasm_ref_as_global(wasm_table_as_ref(table)) == NULL && wasm_ref_as_table(wasm_global_as_ref(global)) == NULL);
  CHECK(wasm_ref_as_instance(wasm_func_as_ref(func)) == NULL && wasm_ref_as_extern_const(wasm_trap_as_ref_const(trap)) == NULL);
  CHECK(wasm_ref_as_func_const(wasm_memory_as_ref_const(memory)) == NULL);
  CHECK(wasm_ref_as_foreign_const(wasm_module_as_ref_const(t.module)) == NULL);
  CHECK(wasm_ref_as_memory_const(wasm_global_as_ref_const(global)) == NULL);
  CHECK(wasm_ref_as_module_const(wasm_instance_as_ref_const(t.instance)) == NULL);
  CHECK(wasm_ref_as_trap_const(wasm_foreign_as_ref_const(foreign)) == NULL);
  CHECK(wasm_ref_as_table_const(wasm_extern_as_ref_const(t.exports.data[4])) == NULL);
  CHECK(wasm_ref_as_global_const(wasm_func_as_ref_const(func)) == NULL);
  CHECK(wasm_extern_as_memory_const(wasm_func_as_extern_const(func)) == NULL);
  /* Host info set through the wasm_ref_t view, with a finalizer. */
  wasm_ref_t* foreign_ref = wasm_foreign_as_ref(foreign);
  wasm_ref_set_host_info(foreign_ref, &ids[10]);
  CHECK(wasm_foreign_get_host_info(foreign) == &ids[10]);
  wasm_ref_set_host_info_with_finalizer(foreign_ref, &ids[8], finalize);

  /* Extern vectors: empty, uninitialized, new (takes the handles), copy (new handles). */
  wasm_extern_vec_t empty, uninit, vec, copy;
  wasm_extern_vec_new_empty(&empty);
  wasm_extern_vec_new_uninitialized(&uninit, 1);
  CHECK(empty.size == 0 && uninit.size == 1 && uninit.data[0] == NULL);
  wasm_extern_t* elems[2] = {wasm_extern_copy(t.exports.data[0]), wasm_extern_copy(t.exports.data[3])};
  wasm_extern_vec_new(&vec, 2, elems);
  wasm_extern_vec_copy(&copy, &vec);
  CHECK(copy.size == 2 && copy.data[1] != elems[1] && wasm_extern_same(copy.data[1], elems[1]));
  CHECK(wasm_extern_kind(copy.data[0]) == WASM_EXTERN_TABLE);
  wasm_extern_vec_delete(&empty);
  wasm_extern_vec_delete(&uninit);
  wasm_extern_vec_delete(&vec);
  wasm_extern_vec_delete(&copy);

  wasm_trap_delete(trap);
  CHECK(finalized[9] == 1);  /* traps and modules die with their last handle */
  wasm_foreign_delete(foreign);
  test_instance_delete(&t);
  CHECK(finalized[7] == 1 && finalized[1] == 0);
  wasm_store_delete(store);
  for (int i = 1; i <= 9; ++i) CHECK(finalized[i] == 1);
  memset(finalized, 0, sizeof finalized);
}

int main(int argc, char** argv) {
  int ids[16];
  for (int i = 0; i < 16; ++i) ids[i] = i;
  wasm_engine_t* engine = test_engine(argc, argv);
  test_ref_kinds(engine, ids);
  wasm_store_t* store = wasm_store_new(engine);

  struct test_instance t;
  test_instantiate(&t, store, kModule);
  wasm_module_t* module = t.module;
  wasm_instance_t* instance = t.instance;
  wasm_extern_vec_t exports = t.exports;
  REQUIRE(exports.size == 5);
  wasm_foreign_t* foreign = wasm_foreign_new(store);
  wasm_foreign_t* other_foreign = wasm_foreign_new(store);
  CHECK(!wasm_foreign_same(foreign, other_foreign));

  /* Host info with a finalizer on every reference kind. */
  wasm_func_t* func = test_export_func(&exports, 3);
  wasm_message_t message;
  wasm_name_new_from_string_nt(&message, "t");
  wasm_trap_t* trap = wasm_trap_new(store, &message);
  wasm_byte_vec_delete(&message);
  wasm_foreign_set_host_info_with_finalizer(foreign, &ids[1], finalize);
  wasm_func_set_host_info_with_finalizer(func, &ids[2], finalize);
  wasm_global_set_host_info_with_finalizer(wasm_extern_as_global(exports.data[1]), &ids[3], finalize);
  wasm_table_set_host_info_with_finalizer(wasm_extern_as_table(exports.data[0]), &ids[4], finalize);
  wasm_memory_set_host_info_with_finalizer(wasm_extern_as_memory(exports.data[2]), &ids[5], finalize);
  wasm_instance_set_host_info_with_finalizer(instance, &ids[6], finalize);
  wasm_module_set_host_info_with_finalizer(module, &ids[7], finalize);
  wasm_trap_set_host_info_with_finalizer(trap, &ids[8], finalize);
  wasm_foreign_set_host_info(other_foreign, &ids[9]);
  CHECK(wasm_foreign_get_host_info(foreign) == &ids[1]);
  CHECK(wasm_foreign_get_host_info(other_foreign) == &ids[9]);
  CHECK(wasm_instance_get_host_info(instance) == &ids[6]);
  CHECK(wasm_module_get_host_info(module) == &ids[7]);
  /* The extern view and a fresh handle of the same function see the func's host info. */
  CHECK(wasm_extern_get_host_info(exports.data[3]) == &ids[2]);
  wasm_func_t* func_copy = wasm_func_copy(func);
  CHECK(wasm_func_get_host_info(func_copy) == &ids[2] && wasm_func_same(func, func_copy));
  CHECK(wasm_ref_get_host_info(wasm_func_as_ref(func_copy)) == &ids[2]);
  wasm_func_delete(func_copy);
  CHECK(wasm_memory_get_host_info(wasm_extern_as_memory(exports.data[2])) == &ids[5]);

  /* Views: the same object, and NULL for the wrong kind. */
  wasm_ref_t* as_ref = wasm_foreign_as_ref(foreign);
  CHECK(wasm_ref_as_foreign(as_ref) == foreign && wasm_ref_as_func(as_ref) == NULL && wasm_ref_as_extern(as_ref) == NULL);
  CHECK(wasm_ref_as_extern(wasm_func_as_ref(func)) == exports.data[3]);
  CHECK(wasm_ref_as_instance_const(wasm_instance_as_ref_const(instance)) == instance);
  CHECK(wasm_ref_as_trap(wasm_trap_as_ref(trap)) == trap && wasm_ref_as_module(wasm_trap_as_ref(trap)) == NULL);
  wasm_ref_t* ref_copy = wasm_ref_copy(wasm_module_as_ref(module));
  CHECK(wasm_ref_same(ref_copy, wasm_module_as_ref(module)) && wasm_ref_as_module(ref_copy) != module);
  wasm_ref_delete(ref_copy);

  test_foreign_through_wasm(store, &exports, foreign);

  /* Deleting handles finalizes nothing that is still alive: modules and traps finalize with
   * their last handle, everything else with the store. */
  wasm_trap_delete(trap);
  CHECK(finalized[8] == 1);
  wasm_foreign_delete(foreign);
  wasm_foreign_delete(other_foreign);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(instance);
  CHECK(finalized[1] == 0 && finalized[2] == 0 && finalized[6] == 0);
  wasm_module_delete(module);
  CHECK(finalized[7] == 1);
  wasm_store_delete(store);
  for (int i = 1; i <= 8; ++i) CHECK(finalized[i] == 1);
  CHECK(finalized[9] == 0);  /* no finalizer given */
  wasm_engine_delete(engine);
  return test_finish("ref");
}
