/* The standard WebAssembly C API (WebAssembly/wasm-c-api), as Strata implements it.
 *
 * Names, types and semantics are those of the standard header, so a program written against it
 * builds unchanged against any runtime that provides it. Strata's own additions (tier, fuel,
 * epochs, WASI) are in strata.h. See docs/embedding.md.
 *
 * Ownership: `own` marks a pointer (or a vector, or a struct's fields) the receiver must release
 * with the matching wasm_*_delete. Parameters named `out` receive ownership back from the callee.
 * Objects that are not marked `own` are borrowed and live as long as the object they came from.
 * Every reference object (func, global, table, memory, extern, instance, module, foreign, trap)
 * must be deleted before the store it belongs to.
 */
#ifndef WASM_H
#define WASM_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef WASM_API_EXTERN
#if defined(_WIN32)
#define WASM_API_EXTERN __declspec(dllimport)
#else
#define WASM_API_EXTERN __attribute__((visibility("default")))
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Auxiliaries ---------------------------------------------------------------------------- */

typedef char byte_t;
typedef float float32_t;
typedef double float64_t;

/* A marker only: documents that ownership passes with the pointer. */
#define own

/* Every object type is opaque and released by its _delete. */
#define WASM_DECLARE_OWN(name)                      \
  typedef struct wasm_##name##_t wasm_##name##_t;   \
  WASM_API_EXTERN void wasm_##name##_delete(own wasm_##name##_t*);

/* A vector owns its `data` array and, for pointer vectors, each element. */
#define WASM_DECLARE_VEC(name, ptr_or_none)                                                         \
  typedef struct wasm_##name##_vec_t {                                                              \
    size_t size;                                                                                    \
    wasm_##name##_t ptr_or_none* data;                                                              \
  } wasm_##name##_vec_t;                                                                            \
  WASM_API_EXTERN void wasm_##name##_vec_new_empty(own wasm_##name##_vec_t* out);                   \
  WASM_API_EXTERN void wasm_##name##_vec_new_uninitialized(own wasm_##name##_vec_t* out, size_t);   \
  WASM_API_EXTERN void wasm_##name##_vec_new(own wasm_##name##_vec_t* out, size_t,                  \
                                             own wasm_##name##_t ptr_or_none const[]);              \
  WASM_API_EXTERN void wasm_##name##_vec_copy(own wasm_##name##_vec_t* out,                         \
                                              const wasm_##name##_vec_t*);                          \
  WASM_API_EXTERN void wasm_##name##_vec_delete(own wasm_##name##_vec_t*);

/* Byte vectors and names (a name is a byte vector; it need not be NUL-terminated). */
typedef byte_t wasm_byte_t;
WASM_DECLARE_VEC(byte, )

typedef wasm_byte_vec_t wasm_name_t;

#define wasm_name wasm_byte_vec
#define wasm_name_new wasm_byte_vec_new
#define wasm_name_new_empty wasm_byte_vec_new_empty
#define wasm_name_new_uninitialized wasm_byte_vec_new_uninitialized
#define wasm_name_copy wasm_byte_vec_copy
#define wasm_name_delete wasm_byte_vec_delete

/* Without the terminating NUL. */
static inline void wasm_name_new_from_string(own wasm_name_t* out, own const char* s) {
  wasm_name_new(out, strlen(s), s);
}

/* With the terminating NUL (what trap messages use). */
static inline void wasm_name_new_from_string_nt(own wasm_name_t* out, own const char* s) {
  wasm_name_new(out, strlen(s) + 1, s);
}

/* ---- Runtime environment -------------------------------------------------------------------- */

WASM_DECLARE_OWN(config)
WASM_API_EXTERN own wasm_config_t* wasm_config_new(void);

WASM_DECLARE_OWN(engine)
WASM_API_EXTERN own wasm_engine_t* wasm_engine_new(void);
WASM_API_EXTERN own wasm_engine_t* wasm_engine_new_with_config(own wasm_config_t*);

