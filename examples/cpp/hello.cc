// hello: the C++ API (strata/strata.hh) in one program: a host function, an export call, memory,
// a global, a table, a trap with its wasm backtrace, and a WASI guest's output and exit status.
#include <cstdio>
#include <optional>
#include <span>
#include <string>

#include "strata/strata.hh"

namespace {

const char* kWat = R"(
(module $hello
  (import "host" "log" (func $log (param i32 i32)))
  (memory (export "memory") 1)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (table (export "table") 1 funcref)
  (elem (i32.const 0) $greet)
  (data (i32.const 0) "Hello from wasm")
  (func $greet (export "greet") (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (call $log (i32.const 0) (i32.const 15))
    (i32.const 15))
  (func $divide (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func (export "average") (param i32 i32) (result i32)
    (call $divide (i32.add (local.get 0) (local.get 1)) (i32.const 0))))
)";

const char* kWasiWat = R"(
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello from WASI\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 16))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.const 7))))
)";

int fail(const std::string& what) {
  std::fprintf(stderr, "error: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main() {
  auto engine = strata::Engine::create();
  if (!engine) return fail(engine.error().message);
  strata::Store store(*engine);
  auto module = strata::Module::fromText(store, kWat);
  if (!module) return fail(module.error().message);

  // The host function reads the guest's memory, which it gets once the instance exists.
  std::optional<strata::Memory> memory;
  using strata::ValKind;
  auto log = strata::Func::create(store, {{ValKind::I32, ValKind::I32}, {}},
                                  [&](std::span<const strata::Val> args, std::span<strata::Val>) -> strata::TrapResult<void> {
                                    auto bytes = memory->span().subspan(args[0].i32(), args[1].i32());
                                    std::printf("log: %.*s\n", int(bytes.size()), reinterpret_cast<const char*>(bytes.data()));
                                    return {};
                                  });
  strata::Extern imports[] = {log};
  auto instance = strata::Instance::create(store, *module, imports);
  if (!instance) return fail(instance.error().toString());
  memory = instance->getMemory("memory");

  auto greet = instance->getFunc("greet");
  auto results = greet->call({});
  if (!results) return fail(results.error().toString());
  std::printf("greet returned %d\n", (*results)[0].i32());
  // The same function through the table.
  auto from_table = instance->getTable("table")->get(0)->funcref();
  (void)from_table->call({});
  std::printf("calls: %d, memory: %u page(s)\n", instance->getGlobal("calls")->get().i32(), memory->pages());

  auto trapped = instance->getFunc("average")->call({3, 4});
  if (trapped) return fail("average did not trap");
  std::printf("%s\n", trapped.error().toString().c_str());
  std::printf("frame 0 ran in this instance: %s\n", trapped.error().trace()[0].instance() == *instance ? "yes" : "no");

  // WASI: the guest writes to stdout and exits with 7.
  std::fflush(stdout);
  auto wasi_module = strata::Module::fromText(store, kWasiWat);
  auto wasi = strata::Wasi::create(strata::WasiConfig().arg("hello"));
  if (!wasi_module || !wasi) return fail("WASI setup");
  auto wasi_imports = wasi->imports(store, *wasi_module);
  if (!wasi_imports) return fail(wasi_imports.error().message);
  auto guest = strata::Instance::create(store, *wasi_module, *wasi_imports);
  auto exit = guest->getFunc("_start")->call({});
  std::printf("exit status: %d\n", exit ? 0 : exit.error().exitStatus().value_or(-1));
  return 0;
}
