/* What every example does first: a module from the text format (strata_wat2wasm; with another
 * runtime, read a .wasm file into the byte vector instead). */
#ifndef STRATA_EXAMPLE_H
#define STRATA_EXAMPLE_H

#include <stdio.h>
#include <string.h>

#include <strata.h>
#include <wasm.h>

static inline wasm_module_t* example_compile(wasm_store_t* store, const char* wat) {
  wasm_byte_vec_t binary;
  wasm_message_t error;
  if (!strata_wat2wasm(wat, strlen(wat), &binary, &error)) {
    fprintf(stderr, "text format: %s\n", error.data);
    wasm_byte_vec_delete(&error);
    return NULL;
  }
  wasm_module_t* module = wasm_module_new(store, &binary);
  wasm_byte_vec_delete(&binary);
  if (!module) fprintf(stderr, "the module does not compile\n");
  return module;
}

/* Instantiates `module` with `imports` and fills `exports`; NULL (with the reason printed) when
 * instantiation fails. */
static inline wasm_instance_t* example_instantiate(wasm_store_t* store, const wasm_module_t* module,
                                                   const wasm_extern_vec_t* imports, wasm_extern_vec_t* exports) {
  wasm_trap_t* trap = NULL;
  wasm_instance_t* instance = wasm_instance_new(store, module, imports, &trap);
  if (!instance) {
    wasm_message_t message;
    wasm_trap_message(trap, &message);
    fprintf(stderr, "instantiation failed: %s\n", message.data);
    wasm_byte_vec_delete(&message);
    wasm_trap_delete(trap);
    return NULL;
  }
  wasm_instance_exports(instance, exports);
  return instance;
}

/* Prints a trap's message and deletes it. */
static inline void example_print_trap(wasm_trap_t* trap) {
  wasm_message_t message;
  wasm_trap_message(trap, &message);
  printf("trap: %s\n", message.data);
  wasm_byte_vec_delete(&message);
  wasm_trap_delete(trap);
}

#endif
