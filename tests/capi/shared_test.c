/* Shared modules: one compiled module, shared with threads that each obtain it in their own
 * store, instantiate it and call it concurrently (run under ThreadSanitizer by
 * tests/capi/sanitizers.sh). */
#include <pthread.h>

#include "capi_test.h"

enum { kThreads = 4, kRounds = 20 };

struct job {
  wasm_engine_t* engine;
  const wasm_shared_module_t* shared;
  int64_t sum;
  int ok;
};

static void* run(void* arg) {
  struct job* job = arg;
  for (int round = 0; round < kRounds; ++round) {
    wasm_store_t* store = wasm_store_new(job->engine);
    wasm_module_t* module = wasm_module_obtain(store, job->shared);
    if (!module) {
      wasm_store_delete(store);
      return NULL;
    }
    wasm_extern_vec_t imports = WASM_EMPTY_VEC, exports;
    wasm_instance_t* instance = wasm_instance_new(store, module, &imports, NULL);
    if (instance) {
      wasm_instance_exports(instance, &exports);
      wasm_val_t a[1] = {WASM_I64_VAL(round)}, r[1] = {WASM_INIT_VAL};
      wasm_val_vec_t args = WASM_ARRAY_VEC(a), results = WASM_ARRAY_VEC(r);
      wasm_trap_t* trap = wasm_func_call(wasm_extern_as_func(exports.data[0]), &args, &results);
      if (!trap) {
        job->sum += r[0].of.i64;
        job->ok++;
      } else {
        wasm_trap_delete(trap);
      }
      wasm_extern_vec_delete(&exports);
      wasm_instance_delete(instance);
    }
    wasm_module_delete(module);
    wasm_store_delete(store);
  }
  return NULL;
}

int main(int argc, char** argv) {
  wasm_engine_t* engine = test_engine(argc, argv);
  wasm_store_t* store = wasm_store_new(engine);
  /* Sum of 0..n-1 by a loop, so each call runs some code. */
  wasm_module_t* module = test_module(store,
      "(module (func (export \"sum\") (param $n i64) (result i64) (local $i i64) (local $s i64)\n"
      "  (block $done (loop $next\n"
      "    (br_if $done (i64.ge_s (local.get $i) (local.get $n)))\n"
      "    (local.set $s (i64.add (local.get $s) (local.get $i)))\n"
      "    (local.set $i (i64.add (local.get $i) (i64.const 1)))\n"
      "    (br $next)))\n"
      "  (local.get $s)))");
  wasm_shared_module_t* shared = wasm_module_share(module);
  wasm_module_delete(module);  /* the shared form keeps the compiled module */
  wasm_store_delete(store);

  pthread_t threads[kThreads];
  struct job jobs[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    jobs[i] = (struct job){engine, shared, 0, 0};
    REQUIRE(pthread_create(&threads[i], NULL, run, &jobs[i]) == 0);
  }
  int64_t expected = 0;
  for (int round = 0; round < kRounds; ++round) expected += (int64_t)round * (round - 1) / 2;
  for (int i = 0; i < kThreads; ++i) {
    pthread_join(threads[i], NULL);
    CHECK(jobs[i].ok == kRounds);
    CHECK(jobs[i].sum == expected);
  }

  /* A store of another engine compiles the module again from the shared binary. */
  wasm_engine_t* other = wasm_engine_new_with_config(test_config());
  wasm_store_t* other_store = wasm_store_new(other);
  wasm_module_t* again = wasm_module_obtain(other_store, shared);
  CHECK(again != NULL);
  wasm_exporttype_vec_t exports;
  wasm_module_exports(again, &exports);
  CHECK(exports.size == 1);
  wasm_exporttype_vec_delete(&exports);
  wasm_module_delete(again);
  wasm_store_delete(other_store);
  wasm_engine_delete(other);

  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  return test_finish("shared");
}
