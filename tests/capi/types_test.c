/* wasm.h vectors, names and type objects: construction, accessors, copies, views, ownership. */
#include "capi_test.h"

static void test_byte_vectors(void) {
  wasm_byte_vec_t empty, uninit, bytes, copy;
  wasm_byte_vec_new_empty(&empty);
  CHECK(empty.size == 0);
  wasm_byte_vec_new_uninitialized(&uninit, 5);
  CHECK(uninit.size == 5 && uninit.data != NULL);
  wasm_byte_vec_new(&bytes, 3, "abc");
  wasm_byte_vec_copy(&copy, &bytes);
  CHECK(copy.size == 3 && copy.data != bytes.data && memcmp(copy.data, "abc", 3) == 0);
  wasm_byte_vec_delete(&empty);
  wasm_byte_vec_delete(&uninit);
  wasm_byte_vec_delete(&bytes);
  wasm_byte_vec_delete(&copy);
  CHECK(copy.size == 0 && copy.data == NULL);

  wasm_name_t name, name_nt;
  wasm_name_new_from_string(&name, "memory");
  wasm_name_new_from_string_nt(&name_nt, "memory");
  CHECK(name.size == 6 && name_nt.size == 7 && name_nt.data[6] == '\0');
  wasm_name_delete(&name);
  wasm_name_delete(&name_nt);
}

static void test_valtypes(void) {
  wasm_valkind_t kinds[] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_EXTERNREF, WASM_FUNCREF};
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; ++i) {
    wasm_valtype_t* t = wasm_valtype_new(kinds[i]);
    wasm_valtype_t* c = wasm_valtype_copy(t);
    CHECK(wasm_valtype_kind(t) == kinds[i] && wasm_valtype_kind(c) == kinds[i]);
    CHECK(wasm_valtype_is_num(t) == (i < 4) && wasm_valtype_is_ref(t) == (i >= 4));
    wasm_valtype_delete(t);
    wasm_valtype_delete(c);
  }
}

static void test_functypes(void) {
  wasm_functype_t* f = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_f64(), wasm_valtype_new_funcref());
  const wasm_valtype_vec_t* params = wasm_functype_params(f);
  const wasm_valtype_vec_t* results = wasm_functype_results(f);
  CHECK(params->size == 2 && wasm_valtype_kind(params->data[0]) == WASM_I32 && wasm_valtype_kind(params->data[1]) == WASM_F64);
  CHECK(results->size == 1 && wasm_valtype_kind(results->data[0]) == WASM_FUNCREF);

  wasm_functype_t* copy = wasm_functype_copy(f);
  CHECK(wasm_functype_params(copy)->data[0] != params->data[0]);  /* deep */
  CHECK(wasm_functype_params(copy)->size == 2);

  /* The extern view is the same object; the way back checks the kind. */
  wasm_externtype_t* et = wasm_functype_as_externtype(f);
  CHECK(wasm_externtype_kind(et) == WASM_EXTERN_FUNC);
  CHECK(wasm_externtype_as_functype(et) == f);
  CHECK(wasm_externtype_as_globaltype(et) == NULL);
  CHECK(wasm_externtype_as_functype_const(wasm_functype_as_externtype_const(f)) == f);

  /* Vectors of types own their elements and copy deeply. */
  wasm_functype_t* elems[2] = {f, copy};
  wasm_functype_vec_t vec, vec_copy;
  wasm_functype_vec_new(&vec, 2, elems);
  wasm_functype_vec_copy(&vec_copy, &vec);
  CHECK(vec_copy.size == 2 && vec_copy.data[0] != f);
  CHECK(wasm_functype_results(vec_copy.data[1])->size == 1);
  wasm_functype_vec_delete(&vec);
  wasm_functype_vec_delete(&vec_copy);

  /* The convenience constructors put each argument in its place. */
  wasm_functype_t* wide = wasm_functype_new_3_3(wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_f32(),
                                                wasm_valtype_new_f64(), wasm_valtype_new_externref(), wasm_valtype_new_funcref());
  wasm_valkind_t wide_kinds[6] = {WASM_I32, WASM_I64, WASM_F32, WASM_F64, WASM_EXTERNREF, WASM_FUNCREF};
  for (size_t i = 0; i < 3; ++i) {
    CHECK(wasm_valtype_kind(wasm_functype_params(wide)->data[i]) == wide_kinds[i]);
    CHECK(wasm_valtype_kind(wasm_functype_results(wide)->data[i]) == wide_kinds[3 + i]);
  }
  wasm_functype_delete(wide);
  wasm_functype_t* only_results = wasm_functype_new_0_2(wasm_valtype_new_f32(), wasm_valtype_new_i64());
  CHECK(wasm_functype_params(only_results)->size == 0 && wasm_functype_results(only_results)->size == 2);
  CHECK(wasm_valtype_kind(wasm_functype_results(only_results)->data[1]) == WASM_I64);
  wasm_functype_delete(only_results);

  wasm_valtype_vec_t none_params, none_results;
  wasm_valtype_vec_new_empty(&none_params);
  wasm_valtype_vec_new_empty(&none_results);
  wasm_functype_t* empty = wasm_functype_new(&none_params, &none_results);
  CHECK(wasm_functype_params(empty)->size == 0 && wasm_functype_results(empty)->size == 0);
  wasm_functype_delete(empty);
}