WASM_DECLARE_OWN(store)
WASM_API_EXTERN own wasm_store_t* wasm_store_new(wasm_engine_t*);

/* ---- Type representations ------------------------------------------------------------------- */

typedef uint8_t wasm_mutability_t;
enum wasm_mutability_enum {
  WASM_CONST,
  WASM_VAR,
};

typedef struct wasm_limits_t {
  uint32_t min;
  uint32_t max;
} wasm_limits_t;

static const uint32_t wasm_limits_max_default = 0xffffffff;

/* Type objects: owned, copyable, kept in vectors of pointers. */
#define WASM_DECLARE_TYPE(name)      \
  WASM_DECLARE_OWN(name)             \
  WASM_DECLARE_VEC(name, *)          \
  WASM_API_EXTERN own wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t*);

WASM_DECLARE_TYPE(valtype)

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
  WASM_I32,
  WASM_I64,
  WASM_F32,
  WASM_F64,
  WASM_EXTERNREF = 128,
  WASM_FUNCREF,
};

WASM_API_EXTERN own wasm_valtype_t* wasm_valtype_new(wasm_valkind_t);
WASM_API_EXTERN wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t*);

static inline bool wasm_valkind_is_num(wasm_valkind_t k) { return k < WASM_EXTERNREF; }
static inline bool wasm_valkind_is_ref(wasm_valkind_t k) { return k >= WASM_EXTERNREF; }
static inline bool wasm_valtype_is_num(const wasm_valtype_t* t) {
  return wasm_valkind_is_num(wasm_valtype_kind(t));
}
static inline bool wasm_valtype_is_ref(const wasm_valtype_t* t) {
  return wasm_valkind_is_ref(wasm_valtype_kind(t));
}

WASM_DECLARE_TYPE(functype)
WASM_API_EXTERN own wasm_functype_t* wasm_functype_new(own wasm_valtype_vec_t* params,
                                                       own wasm_valtype_vec_t* results);
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_params(const wasm_functype_t*);
WASM_API_EXTERN const wasm_valtype_vec_t* wasm_functype_results(const wasm_functype_t*);

WASM_DECLARE_TYPE(globaltype)
WASM_API_EXTERN own wasm_globaltype_t* wasm_globaltype_new(own wasm_valtype_t*, wasm_mutability_t);
WASM_API_EXTERN const wasm_valtype_t* wasm_globaltype_content(const wasm_globaltype_t*);
WASM_API_EXTERN wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t*);

WASM_DECLARE_TYPE(tabletype)
WASM_API_EXTERN own wasm_tabletype_t* wasm_tabletype_new(own wasm_valtype_t*, const wasm_limits_t*);
WASM_API_EXTERN const wasm_valtype_t* wasm_tabletype_element(const wasm_tabletype_t*);
WASM_API_EXTERN const wasm_limits_t* wasm_tabletype_limits(const wasm_tabletype_t*);

WASM_DECLARE_TYPE(memorytype)
WASM_API_EXTERN own wasm_memorytype_t* wasm_memorytype_new(const wasm_limits_t*);
WASM_API_EXTERN const wasm_limits_t* wasm_memorytype_limits(const wasm_memorytype_t*);

WASM_DECLARE_TYPE(externtype)

typedef uint8_t wasm_externkind_t;
enum wasm_externkind_enum {
  WASM_EXTERN_FUNC,
  WASM_EXTERN_GLOBAL,
  WASM_EXTERN_TABLE,
  WASM_EXTERN_MEMORY,
};

WASM_API_EXTERN wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t*);

/* Views between a type and its extern type: the same object, nothing is copied. The
 * externtype_as_* views return NULL when the kind differs. */
