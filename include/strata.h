/* Strata's additions to the standard C API (wasm.h): execution tier and compile settings on a
 * config, fuel and epoch deadlines, and WASI preview 1 for modules that import it.
 *
 * Everything here uses wasm.h's conventions (own, _delete, vectors). See docs/embedding.md.
 * (strata/strata.hh, in a folder, is the C++ API: header-only over this one.)
 *
 * What wasm.h functions do in Strata where the standard leaves room or cannot say:
 * - wasm_module_serialize writes a small header and the module's wasm binary, not compiled
 *   code; wasm_module_deserialize validates and compiles that binary again for the store's
 *   engine (any tier, any version that reads the format). Caching compiled code is to come.
 * - Exception tags have no extern kind in wasm.h: they are left out of module imports/exports
 *   and instance exports, and a module that imports a tag cannot be instantiated here.
 * - Limits are 32-bit in wasm.h: a memory64/table64 limit above 2^32-1 is reported as 2^32-1,
 *   which wasm.h reads as "no maximum". wasm_memory_data_size is exact.
 * - wasm_frame_instance is the instance the frame ran in (borrowed, valid with the frame),
 *   worked out from the frames' modules and their calls: for a function reached through a
 *   table (call_indirect, call_ref) it is the caller's instance when the caller has the same
 *   module (wrong if the table held another instance's function) and otherwise the store's
 *   only instance of the function's module, or NULL when the store has several.
 */
#ifndef STRATA_H
#define STRATA_H

#include "wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_VERSION_MAJOR 0
#define STRATA_VERSION_MINOR 1
#define STRATA_VERSION_PATCH 0

/* "0.1.0": the library's version, which may differ from the header's. */
WASM_API_EXTERN const char* strata_version(void);

/* ---- Value kinds wasm.h cannot name ------------------------------------------------------- */

/* What wasm_valtype_kind reports for types beyond wasm.h's: v128, references of the GC
 * proposal's any hierarchy (anyref, eqref, i31ref, structref, arrayref) and exnref. Their
 * values cannot cross the C API (wasm_val_t has no room for them): a call that would pass one
 * traps with a "type mismatch" message. */
#define STRATA_VALKIND_V128 4
#define STRATA_VALKIND_ANYREF 130
#define STRATA_VALKIND_EXNREF 131

/* ---- Config --------------------------------------------------------------------------------- */

/* Whether a tier of that name can run on this host: "interp" (the interpreter, everywhere) and
 * "baseline" (the x86-64 single-pass compiler). */
WASM_API_EXTERN bool strata_tier_available(const char* name);

/* The tier every module of engines made from this config compiles for. False (config unchanged)
 * when the tier is not available. The default is "interp". */
WASM_API_EXTERN bool strata_config_set_tier(wasm_config_t*, const char* name);

/* Fuel: every call charges the store's fuel and traps with "all fuel consumed by WebAssembly"
 * at zero (see strata_store_set_fuel). Off by default. */
WASM_API_EXTERN void strata_config_consume_fuel(wasm_config_t*, bool enable);

/* Epoch interruption: code traps with "interrupt" once the engine's epoch passes a store's
 * deadline (strata_store_set_epoch_deadline, strata_engine_increment_epoch). Off by default. */
WASM_API_EXTERN void strata_config_epoch_interruption(wasm_config_t*, bool enable);

/* Native stack bytes wasm may use before a call traps with "call stack exhausted". */
WASM_API_EXTERN void strata_config_max_wasm_stack(wasm_config_t*, size_t bytes);

/* Bounds checks: false (default) reserves guard pages so memory accesses need no compare;
 * true compares each address with the memory size (less address space). */
WASM_API_EXTERN void strata_config_explicit_bounds_checks(wasm_config_t*, bool enable);

/* Canonical NaNs from floating-point arithmetic (deterministic results across hosts), on
 * every tier. */
WASM_API_EXTERN void strata_config_nan_canonicalization(wasm_config_t*, bool enable);

/* ---- Engine and store ----------------------------------------------------------------------- */