static void test_other_types(void) {
  wasm_globaltype_t* g = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(g)) == WASM_I64);
  CHECK(wasm_globaltype_mutability(g) == WASM_VAR);

  wasm_limits_t limits = {1, wasm_limits_max_default};
  wasm_tabletype_t* t = wasm_tabletype_new(wasm_valtype_new_externref(), &limits);
  CHECK(wasm_valtype_kind(wasm_tabletype_element(t)) == WASM_EXTERNREF);
  CHECK(wasm_tabletype_limits(t)->min == 1 && wasm_tabletype_limits(t)->max == wasm_limits_max_default);

  wasm_limits_t mem_limits = {2, 10};
  wasm_memorytype_t* m = wasm_memorytype_new(&mem_limits);
  CHECK(wasm_memorytype_limits(m)->min == 2 && wasm_memorytype_limits(m)->max == 10);
  wasm_memorytype_t* m2 = wasm_memorytype_copy(m);
  CHECK(wasm_memorytype_limits(m2)->max == 10);

  CHECK(wasm_externtype_kind(wasm_globaltype_as_externtype(g)) == WASM_EXTERN_GLOBAL);
  CHECK(wasm_externtype_kind(wasm_tabletype_as_externtype(t)) == WASM_EXTERN_TABLE);
  CHECK(wasm_externtype_kind(wasm_memorytype_as_externtype(m)) == WASM_EXTERN_MEMORY);
  CHECK(wasm_externtype_as_memorytype(wasm_tabletype_as_externtype(t)) == NULL);

  /* A copy through the extern view keeps the concrete type. */
  wasm_externtype_t* et = wasm_externtype_copy(wasm_globaltype_as_externtype(g));
  const wasm_globaltype_t* g2 = wasm_externtype_as_globaltype_const(et);
  CHECK(g2 != NULL && g2 != g && wasm_globaltype_mutability(g2) == WASM_VAR);

  wasm_name_t module, name, export_name;
  wasm_name_new_from_string(&module, "env");
  wasm_name_new_from_string(&name, "mem");
  wasm_name_new_from_string(&export_name, "table");
  wasm_importtype_t* imp = wasm_importtype_new(&module, &name, wasm_memorytype_as_externtype(m));
  CHECK(wasm_importtype_module(imp)->size == 3 && memcmp(wasm_importtype_module(imp)->data, "env", 3) == 0);
  CHECK(wasm_importtype_name(imp)->size == 3 && memcmp(wasm_importtype_name(imp)->data, "mem", 3) == 0);
  CHECK(wasm_importtype_type(imp) == wasm_memorytype_as_externtype(m));
  wasm_importtype_t* imp2 = wasm_importtype_copy(imp);
  CHECK(wasm_externtype_kind(wasm_importtype_type(imp2)) == WASM_EXTERN_MEMORY);
  CHECK(wasm_importtype_type(imp2) != wasm_importtype_type(imp));

  wasm_exporttype_t* exp = wasm_exporttype_new(&export_name, wasm_tabletype_as_externtype(t));
  CHECK(wasm_exporttype_name(exp)->size == 5 && wasm_externtype_kind(wasm_exporttype_type(exp)) == WASM_EXTERN_TABLE);
  wasm_exporttype_t* exp2 = wasm_exporttype_copy(exp);
  CHECK(wasm_tabletype_limits(wasm_externtype_as_tabletype_const(wasm_exporttype_type(exp2)))->min == 1);

  wasm_importtype_delete(imp);  /* owns m */
  wasm_importtype_delete(imp2);
  wasm_exporttype_delete(exp);  /* owns t */
  wasm_exporttype_delete(exp2);
  wasm_externtype_delete(et);
  wasm_globaltype_delete(g);
  wasm_memorytype_delete(m2);
}