#define WASM_DECLARE_EXTERNTYPE_VIEWS(name)                                                       \
  WASM_API_EXTERN wasm_externtype_t* wasm_##name##_as_externtype(wasm_##name##_t*);               \
  WASM_API_EXTERN const wasm_externtype_t* wasm_##name##_as_externtype_const(                     \
      const wasm_##name##_t*);                                                                    \
  WASM_API_EXTERN wasm_##name##_t* wasm_externtype_as_##name(wasm_externtype_t*);                 \
  WASM_API_EXTERN const wasm_##name##_t* wasm_externtype_as_##name##_const(                       \
      const wasm_externtype_t*);

WASM_DECLARE_EXTERNTYPE_VIEWS(functype)
WASM_DECLARE_EXTERNTYPE_VIEWS(globaltype)
WASM_DECLARE_EXTERNTYPE_VIEWS(tabletype)
WASM_DECLARE_EXTERNTYPE_VIEWS(memorytype)

WASM_DECLARE_TYPE(importtype)
WASM_API_EXTERN own wasm_importtype_t* wasm_importtype_new(own wasm_name_t* module,
                                                           own wasm_name_t* name,
                                                           own wasm_externtype_t*);
WASM_API_EXTERN const wasm_name_t* wasm_importtype_module(const wasm_importtype_t*);
WASM_API_EXTERN const wasm_name_t* wasm_importtype_name(const wasm_importtype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_importtype_type(const wasm_importtype_t*);

WASM_DECLARE_TYPE(exporttype)
WASM_API_EXTERN own wasm_exporttype_t* wasm_exporttype_new(own wasm_name_t*, own wasm_externtype_t*);
WASM_API_EXTERN const wasm_name_t* wasm_exporttype_name(const wasm_exporttype_t*);
WASM_API_EXTERN const wasm_externtype_t* wasm_exporttype_type(const wasm_exporttype_t*);

/* ---- Runtime objects: values ---------------------------------------------------------------- */

struct wasm_ref_t;

/* A value. For reference kinds `of.ref` is a reference object (NULL is the null reference);
 * an owned wasm_val_t owns that reference. */
typedef struct wasm_val_t {
  wasm_valkind_t kind;
  union {
    int32_t i32;
    int64_t i64;
    float32_t f32;
    float64_t f64;
    struct wasm_ref_t* ref;
  } of;
} wasm_val_t;

WASM_API_EXTERN void wasm_val_delete(own wasm_val_t* v);
WASM_API_EXTERN void wasm_val_copy(own wasm_val_t* out, const wasm_val_t*);

WASM_DECLARE_VEC(val, )

/* ---- References ----------------------------------------------------------------------------- */

/* Every reference: identity (_same), copy, and host info. Host info belongs to the referenced
 * object, so every handle of it sees the same info; the finalizer runs when the object dies. */
#define WASM_DECLARE_REF_BASE(name)                                                              \
  WASM_DECLARE_OWN(name)                                                                         \
  WASM_API_EXTERN own wasm_##name##_t* wasm_##name##_copy(const wasm_##name##_t*);               \
  WASM_API_EXTERN bool wasm_##name##_same(const wasm_##name##_t*, const wasm_##name##_t*);       \
  WASM_API_EXTERN void* wasm_##name##_get_host_info(const wasm_##name##_t*);                     \
  WASM_API_EXTERN void wasm_##name##_set_host_info(wasm_##name##_t*, void*);                     \
  WASM_API_EXTERN void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t*, void*,       \
                                                                  void (*)(void*));

/* A reference kind, viewable as a generic wasm_ref_t (the same object; NULL when the kind
 * differs on the way back). */
#define WASM_DECLARE_REF(name)                                                                   \
  WASM_DECLARE_REF_BASE(name)                                                                    \
  WASM_API_EXTERN wasm_ref_t* wasm_##name##_as_ref(wasm_##name##_t*);                            \
  WASM_API_EXTERN wasm_##name##_t* wasm_ref_as_##name(wasm_ref_t*);                              \
  WASM_API_EXTERN const wasm_ref_t* wasm_##name##_as_ref_const(const wasm_##name##_t*);          \
  WASM_API_EXTERN const wasm_##name##_t* wasm_ref_as_##name##_const(const wasm_ref_t*);