/* Bumps the epoch every store's deadline is compared with; callable from any thread. */
WASM_API_EXTERN void strata_engine_increment_epoch(wasm_engine_t*);

/* The store's fuel (needs strata_config_consume_fuel). */
WASM_API_EXTERN void strata_store_set_fuel(wasm_store_t*, uint64_t fuel);
WASM_API_EXTERN uint64_t strata_store_get_fuel(const wasm_store_t*);

/* Calls in this store trap once the engine's epoch is `ticks` beyond its current value. */
WASM_API_EXTERN void strata_store_set_epoch_deadline(wasm_store_t*, uint64_t ticks);

/* ---- Modules -------------------------------------------------------------------------------- */

/* wasm_module_new that says why: NULL when the binary is malformed or invalid, with
 * `error_message` (when not NULL) receiving a NUL-terminated message with the kind, the byte
 * offset and the spec suite's wording ("invalid at offset 0x1f: type mismatch"). */
WASM_API_EXTERN own wasm_module_t* strata_module_new(wasm_store_t*, const wasm_byte_vec_t* binary,
                                                     own wasm_message_t* error_message);

/* ---- Traps ---------------------------------------------------------------------------------- */

/* True when the trap is a WASI proc_exit (not an error), with the status the program gave. */
WASM_API_EXTERN bool strata_trap_exit_status(const wasm_trap_t*, int32_t* status);

/* ---- Text format --------------------------------------------------------------------------- */

/* Translates a module in the text format (.wat) to its binary. False, with `error_message` (when
 * not NULL) saying where and why, when the text does not parse. The binary is not validated:
 * wasm_module_new does that. */
WASM_API_EXTERN bool strata_wat2wasm(const char* wat, size_t size, own wasm_byte_vec_t* out,
                                     own wasm_message_t* error_message);

/* ---- WASI preview 1 ------------------------------------------------------------------------- */

/* What a WASI program sees: its arguments, environment, preopened directories and stdio. */
typedef struct strata_wasi_config_t strata_wasi_config_t;

WASM_API_EXTERN own strata_wasi_config_t* strata_wasi_config_new(void);
WASM_API_EXTERN void strata_wasi_config_delete(own strata_wasi_config_t*);

/* Appends one argument (argv[0] is the program name). */
WASM_API_EXTERN void strata_wasi_config_push_arg(strata_wasi_config_t*, const char* arg);
/* Appends one environment variable. */
WASM_API_EXTERN void strata_wasi_config_push_env(strata_wasi_config_t*, const char* key,
                                                 const char* value);
/* Gives the guest the host directory `host_path` under the name `guest_path` (fd 3, 4, ... in
 * the order of these calls). The directory is opened when the WASI instance is made. */
WASM_API_EXTERN void strata_wasi_config_preopen_dir(strata_wasi_config_t*, const char* host_path,
                                                    const char* guest_path);
/* Host file descriptors behind the guest's stdin, stdout and stderr (duplicated; -1 closes the
 * guest's). By default the host's own 0, 1 and 2. */
WASM_API_EXTERN void strata_wasi_config_set_stdio(strata_wasi_config_t*, int stdin_fd,
                                                  int stdout_fd, int stderr_fd);

/* One guest's WASI state: its descriptors and exit status. */
typedef struct strata_wasi_t strata_wasi_t;

/* NULL when a preopened directory cannot be opened; `error_message` (when not NULL) then
 * receives a NUL-terminated message. Takes the config. */
WASM_API_EXTERN own strata_wasi_t* strata_wasi_new(own strata_wasi_config_t*,
                                                   own wasm_message_t* error_message);
WASM_API_EXTERN void strata_wasi_delete(own strata_wasi_t*);

/* The module's imports, in its import order, as WASI functions of `store` ready for
 * wasm_instance_new. False when the module imports something WASI does not provide;
 * `error_message` (when not NULL) then names it. The functions keep `wasi` alive. */
WASM_API_EXTERN bool strata_wasi_get_imports(strata_wasi_t*, wasm_store_t*, const wasm_module_t*,
                                             own wasm_extern_vec_t* out,
                                             own wasm_message_t* error_message);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* STRATA_H */