/* Makers of one element of each type vector, and what a deep copy of one keeps. */
static wasm_limits_t test_limits = {3, 9};
static wasm_importtype_t* make_importtype(void) {
  wasm_name_t module, name;
  wasm_name_new_from_string(&module, "m");
  wasm_name_new_from_string(&name, "n");
  return wasm_importtype_new(&module, &name, wasm_memorytype_as_externtype(wasm_memorytype_new(&test_limits)));
}
static wasm_exporttype_t* make_exporttype(void) {
  wasm_name_t name;
  wasm_name_new_from_string(&name, "e");
  return wasm_exporttype_new(&name, wasm_globaltype_as_externtype(wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR)));
}
static int same_valtype(const wasm_valtype_t* a, const wasm_valtype_t* b) { return wasm_valtype_kind(a) == wasm_valtype_kind(b); }
static int same_functype(const wasm_functype_t* a, const wasm_functype_t* b) {
  return wasm_functype_params(a)->size == wasm_functype_params(b)->size &&
         wasm_functype_results(a)->size == wasm_functype_results(b)->size;
}
static int same_globaltype(const wasm_globaltype_t* a, const wasm_globaltype_t* b) {
  return wasm_globaltype_mutability(a) == wasm_globaltype_mutability(b) &&
         same_valtype(wasm_globaltype_content(a), wasm_globaltype_content(b));
}
static int same_tabletype(const wasm_tabletype_t* a, const wasm_tabletype_t* b) {
  return wasm_tabletype_limits(a)->min == wasm_tabletype_limits(b)->min && same_valtype(wasm_tabletype_element(a), wasm_tabletype_element(b));
}
static int same_memorytype(const wasm_memorytype_t* a, const wasm_memorytype_t* b) {
  return wasm_memorytype_limits(a)->max == wasm_memorytype_limits(b)->max;
}
static int same_externtype(const wasm_externtype_t* a, const wasm_externtype_t* b) {
  return wasm_externtype_kind(a) == wasm_externtype_kind(b);
}
static int same_importtype(const wasm_importtype_t* a, const wasm_importtype_t* b) {
  return wasm_importtype_name(a)->size == wasm_importtype_name(b)->size &&
         same_externtype(wasm_importtype_type(a), wasm_importtype_type(b));
}
static int same_exporttype(const wasm_exporttype_t* a, const wasm_exporttype_t* b) {
  return wasm_exporttype_name(a)->size == wasm_exporttype_name(b)->size &&
         same_externtype(wasm_exporttype_type(a), wasm_exporttype_type(b));
}

/* Every vector of type objects: empty, uninitialized (NULL elements, which _delete skips), new
 * (takes the elements), copy (deep: new elements of the same content), delete. */