/* A reference that may move to another thread as its shared form, then be obtained in a store
 * there. */
#define WASM_DECLARE_SHARABLE_REF(name)                                                          \
  WASM_DECLARE_REF(name)                                                                         \
  WASM_DECLARE_OWN(shared_##name)                                                                \
  WASM_API_EXTERN own wasm_shared_##name##_t* wasm_##name##_share(const wasm_##name##_t*);       \
  WASM_API_EXTERN own wasm_##name##_t* wasm_##name##_obtain(wasm_store_t*,                       \
                                                            const wasm_shared_##name##_t*);

WASM_DECLARE_REF_BASE(ref)

/* ---- Frames and traps ----------------------------------------------------------------------- */

WASM_DECLARE_OWN(frame)
WASM_DECLARE_VEC(frame, *)
WASM_API_EXTERN own wasm_frame_t* wasm_frame_copy(const wasm_frame_t*);

struct wasm_instance_t;
WASM_API_EXTERN struct wasm_instance_t* wasm_frame_instance(const wasm_frame_t*);
WASM_API_EXTERN uint32_t wasm_frame_func_index(const wasm_frame_t*);
WASM_API_EXTERN size_t wasm_frame_func_offset(const wasm_frame_t*);
WASM_API_EXTERN size_t wasm_frame_module_offset(const wasm_frame_t*);

/* A trap message is a NUL-terminated name. */
typedef wasm_name_t wasm_message_t;

WASM_DECLARE_REF(trap)
WASM_API_EXTERN own wasm_trap_t* wasm_trap_new(wasm_store_t* store, const wasm_message_t*);
WASM_API_EXTERN void wasm_trap_message(const wasm_trap_t*, own wasm_message_t* out);
/* The innermost wasm frame, or NULL when the trap has none. */
WASM_API_EXTERN own wasm_frame_t* wasm_trap_origin(const wasm_trap_t*);
/* Every wasm frame, innermost first. */
WASM_API_EXTERN void wasm_trap_trace(const wasm_trap_t*, own wasm_frame_vec_t* out);

/* ---- Foreign objects ------------------------------------------------------------------------ */

WASM_DECLARE_REF(foreign)
WASM_API_EXTERN own wasm_foreign_t* wasm_foreign_new(wasm_store_t*);

/* ---- Modules -------------------------------------------------------------------------------- */

WASM_DECLARE_SHARABLE_REF(module)

WASM_API_EXTERN own wasm_module_t* wasm_module_new(wasm_store_t*, const wasm_byte_vec_t* binary);
WASM_API_EXTERN bool wasm_module_validate(wasm_store_t*, const wasm_byte_vec_t* binary);
WASM_API_EXTERN void wasm_module_imports(const wasm_module_t*, own wasm_importtype_vec_t* out);
WASM_API_EXTERN void wasm_module_exports(const wasm_module_t*, own wasm_exporttype_vec_t* out);
WASM_API_EXTERN void wasm_module_serialize(const wasm_module_t*, own wasm_byte_vec_t* out);
WASM_API_EXTERN own wasm_module_t* wasm_module_deserialize(wasm_store_t*, const wasm_byte_vec_t*);

/* ---- Functions ------------------------------------------------------------------------------ */

WASM_DECLARE_REF(func)

/* A host function. `results` arrives with its size set to the result count; returning a trap
 * (owned, created with wasm_trap_new or from a nested call) ends the calling wasm with it. */
typedef own wasm_trap_t* (*wasm_func_callback_t)(const wasm_val_vec_t* args,
                                                   own wasm_val_vec_t* results);
typedef own wasm_trap_t* (*wasm_func_callback_with_env_t)(void* env, const wasm_val_vec_t* args,
                                                            own wasm_val_vec_t* results);

WASM_API_EXTERN own wasm_func_t* wasm_func_new(wasm_store_t*, const wasm_functype_t*,
                                               wasm_func_callback_t);
WASM_API_EXTERN own wasm_func_t* wasm_func_new_with_env(wasm_store_t*, const wasm_functype_t* type,
                                                        wasm_func_callback_with_env_t, void* env,
                                                        void (*finalizer)(void*));

WASM_API_EXTERN own wasm_functype_t* wasm_func_type(const wasm_func_t*);
WASM_API_EXTERN size_t wasm_func_param_arity(const wasm_func_t*);
WASM_API_EXTERN size_t wasm_func_result_arity(const wasm_func_t*);

/* NULL on success (results filled; `results` must have the result count as its size), else the
 * trap. */
WASM_API_EXTERN own wasm_trap_t* wasm_func_call(const wasm_func_t*, const wasm_val_vec_t* args,
                                                wasm_val_vec_t* results);

/* ---- Globals -------------------------------------------------------------------------------- */

WASM_DECLARE_REF(global)

WASM_API_EXTERN own wasm_global_t* wasm_global_new(wasm_store_t*, const wasm_globaltype_t*,
                                                   const wasm_val_t*);
WASM_API_EXTERN own wasm_globaltype_t* wasm_global_type(const wasm_global_t*);
WASM_API_EXTERN void wasm_global_get(const wasm_global_t*, own wasm_val_t* out);
WASM_API_EXTERN void wasm_global_set(wasm_global_t*, const wasm_val_t*);

/* ---- Tables --------------------------------------------------------------------------------- */

WASM_DECLARE_REF(table)

typedef uint32_t wasm_table_size_t;

WASM_API_EXTERN own wasm_table_t* wasm_table_new(wasm_store_t*, const wasm_tabletype_t*,
                                                 wasm_ref_t* init);
WASM_API_EXTERN own wasm_tabletype_t* wasm_table_type(const wasm_table_t*);
WASM_API_EXTERN own wasm_ref_t* wasm_table_get(const wasm_table_t*, wasm_table_size_t index);
WASM_API_EXTERN bool wasm_table_set(wasm_table_t*, wasm_table_size_t index, wasm_ref_t*);
WASM_API_EXTERN wasm_table_size_t wasm_table_size(const wasm_table_t*);
WASM_API_EXTERN bool wasm_table_grow(wasm_table_t*, wasm_table_size_t delta, wasm_ref_t* init);

/* ---- Memories ------------------------------------------------------------------------------- */

WASM_DECLARE_REF(memory)

typedef uint32_t wasm_memory_pages_t;

static const size_t MEMORY_PAGE_SIZE = 0x10000;

WASM_API_EXTERN own wasm_memory_t* wasm_memory_new(wasm_store_t*, const wasm_memorytype_t*);
WASM_API_EXTERN own wasm_memorytype_t* wasm_memory_type(const wasm_memory_t*);
WASM_API_EXTERN byte_t* wasm_memory_data(wasm_memory_t*);
WASM_API_EXTERN size_t wasm_memory_data_size(const wasm_memory_t*);
WASM_API_EXTERN wasm_memory_pages_t wasm_memory_size(const wasm_memory_t*);
WASM_API_EXTERN bool wasm_memory_grow(wasm_memory_t*, wasm_memory_pages_t delta);

/* ---- Externals ------------------------------------------------------------------------------ */

WASM_DECLARE_REF(extern)
WASM_DECLARE_VEC(extern, *)

WASM_API_EXTERN wasm_externkind_t wasm_extern_kind(const wasm_extern_t*);
WASM_API_EXTERN own wasm_externtype_t* wasm_extern_type(const wasm_extern_t*);

/* Views between an object and its extern (the same object; NULL when the kind differs). */
#define WASM_DECLARE_EXTERN_VIEWS(name)                                                          \
  WASM_API_EXTERN wasm_extern_t* wasm_##name##_as_extern(wasm_##name##_t*);                      \
  WASM_API_EXTERN const wasm_extern_t* wasm_##name##_as_extern_const(const wasm_##name##_t*);    \
  WASM_API_EXTERN wasm_##name##_t* wasm_extern_as_##name(wasm_extern_t*);                        \
  WASM_API_EXTERN const wasm_##name##_t* wasm_extern_as_##name##_const(const wasm_extern_t*);

WASM_DECLARE_EXTERN_VIEWS(func)
WASM_DECLARE_EXTERN_VIEWS(global)
WASM_DECLARE_EXTERN_VIEWS(table)
WASM_DECLARE_EXTERN_VIEWS(memory)

/* ---- Module instances ----------------------------------------------------------------------- */

WASM_DECLARE_REF(instance)

/* Imports in the module's import order. On failure returns NULL and, when `trap` is not NULL,
 * stores a trap saying why (a link error, or the start function's trap). */
WASM_API_EXTERN own wasm_instance_t* wasm_instance_new(wasm_store_t*, const wasm_module_t*,
                                                       const wasm_extern_vec_t* imports,
                                                       own wasm_trap_t** trap);
/* Exports in the module's export order. */
WASM_API_EXTERN void wasm_instance_exports(const wasm_instance_t*, own wasm_extern_vec_t* out);

/* ---- Convenience ---------------------------------------------------------------------------- */

static inline own wasm_valtype_t* wasm_valtype_new_i32(void) { return wasm_valtype_new(WASM_I32); }
static inline own wasm_valtype_t* wasm_valtype_new_i64(void) { return wasm_valtype_new(WASM_I64); }
static inline own wasm_valtype_t* wasm_valtype_new_f32(void) { return wasm_valtype_new(WASM_F32); }
static inline own wasm_valtype_t* wasm_valtype_new_f64(void) { return wasm_valtype_new(WASM_F64); }
static inline own wasm_valtype_t* wasm_valtype_new_externref(void) {
  return wasm_valtype_new(WASM_EXTERNREF);
}
static inline own wasm_valtype_t* wasm_valtype_new_funcref(void) {
  return wasm_valtype_new(WASM_FUNCREF);
}

/* Function types of up to three parameters and three results, from owned value types. */
static inline own wasm_functype_t* wasm_functype_new_from_arrays_(size_t np, wasm_valtype_t** p,
                                                                  size_t nr, wasm_valtype_t** r) {
  wasm_valtype_vec_t params, results;
  if (np) wasm_valtype_vec_new(&params, np, p); else wasm_valtype_vec_new_empty(&params);
  if (nr) wasm_valtype_vec_new(&results, nr, r); else wasm_valtype_vec_new_empty(&results);
  return wasm_functype_new(&params, &results);
}

#define WASM_UNPAREN_(...) __VA_ARGS__
/* wasm_functype_new_<params>_<results>(params..., results...): arrays get one spare slot so
 * that none has size zero. */
#define WASM_DECLARE_FUNCTYPE_NEW_(np, nr, decl, params, results)                    \
  static inline own wasm_functype_t* wasm_functype_new_##np##_##nr decl {           \
    wasm_valtype_t* ps[np + 1] = {WASM_UNPAREN_ params};                            \
    wasm_valtype_t* rs[nr + 1] = {WASM_UNPAREN_ results};                           \
    return wasm_functype_new_from_arrays_(np, ps, nr, rs);                          \
  }
