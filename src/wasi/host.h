// Glue between WASI calls written as typed C++ functions and the runtime's host functions.
//
// A WASI call is `Errno name(Call& call, uint32_t/uint64_t args...)`; defineCall derives the
// core wasm type from the C++ parameter types (u32 -> i32, u64 -> i64, result i32 errno),
// unpacks the arguments and looks up the caller's exported memory "memory" once per call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/uio.h>

#include "strata/extern.h"
#include "strata/func.h"
#include "strata/linker.h"
#include "wasi/ctx.h"
#include "wasi/guest_memory.h"

namespace strata::wasi {

inline constexpr const char* kModuleName = "wasi_snapshot_preview1";

struct Call {
  WasiCtx& ctx;
  GuestMemory mem;  // empty when the caller exports no memory: every pointer is then EFAULT

  // The entry of a guest fd holding `rights`: Badf when not open, NotCapable without them.
  WasiResult<FdEntry*> fd(uint32_t fd, uint64_t rights = 0) {
    FdEntry* e = ctx.fds().get(fd);
    if (!e) return std::unexpected(Errno::Badf);
    if (!e->can(rights)) return std::unexpected(Errno::NotCapable);
    return e;
  }
  // A directory fd for path_* calls: NotDir before the rights check, so a file gives ENOTDIR.
  WasiResult<FdEntry*> dir(uint32_t fd, uint64_t rights) {
    FdEntry* e = ctx.fds().get(fd);
    if (!e) return std::unexpected(Errno::Badf);
    if (e->type != Filetype::Directory) return std::unexpected(Errno::NotDir);
    if (!e->can(rights)) return std::unexpected(Errno::NotCapable);
    return e;
  }
  WasiResult<std::string_view> string(uint32_t ptr, uint32_t len) const {
    auto s = mem.string(ptr, len);
    if (!s) return std::unexpected(Errno::Fault);
    return *s;
  }
  template <class T>
  Errno store(uint32_t ptr, T value) const {
    return mem.store(ptr, value) ? Errno::Success : Errno::Fault;
  }
};

GuestMemory memoryOf(Caller& caller);

// The guest's iovec/ciovec array as host iovecs pointing into its memory (Fault when any
// part is outside it); at most IOV_MAX entries and UINT32_MAX bytes.
WasiResult<std::vector<struct iovec>> guestIovecs(const GuestMemory& mem, uint32_t iovs, uint32_t count);

template <class T>
constexpr ValType wasmTypeOf() {
  static_assert(std::is_same_v<T, uint32_t> || std::is_same_v<T, uint64_t>);
  return std::is_same_v<T, uint32_t> ? ValType::i32() : ValType::i64();
}

template <class T>
T argAs(const Val& v) {
  if constexpr (std::is_same_v<T, uint32_t>) return uint32_t(v.i32());
  else return uint64_t(v.i64());
}

template <class... A, size_t... I>
Errno invokeCall(Errno (*fn)(Call&, A...), Call& call, std::span<const Val> args, std::index_sequence<I...>) {
  (void)args;  // unused for calls without parameters (sched_yield)
  return fn(call, argAs<A>(args[I])...);
}

template <class... A>
Result<void> defineCall(Linker& linker, const std::shared_ptr<WasiCtx>& ctx, const char* name,
                        Errno (*fn)(Call&, A...)) {
  if (!linker.wants(kModuleName, name)) return {};  // Linker::restrictTo: not imported
  FuncType type{{wasmTypeOf<A>()...}, {ValType::i32()}};
  return linker.defineFunc(kModuleName, name, std::move(type),
                           [ctx, fn](Caller& caller, std::span<const Val> args, std::span<Val> results) -> TrapResult<void> {
                             Call call{*ctx, memoryOf(caller)};
                             Errno e = invokeCall(fn, call, args, std::index_sequence_for<A...>{});
                             results[0] = Val::i32(int32_t(e));
                             return {};
                           });
}

// Each file of calls registers its functions.
Result<void> defineProcCalls(Linker& linker, const std::shared_ptr<WasiCtx>& ctx);
Result<void> defineFdCalls(Linker& linker, const std::shared_ptr<WasiCtx>& ctx);
Result<void> defineFdIoCalls(Linker& linker, const std::shared_ptr<WasiCtx>& ctx);
Result<void> definePathCalls(Linker& linker, const std::shared_ptr<WasiCtx>& ctx);
Result<void> definePollCalls(Linker& linker, const std::shared_ptr<WasiCtx>& ctx);
Result<void> defineSockCalls(Linker& linker, const std::shared_ptr<WasiCtx>& ctx);

}  // namespace strata::wasi
