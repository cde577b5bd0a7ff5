/* Shared helpers of the C API tests: checks that count failures, an engine for the tier named on
 * the command line, and modules from the text format. */
#ifndef STRATA_CAPI_TEST_H
#define STRATA_CAPI_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata.h"
#include "wasm.h"

static int capi_failures = 0;

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
      capi_failures++;                                                          \
    }                                                                           \
  } while (0)

/* Fatal: later checks would dereference what this one found missing. */
#define REQUIRE(cond)                                                           \
  do {                                                                          \
    if (!(cond)) {                                                              \
      fprintf(stderr, "%s:%d: requirement failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                  \
    }                                                                           \
  } while (0)

/* The tier every test runs on: argv[1] ("interp" when absent). */
static const char* capi_tier = "interp";

static inline wasm_config_t* test_config(void) {
  wasm_config_t* config = wasm_config_new();
  REQUIRE(strata_config_set_tier(config, capi_tier));
  return config;
}

static inline wasm_engine_t* test_engine(int argc, char** argv) {
  if (argc > 1) capi_tier = argv[1];
  wasm_engine_t* engine = wasm_engine_new_with_config(test_config());
  REQUIRE(engine != NULL);
  return engine;
}

/* The binary of a module in the text format (the caller deletes it). */
static inline void test_wat(const char* wat, wasm_byte_vec_t* out) {
  wasm_message_t error;
  if (!strata_wat2wasm(wat, strlen(wat), out, &error)) {
    fprintf(stderr, "bad test module: %s\n", error.data);
    exit(1);
  }
}

static inline wasm_module_t* test_module(wasm_store_t* store, const char* wat) {
  wasm_byte_vec_t binary;
  test_wat(wat, &binary);
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  REQUIRE(module != NULL);
  return module;
}

/* A module instantiated with no imports, and its exports. */
struct test_instance {
  wasm_module_t* module;
  wasm_instance_t* instance;
  wasm_extern_vec_t exports;
};

static inline void test_instantiate(struct test_instance* t, wasm_store_t* store, const char* wat) {
  wasm_extern_vec_t imports = WASM_EMPTY_VEC;
  t->module = test_module(store, wat);
  t->instance = wasm_instance_new(store, t->module, &imports, NULL);
  REQUIRE(t->instance != NULL);
  wasm_instance_exports(t->instance, &t->exports);
}

static inline void test_instance_delete(struct test_instance* t) {
  wasm_extern_vec_delete(&t->exports);
  wasm_instance_delete(t->instance);
  wasm_module_delete(t->module);
}

/* The instance's export number `index` as a function (borrowed from `exports`). */
static inline wasm_func_t* test_export_func(const wasm_extern_vec_t* exports, size_t index) {
  REQUIRE(index < exports->size);
  wasm_func_t* f = wasm_extern_as_func(exports->data[index]);
  REQUIRE(f != NULL);
  return f;
}

/* True when the message of `trap` (which this deletes) starts with `prefix`. */
static inline int test_trap_is(wasm_trap_t* trap, const char* prefix) {
  if (!trap) return 0;
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  int ok = message.size > 0 && message.data[message.size - 1] == '\0' && strncmp(message.data, prefix, strlen(prefix)) == 0;
  if (!ok) fprintf(stderr, "trap message: %s (expected %s)\n", message.size ? message.data : "", prefix);
  wasm_byte_vec_delete(&message);
  wasm_trap_delete(trap);
  return ok;
}

static inline int test_finish(const char* name) {
  if (capi_failures) {
    fprintf(stderr, "%s (%s): %d check(s) failed\n", name, capi_tier, capi_failures);
    return 1;
  }
  printf("%s (%s): ok\n", name, capi_tier);
  return 0;
}

#endif