#define WASM_VT_ own wasm_valtype_t*

WASM_DECLARE_FUNCTYPE_NEW_(0, 0, (void), (NULL), (NULL))
WASM_DECLARE_FUNCTYPE_NEW_(1, 0, (WASM_VT_ p), (p), (NULL))
WASM_DECLARE_FUNCTYPE_NEW_(2, 0, (WASM_VT_ p1, WASM_VT_ p2), (p1, p2), (NULL))
WASM_DECLARE_FUNCTYPE_NEW_(3, 0, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ p3), (p1, p2, p3), (NULL))
WASM_DECLARE_FUNCTYPE_NEW_(0, 1, (WASM_VT_ r), (NULL), (r))
WASM_DECLARE_FUNCTYPE_NEW_(1, 1, (WASM_VT_ p, WASM_VT_ r), (p), (r))
WASM_DECLARE_FUNCTYPE_NEW_(2, 1, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ r), (p1, p2), (r))
WASM_DECLARE_FUNCTYPE_NEW_(3, 1, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ p3, WASM_VT_ r), (p1, p2, p3), (r))
WASM_DECLARE_FUNCTYPE_NEW_(0, 2, (WASM_VT_ r1, WASM_VT_ r2), (NULL), (r1, r2))
WASM_DECLARE_FUNCTYPE_NEW_(1, 2, (WASM_VT_ p, WASM_VT_ r1, WASM_VT_ r2), (p), (r1, r2))
WASM_DECLARE_FUNCTYPE_NEW_(2, 2, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ r1, WASM_VT_ r2), (p1, p2), (r1, r2))
WASM_DECLARE_FUNCTYPE_NEW_(3, 2, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ p3, WASM_VT_ r1, WASM_VT_ r2), (p1, p2, p3), (r1, r2))
WASM_DECLARE_FUNCTYPE_NEW_(0, 3, (WASM_VT_ r1, WASM_VT_ r2, WASM_VT_ r3), (NULL), (r1, r2, r3))
WASM_DECLARE_FUNCTYPE_NEW_(1, 3, (WASM_VT_ p, WASM_VT_ r1, WASM_VT_ r2, WASM_VT_ r3), (p), (r1, r2, r3))
WASM_DECLARE_FUNCTYPE_NEW_(2, 3, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ r1, WASM_VT_ r2, WASM_VT_ r3), (p1, p2), (r1, r2, r3))
WASM_DECLARE_FUNCTYPE_NEW_(3, 3, (WASM_VT_ p1, WASM_VT_ p2, WASM_VT_ p3, WASM_VT_ r1, WASM_VT_ r2, WASM_VT_ r3), (p1, p2, p3),
                           (r1, r2, r3))

