// Test harness for WASI calls: a guest (written in .wat by generateProbe) that exports one wrapper
// per wasi_snapshot_preview1 function, plus a scratch folder tree on the host.
//
// Host functions read guest memory through their caller's exported "memory", so a test cannot
// call them directly: the probe module imports every WASI function and exports a wasm
// function of the same name and type that forwards its arguments. Tests write strings and
// structs into the probe's memory and call the wrappers like a guest program would.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "strata/strata.h"
#include "wasi/errno.h"
#include "wasi/wasi.h"

namespace strata::wasi {
// Readable errnos in failure messages ("notcapable" rather than a 2-byte object).
inline void PrintTo(Errno e, std::ostream* os) { *os << errnoName(e); }
}  // namespace strata::wasi

namespace strata::wasi_test {

namespace fs = std::filesystem;
using wasi::Errno;

// A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "strata-wasi-XXXXXX").string();
    path_ = fs::path(::mkdtemp(templ.data()));
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline void writeText(const fs::path& p, std::string_view text) {
  std::ofstream(p, std::ios::binary) << text;
}
inline std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The .wat of the probe: memory "memory" (2 pages) and a wrapper per WASI function.
inline std::string generateProbe(Store& store, const Linker& linker) {
  std::string imports, wrappers;
  for (const char* name : wasi::wasiFunctionNames()) {
    FuncType t = linker.get(store, "wasi_snapshot_preview1", name)->as<Func>()->type(store);
    std::string sig, body;
    for (size_t i = 0; i < t.params.size(); ++i) {
      sig += t.params[i] == ValType::i32() ? " (param i32)" : " (param i64)";
      body += " local.get " + std::to_string(i);
    }
    if (!t.results.empty()) sig += " (result i32)";
    imports += "(import \"wasi_snapshot_preview1\" \"" + std::string(name) + "\" (func $" + name + sig + "))\n";
    wrappers += "(func (export \"" + std::string(name) + "\")" + sig + body + " call $" + name + ")\n";
  }
  return "(module\n" + imports + "(memory (export \"memory\") 2)\n" + wrappers + ")";
}

// One guest with its WASI context. Strings and buffers go to a bump area in its memory.
class Probe {
 public:
  explicit Probe(wasi::WasiConfig config) : engine_(*Engine::create()), store_(engine_) {
    auto ctx = wasi::WasiCtx::create(config);
    if (!ctx) {
      ADD_FAILURE() << ctx.error().message;
      ctx = wasi::WasiCtx::create({});
    }
    ctx_ = *ctx;
    Linker linker(engine_);
    EXPECT_TRUE(wasi::defineWasi(linker, ctx_).has_value());
    auto module = Module::fromText(engine_, generateProbe(store_, linker));
    EXPECT_TRUE(module.has_value()) << (module ? "" : module.error().describe());
    instance_ = *linker.instantiate(store_, *module);
    memory_ = *instance_.getMemory("memory");
  }

  // Calls wrapper `name`; the errno result (or -1 when it trapped, with the trap in last_trap).
  int32_t call(std::string_view name, std::initializer_list<Val> args) {
    auto r = instance_.getFunc(name)->call(store_, args);
    if (!r) {
      last_trap = r.error();
      return -1;
    }
    return r->empty() ? 0 : (*r)[0].i32();
  }
  template <class... A>
  Errno wasi(std::string_view name, A... args) {
    return Errno(call(name, {toVal(args)...}));
  }

  uint8_t* mem() const { return memory_.data(); }
  uint32_t alloc(uint32_t size) {
    uint32_t at = next_;
    next_ += (size + 7) & ~7u;
    return at;
  }
  uint32_t str(std::string_view s) {
    uint32_t at = alloc(uint32_t(s.size()) + 1);
    std::memcpy(mem() + at, s.data(), s.size());
    return at;
  }
  template <class T>
  T load(uint32_t at) const {
    T v;
    std::memcpy(&v, mem() + at, sizeof v);
    return v;
  }
  template <class T>
  void store(uint32_t at, T v) {
    std::memcpy(mem() + at, &v, sizeof v);
  }
  uint32_t memSize() const { return uint32_t(memory_.dataSize()); }

  // path_open returning the new fd (or the errno as a failure).
  Errno open(uint32_t dir, std::string_view path, uint32_t oflags = 0, bool follow = true,
             uint64_t rights = wasi::right::kAll, uint32_t* fd_out = nullptr, uint32_t fdflags = 0) {
    uint32_t p = str(path), out = alloc(4);
    Errno e = wasi("path_open", dir, uint32_t(follow), p, uint32_t(path.size()), oflags, rights, rights, fdflags, out);
    if (fd_out) *fd_out = load<uint32_t>(out);
    return e;
  }
  // Calls a path_* function of the form (fd, path, len) (create/remove directory, unlink).
  Errno onPath(std::string_view fn, uint32_t dir, std::string_view path) {
    uint32_t p = str(path);
    return wasi(fn, dir, p, uint32_t(path.size()));
  }
  // fd_write of `text`; the number of bytes written through `n`.
  Errno write(uint32_t fd, std::string_view text, uint32_t* n = nullptr) {
    uint32_t buf = str(text), iov = alloc(8), out = alloc(4);
    store<uint32_t>(iov, buf);
    store<uint32_t>(iov + 4, uint32_t(text.size()));
    Errno e = wasi("fd_write", fd, iov, 1u, out);
    if (n) *n = load<uint32_t>(out);
    return e;
  }
  // fd_read of up to `max` bytes.
  std::string read(uint32_t fd, uint32_t max, Errno* err = nullptr) {
    uint32_t buf = alloc(max), iov = alloc(8), out = alloc(4);
    store<uint32_t>(iov, buf);
    store<uint32_t>(iov + 4, max);
    Errno e = wasi("fd_read", fd, iov, 1u, out);
    if (err) *err = e;
    return e == Errno::Success ? std::string(reinterpret_cast<char*>(mem() + buf), load<uint32_t>(out)) : "";
  }

  Store& store() { return store_; }
  wasi::WasiCtx& ctx() { return *ctx_; }
  Trap last_trap;

 private:
  static Val toVal(uint32_t v) { return Val::i32(int32_t(v)); }
  static Val toVal(int v) { return Val::i32(v); }
  static Val toVal(uint64_t v) { return Val::i64(int64_t(v)); }

  Engine engine_;
  Store store_;
  std::shared_ptr<wasi::WasiCtx> ctx_;
  Instance instance_;
  Memory memory_;
  uint32_t next_ = 1024;
};

}  // namespace strata::wasi_test
