// The installed C++ API (include/strata/*.hh) as an embedder meets it: linked against
// libstrata.so (only the C symbols), run on every tier like the C tests. One function per class.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "strata/strata.hh"

// wasm.h's empty `own` marker must not reach code that includes only the C++ API.
#ifdef own
#error "strata/strata.hh leaks wasm.h's own macro"
#endif

namespace {

int failures = 0;
std::string tier = "interp";

#define CHECK(cond)                                                              \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                                \
    }                                                                            \
  } while (0)

strata::Engine engine(strata::Config config = {}) {
  config.tier = tier;
  auto e = strata::Engine::create(config);
  if (!e) {
    std::fprintf(stderr, "%s\n", e.error().message.c_str());
    std::exit(1);
  }
  return *e;
}

template <class T>
T need(T value) {
  if (!value) {
    std::fprintf(stderr, "unexpected failure\n");
    std::exit(1);
  }
  return value;
}

void testEngine() {
  CHECK(strata::Engine::tierAvailable("interp") && !strata::Engine::tierAvailable("nope"));
  strata::Config config;
  config.tier = "nope";
  CHECK(!strata::Engine::create(config) && strata::Engine::create(config).error().message == "unknown tier nope");
  CHECK(strata::Engine::version() == "0.1.0");
}

void testModule() {
  strata::Store store(engine());
  auto bad = strata::Module::fromText(store, "(module (func (result i32)))");
  CHECK(!bad && bad.error().message.find("type mismatch") != std::string::npos);
  CHECK(!strata::Module::fromText(store, "(module (func $f (nonsense)))"));
  auto binary = need(strata::wat2wasm(
      "(module (import \"env\" \"g\" (global i64)) (memory (export \"mem\") 1 2)"
      " (func (export \"f\") (param f32) (result f64) f64.const 1))"));
  CHECK(strata::Module::validate(store, *binary));
  auto module = need(strata::Module::fromBinary(store, *binary));
  auto imports = module->imports();
  CHECK(imports.size() == 1 && imports[0].module == "env" && imports[0].name == "g");
  CHECK((std::get<strata::GlobalType>(imports[0].type) == strata::GlobalType{strata::ValKind::I64, false}));
  auto exports = module->exports();
  CHECK(exports.size() == 2 && exports[0].name == "mem" && exports[1].name == "f");
  CHECK((std::get<strata::MemoryType>(exports[0].type).limits == strata::Limits{1, 2}));
  CHECK((std::get<strata::FuncType>(exports[1].type) == strata::FuncType{{strata::ValKind::F32}, {strata::ValKind::F64}}));
  auto again = need(strata::Module::deserialize(store, module->serialize()));
  CHECK(again->exports().size() == 2);
  CHECK(!strata::Module::deserialize(store, *binary));
  strata::Store other(store.engine());
  CHECK(module->share().obtain(other).imports().size() == 1);
}

void testFuncsAndTraps() {
  strata::Store store(engine());
  auto module = need(strata::Module::fromText(store,
      "(module $m (import \"host\" \"add\" (func $add (param i32 i64) (result i64)))\n"
      "  (import \"host\" \"fail\" (func $fail))\n"
      "  (func (export \"sum\") (param i32 i64) (result i64) local.get 0 local.get 1 call $add)\n"
      "  (func $div (param i32) (result i32) i32.const 1 local.get 0 i32.div_u)\n"
      "  (func (export \"div\") (param i32) (result i32) local.get 0 call $div)\n"
      "  (func (export \"fail\") call $fail))"));
  using strata::ValKind;
  auto add = strata::Func::create(store, {{ValKind::I32, ValKind::I64}, {ValKind::I64}},
                                  [](std::span<const strata::Val> args, std::span<strata::Val> results) -> strata::TrapResult<void> {
                                    results[0] = args[0].i32() + args[1].i64();
                                    return {};
                                  });
  auto fail = strata::Func::create(store, {}, [](auto, auto) -> strata::TrapResult<void> {
    return std::unexpected(strata::Trap("no way"));
  });
  CHECK(add.paramArity() == 2 && add.resultArity() == 1 && add.type().results[0] == ValKind::I64);
  strata::Extern imports[] = {add, fail};
  auto instance = need(strata::Instance::create(store, *module, imports));
  auto sum = need(instance->getFunc("sum"));
  auto r = sum->call({40, int64_t{2}});
  CHECK(r && r->size() == 1 && (*r)[0].kind() == ValKind::I64 && (*r)[0].i64() == 42);
  auto mismatch = sum->call({1.5});
  CHECK(!mismatch && mismatch.error().message().starts_with("type mismatch"));

  auto trap = need(instance->getFunc("div"))->call({0}).error();
  CHECK(trap.message() == "integer divide by zero" && !trap.exitStatus());
  auto frames = trap.trace();
  CHECK(frames.size() == 2 && frames[0].funcIndex() == 3 && frames[1].funcIndex() == 4);
  CHECK(frames.size() == 2 && frames[0].funcOffset() > 0 && frames[1].moduleOffset() > frames[0].moduleOffset());
  CHECK(frames.size() == 2 && frames[0].instance() == *instance && frames[1].instance() == *instance);
  CHECK(trap.toString().starts_with("integer divide by zero\nwasm backtrace:\n    0: "));

  auto host = need(instance->getFunc("fail"))->call({}).error();
  CHECK(host.message() == "no way" && host.trace().size() == 1 && host.trace()[0].funcIndex() == 5);
  CHECK(!instance->get("nothing") && !instance->getMemory("sum") && instance->exports().size() == 3);

  // A start function's trap keeps its frames.
  auto start = strata::Module::fromText(store, "(module (func $s i32.const 0 i32.const 0 i32.rem_s drop) (start $s))");
  auto failed = strata::Instance::create(store, *start);
  CHECK(!failed && failed.error().message() == "integer divide by zero" && failed.error().trace().size() == 1);
  auto unlinked = strata::Instance::create(store, *module);
  CHECK(!unlinked && unlinked.error().message().starts_with("unknown import"));
}