/* A value holding a host pointer, as an i32 or i64 depending on the pointer width. */
static inline void wasm_val_init_ptr(own wasm_val_t* out, void* p) {
#if UINTPTR_MAX == UINT32_MAX
  out->kind = WASM_I32;
  out->of.i32 = (intptr_t)p;
#else
  out->kind = WASM_I64;
  out->of.i64 = (intptr_t)p;
#endif
}

static inline void* wasm_val_ptr(const wasm_val_t* val) {
#if UINTPTR_MAX == UINT32_MAX
  return (void*)(intptr_t)val->of.i32;
#else
  return (void*)(intptr_t)val->of.i64;
#endif
}

/* Initialisers for wasm_val_t and vectors. */
#define WASM_I32_VAL(i) {.kind = WASM_I32, .of = {.i32 = i}}
#define WASM_I64_VAL(i) {.kind = WASM_I64, .of = {.i64 = i}}
#define WASM_F32_VAL(z) {.kind = WASM_F32, .of = {.f32 = z}}
#define WASM_F64_VAL(z) {.kind = WASM_F64, .of = {.f64 = z}}
#define WASM_REF_VAL(r) {.kind = WASM_EXTERNREF, .of = {.ref = r}}
#define WASM_INIT_VAL {.kind = WASM_EXTERNREF, .of = {.ref = NULL}}

#define WASM_ARRAY_VEC(array) {sizeof(array) / sizeof(*(array)), array}
#define WASM_EMPTY_VEC {0, NULL}

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* WASM_H */
