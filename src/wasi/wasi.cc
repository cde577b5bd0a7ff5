// defineWasi: registers every call file's functions; the caller's memory; the bench.* imports.
#include "wasi/wasi.h"

#include "wasi/host.h"

namespace strata::wasi {

GuestMemory memoryOf(Caller& caller) {
  std::optional<Extern> ext = caller.getExport("memory");
  if (!ext) return {};
  std::optional<Memory> mem = ext->as<Memory>();
  if (!mem) return {};
  return GuestMemory(mem->data(), mem->dataSize());
}

Result<void> defineWasi(Linker& linker, std::shared_ptr<WasiCtx> ctx) {
  STRATA_CHECK(defineProcCalls(linker, ctx));
  STRATA_CHECK(defineFdCalls(linker, ctx));
  STRATA_CHECK(defineFdIoCalls(linker, ctx));
  STRATA_CHECK(definePathCalls(linker, ctx));
  STRATA_CHECK(definePollCalls(linker, ctx));
  return defineSockCalls(linker, ctx);
}

const std::vector<const char*>& wasiFunctionNames() {
  static const std::vector<const char*> kNames = {
      "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
      "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
      "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
      "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
      "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
      "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
      "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept",
      "sock_recv", "sock_send", "sock_shutdown"};
  return kNames;
}

Result<void> defineBench(Linker& linker, BenchHooks hooks) {
  auto hook = [](std::function<void()> f) {
    return [f = std::move(f)](Caller&, std::span<const Val>, std::span<Val>) -> TrapResult<void> {
      if (f) f();
      return {};
    };
  };
  STRATA_CHECK(linker.defineFunc("bench", "start", FuncType{}, hook(std::move(hooks.on_start))));
  return linker.defineFunc("bench", "end", FuncType{}, hook(std::move(hooks.on_end)));
}

}  // namespace strata::wasi