void testMemoryGlobalTable() {
  strata::Store store(engine());
  auto module = need(strata::Module::fromText(store,
      "(module (memory (export \"mem\") 1 3) (global (export \"g\") (mut i32) (i32.const 7))\n"
      "  (table (export \"t\") 2 funcref) (func $f (export \"f\") (result i32) i32.const 5) (elem (i32.const 0) $f)\n"
      "  (func (export \"id\") (param externref) (result externref) local.get 0)\n"
      "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load8_u))"));
  auto instance = need(strata::Instance::create(store, *module));
  auto memory = need(instance->getMemory("mem"));
  CHECK(memory->pages() == 1 && memory->dataSize() == 65536 && memory->span().size() == 65536);
  memory->data()[100] = 42;
  CHECK((*need(instance->getFunc("load"))->call({100}))[0].i32() == 42);
  CHECK(memory->grow(2) && memory->pages() == 3 && !memory->grow(1));
  CHECK((memory->type().limits == strata::Limits{3, 3}));
  CHECK(!strata::Memory::create(store, {{2, 1}}) && need(strata::Memory::create(store, {{1, std::nullopt}}))->pages() == 1);

  auto global = need(instance->getGlobal("g"));
  CHECK(global->get().i32() == 7 && global->type().is_mutable);
  global->set(9);
  CHECK(global->get().i32() == 9);
  auto made = need(strata::Global::create(store, {strata::ValKind::F64, false}, 2.5));
  CHECK(made->get().f64() == 2.5 && !strata::Global::create(store, {strata::ValKind::F64, false}, 1));

  auto table = need(instance->getTable("t"));
  CHECK(table->size() == 2 && table->type().element == strata::ValKind::FuncRef);
  auto f = table->get(0)->funcref();
  CHECK(f && *f == *instance->getFunc("f") && (*f->call({}))[0].i32() == 5);
  CHECK(!table->get(1)->funcref() && !table->get(2));
  CHECK(table->set(1, strata::Val::funcref(f)) && table->get(1)->funcref() == f);
  CHECK(table->grow(1, strata::Val::funcref(std::nullopt)) && table->size() == 3 && !table->set(3, table->get(0).value()));
  auto own = need(strata::Table::create(store, {strata::ValKind::ExternRef, {1, std::nullopt}}, strata::Val::externref(std::nullopt)));
  CHECK(own->size() == 1 && !own->get(0)->externref());

  int host_object = 0;
  auto ref = strata::ExternRef::create(store, &host_object);
  auto back = (*need(instance->getFunc("id"))->call({strata::Val::externref(ref)}))[0].externref();
  CHECK(back && *back == ref && back->data() == &host_object);
  CHECK(std::holds_alternative<strata::FuncType>(instance->get("f")->type()));
}

void testFuelAndWasi() {
  strata::Config config;
  config.consume_fuel = true;
  strata::Store store(engine(config));
  store.setFuel(500);
  auto module = need(strata::Module::fromText(store,
      "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func $w (param i32 i32 i32 i32) (result i32)))\n"
      "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
      "  (memory (export \"memory\") 1) (data (i32.const 16) \"hi from C++\\n\")\n"
      "  (func (export \"_start\") (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 12))\n"
      "    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (call $exit (i32.const 3)))\n"
      "  (func (export \"spin\") (loop $l (br $l))))"));
  std::FILE* out = std::tmpfile();
  auto wasi = need(strata::Wasi::create(strata::WasiConfig().arg("prog").env("K", "V").stdio(-1, fileno(out), 2)));
  auto imports = need(wasi->imports(store, *module));
  auto instance = need(strata::Instance::create(store, *module, *imports));
  auto exit = need(instance->getFunc("_start"))->call({}).error();
  CHECK(exit.exitStatus() == 3);
  char text[32] = {};
  std::rewind(out);
  CHECK(std::fread(text, 1, sizeof text - 1, out) == 12 && std::strcmp(text, "hi from C++\n") == 0);
  std::fclose(out);
  CHECK(store.fuel() < 500);
  CHECK(need(instance->getFunc("spin"))->call({}).error().message() == "all fuel consumed by WebAssembly");
  CHECK(!strata::Wasi::create(strata::WasiConfig().preopenDir("/does/not/exist", "/x")));
  auto other = strata::Module::fromText(store, "(module (import \"wasi_snapshot_preview1\" \"nope\" (func)))");
  CHECK(!wasi->imports(store, *other));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) tier = argv[1];
  testEngine();
  testModule();
  testFuncsAndTraps();
  testMemoryGlobalTable();
  testFuelAndWasi();
  if (failures) {
    std::fprintf(stderr, "cpp_api (%s): %d check(s) failed\n", tier.c_str(), failures);
    return 1;
  }
  std::printf("cpp_api (%s): ok\n", tier.c_str());
  return 0;
}