#define CHECK_TYPE_VEC(name, make)                                                                     \
  do {                                                                                                 \
    wasm_##name##_vec_t empty, uninit, vec, copy;                                                      \
    wasm_##name##_vec_new_empty(&empty);                                                               \
    wasm_##name##_vec_new_uninitialized(&uninit, 2);                                                   \
    CHECK(empty.size == 0 && uninit.size == 2 && uninit.data[0] == NULL && uninit.data[1] == NULL);    \
    wasm_##name##_t* elems[1] = {make};                                                                \
    wasm_##name##_vec_new(&vec, 1, elems);                                                             \
    wasm_##name##_vec_copy(&copy, &vec);                                                               \
    CHECK(copy.size == 1 && copy.data[0] != elems[0] && same_##name(copy.data[0], elems[0]));          \
    wasm_##name##_vec_delete(&empty);                                                                  \
    wasm_##name##_vec_delete(&uninit);                                                                 \
    wasm_##name##_vec_delete(&vec);                                                                    \
    wasm_##name##_vec_delete(&copy);                                                                   \
    CHECK(vec.size == 0 && vec.data == NULL);                                                          \
  } while (0)

static void test_type_vectors(void) {
  CHECK_TYPE_VEC(valtype, wasm_valtype_new_f32());
  CHECK_TYPE_VEC(functype, wasm_functype_new_1_1(wasm_valtype_new_i32(), wasm_valtype_new_i64()));
  CHECK_TYPE_VEC(globaltype, wasm_globaltype_new(wasm_valtype_new_f64(), WASM_CONST));
  CHECK_TYPE_VEC(tabletype, wasm_tabletype_new(wasm_valtype_new_funcref(), &test_limits));
  CHECK_TYPE_VEC(memorytype, wasm_memorytype_new(&test_limits));
  CHECK_TYPE_VEC(externtype, wasm_tabletype_as_externtype(wasm_tabletype_new(wasm_valtype_new_externref(), &test_limits)));
  CHECK_TYPE_VEC(importtype, make_importtype());
  CHECK_TYPE_VEC(exporttype, make_exporttype());
}

/* Copies and const views of the global, table and memory types; the functype shorthands. */
static void test_type_copies_and_shorthands(void) {
  wasm_globaltype_t* g = wasm_globaltype_new(wasm_valtype_new_f32(), WASM_VAR);
  wasm_globaltype_t* g2 = wasm_globaltype_copy(g);
  CHECK(g2 != g && same_globaltype(g, g2));
  CHECK(wasm_externtype_as_globaltype_const(wasm_globaltype_as_externtype_const(g2)) == g2);
  wasm_tabletype_t* t = wasm_tabletype_new(wasm_valtype_new_funcref(), &test_limits);
  wasm_tabletype_t* t2 = wasm_tabletype_copy(t);
  CHECK(t2 != t && same_tabletype(t, t2));
  CHECK(wasm_externtype_as_tabletype(wasm_tabletype_as_externtype(t2)) == t2);
  CHECK(wasm_externtype_as_tabletype_const(wasm_tabletype_as_externtype_const(t2)) == t2);
  wasm_memorytype_t* m = wasm_memorytype_new(&test_limits);
  CHECK(wasm_externtype_as_memorytype_const(wasm_memorytype_as_externtype_const(m)) == m);
  CHECK(wasm_externtype_as_tabletype(wasm_memorytype_as_externtype(m)) == NULL);
  wasm_globaltype_delete(g);
  wasm_globaltype_delete(g2);
  wasm_tabletype_delete(t);
  wasm_tabletype_delete(t2);
  wasm_memorytype_delete(m);

  /* wasm_functype_new_P_R for the shapes the other tests do not make: P params, R results. */
  wasm_functype_t* shapes[] = {
      wasm_functype_new_0_1(wasm_valtype_new_i32()),
      wasm_functype_new_0_3(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_1_0(wasm_valtype_new_i32()),
      wasm_functype_new_1_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_1_3(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_2_0(wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_2_3(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                            wasm_valtype_new_i32()),
      wasm_functype_new_3_0(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_3_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32()),
      wasm_functype_new_3_2(wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                            wasm_valtype_new_i32()),
  };
  static const size_t arity[][2] = {{0, 1}, {0, 3}, {1, 0}, {1, 2}, {1, 3}, {2, 0}, {2, 3}, {3, 0}, {3, 1}, {3, 2}};
  for (size_t i = 0; i < sizeof shapes / sizeof *shapes; ++i) {
    CHECK(wasm_functype_params(shapes[i])->size == arity[i][0] && wasm_functype_results(shapes[i])->size == arity[i][1]);
    wasm_functype_delete(shapes[i]);
  }
  CHECK(wasm_valkind_is_num(WASM_F64) && !wasm_valkind_is_num(WASM_FUNCREF));
  CHECK(wasm_valkind_is_ref(WASM_EXTERNREF) && !wasm_valkind_is_ref(WASM_I32));
}

static void test_values(void) {
  wasm_val_t vals[4] = {WASM_I32_VAL(-7), WASM_I64_VAL(1LL << 40), WASM_F32_VAL(1.5f), WASM_F64_VAL(-0.25)};
  wasm_val_vec_t vec, copy;
  wasm_val_vec_new(&vec, 4, vals);
  wasm_val_vec_copy(&copy, &vec);
  CHECK(copy.size == 4 && copy.data[0].kind == WASM_I32 && copy.data[0].of.i32 == -7);
  CHECK(copy.data[1].of.i64 == (1LL << 40) && copy.data[2].of.f32 == 1.5f && copy.data[3].of.f64 == -0.25);
  wasm_val_vec_delete(&vec);
  wasm_val_vec_delete(&copy);
  wasm_val_vec_new_empty(&vec);
  wasm_val_vec_new_uninitialized(&copy, 2);
  CHECK(vec.size == 0 && copy.size == 2);
  wasm_val_vec_delete(&vec);
  wasm_val_vec_delete(&copy);

  int x = 0;
  wasm_val_t p;
  wasm_val_init_ptr(&p, &x);
  CHECK(wasm_val_ptr(&p) == &x);
  wasm_val_t null_ref = WASM_INIT_VAL, null_copy;
  wasm_val_copy(&null_copy, &null_ref);
  CHECK(null_copy.kind == WASM_EXTERNREF && null_copy.of.ref == NULL);
  wasm_val_delete(&null_copy);
}

int main(int argc, char** argv) {
  if (argc > 1) capi_tier = argv[1];
  test_byte_vectors();
  test_valtypes();
  test_functypes();
  test_other_types();
  test_type_vectors();
  test_type_copies_and_shorthands();
  test_values();
  return test_finish("types");
}
